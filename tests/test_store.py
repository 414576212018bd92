"""The GeoPackage store: a real file, idempotent per article, atomic, and refusing damage."""

from __future__ import annotations

import datetime as dt
import errno
import os
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pyogrio
import pyogrio.errors
import pytest
from conftest import NTB_ARTICLE, require_shared
from geopandas.testing import assert_geodataframe_equal

from geomap import store
from geomap.atomic import locked, replacing, write_text
from geomap.errors import GeomapError, OutputError, StoreError
from geomap.ingest import article_id
from geomap.records import Article, EventFact, Flow, ParsedArticle, Place
from geomap.store import StoreContents

ALMATY = Place("geonames:1526384", "Almaty", "city", "KZ", 43.25, 76.92)
KAZAKHSTAN = Place("iso3166:KZ", "Kazakhstan", "country", "KZ", 48.0, 68.0)
RUSSIA = Place("iso3166:RU", "Russia", "country", "RU", 55.75, 37.62)
NAIROBI = Place("geonames:184745", "Nairobi", "city", "KE", -1.28, 36.82)


def parsed(text: str, *, source: str, place: Place = ALMATY) -> ParsedArticle:
    """An own-words article with one event per sentence at ``place`` and one flow."""
    article = Article(article_id(text), source, text[:30], None, "en", text)
    events = []
    start = 0
    for number, sentence in enumerate(text.split(". ")):
        events.append(
            EventFact(
                article_id=article.id,
                event_type="Riots",
                sub_event_type="Violent demonstration",
                disorder_type="Political violence",
                place=place if number else KAZAKHSTAN,
                geo_precision=1 if number else 3,
                evidence=sentence,
                evidence_start=start,
                evidence_end=start + len(sentence),
                date=dt.date(2022, 1, 6),
                time_precision=1,
                fatalities=number or None,
            )
        )
        start += len(sentence) + 2
    flow = Flow(article.id, "CSTO", RUSSIA, KAZAKHSTAN, text[:9], 0, 9, troops=100)
    return ParsedArticle(article, events=tuple(events), flows=(flow,))


FIRST = parsed(
    "Riots broke out in the city. Two died near the square. One more died later", source="a.txt"
)
SECOND = parsed(
    "Crowds gathered downtown. A man was shot near the market", source="b.txt", place=NAIROBI
)
FIRST_EDITED = parsed("Riots broke out in the city. Three died near the square", source="a.txt")


def stored(path: Path, *articles: ParsedArticle) -> StoreContents:
    """Merge the articles into the store at ``path`` and write it; return what was written."""
    result = store.merge(store.read(path), list(articles))
    store.write(path, result.contents)
    return result.contents


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in ``folder`` with its bytes and modification time."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def assert_same_contents(left: StoreContents, right: StoreContents) -> None:
    assert_geodataframe_equal(left.events, right.events)
    assert_geodataframe_equal(left.flows, right.flows)
    pd.testing.assert_frame_equal(left.articles, right.articles)


def rows_of(contents: StoreContents, article: ParsedArticle) -> pd.DataFrame:
    events = contents.events
    return events[events["article_id"] == article.article.id].reset_index(drop=True)


@pytest.fixture(scope="module")
def ntb() -> ParsedArticle:
    """The real Norwegian article, parsed once for the module."""
    require_shared(NTB_ARTICLE)
    from geomap.pipeline import parse

    return parse(str(NTB_ARTICLE))


@pytest.fixture
def gpkg(tmp_path: Path) -> Path:
    """A store holding FIRST, in a folder of its own."""
    path = tmp_path / "store" / "geomap.gpkg"
    path.parent.mkdir()
    stored(path, FIRST)
    return path


# -- a real GeoPackage ------------------------------------------------------------------------


def test_store_is_a_geopackage_with_events_flows_and_articles(gpkg: Path) -> None:
    assert gpkg.read_bytes()[:16] == b"SQLite format 3\x00"
    layers = {name: kind for name, kind in pyogrio.list_layers(gpkg)}
    assert set(layers) == {"events", "flows", "articles"}
    assert layers["flows"] == "LineString"
    info = pyogrio.read_info(gpkg, layer="events")
    assert info["driver"] == "GPKG"
    assert info["crs"] == "EPSG:4326"
    assert info["features"] == len(FIRST.events)
    assert {"event_id_cnty", "fatalities", "evidence"} <= set(info["fields"])


def test_reading_a_store_does_not_touch_the_file(gpkg: Path) -> None:
    before = snapshot(gpkg.parent)
    store.read(gpkg)
    assert snapshot(gpkg.parent) == before


def test_a_missing_store_reads_as_empty(tmp_path: Path) -> None:
    contents = store.read(tmp_path / "none.gpkg")
    assert contents.events.empty and contents.flows.empty and contents.articles.empty
    assert not (tmp_path / "none.gpkg").exists()


# -- round trip -------------------------------------------------------------------------------


def test_read_of_write_gives_back_points_outlines_flows_and_nulls(tmp_path: Path) -> None:
    contents = StoreContents.of([FIRST, SECOND])
    assert set(contents.events.geom_type) == {"Point", "MultiPolygon"}
    assert contents.events["fatalities"].isna().any()
    store.write(tmp_path / "s.gpkg", contents)
    assert_same_contents(store.read(tmp_path / "s.gpkg"), contents)


def test_read_of_write_gives_back_the_ntb_article(tmp_path: Path, ntb: ParsedArticle) -> None:
    contents = StoreContents.of([ntb])
    store.write(tmp_path / "s.gpkg", contents)
    assert_same_contents(store.read(tmp_path / "s.gpkg"), contents)


def test_an_empty_store_round_trips(tmp_path: Path) -> None:
    store.write(tmp_path / "s.gpkg", StoreContents.empty())
    back = store.read(tmp_path / "s.gpkg")
    assert_same_contents(back, StoreContents.empty())
    assert back.events.crs is not None and back.events.crs.to_epsg() == 4326


# -- idempotent per article -------------------------------------------------------------------


def test_the_same_article_again_changes_nothing(gpkg: Path) -> None:
    current = store.read(gpkg)
    result = store.merge(current, [FIRST])
    assert not result.changed
    assert (result.added, result.replaced, result.unchanged) == ((), (), ("a.txt",))
    assert_same_contents(result.contents, current)


def test_the_same_text_under_another_name_is_already_stored(gpkg: Path) -> None:
    copy = replace(FIRST, article=replace(FIRST.article, source="copy-of-a.txt"))
    result = store.merge(store.read(gpkg), [copy])
    assert not result.changed
    assert set(result.contents.articles["source"]) == {"a.txt"}


def test_a_second_article_adds_only_its_rows(gpkg: Path) -> None:
    before = store.read(gpkg)
    result = store.merge(before, [SECOND])
    assert (result.added, result.replaced) == (("b.txt",), ())
    after = result.contents
    assert len(after.events) == len(FIRST.events) + len(SECOND.events)
    assert len(after.flows) == len(before.flows) + 1
    assert_geodataframe_equal(rows_of(after, FIRST), rows_of(before, FIRST))
    assert set(after.events["article_id"]) == {FIRST.article.id, SECOND.article.id}


def test_an_edited_article_replaces_only_its_own_rows(gpkg: Path) -> None:
    stored(gpkg, SECOND)
    before = store.read(gpkg)
    result = store.merge(before, [FIRST_EDITED])
    assert (result.added, result.replaced, result.unchanged) == ((), ("a.txt",), ())
    store.write(gpkg, result.contents)
    after = store.read(gpkg)
    assert FIRST.article.id not in set(after.events["article_id"])
    assert FIRST.article.id not in set(after.flows["article_id"])
    assert list(after.articles["source"].sort_values()) == ["a.txt", "b.txt"]
    assert_geodataframe_equal(rows_of(after, SECOND), rows_of(before, SECOND))
    assert len(rows_of(after, FIRST_EDITED)) == len(FIRST_EDITED.events)
    assert "Three died near the square" in set(after.events["evidence"])
    assert "Two died near the square" not in set(after.events["evidence"])


def test_articles_read_from_stdin_never_replace_each_other() -> None:
    one = parsed("Dockworkers walked out at dawn. The port stood still", source="-")
    two = parsed("Teachers marched to the ministry. Schools stayed shut", source="-")
    first = store.merge(StoreContents.empty(), [one])
    second = store.merge(first.contents, [two])
    assert second.added == ("-",) and not second.replaced
    assert len(second.contents.articles) == 2


def test_merging_articles_in_another_order_gives_the_same_store() -> None:
    one = store.merge(store.merge(StoreContents.empty(), [FIRST]).contents, [SECOND]).contents
    two = store.merge(store.merge(StoreContents.empty(), [SECOND]).contents, [FIRST]).contents
    assert_same_contents(one, two)


# -- damaged stores are refused and left alone ------------------------------------------------


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _text(path: Path) -> None:
    path.write_text("event_id_cnty,event_date\nKZ1,2022-01-05\n", encoding="utf-8")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _sqlite_header_only(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)


def _foreign_geopackage(path: Path) -> None:
    import geopandas
    import shapely

    path.unlink()
    frame = geopandas.GeoDataFrame({"name": ["A1"]}, geometry=[shapely.Point(10, 50)], crs=4326)
    pyogrio.write_dataframe(frame, path, layer="roads", driver="GPKG")


def _foreign_layers_with_our_names(path: Path) -> None:
    import geopandas
    import shapely

    path.unlink()
    frame = geopandas.GeoDataFrame({"name": ["A1"]}, geometry=[shapely.Point(10, 50)], crs=4326)
    for layer in ("events", "flows", "articles"):
        pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG")


@pytest.mark.parametrize(
    "damage",
    [
        _truncated,
        _text,
        _empty,
        _sqlite_header_only,
        _foreign_geopackage,
        _foreign_layers_with_our_names,
    ],
    ids=[
        "truncated",
        "text-file",
        "empty-file",
        "sqlite-header",
        "other-geopackage",
        "foreign-layers",
    ],
)
def test_a_damaged_store_is_refused_in_one_line_and_left_untouched(
    gpkg: Path, damage: object
) -> None:
    damage(gpkg)  # type: ignore[operator]
    before = snapshot(gpkg.parent)
    with pytest.raises(StoreError) as caught:
        store.read(gpkg)
    message = str(caught.value)
    assert "\n" not in message
    assert str(gpkg) in message
    assert message.count(str(gpkg)) == 1
    assert "--store" in message
    assert "sqlite3_" not in message and "SELECT" not in message
    assert snapshot(gpkg.parent) == before


def test_a_folder_at_the_store_path_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "geomap.gpkg"
    folder.mkdir()
    with pytest.raises(StoreError, match="not a file"):
        store.read(folder)
    with pytest.raises(StoreError, match="not a file"):
        store.write(folder, StoreContents.empty())
    assert folder.is_dir() and not any(folder.iterdir())


# -- a failed write leaves the old store ------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (pyogrio.errors.DataLayerError("cannot add the layer"), StoreError),
        (OSError(errno.ENOSPC, "No space left on device"), OutputError),
        (RuntimeError("unexpected"), RuntimeError),
    ],
    ids=["gdal-error", "disk-full", "bug"],
)
def test_a_write_failing_midway_leaves_the_old_store_and_no_temporary_file(
    gpkg: Path, monkeypatch: pytest.MonkeyPatch, failure: Exception, expected: type[Exception]
) -> None:
    before = snapshot(gpkg.parent)
    real = pyogrio.write_dataframe
    calls: list[str] = []

    def fail_on_second_layer(frame: object, path: object, **options: object) -> None:
        calls.append(str(options.get("layer")))
        if len(calls) == 2:
            raise failure
        real(frame, path, **options)

    monkeypatch.setattr(pyogrio, "write_dataframe", fail_on_second_layer)
    contents = store.merge(store.read(gpkg), [SECOND]).contents
    with pytest.raises(expected) as caught:
        store.write(gpkg, contents)
    assert calls == ["events", "flows"]  # it failed mid-way, after a layer was written
    if isinstance(caught.value, GeomapError):
        message = str(caught.value)
        assert "\n" not in message and message.count("cannot write") == 1
    assert snapshot(gpkg.parent) == before
    monkeypatch.undo()
    assert_same_contents(store.read(gpkg), StoreContents.of([FIRST]))


def test_a_store_in_a_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        store.write(tmp_path / "nowhere" / "s.gpkg", StoreContents.empty())


def test_rewriting_the_store_keeps_its_permissions(gpkg: Path) -> None:
    gpkg.chmod(0o640)
    stored(gpkg, SECOND)
    assert gpkg.stat().st_mode & 0o777 == 0o640


# -- atomic helpers ---------------------------------------------------------------------------


def test_write_text_leaves_an_identical_file_alone(tmp_path: Path) -> None:
    target = tmp_path / "map.html"
    assert write_text(target, "<p>one</p>")
    stamp = target.stat().st_mtime_ns
    assert not write_text(target, "<p>one</p>")
    assert target.stat().st_mtime_ns == stamp
    assert write_text(target, "<p>two</p>")
    assert target.read_text(encoding="utf-8") == "<p>two</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


def test_replacing_keeps_the_old_file_when_the_block_fails(tmp_path: Path) -> None:
    target = tmp_path / "events.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(ZeroDivisionError), replacing(target) as temp:
        temp.write_text("half", encoding="utf-8")
        _ = 1 / 0
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["events.csv"]


def test_a_second_run_cannot_take_a_held_lock(tmp_path: Path) -> None:
    lock = tmp_path / ".geomap.lock"
    with locked(lock), pytest.raises(StoreError, match="another geomap run"), locked(lock, wait=0):
        pass
    with locked(lock, wait=0):  # released when the first run ended
        pass


def test_new_files_get_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_text(tmp_path / "events.geojson", "{}")
    finally:
        os.umask(umask)
    assert (tmp_path / "events.geojson").stat().st_mode & 0o777 == 0o644


def test_an_edited_article_named_another_way_still_replaces_its_rows() -> None:
    old = ParsedArticle(Article("old", "news/a.txt", None, None, "en", "first"))
    new = ParsedArticle(Article("new", "./news//a.txt", None, None, "en", "second"))
    first = store.merge(StoreContents.empty(), [old])
    second = store.merge(first.contents, [new])
    assert second.replaced == ("./news//a.txt",)
    assert list(second.contents.articles["article_id"]) == ["new"]
