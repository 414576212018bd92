"""Export the stored frames: GeoJSON (RFC 7946), CSV (ACLED's column order) and GeoPackage.

These functions turn frames into text; writing them (atomically) is the caller's edge.

CSV is meant for spreadsheets, which run a cell that starts with ``=``, ``+``, ``-`` or ``@``
(or a tab or carriage return before one) as a formula: an article's sentence or a file name
such as ``=HYPERLINK(...)`` would run on the analyst's machine. As OWASP advises for CSV
injection, such a text cell is written with a leading ``'``, which spreadsheets show as text
and do not keep. A carriage return inside a text cell is written as a line feed: Python's
CSV writer would leave it unquoted, and a spreadsheet would start a new row there, whose
first cell could again be a formula; a line feed makes the writer quote the cell. Numbers (a
negative longitude) are left as they are, and so are the GeoJSON and GeoPackage values,
which no spreadsheet evaluates.
"""

from __future__ import annotations

import csv
import json
import json.encoder
import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas
import numpy as np
import pandas as pd
import shapely

#: RFC 7946 §11.2 recommends six decimals (about 10 cm).
DIGITS = 6
#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection),
#: and the line feed a carriage return becomes, which a spreadsheet may skip before one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class Layout:
    """How a text file of rows is laid out: ``head``, the rows joined by ``separator``,
    ``end`` after the last row (when there is one), then ``tail``."""

    head: str
    separator: str = ""
    end: str = ""
    tail: str = ""

    def text(self, rows: Sequence[str]) -> str:
        """The whole file as text."""
        body = self.separator.join(rows)
        return self.head + body + (self.end if rows else "") + self.tail


#: A FeatureCollection with one feature per line.
GEOJSON = Layout('{"type":"FeatureCollection","features":[\n', ",\n", "\n", "]}\n")


def geojson_text(
    frame: geopandas.GeoDataFrame, *, id_column: str, json_text: Collection[str] = ()
) -> str:
    """A FeatureCollection per RFC 7946: [lon, lat], no ``crs``, counter-clockwise outer rings.

    One feature per line (:func:`geojson_features`), so a regenerated file diffs cleanly.
    """
    return GEOJSON.text(geojson_features(frame, id_column=id_column, json_text=json_text))


def geojson_features(
    frame: geopandas.GeoDataFrame, *, id_column: str, json_text: Collection[str] = ()
) -> list[str]:
    """Each row as the text of one GeoJSON feature (:data:`GEOJSON` lays them out).

    Each column is encoded at once (numbers and text by type, a JSON column's repeated
    values once), and the features are joined from the encoded columns; the text is exactly
    what encoding each feature as a dict with :func:`json.dumps` gives, and a row's text does
    not depend on the other rows.

    ``json_text`` names JSON columns whose text is already what the feature holds (compact
    separators, text not escaped to ASCII: ``reports`` of
    :func:`geomap.join.merge_reports`); it is written as it is instead of parsed and
    encoded again.
    """
    features: list[str] = geojson_lines(frame, id_column=id_column, json_text=json_text).to_pylist()
    return features


def geojson_lines(
    frame: geopandas.GeoDataFrame, *, id_column: str, json_text: Collection[str] = ()
) -> Any:
    """The features of :func:`geojson_features` as an Arrow array of text (none missing),
    for a writer that writes Arrow's bytes.

    A column kept in Arrow (integers, text) is encoded by Arrow's kernels, a text only
    through :mod:`json`'s own escaping when it holds a character that JSON escapes; the
    other columns a value at a time as :func:`json.dumps` writes them. The feature is then
    joined in Arrow from its keys and its values' texts.
    """
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    geometries = _geometry_array(frame.geometry.to_numpy())
    properties = frame.drop(columns=frame.geometry.name)
    keys = [str(key) for key in properties.columns]
    columns = [
        [_arrow_as_is(properties[key])] if key in json_text else _json_pieces(key, properties[key])
        for key in keys
    ]
    pieces: list[Any] = ['{"type":"Feature","id":', *_id_pieces(properties[id_column])]
    pieces += [',"geometry":', geometries, ',"properties":{']
    for number, (key, column) in enumerate(zip(keys, columns, strict=True)):
        pieces += [("," if number else "") + _dumps(key) + ":", *column]
    pieces.append("}}")
    if not len(frame):
        return pa.array([], type=pa.string())
    parts: list[Any] = []
    for piece in pieces:  # next to each other, texts are one
        if isinstance(piece, str) and parts and isinstance(parts[-1], str):
            parts[-1] += piece
        else:
            parts.append(piece)
    scalars = [pa.scalar(part) if isinstance(part, str) else part for part in parts]
    return pc.binary_join_element_wise(*scalars, "")


def _json_pieces(key: str, column: pd.Series) -> list[Any]:
    """A column's JSON texts for :func:`geojson_lines`: ``['"', texts, '"']`` for text that
    is all there and needs no escaping (quoted as the feature is joined, not copied first),
    else the one array :func:`_arrow_encoded` gives."""
    if _is_arrow_text(column) and key not in {"qualifiers", "reports"}:
        text = _arrow_text(column)
        if not text.null_count and not _json_escaped(text).any():
            return ['"', text, '"']
    return [_arrow_encoded(key, column)]


def _id_pieces(column: pd.Series) -> list[Any]:
    """:func:`_json_pieces` of the feature's id (:func:`_arrow_id`)."""
    if _is_arrow_text(column) and not column.isna().any():
        return _json_pieces("id", column)
    return [_arrow_id(column)]


def _json_escaped(text: Any) -> Any:
    """Which texts hold a character JSON escapes (a numpy array of booleans)."""
    import pyarrow.compute as pc

    found = pc.fill_null(pc.match_substring_regex(text, _JSON_ESCAPED), False)
    return found.to_numpy(zero_copy_only=False)


def _is_arrow_text(column: pd.Series) -> bool:
    dtype = column.dtype
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def _arrow_text(column: pd.Series) -> Any:
    import pyarrow as pa

    return pa.chunked_array(column.array._pa_array).combine_chunks().cast(pa.string())


def _arrow_as_is(column: pd.Series) -> Any:
    """:func:`_as_is` in Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if _is_arrow_text(column):
        return pc.fill_null(_arrow_text(column), "null")
    return pa.array(_as_is(column), type=pa.string())


def _arrow_encoded(key: str, column: pd.Series) -> Any:
    """:func:`_encoded` in Arrow: integers and text by Arrow's kernels, the rest by it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = column.dtype
    if isinstance(dtype, pd.Int64Dtype):
        exact = pa.array(column, type=pa.int64())
        return pc.fill_null(pc.cast(exact, pa.string()), "null")
    if _is_arrow_text(column) and key not in {"qualifiers", "reports"}:
        return _arrow_json_text(_arrow_text(column))
    if pd.api.types.is_float_dtype(dtype) and not isinstance(dtype, pd.Float64Dtype):
        numbers = column.to_numpy(dtype="float64")
        if not np.isinf(numbers).any():  # json refuses infinity: let it say so
            return pc.if_else(pa.array(np.isnan(numbers)), "null", float_texts(numbers))
    if _is_arrow_text(column):  # JSON text: each distinct value parsed and encoded once
        encoded = pc.dictionary_encode(_arrow_text(column))
        distinct = pd.Series(encoded.dictionary.to_pylist(), dtype=object)
        texts = pa.array(_encoded(key, distinct), type=pa.string())
        return pc.fill_null(texts.take(encoded.indices), "null")
    return pa.array(_encoded(key, column), type=pa.string())


#: The characters :func:`json.dumps` escapes in a text (``ensure_ascii=False``).
_JSON_ESCAPED = r'[\x00-\x1f"\\]'


def _arrow_json_text(text: Any) -> Any:
    """Each text as :func:`json.dumps` writes it (``null`` where missing): quoted as it is,
    or, when it holds a character JSON escapes, through json's own encoder."""
    import pyarrow as pa
    import pyarrow.compute as pc

    quoted = pc.binary_join_element_wise(pa.scalar('"'), text, pa.scalar('"'), "")
    escaped = pc.fill_null(pc.match_substring_regex(text, _JSON_ESCAPED), False)
    if pc.any(escaped).as_py():
        values = pc.filter(text, escaped).to_pylist()
        replacement = pa.array([_encode_text(value) for value in values], type=pa.string())
        quoted = pc.replace_with_mask(quoted, escaped, replacement)
    return pc.fill_null(quoted, "null")


def json_text_array(texts: Any) -> Any:
    """Each text of an Arrow array of text as :func:`json.dumps` writes it (``null`` where
    missing), as an Arrow array."""
    return _arrow_json_text(texts)


def json_texts(column: pd.Series) -> Any:
    """Each value of a text column kept in Arrow as :func:`json.dumps` writes it (``null``
    where missing), as an Arrow array; ``None`` for a column of another kind."""
    return _arrow_json_text(_arrow_text(column)) if _is_arrow_text(column) else None


def _arrow_id(column: pd.Series) -> Any:
    """:func:`_encoded_ids` in Arrow."""
    import pyarrow as pa

    if _is_arrow_text(column) and not column.isna().any():
        return _arrow_json_text(_arrow_text(column))
    return pa.array(_encoded_ids(column), type=pa.string())


def csv_text(frame: pd.DataFrame, *, formula_safe: bool = True) -> str:
    """The rows as CSV in the frame's column order, without geometry; a missing value is empty.

    Parameters
    ----------
    frame
        The rows.
    formula_safe
        Prefix ``'`` to every text cell that starts with one of :data:`FORMULA_STARTS`, and
        write a carriage return in a text cell as a line feed, so that a spreadsheet shows
        the cell instead of running it (the default; see the module's docstring). ``False``
        writes the values exactly as stored.
    """
    return csv_layout(frame).text(csv_rows(frame, formula_safe=formula_safe))


def csv_layout(frame: pd.DataFrame) -> Layout:
    """The CSV file's layout: its header line, then the rows (each ends its own line)."""
    names = [str(name) for name in frame.columns if name != "geometry"]
    return Layout(_csv_lines([names])[0])


def csv_rows(frame: pd.DataFrame, *, formula_safe: bool = True) -> list[str]:
    """Each row as one CSV record, line end included (see :func:`csv_text`): what pandas'
    ``to_csv`` writes through the :mod:`csv` writer, built a column at a time in Arrow (each
    cell's text, quoted as that writer quotes, then the cells joined row by row)."""
    lines = csv_lines(frame, formula_safe=formula_safe)
    return lines if isinstance(lines, list) else list(lines.to_pylist())


def csv_lines(frame: pd.DataFrame, *, formula_safe: bool = True) -> Any:
    """The records of :func:`csv_rows` as an Arrow array of text, none missing (a list of
    texts for a frame of fewer than two columns), for a writer that writes Arrow's bytes."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = frame.drop(columns="geometry", errors="ignore")
    columns = [table[name] for name in table.columns]
    if len(columns) < 2:  # one cell alone is quoted when empty: the writer knows best
        if formula_safe:
            columns = [_formula_safe_column(column) for column in columns]
        return _csv_lines(zip(*(_csv_values(column) for column in columns), strict=True))
    cells = [
        _csv_text_cells(column)
        if formula_safe and _ONE_SCAN and _is_arrow_text(column)
        else _csv_cells(_formula_safe_column(column) if formula_safe else column)
        for column in columns
    ]
    rows = pc.binary_join_element_wise(*cells, ",")
    return pc.binary_join_element_wise(rows, pa.scalar("\n"), "")


def _csv_cells(column: pd.Series) -> Any:
    """A column's cells as the CSV writer writes them (an Arrow array of text, none missing):
    missing empty, numbers as pandas hands them over, text quoted when it holds one of the
    characters that make the writer quote."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = column.dtype
    if (
        pd.api.types.is_object_dtype(dtype) and column.isna().all()
    ):  # a missing cell is empty, never quoted
        return pa.array([""] * len(column), type=pa.string())
    if isinstance(dtype, pd.Int64Dtype) or pd.api.types.is_integer_dtype(dtype):
        exact = pa.array(column.astype("Int64"), type=pa.int64())
        return pc.fill_null(pc.cast(exact, pa.string()), "")
    if pd.api.types.is_float_dtype(dtype) and not isinstance(dtype, pd.Float64Dtype):
        # numpy's text of a float64 is Python's repr of it; no such text is ever quoted
        texts = float_texts(column.to_numpy(dtype="float64"))
        return pc.if_else(pa.array(column.isna().to_numpy()), "", texts)
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        text = pa.chunked_array(column.array._pa_array).cast(pa.string())
    else:
        values = _csv_values(column)
        if not all(value is None or type(value) is str for value in values):
            values = [value if value is None else str(value) for value in values]
        text = pa.array(values, type=pa.string())
    quote = pc.match_substring_regex(text, _CSV_QUOTED_PATTERN) if _CSV_QUOTED else None
    if _CSV_QUOTES_EMPTY:
        found = pc.equal(text, "")
        quote = found if quote is None else pc.or_(quote, found)
    if quote is not None and pc.any(quote).as_py():
        doubled = pc.replace_substring(text, '"', '""')
        quoted = pc.binary_join_element_wise(pa.scalar('"'), doubled, pa.scalar('"'), "")
        text = pc.if_else(pc.fill_null(quote, False), quoted, text)
    return pc.fill_null(text, "")


def _csv_text_cells(column: pd.Series) -> Any:
    """:func:`_csv_cells` of :func:`_formula_safe_column` for a text column kept in Arrow,
    in one scan for the characters that make a cell quoted or a carriage return: a cell
    made formula-safe holds a line feed where it held a carriage return, and a leading
    ``'``, which is not quoted, so the cells to quote are those the scan found."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.chunked_array(column.array._pa_array).combine_chunks().cast(pa.string())
    special = pc.fill_null(pc.match_substring_regex(text, _CSV_SCAN_PATTERN), False)
    starts = pc.fill_null(pc.match_substring_regex(text, _FORMULA_START_PATTERN), False)
    risky = starts.to_numpy(zero_copy_only=False)
    found = special.to_numpy(zero_copy_only=False)
    if found.any():
        rows = np.flatnonzero(found)
        returns = pc.match_substring(text.take(pa.array(rows)), "\r")
        risky = risky.copy()
        risky[rows[returns.to_numpy(zero_copy_only=False)]] = True
    if risky.any():
        values = [_formula_safe_cell(value) for value in text.filter(pa.array(risky)).to_pylist()]
        text = pc.replace_with_mask(text, pa.array(risky), pa.array(values, type=pa.string()))
    quote = special
    if _CSV_QUOTES_EMPTY:
        quote = pc.or_(quote, pc.fill_null(pc.equal(text, ""), False))
    if pc.any(quote).as_py():
        doubled = pc.replace_substring(text, '"', '""')
        quoted = pc.binary_join_element_wise(pa.scalar('"'), doubled, pa.scalar('"'), "")
        text = pc.if_else(quote, quoted, text)
    return pc.fill_null(text, "")


def _csv_quoted_characters() -> tuple[str, ...]:
    """The characters that make :mod:`csv`'s writer quote a cell: the delimiter, the quote
    and the line feed (a carriage return too in some versions), found by asking it."""
    return tuple(
        chr(code) for code in range(128) if _csv_lines([[f"a{chr(code)}b", "c"]])[0][0] == '"'
    )


class _Lines:
    """A file-like sink that keeps each write: :mod:`csv` writes a record at a time."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.write = self.lines.append


def _csv_lines(rows: Iterable[Iterable[Any]]) -> list[str]:
    sink = _Lines()
    csv.writer(sink, lineterminator="\n").writerows(rows)
    return sink.lines


def _csv_values(column: pd.Series) -> list[Any]:
    """A column's cells as pandas hands them to the CSV writer: missing as ``None`` (empty),
    floats as numpy's text of them."""
    missing = column.isna().to_numpy()
    if pd.api.types.is_float_dtype(column.dtype) and not isinstance(column.dtype, pd.Float64Dtype):
        values: list[Any] = column.to_numpy(dtype="float64").astype(str).tolist()
    else:
        values = column.tolist()
    if missing.any():
        for index in np.flatnonzero(missing).tolist():
            values[index] = None
    return values


def _formula_safe_column(column: pd.Series) -> pd.Series:
    """The column with each text value that a spreadsheet would run prefixed by ``'``.

    The risky cells are found for the whole column at once; only they are rewritten.
    """
    if column.dtype != object and not pd.api.types.is_string_dtype(column.dtype):
        return column
    if column.dtype == object and column.isna().all():  # no text to run
        return column
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        risky = pd.Series(_risky_in_arrow(column), index=column.index)
    else:
        try:
            text = column.str
        except AttributeError:  # no text in the column at all
            return column
        risky = text.startswith(FORMULA_STARTS) | text.contains("\r", regex=False)
        risky = risky.fillna(False).astype(bool)
    if not risky.any():
        return column
    result = column.copy()
    result[risky] = column[risky].map(_formula_safe_cell)
    return result


def _risky_in_arrow(column: pd.Series) -> np.ndarray:
    """Which cells of a text column kept in Arrow a spreadsheet would run (see
    :func:`_formula_safe_column`), found by Arrow's own string kernels."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.chunked_array(column.array._pa_array)
    risky = pc.match_substring(text, "\r")
    for start in FORMULA_STARTS:
        risky = pc.or_(risky, pc.starts_with(text, start))
    found: np.ndarray = pc.fill_null(risky, False).to_numpy(zero_copy_only=False)
    return found


def _formula_safe_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _geometry_array(geometries: np.ndarray) -> Any:
    """:func:`_geometry_texts` as an Arrow array of text, the points' texts joined in Arrow
    from their coordinates' (each written as :func:`json.dumps` writes a float)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    oriented = geometries
    polygonal = np.isin(shapely.get_type_id(geometries), (3, 6, 7))  # (multi)polygons, sets
    if polygonal.any():  # only these have rings to orient
        oriented = np.array(geometries, dtype=object)
        oriented[polygonal] = shapely.orient_polygons(geometries[polygonal], exterior_cw=False)
    rounded = shapely.set_precision(oriented, 10.0**-DIGITS, mode="pointwise")
    points = (shapely.get_type_id(rounded) == 0) & ~shapely.is_empty(rounded)
    xy = shapely.get_coordinates(rounded[points])
    if not points.any() or not np.isfinite(xy).all():  # json refuses NaN: let it say so
        return pa.array(_geometry_texts(geometries, rounded=rounded), type=pa.string())
    texts = pc.binary_join_element_wise(
        '{"type":"Point","coordinates":[',
        float_texts(xy[:, 0]),
        ",",
        float_texts(xy[:, 1]),
        "]}",
        "",
    )
    if points.all():
        return texts
    others = pa.array(_geometry_texts(geometries, rounded=rounded, points=False), pa.string())
    return pc.replace_with_mask(others, pa.array(points), texts)


def _geometry_texts(
    geometries: np.ndarray, *, rounded: np.ndarray | None = None, points: bool = True
) -> list[str]:
    """Each geometry as GeoJSON text (``null`` for none), rounded to :data:`DIGITS` decimals
    (``rounded``: the geometries already oriented and rounded); without ``points``, a point's
    text is left ``null``.

    Points, nearly every row, are written from their coordinates at once; other shapes
    (country outlines, flow lines) through GEOS's GeoJSON, each distinct shape once.
    """
    if rounded is None:
        oriented = shapely.orient_polygons(geometries, exterior_cw=False)
        rounded = shapely.set_precision(oriented, 10.0**-DIGITS, mode="pointwise")
    kinds = shapely.get_type_id(rounded)
    is_point = (kinds == 0) & ~shapely.is_empty(rounded)
    texts: list[str] = ["null"] * len(rounded)
    if points and is_point.any():
        xy = shapely.get_coordinates(rounded[is_point])
        for index, x, y in zip(
            np.flatnonzero(is_point).tolist(), xy[:, 0].tolist(), xy[:, 1].tolist(), strict=True
        ):
            texts[index] = '{"type":"Point","coordinates":[' + _number(x) + "," + _number(y) + "]}"
    shapes: dict[bytes, str] = {}
    for index in np.flatnonzero(~is_point & (kinds >= 0)).tolist():
        geometry = rounded[index]
        key = shapely.to_wkb(geometry)
        if key not in shapes:
            shapes[key] = _dumps(json.loads(shapely.to_geojson(geometry)))
        texts[index] = shapes[key]
    return texts


def float_texts(numbers: np.ndarray) -> Any:
    """Each float as Python's ``repr`` writes it (as :func:`json.dumps` and numpy's text of a
    float64 do: ``nan`` and ``inf`` as such), as an Arrow array of text.

    Arrow writes the same shortest digits, but ``1`` for ``1.0`` and exponents for other
    magnitudes: its text is taken where it has a point and no exponent and the number is
    at least 1e-4 (below that Python writes an exponent), Python's elsewhere.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    numbers = np.asarray(numbers, dtype=np.float64)
    texts = pc.cast(pa.array(numbers, type=pa.float64()), pa.string())
    plain = pc.and_(pc.match_substring(texts, "."), pc.invert(pc.match_substring(texts, "e")))
    with np.errstate(invalid="ignore"):
        large = np.abs(numbers) >= 1e-4
    trusted = plain.to_numpy(zero_copy_only=False) & large
    if not trusted.all():
        others = numbers[~trusted].tolist()
        fixed = pa.array(list(map(float.__repr__, others)), type=pa.string())
        texts = pc.replace_with_mask(texts, pa.array(~trusted), fixed)
    return texts


def _number(value: float) -> str:
    """A float as :func:`json.dumps` writes it (refusing NaN and infinity, as it does)."""
    if math.isnan(value) or math.isinf(value):
        return _dumps(value)
    return float.__repr__(value)


def _encoded_ids(column: pd.Series) -> list[str]:
    values = column.tolist()
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        return list(map(_encode_text, values))
    return [_dumps(value) for value in values]


def _as_is(column: pd.Series) -> list[str]:
    """A column of JSON text as it is (``null`` where missing)."""
    values = column.tolist()
    for index in np.flatnonzero(column.isna().to_numpy()).tolist():
        values[index] = "null"
    return [value if type(value) is str else _dumps(_plain("", value)) for value in values]


def _encoded(key: str, column: pd.Series) -> list[str]:
    """Each value of a column as the JSON text :func:`_plain` then :func:`_dumps` give."""
    dtype = column.dtype
    missing = column.isna().to_numpy()
    if missing.all():
        return ["null"] * len(column)
    if isinstance(dtype, pd.Int64Dtype) or pd.api.types.is_integer_dtype(dtype):
        values = column.fillna(0).astype("int64").tolist() if missing.any() else column.tolist()
        texts = list(map(str, values))
    elif pd.api.types.is_float_dtype(dtype) and not isinstance(dtype, pd.Float64Dtype):
        numbers = column.to_numpy(dtype="float64")
        if np.isinf(numbers).any():
            texts = [_number(v) if not m else "null" for v, m in zip(numbers, missing, strict=True)]
        else:
            texts = list(map(float.__repr__, numbers.tolist()))
    elif pd.api.types.is_bool_dtype(dtype) and not missing.any():
        texts = ["true" if value else "false" for value in column.tolist()]
    else:
        return _encoded_objects(key, column.tolist())
    for index in np.flatnonzero(missing).tolist():
        texts[index] = "null"
    return texts


def _encoded_objects(key: str, values: list[Any]) -> list[str]:
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in {"string", "empty"} and key not in {"qualifiers", "reports"}:
        # only text, or a missing value (None, NaN, NA) written as null
        return ["null" if type(value) is not str else _encode_text(value) for value in values]
    seen: dict[str, str] = {}
    result: list[str] = []
    for value in values:
        if value is None:
            result.append("null")
        elif type(value) is str:
            text = seen.get(value)
            if text is None:
                text = seen[value] = _dumps(_plain(key, value))
            result.append(text)
        else:
            result.append(_dumps(_plain(key, value)))
    return result


def _plain(key: str, value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if key in {"qualifiers", "reports"} and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


_encode_text: Any = json.encoder.encode_basestring  # what json.dumps uses for a str


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


#: What makes :mod:`csv`'s writer quote a cell, found by asking it once.
_CSV_QUOTED = _csv_quoted_characters()
_CSV_QUOTES_EMPTY = _csv_lines([["", "c"]])[0][0] == '"'  # a writer that quotes empty cells


def _any_of(characters: Iterable[str]) -> str:
    """A regular expression of Arrow's (RE2) that matches any of the characters."""
    return "[" + "".join(f"\\x{{{ord(c):02x}}}" for c in characters) + "]"


#: Any of :data:`_CSV_QUOTED`; that or a carriage return; a formula's first character.
_CSV_QUOTED_PATTERN = _any_of(_CSV_QUOTED)
_CSV_SCAN_PATTERN = _any_of(dict.fromkeys([*_CSV_QUOTED, "\r"]))
_FORMULA_START_PATTERN = "^" + _any_of(FORMULA_STARTS)
#: Whether one scan finds the cells to quote in formula-safe text (see _csv_text_cells).
_ONE_SCAN = "\n" in _CSV_QUOTED and "'" not in _CSV_QUOTED
