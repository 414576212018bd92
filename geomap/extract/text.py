"""Tokens and sentences with their character spans."""

from __future__ import annotations

import re
from dataclasses import dataclass

from geomap.textnorm import fold

_TOKEN = re.compile(
    r"\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+(?![\d])(?:[.,]\d+)?|\d+(?:[.,]\d+)?|[^\W\d_]+", re.UNICODE
)
_BREAK = re.compile(r"(?<=[.!?…])[»”\"')]*\s+|\n")
_OPENERS = '«“"„–—-( '


@dataclass(frozen=True, slots=True)
class Token:
    """A word or a number, ``text[start:end]``, with its folded ``key``."""

    start: int
    end: int
    surface: str
    key: str

    @property
    def is_number(self) -> bool:
        """True for digit tokens (``2.030``, ``1,500``), not for ``²``."""
        return self.surface[0].isdecimal()

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


def tokenize(text: str, start: int = 0, end: int | None = None) -> tuple[Token, ...]:
    """Words and numbers of ``text[start:end]`` with absolute spans.

    A number keeps its grouping (``2.030``, ``2 030``, ``1,500``): what it means depends on
    the language and is decided later.
    """
    return tuple(
        Token(m.start(), m.end(), m.group(), fold(m.group()))
        for m in _TOKEN.finditer(text, start, len(text) if end is None else end)
    )


def sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences and heading lines, each with its tokens."""
    found: list[Sentence] = []
    position = 0
    for boundary in [*_breaks(text), None]:
        stop = boundary[0] if boundary else len(text)
        tokens = tokenize(text, position, stop)
        if tokens:
            found.append(Sentence(tokens[0].start, _trim_end(text, tokens[-1].end, stop), tokens))
        if boundary:
            position = boundary[1]
    return found


def _breaks(text: str) -> list[tuple[int, int]]:
    """Sentence boundaries: a line break, or final punctuation before a capital or a digit."""
    found = []
    for match in _BREAK.finditer(text):
        following = text[match.end() : match.end() + 4].lstrip(_OPENERS)[:1]
        if match.group() == "\n" or following.isupper() or following.isdigit():
            found.append((match.start(), match.end()))
    return found


def _trim_end(text: str, last_token_end: int, stop: int) -> int:
    """Keep the closing punctuation of a sentence in its span."""
    end = last_token_end
    while end < stop and not text[end].isspace():
        end += 1
    return end
