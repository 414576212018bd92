"""Which files a folder gives: articles by their ending, never README, LICENSE and the like."""

from __future__ import annotations

from pathlib import Path

import pytest

from geomap.errors import SourceError
from geomap.ingest import expand_sources


def _touch(folder: Path, *names: str) -> None:
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")


def _names(folder: Path) -> list[str]:
    return [Path(p).relative_to(folder).as_posix() for p in expand_sources([str(folder)])]


def test_folder_skips_readme_and_other_project_documents(tmp_path: Path) -> None:
    _touch(
        tmp_path,
        "README.md",
        "readme.txt",
        "README.nb.md",
        "LICENSE.txt",
        "CHANGELOG.md",
        "sub/Readme.html",
        "kazakhstan.nb.txt",
        "sub/almaty.md",
    )
    assert _names(tmp_path) == ["kazakhstan.nb.txt", "sub/almaty.md"]


def test_a_name_that_only_starts_like_a_document_is_an_article(tmp_path: Path) -> None:
    _touch(tmp_path, "readme-protests.txt", "history-of-unrest.md", "notices.html")
    assert _names(tmp_path) == ["history-of-unrest.md", "notices.html", "readme-protests.txt"]


def test_folder_with_only_a_readme_holds_no_article(tmp_path: Path) -> None:
    _touch(tmp_path, "README.md")
    with pytest.raises(SourceError, match="folder holds no article files"):
        expand_sources([str(tmp_path)])


def test_readme_named_directly_or_by_glob_is_read(tmp_path: Path) -> None:
    _touch(tmp_path, "README.md", "a.txt")
    assert expand_sources([str(tmp_path / "README.md")]) == [str(tmp_path / "README.md")]
    assert expand_sources([str(tmp_path / "*.md")]) == [str(tmp_path / "README.md")]


def test_folder_endings_are_matched_in_any_case_and_others_skipped(tmp_path: Path) -> None:
    _touch(tmp_path, "a.TXT", "b.Html", "c.htm", "d.text", "e.md", "f.pdf", "g.json", "h")
    assert _names(tmp_path) == ["a.TXT", "b.Html", "c.htm", "d.text", "e.md"]
