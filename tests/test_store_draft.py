"""A missing GeoPackage store written while the articles are parsed (``store.draft``): it
becomes exactly the store written whole, or nothing; a run that fails or is killed leaves no
part of it.

Articles are written here in our own words (see ``test_store.parsed``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from test_store import FIRST, SECOND, assert_same_contents, parsed

from geomap import store
from geomap.atomic import remove_leftovers
from geomap.records import ParsedArticle
from geomap.store import StoreContents, gpkg

MORE = [
    parsed(
        f"Protesters blocked road {n} at dawn. Police fired tear gas at them", source=f"m{n}.txt"
    )
    for n in range(5)
]
#: Batches as workers send them; the same article again (under another source) in a later
#: batch, whose rows the store must not take.
AGAIN = replace(FIRST, article=replace(FIRST.article, source="again.txt"))
BATCHES = [[FIRST, MORE[0]], [SECOND], [], [MORE[1], MORE[2], AGAIN], [MORE[3], MORE[4]]]
INCOMING = [item for batch in BATCHES for item in batch]


@pytest.fixture(autouse=True)
def _small_appends(monkeypatch: pytest.MonkeyPatch) -> None:
    """Append after every batch, so that a draft is written in several appends."""
    monkeypatch.setattr(gpkg, "DRAFT_ROWS", 1)


def drafted(path: Path, batches: Sequence[Sequence[ParsedArticle]]) -> store.Draft:
    """A draft of the missing store at ``path`` fed the batches' rows (left open: the caller
    ends it, as ``store.draft`` does)."""
    draft = store.Draft(path)
    for batch in batches:
        draft.add(StoreContents.of(batch))
    return draft


def built(path: Path, draft: store.Draft | None, incoming: Sequence[ParsedArticle]) -> None:
    with store.update(path, incoming, draft=draft) as change:
        change.load()


def declared(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Each layer's columns and declared types, and the store's indexes."""
    with sqlite3.connect(path) as db:
        found = {
            name: [(row[1], row[2]) for row in db.execute(f'PRAGMA table_info("{name}")')]
            for name in store.LAYERS
        }
        indexes = db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'geomap_%' "
            "ORDER BY name"
        ).fetchall()
        found["indexes"] = [(str(row[0]), "") for row in indexes]
    return found


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if ".tmp" in p.name]


def test_a_store_drafted_batch_by_batch_is_the_store_written_whole(tmp_path: Path) -> None:
    whole, drafted_path = tmp_path / "whole.gpkg", tmp_path / "drafted.gpkg"
    built(whole, None, INCOMING)
    draft = drafted(drafted_path, BATCHES)
    assert draft.active
    assert len(leftovers(tmp_path)) == 1  # the draft's file, written while "parsing"
    built(drafted_path, draft, INCOMING)
    assert draft.active  # it became the store: not dropped for a whole write
    draft.__exit__(None, None, None)
    assert not leftovers(tmp_path)
    assert_same_contents(store.read(drafted_path), store.read(whole))
    assert declared(drafted_path) == declared(whole)
    assert "again.txt" not in set(store.read(drafted_path).articles["source"])


def test_a_store_with_no_flows_drafted_has_the_flows_layer(tmp_path: Path) -> None:
    no_flows = [ParsedArticle(item.article, events=item.events) for item in MORE]
    whole, drafted_path = tmp_path / "whole.gpkg", tmp_path / "drafted.gpkg"
    built(whole, None, no_flows)
    draft = drafted(drafted_path, [no_flows[:2], no_flows[2:]])
    built(drafted_path, draft, no_flows)
    assert draft.active
    assert_same_contents(store.read(drafted_path), store.read(whole))
    assert declared(drafted_path) == declared(whole)


def test_a_draft_whose_file_another_run_removed_is_dropped_for_a_whole_store(
    tmp_path: Path,
) -> None:
    path, whole = tmp_path / "drafted.gpkg", tmp_path / "whole.gpkg"
    built(whole, None, INCOMING)
    draft = drafted(path, BATCHES[:2])
    remove_leftovers(tmp_path)  # another run, holding the lock, took it for a killed run's
    for batch in BATCHES[2:]:
        draft.add(StoreContents.of(batch))
    built(path, draft, INCOMING)
    assert not draft.active
    draft.__exit__(None, None, None)
    assert_same_contents(store.read(path), store.read(whole))
    assert not leftovers(tmp_path)


def test_a_store_another_run_wrote_meanwhile_is_kept_and_added_to(tmp_path: Path) -> None:
    path = tmp_path / "geomap.gpkg"
    draft = drafted(path, BATCHES)
    built(path, None, [SECOND])  # another build wrote the store while this one parsed
    inode = path.stat().st_ino
    built(path, draft, INCOMING)
    assert not draft.active
    draft.__exit__(None, None, None)
    assert path.stat().st_ino == inode  # added to in place, not replaced by the draft
    assert set(store.read(path).articles["article_id"]) == {i.article.id for i in INCOMING}
    assert not leftovers(tmp_path)


def test_a_build_that_fails_after_drafting_leaves_no_store_and_no_file(tmp_path: Path) -> None:
    path = tmp_path / "geomap.gpkg"
    with store.draft(path) as draft:
        assert draft is not None
        for batch in BATCHES:
            draft.add(StoreContents.of(batch))
        with pytest.raises(RuntimeError), store.update(path, INCOMING, draft=draft):
            msg = "an output could not be written"
            raise RuntimeError(msg)
    assert not path.exists()
    assert not leftovers(tmp_path)


def test_what_a_killed_drafting_run_left_is_removed_by_the_next_run(tmp_path: Path) -> None:
    path = tmp_path / "geomap.gpkg"
    drafted(path, BATCHES)  # never ended: the process was killed
    assert leftovers(tmp_path) and not path.exists()
    remove_leftovers(tmp_path)  # what the next run does under its lock
    assert not leftovers(tmp_path)


def test_a_store_that_exists_or_a_database_has_no_draft(tmp_path: Path) -> None:
    path = tmp_path / "geomap.gpkg"
    built(path, None, [FIRST])
    with store.draft(path) as draft:
        assert draft is None
    with store.draft("postgresql://geomap@127.0.0.1:1/none") as draft:
        assert draft is None
    assert leftovers(tmp_path) == []


def test_a_draft_in_a_new_folder_that_gets_nothing_leaves_no_folder(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    with store.draft(folder / "geomap.gpkg", make_folder=True) as draft:  # a first --out
        assert draft is not None and folder.is_dir()
    assert not folder.exists()  # nothing was read: nothing is left
    with store.draft(tmp_path / "no" / "such" / "geomap.gpkg", make_folder=True) as draft:
        assert draft is None  # the build's lock makes one folder, not its parents
    with store.draft(folder / "geomap.gpkg") as draft:  # --store in a folder that is missing
        assert draft is None and not folder.exists()
