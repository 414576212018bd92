"""A missing ../shared file skips its tests on a developer's machine and fails them in CI."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import in_ci, require_shared


def test_a_missing_shared_file_fails_under_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    assert in_ci()
    with pytest.raises(pytest.fail.Exception, match="missing in CI"):
        require_shared(tmp_path / "absent-article.txt")


def test_a_missing_shared_file_skips_outside_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require_shared(tmp_path / "absent-article.txt")


def test_a_present_shared_file_is_returned(tmp_path: Path) -> None:
    present = tmp_path / "present.txt"
    present.write_text("x", encoding="utf-8")
    assert require_shared(present) == present
