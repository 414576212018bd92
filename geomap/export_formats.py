"""Export the stored frames as files in the formats GIS tools read.

GeoJSON and CSV are text (``geomap.export``); this module adds the binary and multi-file
formats through GeoPandas and pyogrio: FlatGeobuf, GeoParquet, KML, a GeoPackage of one layer,
and Shapefiles, which hold one geometry type each and are therefore split by type
(``events_points.shp``, ``events_polygons.shp``). Every file is written beside its target
and renamed over it, so a failed export leaves the old file as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import geopandas
import pandas as pd
import pyogrio
import pyogrio.errors

from geomap.atomic import replacing
from geomap.errors import OutputError

#: Every export format, and those written as text (which may go to standard output).
FORMATS = ("geojson", "csv", "gpkg", "fgb", "parquet", "kml", "shp")
TEXT_FORMATS = ("geojson", "csv")
#: The usual file extension of each format.
EXTENSIONS = {
    "geojson": ".geojson",
    "csv": ".csv",
    "gpkg": ".gpkg",
    "fgb": ".fgb",
    "parquet": ".parquet",
    "kml": ".kml",
    "shp": ".shp",
}
_DRIVERS = {"fgb": "FlatGeobuf", "kml": "KML", "gpkg": "GPKG"}
#: What names and describes a placemark in Google Earth, per layer.
_KML_FIELDS = {"events": ("location", "notes"), "flows": ("actor", "evidence")}
#: Shapefile parts: a geometry family, its members and the suffix of its file.
_SHAPE_FAMILIES = (
    ("points", ("Point", "MultiPoint")),
    ("lines", ("LineString", "MultiLineString")),
    ("polygons", ("Polygon", "MultiPolygon")),
)
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_DBF_NAME_LENGTH = 10


def write_file(
    frame: geopandas.GeoDataFrame, target: Path, *, format_: str, layer: str
) -> list[Path]:
    """Write ``frame`` to ``target`` in ``format_``; the files written.

    ``layer`` names the layer inside a GeoPackage or KML document. A Shapefile export writes
    one file set per geometry type, named after ``target`` with ``_points``, ``_lines`` or
    ``_polygons`` added.

    Raises
    ------
    OutputError
        When a file cannot be written; the previous files are then unchanged.
    """
    if format_ == "shp":
        return _write_shapefiles(frame, target)
    with replacing(target) as temp:
        temp.unlink()
        _write_one(frame, temp, format_=format_, layer=layer)
    return [target]


def shapefile_columns(columns: list[str]) -> dict[str, str]:
    """Column names that fit dBASE's 10 characters, unique, in a stable way."""
    renamed: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        name = column[:_DBF_NAME_LENGTH]
        number = 1
        while name.lower() in taken:
            suffix = str(number)
            name = column[: _DBF_NAME_LENGTH - len(suffix)] + suffix
            number += 1
        taken.add(name.lower())
        renamed[column] = name
    return renamed


def _write_one(frame: geopandas.GeoDataFrame, path: Path, *, format_: str, layer: str) -> None:
    try:
        if format_ == "parquet":
            frame.to_parquet(path, index=False)
            return
        options: dict[str, str] = {}
        if format_ == "kml" and layer in _KML_FIELDS:
            name, description = _KML_FIELDS[layer]
            options = {"NameField": name, "DescriptionField": description}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on field types
            pyogrio.write_dataframe(
                _plain_types(frame),
                path,
                driver=_DRIVERS[format_],
                layer=layer,
                geometry_type="Unknown",
                dataset_options=options or None,
            )
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
        msg = f"cannot write {format_} to {path.name}: {exc}; nothing was changed"
        raise OutputError(msg) from exc


def _plain_types(frame: geopandas.GeoDataFrame) -> geopandas.GeoDataFrame:
    """Nullable integers as floats where a driver cannot store a missing integer."""
    result = frame.copy()
    for column in result.columns:
        if isinstance(result[column].dtype, pd.Int64Dtype):
            result[column] = result[column].astype("float64")
    return result


def _write_shapefiles(frame: geopandas.GeoDataFrame, target: Path) -> list[Path]:
    stem = target.with_suffix("")
    kinds = frame.geometry.geom_type
    parts = [(family, frame[kinds.isin(members)]) for family, members in _SHAPE_FAMILIES]
    parts = [(family, rows) for family, rows in parts if not rows.empty]
    if not parts:  # an empty layer still gives a file set, of points
        parts = [("points", frame)]
    renamed = shapefile_columns([c for c in frame.columns if c != frame.geometry.name])
    written: list[Path] = []
    with _scratch(target.parent) as scratch:
        for family, rows in parts:
            name = f"{stem.name}_{family}"
            path = scratch / f"{name}.shp"
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                try:
                    pyogrio.write_dataframe(
                        _plain_types(rows.rename(columns=renamed)),
                        path,
                        driver="ESRI Shapefile",
                        encoding="UTF-8",
                    )
                except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
                    msg = f"cannot write the Shapefile {name}.shp: {exc}; nothing was changed"
                    raise OutputError(msg) from exc
        for family, _rows in parts:
            name = f"{stem.name}_{family}"
            for suffix in _SHAPEFILE_PARTS:
                part = scratch / f"{name}{suffix}"
                if part.exists():
                    os.replace(part, stem.parent / part.name)
            written.append(stem.parent / f"{name}.shp")
    return written


@contextlib.contextmanager
def _scratch(folder: Path) -> Iterator[Path]:
    """A temporary folder beside the outputs, so that each rename stays on one disk."""
    if not folder.is_dir():
        msg = f"cannot write in {folder}: the folder does not exist; create it or choose --out"
        raise OutputError(msg)
    try:
        with tempfile.TemporaryDirectory(dir=folder, prefix=".geomap-export.") as name:
            yield Path(name)
    except OSError as exc:
        msg = f"cannot write in {folder}: {exc.strerror or exc}; nothing was changed"
        raise OutputError(msg) from exc
