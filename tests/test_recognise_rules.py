"""What the recognition rules take for a place, and what only looks like one.

Every case goes through :func:`geomap.pipeline.parse_article`, the path an article takes:
codes only where written as codes, no single letters, months, weekdays, function words,
demonyms or people, and a common word that is a country's own name in the article's language.
"""

from __future__ import annotations

import pytest

from geomap.extract.text import sentences
from geomap.gazetteer import Gazetteer, default_index_path
from geomap.geocode import OfflineGazetteer
from geomap.pipeline import parse_article
from geomap.recognise.rules import spot
from geomap.records import Article, Mention

US = "iso3166:US"


@pytest.fixture(scope="module")
def geocoder() -> OfflineGazetteer:
    """One geocoder on the built index ($GEOMAP_CACHE_DIR) for the whole module."""
    return OfflineGazetteer(gazetteer=Gazetteer.open(default_index_path()))


def mentions(geocoder: OfflineGazetteer, text: str, language: str = "en") -> list[Mention]:
    """Every mention the pipeline finds, resolved or not, in text order."""
    parsed = parse_article(Article("t", "test", None, None, language, text), geocoder=geocoder)
    return sorted((*parsed.mentions, *parsed.unresolved), key=lambda m: m.start)


def placed(found: list[Mention]) -> list[tuple[str, str | None]]:
    """(surface, place id) of each mention."""
    return [(m.surface, m.place.place_id if m.place else None) for m in found]


def surfaces(found: list[Mention]) -> set[str]:
    return {m.surface for m in found}


# -- codes ---------------------------------------------------------------------------------


def test_dotted_us_is_the_united_states_and_its_span_keeps_the_final_dot(
    geocoder: OfflineGazetteer,
) -> None:
    text = "Aid from the U.S. arrived by ship on Monday."
    found = mentions(geocoder, text)
    assert placed(found) == [("U.S.", US)]
    assert text[found[0].start : found[0].end] == "U.S."


@pytest.mark.parametrize(
    ("text", "surface", "place_id"),
    [
        ("Envoys of the US met in the harbour.", "US", US),
        ("The UK sent two envoys to the talks.", "UK", "iso3166:GB"),
        ("Bush fires spread across NSW overnight.", "NSW", "iso3166-2:AU-NSW"),
        ("Coal miners in Beckley, W.Va., walked out.", "W.Va.", "iso3166-2:US-WV"),
    ],
)
def test_codes_written_as_codes_name_their_place(
    geocoder: OfflineGazetteer, text: str, surface: str, place_id: str
) -> None:
    found = {m.surface: m for m in mentions(geocoder, text)}
    assert surface in found, placed(list(found.values()))
    mention = found[surface]
    assert text[mention.start : mention.end] == surface
    assert mention.place is not None
    assert mention.place.place_id == place_id


@pytest.mark.parametrize(
    "text",
    [
        "Police in Gainesville, Ga., arrested two men on Sunday.",
        "A water main broke in Gainesville, Ga., on Sunday night.",
    ],
)
def test_a_town_and_its_ap_state_are_two_mentions_the_town_in_that_state(
    geocoder: OfflineGazetteer, text: str
) -> None:
    found = mentions(geocoder, text)
    assert [m.surface for m in found] == ["Gainesville", "Ga."]
    town, state = (m.place for m in found)
    assert town is not None and state is not None
    assert (town.kind, town.country_code, town.admin1) == ("city", "US", "GA")
    assert state.place_id == "iso3166-2:US-GA"


@pytest.mark.parametrize(
    "text",
    [
        "The company paid a fine of US$500 to the court.",
        "Please tell us what happened near the river.",
        "CROWDS GROW IN NUMBER AS POLICE MOVE IN\nThe march went on until dusk.",
        "ME AND OK ARE NOT ON THE AGENDA\nThe meeting ended early.",
    ],
)
def test_words_that_only_look_like_codes_name_no_place(
    geocoder: OfflineGazetteer, text: str
) -> None:
    assert placed(mentions(geocoder, text)) == []


def test_a_chemical_formula_names_no_state(geocoder: OfflineGazetteer) -> None:
    assert placed(mentions(geocoder, "Levels of CO2 in the air rose again.")) == []


# -- words that are no places --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Y was the last letter on the list.",
        "O dear, the bus was late again.",
        "They chose plan C after the vote.",
        "Point V on the chart was wrong.",
    ],
)
def test_a_single_letter_is_no_place(geocoder: OfflineGazetteer, text: str) -> None:
    assert placed(mentions(geocoder, text)) == []


@pytest.mark.parametrize(
    "text",
    [
        "March was cold and wet in the hills.",
        "Prices rose in March and fell again later.",
        "Friday was calm after a week of marches.",
    ],
)
def test_month_and_weekday_names_are_no_places(geocoder: OfflineGazetteer, text: str) -> None:
    assert placed(mentions(geocoder, text)) == []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "We stayed at home until noon."),
        ("en", "And then the rain stopped."),
        ("en", "My uncle drove the truck back."),
        ("en", "No shops opened that week."),
        ("nb", "På torsdag var gatene tomme."),
        ("nb", "Hun kom hjem sent i går."),
        ("nb", "Som ventet ble det bråk."),
        ("nb", "Fra neste uke gjelder nye regler."),
        ("sv", "På fredag var gatorna tomma."),
        ("sv", "Som väntat blev det bråk."),
        ("sv", "Man vet inte vem som började."),
    ],
)
def test_sentence_initial_function_words_are_no_places(
    geocoder: OfflineGazetteer, language: str, text: str
) -> None:
    assert placed(mentions(geocoder, text, language)) == []


@pytest.mark.parametrize(
    ("language", "text", "surface", "place_id"),
    [
        ("nb", "Hun sa at Norge vil sende hjelp. Norge svarte i går.", "Norge", "iso3166:NO"),
        ("sv", "Som väntat svarade Sverige snabbt.", "Sverige", "iso3166:SE"),
    ],
)
def test_a_common_word_that_is_the_countrys_own_name_stays_the_country(
    geocoder: OfflineGazetteer, language: str, text: str, surface: str, place_id: str
) -> None:
    found = mentions(geocoder, text, language)
    assert {(s, p) for s, p in placed(found)} == {(surface, place_id)}


# -- demonyms and people -------------------------------------------------------------------


def test_demonyms_are_no_places(geocoder: OfflineGazetteer) -> None:
    text = (
        "Russian troops crossed the border. Kazakh police closed the road. "
        "Chinese officials and Afghan soldiers met on Tuesday."
    )
    assert placed(mentions(geocoder, text)) == []


def test_a_surname_seen_in_a_full_name_is_no_place(geocoder: OfflineGazetteer) -> None:
    text = (
        "On Monday, Barack Obama visited the steel plant. "
        "The crowd cheered when Obama arrived, and Obama said the jobs would stay."
    )
    assert "Obama" not in surfaces(mentions(geocoder, text))


def test_a_known_name_after_a_capitalised_compound_is_a_place(geocoder: OfflineGazetteer) -> None:
    # a Swedish compound that begins with a town is no first name, and West no surname
    text = "Oron nådde i natt Birminghamområdena West Bromwich och Dudley."
    assert {"West Bromwich", "Dudley"} <= surfaces(mentions(geocoder, text, "sv"))


def test_a_name_with_an_elided_particle_is_one_mention(geocoder: OfflineGazetteer) -> None:
    text = "Les renforts de police sont arrivés dans le Val d'Oise dimanche soir."
    found = mentions(geocoder, text, "fr")
    assert [(m.surface, m.place.name if m.place else None) for m in found] == [
        ("Val d'Oise", "Val-d'Oise")
    ]


def test_an_everyday_german_noun_is_no_place_without_a_locative(
    geocoder: OfflineGazetteer,
) -> None:
    text = "Viele wurden des Landes verwiesen, ein Ende ist nicht in Sicht. Später in Essen."
    assert surfaces(mentions(geocoder, text, "de")) == {"Essen"}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Акция прошла на площади Европы, а затем на улице Пушкина.", "ru"),
        ("Le cortège a remonté la rue de Paris puis le boulevard de Strasbourg.", "fr"),
    ],
)
def test_the_name_of_a_street_or_square_is_no_place(
    geocoder: OfflineGazetteer, text: str, language: str
) -> None:
    assert surfaces(mentions(geocoder, text, language)) == set()


def test_a_capital_whose_name_is_an_everyday_word_stays_a_place(
    geocoder: OfflineGazetteer,
) -> None:
    text = "Politiet i København anholdt i går flere unge. København var rolig i nat."
    found = mentions(geocoder, text, "da")
    assert [m.place.name if m.place else None for m in found] == ["Copenhagen", "Copenhagen"]


def test_a_name_before_a_verb_of_saying_is_a_person(geocoder: OfflineGazetteer) -> None:
    text = '"The bridge will reopen soon," said Clark on Friday.'
    assert placed(mentions(geocoder, text)) == []


def test_a_big_city_that_speaks_through_its_government_stays_a_place(
    geocoder: OfflineGazetteer,
) -> None:
    found = mentions(geocoder, "Moscow said the talks had failed.")
    assert placed(found) == [("Moscow", "geonames:524901")]


# -- cases real text showed: AP states after towns, datelines, facilities, regions --------


@pytest.mark.parametrize("text", ["Man visste ikke hva som skjedde.", "Man kan ikke vite det."])
def test_norwegian_man_is_no_place(geocoder: OfflineGazetteer, text: str) -> None:
    assert placed(mentions(geocoder, text, "nb")) == []


def test_a_facility_mention_carries_its_score_parts(geocoder: OfflineGazetteer) -> None:
    text = "Flights to Almaty stopped after crowds took the airport."
    found = [m for m in mentions(geocoder, text) if m.place is not None]
    assert {m.surface for m in found} == {"Almaty", "airport"}
    for mention in found:
        assert mention.ranking, mention.surface


def test_geocode_reads_a_region_qualifier_like_the_resolver(geocoder: OfflineGazetteer) -> None:
    place = geocoder.search("London, Ontario")[0]
    assert (place.country_code, place.admin1) == ("CA", "08")


@pytest.mark.parametrize(
    ("query", "place_id"), [("Ala.", "iso3166-2:US-AL"), ("Ind.", "iso3166-2:US-IN")]
)
def test_ap_abbreviations_beat_alpha3_codes(
    geocoder: OfflineGazetteer, query: str, place_id: str
) -> None:
    assert geocoder.search(query)[0].place_id == place_id


def test_ap_states_after_towns_are_the_us_states(geocoder: OfflineGazetteer) -> None:
    text = "Hail damaged roofs in Dothan, Ala., and Muncie, Ind., on Monday."
    found = {m.surface: m.place.place_id for m in mentions(geocoder, text) if m.place}
    assert found.get("Ala.") == "iso3166-2:US-AL"
    assert found.get("Ind.") == "iso3166-2:US-IN"


@pytest.mark.parametrize(
    "text",
    [
        "A water main broke in Gainesville, Ga., on Sunday night.",
        "Two men were arrested in Gainesville, Ga., on Sunday.",
        "GAINESVILLE, Ga. — Two men were arrested on Sunday.",
    ],
)
def test_gainesville_ga_is_two_mentions_in_any_sentence(
    geocoder: OfflineGazetteer, text: str
) -> None:
    assert [m.surface.title() for m in mentions(geocoder, text)] == ["Gainesville", "Ga."]


@pytest.mark.parametrize(
    ("text", "language", "surface", "place_id"),
    [
        (
            "Протесты начались в Мангистауской области.",
            "ru",
            "Мангистауской области",
            "iso3166-2:KZ-47",
        ),
        ("Акции прошли в Свердловской области.", "ru", "Свердловской области", "iso3166-2:RU-SVE"),
        ("Мы были в Алма-Ате вчера.", "ru", "Алма-Ате", "geonames:1526384"),
        ("Det var uro i Rogaland fylke i natt.", "nb", "Rogaland fylke", "iso3166-2:NO-11"),
    ],
)
def test_a_region_with_its_type_word_and_inflections_is_one_mention(
    geocoder: OfflineGazetteer, text: str, language: str, surface: str, place_id: str
) -> None:
    assert (surface, place_id) in placed(mentions(geocoder, text, language))


def test_a_name_the_article_places_elsewhere_is_read_at_a_list_items_start(
    geocoder: OfflineGazetteer,
) -> None:
    gazetteer = geocoder.gazetteer
    text = "Причины просты:\n\n1. Дюссельдорф — город ярмарок и выставок."
    alone = spot("t", text, sentences(text), language="ru", gazetteer=gazetteer)
    assert "Дюссельдорф" not in surfaces(alone)  # a capital at a sentence's start says little
    told = spot(
        "t",
        text,
        sentences(text),
        language="ru",
        gazetteer=gazetteer,
        elsewhere=frozenset({"дюссельдорф"}),
    )
    assert surfaces(told) == {"Дюссельдорф"}
