"""The time slider and clustering, in headless Chromium with the network cut off.

The map is built once from short articles written for this test (in our own words), each with
its own ``date`` line and one without any, so that events and a deployment fall on several
dates. What each slider position should show comes from the exports and the layer specs.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import (
    MapPage,
    build_map,
    close_map,
    expected_layers,
    features,
    layer_title,
    normalise_ends,
    open_map,
    run_cli,
)

from geomap.layers import LayerSpec, default_layers_dir, load_layers

pytestmark = pytest.mark.browser

ARTICLES = {
    "almaty.txt": "date 2022-01-04\nArrests in Almaty\n\n"
    "Police detained 200 people in Almaty on Tuesday after a night of protests.\n",
    "shymkent.txt": "date 2022-01-05\nDeadly clashes in Shymkent\n\n"
    "In Shymkent at least 5 people were killed when police opened fire on protesters.\n",
    "allies.txt": "date 2022-01-06\nAllies send troops\n\n"
    "The CSTO, an alliance of Russia, Belarus and Armenia, sent 2,030 soldiers and "
    "250 military vehicles to Kazakhstan.\n",
    "taraz.txt": "date 2022-01-07\nClashes in Taraz\n\n"
    "Protesters clashed with soldiers in Taraz, where at least 3 people were killed and "
    "40 were injured.\n",
    "aktobe.txt": "Rioters set fire to 12 cars in Aktobe, where 30 people were injured.\n",
}
SLIDER = ".geomap-slider input[type=range]"


@pytest.fixture(scope="module")
def timeline_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("timeline")
    sources = []
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
        sources.append(folder / name)
    out = folder / "out"
    build_map(sources, out)
    return out


@pytest.fixture(scope="module")
def timeline(browser: Any, timeline_out: Path) -> Iterator[MapPage]:
    opened = open_map(browser, timeline_out / "map.html")
    yield opened
    close_map(opened)


@pytest.fixture(scope="module")
def clustered_out(timeline_out: Path) -> Path:
    """The same store rendered with layers that cluster the incidents from two events up."""
    layers = timeline_out.parent / "clustering-layers"
    shutil.copytree(default_layers_dir(), layers)
    incidents = next(
        path for path in layers.glob("*.toml") if re.search(r"(?m)^cluster_over", path.read_text())
    )
    text = re.sub(r"(?m)^cluster_over\s*=.*$", "cluster_over = 1", incidents.read_text())
    incidents.write_text(text, encoding="utf-8")
    out = timeline_out.parent / "clustered"
    store = timeline_out / "geomap.gpkg"
    args = ("render", "--store", str(store), "--out", str(out), "--layers", str(layers))
    run_cli(*args, "--self-contained", cwd=timeline_out.parent)
    return out


@pytest.fixture(scope="module")
def clustered(browser: Any, clustered_out: Path) -> Iterator[MapPage]:
    opened = open_map(browser, clustered_out / "map.html")
    yield opened
    close_map(opened)


@pytest.fixture(scope="module")
def specs() -> tuple[LayerSpec, ...]:
    return load_layers()


@pytest.fixture
def at_the_end(timeline: MapPage) -> MapPage:
    """The timeline map with every layer ticked and the slider at its last date."""
    for box in timeline.page.locator(".leaflet-control-layers-overlays input").all():
        box.check()
    move_slider(timeline, "End")
    return timeline


def move_slider(opened: MapPage, key: str) -> str:
    """Press ``key`` on the slider, as a person using the keyboard; the date it shows."""
    opened.page.locator(SLIDER).press(key)
    opened.settle()
    label = opened.page.locator(".geomap-slider").inner_text()
    return label.strip().removeprefix("Events up to ").strip()


def up_to(date: str) -> Any:
    """Rows dated on or before ``date``, and undated ones (always shown)."""
    return lambda row: not row["event_date"] or row["event_date"] <= date


def shown(opened: MapPage) -> dict[str, set[str]]:
    return {layer_id: normalise_ends(s["drawn"]) for layer_id, s in opened.layers().items()}


def dated(out: Path) -> list[str]:
    rows = features(out / "events.geojson") + features(out / "flows.geojson")
    return sorted({row["event_date"] for row in rows if row["event_date"]})


# -- the slider -----------------------------------------------------------------------------


def test_the_slider_has_one_step_per_date_and_starts_at_the_last(
    timeline: MapPage, timeline_out: Path
) -> None:
    dates = dated(timeline_out)
    assert len(dates) > 1
    slider = timeline.page.locator(SLIDER)
    assert (slider.get_attribute("min"), slider.get_attribute("max")) == ("0", str(len(dates) - 1))
    assert slider.input_value() == str(len(dates) - 1)
    assert timeline.page.locator(".geomap-slider").inner_text().strip().endswith(dates[-1])


def test_moving_the_slider_shows_the_events_up_to_the_chosen_date(
    at_the_end: MapPage, timeline_out: Path, specs: tuple[LayerSpec, ...]
) -> None:
    seen = []
    date = move_slider(at_the_end, "Home")
    for _step in dated(timeline_out):
        expected = expected_layers(timeline_out, specs, keep=up_to(date))
        state = shown(at_the_end)
        assert set(expected) <= set(state)
        assert state == {layer_id: expected.get(layer_id, set()) for layer_id in state}
        seen.append(state)
        date = move_slider(at_the_end, "ArrowRight")
    assert seen[0] != seen[-1]
    everything = expected_layers(timeline_out, specs)
    assert seen[-1] == {layer_id: everything.get(layer_id, set()) for layer_id in seen[-1]}


def test_undated_events_show_at_every_date(at_the_end: MapPage, timeline_out: Path) -> None:
    undated = {row["event_id_cnty"] for row in features(timeline_out / "events.geojson")}
    undated -= {
        row["event_id_cnty"]
        for row in features(timeline_out / "events.geojson")
        if row["event_date"]
    }
    assert undated
    move_slider(at_the_end, "Home")
    drawn = set().union(*shown(at_the_end).values())
    assert undated <= drawn


def test_the_slider_and_the_layer_control_work_together(
    at_the_end: MapPage, timeline_out: Path, specs: tuple[LayerSpec, ...]
) -> None:
    page = at_the_end.page
    titles = {
        layer_id: layer_title(next(s for s in specs if s.id == layer_id.split(":")[0]), layer_id)
        for layer_id in at_the_end.layers()
    }
    for title in titles.values():
        page.get_by_role("checkbox", name=title, exact=True).uncheck()
    assert set().union(*shown(at_the_end).values()) == set()
    date = move_slider(at_the_end, "Home")
    for title in titles.values():
        page.get_by_role("checkbox", name=title, exact=True).check()
    at_the_end.settle()
    expected = expected_layers(timeline_out, specs, keep=up_to(date))
    state = shown(at_the_end)
    assert state == {layer_id: expected.get(layer_id, set()) for layer_id in state}


# -- clustering -----------------------------------------------------------------------------


def clustered_state(opened: MapPage, layer_id: str) -> tuple[int, set[str]]:
    """Events counted by the clusters drawn, and the points drawn, of a clustered layer."""
    state = opened.layers()[layer_id]
    assert state["cluster"]
    return sum(state["clusterCounts"]), {i for i in state["drawn"] if i != "cluster"}


def incidents_id(opened: MapPage) -> str:
    return next(i for i, s in opened.layers().items() if s["cluster"])


def over_incidents(opened: MapPage, out: Path, zoom: int) -> list[dict[str, Any]]:
    """Centre the map on the incidents at ``zoom``; the incident rows."""
    rows = [r for r in features(out / "events.geojson") if r["layer"] == "incidents"]
    rows = [r for r in rows if r["geo_precision"] in (1, 2)]
    lat = sum(r["latitude"] for r in rows) / len(rows)
    lon = sum(r["longitude"] for r in rows) / len(rows)
    opened.center_on(lat, lon, zoom)
    return rows


#: The page point of a cluster marker inside the map's view, or null.
CLUSTER_IN_VIEW = """
() => {
  const map = window.geomap.map;
  const size = map.getSize();
  const box = map.getContainer().getBoundingClientRect();
  for (const entry of window.geomap.layers) {
    for (const layer of entry.drawn ? entry.drawn.values() : []) {
      if (!layer.options.geomapCluster) continue;
      const p = map.latLngToContainerPoint(layer.getLatLng());
      if (p.x > 20 && p.y > 20 && p.x < size.x - 20 && p.y < size.y - 20) {
        return [box.left + p.x, box.top + p.y];
      }
    }
  }
  return null;
}
"""


def test_a_clustered_layer_accounts_for_every_shown_event(
    clustered: MapPage, clustered_out: Path
) -> None:
    layer_id = incidents_id(clustered)
    rows = over_incidents(clustered, clustered_out, 4)
    counted, points = clustered_state(clustered, layer_id)
    assert counted > 1
    assert counted + len(points) == len(rows)

    date = move_slider(clustered, "Home")
    counted, points = clustered_state(clustered, layer_id)
    assert counted + len(points) == len([r for r in rows if up_to(date)(r)])
    move_slider(clustered, "End")


def test_clicking_a_cluster_zooms_in_until_its_events_show(
    clustered: MapPage, clustered_out: Path
) -> None:
    layer_id = incidents_id(clustered)
    over_incidents(clustered, clustered_out, 4)
    page = clustered.page
    for _click in range(12):
        point = page.evaluate(CLUSTER_IN_VIEW)
        if point is None:
            break
        zoom = page.evaluate("() => window.geomap.map.getZoom()")
        page.mouse.click(*point)
        page.wait_for_function("(zoom) => window.geomap.map.getZoom() > zoom", arg=zoom)
        clustered.settle()
    else:
        pytest.fail("the clusters never opened")
    _counted, points = clustered_state(clustered, layer_id)
    assert points
    assert points <= {r["event_id_cnty"] for r in features(clustered_out / "events.geojson")}
