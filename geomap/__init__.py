"""geomap: turn news articles about unrest into mapped, sourced events.

From Python, :func:`read_articles` gives the events and flows of articles as GeoDataFrames and
:func:`read_store` reads a store that ``geomap build`` wrote. Both import GeoPandas only
when called, so ``import geomap`` stays light.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from geomap.errors import GeomapError

if TYPE_CHECKING:
    import geopandas

    from geomap.settings import Settings
    from geomap.store import StoreContents

    __version__: str


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed package's metadata when first asked for (the
    look-up searches the installed packages: a command that never shows it skips it)."""
    if name != "__version__":
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    import importlib.metadata

    try:
        version = importlib.metadata.version("geomap")
    except importlib.metadata.PackageNotFoundError:  # a source checkout that is not installed
        version = "0.0.0"
    globals()["__version__"] = version
    return version


def read_articles(
    paths: Iterable[str | os.PathLike[str]],
    *,
    language: str | None = None,
    skip_failed: bool = False,
    settings: Settings | None = None,
) -> tuple[geopandas.GeoDataFrame, geopandas.GeoDataFrame]:
    """Read articles; their events and flows as GeoDataFrames (see :func:`geomap.api.read_articles`)."""
    from geomap import api

    return api.read_articles(paths, language=language, skip_failed=skip_failed, settings=settings)


def read_store(path: str | os.PathLike[str]) -> StoreContents:
    """Read a store that ``geomap build`` wrote (see :func:`geomap.api.read_store`)."""
    from geomap import api

    return api.read_store(path)


__all__ = ["GeomapError", "__version__", "read_articles", "read_store"]
