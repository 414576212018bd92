"""Dates a sentence gives, resolved against the publication date and the article's year.

Absolute dates in the usual forms of each language (*14 August 2013*, *August 14, 2013*,
*den 14. januar 2008*, *5. Juli 2009*, *10 апреля 2011 года*, *20.03.2022*, *2014-05-02*),
a month with its year (*i marts 2007*, *June 2013*), and dates relative to the publication
(*Tuesday*, *mandag*, *в понедельник*, *yesterday*, *i går*, *вчера*, *today*, *last night*).
Precision follows ACLED: 1 for a day, 3 for a month.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from geomap.extract import lexicon
from geomap.extract.text import Sentence, Token
from geomap.records import DAY, MONTH, PubDate

_FIRST_YEAR, _LAST_YEAR = 1900, 2100
_NUMERIC = re.compile(
    r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)|(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"
)
#: Month words that are also common words: a date only next to a number.
_AMBIGUOUS_MONTHS = frozenset({"may", "mars", "mai", "march"})
_RELATIVE_KEYS = (
    frozenset(lexicon.WEEKDAYS)
    | frozenset(lexicon.RELATIVE_DAYS)
    | {phrase[1] for phrase in lexicon.RELATIVE_PHRASES}
)
_DATE_KEYS = (
    frozenset(lexicon.MONTHS)
    | frozenset(lexicon.WEEKDAYS)
    | frozenset(lexicon.RELATIVE_DAYS)
    | {w for phrase in lexicon.RELATIVE_PHRASES for w in phrase}
)


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date the sentence gives at token ``index``; ``year_given`` when the text wrote it."""

    index: int
    date: dt.date
    precision: int
    year_given: bool = False


def may_have_dates(sentence: Sentence) -> bool:
    """Whether the sentence has a word or number that may be part of a date."""
    return sentence.has_number or not sentence.keys.isdisjoint(_DATE_KEYS)


def find_dates(
    sentence: Sentence, text: str, *, published: PubDate | None, year: int | None
) -> list[DateMention]:
    """Every date of the sentence, in order; ``year`` is the article's year so far."""
    if not may_have_dates(sentence):
        return []
    tokens = sentence.tokens
    found: list[DateMention] = []
    used: set[int] = set()
    if sentence.has_number:
        found += _numeric(sentence, text, used)
    if not sentence.keys.isdisjoint(lexicon.MONTHS):
        for index, token in enumerate(tokens):
            month = lexicon.MONTHS.get(token.key)
            if month is not None and index not in used:
                mention = _with_month(tokens, index, month, published=published, year=year)
                if mention is not None:
                    found.append(mention)
                    used.update(range(max(0, index - 1), min(len(tokens), index + 3)))
    if (
        not found
        and published is not None
        and published.precision == DAY
        and not sentence.keys.isdisjoint(_RELATIVE_KEYS)
    ):
        found += _relative(tokens, published.date)
    return sorted(found, key=lambda d: d.index)


def _numeric(sentence: Sentence, text: str, used: set[int]) -> list[DateMention]:
    found: list[DateMention] = []
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
        found.append(DateMention(index, date, DAY, year_given=True))
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
) -> DateMention | None:
    """*14 August [2013]*, *August 14[, 2013]*, *August 2013*, *i april*."""
    before = tokens[index - 1] if index else None
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    later = tokens[index + 2] if index + 2 < len(tokens) else None
    day = _number(before, 1, 31) if before is not None and len(before.surface) <= 2 else None
    given = _number(after, _FIRST_YEAR, _LAST_YEAR)
    if day is None and given is None and after is not None and len(after.surface) <= 2:
        day = _number(after, 1, 31)  # August 14, 2013
        if day is not None:
            given = _number(later, _FIRST_YEAR, _LAST_YEAR)
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
    return DateMention(index, date, DAY if day else MONTH, year_given=given is not None)


def _after(date: dt.date, published: PubDate) -> bool:
    """Whether ``date`` is later than the report, as precisely as the report's date is known."""
    if published.precision == DAY:
        return date > published.date
    return (date.year, date.month) > (published.date.year, published.date.month)


def _relative(tokens: tuple[Token, ...], published: dt.date) -> list[DateMention]:
    """Weekdays and *yesterday*-like words, resolved against a publication day."""
    keys = [t.key for t in tokens]
    for index, key in enumerate(keys):
        pair = (key, keys[index + 1]) if index + 1 < len(keys) else None
        if pair in lexicon.RELATIVE_PHRASES:
            back = lexicon.RELATIVE_PHRASES[pair]
            return [DateMention(index, published - dt.timedelta(days=back), DAY)]
        days_back = lexicon.RELATIVE_DAYS.get(key)
        if days_back is not None:
            return [DateMention(index, published - dt.timedelta(days=days_back), DAY)]
        weekday = lexicon.WEEKDAYS.get(key)
        if weekday is not None:
            days = (published.weekday() - weekday) % 7
            if published.toordinal() > days:
                return [DateMention(index, published - dt.timedelta(days=days), DAY)]
    return []


def default_date(published: PubDate | None) -> tuple[dt.date | None, int]:
    """The date of an event the text does not date: the report's day or month."""
    if published is None:
        return None, MONTH
    if published.precision == DAY:
        return published.date, DAY
    return published.date.replace(day=1), MONTH
