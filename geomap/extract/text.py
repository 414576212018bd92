"""Tokens and sentences with their character spans."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from itertools import accumulate, repeat
from operator import itemgetter
from typing import NamedTuple

from geomap.textnorm import fold

_NUMBER = r"\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+(?![\d])(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_WORD = r"[^\W\d_]++"
#: A word of ASCII letters only (most words of most texts), told by a plain character range
#: rather than by Unicode categories; the lookahead leaves any longer word to :data:`_WORD`.
_ASCII_WORD = r"[a-zA-Z]++(?![^\W\d_])"
#: A token: :func:`re.split` gives the text before each token, then the token. A word is
#: tried first (most tokens are words); a number starts with a decimal digit (``\d`` is
#: Unicode's category Nd, what :meth:`str.isdecimal` tells), a word holds none. Every token
#: starts with a word character: the leading lookahead turns away a space or a punctuation
#: mark with one test, not one per alternative (a third of the split's time).
_TOKEN = re.compile(rf"(?=\w)({_ASCII_WORD}|{_WORD}|{_NUMBER})", re.UNICODE)
#: A break: final punctuation, then closing quotes and space (group 1, the break itself), or
#: a line break. The punctuation is matched rather than looked behind at, and one character
#: set opens the pattern (a line break is told from the punctuation by looking behind), so
#: that the regex engine skips ahead to the characters that may start a break.
_BREAK = re.compile(r"[.!?…\n](?:(?<=\n)|(?<!\n)([»”\"')]*\s+))")
_OPENERS = '«“"„–—-( '
_CLOSERS = "»”\"')"


class Token(NamedTuple):
    """A word or a number, ``text[start:end]``, with its folded ``key``.

    A named tuple rather than a dataclass: an article has hundreds of tokens, and a tuple
    is made several times faster.
    """

    start: int
    end: int
    surface: str
    key: str
    #: True for digit tokens (``2.030``, ``1,500``), not for ``²``.
    is_number: bool = False

    @property
    def is_capitalised(self) -> bool:
        """True when the token starts with a capital letter."""
        return self.surface[0].isupper()


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence (or a heading line) and its tokens."""

    start: int
    end: int
    tokens: tuple[Token, ...]
    #: The folded words, for quick tests against word lists (``sentence.keys & MONTHS``).
    keys: frozenset[str] = frozenset()
    has_number: bool = False
    #: The first character of each token, in order, so that a scan for capitalised words is
    #: a C loop over one string (read it through :func:`initials`: ``""`` when not given).
    initials: str = ""

    @classmethod
    def of(cls, start: int, end: int, tokens: tuple[Token, ...]) -> Sentence:
        """A sentence with its ``keys``, ``has_number`` and ``initials`` filled in from its
        tokens."""
        keys = frozenset([t.key for t in tokens])
        firsts = "".join([t.surface[0] for t in tokens])
        return cls(start, end, tokens, keys, any([t.is_number for t in tokens]), firsts)


def initials(sentence: Sentence) -> str:
    """The first character of each of the sentence's tokens, in order."""
    if len(sentence.initials) == len(sentence.tokens):
        return sentence.initials
    return "".join([t.surface[0] for t in sentence.tokens])


def tokenize(text: str, start: int = 0, end: int | None = None) -> tuple[Token, ...]:
    """Words and numbers of ``text[start:end]`` with absolute spans.

    A number keeps its grouping (``2.030``, ``2 030``, ``1,500``): what it means depends on
    the language and is decided later.
    """
    return _tokens(text, start, end)[0]


def _tokens(
    text: str, start: int = 0, end: int | None = None
) -> tuple[tuple[Token, ...], list[int], list[str], list[bool], str]:
    """:func:`tokenize`, and the tokens' starts, keys and number flags as lists, and their
    first characters as one string.

    Every column is made by C loops (``map``, ``zip``, ``accumulate``) over what
    :meth:`re.Pattern.split` gives, the text before each token, then the token: this runs
    for every word of every article.
    """
    parts = _TOKEN.split(text[start:end])
    words = parts[1::2]
    bounds = list(accumulate(map(len, parts), initial=start))  # where each part starts
    starts = bounds[1:-1:2]
    keys = list(map(_FOLDED.__getitem__, words))
    firsts = "".join(map(_FIRST, words))
    numbers = list(map(str.isdecimal, firsts))  # a number starts with a digit, a word never
    # tuples made without Token.__new__, a Python function
    tokens = tuple(
        map(
            tuple.__new__,
            repeat(Token),
            zip(starts, bounds[2::2], words, keys, numbers, strict=True),
        )
    )
    return tokens, starts, keys, numbers, firsts


_FIRST = itemgetter(0)


class _Folded(dict[str, str]):
    """:func:`~geomap.textnorm.fold` of each word, remembered (words repeat a lot): a dict
    whose lookups of known words stay in C, forgotten all at once when it holds
    :data:`_FOLDED_KEPT` words."""

    def __missing__(self, word: str) -> str:
        if len(self) >= _FOLDED_KEPT:
            self.clear()
        key = self[word] = fold(word)
        return key


_FOLDED_KEPT = 1 << 17
_FOLDED = _Folded()


def _fold_word(word: str) -> str:
    """:func:`~geomap.textnorm.fold` of one word, remembered."""
    return _FOLDED[word]


def sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences and heading lines, each with its tokens.

    A sentence's span runs from its first character that is not a space to its last one
    before the break, so it keeps its opening dash or quote and whatever ends it apart from
    its last word (``… terroristes ».``, ``… {{ 7*7 }}.``).
    """
    # no token crosses a boundary: they hold no space after . ! ?
    tokens, starts, keys, numbers, firsts = _tokens(text)
    found: list[Sentence] = []
    first = 0
    position = 0
    for stop, resume in [*_breaks(text), (len(text), len(text))]:
        last = bisect.bisect_left(starts, stop, first)
        if last > first:
            start = _skip_spaces(text, position, tokens[first].start)
            end = _trim_spaces(text, tokens[last - 1].end, stop)
            found.append(
                Sentence(
                    start,
                    end,
                    tokens[first:last],
                    frozenset(keys[first:last]),
                    True in numbers[first:last],
                    firsts[first:last],
                )
            )
        first, position = last, resume
    return found


def _breaks(text: str) -> list[tuple[int, int]]:
    """Sentence boundaries as (end of a sentence, start of the next): a line break, or final
    punctuation and its closing quotes before a capital or a digit."""
    found = []
    for match in _BREAK.finditer(text):
        group = match.group(1)
        if group is None:
            group = "\n"
            start, end = match.span()
        else:
            start, end = match.span(1)
        if group != "\n":
            following = text[end : end + 4].lstrip(_OPENERS)[:1]
            if not (following.isupper() or following.isdigit()) or _abbreviation_or_ordinal(
                text, start, end
            ):
                continue
        found.append((start + len(group) - len(group.lstrip(_CLOSERS)), end))
    return found


#: Short abbreviations with a full stop that do not end a sentence (*d. 1. marts*, *kl. 17*).
_ABBREVIATIONS = frozenset(
    "d ca kl jf nr bl dvs mfl st mr mrs dr prof gen vs ff ggf bzw usw z b u s etc evt".split()
)
_MONTH_HEADS = frozenset(
    (
        "jan feb mar apr mai maj may jun jul aug sep okt oct nov dez dec "
        "janv févr fevr avr juil sept déc janu febr juni juli augu sept"
    ).split()
)


def _abbreviation_or_ordinal(text: str, stop: int, resume: int) -> bool:
    """Whether the full stop at ``stop - 1`` closes an abbreviation (*kl.*, *d.*) or an
    ordinal before a month (*3. Juni*, *14. januar*), not a sentence."""
    dot = stop - 1
    while dot > 0 and text[dot] != ".":
        dot -= 1
    if text[dot] != ".":
        return False
    start = dot
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    word = text[start:dot]
    if word.isdecimal() and len(word) <= 2:
        following = text[resume : resume + 4].casefold()
        return following in _MONTH_HEADS or following[:3] in _MONTH_HEADS
    return word.casefold() in _ABBREVIATIONS and (start == 0 or not text[start - 1].isalnum())


def _skip_spaces(text: str, position: int, limit: int) -> int:
    while position < limit and text[position].isspace():
        position += 1
    return position


def _trim_spaces(text: str, last_token_end: int, stop: int) -> int:
    """The end of a sentence: ``stop`` without the spaces before it, never before its last word."""
    while stop > last_token_end and text[stop - 1].isspace():
        stop -= 1
    return stop
