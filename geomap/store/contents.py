"""What a store holds, and which incoming articles change it: pure functions, no I/O.

Both stores (GeoPackage and PostGIS) keep the same three tables, one row per event report,
per flow and per article, and decide the same way what an update does: an article already
stored (same content hash) changes nothing, an edited article (same source, new content)
replaces only its own rows, a new article adds its rows.
"""

from __future__ import annotations

import bisect
import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import geopandas
import numpy as np
import pandas as pd

from geomap import join
from geomap.records import ParsedArticle

LAYERS = ("events", "flows", "articles")
#: Each table's key: one row per value.
KEYS = {"events": "event_id_cnty", "flows": "flow_id", "articles": "article_id"}
#: Each table's columns, in the order geomap writes them.
COLUMNS = {
    "events": join.EVENT_COLUMNS,
    "flows": join.FLOW_COLUMNS,
    "articles": join.ARTICLE_COLUMNS,
}
_INT_COLUMNS = frozenset(join._INT_COLUMNS)
_FLOAT_COLUMNS = frozenset({"latitude", "longitude", "confidence"})
#: Sources that name no stable origin, so an article from them never replaces another.
ANONYMOUS_SOURCES = frozenset({"-", "<stdin>", "stdin"})


@dataclass(frozen=True)
class StoreContents:
    """What a store holds: the three layers as frames."""

    events: geopandas.GeoDataFrame
    flows: geopandas.GeoDataFrame
    articles: pd.DataFrame

    @classmethod
    def empty(cls) -> StoreContents:
        """A store with no article yet."""
        return cls(join.empty_events(), join.empty_flows(), join.articles_frame([]))

    @classmethod
    def of(cls, parsed: Sequence[ParsedArticle]) -> StoreContents:
        """The contents that exactly these articles give."""
        return cls(join.events_frame(parsed), join.flows_frame(parsed), join.articles_frame(parsed))

    def layer(self, name: str) -> pd.DataFrame:
        """One of :data:`LAYERS` by name."""
        frame: pd.DataFrame = getattr(self, name)
        return frame


@dataclass(frozen=True)
class Plan:
    """What adding articles to a store does: rows to add, articles whose rows go."""

    fresh: tuple[ParsedArticle, ...]
    stale: frozenset[str]
    added: tuple[str, ...]
    replaced: tuple[str, ...]
    unchanged: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """Whether the store changes."""
        return bool(self.fresh)


def plan(known: Mapping[str, str], incoming: Iterable[ParsedArticle]) -> Plan:
    """Which incoming articles are new, which replace a stored one, which are stored already.

    Parameters
    ----------
    known
        The stored articles: article id (its content hash) to source.
    incoming
        The parsed articles, in the order read.
    """
    by_source = {
        source if "://" in source else os.path.normpath(source): article_id  # same_source
        for article_id, source in known.items()
        if source not in ANONYMOUS_SOURCES
    }
    fresh: dict[str, ParsedArticle] = {}
    stale: set[str] = set()
    added, replaced, unchanged = [], [], []
    for item in incoming:
        article = item.article
        if article.id in known or article.id in fresh:
            unchanged.append(article.source)
            continue
        fresh[article.id] = item
        previous = by_source.get(same_source(article.source))
        if previous is not None:
            stale.add(previous)
            replaced.append(article.source)
        else:
            added.append(article.source)
    return Plan(
        tuple(fresh.values()), frozenset(stale), tuple(added), tuple(replaced), tuple(unchanged)
    )


class Tables(Protocol):
    """What a store's database does for the flow both stores share (:func:`apply`,
    :func:`read_layers`): delete an article's rows, insert rows, select a layer."""

    def delete(self, name: str, article_ids: list[str]) -> None:
        """Delete the rows of these articles from the layer ``name``."""

    def insert(self, name: str, frame: pd.DataFrame) -> None:
        """Insert the rows; a key already stored keeps its row."""

    def select(self, name: str) -> tuple[list[str], list[tuple[Any, ...]], Any]:
        """The layer's columns found, its rows, and their geometries (``None`` without)."""


#: The rows that fresh articles give (:meth:`StoreContents.of`, or the same rows built elsewhere).
Rows = Callable[[Sequence[ParsedArticle]], StoreContents]


def apply(tables: Tables, change: Plan, *, rows: Rows | None = None) -> StoreContents:
    """Delete the replaced articles' rows and insert the new articles' rows (inside the
    caller's transaction); returns the rows inserted. ``rows`` gives the fresh articles'
    rows (by default :meth:`StoreContents.of` builds them here)."""
    stale = sorted(change.stale)
    if stale:
        for name in LAYERS:
            tables.delete(name, stale)
    new = (rows or StoreContents.of)(list(change.fresh))
    for name in LAYERS:
        tables.insert(name, new.layer(name))
    return new


def read_layers(tables: Tables) -> StoreContents:
    """Every layer, with the dtypes and order geomap writes (:func:`typed_frame`)."""
    frames = {}
    for name in LAYERS:
        columns, rows, geometries = tables.select(name)
        frames[name] = typed_frame(name, columns, rows, geometries)
    return StoreContents(**frames)


def typed_frame(
    name: str,
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
    geometries: Any = None,
    *,
    only: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A layer from database rows (the ``columns`` found, in that order): the dtypes, column
    order and row order (by key) that :func:`geomap.join.conform` gives, built column by
    column rather than cell by cell; with ``only``, just those of the layer's columns.

    Values must be as SQL returns them: ``int``, ``float``, ``str`` or ``None``; any other
    text value is turned into ``str``.
    """
    found = dict(zip(columns, zip(*rows, strict=True), strict=False)) if rows else {}
    data: dict[str, Any] = {}
    names = [c for c in COLUMNS[name] if only is None or c in only or c == KEYS[name]]
    for column in names:
        data[column] = _typed_column(column, list(found.get(column, [None] * len(rows))))
    frame = pd.DataFrame(data, columns=names)
    if geometries is not None:
        frame = geopandas.GeoDataFrame(
            frame,
            geometry=geopandas.GeoSeries(list(geometries), crs=join.CRS, index=frame.index),
            crs=join.CRS,
        )
    key = KEYS[name]
    if not frame[key].is_unique:  # else the copy drop_duplicates makes is the same rows
        frame = frame.drop_duplicates(subset=[key], keep="first")
    return join.sorted_by(frame, key)


def _typed_column(column: str, values: list[Any]) -> Any:
    """One column's SQL values with the dtype :func:`geomap.join.conform` gives it."""
    if column in _INT_COLUMNS:
        return pd.array(values, dtype="Int64")
    if column in _FLOAT_COLUMNS:
        floats = pd.array(values, dtype="Float64")
        return floats.to_numpy(dtype="float64", na_value=np.nan)
    if not {type(v) for v in values} <= {str, type(None)}:
        values = [v if v is None or isinstance(v, str) else str(v) for v in values]
    return pd.Series(values)  # inferred as the conformed frames are


def typed_table(name: str, table: Any, geometries: Any = None) -> pd.DataFrame:
    """A layer from an Arrow table of its columns (as GDAL reads a GeoPackage): the frame
    :func:`typed_frame` gives for the same rows, built from the Arrow columns without a
    Python object per cell (text stays in Arrow, as pandas keeps its ``str`` columns)."""
    import pyarrow as pa  # type: ignore[import-untyped]

    rows = table.num_rows
    found = set(table.column_names)
    data: dict[str, Any] = {}
    for column in COLUMNS[name]:
        if column not in found:
            data[column] = pd.Series([None] * rows, dtype=object)
            continue
        values = table.column(column)
        kind = values.type
        if column in _INT_COLUMNS and pa.types.is_integer(kind):
            mask = values.is_null().to_numpy(zero_copy_only=False)
            numbers = values.fill_null(0).cast(pa.int64()).to_numpy(zero_copy_only=False)
            if not numbers.flags.writeable:  # Arrow's own memory: the frame's must be its own
                numbers = numbers.copy()
            data[column] = pd.arrays.IntegerArray(numbers, mask)
        elif column in _FLOAT_COLUMNS and pa.types.is_floating(kind):
            data[column] = values.cast(pa.float64()).to_numpy(zero_copy_only=False)
        elif (
            column not in _INT_COLUMNS
            and column not in _FLOAT_COLUMNS
            and (pa.types.is_string(kind) or pa.types.is_large_string(kind))
            and values.null_count < rows
        ):
            data[column] = pd.Series(pd.array(values.cast(pa.string()), dtype="str"))
        elif (
            column not in _INT_COLUMNS
            and column not in _FLOAT_COLUMNS
            and values.null_count == rows
        ):
            data[column] = pd.Series([None] * rows, dtype=object)  # as SQL's NULLs give it
        else:  # anything else as :func:`typed_frame` takes SQL values
            data[column] = _typed_column(column, values.to_pylist())
    frame = pd.DataFrame(data, columns=list(COLUMNS[name]), copy=False)  # columns made here
    if geometries is not None:
        frame = geopandas.GeoDataFrame(
            frame,
            geometry=geopandas.GeoSeries(geometries, crs=join.CRS, index=frame.index),
            crs=join.CRS,
        )
    key = KEYS[name]
    if not frame[key].is_unique:  # else the copy drop_duplicates makes is the same rows
        frame = frame.drop_duplicates(subset=[key], keep="first")
    return join.sorted_by(frame, key)


def typed_sorted(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """A subset of a typed layer, in the layer's row order again."""
    return join.sorted_by(frame, KEYS[name])


def fingerprint(article_ids: Iterable[str]) -> str:
    """A digest of which articles a store holds, hence of everything it holds.

    An article's rows never change once stored (an edit is a new article under a new id), so
    two stores with the same article ids hold the same rows.
    """
    ids = sorted(article_ids)
    text = "\n".join(ids) + ("\n" if ids else "")  # each id on its own line
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ids_after(known: Iterable[str], change: Plan) -> set[str]:
    """The article ids a store holds after ``change``."""
    return (set(known) - change.stale) | {item.article.id for item in change.fresh}


#: Up to how many new ids :func:`sorted_ids_after` inserts one at a time.
_FEW_IDS = 64


def sorted_ids_after(known: list[str], change: Plan) -> list[str]:
    """:func:`ids_after` in order, from the ids held before in order (``known``, sorted):
    the few ids a change adds are put in their places, not the whole list sorted again."""
    ids = [key for key in known if key not in change.stale] if change.stale else list(known)
    fresh = sorted({item.article.id for item in change.fresh})
    if len(fresh) > _FEW_IDS:  # each insertion moves the list: sort once instead
        return sorted(set(ids).union(fresh))
    for key in fresh:
        at = bisect.bisect_left(ids, key)
        if at == len(ids) or ids[at] != key:
            ids.insert(at, key)
    return ids


@dataclass(frozen=True)
class MergeResult:
    """The merged contents and which articles were added, replaced or already there."""

    contents: StoreContents
    added: tuple[str, ...]
    replaced: tuple[str, ...]
    unchanged: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """Whether the store must be rewritten."""
        return bool(self.added or self.replaced)


def merge(current: StoreContents, incoming: Sequence[ParsedArticle]) -> MergeResult:
    """Add articles to the contents: new ones added, edited ones replaced, known ones kept."""
    known = dict(zip(current.articles["article_id"], current.articles["source"], strict=True))
    change = plan(known, incoming)
    if not change.fresh:
        return MergeResult(current, (), (), change.unchanged)
    new = StoreContents.of(list(change.fresh))
    stale = set(change.stale)
    contents = StoreContents(
        events=_concat(_without(current.events, stale), new.events, key="event_id_cnty"),
        flows=_concat(_without(current.flows, stale), new.flows, key="flow_id"),
        articles=_concat(_without(current.articles, stale), new.articles, key="article_id"),
    )
    return MergeResult(contents, change.added, change.replaced, change.unchanged)


def same_source(source: str) -> str:
    """The form under which two spellings of one file (``a.txt``, ``./a.txt``) compare equal."""
    return source if "://" in source else os.path.normpath(source)


def _without(frame: pd.DataFrame, article_ids: set[str]) -> pd.DataFrame:
    if not article_ids:
        return frame
    return frame[~frame["article_id"].isin(article_ids)]


def _concat(old: pd.DataFrame, new: pd.DataFrame, *, key: str) -> pd.DataFrame:
    if old.empty:
        return new
    combined = pd.concat([old, new], ignore_index=True)
    if isinstance(new, geopandas.GeoDataFrame):
        combined = geopandas.GeoDataFrame(combined, geometry="geometry", crs=new.crs)
    return (
        combined.drop_duplicates(subset=[key])
        .sort_values(key, kind="stable")
        .reset_index(drop=True)
    )
