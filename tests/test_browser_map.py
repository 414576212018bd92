"""The sample map as a person sees it, in headless Chromium with the network cut off.

The map is built once from the NTB article with ``geomap build --self-contained``; what each
layer should draw comes from the exports written next to it (events.geojson, flows.geojson)
and the layer specs, never from the article.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import (
    VIEWPORT,
    MapPage,
    build_map,
    close_map,
    expected_layers,
    features,
    layer_title,
    normalise_ends,
    open_map,
    require_article,
    run_cli,
    selected,
)
from conftest import NTB_ARTICLE

from geomap.layers import LayerSpec, load_layers

pytestmark = pytest.mark.browser

CLOSE_UP = 9  # a zoom at which markers of different places no longer overlap


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample article's outputs: map.html, events.geojson, flows.geojson, the store."""
    article = require_article(NTB_ARTICLE)
    out = tmp_path_factory.mktemp("sample") / "out"
    build_map([article], out)
    return out


@pytest.fixture(scope="module")
def sample(browser: Any, sample_out: Path) -> Iterator[MapPage]:
    """The sample map, opened once; its screenshot is written next to it as it first shows."""
    opened = open_map(browser, sample_out / "map.html")
    opened.page.screenshot(path=str(sample_out / "map.png"))
    yield opened
    close_map(opened)


@pytest.fixture(scope="module")
def specs() -> tuple[LayerSpec, ...]:
    return load_layers()


@pytest.fixture
def fitted(sample: MapPage, sample_out: Path) -> MapPage:
    """The sample map with every layer ticked, no popup, and the view over all events."""
    page = sample.page
    for box in page.locator(".leaflet-control-layers-overlays input").all():
        box.check()
    sample.close_popup()
    page.mouse.move(0, VIEWPORT["height"] - 1)
    page.evaluate(
        "() => { const g = window.geomap; const all = L.latLngBounds([]);"
        " for (const e of g.layers) if (e.container.getLayers().length)"
        " all.extend(e.container.getBounds());"
        " g.map.fitBounds(all, { animate: false }); }"
    )
    sample.settle()
    return sample


def spec_of(specs: tuple[LayerSpec, ...], layer_id: str) -> LayerSpec:
    return next(spec for spec in specs if spec.id == layer_id.split(":", 1)[0])


def squashed(text: str) -> str:
    return " ".join(text.split())


# -- loading --------------------------------------------------------------------------------


def test_the_self_contained_map_loads_with_no_error_and_no_network(
    sample: MapPage, sample_out: Path
) -> None:
    assert sample.errors == []
    assert [line for line in sample.console if line.startswith(("error", "warning"))] == []
    assert sample.blocked == []
    assert sample.requests == [(sample_out / "map.html").as_uri()]


def test_the_network_guard_records_the_tiles_a_map_with_online_tiles_asks_for(
    browser: Any, sample_out: Path, tmp_path: Path
) -> None:
    online = tmp_path / "online"
    store = sample_out / "geomap.gpkg"
    run_cli("render", "--store", str(store), "--out", str(online), "--online-tiles", cwd=tmp_path)
    opened = open_map(browser, online / "map.html")
    try:
        assert opened.blocked, "the tile layer asked for no tile"
        assert all(url.startswith("https://") and url.endswith(".png") for url in opened.blocked)
    finally:
        close_map(opened)


def test_a_screenshot_of_the_sample_map_is_written_next_to_it(
    sample: MapPage, sample_out: Path
) -> None:
    data = (sample_out / "map.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (VIEWPORT["width"], VIEWPORT["height"])


# -- what is drawn --------------------------------------------------------------------------


def test_each_layer_draws_the_features_of_the_exports(
    fitted: MapPage, sample_out: Path, specs: tuple[LayerSpec, ...]
) -> None:
    state = fitted.layers()
    assert {i: normalise_ends(s["held"]) for i, s in state.items()} == expected_layers(
        sample_out, specs
    )
    for layer_id, layer in state.items():
        assert layer["groupOnMap"] == spec_of(specs, layer_id).show
        assert sorted(layer["drawn"]) == (sorted(layer["held"]) if layer["groupOnMap"] else [])


def test_a_time_slider_shows_only_when_events_have_two_dates_or_more(
    fitted: MapPage, sample_out: Path
) -> None:
    rows = features(sample_out / "events.geojson") + features(sample_out / "flows.geojson")
    dates = {(row["event_date"], row["time_precision"]) for row in rows if row["event_date"]}
    assert fitted.page.locator(".geomap-slider input[type=range]").count() == int(len(dates) > 1)


def test_unticking_a_layer_hides_its_features_and_ticking_shows_them_again(
    fitted: MapPage, sample_out: Path, specs: tuple[LayerSpec, ...]
) -> None:
    page = fitted.page
    for layer_id, before in fitted.layers().items():
        lat, lon = anchor(sample_out, spec_of(specs, layer_id), layer_id)
        x, y = fitted.center_on(lat, lon, 5)
        clip = {"x": x - 15, "y": y - 15, "width": 30, "height": 30}
        seen = page.screenshot(clip=clip)
        title = layer_title(spec_of(specs, layer_id), layer_id)
        box = page.get_by_role("checkbox", name=title, exact=True)

        box.uncheck()
        fitted.settle()
        hidden = fitted.layers()[layer_id]
        assert (hidden["groupOnMap"], hidden["drawn"]) == (False, [])
        assert sorted(hidden["held"]) == sorted(before["held"])
        assert page.screenshot(clip=clip) != seen

        box.check()
        fitted.settle()
        shown = fitted.layers()[layer_id]
        assert sorted(shown["drawn"]) == sorted(before["held"])
        assert page.screenshot(clip=clip) == seen


def anchor(out: Path, spec: LayerSpec, layer_id: str) -> tuple[float, float]:
    """A spot where the layer draws something: an event, or a flow's destination."""
    if spec.source == "flows":
        rows = selected(features(out / "flows.geojson"), spec)
        actor = layer_id.split(":", 1)[1]
        lon, lat = next(r for r in rows if r["actor"] == actor)["_geometry"]["coordinates"][-1]
        return lat, lon
    row = selected(features(out / "events.geojson"), spec)[0]
    return row["latitude"], row["longitude"]


# -- popups and tooltips --------------------------------------------------------------------


def test_clicking_a_marker_opens_a_popup_with_the_evidence_of_every_event_there(
    fitted: MapPage, sample_out: Path, specs: tuple[LayerSpec, ...]
) -> None:
    events = features(sample_out / "events.geojson")
    points = [spec for spec in specs if spec.draw == "points"]
    clicked = 0
    for spec in points:
        rows = selected(events, spec)
        for row in rows:
            x, y = fitted.center_on(row["latitude"], row["longitude"], CLOSE_UP)
            fitted.page.mouse.click(x, y)
            text = squashed(fitted.popup_text())
            here = [
                r
                for r in rows
                if (r["latitude"], r["longitude"]) == (row["latitude"], row["longitude"])
            ]
            for other in here:
                assert squashed(other["evidence"]) in text
            assert (f"{len(here)} events here" in text) == (len(here) > 1)
            fitted.close_popup()
            clicked += 1
    assert clicked, "the sample map has point markers (the airport)"


def test_hovering_a_marker_shows_its_tooltip(
    fitted: MapPage, sample_out: Path, specs: tuple[LayerSpec, ...]
) -> None:
    events = features(sample_out / "events.geojson")
    rows = [row for spec in specs if spec.draw == "points" for row in selected(events, spec)]
    assert rows, "the sample map has point markers (the airport)"
    for row in rows:
        x, y = fitted.center_on(row["latitude"], row["longitude"], CLOSE_UP)
        fitted.page.mouse.move(x, y)
        tooltip = fitted.page.locator(".leaflet-tooltip:not(.geomap-label)")
        assert row["location"] in tooltip.inner_text()
        fitted.page.mouse.move(0, VIEWPORT["height"] - 1)


def _deployment_rows(sample_out: Path, specs: tuple[LayerSpec, ...]) -> list[dict[str, Any]]:
    """The flows the sample map draws; the article names a deployment, so there are some."""
    rows = [
        row
        for spec in specs
        if spec.source == "flows"
        for row in selected(features(sample_out / "flows.geojson"), spec)
    ]
    assert rows, "the sample article's CSTO deployment is missing from flows.geojson"
    return rows


def test_clicking_a_deployment_line_shows_its_evidence_and_states(
    fitted: MapPage, sample_out: Path, specs: tuple[LayerSpec, ...]
) -> None:
    flows = _deployment_rows(sample_out, specs)
    for row in flows:
        (lon_a, lat_a), (lon_b, lat_b) = row["_geometry"]["coordinates"][:2]
        fitted.center_on((lat_a + lat_b) / 2, (lon_a + lon_b) / 2, 5)
        (xa, ya), (xb, yb) = fitted.screen_point(lat_a, lon_a), fitted.screen_point(lat_b, lon_b)
        fitted.page.mouse.click((xa + xb) / 2, (ya + yb) / 2)
        text = squashed(fitted.popup_text())
        assert squashed(row["evidence"]) in text
        assert row["origin"] in text
        assert row["destination"] in text
        fitted.close_popup()


def test_clicking_a_deployment_destination_shows_the_contingent_and_its_evidence(
    fitted: MapPage, sample_out: Path, specs: tuple[LayerSpec, ...]
) -> None:
    flows = _deployment_rows(sample_out, specs)
    lon, lat = flows[0]["_geometry"]["coordinates"][-1]
    x, y = fitted.center_on(lat, lon, CLOSE_UP)
    fitted.page.mouse.click(x, y)
    text = squashed(fitted.popup_text())
    into = [r for r in flows if r["_geometry"]["coordinates"][-1] == [lon, lat]]
    for row in into:
        assert squashed(row["evidence"]) in text
        assert row["origin"] in text


def test_clicking_a_country_outline_shows_its_figures_with_their_evidence(
    fitted: MapPage, sample_out: Path, specs: tuple[LayerSpec, ...]
) -> None:
    events = features(sample_out / "events.geojson")
    shapes = [spec for spec in specs if spec.draw == "shapes"]
    rows = [row for spec in shapes for row in selected(events, spec)]
    assert rows, "the sample map has country-level figures (Kazakhstan)"
    others = [
        layer_title(spec_of(specs, layer_id), layer_id)
        for layer_id, layer in fitted.layers().items()
        if layer["kind"] != "shapes"
    ]
    for title in others:  # as a person would: only the outlines left, nothing on top
        fitted.page.get_by_role("checkbox", name=title, exact=True).uncheck()
    for place in sorted({row["place_id"] for row in rows}):
        figures = [row for row in rows if row["place_id"] == place]
        x, y = fitted.center_on(figures[0]["latitude"], figures[0]["longitude"], 5)
        fitted.page.mouse.click(x, y)
        text = squashed(fitted.popup_text())
        assert figures[0]["location"] in text
        for row in figures:
            assert squashed(row["evidence"]) in text
        fitted.close_popup()
