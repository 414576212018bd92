"""The PostGIS store keeps the GeoPackage store's tables, semantics and guarantees.

Every test runs against a real PostgreSQL + PostGIS server: a throwaway cluster started for
this module (``postgis_server``) on 127.0.0.1, a fresh database per test. Without the
server binaries the tests are skipped on a developer's machine and fail under ``CI=true``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import in_ci, run_geomap, start_geomap
from postgis_server import cluster, server_binaries
from test_store import FIRST, FIRST_EDITED, SECOND, assert_same_contents

from geomap import store
from geomap.errors import StoreError
from geomap.store import StoreContents

ARTICLES = {
    "a.txt": "date 2022-01-05\n\nPolice detained at least 40 protesters in Almaty on Wednesday.\n",
    "b.txt": "date 2022-01-06\n\nRiots in Aktobe left at least 3 people dead and 25 injured.\n",
}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The URL of the cluster's maintenance database ``geomap``."""
    binaries = server_binaries()
    try:
        import psycopg  # noqa: F401
    except ImportError:
        binaries = None
    if binaries is None:
        why = "PostgreSQL with PostGIS (apt: postgresql postgis) and psycopg are needed"
        if in_ci():
            pytest.fail(f"{why}; under CI=true the PostGIS tests must run")
        pytest.skip(why)
    with cluster(binaries) as url:
        yield url


@pytest.fixture
def url(server: str) -> str:
    """A new, empty database on the cluster."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + "/" + name


def updated(location: str, *articles: Any) -> store.Update:
    with store.update(location, list(articles)) as change:
        change.load()
    return change


def _count(url: str, table: str) -> int:
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def test_a_new_database_reads_as_an_empty_store(url: str) -> None:
    assert not store.exists(url)
    assert_same_contents(store.read(url), StoreContents.empty())


def test_the_same_article_again_changes_nothing(url: str) -> None:
    first = updated(url, FIRST)
    again = updated(url, FIRST)
    assert first.change.added == ("a.txt",)
    assert again.change.unchanged == ("a.txt",) and not again.change.changed
    assert again.fingerprint == first.fingerprint
    assert _count(url, "events") == len(FIRST.events)
    assert_same_contents(store.read(url), StoreContents.of([FIRST]))


def test_an_edited_article_replaces_only_its_own_rows(url: str) -> None:
    updated(url, FIRST, SECOND)
    change = updated(url, FIRST_EDITED)
    assert change.change.replaced == ("a.txt",)
    assert_same_contents(store.read(url), StoreContents.of([FIRST_EDITED, SECOND]))


def test_the_tables_have_spatial_and_key_indexes(url: str) -> None:
    import psycopg

    updated(url, FIRST)
    with psycopg.connect(url) as connection:
        rows = connection.execute("SELECT tablename, indexdef FROM pg_indexes").fetchall()
    definitions = [f"{table}: {definition}" for table, definition in rows]
    assert any("events:" in d and "USING gist (geom)" in d for d in definitions)
    assert any("flows:" in d and "USING gist (geom)" in d for d in definitions)
    assert any("UNIQUE" in d and "(event_id_cnty)" in d for d in definitions)
    assert any("events:" in d and "(article_id)" in d for d in definitions)


def test_an_error_inside_the_update_writes_nothing(url: str) -> None:
    updated(url, FIRST)
    with pytest.raises(ZeroDivisionError), store.update(url, [SECOND]) as change:
        assert len(change.load().articles) == 2  # visible inside the transaction only
        _ = 1 / 0
    assert_same_contents(store.read(url), StoreContents.of([FIRST]))


def test_a_connection_broken_mid_update_is_one_line_and_writes_nothing(url: str) -> None:
    import psycopg

    updated(url, FIRST)
    with pytest.raises(StoreError) as caught, store.update(url, [SECOND]) as change:
        change.load()
        with psycopg.connect(url, autocommit=True) as killer:  # the server drops the writer
            killer.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
    message = str(caught.value)
    assert "\n" not in message and "nothing was written" in message
    assert_same_contents(store.read(url), StoreContents.of([FIRST]))


def test_an_unreachable_server_is_one_line_without_the_password(url: str) -> None:
    port = url.rsplit(":", maxsplit=1)[-1].split("/", maxsplit=1)[0]
    broken = url.replace(f"geomap@127.0.0.1:{port}", "geomap:s3cret@127.0.0.1:1")
    with pytest.raises(StoreError) as caught, store.update(broken, [FIRST]):
        pass
    message = str(caught.value)
    assert "\n" not in message and "cannot connect" in message
    assert "s3cret" not in message and "***" in message


def test_two_builds_at_once_from_two_folders_lose_no_event(url: str, tmp_path: Path) -> None:
    for name, text in ARTICLES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    runs = [
        start_geomap("build", name, "--store", url, "--out", f"out-{name}", cwd=tmp_path)
        for name in ARTICLES
    ]
    for run in runs:
        _out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    contents = store.read(url)
    assert sorted(contents.articles["source"].str.rsplit("/", n=1).str[-1]) == sorted(ARTICLES)
    by_article = contents.events.groupby("article_id").size()
    assert len(by_article) == len(ARTICLES) and (by_article > 0).all()


def test_build_render_and_export_work_from_the_database(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GEOMAP_STORE", raising=False)
    (tmp_path / "a.txt").write_text(ARTICLES["a.txt"], encoding="utf-8")
    result = run_geomap("build", "a.txt", "--store", url, "--out", "out")
    assert result.code == 0, result.err
    assert not (tmp_path / "out" / "geomap.gpkg").exists()  # the store is the database
    geojson = (tmp_path / "out" / "events.geojson").read_bytes()
    (tmp_path / "out" / "events.geojson").unlink()
    monkeypatch.setenv("GEOMAP_STORE", url)
    result = run_geomap("render", "--out", "out")
    assert result.code == 0, result.err
    assert (tmp_path / "out" / "events.geojson").read_bytes() == geojson
    result = run_geomap("export", "--format", "geojson")
    assert result.code == 0, result.err
    assert result.out.encode() == geojson
    result = run_geomap("export", "--format", "gpkg", "--out", "copy.gpkg")
    assert result.code == 0, result.err
    assert_same_contents(store.read(tmp_path / "copy.gpkg"), store.read(url))
