"""Build ``gazetteer/countries.fgb`` from the npm package ``world-atlas``.

The source is Natural Earth's Admin 0 countries at 1:50m (public domain), as
redistributed by ``world-atlas`` (TopoJSON, one feature per country, ISO 3166-1
numeric ``id`` and Natural Earth's ``NAME``).  The package is a build-time
source only; fetch it with npm into any folder, e.g.::

    npm install --prefix /tmp/world-atlas world-atlas@2.0.2
    /work/venv/bin/python scripts/build_country_shapes.py \\
        /tmp/world-atlas/node_modules/world-atlas/countries-50m.json

What the script does, in order:

1. Decodes the TopoJSON (delta-encoded, quantized arcs) into rings.
2. Undoes world-atlas's spherical *stitching*: world-atlas 2 removes Natural
   Earth's cuts along the antimeridian and round the South Pole, so that Russia,
   Fiji and Antarctica are spherical polygons that are invalid on a plane.  Each
   ring is unwrapped, closed over the pole if it encircles one, cut back into
   [-180, 180] and the rings of a polygon are combined by the even-odd rule.
3. Keys every feature by ISO 3166-1 alpha-2 (via pycountry from the numeric
   id), with a few explicit fixes for Natural Earth's non-ISO units (Kosovo,
   N. Cyprus, Somaliland, Indian Ocean Territories, Ashmore and Cartier,
   Siachen Glacier), and expands Natural Earth's abbreviated names.
4. Snaps coordinates to a 1e-4 degree grid (about 11 m; the source's own
   quantization step is about 0.0036 x 0.0017 degrees) keeping them valid, and
   writes a FlatGeobuf file (columns ``iso``, ``name``; EPSG:4326) sorted by ISO
   code.  FlatGeobuf loads in a few milliseconds through pyogrio, a runtime
   dependency already; rebuilding from the same source gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import geopandas
import numpy as np
import pycountry
import pyogrio
import shapely
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = Path("/tmp/world-atlas/node_modules/world-atlas/countries-50m.json")
DEFAULT_OUTPUT = REPO / "gazetteer" / "countries.fgb"
INSTALL_HINT = "npm install --prefix /tmp/world-atlas world-atlas@2.0.2"

GRID = 1e-4  # degrees; coordinates are written with 4 decimals.
DECIMALS = 4
POLAR_CAP_LAT = 89.99  # rings lying wholly beyond this are stitching artefacts.

# Natural Earth units without an ISO 3166-1 numeric code (world-atlas gives them
# no id), and one unit that shares its parent's numeric code.  Keyed by world-atlas
# name; a feature without an id and without a rule here stops the build.
OWN_CODES = {"Kosovo": "XK"}  # user-assigned code used by the EU, CLDR and most gazetteers.
MERGE_INTO = {
    "N. Cyprus": "CY",  # ISO and the UN: part of Cyprus.
    "Somaliland": "SO",  # ISO and the UN: part of Somalia.
    "Ashmore and Cartier Is.": "AU",  # id 036 like Australia: an external territory.
}
DROPPED = {"Siachen Glacier"}  # disputed between India and Pakistan; no ISO code.
SPLIT = "Indian Ocean Ter."  # Christmas Island (CX) + Cocos (Keeling) Islands (CC).

# Natural Earth's short map labels, expanded (else the world-atlas name is kept).
NAME_FIXES: dict[str, str] = {
    "Antigua and Barb.": "Antigua and Barbuda",
    "Bosnia and Herz.": "Bosnia and Herzegovina",
    "Br. Indian Ocean Ter.": "British Indian Ocean Territory",
    "British Virgin Is.": "British Virgin Islands",
    "Cayman Is.": "Cayman Islands",
    "Central African Rep.": "Central African Republic",
    "Cook Is.": "Cook Islands",
    "Dem. Rep. Congo": "Democratic Republic of the Congo",
    "Dominican Rep.": "Dominican Republic",
    "Eq. Guinea": "Equatorial Guinea",
    "eSwatini": "Eswatini",
    "Faeroe Is.": "Faroe Islands",
    "Falkland Is.": "Falkland Islands",
    "Fr. Polynesia": "French Polynesia",
    "Fr. S. Antarctic Lands": "French Southern and Antarctic Lands",
    "Heard I. and McDonald Is.": "Heard Island and McDonald Islands",
    "Macedonia": "North Macedonia",
    "Marshall Is.": "Marshall Islands",
    "N. Mariana Is.": "Northern Mariana Islands",
    "Pitcairn Is.": "Pitcairn Islands",
    "S. Geo. and the Is.": "South Georgia and the South Sandwich Islands",
    "S. Sudan": "South Sudan",
    "Solomon Is.": "Solomon Islands",
    "St-Barthélemy": "Saint Barthélemy",
    "St-Martin": "Saint Martin",
    "St. Kitts and Nevis": "Saint Kitts and Nevis",
    "St. Pierre and Miquelon": "Saint Pierre and Miquelon",
    "St. Vin. and Gren.": "Saint Vincent and the Grenadines",
    "Turks and Caicos Is.": "Turks and Caicos Islands",
    "U.S. Virgin Is.": "United States Virgin Islands",
    "W. Sahara": "Western Sahara",
    "Wallis and Futuna Is.": "Wallis and Futuna",
}
SPLIT_NAMES = {"CX": "Christmas Island", "CC": "Cocos (Keeling) Islands"}
CHRISTMAS_COCOS_LON = 100.0  # Christmas Island lies east of it, Cocos west.

# Codes the output must contain, so that a bad source fails the build loudly.
REQUIRED = ("KZ", "RU", "BY", "FR", "NO", "US", "CN", "BR", "AU", "FJ", "AQ", "XK")


# --------------------------------------------------------------------------- TopoJSON


def decode_arcs(topology: dict[str, Any]) -> list[np.ndarray]:
    """Return every arc as an (n, 2) array of longitude/latitude."""
    transform = topology.get("transform")
    arcs: list[np.ndarray] = []
    for arc in topology["arcs"]:
        points = np.asarray(arc, dtype=np.float64)[:, :2]
        if transform is not None:
            points = np.cumsum(points, axis=0) * transform["scale"] + transform["translate"]
        arcs.append(points)
    return arcs


def ring_coords(indexes: Sequence[int], arcs: Sequence[np.ndarray]) -> np.ndarray:
    """Join the arcs of one ring (a negative index ``~i`` is arc ``i`` reversed)."""
    parts = []
    for k, index in enumerate(indexes):
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        parts.append(arc if k == 0 else arc[1:])
    return np.concatenate(parts)


# --------------------------------------------------------------------------- antimeridian

WORLD_BOXES = [(shift, box(-180.0 + shift, -90.0, 180.0 + shift, 90.0)) for shift in (-360, 0, 360)]


def planar_ring(coords: np.ndarray) -> BaseGeometry | None:
    """Turn one spherical ring into the planar area it bounds, cut at +-180.

    Returns None for a degenerate cap ring round a pole.
    """
    lon = np.unwrap(coords[:, 0], period=360.0)
    lat = coords[:, 1]
    if np.all(np.abs(lat) > POLAR_CAP_LAT):
        return None
    xy = np.column_stack([lon, lat])
    if abs(lon[-1] - lon[0]) > 180.0:  # encircles a pole: close the ring over it.
        pole = -90.0 if lat.mean() < 0 else 90.0
        xy = np.vstack([xy, [[lon[-1], pole], [lon[0], pole]]])
    area = shapely.make_valid(Polygon(xy))
    pieces = []
    for shift, world in WORLD_BOXES:
        piece = area.intersection(world)
        if not piece.is_empty:
            pieces.append(shapely.transform(piece, lambda p, s=shift: p - [s, 0.0]))
    return shapely.union_all(pieces)


def planar_polygon(rings: Iterable[np.ndarray]) -> BaseGeometry:
    """Combine the rings of one polygon by the even-odd rule (orientation-free)."""
    result: BaseGeometry = Polygon()
    for coords in rings:
        area = planar_ring(coords)
        if area is not None:
            result = result.symmetric_difference(area)
    return result


def polygonal(geometry: BaseGeometry) -> MultiPolygon:
    """Keep only the polygons of ``geometry`` (drop collapsed lines/points)."""
    polygons: list[Polygon] = []
    for part in shapely.get_parts(geometry):  # Polygon, LineString, Point or a collection
        if isinstance(part, Polygon) and not part.is_empty:
            polygons.append(part)
        elif part.geom_type == "GeometryCollection":
            polygons.extend(polygonal(part).geoms)
    return MultiPolygon(polygons)


def feature_geometry(geometry: dict[str, Any], arcs: Sequence[np.ndarray]) -> MultiPolygon:
    """Planar, valid MultiPolygon for one TopoJSON (Multi)Polygon object."""
    kind = geometry["type"]
    if kind not in ("Polygon", "MultiPolygon"):
        msg = f"unexpected geometry type {kind!r}"
        raise ValueError(msg)
    polygons = [geometry["arcs"]] if kind == "Polygon" else geometry["arcs"]
    areas = [planar_polygon(ring_coords(r, arcs) for r in polygon) for polygon in polygons]
    return polygonal(shapely.union_all(areas))


# --------------------------------------------------------------------------- ISO codes


def alpha2_for(numeric: str | None, name: str) -> str:
    """ISO alpha-2 code of an ordinary world-atlas feature, from its numeric id."""
    if name in OWN_CODES:
        return OWN_CODES[name]
    if numeric is None:
        msg = f"feature {name!r} has no ISO numeric id and no rule for non-ISO units"
        raise ValueError(msg)
    country = pycountry.countries.get(numeric=numeric)
    if country is None:
        msg = f"feature {name!r}: {numeric!r} is not an ISO 3166-1 numeric code"
        raise ValueError(msg)
    return str(country.alpha_2)


def split_indian_ocean(geometry: MultiPolygon) -> dict[str, MultiPolygon]:
    """Split Natural Earth's "Indian Ocean Ter." into Christmas and Cocos islands."""
    east = [p for p in geometry.geoms if p.centroid.x > CHRISTMAS_COCOS_LON]
    west = [p for p in geometry.geoms if p.centroid.x <= CHRISTMAS_COCOS_LON]
    if not east or not west:
        msg = "Indian Ocean Ter. did not split into Christmas and Cocos islands"
        raise ValueError(msg)
    return {"CX": MultiPolygon(east), "CC": MultiPolygon(west)}


def build(topology: dict[str, Any]) -> list[tuple[str, str, MultiPolygon]]:
    """Return ``(iso, name, geometry)`` rows sorted by ISO code."""
    arcs = decode_arcs(topology)
    geometries: dict[str, list[MultiPolygon]] = {}
    names: dict[str, str] = {}
    dropped: list[str] = []
    for obj in topology["objects"]["countries"]["geometries"]:
        ne_name = obj["properties"]["name"]
        if ne_name in DROPPED:
            dropped.append(ne_name)
            continue
        geometry = feature_geometry(obj, arcs)
        if ne_name == SPLIT:
            for code, part in split_indian_ocean(geometry).items():
                geometries.setdefault(code, []).append(part)
                names[code] = SPLIT_NAMES[code]
        elif ne_name in MERGE_INTO:
            geometries.setdefault(MERGE_INTO[ne_name], []).append(geometry)
        else:
            iso = alpha2_for(obj.get("id"), ne_name)
            if iso in names:
                msg = f"two features for {iso}: {names[iso]!r} and {ne_name!r}"
                raise ValueError(msg)
            geometries.setdefault(iso, []).append(geometry)
            names[iso] = NAME_FIXES.get(ne_name, ne_name)
    orphans = sorted(set(geometries) - set(names))
    if orphans:
        msg = f"merged into codes that have no feature of their own: {orphans}"
        raise ValueError(msg)
    if dropped:
        print(f"dropped (no ISO code): {', '.join(dropped)}", file=sys.stderr)

    rows = []
    for iso in sorted(geometries):
        merged = shapely.union_all(geometries[iso])
        snapped = shapely.set_precision(merged, GRID)
        final = polygonal(snapped)
        if final.is_empty or not final.is_valid:
            msg = f"{iso}: geometry is empty or invalid after snapping"
            raise ValueError(msg)
        rows.append((iso, names[iso], final))
    return rows


# --------------------------------------------------------------------------- output


def to_frame(rows: Sequence[tuple[str, str, MultiPolygon]]) -> geopandas.GeoDataFrame:
    """Rows as a GeoDataFrame with coordinates rounded to ``DECIMALS``.

    Exterior rings are made counter-clockwise (RFC 7946), so GeoJSON exported from
    the frame needs no reorientation.
    """
    geometries = []
    for iso, _, geometry in rows:
        oriented = shapely.orient_polygons(geometry)
        exact = shapely.transform(oriented, lambda xy: np.round(xy, DECIMALS))
        if not exact.is_valid:
            msg = f"{iso}: invalid after rounding ({shapely.is_valid_reason(exact)})"
            raise ValueError(msg)
        geometries.append(exact)
    return geopandas.GeoDataFrame(
        {"iso": [iso for iso, _, _ in rows], "name": [name for _, name, _ in rows]},
        geometry=geometries,
        crs="EPSG:4326",
    )


def package_version(source: Path) -> str:
    """``name@version`` from the package.json next to ``source``, if any."""
    manifest = source.parent / "package.json"
    if not manifest.is_file():
        return "unknown package"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return f"{data.get('name', '?')}@{data.get('version', '?')}"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "source",
        nargs="?",
        type=Path,
        default=DEFAULT_SOURCE,
        help=f"world-atlas countries-50m.json (default: {DEFAULT_SOURCE})",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"where to write the FlatGeobuf file (default: {DEFAULT_OUTPUT})",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: build the file and print a one-line summary."""
    args = parse_args(argv)
    source: Path = args.source
    if not source.is_file():
        print(
            f"error: {source} not found.\n"
            f"Install the source package first:\n    {INSTALL_HINT}\n"
            f"then pass the path to its countries-50m.json.",
            file=sys.stderr,
        )
        return 2
    topology = json.loads(source.read_text(encoding="utf-8"))
    if topology.get("type") != "Topology" or "countries" not in topology.get("objects", {}):
        print(f"error: {source} is not a world-atlas countries TopoJSON", file=sys.stderr)
        return 2

    rows = build(topology)
    missing = [code for code in REQUIRED if code not in {iso for iso, _, _ in rows}]
    if missing:
        print(f"error: the output would lack {', '.join(missing)}", file=sys.stderr)
        return 1

    provenance = (
        f"Natural Earth Admin 0 countries 1:50m v4.1.0 (public domain) via "
        f"{package_version(source)} {source.name}; built by scripts/build_country_shapes.py"
    )
    output: Path = args.output
    output.parent.mkdir(parents=True, exist_ok=True)
    output.unlink(missing_ok=True)
    # No spatial index: it would reorder the features and add bytes for nothing
    # (the whole file is always read).  Same input, same bytes.
    pyogrio.write_dataframe(
        to_frame(rows),
        output,
        layer="countries",
        driver="FlatGeobuf",
        SPATIAL_INDEX="NO",
        TITLE="Natural Earth admin-0 countries, 1:50m, keyed by ISO 3166-1 alpha-2",
        DESCRIPTION=provenance,
    )
    points = sum(int(shapely.get_num_coordinates(g)) for _, _, g in rows)
    print(
        f"wrote {output} ({output.stat().st_size:,} bytes, {len(rows)} countries, "
        f"{points:,} points)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
