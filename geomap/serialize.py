"""Records as JSON-ready dicts with the DESIGN.md column names (used by ``parse --json``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Mapping
from typing import Any

from geomap import acled
from geomap.extract.events import event_id
from geomap.records import COUNTS, EventFact, Flow, Mention, ParsedArticle, Place

COUNT_COLUMNS = COUNTS  # the event columns that hold a count


def mention_row(mention: Mention) -> dict[str, Any]:
    """A mention with its span, its place and the parts of the score that chose the place."""
    place = mention.place
    return {
        "start": mention.start,
        "end": mention.end,
        "text": mention.surface,
        "place_id": place.place_id if place else None,
        "name": place.name if place else None,
        "kind": place.kind if place else None,
        "country_code": place.country_code if place else None,
        "latitude": place.latitude if place else None,
        "longitude": place.longitude if place else None,
        "region": place.region if place else None,
        "ranking": dict(mention.ranking),
    }


#: geomap's event columns, after ACLED's 31.
GEOMAP_EVENT_COLUMNS = (
    "country_code",
    *(column for column in COUNT_COLUMNS if column != "fatalities"),
    "qualifiers",
    "place_id",
    "article_id",
    "evidence",
    "evidence_start",
    "evidence_end",
    "layer",
    "confidence",
)


def stored_source(source: str) -> str:
    """How the store keeps an article's source: a URL (without credentials) or ``-`` as
    given, a local file as ``DIGEST/NAME``, the digest of its absolute path telling apart
    files of one name in different folders without writing the folder anywhere.
    """
    if source in {"-", "<stdin>"}:
        return source
    if "://" in source:
        return acled.public_source(source)
    digest = hashlib.sha256(os.path.abspath(source).encode("utf-8", "surrogatepass"))
    return f"{digest.hexdigest()[:12]}/{acled.public_source(source)}"


def shown_source(source: str) -> str:
    """An article's source (as given, or as stored) as outputs show it: a URL, or a name."""
    return acled.public_source(source)


def event_row(event: EventFact, *, source: str, published: dt.date | None = None) -> dict[str, Any]:
    """An event with ACLED's 31 columns in ACLED's order first, then geomap's.

    ``source`` is the article's source (shown as :func:`shown_source`), ``published`` its
    publication date (ACLED's ``timestamp``).
    """
    place = event.place
    inter1, inter2 = acled.actor_type(event.actor1), acled.actor_type(event.actor2)
    qualifiers = dict(event.qualifiers)
    row: dict[str, Any] = {
        "event_id_cnty": event_id(event),
        "event_date": event.date.isoformat() if event.date else None,
        "year": event.date.year if event.date else None,
        "time_precision": event.time_precision,
        "disorder_type": event.disorder_type,
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "actor1": event.actor1,
        "assoc_actor_1": event.assoc_actor_1,
        "inter1": inter1,
        "actor2": event.actor2,
        "assoc_actor_2": None,
        "inter2": inter2,
        "interaction": acled.interaction(inter1, inter2),
        "civilian_targeting": "Civilian targeting" if inter2 == acled.CIVILIANS else None,
        "iso": acled.iso_numeric(place.country_code),
        "region": acled.region(place.country_code),
        "country": place.name if place.kind == "country" else None,
        "admin1": admin1_name(place),
        "admin2": None,
        "admin3": None,
        "location": place.name,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "geo_precision": event.geo_precision,
        "source": shown_source(source),
        "source_scale": None,
        "notes": summary(event),
        "fatalities": event.fatalities,
        "tags": acled.tags(event.event_type, event.crowd_size, qualifiers.get("crowd_size")),
        "timestamp": acled.timestamp(published),
        "country_code": place.country_code,
    }
    row |= {column: getattr(event, column) for column in COUNT_COLUMNS if column != "fatalities"}
    row |= {
        "qualifiers": qualifiers,
        "place_id": place.place_id,
        "article_id": event.article_id,
        "evidence": event.evidence,
        "evidence_start": event.evidence_start,
        "evidence_end": event.evidence_end,
        "layer": event.layer,
        "confidence": event.confidence,
    }
    return row


def admin1_name(place: Place) -> str | None:
    """ACLED's ``admin1`` (a first-level region's name) where the gazetteer gives one.

    A place that is a region is its own admin1; another has the name of its region when the
    resolve stage found it (:attr:`Place.region`). GeoNames' admin1 of a town is a code
    (``"02"``), not a name, and is left out rather than written where a name belongs.
    """
    if place.kind == "region":
        return place.name
    if place.region:
        return place.region
    admin1 = (place.admin1 or "").strip()
    if len(admin1) > 3 and not any(ch.isdigit() for ch in admin1):
        return admin1
    return None


_SUMMARY_COUNTS = (
    ("fatalities", "killed"),
    ("injured", "injured"),
    ("arrested", "detained"),
    ("troops", "troops"),
    ("military_vehicles", "military vehicles"),
    ("buildings_damaged", "buildings attacked"),
    ("vehicles_damaged", "vehicles attacked"),
    ("crowd_size", "in the crowd"),
)


def summary(event: EventFact) -> str:
    """ACLED's ``notes``: one line saying when, where, who, what and how many."""
    qualifiers = dict(event.qualifiers)
    when = f"On {event.date.isoformat()}" if event.date else "Undated"
    who = " and ".join(a for a in (event.actor1, event.actor2) if a)
    with_ = f" (with {event.assoc_actor_1})" if event.assoc_actor_1 else ""
    what = (event.notes or f"{event.event_type} ({event.sub_event_type})").strip()
    figures = figures_text({column: getattr(event, column) for column in COUNT_COLUMNS}, qualifiers)
    text = f"{when}, {event.place.name}: {what}"
    text += f"; {who}{with_}" if who else ""
    text += f"; {figures}" if figures else ""
    return " ".join(text.split()) + "."


def figures_text(counts: Mapping[str, int | None], qualifiers: Mapping[str, str]) -> str:
    """The figures part of ``notes``: ``at least 164 killed, 2,030 troops``."""
    return ", ".join(
        " ".join(f"{qualifiers.get(column, '')} {value:,} {word}".split())
        for column, word in _SUMMARY_COUNTS
        if (value := counts.get(column)) is not None
    )


def flow_row(flow: Flow) -> dict[str, Any]:
    """A flow: origin and destination ids, contingent and evidence."""
    return {
        "actor": flow.actor,
        "origin_place_id": flow.origin.place_id,
        "origin": flow.origin.name,
        "destination_place_id": flow.destination.place_id,
        "destination": flow.destination.name,
        "troops": flow.troops,
        "military_vehicles": flow.military_vehicles,
        "event_date": flow.date.isoformat() if flow.date else None,
        "time_precision": flow.time_precision,
        "article_id": flow.article_id,
        "evidence": flow.evidence,
        "evidence_start": flow.evidence_start,
        "evidence_end": flow.evidence_end,
        "layer": flow.layer,
    }


def parsed_to_json(parsed: ParsedArticle) -> dict[str, Any]:
    """One article's ``parse --json`` object."""
    article = parsed.article
    return {
        "article": {
            "id": article.id,
            "source": shown_source(article.source),
            "title": article.title,
            "published": str(article.published) if article.published else None,
            "language": article.language,
        },
        "mentions": [mention_row(m) for m in parsed.mentions],
        "unresolved": [mention_row(m) for m in parsed.unresolved],
        "events": [
            event_row(
                e,
                source=article.source,
                published=article.published.date if article.published else None,
            )
            for e in parsed.events
        ],
        "flows": [flow_row(f) for f in parsed.flows],
    }
