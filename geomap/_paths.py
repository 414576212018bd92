"""Where geomap finds its data folders, from an installed wheel or a source checkout."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

import platformdirs

log = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``"gazetteer"`` or ``"layers"``).

    An installed wheel carries the folders under ``geomap/_data/``; a source checkout has
    them beside the package.
    """
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    return _PACKAGE.parent / name


def cache_dir() -> Path:
    """Where geomap keeps what it builds once (the gazetteer index, the language model):
    ``$GEOMAP_CACHE_DIR``, else the user cache folder."""
    return Path(os.environ.get("GEOMAP_CACHE_DIR") or platformdirs.user_cache_dir("geomap"))


def cache_file(kind: str, source: Path, *versions: str, suffix: str) -> Path:
    """The cache folder's file of ``kind`` made from the file ``source``, named by the
    source's path, size and modification time and by ``versions`` (of the code and formats
    that make it): a changed source or version is made again, under another name.

    Raises
    ------
    OSError
        When ``source`` cannot be looked at.
    """
    state = source.stat()
    identity = ":".join(
        [*versions, str(source.resolve()), str(state.st_size), str(state.st_mtime_ns)]
    )
    return cache_dir() / f"{kind}-{hashlib.sha256(identity.encode()).hexdigest()[:16]}{suffix}"


def keep_in_cache(path: Path, data: bytes) -> None:
    """Write a cache file whole; a cache folder that cannot be written only costs the cache."""
    from geomap.atomic import write_bytes  # only when a cache is (re)written

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(path, data)
    except OSError as exc:
        log.debug("not cached at %s: %s", path, exc)
