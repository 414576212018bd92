"""Country outlines from gazetteer/countries.fgb (Natural Earth 1:50m)."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
from shapely.geometry import Point

from geomap import shapes
from geomap._paths import data_dir
from geomap.shapes import country_shape, country_shapes, representative_point

KEY_COUNTRIES = ("KZ", "RU", "BY", "FR", "NO", "US")


def test_frame_has_iso_name_geometry_in_wgs84() -> None:
    frame = country_shapes()
    assert list(frame.columns) == ["iso", "name", "geometry"]
    assert frame.crs is not None
    assert frame.crs.to_epsg() == 4326
    assert frame["iso"].is_unique
    assert frame["iso"].str.fullmatch(r"[A-Z]{2}").all()
    assert len(frame) > 200


def test_frame_is_loaded_once() -> None:
    assert country_shapes() is country_shapes()


@pytest.mark.parametrize("iso", KEY_COUNTRIES)
def test_key_countries_have_valid_polygons(iso: str) -> None:
    shape = country_shape(iso)
    assert shape is not None
    assert shape.geom_type in ("Polygon", "MultiPolygon")
    assert shape.is_valid
    assert shape.area > 1.0  # square degrees: a real country, not a sliver


def test_every_geometry_is_a_valid_polygon_within_world_bounds() -> None:
    geometries = country_shapes().geometry
    assert geometries.is_valid.all()
    assert not geometries.is_empty.any()
    assert set(geometries.geom_type) <= {"Polygon", "MultiPolygon"}
    min_lon, min_lat, max_lon, max_lat = geometries.total_bounds
    assert min_lon >= -180 and max_lon <= 180
    assert min_lat >= -90 and max_lat <= 90


def test_almaty_is_inside_kazakhstan_only() -> None:
    almaty = Point(76.91, 43.25)  # lon, lat
    frame = country_shapes()
    assert list(frame.loc[frame.geometry.contains(almaty), "iso"]) == ["KZ"]


def test_countries_crossing_the_antimeridian_are_cut_not_smeared() -> None:
    russia = country_shape("RU")
    assert russia is not None
    # Chukotka lies east of 180 degrees, i.e. at negative longitudes.
    assert russia.contains(Point(-175.0, 66.5))
    # A planar polygon spanning the whole globe would cover the Atlantic.
    assert not russia.contains(Point(-30.0, 60.0))
    fiji = country_shape("FJ")
    assert fiji is not None
    assert fiji.area < 5.0


def test_antarctica_reaches_the_pole() -> None:
    antarctica = country_shape("AQ")
    assert antarctica is not None
    assert antarctica.contains(Point(0.0, -89.5))
    assert not antarctica.contains(Point(0.0, -50.0))


def test_france_and_norway_have_codes_despite_natural_earth_minus_99() -> None:
    paris = Point(2.35, 48.86)
    oslo = Point(10.75, 59.91)
    france = country_shape("FR")
    norway = country_shape("NO")
    assert france is not None
    assert norway is not None
    assert france.contains(paris)
    assert norway.contains(oslo)


def test_non_iso_units_are_folded_into_iso_countries() -> None:
    hargeisa = Point(44.06, 9.56)  # Somaliland, part of Somalia in ISO 3166
    kyrenia = Point(33.32, 35.33)  # Northern Cyprus, part of Cyprus in ISO 3166
    somalia = country_shape("SO")
    cyprus = country_shape("CY")
    assert somalia is not None
    assert cyprus is not None
    assert somalia.contains(hargeisa)
    assert cyprus.contains(kyrenia)
    assert country_shape("XK") is not None  # Kosovo's user-assigned code


def test_names_are_english_and_unabbreviated() -> None:
    names = dict(zip(country_shapes()["iso"], country_shapes()["name"], strict=True))
    assert names["KZ"] == "Kazakhstan"
    assert names["NO"] == "Norway"
    assert names["CD"] == "Democratic Republic of the Congo"
    assert not [name for name in names.values() if "." in name]


def test_lookup_ignores_case_and_whitespace() -> None:
    assert country_shape(" kz ") is country_shape("KZ")


def test_unknown_code_gives_none() -> None:
    assert country_shape("ZZ") is None
    assert representative_point("ZZ") is None


@pytest.mark.parametrize("iso", (*KEY_COUNTRIES, "FJ", "AQ", "CL", "ID"))
def test_representative_point_lies_inside_the_country(iso: str) -> None:
    point = representative_point(iso)
    shape = country_shape(iso)
    assert point is not None
    assert shape is not None
    lat, lon = point
    assert shape.contains(Point(lon, lat))


def test_representative_point_is_in_the_main_territory() -> None:
    france = representative_point("FR")
    norway = representative_point("NO")
    assert france is not None
    assert norway is not None
    assert 42 < france[0] < 51 and -5 < france[1] < 8  # metropolitan France
    assert 58 < norway[0] < 71 and 4 < norway[1] < 31  # mainland, not Svalbard


def test_every_country_has_a_representative_point_inside() -> None:
    frame = country_shapes()
    points = [representative_point(iso) for iso in frame["iso"]]
    assert all(p is not None for p in points)
    lonlat = shapely.points([(p[1], p[0]) for p in points if p is not None])
    assert shapely.contains(frame.geometry.to_numpy(), lonlat).all()


def test_the_data_file_is_located_through_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert shapes._gazetteer_file(shapes.DATA_FILE) == data_dir("gazetteer") / shapes.DATA_FILE
    monkeypatch.setattr(shapes, "data_dir", lambda name: tmp_path / name)
    with pytest.raises(FileNotFoundError, match=r"countries\.fgb"):
        shapes._gazetteer_file(shapes.DATA_FILE)
