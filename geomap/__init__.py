"""geomap: turn news articles about unrest into mapped, sourced events."""

from __future__ import annotations

import importlib.metadata

from geomap.errors import GeomapError

try:
    __version__ = importlib.metadata.version("geomap")
except importlib.metadata.PackageNotFoundError:  # a source checkout that is not installed
    __version__ = "0.0.0"

__all__ = ["GeomapError", "__version__"]
