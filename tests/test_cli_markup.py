"""User-given strings the CLI prints (paths, options, titles) are text, never rich markup
or emoji codes.

``[/x]`` is a closing tag to rich: printed as markup it raises MarkupError after the outputs
were written. Each test names a folder or value that rich would read as a tag.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_geomap

TAG = "[/x]"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "[").mkdir()  # so that "[/x]" is the folder "x]" in the folder "["
    for name in ("GEOMAP_OUT_DIR", "GEOMAP_STORE", "GEOMAP_LAYERS_DIR"):
        monkeypatch.delenv(name, raising=False)
    yield


def test_build_into_a_folder_named_like_a_closing_tag_prints_its_path(tmp_path: Path) -> None:
    result = run_geomap("build", "--out", TAG)
    assert result.code == 0, result.err
    assert (tmp_path / TAG / "map.html").is_file()
    assert TAG in result.out


def test_render_and_export_to_paths_named_like_tags_print_them(tmp_path: Path) -> None:
    assert run_geomap("build", "--out", TAG).code == 0
    rendered = run_geomap("render", "--out", TAG)
    assert rendered.code == 0, rendered.err
    exported = run_geomap(
        "export", "--store", f"{TAG}/geomap.gpkg", "--out", "[/y].csv", "--format", "csv"
    )
    assert exported.code == 0, exported.err
    assert (tmp_path / "[/y].csv").is_file()
    assert "wrote [/y].csv" in exported.err


def test_an_error_naming_a_tag_like_path_is_one_plain_line() -> None:
    result = run_geomap("open", "--out", "[bold]z[/bold]")
    assert result.code == 1
    assert "[bold]z[/bold]" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_parse_prints_a_tag_like_source_as_text(tmp_path: Path) -> None:
    article = tmp_path / "[" / "b]x[.txt"
    article.write_text("[/b] Police detained 40 protesters in Almaty.", encoding="utf-8")
    result = run_geomap("parse", "[/b]x[.txt")
    assert result.code in (0, 3), result.err
    assert "[/b] Police" in result.out


def test_parse_prints_an_emoji_code_in_an_article_as_written(tmp_path: Path) -> None:
    article = tmp_path / "fire.txt"
    article.write_text("Crowds :fire: gathered in Almaty as police :x: watched.", encoding="utf-8")
    result = run_geomap("parse", "fire.txt")
    assert result.code == 0, result.err
    assert "Crowds :fire: gathered in Almaty as police :x: watched." in result.out
