"""Hostile online geocoder answers: bombs, trickles, floods and deep JSON fall back offline.

Issue 14: a 1 MB gzip answer was decompressed without limit (10 GB peak), a trickled answer
held the request past any timeout (which bounded each read), and deeply nested JSON raised
RecursionError out of the cache wrapper, failing the article. Each now falls back to the
offline gazetteer with one warning. The service is a fake Nominatim on 127.0.0.1.
"""

from __future__ import annotations

import gzip
import json
import logging
import threading
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import serving
from geopy.location import Location

from geomap.gazetteer import Gazetteer, default_index_path
from geomap.geocode import (
    MAX_ANSWER_BYTES,
    CachedGeocoder,
    OfflineGazetteer,
    get_geocoder,
)

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
GOOD = json.dumps([ALMATY_OSM]).encode()
TIMEOUT = 0.5
STEP = 0.05  # seconds between trickled bytes: each read returns well within TIMEOUT
BOMB_BYTES = 64 * 1024 * 1024  # what the gzip bomb decompresses to


def _bomb() -> bytes:
    """A valid answer padded to 64 MB with spaces, gzipped to about 64 KB."""
    padding = b" " * (BOMB_BYTES - len(GOOD))
    return gzip.compress(GOOD[:-1] + padding + GOOD[-1:], compresslevel=9)


class FakeNominatim(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = "ok"
        self.stop = threading.Event()
        self.bomb = b""

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.server_port}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up on a hostile answer are expected."""


class _Handler(BaseHTTPRequestHandler):
    server: FakeNominatim

    def do_GET(self) -> None:
        mode = self.server.mode
        body = {
            "deep": b"[" * 100_000 + b"]" * 100_000,
            "deep raw": json.dumps([ALMATY_OSM | {"extra": "X"}])
            .encode()
            .replace(b'"X"', b"[" * 900 + b"]" * 900),
            "flood": json.dumps([ALMATY_OSM | {"pad": "x" * (MAX_ANSWER_BYTES + 1)}]).encode(),
            "gzip bomb": self.server.bomb,
        }.get(mode.removesuffix(" unannounced"), GOOD)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if mode == "gzip bomb":
            self.send_header("Content-Encoding", "gzip")
        if mode == "trickled headers":
            self.flush_headers()  # the status line and headers so far, then a slow one
            for byte in b"X-Padding: " + b"." * 100:
                if self.server.stop.wait(STEP):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            self.wfile.write(b"\r\n")
        if mode != "flood unannounced":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode != "trickled body":
            self.wfile.write(body)
            return
        for byte in body:
            if self.server.stop.wait(STEP):
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeNominatim]:
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    fake = FakeNominatim()
    with serving(server=fake):
        try:
            yield fake
        finally:
            fake.stop.set()  # a trickling answer ends before the server stops


@pytest.fixture(scope="module")
def index_path() -> Path:
    return Gazetteer.open(default_index_path()).path


@pytest.fixture
def geocoder(server: FakeNominatim, tmp_path: Path, index_path: Path) -> CachedGeocoder:
    made = get_geocoder(
        "nominatim",
        domain=server.domain,
        scheme="http",
        min_delay_seconds=0,
        error_wait_seconds=0.01,
        max_retries=1,
        timeout=TIMEOUT,
        cache_dir=tmp_path,
        index_path=index_path,
    )
    assert isinstance(made, CachedGeocoder)
    made.fallback.geocode("Almaty")  # the fallback's index is open before any measurement
    return made


def _from_gazetteer(location: Any) -> bool:
    return isinstance(location, Location) and location.raw.get("place_id") == "geonames:1526384"


def _one_warning(caplog: pytest.LogCaptureFixture) -> str:
    records = [r for r in caplog.records if r.name.startswith("geomap.geocode")]
    assert [r.levelno for r in records] == [logging.WARNING], records
    message = records[0].getMessage()
    assert "offline gazetteer" in message and "\n" not in message
    return message


@pytest.mark.parametrize(
    "mode", ["deep", "deep raw", "flood", "flood unannounced", "trickled body", "trickled headers"]
)
def test_a_hostile_answer_falls_back_to_the_gazetteer_with_a_warning(
    server: FakeNominatim,
    geocoder: CachedGeocoder,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    server.mode = mode
    with caplog.at_level(logging.WARNING, logger="geomap.geocode"):
        location = geocoder.geocode("Almaty")
    assert _from_gazetteer(location)
    _one_warning(caplog)


def test_a_gzip_bomb_is_never_decompressed_in_full(
    server: FakeNominatim, geocoder: CachedGeocoder, caplog: pytest.LogCaptureFixture
) -> None:
    server.bomb = _bomb()
    server.mode = "gzip bomb"
    tracemalloc.start()
    try:
        with caplog.at_level(logging.WARNING, logger="geomap.geocode"):
            location = geocoder.geocode("Almaty")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert _from_gazetteer(location)
    assert "decompresses to over" in _one_warning(caplog)
    assert peak < BOMB_BYTES / 4, f"{peak / 2**20:.0f} MB held for a {BOMB_BYTES >> 20} MB bomb"


def test_a_gzipped_answer_within_the_limits_is_used(
    server: FakeNominatim, geocoder: CachedGeocoder
) -> None:
    server.bomb = gzip.compress(GOOD)
    server.mode = "gzip bomb"
    location = geocoder.geocode("Almaty")
    assert isinstance(location, Location) and location.raw.get("osm_id") == ALMATY_OSM["osm_id"]


def test_a_location_too_deep_to_store_falls_back_instead_of_failing(
    tmp_path: Path, index_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    raw: dict[str, Any] = {}
    for _ in range(100_000):  # built without recursion, as a parser of any depth would
        raw = {"nested": raw}

    class DeepService:
        def geocode(self, query: str, **options: Any) -> Location:
            return Location("Almaty", (43.24, 76.95), raw)

    geocoder = CachedGeocoder(
        "deep",
        DeepService(),  # type: ignore[arg-type]
        cache_path=tmp_path / "cache.sqlite",
        fallback=OfflineGazetteer(index_path=index_path),
        min_delay_seconds=0,
        max_retries=0,
        sleep=lambda _seconds: None,
    )
    with caplog.at_level(logging.WARNING, logger="geomap.geocode"):
        assert _from_gazetteer(geocoder.geocode("Almaty"))
    _one_warning(caplog)
