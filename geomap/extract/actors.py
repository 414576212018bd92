"""Who acts in a sentence: actor words and phrases, without sources and modifiers.

*According to the authorities, crowds attacked …* names the authorities as the source of the
figures, not as an actor; in *police cars* the police own the cars. Both are left out.
"""

from __future__ import annotations

from collections.abc import Sequence

from geomap.extract import lexicon
from geomap.extract.text import Token

_ACTOR_KEYS = frozenset(lexicon.ACTORS) | {phrase[0] for phrase in lexicon.ACTOR_PHRASES}
_SAY_REACH = 2  # words after the actor in which a saying verb makes it the source
_SOURCE_SIZES = sorted({len(phrase) for phrase in lexicon.SOURCE_PHRASES})


def actor_words(tokens: Sequence[Token]) -> list[tuple[int, str]]:
    """Each actor the words name, as (index of its first word, ACLED-style actor)."""
    keys = [t.key for t in tokens]
    found: list[tuple[int, str]] = []
    if _ACTOR_KEYS.isdisjoint(keys):
        return found
    index = 0
    while index < len(keys):
        if keys[index] not in _ACTOR_KEYS:  # names no actor, alone or first in a phrase
            index += 1
            continue
        actor, width = _actor_at(keys, index)
        if (
            actor is not None
            and not _is_source(keys, index, width)
            and not _is_modifier(keys, index, index + width)
        ):
            found.append((index, actor))
        index += width
    return found


def _actor_at(keys: Sequence[str], index: int) -> tuple[str | None, int]:
    """The actor a phrase or a word starting at ``index`` names, and how many words it takes."""
    pair = tuple(keys[index : index + 2])
    if len(pair) == 2 and pair in lexicon.ACTOR_PHRASES:
        return lexicon.ACTOR_PHRASES[pair], 2
    return lexicon.ACTORS.get(keys[index]), 1


def _is_source(keys: Sequence[str], index: int, width: int) -> bool:
    """*according to (the) authorities*, *officials said*, *Myndighetene oppgir*."""
    end = index - 1 if index and keys[index - 1] in lexicon.DETERMINERS else index
    if any(
        tuple(keys[end - size : end]) in lexicon.SOURCE_PHRASES
        for size in _SOURCE_SIZES
        if size <= end
    ):
        return True
    after = keys[index + width : index + width + _SAY_REACH]
    return any(key in lexicon.SAY_VERBS for key in after)


def _is_modifier(keys: Sequence[str], index: int, following: int) -> bool:
    """*police cars*, *government buildings*: the actor word qualifies a counted thing."""
    return (
        keys[index] in lexicon.ATTRIBUTIVE_ACTORS
        and following < len(keys)
        and keys[following] in lexicon.COUNT_NOUNS
    )
