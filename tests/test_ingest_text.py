"""Bytes to article, without I/O: decoding, normalising, date line, title, id, language."""

from __future__ import annotations

import codecs
import datetime as dt
import re

import pytest

from geomap.errors import SourceError, UsageError
from geomap.ingest import (
    IngestOptions,
    _html_date,
    article_from_bytes,
    article_id,
    detect_language,
)
from geomap.records import DAY, MONTH, PubDate

NB_TEXT = (
    "Været i Tromsø var kaldt og grått hele uka. Fiskerne på kaia måtte vente på bedre "
    "forhold før båtene kunne gå ut igjen. Ærlig talt har ingen sett så mye snø på én gang "
    "siden vinteren for ti år siden. Skolene holdt stengt mandag, og bussene gikk etter en "
    "redusert rutetabell.\n"
)
RU_TEXT = (
    "В пятницу в городе прошёл сильный дождь, и многие улицы оказались под водой. Жители "
    "жаловались, что автобусы опаздывали на целый час. Городские власти пообещали к "
    "понедельнику очистить ливневую канализацию. Синоптики считают, что погода улучшится "
    "только к концу следующей недели.\n"
)
EN_TEXT = (
    "The council met on Tuesday evening to discuss the new bridge over the river. Several "
    "residents said the project had already taken far too long. The mayor promised that work "
    "would begin before the end of the summer.\n"
)
SV_TEXT = (
    "Regeringen presenterade på onsdagen ett nytt förslag om höjda bidrag till kommunerna. "
    "Flera partier i riksdagen var kritiska och menade att pengarna inte räcker. Beslutet "
    "väntas fattas innan sommaren.\n"
)
DE_TEXT = (
    "Die Stadtverwaltung hat am Montag neue Regeln für den Verkehr in der Innenstadt "
    "vorgestellt. Viele Händler befürchten, dass künftig weniger Kunden kommen werden. Der "
    "Bürgermeister will die Pläne trotzdem noch in diesem Jahr umsetzen.\n"
)
FR_TEXT = (
    "Le gouvernement a annoncé mercredi une série de mesures pour soutenir les agriculteurs "
    "touchés par la sécheresse. Les syndicats estiment que ces aides arrivent beaucoup trop "
    "tard. Une nouvelle réunion est prévue la semaine prochaine.\n"
)


# --- decoding ------------------------------------------------------------------------------


def test_utf8_text_is_kept_as_written() -> None:
    article = article_from_bytes(NB_TEXT.encode("utf-8"), source="story.txt")
    assert article.text == NB_TEXT
    assert article.source == "story.txt"


def test_utf8_bom_is_dropped() -> None:
    article = article_from_bytes(codecs.BOM_UTF8 + NB_TEXT.encode("utf-8"), source="bom.txt")
    assert article.text == NB_TEXT


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom_decodes(encoding: str) -> None:
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    article = article_from_bytes(bom + RU_TEXT.encode(encoding), source="wide.txt")
    assert article.text == RU_TEXT


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (NB_TEXT, "cp1252"),
        (NB_TEXT, "latin-1"),
        (RU_TEXT, "cp1251"),
        (RU_TEXT, "koi8_r"),
    ],
)
def test_legacy_encoding_is_detected(text: str, encoding: str) -> None:
    article = article_from_bytes(text.encode(encoding), source="old.txt")
    assert article.text == text


def test_one_norwegian_sentence_in_cp1252_is_not_read_as_central_european() -> None:
    sentence = "Været i Tromsø var kaldt og grått hele uka.\n"
    article = article_from_bytes(sentence.encode("cp1252"), source="short.txt")
    assert article.text == sentence


def test_a_few_bad_bytes_in_utf8_are_replaced() -> None:
    good = NB_TEXT.encode("utf-8")
    broken = good[:60] + b"\xff\xfe" + good[60:]
    article = article_from_bytes(broken, source="broken.txt")
    assert "Tromsø" in article.text
    assert "båtene" in article.text
    assert "\ufffd" in article.text


def test_declared_charset_wins_over_detection() -> None:
    sentence = "Været i Tromsø var kaldt.\n"
    article = article_from_bytes(
        sentence.encode("cp850"), source="dos.txt", content_type="text/plain; charset=IBM850"
    )
    assert article.text == sentence


def test_declared_charset_that_does_not_fit_falls_back_to_detection() -> None:
    article = article_from_bytes(
        RU_TEXT.encode("cp1251"), source="x.txt", content_type="text/plain; charset=utf-8"
    )
    assert article.text == RU_TEXT


@pytest.mark.parametrize("charset", ["base64", "x-no-such-charset"])
def test_declared_charset_that_is_not_a_text_encoding_is_ignored(charset: str) -> None:
    content_type = f"text/plain; charset={charset}"
    article = article_from_bytes(RU_TEXT.encode(), source="x.txt", content_type=content_type)
    assert article.text == RU_TEXT


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02\x03binary\x00\x00" * 20,
        bytes(range(1, 32)) * 10,
        b"\x89PNG\r\n\x1a\n" + b"IHDR" * 10,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    ],
    ids=["nul", "controls", "png", "pdf"],
)
def test_binary_data_is_refused(data: bytes) -> None:
    with pytest.raises(SourceError, match=r"^blob\.txt looks like a binary file, not an article"):
        article_from_bytes(data, source="blob.txt")


@pytest.mark.parametrize("data", [b"", b"  \n\t\r\n ", codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
def test_empty_or_blank_is_refused(data: bytes) -> None:
    with pytest.raises(SourceError, match=r"^blank\.txt is empty"):
        article_from_bytes(data, source="blank.txt")


# --- normalising ---------------------------------------------------------------------------


def test_crlf_and_cr_become_lf() -> None:
    article = article_from_bytes(b"Title\r\n\r\nFirst line.\rSecond line.\r\n", source="w.txt")
    assert article.text == "Title\n\nFirst line.\nSecond line.\n"


def test_text_is_put_in_nfc() -> None:
    decomposed = "Cafe\u0301 in Tromso\u0308 opened.\n"
    article = article_from_bytes(decomposed.encode("utf-8"), source="nfd.txt")
    assert article.text == "Café in Tromsö opened.\n"


# --- date line and title -------------------------------------------------------------------


def test_date_line_with_month_sets_month_precision_and_is_removed() -> None:
    article = article_from_bytes(
        ("date 2022-01\n\nStorm i nord\n\n" + NB_TEXT).encode(), source="n.txt"
    )
    assert article.published == PubDate(dt.date(2022, 1, 1), MONTH)
    assert article.text == "Storm i nord\n\n" + NB_TEXT
    assert article.title == "Storm i nord"


def test_date_line_with_day_sets_day_precision() -> None:
    article = article_from_bytes(b"  DATE 2023-03-14\nHeadline\nBody text.\n", source="d.txt")
    assert article.published == PubDate(dt.date(2023, 3, 14), DAY)
    assert article.text == "Headline\nBody text.\n"


def test_date_line_after_blank_lines_and_with_colon_is_read() -> None:
    article = article_from_bytes(b"\n \nDate: 2021-11\nHeadline\n", source="c.txt")
    assert article.published == PubDate(dt.date(2021, 11, 1), MONTH)
    assert article.text == "Headline\n"


def test_date_followed_by_title_on_the_same_line_keeps_the_title() -> None:
    article = article_from_bytes(b" date 2022-01 Storm i nord\n\nBody text.\n", source="s.txt")
    assert article.published == PubDate(dt.date(2022, 1, 1), MONTH)
    assert article.text == "Storm i nord\n\nBody text.\n"
    assert article.title == "Storm i nord"


def test_date_line_that_is_not_first_stays_in_the_text() -> None:
    text = "Headline\ndate 2022-01\nBody.\n"
    article = article_from_bytes(text.encode(), source="late.txt")
    assert article.published is None
    assert article.text == text


def test_date_line_with_impossible_date_is_refused() -> None:
    with pytest.raises(SourceError, match=r"^bad\.txt: first line 'date 2022-13' is not a real"):
        article_from_bytes(b"date 2022-13\nHeadline\n", source="bad.txt")


def test_date_line_without_article_is_refused() -> None:
    with pytest.raises(SourceError, match="has a date line but no article text"):
        article_from_bytes(b"date 2022-01\n\n  \n", source="only-date.txt")


def test_date_option_overrides_the_date_line() -> None:
    override = PubDate(dt.date(2020, 5, 6))
    article = article_from_bytes(
        b"date 2022-01\nHeadline\n", source="o.txt", options=IngestOptions(date=override)
    )
    assert article.published == override
    assert article.text == "Headline\n"


def test_title_is_first_non_empty_line_and_stays_in_the_text() -> None:
    article = article_from_bytes(b"\n\n  Flood warning  \nRain all week.\n", source="t.txt")
    assert article.title == "Flood warning"
    assert article.text.startswith("\n\n  Flood warning")
    assert article.published is None


# --- id ------------------------------------------------------------------------------------


def test_id_is_16_hex_digits() -> None:
    assert re.fullmatch(r"[0-9a-f]{16}", article_id(NB_TEXT))


def test_id_ignores_line_ends_and_whitespace_runs() -> None:
    crlf = article_from_bytes(NB_TEXT.replace("\n", "\r\n").encode(), source="a.txt")
    spaced = article_from_bytes(("  " + NB_TEXT.replace(". ", ".\n\n")).encode(), source="b.txt")
    plain = article_from_bytes(NB_TEXT.encode(), source="c.txt")
    assert crlf.id == spaced.id == plain.id == article_id(NB_TEXT)


def test_id_ignores_encoding_and_date_line() -> None:
    dated = article_from_bytes(("date 2022-01\n" + NB_TEXT).encode("cp1252"), source="a.txt")
    assert dated.id == article_id(NB_TEXT)


def test_id_differs_for_different_text() -> None:
    assert article_id(NB_TEXT) != article_id(NB_TEXT.replace("mandag", "tirsdag"))


def test_id_is_the_same_for_nfc_and_nfd() -> None:
    assert article_id("Tromsø og Café") == article_id("Tromsø og Cafe\u0301")


# --- language ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (NB_TEXT, "nb"),
        (EN_TEXT, "en"),
        (RU_TEXT, "ru"),
        (SV_TEXT, "sv"),
        (DE_TEXT, "de"),
        (FR_TEXT, "fr"),
    ],
)
def test_language_is_detected(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_article_carries_the_detected_language() -> None:
    assert article_from_bytes(RU_TEXT.encode("koi8_r"), source="ru.txt").language == "ru"


def test_text_without_letters_has_undetermined_language() -> None:
    assert detect_language("12 345 -- 678\n") == "und"


@pytest.mark.parametrize(("given", "expected"), [("en", "en"), ("NO", "nb"), (" kk ", "kk")])
def test_language_option_skips_detection(given: str, expected: str) -> None:
    options = IngestOptions(language=given)
    assert article_from_bytes(NB_TEXT.encode(), source="x.txt", options=options).language == (
        expected
    )


# --- options -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout": 0},
        {"max_bytes": 0},
        {"max_redirects": -1},
        {"max_redirects": 1000},
        {"language": "Norwegian!"},
    ],
)
def test_impossible_options_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        IngestOptions(**kwargs)  # type: ignore[arg-type]


# --- HTML ----------------------------------------------------------------------------------

_HTML = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="{charset}">
<title>{title} | The Daily Example</title>
<meta property="og:title" content="{title}">
{meta}
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>{title}</h1>{paragraphs}</article>
<footer>All rights reserved.</footer>
</body></html>
"""


def _html(
    text: str,
    *,
    title: str = "Storm hits the coast",
    meta: str = "",
    charset: str = "utf-8",
    lang: str = "en",
) -> str:
    paragraphs = "".join(f"<p>{s.strip()}.</p>\n" for s in text.split(". ") if s.strip())
    return _HTML.format(title=title, meta=meta, charset=charset, lang=lang, paragraphs=paragraphs)


def test_html_is_sniffed_and_reduced_to_its_main_text() -> None:
    page = _html(EN_TEXT, meta='<meta property="article:published_time" content="2023-03-14">')
    article = article_from_bytes(page.encode(), source="-")
    assert article.title == "Storm hits the coast"
    assert article.published == PubDate(dt.date(2023, 3, 14), DAY)
    assert "residents said the project" in article.text
    assert "All rights reserved" not in article.text
    assert "<p>" not in article.text
    assert article.language == "en"


def test_html_meta_charset_is_used() -> None:
    page = _html(RU_TEXT, title="Ливень в городе", charset="windows-1251", lang="ru")
    article = article_from_bytes(page.encode("cp1251"), source="page", content_type="text/html")
    assert article.title == "Ливень в городе"
    assert "автобусы опаздывали" in article.text
    assert article.language == "ru"


def test_html_with_month_only_date_keeps_month_precision() -> None:
    page = _html(EN_TEXT, meta='<meta name="date" content="2021-05">')
    article = article_from_bytes(page.encode(), source="month.html")
    assert article.published == PubDate(dt.date(2021, 5, 1), MONTH)


@pytest.mark.parametrize(
    ("found", "page", "today", "expected"),
    [
        ("2021-05-14", "", dt.date(2026, 1, 14), PubDate(dt.date(2021, 5, 1), MONTH)),
        ("2021-05-14", "2021-05-14T10:00", dt.date(2026, 1, 14), PubDate(dt.date(2021, 5, 14))),
        ("2021-05-14", "", dt.date(2026, 1, 15), PubDate(dt.date(2021, 5, 14))),
        ("2021-02-28", "", dt.date(2026, 1, 31), PubDate(dt.date(2021, 2, 1), MONTH)),
        (None, "", dt.date(2026, 1, 31), None),
        ("not a date", "", dt.date(2026, 1, 31), None),
    ],
)
def test_html_date_precision_follows_what_the_page_writes(
    found: str | None, page: str, today: dt.date, expected: PubDate | None
) -> None:
    assert _html_date(found, html=page, today=today) == expected


def test_html_date_option_overrides_metadata() -> None:
    page = _html(EN_TEXT, meta='<meta property="article:published_time" content="2023-03-14">')
    override = PubDate(dt.date(2023, 3, 1), MONTH)
    article = article_from_bytes(
        page.encode(), source="p.html", options=IngestOptions(date=override)
    )
    assert article.published == override


def test_html_without_body_text_is_refused() -> None:
    page = b"<!doctype html><html><head><title>Index</title></head><body><nav>Home</nav></body>"
    with pytest.raises(SourceError, match=r"^index\.html has no article text"):
        article_from_bytes(page, source="index.html")


def test_plain_text_content_type_with_html_body_is_still_html() -> None:
    article = article_from_bytes(
        _html(EN_TEXT).encode(), source="x", content_type="text/plain; charset=utf-8"
    )
    assert article.title == "Storm hits the coast"
    assert "<article>" not in article.text
