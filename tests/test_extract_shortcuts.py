"""Sentences skipped for want of a word to read them by give nothing reading them would:
no count where no word says what a number counts, no event where a sentence has neither an
incident word nor a word of what is counted, arrested or taken."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.extract import counts, lexicon
from geomap.extract.counts import find_counts, may_count
from geomap.extract.events import _control_changes, _may_give_figures
from geomap.extract.text import sentences


def _lexicon_words() -> list[str]:
    """Every word of the lexicon's word lists: the words the count reader looks for."""
    found: set[str] = set()
    for value in vars(lexicon).values():
        if isinstance(value, frozenset | dict):
            found.update(key for key in value if isinstance(key, str) and " " not in key)
    return sorted(found)


WORDS = _lexicon_words()
NUMBERS = "1 2 7 12 31 164 2,500 1.500 2 030 2014 a the of , ( ) : among them".split(" ")
#: A number and the word after it, which most often says what it counts, or a word alone.
pieces = st.one_of(
    st.tuples(st.sampled_from(NUMBERS), st.sampled_from(WORDS)).map(" ".join),
    st.sampled_from(WORDS),
)
texts = st.lists(pieces, max_size=4).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(texts, st.sampled_from(["en", "nb", "sv", "de", "fr", "ru"]), st.booleans())
def test_skipping_sentences_without_a_counted_word_changes_no_count(
    text: str, language: str, gathering: bool
) -> None:
    for sentence in sentences(text):
        found = find_counts(sentence, language, text=text, gathering=gathering)
        with mock.patch.object(counts, "may_count", return_value=True):
            every = find_counts(sentence, language, text=text, gathering=gathering)
        assert found == every


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("Three people were killed.", "en", "fatalities"),
        ("A vigil of about 2,000 took place.", "en", "crowd_size"),
        ("Kolonnen hadde 250 pansrade kjøretøy.", "nb", "military_vehicles"),
    ],
)
def test_a_word_of_what_is_counted_lets_the_number_count(
    text: str, language: str, kind: str
) -> None:
    (sentence,) = sentences(text)
    assert may_count(sentence)
    assert [c.kind for c in find_counts(sentence, language, text=text)] == [kind]


@settings(max_examples=400, deadline=None)
@given(texts, st.sampled_from(["en", "nb", "sv", "de", "fr", "ru"]))
def test_a_sentence_skipped_for_events_gives_no_figure_and_no_change_of_control(
    text: str, language: str
) -> None:
    for sentence in sentences(text):
        if _may_give_figures(sentence):
            continue
        # with no incident word, a zero is no event: only a figure above zero would be one
        assert [c for c in find_counts(sentence, language, text=text) if c.value] == []
        assert _control_changes(sentence.tokens) == []


def test_a_sentence_with_only_a_year_and_a_share_may_count_nothing() -> None:
    text = "In 2014 the economy grew by 3 percent."
    (sentence,) = sentences(text)
    assert not may_count(sentence)
    assert find_counts(sentence, "en", text=text) == []


def test_people_in_a_sentence_of_a_gathering_may_be_its_crowd() -> None:
    text = "About 300 people came."
    (sentence,) = sentences(text)
    assert not may_count(sentence)
    assert may_count(sentence, gathering=True)
    assert [c.kind for c in find_counts(sentence, "en", text=text, gathering=True)] == [
        "crowd_size"
    ]


def test_one_person_arrested_is_read_though_no_number_is_counted() -> None:
    text = "Une femme a été interpellée."
    (sentence,) = sentences(text)
    assert not may_count(sentence)
    assert _may_give_figures(sentence)
    assert [(c.kind, c.value) for c in find_counts(sentence, "fr", text=text)] == [("arrested", 1)]
