"""Train geomap's place recognizer (``geomap/recognise/models/places.crfsuite``).

Run from the checkout, with ``../shared/corpora`` beside it and the gazetteer index built::

    python scripts/train_recognizer.py

It reads the training parts of NorNE (nb, nn), the Swedish NER corpus, factRuEval and GUM
through ``bench.corpora`` (whose fixed splits keep every dev part out of training), turns
each place span into BIO labels on geomap's own tokens, trains a linear-chain CRF with
L-BFGS for each (c1, c2) of a small grid, keeps the pair with the best mean exact-span F1 on
the dev parts (NorNE nb and nn, Swedish, factRuEval, GeoVirus), writes that model and prints
its dev precision, recall and F1 per corpus, alone, without the rules.

Places are the labels ``bench.corpora.PLACE_LABELS`` lists, ``GPE_ORG`` (NorNE) and
``LOC_ORG`` (factRuEval) included: a country acting as an organisation is still named as a
place. GUM's named places are cleaned first (see :func:`gum_places`).

The features include the gazetteer's names, so the model belongs to one build of the
gazetteer (its fingerprint is printed): retrain after the gazetteer changes much. The run is
deterministic: L-BFGS has no random step, the documents are read in file order,
and the grid runs in a fixed order; ``--seed`` fixes Python's own generator for any future
sampling. The model's SHA-256 is printed so that two runs can be compared.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import multiprocessing
import random
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pycrfsuite  # type: ignore[import-untyped]  # noqa: E402

from bench.corpora import Doc, documents  # noqa: E402
from geomap.extract.text import sentences  # noqa: E402
from geomap.gazetteer import (  # noqa: E402
    COUNTRY,
    MACROREGION,
    REGION,
    Gazetteer,
    stored_fingerprint,
)
from geomap.recognise.features import text_features  # noqa: E402
from geomap.recognise.learned import MODEL_PATH, PlaceTagger, labels_of_spans  # noqa: E402
from geomap.textnorm import fold  # noqa: E402

log = logging.getLogger("train_recognizer")

TRAIN = ("norne-nb", "norne-nn", "swedish", "factrueval", "gum")
DEV = ("norne-nb", "norne-nn", "swedish", "factrueval", "geovirus")
SEED = 20260103
#: Corpora read more than once in training: the smaller ones of their language, so that
#: Russian and English weigh more beside two Norwegian corpora.
REPEAT = {"factrueval": 3, "gum": 2}
#: (c1, c2) pairs tried, in this order; the first of equally good pairs wins.
GRID = ((0.2, 0.1), (0.5, 0.05), (1.0, 0.02), (0.3, 0.01))
MAX_ITERATIONS = 150
#: Words a GUM place may start with that are not part of the name.
_DETERMINERS = frozenset({"the", "The"})
#: Kinds of place whose name, as a GUM organisation, is a place acting as one.
_STATES = frozenset({COUNTRY, REGION, MACROREGION})
#: Where a GUM span holding other places splits into them.
_SPLIT = re.compile(r",| in | near | of | at ")

Sequence_ = tuple[list[list[str]], list[str]]


@dataclass(frozen=True)
class Score:
    """Exact-span counts of one corpus."""

    true: int
    false: int
    missed: int

    @property
    def precision(self) -> float:
        return self.true / max(self.true + self.false, 1)

    @property
    def recall(self) -> float:
        return self.true / max(self.true + self.missed, 1)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def gum_places(doc: Doc, gazetteer: Gazetteer) -> list[tuple[int, int]]:
    """GUM's named places as toponym spans, like the other corpora give them.

    GUM marks every mention of a place that has a Wikipedia identity, nested: pronouns and
    common nouns (*it*, *the city*), phrases (*Paris , France*) and articles (*the Netherlands*).
    Here a leading *the* goes, a trailing *'s* goes, a span must then start with a capital,
    a span with a comma, or one that holds other places after *in*, *near* or *of* (*Groningen ,
    in the Netherlands*, *the City Hall in New York*), gives way to the places inside it and its
    first part, and of nested spans the outermost stays.

    GUM calls a country acting as a team or a state an organisation (*Sweden defeated South
    Korea*); NorNE (``GPE_ORG``) and factRuEval (``LOC_ORG``) call it a place, as geomap does:
    an organisation whose whole name is a country or region of the gazetteer is a place here.
    """
    text = doc.text
    cleaned: set[tuple[int, int]] = set()
    spans = [(s.start, s.end) for s in doc.places] + _country_organisations(doc, gazetteer)
    for start, end in spans:
        inner = [(s, e) for s, e in spans if start <= s and e <= end and (s, e) != (start, end)]
        split = _SPLIT.search(text, start, end)
        if split is not None and (inner or split.group() == ","):
            pieces = [(start, split.start()), *inner]
            pieces = [(s, e) for s, e in pieces if _SPLIT.search(text, s, e) is None]
        else:
            pieces = [(start, end)]
        for s, e in pieces:
            span = _trim(text, s, e)
            if span is not None:
                cleaned.add(span)
    outer = [
        (s, e)
        for s, e in cleaned
        if not any(a <= s and e <= b and (a, b) != (s, e) for a, b in cleaned)
    ]
    return sorted(outer)


def _country_organisations(doc: Doc, gazetteer: Gazetteer) -> list[tuple[int, int]]:
    found = []
    for span in doc.others:
        if span.label != "organization":
            continue
        trimmed = _trim(doc.text, span.start, span.end)
        if trimmed is None:
            continue
        key = fold(doc.text[trimmed[0] : trimmed[1]])
        rows = gazetteer.lookup_rows([key]).get(key, ())
        if any(row.kind in _STATES for _, row in rows):
            found.append(trimmed)
    return found


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    words = text[start:end].split(" ")
    while words and words[0] in _DETERMINERS:
        start += len(words.pop(0)) + 1
    while words and words[-1] in {"'s", "’s", "'", "’"}:
        end -= len(words.pop()) + 1
    if not words or not words[0][:1].isupper():
        return None
    return start, end


def place_spans(corpus: str, doc: Doc, gazetteer: Gazetteer) -> list[tuple[int, int]]:
    """The (start, end) of the document's places, as the model is to learn them."""
    if corpus == "gum":
        return gum_places(doc, gazetteer)
    return sorted({(s.start, s.end) for s in doc.places})


def prepare(corpus: str, docs: Sequence[Doc], gazetteer: Gazetteer) -> tuple[list[Sequence_], int]:
    """Training sequences (features, labels) of the documents' pieces, and how many place
    spans fell inside a word (so no token can carry them)."""
    found: list[Sequence_] = []
    lost = 0
    for doc in docs:
        spans = place_spans(corpus, doc, gazetteer)
        parts = sentences(doc.text)
        features = text_features(doc.text, parts, language=doc.lang, gazetteer=gazetteer)
        for sentence, pieces in zip(parts, features, strict=True):
            inside = [(s, e) for s, e in spans if s < sentence.end and e > sentence.start]
            labels, missed = labels_of_spans(sentence.tokens, inside)
            lost += missed
            for piece in pieces:
                found.append((piece.rows, labels[piece.first : piece.first + len(piece.rows)]))
    return found, lost


def train(data: Iterable[Sequence_], path: Path, c1: float, c2: float) -> float:
    """Train a model into ``path``; the seconds it took."""
    began = time.perf_counter()
    trainer = pycrfsuite.Trainer(verbose=False)
    for rows, labels in data:
        trainer.append(rows, labels)
    trainer.set_params(
        {
            "c1": c1,
            "c2": c2,
            "max_iterations": MAX_ITERATIONS,
            "feature.possible_transitions": True,
        }
    )
    trainer.train(str(path))
    return time.perf_counter() - began


def evaluate(model: Path, dev: dict[str, list[Doc]], gazetteer: Gazetteer) -> dict[str, Score]:
    """Exact-span scores of the tagger alone on each dev corpus."""
    tagger = PlaceTagger(model)
    scores = {}
    for corpus, docs in dev.items():
        true = false = missed = 0
        for doc in docs:
            parts = sentences(doc.text)
            spans = tagger.tag(doc.text, parts, language=doc.lang, gazetteer=gazetteer)
            predicted = {(s.start, s.end) for s in spans}
            gold = {(s.start, s.end) for s in doc.places}
            true += len(predicted & gold)
            false += len(predicted - gold)
            missed += len(gold - predicted)
        scores[corpus] = Score(true, false, missed)
    return scores


def _mean_f1(scores: dict[str, Score]) -> float:
    return sum(s.f1 for s in scores.values()) / len(scores)


_DATA: list[Sequence_] = []  # the training data, shared with forked grid workers


def _grid_point(args: tuple[float, float, str]) -> tuple[float, float, str, float]:
    c1, c2, path = args
    seconds = train(_DATA, Path(path), c1, c2)
    return c1, c2, path, seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="where the model goes")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--workers", type=int, default=2, help="grid points trained at once")
    parser.add_argument(
        "--grid",
        default=";".join(f"{c1},{c2}" for c1, c2 in GRID),
        help="c1,c2 pairs separated by ';'",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    random.seed(args.seed)
    grid = [tuple(float(v) for v in pair.split(",")) for pair in args.grid.split(";")]

    began = time.perf_counter()
    gazetteer = Gazetteer.open()
    print(f"gazetteer {gazetteer.path} (fingerprint {stored_fingerprint(gazetteer.path)})")
    for corpus in TRAIN:
        docs = documents(corpus, "train")
        data, lost = prepare(corpus, docs, gazetteer)
        _DATA.extend(data * REPEAT.get(corpus, 1))
        labelled = sum(label == "B" for _, labels in data for label in labels)
        print(
            f"train {corpus:<11} {len(docs):>4} docs {len(data):>6} pieces "
            f"{labelled:>5} places ({lost} inside a word)"
        )
    dev = {corpus: documents(corpus, "dev") for corpus in DEV}
    print(f"features ready in {time.perf_counter() - began:.1f} s")

    with tempfile.TemporaryDirectory() as folder:
        jobs = [
            (c1, c2, str(Path(folder) / f"grid-{i}.crfsuite")) for i, (c1, c2) in enumerate(grid)
        ]
        context = multiprocessing.get_context("fork")
        with context.Pool(max(1, min(args.workers, len(jobs)))) as pool:
            trained = pool.map(_grid_point, jobs)
        best: tuple[float, float, str, dict[str, Score]] | None = None
        for c1, c2, path, seconds in trained:
            scores = evaluate(Path(path), dev, gazetteer)
            line = " ".join(f"{c} {s.f1:.3f}" for c, s in scores.items())
            print(f"c1={c1:<5} c2={c2:<6} mean F1 {_mean_f1(scores):.3f}  ({line}) {seconds:.0f} s")
            if best is None or _mean_f1(scores) > _mean_f1(best[3]):
                best = (c1, c2, path, scores)
        assert best is not None
        c1, c2, path, scores = best
        args.out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, args.out)

    print(f"\nchosen c1={c1} c2={c2} (best mean exact-span F1 on dev)")
    print(f"{'dev corpus':<12} {'P':>6} {'R':>6} {'F1':>6}   tagger alone, exact span")
    for corpus, score in scores.items():
        print(f"{corpus:<12} {score.precision:6.3f} {score.recall:6.3f} {score.f1:6.3f}")
    print(f"{'mean':<12} {'':>6} {'':>6} {_mean_f1(scores):6.3f}")
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()[:16]
    size = args.out.stat().st_size
    print(f"model {args.out} {size / 1e6:.2f} MB sha256 {digest}")
    print(f"total {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
