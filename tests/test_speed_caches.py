"""What the gazetteer and the geocoder remember gives the answers the index gives."""

from __future__ import annotations

import pytest
import wordfreq

from geomap.extract.text import sentences
from geomap.gazetteer import Gazetteer, default_index_path
from geomap.gazetteer import index as gazetteer_module
from geomap.geocode import OfflineGazetteer
from geomap.recognise.rules import spot, zipf
from geomap.resolve import resolve_mentions

KEYS = ["almaty", "almatys", "kasakhstan", "moskva", "no such place anywhere", "paris", ""]
TEXT = (
    "Politiet i Almaty melder om uro. Flyplassen i Almaty ble stengt, og fly til Moskva og "
    "Paris ble innstilt. Demonstranter samlet seg i Aktobe og Atyrau, vest i Kasakhstan."
)


@pytest.fixture(scope="module")
def index() -> Gazetteer:
    """The built index ($GEOMAP_CACHE_DIR, built there once when missing)."""
    return Gazetteer.open(default_index_path())


def fresh(index: Gazetteer) -> Gazetteer:
    """Another view of the same index, with nothing remembered yet."""
    return Gazetteer(index.path)


def test_lookups_answer_the_same_from_memory_as_from_the_index(index: Gazetteer) -> None:
    warm = fresh(index)
    first = warm.lookup_rows(KEYS)
    assert warm.lookup_rows(KEYS) == first == fresh(index).lookup_rows(KEYS)
    assert "no such place anywhere" not in first
    assert "" not in first
    assert set(first) >= {"almaty", "moskva"}


def test_lookups_of_one_key_at_a_time_match_one_batch(index: Gazetteer) -> None:
    one_by_one = fresh(index)
    found = {key: one_by_one.lookup_rows([key]).get(key) for key in KEYS}
    batch = fresh(index).lookup_rows(KEYS)
    assert {key: rows for key, rows in found.items() if rows} == batch


def test_a_full_memory_is_forgotten_and_answers_stay_right(
    index: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gazetteer_module, "_CACHED_KEYS", 3)
    small = fresh(index)
    for key in KEYS * 2:
        assert small.lookup_rows([key]) == fresh(index).lookup_rows([key])
    assert len(small._rows) <= 3


def test_airports_answer_the_same_from_memory_and_their_lists_are_the_callers(
    index: Gazetteer,
) -> None:
    warm = fresh(index)
    towns = [row[0] for rows in warm.lookup_rows(["almaty", "oslo"]).values() for _, row in rows]
    first = warm.airports_serving(towns)
    assert first, "Almaty and Oslo have airports"
    for airports in first.values():
        airports.clear()
    assert warm.airports_serving(towns) == fresh(index).airports_serving(towns)
    assert all(warm.airports_serving(towns).values())


@pytest.mark.parametrize("focus", [(), ("KZ",), ("RU", "KZ"), ("BR",), ("US", "FR", "KZ")])
@pytest.mark.parametrize("name", ["almaty", "paris", "moskva", "kasakhstans", "springfield"])
@pytest.mark.parametrize("feature", [None, "airport"])
def test_the_best_place_of_a_name_is_the_first_search_ranks(
    index: Gazetteer, name: str, feature: str | None, focus: tuple[str, ...]
) -> None:
    geocoder = OfflineGazetteer(gazetteer=fresh(index))
    searched = geocoder.search(name, feature=feature, focus=focus)
    expected = searched[0] if searched else None
    for _ in range(2):  # from scratch, then remembered
        assert geocoder._best([(name, feature)], focus=focus) == {(name, feature): expected}
        assert geocoder._best([(name, feature)], focus=()) == {
            (name, feature): (geocoder.search(name, feature=feature) or [None])[0]
        }


def test_resolving_an_article_again_gives_the_same_places(index: Gazetteer) -> None:
    split = sentences(TEXT)
    spotted = spot("a", TEXT, split, language="nb", gazetteer=fresh(index))
    geocoder = OfflineGazetteer(gazetteer=fresh(index))
    before = {name: geocoder.search(name) for name in ("almaty", "paris", "aktobe")}
    first = resolve_mentions(spotted, geocoder=geocoder)
    assert [m.place for m in first if m.place] and first != spotted
    assert resolve_mentions(spotted, geocoder=geocoder) == first
    assert resolve_mentions(spotted, geocoder=OfflineGazetteer(gazetteer=fresh(index))) == first
    assert {name: geocoder.search(name) for name in before} == before


@pytest.mark.parametrize("language", ["nb", "ru", "xx"])
def test_word_frequencies_keep_no_raw_word_lists(language: str) -> None:
    common, rare = zipf("politiet", language), zipf("qzxvbnmw", language)
    assert zipf("politiet", language) == common
    assert rare == 0.0
    assert wordfreq.get_frequency_list.cache_info().currsize == 0
