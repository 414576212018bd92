"""Which namesake a mention resolves to once the whole article is read.

A qualifier written after a name (*Paris, Tenn.*, *London, Ontario*), the regions and
countries the article names, and world regions the gazetteer now holds; each choice keeps
the score parts that made it (:attr:`Mention.ranking`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from geomap.gazetteer import Gazetteer, default_index_path
from geomap.geocode import OfflineGazetteer
from geomap.pipeline import parse, parse_article
from geomap.records import Article, Mention, Place
from geomap.serialize import parsed_to_json

QUALIFIER_PARTS = {"qualifier country", "qualifier region"}


@pytest.fixture(scope="module")
def geocoder() -> OfflineGazetteer:
    """One geocoder on the built index ($GEOMAP_CACHE_DIR) for the whole module."""
    return OfflineGazetteer(gazetteer=Gazetteer.open(default_index_path()))


def resolved(geocoder: OfflineGazetteer, text: str, language: str = "en") -> dict[str, Mention]:
    """The resolved mentions by surface (the first of each)."""
    parsed = parse_article(Article("t", "test", None, None, language, text), geocoder=geocoder)
    found: dict[str, Mention] = {}
    for mention in parsed.mentions:
        found.setdefault(mention.surface, mention)
    return found


def where(mention: Mention) -> tuple[str | None, str | None, str | None]:
    """(kind, country, admin1) of the mention's place."""
    assert mention.place is not None
    return mention.place.kind, mention.place.country_code, mention.place.admin1


# -- qualifiers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "country", "admin1"),
    [
        ("The fair in Paris, Tenn., drew a large crowd on Saturday.", "US", "TN"),
        ("A tornado tore roofs off in Paris, Texas, late on Friday.", "US", "TX"),
        ("Bus drivers in London, Ontario, went on strike this week.", "CA", "08"),
    ],
)
def test_a_qualifier_after_a_town_picks_the_namesake_in_it(
    geocoder: OfflineGazetteer, text: str, country: str, admin1: str
) -> None:
    town = text.split(" in ", 1)[1].split(",", 1)[0]
    assert where(resolved(geocoder, text)[town]) == ("city", country, admin1)


def test_the_qualifier_parts_show_in_the_ranking_of_a_qualified_town(
    geocoder: OfflineGazetteer,
) -> None:
    mention = resolved(geocoder, "The fair in Paris, Tenn., drew a large crowd.")["Paris"]
    names = [name for name, _ in mention.ranking]
    assert names[0] == "name"
    assert set(names) >= QUALIFIER_PARTS
    assert mention.place is not None and mention.place.admin1 == "TN"


def test_an_unqualified_town_has_no_qualifier_parts_and_stays_the_famous_one(
    geocoder: OfflineGazetteer,
) -> None:
    mention = resolved(geocoder, "The fair in Paris drew a large crowd.")["Paris"]
    assert where(mention) == ("city", "FR", "11")
    assert mention.ranking and mention.ranking[0][0] == "name"
    assert QUALIFIER_PARTS.isdisjoint(name for name, _ in mention.ranking)


def all_resolved(geocoder: OfflineGazetteer, text: str) -> list[Mention]:
    """Every resolved mention, in text order."""
    return list(
        parse_article(Article("t", "test", None, None, "en", text), geocoder=geocoder).mentions
    )


def test_a_name_qualified_once_keeps_that_place_at_its_other_mentions(
    geocoder: OfflineGazetteer,
) -> None:
    text = (
        "Roads into Paris were quiet on Monday. The fair in Paris, Tenn., drew a large crowd. "
        "Police in Paris said the crowd left early."
    )
    places = [where(m) for m in all_resolved(geocoder, text) if m.surface == "Paris"]
    assert places == [("city", "US", "TN")] * 3


def test_a_name_qualified_two_ways_keeps_the_famous_place_where_unqualified(
    geocoder: OfflineGazetteer,
) -> None:
    text = (
        "The fair in Paris, Tenn., drew a crowd. A tornado hit Paris, Texas. "
        "Streets in Paris were quiet."
    )
    places = [where(m) for m in all_resolved(geocoder, text) if m.surface == "Paris"]
    assert places == [("city", "US", "TN"), ("city", "US", "TX"), ("city", "FR", "11")]


def test_every_named_place_carries_its_score_parts(geocoder: OfflineGazetteer) -> None:
    text = "Storms moved from Texas into Alabama. Roads near Paris, Tenn., were closed."
    found = resolved(geocoder, text)
    assert set(found) >= {"Texas", "Alabama", "Paris", "Tenn."}
    for mention in found.values():
        assert mention.ranking, mention.surface
        assert mention.ranking[0][0] == "name"


def test_what_one_article_says_of_a_name_does_not_carry_over_to_the_next(
    geocoder: OfflineGazetteer,
) -> None:
    # the geocoder remembers per name what depends on the name alone; the article's own
    # context must still decide, in whichever order the articles come
    plain, qualified = (
        "The fair in Paris drew a large crowd.",
        "The fair in Paris, Tenn., drew a crowd.",
    )
    first = [where(resolved(geocoder, text)["Paris"]) for text in (plain, qualified, plain)]
    again = [where(resolved(geocoder, text)["Paris"]) for text in (qualified, plain, qualified)]
    france, tennessee = ("city", "FR", "11"), ("city", "US", "TN")
    assert first == [france, tennessee, france]
    assert again == [tennessee, france, tennessee]


def test_a_name_first_read_as_a_facility_still_resolves_alone_later(
    geocoder: OfflineGazetteer,
) -> None:
    airport = resolved(geocoder, "Flights left Almaty airport late on Monday.")
    town = resolved(geocoder, "Crowds gathered in Almaty on Monday.")["Almaty"]
    assert airport and town.place is not None
    assert (town.place.kind, town.place.country_code) == ("city", "KZ")


# -- countries and regions named elsewhere -------------------------------------------------


def test_georgia_among_us_states_is_the_state(geocoder: OfflineGazetteer) -> None:
    text = "Storms crossed Texas and Alabama on Monday before they reached Georgia."
    mention = resolved(geocoder, text)["Georgia"]
    assert mention.place is not None
    assert mention.place.place_id == "iso3166-2:US-GA"
    assert "beside named regions" in {name for name, _ in mention.ranking}


def test_georgia_beside_its_capital_is_the_country(geocoder: OfflineGazetteer) -> None:
    text = "Crowds filled the streets of Tbilisi as Georgia voted on Saturday."
    mention = resolved(geocoder, text)["Georgia"]
    assert mention.place is not None
    assert mention.place.place_id == "iso3166:GE"


# -- world regions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "surface", "place_id"),
    [
        ("en", "Food aid reached Africa by sea.", "Africa", "m49:002"),
        ("en", "Prices rose across Europe this winter.", "Europe", "m49:150"),
        ("en", "Tension grew in the Middle East after the vote.", "Middle East", "m49:145"),
        ("en", "Tension grew in Central Asia after the vote.", "Central Asia", "m49:143"),
        ("nb", "Uroen i Midtøsten fortsetter.", "Midtøsten", "m49:145"),
        ("nb", "Sentral-Asia er roligere i år.", "Sentral-Asia", "m49:143"),
        ("ru", "Ближний Восток снова в центре внимания.", "Ближний Восток", "m49:145"),
    ],
)
def test_continents_and_world_regions_resolve_to_macroregions(
    geocoder: OfflineGazetteer, language: str, text: str, surface: str, place_id: str
) -> None:
    found = resolved(geocoder, text, language)
    assert surface in found, sorted(found)
    place = found[surface].place
    assert place is not None
    assert (place.kind, place.place_id, place.country_code) == ("macroregion", place_id, None)


def test_parse_json_shows_why_each_place_was_chosen(
    geocoder: OfflineGazetteer, tmp_path: Path
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Flooding hit Paris, Texas, on Monday.", encoding="utf-8")
    found = parsed_to_json(parse(str(article), geocoder=geocoder))
    paris = next(m for m in found["mentions"] if m["text"] == "Paris")
    assert paris["country_code"] == "US"
    assert paris["ranking"]["qualifier country"] > 0


def test_the_kurdistan_region_of_an_iraqi_article_is_iraqs(geocoder: OfflineGazetteer) -> None:
    text = (
        "Police in Baghdad said two people died. "
        "In the Kurdistan Region, students marched through Erbil on Monday."
    )
    assert where(resolved(geocoder, text)["Kurdistan Region"])[:2] == ("region", "IQ")


def test_a_peninsula_the_gazetteer_lacks_is_placed_at_the_region_of_its_name(
    geocoder: OfflineGazetteer,
) -> None:
    text = "Gunmen attacked a checkpoint in Egypt's Sinai Peninsula on Friday."
    assert where(resolved(geocoder, text)["Sinai Peninsula"])[:2] == ("region", "EG")


def all_places(geocoder: OfflineGazetteer, text: str, language: str) -> dict[str, Place | None]:
    """Every mention's place by surface, unresolved ones included (as ``None``)."""
    parsed = parse_article(Article("t", "test", None, None, language, text), geocoder=geocoder)
    return {m.surface: m.place for m in (*parsed.mentions, *parsed.unresolved)}


@pytest.mark.parametrize(
    ("language", "text", "surface"),
    [
        ("nb", "Demonstrantene samlet seg foran USAs ambassade i Oslo.", "USAs"),
        ("sv", "Protesterna riktades mot USAs regering i Stockholm.", "USAs"),
    ],
)
def test_a_code_in_the_genitive_is_the_code(
    geocoder: OfflineGazetteer, language: str, text: str, surface: str
) -> None:
    place = all_places(geocoder, text, language)[surface]
    assert place is not None and place.country_code == "US"


def test_capitals_are_a_code_not_a_town_of_that_name(geocoder: OfflineGazetteer) -> None:
    found = all_places(geocoder, "Ministers from the EU met in Brussels on Monday.", "en")
    assert found.get("EU") is None or found["EU"].country_code != "FR"  # not Eu in Normandy
