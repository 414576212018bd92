"""Join extracted records to geometry: GeoDataFrames in EPSG:4326 with DESIGN.md's columns.

Events become points, except country-level events (a figure for a whole country), which carry
the country's outline so that a country-wide figure is never drawn as if it happened at one
point; their ``latitude``/``longitude`` still give a representative point. Flows become
origin → destination lines. Everything here is pure: records in, frames out.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

import geopandas
import numpy as np
import pandas as pd
import shapely

from geomap import acled
from geomap.records import ParsedArticle
from geomap.serialize import (
    COUNT_COLUMNS,
    GEOMAP_EVENT_COLUMNS,
    event_row,
    flow_row,
    shown_source,
)
from geomap.shapes import country_shape, country_shapes

CRS = "EPSG:4326"

#: ACLED's 31 columns, in ACLED's order, then geomap's.
EVENT_COLUMNS = (*acled.COLUMNS, *GEOMAP_EVENT_COLUMNS)
FLOW_COLUMNS = (
    "flow_id",
    "actor",
    "origin_place_id",
    "origin",
    "destination_place_id",
    "destination",
    "troops",
    "military_vehicles",
    "event_date",
    "time_precision",
    "source",
    "article_id",
    "evidence",
    "evidence_start",
    "evidence_end",
    "layer",
)
ARTICLE_COLUMNS = ("article_id", "source", "title", "published", "language", "characters")
_INT_COLUMNS = (
    *COUNT_COLUMNS,
    "year",
    "time_precision",
    "inter1",
    "inter2",
    "interaction",
    "iso",
    "timestamp",
    "geo_precision",
    "evidence_start",
    "evidence_end",
    "characters",
)


def points(latitudes: Sequence[float], longitudes: Sequence[float]) -> np.ndarray:
    """Points from geopy's (lat, lon) order: the one place where the axes are swapped.

    Shapely, GeoJSON and GeoPandas put x = longitude first.
    """
    return np.asarray(
        shapely.points(np.asarray(longitudes, dtype=float), np.asarray(latitudes, dtype=float))
    )


def events_frame(parsed: Iterable[ParsedArticle]) -> geopandas.GeoDataFrame:
    """All events of the articles, one row each, in a stable order."""
    rows = [
        _event_record(
            event_row(
                event,
                source=item.article.source,
                published=item.article.published.date if item.article.published else None,
            )
        )
        for item in parsed
        for event in item.events
    ]
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    geometry = points(frame["latitude"].to_numpy(float), frame["longitude"].to_numpy(float))
    for index, row in enumerate(rows):
        shape = _country_geometry(row)
        if shape is not None:
            geometry[index] = shape
    return _finish(frame, geometry, EVENT_COLUMNS, key="event_id_cnty")


def flows_frame(parsed: Iterable[ParsedArticle]) -> geopandas.GeoDataFrame:
    """All flows of the articles as origin → destination lines."""
    rows: list[dict[str, Any]] = []
    geometry = []
    for item in parsed:
        for flow in item.flows:
            row = flow_row(flow)
            row["flow_id"] = _flow_id(row)
            row["source"] = shown_source(item.article.source)
            rows.append(row)
            ends = points(
                [flow.origin.latitude, flow.destination.latitude],
                [flow.origin.longitude, flow.destination.longitude],
            )
            geometry.append(shapely.linestrings(shapely.get_coordinates(ends)))
    frame = pd.DataFrame(rows, columns=list(FLOW_COLUMNS))
    return _finish(frame, geometry, FLOW_COLUMNS, key="flow_id")


def articles_frame(parsed: Iterable[ParsedArticle]) -> pd.DataFrame:
    """One row per article: id, source, title, publication date, language, length."""
    rows = [
        {
            "article_id": item.article.id,
            "source": item.article.source,
            "title": item.article.title,
            "published": str(item.article.published) if item.article.published else None,
            "language": item.article.language,
            "characters": len(item.article.text),
        }
        for item in parsed
    ]
    frame = pd.DataFrame(rows, columns=list(ARTICLE_COLUMNS))
    frame["characters"] = frame["characters"].astype("Int64")
    return frame.sort_values("article_id", kind="stable").reset_index(drop=True)


def empty_events() -> geopandas.GeoDataFrame:
    """An events frame with no rows and the right columns."""
    return events_frame([])


def empty_flows() -> geopandas.GeoDataFrame:
    """A flows frame with no rows and the right columns."""
    return flows_frame([])


def conform(
    frame: pd.DataFrame, columns: Sequence[str], *, key: str
) -> geopandas.GeoDataFrame | pd.DataFrame:
    """Give a frame read back from a file the dtypes and order this module writes."""
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    geometry = frame.geometry if isinstance(frame, geopandas.GeoDataFrame) else None
    typed = _typed(frame[list(columns)].copy())
    if geometry is None:
        return typed.sort_values(key, kind="stable").reset_index(drop=True)
    return _finish(typed, list(geometry), columns, key=key)


def _event_record(row: dict[str, Any]) -> dict[str, Any]:
    row["qualifiers"] = json.dumps(row["qualifiers"], sort_keys=True, ensure_ascii=False)
    # ACLED names the country on every row, not only on country-level ones, and one country
    # always by the same name (Natural Earth's), so a column filter finds all its rows.
    row["country"] = _country_names().get(str(row["country_code"] or "").upper(), row["country"])
    return row


@functools.cache
def _country_names() -> dict[str, str]:
    shapes = country_shapes()
    return dict(zip(shapes["iso"], shapes["name"], strict=True))


def _country_geometry(row: dict[str, Any]) -> shapely.Geometry | None:
    if not str(row["place_id"]).startswith("iso3166:") or not row["country_code"]:
        return None
    return country_shape(row["country_code"])


def _flow_id(row: dict[str, Any]) -> str:
    key = "|".join(
        str(row[c])
        for c in (
            "article_id",
            "actor",
            "origin_place_id",
            "destination_place_id",
            "evidence_start",
        )
    )
    return "F" + hashlib.sha256(key.encode()).hexdigest()[:12]


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        values = frame[column]
        if column in _INT_COLUMNS:
            frame[column] = pd.to_numeric(values, errors="coerce").astype("Int64")
        elif column in {"latitude", "longitude", "confidence"}:
            frame[column] = pd.to_numeric(values, errors="coerce").astype("float64")
        elif column != "geometry":
            text = values.astype(object)
            frame[column] = text.where(text.notna(), None).map(_text, na_action="ignore")
    return frame


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _finish(
    frame: pd.DataFrame, geometry: Sequence[Any] | np.ndarray, columns: Sequence[str], *, key: str
) -> geopandas.GeoDataFrame:
    result = geopandas.GeoDataFrame(
        _typed(frame[list(columns)].copy()),
        geometry=geopandas.GeoSeries(list(geometry), crs=CRS, index=frame.index),
        crs=CRS,
    )
    result = result.drop_duplicates(subset=[key], keep="first")
    return result.sort_values(key, kind="stable").reset_index(drop=True)
