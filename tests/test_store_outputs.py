"""Outputs are regenerated only when the store or what shapes the map changed."""

from __future__ import annotations

from pathlib import Path

import pytest

import geomap.render
from geomap.geocode import get_geocoder
from geomap.ingest import IngestOptions
from geomap.layers import load_layers
from geomap.pipeline import BuildReport, build
from geomap.settings import Settings

TEXT = "date 2022-01-05\n\nPolice detained at least 40 protesters in Almaty on Wednesday.\n"


def _build(tmp_path: Path, **settings: object) -> BuildReport:
    return build(
        [str(tmp_path / "a.txt")],
        settings=Settings.load(out_dir=tmp_path / "out", **settings),
        geocoder=get_geocoder("offline"),
        options=IngestOptions(),
        specs=load_layers(),
    )


@pytest.fixture
def built(tmp_path: Path) -> BuildReport:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    return _build(tmp_path)


def _no_render(*_args: object, **_kwargs: object) -> str:
    msg = "the map was regenerated"
    raise AssertionError(msg)


def test_the_same_article_again_regenerates_nothing(
    tmp_path: Path, built: BuildReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(geomap.render, "render_map", _no_render)
    again = _build(tmp_path)
    assert again.unchanged and not again.written
    assert (again.articles, again.places, again.layer_rows) == (
        built.articles,
        built.places,
        built.layer_rows,
    )


def test_another_title_regenerates_the_map(tmp_path: Path, built: BuildReport) -> None:
    assert built.written
    again = _build(tmp_path, title="Another title")
    assert tmp_path / "out" / "map.html" in again.written
    assert "Another title" in (tmp_path / "out" / "map.html").read_text(encoding="utf-8")


def test_a_deleted_output_is_written_again(tmp_path: Path, built: BuildReport) -> None:
    (tmp_path / "out" / "events.csv").unlink()
    again = _build(tmp_path)
    assert again.written == (tmp_path / "out" / "events.csv",)
    assert (tmp_path / "out" / "events.csv").exists()
