"""The run lock works through filelock, so it holds on every platform and against other tools
that take the same lock file."""

from __future__ import annotations

from pathlib import Path

import filelock
import pytest

from geomap.atomic import locked
from geomap.errors import StoreError


def test_a_lock_held_through_filelock_stops_a_run(tmp_path: Path) -> None:
    path = tmp_path / ".geomap.lock"
    other = filelock.FileLock(str(path), thread_local=False)
    with other, pytest.raises(StoreError, match="another geomap run"), locked(path, wait=0.2):
        pass
    with locked(path, wait=0):  # free once the other holder let go
        pass


def test_a_lock_file_that_cannot_be_opened_is_one_clear_error(tmp_path: Path) -> None:
    taken = tmp_path / ".geomap.lock"
    taken.mkdir()  # a folder where the lock file should be
    with pytest.raises(StoreError, match="cannot create the lock file"), locked(taken, wait=0):
        pass
