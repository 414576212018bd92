"""Shared test factories: places, articles, events and flows written in our own words.

Test modules import these instead of keeping their own copies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from geomap.ingest import article_id
from geomap.records import Article, EventFact, Flow, Place, PubDate

ALMATY = Place("geonames:1526384", "Almaty", "city", "KZ", 43.25, 76.92, admin1="Almaty")
AIRPORT = Place("iata:ALA", "Almaty International Airport", "airport", "KZ", 43.35, 77.04)
KAZAKHSTAN = Place("iso3166:KZ", "Kazakhstan", "country", "KZ", 48.0, 68.0)
RUSSIA = Place("iso3166:RU", "Russia", "country", "RU", 55.75, 37.62)
CAPE_TOWN = Place("geonames:3369157", "Cape Town", "city", "ZA", -33.93, 18.42)


def make_article(
    text: str, *, source: str = "own-words.txt", published: PubDate | None = None
) -> Article:
    """An article of ``text`` read from ``source``."""
    return Article(
        id=article_id(text),
        source=source,
        title=text[:20],
        published=published,
        language="en",
        text=text,
    )


def make_event(article: Article, place: Place, *, start: int = 0, **fields: object) -> EventFact:
    """A peaceful protest at ``place`` on 2022-01-05, its evidence ten characters from ``start``;
    ``fields`` override any field."""
    base = EventFact(
        article_id=article.id,
        event_type="Protests",
        sub_event_type="Peaceful protest",
        disorder_type="Demonstrations",
        place=place,
        geo_precision=3 if place.kind == "country" else 1,
        evidence=article.text[start : start + 10],
        evidence_start=start,
        evidence_end=start + 10,
        date=dt.date(2022, 1, 5),
        time_precision=1,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def make_flow(article: Article, origin: Place, destination: Place, **fields: object) -> Flow:
    """A CSTO movement from ``origin`` to ``destination``; ``fields`` override any field."""
    base = Flow(
        article_id=article.id,
        actor="CSTO",
        origin=origin,
        destination=destination,
        evidence=article.text[:10],
        evidence_start=0,
        evidence_end=10,
    )
    return replace(base, **fields)  # type: ignore[arg-type]
