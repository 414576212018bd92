"""Accuracy of geomap on the evaluation set in ``bench/eval``, with ``geotext`` as a peer.

Run from the checkout's root, as a module so that the checkout's ``geomap`` is imported::

    python -m bench.accuracy            # the tables
    python -m bench.accuracy --details  # and every miss and false alarm

Each text goes through :func:`geomap.pipeline.parse_article` as a user's file would (language
detected, publication date from the annotation). Per language and overall it prints:

Toponyms (precision, recall, F1)
    A *prediction* is a resolved place mention: a span and a place id (unresolved names are
    reported by geomap as such and are no prediction). Predictions are taken in text order;
    each one is a *true positive* when its span overlaps (shares at least one character with)
    a gold span not yet matched and its place id equals the gold place id
    (``geonames:…``, ``iso3166:XX``, ``iso3166-2:XX-YY``, ``iata:XXX``). Any other prediction
    is a false positive; a gold span that no true positive matched is a false negative.
    P = TP / (TP + FP), R = TP / (TP + FN), F1 their harmonic mean.
accuracy@161 km
    Gold toponyms are paired one-to-one, in text order, with the first unpaired prediction
    whose span overlaps theirs, whatever place it chose. acc@161 is the share of paired gold
    toponyms whose predicted point lies within 161 km (100 miles) of the gold point. The gold
    point is the annotated coordinate (towns, airports); countries and regions carry none, so
    their point is the one geomap's gazetteer stores for the gold id. ``n`` is the number of
    paired gold toponyms.
Event counts
    The gold counts of a text are a multiset of (kind, value); the predicted ones are every
    count column that is not empty on the text's events (flows are not counted). A true
    positive is a (kind, value) pair in both multisets. Count P and R as above; *exact* is the
    share of texts whose two multisets are equal.

The peer, ``geotext``, finds city and country names (it gives neither spans nor places). Its
k-th mention of a name is given the span of that name's k-th whole-word occurrence in the text,
and its names are resolved through geomap's offline gazetteer: a country name to the ISO code
geotext gives it, a city name to the best-ranked place of that name in the country geotext
assigns. Its acc@161 therefore measures geotext's names with geomap's resolver. Nationalities
(*Russian*) are left out: the annotation treats demonyms as no place.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Self

from geomap.gazetteer import Gazetteer, haversine_km
from geomap.geocode import OfflineGazetteer
from geomap.ingest import IngestOptions, article_from_bytes
from geomap.pipeline import parse_article
from geomap.records import ParsedArticle, PubDate
from geomap.serialize import COUNT_COLUMNS

EVAL_DIR = Path(__file__).resolve().parent / "eval"
LANGUAGES = ("nb", "en", "ru", "de", "sv", "fr")
RADIUS_KM = 161.0


# -- records ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Toponym:
    """A place span, gold or predicted, with its place id and point when known."""

    start: int
    end: int
    place_id: str
    latitude: float | None = None
    longitude: float | None = None
    surface: str = ""

    def overlaps(self, other: Toponym) -> bool:
        """Whether the two spans share at least one character."""
        return self.start < other.end and other.start < self.end


class _Tally:
    """Scores that add up field by field, with precision and recall from tp, fp and fn."""

    tp: int
    fp: int
    fn: int

    def __add__(self, other: Self) -> Self:
        return type(self)(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)


@dataclass(frozen=True)
class ToponymScore(_Tally):
    """Counts behind precision, recall, F1 and accuracy@161 km."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    paired: int = 0
    within: int = 0
    misses: tuple[str, ...] = field(default=(), compare=False)

    @property
    def f1(self) -> float | None:
        return _f1(self.precision, self.recall)

    @property
    def acc161(self) -> float | None:
        return _ratio(self.within, self.paired)


@dataclass(frozen=True)
class CountScore(_Tally):
    """Counts behind event-count precision, recall and the share of exact texts."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    texts: int = 0
    exact: int = 0
    misses: tuple[str, ...] = field(default=(), compare=False)

    @property
    def exact_share(self) -> float | None:
        return _ratio(self.exact, self.texts)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


# -- scoring (pure) --------------------------------------------------------------------------


def score_toponyms(gold: Sequence[Toponym], predicted: Sequence[Toponym]) -> ToponymScore:
    """Score one text's predicted toponyms against its gold ones (see the module docstring)."""
    matched: set[int] = set()
    tp = 0
    misses: list[str] = []
    for guess in sorted(predicted, key=lambda t: (t.start, t.end)):
        hit = next(
            (
                i
                for i, want in enumerate(gold)
                if i not in matched and want.overlaps(guess) and want.place_id == guess.place_id
            ),
            None,
        )
        if hit is None:
            misses.append(f"false positive {guess.surface!r} {guess.place_id}")
        else:
            matched.add(hit)
            tp += 1
    misses += [
        f"missed {want.surface!r} {want.place_id}"
        for i, want in enumerate(gold)
        if i not in matched
    ]
    paired, within = _located(gold, predicted)
    return ToponymScore(
        tp=tp,
        fp=len(predicted) - tp,
        fn=len(gold) - tp,
        paired=paired,
        within=within,
        misses=tuple(misses),
    )


def _located(gold: Sequence[Toponym], predicted: Sequence[Toponym]) -> tuple[int, int]:
    """Gold toponyms paired with an overlapping prediction, and those within the radius."""
    used: set[int] = set()
    paired = within = 0
    ordered = sorted(range(len(predicted)), key=lambda i: (predicted[i].start, predicted[i].end))
    for want in sorted(gold, key=lambda t: (t.start, t.end)):
        pick = next((i for i in ordered if i not in used and predicted[i].overlaps(want)), None)
        if pick is None:
            continue
        used.add(pick)
        guess = predicted[pick]
        if None in (want.latitude, want.longitude, guess.latitude, guess.longitude):
            continue
        paired += 1
        distance = haversine_km(want.latitude, want.longitude, guess.latitude, guess.longitude)  # type: ignore[arg-type]
        within += distance <= RADIUS_KM
    return paired, within


def score_counts(
    gold: Iterable[tuple[str, int]], predicted: Iterable[tuple[str, int]]
) -> CountScore:
    """Score one text's (kind, value) counts as multisets."""
    want, got = Counter(gold), Counter(predicted)
    tp = sum((want & got).values())
    misses = [f"missed count {k} {v}" for (k, v), n in (want - got).items() for _ in range(n)]
    misses += [f"false count {k} {v}" for (k, v), n in (got - want).items() for _ in range(n)]
    return CountScore(
        tp=tp,
        fp=sum(got.values()) - tp,
        fn=sum(want.values()) - tp,
        texts=1,
        exact=int(want == got),
        misses=tuple(misses),
    )


def predicted_counts(parsed: ParsedArticle) -> list[tuple[str, int]]:
    """Every count that is not empty on the article's events."""
    return [
        (column, value)
        for event in parsed.events
        for column in COUNT_COLUMNS
        if (value := getattr(event, column)) is not None
    ]


def geomap_toponyms(parsed: ParsedArticle) -> list[Toponym]:
    """geomap's resolved mentions as predictions."""
    return [
        Toponym(m.start, m.end, m.place.place_id, m.place.latitude, m.place.longitude, m.surface)
        for m in parsed.mentions
        if m.place is not None
    ]


def locate_names(text: str, names: Sequence[str]) -> list[tuple[int, int]]:
    """Spans for names listed in text order: the k-th listing of a name gets its k-th
    whole-word occurrence (no span when the text has fewer)."""
    seen: Counter[str] = Counter()
    spans = []
    for name in names:
        pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
        occurrences = [m.span() for m in pattern.finditer(text)]
        if seen[name] < len(occurrences):
            spans.append(occurrences[seen[name]])
        seen[name] += 1
    return spans


# -- running ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Result:
    """One language's scores."""

    language: str
    texts: int
    ours: ToponymScore
    counts: CountScore
    peer: ToponymScore
    misdetected: int


def _gold(record: dict[str, Any], gazetteer: Gazetteer) -> list[Toponym]:
    gold = []
    for place in record["places"]:
        latitude, longitude = place["latitude"], place["longitude"]
        if latitude is None:
            entry = gazetteer.get(place["place_id"])
            if entry is not None:
                latitude, longitude = entry.place.latitude, entry.place.longitude
        gold.append(
            Toponym(
                place["start"],
                place["end"],
                place["place_id"],
                latitude,
                longitude,
                place["surface"],
            )
        )
    return gold


def _parse_record(record: dict[str, Any], geocoder: OfflineGazetteer) -> ParsedArticle:
    options = IngestOptions(date=PubDate.parse(record["published"]))
    article = article_from_bytes(
        record["text"].encode("utf-8"), source=f"eval:{record['id']}", options=options
    )
    if article.text != record["text"]:
        msg = f"{record['id']}: ingest changed the text, offsets would not match"
        raise SystemExit(msg)
    return parse_article(article, geocoder=geocoder)


def geotext_toponyms(text: str, geocoder: OfflineGazetteer) -> list[Toponym]:
    """geotext's city and country names as predictions, resolved by geomap's gazetteer."""
    from geotext import GeoText

    found = GeoText(text)
    index = GeoText.index
    predictions = []
    for names, is_country in ((found.countries, True), (found.cities, False)):
        for name, (start, end) in zip(names, locate_names(text, names), strict=False):
            if is_country:
                place_id = f"iso3166:{index.countries[name.lower()]}"
                entry = geocoder.gazetteer.get(place_id)
                place = entry.place if entry else None
            else:
                places = geocoder.search(name, country_codes=[index.cities[name.lower()]])
                place = places[0] if places else None
            if place is not None:
                predictions.append(
                    Toponym(start, end, place.place_id, place.latitude, place.longitude, name)
                )
            else:
                predictions.append(Toponym(start, end, f"unresolved:{name}", surface=name))
    return predictions


def evaluate(language: str, geocoder: OfflineGazetteer) -> Result:
    """Score geomap and geotext on one language's texts."""
    records = json.loads((EVAL_DIR / f"{language}.json").read_text(encoding="utf-8"))
    ours, peer, counts = ToponymScore(), ToponymScore(), CountScore()
    misdetected = 0
    for record in records:
        gold = _gold(record, geocoder.gazetteer)
        parsed = _parse_record(record, geocoder)
        misdetected += parsed.article.language != language
        tag = f"{record['id']}: "
        mine = score_toponyms(gold, geomap_toponyms(parsed))
        ours += replace(mine, misses=tuple(tag + m for m in mine.misses))
        peer += score_toponyms(gold, geotext_toponyms(record["text"], geocoder))
        gold_counts = [(c["kind"], c["value"]) for c in record["counts"]]
        scored = score_counts(gold_counts, predicted_counts(parsed))
        counts += replace(scored, misses=tuple(tag + m for m in scored.misses))
    return Result(language, len(records), ours, counts, peer, misdetected)


# -- report ----------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "   -" if value is None else f"{value * 100:4.0f}"


def report(results: Sequence[Result]) -> str:
    """The tables, per language and overall."""
    total = Result(
        "all",
        sum(r.texts for r in results),
        sum((r.ours for r in results), ToponymScore()),
        sum((r.counts for r in results), CountScore()),
        sum((r.peer for r in results), ToponymScore()),
        sum(r.misdetected for r in results),
    )
    lines = [
        "Toponyms: P/R/F1 = span overlaps a gold span and the place id is the gold id;",
        f"acc@161 = share of span-paired gold toponyms placed within {RADIUS_KM:g} km (n paired).",
        "geotext gives names only: they are resolved through geomap's offline gazetteer.",
        "Figures in %.",
        "",
        f"{'':<5}{'':>6} | {'geomap':^33} | {'geotext (names) + geomap gazetteer':^34}",
        f"{'lang':<5}{'texts':>6} | {'P':>4} {'R':>4} {'F1':>4} {'acc@161':>8} {'n':>4}"
        f" {'lang?':>5} | {'P':>4} {'R':>4} {'F1':>4} {'acc@161':>8} {'n':>4}",
    ]
    for row in [*results, total]:
        ours, peer = row.ours, row.peer
        lines.append(
            f"{row.language:<5}{row.texts:>6} | {_pct(ours.precision)} {_pct(ours.recall)}"
            f" {_pct(ours.f1)} {_pct(ours.acc161):>8} {ours.paired:>4} {row.misdetected:>5} |"
            f" {_pct(peer.precision)} {_pct(peer.recall)} {_pct(peer.f1)}"
            f" {_pct(peer.acc161):>8} {peer.paired:>4}"
        )
    lines += [
        "(lang? = texts whose detected language was not the annotated one)",
        "",
        "Event counts: (kind, value) on the article's events vs the gold counts.",
        f"{'lang':<5}{'gold':>6}{'found':>7}{'P':>6}{'R':>6}{'F1':>6}{'exact texts':>13}",
    ]
    for row in [*results, total]:
        c = row.counts
        lines.append(
            f"{row.language:<5}{c.tp + c.fn:>6}{c.tp + c.fp:>7}{_pct(c.precision):>6}"
            f"{_pct(c.recall):>6}{_pct(_f1(c.precision, c.recall)):>6}"
            f"{_pct(c.exact_share):>9} ({c.exact}/{c.texts})"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Evaluate every language and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--details", action="store_true", help="list every miss")
    parser.add_argument("--languages", default=",".join(LANGUAGES), help="comma-separated")
    args = parser.parse_args(argv)
    geocoder = OfflineGazetteer()
    results = [evaluate(language, geocoder) for language in args.languages.split(",")]
    print(report(results))
    if args.details:
        print()
        for result in results:
            for miss in (*result.ours.misses, *result.counts.misses):
                print(miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
