"""Hostile layer files: huge numbers and patterns with a trailing newline, each one line.

Issue 14: ``weight = 9999…`` (400 digits) gave an OverflowError traceback, 5,000 digits a
tomllib ValueError, and ``color = "#ff0000\\n"`` was accepted because ``$`` matches before a
final newline. Every one is now a :class:`LayerSpecError` of one line naming file and key.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from geomap.cli import main
from geomap.errors import LayerSpecError
from geomap.layers import load_layers, parse_layer

HEAD = 'title = "Strikes"\n[where]\nlayer = ["incidents"]\n'


def _refusal(tmp_path: Path, text: str) -> str:
    path = tmp_path / "strikes.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LayerSpecError) as caught:
        parse_layer(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    return message


@pytest.mark.parametrize("digits", [25, 400, 4_299, 5_000])
def test_a_huge_weight_is_refused_naming_the_key(tmp_path: Path, digits: int) -> None:
    message = _refusal(tmp_path, HEAD + "[style]\nweight = " + "9" * digits + "\n")
    assert "'style.weight'" in message


@pytest.mark.parametrize("key", ["order", "cluster_over"])
def test_a_huge_top_level_number_is_refused_naming_the_key(tmp_path: Path, key: str) -> None:
    message = _refusal(tmp_path, f"{key} = {'7' * 5000}\n" + HEAD)
    assert f"'{key}'" in message


def test_a_huge_number_in_an_inline_table_is_refused_in_one_line(tmp_path: Path) -> None:
    message = _refusal(
        tmp_path, HEAD.replace("[where]", "style = {weight = " + "9" * 5000 + "}\n[where]")
    )
    assert "weight" in message


def test_a_huge_number_in_a_where_list_is_refused_in_one_line(tmp_path: Path) -> None:
    _refusal(tmp_path, 'title = "Strikes"\n[where]\nfatalities = [' + "9" * 5000 + "]\n")
    message = _refusal(tmp_path, 'title = "Strikes"\n[where]\nfatalities = [' + "9" * 400 + "]\n")
    assert "'where.fatalities'" in message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (HEAD + '[style]\ncolor = "#ff0000\\n"\n', "style.color"),
        (
            HEAD + '[style]\ncolor_by = "event_type"\n[style.colors]\nRiots = "#00ff00\\n"\n',
            "style.colors.Riots",
        ),
        ('id = "strikes\\n"\n' + HEAD, "id"),
    ],
)
def test_a_pattern_must_match_the_whole_value(tmp_path: Path, text: str, key: str) -> None:
    assert f"'{key}'" in _refusal(tmp_path, text)


def test_sane_numbers_and_colours_still_load(tmp_path: Path) -> None:
    path = tmp_path / "strikes.toml"
    path.write_text(
        "order = 7\ncluster_over = 300\n" + HEAD + '[style]\nweight = 3\ncolor = "#C0392b"\n',
        encoding="utf-8",
    )
    spec = parse_layer(path)
    assert (spec.order, spec.cluster_over, spec.style.weight, spec.style.color) == (
        7,
        300,
        3.0,
        "#C0392b",
    )


def test_the_cli_refuses_a_huge_weight_in_one_line_without_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "layers"
    folder.mkdir()
    (folder / "strikes.toml").write_text(HEAD + "[style]\nweight = " + "9" * 400 + "\n")
    stderr = io.StringIO()
    with (
        contextlib.redirect_stderr(stderr),
        contextlib.redirect_stdout(io.StringIO()),
        pytest.raises(SystemExit) as exited,
    ):
        main(["build", "--layers", str(folder), "--out", str(tmp_path / "out")])
    assert exited.value.code == 2
    lines = stderr.getvalue().strip().splitlines()
    assert len(lines) == 1 and "style.weight" in lines[0], stderr.getvalue()
    assert "Traceback" not in stderr.getvalue()
    assert load_layers()  # the shipped layers are within every limit
