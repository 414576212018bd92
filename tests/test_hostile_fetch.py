"""``--timeout`` is a deadline for the whole URL request, against loopback servers that trickle.

Issue 14: a server that sends its headers a byte every half second kept ``geomap parse
--timeout 3 URL`` waiting for minutes, because the timeout bounded each read, not the request.
The header server here trickles for as long as it runs: without a deadline the request
never ends, so each test runs it with a generous bound (:data:`HANG`, many times the timeout)
and fails if it is still waiting then. That bound detects a hang; it measures no speed.
"""

from __future__ import annotations

import contextlib
import os
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from geomap import store
from geomap.errors import SourceError
from geomap.ingest import IngestOptions, load

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "kazakhstan-2022-01.en.txt"
BODY = (
    b"Snow closed the mountain road on Friday and crews worked through the night to clear it "
    b"again before the weekend traffic arrived in the valley below.\n"
)
TRICKLE_SECONDS = 12.0  # how long the body server drags its answer out before finishing it
STEP = 0.25
HANG = 30.0  # a request still running after this long (30 times its timeout) hangs


class TrickleServer:
    """An HTTP server on 127.0.0.1 that trickles its headers (or body) a byte at a time."""

    def __init__(self, *, part: str) -> None:
        self.part = part
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.listener.getsockname()[:2]
        return f"http://{host}:{port}/article.txt"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.recv(65536)
            head = (
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n" % len(BODY)
            )
            if self.part == "headers":
                conn.sendall(head + b"X-Padding: ")
                while True:  # until the server stops or the client hangs up
                    self._trickle(conn, b".")
            else:
                conn.sendall(head + b"\r\n" + BODY[:10])
                self._trickle(conn, BODY[10 : 10 + int(TRICKLE_SECONDS / STEP)])
                conn.sendall(BODY[10 + int(TRICKLE_SECONDS / STEP) :])

    def _trickle(self, conn: socket.socket, data: bytes) -> None:
        for byte in data:
            if self.stop.wait(STEP):
                msg = "stopped"
                raise OSError(msg)
            conn.sendall(bytes([byte]))

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.listener.close()


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def trickled_headers(no_proxy: None) -> Iterator[TrickleServer]:
    server = TrickleServer(part="headers")
    yield server
    server.close()


@pytest.fixture
def trickled_body(no_proxy: None) -> Iterator[TrickleServer]:
    server = TrickleServer(part="body")
    yield server
    server.close()


def _load_or_hang(url: str, timeout: float) -> BaseException | None:
    """What ``load`` raised (None if it returned); fails the test if it is still waiting."""
    outcome: queue.Queue[BaseException | None] = queue.Queue()

    def attempt() -> None:
        try:
            load(url, options=IngestOptions(timeout=timeout))
        except BaseException as exc:  # handed to the test
            outcome.put(exc)
        else:
            outcome.put(None)

    threading.Thread(target=attempt, daemon=True).start()
    try:
        return outcome.get(timeout=HANG)
    except queue.Empty:
        pytest.fail(f"load({url}, timeout={timeout:g}) still waits after {HANG:g} s")


def test_headers_trickled_past_the_timeout_are_refused_in_one_line(
    trickled_headers: TrickleServer,
) -> None:
    raised = _load_or_hang(trickled_headers.url, 1.0)
    assert isinstance(raised, SourceError)
    message = str(raised)
    assert "timed out after 1 s" in message
    assert "\n" not in message


def test_a_body_trickled_past_the_timeout_is_refused_not_cut_short(
    trickled_body: TrickleServer,
) -> None:
    with pytest.raises(SourceError, match="timed out after 1 s"):
        load(trickled_body.url, options=IngestOptions(timeout=1.0))


def test_a_slow_url_among_files_does_not_hold_back_the_files(
    trickled_headers: TrickleServer, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEOMAP_OUT", "GEOMAP_ST"))}
    env |= {"GEOMAP_TIMEOUT": "1", "GEOMAP_SELF_CONTAINED": "false"}
    env = {k: v for k, v in env.items() if k.lower() not in ("http_proxy", "all_proxy")}
    out = tmp_path / "out"
    command = [sys.executable, "-m", "geomap", "build", trickled_headers.url, str(EXAMPLE)]
    try:
        done = subprocess.run(
            [*command, "--out", str(out)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=HANG + 60,  # the build itself takes a few seconds
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the build still waits for the slow URL")
    assert done.returncode == 3, done.stderr
    assert "timed out after 1 s" in done.stderr
    assert len(store.read(out / "geomap.gpkg").articles) == 1
