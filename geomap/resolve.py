"""The resolve stage: the place each mention names, decided with the whole article.

A name alone is ranked by what the gazetteer knows of its places (kind, size, how the name
names it). The article then adds its evidence, in two passes:

1. every name is ranked alone, with the countries the article is most about as focus;
2. every name is ranked again with what pass 1 found elsewhere in the article: a qualifier
   written after it (*Gainesville, Ga.*, *London, Ontario*, a dateline), the regions and
   countries it names, and the towns placed with confidence (a namesake near them wins).
   A name means one place in one article: its first mention (with the same qualifier)
   decides for the others, which also keeps a name repeated thousands of times cheap.

Each choice keeps its score parts (:attr:`Mention.ranking`), so ``geomap parse --json``
can show why *Paris* became Paris, Tennessee.
"""

from __future__ import annotations

import bisect
import logging
import math
import operator
import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, replace

from geomap.gazetteer import (
    AIRPORT,
    CITY,
    COUNTRY,
    MACROREGION,
    REGION,
    Row,
    code_key,
    haversine_km,
    place_of_row,
)
from geomap.geocode import CachedGeocoder, OfflineGazetteer, resolve_online
from geomap.records import Mention, Place

log = logging.getLogger(__name__)

#: What each piece of evidence adds to a candidate's score (the prior of a town is the
#: log10 of its population, of a country 9: so +4 outweighs a town 10,000 times larger).
FOCUS_FIRST, FOCUS_OTHER = 3.0, 1.5
QUALIFIED_COUNTRY, QUALIFIED_REGION = 4.0, 4.0
NAMED_REGION = 2.0
NEAR_KM, NEAR = 150.0, 2.0
AROUND_KM, AROUND = 500.0, 1.0
PART_OF_NAME = -1.0  # a place named inside a longer name the gazetteer lacks: near it, or part
#: Words that say what kind of place a name is, in the languages geomap reads (folded).
TYPE_WORDS = frozenset(
    "county province region district prefecture state municipality city town valley "
    "governorate department territory kommune fylke lan kommun amt landkreis kreis bezirk "
    "oblast raion krai island islands bay lake river mount plateau peninsula desert "
    "область район край город провинция".split()
)
#: Words that name a part of a place (*North-Western Sydney*, *Øst-Finnmark*), folded.
PART_WORDS = frozenset(
    "north south east west northern southern eastern western central upper lower greater "
    "inner outer nord sor ost vest nordre sondre ostre vestre midt norra sodra ostra vastra "
    "nord sud est ouest nordlich sudlich ostlich westlich".split()
)
_CANDIDATES = 25  # namesakes per name weighed with the article; the rest never win
_Scored = tuple[tuple[float, Row], ...]
_KM_PER_DEGREE = 111.0  # along a meridian
ANCHOR_REACH = 12  # mentions either side whose towns anchor a name
_SURE = 0.8  # a town placed with at least this softmax score anchors its neighbours
_QUALIFIER_GAPS = frozenset({",", ", ", " , ", " ("})


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the article tells about where its places are."""

    focus: tuple[str, ...] = ()
    #: (country code, admin1) of the regions the article names.
    regions: frozenset[tuple[str, str]] = frozenset()
    #: Countries some of whose regions the article names (*Texas* … *Georgia*: the state).
    countries_with_regions: frozenset[str] = frozenset()
    #: Points of the towns placed with confidence, with the mention index that placed them.
    anchors: tuple[tuple[int, float, float], ...] = ()

    def near(self, index: int) -> tuple[tuple[int, float, float], ...]:
        """The anchors among the :data:`ANCHOR_REACH` mentions before and after ``index``:
        neighbours in the text, and a bounded number of them however long the article."""
        first = bisect.bisect_left(self.anchors, (index - ANCHOR_REACH,))
        last = bisect.bisect_right(self.anchors, (index + ANCHOR_REACH + 1,))
        return self.anchors[first:last]


def resolve_mentions(
    mentions: Sequence[Mention],
    *,
    geocoder: OfflineGazetteer | CachedGeocoder,
    text: str | None = None,
) -> list[Mention]:
    """Each mention with its place, ranked with the article as context.

    ``text`` is the article the mentions' spans point into; without it no qualifier is read.
    A name nothing fits keeps ``place=None`` and never hides the others.
    """
    if isinstance(geocoder, CachedGeocoder):
        return [resolve_online(m, geocoder) for m in mentions]
    gazetteer = geocoder.gazetteer
    names = _NAMES.get(geocoder)
    if names is None or len(names) > _NAMES_KEPT:
        names = _NAMES[geocoder] = {}
    candidates: list[_Scored] = []
    alone: dict[str, _Choice | None] = {}  # a name's best place alone is the same everywhere
    for mention in mentions:
        scored, unweighed = _alone(geocoder, mention, names)
        candidates.append(scored)
        if mention.key not in alone:
            alone[mention.key] = unweighed
    first = [alone[m.key] for m in mentions]
    evidence = _evidence(first)
    qualifiers = _qualifiers(mentions, first, text)
    resolved: list[Mention] = []
    decided: dict[tuple[str, str | None], _Choice | None] = {}
    placed: dict[tuple[str, str | None], Place] = {}  # the place of each sense, made once
    for index, mention in enumerate(mentions):
        if mention.feature is not None:  # airports and other facilities: ranked by the geocoder
            best = geocoder._best([(mention.key, mention.feature)], focus=evidence.focus)
            chosen = best[(mention.key, mention.feature)]
            parts: tuple[tuple[str, float], ...] = ()
            if chosen is not None:
                chosen = replace(chosen, region=gazetteer.region_of(chosen))
                parts = (("facility of the named place", chosen.score),)
            resolved.append(_with_place(mention, chosen, parts))
            continue
        qualifier = qualifiers.get(index)
        sense = (mention.key, qualifier.place_id if qualifier else None)
        if sense not in decided:  # one sense per article: its first mention decides
            decided[sense] = _best(candidates[index], evidence, qualifier, index)
        choice = decided[sense]
        if choice is None:
            log.info("no place found for %r at %d", mention.surface, mention.start)
            resolved.append(mention)
            continue
        _, row, parts, probability = choice
        place = placed.get(sense)
        if place is None:
            region = row.name if row.kind == REGION else gazetteer.region_name(row.cc, row.admin1)
            place = placed[sense] = place_of_row(row, score=probability, region=region)
        resolved.append(_with_place(mention, place, parts))
    return resolved


def _with_place(
    mention: Mention, place: Place | None, ranking: tuple[tuple[str, float], ...]
) -> Mention:
    """``mention`` with its place (not :func:`dataclasses.replace`: this runs per mention)."""
    m = mention
    return Mention(m.article_id, m.start, m.end, m.surface, m.key, m.feature, place, ranking)


def _alone(
    geocoder: OfflineGazetteer, mention: Mention, names: dict[str, tuple[_Scored, _Choice | None]]
) -> tuple[_Scored, _Choice | None]:
    """The mention's candidates (:func:`_candidates`) and the best of them without context,
    remembered in ``names`` per name: both depend on the name alone (none for a facility)."""
    if mention.feature is not None:
        return (), None
    known = names.get(mention.key)
    if known is None:
        scored = _candidates(geocoder, mention)
        known = names[mention.key] = (scored, _best(scored, Evidence(), None, -1))
    return known


def _candidates(geocoder: OfflineGazetteer, mention: Mention) -> _Scored:
    """The mention's places with their scores before context (rounded to three places, the
    ``name`` part of a ranking), best first, at most :data:`_CANDIDATES`."""
    if mention.feature is not None:
        return ()
    if _CODE.fullmatch(mention.surface):  # EU written so is no Eu in Normandy: a code only
        scored = geocoder.scored(code_key(mention.surface))
    else:
        scored = geocoder.scored(mention.key)
        code = _genitive_code(mention.surface)
        if not scored and code is not None:  # USAs, FNs: a code in the genitive
            scored = geocoder.scored(code)
        for part in () if scored else _parts(mention.key):  # Dallas County: near Dallas
            scored = tuple((own + PART_OF_NAME, row) for own, row in geocoder.scored(part))
            if scored:
                break
    return tuple((round(own, 3), row) for own, row in scored[:_CANDIDATES])


def _genitive_code(surface: str) -> str | None:
    """The index key of a code written in the genitive (*USAs*, *FNs* in the Scandinavian
    languages, *U.S.'s*), or ``None``: the code's letters in capitals before an *s*."""
    match = _GENITIVE_CODE.fullmatch(surface)
    return code_key(match[1]) if match else None


#: A word of two or three capitals: a code (*EU*, *UK*, *NY*), never a name folded.
_CODE = re.compile(r"[A-Z]{2,3}")
#: Two to five capitals (dots between them allowed), then the genitive *s*.
_GENITIVE_CODE = re.compile(r"((?:[A-Z]\.?){2,5})(?:['’]?s)")


def _parts(key: str) -> list[str]:
    """Shorter names inside a name of several words the gazetteer lacks: the name without
    its type words (*dallas county* → *dallas*, *swat valley* → *swat*), or without the
    words that say which part of a place it is (*north-western sydney* → *sydney*)."""
    words = key.replace("-", " ").split()
    bare = [w for w in words if w not in TYPE_WORDS and w not in PART_WORDS]
    if not bare or len(bare) == len(words):
        return []
    return [" ".join(bare)]


_Choice = tuple[float, Row, tuple[tuple[str, float], ...], float]
#: Per geocoder, what :func:`_alone` found for each name (its index never changes while
#: open), up to :data:`_NAMES_KEPT` names, then forgotten all at once.
_NAMES: weakref.WeakKeyDictionary[OfflineGazetteer, dict[str, tuple[_Scored, _Choice | None]]] = (
    weakref.WeakKeyDictionary()
)
_NAMES_KEPT = 1 << 16


def _best(
    scored: Sequence[tuple[float, Row]],
    evidence: Evidence,
    qualifier: Row | None,
    index: int,
) -> _Choice | None:
    """The best candidate with the evidence added: (score, row, score parts, softmax).

    ``scored`` are :func:`_candidates`: each name score is already the ``name`` part."""
    if not scored:
        return None
    ranked: list[tuple[float, Row, tuple[tuple[str, float], ...]]] = []
    # each anchor point near the mention once: a name repeated in a row is one anchor
    near = evidence.near(index) if evidence.anchors else ()
    anchors = {(lat, lon) for other, lat, lon in near if other != index}
    # no evidence and no qualifier add nothing to any candidate: the name's score alone
    bare = qualifier is None and not (
        evidence.focus or evidence.regions or evidence.countries_with_regions or anchors
    )
    for name, row in scored:
        context = () if bare else _context_parts(row, evidence, qualifier, anchors)
        if context:
            parts = (("name", name), *context)
            ranked.append((sum(value for _, value in parts), row, parts))
        else:
            ranked.append((0 + name, row, (("name", name),)))  # as sum() adds: 0 + -0.0 is 0.0
    if len(ranked) == 1:
        return (*ranked[0], 1.0)  # the softmax of one score
    ranked.sort(key=lambda item: (-item[0], item[1].place_id))
    top = ranked[0][0]
    total = sum(math.exp(max(value - top, -50.0)) for value, _, _ in ranked)
    return (*ranked[0], round(1.0 / total, 4))


def _context_parts(
    row: Row, evidence: Evidence, qualifier: Row | None, anchors: set[tuple[float, float]]
) -> list[tuple[str, float]]:
    """The score parts the article adds to the place of ``row``; ``anchors`` are the points
    of the towns that anchor the mention (:meth:`Evidence.near`, not its own)."""
    found: list[tuple[str, float]] = []
    country = row.cc
    if country and evidence.focus and country in evidence.focus:
        found.append(("focus", FOCUS_FIRST if country == evidence.focus[0] else FOCUS_OTHER))
    if (
        qualifier is not None
        and row.place_id != qualifier.place_id
        and country
        and country == qualifier.cc
    ):
        found.append(("qualifier country", QUALIFIED_COUNTRY))
        if qualifier.kind == REGION and row.admin1 == qualifier.admin1:
            found.append(("qualifier region", QUALIFIED_REGION))
    kind = row.kind
    if kind == CITY and (country, row.admin1) in evidence.regions:
        found.append(("in a named region", NAMED_REGION))
    elif kind == REGION and country in evidence.countries_with_regions:
        found.append(("beside named regions", NAMED_REGION))
    if kind == CITY and anchors:
        reach = AROUND_KM / _KM_PER_DEGREE  # degrees of latitude: farther is never near
        distances = [
            haversine_km(row.lat, row.lon, lat, lon)
            for lat, lon in anchors
            if abs(lat - row.lat) <= reach
        ]
        nearest = min(distances, default=None)
        if nearest is not None and nearest <= NEAR_KM:
            found.append(("near a named town", NEAR))
        elif nearest is not None and nearest <= AROUND_KM:
            found.append(("around a named town", AROUND))
    return found


def _evidence(first: Sequence[_Choice | None]) -> Evidence:
    """Focus countries, named regions and anchor towns from the first pass."""
    weights: dict[str, int] = {}
    regions: set[tuple[str, str]] = set()
    anchors: list[tuple[int, float, float]] = []
    for index, choice in enumerate(first):
        if choice is None or not choice[1].cc:
            continue
        _, row, _, probability = choice
        country = row.cc or ""
        weights[country] = weights.get(country, 0) + (2 if row.kind == COUNTRY else 1)
        if row.kind == REGION and row.admin1:
            regions.add((country, row.admin1))
        if row.kind == CITY and probability >= _SURE:
            anchors.append((index, row.lat, row.lon))
    return Evidence(
        focus=tuple(code for code, _ in _most_common(weights, 3)),
        regions=frozenset(regions),
        countries_with_regions=frozenset(cc for cc, _ in regions),
        anchors=tuple(anchors),
    )


def _most_common(counts: dict[str, int], n: int) -> list[tuple[str, int]]:
    """The ``n`` largest counts, the first counted first among equals (as
    :meth:`collections.Counter.most_common`, without building a counter per article)."""
    return sorted(counts.items(), key=operator.itemgetter(1), reverse=True)[:n]


def _qualifiers(
    mentions: Sequence[Mention], first: Sequence[_Choice | None], text: str | None
) -> dict[int, Row]:
    """Mention index → the region or country written right after it (*Austin, Texas*).

    A name qualified so at one mention, and with no other qualifier anywhere, has it at its
    other mentions too: *Santa Ana, California* … *Santa Ana* is the Californian town
    throughout (one name, one place per article).
    """
    found: dict[int, Row] = {}
    if text is None:
        return found
    for index in range(len(mentions) - 1):
        choice = first[index + 1]
        if choice is None or choice[1].kind not in _QUALIFIER_KINDS:
            continue  # only a region or country qualifies: most names need no look between
        here, after = mentions[index], mentions[index + 1]
        if text[here.end : after.start] in _QUALIFIER_GAPS and here.feature != AIRPORT:
            found[index] = choice[1]
    by_name: dict[str, set[str]] = {}
    for index, row in found.items():
        by_name.setdefault(mentions[index].key, set()).add(row.place_id)
    only = {
        mentions[index].key: row
        for index, row in found.items()
        if len(by_name[mentions[index].key]) == 1
    }
    for index, mention in enumerate(mentions):
        if index not in found and mention.key in only:
            found[index] = only[mention.key]
    return found


_QUALIFIER_KINDS = frozenset({REGION, COUNTRY, MACROREGION})
