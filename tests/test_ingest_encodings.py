"""Broken and unusual encodings: read what can be read, refuse what cannot, in one line."""

from __future__ import annotations

import logging

import pytest

from geomap.errors import SourceError
from geomap.ingest import article_from_bytes

NB = "Politiet i Tromsø pågrep tolv personer etter demonstrasjonen på torget mandag."
RU = "Полиция задержала сорок человек после акции протеста в центре города."


@pytest.mark.parametrize("text", [NB, RU, "Police detained forty people in the city centre."])
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_byte_order_mark_is_read(text: str, encoding: str) -> None:
    article = article_from_bytes(text.encode(encoding), source="a.txt")
    assert article.text == text


def test_a_few_stray_bytes_in_utf8_are_replaced_with_a_warning_naming_the_source(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = NB.encode() + b" \xff\xfe slutt."
    with caplog.at_level(logging.WARNING, logger="geomap.ingest"):
        article = article_from_bytes(data, source="stray.txt")
    assert article.text.startswith(NB)  # not read as cp1252 (no "TromsÃ¸")
    (record,) = caplog.records
    assert record.getMessage() == "stray.txt: replaced 2 bytes that are not valid UTF-8"


@pytest.mark.parametrize(
    "data",
    [
        RU.encode("cp1251") + bytes(range(0x80, 0xA0)) + RU.encode(),  # mixed
        bytes(0x80 + (i * 37) % 127 for i in range(3000)),  # no encoding at all
    ],
)
def test_mixed_or_broken_encodings_are_refused_in_one_line(data: bytes) -> None:
    with pytest.raises(SourceError) as err:
        article_from_bytes(data, source="bad.txt")
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("bad.txt: ") and "save the article as UTF-8" in message


def test_page_without_body_logs_nothing_from_the_html_library(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG), pytest.raises(SourceError, match="no article text"):
        article_from_bytes(b"<html><head><title>x</title></head></html>", source="p.html")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
