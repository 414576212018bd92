"""Compose the stages: ingest → extract → geocode → events (→ join → store → render)."""

from __future__ import annotations

import logging
from typing import Any

from geomap.errors import GeomapError
from geomap.extract.events import extract_events
from geomap.extract.mentions import spot
from geomap.extract.text import sentences
from geomap.geocode import CachedGeocoder, OfflineGazetteer, get_geocoder, resolve_mentions
from geomap.ingest import IngestOptions, load
from geomap.records import Article, ParsedArticle

log = logging.getLogger(__name__)


def parse_article(
    article: Article, *, geocoder: OfflineGazetteer | CachedGeocoder
) -> ParsedArticle:
    """Mentions, events and flows of one article already read."""
    gazetteer = (
        geocoder.fallback.gazetteer if isinstance(geocoder, CachedGeocoder) else geocoder.gazetteer
    )
    split = sentences(article.text)
    spotted = spot(article.id, article.text, split, language=article.language, gazetteer=gazetteer)
    mentions = resolve_mentions(spotted, geocoder=geocoder)
    events, flows = extract_events(article, split, mentions)
    return ParsedArticle(
        article=article,
        mentions=tuple(m for m in mentions if m.place is not None),
        events=tuple(events),
        flows=tuple(flows),
        unresolved=tuple(m for m in mentions if m.place is None),
    )


def parse(
    source: str,
    *,
    geocoder: OfflineGazetteer | CachedGeocoder | None = None,
    options: IngestOptions | None = None,
    **geocoder_options: Any,
) -> ParsedArticle:
    """Read one source (file, URL or ``-``) and return what it reports.

    Raises
    ------
    GeomapError
        When the source cannot be read or geocoding fails.
    """
    article = load(source, options=options or IngestOptions())
    return parse_article(article, geocoder=geocoder or get_geocoder("offline", **geocoder_options))


def parse_many(
    sources: list[str], *, geocoder: OfflineGazetteer | CachedGeocoder, options: IngestOptions
) -> list[ParsedArticle | GeomapError]:
    """Parse each source; a failure is returned in its place and never stops the others."""
    results: list[ParsedArticle | GeomapError] = []
    for source in sources:
        try:
            results.append(parse(source, geocoder=geocoder, options=options))
        except GeomapError as exc:
            log.info("skipped: %s", exc)
            results.append(exc)
    return results
