"""Counts in one sentence: number words and formats, qualifiers and what is counted, per language."""

from __future__ import annotations

import pytest

from geomap.extract.actors import actor_words
from geomap.extract.counts import find_counts, number_value
from geomap.extract.text import sentences


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
