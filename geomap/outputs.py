"""The outputs of a build or render: ``map.html``, ``events.geojson``, ``flows.geojson`` and
``events.csv``, made from the store's merged events and flows.

A render, or a build with nothing to start from, merges every stored report and writes each
output whole, the GeoJSON and CSV files a part at a time (so a million events never make one
string). Beside the outputs it keeps the merged events without their ``reports`` column,
with where each event's feature and CSV record lie in the files (``.geomap-merged.parquet``,
checked by ``.geomap-merged.json``). A build that adds articles to a GeoPackage store starts
from them: it finds, from a few columns of the reports at the places it touched, the
incidents whose reports changed (or, for reports published after every stored report of
their kind there, from the first reports of the incidents there alone), re-merges only
those, draws the map again and writes the GeoJSON and CSV files by copying every other
event's bytes from the old files. The files are byte for byte what a full render writes: a
row's text never depends on the other rows.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geomap.atomic import replacing, write_text
from geomap.errors import GeomapError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from geopandas import GeoDataFrame

    from geomap.export import Layout
    from geomap.layers import LayerSpec
    from geomap.store import StoreContents, Update

log = logging.getLogger(__name__)

MAP_FILE, EVENTS_FILE, FLOWS_FILE, CSV_FILE = (
    "map.html",
    "events.geojson",
    "flows.geojson",
    "events.csv",
)
NAMES = (MAP_FILE, EVENTS_FILE, FLOWS_FILE, CSV_FILE)
#: Beside the outputs: the merged events of the store they were made from (without their
#: reports, with each event's place in the GeoJSON and CSV files), and what they belong to.
MERGED_FILE = ".geomap-merged.parquet"
MERGED_STAMP = ".geomap-merged.json"
#: Rows encoded and written at a time when a file is written whole.
_PART_ROWS = 20_000
#: The columns of the kept merged events that say where each event's text lies.
_SPANS = ("geomap:geojson_start", "geomap:geojson_length", "geomap:csv_start", "geomap:csv_length")


@dataclass(frozen=True)
class View:
    """What the outputs are made from: merged events, flows, and the store's counts."""

    events: GeoDataFrame
    flows: GeoDataFrame
    articles: int
    places: int


@dataclass(frozen=True)
class Made:
    """Outputs made: from what, which files changed, and the merged events to keep."""

    view: View
    written: tuple[Path, ...]
    outputs: tuple[Path, ...]
    kept: GeoDataFrame
    #: The fingerprint of the store the outputs were made from, when read here.
    stored: str = ""


@dataclass(frozen=True)
class MapSettings:
    """What shapes the map besides the events: the folder, title and self-containment."""

    folder: Path
    title: str | None = None
    self_contained: bool = False


def whole(
    load: Callable[[], StoreContents], *, specs: Sequence[LayerSpec], settings: MapSettings
) -> Made:
    """Merge every stored report (the store that ``load`` reads) and write every output
    whole. The stored rows are let go once merged, before the outputs are made."""
    from geomap.join import merge_flows, merge_reports
    from geomap.store import fingerprint

    contents = load()
    view = View(
        merge_reports(contents.events),
        merge_flows(contents.flows, contents.articles),
        len(contents.articles),
        _distinct(contents.events["place_id"], contents.flows["origin_place_id"]),
    )
    stored = fingerprint(contents.articles["article_id"])
    del contents
    made = _write(view, specs=specs, settings=settings, previous=None, fresh=view.events)
    return replace(made, stored=stored)


def _distinct(*columns: pd.Series) -> int:
    """How many distinct values the columns hold together (a missing value counts once)."""
    import pandas as pd

    found = [column for column in columns if len(column)]
    if not found:
        return 0
    if all(column.dtype == found[0].dtype for column in found):
        joined = found[0] if len(found) == 1 else pd.concat(found, ignore_index=True)
        return int(joined.nunique(dropna=False))
    return len(set().union(*found))


def incremental(
    update: Update, *, specs: Sequence[LayerSpec], settings: MapSettings
) -> Made | None:
    """The outputs after ``update``, re-merging only the incidents it changed (see the
    module's docstring); ``None`` when there is nothing valid to start from."""
    from geomap.join import merge_flows

    partial = update.partial
    if partial is None or update.touched is None:  # a database store has no partial reads
        return None
    kept = _read_kept(settings.folder, update.previous)
    if kept is None:
        return None
    events, fresh = _remerged(kept, update)
    flows = merge_flows(partial.flows(), partial.flow_articles())
    view = View(events, flows, partial.articles(), partial.places())
    return _write(view, specs=specs, settings=settings, previous=kept, fresh=fresh)


def keep(folder: Path, fingerprint: str, made: Made) -> None:
    """Keep the merged events for the next build (after the store has committed)."""
    try:
        with replacing(folder / MERGED_FILE) as temp:
            made.kept.to_parquet(temp, index=False)
        stamp = {"fingerprint": fingerprint, "files": _file_stamps(folder)}
        write_text(folder / MERGED_STAMP, json.dumps(stamp, sort_keys=True) + "\n")
    except (GeomapError, OSError, ValueError):
        log.info("could not keep the merged events in %s", folder / MERGED_FILE)


# -- which incidents an update changed ---------------------------------------------------------


def _remerged(kept: GeoDataFrame, update: Update) -> tuple[GeoDataFrame, GeoDataFrame]:
    """All merged events after ``update`` (without ``reports``), and the re-merged ones.

    Reports of one incident share layer, place and kind (:func:`geomap.join.incident_groups`):
    the update changes only the incidents of the kinds of the reports it added at the
    (layer, place) pairs it touched (:func:`_changed_incidents`); the others keep their
    merged rows. An update that deleted reports (an edited article) re-merges every
    incident at the pairs it touched. Reports that are incidents of their own, read after
    every stored report of their kind there, are found without reading those
    (:func:`_new_incidents`).
    """
    import geopandas
    import pandas as pd

    from geomap.join import merge_reports, sorted_by

    assert update.partial is not None and update.touched is not None
    changed: list[str] | None = _new_incidents(kept, update)
    stays: list[bool] | None = None  # None: every kept event stays
    if changed is None:
        stays, changed = _touched_incidents(kept, update)
    previous = (kept if stays is None else kept[stays]).drop(columns=list(_SPANS))
    fresh = merge_reports(update.partial.reports_with_ids(changed)) if changed else None
    if fresh is None or fresh.empty:
        fresh = geopandas.GeoDataFrame(kept.iloc[:0].drop(columns=list(_SPANS)))
        fresh["reports"] = pd.Series([], dtype=object)
    parts = [frame for frame in (previous, fresh.drop(columns="reports")) if not frame.empty]
    events = parts[0] if len(parts) == 1 else pd.concat(parts or [previous], ignore_index=True)
    events = geopandas.GeoDataFrame(events, geometry="geometry", crs=kept.crs)
    events = sorted_by(events, "event_id_cnty")
    return events, fresh


def _touched_incidents(kept: GeoDataFrame, update: Update) -> tuple[list[bool], list[str]]:
    """Which kept events stay, and the reports to merge again, from the few columns of every
    report at the (layer, place) pairs the update touched (see :func:`_remerged`)."""
    assert update.partial is not None and update.touched is not None
    touched = update.touched
    light = update.partial.incidents(touched, _types(update)) if touched else None
    affected: set[str]
    keep_ids: set[str]
    changed: list[str]
    if light is None or light.empty:
        affected, keep_ids, changed = set(), set(), []
    elif update.change.stale:
        affected = set(light["event_id_cnty"].tolist())
        keep_ids, changed = set(), sorted(affected)
    else:
        affected, keep_ids, changed = _changed_incidents(light, update.inserted)
    if update.change.stale:
        pairs = zip(kept["layer"].tolist(), kept["place_id"].tolist(), strict=True)
        stays = [pair not in touched for pair in pairs]
    else:
        stays = [i not in affected or i in keep_ids for i in kept["event_id_cnty"].tolist()]
    return stays, changed


def _new_incidents(kept: GeoDataFrame, update: Update) -> list[str] | None:
    """The reports an update added, when they are incidents of their own (alone or with each
    other) and every kept event stays; ``None`` when that cannot be told this way.

    A merged event has the id of its incident's first report and the latest timestamp of
    its reports. When each added report is published on a later day than the latest report
    of every kept incident of its layer, place and kind, it is read after all of them, so
    the incidents already stored stay as they are and an added report joins the first of
    them whose first report's date overlaps its own, if any
    (:func:`geomap.extract.reports.group_reports`). Grouping the first reports of those
    incidents with the added reports tells that, without reading the others' reports. An
    update that deletes reports, or adds one to a stored incident, is not told here.
    """
    import numpy as np
    import pandas as pd

    from geomap.join import incident_groups, reading_ranks

    partial, touched, inserted = update.partial, update.touched, update.inserted
    if partial is None or not touched or update.change.stale or not inserted:
        return None
    places = sorted({place for _layer, place in touched})
    near = kept[kept["place_id"].isin(places).to_numpy(dtype=bool)]
    pairs = zip(near["layer"].tolist(), near["place_id"].tolist(), strict=True)
    near = near[np.fromiter((pair in touched for pair in pairs), dtype=bool, count=len(near))]
    types = _types(update)
    if types is not None:
        near = near[near["event_type"].isin(sorted(types)).to_numpy(dtype=bool)]
    added = partial.incidents_with_ids(sorted(inserted))
    if len(added) != len(inserted):
        return None
    if len(near):
        latest = max(day for day, _key in reading_ranks(near))
        if min(day for day, _key in reading_ranks(added)) <= latest:
            return None  # read before or on the day of a stored report of their kind
        heads = partial.incidents_with_ids(near["event_id_cnty"].tolist())
        if len(heads) != len(near):
            return None
        added = pd.concat([heads, added], ignore_index=True)
    for group in incident_groups(added):
        if not inserted.isdisjoint(group) and not inserted.issuperset(group):
            return None  # an added report is of a stored incident
    return sorted(inserted)


def _types(update: Update) -> frozenset[str] | None:
    """The event types of the reports an update added, when only reports of those can be of
    their incidents (incidents of other layers than deployments and infrastructure are of one
    event type); ``None`` when the reports of every type at the touched places are needed."""
    kinds = update.inserted_kinds
    if update.change.stale or not kinds:
        return None
    if any(layer in {"deployments", "infrastructure"} or not kind for layer, kind in kinds):
        return None  # a report without a type is one incident with those of NULL or "" too
    return frozenset(kind for _layer, kind in kinds)


def _changed_incidents(
    light: pd.DataFrame, inserted: frozenset[str]
) -> tuple[set[str], set[str], list[str]]:
    """Which incidents adding the ``inserted`` reports changes, from the few columns of the
    reports at the touched places (``light``, after the update).

    Returns the reports of the kinds the new ones are (their merged rows may change), the
    ids of those kinds' incidents whose reports are the same as before (their merged rows
    stay), and the reports of the other incidents of those kinds (to merge again).
    """
    from geomap.join import incident_groups, incident_keys

    keys = incident_keys(light)
    ids = light["event_id_cnty"].tolist()
    kinds = {key for key, i in zip(keys, ids, strict=True) if i in inserted}
    light = light[[key in kinds for key in keys]]
    affected = set(light["event_id_cnty"].tolist())
    if _appended(light, inserted):  # the incidents before are these without the new ones
        before = None
    else:
        earlier = light[~light["event_id_cnty"].isin(list(inserted))]
        before = {frozenset(group) for group in incident_groups(earlier)}
    keep_ids: set[str] = set()
    changed: list[str] = []
    for group in incident_groups(light):
        same = inserted.isdisjoint(group) if before is None else frozenset(group) in before
        if same:
            keep_ids.add(group[0])
        else:
            changed += group
    return affected, keep_ids, changed


def _appended(light: pd.DataFrame, inserted: frozenset[str]) -> bool:
    """Whether every inserted report is read after every other report of its kind: then
    grouping reads the others as before, and only the incidents of new reports change."""
    from geomap.join import incident_keys, reading_ranks

    last: dict[Any, tuple[int, str]] = {}
    first: dict[Any, tuple[int, str]] = {}
    for key, rank in zip(incident_keys(light), reading_ranks(light), strict=True):
        if rank[1] in inserted:
            first[key] = min(first.get(key, rank), rank)
        else:
            last[key] = max(last.get(key, rank), rank)
    return all(last[key] < rank for key, rank in first.items() if key in last)


# -- writing -----------------------------------------------------------------------------------


def _write(
    view: View,
    *,
    specs: Sequence[LayerSpec],
    settings: MapSettings,
    previous: GeoDataFrame | None,
    fresh: GeoDataFrame,
) -> Made:
    """Write the four outputs; the events files whole (``previous`` is ``None``) or spliced
    from ``previous``'s bytes and ``fresh``'s rows."""

    from geomap.export import (
        GEOJSON,
        csv_layout,
        csv_lines,
        csv_rows,
        geojson_features,
        geojson_lines,
        geojson_text,
    )
    from geomap.render import MapOptions, render_map

    folder = settings.folder
    written: list[Path] = []
    options = MapOptions(
        title=settings.title, self_contained=settings.self_contained, articles=view.articles
    )
    events = view.events
    if "reports" in events.columns:
        events = events.drop(columns="reports")
    if write_text(folder / MAP_FILE, render_map(events, view.flows, specs, options=options)):
        written.append(folder / MAP_FILE)
    spans: dict[str, np.ndarray] = {}

    def features(frame: pd.DataFrame) -> list[str]:
        return geojson_features(frame, id_column="event_id_cnty", json_text=("reports",))

    def feature_lines(frame: pd.DataFrame) -> Any:
        return geojson_lines(frame, id_column="event_id_cnty", json_text=("reports",))

    for name, layout, encode, whole_encode, start in (
        (EVENTS_FILE, GEOJSON, features, feature_lines, "geomap:geojson_start"),
        (CSV_FILE, csv_layout(fresh), csv_rows, csv_lines, "geomap:csv_start"),
    ):
        path = folder / name
        if previous is None:
            changed, lengths = _write_rows(path, layout, _parts(fresh, whole_encode))
        else:
            pieces = _pieces(events, previous, fresh, encode, start, layout)
            changed, lengths = _splice_rows(path, layout, pieces)
        if changed:
            written.append(path)
        spans[start] = _starts(layout, lengths)
        spans[start.replace("_start", "_length")] = lengths
    if write_text(folder / FLOWS_FILE, geojson_text(view.flows, id_column="flow_id")):
        written.append(folder / FLOWS_FILE)
    kept = events.copy(deep=False)  # the columns are shared, not copied
    for column in _SPANS:
        kept[column] = spans[column]
    written.sort(key=lambda path: NAMES.index(path.name))
    return Made(view, tuple(written), tuple(folder / name for name in NAMES), kept)


def _parts(frame: pd.DataFrame, encode: Any) -> Iterator[Any]:
    for start in range(0, len(frame), _PART_ROWS):
        yield encode(frame.iloc[start : start + _PART_ROWS])


#: A piece of a spliced file: a run of rows copied from the old file (start, length), or
#: the texts of new rows.
_Piece = tuple[int, int] | list[str]


def _pieces(
    events: pd.DataFrame,
    previous: pd.DataFrame,
    fresh: pd.DataFrame,
    encode: Any,
    start: str,
    layout: Layout,
) -> list[tuple[_Piece, Any]]:
    """The new file's rows in order: runs copied from the old file, and the fresh rows'
    texts. Each piece comes with the byte lengths of its rows (``None`` for new texts)."""
    import numpy as np

    length = start.replace("_start", "_length")
    separator = len(layout.separator.encode("utf-8"))
    old = dict(
        zip(
            previous["event_id_cnty"].tolist(),
            zip(previous[start].tolist(), previous[length].tolist(), strict=True),
            strict=True,
        )
    )
    texts = dict(zip(fresh["event_id_cnty"].tolist(), encode(fresh), strict=True))
    pieces: list[tuple[_Piece, Any]] = []
    run: list[tuple[int, int]] = []

    def close() -> None:
        if run:
            lengths = np.asarray([n for _s, n in run], dtype=np.int64)
            first, last = run[0], run[-1]
            pieces.append(((first[0], last[0] + last[1] - first[0]), lengths))
            run.clear()

    for key in events["event_id_cnty"].tolist():
        text = texts.get(key)
        if text is not None:
            close()
            if pieces and isinstance(pieces[-1][0], list):
                pieces[-1][0].append(text)
            else:
                pieces.append(([text], None))
            continue
        span = old[key]
        if run and run[-1][0] + run[-1][1] + separator != span[0]:  # not next in the old file
            close()
        run.append(span)
    close()
    return pieces


def _starts(layout: Layout, lengths: np.ndarray) -> np.ndarray:
    """Where each row starts in a file of ``layout`` whose rows have these byte lengths."""
    import numpy as np

    separator = len(layout.separator.encode("utf-8"))
    steps = lengths + separator
    starts = np.empty(len(lengths), dtype=np.int64)
    if len(lengths):
        starts[0] = 0
        np.cumsum(steps[:-1], out=starts[1:])
    return starts + len(layout.head.encode("utf-8"))


class _Unchanged(Exception):  # noqa: N818  (a signal, not an error)
    """The new file has the old one's bytes: keep the old one."""


def _write_rows(path: Path, layout: Layout, parts: Iterable[Any]) -> tuple[bool, Any]:
    """Write a file of rows a part at a time (each a list of texts or an Arrow array of
    them); whether it changed, and each row's byte length."""
    return _writing(path, layout, ((part, None) for part in parts), source=None)


def _splice_rows(path: Path, layout: Layout, pieces: list[tuple[_Piece, Any]]) -> tuple[bool, Any]:
    """Write a file from runs of the old file's rows and new rows' texts."""
    return _writing(path, layout, pieces, source=path)


def _writing(
    path: Path, layout: Layout, pieces: Iterable[tuple[_Piece, Any]], *, source: Path | None
) -> tuple[bool, Any]:

    separator = layout.separator.encode("utf-8")
    lengths: list[np.ndarray] = []
    try:
        with replacing(path) as temp:
            old = source.open("rb", buffering=0) if source is not None else None
            with _opened(temp, direct=source is None) as handle, old or contextlib.nullcontext():
                handle.write(layout.head.encode("utf-8"))
                first = True
                for piece, copied in pieces:
                    sizes = copied
                    if not isinstance(piece, tuple):
                        if not len(piece):
                            continue
                        block, sizes = (
                            _encoded_rows(piece, layout.separator)
                            if isinstance(piece, list)
                            else _arrow_rows(piece, layout.separator)
                        )
                        if not first:
                            handle.write(separator)
                        handle.write(block)
                    else:
                        assert old is not None
                        if not first:
                            handle.write(separator)
                        _copy(old, handle, *piece)
                    lengths.append(sizes)
                    first = False
                if not first:
                    handle.write(layout.end.encode("utf-8"))
                handle.write(layout.tail.encode("utf-8"))
            if _same_bytes(temp, path):
                raise _Unchanged
    except _Unchanged:
        return False, _joined(lengths)
    return True, _joined(lengths)


@contextlib.contextmanager
def _opened(path: Path, *, direct: bool) -> Iterator[Any]:
    """The (empty) file at ``path`` open for writing: unbuffered, or with ``direct`` through
    :class:`_DirectFile` where the system and file system allow."""
    direct_file = None
    if direct:
        with contextlib.suppress(OSError):
            direct_file = _DirectFile(path)
    if direct_file is not None:
        with direct_file:
            yield direct_file
        return
    with path.open("wb", buffering=0) as handle:
        yield handle


class _DirectFile:
    """A new file written past the page cache (``O_DIRECT``): bytes gather in a page-aligned
    buffer written a whole buffer at a time, and the last part, not a whole block, is written
    as usual at the end. A file of a million events is more than 2 GB; written through the
    page cache, copying and reclaiming its pages cost the kernel 2.5 to 5 s of CPU per GB on
    the benchmark's machine, written past it 0.1 s. Any refusal of a direct write (a file
    system that wants other alignments) falls back to ordinary writes from there on.

    Raises
    ------
    OSError
        From the constructor, when the system or file system has no direct writes (the
        caller then writes the file as usual).
    """

    _SIZE = 1 << 23  # bytes gathered per write: a multiple of every block size

    def __init__(self, path: Path) -> None:
        import mmap

        flag = getattr(os, "O_DIRECT", 0)
        if not flag:
            msg = "no direct writes here"
            raise OSError(msg)
        self._fd = os.open(path, os.O_WRONLY | os.O_TRUNC | flag)
        self._flag = flag
        self._direct = True
        self._buffer = mmap.mmap(-1, self._SIZE)  # page-aligned, as direct writes want
        self._view = memoryview(self._buffer)
        self._used = 0

    def __enter__(self) -> _DirectFile:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self._plain()
                self._write_all(self._view[: self._used])
        finally:
            self._view.release()
            self._buffer.close()
            os.close(self._fd)

    def write(self, data: Any) -> None:
        """Append bytes (any object with the buffer protocol)."""
        data = memoryview(data).cast("B")
        while len(data):
            room = self._SIZE - self._used
            take = min(room, len(data))
            self._view[self._used : self._used + take] = data[:take]
            self._used += take
            data = data[take:]
            if self._used == self._SIZE:
                self._write_all(self._view)
                self._used = 0

    def _write_all(self, data: memoryview) -> None:
        while len(data):
            try:
                done = os.write(self._fd, data)
            except OSError as exc:
                if not self._direct or exc.errno != errno.EINVAL:
                    raise
                self._plain()  # not aligned as this file system wants: write as usual
                continue
            if done < len(data):
                self._plain()  # the file's end is no longer at a block boundary
            data = data[done:]

    def _plain(self) -> None:
        if self._direct:
            import fcntl  # only where O_DIRECT is: not on Windows

            flags = fcntl.fcntl(self._fd, fcntl.F_GETFL)
            fcntl.fcntl(self._fd, fcntl.F_SETFL, flags & ~self._flag)
            self._direct = False


def _encoded_rows(rows: list[str], separator: str) -> tuple[bytes, Any]:
    """The rows joined by ``separator`` as UTF-8, and each row's length in bytes (its
    length in characters when the text is all ASCII, as nearly every row is)."""
    import numpy as np

    joined = separator.join(rows)
    if joined.isascii():
        sizes = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        return joined.encode("ascii"), sizes
    data = [row.encode("utf-8") for row in rows]
    sizes = np.fromiter(map(len, data), dtype=np.int64, count=len(data))
    return separator.encode("utf-8").join(data), sizes


def _arrow_rows(rows: Any, separator: str) -> tuple[Any, Any]:
    """An Arrow array of texts (none missing) joined by ``separator`` as UTF-8, Arrow's own
    bytes without a copy, and each row's length in bytes."""
    import numpy as np
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    if isinstance(rows, pa.ChunkedArray):
        rows = rows.combine_chunks()
    if rows.null_count:
        msg = "a row without text"
        raise ValueError(msg)
    step = len(separator.encode("utf-8"))
    if step:
        rows = pc.binary_join_element_wise(rows, pa.scalar(separator), "")
    if not pa.types.is_large_string(rows.type):
        rows = rows.cast(pa.large_string())
    _validity, offsets_buffer, data = rows.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[
        rows.offset : rows.offset + len(rows) + 1
    ]
    sizes = np.diff(offsets) - step
    first, last = int(offsets[0]), int(offsets[-1]) - step
    block = memoryview(data)[first:last] if data is not None else b""
    return block, sizes


def _joined(lengths: list[Any]) -> Any:
    import numpy as np

    return np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64)


def _copy(source: Any, target: Any, start: int, length: int) -> None:
    """Copy ``length`` bytes from ``start`` of ``source`` to ``target`` (unbuffered files),
    inside the kernel where it can (``copy_file_range``), else through memory."""
    copy_range = getattr(os, "copy_file_range", None)
    while length > 0 and copy_range is not None:
        try:
            done = copy_range(source.fileno(), target.fileno(), length, start)
        except OSError:  # another file system, an old kernel: copy through memory
            break
        if done <= 0:
            break
        start, length = start + done, length - done
    source.seek(start)
    while length > 0:
        block = source.read(min(length, 1 << 22))
        if not block:
            msg = "the file ended early"
            raise OSError(msg)
        target.write(block)
        length -= len(block)


def _same_bytes(new: Path, old: Path) -> bool:
    """Whether two files hold the same bytes."""
    try:
        if new.stat().st_size != old.stat().st_size:
            return False
        with new.open("rb") as first, old.open("rb") as second:
            while True:
                a, b = first.read(1 << 22), second.read(1 << 22)
                if a != b:
                    return False
                if not a:
                    return True
    except OSError:
        return False


# -- what is kept ------------------------------------------------------------------------------


def _file_stamps(folder: Path) -> dict[str, list[int]]:
    stamps = {}
    for name in (MERGED_FILE, EVENTS_FILE, CSV_FILE):
        info = (folder / name).stat()
        stamps[name] = [info.st_size, info.st_mtime_ns]
    return stamps


def _read_kept(folder: Path, fingerprint: str) -> GeoDataFrame | None:
    """The kept merged events, if they belong to the store ``fingerprint`` names and the
    files they point into are those they were written with."""
    import pyarrow as pa

    try:
        stamp = json.loads((folder / MERGED_STAMP).read_text(encoding="utf-8"))
        if stamp != {"fingerprint": fingerprint, "files": _file_stamps(folder)}:
            return None
        kept = _kept_frame(folder / MERGED_FILE)
    except (OSError, ValueError, KeyError, TypeError, ImportError, pa.ArrowException):
        return None
    if not set(_SPANS) <= set(kept.columns):
        return None
    return kept


def _kept_frame(path: Path) -> GeoDataFrame:
    """The kept merged events as :func:`geopandas.read_parquet` reads them, read by
    pyarrow's Parquet reader alone: geopandas' (through Arrow datasets and the CRS in the
    file) costs a build more the first time than the rest of reading the file. The file
    holds merged events, in :data:`geomap.join.CRS`, with their geometry as WKB.

    Raises
    ------
    KeyError
        When the file has no ``geometry`` column.
    """
    import geopandas
    import numpy as np
    import pyarrow.parquet as pq  # type: ignore[import-untyped]
    import shapely

    from geomap.join import CRS

    table = pq.ParquetFile(path).read()
    names = table.column_names
    wkb = table.column("geometry").to_numpy(zero_copy_only=False)
    frame = table.drop_columns(["geometry"]).to_pandas()
    shapes = geopandas.GeoSeries(
        np.asarray(shapely.from_wkb(wkb), dtype=object), crs=CRS, index=frame.index
    )
    kept = geopandas.GeoDataFrame(frame, geometry=shapes, crs=CRS)
    return kept[names]
