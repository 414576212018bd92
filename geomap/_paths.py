"""Where geomap finds its data folders, from an installed wheel or a source checkout."""

from __future__ import annotations

from pathlib import Path

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
