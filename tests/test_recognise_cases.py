"""Cases real text showed: AP states after towns, datelines, facilities with score parts,
common words in Norwegian, qualifiers in the geocoder."""

from __future__ import annotations

import pytest

from geomap.gazetteer import Gazetteer, default_index_path
from geomap.geocode import OfflineGazetteer
from geomap.pipeline import parse_article
from geomap.records import Article, Mention


@pytest.fixture(scope="module")
def geocoder() -> OfflineGazetteer:
    return OfflineGazetteer(gazetteer=Gazetteer.open(default_index_path()))


def mentions(geocoder: OfflineGazetteer, text: str, language: str = "en") -> list[Mention]:
    parsed = parse_article(Article("t", "test", None, None, language, text), geocoder=geocoder)
    return sorted((*parsed.mentions, *parsed.unresolved), key=lambda m: m.start)


def placed(found: list[Mention]) -> list[tuple[str, str | None]]:
    return [(m.surface, m.place.place_id if m.place else None) for m in found]


def test_a_town_and_its_ap_state_are_two_mentions(geocoder: OfflineGazetteer) -> None:
    text = "A water main broke in Gainesville, Ga., on Sunday night."
    found = mentions(geocoder, text)
    assert [m.surface for m in found] == ["Gainesville", "Ga."]
    town, state = (m.place for m in found)
    assert town is not None and state is not None
    assert (town.kind, town.country_code, town.admin1) == ("city", "US", "GA")
    assert state.place_id == "iso3166-2:US-GA"


def test_a_chemical_formula_names_no_state(geocoder: OfflineGazetteer) -> None:
    assert placed(mentions(geocoder, "Levels of CO2 in the air rose again.")) == []


@pytest.mark.parametrize("text", ["Man visste ikke hva som skjedde.", "Man kan ikke vite det."])
def test_norwegian_man_is_no_place(geocoder: OfflineGazetteer, text: str) -> None:
    assert placed(mentions(geocoder, text, "nb")) == []


def test_a_facility_mention_carries_its_score_parts(geocoder: OfflineGazetteer) -> None:
    text = "Flights to Almaty stopped after crowds took the airport."
    found = [m for m in mentions(geocoder, text) if m.place is not None]
    assert {m.surface for m in found} == {"Almaty", "airport"}
    for mention in found:
        assert mention.ranking, mention.surface


def test_geocode_reads_a_region_qualifier_like_the_resolver(geocoder: OfflineGazetteer) -> None:
    place = geocoder.search("London, Ontario")[0]
    assert (place.country_code, place.admin1) == ("CA", "08")


@pytest.mark.parametrize(
    ("query", "place_id"), [("Ala.", "iso3166-2:US-AL"), ("Ind.", "iso3166-2:US-IN")]
)
def test_ap_abbreviations_beat_alpha3_codes(
    geocoder: OfflineGazetteer, query: str, place_id: str
) -> None:
    assert geocoder.search(query)[0].place_id == place_id


def test_ap_states_after_towns_are_the_us_states(geocoder: OfflineGazetteer) -> None:
    text = "Hail damaged roofs in Dothan, Ala., and Muncie, Ind., on Monday."
    found = {m.surface: m.place.place_id for m in mentions(geocoder, text) if m.place}
    assert found.get("Ala.") == "iso3166-2:US-AL"
    assert found.get("Ind.") == "iso3166-2:US-IN"


@pytest.mark.parametrize(
    "text",
    [
        "A water main broke in Gainesville, Ga., on Sunday night.",
        "Two men were arrested in Gainesville, Ga., on Sunday.",
        "GAINESVILLE, Ga. — Two men were arrested on Sunday.",
    ],
)
def test_gainesville_ga_is_two_mentions_in_any_sentence(
    geocoder: OfflineGazetteer, text: str
) -> None:
    assert [m.surface.title() for m in mentions(geocoder, text)] == ["Gainesville", "Ga."]


@pytest.mark.parametrize(
    ("text", "language", "surface", "place_id"),
    [
        (
            "Протесты начались в Мангистауской области.",
            "ru",
            "Мангистауской области",
            "iso3166-2:KZ-47",
        ),
        ("Акции прошли в Свердловской области.", "ru", "Свердловской области", "iso3166-2:RU-SVE"),
        ("Мы были в Алма-Ате вчера.", "ru", "Алма-Ате", "geonames:1526384"),
        ("Det var uro i Rogaland fylke i natt.", "nb", "Rogaland fylke", "iso3166-2:NO-11"),
    ],
)
def test_a_region_with_its_type_word_and_inflections_is_one_mention(
    geocoder: OfflineGazetteer, text: str, language: str, surface: str, place_id: str
) -> None:
    assert (surface, place_id) in placed(mentions(geocoder, text, language))
