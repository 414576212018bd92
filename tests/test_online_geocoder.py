"""An online service behind CachedGeocoder: bounded retries, offline fallback, cache.

The service is a fake Nominatim on 127.0.0.1 that can be told to fail: status 429 or 500,
answer too slowly, send garbage, JSON of the wrong shape or a place at (0, 0). The retry
policy itself is checked against a scripted stand-in for a geopy geocoder, without waiting.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import serving
from geopy.exc import (
    GeocoderAuthenticationFailure,
    GeocoderQueryError,
    GeocoderRateLimited,
    GeocoderTimedOut,
    GeocoderUnavailable,
)
from geopy.location import Location

from geomap.errors import UsageError
from geomap.gazetteer import Gazetteer, default_index_path
from geomap.geocode import CachedGeocoder, OfflineGazetteer, get_geocoder

ALMATY_OSM = {
    "place_id": 39900,
    "osm_type": "relation",
    "osm_id": 3990,
    "lat": "43.2363924",
    "lon": "76.9457275",
    "class": "boundary",
    "type": "administrative",
    "addresstype": "city",
    "display_name": "Almaty, Kazakhstan",
}
MAX_RETRIES = 1
TIMEOUT = 0.25
SLOW_SECONDS = 3 * TIMEOUT


class FakeNominatim(ThreadingHTTPServer):
    """Answers every ``/search`` with Almaty, or fails as ``mode`` says; counts requests."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = "ok"
        self.hits = 0
        self.released = threading.Event()

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.server_port}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up on a slow answer is expected; stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    server: FakeNominatim

    def do_GET(self) -> None:
        self.server.hits += 1
        mode = self.server.mode
        if mode in {"429", "500"}:
            self.send_error(int(mode))
            return
        if mode == "slow":
            self.server.released.wait(SLOW_SECONDS)
        body = {
            "garbage": b"<html><body>Bad gateway</body></html>",
            "wrong shape": b'[{"lat": "north", "lon": "east"}]',
            "null island": json.dumps([ALMATY_OSM | {"lat": "0", "lon": "0"}]).encode(),
        }.get(mode, json.dumps([ALMATY_OSM]).encode())
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""


@pytest.fixture
def server() -> Iterator[FakeNominatim]:
    fake = FakeNominatim()
    with serving(server=fake):
        try:
            yield fake
        finally:
            fake.released.set()  # a held answer ends before the server stops


@pytest.fixture(scope="module")
def index_path() -> Path:
    """The built index ($GEOMAP_CACHE_DIR, built there once when missing)."""
    return Gazetteer.open(default_index_path()).path


def make_geocoder(server: FakeNominatim, cache_dir: Path, index_path: Path) -> CachedGeocoder:
    geocoder = get_geocoder(
        "nominatim",
        domain=server.domain,
        scheme="http",
        min_delay_seconds=0,
        error_wait_seconds=0.01,
        max_retries=MAX_RETRIES,
        timeout=TIMEOUT,
        cache_dir=cache_dir,
        index_path=index_path,
    )
    assert isinstance(geocoder, CachedGeocoder)
    return geocoder


@pytest.fixture
def geocoder(server: FakeNominatim, tmp_path: Path, index_path: Path) -> CachedGeocoder:
    return make_geocoder(server, tmp_path, index_path)


def from_service(location: Any) -> bool:
    return isinstance(location, Location) and location.raw.get("osm_id") == ALMATY_OSM["osm_id"]


def from_gazetteer(location: Any) -> bool:
    return isinstance(location, Location) and location.raw.get("place_id") == "geonames:1526384"


FAILURES = ["429", "500", "slow", "garbage", "wrong shape", "null island"]


@pytest.mark.parametrize("mode", FAILURES)
def test_a_failing_service_is_retried_then_the_gazetteer_answers_with_a_warning(
    server: FakeNominatim,
    geocoder: CachedGeocoder,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    server.mode = mode
    with caplog.at_level(logging.WARNING, logger="geomap.geocode"):
        location = geocoder.geocode("Almaty")
    assert from_gazetteer(location)
    assert 0 < server.hits <= MAX_RETRIES + 1
    warnings = [r for r in caplog.records if r.name.startswith("geomap.geocode")]
    assert [r.levelno for r in warnings] == [logging.WARNING]
    assert "offline gazetteer" in warnings[0].getMessage()


@pytest.mark.parametrize("mode", ["429", "500", "garbage", "slow", "wrong shape"])
def test_a_failing_service_is_asked_max_retries_plus_one_times(
    server: FakeNominatim, geocoder: CachedGeocoder, mode: str
) -> None:
    server.mode = mode
    geocoder.geocode("Almaty")
    assert server.hits == MAX_RETRIES + 1


@pytest.mark.parametrize("mode", FAILURES)
def test_a_failed_answer_is_not_cached(
    server: FakeNominatim, geocoder: CachedGeocoder, mode: str
) -> None:
    server.mode = mode
    geocoder.geocode("Almaty")
    failed_hits = server.hits
    server.mode = "ok"
    assert from_service(geocoder.geocode("Almaty"))
    assert server.hits == failed_hits + 1


def test_a_good_answer_is_cached(server: FakeNominatim, geocoder: CachedGeocoder) -> None:
    first, second = geocoder.geocode("Almaty"), geocoder.geocode("Almaty")
    assert isinstance(first, Location)
    assert isinstance(second, Location)
    assert from_service(first)
    assert from_service(second)
    assert server.hits == 1
    assert (first.address, first.point) == (second.address, second.point)


def test_the_cache_outlives_the_geocoder(
    server: FakeNominatim, tmp_path: Path, index_path: Path
) -> None:
    make_geocoder(server, tmp_path, index_path).geocode("Almaty")
    later = make_geocoder(server, tmp_path, index_path).geocode("Almaty")
    assert from_service(later)
    assert server.hits == 1


def test_different_options_are_cached_apart(
    server: FakeNominatim, geocoder: CachedGeocoder
) -> None:
    single = geocoder.geocode("Almaty")
    several = geocoder.geocode("Almaty", exactly_one=False)
    assert isinstance(single, Location)
    assert isinstance(several, list)
    assert server.hits == 2


def test_the_fallback_keeps_the_country_filter(
    server: FakeNominatim, geocoder: CachedGeocoder
) -> None:
    server.mode = "500"
    location = geocoder.geocode("Paris", country_codes=["US"])
    assert isinstance(location, Location)
    assert location.raw["country_code"] == "US"


def test_a_place_at_null_island_is_not_asked_again(
    server: FakeNominatim, geocoder: CachedGeocoder
) -> None:
    server.mode = "null island"
    assert from_gazetteer(geocoder.geocode("Almaty"))
    assert server.hits == 1


def test_an_unknown_service_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="nosuch"):
        get_geocoder("nosuch", cache_dir=tmp_path)


# -- the retry policy, against a scripted geocoder -------------------------------------------


class Scripted:
    """Stands in for a geopy geocoder: each call takes the next answer (raised if an error)."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.calls = 0

    def _next(self) -> Any:
        self.calls += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def geocode(self, query: str, **_options: Any) -> Any:
        return self._next()

    def reverse(self, query: Any, **_options: Any) -> Any:
        return self._next()


SERVICE_ALMATY = Location("Almaty, Kazakhstan", (43.2364, 76.9457), {"osm_id": 3990})


def scripted(
    tmp_path: Path, index_path: Path, service: Scripted, **limits: Any
) -> tuple[CachedGeocoder, list[float]]:
    waits: list[float] = []
    geocoder = CachedGeocoder(
        "scripted",
        service,  # type: ignore[arg-type]
        cache_path=tmp_path / "cache.sqlite",
        fallback=OfflineGazetteer(index_path=index_path),
        min_delay_seconds=0,
        sleep=waits.append,
        **limits,
    )
    return geocoder, waits


def test_waits_double_between_retries(tmp_path: Path, index_path: Path) -> None:
    service = Scripted(GeocoderUnavailable("down"))
    geocoder, waits = scripted(tmp_path, index_path, service, max_retries=3, error_wait_seconds=0.5)
    assert from_gazetteer(geocoder.geocode("Almaty"))
    assert waits == [0.5, 1.0, 2.0]
    assert service.calls == 4


def test_waits_are_capped(tmp_path: Path, index_path: Path) -> None:
    service = Scripted(GeocoderTimedOut("slow"))
    geocoder, waits = scripted(
        tmp_path, index_path, service, max_retries=4, error_wait_seconds=1, max_wait_seconds=3
    )
    geocoder.geocode("Almaty")
    assert waits == [1, 2, 3, 3]


def test_retry_after_is_honoured_up_to_the_cap(tmp_path: Path, index_path: Path) -> None:
    service = Scripted(GeocoderRateLimited("slow down", retry_after=5), SERVICE_ALMATY)
    geocoder, waits = scripted(tmp_path, index_path, service, max_retries=2)
    assert geocoder.geocode("Almaty") is SERVICE_ALMATY
    assert waits == [5]


def test_a_retry_after_beyond_the_cap_falls_back_at_once(tmp_path: Path, index_path: Path) -> None:
    service = Scripted(GeocoderRateLimited("come back tomorrow", retry_after=86_400))
    geocoder, waits = scripted(tmp_path, index_path, service, max_retries=2)
    assert from_gazetteer(geocoder.geocode("Almaty"))
    assert (waits, service.calls) == ([], 1)


@pytest.mark.parametrize(
    "error",
    [GeocoderQueryError("bad query"), GeocoderAuthenticationFailure("bad key")],
    ids=["query", "authentication"],
)
def test_errors_that_asking_again_cannot_mend_are_not_retried(
    tmp_path: Path, index_path: Path, error: Exception
) -> None:
    service = Scripted(error)
    geocoder, waits = scripted(tmp_path, index_path, service, max_retries=2)
    assert from_gazetteer(geocoder.geocode("Almaty"))
    assert (waits, service.calls) == ([], 1)


def test_locations_at_null_island_are_dropped_from_a_list(tmp_path: Path, index_path: Path) -> None:
    null_island = Location("Nowhere", (0.0, 0.0), {})
    service = Scripted([null_island, SERVICE_ALMATY])
    geocoder, _waits = scripted(tmp_path, index_path, service)
    assert geocoder.geocode("Almaty", exactly_one=False) == [SERVICE_ALMATY]
    assert geocoder.geocode("Almaty", exactly_one=False) == [SERVICE_ALMATY]
    assert service.calls == 1


def test_reverse_is_cached(tmp_path: Path, index_path: Path) -> None:
    service = Scripted(SERVICE_ALMATY)
    geocoder, _waits = scripted(tmp_path, index_path, service)
    first, second = geocoder.reverse((43.25, 76.91)), geocoder.reverse("43.25, 76.91")
    assert first == second == SERVICE_ALMATY
    assert service.calls == 1


def test_reverse_falls_back_to_the_nearest_town(tmp_path: Path, index_path: Path) -> None:
    service = Scripted(GeocoderUnavailable("down"))
    geocoder, _waits = scripted(tmp_path, index_path, service, max_retries=0)
    assert from_gazetteer(geocoder.reverse((43.25, 76.91)))
