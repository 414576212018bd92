"""Join: records become GeoDataFrames in EPSG:4326 with DESIGN.md's columns in ACLED's order."""

from __future__ import annotations

import json

import geopandas
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import ACLED_COLUMNS, NTB_ARTICLE, require_shared
from factories import ALMATY, CAPE_TOWN, KAZAKHSTAN, RUSSIA, make_article, make_event, make_flow
from geopandas.testing import assert_geodataframe_equal

from geomap import join
from geomap.records import ParsedArticle, Place
from geomap.serialize import COUNT_COLUMNS
from geomap.shapes import country_shape

#: DESIGN.md's columns that geomap adds.
GEOMAP_COLUMNS = {
    "injured",
    "arrested",
    "troops",
    "military_vehicles",
    "buildings_damaged",
    "vehicles_damaged",
    "place_id",
    "article_id",
    "evidence",
    "evidence_start",
    "evidence_end",
    "layer",
    "confidence",
}


@pytest.fixture(scope="module")
def ntb() -> ParsedArticle:
    """The real Norwegian article, parsed once for the module."""
    require_shared(NTB_ARTICLE)
    from geomap.pipeline import parse

    return parse(str(NTB_ARTICLE))


# -- axis order -------------------------------------------------------------------------------


def test_points_take_geopy_lat_lon_and_give_shapely_x_lon_y_lat() -> None:
    made = join.points([43.25, -33.93], [76.92, 18.42])
    assert [(p.x, p.y) for p in made] == [(76.92, 43.25), (18.42, -33.93)]


def test_points_of_nothing_is_an_empty_array() -> None:
    assert len(join.points([], [])) == 0


def test_point_events_lie_at_longitude_latitude() -> None:
    article = make_article("Crowds gathered in the main square of Almaty on Wednesday.")
    frame = join.events_frame([ParsedArticle(article, events=(make_event(article, ALMATY),))])
    expected = geopandas.GeoSeries([shapely.Point(76.92, 43.25)], crs=join.CRS, name="geometry")
    geopandas.testing.assert_geoseries_equal(frame.geometry, expected)
    assert (frame["longitude"][0], frame["latitude"][0]) == (76.92, 43.25)


def test_flow_lines_run_from_origin_to_destination_as_lon_lat() -> None:
    article = make_article("Moscow sent paratroopers to Kazakhstan within a day.")
    frame = join.flows_frame(
        [ParsedArticle(article, flows=(make_flow(article, RUSSIA, KAZAKHSTAN),))]
    )
    assert shapely.get_coordinates(frame.geometry).tolist() == [[37.62, 55.75], [68.0, 48.0]]
    assert list(frame[["origin_place_id", "destination_place_id"]].iloc[0]) == [
        "iso3166:RU",
        "iso3166:KZ",
    ]


# -- CRS, columns, types ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "frame",
    [join.empty_events, join.empty_flows],
    ids=["events", "flows"],
)
def test_frames_are_created_in_epsg_4326(frame: object) -> None:
    made = frame()  # type: ignore[operator]
    assert made.crs is not None
    assert made.crs.to_epsg() == 4326
    assert made.geometry.name == "geometry"


def test_event_columns_start_with_acled_in_acled_order_then_geomap_extras() -> None:
    columns = list(join.empty_events().columns)
    assert columns[: len(ACLED_COLUMNS)] == ACLED_COLUMNS
    assert set(columns[len(ACLED_COLUMNS) :]) >= GEOMAP_COLUMNS
    assert columns[-1] == "geometry"
    assert len(columns) == len(set(columns))


def test_flow_columns_hold_ends_contingent_and_evidence() -> None:
    columns = set(join.empty_flows().columns)
    assert {
        "origin_place_id",
        "destination_place_id",
        "troops",
        "military_vehicles",
        "evidence",
        "evidence_start",
        "evidence_end",
        "geometry",
    } <= columns


def test_counts_the_text_does_not_give_are_null_never_zero() -> None:
    article = make_article("Three people died and nobody was hurt in the clashes.")
    events = (
        make_event(article, ALMATY, fatalities=3, injured=0),
        make_event(article, ALMATY, start=5, sub_event_type="Other"),
    )
    frame = join.events_frame([ParsedArticle(article, events=events)])
    for column in COUNT_COLUMNS:
        assert str(frame[column].dtype) == "Int64", column
    counted = frame[frame["sub_event_type"] == "Peaceful protest"].iloc[0]
    assert counted["fatalities"] == 3
    assert counted["injured"] == 0  # a zero the text gives stays a zero
    assert pd.isna(counted["arrested"])
    bare = frame[frame["sub_event_type"] == "Other"].iloc[0]
    assert all(pd.isna(bare[column]) for column in COUNT_COLUMNS)


def test_an_event_without_a_date_has_no_year() -> None:
    article = make_article("Somewhere in the country a protest took place at some point.")
    frame = join.events_frame(
        [ParsedArticle(article, events=(make_event(article, ALMATY, date=None),))]
    )
    assert frame["event_date"][0] is None
    assert pd.isna(frame["year"][0])


def test_qualifiers_are_kept_as_a_json_object_text() -> None:
    article = make_article("At least forty were detained by police overnight.")
    event = make_event(article, ALMATY, arrested=40, qualifiers=(("arrested", "at least"),))
    frame = join.events_frame([ParsedArticle(article, events=(event,))])
    assert json.loads(frame["qualifiers"][0]) == {"arrested": "at least"}


def test_country_is_named_on_city_rows_too() -> None:
    article = make_article("Crowds gathered in Almaty while the government met in the capital.")
    events = (make_event(article, ALMATY), make_event(article, KAZAKHSTAN, start=3))
    frame = join.events_frame([ParsedArticle(article, events=events)])
    assert set(frame["country"]) == {"Kazakhstan"}
    assert set(frame["country_code"]) == {"KZ"}
    assert set(frame["iso"]) == {398}  # ACLED's numeric code


# -- geometry kinds ---------------------------------------------------------------------------


def test_country_level_events_carry_the_country_outline_others_a_point() -> None:
    article = make_article("Protests spread across Kazakhstan and reached Almaty by evening.")
    events = (make_event(article, KAZAKHSTAN), make_event(article, ALMATY, start=7))
    frame = join.events_frame([ParsedArticle(article, events=events)]).set_index("place_id")
    outline = frame.geometry["iso3166:KZ"]
    assert outline.geom_type in {"Polygon", "MultiPolygon"}
    assert outline.equals(country_shape("KZ"))
    assert frame.geometry["geonames:1526384"].geom_type == "Point"
    # the representative point of a country row stays in latitude/longitude
    assert (frame.loc["iso3166:KZ", "latitude"], frame.loc["iso3166:KZ", "longitude"]) == (48, 68)


def test_a_country_without_its_own_outline_falls_back_to_its_point() -> None:
    guiana = Place("iso3166:GF", "French Guiana", "country", "GF", 4.0, -53.0)
    assert country_shape("GF") is None  # part of France's outline in Natural Earth
    article = make_article("Workers blocked the roads of French Guiana for a week.")
    frame = join.events_frame([ParsedArticle(article, events=(make_event(article, guiana),))])
    assert frame.geometry[0].equals(shapely.Point(-53.0, 4.0))


def test_ntb_country_rows_are_outlines_and_the_others_points_at_their_coordinates(
    ntb: ParsedArticle,
) -> None:
    frame = join.events_frame([ntb])
    assert len(frame) == len({e for e in ntb.events})
    country = frame["place_id"].str.startswith("iso3166:")
    assert country.any() and (~country).any()
    assert set(frame.geometry[country].geom_type) <= {"Polygon", "MultiPolygon"}
    points = frame[~country]
    assert set(points.geom_type) == {"Point"}
    np.testing.assert_allclose(points.geometry.x, points["longitude"])
    np.testing.assert_allclose(points.geometry.y, points["latitude"])
    for _, row in frame[country].iterrows():
        assert row.geometry.equals(country_shape(row["country_code"]))


def test_ntb_flows_are_lines_ending_at_their_destination(ntb: ParsedArticle) -> None:
    frame = join.flows_frame([ntb])
    assert len(frame) == len(ntb.flows) > 0
    for _, row in frame.iterrows():
        flow = next(f for f in ntb.flows if f.origin.place_id == row["origin_place_id"])
        start, end = shapely.get_coordinates(row.geometry).tolist()
        assert start == [flow.origin.longitude, flow.origin.latitude]
        assert end == [flow.destination.longitude, flow.destination.latitude]


# -- identity and order -----------------------------------------------------------------------


def test_frames_do_not_depend_on_the_order_of_articles() -> None:
    first = make_article("Students marched through Almaty demanding lower fuel prices.")
    second = make_article(
        "In Cape Town, taxi drivers blocked the highway for hours.", source="b.txt"
    )
    a = ParsedArticle(first, events=(make_event(first, ALMATY),))
    b = ParsedArticle(second, events=(make_event(second, CAPE_TOWN),))
    assert_geodataframe_equal(join.events_frame([a, b]), join.events_frame([b, a]))
    pd.testing.assert_frame_equal(join.articles_frame([a, b]), join.articles_frame([b, a]))


def test_the_same_event_twice_is_one_row() -> None:
    article = make_article("Police dispersed the crowd outside the mayor's office.")
    event = make_event(article, ALMATY)
    frame = join.events_frame([ParsedArticle(article, events=(event, event))])
    assert len(frame) == 1
    assert frame["event_id_cnty"].is_unique


def test_articles_frame_has_one_typed_row_per_article() -> None:
    article = make_article("A short note on a strike at the port.", source="note.txt")
    frame = join.articles_frame([ParsedArticle(article)])
    assert list(frame.columns) == list(join.ARTICLE_COLUMNS)
    row = frame.iloc[0]
    assert (row["article_id"], row["source"], row["characters"]) == (
        article.id,
        "note.txt",
        len(article.text),
    )
    assert str(frame["characters"].dtype) == "Int64"


def test_conform_restores_the_types_a_file_reader_loses() -> None:
    article = make_article("Nine were arrested and two injured after the rally in Almaty.")
    events = (make_event(article, ALMATY, arrested=9, injured=2), make_event(article, KAZAKHSTAN))
    frame = join.events_frame([ParsedArticle(article, events=events)])
    # what a GDAL reader hands back: counts as floats with NaN, columns in another order
    loose = frame.copy()
    for column in COUNT_COLUMNS:
        loose[column] = loose[column].astype("float64")
    loose = loose[list(reversed(loose.columns))].iloc[::-1]
    restored = join.conform(loose, join.EVENT_COLUMNS, key="event_id_cnty")
    assert_geodataframe_equal(restored, frame)


def test_conform_adds_columns_missing_from_an_older_file() -> None:
    article = make_article("A protest in Almaty ended peacefully before dark.")
    frame = join.events_frame([ParsedArticle(article, events=(make_event(article, ALMATY),))])
    older = frame.drop(columns=["crowd_size", "confidence"])
    restored = join.conform(older, join.EVENT_COLUMNS, key="event_id_cnty")
    assert list(restored.columns) == [*join.EVENT_COLUMNS, "geometry"]
    assert pd.isna(restored["crowd_size"][0])


def test_one_report_incidents_merge_column_wise_as_row_by_row() -> None:
    import datetime as dt

    from geomap.records import PubDate

    texts = [
        'Police held "forty" people, é ø д, and a tab\there; the toll rose.',
        "Crowds marched in the south on a cold day, reporters said.",
    ]
    parsed = []
    for number, text in enumerate(texts):
        article = make_article(
            text,
            source=f"https://news.example/{number}",
            published=PubDate(dt.date(2022, 1, 5 + number)) if number else None,
        )
        layer = f"layer{number}"  # no two articles' reports are one incident
        events = (
            make_event(article, ALMATY, fatalities=number * 3 or None, injured=2**40, layer=layer),
            make_event(
                article, KAZAKHSTAN, start=5, event_type="Riots", arrested=number, layer=layer
            ),
            make_event(
                article,
                CAPE_TOWN,
                start=9,
                qualifiers={"fatalities": "at least", "injured": "dozens"},
                fatalities=7,
                date=None if number else dt.date(2022, 1, 6),
                layer=layer,
            ),
        )
        parsed.append(ParsedArticle(article, events=events))
    events = join.events_frame(parsed)
    merged = join.merge_reports(events)
    assert (merged["source_count"] == 1).all() and len(merged) == len(events)
    expected = _row_by_row(events)
    assert merged["reports"].tolist() == expected["reports"].tolist()
    assert_geodataframe_equal(merged, expected)


def _row_by_row(events: geopandas.GeoDataFrame) -> geopandas.GeoDataFrame:
    """Each report merged alone by the row-by-row merge (what a group of one gives)."""
    alone = [[i] for i in range(len(events))]
    return join._merged_groups(events, alone, events.geometry.to_numpy())


def test_one_report_incidents_with_awkward_stored_values_merge_as_row_by_row() -> None:
    """Stored values a column-wise merge must not take as they are: a qualifier of a count
    not given (the notes are made again), a date not in ISO form or empty, crowd sizes with
    and without a qualifier, undated articles, a missing confidence."""
    article = make_article("Crowds gathered in the square and police held several people.")
    places = [
        Place(f"geonames:{n}", f"Town {n}", "city", "KZ", 43.0 + n / 10, 76.0) for n in range(8)
    ]
    events = join.events_frame(
        [ParsedArticle(article, events=tuple(make_event(article, p) for p in places))]
    )
    n = len(events)
    events["qualifiers"] = ['{"fatalities":"at least"}', '{"crowd_size":"about"}', "{}", None] * 2
    events["fatalities"] = pd.array([None, 3, 4, None, 5, None, 6, 7], dtype="Int64")
    events["crowd_size"] = pd.array([300, 300, None, 5, None, 300, 2, None], dtype="Int64")
    events["event_date"] = pd.Series(
        ["2022-01-05", "20220105", "", None, "2022-01-05", "2022-01-06", None, "2022-01-05"],
        dtype="str",
    )
    events["event_type"] = ["Protests", "Riots", "Battles", None] * 2
    events["timestamp"] = pd.array([None, 1641340800] * 4, dtype="Int64")
    events["confidence"] = [None, 0.5] * 4
    events["layer"] = [f"layer{i}" for i in range(n)]  # each report its own incident
    events.loc[1, "notes"] = "On 20220105, Town 1: Riots."
    merged = join.merge_reports(events)
    expected = _row_by_row(events)
    assert "On 2022-01-05, Town 1: Riots." in merged["notes"].tolist()  # made again
    assert merged["reports"].tolist() == expected["reports"].tolist()
    assert_geodataframe_equal(merged, expected)


def test_reports_alone_are_those_whose_incident_key_no_other_report_has() -> None:
    article = make_article("Troops arrived at the airport while crowds marched in the city.")
    events = join.events_frame(
        [
            ParsedArticle(
                article,
                events=(
                    make_event(article, ALMATY, layer="deployments", actor1="CSTO"),
                    make_event(article, ALMATY, start=1, layer="deployments", actor1="CSTO"),
                    make_event(article, ALMATY, start=2, layer="deployments", actor1="Army"),
                    make_event(article, ALMATY, start=3, layer="infrastructure", notes="a: x; 1"),
                    make_event(article, ALMATY, start=4, layer="infrastructure", notes="a: x; 2"),
                    make_event(article, ALMATY, start=5, layer="infrastructure", notes="a: y"),
                    make_event(article, ALMATY, start=6),
                    make_event(article, CAPE_TOWN, start=7),
                    make_event(article, CAPE_TOWN, start=8, event_type="Riots"),
                ),
            )
        ]
    )
    keys = join.incident_keys(events)
    expected = [keys.count(key) == 1 for key in keys]
    assert join._alone(events).tolist() == expected
    assert expected.count(False) == 4  # the test has both kinds
