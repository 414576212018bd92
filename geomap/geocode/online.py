"""Online geocoders: any geopy service, rate-limited, cached on disk, bounded, with the
offline gazetteer as fallback."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import logging
import math
import sqlite3
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from geopy.adapters import AdapterHTTPError, BaseAdapter, BaseSyncAdapter
from geopy.exc import (
    GeocoderAuthenticationFailure,
    GeocoderInsufficientPrivileges,
    GeocoderParseError,
    GeocoderQueryError,
    GeocoderQuotaExceeded,
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderTimedOut,
    GeocoderUnavailable,
    GeopyError,
)
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geomap.geocode.offline import OfflineGazetteer, _coordinates, place_of
from geomap.ingest import Deadline, opener_within, read_within
from geomap.records import Mention

log = logging.getLogger(__name__)

# -- online services -----------------------------------------------------------------------


#: What a malformed answer raises while geopy parses it or geomap stores it (caught after
#: ``GeopyError``, which some of these also are); RecursionError for JSON nested too deeply.
_UNREADABLE = (
    ValueError, KeyError, TypeError, IndexError, AttributeError, ArithmeticError, RecursionError,
)  # fmt: skip
#: Largest answer read from a service, as sent and once decompressed: a place search
#: answers in kilobytes; a 1 MB gzip bomb once decompressed to 10 GB.
MAX_ANSWER_BYTES = 2 * 1024 * 1024
#: Deepest nesting of lists and objects accepted in an answer; real ones have under ten.
MAX_ANSWER_DEPTH = 32
#: Seconds a request may take in all when the geocoder gives no timeout.
DEFAULT_ANSWER_SECONDS = 10.0
#: Service errors that asking again cannot mend.
_FINAL = (GeocoderQueryError, GeocoderAuthenticationFailure, GeocoderInsufficientPrivileges)


class CachedGeocoder:
    """An online geopy service behind a rate limiter and an on-disk cache.

    Transient failures (time-outs, 429, 5xx, unreadable answers) are retried at most
    ``max_retries`` times, after ``error_wait_seconds``, then twice as long each time (or what
    the service's Retry-After asks, up to ``max_wait_seconds``). This is the only layer of
    retries: :func:`get_geocoder` turns off those of geopy's HTTP adapter. Then the offline
    gazetteer answers instead, with a warning in the log. Only good answers are cached:
    never a failure, and never a location at (0, 0) or off the globe.
    """

    def __init__(
        self,
        service: str,
        geocoder: Geocoder,
        *,
        cache_path: Path,
        fallback: OfflineGazetteer,
        min_delay_seconds: float = 1.0,
        max_retries: int = 2,
        error_wait_seconds: float = 2.0,
        max_wait_seconds: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.service = service
        self.geocoder = geocoder
        self.fallback = fallback
        self.cache_path = cache_path
        self.max_retries = max_retries
        self.error_wait_seconds = error_wait_seconds
        self.max_wait_seconds = max_wait_seconds
        self._sleep = sleep
        from geopy.extra.rate_limiter import RateLimiter  # only for an online service

        self._limited = RateLimiter(
            self._call,
            min_delay_seconds=min_delay_seconds,
            max_retries=0,
            error_wait_seconds=min_delay_seconds,
            swallow_exceptions=False,
        )
        self._lock = threading.Lock()

    def geocode(self, query: str, **options: Any) -> Location | list[Location] | None:
        """Geocode through the cache, the service, then the fallback."""
        offline_only = {"feature", "focus", "limit"}
        online = {k: v for k, v in options.items() if k not in offline_only and v is not None}
        return self._answer(
            "geocode",
            query,
            online,
            key=[self.service, query, online],
            fallback=lambda: self.fallback.geocode(query, **options),
        )

    def reverse(
        self, query: Any, *, exactly_one: bool = True, **options: Any
    ) -> Location | list[Location] | None:
        """The place at ``(latitude, longitude)``: from the cache, the service or the fallback."""
        point = _coordinates(query)
        online = {k: v for k, v in options.items() if v is not None}
        online["exactly_one"] = exactly_one
        return self._answer(
            "reverse",
            point,
            online,
            key=["reverse", self.service, list(point), online],
            fallback=lambda: self.fallback.reverse(point, exactly_one=exactly_one),
        )

    def _answer(
        self,
        method: str,
        query: Any,
        options: dict[str, Any],
        *,
        key: list[Any],
        fallback: Callable[[], Location | list[Location] | None],
    ) -> Location | list[Location] | None:
        digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()
        cached = self._cache_get(digest)
        if cached is not None:
            try:
                return _usable(_location_from_json(cached))
            except (GeopyError, *_UNREADABLE) as exc:
                log.info("ignoring an unreadable cache entry for %r (%s)", query, exc)
        try:
            answer = _usable(self._asked(method, query, options))
            stored = _location_to_json(answer)  # an answer that cannot be stored is malformed
        except (GeopyError, *_UNREADABLE) as exc:
            reason = " ".join(str(exc).split())[:200] or type(exc).__name__
            log.warning(
                "%s failed for %r (%s); answering from the offline gazetteer",
                self.service,
                query,
                reason,
            )
            return fallback()
        self._cache_put(digest, stored)
        return answer

    def _call(self, method: str, query: Any, **options: Any) -> Any:
        return getattr(self.geocoder, method)(query, **options)

    def _asked(self, method: str, query: Any, options: dict[str, Any]) -> Any:
        """The service's answer, asked again after a wait on transient failures."""
        attempt = 0
        while True:
            try:
                return self._limited(method, query, **options)
            except GeopyError as exc:
                error: GeopyError = exc
            except _UNREADABLE as exc:
                error = GeocoderParseError(f"unreadable answer: {exc!r}")
            wait = self._wait_before_retry(error, attempt)
            if wait is None:
                raise error
            log.info("%s failed for %r (%s); retrying in %.1f s", self.service, query, error, wait)
            self._sleep(wait)
            attempt += 1

    def _wait_before_retry(self, error: GeopyError, attempt: int) -> float | None:
        """Seconds to wait before asking again, or ``None`` to give up."""
        if attempt >= self.max_retries or not isinstance(error, GeocoderServiceError):
            return None
        if isinstance(error, _FINAL) or (
            isinstance(error, GeocoderQuotaExceeded) and not isinstance(error, GeocoderRateLimited)
        ):
            return None
        wait = min(self.error_wait_seconds * 2.0**attempt, self.max_wait_seconds)
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            if retry_after > self.max_wait_seconds:
                return None
            wait = max(wait, float(retry_after))
        return wait

    def _cache_get(self, key: str) -> str | None:
        with self._lock, contextlib.closing(sqlite3.connect(self.cache_path)) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS answer (key TEXT PRIMARY KEY, value TEXT)")
            row = db.execute("SELECT value FROM answer WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def _cache_put(self, key: str, value: str) -> None:
        with self._lock, contextlib.closing(sqlite3.connect(self.cache_path)) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS answer (key TEXT PRIMARY KEY, value TEXT)")
            db.execute("INSERT OR REPLACE INTO answer VALUES (?, ?)", (key, value))


def _usable(answer: Any) -> Location | list[Location] | None:
    """The answer without its locations at (0, 0) or off the globe.

    Raises
    ------
    GeocoderParseError
        When the answer holds no location, or none that is usable.
    """
    if answer is None:
        return None
    locations = answer if isinstance(answer, list) else [answer]
    kept = [loc for loc in locations if isinstance(loc, Location) and _on_the_globe(loc)]
    if not kept:
        msg = f"no usable location in the answer ({len(locations)} given)"
        raise GeocoderParseError(msg)
    return kept if isinstance(answer, list) else kept[0]


def _on_the_globe(location: Location) -> bool:
    """A real point: finite, within WGS 84, and not the (0, 0) of a missing coordinate."""
    lat, lon = location.latitude, location.longitude
    return (
        math.isfinite(lat)
        and math.isfinite(lon)
        and -90 <= lat <= 90
        and -180 <= lon <= 180
        and (lat, lon) != (0.0, 0.0)
    )


def _location_to_json(answer: Location | list[Location] | None) -> str:
    def one(location: Location) -> dict[str, Any]:
        return {
            "address": location.address,
            "point": [location.latitude, location.longitude],
            "raw": location.raw,
        }

    if answer is None:
        return "null"
    if isinstance(answer, list):
        return json.dumps([one(a) for a in answer], default=str)
    return json.dumps(one(answer), default=str)


def _location_from_json(text: str) -> Location | list[Location] | None:
    data = json.loads(text)
    if data is None:
        return None
    if isinstance(data, list):
        return [Location(d["address"], tuple(d["point"]), d["raw"]) for d in data]
    return Location(data["address"], tuple(data["point"]), data["raw"])


def _single_try_adapter(*, proxies: Any, ssl_context: Any) -> BaseAdapter:
    """The HTTP adapter of online services: :class:`BoundedAdapter`, one try per request.

    CachedGeocoder is the only layer of retries (geopy's ``RequestsAdapter`` retried a
    timed-out request twice by itself, which multiplied every retry of ours by three).
    """
    return BoundedAdapter(proxies=proxies, ssl_context=ssl_context)


class BoundedAdapter(BaseSyncAdapter):  # type: ignore[misc]
    """A geopy HTTP adapter that a hostile or broken service cannot hold or flood.

    * ``timeout`` is a deadline for the whole request (connecting, headers, body), not for
      each read: an answer trickled a byte at a time is cut off when it is up;
    * an answer over ``max_bytes`` is refused, as sent and once decompressed (gzip and
      deflate are decompressed here, in bounded steps, never a bomb in one go);
    * JSON nested deeper than :data:`MAX_ANSWER_DEPTH` is refused.

    Each failure is a :class:`geopy.exc.GeopyError` (a timeout, an unavailable service, an
    unreadable answer), which :class:`CachedGeocoder` retries or answers offline.
    """

    def __init__(self, *, proxies: Any, ssl_context: Any, max_bytes: int = MAX_ANSWER_BYTES):
        super().__init__(proxies=proxies, ssl_context=ssl_context)
        self.proxies = {"http": proxies, "https": proxies} if isinstance(proxies, str) else proxies
        self.ssl_context = ssl_context
        self.max_bytes = max_bytes

    def get_json(self, url: str, *, timeout: Any, headers: dict[str, str]) -> Any:
        """The answer at ``url`` as JSON data."""
        return _bounded_json(self.get_text(url, timeout=timeout, headers=headers))

    def get_text(self, url: str, *, timeout: Any, headers: dict[str, str]) -> str:
        """The answer at ``url`` as text."""
        seconds = float(timeout) if timeout else DEFAULT_ANSWER_SECONDS
        asked = {**headers, "Accept-Encoding": "gzip, deflate"}
        proxy = urllib.request.ProxyHandler(self.proxies)  # None: the system's proxies
        with Deadline(seconds) as deadline:
            try:
                opener = opener_within(deadline, proxy, context=self.ssl_context)
                request = urllib.request.Request(url, headers=asked)
                with opener.open(request, timeout=seconds) as page:
                    length = page.headers.get("Content-Length", "").strip()
                    if length.isdigit() and int(length) > self.max_bytes:
                        raise _too_big(self.max_bytes)
                    body = read_within(page, self.max_bytes, deadline.at)
                    answer_headers = page.headers
            except urllib.error.HTTPError as error:
                raise _http_error(error, deadline) from None
            except GeopyError:
                raise
            except (OSError, http.client.HTTPException, ValueError) as error:
                late = f"no full answer within {seconds:g} s"
                if deadline.expired or _timed_out(error):
                    raise GeocoderTimedOut(late) from None
                unreachable = f"the service cannot be reached ({error})"
                raise GeocoderUnavailable(unreachable) from None
            if deadline.expired:
                late = f"no full answer within {seconds:g} s"
                raise GeocoderTimedOut(late)
        if len(body) > self.max_bytes:
            raise _too_big(self.max_bytes)
        body = _decompressed(body, answer_headers.get("Content-Encoding"), self.max_bytes)
        try:
            return body.decode(answer_headers.get_content_charset() or "utf-8")
        except (LookupError, ValueError):
            msg = "the answer is not text in the charset it names"
            raise GeocoderParseError(msg) from None


def _timed_out(error: BaseException) -> bool:
    reason = getattr(error, "reason", error)
    return isinstance(reason, TimeoutError) or "timed out" in str(reason)


def _too_big(limit: int) -> GeocoderParseError:
    return GeocoderParseError(f"the answer is over {limit // 1024:,} KB")


def _http_error(error: urllib.error.HTTPError, deadline: Deadline) -> AdapterHTTPError:
    """geopy's form of an HTTP error (status, headers for Retry-After, a bounded body)."""
    text = None
    with contextlib.suppress(OSError, http.client.HTTPException, ValueError):
        text = read_within(error, 64 * 1024, deadline.at).decode("utf-8", "replace")  # type: ignore[arg-type]
    error.close()
    headers = {name.lower(): value for name, value in error.headers.items()}
    return AdapterHTTPError(
        f"the service answered {error.code}", status_code=error.code, headers=headers, text=text
    )


def _decompressed(body: bytes, encoding: str | None, limit: int) -> bytes:
    """``body`` decoded from its Content-Encoding, never to more than ``limit`` bytes."""
    name = (encoding or "identity").strip().lower()
    if name in ("identity", ""):
        return body
    if name not in ("gzip", "x-gzip", "deflate"):
        msg = f"the answer is in an unknown encoding ({name[:40]})"
        raise GeocoderParseError(msg)
    # 32 + 15: a gzip or zlib header, told apart by zlib; raw deflate (-15) as some servers send.
    for wbits in (zlib.MAX_WBITS | 32, -zlib.MAX_WBITS):
        decoder = zlib.decompressobj(wbits)
        try:
            data = decoder.decompress(body, limit + 1)
        except zlib.error:
            continue
        if len(data) > limit or decoder.unconsumed_tail:
            msg = f"the answer decompresses to over {limit // 1024:,} KB"
            raise GeocoderParseError(msg)
        if not decoder.eof:
            msg = "the compressed answer is cut short"
            raise GeocoderParseError(msg)
        return data
    msg = f"the answer is not valid {name}"
    raise GeocoderParseError(msg)


def _bounded_json(text: str) -> Any:
    """JSON data of ``text``; nesting deeper than :data:`MAX_ANSWER_DEPTH` is refused."""
    try:
        data = json.loads(text)
    except RecursionError:
        msg = f"the answer nests deeper than {MAX_ANSWER_DEPTH} levels"
        raise GeocoderParseError(msg) from None
    except ValueError as exc:
        msg = f"the answer is not JSON ({exc})"
        raise GeocoderParseError(msg) from None
    level: list[Any] = [data]
    for _ in range(MAX_ANSWER_DEPTH + 1):
        level = [
            child
            for item in level
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return data
    msg = f"the answer nests deeper than {MAX_ANSWER_DEPTH} levels"
    raise GeocoderParseError(msg)


# -- mentions ----------------------------------------------------------------------------


def resolve_online(mention: Mention, geocoder: CachedGeocoder) -> Mention:
    """The mention with the place an online geocoder gives for its surface, if any."""
    answer = geocoder.geocode(mention.surface, exactly_one=True)
    location = answer[0] if isinstance(answer, list) and answer else answer
    if not isinstance(location, Location):
        return mention
    return replace(mention, place=place_of(location, service=geocoder.service))
