"""Numbers in a sentence and what they count: killed, injured, detained, troops …"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from geomap.extract import lexicon
from geomap.extract.text import Sentence, Token

_SCAN = 10  # words to look at after a number for what it counts
_FATE = ""  # what people missing, rescued, released … count: none of the counts
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
    value = _grouped(grouped, thousands)
    if value is None and thousands == "." and "," in grouped and "." not in grouped:
        # *1,721* in a German text (a table copied from English): a decimal with three
        # places is no count of people, the English grouping is the only reading that is
        value = _grouped(grouped, ",")
    return value


def _grouped(surface: str, thousands: str) -> int | None:
    """``surface`` read with ``thousands`` (or a space) between groups of three digits."""
    parts = surface.replace(" ", thousands).split(thousands)
    if (
        len(parts) > 1
        and all(len(p) == 3 and p.isdecimal() for p in parts[1:])
        and parts[0].isdecimal()
    ):
        surface = "".join(parts)
    if surface.isdecimal() and len(surface) <= _MAX_DIGITS:
        return int(surface)
    return None


def _decimal(surface: str, language: str) -> float | None:
    """A decimal such as ``2,5`` (``2.5`` in English), for a count with a multiplier."""
    point = "." if language in lexicon.COMMA_THOUSANDS else ","
    whole, sep, fraction = surface.partition(point)
    if sep and whole.isdecimal() and fraction.isdecimal() and len(fraction) <= 3:
        return float(f"{whole}.{fraction}")
    return None


def find_counts(
    sentence: Sentence,
    language: str,
    *,
    text: str,
    clauses: list[int] | None = None,
    gathering: bool = False,
) -> list[Count]:
    """Every count the sentence of ``text`` gives, with the kind of thing counted.

    ``clauses`` are the sentence's :func:`clause_numbers` when already known. ``gathering``
    says the sentence tells of a protest or riot: a number of people with no verb of harm or
    arrest is then its crowd (*the police fought about a hundred masked youths*).

    A range gives its lower end, once (*between 174 and 2,500 killed*: 174, ACLED's
    conservative figure); a part of a total is no count of its own (*44 killed, among them
    18 police*; *many hurt, including 138 officers*; *5 dead (1 shot, 3 …)*); a number of
    people missing, evacuated, released … is none of the counts; *no one was killed* is a
    count of 0.
    """
    tokens = sentence.tokens
    words = lexicon.number_words(language)
    compounds = _compounds(sentence, language)
    zeros = not sentence.keys.isdisjoint(_ZERO_KEYS)
    arrests = not sentence.keys.isdisjoint(lexicon.ARREST_VERBS)
    if (
        not sentence.has_number
        and not compounds
        and not zeros
        and not arrests
        and sentence.keys.isdisjoint(words)
        and sentence.keys.isdisjoint(lexicon.MULTIPLIERS)
    ):
        return []
    reader: _Reader | None = None  # made for the first number that may count something
    found: list[Count] = []
    parts_from: int | None = None  # where *among them* begins: later numbers are parts
    part_kinds: set[str] = set()  # the kinds of the totals those parts belong to
    consumed: set[int] = set()  # the second numbers of ranges, the wholes of partitives
    # no word of what a number counts: only a zero or one arrest may be told
    counting = may_count(sentence, gathering=gathering)
    stops, starts = _number_positions(sentence, words, compounds) if counting else ([], [])
    for index in starts:
        if index in consumed:
            continue
        number = _number_here(tokens, index, language, words, compounds, text)
        if number is None:
            continue
        value, after = number
        second = _second_number(tokens, index, after, language, words, compounds)
        noun_at: int | None = None
        if second is not None:
            other, other_after, other_value, partitive = second
            if other_value <= _DAYS and _is_day_of_month(tokens, other, other_after):
                continue  # *between 15 and 18 June*
            consumed.add(other)
            # *3,000 of the 26,000 miners*: the part, counted as the whole; a range: its low end
            noun_at = other_after if partitive else None
            value = value if partitive else _lower_end(value, other_value)
        if reader is None:
            reader = _reader(sentence, words, stops, clauses, text)
        if parts_from is None and (
            _starts_parts(sentence, index) or _in_brackets(text, tokens, index, found)
        ):
            parts_from = index - 1
            part_kinds = {c.kind for c in found} | reader.kinds_before(index)
        part = parts_from is not None and index > parts_from
        kind = reader.kind(index, after, noun_at=noun_at, gathering=gathering)
        if second is not None and kind is None:  # the kind of the other end, *174 och 2500 dödades*
            kind = reader.kind(other, other_after, noun_at=noun_at, gathering=gathering)
        if kind is None:
            kind = _elided(tokens, after, found)
        if not kind or (
            kind == "fatalities" and (_referred_deaths(tokens, index) or _suicides(tokens, after))
        ):
            continue  # nothing counted, people with another fate, deaths only referred to
        if part and (kind in part_kinds or kind == "troops" or (not found and not part_kinds)):
            continue  # *44 killed, among them 18 police*: the total was read
        found.append(Count(kind, value, _qualifier(tokens, index), index))
    if zeros:
        found += _zero_counts(tokens, found)
    if arrests and all(c.kind != "arrested" for c in found):
        clauses = reader.clauses if reader else clauses or clause_numbers(text, tokens)
        found += _one_arrested(tokens, clauses, language)
    return found


def may_count(sentence: Sentence, *, gathering: bool = False) -> bool:
    """Whether a number of the sentence may count something: the sentence has a word that
    says what (*killed*, *soldiers*, *vehicles*, *a rally of*), or, in a sentence of a
    ``gathering``, a word for people (its crowd). Without one, :meth:`_Reader.kind` finds
    no kind for any number, so most sentences with a number (a year, a date, a percentage)
    are not read number by number."""
    return not sentence.keys.isdisjoint(_GATHERING_CUES if gathering else KIND_CUES)


#: The words :meth:`_Reader.kind` finds a kind by: verbs and nouns of what is counted,
#: gatherings (*a rally of 2,000*), military vehicles (*250 военной техники*).
KIND_CUES = (
    frozenset(lexicon.COUNT_VERBS)
    | frozenset(lexicon.COUNT_NOUNS)
    | lexicon.GATHERING_NOUNS
    | lexicon.MILITARY_VEHICLE_NOUNS
)
_GATHERING_CUES = KIND_CUES | lexicon.PEOPLE


def _number_positions(
    sentence: Sentence, words: dict[str, int], compounds: frozenset[str]
) -> tuple[list[int], list[int]]:
    """The positions of the sentence's numbers and number words, and those where a number
    may start (the same, and *hundred* in *a hundred*)."""
    tokens = sentence.tokens
    spelled = not sentence.keys.isdisjoint(words) or bool(compounds)
    stops = [
        i
        for i, t in enumerate(tokens)
        if t.is_number or (spelled and (t.key in words or t.key in compounds))
    ]
    if sentence.keys.isdisjoint(lexicon.INDEFINITE) or sentence.keys.isdisjoint(
        lexicon.MULTIPLIERS
    ):
        return stops, stops
    hundreds = (i for i in range(1, len(tokens)) if _a_hundred(tokens, i))
    return stops, sorted({*stops, *hundreds})


def _reader(
    sentence: Sentence,
    words: dict[str, int],
    stops: list[int],
    clauses: list[int] | None,
    text: str,
) -> _Reader:
    """What the sentence's numbers (at ``stops``) are read with."""
    tokens = sentence.tokens
    damage = not sentence.keys.isdisjoint(lexicon.DAMAGE_VERBS)
    if clauses is None:
        clauses = clause_numbers(text, tokens)
    return _Reader(tokens, words, clauses, damage, stops)


def _number_here(
    tokens: Sequence[Token],
    index: int,
    language: str,
    words: dict[str, int],
    compounds: frozenset[str],
    text: str,
) -> tuple[int, int] | None:
    """The number that starts at ``index`` and may count something: its value and the
    index after its words; ``None`` for no number, a date, an age, a code, a place."""
    token = tokens[index]
    if (
        not token.is_number
        and token.key not in words
        and token.key not in compounds
        and not _a_hundred(tokens, index)
    ):
        return None  # no number starts here
    value, width = _value_at(tokens, index, language, words)
    if value is None or value <= 0:
        return None
    previous = tokens[index - 1].key if index else ""
    if previous in words or previous in lexicon.MULTIPLIERS:
        return None  # inside a spelled-out number already read
    if previous in lexicon.NEGATIONS:
        return None  # *no one*
    after = index + width
    if after < len(tokens) and tokens[after].key in lexicon.NOT_A_COUNT:
        return None
    if value <= _DAYS and _is_day_of_month(tokens, index, after):
        return None  # *21 апреля*, *May 2*: a date
    if token.is_number and _code_or_tag(text, token):
        return None  # *#Feb14*, *Mi-24*, *G13*: part of a name
    if _after_locative(tokens, index, after):
        return None  # *in 23 cities*, *в двух городах*: where, not how many
    if token.is_number and _a_year_after(tokens, index, after, value):
        return None  # *the protests of 2019*, *since 2014*
    return value, after


def _a_year_after(tokens: Sequence[Token], index: int, after: int, value: int) -> bool:
    """Whether the number at ``index`` is a year after *of*, *since*, *from* …: four digits
    in the years a text tells of, with no word of people or things counted after it."""
    following = tokens[after].key if after < len(tokens) else ""
    return (
        lexicon.FIRST_YEAR <= value <= lexicon.LAST_YEAR
        and tokens[index].key.isdigit()
        and index > 0
        and tokens[index - 1].key in lexicon.YEAR_PREPOSITIONS
        and (index < 2 or tokens[index - 2].key not in _TOTAL_OF)
        and following not in lexicon.PEOPLE
        and following not in lexicon.COUNT_NOUNS
    )


_TOTAL_OF = frozenset("total number toll".split())  # *a total of 1999 killed*: a count


_PERSON_REACH = 3  # words between an arrest verb and the one person it takes


def _one_arrested(tokens: Sequence[Token], clauses: list[int], language: str) -> list[Count]:
    """One arrest where a verb of arrest takes one person: *police detained an unnamed
    man*, *a man was arrested*, *полиция задержала Ивана Петрова*, *местного жителя …
    задержали*."""
    for index, token in enumerate(tokens):
        if token.key not in lexicon.ARREST_VERBS:
            continue
        clause = clauses[index]
        after = [
            i
            for i in range(index + 1, min(len(tokens), index + 1 + _PERSON_REACH))
            if clauses[i] == clause
        ]
        before = [
            i
            for i in range(index - 1, max(-1, index - 1 - _PERSON_REACH), -1)
            if clauses[i] == clause
        ]
        if _one_person(tokens, after) or _one_person(tokens, before):
            return [Count("arrested", 1, "", index)]
        if len(after) >= 2 and _a_name(tokens, after[0], after[1]):
            return [Count("arrested", 1, "", index)]
        if language == "ru" and len(before) >= 2 and _a_name(tokens, before[1], before[0]):
            return [Count("arrested", 1, "", index)]
    return []


def _one_person(tokens: Sequence[Token], positions: list[int]) -> bool:
    """A noun of one person at the positions (nearest first), before any number or word of
    several (*two men*, *people*)."""
    for position in positions:
        token = tokens[position]
        if token.is_number or token.key in lexicon.PEOPLE:
            return False
        if token.key in lexicon.ONE_PERSON:
            return True
    return False


def _a_name(tokens: Sequence[Token], first: int, second: int) -> bool:
    """Two capitalised words in a row that are no count or sentence start: a person's name."""
    a, b = tokens[first], tokens[second]
    return (
        first > 0
        and a.is_capitalised
        and b.is_capitalised
        and not a.is_number
        and not b.is_number
        and a.key not in lexicon.POLICE_NOUNS
        and b.key not in lexicon.POLICE_NOUNS
    )


@functools.lru_cache(maxsize=4096)
def _compound_keys(keys: frozenset[str], language: str) -> frozenset[str]:
    return frozenset(key for key in keys if compound_value(key, language) is not None)


def _compounds(sentence: Sentence, language: str) -> frozenset[str]:
    """The sentence's words that are numbers written as one word (*fünfundzwanzig*)."""
    if language not in _COMPOUND_LANGUAGES or sentence.keys.isdisjoint(_COUNT_CUES):
        return frozenset()  # a number in one word counts nothing without a word of what
    heads = _compound_heads(language)
    keys = frozenset(k for k in sentence.keys if len(k) >= _MIN_COMPOUND and k[:2] in heads)
    return _compound_keys(keys, language) if keys else frozenset()


_MIN_COMPOUND = 6
_MAX_COMPOUND = 48
_COUNT_CUES = frozenset(lexicon.COUNT_VERBS) | frozenset(lexicon.COUNT_NOUNS) | lexicon.PEOPLE


@functools.cache
def _compound_heads(language: str) -> frozenset[str]:
    return frozenset(word[:2] for word in lexicon.number_words(language) if len(word) >= 2)


def _code_or_tag(text: str, token: Token) -> bool:
    """Whether a number is glued to a hashtag, a handle or a short code (*#Feb14*, *@ab12*,
    *Mi-24*, *T-90*, *G13*); a long word before it is a table's label (*Verletzungen1,721*)."""
    start = token.start
    if start == 0 or text[start - 1].isspace():
        return False
    if text[start - 1] in "-‐" and start > 1 and text[start - 2].isalpha():
        return True
    run = start
    while run > 0 and not text[run - 1].isspace():
        run -= 1
    glued = text[run:start]
    return glued[:1] in ("#", "@") or (glued.isalpha() and len(glued) <= 3)


def _after_locative(tokens: Sequence[Token], index: int, after: int) -> bool:
    """*in 23 cities*, *i to byer*, *в 23 городах*: a number after a preposition of place
    that counts no people."""
    if index == 0 or tokens[index - 1].key not in lexicon.LOCATIVE or _a_hundred(tokens, index):
        return False
    noun = tokens[after].key if after < len(tokens) else ""
    return not (
        noun in lexicon.PEOPLE
        or noun in lexicon.COUNT_NOUNS
        or noun in lexicon.COUNT_VERBS
        or noun in lexicon.POLICE_NOUNS
    )


_RANGE_GAP = 6  # words at most between the two ends of a range


def _second_number(
    tokens: Sequence[Token],
    index: int,
    after: int,
    language: str,
    words: dict[str, int],
    compounds: frozenset[str],
) -> tuple[int, int, int, bool] | None:
    """The other end of a range or the whole of a partitive that starts at ``after``:
    (its index, the index after it, its value, whether it is a partitive's whole).

    *150.000 bis 300.000*, *two or three*, *30–40*, *between 174 and 2,500*, *817 people and
    more likely at least 1,000*, *3.000 af de 26.000*; not *12 arrested and 15 injured*.
    """
    position = after
    if position < len(tokens) and tokens[position].key in lexicon.PEOPLE:
        position += 1  # *817 people and …*
    link = ""
    hedged = False
    while position < len(tokens) and position - after <= _RANGE_GAP:
        key = tokens[position].key
        if key in lexicon.PARTITIVES:
            link = "of"
        elif key in lexicon.RANGE_WORDS:
            link = link or key
        elif key in lexicon.RANGE_HEDGES or key in _QUALIFIER_WORDS:
            hedged = True
        elif key not in lexicon.DETERMINERS:
            break
        position += 1
    if position >= len(tokens):
        return None
    following = tokens[position]
    if not (following.is_number or following.key in words or following.key in compounds):
        return None
    if not link:  # *30–40*: nothing but a dash between
        return None
    if link in _AND and not hedged and not _between_before(tokens, index):
        return None  # *12 arrested and 15 injured* would have had a word between
    value, width = _value_at(tokens, position, language, words)
    if value is None:
        return None
    return position, position + width, value, link == "of"


_AND = frozenset({"and", "og", "och", "und", "et", "и"})
_QUALIFIER_WORDS = frozenset(word for phrase in lexicon.QUALIFIERS for word in phrase)


def _between_before(tokens: Sequence[Token], index: int) -> bool:
    """*between* (*mellan*, *zwischen*, *между*) up to two words before the number."""
    return any(t.key in lexicon.BETWEEN for t in tokens[max(0, index - 3) : index])


def _lower_end(low: int, high: int) -> int:
    """The lower end of a range; *30 bis 40.000* is 30 000 (the thousands said once)."""
    for scale in (1_000_000, 1000):
        if high % scale == 0 and high >= scale and low < 1000 and low * scale <= high:
            return low * scale
    return min(low, high)


_BRACKET_REACH = 400  # characters back from a number in which its bracket opens


def _in_brackets(text: str, tokens: Sequence[Token], index: int, found: Sequence[Count]) -> bool:
    """Whether the number is inside brackets opened after a count (*5 dead (1 shot …)*):
    a breakdown of that count."""
    if not found:
        return False
    start = tokens[index].start
    between = text[max(tokens[found[-1].token].end, start - _BRACKET_REACH) : start]
    return between.count("(") > between.count(")")


def _zero_counts(tokens: Sequence[Token], found: Sequence[Count]) -> list[Count]:
    """*No one was killed*, *ingen ble skadet*, *keine Toten*, *personne n'a été blessé*,
    *никто не пострадал*, *погибших нет*: each count the text denies, as 0."""
    zeros: list[Count] = []
    given = {c.kind for c in found}
    for index, token in enumerate(tokens):
        key = token.key
        nxt = tokens[index + 1].key if index + 1 < len(tokens) else ""
        if key == "no" and nxt != "one" and lexicon.COUNT_VERBS.get(nxt) in (None, "crowd_size"):
            continue
        if key == "personne" and nxt not in ("n", "ne"):
            continue
        if index and (key == "нет" or (key == "не" and nxt == "было")):
            kinds = [_harm(tokens[index - 1].key)]  # *погибших нет*: the count word before
        elif key in lexicon.ZERO_WORDS or key in ("no", "personne"):
            kinds = _denied(tokens, index + 1)
        else:
            continue
        for kind in kinds:
            if kind is not None and kind not in given:
                given.add(kind)
                zeros.append(Count(kind, 0, "", index))
    return zeros


_ZERO_REACH = 4  # words after *no one* in which its verb comes
_ZERO_KEYS = lexicon.ZERO_WORDS | {"no", "personne", "нет"}


def _harm(key: str) -> str | None:
    """The count a word of harm or arrest gives (not a crowd)."""
    kind = lexicon.COUNT_VERBS.get(key)
    return None if kind == "crowd_size" else kind


def _denied(tokens: Sequence[Token], start: int) -> list[str | None]:
    """The counts a zero word denies: the first word of harm or arrest in the next few
    words, and those joined to it (*killed or injured*); none past a number or a word such
    as *more* or *seriously*."""
    kinds: list[str | None] = []
    position = start
    stop = min(len(tokens), start + _ZERO_REACH)
    while position < stop:
        token = tokens[position]
        kind = _harm(token.key)
        if kind is None and token.key not in _PLAIN:
            return []  # *no more deaths*, *none seriously hurt*, *ingen norske*: no zero
        if kind is not None:
            kinds.append(kind)
            joined = position + 2
            if joined < len(tokens) and tokens[position + 1].key in _OR_AND:
                kinds.append(_harm(tokens[joined].key))
            return kinds
        position += 1
    return kinds


_OR_AND = frozenset("or and eller og och oder und ou et или и".split())
#: Words that may stand between a zero word and its verb (*no one was*, *personne n'a
#: été*, *никто не*): auxiliaries, *one*, *people*.
_PLAIN = (
    lexicon.AUXILIARIES
    | lexicon.PEOPLE
    | frozenset(
        "one has have been got har blitt blivit ble blir vart wurde wurden ist hat n ne a ete "
        "не был была было были один одного человек".split()
    )
)


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


#: Months that are also a common word before a number (*may 2*, *mars 5*). Unlike in dates,
#: *march* stays a month here: *March 5* is a day, not five marchers.
_AMBIGUOUS_MONTHS = frozenset({"may", "mai", "mars"})


#: A word of each way of saying *among them*: a sentence without one has no parts.
_PART_CUES = lexicon.PART_WORDS | frozenset(phrase[-1] for phrase in lexicon.PART_PHRASES)


def _starts_parts(sentence: Sentence, index: int) -> bool:
    """Whether a word such as *among them*, *blant dem*, *из них*, *dont* comes shortly
    before the number at ``index``."""
    if sentence.keys.isdisjoint(_PART_CUES):
        return False  # none in the sentence: most sentences skip the words before each number
    tokens = sentence.tokens
    start = max(0, index - _PART_REACH)
    keys = [t.key for t in tokens[start:index]]
    return any(key in lexicon.PART_WORDS for key in keys) or any(
        pair in lexicon.PART_PHRASES for pair in itertools.pairwise(keys)
    )


def _referred_deaths(tokens: Sequence[Token], index: int) -> bool:
    """Whether the number at ``index`` counts deaths the sentence refers to rather than
    reports (*after the death of two teenagers*, *sur la mort des deux adolescents*): a word
    of death shortly before it, and a word that refers to it shortly before that."""
    keys = [t.key for t in tokens[max(0, index - _REFERENCE_REACH) : index]]
    death = next((i for i in range(len(keys) - 1, -1, -1) if keys[i] in lexicon.DEATH_NOUNS), None)
    return death is not None and any(
        k in lexicon.DEATH_REFERENCES for k in keys[max(0, death - 3) : death]
    )


_REFERENCE_REACH = 6


def _suicides(tokens: Sequence[Token], after: int) -> bool:
    """Whether the people counted before ``after`` died by their own hand (*four officers
    died by suicide*, *fire offiserer døde av selvmord*), not of an incident: *by* or *of*
    and a word of suicide shortly after the number, not a suicide bomber's."""
    keys = [t.key for t in tokens[after : after + _SUICIDE_REACH]]
    return any(
        key in lexicon.SUICIDE_WORDS
        and i
        and keys[i - 1] in lexicon.BY_WORDS
        and not (i + 1 < len(keys) and keys[i + 1].startswith(_ATTACKERS))
        for i, key in enumerate(keys)
    )


_SUICIDE_REACH = 8
_ATTACKERS = ("bomb", "attack", "attent", "anschlag", "angrep", "angrepp", "terror", "смертни")


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
    """The number starting at ``index`` and how many tokens it spans (``8 tusen``: 2;
    ``twenty-five``, ``vingt et un``, ``двадцать пять``: each of their words)."""
    token = tokens[index]
    multiplier = lexicon.MULTIPLIERS.get(tokens[index + 1].key, 0) if index + 1 < len(tokens) else 0
    if token.is_number:
        value = number_value(token.surface, language)
        if value is None and multiplier:  # *2,5 millioner*, *1.5 million*
            fraction = _decimal(token.surface, language)
            if fraction is not None:
                return round(fraction * multiplier), 2
    elif _a_hundred(tokens, index):
        return lexicon.MULTIPLIERS[token.key], 1
    else:
        value = words.get(token.key)
        if value is None:
            value = compound_value(token.key, language)
        if value is not None:
            return _spelled_run(tokens, index, words, value)
    if value is None:
        return None, 1
    width = 1
    if multiplier:
        value *= multiplier
        width = 2
    if (
        token.is_number
        and lexicon.FIRST_YEAR <= value <= lexicon.LAST_YEAR
        and width == 1
        and looks_like_year(tokens, index)
    ):
        return None, 1
    return value, width


_JOINERS = frozenset({"et", "und", "og", "och", "и"})  # *vingt et un*


def _spelled_run(
    tokens: Sequence[Token], index: int, words: dict[str, int], first: int
) -> tuple[int, int]:
    """A number spelled over several words from ``index`` (its first word is worth
    ``first``): tens then units (*twenty five*, *dix sept*), hundreds then tens, a
    multiplier (*two thousand*, *quatre vingts*); its value and its width in tokens."""
    total, current, last, end = 0, first, first, index + 1
    while end < len(tokens):
        key = tokens[end].key
        step = 1
        if key in _JOINERS and end + 1 < len(tokens) and tokens[end + 1].key in words:
            key, step = tokens[end + 1].key, 2
        if (key in lexicon.MULTIPLIERS and key not in words) or (
            key in words and words[key] >= 100 and words[key] > current
        ):
            scale = lexicon.MULTIPLIERS.get(key) or words[key]
            current *= scale
            if scale >= 1000:
                total, current = total + current, 0
            last = scale
        elif key in words and words[key] == 20 and current == 4 and last == 4:
            current, last = 80, 20  # *quatre-vingt(s)*
        elif key in words and words[key] < last and last % 10 == 0:
            current += words[key]
            last = words[key]
        else:
            break
        end += step
    return total + current, end - index


_COMPOUND_LANGUAGES = frozenset({"de", "nb", "nn", "da", "sv"})
_COMPOUND_JOINERS = ("und", "og", "och")


def compound_value(key: str, language: str) -> int | None:
    """A number written as one word of number words (*fünfundzwanzig*, *femogtyve*,
    *tjuefem*, *dreihundert*, *totusen*) in the languages that write them so; else ``None``."""
    if language not in _COMPOUND_LANGUAGES or not _MIN_COMPOUND <= len(key) <= _MAX_COMPOUND:
        return None  # *zweitausenddreihundertfünfundzwanzig* has 36 letters
    words = lexicon.number_words(language)
    pieces = _pieces(key, words)
    if pieces is None or len(pieces) < 2:
        return None
    total, current, last = 0, 0, 0
    for piece in pieces:
        if piece >= 100 and current:
            current *= piece
            if piece >= 1000:
                total, current = total + current, 0
            last = 0
            continue
        if last and not _adds_up(last, piece):
            return None  # *treni*: no number
        current += piece
        last = piece
    return total + current or None


def _adds_up(first: int, second: int) -> bool:
    """Whether two number words make one number side by side: tens then units (*tjuefem*),
    units then tens (*fünfundzwanzig*, *femogtyve*), hundreds then less."""
    tens = 10
    if first % tens == 0 and first > tens:
        return second < min(first, 100) if first >= 100 else second < tens
    return first < tens and second % tens == 0 and second > tens


def _pieces(key: str, words: dict[str, int]) -> list[int] | None:
    """``key`` cut into number words (and *und*/*og*/*och* between them), longest first."""
    if not key:
        return []
    for joiner in _COMPOUND_JOINERS:
        if key.startswith(joiner):
            rest = _pieces(key[len(joiner) :], words)
            if rest:
                return rest
    for size in range(len(key), 1, -1):
        head = key[:size]
        value = words.get(head, lexicon.MULTIPLIERS.get(head))
        if value is not None:
            rest = _pieces(key[size:], words)
            if rest is not None:
                return [value, *rest]
    return None


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


_NOUN_REACH = 3  # words from a number to the noun it counts, past its modifiers
_clauses = clause_numbers  # the name tests/test_speed_equivalence.py imports


@dataclass(frozen=True, slots=True)
class _Reader:
    """What a sentence's numbers are read with."""

    tokens: Sequence[Token]
    words: dict[str, int]  # the language's number words
    clauses: list[int]
    damage: bool  # a damage verb somewhere in the sentence
    stops: list[int]  # positions of the numbers and number words, ascending

    def kind(
        self, index: int, after: int, *, noun_at: int | None = None, gathering: bool = False
    ) -> str | None:
        """What the number at ``index`` (its words end before ``after``) counts; the noun
        counted is read at ``noun_at`` when given (a partitive's whole: *3 of the 10 miners*).
        In a sentence of ``gathering``, people with no word of harm are its crowd."""
        noun = self._counted_noun(after if noun_at is None else noun_at)
        whole = noun_at is not None  # a partitive's whole is a group of people or things
        if any(t.key in lexicon.AIRCRAFT for t in self.tokens[after : after + _NOUN_REACH]):
            return None  # *two army helicopters downed*
        if noun == _MILITARY_VEHICLES:
            return "military_vehicles"
        if noun in lexicon.FATE_WORDS:
            return _FATE  # *5 prisoners*, *2000 missing*
        if _a_gathering_of(self.tokens, index):
            return "crowd_size"  # *a rally of about 2,000 was held*: its size, not arrests
        kind = lexicon.COUNT_NOUNS.get(noun) if noun else None
        if kind in ("buildings_damaged", "vehicles_damaged"):
            return kind if self.damage else None
        clause = self._around(index, after, same_clause=True)
        if self._fate_first(clause, after):
            return _FATE  # *120 were rescued*, *210 were evacuated*
        verb = self._verb(clause)
        if kind == "troops":
            return verb or kind  # *5 soldiers were killed*
        if verb is None:
            verb = self._verb(self._around(index, after, same_clause=False))
        if verb is not None:
            return verb
        crowd_noun = lexicon.COUNT_VERBS.get(noun or "") == "crowd_size"
        if crowd_noun or (self._crowd(clause) and (whole or _may_be_people(noun))):
            return "crowd_size"
        if gathering and noun in lexicon.PEOPLE:  # people named as such, not a bare year
            return "crowd_size"
        return None

    def kinds_before(self, index: int) -> set[str]:
        """The kinds of harm or arrest words before ``index`` (*many were hurt, including*)."""
        found = set()
        for token in self.tokens[:index]:
            kind = lexicon.COUNT_VERBS.get(token.key)
            if kind is not None and kind != "crowd_size":
                found.add(kind)
        return found

    def _fate_first(self, clause: list[int], after: int) -> bool:
        """Whether, after the number, a word of another fate (*rescued*) comes before any
        word of harm or arrest."""
        for position in clause:
            if position < after:
                return False  # the positions after the number come first
            key = self.tokens[position].key
            if key in lexicon.FATE_WORDS:
                return True
            if lexicon.COUNT_VERBS.get(key) is not None:
                return False
        return False

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
        if _is_modifier(noun) and (nxt in lexicon.COUNT_NOUNS or nxt in lexicon.PEOPLE):
            return nxt  # *40 police cars*, *a hundred masked youths*
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


def _a_gathering_of(tokens: Sequence[Token], index: int) -> bool:
    """Whether the number at ``index`` gives the size of a gathering named before it (*a
    rally of about 2,000*, *en demonstrasjon på 500*, *une manifestation de 3 000*)."""
    before = index - 1
    while before > 0 and tokens[before].key not in lexicon.SIZE_OF:
        if tokens[before].key not in _QUALIFIER_WORDS:
            return False
        before -= 1  # *of about*, *på rundt*
    return before > 0 and tokens[before - 1].key in lexicon.GATHERING_NOUNS


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
