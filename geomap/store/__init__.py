"""The event store: the layers ``events``, ``flows`` and ``articles``.

A store is a GeoPackage file (``geomap.store.gpkg``; it opens in QGIS) or, for a team, a
PostgreSQL + PostGIS database named by a ``postgresql://`` URL (``geomap.store.postgis``).
Both keep the same tables and behave alike: updates are idempotent per article (an article
already stored, same content hash, changes nothing; an edited article, same source with new
content, replaces only its own rows); each update is one transaction, so a failed or killed
run leaves the store as it was, and a run that adds nothing does not write it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from geomap.records import ParsedArticle
from geomap.store import gpkg, postgis
from geomap.store.contents import (
    LAYERS,
    MergeResult,
    Plan,
    Rows,
    StoreContents,
    fingerprint,
    merge,
    plan,
)
from geomap.store.gpkg import Draft, Update
from geomap.store.postgis import is_url

#: Where a store is: a GeoPackage path, or a ``postgresql://`` URL.
Location = Path | str


def read(location: Location) -> StoreContents:
    """Read the store; a missing file (or a database without geomap's tables) is empty.

    Raises
    ------
    StoreError
        When the store is damaged, not geomap's, or cannot be reached.
    """
    if is_url(location):
        return postgis.read(str(location))
    return gpkg.read(Path(location))


def write(location: Location, contents: StoreContents) -> None:
    """Replace the whole store with ``contents`` (atomically)."""
    if is_url(location):
        postgis.write(str(location), contents)
    else:
        gpkg.write(Path(location), contents)


@contextlib.contextmanager
def update(
    location: Location,
    incoming: Sequence[ParsedArticle],
    *,
    rows: Rows | None = None,
    draft: Draft | None = None,
) -> Iterator[Update]:
    """Add articles to the store; committed when the block ends without error. ``rows``
    (a GeoPackage only): the added articles' rows, built elsewhere; ``draft`` (a GeoPackage
    only, from :func:`draft`): a missing store already written from them (see ``gpkg.update``).

    Raises
    ------
    ValueError
        When ``rows`` or ``draft`` is given for a database.
    """
    if is_url(location):
        if rows is not None or draft is not None:
            msg = "rows built elsewhere are inserted into a GeoPackage store only"
            raise ValueError(msg)
        with postgis.update(str(location), incoming) as change:
            yield change
    else:
        with gpkg.update(Path(location), incoming, rows=rows, draft=draft) as change:
            yield change


@contextlib.contextmanager
def draft(location: Location, *, make_folder: bool = False) -> Iterator[Draft | None]:
    """A :class:`Draft` of the store while articles are parsed, when it is a GeoPackage file
    that does not exist yet (else ``None``); its file is removed after the block unless
    :func:`update` made it the store. ``make_folder``: see :class:`Draft`."""
    if is_url(location) or Path(location).exists():
        yield None
        return
    with Draft(Path(location), make_folder=make_folder) as drafted:
        yield drafted if drafted.active else None


def exists(location: Location) -> bool:
    """Whether there is a store to read (a file, or geomap's tables in the database)."""
    if is_url(location):
        return postgis.exists(str(location))
    return Path(location).is_file()


def shown(location: Location) -> str:
    """The store as messages name it (a database URL without its password)."""
    return postgis.shown(location) if isinstance(location, str) else str(location)


__all__ = [
    "LAYERS",
    "Draft",
    "Location",
    "MergeResult",
    "Plan",
    "StoreContents",
    "Update",
    "draft",
    "exists",
    "fingerprint",
    "is_url",
    "merge",
    "plan",
    "read",
    "shown",
    "update",
    "write",
]
