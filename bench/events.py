"""Events as an analyst codes them: geomap's events against hand-coded ACLED-style events.

Run from the checkout's root::

    python -m bench.events                 # figures per language and overall
    python -m bench.events --errors 15     # and the 15 worst missed and false events
    python -m bench.events --json out.json # the figures as JSON too
    python -m bench.events --dates         # and every matched pair with a wrong date
    python -m bench.events --count-errors  # every count a matched event has wrong, by column

Reads ``../shared/corpora/events/*.json`` (real texts coded by hand; their README gives the
schema and the coding rules), parses each text with :func:`geomap.pipeline.parse_article` and
the offline geocoder, and matches predicted to gold events as that README suggests:

- same disorder group (Demonstrations = Protests, Riots; Political violence = Battles,
  Explosions/Remote violence, Violence against civilians; Strategic developments);
- place within 50 km, or the same country when either side is country-level
  (geo_precision 3);
- dates within a day when both are day-precise (time_precision 1);
- one-to-one, nearest pairs first (by distance, then by days apart, then the same event
  type before another of its group); two country-level events of one country are at
  distance 0, and a country-level event against a town comes after every pair of the same
  level (50 km are added to its distance).

For matched pairs: location accuracy (a country-level gold event needs a country-level
prediction in that country; any other needs a prediction within 50 km that is not
country-level), date accuracy (gold known to the day: the same day at day precision; gold
known to the week or month: a date in that month that does not claim a day; gold without a
date: a prediction that does not claim a day), and exact-count accuracy per column among the
pairs where the gold or the prediction has that count. Also the number of country-wide totals
placed at a town: a count of a country-level gold event that a prediction of the same text
gives, in the same column, at a place finer than the country.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geomap.geocode import get_geocoder
from geomap.ingest import article_id
from geomap.pipeline import parse_article
from geomap.records import DAY, Article, EventFact, PubDate

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "events"
COUNTS = ("fatalities", "injured", "arrested", "crowd_size", "troops")
NEAR_KM = 50.0
GROUPS = {
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Strategic developments": "Strategic developments",
}
TARGETS = {"f1": 0.75, "f1_language": 0.65, "location": 0.90, "counts": 0.90, "dates": 0.85}


@dataclass(frozen=True)
class Side:
    """An event of either side, reduced to what the matching and scores use."""

    group: str
    event_type: str
    country: str
    lat: float
    lon: float
    geo_precision: int
    date: dt.date | None
    time_precision: int
    counts: dict[str, int | None]
    location: str
    evidence: str


@dataclass
class Text:
    """One corpus text: its gold events and what geomap gave."""

    name: str
    language: str
    gold: list[Side]
    predicted: list[Side] = field(default_factory=list)
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (gold index, predicted index)
    pinned: int = 0  # country totals placed at a town


def load_corpus(folder: Path = CORPUS) -> list[tuple[str, Article, list[Side]]]:
    """The corpus texts as articles with their gold events."""
    files = sorted(folder.glob("*.json"))
    if not files:
        msg = f"no corpus files in {folder}"
        raise SystemExit(msg)
    found = []
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        text = unicodedata.normalize("NFC", data["text"].replace("\r\n", "\n"))
        published = PubDate.parse(data["published"]) if data.get("published") else None
        article = Article(
            id=article_id(text),
            source=str(path),
            title=data.get("title"),
            published=published,
            language=data["lang"],
            text=text,
        )
        gold = [_gold_side(event) for event in data["events"]]
        found.append((path.stem, article, gold))
    return found


def _gold_side(event: dict[str, Any]) -> Side:
    date = dt.date.fromisoformat(event["event_date"]) if event.get("event_date") else None
    return Side(
        group=GROUPS.get(event["event_type"], event["event_type"]),
        event_type=event["event_type"],
        country=(event.get("country_code") or "").upper(),
        lat=float(event["lat"]),
        lon=float(event["lon"]),
        geo_precision=int(event["geo_precision"]),
        date=date,
        time_precision=int(event.get("time_precision") or 3),
        counts={name: event.get(name) for name in COUNTS},
        location=event.get("location") or "",
        evidence=event.get("evidence") or "",
    )


def _predicted_side(event: EventFact) -> Side:
    place = event.place
    return Side(
        group=GROUPS.get(event.event_type, event.event_type),
        event_type=f"{event.event_type} / {event.sub_event_type}",
        country=(place.country_code or "").upper(),
        lat=place.latitude,
        lon=place.longitude,
        geo_precision=event.geo_precision,
        date=event.date,
        time_precision=event.time_precision,
        counts={name: getattr(event, name) for name in COUNTS},
        location=f"{place.name} ({place.kind}){' — ' + event.notes if event.notes else ''}",
        evidence=event.evidence,
    )


def distance_km(a: Side, b: Side) -> float:
    """Great-circle distance between two events' points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def _days_apart(gold: Side, predicted: Side) -> int | None:
    if (
        gold.date is None
        or predicted.date is None
        or gold.time_precision != DAY
        or predicted.time_precision != DAY
    ):
        return None
    return abs((gold.date - predicted.date).days)


def compatible(gold: Side, predicted: Side) -> tuple[float, int] | None:
    """(distance, days apart) when the two may be the same event, else ``None``."""
    if gold.group != predicted.group:
        return None
    km = distance_km(gold, predicted)
    country_level = gold.geo_precision == 3 or predicted.geo_precision == 3
    if km > NEAR_KM and not (country_level and gold.country and gold.country == predicted.country):
        return None
    days = _days_apart(gold, predicted)
    if days is not None and days > 1:
        return None
    if gold.geo_precision == 3 and predicted.geo_precision == 3:
        km = 0.0  # the same country, both at country level
    elif country_level:
        km += NEAR_KM  # a country against a town: after the pairs at the same level
    return km, days or 0


def match(gold: Sequence[Side], predicted: Sequence[Side]) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, predicted index), nearest first."""
    candidates = []
    for g, gold_event in enumerate(gold):
        for p, predicted_event in enumerate(predicted):
            score = compatible(gold_event, predicted_event)
            if score is not None:
                other_type = not predicted_event.event_type.startswith(gold_event.event_type)
                candidates.append((score[0], score[1], other_type, g, p))
    candidates.sort()
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    pairs = []
    for *_, g, p in candidates:
        if g in used_gold or p in used_predicted:
            continue
        used_gold.add(g)
        used_predicted.add(p)
        pairs.append((g, p))
    return sorted(pairs)


def location_right(gold: Side, predicted: Side) -> bool:
    """Country level at the right country, or within 50 km at a finer level."""
    if gold.geo_precision == 3:
        return predicted.geo_precision == 3 and predicted.country == gold.country
    return predicted.geo_precision != 3 and distance_km(gold, predicted) <= NEAR_KM


def date_right(gold: Side, predicted: Side) -> bool:
    """The day when the gold knows the day; otherwise no claimed day (in the month, if any)."""
    if gold.date is not None and gold.time_precision == DAY:
        return predicted.time_precision == DAY and predicted.date == gold.date
    if predicted.time_precision == DAY:
        return False
    if gold.date is not None and predicted.date is not None:
        return (gold.date.year, gold.date.month) == (predicted.date.year, predicted.date.month)
    return True


def pinned_totals(gold: Sequence[Side], predicted: Sequence[Side]) -> int:
    """Country-level gold counts that a prediction gives at a place finer than the country."""
    found = 0
    for gold_event in gold:
        if gold_event.geo_precision != 3:
            continue
        for name in COUNTS:
            value = gold_event.counts[name]
            if value is None:
                continue
            if any(
                p.geo_precision != 3 and p.country == gold_event.country and p.counts[name] == value
                for p in predicted
            ):
                found += 1
    return found


def _ratio(right: int, total: int) -> float | None:
    return right / total if total else None


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def score(texts: Sequence[Text]) -> dict[str, Any]:
    """Every figure of the bench, per language and overall."""
    by_language: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    location = [0, 0]
    dates = [0, 0]
    counts: dict[str, list[int]] = {name: [0, 0] for name in COUNTS}
    pinned = 0
    for text in texts:
        tally = by_language[text.language]
        tally[0] += len(text.pairs)
        tally[1] += len(text.predicted)
        tally[2] += len(text.gold)
        pinned += text.pinned
        for g, p in text.pairs:
            gold, predicted = text.gold[g], text.predicted[p]
            location[0] += location_right(gold, predicted)
            location[1] += 1
            dates[0] += date_right(gold, predicted)
            dates[1] += 1
            for name in COUNTS:
                if gold.counts[name] is None and predicted.counts[name] is None:
                    continue
                counts[name][0] += gold.counts[name] == predicted.counts[name]
                counts[name][1] += 1
    overall = [sum(t[i] for t in by_language.values()) for i in range(3)]
    count_right = sum(c[0] for c in counts.values())
    count_total = sum(c[1] for c in counts.values())
    return {
        "overall": {**_prf(*overall), "matched": overall[0], "predicted": overall[1]}
        | {"gold": overall[2]},
        "languages": {
            language: {**_prf(*tally), "matched": tally[0], "predicted": tally[1]}
            | {"gold": tally[2]}
            for language, tally in sorted(by_language.items())
        },
        "location": _ratio(*location),
        "location_pairs": location[1],
        "dates": _ratio(*dates),
        "counts": _ratio(count_right, count_total),
        "count_columns": {
            name: {"exact": _ratio(*pair), "pairs": pair[1]} for name, pair in counts.items()
        },
        "country_totals_at_a_town": pinned,
    }


def run(folder: Path = CORPUS) -> tuple[list[Text], float]:
    """Parse every corpus text and match its events; also the seconds parsing took (after a
    warm-up pass, so that loading word lists is not counted)."""
    geocoder = get_geocoder("offline")
    corpus = load_corpus(folder)
    for _, article, _ in corpus:  # warm-up: each language's word lists load once, untimed
        parse_article(article, geocoder=geocoder)
    texts = []
    seconds = 0.0
    for name, article, gold in corpus:
        start = time.perf_counter()
        parsed = parse_article(article, geocoder=geocoder)
        seconds += time.perf_counter() - start
        predicted = [_predicted_side(event) for event in parsed.events]
        text = Text(name, article.language, gold, predicted)
        text.pairs = match(gold, predicted)
        text.pinned = pinned_totals(gold, predicted)
        texts.append(text)
    return texts, seconds


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.2f}"


def _counts_of(side: Side) -> str:
    return " ".join(f"{k}={v}" for k, v in side.counts.items() if v is not None)


def _describe(side: Side) -> str:
    date = f"{side.date}/p{side.time_precision}" if side.date else f"-/p{side.time_precision}"
    return (
        f"{side.event_type} @ {side.location} [{side.country} gp{side.geo_precision}] "
        f"{date} {_counts_of(side)}"
    )


def _short(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def print_report(texts: Sequence[Text], figures: dict[str, Any], *, errors: int) -> None:
    """The figures as a table, then the worst errors if asked."""
    overall = figures["overall"]
    print(f"{'language':<10}{'texts':>6}{'gold':>6}{'pred':>6}{'match':>6}    P     R     F1")
    per_text = Counter(t.language for t in texts)
    for language, row in figures["languages"].items():
        print(
            f"{language:<10}{per_text[language]:>6}{row['gold']:>6}{row['predicted']:>6}"
            f"{row['matched']:>6}  {_fmt(row['precision'])}  {_fmt(row['recall'])}  "
            f"{_fmt(row['f1'])}"
        )
    print(
        f"{'overall':<10}{len(texts):>6}{overall['gold']:>6}{overall['predicted']:>6}"
        f"{overall['matched']:>6}  {_fmt(overall['precision'])}  {_fmt(overall['recall'])}  "
        f"{_fmt(overall['f1'])}"
    )
    print()
    print(f"matched pairs: {figures['location_pairs']}")
    print(f"location accuracy       {_fmt(figures['location'])}  (target {TARGETS['location']})")
    print(f"date accuracy           {_fmt(figures['dates'])}  (target {TARGETS['dates']})")
    print(f"counts exact (all)      {_fmt(figures['counts'])}  (target {TARGETS['counts']})")
    for name, column in figures["count_columns"].items():
        print(f"  {name:<21} {_fmt(column['exact'])}  ({column['pairs']} pairs)")
    print(f"country totals at a town: {figures['country_totals_at_a_town']}  (target 0)")
    worst = min(figures["languages"].values(), key=lambda row: row["f1"])["f1"]
    verdict = (
        overall["f1"] >= TARGETS["f1"]
        and worst >= TARGETS["f1_language"]
        and (figures["location"] or 0) >= TARGETS["location"]
        and (figures["counts"] or 0) >= TARGETS["counts"]
        and (figures["dates"] or 0) >= TARGETS["dates"]
        and figures["country_totals_at_a_town"] == 0
    )
    print(f"targets met: {'yes' if verdict else 'no'}")
    if errors:
        _print_errors(texts, errors)


def _print_errors(texts: Sequence[Text], limit: int) -> None:
    missed = []
    false = []
    wrong = []
    for text in texts:
        matched_gold = {g for g, _ in text.pairs}
        matched_predicted = {p for _, p in text.pairs}
        missed += [(text.name, e) for i, e in enumerate(text.gold) if i not in matched_gold]
        false += [
            (text.name, e) for i, e in enumerate(text.predicted) if i not in matched_predicted
        ]
        for g, p in text.pairs:
            gold, predicted = text.gold[g], text.predicted[p]
            problems = []
            if not location_right(gold, predicted):
                problems.append("place")
            if not date_right(gold, predicted):
                problems.append("date")
            problems += [
                name
                for name in COUNTS
                if gold.counts[name] != predicted.counts[name]
                and (gold.counts[name] is not None or predicted.counts[name] is not None)
            ]
            if problems:
                wrong.append((text.name, problems, gold, predicted))
    print(f"\nmissed gold events ({len(missed)}; first {limit}):")
    for name, event in missed[:limit]:
        print(f"- {name}: {_describe(event)}\n    {_short(event.evidence)}")
    print(f"\nfalse events ({len(false)}; first {limit}):")
    for name, event in false[:limit]:
        print(f"- {name}: {_describe(event)}\n    {_short(event.evidence)}")
    print(f"\nmatched with errors ({len(wrong)}; first {limit}):")
    for name, problems, gold, predicted in wrong[:limit]:
        print(f"- {name}: {', '.join(problems)}")
        print(f"    gold: {_describe(gold)}\n    pred: {_describe(predicted)}")


def _print_date_errors(texts: Sequence[Text]) -> None:
    """Every matched pair whose date is wrong, with the sentences each side read it from."""
    wrong = [
        (text.name, text.gold[g], text.predicted[p])
        for text in texts
        for g, p in text.pairs
        if not date_right(text.gold[g], text.predicted[p])
    ]
    print(f"\ndate errors ({len(wrong)}):")
    for name, gold, predicted in wrong:
        print(f"- {name}: {_describe(gold)}\n    gold evidence: {_short(gold.evidence)}")
        print(f"    pred: {_describe(predicted)}\n    pred evidence: {_short(predicted.evidence)}")


def print_count_errors(texts: Sequence[Text]) -> None:
    """Each count column a matched pair disagrees on: gold and predicted value, both sentences."""
    rows = []
    for text in texts:
        for g, p in text.pairs:
            gold, predicted = text.gold[g], text.predicted[p]
            for name in COUNTS:
                want, got = gold.counts[name], predicted.counts[name]
                if want != got:
                    rows.append((name, text.name, want, got, gold, predicted))
    print(f"\ncount errors of matched events ({len(rows)}):")
    for name, text_name, want, got, gold, predicted in sorted(rows, key=lambda r: (r[0], r[1])):
        kind = "missing" if got is None else "extra" if want is None else "wrong"
        print(f"- {name} {kind}: {text_name} gold={want} predicted={got}")
        print(f"    gold: {gold.location}: {_short(gold.evidence, 160)}")
        print(f"    pred: {predicted.location}: {_short(predicted.evidence, 160)}")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the corpus, print the figures, write them as JSON if asked."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--errors", type=int, default=0, metavar="K", help="show K of each error")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    parser.add_argument(
        "--dates", action="store_true", help="show every matched pair with a wrong date"
    )
    parser.add_argument(
        "--count-errors", action="store_true", help="show every wrong count of a matched event"
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    texts, seconds = run(args.corpus)
    figures = score(texts)
    print(f"{len(texts)} texts from {args.corpus} parsed in {seconds:.2f} s\n")
    print_report(texts, figures, errors=args.errors)
    if args.dates:
        _print_date_errors(texts)
    if args.count_errors:
        print_count_errors(texts)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
