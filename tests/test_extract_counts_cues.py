"""A sentence without a word of what is counted is not read number by number: skipping it
finds the same counts as reading every number."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.extract import counts, lexicon
from geomap.extract.counts import find_counts, may_count
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
