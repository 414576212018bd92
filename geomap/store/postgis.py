"""The store in PostgreSQL + PostGIS, for a team sharing one database.

The same three tables as the GeoPackage (``events``, ``flows``, ``articles``; one row per
event report, flow and article, geometries in EPSG:4326 with GiST indexes, the same keys,
unique) and the same semantics: an update is one transaction that deletes an edited
article's rows and inserts the new articles' rows, and is committed only after the caller's
block (the outputs) succeeded. Writers on any machine are serialised by a transaction-scoped
advisory lock taken first, so two builds at once both land and no event is lost; a reader
sees the store before or after an update, never half of one. Connections use psycopg 3.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from geomap import join
from geomap.errors import StoreError
from geomap.records import ParsedArticle
from geomap.store.contents import (
    COLUMNS,
    KEYS,
    LAYERS,
    Plan,
    StoreContents,
    apply,
    fingerprint,
    ids_after,
    plan,
    read_layers,
)
from geomap.store.gpkg import Update

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

SCHEMES = ("postgresql://", "postgres://")
#: The advisory lock every writer of a geomap store takes first (any fixed 64-bit number).
_WRITE_LOCK = 0x67656F6D6170  # "geomap"
_INTEGER_COLUMNS = frozenset(join._INT_COLUMNS)
_FLOAT_COLUMNS = frozenset({"latitude", "longitude", "confidence"})
_GEOMETRY = {"events": "geometry(Geometry, 4326)", "flows": "geometry(LineString, 4326)"}
_CONNECT_TIMEOUT = 10


def is_url(location: object) -> bool:
    """Whether ``location`` names a PostgreSQL database rather than a file."""
    return isinstance(location, str) and location.startswith(SCHEMES)


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"^(\w+://[^:/@]*):[^@/]*@", r"\1:***@", url)


def read(url: str) -> StoreContents:
    """Read the store in the database at ``url``; a database without geomap's tables is empty.

    Raises
    ------
    StoreError
        When the server cannot be reached, refuses the login, or lacks PostGIS.
    """
    with _connection(url) as connection, _guarded(url, writing=False):
        if not _has_tables(connection):
            return StoreContents.empty()
        with connection.transaction():
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return _read_contents(connection)


def exists(url: str) -> bool:
    """Whether the database holds a geomap store."""
    with _connection(url) as connection, _guarded(url, writing=False):
        return _has_tables(connection)


def write(url: str, contents: StoreContents) -> None:
    """Replace the whole store with ``contents``, in one transaction."""
    with _connection(url) as connection, _guarded(url, writing=True), connection.transaction():
        _lock_and_create(connection)
        for name in LAYERS:
            connection.execute(f"DELETE FROM {name}")
            _insert(connection, name, contents.layer(name))


@contextlib.contextmanager
def update(url: str, incoming: Sequence[ParsedArticle]) -> Iterator[Update]:
    """Add ``incoming`` to the store at ``url``; committed when the block ends without error.

    Raises
    ------
    StoreError
        When the server cannot be reached or the transaction fails; nothing is written then.
    """
    with _connection(url) as connection, _guarded(url, writing=True):
        with connection.transaction():
            _lock_and_create(connection)
            rows = connection.execute("SELECT article_id, source FROM articles").fetchall()
            known = {str(article_id): str(source) for article_id, source in rows}
            change = plan(known, incoming)
            if change.changed:
                _apply(connection, change)
            yield Update(
                change,
                fingerprint(ids_after(known, change)),
                lambda: _read_contents(connection),
            )
        if change.changed:
            log.info("store %s: %d articles added or replaced", shown(url), len(change.fresh))


# -- the connection ----------------------------------------------------------------------------


@contextlib.contextmanager
def _connection(url: str) -> Iterator[psycopg.Connection[Any]]:
    try:
        import psycopg
    except ImportError as exc:
        msg = (
            f"the store {shown(url)} is a PostgreSQL database, which needs psycopg; "
            "install it with: pip install 'psycopg[binary]'"
        )
        raise StoreError(msg) from exc
    try:
        connection = psycopg.connect(url, connect_timeout=_CONNECT_TIMEOUT, autocommit=True)
    except psycopg.Error as exc:
        msg = f"cannot connect to the store {shown(url)}: {_reason(exc)}; nothing was written"
        raise StoreError(msg) from exc
    try:
        yield connection
    finally:
        connection.close()


@contextlib.contextmanager
def _guarded(url: str, *, writing: bool) -> Iterator[None]:
    """Turn the driver's errors into one line that names the store (without its password)."""
    import psycopg

    try:
        yield
    except psycopg.Error as exc:
        tail = "; nothing was written" if writing else ""
        msg = f"the store {shown(url)} failed: {_reason(exc)}{tail}"
        raise StoreError(msg) from exc


def _reason(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    text = re.sub(
        r'^connection failed: connection to server at "[^"]*" \([^)]*\), port \d+ failed: ',
        "",
        text,
    )
    return text.rstrip(".")


def _has_tables(connection: psycopg.Connection[Any]) -> bool:
    row = connection.execute("SELECT to_regclass('articles') IS NOT NULL").fetchone()
    return bool(row and row[0])


# -- schema ------------------------------------------------------------------------------------


def _column_type(name: str) -> str:
    if name in _INTEGER_COLUMNS:
        return "bigint"
    if name in _FLOAT_COLUMNS:
        return "double precision"
    return "text"


def _lock_and_create(connection: psycopg.Connection[Any]) -> None:
    """Take the writers' lock (held to the end of the transaction), then make what is missing."""
    connection.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
    if _has_tables(connection):
        return
    connection.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    for name in LAYERS:
        columns = [f'"{c}" {_column_type(c)}' for c in COLUMNS[name]]
        if name in _GEOMETRY:
            columns.append(f"geom {_GEOMETRY[name]}")
        columns.insert(0, "fid bigserial PRIMARY KEY")
        connection.execute(f"CREATE TABLE {name} ({', '.join(columns)})")
        connection.execute(f'CREATE UNIQUE INDEX {name}_{KEYS[name]} ON {name} ("{KEYS[name]}")')
        if name != "articles":
            connection.execute(f"CREATE INDEX {name}_article_id ON {name} (article_id)")
            connection.execute(f"CREATE INDEX {name}_geom ON {name} USING gist (geom)")
    connection.execute("CREATE INDEX articles_source ON articles (source)")


# -- reading and writing -----------------------------------------------------------------------


def _read_contents(connection: psycopg.Connection[Any]) -> StoreContents:
    return read_layers(_Tables(connection))


def _apply(connection: psycopg.Connection[Any], change: Plan) -> None:
    apply(_Tables(connection), change)


@dataclass(frozen=True)
class _Tables:
    """The database's tables for :func:`geomap.store.contents.apply` and ``read_layers``."""

    connection: psycopg.Connection[Any]

    def delete(self, name: str, article_ids: list[str]) -> None:
        self.connection.execute(f"DELETE FROM {name} WHERE article_id = ANY(%s)", (article_ids,))

    def insert(self, name: str, frame: pd.DataFrame) -> None:
        _insert(self.connection, name, frame)

    def select(self, name: str) -> tuple[list[str], list[tuple[Any, ...]], Any]:
        columns = list(COLUMNS[name])
        selected = ", ".join(f'"{c}"' for c in columns)
        if name in _GEOMETRY:
            selected += ", ST_AsBinary(geom)"
        rows = self.connection.execute(f"SELECT {selected} FROM {name}").fetchall()
        if name not in _GEOMETRY:
            return columns, rows, None
        blobs = [None if row[-1] is None else bytes(row[-1]) for row in rows]
        shapes = shapely.from_wkb(np.asarray(blobs, dtype=object))
        return columns, [row[:-1] for row in rows], shapes


def _insert(connection: psycopg.Connection[Any], name: str, frame: pd.DataFrame) -> None:
    """Insert the rows; a key already stored keeps its row (as a merge of frames keeps the first)."""
    if frame.empty:
        return
    from geomap.store.gpkg import _sql_value

    columns = list(COLUMNS[name])
    values = [[_sql_value(v) for v in frame[c].tolist()] for c in columns]
    names = [f'"{c}"' for c in columns]
    marks = ["%s"] * len(columns)
    if name in _GEOMETRY:
        geometries = frame.geometry.to_numpy()
        wkb = shapely.to_wkb(geometries, byte_order=1, flavor="iso")
        values.append([None if data is None else bytes(data) for data in wkb])
        names.append("geom")
        marks.append("ST_GeomFromWKB(%s, 4326)")
    query = (
        f"INSERT INTO {name} ({', '.join(names)}) VALUES ({', '.join(marks)}) "
        f'ON CONFLICT ("{KEYS[name]}") DO NOTHING'
    )
    with connection.cursor() as cursor:
        cursor.executemany(query, list(zip(*values, strict=True)))
