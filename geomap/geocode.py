"""The geocode stage: geopy geocoders, the offline gazetteer among them, and ranking.

:class:`OfflineGazetteer` is a real :class:`geopy.geocoders.base.Geocoder`, so it works
unchanged in ``geopandas.tools.geocode(names, provider=OfflineGazetteer)`` and inside geopy's
``RateLimiter``. :func:`get_geocoder` returns it, or any geopy service wrapped with a rate
limiter and an on-disk cache, falling back to the offline gazetteer when the service fails.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from geopy.exc import GeocoderNotFound, GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import SERVICE_TO_GEOCODER, get_geocoder_for_service
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geomap.errors import UsageError
from geomap.gazetteer import (
    AIRPORT,
    COUNTRY,
    CURATED,
    PRIMARY,
    REGION,
    Entry,
    FeaturePattern,
    Gazetteer,
    default_index_path,
)
from geomap.records import Mention, Place
from geomap.textnorm import base_forms, fold

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500
_KIND_PRIOR = {COUNTRY: 9.0, REGION: 5.5, AIRPORT: 4.0}


@dataclass(frozen=True, slots=True)
class Context:
    """What an article tells about where its places are likely to be.

    ``focus`` holds country codes the article is about (most mentioned first);
    ``qualifiers`` holds entries that a query names after a comma (*Paris, Texas*).
    """

    focus: tuple[str, ...] = ()
    qualifiers: tuple[Entry, ...] = ()


def to_place(entry: Entry, *, score: float) -> Place:
    """The entry's place with its score filled in."""
    return replace(entry.place, score=round(score, 4))


def location_of(place: Place) -> Location:
    """A geopy ``Location`` for a place; ``raw`` carries the gazetteer fields."""
    raw = {
        "place_id": place.place_id,
        "name": place.name,
        "kind": place.kind,
        "country_code": place.country_code,
        "admin1": place.admin1,
        "population": place.population,
        "score": place.score,
        "source": place.source,
    }
    return Location(place.name, (place.latitude, place.longitude), raw)


def place_of(location: Location, *, service: str) -> Place:
    """A :class:`Place` from any geopy ``Location`` (offline or online)."""
    raw = location.raw if isinstance(location.raw, dict) else {}
    if "place_id" in raw and str(raw["place_id"]).count(":") == 1 and "kind" in raw:
        return Place(
            place_id=str(raw["place_id"]),
            name=str(raw.get("name") or location.address),
            kind=str(raw["kind"]),
            country_code=raw.get("country_code"),
            latitude=location.latitude,
            longitude=location.longitude,
            population=int(raw.get("population") or 0),
            admin1=raw.get("admin1"),
            score=float(raw.get("score") or 0.0),
            source=str(raw.get("source") or service),
        )
    ident = (
        raw.get("osm_id")
        or raw.get("place_id")
        or f"{location.latitude:.5f},{location.longitude:.5f}"
    )
    return Place(
        place_id=f"{service}:{ident}",
        name=str(location.address),
        kind=str(raw.get("addresstype") or raw.get("type") or "place"),
        country_code=None,
        latitude=location.latitude,
        longitude=location.longitude,
        source=service,
    )


def score_entry(entry: Entry, *, exact: bool, feature: str | None, context: Context) -> float:
    """The ranking score of one candidate: kind and size prior, name quality, context."""
    place = entry.place
    score = _KIND_PRIOR.get(place.kind, math.log10(place.population + 1))
    if entry.flags & PRIMARY:
        score += 1.0
    if entry.flags & CURATED:
        score += 1.0
    if not exact:
        score -= 1.0
    if feature and place.kind == feature:
        score += 10.0
    if place.country_code in context.focus:
        score += 3.0 if place.country_code == context.focus[0] else 1.5
    for qualifier in context.qualifiers:
        if (
            place.country_code == qualifier.place.country_code
            and place.place_id != qualifier.place.place_id
        ):
            score += 4.0
            if qualifier.place.kind == REGION and place.admin1 == qualifier.place.admin1:
                score += 4.0
    return score


def rank(
    candidates: Iterable[tuple[Entry, bool]],
    *,
    feature: str | None = None,
    context: Context = Context(),
) -> list[Place]:
    """Order candidates (entry, exact-name match) best first, with softmax scores."""
    scored: dict[str, tuple[float, Entry]] = {}
    for entry, exact in candidates:
        value = score_entry(entry, exact=exact, feature=feature, context=context)
        if value > scored.get(entry.place.place_id, (-math.inf, entry))[0]:
            scored[entry.place.place_id] = (value, entry)
    ordered = sorted(scored.values(), key=lambda item: (-item[0], item[1].place.place_id))
    if not ordered:
        return []
    top = ordered[0][0]
    total = sum(math.exp(value - top) for value, _ in ordered)
    return [to_place(entry, score=math.exp(value - top) / total) for value, entry in ordered]


def feature_split(
    tokens: Sequence[str], patterns: Iterable[FeaturePattern]
) -> tuple[str, Sequence[str]] | None:
    """If the folded words are a feature phrase (*flyplassen i almaty*), its feature and place words."""
    for pattern in patterns:
        before, after = len(pattern.before), len(pattern.after)
        if len(tokens) <= before + after:
            continue
        if all(tokens[i] in pattern.before[i] for i in range(before)) and all(
            tokens[len(tokens) - after + i] in pattern.after[i] for i in range(after)
        ):
            return pattern.feature, tokens[before : len(tokens) - after]
    return None


class OfflineGazetteer(Geocoder):  # type: ignore[misc]
    """Geocode place names offline from the built gazetteer index.

    Parameters
    ----------
    index_path
        The index file; the default is the user cache folder (built on first use).
    gazetteer
        An already opened :class:`~geomap.gazetteer.Gazetteer` to share.
    """

    _shared: ClassVar[dict[Path, Gazetteer]] = {}
    _lock = threading.Lock()

    def __init__(
        self,
        *,
        index_path: Path | None = None,
        gazetteer: Gazetteer | None = None,
        **geopy_options: Any,
    ) -> None:
        super().__init__(**geopy_options)
        self._gazetteer = gazetteer
        self._index_path = index_path

    @property
    def gazetteer(self) -> Gazetteer:
        """The index, opened (and built, once per process) on first use."""
        if self._gazetteer is None:
            path = self._index_path or default_index_path()
            with self._lock:
                if path not in self._shared:
                    self._shared[path] = Gazetteer.open(path)
                self._gazetteer = self._shared[path]
        return self._gazetteer

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        country_codes: str | Sequence[str] | None = None,
        feature: str | None = None,
        limit: int | None = None,
        focus: Sequence[str] = (),
        timeout: Any = None,
    ) -> Location | list[Location] | None:
        """Find places named ``query``; ``None`` when nothing fits.

        Parameters
        ----------
        query
            A name in any language or script the data has, optionally inflected, optionally
            a feature phrase (*flyplassen i Almaty*) or qualified (*Paris, Texas*).
        exactly_one
            Return the best ``Location`` rather than a list.
        country_codes
            Keep only places in these ISO 3166-1 alpha-2 countries.
        feature
            Prefer this kind (``"airport"``: the airport serving the named city).
        limit
            The most results to return when ``exactly_one`` is false.
        focus
            Countries the surrounding text is about, most important first.
        timeout
            Accepted for geopy compatibility; the offline gazetteer never waits.
        """
        places = self.search(query, country_codes=country_codes, feature=feature, focus=focus)
        if not places:
            return None
        if exactly_one:
            return location_of(places[0])
        return [location_of(place) for place in places[: limit or len(places)]]

    def search(
        self,
        query: str,
        *,
        country_codes: str | Sequence[str] | None = None,
        feature: str | None = None,
        focus: Sequence[str] = (),
    ) -> list[Place]:
        """Ranked places for ``query``, best first (the core of :meth:`geocode`)."""
        if not isinstance(query, str) or len(query) > MAX_QUERY_CHARS:
            return []
        head, *rest = query.split(",")
        qualifiers = tuple(e for part in rest for e in self._candidates(fold(part))[0])
        context = Context(focus=tuple(c.upper() for c in focus), qualifiers=qualifiers)
        key = fold(head)
        candidates, hinted = self._candidates(key, feature=feature)
        places = rank(zip(candidates, hinted, strict=True), feature=feature, context=context)
        places = self._with_feature(places, feature or self._feature_of(key))
        wanted = _country_filter(country_codes)
        return [p for p in places if wanted is None or p.country_code in wanted]

    def _feature_of(self, key: str) -> str | None:
        split = feature_split(key.split(), self.gazetteer.features())
        if split and not self.gazetteer.lookup(key):
            return split[0]
        return None

    def _candidates(
        self, key: str, *, feature: str | None = None
    ) -> tuple[list[Entry], list[bool]]:
        """Entries for a key, its inflection bases and, for feature phrases, the named place."""
        if not key:
            return [], []
        keys = [key, *base_forms(key)]
        split = feature_split(key.split(), self.gazetteer.features())
        if split:
            place_key = " ".join(split[1])
            keys += [place_key, *base_forms(place_key)]
        found = self.gazetteer.lookup_many(keys)
        if key in found:
            keys = [key]
        entries, exact = [], []
        for candidate in keys:
            for entry in found.get(candidate, ()):
                entries.append(entry)
                exact.append(
                    candidate in (key, keys[0])
                    or (split is not None and candidate == " ".join(split[1]))
                )
        return entries, exact

    def _with_feature(self, places: list[Place], feature: str | None) -> list[Place]:
        """For a feature hint, the facility serving the best place that has one."""
        if feature != AIRPORT or not places or places[0].kind == AIRPORT:
            return places
        for place in places:
            entry = self.gazetteer.get(place.place_id)
            airports = self.gazetteer.airports_of(entry) if entry else []
            if airports:
                return [to_place(airports[0], score=place.score)]
        return []

    def reverse(
        self, query: Any, *, exactly_one: bool = True, timeout: Any = None
    ) -> Location | list[Location] | None:
        """The populated place nearest to ``(latitude, longitude)``."""
        latitude, longitude = _coordinates(query)
        entry = self.gazetteer.nearest(latitude, longitude)
        if entry is None:
            return None
        location = location_of(to_place(entry, score=1.0))
        return location if exactly_one else [location]


def _country_filter(country_codes: str | Sequence[str] | None) -> set[str] | None:
    if not country_codes:
        return None
    codes = [country_codes] if isinstance(country_codes, str) else country_codes
    return {c.upper() for c in codes}


def _coordinates(query: Any) -> tuple[float, float]:
    if isinstance(query, str):
        query = query.split(",")
    if hasattr(query, "latitude"):
        return float(query.latitude), float(query.longitude)
    latitude, longitude = (float(v) for v in query)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        msg = f"not a WGS 84 coordinate: {latitude}, {longitude}"
        raise ValueError(msg)
    return latitude, longitude


# -- online services -----------------------------------------------------------------------


class CachedGeocoder:
    """An online geopy service behind a rate limiter and an on-disk cache.

    Failed requests are never cached; after the limiter's retries the offline gazetteer
    answers instead, with a warning in the log.
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
    ) -> None:
        self.service = service
        self.geocoder = geocoder
        self.fallback = fallback
        self.cache_path = cache_path
        self._limited = RateLimiter(
            geocoder.geocode,
            min_delay_seconds=min_delay_seconds,
            max_retries=max_retries,
            error_wait_seconds=error_wait_seconds,
            swallow_exceptions=False,
        )
        self._lock = threading.Lock()

    def geocode(self, query: str, **options: Any) -> Location | list[Location] | None:
        """Geocode through the cache, the service, then the fallback."""
        offline_only = {"feature", "focus", "limit"}
        online = {k: v for k, v in options.items() if k not in offline_only and v is not None}
        key = hashlib.sha256(
            json.dumps([self.service, query, online], sort_keys=True, default=str).encode()
        ).hexdigest()
        cached = self._cache_get(key)
        if cached is not None:
            return _location_from_json(cached)
        try:
            answer = self._limited(query, **online)
        except GeopyError as exc:
            log.warning(
                "%s failed for %r (%s); answering from the offline gazetteer",
                self.service,
                query,
                exc,
            )
            return self.fallback.geocode(query, **options)
        self._cache_put(key, _location_to_json(answer))
        return answer

    def _cache_get(self, key: str) -> str | None:
        with self._lock, sqlite3.connect(self.cache_path) as db:
            db.execute("CREATE TABLE IF NOT EXISTS answer (key TEXT PRIMARY KEY, value TEXT)")
            row = db.execute("SELECT value FROM answer WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def _cache_put(self, key: str, value: str) -> None:
        with self._lock, sqlite3.connect(self.cache_path) as db:
            db.execute("INSERT OR REPLACE INTO answer VALUES (?, ?)", (key, value))


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
    fallback = OfflineGazetteer(index_path=options.pop("index_path", None))
    limits = {
        k: options.pop(k)
        for k in ("min_delay_seconds", "max_retries", "error_wait_seconds")
        if k in options
    }
    options.setdefault("user_agent", "geomap (https://pypi.org/project/geomap)")
    return CachedGeocoder(
        name,
        service(**options),
        cache_path=cache_dir / "online-geocoder-cache.sqlite",
        fallback=fallback,
        **limits,
    )


# -- mentions in context -------------------------------------------------------------------


def resolve_mentions(
    mentions: Sequence[Mention], *, geocoder: OfflineGazetteer | CachedGeocoder
) -> list[Mention]:
    """Each mention with its place, ranked with the article as context.

    A first pass finds the countries the article is about (named countries count twice,
    the countries of named towns once); the second ranks every name with them as focus.
    A name nothing fits keeps ``place=None`` and never hides the others.
    """
    if isinstance(geocoder, CachedGeocoder):
        return [_resolve_online(m, geocoder) for m in mentions]
    first = {(m.key, m.feature): geocoder.search(m.key, feature=m.feature) for m in mentions}
    weights: Counter[str] = Counter()
    for mention in mentions:
        places = first[(mention.key, mention.feature)]
        if places and places[0].country_code:
            weights[places[0].country_code] += 2 if places[0].kind == COUNTRY else 1
    focus = tuple(code for code, _ in weights.most_common(3))
    second: dict[tuple[str, str | None], Place | None] = {}
    for key, feature in first:
        places = geocoder.search(key, feature=feature, focus=focus)
        second[(key, feature)] = places[0] if places else None
    resolved = [replace(m, place=second[(m.key, m.feature)]) for m in mentions]
    for mention in resolved:
        if mention.place is None:
            log.info("no place found for %r at %d", mention.surface, mention.start)
    return resolved


def _resolve_online(mention: Mention, geocoder: CachedGeocoder) -> Mention:
    answer = geocoder.geocode(mention.surface, exactly_one=True)
    location = answer[0] if isinstance(answer, list) and answer else answer
    if not isinstance(location, Location):
        return mention
    return replace(mention, place=place_of(location, service=geocoder.service))
