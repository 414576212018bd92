"""Find the places an article names: spans, inflected forms, feature phrases.

Candidates are runs of up to four words that start with a capital letter (in scripts that
have capitals). All their keys, and the forms they may be inflected from, are looked up in
one batch. Then the longest matches win, and three filters drop what only looks like a place:
a person's name (*Vladimir Putin*, *President Tokayev*), a common word capitalised by its
position (*Under kontroll*, *Ro og orden*, weekday and month names), and an acronym.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import math
import operator
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from geomap.extract import lexicon
from geomap.extract.text import Sentence, Token, initials
from geomap.gazetteer import (
    AIRPORT,
    COUNTRY,
    CURATED,
    DEMONYM,
    MACROREGION,
    PRIMARY,
    REGION,
    REGION_WORDS,
    FeaturePattern,
    Gazetteer,
    Named,
    code_key,
    language_flag,
)
from geomap.recognise.frequency import wordlist_language, zipf_frequency
from geomap.recognise.memo import remembered, remembered_by_argument
from geomap.records import Mention
from geomap.textnorm import base_forms, fold

log = logging.getLogger(__name__)

MAX_WORDS = 4
_JOINERS = frozenset({" ", "-", "‐", "–", "'", "’", " - "})
_APOSTROPHES = frozenset({"'", "’"})
_STRONG_POPULATION = 100_000
#: A town this large, named by its own or curated name or its name in the article's language,
#: is kept even where the model saw no place (*Almatys*, the genitive of a city of millions),
#: and even when its name is an everyday word (*København*).
SURE_TOWN = 1_000_000
#: A capital inside a sentence marks a proper name (outside German): a town of 10,000 is
#: then sure enough even if its name is also a common word.
_PROPER_NAME_BAR = 4.0
_COMMON_ZIPF = 3.3
_FACILITY_REACH = 600  # characters back to the place a bare *the airport* belongs to
_CODE_LETTERS = 5  # USA, W.Va. (WVa), Calif.: codes are short
#: A capitalised word rarer than this before another is taken for a first name.
_FIRST_NAME_ZIPF = 3.5
_SURE_NOUN = 6.0  # a country, a region or a city of a million: sure even as an everyday noun
_EVERYDAY_ZIPF = 4.5  # a word this frequent names a smaller town only by the model's word
#: A name that speaks (*said Clark*) is a person unless it names a town at least this sure:
#: the strength of a town of 100,000, one that speaks through its government.
CITY = 5.0
CURRENCY_SIGNS = frozenset("$€£¥")
#: The folded words for a region written after its name (*Rogaland fylke*, *Aktobe oblast*).
REGION_WORD_KEYS = frozenset(fold(word) for word in REGION_WORDS)
#: A word this frequent in the article's language (*we*, *hun*, *på*) is a place only by a
#: place's own or curated name, never by an alternate name from another language.
FUNCTION_WORD_ZIPF = 5.5


class _Candidate(NamedTuple):
    """A run of words that may name a place (a tuple: an article has thousands)."""

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
    people: frozenset[str] | None = None,
    elsewhere: frozenset[str] = frozenset(),
) -> list[Mention]:
    """Every place mention in the text, in text order, not yet geocoded.

    ``people`` are the words that name people in this article (:func:`people_named`),
    found here when not given. ``elsewhere`` are the keys and base forms of the names the article
    surely gives as places elsewhere (the model's sure spans): such a name at the start of a
    sentence or a list item is read as the name, not as a word capitalised there.
    """
    per_sentence = [_candidates(text, s) for s in sentences]
    names = {c.key for cands in per_sentence for c in cands}  # each name once
    keys = set(names)
    known = _BASES.get  # read inline: this runs for every name of every article
    for key in names:
        bases = known(key)
        keys.update(_bases(key) if bases is None else bases)
    found = gazetteer.lookup_rows(keys)
    named_by = {}  # each name the gazetteer knows: its _entries, found once per name
    for key in names:
        hit = _entries(key, found)
        if hit[0]:
            named_by[key] = hit
    weights = _WEIGHTS.get(gazetteer)
    if weights is None or len(weights) > _WEIGHTS_KEPT:
        weights = _WEIGHTS[gazetteer] = {}
    features = _feature_index(gazetteer.features())
    article = _Article(
        text,
        language,
        people=people_named(text, sentences, language=language, gazetteer=gazetteer)
        if people is None
        else people,
        countries=gazetteer.country_names(),
        elsewhere=elsewhere,
    )
    mentions: list[Mention] = []
    blocks: list[tuple[int, int]] = []  # per sentence so far: its end, its first mention's index
    for sentence, candidates in zip(sentences, per_sentence, strict=True):
        blocks.append((sentence.end, len(mentions)))
        named = []  # the candidates the gazetteer knows, longest first, then in text order
        for candidate in candidates:
            known_name = named_by.get(candidate.key)
            if known_name is not None:
                entries, exact, matched = known_name
                longer = candidate.first - candidate.last  # sorts longer runs first
                named.append((longer, candidate.first, candidate, entries, exact, matched))
        taken: set[int] = set()
        facts = _SentenceFacts(sentence) if named else None
        for _, _, candidate, entries, exact, matched in sorted(named, key=_longest_first):
            if taken.intersection(range(candidate.first, candidate.last + 1)):
                continue
            assert facts is not None
            weight = weights.get(matched)
            if weight is None:
                weight = weights[matched] = _weight(entries)
            if not _is_place(article, sentence, facts, candidate, entries, exact, weight):
                continue
            taken.update(range(candidate.first, candidate.last + 1))
            mentions.append(_mention(article_id, text, sentence, candidate, features))
        if not sentence.keys.isdisjoint(lexicon.FACILITY_WORDS):
            here = blocks[-1][1]
            mentions.extend(
                _facility_words(
                    article_id,
                    text,
                    sentence,
                    taken,
                    here=mentions[here:],
                    earlier=mentions[_reach_start(blocks, sentence.start) : here],
                )
            )
    mentions.sort(key=lambda m: m.start)
    return mentions


def _candidates(text: str, sentence: Sentence) -> list[_Candidate]:
    """Runs of up to :data:`MAX_WORDS` words that may be a name: a capitalised first word,
    then words joined by a space, a hyphen or an apostrophe, each capitalised or a name
    particle (*Sistan og Baluchistan*, *Rio de Janeiro*); a run never ends on a particle."""
    tokens = sentence.tokens
    new = tuple.__new__  # _Candidate without its Python-level __new__: this runs per word
    found: list[_Candidate] = []
    # a name starts with a capital, or a letter of a script without case
    starts = [i for i, c in enumerate(initials(sentence)) if c.isalpha() and not c.islower()]
    for first in starts:
        token = tokens[first]
        if glued_to_digit(text, token.start, token.end):
            continue  # CO2, H5N1, F-16's F16: a formula or a model, not a name
        if token.surface.isupper() or text[token.end : token.end + 1] == ".":  # else no code
            code = _code(text, tokens, first)
            if code is not None:
                found.append(new(_Candidate, code))
        parts = [token.key]
        found.append(new(_Candidate, (first, first, token.key)))
        for last in range(first + 1, min(first + MAX_WORDS, len(tokens))):
            word = tokens[last]
            lower = word.surface[0].islower()
            particle = lower and word.key in lexicon.NAME_PARTICLES
            gap = text[tokens[last - 1].end : word.start]
            if (lower and not particle and gap != "-") or word.is_number or not _joined(gap, word):
                break
            parts.append(word.key)  # as fold() keys it: Côte d'Ivoire is cote d ivoire
            if not particle:
                found.append(new(_Candidate, (first, last, " ".join([p for p in parts if p]))))
    if sentence.keys.isdisjoint(REGION_WORD_KEYS):
        return found  # no region word to add
    return [*found, *_with_region_words(text, tokens, found)]


def _with_region_words(
    text: str, tokens: Sequence[Token], found: Sequence[_Candidate]
) -> list[_Candidate]:
    """Candidates with the region word written after them in small letters
    (*Мангистауской области*, *Rogaland fylke*, *Aktobe oblast*)."""
    longer = []
    for candidate in found:
        after = candidate.last + 1
        if (
            after < len(tokens)
            and tokens[after].key in REGION_WORD_KEYS
            and text[tokens[candidate.last].end : tokens[after].start] == " "
        ):
            key = f"{candidate.key} {tokens[after].key}"
            longer.append(_Candidate(candidate.first, after, key))
    return longer


def _code(text: str, tokens: Sequence[Token], first: int) -> tuple[int, int, str] | None:
    """A code starting at ``tokens[first]``, as (first, last, code key): capitals (*USA*,
    *NSW*), letters with dots (*U.S.*, *W.Va.*, *D.C.*), or AP's abbreviation of a state
    after a town and a comma (*Gainesville, Ga.*)."""
    token = tokens[first]
    surface = token.surface
    if surface.isupper() and 1 < len(surface) <= _CODE_LETTERS and surface.isascii():
        return first, first, code_key(surface)
    if len(surface) > _CODE_LETTERS or text[token.end : token.end + 1] != ".":
        return None
    last, letters = first, surface
    while (
        last + 1 < len(tokens)
        and tokens[last + 1].start == tokens[last].end + 1
        and len(tokens[last + 1].surface) <= 3
        and tokens[last + 1].surface[0].isupper()
        and text[tokens[last + 1].end : tokens[last + 1].end + 1] == "."
    ):
        last += 1
        letters += tokens[last].surface
    if not letters.isascii() or len(letters) > _CODE_LETTERS:
        return None
    if last == first and not _after_town(text, tokens, first):
        return None  # one word and a dot: a code only as AP writes a state after a town
    return first, last, code_key(text[token.start : tokens[last].end + 1])


def after_street_word(tokens: Sequence[Token], index: int) -> bool:
    """Whether ``tokens[index]`` names the street, square or station a word before it
    names (*площади Европы*, *rue de Paris*), past a particle (*de*, *la*)."""
    back = index - 1
    while back >= 0 and tokens[back].key in lexicon.NAME_PARTICLES:
        back -= 1
    return back >= 0 and tokens[back].key in lexicon.STREET_WORDS


def glued_to_digit(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` touches a digit (*CO2*, *5G*)."""
    return text[end : end + 1].isdigit() or (start > 0 and text[start - 1].isdigit())


def _after_town(text: str, tokens: Sequence[Token], index: int) -> bool:
    """Whether ``tokens[index]`` follows a capitalised word and a comma (*Gainesville, Ga.*)."""
    if index == 0 or text[tokens[index - 1].end : tokens[index].start] != ", ":
        return False
    return tokens[index - 1].is_capitalised


def _joined(gap: str, right: Token) -> bool:
    """Whether a word may continue a name after ``gap``: not across an English ``'s``."""
    return gap in _JOINERS and not (gap in _APOSTROPHES and right.key == "s")


@remembered_by_argument(1 << 17)
def _bases(key: str) -> tuple[str, ...]:
    """:func:`~geomap.textnorm.base_forms` of a key, remembered: names recur across articles."""
    return tuple(base_forms(key))


_BASES: dict[str, tuple[str, ...]] = _bases.memo  # type: ignore[attr-defined]


def key_forms(key: str) -> tuple[str, ...]:
    """A name's key and the base forms it may be inflected from, most likely first."""
    return (key, *_bases(key))


def _entries(key: str, found: dict[str, Named]) -> tuple[Named, bool, str]:
    """The (flags, place row) pairs of the key, else of its first base form that has some,
    whether they are the key's own, and the key or base form they belong to."""
    if key in found:
        return found[key], True, key
    bases = _BASES.get(key)
    for base in _bases(key) if bases is None else bases:
        if base in found:
            return found[base], False, base
    return (), False, ""


def _weight(entries: Named) -> tuple[bool, float]:
    """Whether the entries name a people (a demonym), and their :func:`_strength`."""
    return any(flags & DEMONYM for flags, _ in entries), _strength(entries)


#: Per open gazetteer, :func:`_weight` of the entries of each key (an index never changes
#: while open): a name weighed in one article is not weighed again in the next.
_WEIGHTS: weakref.WeakKeyDictionary[Gazetteer, dict[str, tuple[bool, float]]] = (
    weakref.WeakKeyDictionary()
)
_WEIGHTS_KEPT = 1 << 16


def name_strength(key: str, gazetteer: Gazetteer) -> float:
    """How sure a bare folded name is to mean a place (:func:`_strength`), by its entries or
    those of the first form it may be inflected from (as :func:`spot` weighs it)."""
    entries, _, _ = _entries(key, gazetteer.lookup_rows(key_forms(key)))
    return _strength(entries)


def _strength(entries: Named) -> float:
    """How sure a bare name is to mean a place: countries and big cities are sure."""
    best = 0.0
    for flags, row in entries:
        kind = row.kind
        if kind in (COUNTRY, REGION) and flags & (PRIMARY | CURATED):
            return math.inf
        if kind in (COUNTRY, REGION, AIRPORT):
            best = max(best, 6.0)
        elif flags & PRIMARY:
            best = max(best, math.log10(row.population + 1))
        else:
            best = max(best, math.log10(row.population + 1) - 1)
    return best


@dataclass(frozen=True, slots=True)
class _Article:
    """What the rules know of the whole article."""

    text: str
    language: str
    #: Words seen as the last of a person's full name (*Barack Obama* → *obama*).
    people: frozenset[str]
    #: Folded names of countries and world regions, to tell their demonyms.
    countries: frozenset[str]
    #: Keys and base forms of the names surely places elsewhere in the article.
    elsewhere: frozenset[str] = frozenset()


class _SentenceFacts:
    """Facts of one sentence that candidates in it may need, each found once when first
    asked for (most sentences ask for neither)."""

    def __init__(self, sentence: Sentence) -> None:
        self._sentence = sentence
        self._title_case: bool | None = None
        self._shouting: bool | None = None

    @property
    def title_case(self) -> bool:
        """A headline in title case (see :func:`_title_case`)."""
        if self._title_case is None:
            self._title_case = _title_case(self._sentence)
        return self._title_case

    @property
    def shouting(self) -> bool:
        """More than half of the words are in capitals."""
        if self._shouting is None:
            words = [t for t in self._sentence.tokens if not t.is_number and len(t.surface) > 1]
            upper = sum(1 for t in words if t.surface.isupper())
            self._shouting = bool(words) and upper * 2 > len(words)
        return self._shouting


def _is_place(
    article: _Article,
    sentence: Sentence,
    facts: _SentenceFacts,
    candidate: _Candidate,
    entries: Named,
    exact: bool,
    weight: tuple[bool, float],
) -> bool:
    """Whether the candidate names a place; ``weight`` is :func:`_weight` of ``entries``."""
    text, language = article.text, article.language
    tokens = sentence.tokens
    first = tokens[candidate.first]
    if candidate.key.startswith("="):  # a code, unless the whole line is in capitals
        after = tokens[candidate.last].end
        if text[after : after + 1] in CURRENCY_SIGNS:
            return False  # US$, A$
        if len(candidate.key) == 3 and all(row.kind == REGION for _, row in entries):
            return _after_town(text, tokens, candidate.first)  # CO, IN, OR: Denver, CO
        return not facts.shouting
    single = candidate.first == candidate.last
    if single and len(first.surface) == 1:
        return False  # one letter: an initial, a list item
    demonym, strength = weight
    if demonym:
        return False  # Russian, Kazakhstani: the country's word, not a place
    if not single:
        strength = 0.0  # how sure the name is, needed for single words only
    elif not exact:
        strength -= 0.5
    # how common the word is in the language (of a single word only: asked twice below)
    common = zipf(first.surface.lower(), language) if single else 0.0
    if single and common >= FUNCTION_WORD_ZIPF:
        entries = named_in(entries, language)
        if not entries:
            return False  # We, På, Man: another language's name for a place is a word here
    if first.surface.isupper() and len(first.surface) > 1 and single:
        if text[first.end : first.end + 2] == ", " and strength >= _PROPER_NAME_BAR:
            return True  # a dateline: GAINESVILLE, Ga. —
        return strength == math.inf  # acronyms: only curated names such as USA
    if candidate.first > 0 and tokens[candidate.first - 1].key in lexicon.PERSON_TITLES:
        return False
    if after_street_word(tokens, candidate.first):
        return False  # площади Европы, rue de Paris: a street's name
    if exact and _in_name_chain(text, tokens, candidate) and not facts.title_case:
        return False
    if single and strength < math.inf:
        person = is_person(first.key, article.people, title_before=False)
        if person or (strength < CITY and _speaker(tokens, candidate.first)):
            return False  # Obama after Barack Obama; said Clark (Moscow said: the city)
        if first.key in lexicon.MONTHS or first.key in lexicon.WEEKDAYS:
            return False  # March, Friday
        if _demonym_like(first.key, article.countries):
            return False  # Kazakh, Afghan, Chinese
    if single:
        at_start = candidate.first == 0 or text[
            tokens[candidate.first - 1].end : first.start
        ].strip() in {"«", '"', "–", "-", "—"}
        if at_start and article.elsewhere:  # a name the article gives as a place elsewhere
            at_start = article.elsewhere.isdisjoint(key_forms(first.key))
        deliberate = not at_start and language not in lexicon.NOUN_CAPITALS
        bar = _PROPER_NAME_BAR if deliberate else math.log10(_STRONG_POPULATION)
        if strength < bar and (common >= _COMMON_ZIPF or (at_start and common >= _COMMON_ZIPF - 1)):
            return False
        located = candidate.first > 0 and tokens[candidate.first - 1].key in lexicon.LOCATIVE
        if (
            strength < CITY
            and common >= _EVERYDAY_ZIPF
            and not (located and strength >= _PROPER_NAME_BAR)
        ):
            return False  # la Justice, the Police: a small town's name that is an everyday word
        if (
            language in lexicon.NOUN_CAPITALS
            and common >= _EVERYDAY_ZIPF
            and strength < _SURE_NOUN
            and not located
        ):
            return False  # des Landes: where every noun has a capital, an everyday noun needs in
    return True


def named_in(entries: Named, language: str) -> Named:
    """The countries, regions and cities of a million whose own, curated or ``language`` name
    this is: what a word as common as *Norge*, *Sverige* or *København* may still name in an
    article of that language."""
    wanted = PRIMARY | CURATED | language_flag(language)
    return tuple(
        (flags, row)
        for flags, row in entries
        if flags & wanted
        and (row.kind in (COUNTRY, REGION, MACROREGION) or row.population >= SURE_TOWN)
    )


def _speaker(tokens: Sequence[Token], index: int) -> bool:
    """A name right after or before a verb of saying (*said Clark*, *Clark said*): a person."""
    before = tokens[index - 1].key if index > 0 else ""
    after = tokens[index + 1].key if index + 1 < len(tokens) else ""
    return before in lexicon.SAY_VERBS or after in lexicon.SAY_VERBS


#: Endings that make a demonym of a country's name (*Russ-ian*, *Chin-ese*, *Iraq-i*).
_DEMONYM_ENDINGS = ("ian", "ean", "an", "ese", "ish", "i", "ic", "s")


@remembered(1 << 16)
def _demonym_like(key: str, countries: frozenset[str]) -> bool:
    """Whether a word is a demonym of a country or world region it is not the name of:
    the start of the name (*Kazakh*, *Afghan*), or its stem with a demonym ending."""
    if key in countries or len(key) < _DEMONYM_STEM or " " in key:
        return False
    starts, proper_starts = _name_starts(countries)
    if key in proper_starts:
        return True
    return any(
        key.endswith(ending) and key[: -len(ending)] in starts
        for ending in _DEMONYM_ENDINGS
        if len(key) - len(ending) >= _DEMONYM_STEM
    )


_DEMONYM_STEM = 4  # letters a demonym shares at least with its country's name


@lru_cache(maxsize=4)
def _name_starts(countries: frozenset[str]) -> tuple[_Starts, _Starts]:
    """Every start of at least :data:`_DEMONYM_STEM` letters of the names, and those shorter
    than the whole name: a demonym is then found by a few lookups, not a scan of names."""
    names = tuple(sorted(countries))
    return _Starts(names, proper=False), _Starts(names, proper=True)


class _Starts:
    """The starts of at least :data:`_DEMONYM_STEM` letters of sorted names (with ``proper``,
    only those shorter than the name), found by bisecting the names: listing every start of
    every name took more than a short parse's whole recognition."""

    __slots__ = ("_names", "_proper")

    def __init__(self, names: tuple[str, ...], *, proper: bool) -> None:
        self._names = names
        self._proper = proper

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str) or len(key) < _DEMONYM_STEM:
            return False
        names = self._names
        at = bisect.bisect_left(names, key)  # names starting with key follow, key first
        if self._proper and at < len(names) and names[at] == key:
            at += 1
        return at < len(names) and names[at].startswith(key)


def people_named(
    text: str, sentences: Sequence[Sentence], *, language: str, gazetteer: Gazetteer
) -> frozenset[str]:
    """Folded last words of the article's full names of people: two capitalised words, the
    first a rare word and no place of note, the pair no name the gazetteer knows (*Barack
    Obama*; not *Jordan Bardella*, where Jordan names a country), nor the second word the start
    of one (*Birminghamförorterna West Bromwich*). A later *Obama* is a person.
    """
    pairs: list[tuple[Token, Token, str]] = []  # first name, last name, a name it may start
    for sentence in sentences:
        tokens = sentence.tokens
        capitals = list(itertools.compress(itertools.count(), map(str.isupper, initials(sentence))))
        for index, following in itertools.pairwise(capitals):
            if following != index + 1:
                continue  # two capitalised words in a row only
            head, last = tokens[index], tokens[following]
            if head.surface.isupper():
                continue
            if text[head.end : last.start] != " " or last.surface.isupper():
                continue
            if head.key in lexicon.PERSON_TITLES or len(head.surface) < 2:
                continue
            if zipf(head.surface.lower(), language) < _FIRST_NAME_ZIPF:
                pairs.append((head, last, _name_onwards(text, tokens, index + 1)))
    found = gazetteer.lookup_rows(
        key
        for head, last, onwards in pairs
        for key in (head.key, f"{head.key} {last.key}", onwards)
        if key
    )
    return frozenset(
        last.key
        for head, last, onwards in pairs
        if _strength(found.get(head.key, ())) < _PROPER_NAME_BAR
        and f"{head.key} {last.key}" not in found
        and onwards not in found
    )


def _name_onwards(text: str, tokens: Sequence[Token], index: int) -> str:
    """The key of ``tokens[index]`` and the capitalised word after it, or ``""``."""
    if index + 1 >= len(tokens):
        return ""
    word, following = tokens[index], tokens[index + 1]
    if not following.is_capitalised or text[word.end : following.start] != " ":
        return ""
    return f"{word.key} {following.key}"


def is_person(word: str, people: frozenset[str], *, title_before: bool) -> bool:
    """Whether a folded word names a person: a title before it, or the last word of a full
    name the article gives (in any inflected form)."""
    return title_before or word in people or not people.isdisjoint(_bases(word))


def _in_name_chain(text: str, tokens: Sequence[Token], candidate: _Candidate) -> bool:
    """A place word joined by a space to a capitalised word that is no title: part of a
    larger proper name (*Vladimir Putin*, *Jordan Bardella*, *New York Times*, *Central Asian*).
    """
    after = candidate.last + 1
    if after < len(tokens):
        following = tokens[after]
        gap = text[tokens[candidate.last].end : following.start]
        if (
            gap == " "
            and following.surface[0].isupper()
            and following.key not in lexicon.PERSON_TITLES
        ):
            return not following.surface.isupper()
    before = candidate.first - 1
    if before > 0 and candidate.first == candidate.last:
        # not the sentence's first word, whose capital says nothing; and a known name of
        # several words stands on its own (*Birminghamförorterna West Bromwich*)
        previous = tokens[before]
        gap = text[previous.end : tokens[candidate.first].start]
        if gap == " " and previous.surface[0].isupper() and not previous.surface.isupper():
            return previous.key not in lexicon.PERSON_TITLES
    return False


def _title_case(sentence: Sentence) -> bool:
    """A headline in title case (*Protests Spread Across Kazakhstan*), where capitals say
    little: every word longer than four letters is capitalised, and there are three or more."""
    words = [t for t in sentence.tokens if not t.is_number and len(t.surface) > 4]
    return len(words) >= 3 and all(t.is_capitalised for t in words)


@remembered(65536)
def zipf(word: str, language: str) -> float:
    """wordfreq's Zipf frequency of ``word`` in ``language`` (English when wordfreq has none)."""
    return zipf_frequency(word, wordlist_language(language))


def _mention(
    article_id: str,
    text: str,
    sentence: Sentence,
    candidate: _Candidate,
    features: _FeatureIndex,
) -> Mention:
    """The mention, widened to a feature phrase around it when there is one."""
    tokens = sentence.tokens
    start, end = tokens[candidate.first].start, tokens[candidate.last].end
    dotted = candidate.first != candidate.last or not tokens[candidate.first].surface.isupper()
    if candidate.key.startswith("=") and dotted and text[end : end + 1] == ".":
        return Mention(article_id, start, end + 1, text[start : end + 1], candidate.key)
    before_word = tokens[candidate.first - 1].key if candidate.first else ""
    after_word = tokens[candidate.last + 1].key if candidate.last + 1 < len(tokens) else ""
    for pattern in (*features.near.get(before_word, ()), *features.far.get(after_word, ())):
        before, after = len(pattern.before), len(pattern.after)
        first, last = candidate.first - before, candidate.last + after
        if first < 0 or last >= len(tokens):
            continue
        if all(tokens[first + i].key in pattern.before[i] for i in range(before)) and all(
            tokens[candidate.last + 1 + i].key in pattern.after[i] for i in range(after)
        ):
            start, end = tokens[first].start, tokens[last].end
            return Mention(article_id, start, end, text[start:end], candidate.key, pattern.feature)
    return Mention(article_id, start, end, text[start:end], candidate.key)


#: Sort key of spot's (-width, first, candidate, entries, exact): longest first, in text order.
_longest_first = operator.itemgetter(0, 1)


@dataclass(frozen=True, slots=True)
class _FeatureIndex:
    """Feature phrases by the word right before their place (*i* in *flyplassen i X*), and,
    for those with no word before, by the word right after (*lufthavn* in *X lufthavn*)."""

    near: dict[str, tuple[FeaturePattern, ...]]
    far: dict[str, tuple[FeaturePattern, ...]]


@lru_cache(maxsize=4)
def _feature_index(features: tuple[FeaturePattern, ...]) -> _FeatureIndex:
    near: dict[str, list[FeaturePattern]] = {}
    far: dict[str, list[FeaturePattern]] = {}
    for pattern in features:
        if pattern.before:
            for word in pattern.before[-1]:
                near.setdefault(word, []).append(pattern)
        elif pattern.after:
            for word in pattern.after[0]:
                far.setdefault(word, []).append(pattern)
    return _FeatureIndex(
        {w: tuple(p) for w, p in near.items()}, {w: tuple(p) for w, p in far.items()}
    )


def _reach_start(blocks: Sequence[tuple[int, int]], start: int) -> int:
    """Index of the first mention of the earliest earlier sentence still within reach.

    A sentence that ended ``_FACILITY_REACH`` or more characters before ``start`` holds no
    mention a facility word there may belong to, so the search never looks further back:
    without this, an article with many places and airports took quadratic time.
    """
    first = len(blocks) - 1
    while first > 0 and start - blocks[first - 1][0] < _FACILITY_REACH:
        first -= 1
    return blocks[first][1]


def _facility_words(
    article_id: str,
    text: str,
    sentence: Sentence,
    taken: set[int],
    *,
    here: Sequence[Mention],
    earlier: Sequence[Mention],
) -> list[Mention]:
    """*Flyplassen*, *the airport*: the facility of the city named just before, if any.

    ``here`` holds the sentence's mentions, ``earlier`` those of the sentences before it that
    lie within reach, in the order they were found. Both are scanned once per sentence, not
    once per facility word (that was quadratic in a sentence of places and airports).
    """
    covered = {i for m in here for i in range(m.start, m.end)}  # spans are a few words long
    latest: dict[str | None, int] = {}  # feature -> index of its last mention within reach
    within = (*earlier, *here)
    for position, m in enumerate(within):
        if sentence.start - m.end < _FACILITY_REACH:
            latest[m.feature] = position
    found: list[Mention] = []
    for index, token in enumerate(sentence.tokens):
        feature = lexicon.FACILITY_WORDS.get(token.key)
        if feature is None or index in taken or token.start in covered:
            continue
        if token.key == "airport" and (index == 0 or sentence.tokens[index - 1].key != "the"):
            continue
        last = max(latest.get(None, -1), latest.get(feature, -1))
        if last >= 0:
            key = within[last].key
            found.append(Mention(article_id, token.start, token.end, token.surface, key, feature))
    return found
