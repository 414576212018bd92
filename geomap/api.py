"""geomap from Python: articles in, GeoDataFrames out.

>>> import geomap
>>> events, flows = geomap.read_articles(["examples/kazakhstan-2022-01.en.txt"])
>>> events[["event_date", "event_type", "location", "fatalities"]].head()
>>> store = geomap.read_store("out/geomap.gpkg")
>>> store.events.explore()  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from geomap.errors import GeomapError
from geomap.settings import Settings

if TYPE_CHECKING:
    import geopandas

    from geomap.records import ParsedArticle
    from geomap.store import StoreContents


def read_articles(
    paths: Iterable[str | os.PathLike[str]],
    *,
    language: str | None = None,
    skip_failed: bool = False,
    settings: Settings | None = None,
) -> tuple[geopandas.GeoDataFrame, geopandas.GeoDataFrame]:
    """Read articles and return their events and flows as GeoDataFrames (EPSG:4326).

    Parameters
    ----------
    paths
        Files, folders, glob patterns, URLs or ``-`` (standard input).
    language
        Force the language of every article (``"nb"``, ``"en"``, ``"ru"`` ...).
    skip_failed
        Leave out a source that cannot be read (it is logged) instead of raising.
    settings
        Geocoder, timeouts and size limit (default: :meth:`Settings.load`, i.e. the
        environment and ``geomap.toml``).

    Returns
    -------
    tuple of GeoDataFrame
        ``events``: one row per event, ACLED's 31 columns in ACLED's order then geomap's;
        points, or a country's outline for country-level figures. ``flows``: one row per
        movement (a contingent sent), as origin → destination lines.

    Raises
    ------
    GeomapError
        When a source cannot be read (unless ``skip_failed``) or the geocoder fails.
    """
    from geomap import join
    from geomap.ingest import expand_sources
    from geomap.pipeline import parse_many, prepare

    run = prepare(settings or Settings.load(), language=language, geocoder=True)
    if run.geocoder is None:  # prepare(geocoder=True) always opens one
        msg = "no geocoder could be opened"
        raise GeomapError(msg)
    sources = expand_sources([os.fspath(path) for path in paths])
    parsed: list[ParsedArticle] = []
    for result in parse_many(sources, geocoder=run.geocoder, options=run.options):
        if isinstance(result, GeomapError):
            if not skip_failed:
                raise result
            continue
        parsed.append(result)
    return join.events_frame(parsed), join.flows_frame(parsed)


def read_store(path: str | os.PathLike[str]) -> StoreContents:
    """Read a store that ``geomap build`` wrote.

    Returns
    -------
    StoreContents
        ``events`` and ``flows`` as GeoDataFrames (EPSG:4326, the columns of
        :func:`read_articles`) and ``articles`` as a DataFrame (id, source, title,
        publication date, language, length).

    Raises
    ------
    GeomapError
        When the file is missing, or not a store geomap wrote.
    """
    from geomap import store
    from geomap.errors import StoreError

    location = Path(path)
    if not location.is_file():
        msg = f"no store at {location}; run 'geomap build' first"
        raise StoreError(msg)
    return store.read(location)
