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

import json
import math
from typing import Any

import geopandas
import numpy as np
import pandas as pd
import shapely

#: RFC 7946 §11.2 recommends six decimals (about 10 cm).
DIGITS = 6
FORMATS = ("geojson", "csv", "gpkg")
#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection),
#: and the line feed a carriage return becomes, which a spreadsheet may skip before one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def geojson_text(frame: geopandas.GeoDataFrame, *, id_column: str) -> str:
    """A FeatureCollection per RFC 7946: [lon, lat], no ``crs``, counter-clockwise outer rings.

    One feature per line, so a regenerated file diffs cleanly.
    """
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    geometries = _rfc7946_geometries(frame.geometry.to_numpy())
    properties = frame.drop(columns=frame.geometry.name)
    features = [
        _dumps(
            {
                "type": "Feature",
                "id": record[id_column],
                "geometry": geometry,
                "properties": {key: _plain(key, value) for key, value in record.items()},
            }
        )
        for record, geometry in zip(properties.to_dict("records"), geometries, strict=True)
    ]
    body = ",\n".join(features)
    return '{"type":"FeatureCollection","features":[\n' + body + ("\n" if body else "") + "]}\n"


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
    table = frame.drop(columns="geometry", errors="ignore")
    if formula_safe:
        table = table.apply(_formula_safe_column)
    return str(table.to_csv(index=False, lineterminator="\n"))


def _formula_safe_column(column: pd.Series) -> pd.Series:
    """The column with each text value that a spreadsheet would run prefixed by ``'``."""
    if column.dtype != object and not pd.api.types.is_string_dtype(column.dtype):
        return column
    return column.map(_formula_safe_cell)


def _formula_safe_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _rfc7946_geometries(geometries: np.ndarray) -> list[dict[str, Any] | None]:
    oriented = shapely.orient_polygons(geometries, exterior_cw=False)
    rounded = shapely.set_precision(oriented, 10.0**-DIGITS, mode="pointwise")
    return [
        None if geometry is None else json.loads(shapely.to_geojson(geometry))
        for geometry in rounded
    ]


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


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
