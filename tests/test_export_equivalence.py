"""The column-wise GeoJSON and CSV writers give byte for byte what the per-row writers gave.

The per-row writers (a dict per feature through ``json.dumps``, a Python call per CSV cell)
are kept here as the reference; the frames mix every kind of value the outputs meet.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import geopandas
import numpy as np
import pandas as pd
import pytest
import shapely
from factories import ALMATY, CAPE_TOWN, KAZAKHSTAN, RUSSIA, make_article, make_event, make_flow

from geomap import join
from geomap.export import DIGITS, FORMULA_STARTS, csv_text, geojson_text
from geomap.records import ParsedArticle, Place, PubDate

NOWHERE = Place("geonames:1", 'Odd "Town" </script>', "city", "XX", -0.000_000_4, 179.999_999_9)


def varied_events() -> geopandas.GeoDataFrame:
    """Events of several articles: towns, country outlines, counts given or not, qualifiers,
    dates exact or not, repeated reports of one incident, awkward text."""
    texts = [
        "Police held 40 people in the city on a cold day, reporters said.",
        "=HYPERLINK(1) Rioters burned two cars; é ø д and a tab\there.",
        "Troops of the alliance landed, and crowds marched in the south.",
        "A later report gave a higher toll for the same clashes.",
    ]
    parsed = []
    for number, text in enumerate(texts):
        article = make_article(
            text,
            source=f"https://news.example/{number}",
            published=PubDate(dt.date(2022, 1, 5 + number)),
        )
        events = (
            make_event(article, ALMATY, fatalities=number * 3 or None, injured=2**40),
            make_event(article, KAZAKHSTAN, start=5, event_type="Riots", arrested=number),
            make_event(
                article,
                CAPE_TOWN if number % 2 else NOWHERE,
                start=9,
                qualifiers={"fatalities": "at least"},
                fatalities=7,
                date=None if number == 3 else dt.date(2022, 1, 6),
                notes="\r\n-line",
            ),
        )
        flows = (make_flow(article, RUSSIA, KAZAKHSTAN, troops=100 + number),)
        parsed.append(ParsedArticle(article, events=events, flows=flows))
    return join.events_frame(parsed)


def reference_geojson(frame: geopandas.GeoDataFrame, *, id_column: str) -> str:
    """The writer geomap had before the column-wise one, kept as the oracle."""
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    oriented = shapely.orient_polygons(frame.geometry.to_numpy(), exterior_cw=False)
    rounded = shapely.set_precision(oriented, 10.0**-DIGITS, mode="pointwise")
    geometries = [None if g is None else json.loads(shapely.to_geojson(g)) for g in rounded]
    properties = frame.drop(columns=frame.geometry.name)
    features = [
        _dumps(
            {
                "type": "Feature",
                "id": record[id_column],
                "geometry": geometry,
                "properties": {key: _plain(key, value) for key, value in record.items()},
            }
        )
        for record, geometry in zip(properties.to_dict("records"), geometries, strict=True)
    ]
    body = ",\n".join(features)
    return '{"type":"FeatureCollection","features":[\n' + body + ("\n" if body else "") + "]}\n"


def reference_csv(frame: pd.DataFrame) -> str:
    table = frame.drop(columns="geometry", errors="ignore")

    def cell(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return "'" + value if value.startswith(FORMULA_STARTS) else value

    def column(values: pd.Series) -> pd.Series:
        if values.dtype != object and not pd.api.types.is_string_dtype(values.dtype):
            return values
        return values.map(cell)

    return str(table.apply(column).to_csv(index=False, lineterminator="\n"))


def _plain(key: str, value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if key in {"qualifiers", "reports"} and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


@pytest.fixture(scope="module")
def varied() -> geopandas.GeoDataFrame:
    return varied_events()


def test_events_geojson_is_byte_identical_to_the_per_row_writer(
    varied: geopandas.GeoDataFrame,
) -> None:
    assert geojson_text(varied, id_column="event_id_cnty") == reference_geojson(
        varied, id_column="event_id_cnty"
    )


def test_merged_events_geojson_is_byte_identical_to_the_per_row_writer(
    varied: geopandas.GeoDataFrame,
) -> None:
    merged = join.merge_reports(varied)
    assert "reports" in merged.columns
    assert geojson_text(merged, id_column="event_id_cnty") == reference_geojson(
        merged, id_column="event_id_cnty"
    )


def test_merged_reports_are_embedded_as_they_are_with_the_same_bytes(
    varied: geopandas.GeoDataFrame,
) -> None:
    merged = join.merge_reports(varied)
    assert merged["source_count"].max() > 1  # incidents of one report and of several
    written = geojson_text(merged, id_column="event_id_cnty", json_text=("reports",))
    assert written == reference_geojson(merged, id_column="event_id_cnty")


def test_a_frame_of_mixed_shapes_and_awkward_values_is_byte_identical(
    varied: geopandas.GeoDataFrame,
) -> None:
    frame = geopandas.GeoDataFrame(
        {
            "key": ["a", "b", "c", "d", "e", "f"],
            "count": pd.array([1, None, 2**62, -5, 0, None], dtype="Int64"),
            "ratio": [0.1, math.nan, 1e-7, 123456789.123, -0.0, 1e22],
            "flag": [True, False, True, True, False, False],
            "text": ["é ø д", 'quote " and \\ slash', "</script>", None, "tab\there", "\u2028"],
            "qualifiers": ['{"b":1,"a":[2]}', "not json", None, "{}", '["x"]', "[1.50]"],
            "mixed": [1, "two", 3.5, None, np.int64(7), np.float64(2.25)],
        },
        geometry=[
            shapely.Point(76.9234567891, 43.2512345678),
            shapely.box(10, 10, 11.1234567891, 12),  # clockwise in, counter-clockwise out
            shapely.LineString([(37.6, 55.7), (68.0, 48.0)]),
            None,
            shapely.Point(),
            shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 3)]),
        ],
        crs="EPSG:4326",
    )
    assert geojson_text(frame, id_column="key") == reference_geojson(frame, id_column="key")


def test_a_frame_in_another_crs_is_written_in_wgs84_like_before() -> None:
    frame = geopandas.GeoDataFrame(
        {"key": ["a"]}, geometry=[shapely.Point(1_000_000, 6_000_000)], crs="EPSG:3857"
    )
    assert geojson_text(frame, id_column="key") == reference_geojson(frame, id_column="key")


def test_an_empty_frame_is_byte_identical() -> None:
    empty = join.empty_events()
    assert geojson_text(empty, id_column="event_id_cnty") == reference_geojson(
        empty, id_column="event_id_cnty"
    )


def test_csv_is_byte_identical_to_the_per_cell_writer(varied: geopandas.GeoDataFrame) -> None:
    merged = join.merge_reports(varied)
    assert csv_text(merged) == reference_csv(merged)
    hostile = pd.DataFrame(
        {"a": ["=1+1", "+x", "-3", "@me", "\tt", "a\rb", "\r\n", None, "ok"], "n": range(9)}
    )
    assert csv_text(hostile) == reference_csv(hostile)


def test_the_reference_writer_can_tell_a_difference(varied: geopandas.GeoDataFrame) -> None:
    changed = varied.copy()
    changed.loc[0, "notes"] = "another note"
    assert geojson_text(changed, id_column="event_id_cnty") != reference_geojson(
        varied, id_column="event_id_cnty"
    )
