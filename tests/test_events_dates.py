"""When incidents happened: dates in the text, relative to the report, under headings.

Every text here is written for these tests.
"""

from __future__ import annotations

import datetime as dt

import pytest

from geomap.extract.dates import DateMention, find_dates
from geomap.extract.text import sentences
from geomap.geocode import OfflineGazetteer
from geomap.ingest import IngestOptions, article_from_bytes, article_id
from geomap.pipeline import parse_article
from geomap.records import DAY, MONTH, WEEK, Article, EventFact, PubDate

FRIDAY = PubDate.parse("2023-05-12")
MARCH_3 = DateMention(0, dt.date(2021, 3, 3), DAY)


def _dates(
    text: str,
    published: PubDate | None = FRIDAY,
    year: int | None = None,
    *,
    anchor: DateMention | None = None,
    language: str = "",
) -> list:
    sentence = sentences(text)[0]
    found = find_dates(
        sentence, text, published=published, year=year, anchor=anchor, language=language
    )
    return [(d.date, d.precision) for d in found]


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fighting went on from 16 to 19 January 2013 near the plant.", dt.date(2013, 1, 16)),
        ("Combats du 4 mai 2015 au 6 mai 2015 autour de la ville.", dt.date(2015, 5, 4)),
        ("Протесты шли с 11 по 14 июня 2010 года в городе.", dt.date(2010, 6, 11)),
        ("Kämpfe am 11.–14. Juni 2009 in der Altstadt.", dt.date(2009, 6, 11)),
        ("Strejken pågick mellan den 2 och 5 april 2011.", dt.date(2011, 4, 2)),
        ("Sammenstøtene varte 7 - 9 oktober 2016 i byen.", dt.date(2016, 10, 7)),
    ],
)
def test_a_range_of_days_is_dated_by_its_first_day_to_the_week(
    text: str, expected: dt.date
) -> None:
    assert _dates(text, published=None) == [(expected, WEEK)]


def test_a_range_longer_than_a_week_is_known_to_the_month() -> None:
    assert _dates("Streiken varte fra 3. til 20. mars 2019.", published=None) == [
        (dt.date(2019, 3, 1), MONTH)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "By 27 April, ninety people had been detained across the country.",
        "К вечеру 27 апреля задержаны девяносто человек.",
        "Bis zum 27. April wurden neunzig Menschen festgenommen.",
        "Jusqu'au 27 avril, quatre-vingt-dix personnes ont été arrêtées.",
        "Fram till den 27 april hade nittio personer gripits.",
    ],
)
def test_a_day_that_closes_a_tally_does_not_claim_the_day(text: str) -> None:
    assert _dates(text) == [(dt.date(2023, 4, 27), WEEK)]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Hier, la police a dispersé la foule.", "fr", dt.date(2023, 5, 11)),
        ("Avant-hier, des émeutiers ont incendié deux voitures.", "fr", dt.date(2023, 5, 10)),
        ("Aujourd'hui, les grévistes bloquent le port.", "fr", dt.date(2023, 5, 12)),
        ("Vorgestern blockierten Bauern die Autobahn.", "de", dt.date(2023, 5, 10)),
        ("Am Samstagabend brannten Autos in der Vorstadt.", "de", dt.date(2023, 5, 6)),
        ("Polisen grep tolv personer i söndags.", "sv", dt.date(2023, 5, 7)),
        ("Politiet rydda plassen tysdag.", "nn", dt.date(2023, 5, 9)),
        ("Demonstranter samledes i forgårs foran rådhuset.", "da", dt.date(2023, 5, 10)),
        ("Two days ago riot police stormed the camp.", "en", dt.date(2023, 5, 10)),
        ("Vor drei Tagen stürmte die Polizei das Lager.", "de", dt.date(2023, 5, 9)),
        ("For to dager siden ble leiren ryddet.", "nb", dt.date(2023, 5, 10)),
        ("Два дня назад полиция разогнала митинг.", "ru", dt.date(2023, 5, 10)),
    ],
)
def test_more_days_relative_to_the_report(text: str, language: str, expected: dt.date) -> None:
    assert _dates(text, language=language) == [(expected, DAY)]


def test_hier_is_a_day_only_in_french() -> None:
    assert _dates("Hier wurde niemand festgenommen.", language="de") == []


def test_a_weekday_next_to_its_date_is_not_read_twice() -> None:
    assert _dates("On Tuesday, 2 May, students occupied the library.") == [
        (dt.date(2023, 5, 2), DAY)
    ]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Two days later, rioters burned the town hall.", "en", dt.date(2021, 3, 5)),
        ("The next day, the army took the airport.", "en", dt.date(2021, 3, 4)),
        ("Dagen etter ble ti personer pågrepet.", "nb", dt.date(2021, 3, 4)),
        ("Le lendemain, la police a évacué la place.", "fr", dt.date(2021, 3, 4)),
        ("На следующий день полиция задержала сорок человек.", "ru", dt.date(2021, 3, 4)),
        ("Drei Tage später stürmte die Polizei das Gebäude.", "de", dt.date(2021, 3, 6)),
        ("Tre dagar senare brann bilar i förorten.", "sv", dt.date(2021, 3, 6)),
    ],
)
def test_days_counted_from_the_storys_day(text: str, language: str, expected: dt.date) -> None:
    assert _dates(text, published=None, anchor=MARCH_3, language=language) == [(expected, DAY)]


def test_days_counted_without_a_day_to_count_from_give_nothing() -> None:
    assert _dates("Two days later, rioters burned the town hall.", published=None) == []


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("In the following days, 300 people were arrested.", "en"),
        ("I dagene etter ble 40 personer pågrepet.", "nb"),
        ("De følgende dage blev 40 personer anholdt.", "da"),
        ("In den Tagen nach dem Angriff wurden 40 Menschen festgenommen.", "de"),
        ("Всю неделю полиция задерживала участников акции.", "ru"),
        ("After five days of unrest, thirty people had been killed.", "en"),
    ],
)
def test_a_span_of_days_does_not_claim_a_day(text: str, language: str) -> None:
    assert _dates(text, published=None, anchor=MARCH_3, language=language) == [
        (dt.date(2021, 3, 3), WEEK)
    ]


def test_the_length_of_a_strike_is_not_its_date() -> None:
    assert _dates("A six-week strike closed the mine.", published=None, anchor=MARCH_3) == []


def _parsed(
    text: str, published: str | None, *, title: str | None = None, language: str = "en"
) -> list[EventFact]:
    article = Article(
        id=article_id(text),
        source="own-words.txt",
        title=title,
        published=PubDate.parse(published) if published else None,
        language=language,
        text=text,
    )
    parsed = parse_article(article, geocoder=OfflineGazetteer())
    return [e for e in parsed.events if e.layer == "incidents"]


def test_later_sentences_of_a_paragraph_stay_on_its_day() -> None:
    text = (
        "On 4 June 2016 students marched through Bergen in protest. "
        "Rioters later looted shops in Trondheim."
    )
    dates = {e.place.name: (e.date, e.time_precision) for e in _parsed(text, "2017-01")}
    assert dates["Trondheim"] == (dt.date(2016, 6, 4), DAY)


def test_a_paragraph_that_told_of_several_days_keeps_only_the_month() -> None:
    text = (
        "Unrest began on 4 June 2016 in Bergen and reached Stavanger on 9 June 2016. "
        "Rioters later looted shops in Trondheim."
    )
    dates = {e.place.name: (e.date, e.time_precision) for e in _parsed(text, "2017-01")}
    assert dates["Trondheim"] == (dt.date(2016, 6, 1), MONTH)


def test_a_short_title_dates_the_subject_of_an_undated_article() -> None:
    text = "Rioters looted shops in Trondheim and burned two cars."
    (event,) = _parsed(text, "2016-09", title="Trondheim riots of 4 June 2016")
    assert (event.date, event.time_precision) == (dt.date(2016, 6, 4), DAY)


def test_a_title_day_without_its_year_does_not_date_the_subject() -> None:
    text = "Rioters looted shops in Trondheim and burned two cars."
    (event,) = _parsed(text, "2016-09", title="4 June riots in Trondheim")
    assert (event.date, event.time_precision) == (dt.date(2016, 9, 1), MONTH)


def test_an_infobox_date_row_dates_the_rows_and_paragraphs_after_it() -> None:
    text = (
        "Trondheim riots\n"
        "Date 4 June 2016\n"
        "Place Trondheim\n"
        "Type Riot\n\n"
        "Rioters looted shops in Trondheim and burned two cars.\n"
    )
    events = _parsed(text, "2016-09")
    assert {(e.date, e.time_precision) for e in events} == {(dt.date(2016, 6, 4), DAY)}


def test_a_merged_event_takes_the_date_of_the_report_with_its_figures() -> None:
    text = (
        "Riots broke out in Trondheim on 4 June 2016.\n\n"
        "So far 40 people have been arrested in the riots in Trondheim, police said."
    )
    events = _parsed(text, "2016-06-08")
    riots = [e for e in events if e.event_type == "Riots" and e.place.name == "Trondheim"]
    assert riots
    assert all(e.time_precision != DAY for e in riots if e.arrested == 40)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "After the riots of the past few days in Bergen, the government yesterday sent "
            "500 more police officers to Bergen.",
            "en",
        ),
        (
            "Efter de senaste dagarnas kravaller i Malmö skickade regeringen igår ytterligare "
            "500 poliser till Malmö.",
            "sv",
        ),
        (
            "Nach den Krawallen der letzten Tage in Leipzig schickte die Regierung gestern "
            "500 weitere Polizisten nach Leipzig.",
            "de",
        ),
    ],
)
def test_riots_of_recent_days_and_a_deployment_of_yesterday_keep_their_own_dates(
    text: str, language: str
) -> None:
    events = parse_article(
        Article(article_id(text), "own.txt", None, PubDate.parse("2016-06-08"), language, text),
        geocoder=OfflineGazetteer(),
    ).events
    dates = {e.layer: (e.date, e.time_precision) for e in events}
    assert dates["deployments"] == (dt.date(2016, 6, 7), DAY)
    assert dates["incidents"][1] == WEEK


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Police fired on the crowd on March 20th, 2013.", dt.date(2013, 3, 20)),
        ("On the 20th of March 2013 police fired on the crowd.", dt.date(2013, 3, 20)),
        ("Митинг разогнали 20-го марта 2013 года.", dt.date(2013, 3, 20)),
        ("Le 1er mai 2013, la police a chargé les manifestants.", dt.date(2013, 5, 1)),
    ],
)
def test_ordinal_days(text: str, expected: dt.date) -> None:
    assert _dates(text, published=None) == [(expected, DAY)]


def test_a_word_between_a_month_and_a_count_is_no_ordinal() -> None:
    assert _dates("I april er 30 personer drept.", published=None, year=2023) == [
        (dt.date(2023, 4, 1), MONTH)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "In the night from 5 to 6 May 2023 cars burned in the suburbs.",
        "Dans la nuit du 5 au 6 mai 2023, des voitures ont brûlé.",
        "Natten mellom 5. og 6. mai 2023 brant flere biler.",
    ],
)
def test_a_night_between_two_days_is_dated_by_its_morning(text: str) -> None:
    assert _dates(text, published=None) == [(dt.date(2023, 5, 6), DAY)]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Earlier this week, police raided the camp.", "en", (dt.date(2023, 5, 12), WEEK)),
        ("Förra veckan greps trettio personer.", "sv", (dt.date(2023, 5, 5), WEEK)),
        ("На прошлой неделе задержали тридцать человек.", "ru", (dt.date(2023, 5, 5), WEEK)),
        ("Le mois dernier, trente personnes ont été arrêtées.", "fr", (dt.date(2023, 4, 1), MONTH)),
        ("Letzten Monat wurden dreißig Menschen festgenommen.", "de", (dt.date(2023, 4, 1), MONTH)),
    ],
)
def test_weeks_and_months_relative_to_the_report(
    text: str, language: str, expected: tuple[dt.date, int]
) -> None:
    assert _dates(text, language=language) == [expected]


def test_the_subject_named_by_the_title_keeps_its_day_in_a_later_sentence() -> None:
    text = (
        "Date 4 June 2016\n"
        "Place Trondheim\n\n"
        "Soldiers fired on a crowd in Trondheim, and 30 people were killed.\n\n"
        "In October 2016 a commission on the Trondheim massacre was set up in Trondheim.\n"
    )
    events = _parsed(text, "2017-01", title="Trondheim massacre")
    assert events
    assert {(e.date, e.time_precision) for e in events} == {(dt.date(2016, 6, 4), DAY)}


def test_figures_told_later_in_a_news_report_keep_the_incidents_day() -> None:
    text = (
        "Riot police clashed with protesters in Trondheim on Monday.\n\n"
        "Officers arrested 30 people in the clashes in Trondheim, police said."
    )
    events = _parsed(text, "2016-06-08")
    riots = [e for e in events if e.event_type == "Riots" and e.place.name == "Trondheim"]
    assert [(e.date, e.time_precision) for e in riots] == [(dt.date(2016, 6, 6), DAY)]
