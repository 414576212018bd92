"""Numbers in a sentence and what they count: killed, injured, detained, troops …"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from geomap.extract import lexicon
from geomap.extract.text import Sentence, Token

_SCAN = 10  # words to look at after a number for what it counts
_BACK = 8  # and before it
_MAX_DIGITS = 12  # no count in the news nears a trillion; a longer digit run is no count
_MILITARY_VEHICLES = "\x00military vehicles"  # no word folds to this


@dataclass(frozen=True, slots=True)
class Count:
    """A count found in a sentence: ``value`` of ``kind``, with its qualifier."""

    kind: str
    value: int
    qualifier: str
    token: int  # index of the number in the sentence


def number_value(surface: str, language: str) -> int | None:
    """The integer a number token means in ``language``; ``None`` for fractions.

    ``2.030`` and ``2 030`` are 2030 in Norwegian, Russian, German, French; ``1,500`` is 1500
    in English, where ``2.030`` is a fraction. A number of more than 12 digits is no count
    (``None``), so every count times a multiplier (*million*) fits a 64-bit integer.
    """
    grouped = surface.replace("\u00a0", " ").replace("\u202f", " ")
    thousands = "," if language in lexicon.COMMA_THOUSANDS else "."
    parts = grouped.replace(" ", thousands).split(thousands)
    if (
        len(parts) > 1
        and all(len(p) == 3 and p.isdecimal() for p in parts[1:])
        and parts[0].isdecimal()
    ):
        grouped = "".join(parts)
    if grouped.isdecimal() and len(grouped) <= _MAX_DIGITS:
        return int(grouped)
    return None


def find_counts(sentence: Sentence, language: str, *, text: str) -> list[Count]:
    """Every count the sentence of ``text`` gives, with the kind of thing counted."""
    tokens = sentence.tokens
    words = lexicon.number_words(language)
    if not sentence.has_number and sentence.keys.isdisjoint(words):
        return []
    reader = _Reader(
        tokens,
        words,
        _clauses(text, tokens),
        any(t.key in lexicon.DAMAGE_VERBS for t in tokens),
    )
    found: list[Count] = []
    for index in range(len(tokens)):
        value, width = _value_at(tokens, index, language, reader.words)
        if value is None or value <= 0:
            continue
        previous = tokens[index - 1].key if index else ""
        if previous in reader.words or previous in lexicon.MULTIPLIERS:
            continue  # inside a spelled-out number already read
        if previous in lexicon.NEGATIONS:
            continue  # *no one*
        after = index + width
        if after < len(tokens) and tokens[after].key in lexicon.NOT_A_COUNT:
            continue
        kind = reader.kind(index, after) or _elided(tokens, after, found)
        if kind is not None:
            found.append(Count(kind, value, _qualifier(tokens, index), index))
    return found


def _value_at(
    tokens: Sequence[Token], index: int, language: str, words: dict[str, int]
) -> tuple[int | None, int]:
    """The number starting at ``index`` and how many tokens it spans (``8 tusen``: 2)."""
    token = tokens[index]
    if token.is_number:
        value = number_value(token.surface, language)
    else:
        value = words.get(token.key)
    if value is None:
        return None, 1
    width = 1
    if index + 1 < len(tokens) and tokens[index + 1].key in lexicon.MULTIPLIERS:
        value *= lexicon.MULTIPLIERS[tokens[index + 1].key]
        width = 2
    if token.is_number and 1900 <= value <= 2100 and width == 1 and _looks_like_year(tokens, index):
        return None, 1
    return value, width


def _looks_like_year(tokens: Sequence[Token], index: int) -> bool:
    before = tokens[index - 1].key if index else ""
    after = tokens[index + 1].key if index + 1 < len(tokens) else ""
    return (
        before in lexicon.MONTHS
        or before in {"i", "in", "в", "im", "en", "year", "aret", "году"}
        or after in {"года", "году", "г"}
    )


_CLAUSE_BREAKS = frozenset(",;:—–()")


def _clauses(text: str, tokens: Sequence[Token]) -> list[int]:
    """A clause number per token: punctuation (``,`` ``;`` ``—`` …) between words starts a new one."""
    numbers = []
    clause = 0
    for index, token in enumerate(tokens):
        if index and _CLAUSE_BREAKS.intersection(text[tokens[index - 1].end : token.start]):
            clause += 1
        numbers.append(clause)
    return numbers


@dataclass(frozen=True, slots=True)
class _Reader:
    """What a sentence's numbers are read with."""

    tokens: Sequence[Token]
    words: dict[str, int]  # the language's number words
    clauses: list[int]
    damage: bool  # a damage verb somewhere in the sentence

    def kind(self, index: int, after: int) -> str | None:
        """What the number at ``index`` (its words end before ``after``) counts."""
        noun = self._counted_noun(after)
        if noun == _MILITARY_VEHICLES:
            return "military_vehicles"
        kind = lexicon.COUNT_NOUNS.get(noun) if noun else None
        if kind in ("buildings_damaged", "vehicles_damaged"):
            return kind if self.damage else None
        verb = self._verb(index, after, same_clause=True)
        if kind == "troops":
            return verb or kind  # *5 soldiers were killed*
        if verb is None:
            verb = self._verb(index, after, same_clause=False)
        if verb is not None:
            return verb
        if lexicon.COUNT_VERBS.get(noun or "") == "crowd_size" or self._crowd(index, after):
            return "crowd_size"
        return None

    def _counted_noun(self, after: int) -> str | None:
        """The key of the noun after the number, past one modifier (*40 police cars*);
        :data:`_MILITARY_VEHICLES` for military vehicles (*250 военной техники*)."""
        tokens = self.tokens
        noun = tokens[after].key if after < len(tokens) else ""
        nxt = tokens[after + 1].key if after + 1 < len(tokens) else ""
        if (noun in lexicon.MILITARY and nxt in lexicon.MILITARY_VEHICLE_NOUNS) or (
            noun in lexicon.MILITARY_VEHICLE_NOUNS and nxt in lexicon.MILITARY
        ):
            return _MILITARY_VEHICLES
        if _is_modifier(noun) and nxt in lexicon.COUNT_NOUNS:
            return nxt
        return noun or None

    def _verb(self, index: int, after: int, *, same_clause: bool) -> str | None:
        """A casualty or arrest word after the number (up to the next number), else before."""
        for position in self._around(index, after, same_clause=same_clause):
            kind = lexicon.COUNT_VERBS.get(self.tokens[position].key)
            if kind is not None and kind != "crowd_size":
                return kind
        return None

    def _crowd(self, index: int, after: int) -> bool:
        """A word of gathering in the number's clause (*вышли*, *demonstrierten*)."""
        return any(
            lexicon.COUNT_VERBS.get(self.tokens[p].key) == "crowd_size"
            for p in self._around(index, after, same_clause=True)
        )

    def _around(self, index: int, after: int, *, same_clause: bool) -> list[int]:
        """Word positions after the number, then before it, nearest first; a number (or a
        clause break, when asked) ends each side."""
        positions = []
        clause = self.clauses[index]
        for side in (
            range(after, min(after + _SCAN, len(self.tokens))),
            range(index - 1, max(index - _BACK, -1), -1),
        ):
            for position in side:
                token = self.tokens[position]
                if token.is_number or token.key in self.words:
                    break
                if same_clause and self.clauses[position] != clause:
                    break
                positions.append(position)
        return positions


def _elided(tokens: Sequence[Token], after: int, found: Sequence[Count]) -> str | None:
    """*… 2 000 человек, в Новосибирске — более 5 тысяч*: a bare number after a count of the
    same sentence counts the same thing."""
    if not found:
        return None
    noun = tokens[after].key if after < len(tokens) else ""
    if noun and noun not in lexicon.PEOPLE:
        return None
    return found[-1].kind


def _is_modifier(key: str) -> bool:
    """A word that may stand between a number and the noun it counts."""
    return (
        bool(key)
        and key not in lexicon.COUNT_NOUNS
        and key not in lexicon.COUNT_VERBS
        and key not in lexicon.NOT_A_COUNT
        and key not in lexicon.PEOPLE
        and key not in lexicon.MILITARY
        and not key[0].isdecimal()
    )


def _qualifier(tokens: Sequence[Token], index: int) -> str:
    for size in (2, 1):
        if index >= size:
            words = tuple(t.key for t in tokens[index - size : index])
            if words in lexicon.QUALIFIERS:
                return lexicon.QUALIFIERS[words]
    return ""
