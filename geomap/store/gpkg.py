"""The GeoPackage store, changed in place inside SQLite transactions.

A new store is written whole by GDAL (through pyogrio) to a temporary file that is renamed
into place. From then on an update is one SQLite transaction: the rows of replaced articles
are deleted, the new articles' rows inserted (geometries as GeoPackage blobs, the R-tree
kept by GDAL's own triggers, for which the ``ST_*`` functions they call are registered
here), the layers' extents widened. SQLite's rollback journal makes the change atomic: a
run killed at any moment leaves the old store or the new one, and the next open rolls a
half-done change back. The store stays a GeoPackage that GDAL, geopandas and QGIS open.

A build that parses on Dask into a missing store writes it while the workers still parse
(:class:`Draft`): the rows of each few batches are appended to a temporary file, renamed into
place at the end only if it holds exactly what the store written whole would hold.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sqlite3
import struct
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely

from geomap.atomic import read_only, replacing, target_of
from geomap.errors import StoreError
from geomap.join import INCIDENT_COLUMNS
from geomap.records import ParsedArticle
from geomap.store.contents import (
    COLUMNS,
    KEYS,
    LAYERS,
    Plan,
    Rows,
    StoreContents,
    apply,
    fingerprint,
    ids_after,
    plan,
    read_layers,
    same_source,
    sorted_ids_after,
    typed_frame,
    typed_sorted,
    typed_table,
)

log = logging.getLogger(__name__)
_T = TypeVar("_T")

#: ``PRAGMA application_id`` of a GeoPackage: "GPKG".
_APPLICATION_ID = 0x47504B47
_SRS_ID = 4326
#: Envelope sizes in bytes by the envelope code of a GeoPackage blob's flags.
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_HINT = "; move it away or pass --store with another path (geomap never overwrites it)"
#: The indexes an update looks rows up by (created if missing, e.g. in an older store).
_INDEXES = (
    ("events", "event_id_cnty", True),
    ("events", "article_id", False),
    ("flows", "flow_id", True),
    ("events", "place_id", False),
    ("flows", "article_id", False),
    ("articles", "article_id", True),
    ("articles", "source", False),
)
_GEOMETRY_TYPES = {"events": "Unknown", "flows": "LineString"}


#: A merge partition: the layer and place of event reports (reports of one incident share both).
Pair = tuple[str, str]


@dataclass(frozen=True)
class Partial:
    """Parts of a store, read without loading every report (see :class:`Update`)."""

    #: The stored reports at these (layer, place id) pairs, as the events frame.
    reports: Callable[[frozenset[Pair]], Any]
    #: The same reports with only :data:`geomap.join.INCIDENT_COLUMNS` (which incident each
    #: report is; of these event types only, unless ``None``), and the reports with these
    #: ``event_id_cnty``, as the events frame.
    incidents: Callable[[frozenset[Pair], frozenset[str] | None], Any]
    reports_with_ids: Callable[[Sequence[str]], Any]
    #: The reports with these ``event_id_cnty`` with only the incident columns.
    incidents_with_ids: Callable[[Sequence[str]], Any]
    #: Every flow, as the flows frame, and the articles that give flows (for their dates).
    flows: Callable[[], Any]
    flow_articles: Callable[[], Any]
    #: The number of articles, and of distinct places of reports and flow origins.
    articles: Callable[[], int]
    places: Callable[[], int]


@dataclass(frozen=True)
class Update:
    """An update in progress: what it changes, and the store's contents once changed.

    ``previous`` and ``fingerprint`` are digests of the store before and after. ``touched``
    holds the (layer, place id) pairs of every report added or deleted (``None`` when not
    known); merged events elsewhere are unchanged, so with ``partial`` a caller that kept
    the merged events of ``previous`` can re-merge only these pairs.
    """

    change: Plan
    fingerprint: str
    load: Callable[[], StoreContents]
    previous: str = ""
    touched: frozenset[Pair] | None = None
    partial: Partial | None = None
    #: The ``event_id_cnty`` of the reports the update added, and their (layer, event type).
    inserted: frozenset[str] = frozenset()
    inserted_kinds: frozenset[tuple[str, str]] = frozenset()


def read(path: Path) -> StoreContents:
    """Read the store at ``path``; a missing file is an empty store.

    Raises
    ------
    StoreError
        When the file is not a GeoPackage written by geomap (truncated, another format, or
        missing layers). The file is left untouched.
    """
    if not path.exists():
        return StoreContents.empty()
    _refuse_non_file(path)
    with _connection(path, write=False) as connection:
        _guarded(path, lambda: _table_columns(connection, path))  # geomap's GeoPackage?
        try:  # GDAL reads the layers as Arrow tables, with no Python object per cell
            return StoreContents(**{name: _read_arrow(path, name) for name in LAYERS})
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            msg = f"cannot read the store {path}: {exc}{_HINT}"
            raise StoreError(msg) from exc


def write(path: Path, contents: StoreContents) -> None:
    """Write the whole store to a temporary file and rename it over ``path``.

    A ``path`` that is a symbolic link is written through: the store it points to is
    replaced and the link stays.

    Raises
    ------
    StoreError
        When the file cannot be written, or is read-only (it is never replaced then); the
        previous store is unchanged.
    """
    _refuse_non_file(path)
    _refuse_read_only(path)
    with replacing(path) as temp:
        temp.unlink()
        try:
            _write_layers(temp, contents)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            msg = f"cannot write the store {path}: {exc}; the previous store is unchanged"
            raise StoreError(msg) from exc
        with contextlib.closing(sqlite3.connect(temp, isolation_level=None)) as connection:
            _create_indexes(connection)
    log.info("store %s: %d events, %d flows", path, len(contents.events), len(contents.flows))


@contextlib.contextmanager
def update(
    path: Path,
    incoming: Sequence[ParsedArticle],
    *,
    rows: Rows | None = None,
    draft: Draft | None = None,
) -> Iterator[Update]:
    """Add ``incoming`` to the store at ``path``; committed when the block ends without error.

    New articles' rows are inserted and an edited article's old rows deleted in one
    transaction, held open during the block (so the caller can write its outputs first and
    an output that fails leaves the store as it was). An exception, Ctrl-C or a killed
    process leaves the store as it was. A missing store is written whole, after the block.
    ``rows`` gives the rows of the articles added (by default built here from ``incoming``:
    :meth:`StoreContents.of`); with it, ``incoming`` need only name each article. A missing
    store is the ``draft``'s file instead when that holds exactly these rows (see :class:`Draft`).

    Raises
    ------
    StoreError
        When the store is damaged, read-only (and would change) or cannot be written.
    """
    _refuse_non_file(path)
    if not target_of(path).exists():
        change = plan({}, incoming)
        contents = (rows or StoreContents.of)(list(change.fresh))
        ids = ids_after((), change)
        yield Update(change, fingerprint(ids), lambda: contents)
        fresh = {item.article.id for item in change.fresh}
        if draft is None or not draft.finish(path, fresh, contents):
            write(path, contents)
        return
    if draft is not None:
        draft.drop()  # another run wrote the store meanwhile: this run adds to it
    with _connection(path, write=True) as connection:
        schema = _guarded(path, lambda: _table_columns(connection, path))

        def load() -> StoreContents:
            return _guarded(path, lambda: _read_contents(connection, schema))

        known: dict[str, str] = _guarded(path, lambda: _known_articles(connection, incoming))
        stored: list[str] = _guarded(path, lambda: _article_ids(connection))
        change = plan(known, incoming)
        touched: frozenset[Pair] | None = frozenset()
        inserted: frozenset[str] = frozenset()
        kinds: frozenset[tuple[str, str]] = frozenset()
        if change.changed:
            _refuse_read_only(path)
            touched, inserted, kinds = _guarded(
                path, lambda: _apply(connection, change, rows=rows), writing=True
            )
        try:
            yield Update(
                change,
                fingerprint(sorted_ids_after(stored, change)),
                _once(load),
                previous=fingerprint(stored),
                touched=touched,
                partial=_partial(path, connection, schema),
                inserted=inserted,
                inserted_kinds=kinds,
            )
        except BaseException:
            if connection.in_transaction:
                connection.rollback()
            raise
        if connection.in_transaction:
            _guarded(path, connection.commit, writing=True)
            log.info("store %s: %d articles added or replaced", path, len(change.fresh))


def _partial(path: Path, connection: sqlite3.Connection, schema: _Schema) -> Partial:
    """The readers of parts of the store, on the update's connection."""

    def guarded(step: Callable[[], _T]) -> _T:
        return _guarded(path, step)

    def layer(name: str, where: str | None = None, only: Sequence[str] | None = None) -> Any:
        return _read_layer(connection, schema, name, where=where, only=only)

    return Partial(
        reports=lambda pairs: guarded(lambda: _reports_at(connection, schema, pairs)),
        incidents=lambda pairs, types: guarded(
            lambda: _reports_at(connection, schema, pairs, only=INCIDENT_COLUMNS, types=types)
        ),
        reports_with_ids=lambda ids: guarded(lambda: _reports_with_ids(connection, schema, ids)),
        incidents_with_ids=lambda ids: guarded(
            lambda: _rows_where(
                connection, schema, "event_id_cnty", sorted(set(ids)), only=INCIDENT_COLUMNS
            )
        ),
        flows=lambda: guarded(lambda: layer("flows")),
        flow_articles=lambda: guarded(lambda: layer("articles", _FLOW_ARTICLES_SQL)),
        articles=lambda: guarded(lambda: _count(connection, _ARTICLES_SQL)),
        places=lambda: guarded(lambda: _distinct(connection, _PLACES_SQL)),
    )


def _once(load: Callable[[], StoreContents]) -> Callable[[], StoreContents]:
    cache: list[StoreContents] = []

    def cached() -> StoreContents:
        if not cache:
            cache.append(load())
        return cache[0]

    return cached


# -- a new store written while the articles are parsed ----------------------------------------

#: Event rows a draft collects before it appends them (and the other layers' rows) to its file
#: (through Arrow: 40 % less CPU than feature by feature): few enough that the last append,
#: after the last article, is short; many enough that GDAL opens the file only a few times.
#: The indexes are made after the last (kept up during the appends, they cost twice as much).
DRAFT_ROWS = 10_000


class Draft:
    """A missing store written while the articles are still parsed (a build on Dask).

    Each batch's rows are given to :meth:`add` as they come; every :data:`DRAFT_ROWS` event
    rows GDAL appends them to a temporary file beside the store (a row whose key an earlier
    batch gave is left out: the store keeps the first, as :meth:`StoreContents.of` does).
    :func:`update` then renames the file into place (:meth:`finish`) if the store is still
    missing and the file holds the rows of exactly the articles the store gets; otherwise the
    store is written whole as without a draft. The file is written like any other of geomap's
    temporary files and renamed only after the update's block succeeded, so a run that fails,
    is interrupted or killed leaves no store (or the one another run wrote), never part of
    one; the next run removes what a killed one left. Drafting never raises: a draft that
    cannot be written (or whose file another run removed as a leftover) is dropped.

    Use it as a context manager: the file is removed when the block ends unless renamed.
    ``make_folder``: create the store's missing folder (not its parents), removed again if
    nothing is written into it.
    """

    def __init__(self, path: Path, *, make_folder: bool = False) -> None:
        self._path = path
        self._file: Path | None = None
        self._inode: int | None = None
        self._pending: dict[str, list[pd.DataFrame]] = {name: [] for name in LAYERS}
        self._held = 0
        self._keys: dict[str, set[str]] = {name: set() for name in LAYERS}
        self._written = dict.fromkeys(LAYERS, 0)
        self._ids: set[str] = set()
        self._broken = False
        self._folder: Path | None = None
        target = target_of(path)
        if target.exists():
            self._broken = True  # nothing to draft: the store exists
            return
        try:
            if make_folder and not target.parent.is_dir():  # a first build into a new --out
                target.parent.mkdir()  # as the build's lock would, after parsing
                self._folder = target.parent
            handle, name = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}"
            )
            os.close(handle)
            os.unlink(name)  # GDAL creates the GeoPackage itself
        except OSError as exc:
            log.debug("no draft of the store %s: %s", path, exc)
            self._broken = True
            return
        self._file = Path(name)

    def __enter__(self) -> Draft:
        return self

    def __exit__(self, *exc: object) -> None:
        self.drop()

    @property
    def file(self) -> Path | None:
        """The draft's temporary file (``None`` once given up or renamed)."""
        return None if self._broken else self._file

    @property
    def active(self) -> bool:
        """Whether the draft may still become the store."""
        return not self._broken

    def add(self, contents: StoreContents) -> None:
        """Take one batch's rows (batches in the order the articles were read)."""
        if self._broken:
            return
        for name in LAYERS:
            frame = contents.layer(name)
            if frame.empty:
                continue
            keys = [str(key) for key in frame[KEYS[name]].tolist()]
            seen = self._keys[name]
            kept = [key not in seen for key in keys]
            if not all(kept):  # an article read again in a later batch: the first rows stay
                frame = frame[kept]
            seen.update(keys)
            self._pending[name].append(frame)
        self._ids.update(str(key) for key in contents.articles["article_id"].tolist())
        self._held += len(contents.events)
        if self._held >= DRAFT_ROWS:
            self._append()

    def finish(self, path: Path, article_ids: set[str], contents: StoreContents) -> bool:
        """Rename the draft over the missing store ``path`` if it holds the rows of exactly
        the articles ``article_ids`` (and as many as ``contents``); ``False`` when it cannot
        (the caller writes the store whole then).

        Raises
        ------
        StoreError
            When the store cannot be written there.
        """
        if self._broken or path != self._path or target_of(path).exists():
            return False
        if self._ids != article_ids:
            return False
        self._append()
        if self._broken or not self._whole(contents):
            return False
        assert self._file is not None
        with replacing(path) as temp:
            os.replace(self._file, temp)
        self._file = self._folder = None
        log.info("store %s: %d events, %d flows", path, len(contents.events), len(contents.flows))
        return True

    def _append(self) -> None:
        """Append the rows held to the file (creating every layer the first time)."""
        assert self._file is not None
        first = self._inode is None
        if not first and not self._same_file():
            self._fail("its file was removed")
            return
        try:
            for name in LAYERS:
                frames = self._pending[name]
                if not frames and not first:
                    continue
                frame = _concatenated(frames) if frames else StoreContents.empty().layer(name)
                _write_layer(self._file, name, frame, append=not first, use_arrow=True)
                self._written[name] += len(frame)
                self._pending[name] = []
            if first:
                self._inode = self._file.stat().st_ino
        except (
            pyogrio.errors.DataSourceError,
            pyogrio.errors.DataLayerError,
            OSError,
            sqlite3.Error,
        ) as exc:
            self._fail(str(exc))
            return
        self._held = 0

    def _same_file(self) -> bool:
        assert self._file is not None
        try:
            return self._file.stat().st_ino == self._inode
        except OSError:
            return False

    def _whole(self, contents: StoreContents) -> bool:
        """Whether the file is the one written and holds every row (and the indexes)."""
        assert self._file is not None
        if not self._same_file():
            self._fail("its file was removed")
            return False
        expected = {name: len(contents.layer(name)) for name in LAYERS}
        if self._written != expected:
            self._fail(f"it has {self._written} rows, not {expected}")
            return False
        try:
            with contextlib.closing(sqlite3.connect(self._file, isolation_level=None)) as db:
                for name in LAYERS:
                    (count,) = db.execute(f'SELECT count(*) FROM "{name}"').fetchone()
                    if count != expected[name]:
                        self._fail(f"its layer {name} has {count} rows, not {expected[name]}")
                        return False
                _create_indexes(db)
        except sqlite3.Error as exc:
            self._fail(str(exc))
            return False
        return True

    def _fail(self, reason: str) -> None:
        log.debug("the draft of the store %s is dropped: %s", self._path, reason)
        self.drop()

    def drop(self) -> None:
        """Give the draft up and remove its file (unless it became the store)."""
        self._broken = True
        self._pending = {name: [] for name in LAYERS}
        if self._file is not None:
            with contextlib.suppress(OSError):
                if self._inode is None or self._same_file():  # never another run's file
                    self._file.unlink(missing_ok=True)
            self._file = None
        if self._folder is not None:  # made here, and nothing was written into it
            with contextlib.suppress(OSError):
                self._folder.rmdir()
            self._folder = None


def _concatenated(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """One frame of batches' rows (of one layer), as GDAL writes them."""
    if len(frames) == 1:
        return frames[0]
    with warnings.catch_warnings():  # an all-missing column in some batch
        warnings.simplefilter("ignore", FutureWarning)
        return pd.concat(frames, ignore_index=True)


# -- the connection ----------------------------------------------------------------------------


@contextlib.contextmanager
def _connection(path: Path, *, write: bool) -> Iterator[sqlite3.Connection]:
    """An SQLite connection to the store, with the functions GDAL's R-tree triggers call.

    A store this user may not write is opened read-only, so reading it never needs more.
    """
    target = target_of(path)
    mode = "rw" if write or not read_only(target) else "ro"
    try:
        connection = sqlite3.connect(
            f"{target.resolve().as_uri()}?mode={mode}", uri=True, isolation_level=None, timeout=60
        )
    except sqlite3.Error as exc:
        msg = f"cannot open the store {path}: {_reason(exc)}{_HINT}"
        raise StoreError(msg) from exc
    try:
        for name, function in _ST_FUNCTIONS.items():
            connection.create_function(name, 1, function, deterministic=True)
        yield connection
    finally:
        if connection.in_transaction:
            connection.rollback()
        connection.close()


def _guarded(path: Path, step: Callable[[], _T], *, writing: bool = False) -> _T:
    """Run ``step``, turning SQLite's errors into one line that names the store."""
    try:
        return step()
    except sqlite3.Error as exc:
        text = _reason(exc)
        if writing and "damaged" not in text and "not a GeoPackage" not in text:
            msg = f"cannot write the store {path}: {text}; the previous store is unchanged"
        else:
            msg = f"cannot read the store {path}: {text}{_HINT}"
        raise StoreError(msg) from exc


def _reason(exc: Exception) -> str:
    """SQLite's complaint as a short phrase."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(".")
    if "not a database" in text:
        return "it is not a GeoPackage"
    if "malformed" in text or "corrupt" in text:
        return f"it is damaged or truncated ({text})"
    return text


def _refuse_non_file(path: Path) -> None:
    if path.exists() and not path.is_file():
        msg = f"the store path {path} is not a file; pass --store with a .gpkg file path"
        raise StoreError(msg)


def _refuse_read_only(path: Path) -> None:
    target = target_of(path)
    if read_only(target):
        shown = path if target == path else f"{path} (a link to {target})"
        msg = (
            f"the store {shown} is read-only, so geomap leaves it as it is; "
            "make it writable or pass --store with another path"
        )
        raise StoreError(msg)


# -- reading -----------------------------------------------------------------------------------


#: Each layer's columns, as the store has them.
_Schema = dict[str, list[str]]


def _table_columns(connection: sqlite3.Connection, path: Path) -> _Schema:
    """Each layer's columns, after checking the file is one of geomap's GeoPackages (once
    per connection: the readers are handed the result)."""
    (application_id,) = connection.execute("PRAGMA application_id").fetchone()
    if application_id != _APPLICATION_ID:
        msg = f"cannot read the store {path}: it is not a GeoPackage{_HINT}"
        raise StoreError(msg)
    names = {
        str(row[0]).lower()
        for row in connection.execute("SELECT table_name FROM gpkg_contents").fetchall()
    }
    missing = [name for name in LAYERS if name not in names]
    if missing:
        msg = f"{path} is a GeoPackage without geomap's layer {missing[0]!r}{_HINT}"
        raise StoreError(msg)
    columns: dict[str, list[str]] = {}
    for name in LAYERS:
        found = [str(row[1]) for row in connection.execute(f'PRAGMA table_info("{name}")')]
        key = KEYS[name]
        if key not in found or "article_id" not in found:
            msg = f"{path} has a layer {name!r} that geomap did not write (no {key!r}){_HINT}"
            raise StoreError(msg)
        columns[name] = found
    return columns


def _known_articles(
    connection: sqlite3.Connection, incoming: Sequence[ParsedArticle]
) -> dict[str, str]:
    """The stored articles an update may concern: those with the id or the source of an
    incoming article (article id to source), found by the indexes, not read all."""
    ids = sorted({item.article.id for item in incoming})
    sources = sorted(
        {
            form
            for item in incoming
            for form in (item.article.source, same_source(item.article.source))
        }
    )
    found: dict[str, str] = {}
    for column, values in (("article_id", ids), ("source", sources)):
        for chunk in _chunks(values):
            marks = ",".join("?" * len(chunk))
            query = f'SELECT article_id, source FROM "articles" WHERE "{column}" IN ({marks})'
            found |= {str(key): str(source) for key, source in connection.execute(query, chunk)}
    return found


def _article_ids(connection: sqlite3.Connection) -> list[str]:
    """Every stored article's id, sorted (for the store's fingerprint).

    SQLite joins them into one text (in the order of their index), split here, rather than
    a row and a tuple per article. Ids that are missing (``group_concat`` skips them) or
    hold the separator are read row by row.
    """
    count = _count(connection, _ARTICLES_SQL)
    query = 'SELECT group_concat(article_id, char(31)) FROM "articles"'  # by the id's index
    (joined,) = connection.execute(query).fetchone()
    ids = joined.split(_ID_SEPARATOR) if joined is not None else []
    if len(ids) != count:
        query = 'SELECT article_id FROM "articles" ORDER BY article_id'
        ids = [str(row[0]) for row in connection.execute(query)]
    ids.sort()  # read in the index's order, the bytes' (UTF-8's is the text's): quickly sorted
    return ids


_ID_SEPARATOR = "\x1f"


def _read_contents(connection: sqlite3.Connection, schema: _Schema) -> StoreContents:
    return read_layers(_Tables(connection, schema))


@dataclass(frozen=True)
class _Tables:
    """The GeoPackage's layers for :func:`geomap.store.contents.apply` and ``read_layers``."""

    connection: sqlite3.Connection
    schema: _Schema

    def delete(self, name: str, article_ids: list[str]) -> None:
        for chunk in _chunks(article_ids):
            marks = ",".join("?" * len(chunk))
            self.connection.execute(f'DELETE FROM "{name}" WHERE article_id IN ({marks})', chunk)

    def insert(self, name: str, frame: pd.DataFrame) -> None:
        _insert(self.connection, name, frame)

    def select(self, name: str) -> tuple[list[str], list[tuple[Any, ...]], Any]:
        return _select(self.connection, self.schema, name)


def _select(
    connection: sqlite3.Connection,
    schema: _Schema,
    name: str,
    *,
    where: str | None = None,
    parameters: Sequence[Any] = (),
    only: Sequence[str] | None = None,
) -> tuple[list[str], list[tuple[Any, ...]], Any]:
    """The columns found, the rows ``where`` selects and their geometries (``None`` with
    ``only``, which selects just those columns)."""
    wanted = [c for c in COLUMNS[name] if c in schema[name] and (only is None or c in only)]
    geometry = name in _GEOMETRY_TYPES and only is None
    selected = ", ".join(f'"{c}"' for c in [*wanted, *(["geom"] if geometry else [])])
    query = f'SELECT {selected} FROM "{name}"' + (f" WHERE {where}" if where else "")
    rows = connection.execute(query, list(parameters)).fetchall()
    shapes = None
    if geometry:
        shapes = _from_blobs([row[-1] for row in rows])
        rows = [row[:-1] for row in rows]
    return wanted, rows, shapes


def _read_layer(
    connection: sqlite3.Connection,
    schema: _Schema,
    name: str,
    *,
    where: str | None = None,
    parameters: Sequence[Any] = (),
    only: Sequence[str] | None = None,
) -> Any:
    """One layer (the rows ``where`` selects) with the dtypes and order geomap writes; with
    ``only``, just those columns and no geometry."""
    wanted, rows, shapes = _select(
        connection, schema, name, where=where, parameters=parameters, only=only
    )
    return typed_frame(name, wanted, rows, shapes, only=only)


def _read_arrow(path: Path, name: str) -> Any:
    """One whole layer, read by GDAL as an Arrow table (:func:`typed_table`)."""
    meta, table = pyogrio.read_arrow(path, layer=name)
    shapes = None
    geometry = meta.get("geometry_name") or "wkb_geometry"
    if name in _GEOMETRY_TYPES and geometry in table.column_names:
        wkb = table.column(geometry).to_numpy(zero_copy_only=False)
        shapes = np.asarray(shapely.from_wkb(wkb), dtype=object)
    return typed_table(name, table, shapes)


def _from_blobs(blobs: list[bytes | None]) -> np.ndarray:
    """Geometries from GeoPackage blobs (a header, an optional envelope, then WKB)."""
    wkb = [
        None if blob is None else blob[8 + _ENVELOPE_BYTES[(blob[3] >> 1) & 7] :] for blob in blobs
    ]
    return np.asarray(shapely.from_wkb(np.asarray(wkb, dtype=object)), dtype=object)


# -- writing -----------------------------------------------------------------------------------


def _write_layers(path: Path, contents: StoreContents) -> None:
    for name in LAYERS:
        _write_layer(path, name, contents.layer(name))


def _write_layer(path: Path, name: str, frame: pd.DataFrame, **options: Any) -> None:
    """Write one layer of the store with pyogrio (``options``: ``append``, ``use_arrow``)."""
    if name in _GEOMETRY_TYPES:
        options["geometry_type"] = _GEOMETRY_TYPES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", **options)


def _create_indexes(connection: sqlite3.Connection) -> None:
    for table, column, unique in _INDEXES:
        kind = "UNIQUE INDEX" if unique else "INDEX"
        connection.execute(
            f'CREATE {kind} IF NOT EXISTS "geomap_{table}_{column}" ON "{table}" ("{column}")'
        )


def _apply(
    connection: sqlite3.Connection, change: Plan, *, rows: Rows | None = None
) -> tuple[frozenset[Pair] | None, frozenset[str], frozenset[tuple[str, str]]]:
    """Delete the replaced articles' rows and insert the new ones, in one open transaction.

    Returns the (layer, place id) pairs of the reports deleted or inserted (``None`` when
    one of them has no layer or place), the ids of the reports inserted and their (layer,
    event type) pairs.
    """
    connection.execute("BEGIN IMMEDIATE")
    _create_indexes(connection)
    stale = sorted(change.stale)
    pairs: set[tuple[Any, Any]] = set()
    for chunk in _chunks(stale):
        marks = ",".join("?" * len(chunk))
        query = f'SELECT DISTINCT layer, place_id FROM "events" WHERE article_id IN ({marks})'
        pairs |= {(layer, place) for layer, place in connection.execute(query, chunk)}
    new = apply(_Tables(connection, schema={}), change, rows=rows)  # no select: no schema needed
    pairs |= set(zip(new.events["layer"].tolist(), new.events["place_id"].tolist(), strict=True))
    inserted = frozenset(str(key) for key in new.events["event_id_cnty"].tolist())
    kinds = frozenset(
        (str(layer), kind if isinstance(kind, str) else "")  # "": none given
        for layer, kind in zip(new.events["layer"], new.events["event_type"], strict=True)
    )
    if not all(isinstance(layer, str) and isinstance(place, str) for layer, place in pairs):
        return None, inserted, kinds
    return frozenset(pairs), inserted, kinds


_ARTICLES_SQL = 'SELECT count(*) FROM "articles"'
_FLOW_ARTICLES_SQL = 'article_id IN (SELECT article_id FROM "flows")'
#: The distinct places of reports and of flow origins (each found by its index).
_PLACES_SQL = (
    'SELECT DISTINCT place_id FROM "events"',
    'SELECT DISTINCT origin_place_id FROM "flows"',
)


def _count(connection: sqlite3.Connection, query: str) -> int:
    (count,) = connection.execute(query).fetchone()
    return int(count)


def _distinct(connection: sqlite3.Connection, queries: Sequence[str]) -> int:
    """How many distinct values the queries' rows give together (a missing one counts once,
    as in SQL's ``UNION``)."""
    return len({row[0] for query in queries for row in connection.execute(query)})


def _reports_at(
    connection: sqlite3.Connection,
    schema: _Schema,
    pairs: frozenset[Pair],
    *,
    only: Sequence[str] | None = None,
    types: frozenset[str] | None = None,
) -> Any:
    """The stored reports at these (layer, place id) pairs, as the events frame (with
    ``only``, just those columns; with ``types``, only reports of those event types)."""
    places = sorted({place for _layer, place in pairs})
    frame = _rows_where(connection, schema, "place_id", places, only=only, types=types)
    keys = list(zip(frame["layer"].tolist(), frame["place_id"].tolist(), strict=True))
    chosen = frame[[key in pairs for key in keys]]
    return typed_sorted(chosen, "events")


def _reports_with_ids(connection: sqlite3.Connection, schema: _Schema, ids: Sequence[str]) -> Any:
    """The stored reports with these ``event_id_cnty``, as the events frame."""
    return _rows_where(connection, schema, "event_id_cnty", sorted(set(ids)))


def _rows_where(
    connection: sqlite3.Connection,
    schema: _Schema,
    column: str,
    values: list[str],
    *,
    only: Sequence[str] | None = None,
    types: frozenset[str] | None = None,
) -> Any:
    """The events whose ``column`` (an indexed one) is one of ``values`` (and whose event
    type one of ``types``, unless ``None``), in key order."""
    parts: list[pd.DataFrame] = []
    kinds = sorted(types) if types is not None else []
    for chunk in _chunks(values):
        marks = ",".join("?" * len(chunk))
        where = f'"{column}" IN ({marks})'
        if types is not None:
            where += f' AND "event_type" IN ({",".join("?" * len(kinds))})'
        parameters = [*chunk, *kinds]
        parts.append(
            _read_layer(connection, schema, "events", where=where, parameters=parameters, only=only)
        )
    frames = [frame for frame in parts if not frame.empty]
    if not frames:
        return _read_layer(connection, schema, "events", where="0", only=only)
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    return typed_sorted(frame, "events")


def _insert(connection: sqlite3.Connection, name: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    table = {str(row[1]) for row in connection.execute(f'PRAGMA table_info("{name}")')}
    columns = [c for c in COLUMNS[name] if c in table]
    values = [[_sql_value(v) for v in frame[c].tolist()] for c in columns]
    names = [f'"{c}"' for c in columns]
    if name in _GEOMETRY_TYPES:
        values.append(_blobs(frame.geometry.to_numpy()))
        names.append('"geom"')
        _widen_extent(connection, name, frame)
    marks = ",".join("?" * len(names))
    # A key already stored keeps its row (as a merge of frames keeps the first): the unique
    # index on the key ignores the new one.
    connection.executemany(
        f'INSERT OR IGNORE INTO "{name}" ({", ".join(names)}) VALUES ({marks})',
        zip(*values, strict=True),
    )
    connection.execute(
        "UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') "
        "WHERE lower(table_name) = lower(?)",
        (name,),
    )


def _widen_extent(connection: sqlite3.Connection, name: str, frame: pd.DataFrame) -> None:
    present = frame.geometry[~frame.geometry.isna() & ~frame.geometry.is_empty]
    if present.empty:
        return
    minx, miny, maxx, maxy = (float(v) for v in present.total_bounds)
    connection.execute(
        "UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?1), ?1), "
        "min_y = min(coalesce(min_y, ?2), ?2), max_x = max(coalesce(max_x, ?3), ?3), "
        "max_y = max(coalesce(max_y, ?4), ?4) WHERE lower(table_name) = lower(?5)",
        (minx, miny, maxx, maxy, name),
    )


def _chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _sql_value(value: Any) -> Any:
    """A frame's cell as SQLite takes it: ``None`` for missing, plain ints, floats and text."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return str(value)


def _blobs(geometries: np.ndarray) -> list[bytes | None]:
    """GeoPackage blobs as GDAL writes them: little-endian, points without an envelope."""
    wkb = shapely.to_wkb(geometries, byte_order=1, flavor="iso")
    bounds = shapely.bounds(geometries)
    kinds = shapely.get_type_id(geometries)
    empty = shapely.is_empty(geometries)
    result: list[bytes | None] = []
    for data, box, kind, is_empty in zip(wkb, bounds, kinds, empty, strict=True):
        if data is None:
            result.append(None)
        elif is_empty:
            result.append(struct.pack("<2sBBi", b"GP", 0, 0x11, _SRS_ID) + data)
        elif kind == 0:  # a point: its envelope is itself
            result.append(struct.pack("<2sBBi", b"GP", 0, 0x01, _SRS_ID) + data)
        else:
            header = struct.pack("<2sBBi", b"GP", 0, 0x03, _SRS_ID)
            result.append(header + struct.pack("<4d", box[0], box[2], box[1], box[3]) + data)
    return result


# -- the SQL functions GDAL's R-tree triggers call ---------------------------------------------


def _envelope(blob: Any) -> tuple[float, float, float, float] | None:
    """(min x, max x, min y, max y) of a GeoPackage blob, or ``None`` if empty or not one."""
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP" or blob[3] & 0x10:
        return None
    flags = blob[3]
    order = "<" if flags & 1 else ">"
    if (flags >> 1) & 7:
        minx, maxx, miny, maxy = struct.unpack_from(f"{order}4d", blob, 8)
        return minx, maxx, miny, maxy
    if len(blob) == 29 and blob[8] == 1 and blob[9:13] == b"\x01\x00\x00\x00":
        x, y = struct.unpack_from("<2d", blob, 13)  # a little-endian 2D point, as written here
        return x, x, y, y
    geometry = shapely.from_wkb(blob[8:])
    if geometry is None or geometry.is_empty:
        return None
    minx, miny, maxx, maxy = geometry.bounds
    return minx, maxx, miny, maxy


def _st(index: int) -> Callable[[Any], float | None]:
    def function(blob: Any) -> float | None:
        envelope = _envelope(blob)
        return None if envelope is None else envelope[index]

    return function


_ST_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "ST_IsEmpty": lambda blob: int(_envelope(blob) is None),
    "ST_MinX": _st(0),
    "ST_MaxX": _st(1),
    "ST_MinY": _st(2),
    "ST_MaxY": _st(3),
}
