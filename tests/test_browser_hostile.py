"""Hostile article text in the browser: nothing runs, nothing is evaluated, all shows as text.

The article below is written for this test. Its sentences report events (so their evidence
reaches popups in every layer) and carry script tags, an ``onerror`` image, template literals,
backticks, a closing script tag, Jinja expressions and statements, and ``javascript:`` links;
its file name carries some too, and shows as the source. The page's ``alert``, ``confirm``,
``prompt``, ``print`` and ``open`` are replaced before any of its scripts run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import (
    MapPage,
    build_map,
    close_map,
    features,
    open_map,
    selected,
)

from geomap.layers import LayerSpec, load_layers

pytestmark = pytest.mark.browser

PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "${alert(1)}",
    "`alert(1)`",
    "</script><script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% raw %}",
    '<a href="javascript:alert(1)">this link</a>',
    "javascript:alert(1)",
)
FILE_NAME = "report {{ 7*7 }} <img src=x onerror=alert(2)> ${alert(3)} `x`.txt"
ARTICLE = """date 2022-01-06
Unrest <script>alert(1)</script> in Kazakhstan

Protesters carrying a banner reading <script>alert(1)</script> gathered in Almaty, where at \
least 3 people were killed.
In Shymkent at least 5 people were killed near a sign saying <img src=x onerror=alert(1)> and \
${alert(1)}.
Protesters chanting `alert(1)` and </script><script>alert(1)</script> clashed with police in \
Taraz, where 40 people were injured.
Police detained 200 people in Aktobe after posts with {{ 7*7 }} and {% raw %} and {{ config }} \
spread online.
In Oral at least 2 people were killed, according to <a href="javascript:alert(1)">this link</a> \
and javascript:alert(1) posts.
Protesters occupied the airport in Almaty {{ 7*7 }} <b>bold</b>.
Across Kazakhstan at least 160 people were killed {{ 7*7 }} <script>alert(1)</script> \
${alert(1)}.
The CSTO, an alliance of Russia, Belarus and Armenia, sent 2,030 soldiers ${alert(1)} \
{{ 7*7 }} to Kazakhstan.
In Semey at least 4 people were killed after a post saying {{ 7*7 }}.
"""
#: A sentence of the article that ends in characters set apart by a space.
SPACED_END = "In Semey at least 4 people were killed after a post saying {{ 7*7 }}."
TRAPS = """
(() => {
  window.__fired = [];
  for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
    window[name] = function (...args) { window.__fired.push(name + ": " + String(args[0])); };
  }
})();
"""
#: Element names a popup or tooltip may hold; a link only to a web page.
ALLOWED_TAGS = {"DIV", "SPAN", "TABLE", "TBODY", "TR", "TH", "TD", "BLOCKQUOTE", "H4", "HR", "A"}

#: Open the popup and tooltip of every feature through Leaflet's events; what each showed.
#: Popups and tooltips are built from the columns once their rows are read, so each open is
#: awaited (``opened()``) before the next.
OPEN_EVERYTHING = """
async () => {
  const map = window.geomap.map;
  const seen = (node) => ({
    text: node.textContent,
    tags: [...node.querySelectorAll("*")].map((e) => e.tagName),
    links: [...node.querySelectorAll("a")].map((a) => a.getAttribute("href")),
  });
  let popups = [];
  let tips = [];
  map.on("popupopen", (e) => popups.push(seen(e.popup.getElement().querySelector(".leaflet-popup-content"))));
  map.on("tooltipopen", (e) => tips.push(seen(e.tooltip.getElement())));
  const shown = [];
  for (const entry of window.geomap.layers) {
    const parts = entry.layer.cluster ? [...entry.drawn.values()] : entry.parts;
    for (const part of parts) {
      popups = [];
      tips = [];
      const target = part.getLayers ? part.getLayers()[0] : part;
      const latlng = target.getLatLng ? target.getLatLng() : target.getBounds().getCenter();
      target.fire("click", { latlng: latlng }, true);
      await window.geomap.opened();
      map.closePopup();
      target.fire("mouseover", { latlng: latlng }, true);
      await window.geomap.opened();
      target.fire("mouseout", { latlng: latlng }, true);
      const bound = target.getTooltip ? target.getTooltip() : null;
      if (bound) {
        target.openTooltip();
        tips.push(seen(bound.getElement()));
      }
      shown.push({
        layer: entry.id,
        id: part.options.geomapId || null,
        popups: popups,
        tips: tips,
      });
    }
  }
  return shown;
}
"""


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    article = folder / FILE_NAME
    article.write_text(ARTICLE, encoding="utf-8")
    out = folder / "out"
    build_map([article], out)
    return out


@pytest.fixture(scope="module")
def hostile(browser: Any, hostile_out: Path) -> Iterator[MapPage]:
    opened = open_map(browser, hostile_out / "map.html", init_script=TRAPS)
    yield opened
    close_map(opened)


@pytest.fixture(scope="module")
def opened_everything(hostile: MapPage) -> list[dict[str, Any]]:
    """What every popup and tooltip showed, once all were opened."""
    shown: list[dict[str, Any]] = hostile.page.evaluate(OPEN_EVERYTHING)
    hostile.settle()
    return shown


@pytest.fixture(scope="module")
def specs() -> tuple[LayerSpec, ...]:
    return load_layers()


def squashed(text: str) -> str:
    return " ".join(text.split())


def evidence_of(out: Path, specs: tuple[LayerSpec, ...]) -> dict[str, set[str]]:
    """Per feature id drawn (event, country or flow), the evidence sentences it stands for."""
    result: dict[str, set[str]] = {}
    events = features(out / "events.geojson")
    flows = features(out / "flows.geojson")
    for spec in specs:
        rows = selected(flows if spec.source == "flows" else events, spec)
        for row in rows:
            key = {"points": "event_id_cnty", "shapes": "place_id", "flows": "flow_id"}[spec.draw]
            result.setdefault(row[key], set()).add(squashed(row["evidence"]))
    return result


def test_the_article_puts_every_payload_into_evidence_on_every_kind_of_layer(
    hostile_out: Path, specs: tuple[LayerSpec, ...]
) -> None:
    evidence = " ".join(
        s for sentences in evidence_of(hostile_out, specs).values() for s in sentences
    )
    assert [payload for payload in PAYLOADS if payload not in evidence] == []
    drawn = {spec.draw for spec in specs}
    events = features(hostile_out / "events.geojson")
    flows = features(hostile_out / "flows.geojson")
    kinds = {
        spec.draw
        for spec in specs
        if any(
            "{{ 7*7 }}" in r["evidence"]
            for r in selected(flows if spec.source == "flows" else events, spec)
        )
    }
    assert kinds == drawn


def test_loading_the_map_runs_nothing_and_fetches_nothing(
    hostile: MapPage, hostile_out: Path
) -> None:
    assert hostile.page.evaluate("() => window.__fired") == []
    assert hostile.errors == []
    assert hostile.console == []
    assert hostile.blocked == []
    assert hostile.requests == [(hostile_out / "map.html").as_uri()]


def test_opening_every_popup_and_tooltip_runs_nothing(
    hostile: MapPage, hostile_out: Path, opened_everything: list[dict[str, Any]]
) -> None:
    assert opened_everything
    page = hostile.page
    assert page.evaluate("() => window.__fired") == []
    assert hostile.errors == []
    assert hostile.console == []
    assert hostile.blocked == []
    assert hostile.requests == [(hostile_out / "map.html").as_uri()]
    assert (
        page.evaluate("() => document.querySelectorAll('img, iframe, object, embed').length") == 0
    )
    assert page.evaluate("() => document.querySelectorAll('[href^=\"javascript:\" i]').length") == 0
    assert (
        page.evaluate(
            "() => [...document.querySelectorAll('*')].filter((e) =>"
            " [...e.attributes].some((a) => /^on/i.test(a.name))).length"
        )
        == 0
    )


def test_every_popup_shows_its_evidence_and_source_as_literal_text(
    opened_everything: list[dict[str, Any]], hostile_out: Path, specs: tuple[LayerSpec, ...]
) -> None:
    evidence = evidence_of(hostile_out, specs)
    source = features(hostile_out / "events.geojson")[0]["source"]
    for item in opened_everything:
        assert len(item["popups"]) == 1, item
        popup = item["popups"][0]
        text = squashed(popup["text"])
        assert set(popup["tags"]) <= ALLOWED_TAGS
        assert all(re.match(r"https?://", link or "") for link in popup["links"])
        assert source in popup["text"]
        for sentence in evidence.get(item["id"], set()):
            assert sentence in text
    shown = " ".join(squashed(popup["text"]) for i in opened_everything for popup in i["popups"])
    assert [payload for payload in PAYLOADS if payload not in shown] == []
    assert FILE_NAME in shown


def test_every_tooltip_shows_its_text_literally(
    opened_everything: list[dict[str, Any]], hostile_out: Path
) -> None:
    events = {row["event_id_cnty"]: row for row in features(hostile_out / "events.geojson")}
    flows = {row["flow_id"]: row for row in features(hostile_out / "flows.geojson")}
    for item in opened_everything:
        assert item["tips"], item
        assert all(set(tip["tags"]) <= ALLOWED_TAGS for tip in item["tips"])
        text = " ".join(tip["text"] for tip in item["tips"])
        if item["id"] in events:
            assert events[item["id"]]["location"] in text
        if item["id"] in flows:
            assert f"{flows[item['id']]['origin']} → {flows[item['id']]['destination']}" in text


def test_a_popup_shows_the_whole_sentence_even_when_it_ends_apart_from_its_last_word(
    opened_everything: list[dict[str, Any]],
) -> None:
    shown = [squashed(p["text"]) for item in opened_everything for p in item["popups"]]
    assert any(SPACED_END in text for text in shown)
