"""Mention spotting: which capitalised words are places, and which belong to other names."""

from __future__ import annotations

import pytest
from conftest import Parse

from geomap.records import ParsedArticle


def _places(parsed: ParsedArticle) -> list[tuple[str, str]]:
    return [(m.surface, m.place.place_id) for m in parsed.mentions if m.place]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Unrest in the Central Asian republic of Uzbekistan left dozens hurt.", "Central"),
        ("The Kenya National Commission on Human Rights counted the dead in Nairobi.", "Kenya"),
        ("Reporters from the New York Times were stopped outside Minsk on Sunday.", "New York"),
        ("Le député Jordan Bardella a défilé à Lyon dimanche.", "Jordan"),
    ],
)
def test_place_word_inside_a_longer_proper_name_is_no_place(
    parse: Parse, text: str, word: str
) -> None:
    language = "fr" if "député" in text else "en"
    surfaces = [surface for surface, _ in _places(parse(text, language))]
    assert word not in surfaces
    assert surfaces  # the real place of the sentence is still found


def test_place_after_a_title_is_still_a_place_when_titles_precede_people(parse: Parse) -> None:
    parsed = parse("Kazakhstan President Tokayev spoke in Astana on Monday.", "en")
    assert ("Kazakhstan", "iso3166:KZ") in _places(parsed)


def test_inflected_place_after_a_capitalised_noun_is_a_place(parse: Parse) -> None:
    parsed = parse("Об этом сообщил Минздрав Киргизии в понедельник.", "ru")
    assert ("Киргизии", "iso3166:KG") in _places(parsed)


def test_headline_in_title_case_keeps_its_places(parse: Parse) -> None:
    parsed = parse("Protests Spread Across Kazakhstan After Fuel Prices Double\n", "en")
    assert ("Kazakhstan", "iso3166:KZ") in _places(parsed)


@pytest.mark.parametrize(
    ("text", "language", "surface", "place_id"),
    [
        ("Om lag 250 mennesker demonstrerte utenfor rådhuset i Moss lørdag.", "nb", "Moss", "geonames:3145375"),
        ("Polisen grep fem personer i Göteborg under natten.", "sv", "Göteborg", "geonames:2711537"),
        ("В Минске задержали несколько человек.", "ru", "Минске", "geonames:625144"),
    ],
)  # fmt: skip
def test_capitalised_town_inside_a_sentence_is_a_place_even_if_also_a_word(
    parse: Parse, text: str, language: str, surface: str, place_id: str
) -> None:
    assert (surface, place_id) in _places(parse(text, language))


def test_capitalised_common_word_at_sentence_start_is_no_place(parse: Parse) -> None:
    parsed = parse("Under kontroll. Ro og orden er gjenopprettet i Bergen.", "nb")
    assert [surface for surface, _ in _places(parsed)] == ["Bergen"]


def test_english_possessive_is_outside_the_span(parse: Parse) -> None:
    parsed = parse("Kazakhstan's largest city was calm on Monday.", "en")
    assert _places(parsed)[0] == ("Kazakhstan", "iso3166:KZ")


def test_bare_facility_word_after_a_feature_phrase_is_the_same_airport(parse: Parse) -> None:
    text = (
        "Протестующие захватили аэропорт Алматы в среду. "
        "Позднее военные взяли аэропорт под контроль."
    )
    parsed = parse(text, "ru")
    airports = [m for m in parsed.mentions if m.place and m.place.kind == "airport"]
    assert [m.surface for m in airports] == ["аэропорт Алматы", "аэропорт"]
    assert {m.place.place_id for m in airports if m.place} == {"iata:ALA"}
