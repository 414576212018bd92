"""``geomap export --format FORMAT``: every format opens in GeoPandas with the store's rows.

The store is built once from the bundled example. Shapefiles hold one geometry type each,
so the events (points and country outlines) come out as two file sets.
"""

from __future__ import annotations

from pathlib import Path

import geopandas
import pytest
from conftest import export_layer, run_geomap

from geomap import join, store
from geomap.export_formats import FORMATS, shapefile_columns

BINARY = ("gpkg", "fgb", "parquet", "kml", "shp")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("formats") / "out"
    out.mkdir()
    result = run_geomap("build", "--out", str(out))
    assert result.code == 0, result.err
    return out


def read(path: Path, format_: str, layer: str) -> geopandas.GeoDataFrame:
    if format_ == "parquet":
        return geopandas.read_parquet(path)
    if format_ == "csv":  # GDAL places the events' rows by their longitude and latitude
        return geopandas.read_file(
            path, X_POSSIBLE_NAMES="longitude", Y_POSSIBLE_NAMES="latitude", KEEP_GEOM_COLUMNS="YES"
        )
    return geopandas.read_file(path, layer=layer if format_ == "gpkg" else None)


@pytest.mark.parametrize("layer", ["events", "flows"])
@pytest.mark.parametrize("format_", [f for f in FORMATS if f != "shp"])
def test_each_format_opens_in_geopandas_with_every_row(
    built: Path, tmp_path: Path, format_: str, layer: str
) -> None:
    target = tmp_path / f"{layer}.{format_}"
    result = export_layer(built / "geomap.gpkg", format_, layer, target)
    assert result.code == 0, result.err
    frame = read(target, format_, layer)
    stored = getattr(store.read(built / "geomap.gpkg"), layer)
    assert len(frame) == len(stored) > 0
    key = "event_id_cnty" if layer == "events" else "flow_id"
    assert set(frame[key]) == set(stored[key])
    if format_ == "csv" and layer == "flows":
        return  # a flow's CSV row names its ends; the line itself is in the other formats
    if format_ != "csv":
        assert frame.crs is not None and frame.crs.to_epsg() == 4326
    assert frame.geometry.notna().all()


def test_geoparquet_keeps_the_columns_and_types(built: Path, tmp_path: Path) -> None:
    target = tmp_path / "events.parquet"
    assert export_layer(built / "geomap.gpkg", "parquet", "events", target).code == 0
    frame = geopandas.read_parquet(target)
    merged = join.merge_reports(store.read(built / "geomap.gpkg").events)
    assert list(frame.columns) == list(merged.columns)
    assert frame.geometry.equals(merged.geometry)


def test_a_shapefile_export_writes_one_file_set_per_geometry_type(
    built: Path, tmp_path: Path
) -> None:
    target = tmp_path / "events.shp"
    result = export_layer(built / "geomap.gpkg", "shp", "events", target)
    assert result.code == 0, result.err
    points, polygons = tmp_path / "events_points.shp", tmp_path / "events_polygons.shp"
    assert not target.exists()
    stored = store.read(built / "geomap.gpkg").events
    read_points, read_polygons = geopandas.read_file(points), geopandas.read_file(polygons)
    assert set(read_points.geom_type) == {"Point"}
    assert set(read_polygons.geom_type) <= {"Polygon", "MultiPolygon"}
    assert len(read_points) + len(read_polygons) == len(stored)
    for part in ("events_points", "events_polygons"):
        assert {p.suffix for p in tmp_path.glob(f"{part}.*")} >= {".shp", ".shx", ".dbf", ".prj"}
    assert "event_id_c" in read_points.columns  # dBASE's 10 characters


def test_flows_export_as_one_shapefile_of_lines(built: Path, tmp_path: Path) -> None:
    result = export_layer(built / "geomap.gpkg", "shp", "flows", tmp_path / "flows.shp")
    assert result.code == 0, result.err
    assert sorted(p.name for p in tmp_path.glob("*.shp")) == ["flows_lines.shp"]


def test_shapefile_column_names_are_short_and_unique() -> None:
    names = shapefile_columns(["evidence_start", "evidence_end", "evidence", "event_date"])
    assert all(len(n) <= 10 for n in names.values())
    assert len(set(names.values())) == 4
    assert names["evidence"] == "evidence"


@pytest.mark.parametrize("format_", BINARY)
def test_a_binary_format_needs_an_output_file(built: Path, format_: str) -> None:
    result = run_geomap("export", "--store", str(built / "geomap.gpkg"), "--format", format_)
    assert result.code == 2
    assert "needs --out" in result.err


def test_an_unknown_format_names_the_known_ones(built: Path) -> None:
    result = run_geomap("export", "--store", str(built / "geomap.gpkg"), "--format", "xlsx")
    assert result.code == 2
    assert all(f in result.err for f in FORMATS)
