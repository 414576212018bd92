"""Join extracted records to geometry: GeoDataFrames in EPSG:4326 with DESIGN.md's columns.

Events become points, except country-level events (a figure for a whole country), which carry
the country's outline so that a country-wide figure is never drawn as if it happened at one
point; their ``latitude``/``longitude`` still give a representative point. Flows become
origin → destination lines. Everything here is pure: records in, frames out.
"""

from __future__ import annotations

import datetime as dt
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
from geomap.records import ParsedArticle, PubDate
from geomap.serialize import (
    COUNT_COLUMNS,
    GEOMAP_EVENT_COLUMNS,
    event_row,
    figures_text,
    flow_row,
    shown_source,
)
from geomap.shapes import country_shape, country_shapes

CRS = "EPSG:4326"

#: ACLED's 31 columns, in ACLED's order, then geomap's.
EVENT_COLUMNS = (*acled.COLUMNS, *GEOMAP_EVENT_COLUMNS)
#: The columns of merged events (:func:`merge_reports`): an event's, then how many articles
#: report it and every report as JSON.
MERGED_EVENT_COLUMNS = (*EVENT_COLUMNS, "source_count", "reports")
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
MERGED_FLOW_COLUMNS = (*FLOW_COLUMNS, "source_count")
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
    "source_count",
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


def merge_reports(events: geopandas.GeoDataFrame) -> geopandas.GeoDataFrame:
    """Events as the outputs show them: one row per incident, whatever number of articles tell it.

    ``events`` holds one row per event per article, as the store keeps them. Rows of the same
    incident (the rule of :mod:`geomap.extract.reports`: the same layer, place and kind of
    event on overlapping dates) become one row:

    - ``event_id_cnty`` is the earliest published report's, so it stays while articles are
      added; date and place are that report's (its date made exact by a later report's);
    - each count is the most recently published report's that gives it, with its qualifier;
    - ``source`` lists every source, ACLED style, joined with ``"; "``; ``source_count`` is
      the number of articles; ``timestamp`` the latest publication;
    - ``evidence``, ``article_id`` and ``notes`` are those of the report that gave the
      figures (the first count in ACLED's order), else of the most recent report; ``notes``
      shows the chosen figures;
    - ``reports`` lists every report (source, publication, date, figures, sentence) as JSON.

    Reports are read in order of publication (``timestamp``; undated first), then of
    ``event_id_cnty``, which stands for the order an article was read in, so the result
    does not depend on the order of the rows.
    """
    from geomap.extract import reports

    published = [_published_date(value) for value in events["timestamp"]]
    order = sorted(
        range(len(events)),
        key=lambda i: (published[i] or dt.date.min, str(events["event_id_cnty"].iat[i])),
    )
    records = events.drop(columns=events.geometry.name).to_dict("records")
    rows = [_plain_row(records[i]) for i in order]
    dates = [(_event_date(row), int(row["time_precision"] or 0)) for row in rows]
    keys = [
        reports.merge_key(
            str(row["layer"]),
            str(row["place_id"]),
            event_type=str(row["event_type"] or ""),
            actor1=str(row["actor1"] or ""),
            notes=_what(row),
        )
        for row in rows
    ]
    merged = []
    geometry = []
    for group in reports.group_reports(keys, dates):
        members = [rows[i] for i in group]
        merged.append(
            _merged_row(members, [dates[i] for i in group], [published[order[i]] for i in group])
        )
        geometry.append(events.geometry.iat[order[group[0]]])
    frame = pd.DataFrame(merged, columns=list(MERGED_EVENT_COLUMNS))
    return _finish(frame, geometry, MERGED_EVENT_COLUMNS, key="event_id_cnty")


def _merged_row(
    members: list[dict[str, Any]],
    dates: list[tuple[dt.date | None, int]],
    published: list[dt.date | None],
) -> dict[str, Any]:
    from geomap.extract import reports

    figures = [{name: row[name] for name in COUNT_COLUMNS} for row in members]
    chosen = reports.pick_figures(figures, published)
    lead = members[chosen[next(iter(chosen))] if chosen else reports.newest_first(published)[0]]
    first = members[0]
    qualifiers: dict[str, str] = {}
    for name, i in chosen.items():
        given = json.loads(members[i]["qualifiers"] or "{}")
        if name in given:
            qualifiers[name] = given[name]
    row = dict(lead)
    row |= {name: figures[i][name] for name, i in chosen.items()}
    row |= {name: None for name in COUNT_COLUMNS if name not in chosen}
    date, precision = reports.pick_date(dates)
    row["event_id_cnty"] = first["event_id_cnty"]
    row["event_date"] = date.isoformat() if date else None
    row["year"] = date.year if date else None
    row["time_precision"] = precision
    row["qualifiers"] = json.dumps(qualifiers, sort_keys=True, ensure_ascii=False)
    row["tags"] = acled.tags(
        str(row["event_type"]), row["crowd_size"], qualifiers.get("crowd_size")
    )
    row["notes"] = _with_figures(lead, row, qualifiers)
    stamps = [m["timestamp"] for m in members if m["timestamp"] is not None]
    row["timestamp"] = max(stamps) if stamps else None
    row["confidence"] = max(float(m["confidence"] or 0.0) for m in members)
    row["source"] = "; ".join(dict.fromkeys(str(m["source"]) for m in members))
    row["source_count"] = len({m["article_id"] for m in members})
    row["reports"] = json.dumps(
        [
            {
                "article_id": m["article_id"],
                "source": m["source"],
                "published": day.isoformat() if day else None,
                "event_date": m["event_date"],
                "figures": {k: v for k, v in figures[i].items() if v is not None},
                "qualifiers": json.loads(m["qualifiers"] or "{}"),
                "evidence": m["evidence"],
            }
            for i, (m, day) in enumerate(zip(members, published, strict=True))
        ],
        ensure_ascii=False,
    )
    return row


def _plain_row(record: dict[str, Any]) -> dict[str, Any]:
    """A frame's row with missing values as ``None`` and numbers as Python's."""
    row: dict[str, Any] = {}
    for key, value in record.items():
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            row[key] = None
        elif isinstance(value, np.integer):
            row[key] = int(value)
        elif isinstance(value, np.floating):
            row[key] = float(value)
        else:
            row[key] = value
    return row


def _published_date(timestamp: Any) -> dt.date | None:
    if timestamp is None or timestamp is pd.NA or pd.isna(timestamp):
        return None
    return dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC).date()


def _event_date(row: dict[str, Any]) -> dt.date | None:
    value = row["event_date"]
    return dt.date.fromisoformat(str(value)) if value else None


def _what(row: dict[str, Any]) -> str:
    """What ``notes`` says happened (``airport occupied``), after its date and place."""
    notes = str(row["notes"] or "")
    marker = f"{row['location']}: "
    start = notes.find(marker)
    what = notes[start + len(marker) :] if start >= 0 else notes
    return what.split("; ", maxsplit=1)[0].removesuffix(".")


def _with_figures(lead: dict[str, Any], row: dict[str, Any], qualifiers: dict[str, str]) -> str:
    """The lead report's notes with the merged event's date and figures in place of its own."""
    notes = _with_date(str(lead["notes"] or ""), lead["event_date"], row["event_date"])
    old = figures_text(lead, json.loads(lead["qualifiers"] or "{}"))
    new = figures_text(row, qualifiers)
    if old == new:
        return notes
    if old and notes.endswith(f"; {old}."):
        return f"{notes[: -len(old) - 3]}; {new}." if new else f"{notes[: -len(old) - 3]}."
    if not old and notes.endswith("."):
        return f"{notes[:-1]}; {new}."
    return notes


def _with_date(notes: str, old: str | None, new: str | None) -> str:
    """Notes that begin with the merged event's date instead of the lead report's."""
    before = f"On {old}, " if old else "Undated, "
    after = f"On {new}, " if new else "Undated, "
    return after + notes.removeprefix(before) if notes.startswith(before) else notes


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


def merge_flows(flows: geopandas.GeoDataFrame, articles: pd.DataFrame) -> geopandas.GeoDataFrame:
    """Flows as the outputs show them: one line per contingent, whatever number of articles
    tell it.

    ``flows`` holds one row per flow per article, as the store keeps them; ``articles`` gives
    each article's publication date. Rows with the same actor, origin and destination on
    overlapping dates (:func:`geomap.extract.reports.dates_overlap`) become one row, read in
    order of publication (undated first) then of ``flow_id``: ``flow_id``, date and line are
    the earliest report's; ``troops`` and ``military_vehicles`` each the most recently
    published report's that gives it (ACLED's rule for figures, as in :func:`merge_reports`),
    whose evidence and article the row shows; ``source`` lists every source and
    ``source_count`` counts the articles.
    """
    from geomap.extract import reports

    dates = {
        str(article): PubDate.parse(day).date if isinstance(day, str) and day else None
        for article, day in zip(articles["article_id"], articles["published"], strict=True)
    }
    records = [_plain_row(r) for r in flows.drop(columns=flows.geometry.name).to_dict("records")]
    published = [dates.get(str(row["article_id"])) for row in records]
    order = sorted(
        range(len(records)),
        key=lambda i: (published[i] or dt.date.min, str(records[i]["flow_id"])),
    )
    rows = [records[i] for i in order]
    groups = reports.group_reports(
        [(row["actor"], row["origin_place_id"], row["destination_place_id"]) for row in rows],
        [(_event_date(row), int(row["time_precision"] or 0)) for row in rows],
    )
    merged = []
    geometry = []
    for group in groups:
        members = [rows[i] for i in group]
        days = [published[order[i]] for i in group]
        figures = [{name: m[name] for name in _FLOW_COUNTS} for m in members]
        chosen = reports.pick_figures(figures, days)
        row = dict(members[next(iter(chosen.values()), reports.newest_first(days)[0])])
        row |= {
            name: figures[chosen[name]][name] if name in chosen else None for name in _FLOW_COUNTS
        }
        first = members[0]
        row |= {key: first[key] for key in ("flow_id", "event_date", "time_precision")}
        row["source"] = "; ".join(dict.fromkeys(str(m["source"]) for m in members))
        row["source_count"] = len({m["article_id"] for m in members})
        merged.append(row)
        geometry.append(flows.geometry.iat[order[group[0]]])
    frame = pd.DataFrame(merged, columns=list(MERGED_FLOW_COLUMNS))
    return _finish(frame, geometry, MERGED_FLOW_COLUMNS, key="flow_id")


_FLOW_COUNTS = ("troops", "military_vehicles")


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
