"""When incidents happened: dates in the text, relative to the report, under headings.

Every text here is written for these tests.
"""

from __future__ import annotations

import datetime as dt

import pytest

from geomap.extract.dates import find_dates
from geomap.extract.text import sentences
from geomap.geocode import OfflineGazetteer
from geomap.ingest import IngestOptions, article_from_bytes
from geomap.pipeline import parse_article
from geomap.records import DAY, MONTH, EventFact, PubDate

FRIDAY = PubDate.parse("2023-05-12")


def _dates(text: str, published: PubDate | None = FRIDAY, year: int | None = None) -> list:
    sentence = sentences(text)[0]
    return [
        (d.date, d.precision) for d in find_dates(sentence, text, published=published, year=year)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Troops fired on the crowd on 14 August 2013.", dt.date(2013, 8, 14)),
        ("Troops fired on the crowd on August 14, 2013.", dt.date(2013, 8, 14)),
        ("Den 14. januar 2008 ble hotellet angrepet.", dt.date(2008, 1, 14)),
        ("Die Unruhen begannen am 5. Juli 2009 in der Stadt.", dt.date(2009, 7, 5)),
        ("Митинг прошёл 10 апреля 2011 года в центре.", dt.date(2011, 4, 10)),
        ("Акция прошла 20.03.2022 у метро.", dt.date(2022, 3, 20)),
        ("Huset blev ryddet torsdag d. 1. marts 2007 om morgenen.", dt.date(2007, 3, 1)),
        ("La manifestation a eu lieu le 3 juin 2019 à Lyon.", dt.date(2019, 6, 3)),
    ],
)
def test_absolute_dates_in_many_forms(text: str, expected: dt.date) -> None:
    assert _dates(text)[0] == (expected, DAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Protesters gathered on Tuesday.", dt.date(2023, 5, 9)),
        ("Demonstrantene samlet seg i går.", dt.date(2023, 5, 11)),
        ("Вчера у мэрии прошёл пикет.", dt.date(2023, 5, 11)),
        ("В понедельник полиция задержала троих.", dt.date(2023, 5, 8)),
        ("Upploppen fortsatte i natt.", dt.date(2023, 5, 11)),
        ("Police cleared the square today.", dt.date(2023, 5, 12)),
    ],
)
def test_dates_relative_to_the_report(text: str, expected: dt.date) -> None:
    assert _dates(text) == [(expected, DAY)]


def test_a_day_without_year_takes_the_articles_year() -> None:
    assert _dates("Clashes resumed on 9 June.", published=None, year=2010) == [
        (dt.date(2010, 6, 9), DAY)
    ]


def test_a_day_later_than_the_report_is_last_years() -> None:
    assert _dates("Protests began on 20 December.") == [(dt.date(2022, 12, 20), DAY)]


def test_a_month_and_year_is_known_to_the_month() -> None:
    assert _dates("Strikes spread in June 2013.", published=None) == [(dt.date(2013, 6, 1), MONTH)]


def test_a_weekday_needs_a_report_dated_to_the_day() -> None:
    assert _dates("Protesters gathered on Tuesday.", published=PubDate.parse("2023-05")) == []


def _events(text: str, published: str) -> list[EventFact]:
    options = IngestOptions(language="en", date=PubDate.parse(published))
    article = article_from_bytes(text.encode(), source="t.txt", options=options)
    parsed = parse_article(article, geocoder=OfflineGazetteer())
    return [e for e in parsed.events if e.layer == "incidents"]


def test_a_chronology_heading_dates_the_paragraphs_under_it() -> None:
    text = (
        "Chronology of the unrest\n\n"
        "3 March\n\n"
        "Students marched through Bergen and blocked the main bridge.\n\n"
        "Riot police later cleared the bridge.\n\n"
        "5 March\n\n"
        "Rioters looted shops in Trondheim.\n"
    )
    dates = {e.place.name: (e.date, e.time_precision) for e in _events(text, "2023-03")}
    assert dates == {
        "Bergen": (dt.date(2023, 3, 3), DAY),
        "Trondheim": (dt.date(2023, 3, 5), DAY),
    }


def test_each_place_takes_the_date_next_to_it() -> None:
    text = "Violence that began on 19 May in Bergen spread on 9 June to Trondheim."
    dates = {e.place.name: e.date for e in _events(text, "2023-07")}
    assert dates == {"Bergen": dt.date(2023, 5, 19), "Trondheim": dt.date(2023, 6, 9)}


def test_a_date_of_another_event_in_a_later_clause_is_not_the_incidents() -> None:
    text = (
        "Riots broke out in Bergen, weeks after the mayor resigned on 2 April. "
        "The city had been calm."
    )
    (event,) = _events(text, "2023-05")
    assert (event.date, event.time_precision, event.date_basis) == (
        dt.date(2023, 5, 1),
        MONTH,
        "publication",
    )
