"""``geomap geocode``: JSON and table output, exit codes, usage errors, hostile queries."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_geomap as run_in_process
from typer.testing import CliRunner

from geomap.cli import app
from geomap.gazetteer import Gazetteer, default_index_path, haversine_km

ALMATY = "geonames:1526384"
EXIT_PARTIAL = 3
runner = CliRunner()


@pytest.fixture(scope="module", autouse=True)
def gazetteer() -> Gazetteer:
    """The built index ($GEOMAP_CACHE_DIR, built there once when missing)."""
    return Gazetteer.open(default_index_path())


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No geomap.toml from the checkout; root logging as it was (the CLI reconfigures it)."""
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def geocode_json(*args: str) -> tuple[int, Any]:
    result = runner.invoke(app, ["geocode", *args, "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the real entry point (which turns errors into messages) and capture it."""
    del capsys  # the shared runner captures the output itself
    result = run_in_process(*args)
    return result.code, result.out, result.err


# -- must show -------------------------------------------------------------------------------

ALMATY_SPELLINGS = ("Almaty", "Almatys", "Alma-Ata", "Алматы")


def test_spellings_of_almaty_all_give_the_city() -> None:
    code, answers = geocode_json(*ALMATY_SPELLINGS)
    assert code == 0
    assert [a["query"] for a in answers] == list(ALMATY_SPELLINGS)
    for answer in answers:
        assert answer["place_id"] == ALMATY
        assert haversine_km(answer["latitude"], answer["longitude"], 43.25, 76.91) < 5


def test_python_dash_m_geomap_geocodes_in_a_new_process(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "geomap", "geocode", *ALMATY_SPELLINGS, "--json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=os.environ | {"PYTHONIOENCODING": "utf-8"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    answers = json.loads(done.stdout)
    assert [a["place_id"] for a in answers] == [ALMATY] * len(ALMATY_SPELLINGS)
    for answer in answers:
        assert haversine_km(answer["latitude"], answer["longitude"], 43.25, 76.91) < 5


def test_airport_phrases_give_almaty_airport() -> None:
    code, answers = geocode_json("flyplassen i Almaty", "Almaty airport", "аэропорт Алматы")
    assert code == 0
    for answer in answers:
        assert (answer["place_id"], answer["kind"]) == ("iata:ALA", "airport")
        assert haversine_km(answer["latitude"], answer["longitude"], 43.35, 77.04) < 5


@pytest.mark.parametrize(
    ("query", "place_id"),
    [
        ("Kasakhstans", "iso3166:KZ"),
        ("Казахстане", "iso3166:KZ"),
        ("Hviterussland", "iso3166:BY"),
        ("Russlands", "iso3166:RU"),
        ("Paris, Texas", None),
        ("Atlanta, Georgia", None),
    ],
)
def test_json_row_has_the_place_fields(query: str, place_id: str | None) -> None:
    code, (answer,) = geocode_json(query)
    assert code == 0
    assert set(answer) == {
        "query",
        "place_id",
        "name",
        "kind",
        "country_code",
        "latitude",
        "longitude",
        "score",
    }
    if place_id:
        assert answer["place_id"] == place_id
    else:
        assert answer["country_code"] == "US"


# -- queries without a place -----------------------------------------------------------------

NO_PLACE = {
    "empty": "",
    "whitespace": " \t ",
    "100 KB": "Almaty " * 15_000,
    "control characters": "\x00\x01\x07\x1b\x7f",
    "unknown": "xqzvbnm",
}


@pytest.mark.parametrize("query", NO_PLACE.values(), ids=NO_PLACE.keys())
def test_a_query_without_a_place_is_null_and_exit_3(query: str) -> None:
    code, answers = geocode_json(query)
    assert code == EXIT_PARTIAL
    assert answers == [None]


@pytest.mark.parametrize("query", NO_PLACE.values(), ids=NO_PLACE.keys())
def test_a_query_without_a_place_is_a_not_found_row(query: str) -> None:
    result = runner.invoke(app, ["geocode", query])
    assert result.exit_code == EXIT_PARTIAL
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "not found" in result.stdout
    assert "Traceback" not in result.output


def test_the_other_queries_are_still_answered() -> None:
    code, answers = geocode_json("xqzvbnm", "Almaty")
    assert code == EXIT_PARTIAL
    assert answers[0] is None
    assert answers[1]["place_id"] == ALMATY


def test_the_table_shows_no_control_characters_of_a_query() -> None:
    result = runner.invoke(app, ["geocode", "\x1b[31mevil\x07"])
    assert result.exit_code == EXIT_PARTIAL
    assert "\x1b" not in result.stdout
    assert "\x07" not in result.stdout


def test_the_table_lists_the_place() -> None:
    result = runner.invoke(app, ["geocode", "Almaty"])
    assert result.exit_code == 0
    assert ALMATY in result.stdout
    assert "43.2525" in result.stdout


def test_help_documents_exit_code_3() -> None:
    result = runner.invoke(app, ["geocode", "--help"])
    assert result.exit_code == 0
    text = re.sub(r"[\s│]+", " ", result.stdout)
    assert "3 some query found none" in text


# -- usage errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "option",
    [["--limit", "0"], ["--limit", "101"], ["--service", "nosuch"], ["--feature", "boat"]],
    ids=["limit 0", "limit 101", "unknown service", "unknown feature"],
)
def test_a_usage_error_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], option: list[str]
) -> None:
    code, out, err = run_main(capsys, "geocode", "Almaty", *option)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("error:")
    assert option[0] in err or option[1] in err


def test_a_usage_error_through_the_runner_exits_2() -> None:
    result = runner.invoke(app, ["geocode", "Almaty", "--limit", "0"])
    assert result.exit_code == 2


# -- limits and filters ----------------------------------------------------------------------


def test_limit_3_gives_a_list_per_query() -> None:
    code, answers = geocode_json("Paris", "Almaty", "--limit", "3")
    assert code == 0
    paris, almaty = answers
    assert isinstance(paris, list)
    assert isinstance(almaty, list)
    assert len(paris) == 3
    assert 1 <= len(almaty) <= 3
    assert paris[0]["country_code"] == "FR"
    assert almaty[0]["place_id"] == ALMATY
    scores = [p["score"] for p in paris]
    assert scores == sorted(scores, reverse=True)


def test_limit_3_without_a_place_is_still_null() -> None:
    code, answers = geocode_json("xqzvbnm", "--limit", "3")
    assert code == EXIT_PARTIAL
    assert answers == [None]


def test_country_keeps_only_places_in_that_country() -> None:
    code, answers = geocode_json("Paris", "--country", "US", "--limit", "3")
    assert code == 0
    assert answers[0]
    assert {p["country_code"] for p in answers[0]} == {"US"}


def test_country_takes_a_comma_separated_lowercase_list() -> None:
    code, answers = geocode_json("Paris", "--country", "us, ca", "--limit", "3")
    assert code == 0
    assert {p["country_code"] for p in answers[0]} <= {"US", "CA"}


def test_country_without_the_place_is_null_and_exit_3() -> None:
    code, answers = geocode_json("Almaty", "--country", "US")
    assert code == EXIT_PARTIAL
    assert answers == [None]


def test_feature_airport_gives_the_airport() -> None:
    code, (answer,) = geocode_json("Almaty", "--feature", "airport")
    assert code == 0
    assert answer["place_id"] == "iata:ALA"
