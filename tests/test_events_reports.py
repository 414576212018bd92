"""One event, many reports: the seed article and three others about the same days.

The three others are the project's own-words articles in ``examples/``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import Parse
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.extract.reports import Dated, dates_overlap, group_reports, merge_articles
from geomap.geocode import OfflineGazetteer
from geomap.ingest import IngestOptions, article_from_bytes, article_id
from geomap.pipeline import parse, parse_article
from geomap.records import DAY, MONTH, WEEK, Article, ParsedArticle, PubDate

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
OWN_WORDS = ("kazakhstan-2022-01.nb.txt", "kazakhstan-2022-01.en.txt", "kazakhstan-2022-01.ru.txt")


def test_four_articles_give_each_incident_once_with_all_its_sources(ntb_article: Path) -> None:
    parsed = [parse(str(ntb_article)), *(parse(str(EXAMPLES / name)) for name in OWN_WORDS)]
    merged = merge_articles(parsed)
    killed = [m for m in merged if m.event.fatalities is not None]
    assert [(m.event.place.place_id, m.event.fatalities) for m in killed] == [
        ("iso3166:KZ", 164)
    ]  # told four times, counted once
    (deaths,) = killed
    assert deaths.sources == 4
    assert all(dict(r.figures).get("fatalities") == 164 for r in deaths.reports)
    deployments = [m for m in merged if m.event.layer == "deployments"]
    assert [(m.event.actor1, m.event.troops, m.sources) for m in deployments] == [("CSTO", 2030, 4)]
    occupied = [m for m in merged if m.event.notes == "airport occupied"]
    assert [m.sources for m in occupied] == [4]


def test_the_most_recent_report_gives_the_figure() -> None:
    older = parse_text("date 2022-01-08\nAt least 40 people were killed in riots in Almaty.\n")
    newer = parse_text("date 2022-01-09\nAt least 44 people were killed in riots in Almaty.\n")
    (event,) = merge_articles([newer, older])
    assert (event.event.fatalities, event.sources) == (44, 2)
    assert [dict(r.figures)["fatalities"] for r in event.reports] == [44, 40]


def test_incidents_days_apart_stay_apart() -> None:
    first = parse_text("date 2022-01-05\nRiots broke out in Almaty today.\n")
    later = parse_text("date 2022-01-20\nRiots broke out in Almaty today.\n")
    assert len(merge_articles([first, later])) == 2


def parse_text(text: str) -> ParsedArticle:
    options = IngestOptions(language="en")
    article = article_from_bytes(text.encode(), source="report.txt", options=options)
    return parse_article(article, geocoder=OfflineGazetteer())


def _incidents(parsed: ParsedArticle) -> list[tuple[str, str, int | None, int | None]]:
    return [
        (e.event_type, e.place.name, e.fatalities, e.injured)
        for e in parsed.events
        if e.layer == "incidents"
    ]


def test_a_later_sentence_about_the_titles_incident_stays_at_the_titles_place() -> None:
    text = (
        "date 2016-03-04\n"
        "Tromsø clashes\n"
        "On 3 March 2016 rival groups of protesters clashed in Tromsø, a city of Norway, "
        "and two men were shot dead.\n\n"
        "The clashes left 30 people injured.\n"
    )
    assert _incidents(parse_text(text)) == [("Riots", "Tromsø", 2, 30)]


def test_a_later_figure_many_times_the_first_is_the_whole_incident() -> None:
    text = (
        "On 3 March 2016 rival groups of protesters clashed in Tromsø and two men were "
        "shot dead. By the evening the clashes in Tromsø had left 27 people dead.\n"
    )
    assert [e.fatalities for e in parse_text(text).events] == [27]


def test_how_the_counted_dead_died_is_no_incident_of_its_own() -> None:
    text = (
        "On 6 May 2021 rioters stormed the town hall in Bergen.\n"
        "Five people died: one was shot dead by a guard, one was stabbed and three died of "
        "heart attacks.\n"
    )
    assert _incidents(parse_text(text)) == [("Riots", "Bergen", 5, None)]


def test_arrests_and_a_picket_told_without_a_place_on_one_day_are_one_event() -> None:
    text = (
        "date 2014-08-06\n"
        "Четыре человека задержаны на пикете\n\n"
        "Один из них стоял в одиночном пикете с плакатом.\n\n"
        "Власти России не прокомментировали задержания.\n"
    )
    options = IngestOptions(language="ru")
    article = article_from_bytes(text.encode(), source="picket.txt", options=options)
    parsed = parse_article(article, geocoder=OfflineGazetteer())
    assert [(e.sub_event_type, e.place.name, e.arrested) for e in parsed.events] == [
        ("Protest with intervention", "Russia", 4)
    ]


def test_an_infobox_listing_towns_of_one_area_gives_its_figures_to_the_area() -> None:
    text = (
        "The May riots\n"
        "Date 3 to 5 May 2019\n"
        "Location Nanterre, Colombes, Gennevilliers (Hauts-de-Seine)\n"
        "Participants Youths in masked groups, some of them armed.\n"
        "Kinds of unrest rioting, looting, arson, stone throwing at police patrols\n"
        "Injured 40 police officers, 6 of them by stones\n"
        "Arrests 12 people\n\n"
        "The riots began in Nanterre on 3 May 2019 and spread to Colombes.\n"
    )
    events = parse_text(text).events
    assert [(e.place.name, e.injured, e.arrested) for e in events] == [
        ("Hauts-de-Seine", 40, 12),
        ("Nanterre", None, None),
        ("Colombes", None, None),  # the riots spread there
    ]


def test_a_sentence_that_only_talks_of_the_titles_incident_is_no_new_incident() -> None:
    text = (
        "On 6 May 2021 a mob of rioters attacked the town hall in Bergen.\n"
        "According to the inquiry, the attack had been planned for weeks.\n"
        "Five people died shortly before, during or after it.\n"
    )
    article = Article(
        id=article_id(text),
        source="attack.txt",
        title="Bergen town hall attack",  # a page's title, not a line of its text
        published=PubDate.parse("2021-05-08"),
        language="en",
        text=text,
    )
    parsed = parse_article(article, geocoder=OfflineGazetteer())
    assert _incidents(parsed) == [("Riots", "Bergen", 5, None)]


def test_an_infobox_row_of_arrests_is_the_subjects_arrests() -> None:
    text = (
        "Autumn of protest\n"
        "Country Chile\n"
        "Date 18 October 2019 to 18 March 2020\n"
        "   Participants 1 200 000 people\n"
        "   Injured more than 2000 people\n"
        "   Arrested more than 9000 people\n\n"
        "The autumn of protest was a wave of demonstrations that spread through Chile.\n"
    )
    events = parse_text(text).events
    assert [(e.sub_event_type, e.place.name, e.arrested) for e in events] == [
        ("Protest with intervention", "Chile", 9000)
    ]


def test_an_item_of_a_list_is_no_row_of_the_infobox() -> None:
    text = (
        "Autumn of protest\n"
        "Date 18 October 2019 to 18 March 2020\n"
        "Demands\n"
        "• Cheaper bus tickets in Santiago\n"
        "Injured 2000 people\n\n"
        "The autumn of protest was a wave of demonstrations that spread through Chile.\n"
    )
    events = parse_text(text).events
    assert [(e.place.name, e.injured) for e in events] == [("Chile", 2000)]


def test_the_name_the_next_sentence_gives_an_incident_places_it(parse: Parse) -> None:
    text = (
        "Strejken i Sydafrika\n"
        "Strejken bredte sig i Sydafrika i foråret 2015.\n\n"
        "Den 3. maj blev 12 strejkende minearbejdere dræbt af politiet. "
        'Denne hændelse kaldes ofte "Rustenburg-massakren".\n'
    )
    events = parse(text, "da").events
    assert [(e.place.name, e.fatalities) for e in events] == [
        ("South Africa", None),
        ("Rustenburg", 12),
    ]


def _grouped_one_by_one(keys: list[str], dates: list[Dated]) -> list[list[int]]:
    """The grouping rule as stated: a report joins the first group of its key whose first
    report's date overlaps its own, trying the groups in turn."""
    groups: list[list[int]] = []
    for i, (key, date) in enumerate(zip(keys, dates, strict=True)):
        slot = next(
            (
                g
                for g, members in enumerate(groups)
                if keys[members[0]] == key and dates_overlap(dates[members[0]], date)
            ),
            None,
        )
        if slot is None:
            groups.append([i])
        else:
            groups[slot].append(i)
    return groups


_DATED = st.tuples(
    st.one_of(st.none(), st.dates(dt.date(2021, 12, 25), dt.date(2022, 3, 5))),
    st.sampled_from([DAY, WEEK, MONTH]),
)


@settings(max_examples=300, deadline=None)
@given(reports=st.lists(st.tuples(st.sampled_from("abc"), _DATED), max_size=40))
def test_reports_group_as_the_rule_says_whatever_their_dates(
    reports: list[tuple[str, Dated]],
) -> None:
    keys = [key for key, _ in reports]
    dates = [dated for _, dated in reports]
    assert group_reports(keys, dates) == _grouped_one_by_one(keys, dates)


def test_reports_on_the_first_and_last_days_a_date_can_have_are_grouped() -> None:
    dates = [(dt.date.min, DAY), (dt.date.max, DAY), (dt.date.min, DAY)]
    assert group_reports(["a", "a", "a"], dates) == [[0, 2], [1]]
