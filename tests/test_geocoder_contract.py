"""One contract for every geocoder backend that runs offline, then OfflineGazetteer as geopy.

The backends: :class:`OfflineGazetteer`, and :class:`CachedGeocoder` around geopy's Nominatim
pointed at a fake Nominatim on 127.0.0.1 that answers like the real one (``/search`` and
``/reverse`` with ``format=json``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import geopandas
import numpy as np
import pytest
from conftest import serving
from geopandas.testing import assert_geodataframe_equal
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point as GeopyPoint
from shapely.geometry import Point

from geomap.gazetteer import Gazetteer, default_index_path, haversine_km
from geomap.geocode import CachedGeocoder, OfflineGazetteer, get_geocoder, place_of

ALMATY = "geonames:1526384"

#: Query → (latitude, longitude, tolerance in km) that every backend must meet.
KNOWN = {
    "Almaty": (43.25, 76.91, 25),
    "Paris": (48.86, 2.35, 25),
    "Kazakhstan": (48.0, 68.0, 800),
}
UNKNOWN = ("xqzvbnm", "")

#: What the fake Nominatim knows: (names, country code, lat, lon, display name, osm id).
_NOMINATIM_PLACES = (
    (("almaty",), "kz", "43.2363924", "76.9457275", "Almaty, Kazakhstan", 3990),
    (("paris",), "fr", "48.8588897", "2.3200410", "Paris, Île-de-France, France", 7444),
    (
        ("paris",),
        "us",
        "33.6617962",
        "-95.5555130",
        "Paris, Lamar County, Texas, United States",
        115,
    ),
    (("kazakhstan",), "kz", "47.2286086", "65.2093197", "Kazakhstan", 214665),
)


def nominatim_search(query: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The Nominatim ``/search`` answer for parsed query parameters."""
    name = query.get("q", [""])[0].strip().lower()
    countries = {c for c in query.get("countrycodes", [""])[0].lower().split(",") if c}
    limit = int(query.get("limit", ["10"])[0])
    found = [
        _nominatim_place(place)
        for place in _NOMINATIM_PLACES
        if name in place[0] and (not countries or place[1] in countries)
    ]
    return found[:limit]


def nominatim_reverse(query: dict[str, list[str]]) -> dict[str, Any]:
    """The Nominatim ``/reverse`` answer: the known place nearest to the point."""
    lat, lon = float(query["lat"][0]), float(query["lon"][0])
    place = min(_NOMINATIM_PLACES, key=lambda p: haversine_km(lat, lon, float(p[2]), float(p[3])))
    return _nominatim_place(place)


def _nominatim_place(place: tuple[Any, ...]) -> dict[str, Any]:
    _names, _cc, lat, lon, display, osm_id = place
    return {
        "place_id": osm_id * 10,
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
        "osm_type": "relation",
        "osm_id": osm_id,
        "lat": lat,
        "lon": lon,
        "class": "boundary",
        "type": "administrative",
        "addresstype": "city",
        "display_name": display,
        "importance": 0.7,
        "boundingbox": [lat, lat, lon, lon],
    }


class _FakeNominatim(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        answer: Any = (
            nominatim_reverse(query) if url.path == "/reverse" else nominatim_search(query)
        )
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""


@pytest.fixture(scope="module")
def nominatim_domain() -> Iterator[str]:
    """``host:port`` of a fake Nominatim served from a thread on 127.0.0.1."""
    with serving(_FakeNominatim) as server:
        yield f"127.0.0.1:{server.server_port}"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    """The built index ($GEOMAP_CACHE_DIR, built there once when missing)."""
    return Gazetteer.open(default_index_path())


@pytest.fixture(params=["offline", "nominatim"])
def backend(
    request: pytest.FixtureRequest, gazetteer: Gazetteer, tmp_path: Path
) -> OfflineGazetteer | CachedGeocoder:
    if request.param == "offline":
        return OfflineGazetteer(gazetteer=gazetteer)
    domain = request.getfixturevalue("nominatim_domain")
    geocoder = get_geocoder(
        "nominatim",
        domain=domain,
        scheme="http",
        min_delay_seconds=0,
        error_wait_seconds=0.01,
        max_retries=1,
        timeout=0.5,
        cache_dir=tmp_path,
        index_path=gazetteer.path,
    )
    assert isinstance(geocoder, CachedGeocoder)
    geocoder.fallback = _NoFallback()
    return geocoder


class _NoFallback:
    """Stands in for the offline fallback: the contract must hold for the service itself."""

    def geocode(self, query: str, **_options: Any) -> None:
        msg = f"the fake Nominatim failed for {query!r}; the fallback answered"
        raise AssertionError(msg)


def service_of(backend: OfflineGazetteer | CachedGeocoder) -> str:
    return backend.service if isinstance(backend, CachedGeocoder) else "offline"


# -- the contract ----------------------------------------------------------------------------


@pytest.mark.parametrize("query", sorted(KNOWN))
def test_a_known_name_gives_one_location_near_the_place(
    backend: OfflineGazetteer | CachedGeocoder, query: str
) -> None:
    location = backend.geocode(query)
    assert isinstance(location, Location)
    assert isinstance(location.address, str)
    assert isinstance(location.raw, dict)
    latitude, longitude, tolerance_km = KNOWN[query]
    assert haversine_km(location.latitude, location.longitude, latitude, longitude) < tolerance_km


@pytest.mark.parametrize("query", UNKNOWN)
def test_an_unknown_name_gives_none(backend: OfflineGazetteer | CachedGeocoder, query: str) -> None:
    assert backend.geocode(query) is None
    assert backend.geocode(query, exactly_one=False) is None


def test_exactly_one_false_gives_a_list_led_by_the_single_answer(
    backend: OfflineGazetteer | CachedGeocoder,
) -> None:
    single = backend.geocode("Paris")
    several = backend.geocode("Paris", exactly_one=False)
    assert isinstance(single, Location)
    assert isinstance(several, list)
    assert len(several) >= 2
    assert all(isinstance(loc, Location) for loc in several)
    assert several[0].point == single.point


def test_country_codes_keep_only_places_in_that_country(
    backend: OfflineGazetteer | CachedGeocoder,
) -> None:
    location = backend.geocode("Paris", country_codes=["US"])
    assert isinstance(location, Location)
    assert location.longitude < -60  # in the Americas, not Paris in France


def test_an_answer_gives_a_place_with_a_prefixed_id(
    backend: OfflineGazetteer | CachedGeocoder,
) -> None:
    location = backend.geocode("Almaty")
    assert isinstance(location, Location)
    place = place_of(location, service=service_of(backend))
    prefix, _, ident = place.place_id.partition(":")
    assert prefix
    assert ident
    assert (place.latitude, place.longitude) == (location.latitude, location.longitude)


def test_the_same_query_gives_the_same_answer(backend: OfflineGazetteer | CachedGeocoder) -> None:
    first, second = backend.geocode("Almaty"), backend.geocode("Almaty")
    assert isinstance(first, Location)
    assert isinstance(second, Location)
    assert (first.address, first.point) == (second.address, second.point)


def test_works_inside_geopy_rate_limiter(backend: OfflineGazetteer | CachedGeocoder) -> None:
    geocode = RateLimiter(backend.geocode, min_delay_seconds=0)
    location = geocode("Almaty")
    assert isinstance(location, Location)
    assert haversine_km(location.latitude, location.longitude, 43.25, 76.91) < 25


def test_works_in_geopandas_geocode(backend: OfflineGazetteer | CachedGeocoder) -> None:
    frame = geopandas.tools.geocode(["Almaty", "xqzvbnm"], provider=lambda: backend)
    assert frame.crs == "EPSG:4326"
    almaty, unknown = frame.geometry
    assert haversine_km(almaty.y, almaty.x, 43.25, 76.91) < 25
    assert unknown.is_empty


def test_reverse_gives_the_nearest_place(backend: OfflineGazetteer | CachedGeocoder) -> None:
    location = backend.reverse((43.25, 76.91))
    assert isinstance(location, Location)
    assert haversine_km(location.latitude, location.longitude, 43.25, 76.91) < 25


# -- OfflineGazetteer is a geopy Geocoder ---------------------------------------------------------


def test_offline_gazetteer_is_a_geopy_geocoder() -> None:
    assert issubclass(OfflineGazetteer, Geocoder)


def test_geopandas_geocode_takes_the_offline_gazetteer_class_unchanged(
    gazetteer: Gazetteer,
) -> None:
    almaty = gazetteer.get(ALMATY)
    assert almaty is not None
    frame = geopandas.tools.geocode(["Almaty", "xqzvbnm"], provider=OfflineGazetteer)
    expected = geopandas.GeoDataFrame(
        {
            "geometry": [Point(almaty.place.longitude, almaty.place.latitude), Point()],
            "address": ["Almaty", None],
        },
        crs="EPSG:4326",
    )
    assert_geodataframe_equal(frame, expected)


def test_geopandas_reverse_geocode_swaps_the_axes_once() -> None:
    frame = geopandas.tools.reverse_geocode([Point(76.91, 43.25)], provider=OfflineGazetteer)
    assert list(frame["address"]) == ["Almaty"]
    point = frame.geometry.iloc[0]
    assert haversine_km(point.y, point.x, 43.25, 76.91) < 5


@pytest.mark.parametrize("query", [(43.25, 76.91), "43.25, 76.91", GeopyPoint(43.25, 76.91)])
def test_reverse_takes_geopy_point_forms(gazetteer: Gazetteer, query: Any) -> None:
    location = OfflineGazetteer(gazetteer=gazetteer).reverse(query)
    assert isinstance(location, Location)
    assert location.raw["place_id"] == ALMATY


def test_reverse_exactly_one_false_gives_a_list(gazetteer: Gazetteer) -> None:
    locations = OfflineGazetteer(gazetteer=gazetteer).reverse((43.25, 76.91), exactly_one=False)
    assert isinstance(locations, list)
    assert [loc.raw["place_id"] for loc in locations] == [ALMATY]


@pytest.fixture(scope="module")
def towns(gazetteer: Gazetteer) -> tuple[np.ndarray, np.ndarray]:
    """Row ids and (lat, lon) in radians of every town, for brute-force nearest searches."""
    with closing(sqlite3.connect(gazetteer.path)) as db:
        rows = np.array(
            db.execute("SELECT rowid, lat, lon FROM place WHERE cell IS NOT NULL").fetchall()
        )
    return rows[:, 0].astype(int), np.radians(rows[:, 1:])


@pytest.mark.parametrize(
    "point",
    [
        (63.06, -179.9),  # Chukotka: the nearest town is across the antimeridian
        (-16.5, -179.9),  # Fiji, likewise
        (-17.0, 179.99),
        (78.5, 30.0),  # Barents Sea: a wide search, nearest to the north-west
        (89.9, 0.0),
        (-90.0, -180.0),
        (0.0, -140.0),  # mid-Pacific
        (43.25, 76.91),
    ],
)
def test_reverse_finds_what_a_brute_force_search_finds(
    gazetteer: Gazetteer, towns: tuple[np.ndarray, np.ndarray], point: tuple[float, float]
) -> None:
    rowids, radians = towns
    lat, lon = np.radians(point)
    half = (
        np.sin((radians[:, 0] - lat) / 2) ** 2
        + np.cos(lat) * np.cos(radians[:, 0]) * np.sin((radians[:, 1] - lon) / 2) ** 2
    )
    nearest = gazetteer.nearest(*point)
    assert nearest is not None
    assert nearest.rowid == rowids[int(np.argmin(half))]


def test_reverse_rejects_points_outside_wgs84(gazetteer: Gazetteer) -> None:
    with pytest.raises(ValueError, match="WGS 84"):
        OfflineGazetteer(gazetteer=gazetteer).reverse((91.0, 0.0))


def test_raw_carries_the_gazetteer_fields(gazetteer: Gazetteer) -> None:
    location = OfflineGazetteer(gazetteer=gazetteer).geocode("Almaty")
    assert isinstance(location, Location)
    raw = location.raw
    assert raw["place_id"] == ALMATY
    assert raw["kind"] == "city"
    assert raw["country_code"] == "KZ"
    assert isinstance(raw["population"], int)
    assert raw["population"] > 1_000_000
    assert 0 < raw["score"] <= 1
    assert raw["source"] == "geonames"


def test_the_rate_limiter_passes_options_through(gazetteer: Gazetteer) -> None:
    geocode: Callable[..., Any] = RateLimiter(
        OfflineGazetteer(gazetteer=gazetteer).geocode, min_delay_seconds=0
    )
    locations = geocode("Paris", exactly_one=False, limit=2, country_codes="US")
    assert [loc.raw["country_code"] for loc in locations] == ["US", "US"]
