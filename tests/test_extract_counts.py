"""Counts in one sentence: number words and formats, qualifiers and what is counted, per language."""

from __future__ import annotations

import pytest

from geomap.extract.actors import actor_words
from geomap.extract.counts import compound_value, find_counts, number_value
from geomap.extract.events import figure_wins
from geomap.extract.text import sentences
from geomap.geocode import OfflineGazetteer
from geomap.ingest import IngestOptions, article_from_bytes
from geomap.pipeline import parse_article
from geomap.records import EventFact, PubDate


def _counts(text: str, language: str) -> list[tuple[str, int, str]]:
    (sentence,) = sentences(text)
    return [(c.kind, c.value, c.qualifier) for c in find_counts(sentence, language, text=text)]


@pytest.mark.parametrize(
    ("surface", "language", "value"),
    [
        ("2.030", "nb", 2030),
        ("2 030", "nb", 2030),
        ("2\u00a0030", "ru", 2030),
        ("1,500", "en", 1500),
        ("10.000", "de", 10000),
        ("2.030", "en", None),  # a fraction in English
        ("3,5", "nb", None),
    ],
)
def test_national_number_formats(surface: str, language: str, value: int | None) -> None:
    assert number_value(surface, language) == value


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Fem betjenter ble skadet i natt.", "nb", ("injured", 5)),
        ("Politiet pågrep tolv personer.", "nb", ("arrested", 12)),
        ("Tjue personer ble pågrepet.", "nb", ("arrested", 20)),
        ("Police detained twelve people overnight.", "en", ("arrested", 12)),
        ("Fifteen people were killed in the clashes.", "en", ("fatalities", 15)),
        ("Пострадали пять человек.", "ru", ("injured", 5)),
        ("Задержаны двадцать участников акции.", "ru", ("arrested", 20)),
        ("Трое полицейских получили травмы.", "ru", ("injured", 3)),
        ("Беспорядки унесли жизнь одного человека.", "ru", ("fatalities", 1)),
        ("Die Polizei nahm fünf Personen fest.", "de", ("arrested", 5)),
        ("Polisen grep sju personer.", "sv", ("arrested", 7)),
        ("Deux policiers ont été blessés.", "fr", ("injured", 2)),
    ],
)
def test_spelled_out_numbers_per_language(
    text: str, language: str, expected: tuple[str, int]
) -> None:
    assert [c[:2] for c in _counts(text, language)] == [expected]


def test_number_words_of_one_language_are_not_read_in_another() -> None:
    # English "to" is no Norwegian 2, Norwegian "fire" no English 4.
    assert _counts("Its members agreed to deploy troops to the capital.", "en") == []
    assert _counts("The fire injured nobody.", "en") == []


@pytest.mark.parametrize(
    ("text", "language", "qualifier"),
    [
        ("Minst 164 mennesker er drept.", "nb", "at least"),
        ("Over 100 butikker ble plyndret.", "nb", "over"),
        ("Nærmere 8000 er pågrepet.", "nb", "nearly"),
        ("At least 43 people were detained.", "en", "at least"),
        ("More than 2,000 were injured.", "en", "over"),
        ("Nearly 8,000 people were detained.", "en", "nearly"),
        ("Погибли не менее 164 человек.", "ru", "at least"),
        ("Задержаны более 60 человек.", "ru", "over"),
        ("Задержаны почти 8000 человек.", "ru", "nearly"),
        ("Mindestens 50 Polizisten wurden verletzt.", "de", "at least"),
        ("Au moins 10 personnes ont été tuées.", "fr", "at least"),
    ],
)
def test_qualifiers_are_kept(text: str, language: str, qualifier: str) -> None:
    (count,) = _counts(text, language)
    assert count[2] == qualifier


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "По данным властей, погибли восемь человек, задержаны более 200.",
            "ru",
            [("fatalities", 8), ("arrested", 200)],
        ),
        (
            "At least 43 people were detained and 21 police officers were injured.",
            "en",
            [("arrested", 43), ("injured", 21)],
        ),
        (
            "В Екатеринбурге вышли около 2 000 человек, в Новосибирске — более 5 тысяч.",
            "ru",
            [("crowd_size", 2000), ("crowd_size", 5000)],
        ),
        (
            "Mehr als 10.000 Menschen demonstrierten am Sonntag.",
            "de",
            [("crowd_size", 10000)],
        ),
        ("Rioters burned 40 police cars.", "en", [("vehicles_damaged", 40)]),
        ("Five soldiers were killed.", "en", [("fatalities", 5)]),
        (
            "The alliance sent 2,030 soldiers and 250 military vehicles.",
            "en",
            [("troops", 2030), ("military_vehicles", 250)],
        ),
        ("Прибыли 250 единиц военной техники.", "ru", [("military_vehicles", 250)]),
    ],
)
def test_what_a_number_counts(text: str, language: str, expected: list[tuple[str, int]]) -> None:
    assert [c[:2] for c in _counts(text, language)] == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Police said no one was seriously injured.", "en"),
        ("Protesters held the airport for two days and were arrested.", "en"),
        ("Han styrte landet i 30 år før han ble arrestert.", "nb"),
        ("Over 100 butikker ligger i sentrum.", "nb"),  # no damage verb: no damage count
    ],
)
def test_no_count_where_the_number_is_no_count(text: str, language: str) -> None:
    assert _counts(text, language) == []


def _actors(text: str) -> list[str]:
    (sentence,) = sentences(text)
    return [actor for _, actor in actor_words(sentence.tokens)]


@pytest.mark.parametrize(
    ("text", "actors"),
    [
        ("Riot police clashed with protesters.", ["Police forces", "Protesters"]),
        ("Security forces opened fire on demonstrators.", ["Security forces", "Protesters"]),
        ("Sikkerhetsstyrkene skjøt mot demonstrantene.", ["Security forces", "Protesters"]),
        ("Opprørere angrep politiet.", ["Rioters", "Police forces"]),
        ("Силовики задержали протестующих.", ["Security forces", "Protesters"]),
        ("Мародеры напали на полицию.", ["Rioters"]),
        ("Soldiers from the Collective Security Treaty Organization arrived.", ["Military forces"]),
    ],
)
def test_actor_words_per_language(text: str, actors: list[str]) -> None:
    assert _actors(text) == actors


@pytest.mark.parametrize(
    "text",
    [
        "According to the authorities, rioters looted shops.",
        "Ifølge myndighetene plyndret opprørere butikker.",
        "По данным властей, мародеры разграбили магазины.",
        "The authorities said rioters looted shops.",
    ],
)
def test_the_source_of_a_statement_is_no_actor(text: str) -> None:
    assert _actors(text) == ["Rioters"]


def _kinds(text: str, language: str, *, gathering: bool = False) -> list[tuple[str, int]]:
    (sentence,) = sentences(text)
    found = find_counts(sentence, language, text=text, gathering=gathering)
    return [(c.kind, c.value) for c in found]


@pytest.mark.parametrize(
    ("surface", "language", "value"),
    [
        ("1,721", "de", 1721),  # a table copied from English into a German text
        ("1,721", "nb", 1721),
        ("1 000", "fr", 1000),
        ("12.500", "da", 12500),
        ("3,25", "de", None),  # a decimal still
    ],
)
def test_grouping_that_only_a_count_can_mean(
    surface: str, language: str, value: int | None
) -> None:
    assert number_value(surface, language) == value


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Fünfundzwanzig Menschen wurden verletzt.", "de", ("injured", 25)),
        ("Femogtyve personer blev anholdt i nat.", "da", ("arrested", 25)),
        ("Otte personer blev dræbt ved angrebet.", "da", ("fatalities", 8)),
        ("Tjugofem personer greps av polisen.", "sv", ("arrested", 25)),
        ("Twenty-five people were killed in the attack.", "en", ("fatalities", 25)),
        ("Vingt-cinq personnes ont été blessées.", "fr", ("injured", 25)),
        ("Quatre-vingt-dix manifestants ont été interpellés.", "fr", ("arrested", 90)),
        ("Задержаны двадцать пять человек.", "ru", ("arrested", 25)),
        ("Zweitausend Menschen demonstrierten vor dem Rathaus.", "de", ("crowd_size", 2000)),
        ("Rundt 2,5 millioner mennesker deltok i streiken.", "nb", ("crowd_size", 2_500_000)),
        ("Some 1.5 million people marched in the capital.", "en", ("crowd_size", 1_500_000)),
    ],
)
def test_numbers_spelled_in_several_words_or_one(
    text: str, language: str, expected: tuple[str, int]
) -> None:
    assert _kinds(text, language) == [expected]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Minst 30 personer ble drept, blant dem 12 politifolk.", "nb", [("fatalities", 30)]),
        ("Many people were hurt, including 40 police officers.", "en", []),
        (
            "Sieben Menschen starben (drei durch Schüsse, vier in den Flammen).",
            "de",
            [("fatalities", 7)],
        ),
        (
            "Au moins 12 morts, dont 5 policiers, et 40 interpellations.",
            "fr",
            [("fatalities", 12), ("arrested", 40)],
        ),
        ("Sju personer omkom, varav två barn.", "sv", [("fatalities", 7)]),
    ],
)
def test_a_total_counts_not_its_parts(
    text: str, language: str, expected: list[tuple[str, int]]
) -> None:
    assert _kinds(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Between 20 and 35 people were killed.", "en", ("fatalities", 20)),
        ("Two or three officers were injured.", "en", ("injured", 2)),
        ("Zwischen 40 und 60 Menschen wurden festgenommen.", "de", ("arrested", 40)),
        ("Mellom 300 og 500 demonstranter møtte opp.", "nb", ("crowd_size", 300)),
        ("От 100 до 150 человек были задержаны.", "ru", ("arrested", 100)),
        ("De 20 à 30 000 manifestants ont défilé.", "fr", ("crowd_size", 20000)),
        ("At least 70 and possibly more than 90 people died.", "en", ("fatalities", 70)),
        ("Omkring 400 af de 5.000 ansatte deltog i strejken.", "da", ("crowd_size", 400)),
    ],
)
def test_a_range_gives_its_lower_end_once(
    text: str, language: str, expected: tuple[str, int]
) -> None:
    assert _kinds(text, language) == [expected]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Près de 500 interpellations ont eu lieu dans la nuit.", "fr", [("arrested", 500)]),
        (
            "Over 300 personer ble pågrepet, og 12 ble skadet.",
            "nb",
            [("arrested", 300), ("injured", 12)],
        ),
        (
            "Officials said 12 people died and 30 are still missing.",
            "en",
            [("fatalities", 12)],
        ),
        ("Fünf Menschen starben, 200 wurden evakuiert.", "de", [("fatalities", 5)]),
        ("Трое погибли, 40 человек эвакуированы.", "ru", [("fatalities", 3)]),
        ("Police detained 40 people in 12 cities.", "en", [("arrested", 40)]),
        ("В 15 городах задержаны 300 человек.", "ru", [("arrested", 300)]),
        ("Une vingtaine de personnes ont été condamnées, 9 blessées.", "fr", [("injured", 9)]),
        ("Rally at the square #March8 #Riot2020", "en", []),
    ],
)
def test_which_count_a_number_belongs_to(
    text: str, language: str, expected: list[tuple[str, int]]
) -> None:
    assert _kinds(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("No one was killed in the clashes.", "en", [("fatalities", 0)]),
        ("Nobody was hurt or arrested.", "en", [("injured", 0), ("arrested", 0)]),
        ("Ingen ble skadet under markeringen.", "nb", [("injured", 0)]),
        ("Ingen blev dræbt.", "da", [("fatalities", 0)]),
        ("Inga personer greps.", "sv", [("arrested", 0)]),
        ("Niemand wurde verletzt.", "de", [("injured", 0)]),
        ("Es gab keine Toten.", "de", [("fatalities", 0)]),
        ("Personne n'a été blessé.", "fr", [("injured", 0)]),
        ("Никто не пострадал.", "ru", [("injured", 0)]),
        ("Погибших нет.", "ru", [("fatalities", 0)]),
    ],
)
def test_a_count_the_text_denies_is_zero(
    text: str, language: str, expected: list[tuple[str, int]]
) -> None:
    assert _kinds(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("No more deaths, the crowd chanted.", "en"),
        ("No foreigners were injured, the embassy said.", "en"),
        ("Ingen nordmenn ble skadet.", "nb"),
        ("The number of dead is not known.", "en"),
    ],
)
def test_a_zero_only_where_the_text_denies_every_count(text: str, language: str) -> None:
    assert _kinds(text, language) == []


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Police detained a man near the stadium.", "en"),
        ("A woman was arrested after the march.", "en"),
        ("Politiet pågrep en mann ved stadion.", "nb"),
        ("Полиция задержала Ивана Смирнова у метро.", "ru"),
        ("Die Polizei hat einen Demonstranten festgenommen.", "de"),
    ],
)
def test_one_person_arrested_is_one_arrest(text: str, language: str) -> None:
    assert _kinds(text, language) == [("arrested", 1)]


def test_people_in_a_sentence_of_a_riot_are_its_crowd() -> None:
    text = "Riot police fought some 200 masked youths near the station."
    assert _kinds(text, "en", gathering=True) == [("crowd_size", 200)]
    assert _kinds(text, "en") == []
    assert _kinds("Riots broke out in 2011 across the city.", "en", gathering=True) == []


@pytest.mark.parametrize(
    ("new", "old", "wins"),
    [
        (5, None, True),  # a figure where there was none
        (None, 5, False),
        (48, 4, True),  # the whole an episode's figure was part of
        (5969, 6000, False),  # the figure told first stays (a headline's, a lead's total)
        (2, 1, False),  # of two sources' close figures, the first
        (3, 0, True),  # a figure stated outright over an earlier *no one*
    ],
)
def test_which_figure_of_one_incident_stays(new: int | None, old: int | None, wins: bool) -> None:
    assert figure_wins(new, old) is wins


@pytest.mark.parametrize(
    ("new", "old", "old_qualifier", "wins"),
    [
        (128, 100, "over", True),  # *more than 100*, then the exact 128
        (90, 100, "over", False),  # not what *more than 100* allows: a part, or another count
        (7940, 8000, "nearly", True),
        (8100, 8000, "nearly", False),
        (585, 600, "about", True),
        (300, 600, "about", False),
    ],
)
def test_an_exact_figure_refines_a_bound_it_keeps(
    new: int, old: int, old_qualifier: str, wins: bool
) -> None:
    assert figure_wins(new, old, old_qualifier=old_qualifier) is wins
    assert not figure_wins(new, old, new_qualifier="about", old_qualifier=old_qualifier)


@pytest.mark.parametrize(
    ("text", "language", "qualifier"),
    [
        ("Mindst 12 personer blev såret.", "da", "at least"),
        ("Drygt 400 personer greps under natten.", "sv", "over"),
        ("Annähernd 900 Menschen wurden verletzt.", "de", "nearly"),
        ("Up to 30 people were killed.", "en", "up to"),
        ("Opptil 50 personer ble pågrepet.", "nb", "up to"),
        ("Примерно 300 человек были задержаны.", "ru", "about"),
        ("Près de 1 000 personnes ont été interpellées.", "fr", "nearly"),
    ],
)
def test_qualifiers_in_every_language(text: str, language: str, qualifier: str) -> None:
    (sentence,) = sentences(text)
    (count,) = find_counts(sentence, language, text=text)
    assert count.qualifier == qualifier


def _events(text: str, language: str) -> list[EventFact]:
    options = IngestOptions(language=language, date=PubDate.parse("2024-03-08"))
    article = article_from_bytes(text.encode(), source="t.txt", options=options)
    return list(parse_article(article, geocoder=OfflineGazetteer()).events)


def test_an_explicit_zero_goes_with_its_incident_and_makes_none_alone() -> None:
    events = _events("Hundrevis demonstrerte i Bergen i går, og ingen ble skadet.", "nb")
    assert [(e.event_type, e.injured, e.fatalities) for e in events] == [("Protests", 0, None)]
    assert _events("Ingen ble skadet.", "nb") == []


def test_the_figure_a_report_gives_first_stays_and_a_later_one_adds_what_is_missing() -> None:
    text = (
        "Rioters clashed with police in Bergen on Tuesday; 40 people were injured. "
        "By the evening police in Bergen said 41 were injured in the riot and 12 were arrested."
    )
    riots = [e for e in _events(text, "en") if e.event_type == "Riots"]
    assert [(e.injured, e.arrested) for e in riots] == [(40, 12)]


def test_a_figure_told_for_two_incidents_at_one_place_counts_once() -> None:
    text = (
        "Riots broke out in Bergen on Monday and 25 people were killed.\n\n"
        "On Monday gunmen opened fire on a bus in Bergen; 25 people were killed and 40 injured."
    )
    found = [(e.event_type, e.fatalities, e.injured) for e in _events(text, "en")]
    assert found == [("Riots", 25, None), ("Violence against civilians", None, 40)]


def test_a_long_breakdown_in_brackets_is_parts_of_its_total() -> None:
    text = "At least 40 people were killed (" + ", ".join(["2 in a village"] * 3000) + ")."
    assert _kinds(text, "en") == [("fatalities", 40)]


def test_a_word_longer_than_any_number_is_no_number() -> None:
    assert compound_value("to" * 40, "nb") is None
    assert compound_value("femogtyve", "da") == 25


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Riots broke out in the suburb after the death of two teenagers.", "en"),
        ("Die Proteste begannen nach dem Tod von drei Männern.", "de"),
        ("La colère est montée suite à la mort de deux jeunes.", "fr"),
        ("Sur la mort des deux jeunes, le policier a été condamné.", "fr"),
    ],
)
def test_deaths_the_sentence_only_refers_to_are_no_toll(text: str, language: str) -> None:
    assert _kinds(text, language) == []


def test_deaths_an_incident_resulted_in_are_its_toll() -> None:
    assert _kinds("The clashes resulted in the deaths of 48 people.", "en") == [("fatalities", 48)]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Four officers died by suicide within seven months.", "en", []),
        ("Fire offiserer døde av selvmord i månedene etter.", "nb", []),
        ("Three people were killed by suicide bombers.", "en", [("fatalities", 3)]),
    ],
)
def test_deaths_by_suicide_are_no_toll_of_an_incident(
    text: str, language: str, expected: list[tuple[str, int]]
) -> None:
    assert _kinds(text, language) == expected


def test_aircraft_downed_are_no_count_of_people() -> None:
    text = "The army reported many deaths and two army helicopters downed."
    assert _kinds(text, "en") == []


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("A march of about 3,000 was held in the capital.", "en", [("crowd_size", 3000)]),
        ("En markering på rundt 400 ble holdt foran tinget.", "nb", [("crowd_size", 400)]),
        (
            "Une manifestation de 2 000 personnes a été tenue ; 15 ont été interpellés.",
            "fr",
            [("crowd_size", 2000), ("arrested", 15)],
        ),
    ],
)
def test_the_size_of_a_gathering_named_before_it_is_its_crowd(
    text: str, language: str, expected: list[tuple[str, int]]
) -> None:
    assert [(kind, value) for kind, value, _ in _counts(text, language)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The strikes of 2016 ended when police detained 25 miners.", [("arrested", 25)]),
        ("Unrest since 2014 has killed 7 people.", [("fatalities", 7)]),
        ("A total of 1998 were killed.", [("fatalities", 1998)]),
        ("Police detained 2000 of the marchers.", [("arrested", 2000)]),
    ],
)
def test_a_year_after_of_or_since_is_no_count(text: str, expected: list[tuple[str, int]]) -> None:
    assert [(kind, value) for kind, value, _ in _counts(text, "en")] == expected
