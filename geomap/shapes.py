"""Country outlines: Natural Earth admin-0 polygons keyed by ISO 3166-1 alpha-2.

The data file ``countries.fgb`` (FlatGeobuf, EPSG:4326, columns ``iso``,
``name``) is built by ``scripts/build_country_shapes.py``; its provenance is in
``gazetteer/SHAPES.md``. It is found like every shipped data file, through
:func:`geomap._paths.data_dir`, read once per process and kept in memory.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import geopandas
import pyogrio
import shapely

from geomap._paths import data_dir

__all__ = ["country_shape", "country_shapes", "representative_point", "shapes_file"]

DATA_FILE = "countries.fgb"


def _gazetteer_file(name: str) -> Path:
    """A file of the gazetteer folder (:func:`geomap._paths.data_dir`).

    Raises
    ------
    FileNotFoundError
        If the folder has no such file.
    """
    path = data_dir("gazetteer") / name
    if not path.is_file():
        msg = f"gazetteer file {name!r} not found in {path.parent}"
        raise FileNotFoundError(msg)
    return path


@functools.cache
def country_shapes() -> geopandas.GeoDataFrame:
    """All country outlines, loaded once and cached.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per country, sorted by ISO code, with columns ``iso``
        (ISO 3166-1 alpha-2, upper case), ``name`` (English) and ``geometry``
        (valid ``MultiPolygon``, longitude/latitude) in EPSG:4326.  The frame is
        shared between callers: copy it before modifying it.

    Raises
    ------
    FileNotFoundError
        If the data file is missing.
    """
    frame = pyogrio.read_dataframe(shapes_file())
    return frame[["iso", "name", "geometry"]]


def shapes_file() -> Path:
    """The file the country outlines are read from.

    Raises
    ------
    FileNotFoundError
        If the data file is missing.
    """
    return _gazetteer_file(DATA_FILE)


@functools.cache
def _shapes_by_iso() -> dict[str, shapely.Geometry]:
    """Map of upper-case ISO alpha-2 code to geometry."""
    frame = country_shapes()
    return dict(zip(frame["iso"], frame.geometry, strict=True))


def _normalise(iso: str) -> str:
    """Upper-case, trimmed ISO code."""
    return iso.strip().upper()


def country_shape(iso: str) -> shapely.Geometry | None:
    """The outline of one country.

    Parameters
    ----------
    iso
        ISO 3166-1 alpha-2 code, any case (``"KZ"``, ``"kz"``).  ``"XK"`` is Kosovo.

    Returns
    -------
    shapely.Geometry or None
        A valid ``MultiPolygon`` in longitude/latitude, or None if the code is
        unknown or has no outline of its own (e.g. ``"GF"``: French Guiana is
        part of France's outline in Natural Earth).
    """
    return _shapes_by_iso().get(_normalise(iso))


@functools.cache
def _representative_point(iso: str) -> tuple[float, float] | None:
    """Cached worker of :func:`representative_point` (``iso`` already normalised)."""
    geometry = country_shape(iso)
    if geometry is None or geometry.is_empty:
        return None
    # The largest part by approximate true area, so that France's point lies in
    # metropolitan France and Norway's on the mainland, not on an island.
    largest = max(shapely.get_parts(geometry), key=_approximate_area)
    point = largest.centroid  # the middle of its main land, where atlases put a country
    if not largest.contains(point):  # a crescent or a ring: a point inside it instead
        point = largest.representative_point()
    return (float(point.y), float(point.x))


def _approximate_area(polygon: shapely.Geometry) -> float:
    """Area in square degrees, scaled by the cosine of the centroid's latitude."""
    return float(polygon.area) * math.cos(math.radians(polygon.centroid.y))


def representative_point(iso: str) -> tuple[float, float] | None:
    """A point inside a country: the centroid of its largest part when that lies inside it.

    Parameters
    ----------
    iso
        ISO 3166-1 alpha-2 code, any case.

    Returns
    -------
    tuple of float or None
        ``(lat, lon)`` in degrees, or None if the country is unknown.
    """
    return _representative_point(_normalise(iso))
