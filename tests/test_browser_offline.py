"""The default map (no ``--self-contained``) in headless Chromium with every request blocked.

Leaflet is inlined, so the page draws its markers, legend and header without network; the
OpenStreetMap tiles it offers cannot load, so it switches to the offline country outlines and
says so. At phone width (390 × 844) the controls start collapsed and a popup opens clear of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import MapPage, close_map, open_map, run_cli

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TITLE = "Unrest in January, as reported"


@pytest.fixture(scope="module")
def default_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``geomap build --title TITLE`` of the bundled example: the default map, with tiles."""
    out = tmp_path_factory.mktemp("default") / "out"
    run_cli("build", "--out", str(out), "--title", TITLE, cwd=out.parent)
    return out


@pytest.fixture(scope="module")
def desktop(browser: Any, default_out: Path) -> Iterator[MapPage]:
    opened = open_map(browser, default_out / "map.html")
    opened.page.wait_for_selector(".geomap-notice", state="visible")
    yield opened
    close_map(opened)


@pytest.fixture(scope="module")
def phone(browser: Any, default_out: Path) -> Iterator[MapPage]:
    opened = open_map(browser, default_out / "map.html", viewport=PHONE)
    opened.page.wait_for_selector(".geomap-notice", state="visible")
    yield opened
    close_map(opened)


def drawn_markers(opened: MapPage) -> int:
    return int(
        opened.page.evaluate(
            "() => window.geomap.layers.filter((e) => e.kind === 'points')"
            ".reduce((n, e) => n + e.parts.filter((p) => window.geomap.map.hasLayer(p)).length, 0)"
        )
    )


def boxes(opened: MapPage, selector: str) -> list[dict[str, float]]:
    return list(
        opened.page.evaluate(
            """(selector) => [...document.querySelectorAll(selector)]
              .filter((el) => el.offsetParent !== null)
              .map((el) => { const r = el.getBoundingClientRect();
                return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; })""",
            selector,
        )
    )


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and (b["top"] < a["bottom"])
    )


def test_the_default_map_runs_with_every_request_blocked(desktop: MapPage) -> None:
    assert desktop.errors == []
    assert not any(url.endswith((".js", ".css")) for url in desktop.blocked)
    assert desktop.page.evaluate("() => typeof L") == "object"  # Leaflet came with the page


def test_markers_legend_and_header_show_without_network(desktop: MapPage) -> None:
    page = desktop.page
    assert drawn_markers(desktop) > 0
    assert page.locator(".geomap-legend").is_visible()
    assert "Legend" in page.locator(".geomap-legend").inner_text()
    header = page.locator(".geomap-header")
    assert header.is_visible()
    assert page.locator(".geomap-title").inner_text() == TITLE
    facts = page.locator(".geomap-facts").inner_text()
    assert "2022-01" in facts and "1 article" in facts and " events" in facts


def test_failed_tiles_switch_to_the_offline_outlines_and_say_so(desktop: MapPage) -> None:
    page = desktop.page
    assert desktop.blocked, "the map offered no tiles to fall back from"
    assert "could not load" in page.locator(".geomap-notice").inner_text()
    checked = page.locator(".leaflet-control-layers-base input:checked").locator("..")
    assert "Offline" in checked.inner_text()
    outlines = page.locator(".leaflet-control-layers-overlays label", has_text="Country outlines")
    assert outlines.locator("input").is_checked()


def test_the_header_credits_geonames_and_natural_earth_and_osm_only_with_tiles(
    desktop: MapPage,
) -> None:
    page = desktop.page
    credits = page.locator(".geomap-credits")
    assert "GeoNames (CC BY 4.0)" in credits.inner_text()
    assert "Natural Earth" in credits.inner_text()
    assert not page.locator(".geomap-osm").is_visible()  # the tiles fell back: no OSM shown
    page.locator(".leaflet-control-layers-base label", has_text="OpenStreetMap").click()
    assert page.locator(".geomap-osm").is_visible()
    assert "OpenStreetMap" in page.locator(".geomap-osm").inner_text()
    page.locator(".leaflet-control-layers-base label", has_text="Offline").click()
    assert not page.locator(".geomap-osm").is_visible()


def test_at_phone_width_the_controls_start_collapsed(phone: MapPage) -> None:
    page = phone.page
    assert drawn_markers(phone) > 0
    assert page.locator(".geomap-header").is_visible()
    assert not page.locator(".leaflet-control-layers-list").is_visible()
    assert page.locator(".leaflet-control-layers-toggle").is_visible()
    assert page.evaluate("() => document.querySelector('.geomap-legend').open") is False
    assert page.locator(".geomap-legend summary").is_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing sticks out sideways


def test_at_phone_width_a_popup_opens_clear_of_the_controls(
    phone: MapPage, default_out: Path
) -> None:
    page = phone.page
    page.locator(".geomap-legend summary").click()  # the legend open, as a user may leave it
    lat, lon = page.evaluate(
        "() => { const e = window.geomap.layers.find((e) => e.kind === 'points');"
        " const p = e.parts[0].getLatLng(); return [p.lat, p.lng]; }"
    )
    x, y = phone.center_on(lat, lon, 6)
    page.mouse.click(x, y)
    assert phone.popup_text() != ""
    page.wait_for_timeout(400)  # the pan that brings the popup into view
    phone.settle()
    page.screenshot(path=str(default_out / "phone-popup.png"))
    (popup,) = boxes(phone, ".leaflet-popup-content-wrapper")
    assert popup["left"] >= 0 and popup["right"] <= PHONE["width"]
    header = boxes(phone, ".geomap-header")[0]
    assert popup["top"] >= header["bottom"]
    assert popup["bottom"] <= PHONE["height"]
    controls = boxes(phone, ".leaflet-control")
    assert controls
    assert [c for c in controls if overlap(popup, c)] == []
