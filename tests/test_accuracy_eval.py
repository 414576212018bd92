"""The scoring functions of bench/accuracy.py on tiny hand-made cases."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "accuracy.py"


@pytest.fixture(scope="module")
def accuracy() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_accuracy", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


OSLO = (59.91273, 10.74609)
BERGEN = (60.39299, 5.32415)


def test_overlapping_span_with_the_right_place_is_a_true_positive(accuracy: ModuleType) -> None:
    t = accuracy.Toponym
    gold = [t(10, 27, "iata:ALA", 43.35, 77.04), t(40, 44, "geonames:1", *OSLO)]
    predicted = [t(21, 27, "iata:ALA", 43.35, 77.04), t(40, 44, "geonames:2", *BERGEN)]
    score = accuracy.score_toponyms(gold, predicted)
    assert (score.tp, score.fp, score.fn) == (1, 1, 1)
    assert score.precision == score.recall == score.f1 == 0.5


def test_a_gold_span_matches_at_most_one_prediction(accuracy: ModuleType) -> None:
    t = accuracy.Toponym
    gold = [t(0, 20, "iata:ALA")]
    predicted = [t(0, 7, "iata:ALA"), t(11, 20, "iata:ALA")]
    score = accuracy.score_toponyms(gold, predicted)
    assert (score.tp, score.fp, score.fn) == (1, 1, 0)


def test_accuracy_at_161_km_pairs_spans_whatever_the_place(accuracy: ModuleType) -> None:
    t = accuracy.Toponym
    near_oslo = (59.95, 10.80)  # a few km away: within the radius
    gold = [t(0, 4, "geonames:1", *OSLO), t(10, 16, "geonames:2", *BERGEN), t(30, 35, "x:y")]
    predicted = [t(0, 4, "geonames:9", *near_oslo), t(10, 16, "geonames:8", *OSLO)]
    score = accuracy.score_toponyms(gold, predicted)
    assert (score.paired, score.within) == (2, 1)
    assert score.acc161 == 0.5
    assert score.tp == 0


def test_no_predictions_gives_no_precision_and_zero_recall(accuracy: ModuleType) -> None:
    score = accuracy.score_toponyms([accuracy.Toponym(0, 4, "geonames:1")], [])
    assert score.precision is None and score.recall == 0.0 and score.acc161 is None


def test_counts_are_compared_as_multisets(accuracy: ModuleType) -> None:
    gold = [("crowd_size", 250), ("crowd_size", 2500), ("arrested", 3)]
    predicted = [("crowd_size", 250), ("arrested", 3), ("arrested", 3), ("injured", 3)]
    score = accuracy.score_counts(gold, predicted)
    assert (score.tp, score.fp, score.fn, score.exact) == (2, 2, 1, 0)
    assert accuracy.score_counts(gold, list(reversed(gold))).exact == 1


def test_scores_add_up_over_texts(accuracy: ModuleType) -> None:
    one = accuracy.score_counts([("arrested", 3)], [("arrested", 3)])
    two = accuracy.score_counts([("injured", 1)], [])
    total = one + two
    assert (total.tp, total.fn, total.texts, total.exact) == (1, 1, 2, 1)
    assert total.exact_share == 0.5


def test_names_are_located_at_their_kth_whole_word_occurrence(accuracy: ModuleType) -> None:
    text = "Osloveien i Oslo og Oslo"
    assert accuracy.locate_names(text, ["Oslo", "Oslo", "Oslo"]) == [(12, 16), (20, 24)]
