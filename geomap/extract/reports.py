"""One event, many reports: the same incident told by several articles counted once.

Reports of one incident (the same event type and layer at the same place, on dates that
overlap: the same day or the next when both are known to the day, the same month otherwise,
or one of them undated) become one :class:`MergedEvent` that lists every
report with its sentence and its own figures. Figures follow ACLED's practice of keeping the
most recent reliable figure: for each count, the value of the most recently published report
that gives one (reports without a publication date rank oldest; between reports of the same
day, the first read). A killed figure told by four articles is therefore one figure, never
their sum.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace

from geomap.records import COUNTS, DAY, EventFact, ParsedArticle, PubDate

_OVERLAP_DAYS = 1
_OLDEST = dt.date.min
#: A report's date and its ACLED time precision.
Dated = tuple[dt.date | None, int]


@dataclass(frozen=True, slots=True)
class Report:
    """One article's report of an event: where it came from, its sentence and its figures."""

    article_id: str
    source: str
    published: PubDate | None
    evidence: str
    date: dt.date | None
    figures: tuple[tuple[str, int], ...] = ()  # (count name, value) as this report gives them


@dataclass(frozen=True, slots=True)
class MergedEvent:
    """An event as several articles report it: one event, every report that tells of it.

    ``event`` carries the figures chosen by the rule of this module (the most
    recent report that gives a figure); ``reports`` lists every source in the order
    they were read, each with its own figures.
    """

    event: EventFact
    reports: tuple[Report, ...]

    @property
    def sources(self) -> int:
        """How many articles report the event."""
        return len({report.article_id for report in self.reports})


def merge_articles(parsed: Sequence[ParsedArticle]) -> list[MergedEvent]:
    """The events of several articles, each incident once with all its reports."""
    items: list[tuple[EventFact, Report, dt.date]] = []
    for article in parsed:
        published = article.article.published
        rank = published.date if published else _OLDEST
        for event in article.events:
            report = Report(
                article_id=event.article_id,
                source=article.article.source,
                published=published,
                evidence=event.evidence,
                date=event.date,
                figures=tuple(
                    (name, value) for name in COUNTS if (value := getattr(event, name)) is not None
                ),
            )
            items.append((event, report, rank))
    groups = group_reports(
        [_key(event) for event, _, _ in items],
        [(event.date, event.time_precision) for event, _, _ in items],
    )
    return [_merge([items[i] for i in group]) for group in groups]


def merge_key(
    layer: str, place_id: str, *, event_type: str, actor1: str, notes: str
) -> tuple[str, str, str]:
    """What two reports of one incident share: the layer, the place and the kind of event.

    A deployment is told apart by who deployed, an infrastructure event by what happened to
    it (its notes), any other event by its ACLED event type.
    """
    if layer == "deployments":
        return (layer, place_id, actor1)
    if layer == "infrastructure":  # without the "; 2 reports in the article" the article adds
        return (layer, place_id, notes.split("; ", maxsplit=1)[0].strip())
    return (layer, place_id, event_type)


def dates_overlap(first: Dated, second: Dated) -> bool:
    """Whether two reports' dates can be one incident's.

    The same day or the next when both are known to the day, the same month otherwise, and
    always when either is undated.
    """
    (first_date, first_precision), (second_date, second_precision) = first, second
    if first_date is None or second_date is None:
        return True
    if first_precision == DAY and second_precision == DAY:
        return abs((first_date - second_date).days) <= _OVERLAP_DAYS
    return (first_date.year, first_date.month) == (second_date.year, second_date.month)


def group_reports(keys: Sequence[Hashable], dates: Sequence[Dated]) -> list[list[int]]:
    """Reports in reading order grouped into incidents: lists of their indices.

    A report joins the first group of its :func:`merge_key` whose first report's date
    :func:`overlaps <dates_overlap>` its own, or starts a new group. The groups of a key are
    found by their first reports' days and months (:class:`_Firsts`), not tried one by one:
    a key told on many days has many groups.
    """
    groups: list[list[int]] = []
    firsts: dict[Hashable, _Firsts] = {}
    for i, (key, date) in enumerate(zip(keys, dates, strict=True)):
        known = firsts.get(key)
        slot = known.overlapping(date) if known is not None else None
        if slot is None:
            if known is None:
                known = firsts[key] = _Firsts()
            known.add(date, len(groups))
            groups.append([i])
        else:
            groups[slot].append(i)
    return groups


class _Firsts:
    """The groups of one key by their first report's date: for each day (reports known to
    the day), month (others) and undated, the first group, which is the one a report joins
    among those whose dates overlap its own (:func:`dates_overlap`)."""

    __slots__ = ("any", "day", "month", "month_not_day", "undated")

    def __init__(self) -> None:
        self.any: int | None = None
        self.undated: int | None = None
        self.day: dict[int, int] = {}  # by the day's ordinal
        self.month: dict[tuple[int, int], int] = {}
        self.month_not_day: dict[tuple[int, int], int] = {}

    def add(self, dated: Dated, group: int) -> None:
        """Note ``group``, started by a report of date ``dated`` (groups in increasing order)."""
        date, precision = dated
        if self.any is None:
            self.any = group
        if date is None:
            if self.undated is None:
                self.undated = group
            return
        month = (date.year, date.month)
        self.month.setdefault(month, group)
        if precision == DAY:
            self.day.setdefault(date.toordinal(), group)
        else:
            self.month_not_day.setdefault(month, group)

    def overlapping(self, dated: Dated) -> int | None:
        """The first group whose first report's date overlaps ``dated``, if any."""
        date, precision = dated
        if date is None:
            return self.any
        month = (date.year, date.month)
        if precision == DAY:
            found = [self.month_not_day.get(month)]
            day = date.toordinal()
            found += [self.day.get(day + shift) for shift in _SHIFTS]
        else:
            found = [self.month.get(month)]
        found.append(self.undated)
        return min((group for group in found if group is not None), default=None)


#: The days around a report's day whose reports it can be one incident with.
_SHIFTS = tuple(range(-_OVERLAP_DAYS, _OVERLAP_DAYS + 1))


def newest_first(published: Sequence[dt.date | None]) -> list[int]:
    """Positions of a group's reports, the most recently published first.

    Reports without a publication date rank oldest; between reports of the same day, the
    one read first comes first. The first report giving a figure gives it (ACLED keeps the
    most recent figure).
    """
    ranks = [date or _OLDEST for date in published]
    return sorted(range(len(ranks)), key=lambda i: (ranks[i], -i), reverse=True)


def _key(event: EventFact) -> tuple[str, str, str]:
    return merge_key(
        event.layer,
        event.place.place_id,
        event_type=event.event_type,
        actor1=event.actor1,
        notes=event.notes,
    )


def pick_figures(
    figures: Sequence[Mapping[str, int | None]], published: Sequence[dt.date | None]
) -> dict[str, int]:
    """For each count some report of a group gives, the position of the report whose value wins.

    ``figures`` are the reports' counts in reading order, ``published`` their publication
    dates; the most recently published report that gives a count gives it
    (:func:`newest_first`).
    """
    order = newest_first(published)
    chosen: dict[str, int] = {}
    for name in COUNTS:
        winner = next((i for i in order if figures[i].get(name) is not None), None)
        if winner is not None:
            chosen[name] = winner
    return chosen


def pick_date(dates: Sequence[Dated]) -> Dated:
    """A group's date: its first report's, or the first one known to the day if that is not."""
    first = dates[0]
    if first[1] == DAY:
        return first
    return next(((d, p) for d, p in dates if p == DAY and d is not None), first)


def _merge(group: list[tuple[EventFact, Report, dt.date]]) -> MergedEvent:
    events = [event for event, _, _ in group]
    chosen = pick_figures(
        [{name: getattr(event, name) for name in COUNTS} for event in events],
        [rank if rank != _OLDEST else None for _, _, rank in group],
    )
    values: dict[str, object] = dict.fromkeys(COUNTS)
    qualifiers: dict[str, str] = {}
    for name, i in chosen.items():
        values[name] = getattr(events[i], name)
        qualifiers.update((k, q) for k, q in events[i].qualifiers if k == name)
    first = events[0]
    values["date"], values["time_precision"] = pick_date(
        [(event.date, event.time_precision) for event in events]
    )
    merged = replace(first, qualifiers=tuple(qualifiers.items()), **values)  # type: ignore[arg-type]
    return MergedEvent(event=merged, reports=tuple(report for _, report, _ in group))
