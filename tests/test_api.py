"""geomap's Python API: read_articles and read_store give typed GeoDataFrames."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas
import pytest
from conftest import ACLED_COLUMNS, run_geomap

import geomap
from geomap.errors import GeomapError

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "kazakhstan-2022-01.en.txt"


def test_read_articles_gives_events_and_flows_as_geodataframes() -> None:
    events, flows = geomap.read_articles([EXAMPLE])
    assert isinstance(events, geopandas.GeoDataFrame)
    assert isinstance(flows, geopandas.GeoDataFrame)
    assert len(events) > 0 and len(flows) > 0
    assert events.crs.to_epsg() == 4326 and flows.crs.to_epsg() == 4326
    assert list(events.columns[:31]) == ACLED_COLUMNS
    assert set(events["source"]) == {EXAMPLE.name}
    assert set(flows.geom_type) == {"LineString"}


def test_read_articles_matches_what_build_stores(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert run_geomap("build", str(EXAMPLE), "--out", str(out)).code == 0
    events, flows = geomap.read_articles([str(EXAMPLE)])
    stored = geomap.read_store(out / "geomap.gpkg")
    assert sorted(events["event_id_cnty"]) == sorted(stored.events["event_id_cnty"])
    assert sorted(flows["flow_id"]) == sorted(stored.flows["flow_id"])
    assert len(stored.articles) == 1


def test_a_source_that_cannot_be_read_raises_unless_skipped(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    with pytest.raises(GeomapError, match=r"missing\.txt"):
        geomap.read_articles([EXAMPLE, missing])
    blank = tmp_path / "blank.txt"
    blank.write_text("   ", encoding="utf-8")
    events, _flows = geomap.read_articles([EXAMPLE, blank], skip_failed=True)
    assert set(events["source"]) == {EXAMPLE.name}


def test_read_store_refuses_a_missing_or_foreign_file(tmp_path: Path) -> None:
    with pytest.raises(GeomapError, match="no store"):
        geomap.read_store(tmp_path / "none.gpkg")
    other = tmp_path / "notes.gpkg"
    other.write_text("not a GeoPackage", encoding="utf-8")
    with pytest.raises(GeomapError):
        geomap.read_store(other)


def test_import_geomap_stays_light() -> None:
    code = "import sys, geomap; print('geopandas' in sys.modules, 'folium' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
