"""The GeoPackage store is changed in place, one transaction per update, and stays a GeoPackage.

Articles are written here in our own words (see ``test_store.parsed``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas
import pyogrio
import pytest
import shapely
from test_store import FIRST, FIRST_EDITED, SECOND, assert_same_contents, parsed, snapshot

from geomap import join, store
from geomap.errors import StoreError
from geomap.records import Place
from geomap.store import StoreContents

LIMA = Place("geonames:3936456", "Lima", "city", "PE", -12.04, -77.03)


def updated(path: Path, *articles: object) -> store.Update:
    with store.update(path, list(articles)) as change:  # type: ignore[arg-type]
        change.load()
    return change


@pytest.fixture
def gpkg(tmp_path: Path) -> Path:
    path = tmp_path / "store" / "geomap.gpkg"
    path.parent.mkdir()
    updated(path, FIRST)
    return path


def test_a_new_article_is_inserted_in_place_not_by_a_new_file(gpkg: Path) -> None:
    inode = gpkg.stat().st_ino
    change = updated(gpkg, SECOND)
    assert change.change.added == ("b.txt",)
    assert gpkg.stat().st_ino == inode  # the same file, changed, not a renamed copy
    assert_same_contents(store.read(gpkg), StoreContents.of([FIRST, SECOND]))


def test_an_edited_article_replaces_its_rows_in_place(gpkg: Path) -> None:
    updated(gpkg, SECOND)
    change = updated(gpkg, FIRST_EDITED)
    assert change.change.replaced == ("a.txt",)
    assert_same_contents(store.read(gpkg), StoreContents.of([FIRST_EDITED, SECOND]))


def test_an_article_already_stored_leaves_the_file_byte_for_byte(gpkg: Path) -> None:
    before = snapshot(gpkg.parent)
    change = updated(gpkg, FIRST)
    assert change.change.unchanged == ("a.txt",) and not change.change.changed
    assert snapshot(gpkg.parent) == before


def test_the_updated_store_opens_with_geopandas_and_pyogrio(gpkg: Path) -> None:
    updated(gpkg, SECOND)
    updated(gpkg, FIRST_EDITED)
    expected = StoreContents.of([FIRST_EDITED, SECOND])
    events = geopandas.read_file(gpkg, layer="events")
    assert sorted(events["event_id_cnty"]) == sorted(expected.events["event_id_cnty"])
    assert events.crs is not None and events.crs.equals("EPSG:4326")
    info = pyogrio.read_info(gpkg, layer="events")
    assert info["features"] == len(expected.events)  # GDAL's feature count kept
    flows = pyogrio.read_dataframe(gpkg, layer="flows")
    assert len(flows) == len(expected.flows)
    articles = pyogrio.read_dataframe(gpkg, layer="articles", read_geometry=False)
    assert sorted(articles["source"]) == ["a.txt", "b.txt"]


def test_the_spatial_index_finds_the_rows_an_update_inserted(gpkg: Path) -> None:
    peru = parsed("Marchers filled the avenue. Police fired gas", source="c.txt", place=LIMA)
    updated(gpkg, peru)
    found = pyogrio.read_dataframe(gpkg, layer="events", bbox=(-78, -13, -76, -11))
    assert set(found["article_id"]) == {peru.article.id}
    with sqlite3.connect(gpkg) as connection:
        (indexed,) = connection.execute("SELECT count(*) FROM rtree_events_geom").fetchone()
        (rows,) = connection.execute("SELECT count(*) FROM events").fetchone()
    assert indexed == rows


def test_the_replaced_rows_leave_the_spatial_index(gpkg: Path) -> None:
    updated(gpkg, FIRST_EDITED)
    with sqlite3.connect(gpkg) as connection:
        fids = {row[0] for row in connection.execute("SELECT fid FROM events")}
        indexed = {row[0] for row in connection.execute("SELECT id FROM rtree_events_geom")}
    assert indexed == fids


def test_an_error_inside_the_update_leaves_the_store_as_it_was(gpkg: Path) -> None:
    before = snapshot(gpkg.parent)
    with pytest.raises(ZeroDivisionError), store.update(gpkg, [SECOND]) as change:
        assert len(change.load().articles) == 2  # the change is visible inside the transaction
        _ = 1 / 0
    assert snapshot(gpkg.parent) == before
    assert_same_contents(store.read(gpkg), StoreContents.of([FIRST]))


def test_an_update_of_a_damaged_store_is_refused_and_changes_nothing(gpkg: Path) -> None:
    gpkg.write_bytes(gpkg.read_bytes()[:5000])
    before = snapshot(gpkg.parent)
    with pytest.raises(StoreError, match="--store") as caught, store.update(gpkg, [SECOND]):
        pass
    assert "\n" not in str(caught.value)
    assert snapshot(gpkg.parent) == before


def test_reading_with_sqlite_gives_what_gdal_reads(gpkg: Path) -> None:
    updated(gpkg, SECOND)
    mine = store.read(gpkg)
    events = pyogrio.read_dataframe(gpkg, layer="events")
    gdal = join.conform(events, join.EVENT_COLUMNS, key="event_id_cnty")
    geopandas.testing.assert_geodataframe_equal(mine.events, gdal)


def test_a_store_written_before_the_indexes_gets_them_on_its_first_update(tmp_path: Path) -> None:
    path = tmp_path / "old.gpkg"
    for name in store.LAYERS:  # what geomap wrote before: GDAL's layers, no index of ours
        frame = StoreContents.of([FIRST]).layer(name)
        options = {"geometry_type": "Unknown"} if name == "events" else {}
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", **options)
    updated(path, SECOND)
    with sqlite3.connect(path) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"geomap_events_article_id", "geomap_articles_article_id"} <= names
    assert_same_contents(store.read(path), StoreContents.of([FIRST, SECOND]))


def test_blobs_written_here_read_back_through_gdal_as_the_same_shapes(tmp_path: Path) -> None:
    from geomap.store.gpkg import _blobs, _from_blobs

    shapes = [
        shapely.Point(76.92, 43.25),
        shapely.box(0, 0, 1, 1),
        shapely.LineString([(37.6, 55.7), (68.0, 48.0)]),
        None,
    ]
    back = _from_blobs(_blobs(geopandas.GeoSeries(shapes).to_numpy()))
    assert [None if g is None else g.wkt for g in back] == [
        None if g is None else g.wkt for g in shapes
    ]


def test_an_updates_fingerprints_are_those_of_the_article_ids_before_and_after(gpkg: Path) -> None:
    before = updated(gpkg, SECOND)
    assert before.previous == store.fingerprint([FIRST.article.id])
    assert before.fingerprint == store.fingerprint([FIRST.article.id, SECOND.article.id])
    edited = updated(gpkg, FIRST_EDITED)  # replaces FIRST's rows
    assert edited.previous == before.fingerprint
    assert edited.fingerprint == store.fingerprint([SECOND.article.id, FIRST_EDITED.article.id])


def test_article_ids_that_hold_the_separator_are_read_one_by_one(gpkg: Path) -> None:
    from geomap.store.gpkg import _article_ids

    with sqlite3.connect(gpkg) as connection:
        connection.execute(
            "UPDATE articles SET article_id = 'a\x1fb' WHERE article_id = ?", [FIRST.article.id]
        )
        assert _article_ids(connection) == ["a\x1fb"]
        connection.rollback()


@pytest.mark.parametrize("count", [2, 100])
def test_ids_after_a_change_stay_sorted(count: int) -> None:
    from dataclasses import replace

    from geomap.store.contents import Plan, sorted_ids_after

    fresh = tuple(
        replace(SECOND, article=replace(SECOND.article, id=f"m{i:03d}")) for i in range(count)
    )
    change = Plan(fresh, frozenset({"b"}), (), (), ())
    ids = sorted_ids_after(["a", "b", "z"], change)
    assert ids == sorted({"a", "z"} | {item.article.id for item in fresh})
