"""Events and flows of an article, from its sentences and its geocoded mentions.

Per sentence: counts grouped by what they report (violence, arrests, property, deployment,
crowd), facility control (an airport occupied, retaken, reopened), the actors named, the date.
Each event is placed where the sentence says it happened; a sentence that names no place
inherits the article's focus place, with a lower confidence.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import operator
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from geomap.extract import lexicon
from geomap.extract.actors import actor_words
from geomap.extract.counts import Count, find_counts
from geomap.extract.text import Sentence, Token
from geomap.records import DAY, MONTH, Article, EventFact, Flow, Mention, Place
from geomap.textnorm import fold

_GROUPS: dict[str, tuple[str, ...]] = {
    "violence": ("fatalities", "injured"),
    "arrests": ("arrested",),
    "property": ("buildings_damaged", "vehicles_damaged"),
    "deployment": ("troops", "military_vehicles"),
    "crowd": ("crowd_size",),
}
_ORGANISATION_KEYS = frozenset(
    key for name in lexicon.ORGANISATIONS for key in (fold(name), fold(name) + "s")
)
_DATE_WORDS = frozenset(lexicon.MONTHS) | frozenset(lexicon.WEEKDAYS)
_CONTROL_KEYS = frozenset(lexicon.CONTROL_WORDS) | lexicon.BACK_WORDS | lexicon.FLIGHT_WORDS
_GEO_PRECISION = {"airport": 1, "city": 1, "region": 3, "country": 3}
#: (event_type, sub_event_type, layer) of the groups whose kind does not depend on the article.
_GROUP_KINDS = {
    "arrests": ("Strategic developments", "Arrests", "incidents"),
    "property": ("Strategic developments", "Looting/property destruction", "incidents"),
    "crowd": ("Protests", "Peaceful protest", "incidents"),
}


def extract_events(
    article: Article, sentences: Sequence[Sentence], mentions: Sequence[Mention]
) -> tuple[list[EventFact], list[Flow]]:
    """The events and flows the article reports."""
    placed = [m for m in mentions if m.place is not None]
    focus = _focus(placed)
    unrest = _unrest_type(sentences)
    members: dict[str, list[Place]] = {}
    events: list[EventFact] = []
    last_named: str | None = None  # the organisation named last, for *the alliance*
    deploying: str | None = None  # the organisation last said to send forces
    previous: list[Mention] = []
    previous_orgs: list[str] = []
    position = 0
    words = lexicon.number_words(article.language)
    for sentence in sentences:
        here, position = _mentions_in(placed, sentence, position)
        named = _organisations(sentence)
        orgs = named or _referred_organisation(sentence, last_named)
        if orgs and sum(m.place.kind == "country" for m in here if m.place) >= 3:
            members.setdefault(orgs[0], _enumeration(here))
        if orgs and not sentence.keys.isdisjoint(lexicon.DEPLOY_VERBS):
            deploying = orgs[0]
        if _may_report(sentence, words):
            date, precision = _date(sentence, article)
            context = _Context(
                article=article,
                sentence=sentence,
                here=here,
                focus=focus,
                date=date,
                precision=precision,
                unrest=unrest,
                orgs=orgs,
                deploying=deploying,
                previous=previous,
                previous_orgs=previous_orgs,
                evidence=article.text[sentence.start : sentence.end],
            )
            events += _count_events(context, language=article.language)
            events += _control_events(context)
        last_named = named[-1] if named else last_named
        previous, previous_orgs = here, orgs
    events = _merge_deployments(_dedupe(events))
    return events, _flows(events, members)


def _may_report(sentence: Sentence, words: dict[str, int]) -> bool:
    """Whether a sentence may give an event: it has a number or a word of control."""
    keys = sentence.keys
    return sentence.has_number or not (keys.isdisjoint(words) and keys.isdisjoint(_CONTROL_KEYS))


@dataclass(frozen=True, slots=True)
class _Context:
    """What one sentence's events are read with."""

    article: Article
    sentence: Sentence
    here: list[Mention]  # the sentence's placed mentions
    focus: Place | None
    date: dt.date | None
    precision: int
    unrest: tuple[str, str]
    orgs: list[str]  # organisations named or referred to in the sentence
    deploying: str | None  # the organisation last said to send forces
    previous: list[Mention]  # the previous sentence's placed mentions
    previous_orgs: list[str]
    evidence: str  # the sentence's text, one string shared by all its events


def _mentions_in(
    placed: Sequence[Mention], sentence: Sentence, position: int
) -> tuple[list[Mention], int]:
    """The mentions inside the sentence, scanning the sorted mentions from ``position``."""
    while position < len(placed) and placed[position].start < sentence.start:
        position += 1
    here = []
    end = position
    while end < len(placed) and placed[end].start < sentence.end:
        here.append(placed[end])
        end += 1
    return here, end


def _focus(placed: Sequence[Mention]) -> Place | None:
    """The place the article is about: its most named country, else its most named place."""
    countries = Counter(m.place.place_id for m in placed if m.place and m.place.kind == "country")
    common = countries.most_common(1) or Counter(
        m.place.place_id for m in placed if m.place
    ).most_common(1)
    if not common:
        return None
    return next(m.place for m in placed if m.place and m.place.place_id == common[0][0])


def _unrest_type(sentences: Sequence[Sentence]) -> tuple[str, str]:
    keys = frozenset[str]().union(*(s.keys for s in sentences))
    if keys & lexicon.RIOT_WORDS:
        return "Riots", "Violent demonstration"
    if keys & lexicon.PROTEST_WORDS:
        return "Protests", "Protest with intervention"
    return "Violence against civilians", "Attack"


def _organisations(sentence: Sentence) -> list[str]:
    """The organisations a sentence names (*CSTO*, *ОДКБ*, *CSTOs*), in order, once each."""
    if sentence.keys.isdisjoint(_ORGANISATION_KEYS):
        return []
    found = []
    for token in sentence.tokens:
        surface = token.surface
        name = lexicon.ORGANISATIONS.get(surface)
        if name is None and surface.endswith("s") and surface[:-1].isupper():
            name = lexicon.ORGANISATIONS.get(surface[:-1])  # a genitive: CSTOs
        if name and name not in found:
            found.append(name)
    return found


def _referred_organisation(sentence: Sentence, last_named: str | None) -> list[str]:
    """*The alliance*, *alliansen*, *блок*: the organisation named last, if any."""
    if last_named and not sentence.keys.isdisjoint(lexicon.ALLIANCE_WORDS):
        return [last_named]
    return []


def _enumeration(here: Sequence[Mention]) -> list[Place]:
    """The countries a sentence lists, in order, once each."""
    seen: dict[str, Place] = {}
    for mention in here:
        if mention.place and mention.place.kind == "country":
            seen.setdefault(mention.place.place_id, mention.place)
    return list(seen.values())


def _date(sentence: Sentence, article: Article) -> tuple[dt.date | None, int]:
    """A weekday or a day-and-month in the sentence, resolved against publication."""
    published = article.published
    tokens = sentence.tokens if not sentence.keys.isdisjoint(_DATE_WORDS) else ()
    for index, token in enumerate(tokens):
        month = lexicon.MONTHS.get(token.key)
        if month and index and tokens[index - 1].is_number and published:
            surface = tokens[index - 1].surface
            day = int(surface) if surface.isdecimal() and len(surface) <= 2 else 0
            if 1 <= day <= 31:
                try:
                    return dt.date(published.date.year, month, day), DAY
                except ValueError:
                    pass
        weekday = lexicon.WEEKDAYS.get(token.key)
        if weekday is not None and published and published.precision == DAY:
            back = (published.date.weekday() - weekday) % 7
            if published.date.toordinal() > back:  # not before the calendar's first day
                return published.date - dt.timedelta(days=back), DAY
    if published is None:
        return None, MONTH
    if published.precision == DAY:
        return published.date, DAY
    return published.date.replace(day=1), MONTH


def _actors(context: _Context) -> list[str]:
    found: list[str] = []
    for _, actor in actor_words(context.sentence.tokens):
        if actor not in found:
            found.append(actor)
    return found


def _where(context: _Context, *, prefer: str | None = None) -> tuple[Place | None, int, float]:
    """The place of an event in this sentence: (place, geo_precision, confidence)."""
    here = context.here
    if prefer:
        facility = [m for m in here if m.place and m.place.kind == prefer]
        if facility:
            return facility[0].place, 1, 0.8
    if here:
        tokens = context.sentence.tokens

        def located(mention: Mention) -> bool:
            return _word_before(tokens, mention.start) in lexicon.LOCATIVE

        chosen = next((m for m in here if located(m)), here[0])
        assert chosen.place is not None
        return chosen.place, _GEO_PRECISION.get(chosen.place.kind, 2), 0.8
    if context.focus is not None:
        return context.focus, 3, 0.5
    return None, 3, 0.0


def _event(
    context: _Context, place: Place, precision: int, confidence: float, **fields: object
) -> EventFact:
    sentence = context.sentence
    event = EventFact(
        article_id=context.article.id,
        place=place,
        geo_precision=precision,
        evidence=context.evidence,
        evidence_start=sentence.start,
        evidence_end=sentence.end,
        date=context.date,
        time_precision=context.precision,
        confidence=confidence,
        **fields,  # type: ignore[arg-type]
    )
    return event


def _count_events(context: _Context, *, language: str) -> list[EventFact]:
    counts = find_counts(context.sentence, language, text=context.article.text)
    if not counts:
        return []
    actors = _actors(context)
    events = []
    for group, kinds in _GROUPS.items():
        chosen = [c for c in counts if c.kind in kinds]
        if not chosen:
            continue
        if group == "deployment":
            batches: list[tuple[list[Count], Mention | None]] = [(chosen, None)]
        else:
            batches = _by_place(context, chosen)
        for batch, anchor in batches:
            events += _group_event(context, group, batch, anchor, actors)
    return events


def _group_event(
    context: _Context,
    group: str,
    counts: list[Count],
    anchor: Mention | None,
    actors: Sequence[str],
) -> list[EventFact]:
    """The event of one group of counts (violence, arrests …) at one place."""
    if group == "deployment":
        place, precision, confidence = _destination(context)
        kind = ("Strategic developments", "Other", "deployments")
        actor = _deployment_actor(context, actors)
    else:
        if anchor is not None and anchor.place is not None:
            place, confidence = anchor.place, 0.8
            precision = _GEO_PRECISION.get(anchor.place.kind, 2)
        else:
            place, precision, confidence = _where(context)
        kind = (*context.unrest, "incidents") if group == "violence" else _GROUP_KINDS[group]
        actor = actors[0] if actors else ""
    if place is None:
        return []
    event_type, sub_event_type, layer = kind
    return [
        _event(
            context,
            place,
            precision,
            confidence,
            event_type=event_type,
            sub_event_type=sub_event_type,
            disorder_type=_disorder(event_type),
            actor1=actor,
            actor2=actors[1] if len(actors) > 1 else "",
            layer=layer,
            qualifiers=tuple((c.kind, c.qualifier) for c in counts if c.qualifier),
            **_values(counts),
        )
    ]


def _by_place(context: _Context, counts: list[Count]) -> list[tuple[list[Count], Mention | None]]:
    """Counts of one group, split by place when a kind repeats at different places
    (*2 000 in Yekaterinburg, 5 000 in Novosibirsk*); each batch with the place named
    before its counts, if any."""
    kinds = [c.kind for c in counts]
    if len(set(kinds)) == len(kinds):
        return [(counts, None)]
    batches: dict[str, tuple[list[Count], Mention | None]] = {}
    located_before = _locator(context)
    for count in counts:
        anchor = located_before(context.sentence.tokens[count.token].start)
        key = anchor.place.place_id if anchor and anchor.place else ""
        batches.setdefault(key, ([], anchor))[0].append(count)
    return list(batches.values())


def _locator(context: _Context) -> Callable[[int], Mention | None]:
    """A function from a position to the last mention before it that follows a locative
    (*in*, *i*, *в*), scanning the sentence's mentions up to the first that ends after it.

    The mentions are scanned once here, not once per count: that was quadratic in a long
    sentence with many counts and places (a page without sentence breaks).
    """
    tokens = context.sentence.tokens
    reach: list[int] = []  # reach[i]: the largest end among here[: i + 1]
    latest: list[Mention | None] = [None]  # latest[i]: the last locative one among here[:i]
    for mention in context.here:
        reach.append(max(mention.end, reach[-1] if reach else mention.end))
        located = _word_before(tokens, mention.start) in lexicon.LOCATIVE
        latest.append(mention if located else latest[-1])
    return lambda position: latest[bisect.bisect_right(reach, position)]


def _word_before(tokens: Sequence[Token], position: int) -> str | None:
    """The key of the last word that ends at or before ``position``; ``None`` if none."""
    count = bisect.bisect_right(tokens, position, key=_END)
    return tokens[count - 1].key if count else None


_END = operator.attrgetter("end")


def _deployment_actor(context: _Context, actors: Sequence[str]) -> str:
    """Who sends a contingent: an organisation the sentence names or refers to, else the one
    an earlier sentence said was sending forces, else the first actor word."""
    if context.orgs:
        return context.orgs[0]
    if context.deploying:
        return context.deploying
    return actors[0] if actors else ""


def _values(counts: Sequence[Count]) -> dict[str, int]:
    values: dict[str, int] = {}
    for count in counts:
        values.setdefault(count.kind, count.value)
    return values


def _disorder(event_type: str) -> str:
    if event_type in ("Protests", "Riots"):
        return "Demonstrations"
    if event_type == "Strategic developments":
        return "Strategic developments"
    return "Political violence"


def _destination(context: _Context) -> tuple[Place | None, int, float]:
    """Where a contingent goes: a place after *til*/*to*/*в*, else the article's focus."""
    tokens = context.sentence.tokens
    for mention in context.here:
        if _word_before(tokens, mention.start) in lexicon.DESTINATION and mention.place:
            return mention.place, _GEO_PRECISION.get(mention.place.kind, 2), 0.8
    if context.focus is not None:
        return context.focus, 3, 0.6
    return None, 3, 0.0


def _control_events(context: _Context) -> list[EventFact]:
    """An airport occupied, retaken or reopened."""
    if context.sentence.keys.isdisjoint(_CONTROL_KEYS):
        return []
    place, confidence = _facility(context)
    if place is None:
        return []
    tokens = context.sentence.tokens
    orgs = context.orgs or context.previous_orgs
    events: list[EventFact] = []
    for index, what in _control_changes(tokens):
        actor = "" if what == "reopened" else _nearest_actor(tokens, index)
        events.append(
            _event(
                context,
                place,
                1,
                confidence,
                event_type="Strategic developments",
                sub_event_type="Other"
                if what == "reopened"
                else "Non-violent transfer of territory",
                disorder_type="Strategic developments",
                actor1=actor,
                assoc_actor_1=orgs[0] if orgs and actor == "Military forces" else "",
                layer="infrastructure",
                notes=f"{place.kind} {what}",
            )
        )
    return events


def _facility(context: _Context) -> tuple[Place | None, float]:
    """The airport of the sentence, else, when it names no place, that of the sentence
    before (*… took it back*, *flights resumed*)."""
    for mentions, confidence in ((context.here, 0.7), (context.previous, 0.5)):
        facility = [m.place for m in mentions if m.place and m.place.kind == "airport"]
        if facility:
            return facility[0], confidence
        if context.here:
            break
    return None, 0.0


def _control_changes(tokens: Sequence[Token]) -> list[tuple[int, str]]:
    """Changes of control a sentence reports, each once, with the index of its word."""
    found: dict[str, int] = {}
    keys = [t.key for t in tokens]
    again = any(key in lexicon.AGAIN_WORDS for key in keys)
    for index, key in enumerate(keys):
        what = lexicon.CONTROL_WORDS.get(key)
        if what is None and key in lexicon.BACK_WORDS:
            taken = any(k in lexicon.TAKE_VERBS for k in keys[max(0, index - 3) : index])
            what = "retaken" if taken else None
        if what is None and again and key in lexicon.FLIGHT_WORDS:
            what = "reopened"
        if what is not None:
            found.setdefault(what, index)
    return sorted(((index, what) for what, index in found.items()), key=lambda item: item[0])


def _nearest_actor(tokens: Sequence[Token], index: int) -> str:
    found = actor_words(tokens)
    if not found:
        return ""
    return min(found, key=lambda item: abs(item[0] - index))[1]


def _dedupe(events: list[EventFact]) -> list[EventFact]:
    """The same figures at the same place, repeated later in the article, count once."""
    seen: set[tuple[object, ...]] = set()
    kept = []
    for event in events:
        key = (
            event.place.place_id,
            event.sub_event_type,
            event.fatalities,
            event.injured,
            event.arrested,
            event.troops,
            event.military_vehicles,
            event.buildings_damaged,
            event.vehicles_damaged,
            event.actor1 if event.layer == "infrastructure" else "",
        )
        if key not in seen:
            seen.add(key)
            kept.append(event)
    return kept


def _merge_deployments(events: list[EventFact]) -> list[EventFact]:
    """Deployments of one actor to one place are one event, with every figure the text gives."""
    merged: dict[tuple[str, str], EventFact] = {}
    others = []
    for event in events:
        if event.layer != "deployments":
            others.append(event)
            continue
        key = (event.actor1, event.place.place_id)
        if key in merged:
            first = merged[key]
            merged[key] = replace(
                first,
                troops=first.troops or event.troops,
                military_vehicles=first.military_vehicles or event.military_vehicles,
            )
        else:
            merged[key] = event
    return sorted([*others, *merged.values()], key=lambda e: e.evidence_start)


def _flows(events: Sequence[EventFact], members: dict[str, list[Place]]) -> list[Flow]:
    """From each state the text names as a member or sender to the contingent's destination."""
    flows = []
    for event in events:
        if event.layer != "deployments":
            continue
        for origin in members.get(event.actor1, []):
            if origin.place_id == event.place.place_id:
                continue
            flows.append(
                Flow(
                    article_id=event.article_id,
                    actor=event.actor1,
                    origin=origin,
                    destination=event.place,
                    evidence=event.evidence,
                    evidence_start=event.evidence_start,
                    evidence_end=event.evidence_end,
                    date=event.date,
                    time_precision=event.time_precision,
                )
            )
    return flows


def event_id(event: EventFact) -> str:
    """A stable id: country code and a hash of article, kind, place and sentence."""
    digest = hashlib.sha256(
        f"{event.article_id}|{event.sub_event_type}|{event.layer}|{event.place.place_id}|{event.evidence_start}|{event.actor1}".encode()
    ).hexdigest()[:10]
    return f"{event.place.country_code or 'XX'}{digest}"
