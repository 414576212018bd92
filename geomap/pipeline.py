"""Compose the stages: ingest → recognise → resolve → events → join → store → render/export."""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from geomap.errors import ArticleError, GeomapError, OutputError, StoreError, UsageError
from geomap.extract.events import extract_events
from geomap.extract.text import sentences
from geomap.gazetteer import Gazetteer
from geomap.geocode import CachedGeocoder, OfflineGazetteer, get_geocoder
from geomap.ingest import IngestOptions, load
from geomap.recognise import recognise
from geomap.records import Article, ParsedArticle
from geomap.resolve import resolve_mentions
from geomap.settings import Settings

if TYPE_CHECKING:  # the build stages import GeoPandas and Folium: only when building
    from geopandas import GeoDataFrame

    from geomap import outputs
    from geomap.distributed import ClusterOptions, StoreRows
    from geomap.gazetteer import Progress
    from geomap.layers import LayerSpec
    from geomap.records import PubDate
    from geomap.store import StoreContents

log = logging.getLogger(__name__)
T = TypeVar("T")


def parse_article(
    article: Article,
    *,
    geocoder: OfflineGazetteer | CachedGeocoder,
) -> ParsedArticle:
    """Mentions, events and flows of one article already read.

    Recognition looks names up in the offline gazetteer the geocoder ranks with (or falls
    back to, for an online service).
    """
    gazetteer = offline_gazetteer(geocoder)
    split = sentences(article.text)
    spotted = recognise(
        article.id, article.text, split, language=article.language, gazetteer=gazetteer
    )
    mentions = resolve_mentions(spotted, geocoder=geocoder, text=article.text)
    events, flows = extract_events(article, split, mentions)
    return ParsedArticle(
        article=article,
        mentions=tuple(m for m in mentions if m.place is not None),
        events=tuple(events),
        flows=tuple(flows),
        unresolved=tuple(m for m in mentions if m.place is None),
    )


def offline_gazetteer(geocoder: OfflineGazetteer | CachedGeocoder) -> Gazetteer:
    """The offline gazetteer a geocoder ranks with, or falls back to."""
    offline = geocoder.fallback if isinstance(geocoder, CachedGeocoder) else geocoder
    return offline.gazetteer


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
    geocoder = geocoder or get_geocoder("offline", **geocoder_options)
    return parse_article(article, geocoder=geocoder)


def parse_many(
    sources: Sequence[str],
    *,
    geocoder: OfflineGazetteer | CachedGeocoder,
    options: IngestOptions,
    cluster: ClusterOptions | None = None,
) -> list[ParsedArticle | GeomapError]:
    """Parse each source; a failure is returned in its place and never stops the others.

    With ``cluster`` the articles are parsed on Dask (:mod:`geomap.distributed`): worker
    processes of this machine or a running cluster, with the same results in the same order.

    Raises
    ------
    GeomapError
        Only with ``cluster``: when the cluster cannot be reached or a worker cannot parse
        (no gazetteer index, another geomap version); nothing was parsed then.
    """
    return list(iter_parsed(sources, geocoder=geocoder, options=options, cluster=cluster))


def iter_parsed(
    sources: Sequence[str],
    *,
    geocoder: OfflineGazetteer | CachedGeocoder,
    options: IngestOptions,
    cluster: ClusterOptions | None = None,
    mentions: bool = True,
    rows: StoreRows | None = None,
) -> Generator[ParsedArticle | GeomapError, None, None]:
    """As :func:`parse_many`, one result at a time in the order of ``sources``: with
    ``cluster``, each as it comes back while the workers parse the next. ``mentions``
    ``False``: a cluster may send the articles back without their mentions and unresolved
    names (a build stores neither), which saves sending them. ``rows`` (only with
    ``cluster``): the workers build the store's rows into it, and the articles come back
    alone, without their text, under the sources the store keeps (see
    :func:`geomap.distributed.stream_on_cluster`).

    Raises
    ------
    GeomapError
        As :func:`parse_many`, when the iteration starts or while it goes on.
    """
    if cluster is not None:
        yield from _parse_on_cluster(
            sources,
            geocoder=geocoder,
            options=options,
            cluster=cluster,
            mentions=mentions,
            rows=rows,
        )
        return
    for source in sources:
        yield guarded(source, functools.partial(parse, source, geocoder=geocoder, options=options))


def _parse_on_cluster(
    sources: Sequence[str],
    *,
    geocoder: OfflineGazetteer | CachedGeocoder,
    options: IngestOptions,
    cluster: ClusterOptions,
    mentions: bool,
    rows: StoreRows | None,
) -> Iterator[ParsedArticle | GeomapError]:
    if not isinstance(geocoder, OfflineGazetteer):
        msg = (
            "--workers and --scheduler parse with the offline gazetteer only (an online "
            "geocoder's rate limit holds in one process); drop --geocoder or the cluster option"
        )
        raise UsageError(msg)
    from geomap.distributed import stream_on_cluster

    return stream_on_cluster(
        sources,
        cluster=cluster,
        options=options,
        index=geocoder.gazetteer.path,
        mentions=mentions,
        rows=rows,
    )


def guarded(source: str, work: Callable[[], T]) -> T | GeomapError:
    """``work()`` for one source, or the error that stops it: a fault of geomap's on one
    article becomes an :class:`ArticleError` naming it, so that it never loses the others."""
    try:
        return work()
    except GeomapError as exc:
        log.info("skipped: %s", exc)
        return exc
    except Exception as exc:  # a fault of geomap's on one article must not lose the others
        log.debug("fault while parsing %s", source, exc_info=True)
        msg = (
            f"{source}: geomap failed on this article ({type(exc).__name__}: {exc}); "
            "the other articles were read; please report it with the --debug output"
        )
        return ArticleError(msg)


# -- the run: settings → geocoder, ingest options, layer specs -------------------------------


@dataclass(frozen=True)
class Run:
    """What a command works with, made once from the settings (see :func:`prepare`)."""

    settings: Settings
    options: IngestOptions
    geocoder: OfflineGazetteer | CachedGeocoder | None = None
    specs: tuple[LayerSpec, ...] = ()


def prepare(
    settings: Settings,
    *,
    date: PubDate | None = None,
    language: str | None = None,
    geocoder: bool = False,
    layers: bool = False,
    progress: Progress | None = None,
) -> Run:
    """The run that ``parse``, ``build``, ``render``, ``export`` and the benches share.

    ``geocoder`` opens the settings' geocoder (building the offline index first if needed,
    reporting to ``progress``); ``layers`` loads the layer specs.

    Raises
    ------
    GeomapError
        When the geocoder is unknown, the index cannot be built or a layer file is bad.
    """
    options = IngestOptions(
        timeout=settings.timeout, max_bytes=settings.max_bytes, date=date, language=language
    )
    specs: tuple[LayerSpec, ...] = ()
    if layers:
        from geomap.layers import load_layers

        specs = tuple(load_layers(settings.layers_dir))
    opened = open_geocoder(settings, progress=progress) if geocoder else None
    return Run(settings=settings, options=options, geocoder=opened, specs=specs)


def index_path(settings: Settings) -> Path:
    """Where the offline gazetteer index of these settings lives."""
    from geomap.gazetteer import default_index_path

    return default_index_path(settings.cache_dir)


def open_geocoder(
    settings: Settings, *, progress: Progress | None = None
) -> OfflineGazetteer | CachedGeocoder:
    """The settings' geocoder, with the offline index built first when it is missing or old."""
    from geomap.gazetteer import Gazetteer

    options: dict[str, Any] = {"gazetteer": Gazetteer.open(index_path(settings), progress=progress)}
    if settings.geocoder != "offline" and settings.cache_dir is not None:
        options["cache_dir"] = settings.cache_dir
    return get_geocoder(settings.geocoder, **options)


# -- build: parse → join → store → render/export --------------------------------------------

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
    cluster: ClusterOptions | None = None,
) -> BuildReport:
    """Read the sources into the store and regenerate the map and exports.

    A source that cannot be read is reported in ``failures`` and never stops the others.
    With ``cluster`` the articles are parsed on Dask (see :func:`iter_parsed`), each handled
    here as it comes back while the workers parse the next; the store and outputs are the
    same as without.
    The store and each output are replaced atomically, under a lock on the output folder.

    Raises
    ------
    GeomapError
        When the store is damaged, the lock cannot be taken or an output cannot be written;
        the store and outputs are then as they were.
    """
    from geomap import outputs, store

    with contextlib.ExitStack() as drafting:
        rows = draft = None
        if cluster is not None and settings.store_url is None:  # the workers build the rows
            from geomap.atomic import target_of
            from geomap.distributed import StoreRows

            # a missing store is written while the workers parse (store.Draft), in the output
            # folder even when that is still to be made (by the lock, after the parsing)
            in_out = target_of(settings.store_path).parent.resolve() == settings.out_dir.resolve()
            draft = drafting.enter_context(store.draft(settings.store_location, make_folder=in_out))
            rows = StoreRows(draft=draft)
        parsed, failures = _parse_all(
            sources,
            geocoder=geocoder,
            options=options,
            cluster=cluster,
            rows=rows,
            progress=progress,
        )
        if failures and not parsed:
            return BuildReport(failures=tuple(failures))  # nothing read: nothing written
        # The store's transaction stays open while the outputs are written and commits last:
        # an output that cannot be written leaves the store as it was.
        with _run_lock(settings, keep=draft.file if draft is not None else None):
            rows_of = functools.partial(rows.contents, ordered=False) if rows is not None else None
            with store.update(settings.store_location, parsed, rows=rows_of, draft=draft) as update:
                key = _outputs_key(update.fingerprint, settings=settings, specs=specs)
                summary = None if update.change.changed else _unchanged_outputs(settings, key)
                made = None
                if summary is None:
                    made = _made(settings, specs, update)
                    summary = _summary(made, specs)
            _stamp_outputs(settings, key, summary)
            if made is not None and settings.store_url is None:
                outputs.keep(settings.out_dir, update.fingerprint, made)
    change = update.change
    return replace(
        summary,
        failures=tuple(failures),
        added=change.added,
        replaced=change.replaced,
        unchanged=change.unchanged,
    )


def _parse_all(
    sources: Sequence[str],
    *,
    geocoder: OfflineGazetteer | CachedGeocoder,
    options: IngestOptions,
    cluster: ClusterOptions | None,
    rows: StoreRows | None,
    progress: Callable[[str], None] | None,
) -> tuple[list[ParsedArticle], list[tuple[str, str]]]:
    """A build's parsed articles (under their stored sources) and failures, in order."""
    parsed: list[ParsedArticle] = []
    failures: list[tuple[str, str]] = []
    results = iter_parsed(
        sources, geocoder=geocoder, options=options, cluster=cluster, mentions=False, rows=rows
    )
    with contextlib.closing(results):  # a cluster stops as soon as the parsing fails
        for source, result in zip(sources, results, strict=True):
            if isinstance(result, GeomapError):
                log.debug("%s could not be read", source, exc_info=result)
                failures.append((source, str(result)))
            else:
                parsed.append(result if rows is not None else _with_stored_source(result))
            if progress:
                progress(source)
            if cluster is not None and len(parsed) + len(failures) == 1:
                _import_outputs()  # while the workers parse: the writer waits for them anyway
    return parsed, failures


def _import_outputs() -> None:
    """Import what writing the outputs needs (Folium and its templates, the exporters)."""
    import geomap.export
    import geomap.render  # noqa: F401


def _with_stored_source(parsed: ParsedArticle) -> ParsedArticle:
    """The article under the source the store keeps (a local file without its folder)."""
    from geomap.serialize import stored_source

    article = replace(parsed.article, source=stored_source(parsed.article.source))
    return replace(parsed, article=article)


def render(*, settings: Settings, specs: Sequence[LayerSpec]) -> BuildReport:
    """Regenerate the map and exports from the store alone.

    Raises
    ------
    GeomapError
        When the store is missing or damaged, or an output cannot be written.
    """
    from geomap import outputs, store

    _require_store(settings)
    with _run_lock(settings):
        made = outputs.whole(
            lambda: store.read(settings.store_location),
            specs=specs,
            settings=_map_settings(settings),
        )
        if settings.store_url is None:
            outputs.keep(settings.out_dir, made.stored, made)
    return _summary(made, specs)


def _require_store(settings: Settings) -> None:
    """Refuse to go on without a store to read.

    Raises
    ------
    StoreError
        When there is no store file, or the database holds no geomap store.
    """
    from geomap import store

    if not store.exists(settings.store_location):
        shown = store.shown(settings.store_location)
        msg = f"no store at {shown}; run 'geomap build' first or pass --store"
        raise StoreError(msg)


def merged_events(contents: StoreContents) -> GeoDataFrame:
    """The store's events as the outputs show them: each incident once, with all its reports
    (:func:`geomap.join.merge_reports`)."""
    from geomap.join import merge_reports

    return merge_reports(contents.events)


def merged_flows(contents: StoreContents) -> GeoDataFrame:
    """The store's flows as the outputs show them: each contingent once, with all its sources
    (:func:`geomap.join.merge_flows`)."""
    from geomap.join import merge_flows

    return merge_flows(contents.flows, contents.articles)


def _map_settings(settings: Settings) -> outputs.MapSettings:
    from geomap import outputs

    return outputs.MapSettings(settings.out_dir, settings.title, settings.self_contained)


def _made(settings: Settings, specs: Sequence[LayerSpec], update: Any) -> outputs.Made:
    """The outputs after a store update: re-merging only what it touched when the merged
    events of the last build or render are kept beside the outputs, else everything."""
    from geomap import outputs

    shaped = _map_settings(settings)
    made = outputs.incremental(update, specs=specs, settings=shaped)
    return made or outputs.whole(update.load, specs=specs, settings=shaped)


#: Beside the outputs: which store contents and settings they were made from, so a run that
#: changes neither (the same articles again) regenerates nothing.
STAMP_FILE = ".geomap-outputs.json"


def _outputs_key(fingerprint: str, *, settings: Settings, specs: Sequence[LayerSpec]) -> str:
    """A digest of everything the outputs are made from: the store's articles, the settings
    that shape the map, the layer specs and geomap's version."""
    import hashlib
    import json

    from geomap import __version__

    made_from = [
        fingerprint,
        settings.title,
        settings.self_contained,
        [repr(spec) for spec in specs],
        __version__,
    ]
    return hashlib.sha256(json.dumps(made_from, default=str).encode()).hexdigest()


def _unchanged_outputs(settings: Settings, key: str) -> BuildReport | None:
    """The summary of the outputs on disk if they were made from ``key`` and are untouched."""
    import json

    from geomap.outputs import NAMES as _OUTPUT_NAMES

    folder = settings.out_dir
    try:
        stamp = json.loads((folder / STAMP_FILE).read_text(encoding="utf-8"))
        if stamp["key"] != key:
            return None
        for name in _OUTPUT_NAMES:
            info = (folder / name).stat()
            if [info.st_size, info.st_mtime_ns] != stamp["files"][name]:
                return None
        return BuildReport(
            articles=int(stamp["articles"]),
            places=int(stamp["places"]),
            layer_rows=tuple((str(t), int(n)) for t, n in stamp["layer_rows"]),
            outputs=tuple(folder / name for name in _OUTPUT_NAMES),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _stamp_outputs(settings: Settings, key: str, summary: BuildReport) -> None:
    """Record what the outputs were made from (after the store has committed)."""
    import json

    from geomap.atomic import write_text
    from geomap.outputs import NAMES as _OUTPUT_NAMES

    folder = settings.out_dir
    try:
        files = {}
        for name in _OUTPUT_NAMES:
            info = (folder / name).stat()
            files[name] = [info.st_size, info.st_mtime_ns]
    except OSError:
        return
    stamp = {
        "key": key,
        "files": files,
        "articles": summary.articles,
        "places": summary.places,
        "layer_rows": [list(row) for row in summary.layer_rows],
    }
    try:
        write_text(folder / STAMP_FILE, json.dumps(stamp, sort_keys=True) + "\n")
    except GeomapError:
        log.info("could not record the outputs in %s", folder / STAMP_FILE)


@contextlib.contextmanager
def _run_lock(settings: Settings, *, keep: Path | None = None) -> Iterator[None]:
    """Serialise runs on the same output folder and store; clear what killed runs left
    (but not ``keep``, this run's own draft of the store)."""
    from geomap.atomic import locked, remove_leftovers, target_of

    folder = settings.out_dir
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        msg = f"cannot create the output folder {folder}: {exc.strerror}; choose another --out"
        raise OutputError(msg) from exc
    with contextlib.ExitStack() as stack:
        folders = dict.fromkeys([folder.resolve()])
        if settings.store_url is None:  # a database serialises its writers itself
            folders[target_of(settings.store_path).parent.resolve()] = None  # where it is written
        for each in folders:
            stack.enter_context(locked(each / LOCK_FILE, wait=settings.lock_wait))
        for each in folders:
            remove_leftovers(each, keep=[keep] if keep is not None else [])
        yield


def _summary(made: outputs.Made, specs: Sequence[LayerSpec]) -> BuildReport:
    view = made.view
    frames = {"events": view.events, "flows": view.flows}
    layer_rows: list[tuple[str, int]] = []
    for spec in specs:
        rows = spec.rows(frames[spec.source])
        if spec.split_by is None:
            layer_rows.append((spec.title, len(rows)))
            continue
        counts = rows[spec.split_by].value_counts().sort_index()
        layer_rows += [(spec.title_for(value), int(n)) for value, n in counts.items()]
    return BuildReport(
        articles=view.articles,
        places=view.places,
        layer_rows=tuple(layer_rows),
        written=made.written,
        outputs=made.outputs,
    )


# -- export: the store's layers in another format ---------------------------------------------


@dataclass(frozen=True)
class Exported:
    """An export's result: its text (when written to standard output) or the files written."""

    text: str | None = None
    written: tuple[Path, ...] = ()


def export(
    settings: Settings, *, format_: str, layer: str = "events", target: Path | None = None
) -> Exported:
    """Export the store's ``layer`` (events or flows) as ``format_``.

    Text formats (GeoJSON, CSV) without ``target`` come back as text; ``gpkg`` copies the
    whole store; ``shp`` writes one file set per geometry type.

    Raises
    ------
    UsageError
        When the format or layer is unknown, or a binary format has no ``target``.
    GeomapError
        When the store is missing or damaged, or a file cannot be written.
    """
    from geomap import store
    from geomap.atomic import replacing, write_bytes
    from geomap.export import csv_text, geojson_text
    from geomap.export_formats import FORMATS, TEXT_FORMATS, write_file

    if format_ not in FORMATS:
        msg = f"--format {format_!r} is not known; use one of {', '.join(FORMATS)}"
        raise UsageError(msg)
    if layer not in {"events", "flows"}:
        msg = f"--layer {layer!r} is not known; use events or flows"
        raise UsageError(msg)
    if target is None and format_ not in TEXT_FORMATS:
        msg = f"--format {format_} needs --out FILE (it is not text)"
        raise UsageError(msg)
    _require_store(settings)
    contents = store.read(settings.store_location)  # also refuses to copy a damaged store
    if format_ == "gpkg" and target is not None:
        if settings.store_url is not None:  # a database: its tables into a new GeoPackage
            store.write(target, contents)
            return Exported(written=(target,))
        with replacing(target) as temp:
            temp.write_bytes(settings.store_path.read_bytes())
        return Exported(written=(target,))
    frame = merged_events(contents) if layer == "events" else merged_flows(contents)
    if format_ in TEXT_FORMATS:
        key = "event_id_cnty" if layer == "events" else "flow_id"
        raw = ("reports",) if layer == "events" else ()  # merged events' JSON, as it is
        text = (
            geojson_text(frame, id_column=key, json_text=raw)
            if format_ == "geojson"
            else csv_text(frame)
        )
        if target is None:
            return Exported(text=text)
        write_bytes(target, text.encode("utf-8"))
        return Exported(written=(target,))
    written = write_file(frame, target or Path(f"{layer}.{format_}"), format_=format_, layer=layer)
    return Exported(written=tuple(written))


# -- stats: what the store holds ---------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    """Counts of what a store holds: events per type, country and month; articles; sources."""

    events: int
    flows: int
    articles: int
    by_type: tuple[tuple[str, int], ...]
    by_country: tuple[tuple[str, int], ...]
    by_month: tuple[tuple[str, int], ...]
    by_source: tuple[tuple[str, int], ...]

    def as_json(self) -> dict[str, Any]:
        """The counts as a JSON-ready dict."""
        return {
            "events": self.events,
            "flows": self.flows,
            "articles": self.articles,
            "events_by_type": dict(self.by_type),
            "events_by_country": dict(self.by_country),
            "events_by_month": dict(self.by_month),
            "articles_by_source": dict(self.by_source),
        }


def stats(settings: Settings) -> Stats:
    """Count the store's events (per type, country, month), flows, articles and sources.

    Raises
    ------
    GeomapError
        When the store is missing or damaged.
    """
    from geomap import store
    from geomap.serialize import shown_source

    _require_store(settings)
    contents = store.read(settings.store_location)
    events = merged_events(contents)
    months = events["event_date"].fillna("").str[:7].replace("", "undated")
    sources = contents.articles["source"].map(shown_source)
    return Stats(
        events=len(events),
        flows=len(merged_flows(contents)),
        articles=len(contents.articles),
        by_type=_counted(events["event_type"].fillna("unknown")),
        by_country=_counted(events["country"].fillna(events["country_code"]).fillna("unknown")),
        by_month=tuple(sorted(_counted(months))),
        by_source=_counted(sources),
    )


def _counted(values: Any) -> tuple[tuple[str, int], ...]:
    """Each value with its count, the most frequent first, ties by value."""
    counts = values.astype(str).value_counts()
    return tuple(sorted(((str(k), int(n)) for k, n in counts.items()), key=lambda x: (-x[1], x[0])))
