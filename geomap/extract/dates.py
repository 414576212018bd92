"""Dates a sentence gives, resolved against the publication date and the article's year.

Absolute dates in the usual forms of each language (*14 August 2013*, *August 14, 2013*,
*den 14. januar 2008*, *5. Juli 2009*, *10 апреля 2011 года*, *20.03.2022*, *2014-05-02*),
a month with its year (*i marts 2007*, *June 2013*), ranges of days (*16 - 19 janvier 2013*,
*mellan den 15 och 18 juni*, *from 28 May to 2 June*), a day that closes a running tally
(*by 27 April*, *к вечеру 27 апреля*), dates relative to the publication (*Tuesday*,
*mandag*, *i söndags*, *в понедельник*, *yesterday*, *i går*, *hier*, *вчера*, *today*,
*last night*, *two days ago*) and to the day the story is at (*two days later*, *the next
day*, *le lendemain*, *на следующий день*), and spans of days (*the following days*, *in den
Tagen nach*, *всю неделю*, *five days of unrest*).

Precision follows ACLED: 1 for a day, 2 for a range of days up to a week (or a day that only
bounds a tally, or a week relative to the report), 3 for a month or a longer range. A range
is dated by its first day, a month by its first day; a night between two days by its
morning (*в ночь на 9 апреля*, *the night of 8 to 9 April*); ordinals are read (*20th of
March*, *20-го марта*, *1er mai*).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from geomap.extract import lexicon
from geomap.extract.text import Sentence, Token, sentences
from geomap.records import DAY, MONTH, WEEK, PubDate
from geomap.textnorm import fold

_NUMERIC = re.compile(
    r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)|(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"
)
_DASH = re.compile(r"^\s*[-–—]\s*$")
#: Ordinal endings a tokenizer splits from the day (*20th*, *20-го*, *1er*), and *of*.
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th", "er", "re", "ere", "го", "е"})
#: Month words that are also common words: a date only next to a number.
_AMBIGUOUS_MONTHS = frozenset({"may", "mars", "mai", "march"})


def _words(words: str) -> frozenset[str]:
    return frozenset(fold(word) for word in words.split())


def _phrases(*phrases: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(fold(word) for word in phrase.split()) for phrase in phrases)


#: Weekdays: the lexicon's, Nynorsk's, the past forms of *i söndags*, *i mandags*, and
#: German's compounds (*Samstagabend*).
WEEKDAYS: dict[str, int] = {
    **lexicon.WEEKDAYS,
    **{
        fold(word): day
        for names in (
            "mandag tysdag onsdag torsdag fredag laurdag sundag",
            "mandagen tysdagen onsdagen torsdagen fredagen laurdagen sundagen",
            "mandags tirsdags onsdags torsdags fredags lordags sondags",
            "måndags tisdags onsdags torsdags fredags lördags söndags",
        )
        for day, word in enumerate(names.split())
    },
    **{
        fold(name + part): day
        for day, name in enumerate(
            "montag dienstag mittwoch donnerstag freitag samstag sonntag".split()
        )
        for part in ("abend", "nacht", "morgen", "nachmittag", "vormittag", "mittag")
    },
}
#: One-word days relative to the report's: how many days back.
RELATIVE_DAYS: dict[str, int] = {
    **lexicon.RELATIVE_DAYS,
    **dict.fromkeys(_words("vorgestern позавчера forrgar forgars"), 2),
}
#: Relative days of one language only (*hier* is *here* in German).
_LANGUAGE_DAYS: dict[str, dict[str, int]] = {"fr": {"hier": 1}}
#: Phrases of a day relative to the report's, longest first.
RELATIVE_PHRASES: dict[tuple[str, ...], int] = {
    **{
        tuple(fold(w) for w in phrase.split()): back
        for phrase, back in (
            ("the day before yesterday", 2),
            ("day before yesterday", 2),
            ("la nuit derniere", 1),
            ("avant hier", 2),
            ("aujourd hui", 0),
            ("i nat", 1),
            ("letzte nacht", 1),
            ("gestern nacht", 1),
            ("cette nuit", 1),
            ("прошлой ночью", 1),
            ("i kveld", 0),
            ("i kväll", 0),
            ("i aften", 0),
            ("i morges", 0),
            ("i morse", 0),
            ("heute morgen", 0),
            ("ce matin", 0),
            ("сегодня утром", 0),
        )
    },
    **lexicon.RELATIVE_PHRASES,
}
#: Weeks and months relative to the report's: days back, and the precision.
_LAST_MONTH = -1  # days back: the month before the report's
RELATIVE_PERIODS: dict[tuple[str, ...], tuple[int, int]] = {
    **{
        tuple(fold(w) for w in phrase.split()): (0, WEEK)
        for phrase in (
            "this week",
            "earlier this week",
            "denne uken",
            "denne veka",
            "denne uge",
            "denna vecka",
            "den här veckan",
            "diese woche",
            "dieser woche",
            "cette semaine",
            "на этой неделе",
        )
    },
    **{
        tuple(fold(w) for w in phrase.split()): (7, WEEK)
        for phrase in (
            "last week",
            "forrige uke",
            "førre veke",
            "sidste uge",
            "forrige uge",
            "förra veckan",
            "letzte woche",
            "letzten woche",
            "vergangene woche",
            "vergangenen woche",
            "la semaine dernière",
            "на прошлой неделе",
        )
    },
    **{
        tuple(fold(w) for w in phrase.split()): (_LAST_MONTH, MONTH)
        for phrase in (
            "last month",
            "forrige måned",
            "førre månad",
            "sidste måned",
            "förra månaden",
            "letzten monat",
            "vergangenen monat",
            "le mois dernier",
            "в прошлом месяце",
        )
    },
}
#: The phrases by their first word, longest first: (phrase, days back, precision).
_PHRASES_BY_HEAD: dict[str, list[tuple[tuple[str, ...], int, int]]] = {}
for _phrase, (_back, _precision) in sorted(
    {**{k: (v, DAY) for k, v in RELATIVE_PHRASES.items()}, **RELATIVE_PERIODS}.items(),
    key=lambda item: -len(item[0]),
):
    _PHRASES_BY_HEAD.setdefault(_phrase[0], []).append((_phrase, _back, _precision))
#: Every word that may start a date relative to the report.
_RELATIVE_WORDS = frozenset(WEEKDAYS) | frozenset(RELATIVE_DAYS) | frozenset(_PHRASES_BY_HEAD)

#: Words of a day or a week, as counted in *two days later*, *for N dager siden*.
_DAY_UNITS = _words(
    "day days dag dager dagar dage dagen dagene dagane dagarna dagarnas døgn døgnet "
    "tag tage tagen tages jour jours journee journees день дня дней дни суток сутки"
)
_WEEK_UNITS = _words(
    "week weeks uke uker uka ukers veke veker vekes vecka veckor veckan veckors uge uger ugen "
    "ugers woche wochen semaine semaines неделя недели недель неделю"
)
_UNITS = _DAY_UNITS | _WEEK_UNITS
#: Words after *N days* that count forward from the story's day, or back from the report's.
_LATER = _words("later after senere seinare senare efter etter später spater danach спустя позже")
_AGO_AFTER = _words("ago siden sedan назад")
_AGO_BEFORE = _phrases("vor", "il y a")
#: Words before *N days* that count forward (*через два дня*, *nach zwei Tagen*).
_AFTER_BEFORE = _words("через nach apres après")
#: Words around *N days* that make it the span of an incident (*five days of unrest*, *for
#: five days*, *i fem dager*, *pendant cinq jours*, *в течение пяти дней*).
_SPAN_AFTER = _words("of av af de d von")
_SPAN_BEFORE = _words("for over during i in within inom innen während pendant в течение за")
#: *a day later*, *ein Tag später*: the indefinite article as one.
_ONE = _words("a an one en ei ett ein einen eine un une один одну одни")
#: The day after the story's (*the next day*, *le lendemain*).
_NEXT_DAY = _phrases(
    "the next day",
    "the following day",
    "next day",
    "dagen etter",
    "dagen efter",
    "dagen derpå",
    "dagen därpå",
    "neste dag",
    "næste dag",
    "nästa dag",
    "følgende dag",
    "följande dag",
    "am nächsten tag",
    "am folgenden tag",
    "tags darauf",
    "le lendemain",
    "le jour suivant",
    "на следующий день",
    "на другой день",
)
#: Spans of days around the story's day: not one day (ACLED's precision 2).
_SPANS = _phrases(
    "the following days",
    "the days after",
    "the days following",
    "in the days",
    "over several days",
    "for several days",
    "several days",
    "recent days",
    "past few days",
    "all week",
    "throughout the week",
    "de følgende dage",
    "de følgende dagene",
    "de neste dagene",
    "de påfølgende dagene",
    "de påfølgende dage",
    "dagene etter",
    "dagene efter",
    "dagane etter",
    "de siste dagene",
    "de siste dagenes",
    "de siste dagers",
    "de seneste dages",
    "de sidste dages",
    "dei siste dagane",
    "de seneste dage",
    "de sidste dage",
    "flere dager",
    "flere dage",
    "fleire dagar",
    "hele uken",
    "hele uka",
    "hele ugen",
    "heile veka",
    "de senaste dagarna",
    "de senaste dagarnas",
    "de följande dagarna",
    "dagarna efter",
    "flera dagar",
    "hela veckan",
    "in den tagen",
    "den folgenden tagen",
    "mehrere tage",
    "mehreren tagen",
    "die ganze woche",
    "den letzten tagen",
    "der letzten tage",
    "der vergangenen tage",
    "den vergangenen tagen",
    "les jours suivants",
    "les jours qui",
    "ces derniers jours",
    "des derniers jours",
    "plusieurs jours",
    "toute la semaine",
    "в последующие дни",
    "в течение недели",
    "всю неделю",
    "на протяжении недели",
    "в последние дни",
    "последних дней",
    "несколько дней",
    "нескольких дней",
)
#: Words right before a day that only bounds a running tally (*by*, *as of*, *к вечеру*).
_CUTOFF = _words("by until bis jusqu к до per pr innen")
_CUTOFF_PHRASES = _phrases("as of", "frem til", "fram til", "fram till", "по состоянию на")
#: Words that may stand between a tally's cue and its day (*by the evening of*).
_CUTOFF_FILLERS = _words(
    "the of evening morning night end zum zur au la le l d den dem вечеру утру концу "
    "вечера утра kvelden kvällen aftenen morgenen abend soir matin fin"
)
#: Words between the two ends of a range (*16 - 19 janvier*, *15 och 18 juni*, *с 11 по 14*).
_RANGE = (lexicon.RANGE_WORDS | _words("through und et au по")) - _words("or ou eller oder или")
_NIGHTS = _words("night nuit nacht natt natten nat natta ночь ночи")
#: The labels of an infobox row that dates the article's subject (*Datum 3. Juni 2019*).
_TITLE_WORDS = 8  # a title longer than this is a sentence, whose date may be another event's
_LABEL_GAP = 3  # a row's date comes right after its label
_DATE_LABELS = _words("date datum dato дата")


def _by_last_word(phrases: frozenset[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
    found: dict[str, list[tuple[str, ...]]] = {}
    for phrase in sorted(phrases, key=lambda p: (-len(p), p)):
        found.setdefault(phrase[-1], []).append(phrase)
    return found


_SPANS_BY_LAST = _by_last_word(_SPANS)
_NEXT_BY_LAST = _by_last_word(_NEXT_DAY)
_SPAN_HEADS = frozenset(_SPANS_BY_LAST)
_NEXT_HEADS = frozenset(_NEXT_BY_LAST)
_RELATIVE_KEYS = (
    frozenset(WEEKDAYS)
    | frozenset(RELATIVE_DAYS)
    | frozenset(phrase[-1] for phrase in RELATIVE_PHRASES)
    | frozenset(phrase[-1] for phrase in RELATIVE_PERIODS)
)
_ANCHORED_KEYS = _UNITS | _SPAN_HEADS | _NEXT_HEADS
_DATE_KEYS = frozenset(lexicon.MONTHS) | _RELATIVE_KEYS | _ANCHORED_KEYS


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date the sentence gives at token ``index``; ``year_given`` when the text wrote it."""

    index: int
    date: dt.date
    precision: int
    year_given: bool = False


@dataclass(frozen=True, slots=True)
class _Found:
    """A mention and the tokens it spans, while the sentence is read."""

    first: int
    last: int
    mention: DateMention


def may_have_dates(sentence: Sentence) -> bool:
    """Whether the sentence has a word or number that may be part of a date."""
    return sentence.has_number or not sentence.keys.isdisjoint(_DATE_KEYS)


def find_dates(
    sentence: Sentence,
    text: str,
    *,
    published: PubDate | None,
    year: int | None,
    anchor: DateMention | None = None,
    language: str = "",
) -> list[DateMention]:
    """Every date of the sentence, in order.

    Parameters
    ----------
    sentence, text
        The sentence and the text its offsets point into.
    published
        The report's date: weekdays and *yesterday* count back from it (when known to the
        day), and a day without a year later than it is last year's.
    year
        The article's year so far, for a day the text gives without one.
    anchor
        The day the story is at (the paragraph's last date, a heading's): *two days later*
        and *the next day* count from it, *the following days* span from it.
    language
        The article's language, for words that are dates in one language only (*hier*).
    """
    if not may_have_dates(sentence) and not (
        language in _LANGUAGE_DAYS and not sentence.keys.isdisjoint(_LANGUAGE_DAYS[language])
    ):
        return []
    tokens = sentence.tokens
    found: list[_Found] = []
    used: set[int] = set()
    if sentence.has_number:
        found += _numeric(sentence, text, used)
    if not sentence.keys.isdisjoint(lexicon.MONTHS):
        for index, token in enumerate(tokens):
            month = lexicon.MONTHS.get(token.key)
            if month is not None and index not in used:
                item = _with_month(tokens, index, month, published=published, year=year)
                if item is not None:
                    found.append(item)
                    used.update(range(item.first, min(len(tokens), index + 3)))
    found.sort(key=lambda f: f.first)
    found = _ranges(found, tokens, text)
    found = [_cutoff(item, tokens) for item in found]
    if not sentence.keys.isdisjoint(_ANCHORED_KEYS):
        found += _anchored(tokens, found, used, published, anchor, language)
    if (
        published is not None
        and published.precision == DAY
        and not (
            sentence.keys.isdisjoint(_RELATIVE_KEYS)
            and sentence.keys.isdisjoint(_LANGUAGE_DAYS.get(language, ()))
        )
    ):
        found += _relative(tokens, used, published.date, language)
    return [_monthly(f.mention) for f in sorted(found, key=lambda f: f.first)]


def _monthly(mention: DateMention) -> DateMention:
    """A date known to the month is its first day (as ACLED and DESIGN.md write it)."""
    if mention.precision != MONTH or mention.date.day == 1:
        return mention
    return DateMention(mention.index, mention.date.replace(day=1), MONTH, mention.year_given)


def _numeric(sentence: Sentence, text: str, used: set[int]) -> list[_Found]:
    found: list[_Found] = []
    segment = text[sentence.start : sentence.end]
    if segment.count(".") < 2 and segment.count("-") < 2:  # 20.03.2022, 2022-03-20
        return found
    starts = [t.start for t in sentence.tokens]
    for match in _NUMERIC.finditer(segment):
        day_s, month_s, year_s = match.group(1, 2, 3) if match.group(1) else match.group(6, 5, 4)
        try:
            date = dt.date(int(year_s), int(month_s), int(day_s))
        except ValueError:
            continue
        position = sentence.start + match.start()
        index = next((i for i, s in enumerate(starts) if s >= position), len(starts) - 1)
        used.update(range(index, index + 3))
        found.append(_Found(index, index + 2, DateMention(index, date, DAY, year_given=True)))
    return found


def _number(token: Token | None, low: int, high: int) -> int | None:
    if token is None or not token.is_number or not token.surface.isdecimal():
        return None
    value = int(token.surface)
    return value if low <= value <= high else None


def _with_month(
    tokens: tuple[Token, ...],
    index: int,
    month: int,
    *,
    published: PubDate | None,
    year: int | None,
) -> _Found | None:
    """*14 August [2013]*, *August 14[, 2013]*, *August 2013*, *i april*."""
    back = index - 1  # the day before the month, past *of* and an ordinal's ending
    if back >= 1 and tokens[back].key == "of":
        back -= 1  # *the 20th of March*
    if back >= 1 and _ordinal_ending(tokens, back):
        back -= 1  # *20th*, *20-го*, *1er*
    if back != index - 1 and not tokens[back].is_number:
        back = index - 1
    before = tokens[back] if back >= 0 else None
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    ahead = index + 2
    if ahead < len(tokens) and _ordinal_ending(tokens, ahead):
        ahead += 1  # *March 20th, 2013*
    later = tokens[ahead] if ahead < len(tokens) else None
    day = _number(before, 1, 31) if before is not None and len(before.surface) <= 2 else None
    given = _number(after, lexicon.FIRST_YEAR, lexicon.LAST_YEAR)
    first = back if day is not None else index
    last = index + (given is not None)
    if day is None and given is None and after is not None and len(after.surface) <= 2:
        day = _number(after, 1, 31)  # August 14, 2013
        if day is not None:
            given = _number(later, lexicon.FIRST_YEAR, lexicon.LAST_YEAR)
            last = index + 1 + (given is not None)
    if day is None and given is None and tokens[index].key in _AMBIGUOUS_MONTHS:
        return None
    chosen: int | None = given or year or (published.date.year if published else None)
    if chosen is None:
        return None
    try:
        date = dt.date(chosen, month, day or 1)
    except ValueError:
        return None
    if given is None and published is not None and chosen > 1 and _after(date, published):
        try:
            date = date.replace(year=chosen - 1)  # a day later than the report: last year's
        except ValueError:
            return None
    mention = DateMention(index, date, DAY if day else MONTH, year_given=given is not None)
    return _Found(first, last, mention)


def _ordinal_ending(tokens: tuple[Token, ...], index: int) -> bool:
    """Whether token ``index`` ends the number before it as an ordinal (*20th*, *20-го*)."""
    token, number = tokens[index], tokens[index - 1]
    return token.key in _ORDINAL_SUFFIXES and number.is_number and token.start - number.end <= 1


def _after(date: dt.date, published: PubDate) -> bool:
    """Whether ``date`` is later than the report, as precisely as the report's date is known."""
    if published.precision == DAY:
        return date > published.date
    return (date.year, date.month) > (published.date.year, published.date.month)


def _span_precision(first: dt.date, last: dt.date) -> int:
    return WEEK if 0 <= (last - first).days <= 7 else MONTH


def _ranges(found: list[_Found], tokens: tuple[Token, ...], text: str) -> list[_Found]:
    """Join the two ends of a range of days into one mention of its first day.

    *16 - 19 janvier 2013* and *15 och 18 juni* (a day number, a dash or a range word, then
    a date), *du 16 janvier au 19 janvier 2013* (two dates with a range word between)."""
    result: list[_Found] = []
    for item in found:
        mention = item.mention
        if mention.precision == DAY:
            start = _range_start(tokens, item.first, text)
            if start is not None:
                first_index, day = start
                try:
                    begin = mention.date.replace(day=day)
                except ValueError:
                    begin = None
                if begin is not None and _overnight(tokens, first_index, begin, mention.date):
                    joined = DateMention(first_index, mention.date, DAY, mention.year_given)
                    result.append(_Found(first_index, item.last, joined))
                    continue
                if begin is not None and begin < mention.date:
                    joined = DateMention(
                        first_index, begin, _span_precision(begin, mention.date), mention.year_given
                    )
                    result.append(_Found(first_index, item.last, joined))
                    continue
        previous = result[-1] if result else None
        if (
            previous is not None
            and previous.mention.precision == DAY
            and mention.precision == DAY
            and previous.mention.date < mention.date
            and _only_range_words(tokens, previous.last + 1, item.first, text)
        ):
            begin = previous.mention.date
            if not previous.mention.year_given and mention.year_given:
                begin = begin.replace(year=mention.date.year)
            joined = DateMention(
                previous.mention.index,
                begin,
                _span_precision(begin, mention.date),
                previous.mention.year_given or mention.year_given,
            )
            result[-1] = _Found(previous.first, item.last, joined)
            continue
        result.append(item)
    return result


def _overnight(tokens: tuple[Token, ...], first: int, begin: dt.date, end: dt.date) -> bool:
    """*the night of 5 to 6 May*, *dans la nuit du 5 au 6 mai*: one night, dated by its
    morning (as *в ночь на 6 мая* is)."""
    return (end - begin).days == 1 and any(
        t.key in _NIGHTS for t in tokens[max(0, first - 3) : first]
    )


def _range_start(tokens: tuple[Token, ...], first: int, text: str) -> tuple[int, int] | None:
    """The first day of a range that ends with the day at token ``first`` (*16 - 19*)."""
    if first >= 1:
        day = _number(tokens[first - 1], 1, 31)
        between = text[tokens[first - 1].end : tokens[first].start]
        if day is not None and _DASH.match(between.replace(".", "")):
            return first - 1, day
    if first >= 2 and tokens[first - 1].key in _RANGE:
        day = _number(tokens[first - 2], 1, 31)
        if day is not None and len(tokens[first - 2].surface) <= 2:
            return first - 2, day
    return None


def _only_range_words(tokens: tuple[Token, ...], start: int, stop: int, text: str) -> bool:
    """Whether the tokens from ``start`` to ``stop`` are one range word (or a dash)."""
    if stop - start == 1:
        return tokens[start].key in _RANGE
    if stop == start and start < len(tokens):
        return bool(_DASH.match(text[tokens[start - 1].end : tokens[start].start]))
    return False


def _cutoff(item: _Found, tokens: tuple[Token, ...]) -> _Found:
    """A day after *by*, *as of*, *к вечеру*, *bis zum* bounds a tally: not the day of it."""
    mention = item.mention
    if mention.precision != DAY:
        return item
    keys = [t.key for t in tokens[max(0, item.first - 6) : item.first]]
    while keys and keys[-1] in _CUTOFF_FILLERS and keys[-1] not in _CUTOFF:
        keys.pop()
    if keys and (keys[-1] in _CUTOFF or any(tuple(keys[-len(p) :]) == p for p in _CUTOFF_PHRASES)):
        bounded = DateMention(mention.index, mention.date, WEEK, mention.year_given)
        return _Found(item.first, item.last, bounded)
    return item


def _count_before(tokens: tuple[Token, ...], index: int, language: str) -> int | None:
    """The number of days or weeks the unit word at ``index`` is counted with."""
    if index == 0:
        return None
    token = tokens[index - 1]
    value = _number(token, 1, 366)
    if value is not None:
        return value
    if token.key in _ONE:
        return 1
    return lexicon.number_words(language).get(token.key)


def _ends_at(keys: list[str], index: int, phrases: dict[str, list[tuple[str, ...]]]) -> int | None:
    """The first token of a phrase of ``phrases`` (by last word) that ends at ``index``."""
    for phrase in phrases.get(keys[index], ()):
        start = index + 1 - len(phrase)
        if start >= 0 and tuple(keys[start : index + 1]) == phrase:
            return start
    return None


def _anchored(
    tokens: tuple[Token, ...],
    found: list[_Found],
    used: set[int],
    published: PubDate | None,
    anchor: DateMention | None,
    language: str,
) -> list[_Found]:
    """Days counted from the story's day (*two days later*, *the next day*), back from the
    report's (*two days ago*), and spans of days (*the following days*)."""
    keys = [t.key for t in tokens]
    result: list[_Found] = []
    for index, key in enumerate(keys):
        if index in used:
            continue
        earlier = [f.mention for f in found if f.first < index]
        base = earlier[-1] if earlier else anchor
        if key in _NEXT_HEADS:
            start = _ends_at(keys, index, _NEXT_BY_LAST)
            if start is not None and base is not None and base.precision == DAY:
                day = base.date + dt.timedelta(days=1)
                result.append(_Found(start, index, DateMention(start, day, DAY)))
                used.update(range(start, index + 1))
                continue
        if key in _UNITS:
            item = _counted(tokens, keys, index, base, published, language)
            if item is not None:
                result.append(item)
                used.update(range(item.first, item.last + 1))
                continue
        if key in _SPAN_HEADS:
            start = _ends_at(keys, index, _SPANS_BY_LAST)
            if start is not None:
                since = base.date if base else published.date if published else None
                if since is not None:
                    span = max(WEEK, base.precision if base else WEEK)
                    result.append(_Found(start, index, DateMention(start, since, span)))
                    used.update(range(start, index + 1))
    return result


def _counted(
    tokens: tuple[Token, ...],
    keys: list[str],
    index: int,
    base: DateMention | None,
    published: PubDate | None,
    language: str,
) -> _Found | None:
    """*two days later*, *через два дня*, *two days ago*, *vor zwei Tagen*, *five days of
    unrest*: the unit word at ``index`` with its number."""
    count = _count_before(tokens, index, language)
    if count is None:
        return None
    week = keys[index] in _WEEK_UNITS
    days = count * 7 if week else count
    first = index - 1
    after = keys[index + 1] if index + 1 < len(keys) else ""
    before = keys[first - 1] if first >= 1 else ""
    if after == "plus" and index + 2 < len(keys) and keys[index + 2] == "tard":
        after = "later"
    forward = after in _LATER or before in _AFTER_BEFORE
    back = after in _AGO_AFTER or any(
        tuple(keys[max(0, first - len(p)) : first]) == p for p in _AGO_BEFORE
    )
    precision = WEEK if week else DAY
    if back and published is not None and published.precision == DAY:
        day = published.date - dt.timedelta(days=days)
        return _Found(first, index + 1, DateMention(first, day, precision))
    if forward and base is not None and base.precision == DAY:
        day = base.date + dt.timedelta(days=days)
        return _Found(first, index + 1, DateMention(first, day, precision))
    if (
        forward
        or back
        or (count == 1 and not week)
        or not (after in _SPAN_AFTER or before in _SPAN_BEFORE)
    ):
        return None  # *a six-week strike*: the length of something, not when
    # a span of several days or weeks (*five days of unrest*, *en seks ugers strejke*)
    start = base.date if base is not None else published.date if published else None
    if start is None:
        return None
    span = max(WEEK if days <= 7 else MONTH, base.precision if base else WEEK)
    return _Found(first, index, DateMention(first, start, span))


def _relative(
    tokens: tuple[Token, ...], used: set[int], published: dt.date, language: str
) -> list[_Found]:
    """Weekdays and *yesterday*-like words, resolved against a publication day; none next
    to a date the text gives (*Tuesday, 14 May*)."""
    keys = [t.key for t in tokens]
    own = _LANGUAGE_DAYS.get(language, {})
    blocked = {i + step for i in used for step in range(-2, 3)}
    result: list[_Found] = []
    taken: set[int] = set()
    for index, key in enumerate(keys):
        if (key not in _RELATIVE_WORDS and key not in own) or index in taken or index in blocked:
            continue
        back: int | None = None
        length, precision = 1, DAY
        phrase = next(
            (
                p
                for p in _PHRASES_BY_HEAD.get(key, ())
                if tuple(keys[index : index + len(p[0])]) == p[0]
            ),
            None,
        )
        if phrase is not None:
            back, length, precision = phrase[1], len(phrase[0]), phrase[2]
        if back is None:
            back = RELATIVE_DAYS.get(key, own.get(key))
        if back is None:
            weekday = WEEKDAYS.get(key)
            if weekday is not None:
                back = (published.weekday() - weekday) % 7
        if back is None or published.toordinal() <= max(back, 31):
            continue
        if back == _LAST_MONTH:
            day = (published.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        else:
            day = published - dt.timedelta(days=back)
        result.append(_Found(index, index + length - 1, DateMention(index, day, precision)))
        taken.update(range(index, index + length))
    return result


def is_date_row(sentence: Sentence, text: str, found: list[DateMention]) -> bool:
    """Whether a line is an infobox row that dates the article's subject (*Datum 3. Juni
    2019*, *Dato 6. januar 2021 ; 22 måneder siden*): a label, then a date."""
    return (
        bool(found)
        and found[0].index <= _LABEL_GAP
        and sentence.tokens[0].key in _DATE_LABELS
        and text[max(0, sentence.start - 1) : sentence.start] in ("", "\n")
    )


def subject_date(
    title: str | None, *, published: PubDate | None, language: str = ""
) -> DateMention | None:
    """The day or month a short title dates its subject by (*Terroråtaka 22. juli 2011*)."""
    if title is None or not _short(title):
        return None
    parts = sentences(title)
    if len(parts) != 1 or len(parts[0].tokens) > _TITLE_WORDS:
        return None  # a sentence rather than a name (a text's first line may be its title)
    found = find_dates(parts[0], title, published=published, year=None, language=language)
    if not found:
        return None
    relative = published is not None and published.precision == DAY
    return found[0] if found[0].year_given or relative else None  # *6. januar*: which year?


def subject_name(title: str | None) -> tuple[str, ...]:
    """The folded words of a short title that names the article's subject (*Massaker von
    Khartum*), to find where the text refers to the subject by its name."""
    if title is None or not _short(title):
        return ()
    parts = sentences(title)
    if len(parts) != 1 or not 1 < len(parts[0].tokens) <= _TITLE_WORDS:
        return ()
    return tuple(t.key for t in parts[0].tokens)


def _short(title: str) -> bool:
    """Whether a title has at most a name's words (a text's first line may be a paragraph,
    or all of it): found without reading the whole line."""
    return 0 < len(title.split(maxsplit=_TITLE_WORDS)) <= _TITLE_WORDS


def named_subject(
    sentence: Sentence, name: tuple[str, ...], subject: DateMention | None
) -> DateMention | None:
    """The subject's date where the sentence names the subject as the title does (*a
    commission on the Khartoum massacre was set up in October*: the massacre's day is the
    subject's, not October)."""
    if subject is None or not name or not sentence.keys.issuperset(name):
        return None
    keys = [t.key for t in sentence.tokens]
    for index in range(len(keys) - len(name) + 1):
        if tuple(keys[index : index + len(name)]) == name:
            return DateMention(index, subject.date, subject.precision, subject.year_given)
    return None


def default_date(published: PubDate | None) -> tuple[dt.date | None, int]:
    """The date of an event the text does not date: the report's day or month."""
    if published is None:
        return None, MONTH
    if published.precision == DAY:
        return published.date, DAY
    return published.date.replace(day=1), MONTH
