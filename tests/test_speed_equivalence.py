"""The fast word and clause scans find what the plain scans over every word find."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.extract import lexicon
from geomap.extract.counts import _clauses, _Reader
from geomap.extract.text import _NUMBER, _WORD, Token, _fold_word, sentences, tokenize

PIECES = (
    "Almaty 2.030 2 030 1,500 1.500,5 164 to tusen thousand — – , ; : ( ) . « » ' ’ s - "
    "Tromsø Алматы étés ² 3½ \u00a0 \u202f \n"
).split(" ")
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=40).map(" ".join)


#: The token pattern with the number in a group of its own, matched one token at a time.
PLAIN_TOKEN = re.compile(rf"(({_NUMBER})|{_WORD})", re.UNICODE)


def plain_tokens(text: str, start: int = 0, end: int | None = None) -> tuple[Token, ...]:
    """Every match of the token pattern in ``text[start:end]``, read one by one."""
    stop = len(text) if end is None else end
    return tuple(
        Token(m.start(), m.end(), m.group(), _fold_word(m.group()), m.group(2) is not None)
        for m in PLAIN_TOKEN.finditer(text, start, stop)
    )


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(0, 50), st.integers(0, 300))
def test_tokens_are_the_pattern_matches_with_their_spans(text: str, start: int, size: int) -> None:
    assert tokenize(text) == plain_tokens(text)
    for token in tokenize(text):
        assert text[token.start : token.end] == token.surface
    start = min(start, len(text))
    assert tokenize(text, start, start + size) == plain_tokens(text, start, start + size)


def plain_clauses(text: str, tokens: tuple[Token, ...]) -> list[int]:
    """A clause number per token, from the text between each pair of words."""
    numbers, clause = [], 0
    for index, token in enumerate(tokens):
        if index and set(",;:—–()") & set(text[tokens[index - 1].end : token.start]):
            clause += 1
        numbers.append(clause)
    return numbers


def plain_around(reader: _Reader, index: int, after: int, *, same_clause: bool) -> list[int]:
    """Word positions after, then before, a number, walking word by word."""
    positions = []
    clause = reader.clauses[index]
    for side in (
        range(after, min(after + 10, len(reader.tokens))),
        range(index - 1, max(index - 8, -1), -1),
    ):
        for position in side:
            token = reader.tokens[position]
            if token.is_number or token.key in reader.words:
                break
            if same_clause and reader.clauses[position] != clause:
                break
            positions.append(position)
    return positions


@settings(max_examples=300, deadline=None)
@given(texts)
def test_clauses_and_words_around_numbers_match_the_word_by_word_scan(text: str) -> None:
    words = lexicon.number_words("nb")
    for sentence in sentences(text):
        tokens = sentence.tokens
        clauses = _clauses(text, tokens)
        assert clauses == plain_clauses(text, tokens)
        stops = [i for i, t in enumerate(tokens) if t.is_number or t.key in words]
        reader = _Reader(tokens, words, clauses, damage=False, stops=stops)
        for index in range(len(tokens)):
            for after in (index + 1, index + 2):
                for same_clause in (True, False):
                    assert reader._around(index, after, same_clause=same_clause) == plain_around(
                        reader, index, after, same_clause=same_clause
                    )
