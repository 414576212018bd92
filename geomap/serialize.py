"""Records as JSON-ready dicts with the DESIGN.md column names (used by ``parse --json``)."""

from __future__ import annotations

from typing import Any

from geomap.extract.events import event_id
from geomap.records import EventFact, Flow, Mention, ParsedArticle

COUNT_COLUMNS = (
    "fatalities",
    "injured",
    "arrested",
    "troops",
    "military_vehicles",
    "buildings_damaged",
    "vehicles_damaged",
    "crowd_size",
)


def mention_row(mention: Mention) -> dict[str, Any]:
    """A mention with its span and place."""
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
    }


def event_row(event: EventFact, *, source: str) -> dict[str, Any]:
    """An event with ACLED's column names first, then geomap's."""
    place = event.place
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
        "actor2": event.actor2,
        "iso": place.country_code,
        "country": place.name if place.kind == "country" else None,
        "admin1": place.admin1,
        "location": place.name,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "geo_precision": event.geo_precision,
        "source": source,
        "notes": event.notes,
    }
    row |= {column: getattr(event, column) for column in COUNT_COLUMNS}
    row |= {
        "qualifiers": dict(event.qualifiers),
        "place_id": place.place_id,
        "article_id": event.article_id,
        "evidence": event.evidence,
        "evidence_start": event.evidence_start,
        "evidence_end": event.evidence_end,
        "layer": event.layer,
        "confidence": event.confidence,
    }
    return row


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
            "source": article.source,
            "title": article.title,
            "published": str(article.published) if article.published else None,
            "language": article.language,
        },
        "mentions": [mention_row(m) for m in parsed.mentions],
        "unresolved": [mention_row(m) for m in parsed.unresolved],
        "events": [event_row(e, source=article.source) for e in parsed.events],
        "flows": [flow_row(f) for f in parsed.flows],
    }
