"""Hostile shapes of text cost linear work in parse: no per-candidate scan of a whole sentence.

Time is measured by ``bench/limits.py``; here the *work* is counted instead, so the test is
deterministic: every line geomap's own code executes while parsing an article (a trace hook
counts them) must grow in proportion to the article. A scan of the whole sentence per candidate
place (issue 14: ``'Almaty ' * 37450`` took 450 s) makes twice the text cost four times the work.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import geomap
from geomap.geocode import OfflineGazetteer
from geomap.ingest import IngestOptions, article_from_bytes
from geomap.pipeline import parse_article

PACKAGE = str(Path(geomap.__file__).resolve().parent)
#: Twice the text may cost at most this much more work (linear is 2, quadratic about 4).
MAX_GROWTH = 2.5


@pytest.fixture(scope="module")
def geocoder() -> OfflineGazetteer:
    return OfflineGazetteer()


def _lines_run(text: str, geocoder: OfflineGazetteer) -> int:
    """Lines of geomap's code executed while parsing ``text`` (ingest excluded)."""
    article = article_from_bytes(text.encode(), source="hostile.txt", options=IngestOptions())
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename.startswith(PACKAGE) else None

    parse_article(article, geocoder=geocoder)  # warm caches, so both sizes start alike
    sys.settrace(tracer)
    try:
        parse_article(article, geocoder=geocoder)
    finally:
        sys.settrace(None)
    return count


def _capitalised_run(n: int) -> str:
    return "Almaty " * n


def _one_sentence_of_places(n: int) -> str:
    names = ["Almaty", "Astana", "Shymkent", "Aktobe", "Taraz", "Oslo", "Bergen", "Moscow"]
    return "Protests spread to " + ", ".join(names[i % len(names)] for i in range(n)) + "."


def _airports_in_one_sentence(n: int) -> str:
    return "Protesters " + " ".join("held Almaty and flyplassen" for _ in range(n // 4)) + "."


def _headline_run(n: int) -> str:
    return " ".join(("Crowds", "Gather", "Across", "Almaty", "Streets")[i % 5] for i in range(n))


def _no_breaks(n: int) -> str:
    words = "police said 40 people were killed in Almaty and 30 were killed in Astana og".split()
    return " ".join(words[i % len(words)] for i in range(n))


@pytest.mark.parametrize(
    "shape",
    [
        _capitalised_run,
        _one_sentence_of_places,
        _airports_in_one_sentence,
        _headline_run,
        _no_breaks,
    ],
)
def test_twice_the_hostile_text_costs_at_most_twice_the_work(
    geocoder: OfflineGazetteer, shape: Callable[[int], str]
) -> None:
    small = _lines_run(shape(600), geocoder)
    large = _lines_run(shape(1200), geocoder)
    assert large <= MAX_GROWTH * small, (shape.__name__, small, large)


def test_a_long_capitalised_run_still_finds_its_places(geocoder: OfflineGazetteer) -> None:
    article = article_from_bytes(
        _capitalised_run(3000).encode(), source="run.txt", options=IngestOptions()
    )
    parsed = parse_article(article, geocoder=geocoder)
    assert parsed.mentions or parsed.unresolved  # bounded work, not dropped text
