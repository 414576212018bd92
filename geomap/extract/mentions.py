"""Find the places an article names: spans, inflected forms, feature phrases.

Candidates are runs of up to four words that start with a capital letter (in scripts that
have capitals). All their keys, and the forms they may be inflected from, are looked up in
one batch. Then the longest matches win, and three filters drop what only looks like a place:
a person's name (*Vladimir Putin*, *President Tokayev*), a common word capitalised by its
position (*Under kontroll*, *Ro og orden*, weekday and month names), and an acronym.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from geomap.extract import lexicon
from geomap.extract.text import Sentence, Token
from geomap.gazetteer import (
    AIRPORT,
    COUNTRY,
    CURATED,
    PRIMARY,
    REGION,
    Entry,
    FeaturePattern,
    Gazetteer,
)
from geomap.records import Mention
from geomap.textnorm import base_forms, fold

log = logging.getLogger(__name__)

MAX_WORDS = 4
_JOINERS = frozenset({" ", "-", "‐", "–", "'", "’", " - "})
_APOSTROPHES = frozenset({"'", "’"})
_STRONG_POPULATION = 100_000
#: A capital inside a sentence marks a proper name (outside German): a town of 10,000 is
#: then sure enough even if its name is also a common word.
_PROPER_NAME_BAR = 4.0
_COMMON_ZIPF = 3.3
_FACILITY_REACH = 600  # characters back to the place a bare *the airport* belongs to


@dataclass(frozen=True, slots=True)
class _Candidate:
    first: int  # token indices in the sentence, inclusive
    last: int
    key: str


def spot(
    article_id: str,
    text: str,
    sentences: Sequence[Sentence],
    *,
    language: str,
    gazetteer: Gazetteer,
) -> list[Mention]:
    """Every place mention in the text, in text order, not yet geocoded."""
    per_sentence = [_candidates(text, s) for s in sentences]
    keys = {form for cands in per_sentence for c in cands for form in (c.key, *base_forms(c.key))}
    found = gazetteer.lookup_many(keys)
    features = gazetteer.features()
    mentions: list[Mention] = []
    for sentence, candidates in zip(sentences, per_sentence, strict=True):
        taken: set[int] = set()
        for candidate in sorted(candidates, key=lambda c: (c.first - c.last, c.first)):
            if taken.intersection(range(candidate.first, candidate.last + 1)):
                continue
            entries, exact = _entries(candidate.key, found)
            if not entries or not _is_place(text, sentence, candidate, entries, exact, language):
                continue
            taken.update(range(candidate.first, candidate.last + 1))
            mentions.append(_mention(article_id, text, sentence, candidate, features))
        mentions.extend(_facility_words(article_id, text, sentence, taken, mentions))
    mentions.sort(key=lambda m: m.start)
    return mentions


def _candidates(text: str, sentence: Sentence) -> list[_Candidate]:
    tokens = sentence.tokens
    found = []
    for first, token in enumerate(tokens):
        if token.is_number or not _may_start_name(token):
            continue
        for last in range(first, min(first + MAX_WORDS, len(tokens))):
            if last > first and not _joined(text, tokens[last - 1], tokens[last]):
                break
            if tokens[last].is_number:
                break
            found.append(_Candidate(first, last, fold(text[token.start : tokens[last].end])))
    return found


def _joined(text: str, left: Token, right: Token) -> bool:
    """Whether two words may belong to one name: not across an English possessive ``'s``."""
    gap = text[left.end : right.start]
    return gap in _JOINERS and not (gap in _APOSTROPHES and right.key == "s")


def _may_start_name(token: Token) -> bool:
    """Capitalised, or in a script without capitals."""
    first = token.surface[0]
    return first.isupper() or (first.isalpha() and not first.islower())


def _entries(key: str, found: dict[str, list[Entry]]) -> tuple[list[Entry], bool]:
    if key in found:
        return found[key], True
    for base in base_forms(key):
        if base in found:
            return found[base], False
    return [], False


def _strength(entries: Sequence[Entry]) -> float:
    """How sure a bare name is to mean a place: countries and big cities are sure."""
    best = 0.0
    for entry in entries:
        place = entry.place
        if place.kind in (COUNTRY, REGION) and entry.flags & (PRIMARY | CURATED):
            return math.inf
        if place.kind in (COUNTRY, REGION, AIRPORT):
            best = max(best, 6.0)
        elif entry.flags & PRIMARY:
            best = max(best, math.log10(place.population + 1))
        else:
            best = max(best, math.log10(place.population + 1) - 1)
    return best


def _is_place(
    text: str,
    sentence: Sentence,
    candidate: _Candidate,
    entries: list[Entry],
    exact: bool,
    language: str,
) -> bool:
    tokens = sentence.tokens
    first = tokens[candidate.first]
    strength = _strength(entries)
    if not exact:
        strength -= 0.5
    if first.surface.isupper() and len(first.surface) > 1 and candidate.first == candidate.last:
        return strength == math.inf  # acronyms: only curated names such as USA
    if candidate.first > 0 and tokens[candidate.first - 1].key in lexicon.PERSON_TITLES:
        return False
    if exact and _in_name_chain(text, tokens, candidate) and not _title_case(sentence):
        return False
    if candidate.first == candidate.last:
        at_start = candidate.first == 0 or text[
            tokens[candidate.first - 1].end : first.start
        ].strip() in {"«", '"', "–", "-", "—"}
        deliberate = not at_start and language not in lexicon.NOUN_CAPITALS
        bar = _PROPER_NAME_BAR if deliberate else math.log10(_STRONG_POPULATION)
        if strength < bar:
            common = _zipf(first.key, language)
            if common >= _COMMON_ZIPF or (at_start and common >= _COMMON_ZIPF - 1):
                return False
    return True


def _in_name_chain(text: str, tokens: Sequence[Token], candidate: _Candidate) -> bool:
    """A place word joined by a space to a capitalised word that is no title: part of a
    larger proper name (*Vladimir Putin*, *Jordan Bardella*, *New York Times*, *Central Asian*).
    """
    after = candidate.last + 1
    if after < len(tokens):
        following = tokens[after]
        gap = text[tokens[candidate.last].end : following.start]
        if gap == " " and following.is_capitalised and following.key not in lexicon.PERSON_TITLES:
            return not following.surface.isupper()
    before = candidate.first - 1
    if before > 0:  # not the sentence's first word, whose capital says nothing
        previous = tokens[before]
        gap = text[previous.end : tokens[candidate.first].start]
        if gap == " " and previous.is_capitalised and not previous.surface.isupper():
            return previous.key not in lexicon.PERSON_TITLES
    return False


def _title_case(sentence: Sentence) -> bool:
    """A headline in title case (*Protests Spread Across Kazakhstan*), where capitals say
    little: every word longer than four letters is capitalised, and there are three or more."""
    words = [t for t in sentence.tokens if not t.is_number and len(t.surface) > 4]
    return len(words) >= 3 and all(t.is_capitalised for t in words)


@lru_cache(maxsize=65536)
def _zipf(word: str, language: str) -> float:
    from wordfreq import available_languages, zipf_frequency

    lang = {"nn": "nb", "no": "nb"}.get(language, language)
    if lang not in available_languages():
        lang = "en"
    return float(zipf_frequency(word, lang))


def _mention(
    article_id: str,
    text: str,
    sentence: Sentence,
    candidate: _Candidate,
    features: Sequence[FeaturePattern],
) -> Mention:
    """The mention, widened to a feature phrase around it when there is one."""
    tokens = sentence.tokens
    start, end = tokens[candidate.first].start, tokens[candidate.last].end
    key, feature = candidate.key, None
    for pattern in features:
        before, after = len(pattern.before), len(pattern.after)
        first, last = candidate.first - before, candidate.last + after
        if first < 0 or last >= len(tokens):
            continue
        if all(tokens[first + i].key in pattern.before[i] for i in range(before)) and all(
            tokens[candidate.last + 1 + i].key in pattern.after[i] for i in range(after)
        ):
            start, end, feature = tokens[first].start, tokens[last].end, pattern.feature
            break
    return Mention(article_id, start, end, text[start:end], key, feature)


def _facility_words(
    article_id: str, text: str, sentence: Sentence, taken: set[int], earlier: Sequence[Mention]
) -> list[Mention]:
    """*Flyplassen*, *the airport*: the facility of the city named just before, if any."""
    found = []
    for index, token in enumerate(sentence.tokens):
        feature = lexicon.FACILITY_WORDS.get(token.key)
        if (
            feature is None
            or index in taken
            or any(m.start <= token.start < m.end for m in earlier)
        ):
            continue
        if token.key == "airport" and (index == 0 or sentence.tokens[index - 1].key != "the"):
            continue
        recent = [
            m
            for m in earlier
            if m.feature in (None, feature) and sentence.start - m.end < _FACILITY_REACH
        ]
        if recent:
            found.append(
                Mention(article_id, token.start, token.end, token.surface, recent[-1].key, feature)
            )
    return found
