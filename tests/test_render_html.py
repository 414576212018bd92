"""The map page as text: deterministic, data kept out of script and template source, offline.

String-level checks only; the page in a real browser is tested elsewhere.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import re
import zlib
from dataclasses import replace
from html.parser import HTMLParser
from typing import Any

import numpy as np
import pandas as pd
import pytest
from factories import AIRPORT, ALMATY, KAZAKHSTAN, RUSSIA

from geomap import join
from geomap.ingest import article_id
from geomap.layers import LayerSpec, load_layers
from geomap.records import Article, EventFact, Flow, ParsedArticle, Place
from geomap.render import MapOptions, display_value, js_literal, radius_for, render_map
from geomap.render.payload import (
    GRID_BITS,
    TEXT_CHUNK,
    display_column,
    encode_values,
    grid_codes,
)

#: Text an article may hold that must stay text: Jinja, a closing script tag, a template
#: literal, backticks, an HTML comment and a line separator.
HOSTILE = (
    "Crowd said {{ 7*7 }} and {% raw %}R{% endraw %} then </script><script>alert('x')</script>"
    " and ${alert('y')} and `tick` <!-- c --> \u2028 & done."
)
HOSTILE_ACTOR = "Bloc<b>{{ 8*8 }}</b>`${1}`"
TEXT = f"{HOSTILE} Quiet day. Troops were flown in."


def _event(article: Article, place: Place, start: int, end: int, **fields: Any) -> EventFact:
    values: dict[str, Any] = {
        "article_id": article.id,
        "event_type": "Riots",
        "sub_event_type": "Violent demonstration",
        "disorder_type": "Political violence",
        "place": place,
        "geo_precision": 3 if place.kind == "country" else 1,
        "evidence": TEXT[start:end],
        "evidence_start": start,
        "evidence_end": end,
        "date": dt.date(2022, 1, 5),
        "time_precision": 1,
    }
    return EventFact(**(values | fields))


def hostile_article() -> ParsedArticle:
    article = Article(article_id(TEXT), "file:{{ 7*7 }}.txt", None, None, "en", TEXT)
    end = len(HOSTILE)
    events = (
        _event(article, ALMATY, 0, end, fatalities=164, actor1=HOSTILE, notes=HOSTILE),
        _event(article, AIRPORT, end + 1, end + 11, layer="infrastructure", notes="airport taken"),
        _event(article, KAZAKHSTAN, 0, end, injured=2000, qualifiers=(("injured", "over"),)),
        _event(
            article,
            KAZAKHSTAN,
            end + 12,
            len(TEXT),
            layer="deployments",
            actor1=HOSTILE_ACTOR,
            troops=2030,
            event_type="Strategic developments",
        ),
    )
    flow = Flow(
        article.id, HOSTILE_ACTOR, RUSSIA, KAZAKHSTAN, TEXT[end + 12 :], end + 12, len(TEXT)
    )
    return ParsedArticle(article, events=events, flows=(flow,))


@pytest.fixture(scope="module")
def frames() -> tuple[Any, Any]:
    parsed = [hostile_article()]
    return join.events_frame(parsed), join.flows_frame(parsed)


@pytest.fixture(scope="module")
def page(frames: tuple[Any, Any]) -> str:
    return render_map(*frames, load_layers(), options=MapOptions(self_contained=True))


@pytest.fixture(scope="module")
def online_page(frames: tuple[Any, Any]) -> str:
    return render_map(*frames, load_layers())


_DATA = re.compile(r'<script type="application/json" id="(\w+)">(.*?)</script>', re.DOTALL)


def payload(page: str) -> tuple[str, dict[str, Any]]:
    """The data the page's runtime draws from: its raw text and its value."""
    (match,) = _DATA.finditer(page)
    assert f'JSON.parse(document.getElementById("{match.group(1)}").textContent)' in page
    return match.group(2), json.loads(match.group(2))


def outside_payload(page: str) -> str:
    raw, _data = payload(page)
    return page.replace(raw, "")


def inflated(column: dict[str, Any]) -> list[str | None]:
    """The rows of a text column, as the page's runtime inflates its chunks."""
    rows: list[str | None] = []
    for chunk in column["chunks"]:
        rows += json.loads(zlib.decompress(base64.b64decode(chunk)).decode("utf-8"))
    return rows


def strings(data: Any) -> list[str]:
    """Every string the payload carries, compressed text columns included."""
    if isinstance(data, dict) and "chunks" in data:
        return [s for s in inflated(data) if s is not None]
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for value in data.values() for s in strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in strings(value)]
    return []


# -- deterministic ----------------------------------------------------------------------------


def test_the_same_data_gives_the_same_bytes(frames: tuple[Any, Any], page: str) -> None:
    again = render_map(*frames, load_layers(), options=MapOptions(self_contained=True))
    assert again == page


def test_element_ids_are_numbered_not_random(page: str) -> None:
    names = set(re.findall(r"\b(?:map|feature_group|layer_control)_([0-9a-f]+)\b", page))
    assert names and all(len(n) == 4 for n in names)


# -- article text stays data ------------------------------------------------------------------


def test_article_text_reaches_the_page_only_inside_the_json_payload(page: str) -> None:
    _raw, data = payload(page)
    assert HOSTILE in strings(data)
    rest = outside_payload(page)
    for marker in ("7*7", "alert('x')", "alert('y')", "`tick`", "{% raw %}", "<!-- c -->"):
        assert marker not in rest, marker


def test_the_payload_holds_no_markup_or_line_separators(page: str) -> None:
    raw, _data = payload(page)
    assert not set(raw) & {"<", ">", "&", "\u2028", "\u2029"}
    assert "</script" not in raw.lower()


class _Scripts(HTMLParser):
    """The text of each <script> element, split where an HTML parser ends it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._open = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = False

    def handle_data(self, data: str) -> None:
        if self._open:
            self.scripts[-1] += data


def test_no_script_is_closed_by_data(page: str) -> None:
    parser = _Scripts()
    parser.feed(page)
    parser.close()
    raw, _data = payload(page)
    (holder,) = [s for s in parser.scripts if raw in s]
    assert holder == raw  # the payload is the whole of the element that holds it
    assert page.lower().count("</script") == len(parser.scripts)
    assert not any(s.lstrip().startswith("alert(") for s in parser.scripts)


def test_jinja_in_article_text_is_not_evaluated(page: str) -> None:
    _raw, data = payload(page)
    assert "{{ 7*7 }}" in " ".join(strings(data))
    assert "Crowd said 49" not in page
    assert "file:49.txt" not in page


def test_layer_titles_from_data_are_escaped(page: str) -> None:
    assert "<b>" not in outside_payload(page)
    assert "64</b>" not in page and "Bloc<b>64" not in page
    overlays = re.search(r"overlays :\s*\{(.*?)\}", page, re.DOTALL)
    assert overlays is not None
    assert html.escape("Bloc<b>").replace("&", "\\u0026") in overlays.group(1)


def test_a_layer_title_from_a_layer_file_is_escaped(frames: tuple[Any, Any]) -> None:
    hostile_title = 'T{{ 9*9 }}T <img src=x onerror="alert(1)">'
    specs = [replace(s, title=hostile_title) if s.id == "incidents" else s for s in load_layers()]
    page = render_map(*frames, specs, options=MapOptions(self_contained=True, title="P{{ 2*2 }}P"))
    assert "T81T" not in page and "<img" not in page
    assert "P4P" not in page
    assert "<title>P&#123;&#123; 2*2 &#125;&#125;P</title>" in page


def test_js_literal_is_json_without_markup() -> None:
    value = {"a": "</script><!--", "b": "\u2028&", "c": [1, None, 2.5]}
    text = js_literal(value)
    assert json.loads(text) == value
    assert not set(text) & {"<", ">", "&", "\u2028"}


# -- self-contained and online pages ----------------------------------------------------------


def test_a_self_contained_map_loads_nothing_from_the_network(page: str) -> None:
    assert "tile.openstreetmap.org" not in page
    assert "L.tileLayer" not in page
    assert not re.search(r"<script[^>]*\ssrc\s*=\s*[\"']?(https?:)?//", page, re.IGNORECASE)
    assert not re.search(r"<link[^>]*\shref\s*=\s*[\"']?(https?:)?//", page, re.IGNORECASE)
    assert "L.map(" in page and "geomapRender" in page  # Leaflet and the runtime are inlined


def test_many_incidents_cluster_with_no_plugin_to_fetch(frames: tuple[Any, Any]) -> None:
    events, flows = frames
    city = events[events["place_id"] == "geonames:1526384"]
    many = city.loc[city.index.repeat(400)].reset_index(drop=True)
    many["event_id_cnty"] = [f"KZ{i:010d}" for i in range(len(many))]
    page = render_map(many, flows, load_layers(), options=MapOptions(self_contained=True))
    _raw, data = payload(page)
    incidents = next(layer for layer in data["layers"] if layer["id"] == "incidents")
    assert incidents["cluster"] is True  # clustered by geomap's own runtime, no plugin
    assert not re.search(r"<(script|link)[^>]*\s(src|href)=[\"']?(https?:)?//", page)


def test_an_online_map_has_osm_tiles_and_the_country_outlines(online_page: str) -> None:
    assert "tile.openstreetmap.org" in online_page
    assert '"Country outlines"' in online_page


def test_a_map_with_tiles_still_inlines_leaflet_and_fetches_no_code(online_page: str) -> None:
    assert not re.search(r"<script[^>]*\ssrc\s*=", online_page, re.IGNORECASE)
    assert not re.search(r"<link[^>]*\shref\s*=", online_page, re.IGNORECASE)
    assert "L.map(" in online_page and "geomapRender" in online_page


def test_tiles_are_a_base_layer_beside_the_offline_outlines(online_page: str) -> None:
    base = re.search(r"base_layers :\s*\{(.*?)\}", online_page, re.DOTALL)
    assert base is not None
    assert re.findall(r'"([^"]*)" :', base.group(1)) == [
        "OpenStreetMap (online)",
        "Offline: country outlines",
    ]


# -- the header -------------------------------------------------------------------------------


def header_text(page: str) -> str:
    match = re.search(r'<header class="geomap-header">(.*?)</header>', page, re.DOTALL)
    assert match is not None
    return re.sub(r"<[^>]+>", "|", match.group(1))


def test_the_header_gives_period_events_articles_and_credits(page: str) -> None:
    text = header_text(page)
    assert "2022-01" in text
    assert re.search(r"\b[1-9][0-9]* events\b", text)
    assert "1 article" in text
    assert "GeoNames (CC BY 4.0)" in text and "Natural Earth" in text


def test_without_a_title_the_header_names_the_layers_drawn(frames: tuple[Any, Any]) -> None:
    page = render_map(*frames, load_layers(), options=MapOptions(self_contained=True))
    title = header_text(page).strip("|").split("|")[0]
    assert "Incidents" in title and "deployment" in title


def test_the_header_counts_the_articles_it_is_told(frames: tuple[Any, Any]) -> None:
    page = render_map(*frames, load_layers(), options=MapOptions(self_contained=True, articles=7))
    assert "7 articles" in header_text(page)


def test_a_hostile_title_stays_text_in_the_header(frames: tuple[Any, Any]) -> None:
    title = '<img src=x onerror="alert(1)">{{ 3*3 }}'
    page = render_map(*frames, load_layers(), options=MapOptions(self_contained=True, title=title))
    assert "<img" not in page
    assert html.escape(title) in page


# -- layers, popups and view ------------------------------------------------------------------


def test_one_overlay_per_layer_with_data_and_the_control_last(page: str) -> None:
    overlays = re.search(r"overlays :\s*\{(.*?)\}", page, re.DOTALL)
    assert overlays is not None
    titles = re.findall(r'"([^"]*)" :', overlays.group(1))
    assert titles[0] == "Country outlines"
    assert titles[1:] == [
        html.escape(HOSTILE_ACTOR)
        .replace("{", "&#123;")
        .replace("}", "&#125;")
        .replace("&", "\\u0026")
        + " deployment",
        "Incidents",
        "Infrastructure",
        "Country-level figures",
    ]
    assert page.rindex("L.control.layers(") > page.rindex("geomapRender(")


_ARRAYS = {"Uint8": "<u1", "Uint16": "<u2", "Uint32": "<u4", "Int32": "<i4"}


def _array(data: dict[str, str]) -> list[int]:
    """A typed array of the payload (little-endian bytes in base64) as numbers."""
    return np.frombuffer(base64.b64decode(data["base64"]), dtype=_ARRAYS[data["type"]]).tolist()


def _cell(layer: dict[str, Any], field: str, index: int) -> Any:
    """A popup value as the page's runtime reads it from the columnar payload."""
    column = layer["columns"][field]
    if "chunks" in column:
        return inflated(column)[index]
    if column["index"] is None:
        return column["values"][0]
    return column["values"][_array(column["index"])[index]]


def test_popups_carry_counts_with_qualifiers_evidence_date_and_source(page: str) -> None:
    _raw, data = payload(page)
    layers = {layer["id"]: layer for layer in data["layers"]}
    incidents = layers["incidents"]
    row = {field: _cell(incidents, field, 0) for field in incidents["fields"]}
    assert row["fatalities"] == "164"
    assert row["evidence"] == HOSTILE
    assert row["event_date"] == "2022-01-05"
    assert row["source"] == "file:{{ 7*7 }}.txt"
    (country_rows,) = layers["countries"]["rows"]
    assert any(
        "over 2,000" in (value or "") for _fields, values in country_rows for value in values
    )


def test_country_level_figures_are_drawn_as_the_outline(page: str) -> None:
    _raw, data = payload(page)
    countries = next(layer for layer in data["layers"] if layer["id"] == "countries")
    assert countries["kind"] == "shapes"
    assert countries["ids"] == ["iso3166:KZ"]
    assert countries["shapes"][0]["type"] in {"Polygon", "MultiPolygon"}


def test_the_view_is_fitted_to_the_events(page: str) -> None:
    bounds = re.search(r"fitBounds\(\s*(\[\[.*?\]\])", page, re.DOTALL)
    assert bounds is not None
    (south, west), (north, east) = json.loads(bounds.group(1))
    assert south <= 43.25 <= north and west <= 77.04 <= east  # Almaty and its airport
    assert south <= 55.75 <= north and west <= 37.62 <= east  # the flow's origin


def test_a_map_of_one_place_caps_its_zoom(frames: tuple[Any, Any]) -> None:
    events, flows = frames
    one_place = events[events["place_id"] == "geonames:1526384"]
    page = render_map(
        one_place, flows.iloc[:0], load_layers(), options=MapOptions(self_contained=True)
    )
    call = re.search(r"\bmap_\w+\.fitBounds\(\s*(\[\[.*?\]\]),\s*(\{.*?\})\s*\)", page, re.DOTALL)
    assert call is not None
    (south, west), (north, east) = json.loads(call.group(1))
    degenerate = (south, west) == (north, east)
    assert not degenerate or "maxZoom" in json.loads(call.group(2))


def test_a_map_with_no_events_renders() -> None:
    page = render_map(join.empty_events(), join.empty_flows(), load_layers())
    _raw, data = payload(page)
    assert data["layers"] == []
    assert '"Country outlines"' in page
    assert "fitBounds" in page


def test_a_layer_with_a_single_spec_and_no_matching_rows_is_left_out(
    frames: tuple[Any, Any],
) -> None:
    spec = LayerSpec(id="battles", title="Battles", where=(("event_type", ("Battles",)),))
    _raw, data = payload(render_map(*frames, [spec]))
    assert data["layers"] == []


# -- how values read --------------------------------------------------------------------------


def test_counts_read_with_separators_and_their_qualifier() -> None:
    row = {"injured": 2000, "qualifiers": '{"injured": "over"}', "fatalities": None}
    assert display_value(row, "injured") == "over 2,000"
    assert display_value(row, "fatalities") is None


def test_dates_read_at_their_precision() -> None:
    assert display_value({"event_date": "2022-01-01", "time_precision": 3}, "event_date") == (
        "2022-01"
    )
    assert display_value({"event_date": "2022-01-05", "time_precision": 1}, "event_date") == (
        "2022-01-05"
    )


def test_marker_radius_grows_with_the_count_within_its_bounds() -> None:
    sizes = [radius_for(v, smallest=6, largest=22) for v in (None, 0, 1, 164, 8000, 10**9)]
    assert sizes[0] == sizes[1] == 6
    assert sizes == sorted(sizes)
    assert sizes[-1] == 22


# -- the columnar payload ---------------------------------------------------------------------


def test_a_column_of_few_values_travels_as_a_table_and_indexes() -> None:
    values = ["Riots", "Protests", None, "Riots"] * 5
    column = encode_values(values)
    assert "chunks" not in column
    assert column["values"] == ["Riots", "Protests", None]
    assert [_cell({"columns": {"f": column}}, "f", i) for i in range(len(values))] == values


def test_a_column_of_distinct_values_travels_compressed_in_chunks() -> None:
    values = [f"sentence {i} </script>" for i in range(TEXT_CHUNK + 10)] + [None]
    column = encode_values(values)
    assert len(column["chunks"]) == 2
    assert inflated(column) == values
    assert "sentence" not in json.dumps(column)  # compressed: no text to find in the page


def test_a_column_of_one_value_carries_it_once() -> None:
    column = encode_values(["bench"] * 50)
    assert column == {"values": ["bench"], "index": None}


def test_popup_columns_read_as_each_cell_does(frames: tuple[Any, Any]) -> None:
    events, _flows = frames
    rows = events.loc[events.index.repeat(3)].reset_index(drop=True)
    rows.loc[1, "injured"] = 7
    rows.loc[2, "qualifiers"] = '{"injured": "about"}'
    rows.loc[2, "injured"] = 12000
    rows.loc[3, "time_precision"] = 3
    for field in ("injured", "fatalities", "event_date", "actor1", "evidence", "notes"):
        table, codes = display_column(rows, field)
        expected = [display_value(row, field) for row in rows.to_dict("records")]
        assert [table[c] for c in codes.tolist()] == [
            None if value == "" else value for value in expected
        ], field
    assert "about 12,000" in display_column(rows, "injured")[0]


def test_points_sort_by_grid_cell_so_each_zoom_s_cells_are_runs() -> None:
    rng = np.random.default_rng(5)
    lat, lon = rng.uniform(-80, 80, 2000), rng.uniform(-180, 180, 2000)
    codes = np.sort(grid_codes(lat, lon).astype(np.int64))
    for zoom in range(10):
        keys = codes >> (2 * (9 - zoom))
        assert (np.diff(keys) >= 0).all()
    # The code interleaves the cell's column (even bits) and row (odd bits) at zoom 9.
    one = grid_codes(np.array([0.0]), np.array([0.0]))[0]
    column = sum(((int(one) >> (2 * b)) & 1) << b for b in range(GRID_BITS))
    row = sum(((int(one) >> (2 * b + 1)) & 1) << b for b in range(GRID_BITS))
    assert (column, row) == (1 << (GRID_BITS - 1), 1 << (GRID_BITS - 1))
    north = grid_codes(np.array([60.0]), np.array([0.0]))[0]
    assert int(north) < int(one)  # further north: a smaller row, so earlier in the order


def test_a_point_layer_lists_its_events_in_grid_order(page: str) -> None:
    _raw, data = payload(page)
    incidents = next(layer for layer in data["layers"] if layer["id"] == "incidents")
    cells = _array(incidents["cell"])
    assert cells == sorted(cells)
    assert len(inflated(incidents["ids"])) == incidents["count"] == len(cells)


def test_a_popup_text_column_kept_in_arrow_shows_as_an_object_column_does() -> None:
    from geomap.render.payload import display_column

    values = ["b", "", None, "a", "b", "", "c"]
    arrow = pd.DataFrame({"location": pd.Series(values, dtype="str")})
    objects = pd.DataFrame({"location": pd.Series(values, dtype=object)})
    table, codes = display_column(arrow, "location")
    assert (table, codes.tolist()) == (
        [None, "b", "a", "c"],
        [1, 0, 0, 2, 1, 0, 3],
    )
    expected_table, expected_codes = display_column(objects, "location")
    assert table == expected_table and codes.tolist() == expected_codes.tolist()


def test_a_text_column_chunked_from_arrow_is_what_the_json_of_its_values_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from geomap.render import payload

    monkeypatch.setattr(payload, "_CHUNKS_AT_ONCE", 1)  # several parts in a small test
    words = ['say "hi"', "", None, "Zürich – Genève\u2028", "tab\there", "日本", "plain"]
    values = [words[i % len(words)] for i in range(payload.TEXT_CHUNK * 2 + 5)]
    column = pd.Series(values, dtype="str")
    shown = [None if value == "" else value for value in values]
    assert payload._arrow_chunks(column, blank_is_none=True) == payload.text_column(shown)
