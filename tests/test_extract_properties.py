"""Properties of extraction on any text: no crash, spans inside the text, sane counts."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomap.geocode import OfflineGazetteer
from geomap.ingest import article_id
from geomap.pipeline import parse_article
from geomap.records import Article, PubDate
from geomap.serialize import COUNT_COLUMNS

#: Words that send the extractor down its many paths: places, inflections, numbers in
#: several formats, count words, organisations, facility words, weekdays.
WORDS = (
    "Almaty Almatys Kasakhstan Казахстане Алматы CSTO ОДКБ NATO alliance alliansen "
    "flyplassen airport аэропорт the in i в til to 2.030 2,030 2 030 1,500 164 nearly minst "
    "более soldiers soldater военнослужащих killed drept погибли detained pågrep задержаны "
    "cars biler vehicles military militære looted plyndret Monday mandag понедельник "
    "January januar президент President Vladimir Putin Under Ro took back flights resumed "
    "— , . ; « » ( ) \n"
).split(" ")
_piece = st.one_of(
    st.sampled_from(WORDS),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8),
)
texts = st.lists(_piece, max_size=60).map(" ".join)


@pytest.fixture(scope="module")
def geocoder() -> OfflineGazetteer:
    return OfflineGazetteer()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=texts, language=st.sampled_from(["nb", "en", "ru", "de", "und"]))
def test_any_text_parses_with_spans_inside_it(
    geocoder: OfflineGazetteer, text: str, language: str
) -> None:
    article = Article(
        id=article_id(text),
        source="h.txt",
        title=None,
        published=PubDate(dt.date(2022, 1, 10)),
        language=language,
        text=text,
    )
    parsed = parse_article(article, geocoder=geocoder)
    for mention in (*parsed.mentions, *parsed.unresolved):
        assert text[mention.start : mention.end] == mention.surface
    for event in parsed.events:
        assert text[event.evidence_start : event.evidence_end] == event.evidence
        for column in COUNT_COLUMNS:
            value = getattr(event, column)
            assert value is None or value > 0
    for flow in parsed.flows:
        assert flow.origin.place_id != flow.destination.place_id
