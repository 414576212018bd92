"""Render the layered Folium map from the event and flow frames and the layer specs.

The map is drawn from data: each layer's rows become one columnar payload (its shape is
:class:`geomap.render.payload.Payload`) that the page's runtime (``_static/*.js``) turns into
canvas circle markers, clusters, outlines and flow lines, with popups and tooltips built on
demand from the columns with ``textContent``. Article text is therefore never
spliced into script or template source: folium's ``Popup``/``Tooltip`` (JavaScript template
literals), ``GeoJsonPopup`` (property values as HTML) and Jinja (``{{ ... }}`` in data) never
see it. Element ids are numbered in tree order, so the same inputs give the same bytes.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import folium
import geopandas
import pandas as pd
import shapely
from branca.element import Element, Figure

from geomap import __version__
from geomap._paths import cache_file, keep_in_cache
from geomap.layers import LayerSpec
from geomap.render.payload import (
    DateIndex,
    Layer,
    LegendSection,
    Payload,
    bounds_of,
    decode_array,
    encode_values,
    needed_columns,
    point_layer,
)
from geomap.render.values import (
    LABELS,
    absent,
    date_label,
    display_value,
    radius_for,
)
from geomap.shapes import country_shapes, shapes_file

__all__ = [
    "LABELS",
    "OFFLINE_NAME",
    "TILES_NAME",
    "MapOptions",
    "display_value",
    "js_literal",
    "radius_for",
    "render_map",
    "safe_title",
]

_JS_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JS_UNSAFE = re.compile("[<>&\u2028\u2029]")
_WORLD = ((-60.0, -170.0), (75.0, 170.0))
#: The runtime, in the order the page runs it: one file per concern.
RUNTIME = ("payload.js", "clusters.js", "popups.js", "layers.js", "controls.js", "geomap.js")


@dataclass(frozen=True, slots=True)
class MapOptions:
    """How the page is put together.

    Leaflet, its images and geomap's runtime are always inlined (from the XStatic packages),
    so every map opens with no network. By default OpenStreetMap's tiles are an optional base
    layer: when they cannot load, the page switches to the offline country outlines and says
    so. ``self_contained`` drops the tile layer, so the page asks for nothing at all.
    ``title`` heads the page (``None``: made from the layers' titles); ``articles`` is the
    number of articles the header reports (``None``: those the events and flows come from).
    """

    title: str | None = None
    self_contained: bool = False
    articles: int | None = None


def render_map(
    events: geopandas.GeoDataFrame,
    flows: geopandas.GeoDataFrame,
    specs: Sequence[LayerSpec],
    *,
    options: MapOptions | None = None,
) -> str:
    """The map page as HTML text: one overlay per layer spec (and split value)."""
    options = options or MapOptions()
    labels = _date_labels(events, flows)
    dates = {key: i for i, (key, _label) in enumerate(labels)}
    drawn = [
        layer
        for spec in specs
        for layer in _layers_of(spec, events=events, flows=flows, dates=dates)
    ]
    title = options.title or _title_from_layers([layer.title for layer in drawn])
    figure = Figure(title=safe_title(title))
    facts = _facts(events, flows, labels=[label for _key, label in labels], options=options)
    figure.html.add_child(_Raw(_header_html(title, facts)), name="geomap_header")
    fmap = _base_map(options)
    figure.add_child(fmap)
    base = _base_layers(fmap, options)
    outline = folium.FeatureGroup(
        name="Country outlines", overlay=True, control=True, show=options.self_contained
    )
    fmap.add_child(outline)
    groups = []
    for layer in drawn:
        group = folium.FeatureGroup(name=safe_title(layer.title), show=layer.show)
        fmap.add_child(group)
        groups.append(group)
    payload: Payload = {
        "labels": LABELS,
        "dates": [label for _key, label in labels],
        "layers": [layer.data for layer in drawn],  # type: ignore[misc]
        "legend": _legend(drawn),
    }
    fmap.add_child(_Runtime(options=options))
    fmap.add_child(_Data(payload, groups=groups, outline=outline, base=base))
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds(_bounds(drawn), max_zoom=12)
    _number_elements(figure)
    return figure.render()


@dataclass(frozen=True, slots=True)
class _Drawn:
    """One overlay: its spec, the name in the layer control, and the data it draws."""

    spec: LayerSpec
    title: str
    show: bool
    data: dict[str, Any]


def js_literal(data: Any) -> str:
    """JSON that is safe inside ``<script>``: no ``</script>``, ``<!--`` or line separators."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JS_UNSAFE.sub(lambda match: _JS_ESCAPES[match.group()], text)


def _layers_of(
    spec: LayerSpec,
    *,
    events: geopandas.GeoDataFrame,
    flows: geopandas.GeoDataFrame,
    dates: DateIndex,
) -> Iterable[_Drawn]:
    source = flows if spec.source == "flows" else events
    if spec.draw == "points":  # only the columns the layer reads are filtered (copied)
        wanted = {"latitude", "longitude", *needed_columns(source, spec)}
        wanted |= {column for column, _values in spec.where}
        wanted |= {spec.split_by} if spec.split_by else set()
        source = source[[column for column in source.columns if column in wanted]]
        kept = spec.rows(source[[column for column, _values in spec.where]]).index
        frame = source if len(kept) == len(source) else source.loc[kept]  # no copy of all
    else:
        frame = spec.rows(source)
    if frame.empty:
        return
    values = sorted(frame[spec.split_by].dropna().unique()) if spec.split_by else [None]
    for value in values:
        rows = frame if value is None else frame[frame[spec.split_by] == value]
        base: Layer = {
            "id": spec.id if value is None else f"{spec.id}:{value}",
            "kind": spec.draw,  # type: ignore[typeddict-item]  # LayerSpec checks it
            "cluster": bool(spec.cluster_over) and len(rows) > spec.cluster_over,
            "fields": list(spec.popup),
            "weight": spec.style.weight,
            "radius": list(spec.style.radius),
        }
        data: dict[str, Any]
        if spec.draw == "points":
            data = dict(point_layer(rows, spec, dates, base))
        elif spec.draw == "shapes":
            data = dict(base) | _shapes(rows, spec, dates)
        else:
            deployments = events[
                (events["actor1"] == value) & events["layer"].isin(_where_layer(spec))
            ]
            data = dict(base) | _flows(rows, deployments, spec, dates)
        yield _Drawn(spec, spec.title_for(value), spec.show, data)


def _where_layer(spec: LayerSpec) -> list[Any]:
    return next((list(values) for column, values in spec.where if column == "layer"), [spec.id])


def _shapes(rows: pd.DataFrame, spec: LayerSpec, dates: DateIndex) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ids": [],
        "shapes": [],
        "palette": [spec.style.color],
        "dates": [],
        "rows": [],
        "tips": [],
    }
    for place_id, group in rows.groupby("place_id", sort=True):
        records = group.drop(columns="geometry").to_dict("records")
        geometry = shapely.simplify(group.geometry.iloc[0], 0.01, preserve_topology=True)
        result["ids"].append(str(place_id))
        result["shapes"].append(_geojson_geometry(geometry, digits=4))
        result["dates"].append(min(_date_index(r, dates) for r in records))
        result["rows"].append(
            [[list(spec.popup), [display_value(r, f) for f in spec.popup]] for r in records]
        )
        result["tips"].append(_country_tip(records, spec))
    return result


def _flows(
    rows: pd.DataFrame,
    deployments: pd.DataFrame,
    spec: LayerSpec,
    dates: DateIndex,
) -> dict[str, Any]:
    records = rows.drop(columns="geometry").to_dict("records")
    lines = [
        [[round(y, 5), round(x, 5)] for x, y in shapely.get_coordinates(geometry).tolist()]
        for geometry in rows.geometry
    ]
    contingents = _contingents(deployments)
    ends: dict[tuple[str, str], dict[str, Any]] = {}
    for record, line in zip(records, lines, strict=True):
        contingent = contingents.get((record["article_id"], record["destination_place_id"]), {})
        for key in ("troops", "military_vehicles"):
            if record.get(key) is None and contingent.get(key) is not None:
                record[key] = contingent[key]
                record.setdefault("_qualified", set()).add(key)
        date = _date_index(record, dates)
        for role, name, point in (
            ("origin", record["origin"], line[0]),
            ("destination", record["destination"], line[-1]),
        ):
            end = ends.setdefault(
                (role, name),
                {"role": role, "lat": point[0], "lon": point[1], "label": name, "date": date},
            )
            end["date"] = -1 if min(end["date"], date) < 0 else min(end["date"], date)
            if role == "destination":
                end["label"] = _destination_label(name, record)
    return {
        "ids": [r["flow_id"] for r in records],
        "lines": lines,
        "ends": [ends[key] for key in sorted(ends)],
        "palette": [spec.style.color],
        "dates": [_date_index(r, dates) for r in records],
        "tipFields": list(spec.tooltip),
        "joiner": " → ",
        "columns": {
            field: encode_values([_flow_value(r, field) for r in records])
            for field in dict.fromkeys([*spec.popup, *spec.tooltip])
        },
    }


def _contingents(deployments: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    result: dict[tuple[str, str], dict[str, Any]] = {}
    for record in deployments.drop(columns="geometry").to_dict("records"):
        entry = result.setdefault((record["article_id"], record["place_id"]), {})
        for key in ("troops", "military_vehicles"):
            if record.get(key) is not None and record[key] is not pd.NA:
                entry[key] = max(int(record[key]), entry.get(key, 0))
    return result


def _flow_value(record: dict[str, Any], field: str) -> str | None:
    value = display_value(record, field)
    if value is not None and field in record.get("_qualified", ()):
        return f"{value} (whole contingent)"
    return value


def _destination_label(name: str, record: dict[str, Any]) -> str:
    parts = [
        f"{int(record[key]):,} {word}"
        for key, word in (("troops", "troops"), ("military_vehicles", "military vehicles"))
        if record.get(key) is not None and record[key] is not pd.NA
    ]
    return f"{name}: {', '.join(parts)}" if parts else name


def _legend(drawn: list[_Drawn]) -> list[LegendSection]:
    """One legend section per drawn layer: its colours by value, or its one symbol."""
    legend: list[LegendSection] = []
    for layer in drawn:
        spec, title, kind = layer.spec, layer.title, layer.data["kind"]
        if kind == "flows":
            entries = [
                [title, spec.style.color, "line"],
                ["sending or member state", spec.style.color, "origin"],
                ["destination and contingent", spec.style.color, "point"],
            ]
        elif kind == "points" and spec.style.color_by:
            used = set(decode_array(layer.data["color"]).tolist())
            palette = layer.data["palette"]
            entries = [
                [value, colour, "point"]
                for value, colour in spec.style.colors
                if palette.index(colour) in used
            ]
            if 0 in used:
                entries.append(["other", spec.style.color, "point"])
        else:
            entries = [[title, spec.style.color, "shape" if kind == "shapes" else "point"]]
        legend.append({"title": title if len(entries) > 1 else "", "entries": entries})
    return legend


def _country_tip(records: list[dict[str, Any]], spec: LayerSpec) -> str:
    name = str(records[0].get("location") or records[0].get("country") or "")
    highest = []
    for column in ("fatalities", "injured", "arrested", "buildings_damaged", "vehicles_damaged"):
        values = [
            int(r[column]) for r in records if r.get(column) is not None and r[column] is not pd.NA
        ]
        if values:
            highest.append(f"{LABELS[column].lower()} {max(values):,}")
    suffix = f" (highest reported: {', '.join(highest)})" if highest else ""
    return f"{name}: {len(records)} figure{'s' if len(records) != 1 else ''}{suffix}"


def _date_labels(events: pd.DataFrame, flows: pd.DataFrame) -> list[tuple[tuple[str, int], str]]:
    keys = set()
    for frame in (events, flows):
        pairs = frame[["event_date", "time_precision"]].drop_duplicates()
        for date, precision in pairs.itertuples(index=False):
            if isinstance(date, str) and date:
                keys.add((date, 1 if absent(precision) else int(precision)))
    return [(key, date_label(*key)) for key in sorted(keys)]


def _date_index(record: dict[str, Any], dates: DateIndex) -> int:
    date = record.get("event_date")
    if not isinstance(date, str) or not date:
        return -1
    precision = record.get("time_precision")
    key = (date, int(precision) if precision is not None and precision is not pd.NA else 1)
    return dates.get(key, -1)


def _bounds(drawn: list[_Drawn]) -> list[list[float]]:
    lats: list[float] = []
    lons: list[float] = []
    for layer in drawn:
        data = layer.data
        if data["kind"] == "points":
            more_lats, more_lons = bounds_of(data)
            lats += more_lats
            lons += more_lons
        elif data["kind"] == "flows":
            lats += [end["lat"] for end in data["ends"]]
            lons += [end["lon"] for end in data["ends"]]
        else:
            for shape in data["shapes"]:
                minx, miny, maxx, maxy = shapely.bounds(shapely.geometry.shape(shape)).tolist()
                lats += [miny, maxy]
                lons += [minx, maxx]
    if not lats:
        return [list(corner) for corner in _WORLD]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def _geojson_geometry(geometry: shapely.Geometry, *, digits: int) -> dict[str, Any]:
    rounded = shapely.set_precision(geometry, 10.0**-digits)
    return json.loads(shapely.to_geojson(rounded))  # type: ignore[no-any-return]


@functools.cache
def _outline_literal() -> str:
    """The simplified country outlines as a script literal, made once per process.

    Simplifying every outline takes about 0.3 s, which every map paid: the literal is kept
    in the cache folder, named by the outlines file (path, size, modification time) and the
    versions of geomap and shapely; a cache that cannot be read or written is made again or
    skipped, never an error.
    """
    try:
        cached = cache_file(
            "outline", shapes_file(), __version__, shapely.__version__, suffix=".js"
        )
    except OSError:
        return _made_outline_literal()
    with contextlib.suppress(OSError, ValueError):  # ValueError: not JSON, or not UTF-8
        kept = cached.read_text(encoding="utf-8")
        json.loads(kept)  # data, and safe in a script as js_literal makes it
        if _JS_UNSAFE.search(kept) is None:
            return kept
    literal = _made_outline_literal()
    keep_in_cache(cached, literal.encode("utf-8"))
    return literal


def _made_outline_literal() -> str:
    shapes = country_shapes()
    merged = shapely.GeometryCollection(
        [shapely.simplify(g, 0.05, preserve_topology=True) for g in shapes.geometry]
    )
    return js_literal(_geojson_geometry(merged, digits=2))


def _base_map(options: MapOptions) -> folium.Map:
    fmap = folium.Map(
        location=(30, 40),
        zoom_start=3,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
    )
    fmap.default_js = []  # Leaflet is inlined by the runtime: nothing from a CDN
    fmap.default_css = []
    return fmap


#: The base layers of a map with tiles: OpenStreetMap, and the offline outlines it falls back to.
TILES_NAME, OFFLINE_NAME = "OpenStreetMap (online)", "Offline: country outlines"


def _base_layers(fmap: folium.Map, options: MapOptions) -> dict[str, Element]:
    """The tile layer and its offline alternative, both base layers; none if self-contained."""
    if options.self_contained:
        return {}
    tiles = folium.TileLayer("OpenStreetMap", name=TILES_NAME, overlay=False, control=True)
    offline = folium.FeatureGroup(name=OFFLINE_NAME, overlay=False, control=True, show=False)
    fmap.add_child(tiles)
    fmap.add_child(offline)
    return {"tiles": tiles, "offline": offline}


def _title_from_layers(titles: Sequence[str]) -> str:
    """A page title naming the layers drawn: *Incidents, Infrastructure and CSTO deployment*."""
    names = list(dict.fromkeys(titles))
    if not names:
        return "geomap: no events yet"
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _facts(
    events: pd.DataFrame, flows: pd.DataFrame, *, labels: Sequence[str], options: MapOptions
) -> str:
    """The header's line of facts: period covered, number of events and articles."""
    period = (
        "no dates"
        if not labels
        else labels[0]
        if labels[0] == labels[-1]
        else f"{labels[0]} to {labels[-1]}"
    )
    if options.articles is not None:
        articles = options.articles
    else:
        ids = set(events["article_id"].dropna()) | set(flows["article_id"].dropna())
        articles = len(ids)
    return " · ".join(
        [
            period,
            _count(len(events), "event"),
            _count(len(flows), "flow"),
            _count(articles, "article"),
        ]
    )


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _header_html(title: str, facts: str) -> str:
    """The page header: title, facts and the attributions the data requires (escaped text)."""
    return (
        '<header class="geomap-header">'
        f'<h1 class="geomap-title">{html.escape(title)}</h1>'
        f'<p class="geomap-facts">{html.escape(facts)}</p>'
        '<p class="geomap-credits">Places: GeoNames (CC BY 4.0) · Outlines: Natural Earth'
        '<span class="geomap-osm" hidden> · Tiles: © OpenStreetMap contributors</span></p>'
        '<p class="geomap-notice" role="status" hidden></p>'
        "</header>"
    )


class _Raw(Element):
    """Text placed in the page as it is: never parsed as a Jinja template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class _PagePart(Element):
    """Code for the page's ``header`` or ``script`` section, rendered without Jinja.

    branca re-parses a ``MacroElement``'s output as a template, which would evaluate any
    ``{{ ... }}`` in the data it carries; these parts bypass that.
    """

    section = "script"

    def code(self) -> str:
        raise NotImplementedError

    def render(self, **kwargs: Any) -> str:
        root = self.get_root()
        if not isinstance(root, Figure):
            msg = "a map part can only be rendered inside a Figure"
            raise TypeError(msg)
        getattr(root, self.section).add_child(_Raw(self.code()), name=self.get_name())
        return ""


class _Runtime(_PagePart):
    """Leaflet's and geomap's CSS and JavaScript, inlined: the page fetches no code."""

    section = "header"

    def __init__(self, *, options: MapOptions) -> None:
        super().__init__()
        self._name = "GeomapRuntime"
        self.options = options

    def code(self) -> str:
        styles = [_leaflet_css(), ".leaflet-container { background: #dbe9f4; }"]
        scripts = [_xstatic_text("leaflet", "leaflet.js")]
        styles.append(_static_text("geomap.css"))
        scripts += [_static_text(name) for name in RUNTIME]
        return "\n".join(
            [f"<style>{_no_closing_tag(css, 'style')}</style>" for css in styles]
            + [f"<script>{_no_closing_tag(code, 'script')}</script>" for code in scripts]
        )


class _Data(_PagePart):
    """The layers' data and the call that draws them into their feature groups."""

    def __init__(
        self,
        payload: Payload,
        *,
        groups: list[folium.FeatureGroup],
        outline: Element,
        base: dict[str, Element],
    ) -> None:
        super().__init__()
        self._name = "GeomapData"
        self.groups = groups
        self.outline = outline
        self.base = base
        self.outline_js = _outline_literal()
        for index, layer in enumerate(payload["layers"]):
            layer["group"] = index
        self.payload_js = js_literal(payload)

    def render(self, **kwargs: Any) -> str:
        # The payload is data, not script: a JSON element the runtime parses, which the
        # browser reads faster than the same object as a script literal.
        data = f'<script type="application/json" id="{self.get_name()}">{self.payload_js}</script>'
        root = self.get_root()
        if isinstance(root, Figure):
            root.html.add_child(_Raw(data), name=self.get_name())
        return super().render(**kwargs)

    def code(self) -> str:
        groups = ",".join(f"{i}:{group.get_name()}" for i, group in enumerate(self.groups))
        fmap = self._parent.get_name() if self._parent is not None else "map"
        payload = f'JSON.parse(document.getElementById("{self.get_name()}").textContent)'
        base = ",".join(
            f"{key}:{layer.get_name()}"
            for key, layer in [*self.base.items(), ("outline", self.outline)]
        )
        return (
            f"{self.outline.get_name()}.addLayer(L.geoJSON({self.outline_js}, {_OUTLINE_STYLE}));\n"
            f"geomapRender({fmap}, {{{groups}}}, {payload}, {{{base}}});"
        )


_OUTLINE_STYLE = (
    '{interactive: false, style: {color: "#8a8a8a", weight: 1, fillColor: "#f2efe9", '
    "fillOpacity: 0.6}}"
)


def safe_title(title: str) -> str:
    """A layer or page title for places that insert it as HTML after Jinja re-parses it."""
    return html.escape(title).replace("{", "&#123;").replace("}", "&#125;")


def _number_elements(root: Element) -> None:
    """Give every element an id from its place in the tree, not a random one."""
    counter = 0
    stack = [root]
    while stack:
        element = stack.pop(0)
        element._id = f"{counter:04x}"
        counter += 1
        stack.extend(element._children.values())


def _static_text(name: str) -> str:
    return resources.files("geomap").joinpath("_static", name).read_text(encoding="utf-8")


def _xstatic_text(package: str, name: str) -> str:
    module = __import__(f"xstatic.pkg.{package}", fromlist=["BASE_DIR"])
    return (Path(module.BASE_DIR) / name).read_text(encoding="utf-8")


def _leaflet_css() -> str:
    """Leaflet's CSS with its images inlined as data URIs."""
    module = __import__("xstatic.pkg.leaflet", fromlist=["BASE_DIR"])
    base = Path(module.BASE_DIR)

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode((base / match.group(1)).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", inline, _xstatic_text("leaflet", "leaflet.css"))


def _no_closing_tag(code: str, tag: str) -> str:
    return re.sub(f"</({tag})", r"<\\/\1", code, flags=re.IGNORECASE)
