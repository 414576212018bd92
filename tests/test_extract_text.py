"""Sentences and tokens: spans that cover the whole sentence, numbers kept whole."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.extract.text import _BREAK, _NUMBER, _TOKEN, Sentence, initials, sentences, tokenize


def _spans(text: str) -> list[str]:
    return [text[s.start : s.end] for s in sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "He wrote {{ 7*7 }}. Police came.",
            ["He wrote {{ 7*7 }}.", "Police came."],
        ),
        (
            "Il a accusé des « terroristes internationaux ». La police est venue.",
            ["Il a accusé des « terroristes internationaux ».", "La police est venue."],
        ),
        (
            "– Russland vil ikke tillate det, sa Putin. «Vi er klare.» Mandag kom de.",
            ["– Russland vil ikke tillate det, sa Putin.", "«Vi er klare.»", "Mandag kom de."],
        ),
        ("Heading line\n\n  Body text here.  \n", ["Heading line", "Body text here."]),
    ],
)
def test_a_sentence_span_holds_everything_up_to_its_break(text: str, expected: list[str]) -> None:
    assert _spans(text) == expected


def test_no_break_before_a_lower_case_word() -> None:
    assert _spans("Prices rose by 2.5 per cent. in Almaty. Shops closed.") == [
        "Prices rose by 2.5 per cent. in Almaty.",
        "Shops closed.",
    ]


def test_numbers_keep_their_grouping_and_words_their_folded_key() -> None:
    tokens = tokenize("Over 2.030 soldater og 1,500 troops i Tromsø ²")
    assert [(t.surface, t.is_number) for t in tokens if t.is_number] == [
        ("2.030", True),
        ("1,500", True),
    ]
    assert tokens[-2].key == "tromso"
    assert (tokens[-1].surface, tokens[-1].is_number) == ("²", False)


def test_sentences_carry_their_words_and_whether_they_have_a_number() -> None:
    first, second = sentences("Police detained 40 people. Calm returned.")
    assert first.has_number and not second.has_number
    assert {"police", "detained", "people"} <= first.keys


def test_sentences_carry_the_first_character_of_each_token() -> None:
    text = "Élan and ½ of 2 030 Ⅻ-riders met «Oslo» police.\nSecond line here"
    found = sentences(text)
    for sentence in found:
        assert sentence.initials == "".join(t.surface[0] for t in sentence.tokens)
        assert initials(sentence) == sentence.initials
    assert found[0].initials.startswith("Éa½o2")


def test_initials_of_a_sentence_made_without_them_come_from_its_tokens() -> None:
    (made,) = sentences("Rain fell on Bergen")
    bare = Sentence(made.start, made.end, made.tokens, made.keys, made.has_number)
    assert bare.initials == ""
    assert initials(bare) == "RfoB" == Sentence.of(made.start, made.end, made.tokens).initials


LOOKBEHIND_BREAK = re.compile(r"(?<=[.!?…])[»”\"')]*\s+|\n")  # the break as first written
BREAK_PIECES = [
    "Oslo",
    "bergen",
    ".",
    "!",
    "?",
    "…",
    "»",
    "”",
    '"',
    "'",
    ")",
    " ",
    "  ",
    "\n",
    "\t",
    "a",
    "2",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(BREAK_PIECES), max_size=30).map("".join))
def test_the_break_pattern_finds_what_a_look_behind_finds(text: str) -> None:
    found = []
    for match in _BREAK.finditer(text):
        found.append(match.span() if match.group(1) is None else match.span(1))
    assert found == [m.span() for m in LOOKBEHIND_BREAK.finditer(text)]


#: The token pattern as it reads without its fast paths: a word or a number.
PLAIN_TOKEN = re.compile(rf"([^\W\d_]+|{_NUMBER})")
TOKEN_PIECES = ["Oslo", "bergen", "Tromsø", "ø", "é", "\u0301", "ǅ", "Ⅻ", "²", "_", "5", "1,500"]
TOKEN_PIECES += ["3.000", "12 345", " ", "-", "'", ".", ",", "\n", "Алматы", "中文", "x"]


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.lists(st.sampled_from(TOKEN_PIECES), max_size=30).map("".join),
        st.text(max_size=60),
    )
)
def test_the_token_pattern_splits_as_a_plain_word_or_number_pattern(text: str) -> None:
    assert _TOKEN.split(text) == PLAIN_TOKEN.split(text)
