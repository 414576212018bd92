"""Pathological HTML: what reaches the parser is bounded, and what was cut is said in one line.

Issue 14: 40,000 attributes on one element took 144 s inside lxml, and 100,000 nested ``div``
elements silently lost the article text (libxml2 stops below 256 levels). Now attributes past
:data:`~geomap.ingest.MAX_HTML_ATTRIBUTES` and tags deeper than
:data:`~geomap.ingest.MAX_HTML_DEPTH` are dropped before parsing, with the text kept and one
warning; a page the extractor still takes too long on is refused in one line.
"""

from __future__ import annotations

import logging

import pytest

from geomap import ingest
from geomap.errors import SourceError
from geomap.ingest import MAX_HTML_ATTRIBUTES, MAX_HTML_DEPTH, article_from_bytes, bounded_html

ARTICLE = (
    "Farmers drove their tractors into the town square on Tuesday morning. They asked the "
    "council to lower the price of diesel before the spring sowing. The mayor promised an "
    "answer by the end of the week, and the crowd left peacefully in the afternoon."
)
PARAGRAPHS = "".join(f"<p>{s}.</p>" for s in ARTICLE.rstrip(".").split(". "))


def _page(body: str) -> bytes:
    return (
        "<!doctype html><html><head><title>Tractors in the square</title></head>"
        f"<body>{body}</body></html>"
    ).encode()


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "geomap.ingest"]


def test_text_under_100000_nested_divs_is_kept_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    depth = 100_000
    page = _page("<div>" * depth + f"<article>{PARAGRAPHS}</article>" + "</div>" * depth)
    with caplog.at_level(logging.WARNING, logger="geomap.ingest"):
        article = article_from_bytes(page, source="deep.html")
    assert "diesel before the spring sowing" in article.text
    assert "the crowd left peacefully" in article.text
    (warning,) = _warnings(caplog)
    assert "deep.html" in warning and f"nested over {MAX_HTML_DEPTH} deep were flattened" in warning
    assert "\n" not in warning


def test_an_element_with_thousands_of_attributes_is_trimmed_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    attributes = " ".join(f'data-a{i}="{i}"' for i in range(5_000))
    page = _page(f"<div {attributes}><article>{PARAGRAPHS}</article></div>")
    with caplog.at_level(logging.WARNING, logger="geomap.ingest"):
        article = article_from_bytes(page, source="attrs.html")
    assert "lower the price of diesel" in article.text
    (warning,) = _warnings(caplog)
    assert "attrs.html" in warning and f"over {MAX_HTML_ATTRIBUTES} attributes" in warning


def test_bounding_keeps_the_first_attributes_and_every_word() -> None:
    attributes = " ".join(f'a{i}="v{i}"' for i in range(MAX_HTML_ATTRIBUTES + 50))
    html, cut = bounded_html(f"<p {attributes}>one</p>" + "<b>" * 300 + "two" + "</b>" * 300)
    assert 'a0="v0"' in html and f"a{MAX_HTML_ATTRIBUTES - 1}=" in html
    assert f"a{MAX_HTML_ATTRIBUTES}=" not in html
    assert html.count("<b>") == html.count("</b>") == MAX_HTML_DEPTH
    assert "one" in html and "two" in html
    assert "attributes" in cut and "nested" in cut


def test_an_ordinary_page_reaches_the_parser_unchanged() -> None:
    script = "<script>var s = '" + "<div>" * 500 + "';</script>"
    page = (
        "<html><body>" + "<p>open paragraph " * 400 + script + "<br/><img src=x>" + "</body></html>"
    )
    assert bounded_html(page) == (page, "")


def test_a_page_that_takes_too_long_to_read_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ingest, "HTML_SECONDS", 1e-6)
    with pytest.raises(SourceError) as caught:
        article_from_bytes(_page(f"<article>{PARAGRAPHS * 200}</article>"), source="slow.html")
    message = str(caught.value)
    assert message.startswith("slow.html took over") and "\n" not in message
