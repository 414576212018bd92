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
import itertools
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import NamedTuple

from geomap.extract import lexicon
from geomap.extract.actors import actor_words
from geomap.extract.counts import (
    KIND_CUES,
    Count,
    clause_numbers,
    find_counts,
    looks_like_year,
    may_count,
)
from geomap.extract.dates import (
    DateMention,
    default_date,
    find_dates,
    is_date_row,
    named_subject,
    subject_date,
    subject_name,
)
from geomap.extract.text import Sentence, Token
from geomap.extract.triggers import Trigger, find_triggers, kind_of
from geomap.gazetteer.index import haversine_km
from geomap.records import (
    COUNTS,
    DAY,
    MONTH,
    WEEK,
    Article,
    EventFact,
    Flow,
    Mention,
    Place,
    PubDate,
)
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
_CONTROL_KEYS = frozenset(lexicon.CONTROL_WORDS) | lexicon.BACK_WORDS | lexicon.FLIGHT_WORDS
_GEO_PRECISION = {"airport": 1, "city": 1, "region": 2, "country": 3}
_HEADING_WORDS = 8
_TEXT, _CONTEXT, _PUBLICATION = "text", "context", "publication"
_RECENT_DAYS = 7  # an undated report may tell of an incident of the past week
_SPAN_DAYS = {WEEK: 7, MONTH: 30}  # the days after its first that a week or month covers
_Dated = tuple[dt.date | None, int, str]  # a date, its precision, where it comes from
_NAMED = 0.7  # the confidence of a place the sentence itself names
_FOR_WANT = 0.5  # the confidence of the article's main country, for want of any place
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
    placed = [m for m in mentions if m.place is not None and _usable(m, article.language)]
    focus = _focus(placed)
    subject = _subject_place(placed, subject_name(article.title), focus)
    unrest = _unrest_type(sentences)
    members: dict[str, list[Place]] = {}
    events: list[EventFact] = []
    last_named: str | None = None  # the organisation named last, for *the alliance*
    deploying: str | None = None  # the organisation last said to send forces
    previous: list[Mention] = []
    previous_orgs: list[str] = []
    position = 0
    text = article.text
    published = article.published
    scope = _Scope(
        year=published.date.year if published else None,
        language=article.language,
        subject=subject_date(article.title, published=published, language=article.language),
        name=subject_name(article.title),
        undated=(*default_date(published), _PUBLICATION),
    )
    loose: set[int] = set()  # the events of sentences that give figures but no incident word
    told = range(0)  # the events of the last sentence that gave any
    for sentence in sentences:
        here, position = _mentions_in(placed, sentence, position)
        here = [m for m in here if _fits(m, sentence, article.language)]
        paragraph = scope.enter(text, sentence)
        named = _organisations(sentence)
        orgs = named or _referred_organisation(sentence, last_named)
        if orgs and sum(m.place.kind == "country" for m in here if m.place) >= 3:
            members.setdefault(orgs[0], _enumeration(here))
        if orgs and not sentence.keys.isdisjoint(lexicon.DEPLOY_VERBS):
            deploying = orgs[0]
        triggers = _incident_words(sentence, article.language, text)
        heading = _is_heading(text, sentence)
        found_dates, date, precision, basis = scope.read(
            sentence, text, published=published, heading=heading and not triggers
        )
        # the rows of an infobox end with the first paragraph
        row = _is_row(text, sentence)
        scope.box_place = (_box_place(here, focus) or scope.box_place) if row else None
        if (heading and not here) or (triggers and _an_incident_s_name(text, sentence, triggers)):
            triggers = []  # a section title (*Armed conflicts and attacks*), a title's name
        # a label (*Otages :*) tells nothing itself
        reports = text[sentence.end - 1] != ":" and bool(
            triggers or _may_report(sentence, article.language)
        )
        if reports and (triggers or _may_give_figures(sentence)):
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
                evidence=text[sentence.start : sentence.end],
                dates=found_dates,
                inherited=scope.inherited,
                basis=basis,
                triggers=triggers,
                topic=scope.topic or scope.box_place,
                subject=subject if _names_the_subject(sentence, triggers, scope.name) else None,
                row=row,
            )
            new = _sentence_events(context, language=article.language)
            new += _control_events(context)
            topic = _topic_of(new, context.subject)
            if topic is not None and topic.kind != "country":
                scope.topic = topic
            told = range(len(events), len(events) + len(new)) if new else told
            # figures with no word of an incident: a table's row, a tally
            loose.update(told if new and not triggers else ())
            events += new
        elif here and not reports:
            _reread_the_told(events, told, here, text, sentence, article.language, paragraph)
        last_named = named[-1] if named else last_named
        previous, previous_orgs = here, orgs
    events = _settle(events, loose, unrest)
    return events, _flows(events, members)


def _reread_the_told(
    events: list[EventFact],
    told: range,
    here: Sequence[Mention],
    text: str,
    sentence: Sentence,
    language: str,
    paragraph: bool,
) -> None:
    """What a sentence that tells of no incident says of the incidents told last: the name
    it gives them (:func:`_name_the_told`), or, in the same item of a list (not a new
    ``paragraph``), their place (:func:`_place_the_told`)."""
    _name_the_told(events, told, here, text, language)
    if not paragraph and _in_list_item(text, sentence):
        _place_the_told(events, told, here, sentence)


def _name_the_told(
    events: list[EventFact], told: range, here: Sequence[Mention], text: str, language: str
) -> None:
    """Place the incidents of the last sentence that gave any, placed only at their country
    for want of a place, where a sentence that tells of no incident names them after a place
    (*Denne begivenhed kaldes ofte Marikana-massakren*): the name gives where it happened."""
    named = next((m for m in here if _names_an_incident(m, text, language)), None)
    if named is None or named.place is None:
        return
    place = named.place
    for i in told:
        event = events[i]
        if (
            event.place.kind == "country"
            and event.confidence < _NAMED
            and event.place.country_code == place.country_code
        ):
            why = f"place: '{named.surface}', the name the next sentence gives the incident"
            # reports are merged only later (_settle): the note is the place's reason alone
            events[i] = replace(event, place=place, geo_precision=_precision_of(place), notes=why)


def _place_the_told(
    events: list[EventFact], told: range, here: Sequence[Mention], sentence: Sentence
) -> None:
    """Place the incidents of the sentence before, placed at the article's main country
    only for want of any place, at the first town or region the next sentence of the same
    list's item puts something in (*• … three police officers were killed in two attacks on
    checkpoints. The group's branch in Gaza …*): an item of a news round-up tells of one
    place."""
    tokens = sentence.tokens
    for mention in here:
        place = mention.place
        at = _token_at(tokens, mention.start)
        if place is None or place.kind == "country" or not 0 < at < len(tokens):
            continue
        if tokens[at - 1].key not in lexicon.LOCATIVE:
            continue
        why = f"place: '{mention.surface}', where the next sentence of the list's item is"
        for i in told:
            if events[i].confidence == _FOR_WANT and events[i].place.kind == "country":
                events[i] = replace(
                    events[i], place=place, geo_precision=_precision_of(place), notes=why
                )
        return


def _in_list_item(text: str, sentence: Sentence) -> bool:
    """Whether the sentence is in a line that starts with a bullet (*•*, *-*)."""
    line = text.rfind("\n", 0, sentence.start) + 1
    return text[line : sentence.start + 1].lstrip()[:1] in _BULLETS


def _names_an_incident(mention: Mention, text: str, language: str) -> bool:
    """Whether a place is the first part of an incident's name (*Marikana-massakren*,
    *Ürümqi-Unruhen*)."""
    if (
        mention.place is None
        or mention.place.kind == "country"
        or text[mention.end : mention.end + 1] != "-"
    ):
        return False
    word = text[mention.end + 1 : mention.end + _WORD_REACH].split(" ", 1)[0]
    return kind_of(fold(word.strip(_WORD_END)), language) is not None


_WORD_REACH = 40
_WORD_END = ".,;:!?\"'»”)"


def _topic_of(new: Sequence[EventFact], subject: Place | None) -> Place | None:
    """The place a sentence's incidents make the paragraph's topic: one the sentence names,
    else the article's subject when the sentence tells of it."""
    named = (e.place for e in new if e.layer == "incidents" and e.confidence >= _NAMED)
    told = (e.place for e in new if subject is not None and e.place == subject)
    return next(named, None) or next(told, None)


@dataclass(slots=True)
class _Scope:
    """What earlier sentences say for later ones: the year, a chronology heading's date, the
    paragraph's last date and its topic place."""

    year: int | None
    language: str = ""
    subject: DateMention | None = None  # the day a title or a *Date* row gives the subject
    name: tuple[str, ...] = ()  # the title's words, that name the subject
    heading_date: DateMention | None = None
    paragraph_date: DateMention | None = None
    paragraph_days: set[dt.date] = field(default_factory=set)  # the days it has named
    topic: Place | None = None
    inherited: _Dated = (None, MONTH, "")  # the date before the sentence's own
    undated: _Dated = (None, MONTH, _PUBLICATION)  # the date of what nothing dates
    box_place: Place | None = None  # the place an infobox row gave (*Ort Ürümqi, Xinjiang*)
    end_of_previous: int = 0  # where the sentence before ends

    def enter(self, text: str, sentence: Sentence) -> bool:
        """Start reading ``sentence``: what a paragraph scopes ends with the paragraph.
        Whether the sentence starts a paragraph (or a list's item)."""
        new = "\n" in text[self.end_of_previous : sentence.start]
        if new:
            self.paragraph_date = None
            self.paragraph_days.clear()
            self.topic = None
        self.end_of_previous = sentence.end
        return new

    def read(
        self, sentence: Sentence, text: str, *, published: PubDate | None, heading: bool
    ) -> tuple[list[DateMention], dt.date | None, int, str]:
        """The sentence's dates and its date; remembers the year, the heading's date and the
        paragraph's last date for the sentences after it."""
        anchor = self.paragraph_date or self.heading_date or self.subject
        found = find_dates(
            sentence,
            text,
            published=published,
            year=self.year,
            anchor=anchor,
            language=self.language,
        )
        if found:
            self.year = next((d.date.year for d in reversed(found) if d.year_given), self.year)
        self.year = _year_in(sentence, strict=self.year is not None) or self.year
        if is_date_row(sentence, text, found):
            self.subject = found[0]
        elif heading and found:
            self.heading_date = found[0]
        elif heading and not sentence.has_number:
            self.heading_date = None  # a section without a date ends the dated one
        if self.paragraph_date is not None:
            # An earlier sentence's day: the story stays on it, unless the paragraph has told
            # of several days in a text not dated to the day (an encyclopedia's summary of
            # weeks of unrest), where a later sentence may tell of any day of that month.
            paragraph = self.paragraph_date
            days = published is not None and published.precision == DAY
            spans = len(self.paragraph_days) > 1 and not days
            if spans:
                self.inherited = (paragraph.date.replace(day=1), MONTH, _CONTEXT)
            else:
                self.inherited = (paragraph.date, paragraph.precision, _CONTEXT)
        elif self.heading_date is not None:  # a chronology heading scopes what follows
            heading_date = self.heading_date
            self.inherited = (heading_date.date, heading_date.precision, _CONTEXT)
        elif self.subject is not None:  # the day the article is about
            self.inherited = (self.subject.date, self.subject.precision, _CONTEXT)
        else:
            self.inherited = self.undated
        named = named_subject(sentence, self.name, self.subject)
        if found:
            self.paragraph_date = found[-1]
            self.paragraph_days.update(d.date for d in found if d.precision == DAY)
            dated = sorted([*found, named], key=lambda d: d.index) if named else found
            return dated, found[0].date, found[0].precision, _TEXT
        return [named] if named else found, *self.inherited


def _box_place(here: Sequence[Mention], focus: Place | None) -> Place | None:
    """The place a short line (an infobox row such as *Location: Osh, Kyrgyzstan*) gives
    the rows after it: its first place finer than a country, unless it lists several towns
    (the incident then spans the country) or names only a country."""
    places = [m.place for m in here if m.place is not None]
    if not places:
        return None
    towns = {p.place_id for p in places if p.kind == "city"}
    countries = [p for p in places if p.kind == "country"]
    if len(towns) > 1:
        code = places[0].country_code
        last = places[-1]
        if last.kind in _AREAS and last.country_code == code:
            return last  # *Villiers-le-Bel, Sarcelles, Cergy (Val-d'Oise)*: the area they share
        if focus is not None and focus.kind == "country" and focus.country_code == code:
            return focus
        return countries[0] if countries else None
    fine = [p for p in places if p.kind != "country"]
    return fine[0] if fine else countries[0] if countries else None


_AREAS = frozenset({"region", "district"})


def _year_in(sentence: Sentence, *, strict: bool) -> int | None:
    """A year the sentence names on its own (*in 2007*, *в 2011 году*), the last one; when
    not ``strict`` (no year known yet), any four-digit number that may be a year (*The 2010
    riots*)."""
    tokens = sentence.tokens
    found = [i for i in _years(sentence) if not strict or looks_like_year(tokens, i)]
    return int(tokens[found[-1]].surface) if found else None


def _years(sentence: Sentence) -> list[int]:
    """The positions of the sentence's four-digit numbers that may be years."""
    if not sentence.has_number:
        return []
    return [
        index
        for index, token in enumerate(sentence.tokens)
        if token.is_number
        and len(token.surface) == 4
        and token.surface.isdecimal()
        and lexicon.FIRST_YEAR <= int(token.surface) <= lexicon.LAST_YEAR
    ]


def _is_heading(text: str, sentence: Sentence) -> bool:
    """A short line of its own without a full stop: a heading or an infobox row."""
    if len(sentence.tokens) > _HEADING_WORDS:
        return False
    before = text[max(0, sentence.start - 1) : sentence.start]
    after = text[sentence.end : sentence.end + 1]
    return before in ("", "\n") and after in ("", "\n") and text[sentence.end - 1] not in ".!?"


def _an_incident_s_name(text: str, sentence: Sentence, triggers: Sequence[Trigger]) -> bool:
    """Whether a line of its own names an incident by its year, as an encyclopaedia's title
    or a list of articles does (*2010 South Kyrgyzstan riots*, *Émeutes de 2007 à …*): the
    name of what the text goes on to tell, no report of it at every place it lists."""
    if text[sentence.end - 1] in ".!?" or not _own_line(text, sentence):
        return False
    years = _years(sentence)
    return any(abs(t.index - y) <= _NAME_REACH for t in triggers for y in years)


_NAME_REACH = 3  # tokens between an incident's word and the year in its name


def _incident_words(sentence: Sentence, language: str, text: str) -> list[Trigger]:
    """The sentence's incident words, without those that only tell how the people it has
    counted died or were hurt (*Five people died: one was shot by the police, another …*;
    *5 dead (1 shot, …)*): the words after a colon or bracket that follows a count of
    casualties. With none left, the figures are the incident the text tells of there."""
    triggers = find_triggers(sentence.tokens, language, text=text, keys=sentence.keys)
    if not triggers:
        return triggers
    tokens = sentence.tokens
    opening = _PARTS_OPEN.search(text, sentence.start, sentence.end)
    if opening is None:
        return triggers
    stop = bisect.bisect_left([t.start for t in tokens], opening.start())
    if any(t.index < stop for t in triggers):
        return triggers
    counts = find_counts(sentence, language, text=text)
    if any(c.kind in _CASUALTIES and c.token < stop for c in counts):
        return []
    return triggers


_PARTS_OPEN = re.compile(r"[:(]")
_CASUALTIES = frozenset({"fatalities", "injured"})


def _is_row(text: str, sentence: Sentence) -> bool:
    """Whether a sentence is a line of its own that may be a row of an infobox (*Localisation
    Villiers-le-Bel, Sarcelles, … (Val-d'Oise)*, *Participants Individus masqués et parfois
    armés.*) rather than a paragraph or an item of a list: short, and shorter still if it
    ends a sentence."""
    last = text[sentence.end - 1]
    if len(sentence.tokens) > (_SHORT_ROW_WORDS if last in ".!?" else _ROW_WORDS):
        return False
    if text[sentence.start] in _BULLETS:
        return False  # an item of a list (*• Free education*), not a row
    return _own_line(text, sentence)


def _own_line(text: str, sentence: Sentence) -> bool:
    """Whether the sentence is a line of its own (spaces aside)."""
    return _line_edge(text, sentence.start, -1) and _line_edge(text, sentence.end, 1)


def _line_edge(text: str, position: int, step: int) -> bool:
    """Whether only spaces lie between ``position`` and the line's edge in direction ``step``
    (-1: back to its start, 1: on to its end)."""
    index = position - 1 if step < 0 else position
    while 0 <= index < len(text) and text[index] in " \t":
        index += step
    return not 0 <= index < len(text) or text[index] == "\n"


_SHORT_ROW_WORDS = 12
_BULLETS = "•·*-–"
_ROW_WORDS = 24


def _may_report(sentence: Sentence, language: str) -> bool:
    """Whether a sentence may give an event: it has a number (in digits or words) or a word
    of control."""
    return sentence.has_number or not sentence.keys.isdisjoint(_report_words(language))


@lru_cache(maxsize=64)
def _report_words(language: str) -> frozenset[str]:
    """The number words of ``language`` and the words of control."""
    return frozenset(lexicon.number_words(language)) | _CONTROL_KEYS


def _may_give_figures(sentence: Sentence) -> bool:
    """Whether a sentence with no incident word has what an event could be read from: a
    word of what a number counts (:func:`may_count`), a verb of arrest (*a man was
    arrested*) or a word of control. Without one, :func:`_sentence_events` and
    :func:`_control_events` find nothing, so the sentence is not read for them."""
    return not sentence.keys.isdisjoint(_FIGURE_WORDS)


_FIGURE_WORDS = KIND_CUES | lexicon.ARREST_VERBS | _CONTROL_KEYS


@dataclass(slots=True)
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
    dates: Sequence[DateMention] = ()
    inherited: _Dated = (None, MONTH, "")  # from the paragraph or heading
    basis: str = ""  # where the sentence's date comes from
    triggers: Sequence[Trigger] = ()
    topic: Place | None = None  # the paragraph's place so far
    subject: Place | None = None  # the title's place, when the sentence refers to its incident
    row: bool = False  # a row of the article's infobox
    clauses: Sequence[int] = ()
    spots: list[_Spot] | None = None  # the mentions read with their clause and governor


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


def _subject_place(
    placed: Sequence[Mention], title: tuple[str, ...], focus: Place | None
) -> Place | None:
    """The place a title that names the article's subject names (*2014 Odesa clashes*,
    *Émeutes de 2007 à Villiers-le-Bel*): the first place of the text whose words the title
    has, finer than a country if there is one, in the article's country."""
    if not title:
        return None
    words = set(title)
    named = [
        m.place for m in placed if m.place is not None and words.issuperset(fold(m.surface).split())
    ]
    if focus is not None and focus.kind == "country":
        named = [p for p in named if p.country_code == focus.country_code]
    fine = [p for p in named if p.kind != "country"]
    return next(iter(fine or named), None)


def _names_the_subject(
    sentence: Sentence, triggers: Sequence[Trigger], title: tuple[str, ...]
) -> bool:
    """Whether the sentence's incident words are all the title's (*The clashes resulted in
    …* in an article titled *2014 Odesa clashes*): it tells of the subject, not of a new
    incident."""
    stems = {key[:_STEM] for key in title if len(key) >= _STEM}
    tokens = sentence.tokens
    return bool(triggers) and all(tokens[t.index].key[:_STEM] in stems for t in triggers)


_STEM = 5  # the letters two forms of an incident word share (*clash*, *upplopp*, *беспо*)


def _focus(placed: Sequence[Mention]) -> Place | None:
    """The place the article is about: its most named country, else its most named place."""
    countries = [m.place for m in placed if m.place and m.place.kind == "country"]
    places = countries or [m.place for m in placed if m.place]
    if not places:
        return None
    times: dict[str, int] = {}
    for place in places:
        times[place.place_id] = times.get(place.place_id, 0) + 1
    common = max(times, key=times.__getitem__)  # the first named of the most named
    return next(p for p in places if p.place_id == common)


def _unrest_type(sentences: Sequence[Sentence]) -> tuple[str, str]:
    """The kind of unrest the article tells of: riots if any sentence has a word of riot,
    else protests if any has a word of protest."""
    told = [s.keys for s in sentences if not s.keys.isdisjoint(_UNREST_WORDS)]
    if any(not keys.isdisjoint(lexicon.RIOT_WORDS) for keys in told):
        return "Riots", "Violent demonstration"
    if told:  # a word of protest, then
        return "Protests", "Protest with intervention"
    return "Violence against civilians", "Attack"


_UNREST_WORDS = lexicon.RIOT_WORDS | lexicon.PROTEST_WORDS


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


def _actors(context: _Context) -> list[str]:
    found: list[str] = []
    for _, actor in actor_words(context.sentence.tokens):
        if actor not in found:
            found.append(actor)
    return found


def _event(
    context: _Context, place: Place, precision: int, confidence: float, **fields: object
) -> EventFact:
    sentence = context.sentence
    fields.setdefault("date", context.date)
    fields.setdefault("date_basis", context.basis)
    fields.setdefault("time_precision", context.precision)
    return EventFact(
        article_id=context.article.id,
        place=place,
        geo_precision=precision,
        evidence=context.evidence,
        evidence_start=sentence.start,
        evidence_end=sentence.end,
        confidence=confidence,
        **fields,  # type: ignore[arg-type]
    )


# -- where: the places of an incident ---------------------------------------------------------


class _Where(NamedTuple):
    """A place chosen for an event, how precise, how sure, why, and its token in the sentence."""

    place: Place
    precision: int
    confidence: float
    reason: str
    token: int = -1
    listed: bool = False  # named in a list with the other places (*Osh and Jalal-Abad*)


def _fits(mention: Mention, sentence: Sentence, language: str) -> bool:
    """Whether a mention, read with its neighbours, may be a place: not a person (*President
    Ortega*, *Obama told*) and not a word of a longer name (*Trade Unions House*, *People's
    Republic of China*)."""
    tokens = sentence.tokens
    first = _token_at(tokens, mention.start)
    last = _token_at(tokens, mention.end)  # the first token after the mention
    before = tokens[first - 1] if first else None
    after = tokens[last] if last < len(tokens) else None
    if before is not None and before.key in lexicon.PERSON_TITLES:
        return False
    if before is not None and before.end == mention.start - 1 and before.key in _AFFIXES:
        return False  # pro-Ukraine, anti-Maidan: a stance, not a place
    if after is None:
        return True
    if after.key in lexicon.SAY_VERBS:
        return False
    if language in lexicon.NOUN_CAPITALS:
        return True
    gap = _gap(tokens, last)
    if after.is_capitalised and gap == " " and not after.is_number:
        return False  # Pearl Roundabout, Trade Unions House
    return not (  # Republic of China
        after.key == "of" and last + 1 < len(tokens) and tokens[last + 1].is_capitalised
    )


def _gap(tokens: Sequence[Token], index: int) -> str:
    """What separates token ``index`` from the one before: a space, or more (unknown here:
    ``" "`` when they are one character apart, else ``""``)."""
    if index <= 0 or index >= len(tokens):
        return ""
    return " " if tokens[index].start - tokens[index - 1].end == 1 else ""


def _usable(mention: Mention, language: str) -> bool:
    """A mention that can be where something happened: not an adjective (*kirgiziska*,
    *Bahraini*) that the recogniser took for a place."""
    if mention.feature is not None:
        return True  # *flyplassen i Almaty*
    if mention.place is None:
        return False
    return _name_like(mention.surface, mention.place.name)


@lru_cache(maxsize=1 << 14)
def _name_like(surface: str, name: str) -> bool:
    if not surface[:1].isupper():
        return False
    folded = fold(surface)
    if folded in _FUNCTION_WORDS:
        return False
    return not (folded.endswith(_ADJECTIVE_ENDINGS) and not folded.startswith(fold(name)[:6]))


_AFFIXES = frozenset("pro anti post pre ex non".split())
_FUNCTION_WORDS = (
    lexicon.LOCATIVE
    | lexicon.DESTINATION
    | lexicon.NOT_HERE
    | lexicon.CONNECTORS
    | lexicon.NAME_PARTICLES
    | frozenset("sur under over efter etter fore for med mot".split())
)
_ADJECTIVE_ENDINGS = ("ian", "ish", "ese", "ske", "ska", "sche", "ischen", "ische", "aise", "ains")


def _token_at(tokens: Sequence[Token], position: int) -> int:
    """The index of the first token that starts at or after ``position``.

    A bisection on the tokens' starts, read as it goes (a handful of tokens per question):
    cheaper than a list of every start for the few questions most sentences are asked.
    """
    return bisect.bisect_left(tokens, position, key=_START)


_START = operator.attrgetter("start")


def _governor(context: _Context, mention: Mention) -> str | None:
    """The preposition that governs a mention: a locative (*in*, *i*, *в*, *à*) up to a few
    words before it (*in the port city of Odesa*, *i Kasakhstans største by Almaty*), or a
    word of origin (*from*, *fra*) right before it; ``None`` when neither."""
    tokens = context.sentence.tokens
    index = _token_at(tokens, mention.start)
    clauses = context.clauses
    for back in range(index - 1, max(-1, index - 1 - _GOVERN_REACH), -1):
        token = tokens[back]
        if clauses and clauses[back] != clauses[index if index < len(tokens) else back]:
            return None
        key = token.key
        if key in lexicon.LOCATIVE:
            return key
        if key in _TOWARDS:
            # *to* is also an infinitive's (*to denounce Ortega*): only right before the
            # name, past an article, or before *the towns of*
            between = tokens[back + 1 : index]
            direct = all(t.key in lexicon.DETERMINERS for t in between)
            return key if direct or between[-1].key in _OF else None
        if key in _GENITIVE:
            continue  # de, du, des are of as often: *aux communes de Sarcelles*, *le périmètre du*
        if key in lexicon.NOT_HERE:
            return "from" if back == index - 1 else None
        if token.is_number or key in lexicon.CONNECTORS:
            return None
    return None


_GOVERN_REACH = 5
_TOWARDS = lexicon.DESTINATION | frozenset({"aux"})  # French *à les*: *propagées aux communes*
_OF = frozenset("of av af von de du des из".split())
_GENITIVE = frozenset("de du des".split())


def _precision_of(place: Place) -> int:
    return _GEO_PRECISION.get(place.kind, 1)


def _places(context: _Context, anchor: int) -> list[_Where]:
    """Where the incident whose word is at token ``anchor`` happened, finest first.

    The places a locative governs, in the anchor's clause first; the places coordinated with
    the chosen one (*in Osh and Jalal-Abad*); when the sentence gives several dates, each
    governed place with its own. Without a governed place: the first place the clause or the
    sentence names (not one after *from*), then the paragraph's topic, then the article's
    focus at country level.
    """
    here = context.here
    tokens = context.sentence.tokens
    if here:
        spots = _spots(context)
        clause_of = context.clauses
        anchor_clause = clause_of[anchor] if clause_of and 0 <= anchor < len(clause_of) else None
        governed = [spot for spot in spots if spot.governor not in (None, "from")]
        if anchor_clause is not None and any(g.clause != anchor_clause for g in governed):
            subordinate = _subordinate_clauses(tokens, clause_of)
            governed = [
                g for g in governed if g.clause == anchor_clause or g.clause not in subordinate
            ]
        if governed:
            pool = [g for g in governed if g.clause == anchor_clause] or governed
            nearest = min(pool, key=lambda g: (abs(g.token - anchor), g.mention.start))
            chosen = _refine(nearest.mention, here)
            listed = _coordinated(chosen, here, tokens)
            spread = _spread_to(context, governed, [chosen, *listed])
            if spread:
                return _distinct([chosen, *listed, *spread], tokens, reason="in")
            if len(context.dates) > 1:
                listed += [
                    g.mention
                    for g in governed
                    if g.mention.place and g.mention.place.kind != "country"
                ]
                return _distinct([chosen, *listed], tokens, reason="in")
            separate = _separate_incidents(context, governed, [chosen, *listed])
            return _distinct(
                [chosen, *listed, *separate], tokens, reason="in", listed=bool(listed or separate)
            )
        named = [spot for spot in spots if spot.governor != "from"]
        if named:
            pool = [g for g in named if g.clause == anchor_clause] or named
            fine = [g for g in pool if g.mention.place and g.mention.place.kind != "country"]
            chosen = (fine or pool)[0].mention
            listed = _coordinated(chosen, here, tokens)
            return _distinct([chosen, *listed], tokens, reason="named", listed=bool(listed))
    if context.focus is not None and context.focus.kind == "country" and _countrywide(context):
        place = context.focus
        return [_Where(place, 3, _COUNTRYWIDE, "place: the whole country, as the sentence says")]
    if context.topic is not None:
        place = context.topic
        return [_Where(place, _precision_of(place), 0.6, "place: the paragraph's topic")]
    if context.subject is not None:
        place = context.subject
        why = "place: the article's subject, which the title names"
        return [_Where(place, _precision_of(place), 0.6, why)]
    if context.focus is not None:
        place = context.focus
        if place.kind == "country":
            return [
                _Where(place, 3, _FOR_WANT, "place: the article's main country (country level)")
            ]
        return [_Where(place, 2, 0.4, "place: the article's most named place (approximate)")]
    return []


def _separate_incidents(
    context: _Context, governed: Sequence[_Spot], found: Sequence[Mention]
) -> list[Mention]:
    """The places of later incidents the sentence tells apart (*attacks on a checkpoint in
    Sinai as well as a separate bombing in Cairo*): for each incident word after the places
    found, the first town or region a preposition governs after it, when it is no place
    found already. Figures told once for them all then belong to none of them alone."""
    last = max((_token_at(context.sentence.tokens, m.start) for m in found), default=-1)
    separate: list[Mention] = []
    for trigger in context.triggers:
        if trigger.kind not in _INCIDENT_KINDS or trigger.index <= last:
            continue
        after = [g for g in governed if g.token > trigger.index]
        if not after:
            break
        mention = min(after, key=lambda g: g.token).mention
        place = mention.place
        if place is None or place.kind == "country" or mention in found or mention in separate:
            continue
        separate.append(mention)
        last = _token_at(context.sentence.tokens, mention.start)
    return separate


def _spread_to(
    context: _Context, governed: Sequence[_Spot], found: Sequence[Mention]
) -> list[Mention]:
    """The places the incident spread to (*propagées aux communes de Sarcelles et …*, *spread
    to Leeds*): towns and regions a preposition governs after a word of spreading, with the
    places listed with them."""
    keys = context.sentence.keys
    if keys.isdisjoint(lexicon.SPREAD_WORDS):
        return []
    tokens = context.sentence.tokens
    start = next(i for i, t in enumerate(tokens) if t.key in lexicon.SPREAD_WORDS)
    spread: list[Mention] = []
    for spot in governed:
        mention = spot.mention
        if spot.token <= start or mention in found or mention in spread:
            continue
        if mention.place is None or mention.place.kind == "country":
            continue
        spread += [mention, *_coordinated(mention, context.here, tokens)]
    return spread


class _Spot(NamedTuple):
    """A mention of the sentence with its token, its clause and the word governing it."""

    mention: Mention
    token: int
    clause: int
    governor: str | None


def _spots(context: _Context) -> list[_Spot]:
    """The sentence's mentions read once for all its events."""
    if context.spots is None:
        tokens = context.sentence.tokens
        clauses = context.clauses
        last = len(clauses) - 1
        found = []
        for mention in context.here:
            token = _token_at(tokens, mention.start)
            clause = clauses[min(token, last)] if clauses else 0
            found.append(_Spot(mention, token, clause, _governor(context, mention)))
        context.spots = found
    return context.spots


def _countrywide(context: _Context) -> bool:
    """Whether the sentence gives a figure for the whole country (*nationwide*, *i hele landet*)."""
    return _says(
        context.sentence, lexicon.COUNTRYWIDE_WORDS, lexicon.COUNTRYWIDE_PHRASES, _COUNTRY_WORDS
    )


def _says(
    sentence: Sentence,
    words: frozenset[str],
    phrases: frozenset[tuple[str, ...]],
    common: frozenset[str],
) -> bool:
    """Whether the sentence has one of ``words`` or of the two-word ``phrases``; ``common``
    holds a word of each phrase, so that most sentences skip the pairs."""
    keys = sentence.keys
    if not keys.isdisjoint(words):
        return True
    if keys.isdisjoint(common):
        return False
    return any((a.key, b.key) in phrases for a, b in itertools.pairwise(sentence.tokens))


_COUNTRYWIDE = 0.55  # the confidence of a figure the text gives for the whole country
_COUNTRY_WORDS = frozenset(phrase[-1] for phrase in lexicon.COUNTRYWIDE_PHRASES)


def _subordinate_clauses(tokens: Sequence[Token], clauses: Sequence[int]) -> set[int]:
    """The clauses that open with *after*, *when*, *после того как*, *nachdem* …: what they
    place is another event's setting, not this one's."""
    starts = [0, *(i for i in range(1, len(clauses)) if clauses[i] != clauses[i - 1])]
    return {clauses[i] for i in starts if tokens[i].key in lexicon.SUBORDINATORS}


def _refine(chosen: Mention, here: Sequence[Mention]) -> Mention:
    """A finer place right after a governed country or region (*i Kasakhstans største by
    Almaty*, *in Ethiopia's Oromia Region*) is the one meant."""
    if chosen.place is None or chosen.place.kind not in _COARSER:
        return chosen
    coarser = _COARSER[chosen.place.kind]
    for mention in here:
        if (
            mention.start > chosen.end
            and mention.start - chosen.end <= _REFINE_CHARS
            and mention.place is not None
            and mention.place.kind not in coarser
            and mention.place.country_code == chosen.place.country_code
        ):
            return mention
    return chosen


#: The kinds of place no finer than a country, or a region (*in Ethiopia's Oromia Region*).
_COARSER = {
    "country": frozenset({"country", "macroregion"}),
    "region": frozenset({"country", "macroregion", "region"}),
}


_REFINE_CHARS = 40


def _coordinated(
    chosen: Mention, here: Sequence[Mention], tokens: Sequence[Token]
) -> list[Mention]:
    """Places listed with the chosen one (*Osh and Jalal-Abad*, *West Bromwich och
    Wolverhampton*): only commas and joining words between them."""
    found = []
    joined = False  # two names with a comma are a place and its area (*Salim, Nablus*)
    last = chosen
    for mention in here:
        if mention.start <= last.end or mention.place is None or last.place is None:
            continue
        between = tokens[_token_at(tokens, last.end) : _token_at(tokens, mention.start)]
        if len(between) > 1 or any(t.key not in lexicon.CONNECTORS for t in between):
            break
        if (mention.place.kind == "country") != (last.place.kind == "country"):
            break
        joined = joined or bool(between)
        found.append(mention)
        last = mention
    return found if joined or len(found) > 1 else []


def _distinct(
    found: Sequence[Mention], tokens: Sequence[Token], *, reason: str, listed: bool = False
) -> list[_Where]:
    seen: set[str] = set()
    result = []
    for mention in found:
        place = mention.place
        if place is None or place.place_id in seen:
            continue
        seen.add(place.place_id)
        why = (
            f"place: '{mention.surface}', governed by a preposition of place"
            if reason == "in"
            else f"place: '{mention.surface}', the place the sentence names"
        )
        result.append(
            _Where(
                place,
                _precision_of(place),
                0.8 if reason == "in" else 0.7,
                why,
                _token_at(tokens, mention.start),
                listed,
            )
        )
    return result


def _date_at(context: _Context, index: int, anchor: int) -> _Dated:
    """The date of an event whose word is at ``anchor`` and place at ``index``: a date in
    the clause of either, nearest first; else one before the event's word (*On 14 August,
    …, police raided*); a date only in a later clause belongs to something else (*after the
    ouster on April 7*), so the date of the paragraph or heading stays."""
    dates = context.dates
    clauses = context.clauses
    if not dates or not clauses:
        return context.date, context.precision, context.basis
    last = len(clauses) - 1
    wanted = {clauses[min(max(i, 0), last)] for i in (index, anchor) if i >= 0}
    near = [i for i in (index, anchor) if i >= 0]
    same = [d for d in dates if clauses[min(d.index, last)] in wanted]
    if same:  # the date nearest the event's word or its place
        chosen = min(same, key=lambda d: (min(abs(d.index - i) for i in near), d.index))
        return chosen.date, chosen.precision, _TEXT
    earlier = [d for d in dates if d.index < max(anchor, 0)]
    if earlier:
        return earlier[-1].date, earlier[-1].precision, _TEXT
    return context.inherited


# -- what: the incident and its counts --------------------------------------------------------


def _sentence_events(context: _Context, *, language: str) -> list[EventFact]:
    """The incidents, arrests, damage and deployments one sentence reports."""
    text = context.article.text
    triggers = context.triggers
    sentence = context.sentence
    gathering = any(t.kind in _GATHERINGS for t in triggers)
    # the clauses are read once here for the counts and the places, when there may be any
    counting = sentence.has_number and may_count(sentence, gathering=gathering)
    clauses = clause_numbers(text, sentence.tokens) if triggers or counting else None
    counts = find_counts(
        context.sentence, language, text=text, clauses=clauses, gathering=gathering
    )
    if not triggers:  # *no one was hurt* alone is no incident: a zero only goes with one
        counts = [c for c in counts if c.value]
    if not counts and (not triggers or (context.subject is not None and not context.here)):
        return []  # nothing told, or only the title's incident talked about (*the attack was …*)
    if not triggers and _any_stem(context.sentence.keys, lexicon.DISASTER_STEMS):
        # Figures with no incident word in a sentence of a disaster: a landslide's dead.
        counts = [c for c in counts if c.kind in _UNTOLD_KINDS]
        if not counts:
            return []
    context.clauses = clauses if clauses is not None else clause_numbers(text, sentence.tokens)
    actors = _actors(context)
    by_group = {group: [c for c in counts if c.kind in kinds] for group, kinds in _GROUPS.items()}
    kinds = {t.kind for t in triggers}
    incident = _incident_type(kinds, context, by_group)
    if context.row and kinds == {"arrest"} and context.unrest[0] in ("Protests", "Riots"):
        incident = context.unrest  # an infobox's *Arrests 8,800*: the subject's arrests
    events: list[EventFact] = []
    arrests_alone = bool(by_group["arrests"]) or "arrest" in kinds
    if incident is not None:
        event_type, _ = incident
        chosen = by_group["violence"] + by_group["crowd"]
        if event_type == "Riots" and by_group["property"]:
            chosen += by_group["property"]  # looting and burning by rioters: the riot's damage
            by_group["property"] = []
        if event_type in ("Protests", "Riots") and arrests_alone:
            chosen += by_group["arrests"]
            arrests_alone = False
            incident = (incident[0], _intervened(incident[1]))
        anchor = _anchor(triggers, _INCIDENT_KINDS, chosen)
        events += _incident_events(context, incident, chosen, anchor, actors)
    if arrests_alone:
        anchor = _anchor(triggers, frozenset({"arrest"}), by_group["arrests"])
        events += _incident_events(
            context, ("Strategic developments", "Arrests"), by_group["arrests"], anchor, actors
        )
    if by_group["property"]:
        anchor = _anchor((), frozenset(), by_group["property"])
        events += _incident_events(
            context,
            ("Strategic developments", "Looting/property destruction"),
            by_group["property"],
            anchor,
            actors,
        )
    if by_group["deployment"] or "deploy" in kinds:
        events += _deployment_event(context, by_group["deployment"], actors)
    return events


#: Incident words whose crowd a bare number of people is (*fought about a hundred youths*).
_GATHERINGS = frozenset({"protest", "riot", "clash"})
#: Counts that stand alone even in a sentence of a disaster: deployments, damage, arrests.
_UNTOLD_KINDS = frozenset(
    {"troops", "military_vehicles", "buildings_damaged", "vehicles_damaged", "arrested"}
)
_INCIDENT_KINDS = frozenset(
    "protest riot clash attack bomb shoot terror abduct sexual battle torture".split()
)
_FIGHTING = frozenset({"riot", "clash", "battle", "shoot", "attack"})


def _anchor(triggers: Sequence[Trigger], kinds: frozenset[str], counts: Sequence[Count]) -> int:
    """The token an event hangs on: its first incident word, else its first count."""
    for trigger in triggers:
        if trigger.kind in kinds:
            return trigger.index
    return counts[0].token if counts else -1


def _incident_type(
    kinds: set[str], context: _Context, by_group: dict[str, list[Count]]
) -> tuple[str, str] | None:
    """The ACLED type of the sentence's incident, from its words together."""
    keys = context.sentence.keys
    suicide = "attack" in kinds and _any_stem(keys, lexicon.SUICIDE_STEMS)
    if "bomb" in kinds or suicide:
        suicide = suicide or _any_stem(keys, lexicon.SUICIDE_STEMS)
        return (
            "Explosions/Remote violence",
            "Suicide bomb" if suicide else "Remote explosive/landmine/IED",
        )
    if "battle" in kinds or (
        "clash" in kinds and "protest" not in kinds and _any_stem(keys, lexicon.ARMED_STEMS)
    ):
        return "Battles", "Armed clash"
    if "shoot" in kinds or "attack" in kinds or "terror" in kinds:
        if "protest" in kinds:
            if _any_stem(keys, lexicon.NON_STATE_STEMS):
                return "Violence against civilians", "Attack"  # armed group on protesters
            return "Protests", "Excessive force against protesters"
        if "riot" in kinds or "clash" in kinds:
            return "Riots", "Violent demonstration"
        if (
            "terror" in kinds
            or "shoot" in kinds
            or context.unrest[0] not in ("Protests", "Riots")
            or _any_stem(keys, lexicon.ARMED_STEMS)
        ):
            return "Violence against civilians", "Attack"
        return "Riots", "Violent demonstration"
    if "torture" in kinds and not kinds & _FIGHTING:
        return "Violence against civilians", "Attack"  # torture in custody
    if "abduct" in kinds:
        return "Violence against civilians", "Abduction/forced disappearance"
    if "sexual" in kinds:
        return "Violence against civilians", "Sexual violence"
    if "riot" in kinds or "clash" in kinds:
        return "Riots", "Violent demonstration"
    if "protest" in kinds:
        if any(c.kind == "fatalities" for c in by_group["violence"]):
            return "Protests", "Excessive force against protesters"
        return "Protests", "Peaceful protest"
    if by_group["violence"]:
        tokens = context.sentence.tokens
        police = any(
            c.token + 1 < len(tokens) and tokens[c.token + 1].key in lexicon.POLICE_NOUNS
            for c in by_group["violence"]
        )
        # police killed or hurt without a word of the incident: the crowd was violent
        return ("Riots", "Violent demonstration") if police else context.unrest
    if by_group["crowd"]:
        return "Protests", "Peaceful protest"
    return None


def _any_stem(keys: frozenset[str], stems: tuple[str, ...]) -> bool:
    """Whether a word of the sentence starts with one of ``stems``."""
    return any(key.startswith(stems) for key in keys)


def _incident_events(
    context: _Context,
    kind: tuple[str, str],
    counts: list[Count],
    anchor: int,
    actors: Sequence[str],
) -> list[EventFact]:
    """The events of one incident: at each of its places, with its counts at the first (or,
    when a kind of count repeats, each batch at the place named before it).

    Figures the sentence gives once for a list of places (*riots spread to West Bromwich and
    Wolverhampton, where 87 people were arrested in the area*) are no one place's: each
    place gets its event without them, and the figures make an event of their own at the
    area the places span (see :func:`_area`).
    """
    batches = _by_place(context, counts) if counts else [(counts, None)]
    events = []
    for batch, batch_anchor in batches:
        if batch_anchor is not None and batch_anchor.place is not None:
            place = batch_anchor.place
            places = [
                _Where(
                    place,
                    _precision_of(place),
                    0.8,
                    f"place: '{batch_anchor.surface}', named before the figures",
                    _token_at(context.sentence.tokens, batch_anchor.start),
                )
            ]
        else:
            places = _places(context, anchor if anchor >= 0 else (batch[0].token if batch else 0))
        tally = bool(batch) and _tally(context)
        owner = _owner_in_clause(context, places, batch)
        area = _area(places, context.focus) if batch and owner is None else None
        for number, where in enumerate([*places, area] if area else places):
            date, precision, basis = _date_at(context, where.token, anchor)
            if tally and precision == DAY:
                precision = WEEK  # figures counted up to a day, not on it
            first = owner if owner is not None else 0
            chosen = batch if where is area or (number == first and area is None) else []
            arrests = where is area and all(c.kind == "arrested" for c in chosen)
            event_type, sub_event_type = _GROUP_KINDS["arrests"][:2] if arrests else kind
            events.append(
                _event(
                    context,
                    where.place,
                    where.precision,
                    where.confidence,
                    event_type=event_type,
                    sub_event_type=sub_event_type,
                    disorder_type=_disorder(event_type),
                    actor1=actors[0] if actors else "",
                    actor2=actors[1] if len(actors) > 1 else "",
                    qualifiers=tuple((c.kind, c.qualifier) for c in chosen if c.qualifier),
                    notes=where.reason,
                    date=date,
                    time_precision=precision,
                    date_basis=basis,
                    **_values(chosen),
                )
            )
    return events


def _owner_in_clause(
    context: _Context, places: Sequence[_Where], counts: Sequence[Count]
) -> int | None:
    """The index of the one place in the clause of the figures, when the places lie in
    clauses of their own (*a bomb hit a post in Mosul, and a shooting in Kirkuk wounded 7*:
    Kirkuk's); ``None`` when the figures' clause holds none or several of them."""
    clauses = context.clauses
    if len(places) < 2 or not counts or not clauses:
        return None
    last = len(clauses) - 1
    at = [clauses[min(max(where.token, 0), last)] for where in places]
    told = {clauses[min(max(count.token, 0), last)] for count in counts}
    if len(set(at)) < 2 or len(told) != 1:
        return None
    owners = [number for number, clause in enumerate(at) if clause in told]
    return owners[0] if len(owners) == 1 else None


def _area(places: Sequence[_Where], focus: Place | None) -> _Where | None:
    """The area a list of places spans, where figures the sentence gives for all of them at
    once belong: their midpoint when they are neighbours in one country (the diagonal of the
    box around them within :data:`_AREA_KM`), else their country when it is the article's
    main one; ``None`` when the places are not such a list or have no common area to name.
    """
    if len(places) < 2 or not all(where.listed for where in places):
        return None
    spots = [where.place for where in places]
    countries = {place.country_code for place in spots}
    if len(countries) != 1 or None in countries:
        return None
    latitudes = [place.latitude for place in spots]
    longitudes = [place.longitude for place in spots]
    span = haversine_km(min(latitudes), min(longitudes), max(latitudes), max(longitudes))
    names = " and ".join(f"'{place.name}'" for place in spots)
    if span > _AREA_KM:
        if focus is None or focus.kind != "country" or focus.country_code not in countries:
            return None
        why = f"place: the country of {names}, for which the sentence gives one figure"
        return _Where(focus, 3, _COUNTRYWIDE, why, places[0].token)
    regions = {(place.admin1, place.region) for place in spots}
    admin1, region = regions.pop() if len(regions) == 1 else (None, None)
    area = Place(
        place_id="area:" + "+".join(place.place_id for place in spots),
        name=", ".join(place.name for place in spots),
        kind="area",
        country_code=spots[0].country_code,
        latitude=round(sum(latitudes) / len(spots), 4),
        longitude=round(sum(longitudes) / len(spots), 4),
        admin1=admin1,
        region=region,
    )
    why = f"place: the area of {names}, for which the sentence gives one figure"
    return _Where(area, 2, 0.6, why, places[0].token)


#: How far apart listed places may be for their midpoint to stand for the area they span.
_AREA_KM = 100.0


def _tally(context: _Context) -> bool:
    """Whether the sentence gives a running tally (*so far*, *hittills*, *к вечеру*)."""
    return _says(
        context.sentence, lexicon.CUMULATIVE_WORDS, lexicon.CUMULATIVE_PHRASES, _TALLY_HEADS
    )


_TALLY_HEADS = frozenset(phrase[0] for phrase in lexicon.CUMULATIVE_PHRASES)


def _deployment_event(
    context: _Context, counts: list[Count], actors: Sequence[str]
) -> list[EventFact]:
    place, precision, confidence = _destination(context)
    if place is None:
        return []
    # the date nearest the word that sends the forces, or their figure
    word = next((t.index for t in context.triggers if t.kind == "deploy"), -1)
    anchor = counts[0].token if counts else word
    date, time_precision, basis = (
        _date_at(context, -1, anchor)
        if anchor >= 0
        else (context.date, context.precision, context.basis)
    )
    return [
        _event(
            context,
            place,
            precision,
            confidence,
            date=date,
            time_precision=time_precision,
            date_basis=basis,
            event_type="Strategic developments",
            sub_event_type="Other",
            disorder_type="Strategic developments",
            actor1=_deployment_actor(context, actors),
            layer="deployments",
            notes="deployment",
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
    for mention in context.here:  # *sätta in 10 000 poliser i Tottenham*
        if (
            mention.place
            and mention.place.kind != "country"
            and _governor(context, mention) not in (None, "from")
        ):
            return mention.place, _precision_of(mention.place), 0.7
    if context.topic is not None:
        return context.topic, _precision_of(context.topic), 0.6
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


def _settle(events: list[EventFact], loose: set[int], unrest: tuple[str, str]) -> list[EventFact]:
    """The article's events with each incident once: loose figures attached, reports of one
    incident merged, arrests at a demonstration absorbed, deployments merged, a figure told
    at one place counted once."""
    events = _attach_figures(events, loose, unrest)
    events = _merge_deployments(_join_unplaced(_absorb_arrests(_merge_reports(events))))
    return _figures_once(events)


_DISTINCT = 10  # a figure this large told twice at one place is one figure, not a coincidence


def _figures_once(events: list[EventFact]) -> list[EventFact]:
    """A figure that two incidents of the article at one place, on dates that may be one,
    both give (a table's *197 killed* on the riot, the text's *197 died* on an attack
    there) is counted once: on the first; the later event keeps its other figures."""
    seen: dict[tuple[str, str, int], list[EventFact]] = {}
    kept = []
    for event in events:
        cleared: dict[str, object] = {}
        for name in COUNTS:
            value = getattr(event, name)
            if value is None or value < _DISTINCT:
                continue
            key = (event.place.place_id, name, value)
            if any(_same_time(other, event) for other in seen.get(key, [])):
                cleared[name] = None
            seen.setdefault(key, []).append(event)
        if cleared and event.layer == "incidents":
            qualifiers = tuple((k, q) for k, q in event.qualifiers if k not in cleared)
            event = replace(event, qualifiers=qualifiers, **cleared)  # type: ignore[arg-type]  # noqa: PLW2901
        kept.append(event)
    return kept


def _attach_figures(
    events: list[EventFact], loose: set[int], unrest: tuple[str, str]
) -> list[EventFact]:
    """Figures a sentence gives with no word of an incident (*Fem mennesker døde …*, a
    table's *Todesfälle 128+*), typed only as the article's ``unrest`` for want of a word,
    belong to the incident told at that place on a date that may be theirs, whatever its
    type: its counts, not an event of their own. Casualties and crowds only (arrests and
    damage stand as their own events, police hurt by a crowd tell a riot of their own)."""
    hosts: dict[str, list[int]] = {}
    for i, event in enumerate(events):
        if i not in loose and event.layer == "incidents" and event.sub_event_type not in _OWN:
            hosts.setdefault(event.place.place_id, []).append(i)
    kept = list(events)
    dropped: set[int] = set()
    for i in sorted(loose):
        event = events[i]
        if event.layer != "incidents" or (event.event_type, event.sub_event_type) != unrest:
            continue
        if any(getattr(event, name) is not None for name in _UNTOLD_KINDS):
            continue
        candidates = [j for j in hosts.get(event.place.place_id, []) if _same_time(kept[j], event)]
        if not candidates:
            continue
        target = min(candidates, key=lambda j: (kept[j].date != event.date, abs(j - i)))
        kept[target] = _merged(kept[target], event)  # one more report of it
        dropped.add(i)
    return [e for i, e in enumerate(kept) if i not in dropped]


_OWN = frozenset({"Arrests", "Looting/property destruction", "Other"})


def _merge_reports(events: list[EventFact]) -> list[EventFact]:
    """Reports of one incident in the article are one event: the same type at the same place
    on compatible dates (the same day, or one of them not known to the day). Each count keeps
    the figure :func:`figure_wins` picks (a total over its parts; a figure repeated counts
    once); a date known to the day wins over a month. Airport control events repeat only once each."""
    kept: list[EventFact] = []
    index: dict[tuple[str, str, str], list[int]] = {}
    for event in events:
        if event.layer == "infrastructure":
            key = (event.notes, event.place.place_id, event.actor1)
        elif event.layer == "deployments":
            kept.append(event)
            continue
        else:
            key = (event.event_type, event.place.place_id, "")
        slot = next(
            (i for i in index.get(key, []) if _same_time(kept[i], event)),
            None,
        )
        if slot is None:
            index.setdefault(key, []).append(len(kept))
            kept.append(event)
        elif event.layer != "infrastructure":
            kept[slot] = _merged(kept[slot], event)
    return kept


def _same_time(first: EventFact, second: EventFact) -> bool:
    """Dates that may be one incident's: the same day, the same month when either is known
    only to the month, or a stated day up to a week before a report that dates the other
    only by its own publication."""
    if first.date is None or second.date is None:
        return True
    if any(e.date_basis == _PUBLICATION and e.time_precision != DAY for e in (first, second)):
        return True  # dated only by a report's month (an encyclopedia's revision): unknown
    if _PUBLICATION in (first.date_basis, second.date_basis) and first.date_basis != (
        second.date_basis
    ):
        stated, reported = (first, second) if second.date_basis == _PUBLICATION else (second, first)
        if stated.date is None or reported.date is None:
            return True
        span = _SPAN_DAYS.get(stated.time_precision, 0)  # a week's or month's story goes on
        return 0 <= (reported.date - stated.date).days <= _RECENT_DAYS + span
    if first.time_precision == DAY and second.time_precision == DAY:
        return first.date == second.date
    return (first.date.year, first.date.month) == (second.date.year, second.date.month) or (
        DAY not in (first.time_precision, second.time_precision)
    )


_PLAIN_SUBTYPES = frozenset({"Peaceful protest", "Violent demonstration", "Attack", "Other"})


def _merged(first: EventFact, second: EventFact) -> EventFact:
    """``first`` with what ``second`` adds: its figures where they win (:func:`figure_wins`:
    a total over its parts, one figure told twice counted once), the evidence that gives the
    figures when ``first`` gave none, a finer date, a sharper sub-type."""
    values: dict[str, object] = {}
    qualifiers = dict(first.qualifiers)
    later = dict(second.qualifiers)
    for name in COUNTS:
        old, new = getattr(first, name), getattr(second, name)
        if figure_wins(
            new, old, new_qualifier=later.get(name, ""), old_qualifier=qualifiers.get(name, "")
        ):
            values[name] = new
            qualifiers.pop(name, None)
            qualifiers.update((k, q) for k, q in second.qualifiers if k == name)
    if not any(getattr(first, n) is not None for n in COUNTS) and any(
        getattr(second, n) is not None for n in COUNTS
    ):  # the sentence that gives the figures is the evidence to show
        values["evidence"] = second.evidence
        values["evidence_start"] = second.evidence_start
        values["evidence_end"] = second.evidence_end
    figures = [any(getattr(e, n) is not None for n in COUNTS) for e in (first, second)]
    if figures[0] != figures[1]:  # the date of the report that gives the figures, unless
        # that is only the day of a news report and the other report's date is stated
        take = figures[1] and not (
            second.date_basis == _PUBLICATION
            and second.time_precision == DAY
            and first.date_basis != _PUBLICATION
        )
    else:  # a date the text gives over the report's own; a finer one, unless only the report's
        take = (first.date_basis == _PUBLICATION and second.date_basis != _PUBLICATION) or (
            second.time_precision < first.time_precision
            and (second.date_basis != _PUBLICATION or first.date_basis == _PUBLICATION)
        )
    if second.date is not None and take:
        values["date"], values["time_precision"] = second.date, second.time_precision
        values["date_basis"] = second.date_basis
    if first.sub_event_type in _PLAIN_SUBTYPES and second.sub_event_type not in _PLAIN_SUBTYPES:
        values["sub_event_type"] = second.sub_event_type
    reports = _reports(first) + _reports(second)
    note = first.notes.split(_REPORTS)[0]
    return replace(
        first,
        qualifiers=tuple(qualifiers.items()),
        notes=f"{note}{_REPORTS}{reports} reports in the article",
        actor1=first.actor1 or second.actor1,
        actor2=first.actor2 or second.actor2,
        confidence=max(first.confidence, second.confidence),
        **values,  # type: ignore[arg-type]
    )


_REPORTS = "; "


def figure_wins(
    new: int | None, old: int | None, *, new_qualifier: str = "", old_qualifier: str = ""
) -> bool:
    """Whether a later report's figure of one incident in one article replaces the earlier.

    The figure reported first, the headline's or the lead's, stays: a figure repeated or
    rounded later counts once, a total is told before its parts (*44 killed* … *18 of
    them police*), and of two sources' close figures the first, the lower as often as not,
    stays (*one killed*, then medics' *two*). A later figure is taken where there was none;
    where the earlier report said none (*no one was hurt*, then *3 were injured*); where it
    is several times the earlier one, the whole that a story's first episode was part of
    (*four shot dead* in a scene, then *the clashes resulted in 48 deaths*); and where the
    earlier figure was a bound that the later exact one keeps (*more than 100 killed*, then
    a table's *128*; *nearly 8,000*, then *7,940*; *about 600*, then *585*).
    """
    if new is None:
        return False
    if old is None:
        return True
    if old == 0:
        return new > 0
    if new_qualifier:
        return False
    if new >= _FULLER * old:
        return True
    if old_qualifier in _LOWER_BOUNDS:
        return new > old
    if old_qualifier in _UPPER_BOUNDS:
        return new < old
    if old_qualifier == "about":
        return abs(new - old) <= _ABOUT * old
    return False


_LOWER_BOUNDS = frozenset({"over", "at least"})
_UPPER_BOUNDS = frozenset({"nearly", "up to"})
#: How many times an earlier figure a later one must be to be the whole it was a part of.
_FULLER = 3
_ABOUT = 0.2  # how far an exact figure may lie from *about* the same figure


def _reports(event: EventFact) -> int:
    tail = event.notes.rpartition(_REPORTS)[2]
    number = tail.split(" ", 1)[0]
    return int(number) if tail.endswith("reports in the article") and number.isdecimal() else 1


def _join_unplaced(events: list[EventFact]) -> list[EventFact]:
    """A report that names no place, placed at the article's country for want of one, on the
    day of one incident of its kind at a named place in that country, is that incident."""
    kept = list(events)
    dropped: set[int] = set()
    for i, event in enumerate(events):
        if (
            event.confidence > _UNPLACED
            or event.time_precision != DAY
            or event.layer != "incidents"
        ):
            continue
        hosts = {
            j
            for j, other in enumerate(kept)
            if j != i
            and j not in dropped
            and other.layer == "incidents"
            and other.confidence >= _NAMED
            and other.date == event.date
            and other.place.country_code == event.place.country_code
            and (
                other.event_type == event.event_type
                or (event.sub_event_type == "Arrests" and other.disorder_type == "Demonstrations")
            )
        }
        places = {kept[j].place.place_id for j in hosts}
        if len(places) != 1:
            continue
        target = min(hosts, key=lambda j: (kept[j].event_type != "Riots", j))
        host = kept[target]
        joined = _merged(host, event)
        if event.sub_event_type == "Arrests":
            joined = replace(joined, sub_event_type=_intervened(host.sub_event_type))
        kept[target] = joined
        dropped.add(i)
    return [e for i, e in enumerate(kept) if i not in dropped]


_UNPLACED = 0.5  # the confidence of an event placed at the article's country for want of a place


def _intervened(sub_event_type: str) -> str:
    """The sub-type of a demonstration where arrests were made: a peaceful protest becomes
    ACLED's *Protest with intervention*; any other keeps its own."""
    return "Protest with intervention" if sub_event_type == "Peaceful protest" else sub_event_type


def _absorb_arrests(events: list[EventFact]) -> list[EventFact]:
    """Arrests at the place of a demonstration, on a date that may be its own (the same
    day, or either known only to the month), are its police intervention (ACLED's *Protest
    with intervention*) and its arrested count, not an event of their own. A demonstration
    on the same day is taken before one whose day is not known."""
    demonstrations: dict[str, list[int]] = {}
    for i, e in enumerate(events):
        if e.disorder_type == "Demonstrations":
            demonstrations.setdefault(e.place.place_id, []).append(i)
    kept: list[EventFact] = list(events)
    dropped: set[int] = set()
    for i, event in enumerate(events):
        if event.sub_event_type != "Arrests":
            continue
        hosts = [
            j
            for j in demonstrations.get(event.place.place_id, [])
            if _same_time(kept[j], event)
            and (
                kept[j].geo_precision < 3
                or (
                    kept[j].date == event.date
                    and kept[j].time_precision == event.time_precision == DAY
                )
            )
        ]
        if not hosts:
            continue
        target = min(hosts, key=lambda j: (kept[j].date != event.date, j))
        host = kept[target]
        arrested = event.arrested if figure_wins(event.arrested, host.arrested) else host.arrested
        kept[target] = replace(
            host, arrested=arrested, sub_event_type=_intervened(host.sub_event_type)
        )
        dropped.add(i)
    return [e for i, e in enumerate(kept) if i not in dropped]


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
