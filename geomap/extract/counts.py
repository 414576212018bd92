"""Numbers in a sentence and what they count: killed, injured, detained, troops …"""

from __future__ import annotations

import bisect
import itertools
import re
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


def find_counts(
    sentence: Sentence, language: str, *, text: str, clauses: list[int] | None = None
) -> list[Count]:
    """Every count the sentence of ``text`` gives, with the kind of thing counted.

    ``clauses`` are the sentence's :func:`clause_numbers` when already known.
    """
    tokens = sentence.tokens
    words = lexicon.number_words(language)
    if (
        not sentence.has_number
        and sentence.keys.isdisjoint(words)
        and sentence.keys.isdisjoint(lexicon.MULTIPLIERS)
    ):
        return []
    reader: _Reader | None = None  # made for the first number that may count something
    found: list[Count] = []
    parts_from: int | None = None  # where *among them* begins: later numbers are parts
    for index, token in enumerate(tokens):
        if not token.is_number and token.key not in words and not _a_hundred(tokens, index):
            continue  # no number starts here
        value, width = _value_at(tokens, index, language, words)
        if value is None or value <= 0:
            continue
        previous = tokens[index - 1].key if index else ""
        if previous in words or previous in lexicon.MULTIPLIERS:
            continue  # inside a spelled-out number already read
        if previous in lexicon.NEGATIONS:
            continue  # *no one*
        after = index + width
        if after < len(tokens) and tokens[after].key in lexicon.NOT_A_COUNT:
            continue
        if value <= _DAYS and _is_day_of_month(tokens, index, after):
            continue  # *21 апреля*, *May 2*: a date
        if parts_from is not None and index > parts_from:
            continue  # *44 killed, among them 18 police*: the total was read
        if parts_from is None and found and _starts_parts(tokens, index):
            parts_from = index - 1
        if reader is None:
            damage = not sentence.keys.isdisjoint(lexicon.DAMAGE_VERBS)
            stops = [i for i, t in enumerate(tokens) if t.is_number or t.key in words]
            if clauses is None:
                clauses = clause_numbers(text, tokens)
            reader = _Reader(tokens, words, clauses, damage, stops)
        kind = reader.kind(index, after) or _elided(tokens, after, found)
        if kind is not None:
            found.append(Count(kind, value, _qualifier(tokens, index), index))
    return found


_DAYS = 31
_PART_REACH = 4  # words before a number in which *among them* makes it a part


def _is_day_of_month(tokens: Sequence[Token], index: int, after: int) -> bool:
    """*21 апреля*, *May 2*: a day written with its month (in digits, after the month)."""
    before = tokens[index - 1].key if index else ""
    following = tokens[after].key if after < len(tokens) else ""
    return following in lexicon.MONTHS or (
        tokens[index].is_number
        and before in lexicon.MONTHS
        and before not in _AMBIGUOUS_MONTHS
        and following not in lexicon.PEOPLE
    )


_AMBIGUOUS_MONTHS = frozenset({"may", "mai", "mars"})


def _starts_parts(tokens: Sequence[Token], index: int) -> bool:
    """Whether a word such as *among them*, *blant dem*, *из них*, *dont* comes shortly
    before the number at ``index``."""
    start = max(0, index - _PART_REACH)
    keys = [t.key for t in tokens[start:index]]
    return any(key in lexicon.PART_WORDS for key in keys) or any(
        pair in lexicon.PART_PHRASES for pair in itertools.pairwise(keys)
    )


def _a_hundred(tokens: Sequence[Token], index: int) -> bool:
    """*a hundred*, *ett hundratal*, *une centaine*: a multiplier after *a* is a number."""
    return (
        index > 0
        and tokens[index].key in lexicon.MULTIPLIERS
        and tokens[index - 1].key in lexicon.INDEFINITE
    )


def _value_at(
    tokens: Sequence[Token], index: int, language: str, words: dict[str, int]
) -> tuple[int | None, int]:
    """The number starting at ``index`` and how many tokens it spans (``8 tusen``: 2)."""
    token = tokens[index]
    if token.is_number:
        value = number_value(token.surface, language)
    elif _a_hundred(tokens, index):
        return lexicon.MULTIPLIERS[token.key], 1
    else:
        value = words.get(token.key)
    if value is None:
        return None, 1
    width = 1
    if index + 1 < len(tokens) and tokens[index + 1].key in lexicon.MULTIPLIERS:
        value *= lexicon.MULTIPLIERS[tokens[index + 1].key]
        width = 2
    if token.is_number and 1900 <= value <= 2100 and width == 1 and looks_like_year(tokens, index):
        return None, 1
    return value, width


def looks_like_year(tokens: Sequence[Token], index: int) -> bool:
    before = tokens[index - 1].key if index else ""
    after = tokens[index + 1].key if index + 1 < len(tokens) else ""
    return (
        before in lexicon.MONTHS
        or before in {"i", "in", "в", "im", "en", "year", "aret", "году"}
        or after in {"года", "году", "г"}
    )


_CLAUSE_BREAK = re.compile("[,;:—–()]")


def clause_numbers(text: str, tokens: Sequence[Token]) -> list[int]:
    """A clause number per token: punctuation (``,`` ``;`` ``—`` …) between words starts a new one."""
    numbers = [0] * len(tokens)
    if len(tokens) < 2:
        return numbers
    starts = [token.start for token in tokens]
    cuts = set()  # indices of the tokens that start a clause
    for match in _CLAUSE_BREAK.finditer(text, tokens[0].end, tokens[-1].start):
        after = bisect.bisect_right(starts, match.start())
        if tokens[after - 1].end <= match.start():  # between words, not in a number (1,500)
            cuts.add(after)
    for clause, (cut, stop) in enumerate(itertools.pairwise([*sorted(cuts), len(tokens)]), 1):
        numbers[cut:stop] = [clause] * (stop - cut)
    return numbers


_clauses = clause_numbers  # the name tests/test_speed_equivalence.py imports


@dataclass(frozen=True, slots=True)
class _Reader:
    """What a sentence's numbers are read with."""

    tokens: Sequence[Token]
    words: dict[str, int]  # the language's number words
    clauses: list[int]
    damage: bool  # a damage verb somewhere in the sentence
    stops: list[int]  # positions of the numbers and number words, ascending

    def kind(self, index: int, after: int) -> str | None:
        """What the number at ``index`` (its words end before ``after``) counts."""
        noun = self._counted_noun(after)
        if noun == _MILITARY_VEHICLES:
            return "military_vehicles"
        kind = lexicon.COUNT_NOUNS.get(noun) if noun else None
        if kind in ("buildings_damaged", "vehicles_damaged"):
            return kind if self.damage else None
        clause = self._around(index, after, same_clause=True)
        verb = self._verb(clause)
        if kind == "troops":
            return verb or kind  # *5 soldiers were killed*
        if verb is None:
            verb = self._verb(self._around(index, after, same_clause=False))
        if verb is not None:
            return verb
        crowd_noun = lexicon.COUNT_VERBS.get(noun or "") == "crowd_size"
        if crowd_noun or (self._crowd(clause) and _may_be_people(noun)):
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

    def _verb(self, positions: list[int]) -> str | None:
        """A casualty or arrest word at the positions (see :meth:`_around`), nearest first."""
        for position in positions:
            kind = lexicon.COUNT_VERBS.get(self.tokens[position].key)
            if kind is not None and kind != "crowd_size":
                return kind
        return None

    def _crowd(self, clause: list[int]) -> bool:
        """A word of gathering at the positions of the number's clause (*вышли*, *demonstrierten*)."""
        return any(lexicon.COUNT_VERBS.get(self.tokens[p].key) == "crowd_size" for p in clause)

    def _around(self, index: int, after: int, *, same_clause: bool) -> list[int]:
        """Word positions after the number, then before it, nearest first; a number (or a
        clause break, when asked) ends each side."""
        stops = self.stops
        end = min(after + _SCAN, len(self.tokens))
        following = bisect.bisect_left(stops, after)  # the first number from ``after`` on
        if following < len(stops):
            end = min(end, stops[following])
        start = max(index - _BACK + 1, 0)
        preceding = bisect.bisect_left(stops, index) - 1  # the last number before this one
        if preceding >= 0:
            start = max(start, stops[preceding] + 1)
        if same_clause:  # clause numbers never decrease: a clause is a run of positions
            clause = self.clauses[index]
            end = min(end, bisect.bisect_right(self.clauses, clause))
            start = max(start, bisect.bisect_left(self.clauses, clause))
        return [*range(after, end), *range(index - 1, start - 1, -1)]


def _may_be_people(noun: str | None) -> bool:
    """Whether what follows a number may count people: a word for people, a verb, or
    nothing (*a rally of about 2,000 was attacked*), not a thing (*two camps*)."""
    return (
        not noun
        or noun in lexicon.PEOPLE
        or noun in lexicon.AUXILIARIES
        or noun in lexicon.RANGE_WORDS  # *150.000 bis 300.000 (Protestierende)*
    )


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
    if _a_hundred(tokens, index):
        index -= 1  # *around a hundred*: the qualifier is before the article
    for size in (2, 1):
        if index >= size:
            words = tuple(t.key for t in tokens[index - size : index])
            if words in lexicon.QUALIFIERS:
                return lexicon.QUALIFIERS[words]
    return ""
