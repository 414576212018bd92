"""The CLI's conveniences: --version, --quiet, shell completion, readable help, stats, and
the last line of a build saying where the map is."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_geomap

import geomap


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("usable") / "out"
    out.mkdir()
    result = run_geomap("build", "--out", str(out))
    assert result.code == 0, result.err
    yield out


def test_version_prints_the_installed_version() -> None:
    result = run_geomap("--version")
    assert result.code == 0
    assert result.out.strip() == f"geomap {geomap.__version__}"


def test_build_ends_saying_where_the_map_is_and_how_to_open_it(tmp_path: Path) -> None:
    out = tmp_path / "maps"
    out.mkdir()
    result = run_geomap("build", "--out", str(out))
    assert result.code == 0, result.err
    last = result.out.strip().splitlines()[-1]
    assert str(out / "map.html") in last
    assert "browser" in last and f"geomap open --out {out}" in last


def test_quiet_prints_no_summary_but_still_errors(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = run_geomap("--quiet", "build", "--out", str(out))
    assert result.code == 0
    assert result.out == "" and result.err == ""
    assert (out / "map.html").is_file()
    failed = run_geomap("--quiet", "build", str(tmp_path / "missing.txt"), "--out", str(out))
    assert failed.code == 1
    assert failed.err.startswith("error: ")


def test_shell_completion_script_is_offered() -> None:
    result = run_geomap("--show-completion", "bash")
    assert result.code == 0
    assert "_GEOMAP_COMPLETE" in result.out


@pytest.mark.parametrize(
    "command", [(), ("build",), ("parse",), ("export",), ("render",), ("geocode",), ("stats",)]
)
def test_help_names_types_as_words(command: tuple[str, ...]) -> None:
    result = run_geomap(*command, "--help")
    assert result.code == 0
    assert not any(f"<{t}>" in result.out for t in ("str", "path", "float", "int", "bool"))
    assert "list[" not in result.out
    if command:
        assert any(word in result.out for word in ("TEXT", "FILE", "DIR", "NAME"))


def test_build_help_wraps_its_exit_codes_as_one_paragraph() -> None:
    result = run_geomap("build", "--help")
    text = " ".join(line.strip(" │") for line in result.out.splitlines())
    assert "the others were stored; 1 no source could be read" in " ".join(text.split())


def test_stats_counts_events_per_type_country_and_month(built: Path) -> None:
    result = run_geomap("stats", "--store", str(built / "geomap.gpkg"), "--json")
    assert result.code == 0, result.err
    counted = json.loads(result.out)
    events = pd.read_csv(built / "events.csv")
    assert counted["events"] == len(events)
    assert counted["events_by_type"] == dict(Counter(events["event_type"]))
    assert counted["events_by_country"] == dict(Counter(events["country"]))
    months = Counter(events["event_date"].str[:7])
    assert counted["events_by_month"] == dict(months)
    assert counted["articles"] == 1
    assert counted["articles_by_source"] == {"kazakhstan-2022-01.en.txt": 1}


def test_stats_as_tables_names_each_count(built: Path) -> None:
    result = run_geomap("stats", "--store", str(built / "geomap.gpkg"))
    assert result.code == 0, result.err
    for title in ("events per type", "events per country", "events per month", "articles"):
        assert title in result.out


def test_stats_without_a_store_is_one_line(tmp_path: Path) -> None:
    result = run_geomap("stats", "--store", str(tmp_path / "none.gpkg"))
    assert result.code == 1
    assert len(result.err.strip().splitlines()) == 1
