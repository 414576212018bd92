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
import json.encoder
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
    - ``reports`` lists every report (source, publication, date, figures, sentence) as
      compact JSON (:data:`REPORTS_SEPARATORS`, text not escaped to ASCII), the text
      :func:`json.dumps` gives with those options, so a writer may embed it as it is.

    Reports are read in order of publication (``timestamp``; undated first), then of
    ``event_id_cnty``, which stands for the order an article was read in, so the result
    does not depend on the order of the rows. An incident told by one report (most of a big
    store) is merged column by column, its text columns kept as they are; only incidents of
    several reports row by row.
    """
    if events.empty:
        empty = pd.DataFrame([], columns=list(MERGED_EVENT_COLUMNS))
        return _finish(empty, [], MERGED_EVENT_COLUMNS, key="event_id_cnty")
    alone = _alone(events)
    finished = []
    if alone.all():
        finished.append(_merged_singles(events))
    elif alone.any():
        finished.append(_merged_singles(events[alone]))
    if not alone.all():
        finished += _merged_several(events[~alone].reset_index(drop=True))
    if len(finished) == 1:
        return finished[0]
    return _joined_parts(finished)


def _merged_several(events: geopandas.GeoDataFrame) -> list[geopandas.GeoDataFrame]:
    """Reports that share their incident key with another (:func:`_alone`), merged: the
    incidents of one report among them column by column, the others row by row."""
    order, groups = _incidents(events)
    single = [order[group[0]] for group in groups if len(group) == 1]
    several = [[order[i] for i in group] for group in groups if len(group) > 1]
    geometry = events.geometry.to_numpy()
    finished = []
    if single:
        finished.append(_merged_singles(events.iloc[sorted(single)]))
    batch: list[list[int]] = []  # a part at a time: never a dict per report for all at once
    for number, group in enumerate(several):
        batch.append(group)
        if sum(map(len, batch)) >= _MERGE_ROWS or number == len(several) - 1:
            finished.append(_merged_groups(events, batch, geometry))
            batch = []
    return finished


#: Reports merged at a time.
_MERGE_ROWS = 100_000


def _merged_groups(
    events: geopandas.GeoDataFrame, groups: list[list[int]], geometry: np.ndarray
) -> geopandas.GeoDataFrame:
    """Incidents of several reports (positions in ``events``, in reading order), row by row:
    of each report the columns every report adds to its incident (:data:`_REPORT_COLUMNS`),
    of each incident's lead report (:func:`_lead`) its whole row."""
    rows = _row_dicts(events[list(_REPORT_COLUMNS)].iloc[[i for group in groups for i in group]])
    published = [_published_date(row["timestamp"]) for row in rows]
    incidents, at = [], 0  # each incident's reports and their publication dates
    for group in groups:
        incidents.append((rows[at : at + len(group)], published[at : at + len(group)]))
        at += len(group)
    leads = [_lead(members, days) for members, days in incidents]
    positions = [group[lead] for group, (_, lead) in zip(groups, leads, strict=True)]
    merged = []
    for (members, days), (chosen, _), lead_row in zip(
        incidents, leads, _row_dicts(events.iloc[positions]), strict=True
    ):
        dates = [(_event_date(row), int(row["time_precision"] or 0)) for row in members]
        merged.append(_merged_row(members, dates, days, lead_row, chosen))
    shapes = [geometry[group[0]] for group in groups]
    frame = pd.DataFrame(merged, columns=list(MERGED_EVENT_COLUMNS))
    return _finish(frame, shapes, MERGED_EVENT_COLUMNS, key="event_id_cnty")


def _joined_parts(parts: list[geopandas.GeoDataFrame]) -> geopandas.GeoDataFrame:
    """Finished parts as one frame, as :func:`_finish` gives it for all their rows at once: a
    text column missing in every row of a part is ``object`` there, ``str`` when joined."""
    combined = geopandas.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=CRS)
    for column in combined.columns:
        values = combined[column]
        if column != combined.geometry.name and values.dtype == object and values.notna().any():
            combined[column] = values.astype("str")
    return sorted_by(combined, "event_id_cnty")


#: The separators of the ``reports`` JSON of merged events: none of the spaces json's default adds.
REPORTS_SEPARATORS = (",", ":")


#: The columns that decide which reports are one incident, and in which order they are read.
INCIDENT_COLUMNS = (
    "event_id_cnty",
    "timestamp",
    "event_date",
    "time_precision",
    "layer",
    "place_id",
    "event_type",
    "actor1",
    "notes",
    "location",
)


def incident_groups(events: pd.DataFrame) -> list[list[str]]:
    """The reports of each incident :func:`merge_reports` makes, as their ``event_id_cnty``
    in reading order (the first one is the merged event's id). ``events`` needs only the
    :data:`INCIDENT_COLUMNS`."""
    order, groups = _incidents(events)
    ids = events["event_id_cnty"].tolist()
    return [[str(ids[order[i]]) for i in group] for group in groups]


def reading_ranks(events: pd.DataFrame) -> list[tuple[int, str]]:
    """Each report's place in the reading order :func:`merge_reports` uses: its publication
    day (undated first), then its ``event_id_cnty``."""
    days = _day_numbers(events["timestamp"]).tolist()
    ids = events["event_id_cnty"].astype(object).fillna("None").astype(str).tolist()
    return list(zip(days, ids, strict=True))


def _incidents(events: pd.DataFrame) -> tuple[list[int], list[list[int]]]:
    """The reading order of the reports (positions in ``events``) and the incidents as
    lists of positions in that order (:func:`geomap.extract.reports.group_reports`)."""
    from geomap.extract import reports

    if events.empty:
        return [], []
    days = _day_numbers(events["timestamp"])
    ids = events["event_id_cnty"].astype(object).fillna("None").astype(str)
    sorter = pd.DataFrame({"day": days, "id": ids.to_numpy(dtype=object)})
    order = sorter.sort_values(["day", "id"], kind="stable").index.to_numpy().tolist()
    keys = incident_keys(events)
    keys = [keys[i] for i in order]
    counts: dict[Any, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    several = [i for i, key in enumerate(keys) if counts[key] > 1]
    groups = [[i] for i, key in enumerate(keys) if counts[key] == 1]
    if several:
        day_of = _column_list(events["event_date"])
        precision = _column_list(events["time_precision"])
        dates = [
            (
                dt.date.fromisoformat(str(day_of[order[i]])) if day_of[order[i]] else None,
                int(precision[order[i]] or 0),
            )
            for i in several
        ]
        found = reports.group_reports([keys[i] for i in several], dates)
        groups += [[several[i] for i in group] for group in found]
    return order, groups


def _day_numbers(timestamps: pd.Series) -> np.ndarray:
    """Each report's publication day as a number (undated first): the reading order's key."""
    missing = timestamps.isna().to_numpy()
    values = timestamps.fillna(0).to_numpy(dtype="int64")
    days: np.ndarray = np.floor_divide(values, 86_400)
    days[missing] = np.iinfo(np.int64).min
    return days


def incident_keys(events: pd.DataFrame) -> list[Any]:
    """:func:`geomap.extract.reports.merge_key` of each row (in the frame's order)."""
    from geomap.extract import reports

    layers = _column_list(events["layer"])
    places = _column_list(events["place_id"])
    types = _column_list(events["event_type"])
    actors = _column_list(events["actor1"])
    notes = _column_list(events["notes"])
    locations = _column_list(events["location"])
    keys: list[Any] = []
    for layer, place, kind, actor, note, location in zip(
        layers, places, types, actors, notes, locations, strict=True
    ):
        what = ""
        if layer == "infrastructure":
            what = _what({"notes": note, "location": location})
        keys.append(
            reports.merge_key(
                str(layer),
                str(place),
                event_type=str(kind or ""),
                actor1=str(actor or ""),
                notes=what,
            )
        )
    return keys


def _column_list(column: pd.Series) -> list[Any]:
    """A column's values as Python's: ``None`` where missing, ``int``, ``float`` or ``str``."""
    values: list[Any] = column.tolist()
    missing = column.isna().to_numpy()
    if missing.any():
        for index in np.flatnonzero(missing).tolist():
            values[index] = None
    return values


def _row_dicts(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows without geometry as dicts of Python values (see :func:`_column_list`)."""
    shape = frame.geometry.name if isinstance(frame, geopandas.GeoDataFrame) else None
    names = [str(name) for name in frame.columns if name != shape]
    columns = [_column_list(frame[name]) for name in names]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def _alone(events: pd.DataFrame) -> np.ndarray:
    """Which reports are the only one of their incident key (:func:`incident_keys`, found
    column by column): each is an incident of its own."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    from geomap.extract import reports

    layers = _key_texts(events["layer"], blank=False)
    places = _key_texts(events["place_id"], blank=False)
    third = pc.if_else(
        pc.equal(layers, "deployments"),
        _key_texts(events["actor1"], blank=True),
        _key_texts(events["event_type"], blank=True),
    )
    infrastructure = pc.equal(layers, "infrastructure").to_numpy(zero_copy_only=False)
    if infrastructure.any():
        rows = np.flatnonzero(infrastructure).tolist()
        notes = _column_list(events["notes"].iloc[rows])
        locations = _column_list(events["location"].iloc[rows])
        what = [
            reports.merge_key(
                "infrastructure",
                "",
                event_type="",
                actor1="",
                notes=_what({"notes": note, "location": location}),
            )[2]
            for note, location in zip(notes, locations, strict=True)
        ]
        third = pc.replace_with_mask(third, pa.array(infrastructure), pa.array(what, pa.string()))
    codes = pd.DataFrame(
        {
            str(number): pc.dictionary_encode(texts).indices.to_numpy(zero_copy_only=False)
            for number, texts in enumerate((layers, places, third))
        }
    )
    alone: np.ndarray = ~codes.duplicated(keep=False).to_numpy()
    return alone


def _key_texts(column: pd.Series, *, blank: bool) -> Any:
    """A column as the text :func:`incident_keys` makes of each value (``str(value or "")``
    with ``blank``, else ``str(value)``), as an Arrow array."""
    import pyarrow as pa

    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        texts = pa.chunked_array(column.array._pa_array).combine_chunks().cast(pa.string())
        return texts.fill_null("" if blank else "None")
    values = _column_list(column)
    shown = [str(value or "") if blank else str(value) for value in values]
    return pa.array(shown, type=pa.string())


def _merged_singles(frame: geopandas.GeoDataFrame) -> geopandas.GeoDataFrame:
    """Incidents of one report each, merged column by column: what :func:`_merged_row` gives
    for a group of one (its counts, its date made ISO, qualifiers of its counts only, tags
    and notes from those, confidence 0 when missing, its one report as JSON), finished as
    :func:`_finish` finishes rows.

    The columns a one-report incident keeps as they are (text above all) are not copied, and
    what a value of a changed column becomes is worked out once per distinct value (or
    combination of values) it depends on, not once per row.
    """
    import pyarrow as pa

    table = frame.drop(columns=frame.geometry.name).reset_index(drop=True)
    rows = len(table)
    names = list(COUNT_COLUMNS)
    counts = {name: _as_int64(table[name]) for name in names}
    given = np.zeros(rows, dtype=np.int64)  # which counts each row gives, as bits
    for bit, name in enumerate(names):
        given |= counts[name].notna().to_numpy().astype(np.int64) << bit

    qualifiers = _single_qualifiers(table["qualifiers"], given)
    dates = _single_dates(table["event_date"])
    tags = _single_tags(table["event_type"], counts["crowd_size"], qualifiers)
    notes = _single_notes(table["notes"], counts, qualifiers, dates)

    source = table["source"]
    if not (_is_text(source) and not source.isna().any()):
        source = source.astype(object).fillna("None").astype(str)
    changed: dict[str, Any] = {
        "event_date": dates.column,
        "year": dates.year,
        "time_precision": _as_int64(table["time_precision"]).fillna(0),
        "qualifiers": _text_series(pa.array(qualifiers.texts, pa.string()).take(qualifiers.of)),
        "tags": tags,
        "notes": notes,
        "confidence": table["confidence"].fillna(0.0).astype("float64"),
        "source": source,
        "source_count": pd.array(np.ones(rows, dtype=np.int64), dtype="Int64"),
        "reports": _single_reports(table, counts, qualifiers.stored_of, qualifiers.stored),
    }
    changed |= {name: counts[name] for name in names}
    columns: dict[str, Any] = {}
    for name in MERGED_EVENT_COLUMNS:
        values = changed[name] if name in changed else table[name]
        if not _typed_already(name, values):
            values = _typed(pd.DataFrame({name: values}))[name]
        columns[name] = pd.Series(values, index=table.index, copy=False)
    result = geopandas.GeoDataFrame(
        pd.DataFrame(columns, copy=False),
        geometry=geopandas.GeoSeries(frame.geometry.array, crs=CRS, index=table.index),
        crs=CRS,
    )
    if not result["event_id_cnty"].is_unique:
        result = result.drop_duplicates(subset=["event_id_cnty"], keep="first")
    return sorted_by(result, "event_id_cnty")


@dataclass(frozen=True)
class _Qualifiers:
    """The qualifiers of one-report incidents: the stored texts (``stored``, each row's index
    ``stored_of``), and per combination of a stored text and the counts a row gives (each
    row's index ``of``), the qualifiers kept (those of the counts given), as text, and
    whether they are all the stored ones."""

    stored: list[Any]
    stored_of: np.ndarray
    of: np.ndarray
    kept: list[dict[str, str]]
    texts: list[str]
    same: np.ndarray


def _single_qualifiers(column: pd.Series, given: np.ndarray) -> _Qualifiers:
    """:class:`_Qualifiers` of a ``qualifiers`` column and the counts each row gives (bits in
    the order of ``COUNT_COLUMNS``)."""
    names = list(COUNT_COLUMNS)
    stored_of, stored = _factorized(column)
    combos, of = np.unique(stored_of * (1 << len(names)) + given, return_inverse=True)
    kept_all, texts, same = [], [], []
    for combo in combos.tolist():
        code, bits = divmod(combo, 1 << len(names))
        found = json.loads(stored[code] or "{}")
        kept = {n: found[n] for bit, n in enumerate(names) if bits >> bit & 1 and n in found}
        texts.append(json.dumps(kept, sort_keys=True, ensure_ascii=False))
        kept_all.append(kept)
        same.append(kept == found)
    return _Qualifiers(stored, stored_of, of.reshape(-1), kept_all, texts, np.asarray(same))


@dataclass(frozen=True)
class _Dates:
    """The dates of one-report incidents: the stored texts (``stored``, each row's index
    ``of``), each made ISO (``iso``), the new column and its year, and per row whether the
    date's text stays."""

    stored: list[Any]
    of: np.ndarray
    iso: list[str | None]
    column: Any
    year: Any
    same: np.ndarray


def _single_dates(column: pd.Series) -> _Dates:
    """:class:`_Dates` of an ``event_date`` column (the stored column when no text changes)."""
    import pyarrow as pa

    of, stored = _factorized(column)
    days = [_iso_day(value) for value in stored]
    iso = [day.isoformat() if day else None for day in days]
    same = np.asarray([new == old for new, old in zip(iso, stored, strict=True)], dtype=bool)[of]
    new = column if same.all() else _text_series(pa.array(iso, pa.string()).take(of))
    year = pd.array([day.year if day else None for day in days], dtype="Int64")[of]
    return _Dates(stored, of, iso, new, year, same)


def _single_tags(event_type: pd.Series, crowd: pd.Series, qualifiers: _Qualifiers) -> pd.Series:
    """ACLED's tags, per distinct event type, crowd size and crowd size qualifier."""
    import pyarrow as pa

    type_of, types = _factorized(event_type)
    crowd_of, crowds = _factorized(crowd)
    words = [kept.get("crowd_size") for kept in qualifiers.kept]
    word_of, word = _factorized(pd.Series(words, dtype=object))
    keys, key_of = _combinations(type_of, crowd_of, word_of[qualifiers.of])
    texts = [
        acled.tags(str(types[t]), None if crowds[c] is None else int(crowds[c]), word[w])
        for t, c, w in keys
    ]
    return _text_series(pa.array(texts, pa.string()).take(key_of))


def _single_notes(
    notes: pd.Series, counts: dict[str, pd.Series], qualifiers: _Qualifiers, dates: _Dates
) -> pd.Series:
    """The stored notes, except where the qualifiers or the date changed or there are none:
    those rows' notes are made again (:func:`_with_figures`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    redo = ~(qualifiers.same[qualifiers.of] & dates.same & notes.notna().to_numpy())
    if not redo.any():
        return notes
    at = np.flatnonzero(redo).tolist()
    old_notes = _column_list(notes.iloc[at])
    figures = {name: _column_list(counts[name].iloc[at]) for name in COUNT_COLUMNS}
    new_notes = []
    for k, i in enumerate(at):
        date = dates.of[i]
        lead = {"notes": old_notes[k], "qualifiers": qualifiers.stored[qualifiers.stored_of[i]]}
        lead["event_date"] = dates.stored[date]
        lead |= {name: figures[name][k] for name in COUNT_COLUMNS}
        row = {"event_date": dates.iso[date]} | {name: figures[name][k] for name in COUNT_COLUMNS}
        new_notes.append(_with_figures(lead, row, qualifiers.kept[qualifiers.of[i]]))
    texts = pc.replace_with_mask(_arrow_texts(notes), pa.array(redo), pa.array(new_notes))
    return _text_series(texts)


def _as_int64(column: pd.Series) -> pd.Series:
    """An integer column as :func:`_typed` makes it (``Int64``), not copied if it is."""
    if isinstance(column.dtype, pd.Int64Dtype):
        return column
    return pd.to_numeric(column, errors="coerce").astype("Int64")


def _typed_already(name: str, values: Any) -> bool:
    """Whether a column is already what :func:`_typed` makes of it."""
    dtype = values.dtype
    if name in _INT_COLUMNS:
        return isinstance(dtype, pd.Int64Dtype)
    if name in {"latitude", "longitude", "confidence"}:
        return bool(dtype == np.float64)
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    return _is_text(series) or (dtype == np.dtype(object) and bool(series.isna().all()))


def _factorized(column: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """The column's distinct values as Python's (``int`` or ``str``), then ``None``, and each
    row's index among them (that of ``None`` where missing)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    values = [value.item() if isinstance(value, np.generic) else value for value in uniques]
    codes = np.asarray(codes, dtype=np.int64)
    codes[codes < 0] = len(values)
    return codes, [*values, None]


def _combinations(*codes: np.ndarray) -> tuple[list[tuple[int, ...]], np.ndarray]:
    """The distinct combinations of several columns' codes, and each row's index among them."""
    frame = pd.DataFrame({str(number): values for number, values in enumerate(codes)})
    groups = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
    _seen, first = np.unique(groups, return_index=True)
    keys = [tuple(int(values[row]) for values in codes) for row in first.tolist()]
    return keys, groups


def _arrow_texts(column: pd.Series) -> Any:
    """A text column as an Arrow array of text."""
    import pyarrow as pa

    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        return pa.chunked_array(column.array._pa_array).combine_chunks().cast(pa.string())
    return pa.array(_column_list(column), type=pa.string())


def _text_series(texts: Any) -> pd.Series:
    """An Arrow array of text as :func:`_typed` leaves a text column: pandas' text, or
    ``None`` objects when no row has one."""
    if texts.null_count == len(texts):
        return pd.Series([None] * len(texts), dtype=object)
    return pd.Series(pd.array(texts, dtype="str"))


def _iso_day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(str(value)) if value else None


def _single_reports(
    table: pd.DataFrame,
    counts: dict[str, pd.Series],
    stored_codes: np.ndarray,
    stored_texts: list[Any],
) -> pd.Series:
    """The ``reports`` JSON of one-report incidents: what :func:`json.dumps` gives for the list
    :func:`_merged_row` makes, joined in Arrow from each value's JSON text (a text column's
    by :func:`geomap.export.json_texts`, the figures from the count columns, each distinct
    publication day and stored qualifiers encoded once)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    figures = []
    for name in COUNT_COLUMNS:
        key = _json(name) + ":"
        value = pc.cast(pa.array(counts[name], type=pa.int64()), pa.string())
        figures.append(pc.fill_null(pc.binary_join_element_wise(key, value, ",", ""), ""))
    figures_text = pc.utf8_rtrim(pc.binary_join_element_wise(*figures, ""), characters=",")
    qualifiers = [
        json.dumps(json.loads(stored or "{}"), ensure_ascii=False, separators=REPORTS_SEPARATORS)
        for stored in stored_texts
    ]
    stamp_codes, stamps = _factorized(table["timestamp"])
    days = [_published_date(stamp) for stamp in stamps]
    published = ['"' + day.isoformat() + '"' if day else "null" for day in days]
    texts = pc.binary_join_element_wise(
        '[{"article_id":',
        _json_texts(table["article_id"]),
        ',"source":',
        _json_texts(table["source"]),
        ',"published":',
        pa.array(published, pa.string()).take(stamp_codes),
        ',"event_date":',
        _json_texts(table["event_date"]),
        ',"figures":{',
        figures_text,
        '},"qualifiers":',
        pa.array(qualifiers, pa.string()).take(stored_codes),
        ',"evidence":',
        _json_texts(table["evidence"]),
        "}]",
        "",
    )
    return pd.Series(pd.array(texts, dtype="str"), index=table.index)


def _json_texts(column: pd.Series) -> Any:
    """Each value as :func:`_json` writes it, as an Arrow array of text."""
    import pyarrow as pa

    from geomap.export import json_texts

    texts = json_texts(column)
    if texts is not None:
        return texts
    return pa.array([_json(value) for value in _column_list(column)], type=pa.string())


def _json(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False)`` for the values of a row, faster for text."""
    if type(value) is str:
        return str(_ENCODE_TEXT(value))
    if value is None:
        return "null"
    return json.dumps(value, ensure_ascii=False)


_ENCODE_TEXT: Any = json.encoder.encode_basestring  # what json.dumps uses for a str


#: The columns of a report that its incident's merged row is made of, besides its lead
#: report's (:func:`_merged_row`).
_REPORT_COLUMNS = (
    *COUNT_COLUMNS,
    "event_id_cnty",
    "event_date",
    "time_precision",
    "timestamp",
    "qualifiers",
    "confidence",
    "source",
    "article_id",
    "evidence",
)


def _lead(
    members: list[dict[str, Any]], published: list[dt.date | None]
) -> tuple[dict[str, int], int]:
    """Which report of an incident gives each count (:func:`geomap.extract.reports.pick_figures`),
    and the lead report: the one that gives the first count, else the most recent."""
    from geomap.extract import reports

    figures = [{name: row[name] for name in COUNT_COLUMNS} for row in members]
    chosen = reports.pick_figures(figures, published)
    return chosen, chosen[next(iter(chosen))] if chosen else reports.newest_first(published)[0]


def _merged_row(
    members: list[dict[str, Any]],
    dates: list[tuple[dt.date | None, int]],
    published: list[dt.date | None],
    lead: dict[str, Any],
    chosen: dict[str, int],
) -> dict[str, Any]:
    """An incident's merged row from its reports' :data:`_REPORT_COLUMNS`, its lead report's
    whole row and the report that gives each count (both :func:`_lead`)."""
    from geomap.extract import reports

    first = members[0]
    qualifiers: dict[str, str] = {}
    for name, i in chosen.items():
        given = _loaded(members[i]["qualifiers"])
        if name in given:
            qualifiers[name] = given[name]
    row = dict(lead)
    row |= {name: members[i][name] for name, i in chosen.items()}
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
                "figures": {k: m[k] for k in COUNT_COLUMNS if m[k] is not None},
                "qualifiers": _loaded(m["qualifiers"]),
                "evidence": m["evidence"],
            }
            for m, day in zip(members, published, strict=True)
        ],
        ensure_ascii=False,
        separators=REPORTS_SEPARATORS,
    )
    return row


def _loaded(qualifiers: str | None) -> dict[str, str]:
    """A report's qualifiers from their JSON text (most reports have none: ``{}``)."""
    loaded: dict[str, str] = json.loads(qualifiers) if qualifiers and qualifiers != "{}" else {}
    return loaded


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

    told = articles[articles["article_id"].isin(flows["article_id"])]  # not every article's
    dates = {
        str(article): PubDate.parse(day).date if isinstance(day, str) and day else None
        for article, day in zip(told["article_id"], told["published"], strict=True)
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
        return sorted_by(typed, key)
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
            if _is_text(values):
                continue  # already what the lines below make of it
            text = values.astype(object)
            frame[column] = text.where(text.notna(), None).map(_text, na_action="ignore")
    return frame


def _is_text(values: pd.Series) -> bool:
    """Whether a column is already pandas' default text (Arrow-backed, NaN where missing)
    with some text in it: what :func:`_typed` makes of a text column, so left as it is."""
    dtype = values.dtype
    return (
        isinstance(dtype, pd.StringDtype)
        and dtype.storage == "pyarrow"
        and isinstance(dtype.na_value, float)
        and bool(values.notna().any())
    )


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
    if not result[key].is_unique:  # else the copy drop_duplicates makes is the same rows
        result = result.drop_duplicates(subset=[key], keep="first")
    return sorted_by(result, key)


def sorted_by(frame: Any, key: str) -> Any:
    """The frame's rows in the order of ``key`` (stable), indexed from 0; a frame already in
    that order is not copied."""
    if not frame[key].is_monotonic_increasing:
        frame = frame.sort_values(key, kind="stable")
    return frame.reset_index(drop=True)
