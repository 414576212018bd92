"""A store path that is a symbolic link, and a read-only store or output file.

Issue 14: a store given as a symlink was replaced by a regular file, and the real store kept
the old data. Now writes go through the link to the file it points to (the link stays), and a
read-only store or output is refused in one line, never replaced.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from geomap import store
from geomap.atomic import write_text
from geomap.cli import main
from geomap.errors import OutputError, StoreError

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "kazakhstan-2022-01.en.txt"
EXIT_RUNTIME = 1


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("GEOMAP_OUT_DIR", "GEOMAP_STORE", "GEOMAP_LAYERS_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GEOMAP_SELF_CONTAINED", "false")


def _build(*args: str) -> tuple[int, str]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stderr = io.StringIO()
    code: Any = 0
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
            main(["build", *args])
    except SystemExit as exc:
        code = exc.code
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return (code if isinstance(code, int) else 1), stderr.getvalue()


@pytest.fixture
def real_store(tmp_path: Path) -> Path:
    """A store holding nothing yet, in a folder of its own."""
    path = tmp_path / "real" / "geomap.gpkg"
    path.parent.mkdir()
    store.write(path, store.StoreContents.empty())
    return path


def test_a_build_through_a_store_link_updates_the_store_it_points_to(
    tmp_path: Path, real_store: Path
) -> None:
    link = tmp_path / "link.gpkg"
    link.symlink_to(real_store)
    code, err = _build(str(EXAMPLE), "--store", str(link), "--out", str(tmp_path / "out"))
    assert code == 0, err
    assert link.is_symlink() and link.resolve() == real_store.resolve()
    assert len(store.read(real_store).articles) == 1
    assert not list(tmp_path.glob(".link*"))  # no temporary file left beside the link


def test_a_chain_of_links_is_followed_to_its_end(tmp_path: Path, real_store: Path) -> None:
    middle = tmp_path / "middle.gpkg"
    middle.symlink_to(real_store)
    first = tmp_path / "first.gpkg"
    first.symlink_to(middle)
    code, err = _build(str(EXAMPLE), "--store", str(first), "--out", str(tmp_path / "out"))
    assert code == 0, err
    assert first.is_symlink() and middle.is_symlink()
    assert len(store.read(real_store).articles) == 1


def test_a_read_only_store_is_refused_in_one_line_and_kept(
    tmp_path: Path, real_store: Path
) -> None:
    before = real_store.read_bytes()
    real_store.chmod(0o444)
    try:
        code, err = _build(str(EXAMPLE), "--store", str(real_store), "--out", str(tmp_path / "o"))
        mode = stat.S_IMODE(real_store.stat().st_mode)
    finally:
        real_store.chmod(0o644)
    lines = err.strip().splitlines()
    assert code == EXIT_RUNTIME
    assert len(lines) == 1 and "read-only" in lines[0] and str(real_store) in lines[0], err
    assert real_store.read_bytes() == before
    assert mode == 0o444


def test_a_link_to_a_read_only_store_is_refused_too(tmp_path: Path, real_store: Path) -> None:
    link = tmp_path / "link.gpkg"
    link.symlink_to(real_store)
    real_store.chmod(0o444)
    try:
        with pytest.raises(StoreError, match="read-only"):
            store.write(link, store.StoreContents.empty())
    finally:
        real_store.chmod(0o644)
    assert link.is_symlink()


def test_an_output_that_is_a_link_is_written_through(tmp_path: Path) -> None:
    target = tmp_path / "shared" / "map.html"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "map.html"
    link.symlink_to(target)
    assert write_text(link, "new")
    assert link.is_symlink() and target.read_text() == "new"


def test_a_read_only_output_is_refused_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("old")
    path.chmod(0o444)
    try:
        with pytest.raises(OutputError, match="read-only") as caught:
            write_text(path, "new")
    finally:
        path.chmod(0o644)
    assert "\n" not in str(caught.value)
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["events.csv"]
