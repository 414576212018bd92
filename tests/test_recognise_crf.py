"""The CRF's inference read from the model file gives crfsuite's labels and marginals."""

from __future__ import annotations

import random
from pathlib import Path

import pycrfsuite  # type: ignore[import-untyped]
import pytest

from geomap.recognise.crf import (
    LABELS,
    Model,
    Score,
    load_model,
    marginals,
    read_model,
    viterbi,
)
from geomap.recognise.learned import MODEL_PATH


@pytest.fixture(scope="module")
def model() -> Model:
    found = read_model(MODEL_PATH)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def crfsuite() -> pycrfsuite.Tagger:
    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL_PATH))
    return tagger


def _score(model: Model, row: list[str]) -> Score:
    return sum((model.weights[feature] for feature in row), 0j)


def test_the_weights_are_those_crfsuite_dumps(model: Model, crfsuite: pycrfsuite.Tagger) -> None:
    info = crfsuite.info()  # crfsuite's own dump of the model, to six decimals
    assert list(LABELS) == crfsuite.labels()
    weights: dict[str, dict[str, float]] = {}
    for (attribute, name), weight in info.state_features.items():
        weights.setdefault(attribute, {})[name] = weight
    for attribute, by_label in weights.items():
        outside = by_label.get("O", 0.0)
        begin, inside = by_label.get("B", 0.0) - outside, by_label.get("I", 0.0) - outside
        assert model.weights[attribute] == pytest.approx(complex(begin, inside), abs=1e-5)
    for (before, after), weight in info.transitions.items():
        found = model.transitions[LABELS.index(before)][LABELS.index(after)]
        assert found == pytest.approx(weight, abs=1e-6)


def test_labels_and_marginals_are_crfsuites(model: Model, crfsuite: pycrfsuite.Tagger) -> None:
    attributes = sorted(model.weights)
    chooser = random.Random(7)
    for _ in range(300):
        rows = [
            chooser.sample(attributes, chooser.randint(1, 30)) for _ in range(chooser.randint(1, 7))
        ]
        crfsuite.set(rows)
        expected = crfsuite.tag()
        scores = [_score(model, row) for row in rows]
        assert [LABELS[i] for i in viterbi(scores, model.transitions)] == expected
        found = marginals(scores, model.steps)
        for position, chances in enumerate(found):
            for index, name in enumerate(LABELS):
                assert chances[index] == pytest.approx(crfsuite.marginal(name, position), abs=1e-9)


def test_equal_scores_go_to_the_lowest_label_as_in_crfsuite() -> None:
    flat = ((0.0, 0.0, 0.0),) * 3
    assert viterbi([0j, 0j], flat) == [0, 0]
    assert viterbi([3 + 3j], flat) == [1]


def test_marginals_do_not_overflow_on_large_scores(model: Model) -> None:
    found = marginals([-900 - 900j, 900 + 0j], model.steps)
    assert found[0][0] == pytest.approx(1.0)
    assert found[1][1] == pytest.approx(1.0)


def test_a_file_that_is_no_crfsuite_model_has_no_weights(tmp_path: Path) -> None:
    junk = tmp_path / "junk.crfsuite"
    junk.write_bytes(b"lCRF" + bytes(60))
    assert read_model(junk) is None
    assert read_model(tmp_path / "absent.crfsuite") is None


def test_the_weights_kept_in_the_cache_folder_are_the_models(
    model: Model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(tmp_path / "cache"))
    first = load_model(MODEL_PATH)  # read from the model file, then kept
    kept = list((tmp_path / "cache").glob("crf-*.marshal"))
    second = load_model(MODEL_PATH)  # read from the cache
    assert len(kept) == 1
    assert first == second == model


def test_a_changed_model_file_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(tmp_path / "cache"))
    copy = tmp_path / "places.crfsuite"
    copy.write_bytes(MODEL_PATH.read_bytes())
    assert load_model(copy) is not None
    copy.write_bytes(b"not a model")  # another size: another cache file
    assert load_model(copy) is None


@pytest.mark.usefixtures("unwritable_cache")
def test_an_unwritable_cache_folder_still_gives_the_model(model: Model) -> None:
    assert load_model(MODEL_PATH) == model
