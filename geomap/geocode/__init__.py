"""The geocode stage: geopy geocoders, the offline gazetteer among them.

:class:`OfflineGazetteer` (``offline``) is a real :class:`geopy.geocoders.base.Geocoder`, so it
works unchanged in ``geopandas.tools.geocode(names, provider=OfflineGazetteer)`` and inside
geopy's ``RateLimiter``. :class:`CachedGeocoder` (``online``) wraps any geopy service with a
rate limiter, an on-disk cache and bounds on every answer, falling back to the offline
gazetteer. :func:`get_geocoder` returns either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from geopy.exc import GeocoderNotFound
from geopy.geocoders import SERVICE_TO_GEOCODER, get_geocoder_for_service

from geomap.errors import UsageError
from geomap.gazetteer import default_index_path
from geomap.geocode.offline import (
    MAX_QUERY_CHARS,
    Context,
    OfflineGazetteer,
    QueryKeys,
    location_of,
    place_of,
    rank,
    score_entry,
    to_place,
)
from geomap.geocode.online import (
    MAX_ANSWER_BYTES,
    BoundedAdapter,
    CachedGeocoder,
    _single_try_adapter,
    resolve_online,
)

__all__ = [
    "MAX_ANSWER_BYTES",
    "MAX_QUERY_CHARS",
    "BoundedAdapter",
    "CachedGeocoder",
    "Context",
    "OfflineGazetteer",
    "QueryKeys",
    "get_geocoder",
    "location_of",
    "place_of",
    "rank",
    "resolve_online",
    "score_entry",
    "service_names",
    "to_place",
]


def service_names() -> list[str]:
    """Every geocoder name :func:`get_geocoder` accepts."""
    return ["offline", *sorted(SERVICE_TO_GEOCODER)]


def get_geocoder(name: str = "offline", **options: Any) -> OfflineGazetteer | CachedGeocoder:
    """The geocoder called ``name``: ``"offline"`` (default) or a geopy service name.

    Raises
    ------
    UsageError
        When ``name`` is no geocoder geomap knows.
    """
    if name == "offline":
        return OfflineGazetteer(**options)
    try:
        service = get_geocoder_for_service(name)
    except GeocoderNotFound:
        msg = f"unknown geocoder {name!r}; use one of: {', '.join(service_names())}"
        raise UsageError(msg) from None
    cache_dir = Path(options.pop("cache_dir", default_index_path().parent))
    cache_dir.mkdir(parents=True, exist_ok=True)
    fallback = OfflineGazetteer(
        index_path=options.pop("index_path", None), gazetteer=options.pop("gazetteer", None)
    )
    limits = {
        k: options.pop(k)
        for k in ("min_delay_seconds", "max_retries", "error_wait_seconds", "max_wait_seconds")
        if k in options
    }
    options.setdefault("user_agent", "geomap (https://pypi.org/project/geomap)")
    options.setdefault("adapter_factory", _single_try_adapter)
    return CachedGeocoder(
        name,
        service(**options),
        cache_path=cache_dir / "online-geocoder-cache.sqlite",
        fallback=fallback,
        **limits,
    )
