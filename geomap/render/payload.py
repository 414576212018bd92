"""The data a map page carries, and the one definition of its shape (mirrored in ``payload.js``).

A point layer is columnar: coordinates, colours, sizes, dates and grid cells are typed arrays
(little-endian bytes in base64), and each popup column is either a table of its distinct values
with a typed array of indexes, or, when most values differ (evidence sentences, ids), JSON
chunks of :data:`TEXT_CHUNK` rows compressed with zlib, which the page inflates only when a
popup needs a row of that chunk. Points are sorted by the Morton code of their cell in a grid
of :data:`GRID_BITS` bits a side (a cell is 128 pixels at zoom 9), so the cells of every coarser
zoom are runs of that order: the page draws clusters per zoom from these runs without building
an index, and points at one place are neighbours.
"""

from __future__ import annotations

import base64
import itertools
import json
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, NotRequired, TypeAlias, TypedDict

import numpy as np
import pandas as pd

from geomap.layers import LayerSpec
from geomap.render.values import COUNTS, absent, count_label, date_label, qualifiers

#: Rows per compressed chunk of a text column.
TEXT_CHUNK = 4096
#: Bits per axis of the finest clustering grid: 2**10 cells across the world, 128 px at zoom 9
#: (a cluster stands for the events of a cell: about what a 60 px cluster radius gathers).
GRID_BITS = 10
#: Degrees are sent as integers of this many units per degree (five decimals, about 1 m).
COORDINATE_SCALE = 100_000

ArrayType = Literal["Int8", "Uint8", "Int16", "Uint16", "Int32", "Uint32", "Float32"]
_DTYPES: dict[ArrayType, str] = {
    "Int8": "<i1",
    "Uint8": "<u1",
    "Int16": "<i2",
    "Uint16": "<u2",
    "Int32": "<i4",
    "Uint32": "<u4",
    "Float32": "<f4",
}


class TypedArray(TypedDict):
    """A JavaScript typed array: ``new window[type + "Array"](bytes of base64)``."""

    type: ArrayType
    base64: str


class DictColumn(TypedDict):
    """A column of few distinct values: row ``i`` shows ``values[index[i]]`` (or ``values[0]``
    for every row when ``index`` is ``None``)."""

    values: list[str | None]
    index: TypedArray | None


class TextColumn(TypedDict):
    """A column of mostly distinct values: row ``i`` is item ``i % chunk`` of the JSON list
    that ``chunks[i // chunk]`` inflates to (zlib, base64)."""

    chunk: int
    chunks: list[str]


Column: TypeAlias = DictColumn | TextColumn


class Layer(TypedDict):
    """What every layer has: its id, kind, popup fields and the feature group it draws into."""

    id: str
    kind: Literal["points", "shapes", "flows"]
    cluster: bool
    fields: list[str]
    weight: float
    radius: list[float]
    group: NotRequired[int]


class PointLayer(Layer):
    """One marker per event; columns as described in the module's docstring."""

    count: int
    ids: Column
    lat: TypedArray  # Int32: degrees × COORDINATE_SCALE
    lon: TypedArray
    grid: int  # bits per axis of the finest grid (zoom 9)
    cell: TypedArray  # Uint32: Morton code of the point's cell in the finest grid
    palette: list[str]
    color: TypedArray  # index into palette
    sizes: list[float]  # marker radii in pixels
    size: TypedArray  # index into sizes
    dates: TypedArray  # Int16 (Int32 from 32,768 dates): index into Payload.dates, -1 undated
    tipFields: list[str]
    joiner: str
    columns: dict[str, Column]


class FlowEnd(TypedDict):
    role: Literal["origin", "destination"]
    lat: float
    lon: float
    label: str
    date: int


class FlowLayer(Layer):
    """Lines from sending states to a destination, with markers at their ends."""

    ids: list[str]
    lines: list[list[list[float]]]
    ends: list[FlowEnd]
    palette: list[str]
    dates: list[int]
    tipFields: list[str]
    joiner: str
    columns: dict[str, Column]


class ShapeLayer(Layer):
    """Country outlines, each with the popup sections of the figures given for it."""

    ids: list[str]
    shapes: list[dict[str, Any]]
    palette: list[str]
    dates: list[int]
    rows: list[list[list[list[str | None]]]]
    tips: list[str]


class LegendSection(TypedDict):
    title: str
    entries: list[list[str]]


class Payload(TypedDict):
    """Everything ``geomapRender`` draws from."""

    labels: dict[str, str]
    dates: list[str]
    layers: list[PointLayer | FlowLayer | ShapeLayer]
    legend: list[LegendSection]


DateIndex: TypeAlias = dict[tuple[str, int], int]


# -- encoding ---------------------------------------------------------------------------------


def typed_array(values: np.ndarray[Any, Any], kind: ArrayType) -> TypedArray:
    """``values`` as the bytes of a little-endian typed array of ``kind``."""
    data = np.ascontiguousarray(values, dtype=_DTYPES[kind]).tobytes()
    return {"type": kind, "base64": base64.b64encode(data).decode("ascii")}


def decode_array(array: TypedArray) -> np.ndarray[Any, Any]:
    """The values of a typed array (the inverse of :func:`typed_array`)."""
    return np.frombuffer(base64.b64decode(array["base64"]), dtype=_DTYPES[array["type"]])


def index_array(codes: np.ndarray[Any, Any], size: int) -> TypedArray:
    """Indexes into a table of ``size`` entries, in the smallest unsigned type that holds them."""
    kind: ArrayType = "Uint8" if size <= 1 << 8 else "Uint16" if size <= 1 << 16 else "Uint32"
    return typed_array(codes, kind)


def encode_column(table: Sequence[str | None], codes: np.ndarray[Any, Any]) -> Column:
    """A column given as its distinct values and each row's index into them."""
    if len(codes) == 0 or not np.any(codes != codes[0]):
        return {"values": [table[codes[0]] if len(codes) else None], "index": None}
    if len(table) * 2 <= len(codes):
        return {"values": list(table), "index": index_array(codes, len(table))}
    return text_column([table[code] for code in codes.tolist()])


def text_column(values: Sequence[str | None]) -> TextColumn:
    """Values in compressed JSON chunks of :data:`TEXT_CHUNK` rows."""
    chunks = []
    for start in range(0, len(values), TEXT_CHUNK):
        text = json.dumps(values[start : start + TEXT_CHUNK], ensure_ascii=False)
        data = zlib.compress(text.encode("utf-8", "surrogatepass"), 6)
        chunks.append(base64.b64encode(data).decode("ascii"))
    return {"chunk": TEXT_CHUNK, "chunks": chunks}


def encode_values(values: Sequence[str | None]) -> Column:
    """A column given row by row."""
    table: dict[str | None, int] = {}
    codes = [table.setdefault(value, len(table)) for value in values]
    return encode_column(list(table), np.asarray(codes, dtype=np.int64))


# -- point layers -----------------------------------------------------------------------------


def point_layer(rows: pd.DataFrame, spec: LayerSpec, dates: DateIndex, base: Layer) -> PointLayer:
    """The columnar payload of a point layer (its rows in grid order)."""
    lat = rows["latitude"].to_numpy(dtype=np.float64)
    lon = rows["longitude"].to_numpy(dtype=np.float64)
    cells = grid_codes(lat, lon)
    lat_i = np.round(lat * COORDINATE_SCALE).astype(np.int64)
    lon_i = np.round(lon * COORDINATE_SCALE).astype(np.int64)
    order = np.lexsort((np.arange(len(rows)), lon_i, lat_i, cells))
    rows = rows[needed_columns(rows, spec)].iloc[order]
    palette, colours = _palette(spec, rows)
    style = spec.style
    sizes = radii(
        _first_counts(rows, style.radius_by), smallest=style.radius[0], largest=style.radius[1]
    )
    size_table, size_codes = np.unique(sizes, return_inverse=True)
    id_texts = rows["event_id_cnty"]
    ids = (
        _arrow_chunks(id_texts) if _is_arrow_text(id_texts) and not id_texts.isna().any() else None
    )
    return base | {
        "count": len(rows),
        "ids": ids or text_column(id_texts.astype(str).tolist()),
        "lat": typed_array(lat_i[order], "Int32"),
        "lon": typed_array(lon_i[order], "Int32"),
        "grid": GRID_BITS,
        "cell": typed_array(cells[order], "Uint32"),
        "palette": palette,
        "color": index_array(colours, len(palette)),
        "sizes": size_table.tolist(),
        "size": index_array(size_codes, len(size_table)),
        "dates": typed_array(date_codes(rows, dates), "Int16" if len(dates) < 1 << 15 else "Int32"),
        "tipFields": list(spec.tooltip),
        "joiner": " · ",
        "columns": {
            field: popup_column(rows, field)
            for field in dict.fromkeys([*spec.popup, *spec.tooltip])
        },
    }  # type: ignore[return-value]


def popup_column(rows: pd.DataFrame, field: str) -> Column:
    """A popup column of a point layer (:func:`display_column`, :func:`encode_column`); a
    text column kept in Arrow whose values mostly differ is chunked from Arrow's text."""
    table, codes = display_column(rows, field)
    if (
        field in rows.columns
        and field not in COUNTS
        and field != "event_date"
        and _is_arrow_text(rows[field])
        and len(codes)
        and np.any(codes != codes[0])
        and len(table) * 2 > len(codes)
    ):
        return _arrow_chunks(rows[field], blank_is_none=True)
    return encode_column(table, codes)


def _is_arrow_text(column: pd.Series) -> bool:
    return isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow"


#: Chunks of a text column encoded at a time (so a column's JSON is never held whole).
_CHUNKS_AT_ONCE = 16


def _arrow_chunks(column: pd.Series, *, blank_is_none: bool = False) -> TextColumn:
    """:func:`text_column` of a text column kept in Arrow (missing values, and with
    ``blank_is_none`` empty texts, ``None``): each chunk's JSON list joined in Arrow from
    each value's JSON text, the bytes :func:`json.dumps` gives."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    from geomap.export import json_text_array

    texts = pa.chunked_array(column.array._pa_array).cast(pa.string())
    chunks = []
    step = TEXT_CHUNK * _CHUNKS_AT_ONCE
    for at in range(0, len(texts), step):
        part = texts.slice(at, step).combine_chunks()
        if blank_is_none:
            part = pc.if_else(pc.equal(part, ""), pa.scalar(None, pa.string()), part)
        items = json_text_array(part)
        starts = np.append(np.arange(0, len(items), TEXT_CHUNK), len(items))
        lists = pa.ListArray.from_arrays(pa.array(starts, type=pa.int32()), items)
        joined = pc.binary_join(lists, ", ")
        _validity, offsets_buffer, data = joined.buffers()
        offsets = np.frombuffer(offsets_buffer, dtype=np.int32)
        offsets = offsets[joined.offset : joined.offset + len(joined) + 1].tolist()
        body = memoryview(data) if data is not None else memoryview(b"")
        for first, last in itertools.pairwise(offsets):
            text = b"[" + body[first:last].tobytes() + b"]"
            chunks.append(base64.b64encode(zlib.compress(text, 6)).decode("ascii"))
    return {"chunk": TEXT_CHUNK, "chunks": chunks}


def needed_columns(rows: pd.DataFrame, spec: LayerSpec) -> list[str]:
    """The columns a point layer reads besides its coordinates (only these are put in grid
    order)."""
    style = spec.style
    wanted = [
        "event_id_cnty",
        "event_date",
        "time_precision",
        "qualifiers",
        *([style.color_by] if style.color_by else []),
        *style.radius_by,
        *spec.popup,
        *spec.tooltip,
    ]
    return [column for column in dict.fromkeys(wanted) if column in rows.columns]


def grid_codes(lat: np.ndarray[Any, Any], lon: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Morton code of each point's cell in the finest grid (Web Mercator, ``GRID_BITS``)."""
    size = 1 << GRID_BITS
    x = lon / 360 + 0.5
    sin = np.sin(np.radians(np.clip(lat, -89.9, 89.9)))
    y = 0.5 - 0.25 * np.log((1 + sin) / (1 - sin)) / np.pi
    gx = np.clip(np.floor(x * size), 0, size - 1).astype(np.uint32)
    gy = np.clip(np.floor(y * size), 0, size - 1).astype(np.uint32)
    codes: np.ndarray[Any, Any] = _spread(gx) | (_spread(gy) << 1)
    return codes


def _spread(v: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The bits of ``v`` (16 at most) moved to even positions."""
    v = (v | (v << 8)) & 0x00FF00FF
    v = (v | (v << 4)) & 0x0F0F0F0F
    v = (v | (v << 2)) & 0x33333333
    spread: np.ndarray[Any, Any] = (v | (v << 1)) & 0x55555555
    return spread


def radii(values: np.ndarray[Any, Any], *, smallest: float, largest: float) -> np.ndarray[Any, Any]:
    """:func:`~geomap.render.values.radius_for` of a whole column (NaN: no count)."""
    with np.errstate(invalid="ignore"):
        share = np.minimum(1.0, np.log10(1 + np.where(values > 0, values, 0)) / 5)
    sized = np.round(smallest + (largest - smallest) * share, 1)
    return np.where(np.nan_to_num(values, nan=0.0) > 0, sized, smallest)


def _first_counts(rows: pd.DataFrame, columns: Sequence[str]) -> np.ndarray[Any, Any]:
    """Per row, the first of ``columns`` that has a value (NaN when none has)."""
    result = np.full(len(rows), np.nan)
    for column in reversed(columns):
        values = pd.to_numeric(rows[column], errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        result = np.where(np.isnan(values), result, values)
    return result


def _palette(spec: LayerSpec, rows: pd.DataFrame) -> tuple[list[str], np.ndarray[Any, Any]]:
    colours = dict(spec.style.colors)
    palette = [spec.style.color, *sorted(set(colours.values()))]
    if spec.style.color_by is None:
        return palette, np.zeros(len(rows), dtype=np.int64)
    index = {value: palette.index(colour) for value, colour in colours.items()}
    codes, uniques = pd.factorize(rows[spec.style.color_by], use_na_sentinel=True)
    table = np.asarray([index.get(str(v), 0) for v in uniques] + [0], dtype=np.int64)
    return palette, table[codes]


def date_codes(rows: pd.DataFrame, dates: DateIndex) -> np.ndarray[Any, Any]:
    """Each row's index in the page's list of dates (-1 undated)."""

    def index(key: tuple[Any, ...]) -> str | None:
        date, precision = key
        if not isinstance(date, str) or not date:
            return "-1"
        return str(dates.get((date, 1 if absent(precision) else int(precision)), -1))

    table, codes = _combined(rows, ["event_date", "time_precision"], index)
    indexes = np.asarray([int(v or -1) for v in table], dtype=np.int64)
    result: np.ndarray[Any, Any] = indexes[codes]
    return result


def display_column(rows: pd.DataFrame, field: str) -> tuple[list[str | None], np.ndarray[Any, Any]]:
    """A popup column as distinct display values and each row's index into them (a column
    the frame lacks, such as the ``source_count`` of events not merged, shows nothing)."""
    if field not in rows.columns:
        return [None], np.zeros(len(rows), dtype=np.int64)
    if field in COUNTS:

        def count(key: tuple[Any, ...]) -> str | None:
            value, raw = key
            return None if absent(value) else count_label(value, qualifiers(raw).get(field, ""))

        keys = [field, "qualifiers"] if "qualifiers" in rows.columns else [field]
        return _combined(rows, keys, lambda key: count((key[0], key[1] if len(key) > 1 else None)))
    if field == "event_date":

        def date(key: tuple[Any, ...]) -> str | None:
            value, precision = key
            return None if absent(value) else date_label(str(value), precision)

        return _combined(rows, ["event_date", "time_precision"], date)
    codes, uniques = pd.factorize(rows[field], use_na_sentinel=True)
    if isinstance(uniques.dtype, pd.StringDtype) and uniques.dtype.storage == "pyarrow":
        return _text_table(uniques, codes)
    shown: dict[str | None, int] = {None: 0}
    table = [None, *(None if v == "" else str(v) for v in np.asarray(uniques, dtype=object))]
    merged = np.asarray([shown.setdefault(value, len(shown)) for value in table], dtype=np.int64)
    return list(shown), merged[codes + 1]


def _text_table(
    uniques: Any, codes: np.ndarray[Any, Any]
) -> tuple[list[str | None], np.ndarray[Any, Any]]:
    """:func:`display_column`'s table and indexes for a text column's distinct values (kept in
    Arrow, so each is already its own text and none repeats): ``None`` first, for missing
    values and the empty text."""
    import pyarrow as pa

    values: list[str | None] = pa.chunked_array(uniques.array._pa_array).to_pylist()
    index = np.arange(1, len(values) + 2, dtype=np.int64)  # missing (-1) is the last, 0
    index[-1] = 0
    if "" in values:
        blank = values.index("")
        del values[blank]
        index[blank] = 0
        index[blank + 1 : -1] -= 1
    return [None, *values], index[codes]


def _combined(
    rows: pd.DataFrame, columns: Sequence[str], show: Callable[[tuple[Any, ...]], str | None]
) -> tuple[list[str | None], np.ndarray[Any, Any]]:
    """Distinct values of ``columns`` taken together, shown by ``show``: the table of shown
    values (duplicates merged) and each row's index into it. Only distinct keys are formatted."""
    combined = np.zeros(len(rows), dtype=np.int64)
    parts: list[tuple[np.ndarray[Any, Any], int]] = []
    for column in columns:
        codes, found = pd.factorize(rows[column], use_na_sentinel=True)
        uniques = np.asarray([*np.asarray(found, dtype=object), None], dtype=object)
        parts.append((uniques, len(uniques)))
        combined = combined * len(uniques) + np.where(codes < 0, len(uniques) - 1, codes)
    keys, inverse = np.unique(combined, return_inverse=True)
    shown: dict[str | None, int] = {}
    table_codes = np.empty(len(keys), dtype=np.int64)
    for k, combination in enumerate(keys.tolist()):
        values = []
        rest = combination
        for uniques, size in reversed(parts):
            rest, code = divmod(rest, size)
            values.append(uniques[code])
        table_codes[k] = shown.setdefault(show(tuple(reversed(values))), len(shown))
    return list(shown), table_codes[inverse.reshape(-1)]


def bounds_of(layer: Mapping[str, Any]) -> tuple[list[float], list[float]]:
    """Latitudes and longitudes of a point layer's extremes."""
    lat, lon = decode_array(layer["lat"]), decode_array(layer["lon"])
    if not len(lat):
        return [], []
    scale = COORDINATE_SCALE
    return [lat.min() / scale, lat.max() / scale], [lon.min() / scale, lon.max() / scale]
