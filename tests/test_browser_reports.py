"""A merged event's popup in the browser: how many sources, each address a link, names as text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser import close_map, open_map

from geomap import join
from geomap.geocode import OfflineGazetteer
from geomap.ingest import IngestOptions, article_from_bytes
from geomap.layers import load_layers
from geomap.pipeline import parse_article
from geomap.render import MapOptions, render_map

pytestmark = pytest.mark.browser

HOSTILE_NAME = "<img src=x onerror=alert(1)>.txt"
#: Three reports of one airport occupation, in our own words, under three sources.
REPORTS = {
    "https://one.example/a": "date 2022-01-05\n"
    "Protesters occupied the airport in Almaty on Wednesday evening.\n",
    "https://two.example/b?x=1": "date 2022-01-06\n"
    "The airport in Almaty was occupied by protesters on Wednesday, officials said.\n",
    HOSTILE_NAME: "date 2022-01-06\nCrowds of protesters occupied the airport of Almaty yesterday.\n",
}


def test_a_popup_shows_the_number_of_sources_and_links_only_addresses(
    browser: Any, tmp_path: Path
) -> None:
    geocoder = OfflineGazetteer()
    options = IngestOptions(language="en")
    parsed = [
        parse_article(
            article_from_bytes(text.encode(), source=source, options=options), geocoder=geocoder
        )
        for source, text in REPORTS.items()
    ]
    events = join.merge_reports(join.events_frame(parsed))
    assert set(events["source_count"]) == {3}
    page_path = tmp_path / "map.html"
    page_path.write_text(
        render_map(
            events, join.empty_flows(), load_layers(), options=MapOptions(self_contained=True)
        ),
        encoding="utf-8",
    )
    opened = open_map(browser, page_path)
    try:
        row = events.iloc[0]
        x, y = opened.center_on(float(row["latitude"]), float(row["longitude"]), 9)
        opened.page.mouse.click(x, y)
        text = opened.popup_text()
        assert "Sources 3" in " ".join(text.split())
        assert HOSTILE_NAME in text  # the file name is shown as it is, as text
        shown = opened.page.evaluate(
            "() => { const box = document.querySelector('.leaflet-popup-content');"
            " return { links: [...box.querySelectorAll('a')].map(a => a.getAttribute('href')),"
            " images: box.querySelectorAll('img').length }; }"
        )
        assert sorted(set(shown["links"])) == ["https://one.example/a", "https://two.example/b?x=1"]
        assert shown["images"] == 0
        assert not opened.errors
    finally:
        close_map(opened)
