"""Token features for the learned place recognizer (:mod:`geomap.recognise.learned`).

Each token of a sentence gets a list of feature strings: what the word looks like (its
folded form, prefixes and suffixes, shape, capitals, how common it is in its language),
where it stands (first in the sentence, the punctuation around it), what the gazetteer
knows of it and of the two- and three-word names it is part of (a country, a region, a
town of what size, an airport; exactly or through an inflected form such as *Almatys* or
*Казахстане*), the same for its neighbours two words either side, and the language.
Context words such as *in*, *i*, *på*, *в*, *nach* come in as neighbour words.

All gazetteer keys of a text are looked up in one call (:func:`lookup_keys`); the rest is
pure and, for what depends on a word alone, remembered per word.

A tagger passes the :class:`Vocabulary` of its model: each remembered group of features is
then kept as the sum of the weights the model gives them for each label, so that a token's
row is the sum of a few ready scores (:mod:`geomap.recognise.crf` tags from those), and no
feature string is made, joined or looked up again for a word seen before.
"""

from __future__ import annotations

import itertools
import math
import weakref
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple, cast

from geomap.extract.lexicon import DESTINATION, LOCATIVE, PERSON_TITLES
from geomap.extract.text import Sentence, Token, initials
from geomap.gazetteer import (
    AIRPORT,
    CITY,
    COUNTRY,
    CURATED,
    DEMONYM,
    MACROREGION,
    PRIMARY,
    REGION,
    Gazetteer,
    Named,
    code_key,
)
from geomap.recognise.crf import Score
from geomap.recognise.memo import remember, remembered, remembered_by_argument
from geomap.recognise.rules import zipf
from geomap.textnorm import base_forms

#: Longest gazetteer name, in words, whose membership a token reports
#: (*Democratic Republic of the Congo*).
WINDOW = 5
#: Longest code (*USA*, *NSW*, *DRC*) looked up as one, in letters.
_CODE_LETTERS = 5
#: The strongest kind of place a key names wins its summary.
_RANK = {COUNTRY: 5, MACROREGION: 4, REGION: 3, CITY: 2, AIRPORT: 1}
#: Gaps between two tokens that may lie inside one name (*Rio de Janeiro*, *Alma-Ata*).
_JOINERS = frozenset({" ", "-", "‐", "–", "'", "’"})
#: Characters before a word that make it the first word of a clause, as at a sentence start.
_OPENERS = frozenset("«“„\"'(–—-[:")
#: Neighbour offsets whose word, shape and gazetteer flags every token sees.
_OFFSETS = (-2, -1, 1, 2)
_MIN_STEM = 3
#: Tokens tagged before and after each word that may start a name (see :class:`Piece`).
BEFORE, AFTER = 1, 1
#: A run of more capitalised words than this, joined by spaces or commas, is not prose (a
#: title-case headline has fewer): a flattened table, a long list of names, garbage. Tagging
#: it would cost the model's time on context it never saw, for every word of it.
LONG_RUN = 24
#: What may join the words of such a run: a space, or a comma (a list of names).
_RUN_GAPS = frozenset({" ", ", "})
#: A sentence's first word this common (wordfreq's Zipf scale) and unknown to the gazetteer is
#: no name: capitalised by its place (*The*, *Det*, *В*), it starts no piece of its own.
_COMMON = 5.0
#: Towns this large (log10 of their people) are names even as a common first word.
_STRONG_SIZE = 5
#: The gazetteer summary of each key (:func:`_summary`), per open gazetteer: an index never
#: changes while open, so neither does the answer.
_MEMOS: weakref.WeakKeyDictionary[Gazetteer, dict[str, str]] = weakref.WeakKeyDictionary()
_MEMO_SIZE = 1 << 16


Features = list[str]
#: A group of features as the tagger is handed it: their names, or with a :class:`Vocabulary`
#: the sum of the weights its model gives them (a :data:`~geomap.recognise.crf.Score`).
Part = tuple[str, ...] | Score
#: A token's features as the tagger is handed them: their names, or the token's
#: :data:`~geomap.recognise.crf.Score` (the sum of its parts').
Row = list[str] | Score
#: A token's own features, its shape and its features as the neighbour at each offset.
_TokenParts = tuple[Part, str, tuple[Part, ...]]
#: The features of the gap and word before a token, and the token's conjunctions.
_Left = tuple[Part, Part]
#: A token's parts: its word, its gazetteer features, the gap and word before it, the gap
#: after it, its conjunctions, and its neighbours' features at -2, -1, +1 and +2 words.
_RowParts = tuple[Part, Part, Part, Part, Part, Part, Part, Part, Part]


class Vocabulary:
    """The weights of the attributes a CRF model knows, for features handed to its tagger.

    crfsuite reads a feature as UTF-8 up to its first NUL character and adds the weights its
    model gives it for each label, or nothing for a feature the model does not know:
    :meth:`score` does the same, so the scores are those crfsuite computes from the features
    as they are. Hashed by identity (one per loaded model): remembering functions take it as
    an argument.
    """

    __slots__ = ("_weights", "memos")

    def __init__(self, weights: Mapping[str, Score]) -> None:
        self._weights = _Weights(weights)
        #: What the features of words and their neighbours score for this model.
        self.memos = _Memos()

    def score(self, features: Iterable[str]) -> Score:
        """The sum of the weights of the features the model knows."""
        return sum([found for found in map(self._weights.__getitem__, features) if found], 0j)

    def __len__(self) -> int:
        return len(self._weights)


class _Weights(dict[str, Score | None]):
    """Attribute names and their weights; a name the model does not know is ``None``, or
    that of the part before a NUL character, which is all crfsuite reads of it."""

    def __missing__(self, feature: str) -> Score | None:
        head, nul, _ = feature.partition("\0")
        return self.get(head) if nul else None


class _Memos:
    """Bounded memos (:mod:`geomap.recognise.memo`) of a token's own and neighbour features,
    of what the word before says and of its gazetteer features, read inline; one set per
    vocabulary, so that the keys are plain strings."""

    __slots__ = ("left", "rows", "token")

    def __init__(self) -> None:
        self.token: dict[tuple[str, str, bool, str, str], _TokenParts] = {}
        self.left: dict[tuple[str, str, str, str, str, str], _Left] = {}
        #: The score of a token's gazetteer features (with a vocabulary only).
        self.rows: dict[tuple[str, ...], Part] = {}


_MEMO_KEPT = 1 << 16  # entries of each memo of features
_PLAIN = _Memos()  # the memos of features as text (no vocabulary)


def _encoded(features: tuple[str, ...], vocabulary: Vocabulary | None) -> Part:
    """The features as a tagger with ``vocabulary`` takes them (their score), or as they
    are without one."""
    return features if vocabulary is None else vocabulary.score(features)


class _Name(NamedTuple):
    """A word that may start a name, the longer names and the code that start with it."""

    word: int  # its index in the sentence
    windows: list[str]
    code: tuple[str, int] | None  # the code's key and the index of its last token


def lookup_keys(text: str, sentences: Sequence[Sentence]) -> set[str]:
    """Every key :func:`sentence_features` asks the gazetteer about, for one batched lookup:
    each word that may be a name, the longer names it may start, and their base forms."""
    return _keys([(s.tokens, _names(text, s)) for s in sentences])


def _keys(sentences: Iterable[tuple[Sequence[Token], list[_Name]]]) -> set[str]:
    names: set[str] = set()  # each name once: an article repeats its names
    codes: set[str] = set()
    for tokens, found in sentences:
        for name in found:
            names.add(tokens[name.word].key)
            names.update(name.windows)
            if name.code is not None:
                codes.add(name.code[0])
    keys = names | codes
    known = _BASES.get  # read inline: this runs for every name of every article
    for key in names:
        bases = known(key)
        keys.update(_bases(key) if bases is None else bases)
    return keys


def _names(text: str, sentence: Sentence) -> list[_Name]:
    tokens = sentence.tokens
    capitals = _capitalised(sentence)
    new = tuple.__new__  # _Name without its Python-level __new__
    found = []
    for index in _name_words(text, tokens, capitals):
        # a window ends on a capitalised word: none within reach, none to look for
        after = bisect_right(capitals, index)
        near = after < len(capitals) and capitals[after] < index + WINDOW
        windows = _windows(text, tokens, index) if near else []
        # a longer word starts no code (see _code): most names are, and need no call
        code = _code(text, tokens, index) if len(tokens[index].surface) <= _CODE_LETTERS else None
        found.append(new(_Name, (index, windows, code)))
    return found


def text_features(
    text: str,
    sentences: Sequence[Sentence],
    *,
    language: str,
    gazetteer: Gazetteer,
) -> list[list[Piece]]:
    """The pieces of every sentence (see :func:`sentence_features`), with one gazetteer lookup."""
    return list(iter_features(text, sentences, language=language, gazetteer=gazetteer))


def iter_features(
    text: str,
    sentences: Sequence[Sentence],
    *,
    language: str,
    gazetteer: Gazetteer,
    vocabulary: Vocabulary | None = None,
) -> Iterator[list[Piece]]:
    """Like :func:`text_features`, one sentence's pieces at a time: a tagger that uses each
    sentence's features before it asks for the next keeps few of them alive at once (they
    are most of what recognition allocates, and what lives long costs the garbage collector
    more). With a ``vocabulary`` each row is the token's score, the sum of the weights of
    the features its model knows (:meth:`Vocabulary.score`)."""
    names = [_names(text, s) for s in sentences]
    tokens = [s.tokens for s in sentences]
    found = gazetteer.lookup_rows(_keys(zip(tokens, names, strict=True)))
    kinds = _MEMOS.get(gazetteer)
    if kinds is None or len(kinds) > _MEMO_SIZE:
        kinds = _MEMOS[gazetteer] = {}
    return _features(text, tokens, names, language, found, kinds, vocabulary)


def _features(
    text: str,
    sentences: Sequence[Sequence[Token]],
    names: Sequence[list[_Name]],
    language: str,
    found: Mapping[str, Named],
    memo: dict[str, str],
    vocabulary: Vocabulary | None = None,
) -> Iterator[list[Piece]]:
    """The pieces of the sentences: gazetteer features first, then what the whole text says
    of each name, then (as they are asked for) the features of each token tagged."""
    gazetteer = [
        _gazetteer_features(tokens, n, found, memo) if n else {}
        for tokens, n in zip(sentences, names, strict=True)
    ]
    evidence = _evidence(text, sentences, names, gazetteer)
    return (
        _pieces(text, tokens, n, rows, language, evidence, vocabulary)
        for tokens, n, rows in zip(sentences, names, gazetteer, strict=True)
    )


def _evidence(
    text: str,
    sentences: Sequence[Sequence[Token]],
    names: Sequence[list[_Name]],
    gazetteer: Sequence[Mapping[int, Features]],
) -> dict[str, tuple[str, ...]]:
    """What the whole text says of each name word: whether it stands anywhere right after
    (``d:after``) or right before (``d:before``) another capitalised word inside a sentence,
    outside a name the gazetteer knows (*Jonas Lindqvist* … *Lindqvist*: a surname, *Jordan
    Bardella*: a first name), or alone (``d:alone``), and whether it follows a locative word
    such as *in*, *i*, *в* anywhere (``d:locative``)."""
    seen: dict[str, set[str]] = {}
    for tokens, found, rows in zip(sentences, names, gazetteer, strict=True):
        words = {n.word for n in found}
        for index in words:
            token = tokens[index]
            marks = seen.setdefault(token.key, set())
            row = rows.get(index)  # most name words have no gazetteer features
            after = (
                index > 1
                and index - 1 in words
                and text[tokens[index - 1].end : token.start] == " "
                and not (row and any(f.startswith(("gm=I:", "gm=E:")) for f in row))
            )
            before = (
                index + 1 in words
                and text[token.end : tokens[index + 1].start] == " "
                and not (row and any(f.startswith(("gm=B:", "gm=I:")) for f in row))
            )
            if after:
                marks.add("d:after")
            if before:
                marks.add("d:before")
            if not (after or before):
                marks.add("d:alone")
            if index and tokens[index - 1].key in LOCATIVE:
                marks.add("d:locative")
    return {key: tuple(sorted(marks)) for key, marks in seen.items()}


class Piece(NamedTuple):
    """A run of a sentence's tokens that may hold a place name, with their features.

    A place name has a capitalised word (or one of a script without case): the runs are these
    words with :data:`BEFORE` tokens before and :data:`AFTER` after them, merged where they
    touch. The other tokens are outside any place, and neither feature nor tag costs time.
    ``rows[i]`` are the features of the sentence's token ``first + i``. A named tuple
    rather than a frozen dataclass: an article has dozens, made faster.
    """

    first: int
    rows: list[Row]


def _runs(indices: Iterable[int], count: int) -> list[tuple[int, int]]:
    """The runs of tokens worth tagging, as (first, end) token indices, end exclusive: the
    words at ``indices`` with :data:`BEFORE` tokens before and :data:`AFTER` after them,
    merged where they touch."""
    runs: list[tuple[int, int]] = []
    for index in indices:
        first, end = max(index - BEFORE, 0), min(index + AFTER + 1, count)
        if runs and first <= runs[-1][1]:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((first, end))
    return runs


def sentence_features(
    text: str,
    sentence: Sentence,
    *,
    language: str,
    found: Mapping[str, Named],
    kinds: dict[str, str] | None = None,
) -> list[Piece]:
    """The features of the tokens of each of the sentence's :class:`Piece`, the sentence
    read as a whole text (:func:`text_features` reads the text the sentence is part of).

    Parameters
    ----------
    text
        The text the sentence's spans point into.
    sentence
        The sentence, as :func:`geomap.extract.text.sentences` gives it.
    language
        The text's language code (``en``, ``nb``, ``ru`` …).
    found
        The gazetteer's answer for (at least) :func:`lookup_keys` of the text.
    kinds
        A memo of the gazetteer summary of each key, shared between the sentences of a text.
    """
    tokens = sentence.tokens
    memo = {} if kinds is None else kinds
    return next(_features(text, [tokens], [_names(text, sentence)], language, found, memo))


def _pieces(
    text: str,
    tokens: Sequence[Token],
    names: list[_Name],
    gazetteer: dict[int, Features],
    language: str,
    evidence: Mapping[str, tuple[str, ...]],
    vocabulary: Vocabulary | None = None,
) -> list[Piece]:
    """The sentence's pieces; ``gazetteer`` holds the rows of the tokens the gazetteer knows
    (the others have none) and gains the evidence of each name word."""
    if not names:
        return []
    flags = {index: _neighbour_flag(row) for index, row in gazetteer.items() if row}
    for name in names:
        marks = evidence.get(tokens[name.word].key, ())
        if marks:
            gazetteer[name.word] = [*gazetteer.get(name.word, ()), *marks]
    words = [n.word for n in names]
    if words[0] == 0 and _weak(gazetteer.get(0, [])) and zipf(tokens[0].key, language) >= _COMMON:
        words = words[1:]  # *The*, *We*, *Det*, *В*: a common word, capitalised as the first
    rows = {index: tuple(features) for index, features in gazetteer.items()}
    known = rows if vocabulary is None else _scored(rows, vocabulary)
    return [
        Piece(first, _run_features(text, tokens, first, end, language, known, flags, vocabulary))
        for first, end in _runs(words, len(tokens))
    ]


def _scored(rows: dict[int, tuple[str, ...]], vocabulary: Vocabulary) -> dict[int, Part]:
    """The score of each row of gazetteer features: they recur, and each is scored once."""
    memo = vocabulary.memos.rows
    return {
        index: memo.get(row) or remember(memo, row, vocabulary.score(row), _MEMO_KEPT)
        for index, row in rows.items()
    }


def _weak(features: Features) -> bool:
    """Whether the gazetteer knows a word at most as a small town of that name (*We*, *He*),
    and not as part of a longer name or a code."""
    for feature in features:
        if feature.startswith(("gm=", "gc=")):
            return False
        if feature.startswith("g1="):
            kind, size, _ = feature[3:].split(":")
            if kind != CITY or int(size) >= _STRONG_SIZE:
                return False
    return True


def _run_features(
    text: str,
    tokens: Sequence[Token],
    first: int,
    end: int,
    language: str,
    gazetteer: Mapping[int, Part],
    flags: Mapping[int, str],
    vocabulary: Vocabulary | None = None,
) -> list[Row]:
    """The features of ``tokens[first:end]``, one row per token.

    Runs for every token tagged, so what it needs of each token is found once: the text
    between two tokens (the gap after one is the gap before the next), its gazetteer flag
    and the features it gives its neighbours at each distance; the strings that depend on a
    few values only come from remembering functions (scored for ``vocabulary``, when
    given), a single space is the fast path, and each row is made in one go from those parts:
    their features joined, or their scores summed.
    """
    count = len(tokens)
    fixed = _fixed(vocabulary)
    low, high = max(first - _REACH, 0), min(end + _REACH, count)
    marks = [flags.get(index, "-") for index in range(low, high)]
    # what each token from _REACH before the run to _REACH after it says alone and as a
    # neighbour, found in one lookup per token
    memos = _PLAIN if vocabulary is None else vocabulary.memos
    token_memo, left_memo = memos.token, memos.left
    asked = [
        (token.surface, token.key, token.is_number, flag, language)
        for token, flag in zip(tokens[low:high], marks, strict=True)
    ]
    parts = [
        token_memo.get(key)
        or remember(token_memo, key, _token_features(*key, vocabulary), _MEMO_KEPT)
        for key in asked
    ]
    near = [
        *[fixed.edge] * (low - first + _REACH),
        *[part[2] for part in parts],
        *[fixed.edge] * (end + _REACH - high),
    ]
    stop = min(end + 1, count)
    marks = marks[first - low : stop - low]
    # gaps[i - first]: the text between tokens[i - 1] and tokens[i] ("" before the first)
    gaps = [text[tokens[i - 1].end : tokens[i].start] if i else "" for i in range(first, stop)]
    rows: list[_RowParts] = []
    for at, index in enumerate(range(first, end)):
        word, shape, _ = parts[index - low]
        flag = marks[at]
        right: Part
        if index:
            previous = tokens[index - 1]
            said = (gaps[at], previous.surface, previous.key, flag, shape, language)
            before = left_memo.get(said)
            if before is None:
                before = remember(left_memo, said, _left(*said, vocabulary), _MEMO_KEPT)
            left, conjunctions = before
        else:
            left, conjunctions = _opening(shape, flag, language, vocabulary)
        if index + 1 < count:
            after = gaps[at + 1]
            if after != " ":
                right = _right(after, vocabulary)
            elif (
                flag != "-"
                and tokens[index + 1].surface[0].isupper()
                and not marks[at + 1].startswith(("I:", "E:"))
            ):
                right = fixed.runs_on  # a known name that runs on: *New York Times*
            else:
                right = fixed.space_after
        else:
            right = fixed.last
        here = at + _REACH  # the token's own place in ``near``
        rows.append(
            (
                word,
                gazetteer.get(index, fixed.nothing),
                left,
                right,
                conjunctions,
                near[here - 2][0],
                near[here - 1][1],
                near[here + 1][2],
                near[here + 2][3],
            )
        )
    return _joined(rows) if vocabulary is None else _summed(rows)


def _joined(rows: list[_RowParts]) -> list[Row]:
    """Each token's features, as text (no vocabulary): those of its parts in one list."""
    return [
        list(itertools.chain.from_iterable(cast("tuple[tuple[str, ...], ...]", parts)))
        for parts in rows
    ]


def _summed(rows: list[_RowParts]) -> list[Row]:
    """Each token's :data:`~geomap.recognise.crf.Score`: the sum of its parts' as scored by
    a vocabulary."""
    return [
        a + b + c + d + e + f + g + h + i
        for a, b, c, d, e, f, g, h, i in cast("list[tuple[Score, ...]]", rows)
    ]


_REACH = max(_OFFSETS)  # the farthest neighbour a token's features name
#: What a place beyond the sentence's edge says as the neighbour at each offset.
_EDGE_NEIGHBOUR = tuple((f"{offset}w=<edge>",) for offset in _OFFSETS)
_FIRST = ("pb=",)
_LAST = ("pa=",)
_SPACE_AFTER = ("pa=_",)
_RUNS_ON = ("pa=_", "g|next=Xx")


class _Fixed(NamedTuple):
    """The features that depend on no word, as one vocabulary takes them."""

    edge: tuple[Part, ...]
    last: Part
    space_after: Part
    runs_on: Part
    nothing: Part


@lru_cache(maxsize=1 << 4)
def _fixed(vocabulary: Vocabulary | None) -> _Fixed:
    return _Fixed(
        tuple(_encoded(features, vocabulary) for features in _EDGE_NEIGHBOUR),
        _encoded(_LAST, vocabulary),
        _encoded(_SPACE_AFTER, vocabulary),
        _encoded(_RUNS_ON, vocabulary),
        _encoded((), vocabulary),
    )


def _left(
    gap: str,
    previous: str,
    previous_key: str,
    flag: str,
    shape: str,
    language: str,
    vocabulary: Vocabulary | None = None,
) -> _Left:
    """What the gap and the word before a token say of it (``pb``, the word with the token's
    gazetteer flag, the word's class), and the :func:`_conjunctions` of the token, which
    depend on whether the gap starts a clause: remembered, as these few values recur."""
    starts = False  # the first word of a sentence or clause
    if gap == " ":
        pb = "pb=_"
    else:
        pb = "pb=" + _punctuation(gap, last=True)
        stripped = gap.strip()
        starts = bool(stripped) and stripped[-1] in _OPENERS
    left = (pb, _after_word(previous, flag), *_word_class(previous_key))
    return (
        _encoded(left, vocabulary),
        _encoded(_conjunctions(starts, shape, flag, language), vocabulary),
    )


@remembered(1 << 10)
def _opening(
    shape: str, flag: str, language: str, vocabulary: Vocabulary | None = None
) -> tuple[Part, Part]:
    """Like :func:`_left`, for a sentence's first token."""
    return (
        _encoded(_FIRST, vocabulary),
        _encoded(_conjunctions(True, shape, flag, language), vocabulary),
    )


@remembered(1 << 10)
def _right(gap: str, vocabulary: Vocabulary | None = None) -> Part:
    """What punctuation after a token says of it (``pa``)."""
    return _encoded(("pa=" + _punctuation(gap, last=False),), vocabulary)


def _token_features(
    surface: str,
    key: str,
    is_number: bool,
    flag: str,
    language: str,
    vocabulary: Vocabulary | None = None,
) -> _TokenParts:
    """:func:`_word_features` and :func:`_neighbour_features` of a token, remembered
    together by :func:`_run_features`."""
    word, shape = _word_features(surface, key, is_number, language, vocabulary)
    return word, shape, _neighbour_features(surface, flag, vocabulary)


@remembered(1 << 10)
def _conjunctions(first: bool, shape: str, flag: str, language: str) -> tuple[str, str]:
    """Conjunctions a linear model cannot form itself: a capital means more inside a sentence
    than at its start, and a known name more in some languages than in others."""
    return (f"at|shape|g={'first' if first else 'in'}|{shape}|{flag}", f"g|lang={flag}|{language}")


@remembered(1 << 16)
def _word_class(key: str) -> tuple[str, ...]:
    """What the word before says in any language geomap reads: a locative (*in*, *i*, *в*,
    *à*), a direction (*to*, *til*, *nach*) or a person's title (*President*, *minister*)."""
    found = []
    if key in LOCATIVE:
        found.append("-1c=locative")
    if key in DESTINATION:
        found.append("-1c=direction")
    if key in PERSON_TITLES:
        found.append("-1c=title")
    return tuple(found)


@remembered(1 << 16)
def _after_word(previous: str, flag: str) -> str:
    """The word before and the gazetteer flag of the token: a known name after *in*."""
    return f"-1w|g={previous.lower()}|{flag}"


def _windows(text: str, tokens: Sequence[Token], first: int) -> list[str]:
    """Keys of the runs of up to :data:`WINDOW` words that start at ``first`` and end on a
    capital (a word :func:`_capitalised` finds)."""
    found = []
    parts = [tokens[first].key]
    for last in range(first + 1, min(first + WINDOW, len(tokens))):
        token = tokens[last]
        gap = text[tokens[last - 1].end : token.start]
        if token.is_number or gap not in _JOINERS:
            break
        parts.append(token.key)
        initial = token.surface[0]  # a capital, or a letter of a script without case
        if initial.isupper() or (initial.isalpha() and not initial.islower()):
            found.append(" ".join(parts))
    return found


def _gazetteer_features(
    tokens: Sequence[Token], names: list[_Name], found: Mapping[str, Named], memo: dict[str, str]
) -> dict[int, Features]:
    """By token index: the gazetteer's word on the token alone, on the longer names it is
    part of and on the code it spells (*US*, *U.S.*); tokens it says nothing of are left out.

    Only words that may be names are looked up: a small word is no place, whatever town of
    that name the gazetteer holds.
    """
    rows: dict[int, Features] = defaultdict(list)
    for index, windows, code in names:
        if code is not None and code[1] == index and _summary(code[0], found, memo):
            summary = ""  # *US* is the code of a country, not the word *us* as a town
        else:
            summary = _summary(tokens[index].key, found, memo)
        if summary:
            rows[index] += _summary_features(summary)
        for window in windows:
            summary = _summary(window, found, memo)
            if summary:
                kind = summary.partition(":")[0]
                last = index + window.count(" ")
                rows[index].append("gm=B:" + kind)
                for inner in range(index + 1, last):
                    rows[inner].append("gm=I:" + kind)
                rows[last].append("gm=E:" + kind)
        if code is not None:
            summary = _summary(code[0], found, memo)
            if summary:
                for inner in range(index, code[1] + 1):
                    rows[inner].append("gc=" + summary.partition(":")[0])
    return dict(rows)


@remembered_by_argument(1 << 10)
def _summary_features(summary: str) -> tuple[str, str, str, str]:
    """A word's own gazetteer features from its ``kind:size:how`` summary."""
    kind, size, how = summary.split(":")
    return "g1=" + summary, "g1k=" + kind, f"g1s={size}", "g1h=" + how


def _code(text: str, tokens: Sequence[Token], first: int) -> tuple[str, int] | None:
    """The code key a word in capitals (*NSW*) or a run of dotted capitals (*U.S.*, *W.Va.*)
    starting at ``first`` spells, and the index of its last token; ``None`` if none."""
    surface = tokens[first].surface
    if 1 < len(surface) <= _CODE_LETTERS and surface.isupper():
        return code_key(surface), first
    last = first
    while (
        last + 1 < len(tokens)
        and len(tokens[last].surface) <= 2
        and tokens[last].surface[0].isupper()
        and text[tokens[last].end : tokens[last + 1].start] == "."
    ):
        last += 1
    if last == first or len(tokens[last].surface) > 2 or not tokens[last].surface[0].isupper():
        return None
    return code_key(text[tokens[first].start : tokens[last].end]), last


def _name_words(text: str, tokens: Sequence[Token], capitals: list[int]) -> list[int]:
    """Indices of the words that may be (part of) a name: of the ``capitals`` (see
    :func:`_capitalised`), not those of a run of more than :data:`LONG_RUN` (see
    :func:`unread_spans`)."""
    found = capitals
    if len(found) > LONG_RUN:
        skipped = {i for first, end in _long_runs(text, tokens, found) for i in range(first, end)}
        found = [i for i in found if i not in skipped]
    return found


def unread_spans(text: str, sentences: Sequence[Sentence]) -> list[tuple[int, int]]:
    """The character spans the model does not tag: runs of more than :data:`LONG_RUN`
    capitalised words joined by single spaces or commas, which is no prose it has read."""
    found = []
    for sentence in sentences:
        tokens = sentence.tokens
        if len(tokens) <= LONG_RUN:
            continue
        capitals = _capitalised(sentence)
        if len(capitals) > LONG_RUN:  # else no run is long enough
            runs = _long_runs(text, tokens, capitals)
            found += [(tokens[first].start, tokens[end - 1].end) for first, end in runs]
    return found


def _capitalised(sentence: Sentence) -> list[int]:
    """Indices of the words with a capital first, or of a script without case: a first
    character that is no small letter and is a capital or a letter (a number's digit is
    neither), read from the sentence's :func:`initials`."""
    return [
        index
        for index, initial in enumerate(initials(sentence))
        if not initial.islower() and (initial.isupper() or initial.isalpha())
    ]


def _long_runs(text: str, tokens: Sequence[Token], words: Sequence[int]) -> list[tuple[int, int]]:
    """Runs of more than :data:`LONG_RUN` of ``words`` (token indices, ascending) next to
    each other and joined by a space or a comma, as (first, end) token indices, end exclusive."""
    runs = []
    first = 0
    for at in range(1, len(words) + 1):
        if (
            at < len(words)
            and words[at] == words[at - 1] + 1
            and text[tokens[words[at - 1]].end : tokens[words[at]].start] in _RUN_GAPS
        ):
            continue
        if at - first > LONG_RUN:
            runs.append((words[first], words[at - 1] + 1))
        first = at
    return runs


def _summary(key: str, found: Mapping[str, Named], memo: dict[str, str]) -> str:
    """``kind:size:how`` of what the gazetteer holds for ``key`` (``city:5:p``), or ``""``.

    ``how`` is ``p`` for a primary or curated name, ``a`` for an alternate name and ``b`` when
    only a base form of the key is known (*Almatys*, *Казахстане*).
    """
    summary = memo.get(key)
    if summary is None:
        summary = ""
        if key in found:
            summary = _describe(found[key], inflected=False)
        elif not key.startswith("="):  # a code has no inflected forms
            for base in _bases(key):
                if base in found:
                    summary = _describe(found[base], inflected=True)
                    break
        memo[key] = summary
    return summary


def _describe(entries: Named, *, inflected: bool) -> str:
    """The strongest kind among ``entries``, the largest place's size, and how it is named:
    ``kind:size:how`` with ``how`` ``p`` (a primary or curated name), ``a`` (an alternate
    name) or ``b`` (a base form only); ``demonym:0:d`` when the key only names a people."""
    best_kind, best_rank, population, primary = "", -1, 0, False
    for flags, row in entries:
        if flags & DEMONYM:
            continue
        kind = row.kind
        order = _RANK.get(kind, 0)
        if order > best_rank:
            best_kind, best_rank = kind, order
        population = max(population, row.population or 0)
        primary = primary or bool(flags & (PRIMARY | CURATED))
    if not best_kind:
        return "demonym:0:d" if entries else ""
    size = min(int(math.log10(population + 1)), 7)
    how = "b" if inflected else ("p" if primary else "a")
    return f"{best_kind}:{size}:{how}"


def _neighbour_flag(features: Features) -> str:
    """A neighbour's gazetteer flag: its place in a longer name or a code, else its own
    kind, or ``-``."""
    for feature in features:
        if feature.startswith(("gm=", "gc=")):
            return feature[3:]
    for feature in features:
        if feature.startswith("g1k="):
            return feature[4:]
    return "-"


def _punctuation(gap: str, *, last: bool) -> str:
    """The punctuation character next to a word, ``_`` for a space only, ``""`` for none."""
    stripped = gap.strip()
    if stripped:
        return stripped[-1] if last else stripped[0]
    return "_" if gap else ""


@remembered(1 << 16)
def _word_features(
    surface: str, key: str, is_number: bool, language: str, vocabulary: Vocabulary | None = None
) -> tuple[Part, str]:
    """What a word alone says, in its language, and its shape: remembered, words recur.

    A word in capitals (*US*, *IT*, *NSW*) is an acronym: it keeps its case, and neither its
    frequency nor its affixes as a small word say anything of it.
    """
    shape = _shape(surface, is_number)
    capitals = len(surface) > 1 and surface.isupper()
    lower = surface if capitals else surface.lower()
    features = [
        "bias",
        "lang=" + language,
        "w=" + lower,
        "shape=" + shape,
        f"shape|lang={shape}|{language}",
        f"len={min(len(surface), 8)}",
    ]
    if not is_number:
        bucket: int | str = "X" if capitals else min(int(zipf(key, language) if key else 0), 7)
        features.append(f"zipf={bucket}")
        features.append(f"zipf|shape={bucket}|{shape}")
        if not capitals:
            features.extend(f"p{n}={lower[:n]}" for n in (2, 3, 4) if len(lower) > n)
            features.extend(f"s{n}={lower[-n:]}" for n in (2, 3, 4) if len(lower) > n)
    return _encoded(tuple(features), vocabulary), shape


@remembered(1 << 16)
def _neighbour_features(
    surface: str, flag: str, vocabulary: Vocabulary | None = None
) -> tuple[Part, ...]:
    """What a token says as the neighbour at each of :data:`_OFFSETS` words away (in that
    order): its word, its shape and its gazetteer flag."""
    lower = surface.lower()
    shape = _shape(surface, surface[:1].isdigit())
    return tuple(
        _encoded((f"{offset}w={lower}", f"{offset}s={shape}", f"{offset}g={flag}"), vocabulary)
        for offset in _OFFSETS
    )


def _shape(surface: str, is_number: bool) -> str:
    """``d`` a number, ``X`` all capitals, ``Xx`` a capital then small letters, ``x`` small
    letters, ``X1`` one capital letter, ``xX`` any other mix (*iPhone*, *McDonald*)."""
    if is_number:
        return "d"
    if surface.isupper():
        return "X1" if len(surface) == 1 else "X"
    if surface.islower():
        return "x"
    if surface[0].isupper() and surface[1:].islower():
        return "Xx"
    if not surface[0].isalpha() or (not surface[0].isupper() and not surface[0].islower()):
        return "o"  # a script without case
    return "xX"


@remembered_by_argument(1 << 17)
def _bases(key: str) -> tuple[str, ...]:
    """:func:`~geomap.textnorm.base_forms` of a key, remembered."""
    if len(key) <= _MIN_STEM:
        return ()
    return tuple(base_forms(key))


_BASES: dict[str, tuple[str, ...]] = _bases.memo  # type: ignore[attr-defined]
