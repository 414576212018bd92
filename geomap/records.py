"""Frozen records passed between the pipeline stages.

The stages exchange these plain records, never dicts with an implied schema. Every mention
and event keeps its character span in the article text and the article's id, so each figure
on a map can be traced back to the sentence that supports it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

#: ACLED time precision codes.
DAY, WEEK, MONTH = 1, 2, 3

_DATE = re.compile(r"(\d{1,4})-(\d{1,2})(?:-(\d{1,2}))?")


@dataclass(frozen=True, slots=True)
class PubDate:
    """A date known to the day (precision 1) or only to the month (precision 3)."""

    date: dt.date
    precision: int = DAY

    def __str__(self) -> str:
        if self.precision == MONTH:
            return self.date.strftime("%Y-%m")
        return self.date.isoformat()

    @classmethod
    def parse(cls, text: str) -> PubDate:
        """Read ``YYYY-MM`` or ``YYYY-MM-DD``.

        Raises
        ------
        ValueError
            When ``text`` is neither form or not a real date.
        """
        match = _DATE.fullmatch(text.strip())
        if match is None:
            msg = f"not a date of the form YYYY-MM or YYYY-MM-DD: {text!r}"
            raise ValueError(msg)
        year, month, day = match.groups()
        try:
            date = dt.date(int(year), int(month), int(day or 1))
        except ValueError as err:
            msg = f"not a real date: {text!r} ({err}); write it as YYYY-MM or YYYY-MM-DD"
            raise ValueError(msg) from None
        return cls(date, MONTH if day is None else DAY)


@dataclass(frozen=True, slots=True)
class Article:
    """One article: its normalised text and what is known about it."""

    id: str
    source: str
    title: str | None
    published: PubDate | None
    language: str
    text: str


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry or a geocoder answer."""

    place_id: str
    name: str
    kind: str
    country_code: str | None
    latitude: float
    longitude: float
    population: int = 0
    admin1: str | None = None
    score: float = 0.0
    source: str = "offline"
    #: The name of the first-level region the place lies in (ACLED's ``admin1``), if known.
    region: str | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """A place named in the text, with its character span ``text[start:end]``.

    ``feature`` is a hint such as ``"airport"`` when the words point to a facility of the
    named place (*flyplassen i Almaty*); ``place`` is ``None`` when no gazetteer entry fits.
    """

    article_id: str
    start: int
    end: int
    surface: str
    key: str
    feature: str | None = None
    place: Place | None = None
    #: Why ``place`` won: the parts of its score (name, focus, qualifier, nearby towns …).
    ranking: tuple[tuple[str, float], ...] = ()


#: The count fields of :class:`EventFact`, in the order outputs show them.
COUNTS = (
    "fatalities",
    "injured",
    "arrested",
    "troops",
    "military_vehicles",
    "buildings_damaged",
    "vehicles_damaged",
    "crowd_size",
)


@dataclass(frozen=True, slots=True)
class EventFact:
    """One event the text reports, tied to the place where it happened.

    Counts the text does not give are ``None``, never 0. ``qualifiers`` maps a count name
    to its qualifier as written (*minst*, *over*, *nearly*).
    """

    article_id: str
    event_type: str
    sub_event_type: str
    disorder_type: str
    place: Place
    geo_precision: int
    evidence: str
    evidence_start: int
    evidence_end: int
    date: dt.date | None = None
    time_precision: int = MONTH
    actor1: str = ""
    assoc_actor_1: str = ""
    actor2: str = ""
    fatalities: int | None = None
    injured: int | None = None
    arrested: int | None = None
    troops: int | None = None
    military_vehicles: int | None = None
    buildings_damaged: int | None = None
    vehicles_damaged: int | None = None
    crowd_size: int | None = None
    qualifiers: tuple[tuple[str, str], ...] = ()
    notes: str = ""
    layer: str = "incidents"
    confidence: float = 0.5
    #: Where the date comes from: ``"text"`` (the sentence), ``"context"`` (an earlier
    #: sentence or a heading) or ``"publication"`` (the report's own date, for want of one).
    date_basis: str = ""


@dataclass(frozen=True, slots=True)
class Flow:
    """A movement from one place to another, such as a contingent sent to a country."""

    article_id: str
    actor: str
    origin: Place
    destination: Place
    evidence: str
    evidence_start: int
    evidence_end: int
    troops: int | None = None
    military_vehicles: int | None = None
    date: dt.date | None = None
    time_precision: int = MONTH
    layer: str = "deployments"


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    """What geomap read in one article."""

    article: Article
    mentions: tuple[Mention, ...] = ()
    events: tuple[EventFact, ...] = ()
    flows: tuple[Flow, ...] = ()
    unresolved: tuple[Mention, ...] = field(default=())
