"""The versions of installed packages, read quickly."""

from __future__ import annotations

import importlib.metadata


def installed_version(name: str) -> str:
    """``importlib.metadata.version(name)``, read from the head of the package's metadata.

    ``importlib.metadata`` parses the whole metadata file as an e-mail, long description
    included, for its one ``Version`` line: most of the time it takes. The headers end at the
    first empty line; a file without the line is left to ``importlib.metadata``.

    Raises
    ------
    importlib.metadata.PackageNotFoundError
        When no package ``name`` is installed.
    """
    dist = importlib.metadata.distribution(name)
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    for line in text.splitlines():
        if not line.strip():
            break
        key, colon, value = line.partition(":")
        if colon and key.strip().lower() == "version":
            return value.strip()
    return dist.version
