"""Parsing on Dask (``geomap build --workers N`` / ``--scheduler``): the same store as a build in
one process, and a cluster that cannot be reached or used is one clear line with nothing written.
"""

from __future__ import annotations

import filecmp
import shutil
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from conftest import Parse, Run, run_geomap
from geopandas.testing import assert_geodataframe_equal

from geomap import store
from geomap.distributed import (
    ClusterOptions,
    GazetteerPlugin,
    StoreRows,
    _named,
    _packed,
    scheduler_address,
)
from geomap.errors import GazetteerError, SourceError, UsageError
from geomap.gazetteer import Gazetteer
from geomap.gazetteer.index import stored_fingerprint
from geomap.pipeline import index_path
from geomap.records import ParsedArticle
from geomap.settings import Settings
from geomap.store.contents import KEYS, LAYERS, StoreContents, plan

OUTPUTS = ("map.html", "events.geojson", "flows.geojson", "events.csv")
#: Our own short reports: a town, a figure, a day.
REPORTS = (
    "Police in {town} detained {n} people who blocked the ring road on Friday.",
    "Striking oil workers in {town}, about {n} of them, walked off the job.",
    "Unknown attackers burned {n} cars parked near the akimat building in {town}.",
    "Doctors in {town} said {n} people were hurt when riot police charged the crowd.",
)
TOWNS = ("Aktobe", "Atyrau", "Oral", "Kostanay", "Shymkent", "Taraz")
#: A text with mentions, events and a flow.
BLOC = (
    "The CSTO is a bloc whose members include Armenia, Belarus and Tajikistan. "
    "Its leaders spoke in Minsk on Monday. "
    "The bloc has sent 900 soldiers to Kazakhstan, a spokesman said. "
    "Police in Almaty detained 40 protesters outside the akimat."
)


@pytest.fixture(scope="module", autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A working folder with no geomap.toml, and no output settings from the environment."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("cwd"))
        for name in ("GEOMAP_OUT_DIR", "GEOMAP_STORE", "GEOMAP_LAYERS_DIR", "GEOMAP_GEOCODER"):
            patch.delenv(name, raising=False)
        yield


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """27 short articles: one empty (it cannot be read), one the same as another (the store
    keeps the first read, so the order in which results reach the store shows)."""
    folder = tmp_path_factory.mktemp("articles")
    for i in range(25):
        text = REPORTS[i % len(REPORTS)].format(n=3 + 7 * i, town=TOWNS[i % len(TOWNS)])
        (folder / f"r{i:02d}.txt").write_text(f"date 2022-01-{1 + i:02d}\n\n{text}\n")
    (folder / "r99.txt").write_text("")
    (folder / "r98.txt").write_bytes((folder / "r03.txt").read_bytes())
    return folder


@pytest.fixture(scope="module")
def one_process(articles: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    out = tmp_path_factory.mktemp("one")
    return out, run_geomap("build", str(articles), "--out", str(out))


def assert_same_build(one: Path, other: Path) -> None:
    first, second = store.read(one / "geomap.gpkg"), store.read(other / "geomap.gpkg")
    assert len(first.articles) == 25 and len(first.events) >= 15
    assert first.articles["source"].str.endswith("r03.txt").any()  # not r98.txt, read later
    assert_geodataframe_equal(first.events, second.events)
    assert_geodataframe_equal(first.flows, second.flows)
    pd.testing.assert_frame_equal(first.articles, second.articles)
    for name in OUTPUTS:
        assert filecmp.cmp(one / name, other / name, shallow=False), name


def error_lines(result: Run) -> list[str]:
    return [line for line in result.err.splitlines() if line.startswith("error:")]


def test_two_worker_processes_build_the_store_one_process_builds(
    articles: Path, one_process: tuple[Path, Run], tmp_path: Path
) -> None:
    one, alone = one_process
    result = run_geomap("build", str(articles), "--out", str(tmp_path), "--workers", "2")
    assert result.code == alone.code == 3  # the empty article failed, the others were stored
    assert error_lines(result) == error_lines(alone) and "r99.txt" in error_lines(result)[0]
    assert_same_build(one, tmp_path)


def test_two_workers_write_a_new_store_while_they_parse_and_it_is_the_same(
    articles: Path, one_process: tuple[Path, Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geomap import pipeline
    from geomap.geocode import get_geocoder
    from geomap.ingest import IngestOptions, expand_sources
    from geomap.layers import load_layers
    from geomap.store import gpkg

    monkeypatch.setattr(gpkg, "DRAFT_ROWS", 1)  # append each batch, long before the lock
    whole: list[object] = []
    monkeypatch.setattr(gpkg, "write", lambda *args: whole.append(args))
    out = tmp_path / "out"  # a first build into a new folder
    report = pipeline.build(
        expand_sources([str(articles)]),
        settings=Settings.load(out_dir=out),
        geocoder=get_geocoder("offline"),
        options=IngestOptions(),
        specs=load_layers(),
        cluster=ClusterOptions(workers=2, batch_articles=4),
    )
    assert len(report.added) == 25 and len(report.failures) == 1
    assert not whole  # the store is the draft written while parsing, not written after
    assert_same_build(one_process[0], out)
    assert not [p.name for p in out.iterdir() if ".tmp" in p.name]


def test_build_on_a_running_cluster_by_its_scheduler_address(
    articles: Path, one_process: tuple[Path, Run], tmp_path: Path
) -> None:
    from distributed import LocalCluster

    with LocalCluster(  # a worker in this process, reached over loopback tcp
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    ) as cluster:
        result = run_geomap(
            "build", str(articles), "--out", str(tmp_path), "--scheduler", cluster.scheduler_address
        )
    assert result.code == 3, result.err
    assert_same_build(one_process[0], tmp_path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_an_unreachable_scheduler_is_one_line_and_nothing_is_written(
    articles: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEOMAP_TIMEOUT", "1")
    address = f"tcp://127.0.0.1:{free_port()}"
    out = tmp_path / "out"
    result = run_geomap("build", str(articles), "--out", str(out), "--scheduler", address)
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: cannot reach the Dask scheduler at " + address)
    assert not out.exists()


@pytest.mark.parametrize(
    "options",
    [
        ("--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"),
        ("--workers", "0"),
        ("--scheduler", "http://127.0.0.1:8786"),
        ("--scheduler", "tcp://127.0.0.1"),
        ("--workers", "2", "--geocoder", "nominatim"),
    ],
)
def test_a_cluster_option_that_cannot_work_is_a_usage_error(
    articles: Path, tmp_path: Path, options: tuple[str, ...]
) -> None:
    out = tmp_path / "out"
    result = run_geomap("build", str(articles / "r00.txt"), "--out", str(out), *options)
    assert result.code == 2, result.err
    assert not out.exists()


def test_a_scheduler_address_is_tcp_host_and_port() -> None:
    assert scheduler_address("10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    assert scheduler_address("tls://dask.example.org:8786") == "tls://dask.example.org:8786"
    assert scheduler_address("tcp://[::1]:8786") == "tcp://[::1]:8786"
    for bad in ("tcp://host", "tcp://host:port", "inproc://x:1", "tcp://host:8786/path", ""):
        with pytest.raises(UsageError, match="tcp://HOST:PORT"):
            scheduler_address(bad)


def test_cluster_options_take_workers_or_a_scheduler() -> None:
    assert ClusterOptions(workers=3).workers == 3
    with pytest.raises(UsageError):
        ClusterOptions()
    with pytest.raises(UsageError):
        ClusterOptions(workers=1, batch_articles=0)


class _Worker:
    address = "tcp://10.1.2.3:40000"


def test_a_worker_without_the_index_refuses_naming_itself(tmp_path: Path) -> None:
    plugin = GazetteerPlugin(index=tmp_path / "none.sqlite", fingerprint="abc", version="0.1.0")
    with pytest.raises(GazetteerError, match=r"worker tcp://10\.1\.2\.3:40000 has no gazetteer"):
        plugin.setup(_Worker())  # type: ignore[arg-type]
    with pytest.raises(GazetteerError, match="no gazetteer index"):
        plugin.geocoder()


def test_a_worker_whose_index_or_geomap_differs_refuses() -> None:
    from geomap import __version__

    index = Gazetteer.open(index_path(Settings.load())).path  # built if it is not yet
    fingerprint = stored_fingerprint(index)
    other_data = GazetteerPlugin(index=index, fingerprint="0" * 16, version=__version__)
    with pytest.raises(GazetteerError, match="built from other data"):
        other_data.setup(_Worker())  # type: ignore[arg-type]
    other_version = GazetteerPlugin(index=index, fingerprint=fingerprint, version="0.0.1")
    with pytest.raises(GazetteerError, match="install the same version"):
        other_version.setup(_Worker())  # type: ignore[arg-type]
    same = GazetteerPlugin(index=index, fingerprint=fingerprint, version=__version__)
    same.setup(_Worker())  # type: ignore[arg-type]
    assert same.geocoder().gazetteer.path == index


def test_packed_results_unpickle_to_the_same_records_and_errors(parse: Parse) -> None:
    import pickle

    parsed = parse(BLOC, "en")
    assert parsed.mentions and parsed.events and parsed.flows  # each kind of record to pack
    error = SourceError("b.txt: the file is empty")
    back, rows = pickle.loads(_packed(([parsed, error], None)))
    assert back[0] == parsed and rows is None
    assert type(back[1]) is SourceError and str(back[1]) == str(error)


def test_a_build_gets_each_article_back_without_its_text(parse: Parse) -> None:
    parsed = parse(BLOC, "en")
    error = SourceError("b.txt: the file is empty")
    named, passed = _named(parsed), _named(error)
    assert isinstance(named, ParsedArticle) and passed is error
    assert named.article == replace(parsed.article, text="") and parsed.article.text
    assert not (named.mentions or named.events or named.flows)


def assert_same_contents(one: StoreContents, other: StoreContents) -> None:
    assert_geodataframe_equal(one.events, other.events)
    assert_geodataframe_equal(one.flows, other.flows)
    pd.testing.assert_frame_equal(one.articles, other.articles)


def test_rows_built_batch_by_batch_are_the_rows_built_at_once(parse: Parse) -> None:
    texts = [REPORTS[i].format(n=10 + i, town=TOWNS[i]) for i in range(len(REPORTS))]
    texts.append(BLOC)
    parsed = [
        replace(item, article=replace(item.article, source=f"a{i}.txt"))
        for i, item in enumerate(parse(text, "en") for text in texts)
    ]
    assert sum(len(item.events) for item in parsed) >= 4 and parsed[-1].flows
    # the same article again under another source, in a later batch: the first one is kept
    again = replace(parsed[0], article=replace(parsed[0].article, source="again.txt"))
    incoming = [*parsed, again]
    rows = StoreRows()
    for batch in (incoming[:2], incoming[2:3], [], incoming[3:]):
        rows.add(StoreContents.of(batch))
    fresh = plan({}, incoming).fresh
    assert len(fresh) == len(parsed)
    assert_same_contents(rows.contents(fresh), StoreContents.of(fresh))
    assert "again.txt" not in set(rows.contents(fresh).events["source"])
    read_order = rows.contents(fresh, ordered=False)  # the same rows, batch after batch
    by_key = StoreContents(
        **{
            name: read_order.layer(name).sort_values(KEYS[name]).reset_index(drop=True)
            for name in LAYERS
        }
    )
    assert_same_contents(by_key, StoreContents.of(fresh))
    some = plan({parsed[1].article.id: "a1.txt"}, incoming).fresh  # one is stored already
    assert len(some) == len(parsed) - 1
    assert_same_contents(rows.contents(some), StoreContents.of(some))
    assert_same_contents(rows.contents(()), StoreContents.empty())


def test_two_workers_add_to_and_replace_in_a_store_as_one_process_does(
    articles: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(articles, folder)
    outs = {"one": tmp_path / "one", "two": tmp_path / "two"}
    for out in outs.values():  # a store of the first ten
        run_geomap("build", *[str(folder / f"r{i:02d}.txt") for i in range(10)], "--out", str(out))
    (folder / "r04.txt").write_text("date 2022-02-03\n\nRiot police in Taraz held 12 men.\n")
    alone = run_geomap("build", str(folder), "--out", str(outs["one"]))
    result = run_geomap("build", str(folder), "--out", str(outs["two"]), "--workers", "2")
    assert result.code == alone.code == 3, result.err
    assert "15 new, 1 replaced, 10 already stored" in result.out, result.out
    assert_same_build(outs["one"], outs["two"])


def test_rows_built_elsewhere_are_refused_for_a_database() -> None:
    with (
        pytest.raises(ValueError, match="GeoPackage store only"),
        store.update("postgresql://geomap@127.0.0.1:1/none", [], rows=StoreRows().contents),
    ):
        pass


def test_a_batch_whose_text_column_is_all_missing_joins_the_others_as_text() -> None:
    from geomap.distributed import _alike

    missing = pd.DataFrame({"key": pd.array(["a"], dtype="str"), "note": [None]})
    given = pd.DataFrame({"key": pd.array(["b"], dtype="str"), "note": pd.array(["x"], "str")})
    assert str(missing["note"].dtype) == "object"
    joined = pd.concat(_alike([missing, given, missing]), ignore_index=True)
    assert str(joined["note"].dtype) == str(given["note"].dtype)
    assert joined["note"].isna().tolist() == [True, False, True]
