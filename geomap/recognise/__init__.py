"""Recognise the places an article names: the stage between ingest and resolve.

Two readers, each doing what it does best:

- ``learned``: a CRF trained on annotated news in the languages geomap reads, which tells a
  place from a person, an organisation or a capitalised word by its context;
- ``rules``: names the gazetteer knows, with what data cannot teach a model: inflected forms
  (*Almatys*, *Казахстане*), feature phrases (*flyplassen i Almaty*), codes (*U.S.*, *Ga.*).

:func:`recognise` keeps every name the model finds, and adds what only the rules find when the
rules are sure of it: a facility, a code, a name of several words, or a country or region
named by its own name or its name in the article's language. Measured on the corpora's
development parts (``python -m bench.geoparse``), this beats either reader alone.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence

from geomap.extract import lexicon
from geomap.extract.text import Sentence
from geomap.gazetteer import (
    COUNTRY,
    CURATED,
    DEMONYM,
    MACROREGION,
    PRIMARY,
    REGION,
    Gazetteer,
    language_flag,
)
from geomap.recognise.features import unread_spans
from geomap.recognise.learned import PlaceTagger, TaggedSpan
from geomap.recognise.memo import remembered_by_argument
from geomap.recognise.rules import (
    CITY,
    CURRENCY_SIGNS,
    FUNCTION_WORD_ZIPF,
    REGION_WORD_KEYS,
    SURE_TOWN,
    glued_to_digit,
    is_person,
    key_forms,
    name_strength,
    named_in,
    people_named,
    spot,
    zipf,
)
from geomap.records import Mention
from geomap.textnorm import fold

__all__ = ["PlaceTagger", "recognise", "spot"]

#: A town this large is kept where a locative preposition names it (*in Oral*, *i Semey*).
TOWN = 10_000
#: The languages of the corpora the model was trained on (``scripts/train_recognizer.py``);
#: in any other the rules' names are all kept, as the model knows little of its context.
MODEL_LANGUAGES = frozenset({"en", "nb", "nn", "no", "sv", "ru"})
#: A word rarer than this (wordfreq's Zipf scale) may be kept on the rules' word alone, when
#: the gazetteer names a country, region or big town so (one as frequent as
#: :data:`~geomap.recognise.rules.FUNCTION_WORD_ZIPF` never is).
_RARE_WORD = 3.5
_OPENERS = " \t«\"'“(–-—•"  # what may stand between a sentence's end and its first word
_SENTENCE_ENDS = ("", "\n", ".", "!", "?", ":")
#: Languages where a capitalised word after a place is mostly another name, in its own case
#: (*в Москве Владимир Путин*), not the rest of the place's name.
_NAMES_FOLLOW = frozenset({"ru", "uk", "be", "kk"})
_TITLE_REACH = 40  # characters before a name where its title may stand
#: The model's spans less sure than this are kept only when the gazetteer knows the name.
UNSURE = 0.5
#: A place the model is this sure of makes the rules' other mentions of its name in the
#: article places (:func:`_named_again`).
SURE_ELSEWHERE = 0.9
#: :func:`~geomap.textnorm.fold` of one word, remembered: the words around names recur.
_fold_word = remembered_by_argument(1 << 16)(fold)


def recognise(
    article_id: str,
    text: str,
    sentences: Sequence[Sentence],
    *,
    language: str,
    gazetteer: Gazetteer,
    tagger: PlaceTagger | None = None,
) -> list[Mention]:
    """Every place mention in the text, in text order, not yet resolved.

    ``tagger`` defaults to the model shipped with geomap.
    """
    tagger = tagger or PlaceTagger.default()
    tagged = tagger.tag(text, sentences, language=language, gazetteer=gazetteer)
    people = people_named(text, sentences, language=language, gazetteer=gazetteer)
    elsewhere = frozenset(
        form
        for span in _sure_spans(tagged)
        for form in key_forms(fold(text[span.start : span.end]))
    )
    spotted = spot(
        article_id,
        text,
        sentences,
        language=language,
        gazetteer=gazetteer,
        people=people,
        elsewhere=elsewhere,
    )
    found = merge(
        article_id,
        text,
        tagged,
        spotted,
        language=language,
        gazetteer=gazetteer,
        people=people,
        unread=unread_spans(text, sentences),
    )
    return [
        m for m in _without_diseases(text, found, gazetteer) if not _adjective(text, m, gazetteer)
    ]


def _adjective(text: str, mention: Mention, gazetteer: Gazetteer) -> bool:
    """Whether the mention is a compass adjective or a people's name before a word in lower
    case (*Western diplomats*, *Somali refugees*): a place named *Western* (a province) or
    *Somali* (a region) is meant only after a locative word (*in Eastern*) or before a word
    for a region (*the Somali region*)."""
    after = text[mention.end : mention.end + 2]
    if after[:1] != " " or not after[1:].islower():
        return False
    if mention.key not in lexicon.COMPASS_ADJECTIVES and not _people_word(mention, gazetteer):
        return False
    return (
        not _located(text, mention)
        and _fold_word(_word_after(text, mention.end)) not in REGION_WORD_KEYS
    )


def _people_word(mention: Mention, gazetteer: Gazetteer) -> bool:
    """Whether the one-word mention is also the word for a people (the gazetteer's demonyms)."""
    if " " in mention.key:
        return False
    entries = gazetteer.lookup_rows([mention.key]).get(mention.key, ())
    return any(flags & DEMONYM for flags, _ in entries)


def _without_diseases(text: str, mentions: list[Mention], gazetteer: Gazetteer) -> list[Mention]:
    """The mentions but those of a disease named after a place (*Marburg virus*, *вирус
    Эбола*), and, in an article that names such a disease, the other mentions of its name
    unless that names a town of 100,000 (*imported Marburg*, *Marburg kills*)."""
    named = {m for m in mentions if _names_a_disease(text, m)}
    if not named:
        return mentions
    diseases = {m.key for m in named if name_strength(m.key, gazetteer) < CITY}
    return [m for m in mentions if m not in named and m.key not in diseases]


def _names_a_disease(text: str, mention: Mention) -> bool:
    """Whether a disease word follows the name after a space or hyphen, or precedes it."""
    if _fold_word(_word_after(text, mention.end, joins=" -")) in lexicon.DISEASE_WORDS_AFTER:
        return True
    word = _word_before(text, mention.start)
    # a word of the same sentence: not *the H1N1 virus. Kenya has*
    return word.isalpha() and _fold_word(word) in lexicon.DISEASE_WORDS_BEFORE


def _words_before(text: str, start: int) -> list[str]:
    """The words in the few characters before ``text[start:]`` (:data:`_TITLE_REACH`)."""
    return text[max(0, start - _TITLE_REACH) : start].split()


def _word_before(text: str, start: int) -> str:
    """The word a space before ``text[start:]``; empty when none stands there."""
    words = _words_before(text, start)
    return words[-1] if words and text[start - 1 : start] == " " else ""


def _word_after(text: str, end: int, *, joins: str = " ") -> str:
    """The word after ``text[:end]`` and one of ``joins``, without the punctuation that ends a
    clause or a quote; empty when none follows."""
    if not text[end : end + 1] or text[end] not in joins:
        return ""
    words = text[end + 1 : end + _TITLE_REACH].split(maxsplit=1)
    return words[0].rstrip(_CLOSING) if words else ""


_CLOSING = ".,;:!?»”\"')"


def merge(
    article_id: str,
    text: str,
    tagged: Sequence[TaggedSpan],
    spotted: Sequence[Mention],
    *,
    language: str,
    gazetteer: Gazetteer,
    people: frozenset[str] = frozenset(),
    unread: Sequence[tuple[int, int]] = (),
) -> list[Mention]:
    """The model's names and the rules' sure ones, without overlaps, in text order.

    In the ``unread`` character spans, which the model did not tag, every name of the rules
    is kept, as in a language the model never read.

    A name of the model that the gazetteer does not know and that names a person elsewhere
    in the article (``people``), or follows a title (*president Tokayev*), is left out.

    A facility phrase or a code of the rules wins over the model's span inside it; where both
    readers found the same span the rules' mention is kept (its key may be a base form).
    """
    # the rules' facility phrases and codes (U.S. where the model saw U.S) win over the model,
    # and so does a rules' name that holds the model's (Мангистауской области, Bergen kommune)
    trusted = language not in MODEL_LANGUAGES  # the model never read this language
    model = _Spans([(span.start, span.end) for span in tagged])
    ruled = [
        m
        for m in spotted
        if m.feature is not None or m.key.startswith("=") or model.inside(m.start, m.end)
    ]
    ruled_spans = _Spans([(m.start, m.end) for m in ruled])
    by_span = {(m.start, m.end): m for m in spotted}
    found = list(ruled)
    kept: list[tuple[int, int]] = []  # the model's spans taken
    for span in tagged:
        if span.end - span.start < 2 or ruled_spans.overlaps(span.start, span.end):
            continue  # one letter is an initial or a list item
        if (
            glued_to_digit(text, span.start, span.end)
            or text[span.end : span.end + 1] in CURRENCY_SIGNS
        ):
            continue  # CO2, US$500
        if language not in _NAMES_FOLLOW and _inside_longer_name(text, span.end):
            continue  # New York in the New York Times
        if _names_a_street(text, span.start):
            continue  # площади Европы: the square's name
        same = by_span.get((span.start, span.end))
        surface = text[span.start : span.end]
        listed = None
        if same is None and not trusted and span.confidence >= UNSURE:
            listed = _listed(article_id, text, span, by_span, gazetteer)
        if listed:  # Brisbane and Townsville: two places, each known, not one
            found += listed
            kept.append((span.start, span.end))
            continue
        mention = same or _named_part(
            _without_article(
                Mention(article_id, span.start, span.end, surface, fold(surface)), gazetteer
            ),
            gazetteer,
        )
        if trusted and (
            (
                same is None
                and _everyday_word(surface, language)
                and not _big_by_name(mention.key, language=language, gazetteer=gazetteer)
            )
            or _foreign_word(mention, text, language, gazetteer)
        ):
            continue  # ein Ende, Pertes: a model that never read the language took a word
        # sier Helland: a small place's name that the rules read as a person's is none
        if (same is not None or not _read_as_person(text, mention, people, gazetteer)) and (
            _known(mention.key, gazetteer)
            or (span.confidence >= UNSURE and not _person(text, mention, people))
        ):
            found.append(mention)
            kept.append((span.start, span.end))
    qualified = _qualified(text, spotted)
    skipped = _Spans(unread)
    taken = set(ruled)
    sure: dict[tuple[str, str, bool], bool] = {}
    read = _Spans(kept)  # a span the model was unsure of leaves its words to the rules
    for mention in spotted:
        if mention in taken or read.overlaps(mention.start, mention.end):
            continue
        if (
            trusted
            and mention not in qualified
            and _foreign_word(mention, text, language, gazetteer)
        ):
            continue  # *Pertes* (losses) in French: Perth's name in another language
        if trusted or mention in qualified or skipped.overlaps(mention.start, mention.end):
            found.append(mention)
            continue
        question = (mention.surface, mention.key, _located(text, mention))
        if question not in sure:  # a name repeated in an article is weighed once
            sure[question] = _sure(
                mention, language=language, gazetteer=gazetteer, located=question[2]
            )
        if sure[question]:
            found.append(mention)
    found += _named_again(text, tagged, spotted, found, people, language=language)
    found.sort(key=lambda m: (m.start, m.end))
    return found


def _sure_spans(tagged: Sequence[TaggedSpan]) -> list[TaggedSpan]:
    """The model's spans sure enough (:data:`SURE_ELSEWHERE`) to make the article's other
    mentions of their names places."""
    return [span for span in tagged if span.confidence >= SURE_ELSEWHERE]


def _named_again(
    text: str,
    tagged: Sequence[TaggedSpan],
    spotted: Sequence[Mention],
    found: Sequence[Mention],
    people: frozenset[str],
    *,
    language: str,
) -> list[Mention]:
    """The rules' names left out that the model surely read as a place elsewhere in the
    article, in any of their forms (*Дюссельдорфа* after *в Дюссельдорфе*, tagged with
    :data:`SURE_ELSEWHERE`): an article names one thing by one name.

    A name stays out that a title, a verb of saying or a person's full name marks as a
    person's, that ends a compound (*Vest-Bodø*), or that is the genitive of the name in a
    language that makes one with *-s* (*Uppsalas kommun*, *Norges Bank*: such a genitive
    mostly begins the name of an organisation). None in a language the model never read.
    """
    if language not in MODEL_LANGUAGES:
        return []
    sure = {(span.start, span.end) for span in _sure_spans(tagged)}
    named = {form for m in found if (m.start, m.end) in sure for form in key_forms(m.key)}
    if not named:
        return []
    taken = _Spans([(m.start, m.end) for m in found])
    genitive_s = language in _GENITIVE_S
    return [
        m
        for m in spotted
        if not taken.overlaps(m.start, m.end)
        and not named.isdisjoint(key_forms(m.key))
        and not (genitive_s and m.key.endswith("s") and m.key not in named)
        and text[m.start - 1 : m.start] != "-"
        and not _person(text, m, people)
        and not _beside_saying(text, m)
    ]


#: Languages whose genitive ends a name with *-s* (*Norges*, *Uppsalas*).
_GENITIVE_S = frozenset({"nb", "nn", "no", "sv", "da"})


class _Spans:
    """Disjoint character spans in text order, asked about overlaps by bisection: an article
    with thousands of names costs no pairwise comparison."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        self._spans = sorted(spans)
        self._starts = [start for start, _ in self._spans]
        self._ends = [end for _, end in self._spans]

    def _touching(self, start: int, end: int) -> Sequence[tuple[int, int]]:
        """The spans that overlap ``[start, end)``."""
        return self._spans[
            bisect.bisect_right(self._ends, start) : bisect.bisect_left(self._starts, end)
        ]

    def overlaps(self, start: int, end: int) -> bool:
        """Whether a span overlaps ``[start, end)``."""
        return bool(self._touching(start, end))

    def inside(self, start: int, end: int) -> bool:
        """Whether a span lies inside ``[start, end)`` and is shorter than it."""
        return any(
            start <= other_start and other_end <= end and (other_start, other_end) != (start, end)
            for other_start, other_end in self._touching(start, end)
        )


def _without_article(mention: Mention, gazetteer: Gazetteer) -> Mention:
    """The name after an indefinite article that begins the model's span (*A Leeds
    spokesman*, *en Tromsø-borger*), when the gazetteer knows the name and not the whole
    (*A Coruña* stays whole); the mention itself otherwise."""
    article, _, rest = mention.surface.partition(" ")
    if not rest or _fold_word(article) not in lexicon.INDEFINITE_ARTICLES:
        return mention
    key = fold(rest)
    if _known(mention.key, gazetteer) or not _known(key, gazetteer):
        return mention
    start = mention.end - len(rest)
    return Mention(mention.article_id, start, mention.end, rest, key)


def _named_part(mention: Mention, gazetteer: Gazetteer) -> Mention:
    """The place before the hyphen of a compound the gazetteer does not know, whose second
    part is a common noun (*Rustenburg-massakren*, *Ürümqi-Unruhen* in lower case after the
    hyphen: *the Rustenburg massacre*); the mention itself otherwise."""
    head, dash, tail = mention.surface.partition("-")
    if not dash or not tail[:1].islower() or _known(mention.key, gazetteer):
        return mention
    key = fold(head)
    if not _known(key, gazetteer):
        return mention
    return Mention(mention.article_id, mention.start, mention.start + len(head), head, key)


def _everyday_word(surface: str, language: str) -> bool:
    """One word as common as a function word in the language (wordfreq's Zipf scale)."""
    return " " not in surface and zipf(surface.lower(), language) >= FUNCTION_WORD_ZIPF


def _big_by_name(key: str, *, language: str, gazetteer: Gazetteer) -> bool:
    """Whether the name is a country's or region's own or local name, or a city of a
    million's (*København*, as common a word in Danish as any)."""
    found = gazetteer.lookup_rows(key_forms(key))
    return any(named_in(entries, language) for entries in found.values())


def _names_a_street(text: str, start: int) -> bool:
    """Whether the words before ``start`` are a street word and particles (*rue de*)."""
    for word in reversed(_words_before(text, start)[-_STREET_REACH:]):
        key = _fold_word(word)
        if key not in lexicon.NAME_PARTICLES:
            return key in lexicon.STREET_WORDS
    return False


_STREET_REACH = 3  # words: the street word and up to two particles (rue de la)


def _inside_longer_name(text: str, end: int) -> bool:
    """Whether a capitalised word follows ``text[:end]`` after one space, as the rest of a
    longer proper name (*New York Times*); not a weekday or month (*in Paris Tuesday*) nor
    a title of one or two words (*Kazakhstan President*, *Iran Foreign Minister*)."""
    if text[end : end + 1] != " ":
        return False
    word, *rest = text[end + 1 : end + 60].split(" ", 2)[:2]
    word = word.strip(_CLOSING)
    if not word[:1].isupper() or word.isupper():
        return False
    key = _fold_word(word)
    second = _fold_word(rest[0].strip(_CLOSING)) if rest and rest[0][:1].isupper() else ""
    return (
        key not in lexicon.WEEKDAYS
        and key not in lexicon.MONTHS
        and key not in lexicon.PERSON_TITLES
        and second not in lexicon.PERSON_TITLES
    )


def _read_as_person(
    text: str, mention: Mention, people: frozenset[str], gazetteer: Gazetteer
) -> bool:
    """Whether a one-word name of the model that the gazetteer knows as no town of 100,000
    is a person, as the rules read such a name: after a title, beside a verb of saying
    (*sier Helland*), or as the last word of a full name the article gives. A bigger place
    keeps its name (*president of Russia*, *Moscow said*)."""
    if " " in mention.key:
        return False
    if not (
        _titled(text, mention.start)
        or _beside_saying(text, mention)
        or is_person(mention.key, people, title_before=False)
    ):
        return False
    return _known(mention.key, gazetteer) and name_strength(mention.key, gazetteer) < CITY


def _beside_saying(text: str, mention: Mention) -> bool:
    """Whether a verb of saying stands a space before or after the name (*said Clark*)."""
    words = (_word_before(text, mention.start), _word_after(text, mention.end))
    return any(_fold_word(word) in lexicon.SAY_VERBS for word in words if word)


def _titled(text: str, start: int) -> bool:
    """Whether a title stands right before ``text[start:]`` (*president Tokayev*)."""
    words = _words_before(text, start)
    return bool(words) and _fold_word(words[-1]) in lexicon.PERSON_TITLES


def _person(text: str, mention: Mention, people: frozenset[str]) -> bool:
    return is_person(mention.key, people, title_before=_titled(text, mention.start))


def _listed(
    article_id: str,
    text: str,
    span: TaggedSpan,
    by_span: dict[tuple[int, int], Mention],
    gazetteer: Gazetteer,
) -> list[Mention] | None:
    """The places a span of the model lists (*Brisbane and Townsville*, *Osh og Jalal-Abad*):
    its parts around a joining word, when the gazetteer knows each and not the whole;
    ``None`` otherwise."""
    surface = text[span.start : span.end]
    parts = _JOINED.split(surface)
    if len(parts) < 2 or _known(fold(surface), gazetteer):
        return None
    found = []
    at = span.start
    for part in parts:
        start = text.index(part, at)
        at = start + len(part)
        known = by_span.get((start, at))
        if known is None and not _known(fold(part), gazetteer):
            return None
        found.append(known or Mention(article_id, start, at, part, fold(part)))
    return found


#: A word joining two places inside one span (*Brisbane and Townsville*).
_JOINED = re.compile(r" (?:" + "|".join(sorted(lexicon.CONNECTORS)) + r") ")


def _known(key: str, gazetteer: Gazetteer) -> bool:
    """Whether the gazetteer has the name or one of the forms it may be inflected from."""
    return bool(gazetteer.lookup_rows(key_forms(key)))


def _qualified(text: str, spotted: Sequence[Mention]) -> set[Mention]:
    """The rules' mentions that a code or another mention qualifies right after a comma
    (*GAINESVILLE, Ga.*, *Austin, Texas*): a town named as a dateline or address names it."""
    return {
        here
        for here, after in itertools.pairwise(spotted)
        if text[here.end : after.start] == ", " and here.feature is None
    }


def _located(text: str, mention: Mention) -> bool:
    """Whether a locative preposition stands right before the name (*in Semey*, *i Oslo*),
    or a noun of a kind of place, maybe with *of* (*the island of Java*, *в городе Грозном*)."""
    words = [_fold_word(w) for w in _words_before(text, mention.start)[-2:]]
    if words and words[-1] in lexicon.PLACE_NOUN_LINKS:
        return len(words) == 2 and words[0] in lexicon.PLACE_NOUNS
    return bool(words) and (words[-1] in lexicon.LOCATIVE or words[-1] in lexicon.PLACE_NOUNS)


def _foreign_word(mention: Mention, text: str, language: str, gazetteer: Gazetteer) -> bool:
    """Whether a one-word name that opens a sentence or a line, where any word has a capital,
    is a common word of the article's language that names no place by its own name nor by
    one in that language or English, only in other languages (*Pertes*, French for
    *losses*, is a name of Perth's)."""
    if (
        " " in mention.key
        or text[max(0, mention.start - 8) : mention.start].rstrip(_OPENERS)[-1:]
        not in _SENTENCE_ENDS
        or zipf(mention.surface.lower(), language) < _RARE_WORD
    ):
        return False
    keys = key_forms(mention.key)
    local = PRIMARY | CURATED | language_flag(language) | language_flag("en")
    found = gazetteer.lookup_rows(keys)
    return not any(flags & local for key in keys for flags, _ in found.get(key, ()))


def _sure(mention: Mention, *, language: str, gazetteer: Gazetteer, located: bool) -> bool:
    """Whether a mention only the rules found is sure enough to keep without the model: a name
    of several words; a country, region or world region by its own or curated name; or, when
    the word is rare in the article's language, by its name in that language or English, and
    a town of a million by any name (*Алма-Ате*); after a locative preposition (``located``),
    a town of ten thousand by its own name (*in Oral*). A common word (*Man*, *Hail*) needs
    the model, which saw it in context.
    """
    if " " in mention.key:
        return True
    common = zipf(mention.surface.lower(), language)
    if common >= FUNCTION_WORD_ZIPF:
        return False
    keys = key_forms(mention.key)
    local = language_flag(language) | language_flag("en")
    found = gazetteer.lookup_rows(keys)
    for key in keys:
        for flags, row in found.get(key, ()):
            area = row.kind in (COUNTRY, REGION, MACROREGION)
            if area and flags & (PRIMARY | CURATED):
                return True
            if common >= _RARE_WORD and not located:
                continue
            if area and flags & (PRIMARY | CURATED | local):
                return True
            if row.population >= SURE_TOWN:
                return True  # a city of a million, by any of its names (Алма-Ате)
            if located and flags & (PRIMARY | CURATED | local) and row.population >= TOWN:
                return True  # in Semey: a town named after "in"
    return False
