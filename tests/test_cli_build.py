"""``geomap build / render / export / open`` end to end: files, idempotence, messages, exit codes.

Each scenario is built once per module (parsing an article takes a second or two) and copied
when a test needs a store of its own.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyogrio
import pytest
import shapely
from conftest import NTB_ARTICLE, Run, require_shared, run_geomap
from test_export import check_rfc7946

from geomap import join, store
from geomap.shapes import country_shape

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "kazakhstan-2022-01.en.txt"
OUTPUTS = ("map.html", "events.geojson", "flows.geojson", "events.csv")
ACLED_START = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type"]


run = run_geomap


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def features(path: Path) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in json.loads(path.read_text(encoding="utf-8"))["features"]}


def one_error_line(result: Run) -> str:
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture(scope="module", autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A working folder with no geomap.toml, and no output settings from the environment."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("cwd"))
        for name in ("GEOMAP_OUT_DIR", "GEOMAP_STORE", "GEOMAP_LAYERS_DIR"):
            patch.delenv(name, raising=False)
        patch.setenv("GEOMAP_SELF_CONTAINED", "false")
        yield


@dataclass(frozen=True)
class Built:
    out: Path
    result: Run
    files: dict[str, tuple[bytes, int]]


@pytest.fixture(scope="module")
def ntb_built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """``geomap build <NTB article> --out DIR``, once for the module."""
    require_shared(NTB_ARTICLE)
    out = tmp_path_factory.mktemp("ntb") / "out"
    result = run("build", str(NTB_ARTICLE), "--out", str(out))
    assert result.code == 0, result.err
    return Built(out, result, snapshot(out))


def copy_of(built: Built, folder: Path, *names: str) -> Path:
    out = folder / "out"
    out.mkdir()
    for name in names or (*OUTPUTS, "geomap.gpkg"):
        shutil.copy2(built.out / name, out / name)
    return out


@pytest.fixture(scope="module")
def with_second_article(ntb_built: Built, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The NTB store, then the own-words English example added to it."""
    out = copy_of(ntb_built, tmp_path_factory.mktemp("second"))
    result = run("build", str(EXAMPLE), "--out", str(out))
    assert result.code == 0, result.err
    return Built(out, result, snapshot(out))


# -- must show: build the NTB article ---------------------------------------------------------


def test_build_writes_the_map_the_exports_and_the_store(ntb_built: Built) -> None:
    for name in (*OUTPUTS, "geomap.gpkg"):
        assert (ntb_built.out / name).stat().st_size > 0, name
    layers = {name for name, _kind in pyogrio.list_layers(ntb_built.out / "geomap.gpkg")}
    assert layers == {"events", "flows", "articles"}
    assert not [p for p in ntb_built.out.iterdir() if ".tmp" in p.name]


def test_events_geojson_passes_rfc7946(ntb_built: Built) -> None:
    text = (ntb_built.out / "events.geojson").read_text(encoding="utf-8")
    assert check_rfc7946(text, columns=join.MERGED_EVENT_COLUMNS)
    text = (ntb_built.out / "flows.geojson").read_text(encoding="utf-8")
    assert check_rfc7946(text, columns=join.MERGED_FLOW_COLUMNS)


def test_events_geojson_holds_the_articles_figures_for_kazakhstan(ntb_built: Built) -> None:
    found = {
        (column, f["properties"][column])
        for f in features(ntb_built.out / "events.geojson").values()
        if f["properties"]["place_id"] == "iso3166:KZ"
        for column in ("fatalities", "injured", "arrested", "troops", "military_vehicles")
        if f["properties"][column] is not None
    }
    assert {
        ("fatalities", 164),
        ("injured", 2000),
        ("arrested", 8000),
        ("troops", 2030),
        ("military_vehicles", 250),
    } <= found


def test_events_geojson_puts_the_airport_events_at_almaty_airport(ntb_built: Built) -> None:
    airport = [
        f
        for f in features(ntb_built.out / "events.geojson").values()
        if f["properties"]["place_id"] == "iata:ALA"
    ]
    assert airport
    for feature in airport:
        lon, lat = feature["geometry"]["coordinates"]
        assert 76.9 < lon < 77.2 and 43.2 < lat < 43.5  # Almaty airport, longitude first
        assert feature["properties"]["evidence"]


def test_country_level_figures_are_drawn_as_kazakhstan(ntb_built: Built) -> None:
    for feature in features(ntb_built.out / "events.geojson").values():
        if feature["properties"]["place_id"] == "iso3166:KZ":
            assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}


def test_the_deployment_flows_end_in_kazakhstan(ntb_built: Built) -> None:
    flows = features(ntb_built.out / "flows.geojson")
    assert flows
    kazakhstan = country_shape("KZ")
    assert kazakhstan is not None
    for flow in flows.values():
        assert flow["properties"]["destination_place_id"] in {"iso3166:KZ", "geonames:1526384"}
        assert kazakhstan.contains(shapely.Point(flow["geometry"]["coordinates"][-1]))
        assert flow["properties"]["origin_place_id"] != "iso3166:KZ"


def test_events_csv_starts_with_acled_columns(ntb_built: Built) -> None:
    header = (ntb_built.out / "events.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(join.MERGED_EVENT_COLUMNS)
    assert header.split(",")[: len(ACLED_START)] == ACLED_START


def test_the_map_names_its_layers(ntb_built: Built) -> None:
    page = (ntb_built.out / "map.html").read_text(encoding="utf-8")
    assert '"CSTO deployment"' in page
    assert '"Country-level figures"' in page
    assert '"Infrastructure"' in page


def test_build_prints_a_summary_table(ntb_built: Built) -> None:
    printed = ntb_built.result.out
    assert "1 new, 0 replaced, 0 already stored" in printed
    assert "articles in store" in printed
    assert "layer: CSTO deployment" in printed
    for name in OUTPUTS:
        assert name in printed
    assert "written" in printed
    assert not ntb_built.result.err


def test_building_again_in_a_new_process_changes_no_byte(ntb_built: Built) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "geomap", "build", str(NTB_ARTICLE), "--out", str(ntb_built.out)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=Path.cwd(),
        env=os.environ
        | {
            "PYTHONHASHSEED": "12345",
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        },
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert snapshot(ntb_built.out) == ntb_built.files  # bytes and modification times
    assert "0 new, 0 replaced, 1 already stored" in done.stdout
    assert "written" not in done.stdout


# -- a second article -------------------------------------------------------------------------


def test_a_second_article_on_the_same_days_joins_the_events_it_also_reports(
    ntb_built: Built, with_second_article: Built
) -> None:
    before = features(ntb_built.out / "events.geojson")
    after = features(with_second_article.out / "events.geojson")
    assert set(before) <= set(after)  # an incident keeps its id when another source tells it
    both = [f["properties"] for f in after.values() if f["properties"]["source_count"] == 2]
    assert both
    for event in both:
        assert event["source"] == f"{NTB_ARTICLE.name}; {EXAMPLE.name}"
        assert len(event["reports"]) == 2
    contents = store.read(with_second_article.out / "geomap.gpkg")
    assert len(contents.articles) == 2
    assert contents.events["article_id"].nunique() == 2  # the store keeps each article's reports
    assert "1 new, 0 replaced, 0 already stored" in with_second_article.result.out


def test_both_articles_again_change_nothing(with_second_article: Built) -> None:
    out = with_second_article.out
    result = run("build", str(NTB_ARTICLE), str(EXAMPLE), "--out", str(out))
    assert result.code == 0, result.err
    assert "0 new, 0 replaced, 2 already stored" in result.out
    assert snapshot(out) == with_second_article.files


def test_an_edited_article_replaces_only_its_own_events(ntb_built: Built, tmp_path: Path) -> None:
    out = copy_of(ntb_built, tmp_path, "geomap.gpkg")
    article = tmp_path / "report.txt"
    article.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("build", str(article), "--out", str(out)).code == 0
    first = features(out / "events.geojson")
    article.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("2,030 soldiers", "2,100 soldiers"),
        encoding="utf-8",
    )
    result = run("build", str(article), "--out", str(out))
    assert result.code == 0, result.err
    assert "0 new, 1 replaced, 0 already stored" in result.out
    second = features(out / "events.geojson")
    told_by_ntb = {k for k, f in first.items() if NTB_ARTICLE.name in f["properties"]["source"]}
    assert told_by_ntb <= set(second)  # ids come from the earliest report, the unedited one
    troops = [
        (r["source"], r["figures"]["troops"])
        for f in second.values()
        for r in f["properties"]["reports"]
        if "troops" in r["figures"]
    ]
    assert (article.name, 2100) in troops
    assert (article.name, 2030) not in troops
    assert (NTB_ARTICLE.name, 2030) in troops  # the other article's report is kept as it was
    assert len(store.read(out / "geomap.gpkg").articles) == 2


def test_build_without_sources_builds_the_bundled_example(tmp_path: Path) -> None:
    result = run("build", "--out", str(tmp_path / "out"))
    assert result.code == 0, result.err
    events = features(tmp_path / "out" / "events.geojson")
    assert events
    assert {f["properties"]["source"] for f in events.values()} == {EXAMPLE.name}


# -- render and export from the store alone ---------------------------------------------------


def test_render_regenerates_the_same_files_from_the_store_alone(
    ntb_built: Built, tmp_path: Path
) -> None:
    out = copy_of(ntb_built, tmp_path, "geomap.gpkg")
    result = run("render", "--out", str(out))
    assert result.code == 0, result.err
    for name in OUTPUTS:
        assert (out / name).read_bytes() == ntb_built.files[name][0], name
    assert "layer: CSTO deployment" in result.out


def test_render_to_another_folder_with_store(ntb_built: Built, tmp_path: Path) -> None:
    result = run("render", "--store", str(ntb_built.out / "geomap.gpkg"), "--out", str(tmp_path))
    assert result.code == 0, result.err
    assert (tmp_path / "map.html").read_bytes() == ntb_built.files["map.html"][0]
    assert snapshot(ntb_built.out) == ntb_built.files


@pytest.mark.parametrize(
    ("format_", "layer", "same_as"),
    [
        ("geojson", "events", "events.geojson"),
        ("geojson", "flows", "flows.geojson"),
        ("csv", "events", "events.csv"),
        ("GeoJSON", "events", "events.geojson"),
    ],
)
def test_export_writes_the_chosen_layer_and_format(
    ntb_built: Built, tmp_path: Path, format_: str, layer: str, same_as: str
) -> None:
    target = tmp_path / "export.out"
    result = run(
        "export",
        "--format",
        format_,
        "--layer",
        layer,
        "--out",
        str(target),
        "--store",
        str(ntb_built.out / "geomap.gpkg"),
    )
    assert result.code == 0, result.err
    assert target.read_bytes() == ntb_built.files[same_as][0]


def test_export_flows_as_csv_has_the_flow_columns(ntb_built: Built, tmp_path: Path) -> None:
    target = tmp_path / "flows.csv"
    store_path = str(ntb_built.out / "geomap.gpkg")
    args = ("export", "--format", "csv", "--layer", "flows", "--store", store_path)
    assert run(*args, "--out", str(target)).code == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",") == list(join.MERGED_FLOW_COLUMNS)
    assert len(lines) == 1 + len(features(ntb_built.out / "flows.geojson"))


def test_export_gpkg_copies_a_readable_store(ntb_built: Built, tmp_path: Path) -> None:
    target = tmp_path / "copy.gpkg"
    store_path = str(ntb_built.out / "geomap.gpkg")
    result = run("export", "--format", "gpkg", "--out", str(target), "--store", store_path)
    assert result.code == 0, result.err
    copied, original = store.read(target), store.read(Path(store_path))
    assert copied.events.equals(original.events)
    assert copied.articles.equals(original.articles)


def test_export_without_out_prints_to_stdout(ntb_built: Built) -> None:
    store_path = str(ntb_built.out / "geomap.gpkg")
    result = run("export", "--store", store_path)
    assert result.code == 0, result.err
    assert result.out == ntb_built.files["events.geojson"][0].decode("utf-8")


@pytest.mark.parametrize(
    ("option", "value"),
    [("--format", "shapefile"), ("--layer", "places")],
)
def test_export_with_an_unknown_format_or_layer_is_a_usage_error(
    ntb_built: Built, option: str, value: str
) -> None:
    result = run("export", option, value, "--store", str(ntb_built.out / "geomap.gpkg"))
    assert result.code == 2
    assert value in one_error_line(result)
    assert not result.out


@pytest.mark.parametrize("command", ["render", "export"])
def test_render_or_export_without_a_store_fails_in_one_line(command: str, tmp_path: Path) -> None:
    missing = tmp_path / "none.gpkg"
    result = run(
        command, "--store", str(missing), *(("--out", str(tmp_path)) if command == "render" else ())
    )
    assert result.code == 1
    line = one_error_line(result)
    assert str(missing) in line and "geomap build" in line
    assert not (tmp_path / "map.html").exists()


# -- failures leave everything as it was ------------------------------------------------------


def test_build_on_a_damaged_store_fails_in_one_line_and_touches_nothing(
    ntb_article: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    damaged = out / "geomap.gpkg"
    damaged.write_text("not a geopackage\n", encoding="utf-8")
    before = snapshot(out)
    result = run("build", str(ntb_article), "--out", str(out))
    assert result.code == 1
    assert str(damaged) in one_error_line(result)
    after = snapshot(out)
    after.pop(".geomap.lock", None)
    assert after == before


def test_a_missing_source_is_reported_and_the_others_are_stored(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-article.txt"
    result = run("build", str(missing), str(EXAMPLE), "--out", str(tmp_path / "out"))
    assert result.code == 3
    assert str(missing) in one_error_line(result)
    assert "1 new" in result.out
    assert len(store.read(tmp_path / "out" / "geomap.gpkg").articles) == 1


@pytest.mark.parametrize("format_", ["geojson", "gpkg"])
def test_export_of_a_damaged_store_fails_in_one_line(tmp_path: Path, format_: str) -> None:
    damaged = tmp_path / "geomap.gpkg"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    target = tmp_path / f"copy.{format_}"
    result = run("export", "--format", format_, "--store", str(damaged), "--out", str(target))
    assert result.code == 1
    assert str(damaged) in one_error_line(result)
    assert not target.exists()


def test_export_into_a_missing_folder_fails_in_one_line(ntb_built: Built, tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "events.geojson"
    result = run("export", "--store", str(ntb_built.out / "geomap.gpkg"), "--out", str(target))
    assert result.code == 1
    assert str(tmp_path / "nowhere") in one_error_line(result)


def test_export_gpkg_needs_a_file(ntb_built: Built) -> None:
    result = run("export", "--format", "gpkg", "--store", str(ntb_built.out / "geomap.gpkg"))
    assert result.code == 2
    assert "--out" in one_error_line(result)


def test_render_self_contained_loads_nothing_remote(ntb_built: Built, tmp_path: Path) -> None:
    store_path = str(ntb_built.out / "geomap.gpkg")
    result = run("render", "--store", store_path, "--out", str(tmp_path), "--self-contained")
    assert result.code == 0, result.err
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "tile.openstreetmap.org" not in page
    assert not re.search(r"<(script|link)[^>]*\s(src|href)=[\"']?(https?:)?//", page)


def test_a_bad_layers_folder_is_a_usage_error(ntb_built: Built, tmp_path: Path) -> None:
    empty = tmp_path / "layers"
    empty.mkdir()
    store_path = str(ntb_built.out / "geomap.gpkg")
    result = run("render", "--store", store_path, "--out", str(tmp_path), "--layers", str(empty))
    assert result.code == 2
    assert str(empty) in one_error_line(result)


# -- open -------------------------------------------------------------------------------------


def test_open_shows_the_map_in_the_browser(
    ntb_built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    assert run("open", "--out", str(ntb_built.out)).code == 0
    assert opened == [(ntb_built.out / "map.html").resolve().as_uri()]


def test_open_without_a_map_fails_in_one_line(tmp_path: Path) -> None:
    result = run("open", "--out", str(tmp_path))
    assert result.code == 1
    assert "geomap build" in one_error_line(result)
