"""Exports: GeoJSON that passes an RFC 7946 check written here, and CSV in ACLED's order."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
from decimal import Decimal
from typing import Any

import geopandas
import pytest
import shapely
from conftest import ACLED_COLUMNS, NTB_ARTICLE, require_shared

from geomap import join
from geomap.export import csv_text, geojson_text
from geomap.ingest import article_id
from geomap.records import Article, EventFact, Flow, ParsedArticle, Place
from geomap.serialize import COUNT_COLUMNS

ALMATY = Place("geonames:1526384", "Almaty", "city", "KZ", 43.25, 76.92)
PRECISE = Place("geonames:1", "Precise", "city", "KZ", 43.123456789, 76.987654321)
KAZAKHSTAN = Place("iso3166:KZ", "Kazakhstan", "country", "KZ", 48.0, 68.0)
SOUTH_AFRICA = Place("iso3166:ZA", "South Africa", "country", "ZA", -29.0, 24.0)
RUSSIA = Place("iso3166:RU", "Russia", "country", "RU", 55.75, 37.62)
TEXT = (
    'Police said "about 40, maybe more" were held in Almaty; in Алматы the square was calm. '
    "Nationwide, strikes spread. In South Africa, unions marched."
)


def _event(article: Article, place: Place, start: int, **fields: Any) -> EventFact:
    end = TEXT.index(".", start) + 1
    values: dict[str, Any] = {
        "article_id": article.id,
        "event_type": "Protests",
        "sub_event_type": "Peaceful protest",
        "disorder_type": "Demonstrations",
        "place": place,
        "geo_precision": 3 if place.kind == "country" else 1,
        "evidence": TEXT[start:end],
        "evidence_start": start,
        "evidence_end": end,
        "date": dt.date(2022, 1, 6),
        "time_precision": 1,
    }
    return EventFact(**(values | fields))


@pytest.fixture(scope="module")
def own() -> ParsedArticle:
    article = Article(article_id(TEXT), "own.txt", "Own words", None, "en", TEXT)
    events = (
        _event(article, ALMATY, 0, arrested=40, qualifiers=(("arrested", "about"),)),
        _event(article, PRECISE, 1, sub_event_type="Other"),
        _event(article, KAZAKHSTAN, TEXT.index("Nationwide")),
        _event(article, SOUTH_AFRICA, TEXT.index("In South")),
    )
    flow = Flow(article.id, "CSTO", RUSSIA, KAZAKHSTAN, TEXT[:6], 0, 6, troops=500)
    return ParsedArticle(article, events=events, flows=(flow,))


@pytest.fixture(scope="module")
def ntb() -> ParsedArticle:
    """The real Norwegian article, parsed once for the module."""
    require_shared(NTB_ARTICLE)
    from geomap.pipeline import parse

    return parse(str(NTB_ARTICLE))


# -- an RFC 7946 check ------------------------------------------------------------------------


def signed_area(ring: list[list[Decimal]]) -> Decimal:
    """Shoelace formula: positive for a counter-clockwise ring."""
    return sum(
        (x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring)),
        Decimal(0),
    ) / Decimal(2)


def positions(geometry: dict[str, Any]) -> list[list[Decimal]]:
    kind, coordinates = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        return [coordinates]
    if kind in ("LineString", "MultiPoint"):
        return list(coordinates)
    if kind in ("Polygon", "MultiLineString"):
        return [p for ring in coordinates for p in ring]
    assert kind == "MultiPolygon", kind
    return [p for polygon in coordinates for ring in polygon for p in ring]


def polygons(geometry: dict[str, Any]) -> list[list[list[list[Decimal]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def has_key(data: Any, key: str) -> bool:
    if isinstance(data, dict):
        return key in data or any(has_key(v, key) for v in data.values())
    if isinstance(data, list):
        return any(has_key(v, key) for v in data)
    return False


def check_rfc7946(text: str, *, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """Assert what RFC 7946 asks of the text; return its features (numbers as Decimal)."""
    data = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    assert data["type"] == "FeatureCollection"
    assert not has_key(data, "crs")  # §4: no crs member
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        assert isinstance(feature["id"], str | int)
        assert list(feature["properties"]) == list(columns)
        geometry = feature["geometry"]
        assert geometry is None or geometry["type"] in {
            "Point",
            "LineString",
            "Polygon",
            "MultiPolygon",
        }
        if geometry is None:
            continue
        for position in positions(geometry):
            lon, lat = position[:2]
            assert len(position) == 2
            assert -180 <= lon <= 180 and -90 <= lat <= 90
            assert all(-n.as_tuple().exponent <= 6 for n in position)  # type: ignore[operator]
        for polygon in polygons(geometry):
            outer, *holes = polygon
            for ring in polygon:
                assert ring[0] == ring[-1] and len(ring) >= 4  # §3.1.6 linear rings
            assert signed_area(outer) > 0  # §3.1.6: exterior counter-clockwise
            assert all(signed_area(hole) < 0 for hole in holes)  # holes clockwise
    return list(data["features"])


def by_id(features: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in features}


# -- GeoJSON ----------------------------------------------------------------------------------


def test_events_geojson_passes_rfc7946_with_points_and_country_outlines(
    own: ParsedArticle,
) -> None:
    frame = join.events_frame([own])
    features = check_rfc7946(
        geojson_text(frame, id_column="event_id_cnty"), columns=join.EVENT_COLUMNS
    )
    kinds = {f["properties"]["place_id"]: f["geometry"]["type"] for f in features}
    assert kinds["geonames:1526384"] == "Point"
    assert kinds["iso3166:KZ"] in {"Polygon", "MultiPolygon"}
    # South Africa's outline has a hole (Lesotho): the check above saw it clockwise
    (south_africa,) = [f for f in features if f["properties"]["place_id"] == "iso3166:ZA"]
    assert any(len(p) > 1 for p in polygons(south_africa["geometry"]))


def test_rings_drawn_the_wrong_way_round_are_turned() -> None:
    clockwise_outer = [(0, 0), (0, 10), (10, 10), (10, 0), (0, 0)]
    counter_clockwise_hole = [(2, 2), (4, 2), (4, 4), (2, 4), (2, 2)]
    polygon = shapely.Polygon(clockwise_outer, [counter_clockwise_hole])
    frame = geopandas.GeoDataFrame({"key": ["a"]}, geometry=[polygon], crs="EPSG:4326")
    (feature,) = check_rfc7946(geojson_text(frame, id_column="key"), columns=("key",))
    outer, hole = feature["geometry"]["coordinates"]
    assert len(outer) == 5 and len(hole) == 5


def test_points_are_written_longitude_first(own: ParsedArticle) -> None:
    features = json.loads(geojson_text(join.events_frame([own]), id_column="event_id_cnty"))
    (almaty,) = [f for f in features["features"] if f["properties"]["location"] == "Almaty"]
    assert almaty["geometry"]["coordinates"] == [76.92, 43.25]


def test_coordinates_are_rounded_to_six_decimals(own: ParsedArticle) -> None:
    features = json.loads(geojson_text(join.events_frame([own]), id_column="event_id_cnty"))
    (precise,) = [f for f in features["features"] if f["properties"]["location"] == "Precise"]
    assert precise["geometry"]["coordinates"] == [76.987654, 43.123457]


def test_flows_geojson_lines_run_lon_lat_from_origin_to_destination(own: ParsedArticle) -> None:
    frame = join.flows_frame([own])
    (feature,) = check_rfc7946(geojson_text(frame, id_column="flow_id"), columns=join.FLOW_COLUMNS)
    assert feature["geometry"]["type"] == "LineString"
    assert [[float(v) for v in p] for p in feature["geometry"]["coordinates"]] == [
        [37.62, 55.75],
        [68.0, 48.0],
    ]
    assert feature["id"] == feature["properties"]["flow_id"]


def test_properties_keep_design_names_nulls_and_qualifiers(own: ParsedArticle) -> None:
    features = json.loads(geojson_text(join.events_frame([own]), id_column="event_id_cnty"))
    (held,) = [f for f in features["features"] if f["properties"]["arrested"] is not None]
    properties = held["properties"]
    assert held["id"] == properties["event_id_cnty"]
    assert properties["arrested"] == 40
    assert properties["qualifiers"] == {"arrested": "about"}
    assert all(properties[c] is None for c in COUNT_COLUMNS if c != "arrested")
    assert properties["evidence"] == TEXT[: TEXT.index(".") + 1]
    assert TEXT[properties["evidence_start"] : properties["evidence_end"]] == properties["evidence"]


def test_geojson_keeps_non_ascii_text_as_utf8(own: ParsedArticle) -> None:
    text = geojson_text(join.events_frame([own]), id_column="event_id_cnty")
    assert "Алматы" in text


def test_geojson_is_deterministic_with_one_feature_per_line(own: ParsedArticle) -> None:
    frame = join.events_frame([own])
    text = geojson_text(frame, id_column="event_id_cnty")
    assert text == geojson_text(
        frame.iloc[::-1].sort_values("event_id_cnty"), id_column="event_id_cnty"
    )
    lines = text.splitlines()
    assert len(lines) == len(frame) + 2
    assert all(line.startswith('{"type":"Feature"') for line in lines[1:-1])


def test_a_frame_in_another_crs_is_written_in_degrees(own: ParsedArticle) -> None:
    frame = join.events_frame([own])
    projected = frame.to_crs(3857)
    features = check_rfc7946(
        geojson_text(projected, id_column="event_id_cnty"), columns=join.EVENT_COLUMNS
    )
    almaty = next(f for f in features if f["properties"]["location"] == "Almaty")
    assert [float(v) for v in almaty["geometry"]["coordinates"]] == pytest.approx(
        [76.92, 43.25], abs=1e-6
    )


def test_empty_frames_export_valid_files() -> None:
    for frame, key, columns in (
        (join.empty_events(), "event_id_cnty", join.EVENT_COLUMNS),
        (join.empty_flows(), "flow_id", join.FLOW_COLUMNS),
    ):
        assert check_rfc7946(geojson_text(frame, id_column=key), columns=columns) == []
        (header,) = csv_text(frame).splitlines()
        assert header.split(",") == list(columns)


def test_ntb_events_pass_rfc7946_at_their_own_coordinates(ntb: ParsedArticle) -> None:
    frame = join.events_frame([ntb])
    features = check_rfc7946(
        geojson_text(frame, id_column="event_id_cnty"), columns=join.EVENT_COLUMNS
    )
    assert len(features) == len(frame) > 0
    for feature in features:
        properties = feature["properties"]
        if feature["geometry"]["type"] == "Point":
            lon, lat = (float(v) for v in feature["geometry"]["coordinates"])
            assert (lon, lat) == pytest.approx(
                (float(properties["longitude"]), float(properties["latitude"])), abs=1e-6
            )
        else:
            assert properties["place_id"].startswith("iso3166:")


def test_ntb_flows_pass_rfc7946(ntb: ParsedArticle) -> None:
    frame = join.flows_frame([ntb])
    features = check_rfc7946(geojson_text(frame, id_column="flow_id"), columns=join.FLOW_COLUMNS)
    assert len(features) == len(ntb.flows)


# -- CSV --------------------------------------------------------------------------------------


def read_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def test_csv_header_starts_with_acled_columns_in_order_then_geomap(own: ParsedArticle) -> None:
    header, rows = read_csv(csv_text(join.events_frame([own])))
    assert header[: len(ACLED_COLUMNS)] == ACLED_COLUMNS
    assert header == list(join.EVENT_COLUMNS)
    assert "geometry" not in header
    assert len(rows) == len(own.events)


def test_csv_writes_missing_counts_empty_and_given_ones_as_integers(own: ParsedArticle) -> None:
    _header, rows = read_csv(csv_text(join.events_frame([own])))
    held = next(r for r in rows if r["arrested"])
    assert held["arrested"] == "40"
    assert held["fatalities"] == "" and held["injured"] == ""
    assert held["year"] == "2022" and held["geo_precision"] == "1"


def test_csv_round_trips_quotes_commas_and_non_ascii(own: ParsedArticle) -> None:
    _header, rows = read_csv(csv_text(join.events_frame([own])))
    assert {r["evidence"] for r in rows} == {e.evidence for e in own.events}
    assert {r["country"] for r in rows} == {"Kazakhstan", "South Africa"}


def test_ntb_csv_lists_every_event(ntb: ParsedArticle) -> None:
    header, rows = read_csv(csv_text(join.events_frame([ntb])))
    assert header[: len(ACLED_COLUMNS)] == ACLED_COLUMNS
    assert {r["event_id_cnty"] for r in rows} == set(join.events_frame([ntb])["event_id_cnty"])
