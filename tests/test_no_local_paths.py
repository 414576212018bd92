"""No output carries the folder an article was read from: only its file name.

A build reads an article from a folder with a recognisable name; every file it and the
exports write, every value they hold (read back, so compressed formats count too), and
``parse --json`` are searched for that folder.
"""

from __future__ import annotations

from pathlib import Path

import geopandas
import pandas as pd
import pyogrio
import pytest
from conftest import export_layer, run_geomap

from geomap.export_formats import FORMATS

FOLDER_NAME = "private-notes-folder-7f3q"
TEXT = (
    "Police detained 40 protesters in Almaty on 5 January 2022, "
    "and two people were injured near the main square."
)


@pytest.fixture(scope="module")
def article(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("home") / FOLDER_NAME
    folder.mkdir()
    path = folder / "report.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def outputs(article: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("shared") / "out"
    out.mkdir()
    assert run_geomap("build", str(article.resolve()), "--out", str(out)).code == 0
    exports = out / "exports"
    exports.mkdir()
    for format_ in FORMATS:
        for layer in ("events", "flows"):
            target = exports / f"{layer}.{format_}"
            result = export_layer(out / "geomap.gpkg", format_, layer, target)
            assert result.code == 0, result.err
    return sorted(p for p in out.rglob("*") if p.is_file() and not p.name.startswith("."))


def values_of(path: Path) -> list[str]:
    """Every cell of every layer of a data file, as text."""
    if path.suffix == ".parquet":
        frames = [geopandas.read_parquet(path)]
    elif path.suffix in {".gpkg", ".fgb", ".kml", ".shp"}:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
        frames = [pyogrio.read_dataframe(path, layer=name) for name in layers]
    else:
        return []
    return [str(v) for frame in frames for v in pd.DataFrame(frame).astype(str).to_numpy().ravel()]


def test_the_build_and_every_export_name_the_file_and_never_its_folder(
    article: Path, outputs: list[Path]
) -> None:
    suffixes = {p.suffix for p in outputs}
    assert {".html", ".geojson", ".csv", ".gpkg", ".fgb", ".parquet", ".kml", ".shp"} <= suffixes
    folder = str(article.parent)
    found_name = False
    for path in outputs:
        raw = path.read_bytes()
        assert FOLDER_NAME.encode() not in raw, path.name
        assert folder.encode() not in raw, path.name
        for value in values_of(path):
            assert FOLDER_NAME not in value, (path.name, value)
            found_name = found_name or value == article.name
    assert found_name, "no output names the article's file"


def test_parse_json_names_the_file_and_never_its_folder(article: Path) -> None:
    result = run_geomap("parse", str(article.resolve()), "--json")
    assert result.code == 0, result.err
    assert FOLDER_NAME not in result.out
    assert f'"source": "{article.name}"' in result.out
