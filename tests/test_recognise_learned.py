"""The learned place recognizer: its shipped model, its spans and its features.

The texts are our own; no corpus text is used here.
"""

from __future__ import annotations

from pathlib import Path

import pycrfsuite  # type: ignore[import-untyped]
import pytest

from geomap.errors import GeomapError
from geomap.extract.text import sentences
from geomap.gazetteer import Gazetteer, default_index_path
from geomap.recognise import merge, recognise
from geomap.recognise.crf import read_model
from geomap.recognise.features import Vocabulary, iter_features, text_features
from geomap.recognise.learned import MODEL_PATH, PlaceTagger, TaggedSpan
from geomap.recognise.rules import spot
from geomap.records import Mention


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.open(default_index_path())


def _tag(text: str, language: str, gazetteer: Gazetteer) -> list[TaggedSpan]:
    return PlaceTagger.default().tag(text, sentences(text), language=language, gazetteer=gazetteer)


def _names(text: str, language: str, gazetteer: Gazetteer) -> list[str]:
    return [text[s.start : s.end] for s in _tag(text, language, gazetteer)]


@pytest.mark.parametrize(
    ("language", "text", "place"),
    [
        ("en", "Several hundred people protested in Leeds on Saturday evening.", "Leeds"),
        ("nb", "Politiet rykket ut til en stor brann i Bergen sent i går kveld.", "Bergen"),
        ("sv", "Tusentals demonstranter samlades i Göteborg under lördagen.", "Göteborg"),
        ("ru", "В субботу в Новосибирске прошла акция протеста водителей.", "Новосибирске"),
    ],
)
def test_a_town_after_a_locative_word_is_tagged(
    language: str, text: str, place: str, gazetteer: Gazetteer
) -> None:
    assert place in _names(text, language, gazetteer)


def test_a_person_is_not_tagged_as_a_place(gazetteer: Gazetteer) -> None:
    text = "Minister Jonas Lindqvist told reporters in Paris that talks would resume."
    assert not any("Lindqvist" in name for name in _names(text, "en", gazetteer))
    # the model alone may miss Paris here; recognition (model and rules) does not
    found = recognise("a", text, sentences(text), language="en", gazetteer=gazetteer)
    assert [m.surface for m in found] == ["Paris"]


def test_spans_lie_inside_the_text_on_token_boundaries(gazetteer: Gazetteer) -> None:
    text = (
        "Trucks left Rotterdam for Antwerp, then Lyon.\n"
        "«Vi kjørte fra Trondheim til Bodø», sa sjåføren."
    )
    spans = _tag(text, "en", gazetteer)
    assert spans
    starts = {t.start for s in sentences(text) for t in s.tokens}
    ends = {t.end for s in sentences(text) for t in s.tokens}
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert span.start in starts
        assert span.end in ends
        assert 0.0 < span.confidence <= 1.0
    assert [s.start for s in spans] == sorted(s.start for s in spans)


def test_empty_and_blank_texts_give_no_spans(gazetteer: Gazetteer) -> None:
    for text in ("", "   \n\t", "12 345 67.", "only small words here."):
        assert _tag(text, "en", gazetteer) == []


def test_tagging_is_deterministic(gazetteer: Gazetteer) -> None:
    text = "Flights between Almaty and Moscow resumed, and buses ran again in Bishkek."
    first = _tag(text, "en", gazetteer)
    again = PlaceTagger(MODEL_PATH).tag(text, sentences(text), language="en", gazetteer=gazetteer)
    assert first == again == _tag(text, "en", gazetteer)


def test_a_missing_model_is_one_geomap_error(tmp_path: Path) -> None:
    with pytest.raises(GeomapError, match="place recognizer model"):
        PlaceTagger(tmp_path / "absent.crfsuite")


@pytest.mark.parametrize("content", [b"", b"not a model at all\n" * 50])
def test_a_damaged_model_is_one_geomap_error_when_loaded(tmp_path: Path, content: bytes) -> None:
    damaged = tmp_path / "damaged.crfsuite"
    damaged.write_bytes(content)
    with pytest.raises(GeomapError, match="place recognizer model"):
        PlaceTagger(damaged)


def test_features_flag_a_known_town_and_an_inflected_country(gazetteer: Gazetteer) -> None:
    text = "Рейсы из Осло в Казахстане отменены."
    parts = sentences(text)
    (pieces,) = text_features(text, parts, language="ru", gazetteer=gazetteer)
    rows = {
        parts[0].tokens[p.first + i].surface: row for p in pieces for i, row in enumerate(p.rows)
    }
    assert "g1s=6" in rows["Осло"]  # a place of a million people
    assert "g1k=country" in rows["Казахстане"]
    assert any(f.startswith("g1=country:") and f.endswith(":b") for f in rows["Казахстане"])
    assert "lang=ru" in rows["Осло"]


def test_features_mark_every_word_of_a_known_two_word_name(gazetteer: Gazetteer) -> None:
    text = "The convoy reached New Delhi before dawn."
    parts = sentences(text)
    (pieces,) = text_features(text, parts, language="en", gazetteer=gazetteer)
    rows = {
        parts[0].tokens[p.first + i].surface: row for p in pieces for i, row in enumerate(p.rows)
    }
    assert any(f.startswith("gm=B:") for f in rows["New"])
    assert any(f.startswith("gm=E:") for f in rows["Delhi"])
    assert not any(f.startswith("gm=") for f in rows["reached"])


def test_features_mark_a_name_seen_elsewhere_after_a_first_name(gazetteer: Gazetteer) -> None:
    text = "The meeting was opened by Marta Skoglund. Later Skoglund spoke in Tromsø."
    parts = sentences(text)
    features = text_features(text, parts, language="en", gazetteer=gazetteer)
    rows = {
        (index, parts[index].tokens[p.first + i].surface): row
        for index, pieces in enumerate(features)
        for p in pieces
        for i, row in enumerate(p.rows)
    }
    assert "d:after" in rows[(1, "Skoglund")]  # the whole text says: a surname
    assert "d:after" not in rows[(1, "Tromsø")]
    assert "d:locative" in rows[(1, "Tromsø")]


@pytest.mark.parametrize("joiner", [" ", ", "])
def test_a_long_run_of_capitalised_words_is_left_to_the_rules(
    gazetteer: Gazetteer, joiner: str
) -> None:
    run = joiner.join(["Oslo", "Bergen", "Trondheim", "Stavanger"] * 10)
    text = f"Stations: {run}. Trains left Oslo for Bergen."
    parts = sentences(text)
    features = text_features(text, parts, language="en", gazetteer=gazetteer)
    begin = text.index(run)
    tagged = [
        token.start
        for sentence, pieces in zip(parts, features, strict=True)
        for p in pieces
        for token in sentence.tokens[p.first : p.first + len(p.rows)]
    ]
    assert tagged
    assert not [start for start in tagged if begin < start < begin + len(run)]  # Oslo: context
    found = recognise("a", text, parts, language="en", gazetteer=gazetteer)
    assert len([m for m in found if begin <= m.start < begin + len(run)]) == 40  # by the rules


def test_a_headline_in_title_case_is_still_tagged(gazetteer: Gazetteer) -> None:
    text = "Thousands Rally In Bergen As Ferry Workers Strike Over Pay And Pensions"
    parts = sentences(text)
    (pieces,) = text_features(text, parts, language="en", gazetteer=gazetteer)
    assert sum(len(p.rows) for p in pieces) == len(parts[0].tokens)


def _recognised(text: str, language: str, gazetteer: Gazetteer) -> list[str]:
    found = recognise("t", text, sentences(text), language=language, gazetteer=gazetteer)
    return [m.surface for m in found]


@pytest.mark.parametrize(
    ("language", "text", "places"),
    [
        # a common word that is a place's name only in other languages (Perth's)
        ("fr", "Forces en présence\n6 000 hommes\nPertes\n8 blessés", []),
        ("fr", "Des émeutes ont éclaté à Tours et à Angers.", ["Tours", "Angers"]),
        # a city whose name is as common a word as its language has, after a locative
        ("da", "Der var uroligheder i Aarhus og Odense.", ["Aarhus", "Odense"]),
        # a span the model is unsure of leaves its words to the rules
        ("de", "Krawalle in Essen, Halle und Bergen.", ["Essen", "Bergen"]),
        # the place of a compound whose second part is a common noun
        ("da", "Denne hændelse kaldes ofte Rustenburg-massakren.", ["Rustenburg"]),
        ("en", "Crowds in Guinea-Bissau and Winston-Salem.", ["Guinea-Bissau", "Winston-Salem"]),
    ],
)
def test_places_in_languages_the_model_never_read(
    language: str, text: str, places: list[str], gazetteer: Gazetteer
) -> None:
    assert _recognised(text, language, gazetteer) == places


@pytest.mark.parametrize(
    ("language", "text", "place"),
    [
        ("en", "The storm flooded villages on the island of Java on Monday.", "Java"),
        ("en", "Officials of the province of Papua counted the damage.", "Papua"),
    ],
)
def test_a_name_after_a_noun_of_a_kind_of_place_is_a_place(
    language: str, text: str, place: str, gazetteer: Gazetteer
) -> None:
    assert place in _recognised(text, language, gazetteer)


@pytest.mark.parametrize(
    ("language", "text", "places"),
    [
        # a hamlet's name beside a verb of saying: a person speaking
        (
            "nb",
            "Han var heldig som overlevde fallet i fjellet, sier Helland. "
            "Pasienten ble fløyet til Bergen.",
            ["Bergen"],
        ),
        # a big place speaks through its government, and keeps its name after a title
        ("en", "Moscow said the talks would go on in Geneva.", ["Moscow", "Geneva"]),
        ("ru", "Первый президент России выступил в Москве.", ["России", "Москве"]),
    ],
)
def test_a_small_place_named_as_a_speaker_is_a_person(
    language: str, text: str, places: list[str], gazetteer: Gazetteer
) -> None:
    assert _recognised(text, language, gazetteer) == places


@pytest.mark.parametrize(
    ("language", "text", "places"),
    [
        (
            "en",
            "Doctors in Uganda confirmed a case of Marburg virus. Marburg spreads slowly, "
            "and the patient had returned from Kampala.",
            ["Uganda", "Kampala"],
        ),
        ("en", "Lassa fever was reported in two districts of Nigeria.", ["Nigeria"]),
        ("nb", "Zika-viruset er påvist i Brasil.", ["Brasil"]),
        ("ru", "В Гвинее выявлен вирус Эбола.", ["Гвинее"]),
        # a disease word that ends one sentence says nothing of the name after it
        ("en", "Tests ruled out the virus. Kenya has kept its borders open.", ["Kenya"]),
    ],
)
def test_a_disease_named_after_a_place_is_no_place(
    language: str, text: str, places: list[str], gazetteer: Gazetteer
) -> None:
    assert _recognised(text, language, gazetteer) == places


def test_a_town_of_a_disease_name_is_still_the_town_elsewhere(gazetteer: Gazetteer) -> None:
    text = "Wuhan virus cases rose. Flights from Wuhan were stopped."
    assert _recognised(text, "en", gazetteer) == ["Wuhan"]


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("Iran Foreign Minister Javad Zarif flew to Kabul.", ["Iran", "Kabul"]),
        ("Northern Ireland First Minister Arlene Foster met officials.", ["Northern Ireland"]),
        ("The New York Times reported from Kabul.", ["Kabul"]),  # still a longer name
    ],
)
def test_a_place_before_a_title_is_a_place(
    text: str, places: list[str], gazetteer: Gazetteer
) -> None:
    assert _recognised(text, "en", gazetteer) == places


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("Western diplomats said the talks in Kabul had failed.", ["Kabul"]),
        ("Crowds in Minsk accused Western governments of meddling.", ["Minsk"]),
        ("Police in Western Cape detained 40 people.", ["Western Cape"]),
        ("Rebels in Eastern held the main road.", ["Eastern"]),  # a province, after *in*
    ],
)
def test_a_compass_adjective_before_a_noun_is_no_place(
    text: str, places: list[str], gazetteer: Gazetteer
) -> None:
    assert _recognised(text, "en", gazetteer) == places


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("Aid agencies said Somali refugees crossed into Kenya.", ["Kenya"]),
        ("Police in Somali arrested ten men.", ["Somali"]),  # the region, after *in*
    ],
)
def test_a_peoples_name_before_a_noun_is_no_place(
    text: str, places: list[str], gazetteer: Gazetteer
) -> None:
    assert _recognised(text, "en", gazetteer) == places


def test_a_span_listing_two_known_places_gives_both(gazetteer: Gazetteer) -> None:
    text = "Roads between Brisbane and Townsville were closed."
    start = text.index("Brisbane")
    span = TaggedSpan(start, text.index(" were"), 0.55)
    found = merge("t", text, [span], [], language="en", gazetteer=gazetteer)
    assert [m.surface for m in found] == ["Brisbane", "Townsville"]


def test_a_known_name_with_a_joining_word_stays_whole(gazetteer: Gazetteer) -> None:
    text = "Protests spread across Trinidad and Tobago on Friday."
    start = text.index("Trinidad")
    span = TaggedSpan(start, text.index(" on Friday"), 0.9)
    found = merge("t", text, [span], [], language="en", gazetteer=gazetteer)
    assert [m.surface for m in found] == ["Trinidad and Tobago"]


def _merged_with_span(
    text: str, name: str, confidence: float, language: str, gazetteer: Gazetteer
) -> tuple[list[Mention], list[Mention]]:
    """The rules' names in ``text``, and what merging them with one model span over the first
    ``name`` of this ``confidence`` keeps."""
    spotted = spot("t", text, sentences(text), language=language, gazetteer=gazetteer)
    start = text.index(name)
    span = TaggedSpan(start, start + len(name), confidence)
    found = merge("t", text, [span], spotted, language=language, gazetteer=gazetteer)
    return spotted, found


def _surfaces(mentions: list[Mention]) -> list[str]:
    return [m.surface for m in mentions]


def test_a_name_the_model_is_sure_of_is_a_place_in_its_other_forms(gazetteer: Gazetteer) -> None:
    text = "Вчера в Дюссельдорфе открылась выставка. Гости Дюссельдорфа хвалят её организаторов."
    _, found = _merged_with_span(text, "Дюссельдорфе", 0.95, "ru", gazetteer)
    assert _surfaces(found) == ["Дюссельдорфе", "Дюссельдорфа"]
    _, found = _merged_with_span(text, "Дюссельдорфе", 0.6, "ru", gazetteer)
    assert _surfaces(found) == ["Дюссельдорфе"]  # an unsure span says nothing of the others


def test_a_genitive_in_s_is_not_made_a_place_by_the_name_elsewhere(gazetteer: Gazetteer) -> None:
    text = (
        "Ett hundratal personer demonstrerade i Uppsala i går. Uppsalas kommun lovade svar. "
        "Uppsala ligger norr om huvudstaden."
    )
    spotted, found = _merged_with_span(text, "Uppsala", 0.95, "sv", gazetteer)
    assert "Uppsalas" in _surfaces(spotted)
    assert _surfaces(found) == ["Uppsala", "Uppsala"]


def test_a_name_ending_a_compound_is_not_made_a_place_by_the_name_elsewhere(
    gazetteer: Gazetteer,
) -> None:
    text = "Mange i Norge protesterte i helgen. Planen for Kyst-Norge er klar."
    spotted, found = _merged_with_span(text, "Norge", 0.95, "nb", gazetteer)
    assert _surfaces(spotted) == ["Norge", "Norge"]
    assert _surfaces(found) == ["Norge"]


def test_a_name_beside_a_verb_of_saying_stays_a_person_though_a_place_elsewhere(
    gazetteer: Gazetteer,
) -> None:
    text = "Thousands marched in Lincoln on Sunday. Lincoln has seen such crowds, said Lincoln."
    spotted, found = _merged_with_span(text, "Lincoln", 0.95, "en", gazetteer)
    assert len(spotted) == 3
    assert [m.start for m in found] == [text.index("Lincoln"), text.index("Lincoln has")]


@pytest.mark.parametrize(
    ("language", "text", "span", "places"),
    [
        ("en", "A Leeds spokesman declined to comment.", "A Leeds", ["Leeds"]),
        ("nb", "En Tromsø-mann ble pågrepet natt til søndag.", "En Tromsø", ["Tromsø"]),
        ("en", "Fishermen blocked the port of A Coruña on Monday.", "A Coruña", ["A Coruña"]),
    ],
)
def test_an_indefinite_article_before_a_name_is_not_part_of_it(
    language: str, text: str, span: str, places: list[str], gazetteer: Gazetteer
) -> None:
    start = text.index(span)
    tagged = [TaggedSpan(start, start + len(span), 0.9)]
    found = merge("t", text, tagged, [], language=language, gazetteer=gazetteer)
    assert [m.surface for m in found] == places
    assert [text[m.start : m.end] for m in found] == places


def test_the_model_file_names_the_attributes_its_tagger_knows() -> None:
    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL_PATH))
    known = tagger.info().attributes  # crfsuite's own dump of the model: slow, complete
    model = read_model(MODEL_PATH)
    assert model is not None
    assert list(model.weights) == sorted(known, key=lambda name: int(known[name]))


def test_a_file_that_is_no_crfsuite_model_has_no_attributes(tmp_path: Path) -> None:
    junk = tmp_path / "junk.crfsuite"
    junk.write_bytes(b"lCRF" + bytes(60))
    assert read_model(junk) is None
    assert read_model(tmp_path / "absent.crfsuite") is None


def test_a_vocabulary_scores_known_features_as_crfsuite_reads_them() -> None:
    weights = {"bias": 1 + 0j, "w=oslo": 2j, "pa=": 4 + 4j}
    vocabulary = Vocabulary({**weights, "w=tromsø": 8 + 0j})
    found = vocabulary.score(["w=bergen", "bias", "w=tromsø", "pa=\0x", "w=oslo\0", "w=osl"])
    # unknown ones add nothing, and each is read up to a NUL character as crfsuite does
    assert found == 13 + 6j
    assert vocabulary.score(["w=bergen"]) == 0


TAGGED_TEXTS = [
    ("en", "Crowds gathered outside the embassy in Nairobi; police fired tear gas near Kibera."),
    ("en", "Dr. Amara Osei flew from Accra to Lagos, then drove to the U.S. consulate in Abuja."),
    ("nb", "Demonstranter samlet seg foran Stortinget i Oslo og på torget i Tromsø i går."),
    ("ru", "Жители Караганды вышли на площадь; в Астане задержали двоих активистов."),
    ("sv", "Polisen i Malmö grep tre personer efter oroligheterna nära Rosengård."),
]


@pytest.mark.parametrize(("language", "text"), TAGGED_TEXTS)
def test_tagging_with_the_models_vocabulary_gives_what_every_feature_gives(
    language: str, text: str, gazetteer: Gazetteer
) -> None:
    tagger = PlaceTagger(MODEL_PATH)
    assert tagger.vocabulary is not None and len(tagger.vocabulary) > 1000
    fast = tagger.tag(text, sentences(text), language=language, gazetteer=gazetteer)
    tagger.vocabulary = None  # every feature, as text, as scripts/train_recognizer.py makes them
    plain = tagger.tag(text, sentences(text), language=language, gazetteer=gazetteer)
    assert fast == plain
    assert fast  # each text names places the model finds


@pytest.mark.parametrize(("language", "text"), TAGGED_TEXTS)
def test_scored_rows_are_the_scores_of_the_plain_rows(
    language: str, text: str, gazetteer: Gazetteer
) -> None:
    vocabulary = PlaceTagger.default().vocabulary
    assert vocabulary is not None
    parts = sentences(text)
    plain = text_features(text, parts, language=language, gazetteer=gazetteer)
    fast = list(
        iter_features(text, parts, language=language, gazetteer=gazetteer, vocabulary=vocabulary)
    )
    assert [[p.first for p in pieces] for pieces in fast] == [
        [p.first for p in pieces] for pieces in plain
    ]
    for fast_pieces, plain_pieces in zip(fast, plain, strict=True):
        for fast_piece, plain_piece in zip(fast_pieces, plain_pieces, strict=True):
            expected = [vocabulary.score(row) for row in plain_piece.rows]  # type: ignore[arg-type]
            assert fast_piece.rows == [pytest.approx(row, rel=1e-12, abs=1e-12) for row in expected]
