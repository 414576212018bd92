"""Bad input through ``python -m geomap parse``: one line each, non-zero exit, the rest printed.

The command runs in a real process, as a user would start it, against files in ``tmp_path``
and an HTTP server on 127.0.0.1 that answers 404, 500 or too slowly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOOD_TEXT = "Police in Almaty detained 40 people on Monday after a protest, officials said.\n"
GOOD_HTML = (
    b"<!doctype html><html><head><title>Arrests in Almaty</title></head><body><article>"
    b"<p>Police in Almaty detained 40 people on Monday after a protest in the city centre, "
    b"officials said. Most were released in the evening.</p></article></body></html>"
)
SLOW_SECONDS = 5.0


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(SLOW_SECONDS)
        status = {"/missing": 404, "/broken": 500}.get(self.path, 200)
        body = GOOD_HTML if status == 200 else b"<html><body>error</body></html>"
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up waiting, as it should

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "300"}
    return subprocess.run(
        [sys.executable, "-m", "geomap", "parse", "--json", "--timeout", "1", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _bad_files(folder: Path) -> dict[str, Path]:
    files = {
        "empty": (folder / "empty.txt", b""),
        "binary": (folder / "photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8),
        "broken encoding": (
            folder / "mixed.txt",
            "Полиция задержала 40 человек. ".encode("cp1251")
            + bytes(range(0x80, 0xA0))
            + " Полиция задержала 40 человек.".encode(),
        ),
        "html without body": (folder / "page.html", b"<html><head><title>x</title></head></html>"),
    }
    for path, data in files.values():
        path.write_bytes(data)
    huge = folder / "huge.txt"
    with huge.open("wb") as stream:
        stream.write(GOOD_TEXT.encode() * (20 * 1024 * 1024 // len(GOOD_TEXT) + 1))
    return {**{kind: path for kind, (path, _) in files.items()}, "20 MB text": huge}


def test_each_bad_input_gives_one_line_and_the_others_are_printed(
    tmp_path: Path, site: str
) -> None:
    bad = _bad_files(tmp_path)
    good = tmp_path / "good.txt"
    good.write_text(GOOD_TEXT, encoding="utf-8")
    urls = [f"{site}/missing", f"{site}/broken", f"{site}/slow"]
    sources = [str(bad["empty"]), str(good), *urls, f"{site}/article"]
    sources += [str(path) for kind, path in bad.items() if kind != "empty"]
    done = _run(*sources)
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    failed = [str(path) for path in bad.values()] + urls
    assert len(lines) == len(failed)
    for source in failed:
        (line,) = [line for line in lines if source in line.split()[1]]
        assert line.startswith("error: ")
    assert any("404" in line for line in lines) and any("500" in line for line in lines)
    assert any("timed out" in line for line in lines)
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    assert [p["article"]["source"] for p in printed] == [good.name, f"{site}/article"]
    assert all(any(e["arrested"] == 40 for e in p["events"]) for p in printed)


@pytest.mark.parametrize("kind", ["empty", "binary", "broken encoding", "html without body"])
def test_a_run_of_only_bad_input_fails_with_one_line(tmp_path: Path, kind: str) -> None:
    path = _bad_files(tmp_path)[kind]
    done = _run(str(path))
    assert done.returncode != 0
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"error: {path}")


def test_a_few_stray_bytes_are_replaced_with_one_warning(tmp_path: Path) -> None:
    path = tmp_path / "stray.txt"
    path.write_bytes("Politiet i Tromsø pågrep 12 personer mandag. ".encode() + b"\xff\xfe ok.")
    done = _run(str(path))
    assert done.returncode == 0
    (line,) = done.stderr.strip().splitlines()
    assert str(path) in line and "replaced 2 bytes" in line
    assert json.loads(done.stdout)["events"][0]["arrested"] == 12
