"""Outputs are regenerated only when the store or what shapes the map changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import geomap.render
from geomap.geocode import get_geocoder
from geomap.ingest import IngestOptions
from geomap.layers import load_layers
from geomap.pipeline import BuildReport, build
from geomap.settings import Settings

TEXT = "date 2022-01-05\n\nPolice detained at least 40 protesters in Almaty on Wednesday.\n"


def _build(tmp_path: Path, name: str = "a.txt", **settings: object) -> BuildReport:
    return build(
        [str(tmp_path / name)],
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


INCIDENTS = {
    "b.txt": "date 2022-01-05\n\nPolice detained at least 60 protesters in Almaty on Wednesday.\n",
    "c.txt": "date 2022-01-07\n\nRiots in Aktobe left at least 3 people dead and 25 injured.\n",
    # published before a.txt, so read before it: the incident's first report changes
    "early.txt": "date 2022-01-04\n\nPolice detained 30 protesters in Almaty on Tuesday.\n",
    # another kind of event at a place already stored
    "riot.txt": "date 2022-01-06\n\nRiots in Almaty left 12 people injured, officials said.\n",
    # published two months after a.txt: the same kind at the same place, another incident
    "later.txt": "date 2022-03-02\n\nPolice detained 15 protesters in Almaty on Wednesday.\n",
    # x and y are one incident; n, read first (published first), takes y from x's incident
    "x.txt": "date 2022-01-06\n\nRiots in Aktobe left 5 people injured on Thursday.\n",
    "y.txt": "date 2022-01-07\n\nRiots in Aktobe left 8 people injured on Friday.\n",
    "n.txt": "date 2022-01-05\n\nRiots in Aktobe on 8 January 2022 left 3 people injured.\n",
}


def _whole_store_reads_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    import geomap.store.gpkg

    def refuse(*_args: object, **_kwargs: object) -> None:
        msg = "the whole store was read"
        raise AssertionError(msg)

    monkeypatch.setattr(geomap.store.gpkg, "_read_contents", refuse)


def _outputs_of(folder: Path) -> dict[str, bytes]:
    names = ("map.html", "events.geojson", "flows.geojson", "events.csv")
    return {name: (folder / name).read_bytes() for name in names}


@pytest.mark.parametrize(
    "steps",
    [
        ["b.txt"],
        ["b.txt", "edit"],
        ["c.txt", "b.txt", "edit"],
        ["early.txt"],
        ["riot.txt", "b.txt", "early.txt"],
        ["x.txt", "y.txt", "n.txt"],
        ["later.txt"],
        ["c.txt", "later.txt", "b.txt", "early.txt"],
    ],
)
def test_a_build_re_merges_only_what_it_touched_and_gives_what_a_full_render_gives(
    tmp_path: Path, built: BuildReport, monkeypatch: pytest.MonkeyPatch, steps: list[str]
) -> None:
    from geomap.pipeline import render

    for step in steps:
        with monkeypatch.context() as patch:
            _whole_store_reads_forbidden(patch)
            if step == "edit":
                (tmp_path / "a.txt").write_text(TEXT.replace("40", "45"), encoding="utf-8")
                report = _build(tmp_path)
            else:
                (tmp_path / step).write_text(INCIDENTS[step], encoding="utf-8")
                report = _build(tmp_path, step)
        assert report.added or report.replaced
        incremental = _outputs_of(tmp_path / "out")
        full = render(settings=Settings.load(out_dir=tmp_path / "out"), specs=load_layers())
        assert full.written == ()  # the full merge writes nothing new: the bytes are the same
        assert _outputs_of(tmp_path / "out") == incremental
        assert (full.articles, full.places, full.layer_rows) == (
            report.articles,
            report.places,
            report.layer_rows,
        )


def test_a_new_incident_published_later_is_merged_without_reading_the_places_reports(
    tmp_path: Path, built: BuildReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geomap.store.gpkg
    from geomap.pipeline import render

    def refuse(*_args: object, **_kwargs: object) -> None:
        msg = "the reports at the touched places were read"
        raise AssertionError(msg)

    with monkeypatch.context() as patch:
        _whole_store_reads_forbidden(patch)
        patch.setattr(geomap.store.gpkg, "_reports_at", refuse)
        (tmp_path / "later.txt").write_text(INCIDENTS["later.txt"], encoding="utf-8")
        report = _build(tmp_path, "later.txt")
    assert report.added
    features = json.loads((tmp_path / "out" / "events.geojson").read_text(encoding="utf-8"))
    assert len(features["features"]) == 2  # a.txt's incident and the later one
    incremental = _outputs_of(tmp_path / "out")
    render(settings=Settings.load(out_dir=tmp_path / "out"), specs=load_layers())
    assert _outputs_of(tmp_path / "out") == incremental


def test_a_report_of_a_stored_incident_published_later_re_merges_that_incident(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("x.txt", "y.txt"):
        (tmp_path / name).write_text(INCIDENTS[name], encoding="utf-8")
    _build(tmp_path, "x.txt")
    with monkeypatch.context() as patch:
        _whole_store_reads_forbidden(patch)
        report = _build(tmp_path, "y.txt")
    assert report.added
    features = json.loads((tmp_path / "out" / "events.geojson").read_text(encoding="utf-8"))
    assert [f["properties"]["source_count"] for f in features["features"]] == [2]


def test_a_build_encodes_only_the_events_its_article_changes(
    tmp_path: Path, built: BuildReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geomap.export

    (tmp_path / "c.txt").write_text(INCIDENTS["c.txt"], encoding="utf-8")
    _build(tmp_path, "c.txt")
    encoded: list[int] = []
    real = geomap.export.geojson_features

    def counting(frame: object, **options: object) -> list[str]:
        encoded.append(len(frame))  # type: ignore[arg-type]
        return real(frame, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(geomap.export, "geojson_features", counting)
    (tmp_path / "riot.txt").write_text(INCIDENTS["riot.txt"], encoding="utf-8")
    report = _build(tmp_path, "riot.txt")
    assert report.added
    features = json.loads((tmp_path / "out" / "events.geojson").read_text(encoding="utf-8"))
    assert len(features["features"]) >= 3  # the two stored incidents and the new one
    assert sum(encoded) == 1  # the new incident's feature; the others' bytes were copied


def test_outputs_edited_by_hand_are_written_whole_again(tmp_path: Path, built: BuildReport) -> None:
    from geomap.pipeline import render

    events = tmp_path / "out" / "events.geojson"
    events.write_text(events.read_text(encoding="utf-8").replace("Almaty", "Elsewhere"))
    (tmp_path / "b.txt").write_text(INCIDENTS["riot.txt"], encoding="utf-8")
    _build(tmp_path, "b.txt")
    incremental = _outputs_of(tmp_path / "out")
    assert b"Elsewhere" not in incremental["events.geojson"]
    render(settings=Settings.load(out_dir=tmp_path / "out"), specs=load_layers())
    assert _outputs_of(tmp_path / "out") == incremental


def test_the_kept_merged_events_read_back_as_geopandas_reads_them(
    tmp_path: Path, built: BuildReport
) -> None:
    import geopandas
    from pandas.testing import assert_frame_equal

    from geomap.outputs import MERGED_FILE, _kept_frame

    (tmp_path / "c.txt").write_text(INCIDENTS["c.txt"], encoding="utf-8")
    _build(tmp_path, "c.txt")
    path = tmp_path / "out" / MERGED_FILE
    expected = geopandas.read_parquet(path)
    kept = _kept_frame(path)
    assert len(kept) == 2
    assert_frame_equal(kept, expected)
    assert kept.crs == expected.crs
