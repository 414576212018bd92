"""Numbers in a sentence and what they count: killed, injured, detained, troops …"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from geomap.extract import lexicon
from geomap.extract.text import Sentence, Token

_SCAN = 10  # words to look at after a number for what it counts


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
    in English, where ``2.030`` is a fraction.
    """
    grouped = surface.replace("\u00a0", " ").replace("\u202f", " ")
    thousands = "," if language in lexicon.COMMA_THOUSANDS else "."
    parts = grouped.replace(" ", thousands).split(thousands)
    if (
        len(parts) > 1
        and all(len(p) == 3 and p.isdigit() for p in parts[1:])
        and parts[0].isdigit()
    ):
        return int("".join(parts))
    if grouped.isdigit():
        return int(grouped)
    return None


def find_counts(sentence: Sentence, language: str) -> list[Count]:
    """Every count the sentence gives, with the kind of thing counted."""
    tokens = sentence.tokens
    words = lexicon.number_words(language)
    damage = any(t.key in lexicon.DAMAGE_VERBS for t in tokens)
    found = []
    for index in range(len(tokens)):
        value, width = _value_at(tokens, index, language, words)
        if value is None or value <= 0:
            continue
        previous = tokens[index - 1].key if index else ""
        if previous in words or previous in lexicon.MULTIPLIERS:
            continue  # inside a spelled-out number already read
        if index + width < len(tokens) and tokens[index + width].key in lexicon.NOT_A_COUNT:
            continue
        kind = _kind(tokens, index, width, damage=damage, words=words)
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


def _kind(
    tokens: Sequence[Token], index: int, width: int, *, damage: bool, words: dict[str, int]
) -> str | None:
    """What a number counts: the noun after it, else a verb near it."""
    after = index + width
    noun = tokens[after].key if after < len(tokens) else ""
    nxt = tokens[after + 1].key if after + 1 < len(tokens) else ""
    if noun in lexicon.MILITARY and nxt in lexicon.MILITARY_VEHICLE_NOUNS:
        return "military_vehicles"
    if noun in lexicon.MILITARY_VEHICLE_NOUNS and nxt in lexicon.MILITARY:
        return "military_vehicles"
    if _is_modifier(noun) and nxt in lexicon.COUNT_NOUNS:
        noun = nxt  # *40 police cars*, *12 bank buildings*
    kind = lexicon.COUNT_NOUNS.get(noun)
    if kind in ("buildings_damaged", "vehicles_damaged"):
        return kind if damage else None
    if kind is not None:
        return kind
    verb = _verb_near(tokens, index, after, words)
    if verb is not None:
        return verb
    if lexicon.COUNT_VERBS.get(noun) == "crowd_size":
        return "crowd_size"
    return None


def _is_modifier(key: str) -> bool:
    """A word that may stand between a number and the noun it counts."""
    return (
        bool(key)
        and key not in lexicon.COUNT_NOUNS
        and key not in lexicon.COUNT_VERBS
        and key not in lexicon.NOT_A_COUNT
        and key not in lexicon.PEOPLE
        and key not in lexicon.MILITARY
        and not key[0].isdigit()
    )


def _verb_near(
    tokens: Sequence[Token], index: int, after: int, words: dict[str, int]
) -> str | None:
    """The count verb after the number (before the next number), else just before it."""
    for position in range(after, min(after + _SCAN, len(tokens))):
        token = tokens[position]
        if token.is_number or token.key in words:
            break
        kind = lexicon.COUNT_VERBS.get(token.key)
        if kind is not None and kind != "crowd_size":
            return kind
    for position in range(index - 1, max(index - 6, -1), -1):
        token = tokens[position]
        if token.is_number:
            break
        kind = lexicon.COUNT_VERBS.get(token.key)
        if kind is not None and kind != "crowd_size":
            return kind
    return None


def _qualifier(tokens: Sequence[Token], index: int) -> str:
    for size in (2, 1):
        if index >= size:
            words = tuple(t.key for t in tokens[index - size : index])
            if words in lexicon.QUALIFIERS:
                return lexicon.QUALIFIERS[words]
    return ""
