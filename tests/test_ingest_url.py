"""URL sources, against a real HTTP server on 127.0.0.1 that each test starts."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from geomap.errors import SourceError
from geomap.ingest import IngestOptions, load
from geomap.records import DAY, PubDate

EN_TEXT = (
    "Heavy snow closed the mountain pass on Friday, leaving dozens of trucks stuck on both "
    "sides. Road crews expect to reopen one lane by Sunday if the wind drops. Drivers were "
    "told to carry chains and extra food until further notice.\n"
)
RU_TEXT = (
    "Вчера вечером в центре города открылась новая библиотека. Читатели пришли задолго до "
    "открытия и выстроились в длинную очередь. Директор рассказал, что в фондах уже больше "
    "двадцати тысяч книг.\n"
)
HTML_PAGE = (
    "<!doctype html><html><head><title>Pass closed by snow - Valley News</title>"
    '<meta property="og:title" content="Pass closed by snow">'
    '<meta property="article:published_time" content="2024-01-19T06:30:00Z"></head>'
    '<body><nav><a href="/">Front page</a></nav><article><h1>Pass closed by snow</h1>'
    + "".join(f"<p>{s}.</p>" for s in EN_TEXT.strip().rstrip(".").split(". "))
    + "</article></body></html>"
)


@dataclass
class Route:
    """What the test server answers on one path."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    drip: bool = False  # send the body a byte at a time
    content_length: bool = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.stop = threading.Event()

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up early (as geomap does on huge bodies) are expected."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        route = self.server.routes.get(self.path, Route(status=404, body=b"no such page"))
        if route.delay and self.server.stop.wait(route.delay):
            return
        self.send_response(route.status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.content_length:
            self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        if not route.drip:
            self.wfile.write(route.body)
            return
        for byte in route.body:
            if self.server.stop.wait(0.05):
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@dataclass
class Site:
    """A running test server."""

    server: _Server

    def route(self, path: str, route: Route) -> str:
        self.server.routes[path] = route
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}{path}"


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield Site(server)
    server.stop.set()
    server.shutdown()
    server.server_close()
    thread.join()


def _text(body: bytes, content_type: str = "text/plain; charset=utf-8") -> Route:
    return Route(body=body, headers={"Content-Type": content_type})


def _one_line(err: pytest.ExceptionInfo[SourceError]) -> str:
    message = str(err.value)
    assert "\n" not in message
    return message


def test_html_page_loads_with_title_and_date(site: Site) -> None:
    url = site.route("/news/pass.html", _text(HTML_PAGE.encode(), "text/html; charset=utf-8"))
    article = load(url)
    assert article.source == url
    assert article.title == "Pass closed by snow"
    assert article.published == PubDate(dt.date(2024, 1, 19), DAY)
    assert "Road crews expect to reopen one lane" in article.text
    assert "Front page" not in article.text
    assert article.language == "en"


def test_plain_text_gets_the_same_id_as_the_file(site: Site, tmp_path: Path) -> None:
    path = tmp_path / "pass.txt"
    path.write_text("date 2024-01-19\n" + EN_TEXT, encoding="utf-8")
    url = site.route("/pass.txt", _text(EN_TEXT.replace("\n", "\r\n").encode()))
    from_url = load(url)
    from_file = load(str(path))
    assert from_url.text == EN_TEXT
    assert from_url.id == from_file.id
    assert from_url.published is None
    assert from_file.published == PubDate(dt.date(2024, 1, 19), DAY)


def test_charset_from_the_header_is_used(site: Site) -> None:
    url = site.route("/ru.txt", _text(RU_TEXT.encode("koi8_r"), "text/plain; charset=KOI8-R"))
    assert load(url).text == RU_TEXT


def test_missing_content_type_is_sniffed(site: Site) -> None:
    url = site.route("/page", Route(body=HTML_PAGE.encode()))
    assert load(url).title == "Pass closed by snow"


def test_redirect_within_the_limit_is_followed(site: Site) -> None:
    target = site.route("/pass.txt", _text(EN_TEXT.encode()))
    url = site.route("/old", Route(status=301, headers={"Location": "/pass.txt"}))
    assert target != url
    assert load(url, options=IngestOptions(max_redirects=1)).text == EN_TEXT


def test_redirect_loop_is_refused(site: Site) -> None:
    url = site.route("/loop", Route(status=302, headers={"Location": "/loop"}))
    with pytest.raises(SourceError) as err:
        load(url, options=IngestOptions(max_redirects=3))
    assert _one_line(err).startswith(f"{url} redirected more than 3 times;")


def test_redirect_when_none_are_allowed_is_refused(site: Site) -> None:
    site.route("/pass.txt", _text(EN_TEXT.encode()))
    url = site.route("/old", Route(status=301, headers={"Location": "/pass.txt"}))
    with pytest.raises(SourceError, match="redirected more than 0 times"):
        load(url, options=IngestOptions(max_redirects=0))


def test_redirect_to_another_scheme_is_refused(site: Site) -> None:
    url = site.route("/ftp", Route(status=302, headers={"Location": "ftp://127.0.0.1/a.txt"}))
    with pytest.raises(SourceError, match=r"redirected to ftp://127\.0\.0\.1/a\.txt"):
        load(url)


@pytest.mark.parametrize(
    ("status", "answer"), [(404, "404 Not Found"), (500, "500 Internal Server Error")]
)
def test_http_error_is_refused(site: Site, status: int, answer: str) -> None:
    url = site.route("/broken", Route(status=status, body=b"oops"))
    with pytest.raises(SourceError) as err:
        load(url)
    assert _one_line(err) == (f"{url} answered {answer}; check the address or try again later")


def test_slow_server_times_out(site: Site) -> None:
    url = site.route("/slow", Route(body=b"late", delay=10))
    started = time.monotonic()
    with pytest.raises(SourceError) as err:
        load(url, options=IngestOptions(timeout=0.5))
    assert time.monotonic() - started < 3
    assert _one_line(err) == (
        f"{url} timed out after 0.5 s; try again later or pass a longer --timeout"
    )


def test_server_dripping_bytes_times_out(site: Site) -> None:
    url = site.route("/drip", Route(body=EN_TEXT.encode() * 10, drip=True, content_length=False))
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"timed out after 0\.5 s"):
        load(url, options=IngestOptions(timeout=0.5))
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("content_length", [True, False], ids=["declared", "streamed"])
def test_huge_body_is_refused(site: Site, content_length: bool) -> None:
    route = _text(b"word " * 100_000)
    route.content_length = content_length
    url = site.route("/huge", route)
    with pytest.raises(SourceError) as err:
        load(url, options=IngestOptions(max_bytes=64 * 1024))
    assert _one_line(err) == (
        f"{url} is over the limit of 64 KB; save the article to a file or pass --max-bytes"
    )


def test_wrong_content_type_is_refused(site: Site) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    url = site.route("/map.png", Route(body=png, headers={"Content-Type": "image/png"}))
    with pytest.raises(SourceError) as err:
        load(url)
    assert _one_line(err) == (
        f"{url} answered with content type image/png, not an article; "
        "pass the address of an HTML or plain-text page"
    )


def test_closed_port_is_refused(site: Site) -> None:
    url = site.route("/x", Route())
    site.server.stop.set()
    site.server.shutdown()
    site.server.server_close()
    with pytest.raises(SourceError, match=r"cannot be reached .*; check the address"):
        load(url)


@pytest.mark.parametrize("url", ["http://[::1/broken", "http:///no-host", "http://a b/"])
def test_malformed_url_is_refused(url: str) -> None:
    with pytest.raises(SourceError, match=r"is not a valid URL|cannot be reached"):
        load(url)
