"""The offline gazetteer as a geopy geocoder, and how it ranks a name's places.

:class:`OfflineGazetteer` is a real :class:`geopy.geocoders.base.Geocoder`, so it works
unchanged in ``geopandas.tools.geocode(names, provider=OfflineGazetteer)`` and inside geopy's
``RateLimiter``.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from geopy.adapters import BaseSyncAdapter
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from geomap.errors import UsageError
from geomap.gazetteer import (
    AIRPORT,
    ANY_LANGUAGE,
    CITY,
    CODE,
    COUNTRY,
    CURATED,
    DEMONYM,
    DISTRICT,
    MACROREGION,
    PRIMARY,
    REGION,
    Entry,
    FeaturePhrases,
    Gazetteer,
    Named,
    Row,
    code_key,
    default_index_path,
    entry_of_row,
    place_of_row,
    row_of,
)
from geomap.records import Place
from geomap.textnorm import base_forms, fold

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500
_KIND_PRIOR = {COUNTRY: 9.0, MACROREGION: 8.5, REGION: 5.5, AIRPORT: 4.0}
#: A county or kommune sums its towns' people but is often named for one of them: where a
#: town of its country has the name, the town comes first (Bergen, Norway over the kommune
#: and Bergen County, New Jersey) unless named as the unit. A unit no town of its country
#: is named after (Devon, Surrey) weighs its people.
_UNIT_PENALTY = {DISTRICT: 2.0}
_CODE_BONUS = 2.0  # a code written in capitals (USA, NSW) is chosen on purpose
#: A country named by neither its own nor a curated name nor its name in a language weighs
#: this much less, or as a place of its size if more: an alternate spelling is no claim.
_BY_OTHER_NAME = 3.0
_OWN_NAME = PRIMARY | CURATED | CODE | ANY_LANGUAGE
#: What a place named by neither its own nor a curated name nor its name in a language loses
#: where the name is another place's own (or spelled as its own).
_OTHER_NAME = 1.0
#: What a place named by another name gains when its own name is spelled alike, and the
#: letters compared (see :func:`_by_place`).
_ALIKE, _ALIKE_LETTERS = 0.5, 4


@dataclass(frozen=True, slots=True)
class Context:
    """What an article tells about where its places are likely to be.

    ``focus`` holds country codes the article is about (most mentioned first);
    ``qualifiers`` holds entries that a query names after a comma (*Paris, Texas*).
    """

    focus: tuple[str, ...] = ()
    qualifiers: tuple[tuple[Entry, ...], ...] = ()


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
    return Location(place.name, Point(place.latitude, place.longitude), raw)


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
    return _score(entry.flags, row_of(entry), exact=exact, feature=feature, context=context)


def _score(flags: int, row: Row, *, exact: bool, feature: str | None, context: Context) -> float:
    return _in_context(_own_score(flags, row, exact=exact, feature=feature), row, context)


def _own_score(
    flags: int, row: Row, *, exact: bool, feature: str | None, town_namesake: bool = True
) -> float:
    """The score of a candidate before context: kind and size prior, name quality, feature.

    ``town_namesake``: whether a town of the place's country has the name (see
    :data:`_UNIT_PENALTY`).
    """
    kind = row.kind
    size = math.log10(row.population + 1)
    prior = _KIND_PRIOR.get(kind)
    if prior is not None and kind == COUNTRY and not flags & _OWN_NAME:
        prior = max(prior - _BY_OTHER_NAME, size)  # Norfolk: a territory of 2,000 people
    score = prior or size - (_UNIT_PENALTY.get(kind, 0) if town_namesake else 0)
    if flags & PRIMARY:
        score += 1.0
    if flags & CURATED:
        score += 1.0
    if flags & CODE:
        score += _CODE_BONUS
    if not exact:
        score -= 1.0
    if feature and kind == feature:
        score += 10.0
    return score


def _in_context(score: float, row: Row, context: Context) -> float:
    """``score`` with what the context adds for the place of ``row``: focus, qualifiers."""
    country_code = row.cc
    if country_code in context.focus:
        score += 3.0 if country_code == context.focus[0] else 1.5
    for namesakes in context.qualifiers:  # each qualifier counts once, by its best reading
        score += max((_qualified(row, entry.place) for entry in namesakes), default=0.0)
    return score


def _qualified(row: Row, qualifier: Place) -> float:
    """What a qualifier adds to the place of ``row``: its country, and its region."""
    if row.cc != qualifier.country_code or row.place_id == qualifier.place_id:
        return 0.0
    if qualifier.kind == REGION and row.admin1 == qualifier.admin1:
        return 8.0
    return 4.0


def rank(
    candidates: Iterable[tuple[Entry, bool]],
    *,
    feature: str | None = None,
    context: Context = Context(),
) -> list[Place]:
    """Order candidates (entry, exact-name match) best first, with softmax scores."""
    rows = ((entry.flags, row_of(entry), exact) for entry, exact in candidates)
    return _places(_ranked(rows, feature=feature, context=context))


#: A candidate as ranking sees it: name flags, place row, exact-name match.
Candidate = tuple[int, Row, bool]


def _ranked(
    candidates: Iterable[Candidate], *, feature: str | None, context: Context
) -> list[tuple[float, Row]]:
    """(score, row) for each place once, at its best score, best first."""
    return _ordered(_by_place(candidates, feature=feature), context)


def _by_place(
    candidates: Iterable[Candidate], *, feature: str | None, key: str | None = None
) -> list[tuple[float, Row]]:
    """(score before context, row) for each place once, at its best score, as first met.

    What the context adds depends on the place alone, so the best candidate of a place is
    the same before and after it: the context can be added later, once per place.

    With the folded name ``key`` asked for, a place named so by another name whose own name
    is spelled alike (the same first letters) gains half what an own name gains: GeoNames
    lists *Sloviansk* among the names of *Slovyansk* and of *Nikopol* (once *Slavyansk*).
    """
    best: dict[int, tuple[float, Row]] = {}
    candidates = list(candidates)
    # a people's word (Kazakh) is no other name of a town either, only a town's own name
    demonym = any(flags & DEMONYM for flags, _, exact in candidates if exact)
    towns = {row.cc for _, row, exact in candidates if exact and row.kind == CITY}
    # a name that is a place's own (or spelled as its own: Sloviansk, Slovyansk) weighs less
    # as a mere other name of another place: Franklin is the town in Tennessee, not Columbus,
    # Ohio, one of whose former names it was; Sloviansk not Nikopol, once Slavyansk
    alike = {row.rowid for flags, row, _ in candidates if _spelled_alike(key, row.name)}
    owned = any(
        (flags & PRIMARY or row.rowid in alike) and not (row.kind == DISTRICT and row.cc in towns)
        for flags, row, exact in candidates
        if exact
    )  # a kommune named for its town owns no name: København is still Copenhagen's
    for flags, row, exact in candidates:
        if flags & DEMONYM:
            continue  # Russian, Kazakhstani: never a place on the map
        if demonym and not flags & (PRIMARY | CURATED):
            continue
        value = _own_score(flags, row, exact=exact, feature=feature, town_namesake=row.cc in towns)
        if row.rowid in alike and not flags & PRIMARY:
            value += _ALIKE
        elif owned and exact and not flags & _OWN_NAME:
            value -= _OTHER_NAME
        rowid = row.rowid
        if rowid not in best or value > best[rowid][0]:
            best[rowid] = (value, row)
    return list(best.values())


def _spelled_alike(key: str | None, name: str) -> bool:
    """Whether a place's own ``name`` starts as the folded ``key`` does (its first
    :data:`_ALIKE_LETTERS` letters): another spelling of it, not another place's name."""
    if key is None or len(key) < _ALIKE_LETTERS:
        return False
    return fold(name)[:_ALIKE_LETTERS] == key[:_ALIKE_LETTERS]


def _ordered(scored: Iterable[tuple[float, Row]], context: Context) -> list[tuple[float, Row]]:
    """Places scored before context, with the context added, best first."""
    if context.focus or context.qualifiers:
        scored = [(_in_context(value, row, context), row) for value, row in scored]
    return sorted(scored, key=lambda item: (-item[0], item[1].place_id))


def _places(ranked: list[tuple[float, Row]], limit: int | None = None) -> list[Place]:
    """The first ``limit`` (default all) ranked places, scored by a softmax over all of them."""
    return [
        place_of_row(row, score=score)
        for score, (_, row) in zip(_softmax(ranked, limit), ranked[:limit], strict=True)
    ]


def _softmax(ranked: list[tuple[float, Row]], limit: int | None = None) -> list[float]:
    """The scores of the first ``limit`` (default all) ranked places, a softmax over all."""
    if not ranked:
        return []
    top = ranked[0][0]
    weights = [math.exp(value - top) for value, _ in ranked]
    total = sum(weights)
    return [round(weight / total, 4) for weight in weights[:limit]]


@dataclass(frozen=True, slots=True)
class QueryKeys:
    """The keys one name is looked up by, each marked exact (the name itself) or not.

    ``forms`` lists the folded name, then the forms it may be inflected from; for a feature
    phrase (*flyplassen i Almaty*) then the place words and their forms, with ``feature``
    the facility the phrase points to.
    """

    key: str
    forms: tuple[tuple[str, bool], ...]
    feature: str | None = None

    @classmethod
    def of(cls, key: str, phrases: FeaturePhrases, *, code: str | None = None) -> QueryKeys:
        """The keys of the folded name ``key``, and of ``code`` when the name was written as
        one (in capitals or with dots: *USA*, *U.S.*)."""
        forms = {key: True}
        if code is not None:
            forms[code] = True
        for base in base_forms(key):
            forms.setdefault(base, False)
        split = phrases.split(key.split())
        if split is None:
            return cls(key, tuple(forms.items()))
        place_key = " ".join(split[1])
        forms[place_key] = True
        for base in base_forms(place_key):
            forms.setdefault(base, False)
        return cls(key, tuple(forms.items()), split[0])

    def candidates(self, found: dict[str, Named]) -> list[Candidate]:
        """Every (flags, row, exact) the forms name, in the order of the forms."""
        return [
            (flags, row, exact) for form, exact in self.forms for flags, row in found.get(form, ())
        ]

    def context_entries(self, found: dict[str, Named]) -> list[Entry]:
        """The entries a qualifier names: exact ones, else those of its inflection bases."""
        candidates = self.candidates(found)
        chosen = [c for c in candidates if c[2]] or candidates
        return [entry_of_row(row, flags) for flags, row, _ in chosen]


@dataclass(frozen=True, slots=True)
class _Query:
    """A query read: the keys of its name and of the qualifiers after its commas."""

    name: QueryKeys
    qualifiers: tuple[QueryKeys, ...]


_CACHED_QUERIES = 1 << 16  # queries whose keys an OfflineGazetteer remembers


class _Offline(BaseSyncAdapter):  # type: ignore[misc]
    """The HTTP adapter of a geocoder that never goes online. geopy's default one builds an
    SSL context with the system's certificates (20 ms, a fifth of a short parse's own work)."""

    def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
        msg = f"the offline gazetteer makes no requests (asked for {url})"
        raise UsageError(msg)

    def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
        return self.get_text(url, timeout=timeout, headers=headers)


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
        geopy_options.setdefault("adapter_factory", _Offline)
        super().__init__(**geopy_options)
        self._gazetteer = gazetteer
        self._index_path = index_path
        self._queries: dict[str, _Query | None] = {}
        self._scores: dict[tuple[str, str | None], tuple[tuple[float, Row], ...]] = {}
        self._ranked: dict[str, tuple[tuple[float, Row], ...]] = {}
        self._unfocused: dict[tuple[str, str | None], Place | None] = {}

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
        places = self._search(
            query,
            country_codes=country_codes,
            feature=feature,
            focus=focus,
            limit=1 if exactly_one else limit or None,
        )
        if not places:
            return None
        if exactly_one:
            return location_of(places[0])
        return [location_of(place) for place in places]

    def search(
        self,
        query: str,
        *,
        country_codes: str | Sequence[str] | None = None,
        feature: str | None = None,
        focus: Sequence[str] = (),
    ) -> list[Place]:
        """Ranked places for ``query``, best first (the core of :meth:`geocode`).

        Scores add up to 1 over the places returned, also after a country filter.
        """
        return self._search(query, country_codes=country_codes, feature=feature, focus=focus)

    def _search(
        self,
        query: str,
        *,
        country_codes: str | Sequence[str] | None,
        feature: str | None,
        focus: Sequence[str],
        limit: int | None = None,
    ) -> list[Place]:
        """:meth:`search`, building only the first ``limit`` places (all scored)."""
        if not isinstance(query, str) or len(query) > MAX_QUERY_CHARS:
            return []
        read = self._query(query)
        if read is None:
            return []
        feature = feature or read.name.feature
        scored = self._scored(query, read, feature)
        wanted = _country_filter(country_codes)
        if wanted is not None:
            scored = tuple(s for s in scored if s[1].cc in wanted)
        ranked = _ordered(scored, self._context(read, focus))
        if feature == AIRPORT and ranked and ranked[0][1].kind != AIRPORT:
            places = self._airport_of_best(ranked)
        else:
            places = _places(ranked, limit)
        if wanted is not None and any(p.country_code not in wanted for p in places):
            places = _renormalised([p for p in places if p.country_code in wanted])
        return places

    def _context(self, read: _Query, focus: Sequence[str]) -> Context:
        """The focus, and the places the query's qualifiers name."""
        qualifiers: tuple[tuple[Entry, ...], ...] = ()
        if read.qualifiers:
            found = self.gazetteer.lookup_rows(
                form for keys in read.qualifiers for form, _ in keys.forms
            )
            qualifiers = tuple(tuple(keys.context_entries(found)) for keys in read.qualifiers)
        return Context(focus=tuple(c.upper() for c in focus), qualifiers=qualifiers)

    def _scored(
        self, query: str, read: _Query, feature: str | None
    ) -> tuple[tuple[float, Row], ...]:
        """The places the query's name may mean, scored before context (see :func:`_by_place`),
        remembered: the index never changes while open."""
        try:
            return self._scores[(query, feature)]
        except KeyError:
            pass
        found = self.gazetteer.lookup_rows(form for form, _ in read.name.forms)
        scored = tuple(_by_place(read.name.candidates(found), feature=feature, key=read.name.key))
        if len(self._scores) >= _CACHED_QUERIES:
            self._scores.clear()
        self._scores[(query, feature)] = scored
        return scored

    def _query(self, query: str) -> _Query | None:
        """The keys of ``query`` (``None`` when its name has none), remembered."""
        try:
            return self._queries[query]
        except KeyError:
            pass
        head, *rest = query.split(",")
        phrases = self.gazetteer.feature_phrases()
        if head.startswith("="):  # a code key, as recognition makes them: nothing else
            name = QueryKeys(head, ((head, True),))
        else:
            name = QueryKeys.of(fold(head), phrases, code=_code_of(head))
        read = None
        if name.key:
            qualifiers = tuple(
                QueryKeys.of(fold(part), phrases, code=_code_of(part))
                for part in rest
                if fold(part)
            )
            read = _Query(name, qualifiers)
        if len(self._queries) >= _CACHED_QUERIES:
            self._queries.clear()
        self._queries[query] = read
        return read

    def _best(
        self, queries: Sequence[tuple[str, str | None]], *, focus: Sequence[str]
    ) -> dict[tuple[str, str | None], Place | None]:
        """The best place of each (name, feature), as :meth:`search` ranks it.

        Without focus the answer is remembered; it stays the answer with a focus on countries
        none of the name's places is in, since the focus then adds nothing to any score.
        """
        focus = tuple(c.upper() for c in focus)
        best: dict[tuple[str, str | None], Place | None] = {}
        for query in queries:
            if focus and self._focus_matters(*query, focus):
                places = self._search(
                    query[0], country_codes=None, feature=query[1], focus=focus, limit=1
                )
                best[query] = places[0] if places else None
                continue
            try:
                best[query] = self._unfocused[query]
            except KeyError:
                places = self._search(
                    query[0], country_codes=None, feature=query[1], focus=(), limit=1
                )
                if len(self._unfocused) >= _CACHED_QUERIES:
                    self._unfocused.clear()
                best[query] = self._unfocused[query] = places[0] if places else None
        return best

    def scored(self, key: str) -> tuple[tuple[float, Row], ...]:
        """The places a folded name (or ``=CODE`` key) may mean, with their scores before
        context, best first (what :mod:`geomap.resolve` weighs with the article);
        remembered, as :meth:`_scored` is: a name recurs in article after article."""
        try:
            return self._ranked[key]
        except KeyError:
            pass
        read = self._query(key) if len(key) <= MAX_QUERY_CHARS else None
        ranked = () if read is None else tuple(_ordered(self._scored(key, read, None), Context()))
        if len(self._ranked) >= _CACHED_QUERIES:
            self._ranked.clear()
        self._ranked[key] = ranked
        return ranked

    def _focus_matters(self, name: str, feature: str | None, focus: tuple[str, ...]) -> bool:
        """Whether a place the name may mean is in one of the ``focus`` countries."""
        read = self._query(name) if len(name) <= MAX_QUERY_CHARS else None
        if read is None:
            return False
        scored = self._scored(name, read, feature or read.name.feature)
        return any(row.cc in focus for _, row in scored)

    def _airport_of_best(self, ranked: list[tuple[float, Row]]) -> list[Place]:
        """The main airport serving the best-ranked place that has one, with that place's score."""
        served = self.gazetteer.airports_serving(row.rowid for _, row in ranked)
        if not served:
            return []
        for score, (_, row) in zip(_softmax(ranked), ranked, strict=True):
            if row.rowid in served:
                return [to_place(served[row.rowid][0], score=score)]
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


def _code_of(name: str) -> str | None:
    """The code key of a name written as a code (*USA*, *U.S.*, *Ga.*), else ``None``."""
    if name.startswith("="):
        return name  # already a code key (a mention's)
    letters = name.strip().replace(".", "")
    written_as_code = letters.isupper() or name.strip().endswith(".")
    if 1 < len(letters) <= 6 and letters.isascii() and letters.isalpha() and written_as_code:
        return code_key(name)
    return None


def _renormalised(places: list[Place]) -> list[Place]:
    """The places with their scores scaled to add up to 1 again."""
    total = sum(p.score for p in places)
    if total <= 0:
        return places
    return [replace(p, score=round(p.score / total, 4)) for p in places]


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
    try:
        latitude, longitude = (float(v) for v in query)
    except (TypeError, ValueError):
        msg = f"not a point: {query!r:.100}; pass (latitude, longitude) or 'latitude, longitude'"
        raise UsageError(msg) from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        msg = (
            f"not a WGS 84 coordinate: {latitude}, {longitude}; "
            "latitude must be within ±90 and longitude within ±180"
        )
        raise UsageError(msg)
    return latitude, longitude
