"""Where geomap finds its data folders, from an installed wheel or a source checkout."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

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
