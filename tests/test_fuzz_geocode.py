"""Fuzzing the offline geocoder: any query and any point give well-formed answers or None.

Properties, checked with hypothesis:

* :meth:`OfflineGazetteer.geocode` on any string, with any country filter, feature, limit and
  focus, returns ``None``, one ``Location`` or a non-empty list of at most ``limit``, best
  first; every answer lies in WGS 84, carries a well-formed place id and kind, keeps to the
  country filter, and converts to a well-formed :class:`~geomap.records.Place`;
* :meth:`OfflineGazetteer.reverse` on any WGS 84 point, in any of the forms geopy accepts,
  returns ``None`` or a city in WGS 84 that is no farther than a city known to be nearby;
  a point outside WGS 84 is refused with ``ValueError`` and nothing else.

Run longer with ``GEOMAP_FUZZ_SCALE=20 python -m pytest tests/test_fuzz_geocode.py
--hypothesis-show-statistics``.
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

import pytest
from geopy.location import Location
from geopy.point import Point
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from geomap.errors import GeomapError, UsageError
from geomap.gazetteer import Gazetteer, default_index_path, haversine_km
from geomap.geocode import MAX_QUERY_CHARS, OfflineGazetteer, place_of

#: The fuzz budget of this module; GEOMAP_FUZZ_SCALE multiplies it for a longer run.
SCALE = float(os.environ.get("GEOMAP_FUZZ_SCALE", "1"))
FUZZ = settings(
    max_examples=max(1, int(300 * SCALE)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)

PLACE_ID = re.compile(r"[a-z][a-z0-9-]*:[A-Za-z0-9][A-Za-z0-9._-]*")
COUNTRY_CODE = re.compile(r"[A-Z]{2}")
KINDS = {"city", "country", "region", "airport", "district", "macroregion"}
FEATURES = (None, "airport", "city", "country", "region")
NAMES = (
    "Almaty",
    "Almatys",
    "Алматы",
    "Kasakhstan",
    "Казахстане",
    "Paris",
    "Paris, Texas",
    "Georgia",
    "flyplassen i Almaty",
    "Almaty airport",
    "аэропорт Алматы",
    "Tromsø",
    "São Paulo",
    "القاهرة",
    "New York",
    "Vladimir",
)
#: Cities spread over the globe, high latitudes and the date line included.
ANCHORS = (
    "Almaty",
    "Paris",
    "Tromsø",
    "Longyearbyen",
    "Ushuaia",
    "Reykjavik",
    "Nuuk",
    "Honolulu",
    "Suva",
    "Labasa",
    "Anadyr",
    "Quito",
    "Singapore",
    "Kinshasa",
    "Perth",
    "Auckland",
    "Petropavlovsk-Kamchatsky",
    "Apia",
)

queries = st.one_of(
    st.text(max_size=60),
    st.sampled_from(NAMES),
    st.builds(
        lambda name, noise, where: name[:where] + noise + name[where:],
        st.sampled_from(NAMES),
        st.text(max_size=3),
        st.integers(0, 20),
    ),
    st.lists(st.sampled_from(NAMES), min_size=2, max_size=4).map(", ".join),
    st.integers(MAX_QUERY_CHARS - 2, MAX_QUERY_CHARS + 2).map(lambda n: ("Almaty " * n)[:n]),
)
country_filters = st.one_of(
    st.none(),
    st.just(""),
    st.from_regex(r"\A[A-Za-z]{2}\Z"),
    st.lists(st.sampled_from(("KZ", "kz", "FR", "US", "RU", "NO", "XX", "")), max_size=3),
)
focuses = st.lists(st.sampled_from(("KZ", "fr", "US", "RU", "XX", "")), max_size=3).map(tuple)
latitudes = st.floats(-90, 90, allow_nan=False)
longitudes = st.floats(-180, 180, allow_nan=False)


@pytest.fixture(scope="module")
def geocoder() -> OfflineGazetteer:
    """The offline geocoder on the built index ($GEOMAP_CACHE_DIR), opened once."""
    return OfflineGazetteer(gazetteer=Gazetteer.open(default_index_path()))


def assert_location(location: object) -> dict[str, Any]:
    assert isinstance(location, Location)
    assert math.isfinite(location.latitude) and -90 <= location.latitude <= 90
    assert math.isfinite(location.longitude) and -180 <= location.longitude <= 180
    raw = location.raw
    assert isinstance(raw, dict)
    assert PLACE_ID.fullmatch(raw["place_id"]), raw
    assert raw["kind"] in KINDS, raw
    assert raw["country_code"] is None or COUNTRY_CODE.fullmatch(raw["country_code"]), raw
    assert 0 <= raw["score"] <= 1
    place = place_of(location, service="offline")
    assert place.place_id == raw["place_id"]
    assert (place.latitude, place.longitude) == (location.latitude, location.longitude)
    return raw


@FUZZ
@given(
    query=queries,
    exactly_one=st.booleans(),
    country_codes=country_filters,
    feature=st.sampled_from(FEATURES),
    limit=st.one_of(st.none(), st.integers(1, 30)),
    focus=focuses,
)
@example(query="flyplassen i Almaty", exactly_one=False, country_codes=None, feature=None,
         limit=None, focus=())  # fmt: skip
@example(query=",", exactly_one=True, country_codes="", feature="airport", limit=1, focus=())
def test_any_query_gives_none_or_well_formed_locations_best_first(
    geocoder: OfflineGazetteer,
    query: str,
    exactly_one: bool,
    country_codes: str | list[str] | None,
    feature: str | None,
    limit: int | None,
    focus: tuple[str, ...],
) -> None:
    answer = geocoder.geocode(
        query,
        exactly_one=exactly_one,
        country_codes=country_codes,
        feature=feature,
        limit=limit,
        focus=focus,
    )
    if answer is None:
        return
    locations = [answer] if exactly_one else answer
    assert isinstance(locations, list) and locations
    if not exactly_one and limit is not None:
        assert len(locations) <= limit
    raws = [assert_location(location) for location in locations]
    scores = [raw["score"] for raw in raws]
    assert scores == sorted(scores, reverse=True), "best first"
    assert len({raw["place_id"] for raw in raws}) == len(raws), "each place once"
    if country_codes:
        wanted = {country_codes} if isinstance(country_codes, str) else set(country_codes)
        assert {raw["country_code"] for raw in raws} <= {c.upper() for c in wanted}


@FUZZ
@given(query=queries)
def test_exactly_one_is_the_first_of_the_list(geocoder: OfflineGazetteer, query: str) -> None:
    one = geocoder.geocode(query, exactly_one=True)
    many = geocoder.geocode(query, exactly_one=False)
    if one is None:
        assert many is None
    else:
        assert isinstance(many, list)
        assert one.raw == many[0].raw


def _forms(latitude: float, longitude: float) -> list[Any]:
    """The same point as geopy callers write it."""
    return [
        (latitude, longitude),
        [latitude, longitude],
        f"{latitude!r}, {longitude!r}",
        Point(latitude, longitude),
    ]


@FUZZ
@given(latitude=latitudes, longitude=longitudes)
@example(latitude=90.0, longitude=180.0)
@example(latitude=-90.0, longitude=-180.0)
@example(latitude=-0.0, longitude=-0.0)
@example(latitude=5e-324, longitude=-5e-324)
def test_any_wgs84_point_reverses_to_none_or_a_city(
    geocoder: OfflineGazetteer, latitude: float, longitude: float
) -> None:
    answers = [geocoder.reverse(form) for form in _forms(latitude, longitude)]
    first = answers[0]
    assert all(
        (a is None and first is None)
        or (a is not None and first is not None and a.raw == first.raw)
        for a in answers
    ), "every form of the point gives the same answer"
    if first is not None:
        raw = assert_location(first)
        assert raw["kind"] == "city"
    listed = geocoder.reverse((latitude, longitude), exactly_one=False)
    assert (listed is None) == (first is None)
    if listed is not None:
        assert [location.raw for location in listed] == [first.raw]


@pytest.fixture(scope="module")
def anchors(geocoder: OfflineGazetteer) -> list[tuple[float, float]]:
    found = [geocoder.geocode(name, feature="city") for name in ANCHORS]
    points = [
        (loc.latitude, loc.longitude)
        for loc in found
        if isinstance(loc, Location) and loc.raw["kind"] == "city"
    ]
    assert len(points) >= len(ANCHORS) // 2
    return points


@FUZZ
@given(data=st.data(), d_lat=st.floats(-0.9, 0.9), d_lon=st.floats(-0.9, 0.9))
def test_reverse_is_no_farther_than_a_city_nearby(
    geocoder: OfflineGazetteer,
    anchors: list[tuple[float, float]],
    data: st.DataObject,
    d_lat: float,
    d_lon: float,
) -> None:
    city_lat, city_lon = data.draw(st.sampled_from(anchors))
    latitude, longitude = city_lat + d_lat, city_lon + d_lon
    # A point pushed past a pole or past ±180° is no point: refused, as tested below.
    assume(-90 <= latitude <= 90 and -180 <= longitude <= 180)
    answer = geocoder.reverse((latitude, longitude))
    assert answer is not None, "a city lies within a degree"
    found = haversine_km(latitude, longitude, answer.latitude, answer.longitude)
    assert found <= haversine_km(latitude, longitude, city_lat, city_lon) + 1e-6


bad_points = st.one_of(
    st.tuples(st.floats(90, math.inf, exclude_min=True), longitudes),
    st.tuples(st.floats(-math.inf, -90, exclude_max=True), longitudes),
    st.tuples(latitudes, st.floats(180, math.inf, exclude_min=True)),
    st.tuples(latitudes, st.floats(-math.inf, -180, exclude_max=True)),
    st.tuples(st.just(math.nan), longitudes),
    st.tuples(latitudes, st.just(math.nan)),
    st.text(max_size=20).filter(lambda text: text.count(",") != 1),
    st.lists(latitudes, min_size=0, max_size=1).map(tuple),
    st.lists(latitudes, min_size=3, max_size=4).map(tuple),
)


@FUZZ
@given(point=bad_points)
@example(point=(100.0, 0.0))
@example(point="north, east")
def test_a_point_outside_wgs84_is_refused_with_value_error(
    geocoder: OfflineGazetteer, point: Any
) -> None:
    with pytest.raises(ValueError) as raised:  # geopy: bad input is ValueError
        geocoder.reverse(point)
    assert isinstance(raised.value, UsageError), type(raised.value)


# --- edges: the date line, geomap's own error for a point off the map -----------------------


def test_reverse_finds_the_nearest_city_across_the_date_line(geocoder: OfflineGazetteer) -> None:
    labasa = geocoder.geocode("Labasa", country_codes="FJ")
    assert isinstance(labasa, Location)
    point = (labasa.latitude, -179.95)
    answer = geocoder.reverse(point)
    assert answer is not None
    found = haversine_km(*point, answer.latitude, answer.longitude)
    assert found <= haversine_km(*point, labasa.latitude, labasa.longitude)


@pytest.mark.parametrize("point", [(100.0, 0.0), (math.nan, 0.0), "north, east"])
def test_a_point_outside_wgs84_is_a_geomap_usage_error(
    geocoder: OfflineGazetteer, point: Any
) -> None:
    with pytest.raises(ValueError) as raised:
        geocoder.reverse(point)
    assert isinstance(raised.value, GeomapError), type(raised.value)
