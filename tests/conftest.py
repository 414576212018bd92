"""Shared fixtures: no test may reach the network, except loopback servers it starts."""

from __future__ import annotations

import contextlib
import io
import ipaddress
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from socketserver import BaseRequestHandler
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from geomap.records import ParsedArticle

SHARED_ARTICLES = Path(__file__).resolve().parents[1].parent / "shared" / "articles"
NTB_ARTICLE = SHARED_ARTICLES / "ntb-2022-01-kazakhstan-coup-claim.nb.txt"

#: ACLED's 31 columns, in the order of ACLED's codebook (written out here, not imported).
ACLED_COLUMNS = """
event_id_cnty event_date year time_precision disorder_type event_type sub_event_type actor1
assoc_actor_1 inter1 actor2 assoc_actor_2 inter2 interaction civilian_targeting iso region
country admin1 admin2 admin3 location latitude longitude geo_precision source source_scale
notes fatalities tags timestamp
""".split()


def _is_loopback(address: Any) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
    else:
        return True  # Unix sockets never leave the machine.
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail loudly on any connection that is not to this machine's loopback."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded(sock: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            msg = f"tests must not reach the network (tried {address!r})"
            raise RuntimeError(msg)
        return real_connect(sock, address)

    def guarded_ex(sock: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            msg = f"tests must not reach the network (tried {address!r})"
            raise RuntimeError(msg)
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_ex)
    yield


@pytest.fixture
def unwritable_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder that cannot be made: a file stands where its parent would be."""
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(blocker / "cache"))
    return blocker / "cache"


def in_ci() -> bool:
    """Whether this run is CI's (``CI=true``), where every test must run."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require_shared(path: Path) -> Path:
    """A file of ``../shared`` (an article or corpus file): skipped without it on a developer's
    machine, a failure in CI, where a silent skip would hide every test that reads it."""
    if path.exists():
        return path
    if in_ci():
        pytest.fail(f"{path} is missing in CI; the shared articles and corpus must be present")
    pytest.skip(f"the shared folder is absent ({path.parent})")


@pytest.fixture
def ntb_article() -> Path:
    """The real Norwegian article in ../shared/articles/."""
    return require_shared(NTB_ARTICLE)


@dataclass(frozen=True)
class Run:
    """What one ``geomap`` run did: its exit code and what it printed."""

    code: int
    out: str
    err: str


#: Parse a text in a language (``parse(text, "nb")``), published 2023-05-12.
Parse = Callable[[str, str], "ParsedArticle"]


@pytest.fixture(scope="session")
def parse() -> Parse:
    """Parse own-words texts with the offline gazetteer, as ``geomap parse`` would."""
    from geomap.geocode import OfflineGazetteer
    from geomap.ingest import IngestOptions, article_from_bytes
    from geomap.pipeline import parse_article
    from geomap.records import PubDate

    geocoder = OfflineGazetteer()

    def run(text: str, language: str) -> ParsedArticle:
        options = IngestOptions(language=language, date=PubDate.parse("2023-05-12"))
        article = article_from_bytes(text.encode(), source="t.txt", options=options)
        return parse_article(article, geocoder=geocoder)

    return run


def start_geomap(*args: str, cwd: Path) -> subprocess.Popen[str]:
    """Start ``python -m geomap ARGS`` in ``cwd`` as its own process, output captured."""
    return subprocess.Popen(
        [sys.executable, "-m", "geomap", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def export_layer(store: Path, format_: str, layer: str, target: Path) -> Run:
    """``geomap export`` of one layer of ``store`` in ``format_`` to ``target``."""
    return run_geomap(
        "export", "--store", str(store), "--format", format_, "--layer", layer, "--out", str(target)
    )


def run_geomap(*args: str) -> Run:
    """Run the real entry point (``geomap.cli.main``) in this process, capturing its output.

    The root logger (which the CLI configures) is left as it was.
    """
    from geomap.cli import main

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stdout, stderr = io.StringIO(), io.StringIO()
    code: Any = 0
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            main(list(args))
    except SystemExit as exc:
        code = exc.code
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return Run(code if isinstance(code, int) else 1, stdout.getvalue(), stderr.getvalue())


@contextlib.contextmanager
def serving(
    handler: Callable[..., BaseRequestHandler] | None = None,
    *,
    server: ThreadingHTTPServer | None = None,
    poll: float = 0.05,
) -> Iterator[ThreadingHTTPServer]:
    """A loopback HTTP server run from a thread for the block: ``server``, or a new one on a
    free port of 127.0.0.1 answering with ``handler``. Stopped and closed afterwards."""
    if server is None:
        if handler is None:
            msg = "serving() needs a handler or a server"
            raise TypeError(msg)
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(poll,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian chromium for a module's browser tests (see ``browser.chromium``)."""
    from browser import chromium

    with chromium() as launched:
        yield launched
