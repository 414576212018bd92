"""Ingest: turn an article source (file, folder, glob, URL or stdin) into an :class:`Article`.

:func:`expand_sources` turns what the user typed into a list of single sources,
:func:`load` reads one of them and :func:`article_from_bytes` does the pure part: decode the
bytes, pull the main text out of HTML, find the title, publication date and language, and
give the article its content id. Every problem with a source is a :class:`SourceError`
whose message is one line: the source, what is wrong and what to do.

The text of an article is kept as written, apart from Unicode NFC and ``\\n`` line ends,
because later stages point into it with character offsets.
"""

from __future__ import annotations

import calendar
import codecs
import contextlib
import datetime as dt
import email.message
import functools
import hashlib
import http.client
import json
import logging
import os
import queue
import re
import socket
import sys
import threading
import time
import unicodedata
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, Protocol

import geomap
from geomap._paths import cache_dir
from geomap.errors import SourceError, UsageError
from geomap.records import MONTH, Article, PubDate
from geomap.settings import MAX_BYTES_LIMIT

logger = logging.getLogger(__name__)

#: File name endings a folder is searched for (any case).
ARTICLE_SUFFIXES = (".txt", ".text", ".md", ".html", ".htm")
#: Project documents a folder may hold next to its articles; skipped in folders when the
#: file name up to its first ``.`` is one of these, in any case (``README.md``,
#: ``readme.nb.txt``, ``LICENSE.txt``, ``CHANGELOG.md``).
NOT_ARTICLES = (
    "README", "LICENSE", "LICENCE", "COPYING", "NOTICE", "CHANGELOG", "CHANGES", "HISTORY",
    "CONTRIBUTING", "AUTHORS", "CODE_OF_CONDUCT", "SECURITY", "TODO",
)  # fmt: skip
#: Content types a URL may answer with.
ARTICLE_CONTENT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
#: Languages :func:`detect_language` chooses from (py3langid codes; ``no`` is reported as ``nb``).
LANGUAGES = (
    "no", "nn", "sv", "da", "en", "ru", "de", "fr", "es", "it",
    "pt", "nl", "pl", "uk", "kk", "fi", "tr", "ar", "zh",
)  # fmt: skip

_HTML_CONTENT_TYPES = ("text/html", "application/xhtml+xml")
_HTML_SUFFIXES = (".html", ".htm")
_HTML_START = re.compile(rb"\A\s*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE)
_HTML_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_GLOB_CHARS = re.compile(r"[*?\[]")
_SCHEME = re.compile(r"\A([A-Za-z][A-Za-z0-9+.-]*)://")
#: ``date YYYY-MM[-DD]`` opening the first non-empty line, alone or followed by the title.
_DATE_LINE = re.compile(
    r"\A(?:[^\S\n]*\n)*[^\S\n]*date(?:[^\S\n]*:[^\S\n]*|[^\S\n]+)(\d{4}-\d{2}(?:-\d{2})?)"
    r"(?:[^\S\n]*(?:\n|\Z)|[^\S\n]+(?=\S))",
    re.IGNORECASE,
)
_LEADING_BLANK_LINES = re.compile(r"\A(?:[^\S\n]*\n)+")
_WHITESPACE = re.compile(r"\s+")
_LANGUAGE_CODE = re.compile(r"\A[a-z]{2,3}(?:-[a-z0-9]{2,8})*\Z")
_LANGUAGE_ALIASES = {"no": "nb"}

_BOMS = (  # UTF-32 first: its little-endian BOM starts like UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BINARY_SIGNATURES = (b"%PDF-", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b")
_TEXT_CONTROLS = b"\t\n\v\f\r\x1b"
_CONTROL_BYTES = bytes(b for b in range(32) if b not in _TEXT_CONTROLS) + b"\x7f"
_BINARY_SAMPLE = 8192
_MAX_CONTROL_SHARE = 0.1
#: Python codecs that no page is written in: they would rewrite the text (``\x41`` to ``A``).
_NOT_CHARSETS = frozenset({"idna", "punycode", "unicode-escape", "raw-unicode-escape"})
_STRAY_BYTES = 3  # unreadable bytes any text may have replaced
_MAX_UNREADABLE_SHARE = 0.01  # and per character of a longer one
#: Legacy encodings preferred when charset-normalizer ranks several equally.
_PREFERRED_ENCODINGS = ("cp1252", "cp1251", "koi8_r", "cp1250", "iso8859_15", "koi8_u")
_MIN_HTML_WORDS = 5
#: Bounds on what reaches the HTML parser. lxml checks each attribute against the element's
#: others (40,000 attributes on one element took 144 s), and libxml2 stops reading below 256
#: levels of nesting, so 100,000 nested ``div`` elements lost the article text they held.
MAX_HTML_ATTRIBUTES = 100  # per element; the others are dropped
MAX_HTML_DEPTH = 200  # levels of elements; the tags of deeper ones are dropped, their text kept
#: Seconds trafilatura may spend on one page; a page that takes longer is refused.
HTML_SECONDS = 60.0
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/<>]*)([^<>]*)>")
_ATTRIBUTE = re.compile(r"""[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>]+))?""")
_RAW_TEXT_ELEMENTS = ("script", "style", "textarea", "title", "xmp", "plaintext")
_VOID_ELEMENTS = frozenset(
    "area base br col embed hr img input link meta param source track wbr keygen command".split()
)
#: Elements whose end tag may be left out (a page's many open ``p`` do not nest).
_OPTIONAL_END = frozenset("p li dt dd tr td th option optgroup thead tbody tfoot rt rp".split())
_CLOSE_SEARCH = 16  # stack entries searched for the element an end tag closes
_LANGUAGE_SAMPLE = 2_000  # characters: enough to tell the language; cost grows with length
_CHUNK = 64 * 1024
_MAX_REDIRECTS = 50
_USER_AGENT = "geomap/{version} (news article ingest)"  # with geomap.__version__
_ACCEPT = "text/html, application/xhtml+xml, text/plain;q=0.9"


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """How sources are read.

    Parameters
    ----------
    timeout
        Seconds allowed for each URL request, all of it: connecting, the headers, the body
        and any redirects (a server that trickles its answer is cut off when they are up).
    max_bytes
        Largest source accepted; a bigger one is refused without being read in full.
    max_redirects
        Redirects a URL may take before it is given up.
    date
        Publication date to use instead of the one found in the source (``--date``).
    language
        Language code to use instead of detecting it (``no`` becomes ``nb``).

    Raises
    ------
    UsageError
        When a value cannot work.
    """

    timeout: float = 10.0
    max_bytes: int = 8 * 1024 * 1024
    max_redirects: int = 5
    date: PubDate | None = None
    language: str | None = None

    def __post_init__(self) -> None:
        if not self.timeout > 0:
            msg = f"timeout must be more than 0 seconds, not {self.timeout}"
            raise UsageError(msg)
        if not 1 <= self.max_bytes <= MAX_BYTES_LIMIT:
            msg = f"max_bytes must be from 1 to {MAX_BYTES_LIMIT}, not {self.max_bytes}"
            raise UsageError(msg)
        if not 0 <= self.max_redirects <= _MAX_REDIRECTS:
            msg = f"max_redirects must be from 0 to {_MAX_REDIRECTS}, not {self.max_redirects}"
            raise UsageError(msg)
        if self.language is not None and not _LANGUAGE_CODE.match(
            _canonical_language(self.language)
        ):
            msg = f"language must be a code such as nb, en or ru, not {self.language!r}"
            raise UsageError(msg)


_DEFAULT_OPTIONS = IngestOptions()


# --- sources -------------------------------------------------------------------------------


def expand_sources(sources: Iterable[str]) -> list[str]:
    """Turn what the user named into single sources, in order and without repeats.

    ``-`` (stdin) and http(s) URLs pass through, a folder becomes its article files, a glob
    pattern becomes the files it matches (sorted), and an existing file stays.

    A folder is searched recursively and sorted; it gives the files whose names end in
    :data:`ARTICLE_SUFFIXES` (``.txt``, ``.text``, ``.md``, ``.html``, ``.htm``, in any case),
    except hidden files and folders (a name starting with ``.``) and project documents such
    as ``README.md`` or ``LICENSE.txt`` (:data:`NOT_ARTICLES`). A file named directly, or
    matched by a glob, is always read, whatever its name.

    Raises
    ------
    SourceError
        When a path does not exist, a pattern matches no file or a folder holds no article.
    """
    expanded: dict[str, None] = {}
    for source in sources:
        for single in _expand_one(source):
            expanded.setdefault(single, None)
    return list(expanded)


def _expand_one(source: str) -> list[str]:
    if not source.strip():
        msg = "an empty name was given as a source; pass a file, folder, glob, URL or -"
        raise SourceError(msg)
    if source == "-" or _is_url(source):
        return [source]
    path = Path(source)
    if path.is_dir():
        return _folder_articles(path)
    if path.exists():
        return [source]
    if _GLOB_CHARS.search(source):
        return _glob_files(source)
    _check_scheme(source)
    msg = f"{source}: no such file or folder; check the path (or quote a glob pattern)"
    raise SourceError(msg)


def _folder_articles(folder: Path) -> list[str]:
    found = [
        path
        for path, name in _files_under(str(folder))
        if os.path.splitext(name)[1].lower() in ARTICLE_SUFFIXES and not _is_project_document(name)
    ]
    if not found:
        kinds = ", ".join(ARTICLE_SUFFIXES)
        msg = f"{folder}: folder holds no article files ({kinds}); put articles there or name them"
        raise SourceError(msg)
    # in the order of their paths' parts, as paths sort ("a/b.txt" before "a-b.txt")
    return sorted(found, key=lambda path: path.split(os.sep))


def _files_under(folder: str) -> Iterator[tuple[str, str]]:
    """(path, name) of each file in ``folder`` and its subfolders, hidden ones (``.name``)
    left out; symbolic links to files are files, those to folders are not entered, and a
    subfolder that cannot be listed is skipped."""
    pending = [folder]
    while pending:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                    elif entry.is_file():
                        yield entry.path, entry.name
        except PermissionError:
            continue


def _is_project_document(name: str) -> bool:
    """``README.md``, ``LICENSE.txt``, ``changelog.md``: see :data:`NOT_ARTICLES`."""
    return name.split(".", 1)[0].upper() in NOT_ARTICLES


def _glob_files(pattern: str) -> list[str]:
    import glob

    found = sorted(match for match in glob.glob(pattern, recursive=True) if Path(match).is_file())
    if not found:
        msg = f"{pattern}: no file matches this pattern; check the folder and the pattern"
        raise SourceError(msg)
    return found


def _is_url(source: str) -> bool:
    match = _SCHEME.match(source)
    return match is not None and match.group(1).lower() in ("http", "https")


def _check_scheme(source: str) -> None:
    match = _SCHEME.match(source)
    if match is not None and match.group(1).lower() not in ("http", "https"):
        msg = f"{source}: {match.group(1)} addresses cannot be read; use an http(s) URL or a file"
        raise SourceError(msg)


# --- reading -------------------------------------------------------------------------------


def load(
    source: str, *, options: IngestOptions = _DEFAULT_OPTIONS, stdin: BinaryIO | None = None
) -> Article:
    """Read one source: a file path, an http(s) URL or ``-`` for standard input.

    Parameters
    ----------
    source
        What to read, as returned by :func:`expand_sources`.
    options
        Limits and overrides.
    stdin
        Stream read for ``-``; ``sys.stdin.buffer`` when not given.

    Returns
    -------
    Article
        The article, with ``source`` set to ``source`` as given.

    Raises
    ------
    SourceError
        When the source cannot be read or holds no article.
    """
    data, content_type = read_source(source, options=options, stdin=stdin)
    return article_from_bytes(data, source=source, content_type=content_type, options=options)


def read_source(
    source: str, *, options: IngestOptions = _DEFAULT_OPTIONS, stdin: BinaryIO | None = None
) -> tuple[bytes, str | None]:
    """The raw bytes of one source and its Content-Type (URLs only), without making an
    article of them: the I/O half of :func:`load` (the other is :func:`article_from_bytes`).

    Raises
    ------
    SourceError
        When the source cannot be read.
    """
    content_type: str | None = None
    if source == "-":
        data = _read_stdin(stdin if stdin is not None else sys.stdin.buffer, options.max_bytes)
    elif _is_url(source):
        data, content_type = _fetch(source, options)
    else:
        _check_scheme(source)
        data = _read_file(source, options.max_bytes)
    logger.debug("read %s: %d bytes", _display(source), len(data))
    return data, content_type


def _display(source: str) -> str:
    return "stdin" if source == "-" else source


def _read_file(path: str, limit: int) -> bytes:
    try:
        with open(path, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            data = b""
            if size <= limit:
                # read(limit + 1) would allocate the whole limit for every small file
                data = stream.read(size + 1)
                if len(data) > size:  # the file grew since fstat
                    data += stream.read(limit + 1 - len(data))
    except IsADirectoryError:
        msg = f"{path} is a folder, not an article file; pass it through expand_sources() first"
        raise SourceError(msg) from None
    except FileNotFoundError:
        msg = f"{path}: no such file; check the path"
        raise SourceError(msg) from None
    except PermissionError:
        msg = f"{path}: permission denied; check who may read the file"
        raise SourceError(msg) from None
    except OSError as err:
        msg = f"{path}: cannot be read ({err.strerror or err}); check the file"
        raise SourceError(msg) from err
    if size > limit or len(data) > limit:
        size_text = _size(max(size, len(data)))
        msg = (
            f"{path} is {size_text}, over the limit of {_size(limit)}; split it or pass --max-bytes"
        )
        raise SourceError(msg)
    return data


def _read_stdin(stream: IO[bytes], limit: int) -> bytes:
    try:
        data = stream.read(limit + 1)
    except OSError as err:
        msg = f"stdin cannot be read ({err}); pipe the article in or pass a file instead"
        raise SourceError(msg) from err
    if len(data) > limit:
        msg = f"stdin has more than the limit of {_size(limit)}; split it or pass --max-bytes"
        raise SourceError(msg)
    return data


def _size(count: int) -> str:
    """``count`` bytes for a message, e.g. ``20 MB`` or ``1.5 KB``."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"


# --- URLs ----------------------------------------------------------------------------------


class Deadline:
    """The end of one request's time, enforced on every socket the request opens.

    Socket timeouts bound each read, not the request: a server that sends its headers a byte
    every half second never trips them. So each connection's sockets are registered here, and
    when the time is up a timer shuts them down, which wakes whatever read is waiting on
    them; :attr:`expired` then tells the caller that the failure is a timeout.
    """

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def remaining(self) -> float:
        """Seconds left; ``TimeoutError`` when none are."""
        left = self.at - time.monotonic()
        if left <= 0 or self.expired:
            raise TimeoutError
        return left

    def watch(self, sock: socket.socket) -> socket.socket:
        """Register ``sock``; shut it at once if the time is already up."""
        with self._lock:
            self._sockets.append(sock)
            if not self.expired:
                return sock
        _shut(sock)
        return sock

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _connection_within(
    base: type[http.client.HTTPConnection], deadline: Deadline
) -> Any:  # a connection factory for urllib's do_open
    def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
        connection = base(host, **kwargs)
        connect = connection._create_connection  # type: ignore[attr-defined]

        def create(address: tuple[str, int], timeout: Any = None, *args: Any) -> socket.socket:
            return deadline.watch(connect(address, deadline.remaining(), *args))

        connection._create_connection = create  # type: ignore[attr-defined]
        return connection

    return make


def opener_within(
    deadline: Deadline, *handlers: urllib.request.BaseHandler, context: Any = None
) -> urllib.request.OpenerDirector:
    """A urllib opener whose HTTP and HTTPS connections all end at ``deadline``.

    ``handlers`` are added as :func:`urllib.request.build_opener` adds them; ``context`` is
    the TLS context of HTTPS connections (Python's default when ``None``).
    """
    https = _HTTPSWithin(deadline, context)
    return urllib.request.build_opener(_HTTPWithin(deadline), https, *handlers)


class _HTTPWithin(urllib.request.HTTPHandler):
    """Plain HTTP whose connections end at the request's deadline."""

    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_connection_within(http.client.HTTPConnection, self.deadline), req)


class _HTTPSWithin(urllib.request.HTTPSHandler):
    """HTTPS whose connections (the TLS handshake included) end at the request's deadline."""

    def __init__(self, deadline: Deadline, context: Any = None) -> None:
        super().__init__(context=context)
        self.deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        factory = _connection_within(http.client.HTTPSConnection, self.deadline)
        return self.do_open(factory, req, context=self._context)  # type: ignore[attr-defined]


def _fetch(url: str, options: IngestOptions) -> tuple[bytes, str | None]:
    """Download ``url`` within the options' limits; return its body and Content-Type.

    ``options.timeout`` is a deadline for the whole request (connecting, headers, body,
    redirects), not for each read.
    """
    with Deadline(options.timeout) as deadline:
        try:
            data, content_type = _request(url, options, deadline)
        except SourceError:
            if deadline.expired:
                raise _timed_out(url, options.timeout) from None
            raise
        if deadline.expired:  # shut down mid-body: what was read is not the whole page
            raise _timed_out(url, options.timeout)
    return data, content_type


def _request(url: str, options: IngestOptions, deadline: Deadline) -> tuple[bytes, str | None]:
    opener = opener_within(deadline, _LimitedRedirects(url, options.max_redirects))
    headers = {"User-Agent": _USER_AGENT.format(version=geomap.__version__), "Accept": _ACCEPT}
    try:
        request = urllib.request.Request(url, headers=headers)
        with opener.open(request, timeout=options.timeout) as response:
            _check_response(url, response.headers, options.max_bytes)
            data = read_within(response, options.max_bytes, deadline.at)
            content_type: str | None = response.headers.get("Content-Type")
    except SourceError:
        raise
    except urllib.error.HTTPError as err:
        err.close()
        msg = f"{url} answered {err.code} {err.reason}; check the address or try again later"
        raise SourceError(msg) from None
    except urllib.error.URLError as err:
        if isinstance(err.reason, TimeoutError):
            raise _timed_out(url, options.timeout) from None
        msg = f"{url} cannot be reached ({err.reason}); check the address and the connection"
        raise SourceError(msg) from None
    except TimeoutError:
        raise _timed_out(url, options.timeout) from None
    except (ValueError, http.client.InvalidURL) as err:
        msg = f"{url} is not a valid URL ({err}); check the address"
        raise SourceError(msg) from None
    except (OSError, http.client.HTTPException) as err:
        msg = f"{url} broke off while answering ({err}); try again later"
        raise SourceError(msg) from None
    if len(data) > options.max_bytes:
        raise _too_big(url, options.max_bytes)
    return data, content_type


def _check_response(url: str, headers: email.message.Message, limit: int) -> None:
    media_type = headers.get_content_type()
    if media_type not in ARTICLE_CONTENT_TYPES:
        msg = (
            f"{url} answered with content type {media_type}, not an article; "
            "pass the address of an HTML or plain-text page"
        )
        raise SourceError(msg)
    length = headers.get("Content-Length", "").strip()
    if length.isdigit() and int(length) > limit:
        raise _too_big(url, limit)


def read_within(response: http.client.HTTPResponse, limit: int, deadline: float) -> bytes:
    """Read up to ``limit + 1`` bytes, raising ``TimeoutError`` once ``deadline`` passes.

    ``read1`` returns whatever one read from the socket brings, so a server that sends a
    byte at a time cannot hold the reader past the deadline.
    """
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = response.read1(min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if time.monotonic() > deadline:
            raise TimeoutError
    return b"".join(chunks)


def _timed_out(url: str, timeout: float) -> SourceError:
    msg = f"{url} timed out after {timeout:g} s; try again later or pass a longer --timeout"
    return SourceError(msg)


def _too_big(url: str, limit: int) -> SourceError:
    msg = (
        f"{url} is over the limit of {_size(limit)}; save the article to a file or pass --max-bytes"
    )
    return SourceError(msg)


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    """Follow at most ``limit`` redirects, and only to http(s) addresses."""

    # Above any limit IngestOptions allows, so that our own count speaks first.
    max_repeats = _MAX_REDIRECTS + 1
    max_redirections = _MAX_REDIRECTS + 1

    def __init__(self, url: str, limit: int) -> None:
        super().__init__()
        self.url = url
        self.limit = limit
        self.followed = 0

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        self.followed += 1
        if self.followed > self.limit:
            fp.close()
            message = (
                f"{self.url} redirected more than {self.limit} times; "
                "open it in a browser and pass the address it ends at"
            )
            raise SourceError(message)
        if not _is_url(newurl):
            fp.close()
            message = f"{self.url} redirected to {newurl}, which is not an http(s) address"
            raise SourceError(message)
        logger.debug("%s redirects (%d) to %s", req.full_url, code, newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


# --- bytes to article ----------------------------------------------------------------------


def article_from_bytes(
    data: bytes,
    *,
    source: str,
    content_type: str | None = None,
    options: IngestOptions = _DEFAULT_OPTIONS,
) -> Article:
    """Make an article from the bytes of one source, without any I/O.

    Parameters
    ----------
    data
        The raw bytes.
    source
        Where they came from (a path, a URL or ``-``), kept in the article and used in
        messages; a path ending in ``.html`` or ``.htm`` marks HTML.
    content_type
        The Content-Type header, such as ``text/html; charset=windows-1251``, when known.
    options
        Date and language overrides.

    Returns
    -------
    Article
        The article with its text normalised to NFC and ``\\n`` line ends.

    Raises
    ------
    SourceError
        When the bytes are empty, binary, or hold no article text.
    """
    media_type, charset = _parse_content_type(content_type)
    html = _is_html(data, source=source, media_type=media_type)
    if html and charset is None:
        charset = _html_meta_charset(data)
    raw = _decode(data, source=source, charset=charset)
    if html:
        text, title, published = _html_parts(raw, source=source)
    else:
        text, title, published = _text_parts(_normalise(raw), source=source)
    if options.language is not None:
        language = _canonical_language(options.language)
    else:
        language = detect_language(text)
    return Article(
        id=article_id(text),
        source=source,
        title=title,
        published=options.date or published,
        language=language,
        text=text,
    )


def _parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """Media type and charset of a Content-Type header value."""
    if not value:
        return None, None
    header = email.message.Message()
    header["Content-Type"] = value
    return header.get_content_type(), header.get_content_charset()


def _is_html(data: bytes, *, source: str, media_type: str | None) -> bool:
    if media_type in _HTML_CONTENT_TYPES:
        return True
    if not _is_url(source) and Path(source).suffix.lower() in _HTML_SUFFIXES:
        return True
    return _HTML_START.match(data.removeprefix(codecs.BOM_UTF8)[:1024]) is not None


def _html_meta_charset(data: bytes) -> str | None:
    match = _HTML_META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


# --- decoding ------------------------------------------------------------------------------


def _decode(data: bytes, *, source: str, charset: str | None) -> str:
    """Decode ``data``: BOM, then the declared charset, then UTF-8, then detection."""
    name = _display(source)
    binary = f"{name} looks like a binary file, not an article; pass a text or HTML file"
    if not data.strip():
        msg = f"{name} is empty; pass a file that holds an article"
        raise SourceError(msg)
    text = _decode_bom(data)
    if text is None:
        text = _decode_utf16_without_bom(data)
    if text is None:
        text = _decode_declared(data, charset)
    if text is None:
        if _looks_binary(data):
            raise SourceError(binary)
        text = _decode_utf8(data, name) or _decode_detected(data) or _decode_fallback(data, name)
    if _looks_binary(text[:_BINARY_SAMPLE].encode("utf-8", errors="replace"), signatures=False):
        raise SourceError(binary)
    if not text.strip():
        msg = f"{name} is empty; pass a file that holds an article"
        raise SourceError(msg)
    return text


def _looks_binary(data: bytes, *, signatures: bool = True) -> bool:
    """Whether bytes look like a binary file: a known signature, NUL bytes, many controls."""
    sample = data[:_BINARY_SAMPLE]
    if (signatures and sample.startswith(_BINARY_SIGNATURES)) or b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, delete=_CONTROL_BYTES))
    return controls > len(sample) * _MAX_CONTROL_SHARE


def _decode_bom(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    return None


def _decode_declared(data: bytes, charset: str | None) -> str | None:
    if charset is None:
        return None
    try:
        encoding = codecs.lookup(charset).name
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        logger.warning("unknown charset %r declared; detecting the encoding instead", charset)
        return None
    if encoding in _NOT_CHARSETS:
        logger.warning("charset %r is no text encoding; detecting the encoding instead", charset)
        return None
    if encoding == "iso8859-1":
        encoding = "cp1252"  # As browsers do: Latin-1 labels mean Windows-1252.
    try:
        return data.decode(encoding)
    except (UnicodeError, LookupError):  # LookupError: not a text encoding (base64)
        logger.warning("the bytes do not fit the declared charset %s; detecting instead", charset)
        return None


def _decode_utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 saved without a byte order mark: every other byte is the high byte of one
    script (``00`` for ASCII, ``04`` for Cyrillic), and some of them are ``00``."""
    sample = data[:_BINARY_SAMPLE]
    if len(data) % 2 or len(sample) < 8 or b"\x00" not in sample:
        return None
    for encoding, high in (("utf-16-le", 1), ("utf-16-be", 0)):
        highs = Counter(sample[high::2])
        if highs[0] and sum(n for _, n in highs.most_common(3)) >= 0.9 * len(sample) / 2:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if not _looks_binary(text[:_BINARY_SAMPLE].encode("utf-8"), signatures=False):
                logger.debug("decoded as %s without a byte order mark", encoding)
                return text
    return None


def _decode_utf8(data: bytes, name: str) -> str | None:
    """Decode UTF-8; with a few stray bytes replaced when the rest is clearly UTF-8.

    Raises
    ------
    SourceError
        When the bytes are clearly UTF-8 but too many are not (mixed or broken encodings).
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for char in text if ord(char) > 127) - bad
    if good < bad:
        return None  # a legacy encoding, most likely
    return _with_replacements(text, bad, name)


def _with_replacements(text: str, bad: int, name: str) -> str:
    """``text`` with ``bad`` characters replaced, when they are few enough to be stray bytes."""
    if bad > max(_STRAY_BYTES, _MAX_UNREADABLE_SHARE * len(text)):
        msg = (
            f"{name}: {bad} byte sequences fit no text encoding (mixed or broken encodings); "
            "save the article as UTF-8 and try again"
        )
        raise SourceError(msg)
    logger.warning("%s: replaced %d bytes that are not valid UTF-8", name, bad)
    return text


def _decode_detected(data: bytes) -> str | None:
    """Decode with the legacy encoding charset-normalizer finds most likely."""
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    encoding = best.encoding
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    candidates = {name for match in tied for name in match.could_be_from_charset}
    for preferred in _PREFERRED_ENCODINGS:
        if preferred in candidates:
            encoding = preferred
            break
    logger.debug("detected encoding %s", encoding)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return str(best)


def _decode_fallback(data: bytes, name: str) -> str:
    """UTF-8 with replacements when only a few bytes are unreadable; else an error."""
    text = data.decode("utf-8", errors="replace")
    return _with_replacements(text, text.count("\ufffd"), name)


def _normalise(text: str) -> str:
    """NFC with ``\\n`` line ends; nothing else changes."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


# --- plain text ----------------------------------------------------------------------------


def _text_parts(text: str, *, source: str) -> tuple[str, str | None, PubDate | None]:
    """Text, title and date of a plain-text article with an optional ``date`` first line."""
    published = None
    match = _DATE_LINE.match(text)
    if match is not None:
        try:
            published = PubDate.parse(match.group(1))
        except ValueError:
            msg = (
                f"{_display(source)}: first line {match.group(0).strip()!r} is not a real date; "
                "write it as date YYYY-MM or date YYYY-MM-DD"
            )
            raise SourceError(msg) from None
        text = _LEADING_BLANK_LINES.sub("", text[match.end() :])
        if not text.strip():
            msg = f"{_display(source)} has a date line but no article text; add the article"
            raise SourceError(msg)
    return text, _first_line(text), published


def _first_line(text: str) -> str | None:
    return next((line.strip() for line in text.split("\n") if line.strip()), None)


# --- HTML ----------------------------------------------------------------------------------


def _html_parts(html: str, *, source: str) -> tuple[str, str | None, PubDate | None]:
    """Main text, title and date of an HTML page, found by trafilatura (no network).

    What reaches the parser is bounded first (:func:`bounded_html`), with one warning
    saying what was cut; a page trafilatura takes over :data:`HTML_SECONDS` on is refused.
    """
    today = dt.date.today()
    if "html" not in html[:50].lower():
        html = f"<html><body>{html}</body></html>"  # trafilatura rejects bare fragments.
    html, cut = bounded_html(html)
    if cut:
        logger.warning("%s: %s; the text is kept", _display(source), cut)
    document = _extract_within(html, source=source, today=today)
    body = getattr(document, "text", None) or ""
    text = _normalise(body).strip()
    if len(text.split()) < _MIN_HTML_WORDS:
        msg = f"{_display(source)} has no article text; pass the article's own page, not an index"
        raise SourceError(msg)
    title = _normalise(getattr(document, "title", None) or "").strip() or None
    published = _html_date(getattr(document, "date", None), html=html, today=today)
    return text, title, published


def bounded_html(html: str) -> tuple[str, str]:
    """``html`` with at most :data:`MAX_HTML_ATTRIBUTES` attributes per element and elements
    at most :data:`MAX_HTML_DEPTH` deep, and a phrase saying what was cut ("" if nothing).

    One pass over the tags, linear in the page: ``script`` and ``style`` content and comments
    are skipped, void, self-closed and optional-end elements (``p``, ``li``) do not nest. A
    tag below the depth limit is dropped with its end tag; the text inside stays.
    """
    bounds = _HtmlBounds()
    parts: list[str] = []
    kept_until = 0  # html[kept_until:start of the next replaced tag] is copied unchanged
    position = 0
    while (start := html.find("<", position)) >= 0:
        if html.startswith("<!--", start):
            end = html.find("-->", start + 4)
            position = len(html) if end < 0 else end + 3
            continue
        match = _TAG.match(html, start)
        if match is None:
            position = start + 1
            continue
        position = match.end()
        name = match.group(2).lower()
        if match.group(1):
            replacement = bounds.close(name)
        else:
            replacement = bounds.open(match.group(2), name, match.group(3))
            if name in _RAW_TEXT_ELEMENTS:
                end = _find_end(html, name, position)
                position = len(html) if end < 0 else end
        if replacement is not None:
            parts += (html[kept_until:start], replacement)
            kept_until = match.end()
    if not parts:
        return html, ""
    parts.append(html[kept_until:])
    return "".join(parts), bounds.summary()


class _HtmlBounds:
    """The open elements of :func:`bounded_html`'s pass, and what it cut."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, bool]] = []  # open elements: name, whether dropped
        self.depth = 0  # open elements kept
        self.trimmed = 0  # elements that lost attributes
        self.dropped = 0  # elements whose tags were dropped

    def open(self, tag: str, name: str, rest: str) -> str | None:
        """The start tag's replacement, or None to keep it as written."""
        replacement = None
        self_closed = rest.rstrip().endswith("/")
        attributes = _ATTRIBUTE.findall(rest)
        if len(attributes) > MAX_HTML_ATTRIBUTES:
            self.trimmed += 1
            kept = " ".join(attributes[:MAX_HTML_ATTRIBUTES])
            replacement = f"<{tag} {kept}{'/' if self_closed else ''}>"
        if name in _VOID_ELEMENTS or name in _OPTIONAL_END or self_closed:
            return replacement
        too_deep = self.depth >= MAX_HTML_DEPTH
        self.stack.append((name, too_deep))
        if too_deep:
            self.dropped += 1
            return ""
        self.depth += 1
        return replacement

    def close(self, name: str) -> str | None:
        """The end tag's replacement: "" when its start tag was dropped, else None."""
        for index in range(len(self.stack) - 1, max(len(self.stack) - 1 - _CLOSE_SEARCH, -1), -1):
            if self.stack[index][0] == name:
                dropped = self.stack[index][1]
                self.depth -= sum(1 for _, gone in self.stack[index:] if not gone)
                del self.stack[index:]
                return "" if dropped else None
        return None  # a stray end tag: the parser ignores it

    def summary(self) -> str:
        cut = []
        if self.trimmed:
            had = "element had" if self.trimmed == 1 else "elements had"
            cut.append(
                f"{self.trimmed:,} {had} over {MAX_HTML_ATTRIBUTES} attributes "
                "(the others were dropped)"
            )
        if self.dropped:
            nested = "element nested" if self.dropped == 1 else "elements nested"
            were = "was" if self.dropped == 1 else "were"
            cut.append(f"{self.dropped:,} {nested} over {MAX_HTML_DEPTH} deep {were} flattened")
        return "; ".join(cut)


def _find_end(html: str, name: str, position: int) -> int:
    """Where the end tag of the raw-text element ``name`` starts (any case), or -1."""
    pattern = re.compile(rf"</{name}[\s/>]", re.IGNORECASE)
    match = pattern.search(html, position)
    return match.start() if match else -1


def _extract_within(html: str, *, source: str, today: dt.date) -> Any:
    """:func:`_extract` given :data:`HTML_SECONDS`; a page that takes longer is refused.

    lxml cannot be interrupted, so the extraction runs in a daemon thread and is left to
    finish on its own when the time is up; the caller moves on to the next source.
    """
    answer: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

    def work() -> None:
        try:
            answer.put((True, _extract(html, source=source, today=today)))
        except BaseException as exc:  # handed to the caller, raised there
            answer.put((False, exc))

    try:
        with _quiet_loggers("trafilatura", "htmldate", "courlan"):
            threading.Thread(target=work, name="geomap-html", daemon=True).start()
            done, value = answer.get(timeout=HTML_SECONDS)
    except queue.Empty:
        msg = (
            f"{_display(source)} took over {HTML_SECONDS:g} s to read as HTML, so it is "
            "refused; save the article's text to a file and pass that"
        )
        raise SourceError(msg) from None
    if not done:
        raise value
    return value


def _extract(html: str, *, source: str, today: dt.date) -> Any:
    """trafilatura's reading of a page: main text, title and date, without any network."""
    import trafilatura

    return trafilatura.bare_extraction(
        html,
        url=source if _is_url(source) else None,
        with_metadata=True,
        include_comments=False,
        date_extraction_params={
            "extensive_search": False,
            "original_date": True,
            "max_date": today.isoformat(),
        },
    )


@contextlib.contextmanager
def _quiet_loggers(*names: str) -> Iterator[None]:
    """Keep a library's warnings about a page (*discarding data*) off the user's screen:
    geomap reports the outcome itself, in one line."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [log.level for log in loggers]
    for log in loggers:
        log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for log, level in zip(loggers, levels, strict=True):
            log.setLevel(level)


def _html_date(found: str | None, *, html: str, today: dt.date) -> PubDate | None:
    """The publication date trafilatura found, with the precision the page supports.

    htmldate completes a month-only date (``2021-05``) with today's day of the month (the
    month's last day when it is shorter), so a date on that day which the page never writes
    out in full is kept to the month.
    """
    if not found:
        return None
    try:
        date = dt.date.fromisoformat(found[:10])
    except ValueError:
        logger.debug("unreadable date %r from the page metadata", found)
        return None
    filled_in_day = min(today.day, calendar.monthrange(date.year, date.month)[1])
    if date.day == filled_in_day and not any(
        form in html for form in (f"{date:%Y-%m-%d}", f"{date:%Y/%m/%d}", f"{date:%Y%m%d}")
    ):
        return PubDate(date.replace(day=1), precision=MONTH)
    return PubDate(date)


# --- language and identity -----------------------------------------------------------------


def detect_language(text: str) -> str:
    """The language of ``text`` as a code from :data:`LANGUAGES` (``nb`` for Norwegian).

    Returns ``und`` when the text holds no letters. Short texts may be misread.
    """
    sample = text[:_LANGUAGE_SAMPLE]
    if not any(char.isalpha() for char in sample):
        return "und"
    code, _score = _language_identifier().classify(sample)
    return _LANGUAGE_ALIASES.get(str(code), str(code))


@functools.cache
def _language_identifier() -> _Classifier:
    """The py3langid model restricted to :data:`LANGUAGES`, loaded once.

    py3langid unpacks its model from an LZMA file (about a second, most of a short
    ``geomap parse``); the unpacked model is kept in the cache folder as one file, its two
    large tables mapped into memory, and opens in a fraction of a millisecond on later runs. A
    cache that cannot be read or written is rebuilt or skipped, never an error.
    """
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    path = _language_model_cache()
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError, AttributeError, EOFError):
        return _cached_identifier(path)
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages([code for code in LANGUAGES if code in identifier.labels])
    try:
        _save_identifier(identifier, path)
    except OSError as exc:
        logger.debug("language model not cached at %s: %s", path, exc)
    classifier: _Classifier = identifier
    return classifier


def _language_model_cache() -> Path:
    """The cache file of the language model, named by py3langid's version and the languages.

    The version is the one py3langid's module states (already imported), read from its
    installed metadata only when it states none: looking that up among the installed
    packages took 1.2 ms of a short parse's CPU time.
    """
    import py3langid

    version = getattr(py3langid, "__version__", None)
    if not isinstance(version, str):
        from geomap._versions import installed_version

        version = installed_version("py3langid")
    languages = hashlib.sha256(",".join(LANGUAGES).encode()).hexdigest()[:8]
    return cache_dir() / f"langid-{version}-{languages}.bin"


#: The cache file of the language model starts with this line, the size of its header (8
#: bytes, little-endian) and the header: JSON naming the classes and, for each table, its
#: offset from the first table, its NumPy type and its shape. The tables follow, each at a
#: multiple of :data:`_MODEL_ALIGN` bytes.
_MODEL_MAGIC = b"geomap language model 1\n"
_MODEL_ALIGN = 64


def _save_identifier(identifier: Any, path: Path) -> None:
    """Write the identifier's model to ``path``, atomically: its transition table
    (``moves``), its feature weights per language (``weights``), the state numbers of its
    transitions and features (``states``), the class weights (``pc``) and names."""
    import numpy as np

    moves = identifier.tk_nextmove
    # per state: its row's first transition (the row number shifted as py3langid does it) and
    # the feature it completes (-1: none), in one table
    states = np.array([identifier.tk_row, identifier.tk_output], dtype=np.int32)
    states[0] <<= 8
    tables = {
        "moves": np.frombuffer(moves, dtype=moves.typecode),
        "weights": np.ascontiguousarray(identifier.nb_ptc),
        "states": states,
        "pc": np.ascontiguousarray(identifier.nb_pc),
    }
    layout, offset = {}, 0
    for name, table in tables.items():
        layout[name] = [offset, table.dtype.str, list(table.shape)]
        offset += _aligned(table.nbytes)
    header = json.dumps({"classes": [str(c) for c in identifier.nb_classes], "tables": layout})
    head = _MODEL_MAGIC + len(header).to_bytes(8, "little") + header.encode()
    from geomap.atomic import replacing  # only when the model is (re)written

    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as temp, temp.open("wb") as handle:
        handle.write(head + bytes(_aligned(len(head)) - len(head)))
        for table in tables.values():
            handle.write(table.tobytes())
            handle.write(bytes(_aligned(table.nbytes) - table.nbytes))
    for older in path.parent.glob(f"{path.stem}*.np[yz]"):  # the four NumPy files it replaces
        with contextlib.suppress(OSError):
            older.unlink()


def _aligned(size: int) -> int:
    return -(-size // _MODEL_ALIGN) * _MODEL_ALIGN


def _cached_identifier(path: Path) -> _Classifier:
    """The identifier of the cached model: its tables mapped into memory, the state tables
    read as memory views of machine integers (which index like the lists py3langid makes of
    them, without a Python object per state).

    py3langid walks the transition table one byte of the text at a time: it is handed as a
    memory view, whose items are Python integers read in C (a NumPy memory map reads each
    through its own Python ``__getitem__``: 1.5 ms of a short parse). One file read through
    one map: four NumPy files, opened one by one, took 2.5 ms.
    """
    import mmap

    import numpy as np
    from py3langid.langid import LanguageIdentifier

    with path.open("rb") as handle:
        head = handle.read(len(_MODEL_MAGIC) + 8)
        if not head.startswith(_MODEL_MAGIC) or len(head) != len(_MODEL_MAGIC) + 8:
            raise ValueError(path)
        size = int.from_bytes(head[len(_MODEL_MAGIC) :], "little")
        header = json.loads(handle.read(size))
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    first = _aligned(len(head) + size)

    def table(name: str) -> Any:
        offset, kind, shape = header["tables"][name]
        count = 1
        for length in shape:
            count *= int(length)
        found = np.frombuffer(mapped, dtype=np.dtype(kind), count=count, offset=first + offset)
        return found.reshape(shape)

    states, moves = table("states"), table("moves")
    if states.dtype != np.int32 or states.ndim != 2 or states.shape[0] != 2 or moves.ndim != 1:
        raise ValueError(path)
    # read where they are mapped: copying them into arrays took 1.5 ms of a short parse
    rowbase, output = (memoryview(row).cast("B").cast("i") for row in states)
    if rowbase.itemsize != states.itemsize:
        raise ValueError(path)
    classes = [str(name) for name in header["classes"]]
    identifier = LanguageIdentifier(
        table("weights"), table("pc"), classes, memoryview(moves), output, tk_row=[]
    )
    # py3langid keeps the rows pre-shifted (``_rowbase``) for its walk; tk_row only to save
    identifier._rowbase = rowbase
    classifier: _Classifier = identifier
    return classifier


class _Classifier(Protocol):
    """What geomap uses of ``py3langid.langid.LanguageIdentifier``."""

    def classify(self, text: str) -> tuple[str, float]: ...


def _canonical_language(code: str) -> str:
    code = code.strip().lower().replace("_", "-")
    return _LANGUAGE_ALIASES.get(code, code)


def article_id(text: str) -> str:
    """The content id of an article: 16 hex digits of the SHA-256 of its normalised text.

    The text is put in NFC, whitespace runs become one space and the ends are stripped,
    so the same article read from a file, a URL or with other line ends gets the same id.
    """
    identity = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]
