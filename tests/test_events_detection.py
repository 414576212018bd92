"""Incidents as an analyst codes them: found from their words, placed, counted once.

Every text here is written for these tests.
"""

from __future__ import annotations

import pytest
from conftest import Parse

from geomap.records import EventFact, ParsedArticle


def _incidents(parsed: ParsedArticle) -> list[EventFact]:
    return [e for e in parsed.events if e.layer == "incidents"]


def _places(parse: Parse, text: str, language: str) -> set[str]:
    """The names of the places of the text's incidents."""
    return {e.place.name for e in _incidents(parse(text, language))}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hundreds of students held a protest in Bergen against the new fees.", "en"),
        ("Flere hundre studenter demonstrerte i Bergen mot de nye avgiftene.", "nb"),
        ("Fleire hundre studentar demonstrerte i Bergen mot dei nye avgiftene.", "nn"),
        ("Hundratals studenter protesterade i Bergen mot de nya avgifterna.", "sv"),
        ("Flere hundrede studerende demonstrerede i Bergen mod de nye gebyrer.", "da"),
        ("Hunderte Studenten demonstrierten in Bergen gegen die neuen Gebühren.", "de"),
        ("Des centaines d'étudiants ont manifesté à Bergen contre les nouveaux frais.", "fr"),
        ("Сотни студентов вышли на акцию протеста в Бергене против новых сборов.", "ru"),
        ("Hundreds of students were marching through Bergen against the fees.", "en"),
        ("Flere hundre studenter marsjerte gjennom Bergen mot avgiftene.", "nb"),
        ("Hundratals studenter marscherade genom Bergen mot avgifterna.", "sv"),
        ("Flere hundrede studerende marcherede gennem Bergen mod gebyrerne.", "da"),
        ("Hunderte Studenten marschierten durch Bergen gegen die Gebühren.", "de"),
    ],
)
def test_a_protest_without_a_number_is_an_event_at_its_town(
    parse: Parse, text: str, language: str
) -> None:
    parsed = parse(text, language)
    (event,) = _incidents(parsed)
    assert (event.event_type, event.place.name, event.geo_precision) == ("Protests", "Bergen", 1)
    assert parsed.article.text[event.evidence_start : event.evidence_end] == event.evidence
    assert event.notes.startswith("place: ")  # the choice of place is explained


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("Rioters looted shops and set cars on fire in Malmö overnight.", "en", "Riots"),
        ("Opprørere plyndret butikker i Malmö i natt.", "nb", "Riots"),
        ("Police arrested journalists in Tromsø on Tuesday.", "en", "Strategic developments"),
        ("Полиция задержала активистов в Казани во вторник.", "ru", "Strategic developments"),
        ("Une bombe a explosé devant la mairie de Lyon.", "fr", "Explosions/Remote violence"),
        ("Ein mann skaut mot folk i Bergen i natt.", "nn", "Violence against civilians"),
    ],
)
def test_riots_arrests_and_bombs_are_told_by_their_words(
    parse: Parse, text: str, language: str, kind: str
) -> None:
    (event,) = _incidents(parse(text, language))
    assert event.event_type == kind
    assert all(
        getattr(event, column) is None for column in ("fatalities", "injured", "arrested")
    )  # no number in the text, no count


@pytest.mark.parametrize(
    "text",
    [
        "No new clashes were reported in Almaty on Monday.",
        "Riot police stood in the streets of Almaty on Monday.",
        'The minister said: "There will be no riots in Almaty."',
    ],
)
def test_denied_quoted_and_qualifying_words_are_no_incident(parse: Parse, text: str) -> None:
    assert _incidents(parse(text, "en")) == []


def test_the_town_a_preposition_governs_beats_a_country_merely_named(parse: Parse) -> None:
    text = "Police officers sent from Sweden arrested twelve football fans in Oslo on Saturday."
    (event,) = _incidents(parse(text, "en"))
    assert (event.place.name, event.arrested) == ("Oslo", 12)


def test_a_countrywide_total_stays_at_the_country(parse: Parse) -> None:
    text = (
        "Riots broke out in Lyon, France on Monday. "
        "Nearly 1 000 people were arrested across the country, the ministry said."
    )
    arrests = [e for e in _incidents(parse(text, "en")) if e.arrested]
    assert [(e.place.kind, e.geo_precision, e.arrested) for e in arrests] == [("country", 3, 1000)]


def test_the_noun_decides_the_column(parse: Parse) -> None:
    text = "Près de 1 000 interpellations ont eu lieu à Marseille pendant les émeutes."
    (event,) = _incidents(parse(text, "fr"))
    assert (event.arrested, event.fatalities) == (1000, None)
    assert dict(event.qualifiers)["arrested"] == "nearly"


def test_a_total_wins_over_its_parts(parse: Parse) -> None:
    text = "Minst 44 mennesker ble drept i opptøyene i Bergen, blant dem 18 politifolk."
    (event,) = _incidents(parse(text, "nb"))
    assert event.fatalities == 44


def test_one_incident_told_twice_is_one_event(parse: Parse) -> None:
    text = (
        "Clashes in Bergen on Thursday left 6 people dead.\n\n"
        "The clashes in Bergen began after a march. Six people died, the police said."
    )
    (event,) = [e for e in _incidents(parse(text, "en")) if e.event_type == "Riots"]
    assert event.fatalities == 6
    assert "3 reports in the article" in event.notes  # three sentences tell of it


def test_places_listed_with_and_each_get_the_incident(parse: Parse) -> None:
    text = "Riots spread to the towns of Malmö and Uppsala on Wednesday."
    places = _places(parse, text, "en")
    assert places == {"Malmö", "Uppsala"}


def test_places_listed_without_a_preposition_each_get_the_incident(parse: Parse) -> None:
    text = "Upploppen spred sig på torsdagen till förorterna Salford och Bolton."
    places = _places(parse, text, "sv")
    assert places == {"Salford", "Bolton"}


def test_one_figure_for_neighbouring_places_is_their_area_s_not_the_first_town_s(
    parse: Parse,
) -> None:
    text = (
        "Unrest spread on Friday to Salford and Bolton, where police said 40 people had been "
        "arrested in the area."
    )
    events = _incidents(parse(text, "en"))
    riots = {e.place.name: e.arrested for e in events if e.event_type == "Riots"}
    assert riots == {"Salford": None, "Bolton": None}
    (arrests,) = [e for e in events if e.sub_event_type == "Arrests"]
    assert (arrests.arrested, arrests.geo_precision) == (40, 2)
    assert arrests.place.kind == "area"
    assert "Salford" in arrests.place.name and "Bolton" in arrests.place.name


def test_one_figure_for_distant_cities_goes_to_their_country(parse: Parse) -> None:
    text = (
        "Protests against the war took place in Bergen and Tromsø in Norway on Sunday, and "
        "police detained 30 people."
    )
    events = _incidents(parse(text, "en"))
    held = [(e.place.kind, e.geo_precision, e.arrested) for e in events if e.arrested]
    assert held == [("country", 3, 30)]
    assert {e.place.name for e in events if not e.arrested} == {"Bergen", "Tromsø"}


def test_a_separate_incident_in_another_town_is_an_event_of_its_own(parse: Parse) -> None:
    text = (
        "A car bomb hit an army post in Mosul on Monday, and a separate shooting at a market in "
        "Kirkuk wounded 7 people."
    )
    events = _incidents(parse(text, "en"))
    by_place = {e.place.name: e.injured for e in events}
    assert by_place == {"Mosul": None, "Kirkuk": 7}  # the figure is in Kirkuk's clause


def test_one_figure_for_separate_incidents_goes_to_their_country(parse: Parse) -> None:
    text = (
        "Attacks on a checkpoint in Iraq's Mosul as well as a separate bombing near a court in "
        "Kirkuk killed at least 5 people, officials in Iraq said."
    )
    events = _incidents(parse(text, "en"))
    assert {e.place.name: e.fatalities for e in events if e.place.kind == "city"} == {
        "Mosul": None,
        "Kirkuk": None,
    }
    assert [(e.place.kind, e.fatalities) for e in events if e.fatalities] == [("country", 5)]


def test_one_incident_word_after_its_only_town_gives_one_event(parse: Parse) -> None:
    text = "Police in Almaty said the riot left 12 people injured."
    assert [e.place.name for e in _incidents(parse(text, "en"))] == ["Almaty"]


def test_a_figure_for_one_town_stays_there_when_no_list_is_named(parse: Parse) -> None:
    text = "Unrest spread on Friday to Salford, where police arrested 40 people."
    (event,) = _incidents(parse(text, "en"))
    assert (event.place.name, event.arrested) == ("Salford", 40)


def test_a_place_after_french_du_is_where_it_happened(parse: Parse) -> None:
    text = (
        "Les émeutes ont commencé à Sarcelles samedi.\n\n"
        "Dans tout le département du Val d'Oise, 40 policiers ont été blessés."
    )
    injured = [e for e in _incidents(parse(text, "fr")) if e.injured == 40]
    assert [e.place.name for e in injured] == ["Val-d'Oise"]


def test_a_stance_is_no_place(parse: Parse) -> None:
    text = "A pro-Ukraine rally took place in Tbilisi on Sunday."
    (event,) = _incidents(parse(text, "en"))
    assert event.place.name == "Tbilisi"


def test_a_hundred_is_a_count_with_its_qualifier(parse: Parse) -> None:
    text = "Around a hundred people were arrested in Tartu after the march."
    (event,) = [e for e in _incidents(parse(text, "en")) if e.arrested]
    assert (event.arrested, dict(event.qualifiers)["arrested"]) == (100, "about")


def test_a_running_tally_is_dated_to_the_week(parse: Parse) -> None:
    text = "So far 85 people have been arrested in the riots in Tartu, police said on Thursday."
    (event,) = [e for e in _incidents(parse(text, "en")) if e.arrested]
    assert (event.arrested, event.time_precision) == (85, 2)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Youths threw petrol bombs at the police station in Malmö.", "en"),
        ("Ungdommer kastet brannbomber mot politistasjonen i Bergen.", "nb"),
        ("Ungdomar kastade molotovcocktails mot polisstationen i Malmö.", "sv"),
        ("Jugendliche warfen Brandsätze auf die Polizeiwache in Bremen.", "de"),
        ("Des jeunes ont lancé des cocktails Molotov sur le commissariat de Lyon.", "fr"),
    ],
)
def test_petrol_bombs_thrown_by_a_crowd_tell_of_a_riot_not_an_explosion(
    parse: Parse, text: str, language: str
) -> None:
    (event,) = _incidents(parse(text, language))
    assert event.event_type == "Riots"


def test_a_quoted_post_adds_no_incident_of_its_own(parse: Parse) -> None:
    text = (
        "Police dispersed a protest in Bergen on Monday with tear gas.\n"
        "@someone: I hear shots near the harbour.\n"
        "RT @other: huge explosions in the centre right now\n"
    )
    assert [e.event_type for e in _incidents(parse(text, "en"))] == ["Protests"]


@pytest.mark.parametrize(
    ("text", "language", "event_type"),
    [
        (
            "Three men died under torture in a police cell in Manama.",
            "en",
            "Violence against civilians",
        ),
        (
            "Drei Häftlinge starben an der Folter in einer Polizeiwache in Manama.",
            "de",
            "Violence against civilians",
        ),
        ("The army launched a military operation against rebels near Goma.", "en", "Battles"),
        ("Военная операция против боевиков началась под Донецком.", "ru", "Battles"),
        (
            "Am Abend stießen Hunderte Jugendliche in Bremen mit der Polizei zusammen.",
            "de",
            "Riots",
        ),
    ],
)
def test_incidents_told_by_torture_an_operation_or_a_split_verb(
    parse: Parse, text: str, language: str, event_type: str
) -> None:
    (event,) = _incidents(parse(text, language))
    assert event.event_type == event_type


def test_police_starting_an_operation_is_no_battle(parse: Parse) -> None:
    assert _incidents(parse("Police in Bergen started an operation to find the men.", "en")) == []


def test_a_title_naming_an_incident_by_its_year_is_no_report_at_each_town(parse: Parse) -> None:
    text = (
        "2016 riots in Bergen, Voss and Odda\n\n"
        "The riots of June 2016 in Bergen began when a concert was cancelled."
    )
    places = _places(parse, text, "en")
    assert places == {"Bergen"}


def test_a_dated_chronology_heading_still_dates_what_follows(parse: Parse) -> None:
    text = "4 June 2016\n\nRiots broke out in Bergen after the concert was cancelled."
    (event,) = _incidents(parse(text, "en"))
    assert (event.place.name, str(event.date)) == ("Bergen", "2016-06-04")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The riots began in Bergen on Monday and spread to Stavanger.", "en"),
        (
            "Les émeutes ont éclaté à Bergen, puis se sont propagées aux communes de Stavanger.",
            "fr",
        ),
        ("Upploppen började i Bergen och spred sig sedan till Stavanger.", "sv"),
    ],
)
def test_the_towns_unrest_spread_to_get_the_incident(
    parse: Parse, text: str, language: str
) -> None:
    places = _places(parse, text, language)
    assert places == {"Bergen", "Stavanger"}


def test_an_item_of_a_round_up_places_its_incident_where_its_next_sentence_is(
    parse: Parse,
) -> None:
    text = (
        "Events of the week in Kazakhstan\n\n"
        "• Police in Almaty broke up a rally on Monday.\n"
        "• Two guards were killed in an attack on a checkpoint on Tuesday. A militia based in "
        "Aktobe later claimed it.\n"
    )
    killed = [e for e in _incidents(parse(text, "en")) if e.fatalities == 2]
    assert [e.place.name for e in killed] == ["Aktobe"]


def test_a_plain_paragraph_keeps_its_unplaced_incident_at_the_main_country(
    parse: Parse,
) -> None:
    text = (
        "Unrest in Kazakhstan\n\n"
        "Police in Almaty broke up a rally on Monday.\n\n"
        "Two guards were killed in an attack on a checkpoint on Tuesday. A militia based in "
        "Aktobe later claimed it.\n"
    )
    killed = [e for e in _incidents(parse(text, "en")) if e.fatalities == 2]
    assert [(e.place.name, e.place.kind) for e in killed] == [("Kazakhstan", "country")]
