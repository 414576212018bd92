"""The offline country outlines of every map: made once, kept in the cache folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geomap import render


@pytest.fixture
def made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The outlines as made from the shapes file, with an empty cache folder."""
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(tmp_path / "cache"))
    render._outline_literal.cache_clear()
    return render._made_outline_literal()


def _kept(tmp_path: Path) -> list[Path]:
    return list((tmp_path / "cache").glob("outline-*.js"))


def test_the_outlines_kept_in_the_cache_folder_are_those_made(made: str, tmp_path: Path) -> None:
    first = render._outline_literal()  # made, then kept
    render._outline_literal.cache_clear()
    (kept,) = _kept(tmp_path)
    assert kept.read_text(encoding="utf-8") == made
    assert render._outline_literal() == first == made  # read from the cache


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b'{"type":"GeometryCollection"',  # cut short
        b'{"x":"</script><script>alert(1)</script>"}',
        b"\xff\xfe not utf-8",
    ],
)
def test_a_damaged_or_unsafe_cache_file_is_made_again(
    made: str, tmp_path: Path, damage: bytes
) -> None:
    render._outline_literal()
    render._outline_literal.cache_clear()
    (kept,) = _kept(tmp_path)
    kept.write_bytes(damage)
    assert render._outline_literal() == made
    assert json.loads(kept.read_text(encoding="utf-8"))["type"] == "GeometryCollection"


@pytest.mark.usefixtures("unwritable_cache")
def test_an_unwritable_cache_folder_still_gives_the_outlines(made: str) -> None:
    assert render._outline_literal() == made
