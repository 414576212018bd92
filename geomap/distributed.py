"""Parse articles on Dask: a ``LocalCluster`` of worker processes or an existing cluster.

The client (this process) reads each source's bytes where the user named it (files, URLs,
standard input) and sends them to the workers in batches; each worker makes the articles and
parses them with the gazetteer index it opened once, read-only and memory-mapped, when it
joined (:class:`GazetteerPlugin`). Results stream back in the order of the sources while the
workers go on parsing, so the one writer handles each article as it comes (overlapping the
parsing) and stores exactly what a build in a single process stores. For a build, workers
also build the store's rows of each batch (:class:`StoreRows`) and send back only these and
each article's name (no events, flows or mentions): the writer only inserts them.

Workers need geomap (the same version as the client) and the gazetteer index built from the
same data (``geomap gazetteer build`` in their cache folder, or a shared one through
``GEOMAP_CACHE_DIR``); a worker without them refuses with one line naming it.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import functools
import io
import logging
import operator
import pickle
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import dask
from distributed import Client, Future, LocalCluster, WorkerPlugin, as_completed, get_worker

from geomap import __version__
from geomap.errors import GazetteerError, GeomapError, UsageError
from geomap.gazetteer import Gazetteer
from geomap.gazetteer.index import stored_fingerprint
from geomap.geocode import OfflineGazetteer
from geomap.ingest import IngestOptions, article_from_bytes, read_source
from geomap.pipeline import guarded, index_path, parse_article
from geomap.records import Article, EventFact, Flow, Mention, ParsedArticle, Place, PubDate
from geomap.serialize import stored_source
from geomap.settings import Settings
from geomap.store.contents import KEYS, LAYERS, StoreContents

if TYPE_CHECKING:
    from distributed import Worker

    from geomap.store.gpkg import Draft

log = logging.getLogger(__name__)

PLUGIN_NAME = "geomap-gazetteer"
#: Address schemes of a Dask scheduler geomap connects to.
_SCHEMES = ("tcp", "tls")
#: A batch holds at most this many articles or this many bytes of source, whichever comes first:
#: large enough that Dask's per-task cost (about 6 ms of the client's CPU: submitting,
#: scheduling, receiving) is small beside the parsing (about 1 s for 1,000 short articles),
#: small enough that every worker gets many batches and finishes at about the same time.
BATCH_ARTICLES = 1000
BATCH_BYTES = 4 * 1024 * 1024
#: Batches in flight per worker thread: enough that no worker waits for the client.
_IN_FLIGHT = 2
#: Dask settings of the local cluster geomap starts: no statistical profiler sampling the
#: parsing thread every 10 ms (it cost about 15 % of a worker's CPU time), and its health and
#: memory checks every half to two seconds instead of every 20 to 500 ms (an idle two-worker
#: cluster then takes 1.5 CPU seconds a minute of this machine's cores, not 4.3).
_WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.tick.interval": "500ms",
}

Result = ParsedArticle | GeomapError


class ClusterError(GeomapError, ConnectionError):
    """The Dask cluster cannot be reached or lost its workers."""


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    """Where to parse: ``workers`` processes on this machine, or the cluster at ``scheduler``.

    Parameters
    ----------
    workers
        Worker processes of a ``LocalCluster`` started for the run (one thread each).
    scheduler
        Address of a running Dask scheduler, ``tcp://HOST:PORT`` (``HOST:PORT`` means tcp).
    connect_timeout
        Seconds to wait for the scheduler, and for its first worker.
    batch_articles, batch_bytes
        Most articles, and most bytes of source, sent to a worker in one task.

    Raises
    ------
    UsageError
        When both or neither of ``workers`` and ``scheduler`` are given, or one cannot work.
    """

    workers: int | None = None
    scheduler: str | None = None
    connect_timeout: float = 10.0
    batch_articles: int = BATCH_ARTICLES
    batch_bytes: int = BATCH_BYTES

    def __post_init__(self) -> None:
        if (self.workers is None) == (self.scheduler is None):
            msg = "give either --workers N or --scheduler tcp://HOST:PORT, not both"
            raise UsageError(msg)
        if self.workers is not None and self.workers < 1:
            msg = f"--workers must be 1 or more, not {self.workers}"
            raise UsageError(msg)
        if self.scheduler is not None:
            scheduler_address(self.scheduler)
        if not self.connect_timeout > 0:
            msg = f"the connection timeout must be above 0 seconds, not {self.connect_timeout}"
            raise UsageError(msg)
        if self.batch_articles < 1 or self.batch_bytes < 1:
            msg = "a batch must hold at least one article and one byte"
            raise UsageError(msg)


def scheduler_address(given: str) -> str:
    """``given`` as a scheduler address Dask takes: ``tcp://HOST:PORT`` or ``tls://HOST:PORT``.

    Raises
    ------
    UsageError
        When ``given`` has another scheme, no host or no valid port.
    """
    address = given if "://" in given else f"tcp://{given}"
    parts = urlsplit(address)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in _SCHEMES or not parts.hostname or port is None or parts.path:
        msg = f"--scheduler {given!r} is not a Dask scheduler address; write tcp://HOST:PORT"
        raise UsageError(msg)
    return address


# -- the client side --------------------------------------------------------------------------


def parse_on_cluster(
    sources: Sequence[str], *, cluster: ClusterOptions, options: IngestOptions, index: Path
) -> list[Result]:
    """Each source's parsed article or error, in the order of ``sources``, parsed on Dask.

    ``index`` is this machine's gazetteer index: a local cluster's workers open it, those of
    a remote cluster their own, which must have been built from the same data. A source that
    cannot be read, or on which geomap fails, is its error, as in
    :func:`geomap.pipeline.parse_many`.

    Raises
    ------
    ClusterError
        When the scheduler cannot be reached, has no workers or loses them all.
    GazetteerError
        When a worker has no gazetteer index, or one built from other data.
    """
    return list(stream_on_cluster(sources, cluster=cluster, options=options, index=index))


def stream_on_cluster(
    sources: Sequence[str],
    *,
    cluster: ClusterOptions,
    options: IngestOptions,
    index: Path,
    mentions: bool = True,
    rows: StoreRows | None = None,
) -> Iterator[Result]:
    """As :func:`parse_on_cluster`, one result at a time, each as soon as it and those
    before it have come back, while the workers parse the next; the cluster is stopped (or
    left) when the iteration ends or is abandoned. ``mentions`` ``False``: the articles come
    back without their mentions and unresolved names (what the store keeps; less to send).
    With ``rows``, each batch's store rows, built by the workers with the sources the store
    keeps, are added to ``rows`` before its results are yielded; the results are then only
    the articles under their stored sources, without their text, mentions, events or flows.

    Raises
    ------
    ClusterError, GazetteerError
        As :func:`parse_on_cluster`, when the iteration starts or while it goes on.
    """
    with _connected(cluster) as client:
        _register(client, index=index if cluster.workers is not None else None, own=index)
        threads = sum(client.nthreads().values())  # type: ignore[no-untyped-call]
        # many batches, so that every worker has one queued, but none above the limits
        articles = max(1, min(cluster.batch_articles, -(-len(sources) // (threads * _IN_FLIGHT))))
        batches = _batches(sources, options=options, articles=articles, size=cluster.batch_bytes)
        work = _Work(options=options, mentions=mentions, rows=rows is not None)
        for batch, contents in _in_order(client, batches, work=work, window=threads * _IN_FLIGHT):
            if rows is not None and contents is not None:
                rows.add(contents)
            yield from batch


class StoreRows:
    """The store's rows of the articles parsed so far, as the workers built them batch by
    batch: :meth:`contents` gives the rows that :meth:`StoreContents.of` gives. With a
    ``draft`` (a missing GeoPackage store), each batch's rows also go to it as they come.
    """

    def __init__(self, *, draft: Draft | None = None) -> None:
        self._parts: list[StoreContents] = []
        self._ids: set[str] = set()
        self._draft = draft

    def add(self, contents: StoreContents) -> None:
        """Keep one batch's rows (batches in the order of the sources)."""
        self._parts.append(contents)
        self._ids.update(str(key) for key in contents.articles["article_id"].tolist())
        if self._draft is not None:
            self._draft.add(contents)

    def contents(self, fresh: Sequence[ParsedArticle], *, ordered: bool = True) -> StoreContents:
        """The rows of the articles ``fresh`` (among those added), as
        ``StoreContents.of(fresh)``: an article read twice keeps its first rows. ``ordered``
        ``False``: the same rows in the order read, not sorted by key (what a store and the
        merged outputs make of them does not depend on the order; sorting every column of
        100,000 events took a second)."""
        import pandas as pd

        ids = {item.article.id for item in fresh}
        every = self._ids <= ids  # the rows of every article added (e.g. into a new store)
        empty = StoreContents.empty()
        layers = {}
        for name in LAYERS:
            frames = [part.layer(name) for part in self._parts]
            frames = [frame for frame in frames if not frame.empty]
            if not frames:
                layers[name] = empty.layer(name)
                continue
            frame = frames[0] if len(frames) == 1 else pd.concat(_alike(frames), ignore_index=True)
            if not every:
                frame = frame[frame["article_id"].isin(ids)]
            if frame.empty:  # its text columns as an empty frame has them
                layers[name] = empty.layer(name)
                continue
            # each batch's rows are sorted by key without repeats: the first batch's row of a
            # key repeated across batches is the first read, which StoreContents.of keeps
            if not frame[KEYS[name]].is_unique:
                frame = frame.drop_duplicates(subset=[KEYS[name]], keep="first")
            if ordered:
                frame = frame.sort_values(KEYS[name], kind="stable")
            layers[name] = frame.reset_index(drop=True)
        return StoreContents(**layers)


def _register(client: Client, *, index: Path | None, own: Path) -> None:
    """Have every worker, now or when it joins, open its gazetteer index once; ``index``
    ``None``: the worker's own, which must be built from the same data as ``own``.

    Raises
    ------
    GeomapError
        When a worker cannot open its index or cannot load geomap at all.
    """
    plugin = GazetteerPlugin(index=index, fingerprint=stored_fingerprint(own), version=__version__)
    try:
        client.register_plugin(plugin, name=PLUGIN_NAME)
    except GeomapError:
        raise
    except Exception as exc:  # a worker without geomap cannot even unpickle the plugin
        msg = (
            f"a Dask worker cannot load geomap ({type(exc).__name__}: {exc}); "
            f"install geomap {__version__} on every worker"
        )
        raise ClusterError(msg) from exc


@contextlib.contextmanager
def _connected(cluster: ClusterOptions) -> Iterator[Client]:
    """A client of a new local cluster or of the scheduler named, closed (and stopped) after."""
    with contextlib.ExitStack() as stack:
        if cluster.workers is not None:
            yield stack.enter_context(_local_client(cluster.workers))
            return
        assert cluster.scheduler is not None  # ClusterOptions holds one or the other
        address = scheduler_address(cluster.scheduler)
        try:
            client = stack.enter_context(
                Client(address, timeout=cluster.connect_timeout, set_as_default=False)  # type: ignore[no-untyped-call]
            )
        except (OSError, TimeoutError) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            msg = (
                f"cannot reach the Dask scheduler at {cluster.scheduler} ({reason}); "
                "start it with 'dask scheduler' or check --scheduler"
            )
            raise ClusterError(msg) from exc
        try:
            client.wait_for_workers(1, timeout=cluster.connect_timeout)
        except (OSError, TimeoutError) as exc:
            msg = (
                f"the Dask scheduler at {cluster.scheduler} has no workers after "
                f"{cluster.connect_timeout:g} s; start some with 'dask worker {address}'"
            )
            raise ClusterError(msg) from exc
        yield client


@contextlib.contextmanager
def _local_client(workers: int) -> Iterator[Client]:
    """A client of a ``LocalCluster`` of ``workers`` single-threaded processes on loopback."""
    try:
        with dask.config.set(_WORKER_CONFIG):
            local = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",  # Dask's HTTP routes: loopback, any free port
                silence_logs=logging.ERROR,
            )
    except (OSError, TimeoutError, RuntimeError) as exc:  # RuntimeError: a worker did not start
        msg = f"cannot start {workers} Dask worker processes on this machine: {exc}"
        raise ClusterError(msg) from exc
    with local, Client(local, set_as_default=False) as client:  # type: ignore[no-untyped-call]
        yield client


def _alike(frames: list[Any]) -> list[Any]:
    """Frames whose text columns have one dtype: a batch in which a text column holds only
    missing values has it as ``object``, others as pandas' string dtype, which a frame of
    all the rows would have (and which concatenating them would lose)."""
    kinds = [dict(zip(frame.columns, frame.dtypes, strict=True)) for frame in frames]
    columns = [
        column for column in frames[0].columns if len({str(kind[column]) for kind in kinds}) > 1
    ]
    if not columns:
        return frames
    # the one dtype other than object a column has in some batch, if it has exactly one
    typed = {}
    for column in columns:
        others = {kind[column] for kind in kinds if str(kind[column]) != "object"}
        if len(others) == 1:
            typed[column] = others.pop()
    alike = []
    for frame, kind in zip(frames, kinds, strict=True):
        casts = {column: typed[column] for column in typed if str(kind[column]) == "object"}
        alike.append(frame.astype(casts) if casts else frame)
    return alike


@dataclass(frozen=True)  # no slots: dataclasses unpickle those field by field, in Python
class _Work:
    """How workers make and parse a batch: the ingest options, whether to keep mentions, and
    whether to build the store's rows (then each article is sent without what they hold)."""

    options: IngestOptions
    mentions: bool = True
    rows: bool = False


@dataclass(frozen=True)  # no slots, as _Work
class _Raw:
    """The bytes of one source as read by the client, to be made an article by a worker."""

    source: str
    data: bytes
    content_type: str | None
    #: The source as the store keeps it (a local file's depends on the client's folder).
    stored: str


def _batches(
    sources: Iterable[str], *, options: IngestOptions, articles: int, size: int
) -> Iterator[list[_Raw | GeomapError]]:
    """The sources read one batch at a time, each of at most ``articles`` sources or (unless
    it has one) ``size`` bytes; a source that cannot be read is its error."""
    batch: list[_Raw | GeomapError] = []
    held = 0
    for source in sources:
        item = guarded(source, functools.partial(_read, source, options=options))
        if batch and isinstance(item, _Raw) and held + len(item.data) > size:
            yield batch
            batch, held = [], 0
        batch.append(item)
        held += len(item.data) if isinstance(item, _Raw) else 0
        if len(batch) >= articles:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def _read(source: str, *, options: IngestOptions) -> _Raw:
    data, content_type = read_source(source, options=options)
    return _Raw(source, data, content_type, stored_source(source))


def _in_order(
    client: Client,
    batches: Iterator[list[_Raw | GeomapError]],
    *,
    work: _Work,
    window: int,
) -> Iterator[tuple[list[Result], StoreContents | None]]:
    """Each batch's results in the order the batches were read. At most ``window`` batches
    are in flight: the client reads ahead only as far as the workers keep up, and a batch
    that finishes early is held until those before it have come."""
    position: dict[object, int] = {}
    finished: dict[int, tuple[list[Result], StoreContents | None]] = {}
    running = as_completed(loop=client.loop)  # type: ignore[no-untyped-call]
    submitted = shown = 0

    def submit_next() -> None:
        nonlocal submitted
        batch = next(batches, None)
        if batch is not None:
            # one bytes object: Dask pickles a task's arguments more than once on the way
            packed = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
            future = client.submit(parse_batch, packed, work, pure=False)
            position[future.key] = submitted
            submitted += 1
            running.add(future)  # type: ignore[no-untyped-call]

    for _ in range(window):
        submit_next()
    for future in running:
        finished[position.pop(future.key)] = _result(future)
        submit_next()
        while shown in finished:
            yield finished.pop(shown)
            shown += 1


def _result(future: Future[bytes]) -> tuple[list[Result], StoreContents | None]:
    """A batch's results and store rows (``None`` unless asked for); the cluster losing the
    work is one :class:`ClusterError`."""
    from distributed.client import FutureCancelledError
    from distributed.scheduler import KilledWorker

    try:
        packed: bytes = future.result()
    except (KilledWorker, FutureCancelledError, OSError, TimeoutError) as exc:
        msg = f"the Dask cluster lost the work ({type(exc).__name__}: {exc}); check its workers"
        raise ClusterError(msg) from exc
    results: tuple[list[Result], StoreContents | None] = pickle.loads(packed)  # our own workers
    return results


# -- the worker side --------------------------------------------------------------------------


class GazetteerPlugin(WorkerPlugin):
    """Opens the gazetteer index once per worker process, read-only and memory-mapped.

    Parameters
    ----------
    index
        The index to open; ``None``: the worker's own (its ``GEOMAP_CACHE_DIR`` or user cache).
    fingerprint
        The client's index fingerprint: the worker's must be the same, or results could differ.
    version
        The client's geomap version, which the worker's must equal.
    """

    name = PLUGIN_NAME

    def __init__(self, *, index: Path | None, fingerprint: str | None, version: str) -> None:
        self.index = index
        self.fingerprint = fingerprint
        self.version = version
        self._problem: str | None = "the gazetteer index has not been opened on this worker"
        self._gazetteer: Gazetteer | None = None
        self._local = threading.local()

    def __getstate__(self) -> dict[str, Any]:
        return {"index": self.index, "fingerprint": self.fingerprint, "version": self.version}

    def __setstate__(self, state: dict[str, Any]) -> None:
        GazetteerPlugin.__init__(self, **state)

    def setup(self, worker: Worker) -> None:
        """Check the worker's geomap and index, and open the index (Dask calls this once).

        Raises
        ------
        GazetteerError
            When the worker's geomap or index differs from the client's or is missing.
        """
        path = self.index or index_path(Settings.load())
        self._problem = _mismatch(
            f"Dask worker {worker.address}",
            path,
            fingerprint=self.fingerprint,
            version=self.version,
        )
        if self._problem is not None:
            raise GazetteerError(self._problem)
        self._gazetteer = Gazetteer(path)
        log.debug("Dask worker %s opened the gazetteer index %s", worker.address, path)

    def geocoder(self) -> OfflineGazetteer:
        """This thread's geocoder over the worker's one open index.

        Raises
        ------
        GazetteerError
            When :meth:`setup` could not open the index.
        """
        if self._problem is not None:
            raise GazetteerError(self._problem)
        geocoder: OfflineGazetteer | None = getattr(self._local, "geocoder", None)
        if geocoder is None:
            geocoder = OfflineGazetteer(gazetteer=self._gazetteer)
            self._local.geocoder = geocoder
        return geocoder


def _mismatch(where: str, path: Path, *, fingerprint: str | None, version: str) -> str | None:
    """Why a worker cannot parse as the client would, or ``None`` when it can."""
    if version != __version__:
        return (
            f"{where} runs geomap {__version__}, this machine {version}; "
            "install the same version on every worker"
        )
    found = stored_fingerprint(path)
    if found is None:
        return f"{where} has no gazetteer index at {path}; run 'geomap gazetteer build' there"
    if found != fingerprint:
        return (
            f"{where} has a gazetteer index at {path} built from other data than this "
            "machine's; run 'geomap gazetteer build' there with the same packages"
        )
    return None


#: The records a worker sends back, each pickled as a call of its class on its field values
#: (``Place(*values)``) instead of through the ``__setstate__`` of a slotted dataclass, which
#: looks its fields up again for every object: the client unpickles in about half the time.
_RECORDS = (ParsedArticle, Article, PubDate, Place, Mention, EventFact, Flow)


def _by_fields(fields: operator.attrgetter[Any], record: Any) -> tuple[type, tuple[Any, ...]]:
    return type(record), fields(record)


@functools.cache
def _dispatch_table() -> dict[type, Any]:
    table: dict[type, Any] = dict(copyreg.dispatch_table)
    for kind in _RECORDS:
        names = [field.name for field in dataclasses.fields(kind)]
        assert len(names) > 1  # attrgetter of one name gives the value, not a tuple
        table[kind] = functools.partial(_by_fields, operator.attrgetter(*names))
    return table


def _packed(results: tuple[list[Result], StoreContents | None]) -> bytes:
    """A batch's results and rows as the bytes a worker sends back (see :data:`_RECORDS`)."""
    stream = io.BytesIO()
    pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _dispatch_table()
    pickler.dump(results)
    return stream.getvalue()


def parse_batch(packed: bytes, work: _Work) -> bytes:
    """Make and parse the articles of one batch (a pickled list of :class:`_Raw` and reading
    errors, which pass through) on a worker: the results, and with ``work.rows`` the store's
    rows of the batch (the results are then the articles alone, under their stored sources
    and without their text),
    pickled (:func:`_packed`).

    Raises
    ------
    GazetteerError
        When this worker could not open the gazetteer index.
    """
    worker = get_worker()
    plugin = worker.plugins.get(PLUGIN_NAME)
    if not isinstance(plugin, GazetteerPlugin):
        msg = f"Dask worker {worker.address} has not opened geomap's gazetteer index"
        raise GazetteerError(msg)
    geocoder = plugin.geocoder()
    batch: list[_Raw | GeomapError] = pickle.loads(packed)  # as Dask would: from our client

    def parsed(raw: _Raw) -> ParsedArticle:
        article = article_from_bytes(
            raw.data, source=raw.source, content_type=raw.content_type, options=work.options
        )
        result = parse_article(article, geocoder=geocoder)
        if work.rows:
            stored = dataclasses.replace(result.article, source=raw.stored)
            return ParsedArticle(stored, events=result.events, flows=result.flows)
        if work.mentions:
            return result
        return dataclasses.replace(result, mentions=(), unresolved=())

    results = [
        item
        if isinstance(item, GeomapError)
        else guarded(item.source, functools.partial(parsed, item))
        for item in batch
    ]
    if not work.rows:
        return _packed((results, None))
    articles = [item for item in results if isinstance(item, ParsedArticle)]
    rows = StoreContents.of(articles)
    return _packed(([_named(item) for item in results], rows))


def _named(result: Result) -> Result:
    """A result as a build's writer needs it beside the store's rows: the article alone,
    without its text (the rows hold what the store keeps of it; a client given back the text
    of every article would hold them all until the store is written)."""
    if isinstance(result, GeomapError):
        return result
    return ParsedArticle(dataclasses.replace(result.article, text=""))
