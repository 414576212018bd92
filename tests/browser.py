"""Helpers for the browser tests: build maps with the CLI, open them in headless Chromium.

Debian's ``chromium`` is driven by Playwright for Python (``executable_path``, so no browser is
ever downloaded). Every request other than ``file:`` and ``data:`` is blocked and recorded, and
every ``file:`` request is recorded too, so a test sees anything the page tried to fetch.

The tests skip, with the reason, when ``/usr/bin/chromium`` is absent on a developer's machine;
in CI (``CI=true``) a missing browser fails them instead.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import in_ci, require_shared, run_geomap
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from geomap.layers import LayerSpec

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
VIEWPORT = {"width": 1200, "height": 800}

#: Leaflet state of every geomap layer: ids held, ids drawn on the map, and the group's state.
LAYER_STATE = """
() => window.geomap.layers.map((entry) => {
  const map = window.geomap.map;
  const parts = entry.layer.cluster ? [...entry.drawn.values()] : entry.parts;
  const held = parts.filter((p) => entry.container.hasLayer(p));
  const id = (p) => (p.options.geomapEnd ? p.options.geomapEnd.role + ":" + p.options.geomapEnd.label
    : p.options.geomapCluster ? "cluster" : p.options.geomapId);
  return {
    id: entry.id,
    kind: entry.kind,
    cluster: Boolean(entry.layer.cluster),
    groupOnMap: map.hasLayer(entry.group),
    held: held.map(id),
    drawn: held.filter((p) => map.hasLayer(p)).map(id),
    clusterCounts: held.filter((p) => p.options.geomapCluster)
      .map((p) => p.options.geomapCluster.count),
  };
})
"""


#: Resolves after two animation frames: whatever a change draws has been painted.
FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def require_chromium() -> None:
    """Skip without Debian's chromium, or fail in CI, where ``.ci/run`` installs it."""
    if CHROMIUM.is_file():
        return
    if in_ci():
        pytest.fail(f"{CHROMIUM} is missing in CI; .ci/run must install Debian's chromium")
    pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)")


def require_article(path: Path) -> Path:
    """A file of ../shared/articles: a skip when absent, a failure in CI."""
    return require_shared(path)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Headless Debian chromium, closed at the end."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()


def run_cli(*args: str, cwd: Path) -> None:
    """Run ``geomap ARGS`` in-process from ``cwd`` (the shared runner); it must succeed."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        result = run_geomap(*args)
    assert result.code == 0, result.err


def build_map(sources: Sequence[Path], out: Path, *options: str) -> Path:
    """``geomap build SOURCES --out OUT --self-contained OPTIONS``; the map's path."""
    run_cli(
        "build", *map(str, sources), "--out", str(out), "--self-contained", *options, cwd=out.parent
    )
    return out / "map.html"


@dataclass
class MapPage:
    """A map opened in the browser, with what it asked for and what it said."""

    page: Any
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def layers(self) -> dict[str, dict[str, Any]]:
        """Leaflet's state per geomap layer id (see :data:`LAYER_STATE`)."""
        return {state["id"]: state for state in self.page.evaluate(LAYER_STATE)}

    def settle(self) -> None:
        """Wait for the map to stop moving and the layers to hold what the slider asks for.

        A zoom that starts while another is animating is dropped by Leaflet, and the first
        one (fitting the view) starts on the frame after the page's scripts ran.
        """
        self.page.evaluate(FRAMES)
        self.page.wait_for_function(
            "() => !window.geomap.map._animatingZoom"
            " && !(window.geomap.map._panAnim && window.geomap.map._panAnim._inProgress)"
        )
        self.page.evaluate("() => window.geomap.settled().then(() => true)")
        self.page.evaluate(FRAMES)

    def screen_point(self, lat: float, lon: float) -> tuple[float, float]:
        """Where (lat, lon) is on the page, in CSS pixels."""
        x, y = self.page.evaluate(
            """([lat, lon]) => {
              const map = window.geomap.map;
              const point = map.latLngToContainerPoint([lat, lon]);
              const box = map.getContainer().getBoundingClientRect();
              return [box.left + point.x, box.top + point.y];
            }""",
            [lat, lon],
        )
        return float(x), float(y)

    def center_on(self, lat: float, lon: float, zoom: int) -> tuple[float, float]:
        """Move the map so that (lat, lon) is in the middle at ``zoom``; its page point."""
        self.page.evaluate(
            "([lat, lon, zoom]) => { window.geomap.map.setView([lat, lon], zoom,"
            " { animate: false }); }",
            [lat, lon, zoom],
        )
        self.settle()
        assert self.page.evaluate("() => window.geomap.map.getZoom()") == zoom
        return self.screen_point(lat, lon)

    def popup_text(self) -> str:
        """The text of the popup that opens, or an empty string when none does."""
        popup = self.page.locator(".leaflet-popup-content")
        try:
            popup.wait_for(state="visible", timeout=2_000)
        except PlaywrightTimeout:
            return ""
        return str(popup.inner_text())

    def close_popup(self) -> None:
        """Close the popup and wait until it has faded out of the page."""
        self.page.evaluate("() => { window.geomap.map.closePopup(); }")
        self.page.wait_for_function("() => !document.querySelector('.leaflet-popup')")


def open_map(
    browser: Any,
    path: Path,
    *,
    init_script: str | None = None,
    viewport: dict[str, int] | None = None,
) -> MapPage:
    """Open ``path`` in a fresh context with the network cut off; wait until it is drawn."""
    context = browser.new_context(viewport=viewport or VIEWPORT)
    page = context.new_page()
    opened = MapPage(page)

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith("data:"):
            route.continue_()
        elif url.startswith("file:"):
            opened.requests.append(url)
            route.continue_()
        else:
            opened.blocked.append(url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda message: opened.console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.on(
        "dialog",
        lambda dialog: (opened.console.append(f"dialog: {dialog.message}"), dialog.dismiss()),
    )
    if init_script:
        page.add_init_script(init_script)
    page.goto(path.as_uri())
    if page.evaluate("() => window.geomap === undefined"):
        return opened  # the runtime did not run (a test looks at why)
    page.evaluate("() => window.geomap.ready.then(() => true)")
    opened.settle()
    return opened


def close_map(opened: MapPage) -> None:
    opened.page.context.close()


# -- what the exports say each layer should draw --------------------------------------------


def features(path: Path) -> list[dict[str, Any]]:
    """The properties of each feature of a GeoJSON export, with its geometry."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        feature["properties"] | {"_geometry": feature["geometry"]} for feature in data["features"]
    ]


def selected(rows: list[dict[str, Any]], spec: LayerSpec) -> list[dict[str, Any]]:
    """The rows a layer spec's ``where`` keeps."""
    return [row for row in rows if all(row.get(col) in allowed for col, allowed in spec.where)]


def expected_layers(
    out: Path, specs: Sequence[LayerSpec], *, keep: Callable[[dict[str, Any]], bool] | None = None
) -> dict[str, set[str]]:
    """Per layer id, the features the exports say it draws (of the rows ``keep`` keeps).

    Points: event ids; shapes: place ids (one outline per country); flows: flow ids, plus an
    ``origin:NAME`` end per sending state and a ``destination:NAME`` end per destination.
    """
    events = [row for row in features(out / "events.geojson") if keep is None or keep(row)]
    flows = [row for row in features(out / "flows.geojson") if keep is None or keep(row)]
    expected: dict[str, set[str]] = {}
    for spec in specs:
        rows = selected(flows if spec.source == "flows" else events, spec)
        if spec.split_by:
            values = sorted({row[spec.split_by] for row in rows if row[spec.split_by]})
            groups = {f"{spec.id}:{v}": [r for r in rows if r[spec.split_by] == v] for v in values}
        else:
            groups = {spec.id: rows} if rows else {}
        for layer_id, members in groups.items():
            if spec.draw == "points":
                expected[layer_id] = {row["event_id_cnty"] for row in members}
            elif spec.draw == "shapes":
                expected[layer_id] = {row["place_id"] for row in members}
            else:
                expected[layer_id] = {row["flow_id"] for row in members}
                expected[layer_id] |= {f"origin:{row['origin']}" for row in members}
                expected[layer_id] |= {f"destination:{row['destination']}" for row in members}
    return expected


def layer_title(spec: LayerSpec, layer_id: str) -> str:
    """The name a person sees in the layer control for one of ``spec``'s layers."""
    if not spec.split_by:
        return spec.title
    value = layer_id.split(":", 1)[1]
    return spec.title.replace("{" + spec.split_by + "}", value)


def normalise_ends(ids: list[str]) -> set[str]:
    """Ids as drawn, with a destination's label (which adds the contingent) cut to its name."""
    return {i.split(": ", 1)[0] if i.startswith("destination:") else i for i in ids}
