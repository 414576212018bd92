"""Atomic file writes and the run lock: a failed or killed run never leaves half a file.

Every output is written to a temporary file in the target's own folder, flushed to disk and
renamed over the target, so readers see the old file or the new one, never a mix. A target
that is a symbolic link is written through: the file it points to is replaced and the link
stays. A target that is read-only is refused, not replaced.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import stat
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path

import filelock

from geomap.errors import GeomapError, OutputError, StoreError

log = logging.getLogger(__name__)
_TEMP_NAME = re.compile(r"^\.[^/]+\.[a-z0-9_]{8}\.tmp(\.[A-Za-z0-9-]+)?$")


def target_of(path: Path) -> Path:
    """The file a write to ``path`` changes: ``path``, or where its symbolic links lead.

    Renaming over a link would replace the link by a regular file and leave the file it
    points to with the old contents, so writes go to the end of the chain instead.
    """
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def read_only(path: Path) -> bool:
    """Whether ``path`` is an existing file its owner (or this user) may not write.

    The mode is looked at as well as :func:`os.access`, which says yes to root for any file:
    a store made read-only with ``chmod a-w`` is meant to be kept, whoever runs geomap.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) and (not mode & stat.S_IWUSR or not os.access(path, os.W_OK))


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` if the block succeeds.

    A symbolic link is followed (see :func:`target_of`); the temporary file is made beside the
    file it points to, so the rename stays atomic.

    Raises
    ------
    OutputError
        When the folder is missing or not writable, the file is read-only, or the disk is
        full.
    """
    path = target_of(path)
    if read_only(path):
        msg = f"cannot write {path}: the file is read-only; make it writable or choose --out"
        raise OutputError(msg)
    folder = path.parent
    if not folder.is_dir():
        msg = f"cannot write {path}: the folder {folder} does not exist; create it or choose --out"
        raise OutputError(msg)
    try:
        handle, name = tempfile.mkstemp(
            dir=folder, prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}"
        )
    except OSError as exc:
        msg = f"cannot write in {folder}: {exc.strerror}; check its permissions or choose --out"
        raise OutputError(msg) from exc
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        os.chmod(temp, _mode_for(path))
        _fsync(temp)
        os.replace(temp, path)
    except GeomapError:
        raise  # already one clear message (a StoreError is also an OSError)
    except OSError as exc:
        msg = f"cannot write {path}: {exc.strerror or exc}; nothing was changed"
        raise OutputError(msg) from exc
    finally:
        temp.unlink(missing_ok=True)


def remove_leftovers(folder: Path, *, keep: Collection[Path] = ()) -> None:
    """Delete the temporary files of runs that were killed before they could clean up
    (except the run's own ``keep``, written before it took the lock).

    Call it only while holding the folder's lock, so no live run's file is touched.
    """
    for leftover in folder.glob(".*.tmp*"):
        if _TEMP_NAME.match(leftover.name) and leftover not in keep:
            log.info("removing %s, left by an interrupted run", leftover)
            leftover.unlink(missing_ok=True)


def write_bytes(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically, unless the file already holds exactly that.

    Returns
    -------
    bool
        Whether the file was (re)written.
    """
    with contextlib.suppress(OSError):
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    with replacing(path) as temp:
        temp.write_bytes(data)
    return True


def write_text(path: Path, text: str) -> bool:
    """:func:`write_bytes` for UTF-8 text."""
    return write_bytes(path, text.encode("utf-8"))


def _mode_for(path: Path) -> int:
    """The target's permissions if it exists, else what a plain ``open`` would give."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


@contextlib.contextmanager
def locked(path: Path, *, wait: float = 60.0) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (a lock file) for the block, on any platform.

    Another geomap run on the same store or output folder waits up to ``wait`` seconds and
    then gives up with a clear message. The lock (``filelock``: ``flock`` on POSIX,
    ``msvcrt`` on Windows) is released by the system when the process ends, so a killed run
    never leaves a stale lock behind.

    Raises
    ------
    StoreError
        When the lock cannot be taken in time or the lock file cannot be created.
    """
    lock = filelock.FileLock(str(path), thread_local=False)
    try:
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            log.warning("another geomap run holds %s; waiting for it", path)
            lock.acquire(timeout=wait, poll_interval=0.1)
    except filelock.Timeout:
        msg = f"another geomap run holds {path} (waited {wait:g} s); try again when it has finished"
        raise StoreError(msg) from None
    except OSError as exc:
        msg = f"cannot create the lock file {path}: {exc.strerror}; check the folder's permissions"
        raise StoreError(msg) from exc
    try:
        yield
    finally:
        lock.release()
