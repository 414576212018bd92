"""Fuzzing extraction: parse_article on any Unicode text keeps every promise about its output.

Texts are arbitrary strings, and strings built from the pieces the extractor reacts to (place
names in several scripts, counts from 0 to 10**40 in every grouping, number words, count and
control words, dates, actors) mixed with odd whitespace, markup, bidi controls, combining
marks, emoji, control characters and NUL. For every text:

* no exception escapes :func:`geomap.pipeline.parse_article`;
* every mention's span lies in the text and ``text[start:end]`` is its surface; mentions
  come in text order and do not overlap;
* every event's and flow's evidence span lies in the text and ``text[start:end]`` is the
  evidence;
* every place is well formed (id ``scheme:id``, WGS 84 coordinates, ISO country code) and is
  the place of some mention: nothing is invented;
* every count is a non-negative ``int`` that fits a 64-bit integer, or ``None``; precisions
  and confidences are in range;
* parsing is deterministic.

Run longer with ``GEOMAP_FUZZ_SCALE=20 python -m pytest tests/test_fuzz_extract.py
--hypothesis-show-statistics``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
import os
import re

import hypothesis
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geomap.extract import lexicon
from geomap.gazetteer import Gazetteer, default_index_path
from geomap.geocode import OfflineGazetteer
from geomap.ingest import article_id
from geomap.pipeline import parse_article
from geomap.records import DAY, MONTH, Article, EventFact, ParsedArticle, Place, PubDate

#: The fuzz budget of this module; GEOMAP_FUZZ_SCALE multiplies it for a longer run.
SCALE = float(os.environ.get("GEOMAP_FUZZ_SCALE", "1"))
FUZZ = settings(
    max_examples=max(1, int(1000 * SCALE)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)

#: Every ``int | None`` field of an event: the counts.
COUNT_FIELDS = tuple(f.name for f in dataclasses.fields(EventFact) if f.type == "int | None")
PLACE_ID = re.compile(r"[a-z][a-z0-9-]*:[A-Za-z0-9][A-Za-z0-9._-]*")
COUNTRY_CODE = re.compile(r"[A-Z]{2}")
INT64_MAX = 2**63 - 1

# -- text strategies -----------------------------------------------------------------------

PLACE_NAMES = (
    "Almaty",
    "Almatys",
    "Alma-Ata",
    "Kasakhstan",
    "Kasakhstans",
    "Russland",
    "Hviterussland",
    "Москва",
    "Казахстане",
    "Алматы",
    "القاهرة",
    "北京",
    "Tromsø",
    "Bodø",
    "São Paulo",
    "New York",
    "Paris, Texas",
    "Georgia",
    "Nur-Sultan",
    "flyplassen i Almaty",
    "Almaty airport",
    "the airport",
    "аэропорт Алматы",
    "Vladimir Putin",
    "President Tokajev",
    "USA",
    "CSTO",
    "Under kontroll",
)
WHITESPACE = (
    " ",
    "  ",
    "\n",
    "\n\n",
    "\t",
    "\r",
    "\r\n",
    "\x0b",
    "\x0c",
    "\x85",
    "\u00a0",
    "\u2009",
    "\u202f",
    "\u2028",
    "\u2029",
    "\u3000",
    "\u200b",
    "\ufeff",
)
MARKUP = (
    "<p>",
    "</p>",
    "<b>",
    "<script>alert(1)</script>",
    "&amp;",
    "&#x41;",
    "&nbsp;",
    "[1]",
    "**",
    "__",
    "<!--",
    "-->",
    "{{ 7*7 }}",
    "{% raw %}",
    "```",
    "# ",
    "> ",
    "| a | b |",
    "http://example.test/a?b=c",
)
ODD = (
    "\u200f",  # right-to-left mark
    "\u200e",
    "\u202e",  # right-to-left override
    "\u2066",
    "\u2069",
    "سلام",
    "שלום",
    "\u0301",  # combining acute
    "\u0308",
    "e\u0301",
    "A\u0338\u0308\u0301\u0327",
    "🇰🇿",
    "👍🏽",
    "👨‍👩‍👧",
    "🔥",
    "\ufe0f",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\x7f",
    "\ufffd",
    "\U0010ffff",
    "٣",  # Arabic-Indic three
    "३",
    "５",  # fullwidth five
)
PUNCTUATION = tuple(".!?…«»–—,:;'’-()\"“”„/")
WORDS = tuple(
    sorted(
        {
            *lexicon.NUMBER_WORDS,
            *lexicon.MULTIPLIERS,
            *lexicon.COUNT_NOUNS,
            *lexicon.COUNT_VERBS,
            *lexicon.CONTROL_WORDS,
            *lexicon.DAMAGE_VERBS,
            *lexicon.DEPLOY_VERBS,
            *lexicon.FORCE_NOUNS,
            *lexicon.MONTHS,
            *lexicon.WEEKDAYS,
            *lexicon.ACTORS,
            *lexicon.ORGANISATIONS,
            *lexicon.FACILITY_WORDS,
            *lexicon.LOCATIVE,
            *lexicon.DESTINATION,
            *lexicon.PERSON_TITLES,
            *lexicon.NOT_A_COUNT,
            *(word for words in lexicon.QUALIFIERS for word in words),
        }
    )
)
#: Article languages, with zh, ja and ko, which wordfreq cannot split without jieba or MeCab.
LANGUAGES = ("nb", "en", "ru", "de", "fr", "sv", "kk", "ar", "tr", "zh", "ja", "ko", "und", "xx")

_SEPARATORS = (".", ",", " ", "\u00a0", "\u202f", "")


def _grouped(value: int, separator: str) -> str:
    digits = str(value)
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(groups)


numbers = st.one_of(
    st.integers(0, 3000).map(str),
    st.builds(_grouped, st.integers(0, 10**40), st.sampled_from(_SEPARATORS)),
    st.just("999 999 999 999"),
    st.just(str(10**40)),
    st.builds(lambda a, b: f"{a},{b}", st.integers(0, 99), st.integers(0, 99)),
    st.integers(1, 31).map(lambda day: f"{day}."),
)
fragments = st.one_of(
    st.sampled_from(PLACE_NAMES),
    st.sampled_from(WORDS),
    st.sampled_from(WORDS).map(str.capitalize),
    numbers,
    st.sampled_from(MARKUP),
    st.sampled_from(ODD),
    st.sampled_from(PUNCTUATION),
    st.text(max_size=12),
)
separators = st.sampled_from((" ", " ", " ", "", ". ", ", ", "\n", *WHITESPACE))
built_texts = st.lists(st.tuples(fragments, separators), max_size=150).map(
    lambda pairs: "".join(fragment + separator for fragment, separator in pairs)
)

COUNTRIES = ("Kasakhstan", "Russland", "Hviterussland", "Armenia", "Kirgisistan", "Tadsjikistan",
             "Usbekistan", "Frankrike", "Norge", "Россия", "Kazakhstan", "Belarus")  # fmt: skip
CITIES = ("Almaty", "Almatys", "Алматы", "Bodø", "Tromsø", "Paris", "Lyon", "Taraz", "Aktobe")


def _sample(words: object) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(words))  # type: ignore[call-overload]


#: Sentences of news shape in several languages, so that events and flows come out.
SENTENCES = (
    "{q} {n} {people} ble {verb} i {city} {weekday}.",
    "{q} {n} {people} were {verb} in {city} on {weekday}.",
    "{n} {month} ble {n} {people} {verb} i {country}.",
    "Over {n} {noun} ble {damage} i {city}.",
    "{org} sendte {n} soldater og {n} militaere kjoretoy til {country}.",
    "{org} sent {n} troops to {country}, and {n} {people} were {verb} there.",
    "{org} består av {country}, {country}, {country} og {country}.",
    "{org} consists of {country}, {country}, {country} and {country}.",
    "Flyplassen i {city} ble {control} av {actor}.",
    "The airport in {city} was {control} by {actor}.",
    "Аэропорт {city} {control}, {n} {people} {verb}.",
)
sentence_fields = {
    "q": st.sampled_from(("Minst", "Over", "Nesten", "At least", "More than", "Около", "")),
    "n": numbers,
    "people": _sample(lexicon.PEOPLE),
    "verb": _sample(lexicon.COUNT_VERBS),
    "noun": _sample(lexicon.COUNT_NOUNS),
    "damage": _sample(lexicon.DAMAGE_VERBS),
    "control": _sample(lexicon.CONTROL_WORDS),
    "actor": _sample(lexicon.ACTORS),
    "org": _sample(lexicon.ORGANISATIONS),
    "weekday": _sample(lexicon.WEEKDAYS),
    "month": _sample(lexicon.MONTHS),
    "city": st.sampled_from(CITIES),
    "country": st.sampled_from(COUNTRIES),
}


@st.composite
def news_sentence(draw: st.DrawFn) -> str:
    template = draw(st.sampled_from(SENTENCES))
    parts = re.split(r"\{(\w+)\}", template)
    return "".join(
        draw(sentence_fields[part]) if index % 2 else part for index, part in enumerate(parts)
    )


@st.composite
def noisy(draw: st.DrawFn, base: st.SearchStrategy[str]) -> str:
    """``base`` with odd characters, whitespace and markup put in at random places."""
    text = draw(base)
    noise = st.sampled_from((*ODD, *WHITESPACE, *MARKUP, *PUNCTUATION))
    for position, fragment in draw(st.lists(st.tuples(st.integers(0), noise), max_size=8)):
        cut = position % (len(text) + 1)
        text = text[:cut] + fragment + text[cut:]
    return text


news_texts = st.lists(news_sentence(), min_size=1, max_size=12).flatmap(
    lambda sentences: st.sampled_from((" ", "\n", "\n\n")).map(lambda sep: sep.join(sentences))
)
texts = st.one_of(
    st.text(max_size=400),
    built_texts,
    built_texts.map(str.upper),
    news_texts,
    noisy(news_texts),
)
publication = st.one_of(
    st.none(),
    st.builds(PubDate, st.dates(), st.just(DAY)),  # the whole calendar, 0001 to 9999
    st.builds(lambda date: PubDate(date.replace(day=1), MONTH), st.dates()),
)


# -- fixtures and checks ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def geocoder() -> OfflineGazetteer:
    """The offline geocoder on the built index ($GEOMAP_CACHE_DIR), opened once."""
    return OfflineGazetteer(gazetteer=Gazetteer.open(default_index_path()))


def make_article(text: str, *, language: str, published: PubDate | None) -> Article:
    return Article(
        id=article_id(text),
        source="fuzz.txt",
        title=None,
        published=published,
        language=language,
        text=text,
    )


def assert_place(place: Place) -> None:
    assert PLACE_ID.fullmatch(place.place_id), place.place_id
    assert place.name
    assert place.kind
    assert math.isfinite(place.latitude) and -90 <= place.latitude <= 90, place
    assert math.isfinite(place.longitude) and -180 <= place.longitude <= 180, place
    assert place.country_code is None or COUNTRY_CODE.fullmatch(place.country_code), place
    assert isinstance(place.population, int) and place.population >= 0
    assert math.isfinite(place.score) and 0 <= place.score <= 1


def assert_count(value: object) -> None:
    assert value is None or (type(value) is int and 0 <= value <= INT64_MAX), value


def assert_span(text: str, start: int, end: int, quoted: str) -> None:
    assert type(start) is int and type(end) is int
    assert 0 <= start < end <= len(text), (start, end, len(text))
    assert text[start:end] == quoted


def assert_well_formed(parsed: ParsedArticle, article: Article) -> None:
    text = article.text
    assert parsed.article == article
    for group in (parsed.mentions, parsed.unresolved):
        starts = [m.start for m in group]
        assert starts == sorted(starts), "mentions come in text order"
    everything = sorted((*parsed.mentions, *parsed.unresolved), key=lambda m: m.start)
    for mention in everything:
        assert mention.article_id == article.id
        assert_span(text, mention.start, mention.end, mention.surface)
    for before, after in itertools.pairwise(everything):
        assert before.end <= after.start, f"overlapping mentions {before} and {after}"
    for mention in parsed.mentions:
        assert mention.place is not None
        assert_place(mention.place)
    assert all(m.place is None for m in parsed.unresolved)
    named = {m.place.place_id for m in parsed.mentions if m.place is not None}
    for event in parsed.events:
        assert event.article_id == article.id
        assert_span(text, event.evidence_start, event.evidence_end, event.evidence)
        assert_place(event.place)
        assert event.place.place_id in named, "an event's place is a place the text names"
        assert event.geo_precision in (1, 2, 3)
        assert event.time_precision in (1, 2, 3)
        assert event.date is None or isinstance(event.date, dt.date)
        assert 0 <= event.confidence <= 1
        assert event.event_type and event.sub_event_type and event.disorder_type
        for name in COUNT_FIELDS:
            assert_count(getattr(event, name))
        assert {kind for kind, _ in event.qualifiers} <= set(COUNT_FIELDS)
    for flow in parsed.flows:
        assert flow.article_id == article.id
        assert_span(text, flow.evidence_start, flow.evidence_end, flow.evidence)
        for place in (flow.origin, flow.destination):
            assert_place(place)
            assert place.place_id in named
        assert flow.origin.place_id != flow.destination.place_id
        assert_count(flow.troops)
        assert_count(flow.military_vehicles)


# -- properties ------------------------------------------------------------------------------


def test_the_count_fields_are_found() -> None:
    assert {"fatalities", "injured", "arrested", "troops"} <= set(COUNT_FIELDS)


@FUZZ
@given(text=texts, language=st.sampled_from(LANGUAGES), published=publication)
@example(text="", language="und", published=None)
@example(text="\x00" * 50, language="nb", published=None)
@example(text="Minst 999 999 999 999 ble drept i Almaty mandag.", language="nb", published=None)
@example(text=f"At least {10**40} people were killed in Almaty.", language="en", published=None)
@example(
    text="Over 2.030 soldater fra CSTO ble sendt til Kasakhstan. Flyplassen i Almaty ble stormet.",
    language="nb",
    published=PubDate(dt.date(2022, 1, 7)),
)
def test_any_text_parses_into_well_formed_records(
    geocoder: OfflineGazetteer, text: str, language: str, published: PubDate | None
) -> None:
    article = make_article(text, language=language, published=published)
    parsed = parse_article(article, geocoder=geocoder)
    assert_well_formed(parsed, article)
    assert parse_article(article, geocoder=geocoder) == parsed, "parsing is deterministic"
    hypothesis.event(f"places found: {'yes' if parsed.mentions else 'no'}")
    hypothesis.event(f"events found: {'yes' if parsed.events else 'no'}")
    hypothesis.event(f"flows found: {'yes' if parsed.flows else 'no'}")
    hypothesis.event(f"places not found: {'yes' if parsed.unresolved else 'no'}")


@FUZZ
@given(
    value=st.integers(1, 10**40),
    separator=st.sampled_from(_SEPARATORS),
    word=st.sampled_from(("drept", "skadd", "arrestert", "soldater")),
)
def test_any_grouped_count_reads_as_a_non_negative_int(
    geocoder: OfflineGazetteer, value: int, separator: str, word: str
) -> None:
    text = f"Politiet sier at minst {_grouped(value, separator)} {word} i Almaty i går."
    article = make_article(text, language="nb", published=None)
    parsed = parse_article(article, geocoder=geocoder)
    assert_well_formed(parsed, article)


# -- edges: digits, huge numbers, the first day of the calendar, CJK languages --------------


@pytest.mark.parametrize("digit", ["²", "③", "⁵"])
def test_a_digit_int_cannot_read_is_no_crash(geocoder: OfflineGazetteer, digit: str) -> None:
    text = f"Den {digit} januar ble {digit} personer drept i Almaty."
    article = make_article(text, language="nb", published=PubDate(dt.date(2022, 1, 7)))
    assert_well_formed(parse_article(article, geocoder=geocoder), article)


def test_a_number_longer_than_python_reads_is_no_crash(geocoder: OfflineGazetteer) -> None:
    text = f"Minst {'9' * 5000} ble drept i Almaty."
    article = make_article(text, language="nb", published=None)
    assert_well_formed(parse_article(article, geocoder=geocoder), article)


def test_every_count_fits_a_geopackage_integer(geocoder: OfflineGazetteer) -> None:
    text = f"At least {10**40} people were killed in Almaty, and 999,999,999,999 were arrested."
    article = make_article(text, language="en", published=None)
    parsed = parse_article(article, geocoder=geocoder)
    counts = [getattr(e, name) for e in parsed.events for name in COUNT_FIELDS]
    assert all(count is None or count <= INT64_MAX for count in counts), counts


def test_a_weekday_before_the_first_day_of_the_calendar_is_no_crash(
    geocoder: OfflineGazetteer,
) -> None:
    text = "På søndag ble fem personer drept i Almaty."
    article = make_article(text, language="nb", published=PubDate(dt.date(1, 1, 1)))
    assert_well_formed(parse_article(article, geocoder=geocoder), article)


@pytest.mark.parametrize("language", ["zh", "ja", "ko"])
def test_an_article_in_chinese_or_japanese_is_no_crash(
    geocoder: OfflineGazetteer, language: str
) -> None:
    text = "记者说 Ar 有人抗议。"
    article = make_article(text, language=language, published=None)
    assert_well_formed(parse_article(article, geocoder=geocoder), article)
