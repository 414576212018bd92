"""Compose the stages: ingest → extract → geocode → join → store → render/export."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geomap.atomic import locked, remove_leftovers, target_of, write_text
from geomap.errors import ArticleError, GeomapError, OutputError, StoreError
from geomap.extract.events import extract_events
from geomap.extract.text import sentences
from geomap.geocode import CachedGeocoder, OfflineGazetteer, get_geocoder, resolve_mentions
from geomap.ingest import IngestOptions, load
from geomap.recognise import spot
from geomap.records import Article, ParsedArticle
from geomap.settings import Settings

if TYPE_CHECKING:  # the build stages import GeoPandas and Folium: only when building
    from geomap.layers import LayerSpec
    from geomap.store import StoreContents

log = logging.getLogger(__name__)


def parse_article(
    article: Article, *, geocoder: OfflineGazetteer | CachedGeocoder
) -> ParsedArticle:
    """Mentions, events and flows of one article already read."""
    gazetteer = (
        geocoder.fallback.gazetteer if isinstance(geocoder, CachedGeocoder) else geocoder.gazetteer
    )
    split = sentences(article.text)
    spotted = spot(article.id, article.text, split, language=article.language, gazetteer=gazetteer)
    mentions = resolve_mentions(spotted, geocoder=geocoder)
    events, flows = extract_events(article, split, mentions)
    return ParsedArticle(
        article=article,
        mentions=tuple(m for m in mentions if m.place is not None),
        events=tuple(events),
        flows=tuple(flows),
        unresolved=tuple(m for m in mentions if m.place is None),
    )


def parse(
    source: str,
    *,
    geocoder: OfflineGazetteer | CachedGeocoder | None = None,
    options: IngestOptions | None = None,
    **geocoder_options: Any,
) -> ParsedArticle:
    """Read one source (file, URL or ``-``) and return what it reports.

    Raises
    ------
    GeomapError
        When the source cannot be read or geocoding fails.
    """
    article = load(source, options=options or IngestOptions())
    return parse_article(article, geocoder=geocoder or get_geocoder("offline", **geocoder_options))


def parse_many(
    sources: Sequence[str], *, geocoder: OfflineGazetteer | CachedGeocoder, options: IngestOptions
) -> list[ParsedArticle | GeomapError]:
    """Parse each source; a failure is returned in its place and never stops the others."""
    results: list[ParsedArticle | GeomapError] = []
    for source in sources:
        try:
            results.append(parse(source, geocoder=geocoder, options=options))
        except GeomapError as exc:
            log.info("skipped: %s", exc)
            results.append(exc)
        except Exception as exc:  # a fault of geomap's on one article must not lose the others
            log.debug("fault while parsing %s", source, exc_info=True)
            msg = (
                f"{source}: geomap failed on this article ({type(exc).__name__}: {exc}); "
                "the other articles were read; please report it with the --debug output"
            )
            results.append(ArticleError(msg))
    return results


# -- build: parse → join → store → render/export --------------------------------------------

MAP_FILE, EVENTS_FILE, FLOWS_FILE, CSV_FILE = (
    "map.html",
    "events.geojson",
    "flows.geojson",
    "events.csv",
)
LOCK_FILE = ".geomap.lock"


@dataclass(frozen=True)
class BuildReport:
    """What a build or render did: articles read, failed and stored, rows per layer, files."""

    failures: tuple[tuple[str, str], ...] = ()
    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    articles: int = 0
    places: int = 0
    layer_rows: tuple[tuple[str, int], ...] = ()
    written: tuple[Path, ...] = ()
    outputs: tuple[Path, ...] = ()


def build(
    sources: Sequence[str],
    *,
    settings: Settings,
    geocoder: OfflineGazetteer | CachedGeocoder,
    options: IngestOptions,
    specs: Sequence[LayerSpec],
    progress: Callable[[str], None] | None = None,
) -> BuildReport:
    """Read the sources into the store and regenerate the map and exports.

    A source that cannot be read is reported in ``failures`` and never stops the others.
    The store and each output are replaced atomically, under a lock on the output folder.

    Raises
    ------
    GeomapError
        When the store is damaged, the lock cannot be taken or an output cannot be written;
        the store and outputs are then as they were.
    """
    from geomap import store

    parsed: list[ParsedArticle] = []
    failures: list[tuple[str, str]] = []
    for source, result in zip(
        sources, parse_many(sources, geocoder=geocoder, options=options), strict=True
    ):
        if isinstance(result, GeomapError):
            log.debug("%s could not be read", source, exc_info=result)
            failures.append((source, str(result)))
        else:
            parsed.append(result)
        if progress:
            progress(source)
    if failures and not parsed:
        return BuildReport(failures=tuple(failures))  # nothing read: store and outputs untouched
    with _run_lock(settings):
        merged = store.merge(store.read(settings.store_path), parsed)
        outputs = _outputs(merged.contents, specs=specs, settings=settings)
        if merged.changed:
            store.write(settings.store_path, merged.contents)
        written = _write_outputs(outputs)
    return replace(
        _summary(merged.contents, specs, written, outputs),
        failures=tuple(failures),
        added=merged.added,
        replaced=merged.replaced,
        unchanged=merged.unchanged,
    )


def render(*, settings: Settings, specs: Sequence[LayerSpec]) -> BuildReport:
    """Regenerate the map and exports from the store alone.

    Raises
    ------
    GeomapError
        When the store is missing or damaged, or an output cannot be written.
    """
    from geomap import store

    if not settings.store_path.is_file():
        msg = f"no store at {settings.store_path}; run 'geomap build' first or pass --store"
        raise StoreError(msg)
    with _run_lock(settings):
        contents = store.read(settings.store_path)
        outputs = _outputs(contents, specs=specs, settings=settings)
        written = _write_outputs(outputs)
    return _summary(contents, specs, written, outputs)


def _outputs(
    contents: StoreContents, *, specs: Sequence[LayerSpec], settings: Settings
) -> dict[Path, str]:
    from geomap.export import csv_text, geojson_text
    from geomap.render import MapOptions, render_map

    folder = settings.out_dir
    map_options = MapOptions(title="geomap", self_contained=settings.self_contained)
    return {
        folder / MAP_FILE: render_map(contents.events, contents.flows, specs, options=map_options),
        folder / EVENTS_FILE: geojson_text(contents.events, id_column="event_id_cnty"),
        folder / FLOWS_FILE: geojson_text(contents.flows, id_column="flow_id"),
        folder / CSV_FILE: csv_text(contents.events),
    }


def _write_outputs(outputs: dict[Path, str]) -> tuple[Path, ...]:
    return tuple(path for path, text in outputs.items() if write_text(path, text))


@contextlib.contextmanager
def _run_lock(settings: Settings) -> Iterator[None]:
    """Serialise runs on the same output folder and store; clear what killed runs left."""
    folder = settings.out_dir
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        msg = f"cannot create the output folder {folder}: {exc.strerror}; choose another --out"
        raise OutputError(msg) from exc
    with contextlib.ExitStack() as stack:
        store_folder = target_of(settings.store_path).parent.resolve()  # where it is written
        folders = dict.fromkeys([folder.resolve(), store_folder])
        for each in folders:
            stack.enter_context(locked(each / LOCK_FILE, wait=settings.lock_wait))
        for each in folders:
            remove_leftovers(each)
        yield


def _summary(
    contents: StoreContents,
    specs: Sequence[LayerSpec],
    written: tuple[Path, ...],
    outputs: dict[Path, str],
) -> BuildReport:
    frames = {"events": contents.events, "flows": contents.flows}
    layer_rows: list[tuple[str, int]] = []
    for spec in specs:
        rows = spec.rows(frames[spec.source])
        if spec.split_by is None:
            layer_rows.append((spec.title, len(rows)))
            continue
        counts = rows[spec.split_by].value_counts().sort_index()
        layer_rows += [(spec.title_for(value), int(n)) for value, n in counts.items()]
    places = set(contents.events["place_id"]) | set(contents.flows["origin_place_id"])
    return BuildReport(
        articles=len(contents.articles),
        places=len(places),
        layer_rows=tuple(layer_rows),
        written=written,
        outputs=tuple(outputs),
    )
