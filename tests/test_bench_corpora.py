"""The corpus readers of bench/corpora.py on the real ../shared/corpora (read at run time)."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "corpora.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_corpora", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _require(root: Path) -> None:
    """Skip when the corpora are absent on a developer's machine; fail under CI."""
    if root.is_dir():
        return
    message = f"the shared corpora folder is absent ({root})"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def corpora() -> ModuleType:
    module = _load()
    _require(module.ROOT)
    return module


def test_every_span_of_every_corpus_is_the_text_at_its_offsets(corpora: ModuleType) -> None:
    for corpus in corpora.CORPORA:
        for part in corpora.PARTS[corpus]:
            docs = corpora.documents(corpus, part)
            assert docs, (corpus, part)
            assert any(doc.places for doc in docs), (corpus, part)
            for doc in docs:
                for span in (*doc.places, *doc.others):
                    assert doc.text[span.start : span.end] == span.surface, (doc.id, span)
                for toponym in doc.toponyms:
                    assert 0 <= toponym.start < toponym.end <= len(doc.text), (doc.id, toponym)


def test_place_labels_are_the_corpus_place_labels_only(corpora: ModuleType) -> None:
    for corpus in ("norne-nb", "norne-nn", "swedish", "factrueval"):
        docs = corpora.documents(corpus, "dev")
        labels = {span.label for doc in docs for span in doc.places}
        assert labels <= corpora.PLACE_LABELS[corpus]
        others = {span.label for doc in docs for span in doc.others}
        assert "PER" in others
        assert not others & corpora.PLACE_LABELS[corpus]


def test_geovirus_places_and_toponyms_agree(corpora: ModuleType) -> None:
    docs = corpora.documents("geovirus", "dev")
    assert len(docs) == 229
    assert sum(len(doc.toponyms) for doc in docs) == 2167
    for doc in docs:
        assert [(s.start, s.end) for s in doc.places] == [(t.start, t.end) for t in doc.toponyms]
        for toponym in doc.toponyms:
            assert doc.text[toponym.start : toponym.end] == toponym.name
            assert -90 <= toponym.lat <= 90 and -180 <= toponym.lon <= 180
    linked = [t for doc in docs for t in doc.toponyms if "wikipedia.org/wiki/" in t.wikipedia]
    assert len(linked) > 0.9 * 2167


def test_gum_places_are_named_mentions_not_pronouns(corpora: ModuleType) -> None:
    docs = corpora.documents("gum", "train")
    surfaces = {span.surface.lower() for doc in docs for span in doc.places}
    assert surfaces
    assert not surfaces & {"it", "its", "there", "the city", "this country"}
    assert not any(s.endswith(" 's") for s in surfaces)
    assert all(any(ch.isupper() for ch in span.surface) for doc in docs for span in doc.places)


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("the US", "the US"),
        ("US", "US"),
        ("the UK 's", "the UK"),
        ("Paris", "Paris"),
    ],
)
def test_gum_mention_in_capitals_is_named_though_its_lowercase_is_a_function_word(
    text: str, surface: str
) -> None:
    corpora = _load()
    span = corpora._named(text, 0, len(text), "place")
    assert span is not None
    assert span.surface == surface


@pytest.mark.parametrize("text", ["us", "Us", "It", "the city", "I", "This one"])
def test_gum_mention_without_a_name_word_is_no_named_mention(text: str) -> None:
    assert _load()._named(text, 0, len(text), "place") is None


def test_gum_places_keep_the_us_in_capitals(corpora: ModuleType) -> None:
    docs = corpora.documents("gum", "train")
    surfaces = {span.surface for doc in docs for span in doc.places}
    assert surfaces & {"US", "the US"}


@pytest.mark.parametrize(
    ("corpus", "source"),
    [
        ("swedish", ("swedish-ner", "sv-train.jsonl")),
        ("factrueval", ("factrueval", "ru-dev.jsonl")),
    ],
)
def test_held_out_parts_are_disjoint_and_complete(
    corpora: ModuleType, corpus: str, source: tuple[str, str]
) -> None:
    train = corpora.documents(corpus, "train")
    dev = corpora.documents(corpus, "dev")
    lines = (corpora.ROOT / source[0] / source[1]).read_text(encoding="utf-8").splitlines()
    assert len(train) + len(dev) == sum(1 for line in lines if line.strip())
    assert not {d.id for d in train} & {d.id for d in dev}
    assert len({d.id for d in train} | {d.id for d in dev}) == len(train) + len(dev)
    share = len(dev) / (len(train) + len(dev))
    expected = {"swedish": 0.15, "factrueval": 1 / 3}[corpus]
    assert abs(share - expected) < 0.02


def test_swedish_dev_is_the_tail_of_the_file(corpora: ModuleType) -> None:
    path = corpora.ROOT / "swedish-ner" / "sv-train.jsonl"
    ids = [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]
    dev = [d.id for d in corpora.documents("swedish", "dev")]
    train = [d.id for d in corpora.documents("swedish", "train")]
    assert train + dev == ids


def test_norne_parts_are_different_files(corpora: ModuleType) -> None:
    for corpus in ("norne-nb", "norne-nn"):
        train = {d.id for d in corpora.documents(corpus, "train")}
        dev = {d.id for d in corpora.documents(corpus, "dev")}
        assert train and dev and not train & dev


def test_unknown_part_is_refused(corpora: ModuleType) -> None:
    with pytest.raises(ValueError, match="no part"):
        corpora.documents("geovirus", "train")


def test_missing_corpus_folder_names_the_folder(tmp_path: Path) -> None:
    module = _load()
    with pytest.raises(module.CorpusMissingError, match="geovirus"):
        module.documents("geovirus", "dev", root=tmp_path / "nowhere")


def test_missing_corpus_folder_fails_under_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _load()
    monkeypatch.setattr(module, "ROOT", tmp_path / "absent")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="absent"):
        _require(module.ROOT)
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        _require(module.ROOT)


# -- the scoring of bench/geoparse.py, on hand-made spans --------------------------------------


@pytest.fixture(scope="module")
def geoparse() -> ModuleType:
    root = str(BENCH.parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)  # bench/geoparse.py imports bench.corpora and bench.accuracy
    return importlib.import_module("bench.geoparse")


def _place(kind: str, name: str, code: str, place_id: str = "", lat: float = 0.0) -> Any:
    from geomap.records import Place

    return Place(place_id or f"test:{name}", name, kind, code, lat, 0.0)


def test_overlap_pairs_are_one_to_one_with_the_largest_overlap_first(geoparse: ModuleType) -> None:
    gold = [(0, 4), (5, 15)]
    predicted = [(0, 15)]
    assert geoparse.pair_overlaps(gold, predicted) == [(1, 0)]
    assert geoparse.pair_overlaps([(0, 4)], [(4, 9)]) == []


def test_exact_and_overlap_matches_are_counted_apart(geoparse: ModuleType) -> None:
    text = "From Port Alba to Dunmore and Kells."
    gold = [geoparse.Gold(5, 14, "Port Alba"), geoparse.Gold(18, 25, "Dunmore")]
    predicted = [
        geoparse.Prediction(10, 14, "Alba"),
        geoparse.Prediction(18, 25, "Dunmore"),
        geoparse.Prediction(18, 25, "Dunmore"),  # the same span twice counts once
        geoparse.Prediction(30, 35, "Kells"),
    ]
    tally = geoparse.Tally()
    geoparse.score_document(tally, text, gold, predicted)
    figures = tally.figures()
    assert (tally.gold, tally.predicted) == (2, 3)
    assert figures["exact"]["tp"] == 1 and figures["overlap"]["tp"] == 2
    assert tally.false_places == {"Kells": 1}
    assert tally.boundaries == {"Port Alba → Alba": 1}
    assert not tally.misses


def test_error_auc_runs_from_zero_to_one(geoparse: ModuleType) -> None:
    assert geoparse.error_auc([0.0, 0.0, 0.0]) == 0.0
    assert geoparse.error_auc([20039.0, 20039.0]) == pytest.approx(1.0, rel=1e-4)
    assert geoparse.error_auc([0.0, 20039.0]) == pytest.approx(0.5, rel=1e-4)
    assert geoparse.error_auc([10.0, 0.0, 5000.0]) == geoparse.error_auc([0.0, 10.0, 5000.0])


def test_unresolved_matched_toponym_counts_as_the_largest_error(geoparse: ModuleType) -> None:
    want = geoparse.Gold(0, 4, "Alba", 10.0, 0.0, "Alba")
    near = geoparse.locate(
        want, _place("city", "Alba", "XX", lat=10.5), country_of=lambda a, b: None
    )
    lost = geoparse.locate(want, None, country_of=lambda a, b: None)
    figures = geoparse.resolution_figures([near, lost])
    assert figures["acc161"] == 0.5 and figures["unresolved"] == 1
    assert figures["median_km"] == pytest.approx((near.km + 20039.0) / 2)


def test_a_country_or_region_is_scored_by_its_entity(geoparse: ModuleType) -> None:
    us_state = _place("region", "Georgia", "US", "iso3166-2:US-GA")
    country = _place("country", "Georgia", "GE", "iso3166:GE")
    assert geoparse.is_gold_entity("Georgia (U.S. state)", us_state, gold_country="US")
    assert not geoparse.is_gold_entity("Georgia (U.S. state)", country, gold_country="US")
    assert geoparse.is_gold_entity("Georgia (country)", country, gold_country="GE")
    america = _place("country", "America", "US", "iso3166:US")
    assert geoparse.is_gold_entity("United States", america, gold_country="US")
    town = _place("city", "Georgia", "US")
    assert not geoparse.is_gold_entity("Georgia (U.S. state)", town, gold_country="US")
    namesake = _place("region", "Long Island", "BS")
    assert not geoparse.is_gold_entity("Long Island", namesake, gold_country="US")
    assert geoparse.wikipedia_title("https://en.wikipedia.org/wiki/Victoria_%28Australia%29") == (
        "Victoria (Australia)"
    )
    victoria = _place("region", "Victoria", "AU", "iso3166-2:AU-VIC")
    assert geoparse.is_gold_entity("Victoria (Australia)", victoria, gold_country="AU")
