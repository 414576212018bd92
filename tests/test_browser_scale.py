"""A map of many events in the browser: clusters count every shown event, popups read the right
rows from the columnar payload (compressed text chunks included), and text stays text."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import MapPage, close_map, open_map

from geomap import join
from geomap.layers import load_layers
from geomap.records import DAY, Article, EventFact, ParsedArticle, Place
from geomap.render import MapOptions, render_map
from geomap.render.payload import TEXT_CHUNK

pytestmark = pytest.mark.browser

PLACES = 400
EVENTS = 3 * TEXT_CHUNK  # several chunks per text column
DAYS = 5
#: Events alone at their place, whose popups the tests open.
PROBES = 12
HOSTILE = "Marchers wrote </script><img src=x onerror=alert(1)> and {{ 6*7 }} on the wall."


def _event(i: int, place: Place, evidence: str) -> EventFact:
    return EventFact(
        article_id=f"art{i // 50}",
        event_type="Protests",
        sub_event_type="Peaceful protest",
        disorder_type="Demonstrations",
        place=place,
        geo_precision=1,
        evidence=evidence,
        evidence_start=0,
        evidence_end=len(evidence),
        date=dt.date(2022, 3, 1) + dt.timedelta(days=i % DAYS),
        time_precision=DAY,
        actor1="Protesters",
        arrested=i % 7 or None,
        layer="incidents",
    )


def _events() -> ParsedArticle:
    """Events at a grid of places over three continents, and a few alone at their place."""
    places = [
        Place(f"test:{k}", f"Place {k}", "city", "XX", -30 + (k % 20) * 4.5, -100 + (k // 20) * 11)
        for k in range(PLACES)
    ]
    events = [
        _event(i, places[i % PLACES], f"Report {i}: a crowd of {i % 90 + 10} marched downtown.")
        for i in range(EVENTS - PROBES)
    ]
    for p in range(PROBES):
        place = Place(f"probe:{p}", f"Probe {p}", "city", "XX", 62.5, -150 + p * 25)
        evidence = f"Probe {p} only. {HOSTILE}"
        events.append(_event(EVENTS - PROBES + p, place, evidence))
    article = Article("scale", "https://news.example/scale", "scale", None, "en", "")
    return ParsedArticle(article=article, events=tuple(events))


@pytest.fixture(scope="module")
def scale_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    parsed = _events()
    events = join.events_frame([parsed])
    html = render_map(
        events, join.flows_frame([parsed]), load_layers(), options=MapOptions(self_contained=True)
    )
    path = tmp_path_factory.mktemp("scale") / "map.html"
    path.write_text(html, encoding="utf-8")
    match = re.search(r'<script type="application/json" id="\w+">(.*?)</script>', html, re.S)
    assert match is not None
    (layer,) = [layer for layer in json.loads(match.group(1))["layers"] if layer["cluster"]]
    return path, layer


@pytest.fixture(scope="module")
def scale(browser: Any, scale_page: tuple[Path, dict[str, Any]]) -> Iterator[MapPage]:
    opened = open_map(browser, scale_page[0])
    yield opened
    close_map(opened)


def _ids(layer: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    for chunk in layer["ids"]["chunks"]:
        ids += json.loads(zlib.decompress(base64.b64decode(chunk)).decode("utf-8"))
    return ids


#: Events counted by the clusters and points a clustered layer draws.
COUNTED = """
() => {
  const entry = window.geomap.layers.find((e) => e.layer.cluster);
  let counted = 0;
  for (const part of entry.drawn.values()) {
    if (!entry.container.hasLayer(part)) continue;
    counted += part.options.geomapCluster ? part.options.geomapCluster.count : 1;
  }
  return counted;
}
"""


def test_clusters_count_every_shown_event_at_each_zoom_and_date(scale: MapPage) -> None:
    page = scale.page
    for zoom in (1, 2, 3):
        scale.center_on(20, 0, zoom)
        assert page.evaluate(COUNTED) == EVENTS
    slider = page.locator(".geomap-slider input")
    slider.focus()
    page.keyboard.press("Home")
    scale.settle()
    first_day = len([i for i in range(EVENTS) if i % DAYS == 0])
    assert page.evaluate(COUNTED) == first_day
    page.keyboard.press("End")
    scale.settle()
    assert page.evaluate(COUNTED) == EVENTS
    assert not scale.errors


def test_a_popup_in_a_later_chunk_shows_its_own_event_as_text(
    scale: MapPage, scale_page: tuple[Path, dict[str, Any]]
) -> None:
    ids = _ids(scale_page[1])
    events = join.events_frame([_events()])
    probes = events[events["place_id"].str.startswith("probe:")]
    late = [
        (ids.index(row.event_id_cnty), row)
        for row in probes.itertuples()
        if ids.index(row.event_id_cnty) >= TEXT_CHUNK
    ]
    assert late, "no probe event sorted past the first chunk"
    _index, row = max(late, key=lambda item: item[0])
    x, y = scale.center_on(float(row.latitude), float(row.longitude), 12)
    scale.page.mouse.click(x, y)
    text = scale.popup_text()
    assert row.location in text
    assert row.evidence in " ".join(text.split())
    assert scale.page.evaluate("() => document.querySelectorAll('.leaflet-popup img').length") == 0
    scale.close_popup()
    assert not scale.errors
