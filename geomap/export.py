"""Export the stored frames: GeoJSON (RFC 7946), CSV (ACLED's column order) and GeoPackage.

These functions turn frames into text; writing them (atomically) is the caller's edge.
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


def csv_text(frame: pd.DataFrame) -> str:
    """The rows as CSV in the frame's column order, without geometry; a missing value is empty."""
    table = frame.drop(columns="geometry", errors="ignore")
    return str(table.to_csv(index=False, lineterminator="\n"))


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
    if key == "qualifiers" and isinstance(value, str):
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
