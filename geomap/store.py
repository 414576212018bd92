"""The event store: one GeoPackage with the layers ``events``, ``flows`` and ``articles``.

It opens in QGIS. Updates are idempotent per article: an article already stored (same content
hash) changes nothing; an edited article (same source, new content) replaces only its own
rows. The whole file is written to a temporary file and renamed, so a failed run leaves the
store as it was, and a store whose content did not change is not rewritten at all.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas
import pandas as pd
import pyogrio
import pyogrio.errors

from geomap import join
from geomap.atomic import read_only, replacing, target_of
from geomap.errors import StoreError
from geomap.records import ParsedArticle

log = logging.getLogger(__name__)

LAYERS = ("events", "flows", "articles")
#: Sources that name no stable origin, so an article from them never replaces another.
_ANONYMOUS_SOURCES = frozenset({"-", "<stdin>", "stdin"})


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
    known_ids = set(current.articles["article_id"])
    by_source = {
        _same_source(source): article_id
        for source, article_id in zip(
            current.articles["source"], current.articles["article_id"], strict=True
        )
        if source not in _ANONYMOUS_SOURCES
    }
    fresh: dict[str, ParsedArticle] = {}
    stale: set[str] = set()
    added, replaced, unchanged = [], [], []
    for item in incoming:
        article = item.article
        if article.id in known_ids or article.id in fresh:
            unchanged.append(article.source)
            continue
        fresh[article.id] = item
        previous = by_source.get(_same_source(article.source))
        if previous is not None:
            stale.add(previous)
            replaced.append(article.source)
        else:
            added.append(article.source)
    if not fresh:
        return MergeResult(current, (), (), tuple(unchanged))
    new = StoreContents.of(list(fresh.values()))
    contents = StoreContents(
        events=_concat(_without(current.events, stale), new.events, key="event_id_cnty"),
        flows=_concat(_without(current.flows, stale), new.flows, key="flow_id"),
        articles=_concat(_without(current.articles, stale), new.articles, key="article_id"),
    )
    return MergeResult(contents, tuple(added), tuple(replaced), tuple(unchanged))


def _same_source(source: str) -> str:
    """The form under which two spellings of one file (``a.txt``, ``./a.txt``) compare equal."""
    return source if "://" in source else os.path.normpath(source)


def read(path: Path) -> StoreContents:
    """Read the store at ``path``; a missing file is an empty store.

    Raises
    ------
    StoreError
        When the file is not a GeoPackage written by geomap (truncated, another format, or
        missing layers). The file is left untouched.
    """
    if not path.exists():
        return StoreContents.empty()
    if not path.is_file():
        msg = f"the store path {path} is not a file; pass --store with a .gpkg file path"
        raise StoreError(msg)
    try:
        with warnings.catch_warnings():
            # GDAL's warnings (e.g. "bad application_id" on a damaged file) are not for users.
            warnings.simplefilter("ignore", RuntimeWarning)
            names = {str(row[0]) for row in pyogrio.list_layers(path)}
            missing = [name for name in LAYERS if name not in names]
            if not missing:
                events = pyogrio.read_dataframe(path, layer="events")
                flows = pyogrio.read_dataframe(path, layer="flows")
                articles = pyogrio.read_dataframe(path, layer="articles", read_geometry=False)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
        msg = f"cannot read the store {path}: {_reason(exc, path)}{_HINT}"
        raise StoreError(msg) from exc
    if missing:
        msg = f"{path} is a GeoPackage without geomap's layer {missing[0]!r}{_HINT}"
        raise StoreError(msg)
    for name, frame, key in (
        ("events", events, "event_id_cnty"),
        ("flows", flows, "flow_id"),
        ("articles", articles, "article_id"),
    ):
        if key not in frame.columns or "article_id" not in frame.columns:
            msg = f"{path} has a layer {name!r} that geomap did not write (no {key!r}){_HINT}"
            raise StoreError(msg)
    return StoreContents(
        events=join.conform(events, join.EVENT_COLUMNS, key="event_id_cnty"),
        flows=join.conform(flows, join.FLOW_COLUMNS, key="flow_id"),
        articles=join.conform(articles, join.ARTICLE_COLUMNS, key="article_id"),
    )


def write(path: Path, contents: StoreContents) -> None:
    """Write the whole store to a temporary file and rename it over ``path``.

    A ``path`` that is a symbolic link is written through: the store it points to is
    replaced and the link stays.

    Raises
    ------
    StoreError
        When the file cannot be written, or is read-only (it is never replaced then); the
        previous store is unchanged.
    """
    if path.exists() and not path.is_file():
        msg = f"the store path {path} is not a file; pass --store with a .gpkg file path"
        raise StoreError(msg)
    if read_only(target_of(path)):
        shown = path if target_of(path) == path else f"{path} (a link to {target_of(path)})"
        msg = (
            f"the store {shown} is read-only, so geomap leaves it as it is; "
            "make it writable or pass --store with another path"
        )
        raise StoreError(msg)
    with replacing(path) as temp:
        temp.unlink()
        try:
            _write_layers(temp, contents)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            msg = f"cannot write the store {path}: {exc}; the previous store is unchanged"
            raise StoreError(msg) from exc
    log.info("store %s: %d events, %d flows", path, len(contents.events), len(contents.flows))


_HINT = "; move it away or pass --store with another path (geomap never overwrites it)"


def _reason(exc: Exception, path: Path) -> str:
    """GDAL's complaint as a short phrase, without the SQL or the path it quotes."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    text = text.rsplit(" failed: ", 1)[-1].replace(f"'{path}' ", "").replace(f"{path} ", "")
    text = text.split(";")[0].rstrip(".").strip()
    if "not recognized as" in text:
        return "it is not a GeoPackage"
    if "malformed" in text or "not a database" in text:
        return f"it is damaged or truncated ({text})"
    return text


def _write_layers(path: Path, contents: StoreContents) -> None:
    pyogrio.write_dataframe(
        contents.events, path, layer="events", driver="GPKG", geometry_type="Unknown"
    )
    pyogrio.write_dataframe(
        contents.flows, path, layer="flows", driver="GPKG", geometry_type="LineString"
    )
    pyogrio.write_dataframe(contents.articles, path, layer="articles", driver="GPKG")


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
