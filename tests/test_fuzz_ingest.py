"""Fuzzing ingest: any bytes, any encoding, any file give a well-formed article or a SourceError.

Properties, checked with hypothesis on arbitrary input:

* :func:`article_from_bytes` and :func:`load` never raise anything but :class:`SourceError`;
* an article's text is non-blank, NFC, has ``\\n`` line ends, encodes to UTF-8, and its id
  is the content id of that text; its language is a code geomap detects (or ``und``);
* text written in a Unicode encoding with a BOM, or in a legacy charset that is declared,
  comes back exactly as written;
* reading a file or stdin gives what :func:`article_from_bytes` gives for its bytes, and a
  source over ``max_bytes`` is refused with a message naming the limit.

Run longer with ``GEOMAP_FUZZ_SCALE=20 python -m pytest tests/test_fuzz_ingest.py
--hypothesis-show-statistics``.
"""

from __future__ import annotations

import codecs
import functools
import io
import itertools
import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from geomap.errors import SourceError
from geomap.ingest import (
    ARTICLE_SUFFIXES,
    LANGUAGES,
    NOT_ARTICLES,
    IngestOptions,
    article_from_bytes,
    article_id,
    expand_sources,
    load,
)
from geomap.records import DAY, MONTH, Article

#: The fuzz budget of this module; GEOMAP_FUZZ_SCALE multiplies it for a longer run.
SCALE = float(os.environ.get("GEOMAP_FUZZ_SCALE", "1"))
FUZZ = settings(
    max_examples=max(1, int(300 * SCALE)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)

DETECTED = {"nb" if code == "no" else code for code in LANGUAGES} | {"und"}
SOURCES = (
    "article.txt",
    "article.html",
    "notes.md",
    "-",
    "https://news.example.test/2022/01/article",
    "no-suffix",
)
#: Python codecs that are no web charset: they raise a bare UnicodeError or rewrite escapes,
#: so a page that declares one is decoded as if it declared none.
NOT_TEXT_CODECS = ("punycode", "idna", "unicode_escape", "raw_unicode_escape")
CONTENT_TYPES = (
    None,
    "",
    "text/plain",
    "text/html",
    "application/xhtml+xml",
    "text/html; charset=utf-8",
    "text/plain; charset=windows-1251",
    "text/plain; charset=ISO-8859-1",
    "text/html; charset=koi8-r",
    "text/plain; charset=utf-16",
    "text/plain; charset=base64",
    "text/plain; charset=x-no-such-charset",
    "text/plain; charset=\x00",
    *(f"text/html; charset={name}" for name in NOT_TEXT_CODECS),
    "application/octet-stream",
)
BOMS = (
    b"",
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
)
LEGACY = ("cp1252", "cp1251", "koi8_r", "cp1250", "iso8859_15", "latin_1", "shift_jis", "gb18030")
#: Snippets that steer the decoder and the HTML sniffer to their edges.
HTML_BITS = (
    "<!doctype html>",
    "<html>",
    "<head><meta charset='{cs}'></head>",
    '<meta http-equiv="Content-Type" content="text/html; charset={cs}">',
    "<title>{w}</title>",
    "<body><article><p>{w} {w} {w} {w} {w} {w}</p></article></body>",
    "<script>var x = '{w}';</script>",
    "<!-- {w} -->",
    "<p>{w}</p>",
    '<meta property="article:published_time" content="2021-0{d}-1{d}">',
    "&amp;&#0;&#xD800;&#1114112;&nbsp;",
    "</html>",
)


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


html_pages = st.builds(
    lambda bits, words, cs, digit: "".join(bits).format(w=words, cs=cs, d=digit),
    st.lists(st.sampled_from(HTML_BITS), max_size=10),
    st.text(max_size=40),
    st.sampled_from(("utf-8", "windows-1251", "latin1", "x-nope", "utf-16", "", *NOT_TEXT_CODECS)),
    st.integers(1, 9),
).flatmap(
    lambda page: st.sampled_from(("utf-8", "cp1251", "utf-16")).map(lambda e: _encode(page, e))
)

any_bytes = st.one_of(
    st.binary(max_size=2048),
    st.builds(lambda bom, rest: bom + rest, st.sampled_from(BOMS), st.binary(max_size=256)),
    st.builds(
        _encode, st.text(max_size=400), st.sampled_from(("utf-8", "utf-16", "utf-32", *LEGACY))
    ),
    st.builds(lambda head, text: head + text.encode(), st.sampled_from(BOMS), st.text()),
    st.builds(
        lambda date, text: f"date {date}\n{text}".encode(),
        st.from_regex(r"\A\d{4}-\d{2}(-\d{2})?\Z"),
        st.text(max_size=200),
    ),
    html_pages,
)

#: Text without C0/C1 controls other than tab and newline (too many controls means binary).
readable_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff").filter(
        lambda c: c != "\r"
    )
    | st.sampled_from("\t\n"),
    min_size=1,
    max_size=300,
)


def article_or_none(call: Callable[[], Article]) -> Article | None:
    """The article, or ``None`` for a SourceError; any other exception fails the test."""
    try:
        return call()
    except SourceError as err:
        message = str(err)
        assert message, "a SourceError must say what is wrong"
        assert "\n" not in message, f"a SourceError must be one line: {message!r}"
        return None


def assert_well_formed(article: Article, *, source: str) -> None:
    text = article.text
    assert text.strip(), "an article must hold text"
    assert "\r" not in text
    assert unicodedata.is_normalized("NFC", text)
    text.encode("utf-8")  # no lone surrogates: the text can be written anywhere
    assert re.fullmatch(r"[0-9a-f]{16}", article.id)
    assert article.id == article_id(text)
    assert article.source == source
    assert article.language in DETECTED
    if article.title is not None:
        assert article.title
        assert article.title == article.title.strip()
    if article.published is not None:
        assert article.published.precision in (DAY, MONTH)


def _plain(text: str) -> str:
    """What ingest promises to make of plain text: NFC with ``\\n`` line ends."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _is_plain_article(text: str) -> bool:
    """No date line, HTML start or file signature, so the text is kept as written."""
    first = text.lstrip()
    return not (re.match(r"date", first, re.IGNORECASE) or first.startswith(("<", "%PDF-", "GIF8")))


# --- any bytes -----------------------------------------------------------------------------


@FUZZ
@given(
    data=any_bytes,
    source=st.sampled_from(SOURCES),
    content_type=st.sampled_from(CONTENT_TYPES),
)
def test_any_bytes_give_a_well_formed_article_or_a_source_error(
    data: bytes, source: str, content_type: str | None
) -> None:
    article = article_or_none(
        lambda: article_from_bytes(data, source=source, content_type=content_type)
    )
    if article is not None:
        assert_well_formed(article, source=source)


@FUZZ
@given(data=st.binary(max_size=64), content_type=st.text(max_size=60))
def test_any_content_type_header_is_survived(data: bytes, content_type: str) -> None:
    body = b"Mellom fjellene ligger byen, og bussen kommer sjelden. " + data
    article = article_or_none(
        lambda: article_from_bytes(body, source="a.txt", content_type=content_type)
    )
    if article is not None:
        assert_well_formed(article, source="a.txt")


# --- encodings -----------------------------------------------------------------------------


@FUZZ
@given(text=readable_text, encoding=st.sampled_from(("utf-8", "utf-8-sig", "utf-16", "utf-32")))
def test_unicode_text_with_or_without_bom_comes_back_as_written(text: str, encoding: str) -> None:
    assume(text.strip() and _is_plain_article(text))
    article = article_or_none(lambda: article_from_bytes(text.encode(encoding), source="a.txt"))
    assert article is not None, f"{text!r} in {encoding} was refused"
    assert_well_formed(article, source="a.txt")
    assert article.text == _plain(text)


@functools.cache
def _legacy_texts(encoding: str) -> st.SearchStrategy[str]:
    """Texts of the characters (no controls but newline) that round-trip through ``encoding``."""

    def fits(char: str) -> bool:
        try:
            return char.encode(encoding).decode(encoding) == char
        except UnicodeError:
            return False

    chars = (chr(code) for code in range(0x20, 0x10000))
    alphabet = [
        "\n",
        *(c for c in chars if unicodedata.category(c) not in ("Cc", "Cs") and fits(c)),
    ]
    return st.text(st.sampled_from(alphabet), min_size=1, max_size=200)


@FUZZ
@given(data=st.data(), encoding=st.sampled_from(LEGACY))
def test_declared_legacy_charset_gives_the_text_back(data: st.DataObject, encoding: str) -> None:
    text = data.draw(_legacy_texts(encoding))
    assume(text.strip() and _is_plain_article(text))
    content_type = f"text/plain; charset={encoding}"
    article = article_or_none(
        lambda: article_from_bytes(text.encode(encoding), source="a.txt", content_type=content_type)
    )
    assert article is not None, f"{text!r} declared as {encoding} was refused"
    assert_well_formed(article, source="a.txt")
    assert article.text == _plain(text)


# --- files and stdin -----------------------------------------------------------------------

_names = itertools.count()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-ingest")


@FUZZ
@given(
    data=any_bytes,
    suffix=st.sampled_from((*ARTICLE_SUFFIXES, ".TXT", ".dat", "")),
    max_bytes=st.one_of(st.just(8 * 1024 * 1024), st.integers(1, 3000)),
)
def test_a_file_reads_like_its_bytes_within_the_limit(
    folder: Path, data: bytes, suffix: str, max_bytes: int
) -> None:
    path = folder / f"article-{next(_names)}{suffix}"
    path.write_bytes(data)
    options = IngestOptions(max_bytes=max_bytes)
    if len(data) > max_bytes:
        with pytest.raises(SourceError, match=r"over the limit of .*--max-bytes"):
            load(str(path), options=options)
        return
    from_file = article_or_none(lambda: load(str(path), options=options))
    from_bytes = article_or_none(lambda: article_from_bytes(data, source=str(path)))
    assert from_file == from_bytes
    if from_file is not None:
        assert_well_formed(from_file, source=str(path))


@FUZZ
@given(data=any_bytes, max_bytes=st.integers(1, 3000))
def test_stdin_reads_like_its_bytes_within_the_limit(data: bytes, max_bytes: int) -> None:
    options = IngestOptions(max_bytes=max_bytes)
    if len(data) > max_bytes:
        with pytest.raises(SourceError, match=r"^stdin has more than the limit"):
            load("-", options=options, stdin=io.BytesIO(data))
        return
    from_stdin = article_or_none(lambda: load("-", options=options, stdin=io.BytesIO(data)))
    assert from_stdin == article_or_none(lambda: article_from_bytes(data, source="-"))


file_names = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\"),
    min_size=1,
    max_size=20,
).filter(lambda name: name not in (".", ".."))


@FUZZ
@given(names=st.lists(file_names, max_size=8, unique=True))
def test_a_folder_expands_to_its_visible_article_files_in_order(
    folder: Path, names: list[str]
) -> None:
    root = folder / f"tree-{next(_names)}"
    root.mkdir()
    for name in names:
        try:
            (root / name).write_bytes(b"x")
        except OSError:  # a name the file system refuses (too long in bytes)
            continue
    expected = sorted(
        str(root / name)
        for name in names
        if (root / name).is_file()
        and Path(name).suffix.lower() in ARTICLE_SUFFIXES
        and not name.startswith(".")
        and name.split(".")[0].upper() not in NOT_ARTICLES
    )
    if not expected:
        with pytest.raises(SourceError, match="folder holds no article files"):
            expand_sources([str(root)])
        return
    assert expand_sources([str(root)]) == [str(path) for path in sorted(map(Path, expected))]


# --- declared charsets that are no text encoding ---------------------------------------------


@pytest.mark.parametrize("charset", ["punycode", "idna"])
def test_a_declared_charset_that_is_no_text_encoding_never_crashes(
    tmp_path: Path, charset: str
) -> None:
    page = (
        f"<html><head><meta charset='{charset}'><title>Nytt</title></head><body><article>"
        "<p>Bussen til byen kom for sent igjen i dag, og mange ventet lenge i kulda.</p>"
        "<p>Ruteplanen ligger hos ruter.xn--zz, skriver selskapet.</p></article></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    article = article_or_none(lambda: load(str(path)))
    assert article is not None
    assert "Bussen" in article.text


def test_nul_in_the_declared_charset_is_a_source_error_or_ignored() -> None:
    body = b"Bussen til byen kom for sent igjen i dag."
    article = article_or_none(
        lambda: article_from_bytes(body, source="a.txt", content_type="text/plain; charset=\x00")
    )
    assert article is not None
    assert article.text == "Bussen til byen kom for sent igjen i dag."


@pytest.mark.parametrize("charset", ["unicode_escape", "raw_unicode_escape"])
def test_a_declared_escape_codec_leaves_the_text_as_written(charset: str) -> None:
    text = "Filen ligger under C:\\nyheter\\x41 og heter \\u0041, sier redaksjonen."
    article = article_from_bytes(
        text.encode(), source="a.txt", content_type=f"text/plain; charset={charset}"
    )
    assert article.text == text
