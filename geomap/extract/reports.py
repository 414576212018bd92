"""One event, many reports: the same incident told by several articles counted once.

Reports of one incident (the same event type and layer at the same place, on dates that
overlap: the same day or the next when both are known to the day, the same month otherwise,
or one of them undated) become one :class:`~geomap.records.MergedEvent` that lists every
report with its sentence and its own figures. Figures follow ACLED's practice of keeping the
most recent reliable figure: for each count, the value of the most recently published report
that gives one (reports without a publication date rank oldest; between reports of the same
day, the first read). A killed figure told by four articles is therefore one figure, never
their sum.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from geomap.records import DAY, EventFact, MergedEvent, ParsedArticle, Report

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
_OVERLAP_DAYS = 1
_OLDEST = dt.date.min


def merge_articles(parsed: Sequence[ParsedArticle]) -> list[MergedEvent]:
    """The events of several articles, each incident once with all its reports."""
    groups: list[list[tuple[EventFact, Report, dt.date]]] = []
    index: dict[tuple[str, str, str, str], list[int]] = {}
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
            key = _key(event)
            slot = next((i for i in index.get(key, []) if _overlap(groups[i][0][0], event)), None)
            if slot is None:
                index.setdefault(key, []).append(len(groups))
                groups.append([(event, report, rank)])
            else:
                groups[slot].append((event, report, rank))
    return [_merge(group) for group in groups]


def _key(event: EventFact) -> tuple[str, str, str, str]:
    if event.layer == "deployments":
        return (event.layer, event.place.place_id, event.actor1, "")
    if event.layer == "infrastructure":
        return (event.layer, event.place.place_id, event.notes, "")
    return (event.layer, event.place.place_id, event.event_type, "")


def _overlap(first: EventFact, second: EventFact) -> bool:
    if first.date is None or second.date is None:
        return True
    if first.time_precision == DAY and second.time_precision == DAY:
        return abs((first.date - second.date).days) <= _OVERLAP_DAYS
    return (first.date.year, first.date.month) == (second.date.year, second.date.month)


def _merge(group: list[tuple[EventFact, Report, dt.date]]) -> MergedEvent:
    first = group[0][0]
    newest_first = sorted(range(len(group)), key=lambda i: (group[i][2], -i), reverse=True)
    values: dict[str, object] = {}
    qualifiers: dict[str, str] = {}
    for name in COUNTS:
        for i in newest_first:
            event = group[i][0]
            value = getattr(event, name)
            if value is not None:
                values[name] = value
                qualifiers.update((k, q) for k, q in event.qualifiers if k == name)
                break
        else:
            values[name] = None
    precise = [e for e, _, _ in group if e.time_precision == DAY and e.date is not None]
    if precise and first.time_precision != DAY:
        values["date"], values["time_precision"] = precise[0].date, DAY
    merged = replace(first, qualifiers=tuple(qualifiers.items()), **values)  # type: ignore[arg-type]
    return MergedEvent(event=merged, reports=tuple(report for _, report, _ in group))
