"""Place recognition and resolution of geomap on third-party corpora, with geotext and flashgeotext.

Run from the checkout's root, as a module so that the checkout's ``geomap`` is imported::

    python -m bench.geoparse                              # every corpus with a dev part
    python -m bench.geoparse --corpus geovirus --errors 30
    python -m bench.geoparse --limit 50 --json out/geoparse.json
    python -m bench.geoparse --speed-only                 # only the documents per second

The corpora are read from ``../shared/corpora`` by :mod:`bench.corpora`, which fixes their
train/dev parts; this bench scores the ``dev`` part of each (a corpus without one, ``gum``, is
scored on its only part when named with ``--corpus``).

Systems
    ``geomap``: every document becomes an :class:`~geomap.records.Article` (its text as given,
    so that offsets hold; the corpus's language; no title, no date) and goes through
    :func:`geomap.pipeline.parse_article` with the offline geocoder. Its predictions are the
    spans of all its mentions, resolved or not (``ParsedArticle.mentions`` and ``.unresolved``).
    ``geotext``: city and country names located in the text and resolved through geomap's
    offline gazetteer exactly as ``bench/accuracy.py`` does (:func:`bench.accuracy.geotext_toponyms`).
    ``flashgeotext``: its bundled data, case-sensitive, with the spans it reports; a span found
    as both a country and a city is the country. A country is resolved to geomap's entry for its
    ISO code (by pycountry's lookup of the name), a city to geomap's best-ranked place of that
    name (flashgeotext gives no country for a city).
    Identical predicted spans of one system count once.
Recognition (P / R / F1)
    *exact*: a predicted span is right when a gold span has the same start and end.
    *overlap*: predictions and gold spans that share at least one character are paired one to
    one, the pairs with the most shared characters first (ties: text order); a paired prediction
    is right. P = right / predicted, R = right / gold, F1 their harmonic mean, summed over the
    corpus (micro average).
Resolution (corpora with coordinates: GeoVirus, events)
    Over the gold toponyms whose span a system predicted exactly (``n``). The error of each is
    the great-circle distance from the predicted point to the gold one; a matched toponym that the
    system did not resolve counts as 20,039 km (half the equator: the largest error there is).
    acc@161 = share with error <= 161 km. Mean and median error in km (unresolved included at
    20,039 km; ``unres`` says how many). AUC as in Gritta et al. (2018, *What's missing in
    geographical parsing?*, and their evaluation code): the errors sorted, each scaled to
    ln(1 + km) / ln(20039), and the area under that curve by the trapezoidal rule over n - 1 unit
    steps, so 0 is perfect and 1 the worst; lower is better.
By entity (GeoVirus)
    acc@161 (entity) also counts as right a toponym whose predicted place is an area (geomap's
    kinds below) that is the gold entity, wherever its point lies, and AUC (entity) scores such
    a toponym as no error: the point that stands for a whole country is a convention (GeoVirus
    puts the United States at 40 N 100 W, geomap at the middle of its land), the entity is not.
    An area is a place of geomap's
    kinds ``country``, ``region``, and ``macroregion``/``continent`` where the gazetteer has
    them) that *is* the gold entity, wherever its point lies.
    The gold entity is the title of the toponym's Wikipedia link (``%xx`` decoded, ``_`` as
    space); a parenthesised or comma qualifier (*Georgia (country)*, *Georgia (U.S. state)*,
    *Victoria (Australia)*) is split off. The title is the predicted entity when, compared without
    case, accents or a leading *the*, it equals the predicted place's name or, for a country, one
    of pycountry's names of its ISO code (name, official and common name), or, for a region, the
    pycountry name of its ISO 3166-2 code; and its qualifier, if any, agrees: ``country`` only
    for a country; for a region a generic word (*state*, *province*, *region*, *department*, …;
    *U.S. state* only in the US) or a name of the region's country. A country or region must
    moreover be of the country the gold point lies in (the country of the gazetteer's populated
    place nearest to the gold point), so that a namesake elsewhere (*Long Island* in the
    Bahamas, Niger State for *Niger*) is no hit.
    Corpora without Wikipedia links (the events) print ``-`` there.
Errors
    Per corpus and system: the most frequent false places (predicted spans that overlap no gold
    span), misses (gold spans no prediction overlaps) and boundary errors (overlap-paired, not
    exact: gold → predicted), ``--errors`` of each; for coordinates, the largest distance errors.
Speed
    Documents per second on one core, in process: ``parse_article`` over the GeoVirus texts
    (flashgeotext: ``extract``, without resolving names) after one warm-up pass: the best of three
    timed passes by the process's CPU time, which other processes on the machine disturb less
    than the wall time (printed beside it, also the best of three).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pycountry

from bench.accuracy import geotext_toponyms
from bench.corpora import CORPORA, PARTS, CorpusMissingError, Doc, documents
from geomap.gazetteer import haversine_km
from geomap.geocode import OfflineGazetteer, get_geocoder
from geomap.pipeline import parse_article
from geomap.records import Article, Place

RADIUS_KM = 161.0
MAX_ERROR_KM = 20039.0
SPEED_PASSES = 3
SYSTEMS = ("geomap", "geotext", "flashgeotext")
AREA_KINDS = frozenset({"country", "region", "macroregion", "continent"})
GENERIC_QUALIFIERS = frozenset(
    {
        "state",
        "province",
        "region",
        "department",
        "county",
        "district",
        "governorate",
        "territory",
        "oblast",
        "prefecture",
        "canton",
        "emirate",
    }
)


# -- records ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prediction:
    """A predicted place span and, when resolved, its place."""

    start: int
    end: int
    surface: str
    place: Place | None = None


@dataclass(frozen=True, slots=True)
class Gold:
    """A gold place span with its point and Wikipedia title when the corpus gives them."""

    start: int
    end: int
    surface: str
    lat: float | None = None
    lon: float | None = None
    title: str = ""


@dataclass(frozen=True, slots=True)
class Located:
    """One exactly matched gold toponym and where a system put it."""

    surface: str
    gold: str
    predicted: str
    km: float
    entity: bool
    titled: bool = False


@dataclass
class Tally:
    """What one system did on one corpus, summed over documents."""

    gold: int = 0
    predicted: int = 0
    exact: int = 0
    overlap: int = 0
    false_places: Counter[str] = field(default_factory=Counter)
    misses: Counter[str] = field(default_factory=Counter)
    boundaries: Counter[str] = field(default_factory=Counter)
    located: list[Located] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        """Every figure, as plain numbers (None where undefined)."""
        out: dict[str, Any] = {"gold": self.gold, "predicted": self.predicted}
        for name, right in (("exact", self.exact), ("overlap", self.overlap)):
            p, r = _ratio(right, self.predicted), _ratio(right, self.gold)
            out[name] = {"tp": right, "p": p, "r": r, "f1": _f1(p, r)}
        if self.located:
            out["resolution"] = resolution_figures(self.located)
        return out


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


# -- scoring (pure) --------------------------------------------------------------------------


def pair_overlaps(
    gold: Sequence[tuple[int, int]], predicted: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, predicted index) of overlapping spans, most shared first."""
    candidates = []
    for gi, (gs, ge) in enumerate(gold):
        for pi, (ps, pe) in enumerate(predicted):
            shared = min(ge, pe) - max(gs, ps)
            if shared > 0:
                candidates.append((-shared, gs, ps, gi, pi))
    candidates.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for _, _, _, gi, pi in candidates:
        if gi in used_gold or pi in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
        pairs.append((gi, pi))
    return sorted(pairs)


def score_document(
    tally: Tally,
    text: str,
    gold: Sequence[Gold],
    predicted: Sequence[Prediction],
    *,
    country_of: Callable[[float, float], str | None] = lambda lat, lon: None,
) -> None:
    """Add one document's recognition and resolution figures to ``tally``."""
    unique: dict[tuple[int, int], Prediction] = {}
    for guess in predicted:
        unique.setdefault((guess.start, guess.end), guess)
    preds = sorted(unique.values(), key=lambda p: (p.start, p.end))
    tally.gold += len(gold)
    tally.predicted += len(preds)
    gold_spans = Counter((g.start, g.end) for g in gold)
    tally.exact += sum(min(n, 1) for span, n in gold_spans.items() if span in unique)
    pairs = pair_overlaps([(g.start, g.end) for g in gold], [(p.start, p.end) for p in preds])
    tally.overlap += len(pairs)
    paired_gold = {gi for gi, _ in pairs}
    paired_pred = {pi for _, pi in pairs}
    for pi, guess in enumerate(preds):
        if pi not in paired_pred:
            tally.false_places[_clean(text[guess.start : guess.end])] += 1
    for gi, want in enumerate(gold):
        if gi not in paired_gold:
            tally.misses[_clean(want.surface)] += 1
    for gi, pi in pairs:
        want, guess = gold[gi], preds[pi]
        if (want.start, want.end) != (guess.start, guess.end):
            got = _clean(text[guess.start : guess.end])
            tally.boundaries[f"{_clean(want.surface)} → {got}"] += 1
    for want in gold:
        hit = unique.get((want.start, want.end))
        if hit is not None and want.lat is not None and want.lon is not None:
            tally.located.append(locate(want, hit.place, country_of=country_of))


def locate(
    want: Gold, place: Place | None, *, country_of: Callable[[float, float], str | None]
) -> Located:
    """The error of one exactly matched toponym (20,039 km when unresolved)."""
    gold_name = want.title or want.surface
    titled = bool(want.title)
    if place is None:
        return Located(
            want.surface, gold_name, "(unresolved)", MAX_ERROR_KM, entity=False, titled=titled
        )
    assert want.lat is not None and want.lon is not None
    km = haversine_km(want.lat, want.lon, place.latitude, place.longitude)
    label = f"{place.name} ({place.kind}, {place.country_code or '-'})"
    entity = bool(want.title) and is_gold_entity(
        want.title, place, gold_country=country_of(want.lat, want.lon)
    )
    return Located(want.surface, gold_name, label, km, entity=entity, titled=titled)


def resolution_figures(located: Sequence[Located]) -> dict[str, Any]:
    """acc@161, by entity, mean and median error and AUC of matched toponyms."""
    errors = sorted(item.km for item in located)
    n = len(errors)
    within = sum(km <= RADIUS_KM for km in errors)
    by_entity = sum(item.km <= RADIUS_KM or item.entity for item in located)
    return {
        "n": n,
        "unresolved": sum(item.predicted == "(unresolved)" for item in located),
        "acc161": within / n,
        "acc161_entity": by_entity / n if any(item.titled for item in located) else None,
        "mean_km": statistics.fmean(errors),
        "median_km": statistics.median(errors),
        "auc": error_auc(errors),
        # the same with a country or region that is the gold entity scored as no error
        "auc_entity": error_auc([0.0 if item.entity else item.km for item in located])
        if any(item.titled for item in located)
        else None,
    }


def error_auc(errors_km: Sequence[float]) -> float:
    """Gritta et al.'s AUC: trapezoid area under sorted ln(1 + km) / ln(20039), n - 1 steps."""
    scaled = sorted(math.log1p(min(km, MAX_ERROR_KM)) / math.log(MAX_ERROR_KM) for km in errors_km)
    if len(scaled) == 1:
        return scaled[0]
    area = sum(scaled) - (scaled[0] + scaled[-1]) / 2
    return area / (len(scaled) - 1)


def _auc(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _clean(surface: str) -> str:
    return " ".join(surface.split())


# -- by entity -------------------------------------------------------------------------------


def wikipedia_title(url: str) -> str:
    """The page title of an English Wikipedia link, or '' for anything else."""
    marker = "wikipedia.org/wiki/"
    if marker not in url:
        return ""
    return unquote(url.split(marker, 1)[1]).replace("_", " ").strip()


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = " ".join(plain.split())
    return plain.removeprefix("the ")


def _split_title(title: str) -> tuple[str, str]:
    if title.endswith(")") and " (" in title:
        base, qualifier = title[:-1].rsplit(" (", 1)
        return base, qualifier
    if ", " in title:
        base, qualifier = title.split(", ", 1)
        return base, qualifier
    return title, ""


@cache
def country_names(code: str) -> frozenset[str]:
    """Folded pycountry names of an ISO 3166-1 alpha-2 code (with US and UK short forms)."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return frozenset()
    names = {getattr(country, attr, None) for attr in ("name", "official_name", "common_name")} - {
        None
    }
    short = {"US": {"U.S.", "US", "United States"}, "GB": {"UK", "U.K.", "United Kingdom"}}
    return frozenset(_fold(str(n)) for n in names | short.get(code, set()))


@cache
def subdivision_name(code: str) -> str:
    """Folded pycountry name of an ISO 3166-2 code, or ''."""
    sub = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    return _fold(sub.name) if sub is not None else ""


def is_gold_entity(title: str, place: Place, *, gold_country: str | None) -> bool:
    """Whether a predicted country or region is the entity of the gold Wikipedia title.

    ``gold_country`` is the ISO code of the country the gold point lies in, when known; a
    country or region of another country is never the gold entity.
    """
    if not title or place.kind not in AREA_KINDS:
        return False
    base, qualifier = _split_title(title)
    code = (place.country_code or "").upper()
    if code and gold_country and code != gold_country.upper():
        return False
    names = {_fold(place.name)}
    if place.kind == "country":
        names |= country_names(code)
    elif place.place_id.startswith("iso3166-2:"):
        names.add(subdivision_name(place.place_id.removeprefix("iso3166-2:")))
    if _fold(base) not in names:
        return False
    if not qualifier:
        return True
    q = _fold(qualifier)
    if place.kind == "country":
        return q == "country"
    if q == "u.s. state":
        return code == "US"
    return q in GENERIC_QUALIFIERS or q in country_names(code)


# -- systems ---------------------------------------------------------------------------------


def _article(doc: Doc, corpus: str) -> Article:
    return Article(
        id=doc.id,
        source=f"{corpus}:{doc.id}",
        title=None,
        published=None,
        language=doc.lang,
        text=doc.text,
    )


def geomap_predictions(doc: Doc, corpus: str, geocoder: OfflineGazetteer) -> list[Prediction]:
    """geomap's mentions, resolved or not, as predictions."""
    parsed = parse_article(_article(doc, corpus), geocoder=geocoder)
    return [
        Prediction(m.start, m.end, m.surface, m.place)
        for m in (*parsed.mentions, *parsed.unresolved)
    ]


def geotext_predictions(doc: Doc, geocoder: OfflineGazetteer) -> list[Prediction]:
    """geotext's names located and resolved as bench/accuracy.py does."""
    out = []
    for found in geotext_toponyms(doc.text, geocoder):
        entry = None
        if not found.place_id.startswith("unresolved:"):
            entry = geocoder.gazetteer.get(found.place_id)
        place = entry.place if entry is not None else None
        if place is None and found.latitude is not None and found.longitude is not None:
            place = Place(
                found.place_id, found.surface, "city", None, found.latitude, found.longitude
            )
        out.append(Prediction(found.start, found.end, found.surface, place))
    return out


class FlashGeoText:
    """flashgeotext's extractor with names resolved through geomap's gazetteer."""

    def __init__(self, geocoder: OfflineGazetteer) -> None:
        from flashgeotext.geotext import GeoText  # type: ignore[import-untyped]

        self._geotext = GeoText()
        self._geocoder = geocoder

    def extract(self, text: str) -> dict[str, Any]:
        """flashgeotext's raw answer (the part that is timed)."""
        found: dict[str, Any] = self._geotext.extract(text, span_info=True)
        return found

    def predictions(self, text: str) -> list[Prediction]:
        """Spans found, a country before a city on the same span, with geomap's places."""
        found = self.extract(text)
        spans: dict[tuple[int, int], Prediction] = {}
        for group in ("countries", "cities"):
            for name, info in sorted(found.get(group, {}).items()):
                place = self._resolve(name, country=group == "countries")
                for start, end in info.get("span_info", ()):
                    spans.setdefault((start, end), Prediction(start, end, text[start:end], place))
        return sorted(spans.values(), key=lambda p: (p.start, p.end))

    @cache  # noqa: B019 - one extractor per run
    def _resolve(self, name: str, *, country: bool) -> Place | None:
        if country:
            try:
                code = pycountry.countries.lookup(name).alpha_2
            except LookupError:
                code = None
            entry = self._geocoder.gazetteer.get(f"iso3166:{code}") if code else None
            if entry is not None:
                return entry.place
        places = self._geocoder.search(name)
        return places[0] if places else None


# -- running ---------------------------------------------------------------------------------


def gold_of(doc: Doc) -> list[Gold]:
    """A document's gold places, with coordinates and titles where the corpus has them."""
    located = {(t.start, t.end): t for t in doc.toponyms}
    out = []
    for span in doc.places:
        t = located.get((span.start, span.end))
        if t is None:
            out.append(Gold(span.start, span.end, span.surface))
        else:
            out.append(
                Gold(span.start, span.end, span.surface, t.lat, t.lon, wikipedia_title(t.wikipedia))
            )
    return out


def evaluate(
    corpus: str, docs: Sequence[Doc], geocoder: OfflineGazetteer, flash: FlashGeoText
) -> dict[str, Tally]:
    """Every system's tally on one corpus."""
    runners: dict[str, Callable[[Doc], list[Prediction]]] = {
        "geomap": lambda d: geomap_predictions(d, corpus, geocoder),
        "geotext": lambda d: geotext_predictions(d, geocoder),
        "flashgeotext": lambda d: flash.predictions(d.text),
    }
    tallies = {name: Tally() for name in SYSTEMS}
    country_of = cache(partial(gold_country, geocoder))
    for doc in docs:
        gold = gold_of(doc)
        for name, run in runners.items():
            score_document(tallies[name], doc.text, gold, run(doc), country_of=country_of)
    return tallies


def gold_country(geocoder: OfflineGazetteer, lat: float, lon: float) -> str | None:
    """The country of a gold point: that of the gazetteer's populated place nearest to it."""
    found = geocoder.reverse((lat, lon))
    location = found[0] if isinstance(found, list) and found else found
    if location is None or isinstance(location, list):
        return None
    raw = location.raw if isinstance(location.raw, dict) else {}
    code = raw.get("country_code")
    return str(code) if code else None


def speed(
    docs: Sequence[Doc], geocoder: OfflineGazetteer, flash: FlashGeoText
) -> dict[str, dict[str, float]]:
    """Documents per second (CPU and wall, best of three passes) after a warm-up pass."""
    articles = [_article(d, "geovirus") for d in docs]
    texts = [d.text for d in docs]

    def run_geomap() -> None:
        for article in articles:
            parse_article(article, geocoder=geocoder)

    def run_flash() -> None:
        for text in texts:
            flash.extract(text)

    out = {}
    for name, run in (("geomap", run_geomap), ("flashgeotext", run_flash)):
        run()
        cpu = wall = math.inf
        for _ in range(SPEED_PASSES):
            cpu0, wall0 = time.process_time(), time.perf_counter()
            run()
            cpu = min(cpu, time.process_time() - cpu0)
            wall = min(wall, time.perf_counter() - wall0)
        out[name] = {
            "docs": len(docs),
            "docs_per_s_cpu": len(docs) / cpu if cpu else math.inf,
            "docs_per_s_wall": len(docs) / wall if wall else math.inf,
        }
    return out


# -- report ----------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "   -" if value is None else f"{value * 100:4.0f}"


def report_corpus(corpus: str, part: str, ndocs: int, tallies: dict[str, Tally], k: int) -> str:
    """One corpus's table and error lists."""
    first = next(iter(tallies.values()))
    lines = [
        f"== {corpus} ({part}, {ndocs} docs, {first.gold} gold places)",
        f"{'system':<13}{'pred':>6} | {'exact P':>7} {'R':>4} {'F1':>4} | {'overlap P':>9}"
        f" {'R':>4} {'F1':>4}",
    ]
    for name, tally in tallies.items():
        fig = tally.figures()
        ex, ov = fig["exact"], fig["overlap"]
        lines.append(
            f"{name:<13}{tally.predicted:>6} | {_pct(ex['p']):>7} {_pct(ex['r'])} {_pct(ex['f1'])}"
            f" | {_pct(ov['p']):>9} {_pct(ov['r'])} {_pct(ov['f1'])}"
        )
    if any(t.located for t in tallies.values()):
        lines.append(
            f"{'resolution':<13}{'n':>6} | {'unres':>5} {'acc@161':>7} {'entity':>6}"
            f" {'mean km':>8} {'median km':>9} {'AUC':>5} {'entity':>6}"
        )
        for name, tally in tallies.items():
            if not tally.located:
                continue
            r = resolution_figures(tally.located)
            lines.append(
                f"{name:<13}{r['n']:>6} | {r['unresolved']:>5} {_pct(r['acc161']):>7}"
                f" {_pct(r['acc161_entity']):>6} {r['mean_km']:>8.0f} {r['median_km']:>9.0f}"
                f" {r['auc']:>5.3f} {_auc(r['auc_entity']):>6}"
            )
    for name, tally in tallies.items():
        for title, counts in (
            ("false places", tally.false_places),
            ("misses", tally.misses),
            ("boundaries", tally.boundaries),
        ):
            lines.append(f"  {name} {title}: {_top(counts, k)}")
        worst = worst_distances(tally.located, k)
        if worst:
            lines.append(f"  {name} worst distances (km × times: surface, gold, got):")
            lines += [
                f"    {item.km:>7.0f} ×{n:<3} {item.surface!r}: gold {item.gold}; got {item.predicted}"
                for item, n in worst
            ]
    return "\n".join(lines)


def worst_distances(located: Sequence[Located], k: int) -> list[tuple[Located, int]]:
    """The k largest distance errors beyond 161 km, identical ones counted together."""
    counts = Counter(item for item in located if item.km > RADIUS_KM)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[0].km, kv[0].surface, kv[0].gold))
    return ranked[:k]


def _top(counts: Counter[str], k: int) -> str:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
    return ", ".join(f"{surface} {n}" for surface, n in ranked) or "-"


def report_speed(figures: dict[str, dict[str, float]]) -> str:
    """The speed lines."""
    lines = ["== speed (GeoVirus texts, one core, after a warm-up pass)"]
    for name, fig in figures.items():
        lines.append(
            f"{name:<13} {fig['docs_per_s_cpu']:>7.0f} docs/s CPU  ({fig['docs_per_s_wall']:.0f}"
            f" docs/s wall, {int(fig['docs'])} docs)"
        )
    return "\n".join(lines)


def _part(corpus: str) -> str:
    return "dev" if "dev" in PARTS[corpus] else PARTS[corpus][0]


def main(argv: Sequence[str] | None = None) -> int:
    """Score every chosen corpus and print the tables."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument(
        "--corpus",
        action="append",
        choices=CORPORA,
        help="a corpus to score (repeatable); default: every corpus with a dev part",
    )
    parser.add_argument("--limit", type=int, default=None, help="first N documents per corpus")
    parser.add_argument("--errors", type=int, default=15, help="K errors of each kind to list")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure here")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    parser.add_argument(
        "--speed-only", action="store_true", help="only the speed measurement, no corpus scored"
    )
    args = parser.parse_args(argv)
    if args.no_speed and args.speed_only:
        parser.error("--no-speed and --speed-only exclude each other")
    corpora = [] if args.speed_only else args.corpus or [c for c in CORPORA if "dev" in PARTS[c]]
    geocoder = get_geocoder("offline")
    assert isinstance(geocoder, OfflineGazetteer)
    flash = FlashGeoText(geocoder)
    results: dict[str, Any] = {"corpora": {}}
    try:
        for corpus in corpora:
            part = _part(corpus)
            docs = documents(corpus, part)[: args.limit]
            tallies = evaluate(corpus, docs, geocoder, flash)
            print(report_corpus(corpus, part, len(docs), tallies, args.errors), flush=True)
            print()
            results["corpora"][corpus] = {
                "part": part,
                "docs": len(docs),
                "systems": {name: t.figures() for name, t in tallies.items()},
                "errors": {
                    name: {
                        "false_places": _ranked(t.false_places, args.errors),
                        "misses": _ranked(t.misses, args.errors),
                        "boundaries": _ranked(t.boundaries, args.errors),
                        "worst_distances": [
                            {**asdict(item), "times": n}
                            for item, n in worst_distances(t.located, args.errors)
                        ],
                    }
                    for name, t in tallies.items()
                },
            }
        if not args.no_speed:
            figures = speed(documents("geovirus", "dev")[: args.limit], geocoder, flash)
            print(report_speed(figures))
            results["speed"] = figures
    except CorpusMissingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


def _ranked(counts: Counter[str], k: int) -> list[list[Any]]:
    return [[s, n] for s, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]


if __name__ == "__main__":
    sys.exit(main())
