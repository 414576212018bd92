"""What the built index holds for countries, codes, demonyms and world regions.

Countries stand at their geographic centre (the CIA World Factbook's, through
``countryinfo``), codes name their place only when written as codes, a demonym names no
place, and catalog names carry the language they come from.
"""

from __future__ import annotations

import pytest
from geopy.location import Location

from geomap.gazetteer import (
    CURATED,
    PRIMARY,
    Gazetteer,
    default_index_path,
    haversine_km,
    language_flag,
)
from geomap.geocode import OfflineGazetteer
from geomap.records import Place

READ_LANGUAGES = ("en", "nb", "nn", "sv", "da", "de", "fr", "ru")


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    """The built index ($GEOMAP_CACHE_DIR), opened once for the module."""
    return Gazetteer.open(default_index_path())


@pytest.fixture(scope="module")
def geocoder(gazetteer: Gazetteer) -> OfflineGazetteer:
    return OfflineGazetteer(gazetteer=gazetteer)


def best(geocoder: OfflineGazetteer, query: str) -> Place:
    places = geocoder.search(query)
    assert places, f"no place for {query!r}"
    return places[0]


# -- country points ------------------------------------------------------------------------


def test_kazakhstan_stands_at_its_geographic_centre_not_at_its_capital(
    geocoder: OfflineGazetteer,
) -> None:
    place = best(geocoder, "Kazakhstan")
    astana = best(geocoder, "Astana")
    assert place.place_id == "iso3166:KZ"
    assert haversine_km(place.latitude, place.longitude, 48.0, 68.0) < 300
    assert haversine_km(place.latitude, place.longitude, astana.latitude, astana.longitude) > 300


def test_geocode_and_search_give_a_country_the_same_point(geocoder: OfflineGazetteer) -> None:
    location = geocoder.geocode("United States")
    place = best(geocoder, "United States")
    assert isinstance(location, Location)
    assert (location.latitude, location.longitude) == (place.latitude, place.longitude)
    washington = (38.9, -77.04)
    assert haversine_km(place.latitude, place.longitude, *washington) > 500


# -- codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["USA", "U.S.", "US", "U.S.A."])
def test_codes_of_the_united_states_geocode_to_it(geocoder: OfflineGazetteer, query: str) -> None:
    location = geocoder.geocode(query)
    assert isinstance(location, Location)
    assert location.raw["place_id"] == "iso3166:US"


def test_the_french_commune_us_is_not_the_united_states(geocoder: OfflineGazetteer) -> None:
    location = geocoder.geocode("Us")
    assert isinstance(location, Location)
    assert location.raw["place_id"] != "iso3166:US"
    assert location.raw["country_code"] == "FR"


@pytest.mark.parametrize(
    ("query", "place_id"),
    [
        ("UK", "iso3166:GB"),
        ("NSW", "iso3166-2:AU-NSW"),
        ("Ga.", "iso3166-2:US-GA"),
        ("W.Va.", "iso3166-2:US-WV"),
        ("Tenn.", "iso3166-2:US-TN"),
    ],
)
def test_country_and_state_abbreviations_name_their_place(
    geocoder: OfflineGazetteer, query: str, place_id: str
) -> None:
    assert best(geocoder, query).place_id == place_id


# -- demonyms ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Russian", "Chinese", "Afghan", "Kazakh", "Hindi"])
def test_a_demonym_geocodes_to_nothing(geocoder: OfflineGazetteer, query: str) -> None:
    assert geocoder.geocode(query) is None
    assert geocoder.search(query) == []


def test_a_demonym_is_indexed_but_never_as_a_name(gazetteer: Gazetteer) -> None:
    entries = gazetteer.lookup_rows({"russian"}).get("russian", ())
    assert any(row.place_id == "iso3166:RU" for _, row in entries)
    assert all(not flags & (PRIMARY | CURATED) for flags, _ in entries)


def test_a_country_whose_own_name_is_its_language_keeps_that_name(
    geocoder: OfflineGazetteer,
) -> None:
    # Nauru's language is Nauru: the country's own name stays a place
    assert best(geocoder, "Nauru").place_id == "iso3166:NR"


# -- world regions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "place_id"),
    [
        ("Africa", "m49:002"),
        ("Europe", "m49:150"),
        ("Central Asia", "m49:143"),
        ("Middle East", "m49:145"),
        ("Midtøsten", "m49:145"),
        ("Sentral-Asia", "m49:143"),
        ("Ближний Восток", "m49:145"),
    ],
)
def test_world_regions_are_macroregions_with_m49_ids(
    geocoder: OfflineGazetteer, query: str, place_id: str
) -> None:
    place = best(geocoder, query)
    assert (place.place_id, place.kind, place.country_code) == (place_id, "macroregion", None)


def test_central_asia_stands_among_its_countries(geocoder: OfflineGazetteer) -> None:
    region = best(geocoder, "Central Asia")
    for country in ("Kazakhstan", "Uzbekistan", "Turkmenistan"):
        place = best(geocoder, country)
        distance = haversine_km(region.latitude, region.longitude, place.latitude, place.longitude)
        assert distance < 1500, country


# -- language flags on catalog names -------------------------------------------------------


def test_a_catalog_name_carries_the_language_it_comes_from(gazetteer: Gazetteer) -> None:
    entries = gazetteer.lookup_rows({"norge"}).get("norge", ())
    norway = [flags for flags, row in entries if row.place_id == "iso3166:NO"]
    assert norway
    assert any(flags & language_flag("nb") for flags in norway)
    assert not any(flags & (PRIMARY | language_flag("en")) for flags in norway)


def test_a_foreign_name_that_is_an_english_word_names_the_country_in_no_read_language(
    gazetteer: Gazetteer,
) -> None:
    """*Mỹ* (Vietnamese for the US) folds to *my*: indexed, but flagged as none of the
    languages geomap reads, so an English *My* cannot name the country."""
    wanted = PRIMARY | CURATED
    for language in READ_LANGUAGES:
        wanted |= language_flag(language)
    entries = gazetteer.lookup_rows({"my"}).get("my", ())
    us = [flags for flags, row in entries if row.place_id == "iso3166:US"]
    assert us
    assert not any(flags & wanted for flags in us)
