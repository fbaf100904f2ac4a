"""Build the offline Natural Earth map data shipped in ``geodata/data/naturalearth/``.

Reads Natural Earth 1:50m GeoJSON layers (public domain) and writes two small,
deterministic RFC 7946 FeatureCollections next to this script:

``countries.geojson``
    Every admin-0 country with properties ``iso_a2``, ``iso_a3``, ``name``,
    ``name_long``, ``label_lon``, ``label_lat``, ``population`` and ``continent``.
    Simplified with a tolerance of 0.01 degree, coordinates on a 1e-4 degree grid.
``basemap.geojson``
    Land polygons (at least 0.01 square degree), land borders, rivers and lake
    centrelines (``scalerank`` <= 5) and lakes (``scalerank`` <= 5) in one collection,
    told apart by the ``layer`` property (``land``, ``lake``, ``river``, ``border``;
    in that order, which is also a drawing order) plus ``name`` (null for land and
    borders). Simplified with a tolerance of 0.04 degree, coordinates on a 1e-3
    degree grid; features left empty are dropped.

Both files are WGS84 longitude/latitude (EPSG:4326) with no ``crs`` member, polygon
exterior rings counter-clockwise and holes clockwise, a top-level ``bbox``, compact
separators and a trailing newline. The same input always gives byte-identical output.

Usage, from the repository root::

    python geodata/data/naturalearth/build.py [--source DIR] [--out DIR]

Notes
-----
Coordinates are snapped to the grid with :func:`shapely.set_precision` (snap
rounding) rather than by rounding each number on its own, so that rounding cannot
create self-intersections; every output geometry is checked with
:func:`shapely.is_valid` after the final rounding, and the build fails otherwise.

The input this was written against is a Natural Earth 4.x release whose countries
layer has no ``ISO_A2_EH``, ``LABEL_X`` or ``LABEL_Y`` columns and ``-99`` codes for
France and Norway. The script prefers the ``*_EH`` and ``LABEL_*`` columns when a
newer release provides them, and otherwise falls back to :data:`ISO_CODE_FALLBACKS`
and to a label point computed from the geometry (:func:`label_point`).
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.ops import polylabel

SCRIPT_DIR = Path(__file__).resolve().parent
REPO_ROOT = SCRIPT_DIR.parents[2]
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "data" / "naturalearth"

COUNTRIES_FILE = "ne_50m_admin_0_countries.json"
LAND_FILE = "ne_50m_land.json"
BORDERS_FILE = "ne_50m_admin_0_boundary_lines_land.json"
RIVERS_FILE = "ne_50m_rivers_lake_centerlines.json"
LAKES_FILE = "ne_50m_lakes.json"

COUNTRY_TOLERANCE = 0.01
"""Douglas-Peucker tolerance for country outlines, in degrees."""
COUNTRY_DECIMALS = 4
"""Decimal places kept in ``countries.geojson`` (a 1e-4 degree grid, about 11 m)."""
BASEMAP_TOLERANCE = 0.04
"""Douglas-Peucker tolerance for the basemap layers, in degrees."""
BASEMAP_DECIMALS = 3
"""Decimal places kept in ``basemap.geojson`` (a 1e-3 degree grid, about 110 m)."""
LABEL_TOLERANCE = 0.01
"""Precision of computed label points (pole of inaccessibility), in degrees."""

LAND_MIN_AREA = 0.01
"""Smallest land polygon kept in the basemap, in square degrees (about 120 km2 at the
equator); smaller islets would be a handful of rounded points each."""
RIVER_MAX_SCALERANK = 5
"""Rivers and lake centrelines kept in the basemap have ``scalerank`` <= this (1-6)."""
LAKE_MAX_SCALERANK = 5
"""Lakes kept in the basemap have ``scalerank`` <= this (0-6)."""
BASEMAP_LAYER_ORDER = ("land", "lake", "river", "border")
"""Order of the layers in ``basemap.geojson``, which is also a sensible drawing order."""

MISSING_CODES = frozenset({"", "-99", "-099"})
"""Values Natural Earth uses for a missing code."""

ISO_CODE_FALLBACKS: dict[str, tuple[str, str]] = {
    "FRA": ("FR", "FRA"),
    "NOR": ("NO", "NOR"),
}
"""ISO 3166-1 (alpha-2, alpha-3) codes keyed by Natural Earth ``ADM0_A3``, used only
where both the ``*_EH`` and the strict ISO columns say ``-99``. Natural Earth leaves
France and Norway at ``-99`` in strict ISO columns because the admin-0 units include
overseas departments and Svalbard; releases from 5.x carry the same values in
``ISO_A2_EH``/``ISO_A3_EH``."""


def clean_code(value: Any) -> str | None:
    """Normalise a Natural Earth code field.

    Parameters
    ----------
    value : object
        A raw attribute value such as ``"IQ"``, ``"-99"``, ``None`` or NaN.

    Returns
    -------
    str or None
        The stripped code, or ``None`` for Natural Earth's missing markers
        (``-99``, ``-099``, empty strings, null, NaN).

    Examples
    --------
    >>> clean_code("IQ"), clean_code("-99"), clean_code(None)
    ('IQ', None, None)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if text in MISSING_CODES:
        return None
    return text


def first_code(record: pd.Series, columns: Sequence[str]) -> str | None:
    """Return the first usable code among ``columns`` of one record.

    Parameters
    ----------
    record : pandas.Series
        One row of the Natural Earth countries table.
    columns : sequence of str
        Column names in order of preference; names missing from ``record`` are skipped.

    Returns
    -------
    str or None
        The first value that :func:`clean_code` accepts, else ``None``.
    """
    for column in columns:
        if column in record.index:
            code = clean_code(record[column])
            if code is not None:
                return code
    return None


def label_point(geometry: BaseGeometry, tolerance: float = LABEL_TOLERANCE) -> tuple[float, float]:
    """Compute a label position inside a (multi)polygon.

    Parameters
    ----------
    geometry : Polygon or MultiPolygon
        Outline in EPSG:4326 (lon, lat degrees).
    tolerance : float, default :data:`LABEL_TOLERANCE`
        Precision of the search, in degrees.

    Returns
    -------
    tuple of float
        ``(lon, lat)`` of the pole of inaccessibility of the largest part (by area in
        square degrees), i.e. the interior point farthest from the outline.

    Raises
    ------
    ValueError
        If ``geometry`` is empty or not polygonal.
    """
    if geometry.is_empty or not isinstance(geometry, Polygon | MultiPolygon):
        raise ValueError(f"label_point needs a non-empty polygon, got {geometry.geom_type}")
    parts = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
    largest = max(parts, key=lambda part: part.area)
    point = polylabel(largest, tolerance=tolerance)
    return float(point.x), float(point.y)


def simplify_geometries(
    geometries: Iterable[BaseGeometry | None], tolerance: float, decimals: int
) -> list[BaseGeometry | None]:
    """Simplify geometries and snap them to a decimal grid, keeping them valid.

    Parameters
    ----------
    geometries : iterable of shapely geometry or None
        Polygonal or linear geometries in EPSG:4326 (lon, lat degrees).
    tolerance : float
        Douglas-Peucker tolerance in degrees, applied with ``preserve_topology=True``.
    decimals : int
        Coordinates are snapped to a grid of ``10 ** -decimals`` degrees with
        :func:`shapely.set_precision`, which drops parts that collapse.

    Returns
    -------
    list of shapely geometry or None
        Same length and order as the input; ``None`` where the input was missing or
        the result is empty. Polygons have counter-clockwise exterior rings and
        clockwise holes.
    """
    array = np.asarray(list(geometries), dtype=object)
    simplified = shapely.simplify(array, tolerance, preserve_topology=True)
    snapped = shapely.set_precision(simplified, 10.0**-decimals)
    result: list[BaseGeometry | None] = []
    for geometry in snapped:
        if geometry is None or geometry.is_empty:
            result.append(None)
        else:
            result.append(orient_polygons(geometry))
    return result


def orient_polygons(geometry: BaseGeometry) -> BaseGeometry:
    """Orient polygon rings the RFC 7946 way.

    Parameters
    ----------
    geometry : shapely geometry
        Any geometry; non-polygonal geometries are returned unchanged.

    Returns
    -------
    shapely geometry
        Polygons with counter-clockwise exterior rings and clockwise holes.
    """
    if isinstance(geometry, Polygon):
        return orient(geometry, 1.0)
    if isinstance(geometry, MultiPolygon):
        return MultiPolygon([orient(part, 1.0) for part in geometry.geoms])
    return geometry


def _round(value: float, decimals: int) -> float:
    """Round one coordinate for output; ``-0.0`` becomes ``0.0``."""
    return round(float(value), decimals) + 0.0


def _positions(coords: Any, decimals: int) -> list[list[float]]:
    """Convert a coordinate sequence to a list of rounded ``[lon, lat]`` positions."""
    return [[_round(lon, decimals), _round(lat, decimals)] for lon, lat, *_ in coords]


def _polygon_rings(polygon: Polygon, decimals: int) -> list[list[list[float]]]:
    """Return the rounded exterior ring followed by the holes of ``polygon``."""
    rings = [polygon.exterior, *polygon.interiors]
    return [_positions(ring.coords, decimals) for ring in rings]


def geometry_to_geojson(geometry: BaseGeometry, decimals: int) -> dict[str, Any]:
    """Convert a shapely geometry to a GeoJSON geometry object with rounded coordinates.

    Parameters
    ----------
    geometry : Polygon, MultiPolygon, LineString or MultiLineString
        Non-empty geometry in EPSG:4326 (lon, lat degrees).
    decimals : int
        Decimal places kept in each coordinate.

    Returns
    -------
    dict
        A GeoJSON geometry object (``type`` and ``coordinates``).

    Raises
    ------
    TypeError
        For other geometry types.
    """
    if isinstance(geometry, Polygon):
        return {"type": "Polygon", "coordinates": _polygon_rings(geometry, decimals)}
    if isinstance(geometry, MultiPolygon):
        parts = [_polygon_rings(part, decimals) for part in geometry.geoms]
        return {"type": "MultiPolygon", "coordinates": parts}
    if isinstance(geometry, LineString):
        return {"type": "LineString", "coordinates": _positions(geometry.coords, decimals)}
    if isinstance(geometry, MultiLineString):
        lines = [_positions(part.coords, decimals) for part in geometry.geoms]
        return {"type": "MultiLineString", "coordinates": lines}
    raise TypeError(f"unsupported geometry type {geometry.geom_type}")


def check_geometry(geojson_geometry: dict[str, Any], where: str) -> BaseGeometry:
    """Parse a written GeoJSON geometry back and check that it is valid.

    Parameters
    ----------
    geojson_geometry : dict
        A GeoJSON geometry object as produced by :func:`geometry_to_geojson`.
    where : str
        Description of the feature, used in the error message.

    Returns
    -------
    shapely geometry
        The parsed geometry.

    Raises
    ------
    ValueError
        If the geometry is empty or invalid after rounding.
    """
    geometry = shapely.geometry.shape(geojson_geometry)
    if geometry.is_empty or not shapely.is_valid(geometry):
        reason = shapely.is_valid_reason(geometry)
        raise ValueError(f"{where}: invalid geometry after rounding ({reason})")
    return geometry


def feature_collection(
    features: list[dict[str, Any]], geometries: list[BaseGeometry], decimals: int
) -> dict[str, Any]:
    """Wrap features in an RFC 7946 FeatureCollection with a top-level ``bbox``.

    Parameters
    ----------
    features : list of dict
        GeoJSON Feature objects.
    geometries : list of shapely geometry
        The same features' geometries, used for the bounding box.
    decimals : int
        Decimal places of the bounding box.

    Returns
    -------
    dict
        ``{"type": "FeatureCollection", "bbox": [west, south, east, north],
        "features": [...]}``.
    """
    west, south, east, north = shapely.total_bounds(np.asarray(geometries, dtype=object))
    bbox = [_round(value, decimals) for value in (west, south, east, north)]
    return {"type": "FeatureCollection", "bbox": bbox, "features": features}


def read_layer(source: Path, filename: str) -> gpd.GeoDataFrame:
    """Read one Natural Earth layer.

    Parameters
    ----------
    source : pathlib.Path
        Directory holding the Natural Earth GeoJSON files.
    filename : str
        File name inside ``source``.

    Returns
    -------
    geopandas.GeoDataFrame
        The layer, in its file order.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the layer is not in EPSG:4326.
    """
    path = source / filename
    if not path.is_file():
        raise FileNotFoundError(f"Natural Earth layer not found: {path}")
    frame = gpd.read_file(path)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        raise ValueError(f"{path}: expected EPSG:4326, got {frame.crs}")
    return frame


def build_countries(source: Path) -> dict[str, Any]:
    """Build the ``countries.geojson`` FeatureCollection.

    Parameters
    ----------
    source : pathlib.Path
        Directory holding ``ne_50m_admin_0_countries.json``.

    Returns
    -------
    dict
        FeatureCollection with one feature per country, sorted by ``name``.

    Raises
    ------
    ValueError
        If a country's outline vanishes or becomes invalid after simplification.
    """
    countries = read_layer(source, COUNTRIES_FILE)
    countries = countries.sort_values("NAME", kind="stable").reset_index(drop=True)
    geometries = simplify_geometries(countries.geometry, COUNTRY_TOLERANCE, COUNTRY_DECIMALS)
    has_labels = {"LABEL_X", "LABEL_Y"} <= set(countries.columns)
    features: list[dict[str, Any]] = []
    written: list[BaseGeometry] = []
    for (_, record), geometry in zip(countries.iterrows(), geometries, strict=True):
        name = str(record["NAME"])
        if geometry is None:
            raise ValueError(f"{name}: outline vanished after simplification")
        iso_a2 = first_code(record, ["ISO_A2_EH", "ISO_A2"])
        iso_a3 = first_code(record, ["ISO_A3_EH", "ISO_A3"])
        fallback = ISO_CODE_FALLBACKS.get(str(record["ADM0_A3"]))
        if fallback is not None:
            iso_a2 = iso_a2 or fallback[0]
            iso_a3 = iso_a3 or fallback[1]
        if has_labels and pd.notna(record["LABEL_X"]) and pd.notna(record["LABEL_Y"]):
            label_lon, label_lat = float(record["LABEL_X"]), float(record["LABEL_Y"])
        else:
            label_lon, label_lat = label_point(record.geometry)
        population = record["POP_EST"]
        geojson_geometry = geometry_to_geojson(geometry, COUNTRY_DECIMALS)
        written.append(check_geometry(geojson_geometry, name))
        properties = {
            "iso_a2": iso_a2,
            "iso_a3": iso_a3,
            "name": name,
            "name_long": str(record["NAME_LONG"]),
            "label_lon": _round(label_lon, COUNTRY_DECIMALS),
            "label_lat": _round(label_lat, COUNTRY_DECIMALS),
            "population": int(population) if pd.notna(population) else None,
            "continent": str(record["CONTINENT"]),
        }
        features.append({"type": "Feature", "properties": properties, "geometry": geojson_geometry})
    return feature_collection(features, written, COUNTRY_DECIMALS)


def _optional_name(value: Any) -> str | None:
    """Return a feature name, or ``None`` for missing or blank values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def select_basemap_layers(source: Path) -> dict[str, gpd.GeoDataFrame]:
    """Read and filter the Natural Earth layers that make up the basemap.

    Parameters
    ----------
    source : pathlib.Path
        Directory holding the Natural Earth land, boundary line, river and lake files.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        Keyed by ``layer`` value in :data:`BASEMAP_LAYER_ORDER`; each frame has a
        ``name`` column (null where Natural Earth has none) and ``geometry``. Land
        polygons smaller than :data:`LAND_MIN_AREA` square degrees, rivers with
        ``scalerank`` above :data:`RIVER_MAX_SCALERANK`, lakes with ``scalerank``
        above :data:`LAKE_MAX_SCALERANK` and missing geometries are dropped.
    """
    land = read_layer(source, LAND_FILE)
    # Planar area in square degrees on purpose: this only drops specks.
    land = land[shapely.area(land.geometry.array) >= LAND_MIN_AREA]
    borders = read_layer(source, BORDERS_FILE)
    rivers = read_layer(source, RIVERS_FILE)
    rivers = rivers[rivers["scalerank"] <= RIVER_MAX_SCALERANK]
    lakes = read_layer(source, LAKES_FILE)
    lakes = lakes[lakes["scalerank"] <= LAKE_MAX_SCALERANK]
    layers = {
        "land": land.assign(name=None),
        "lake": lakes,
        "river": rivers,
        "border": borders.assign(name=None),
    }
    return {
        key: frame.loc[frame.geometry.notna(), ["name", "geometry"]].reset_index(drop=True)
        for key, frame in layers.items()
    }


def build_basemap(source: Path) -> dict[str, Any]:
    """Build the ``basemap.geojson`` FeatureCollection.

    Parameters
    ----------
    source : pathlib.Path
        Directory holding the Natural Earth land, boundary line, river and lake files.

    Returns
    -------
    dict
        FeatureCollection of land, lake, river and border features (in that order,
        each in Natural Earth file order) with properties ``layer`` and ``name``.
        Features whose geometry is empty after simplification are dropped.
    """
    features: list[dict[str, Any]] = []
    written: list[BaseGeometry] = []
    for layer, frame in select_basemap_layers(source).items():
        geometries = simplify_geometries(frame.geometry, BASEMAP_TOLERANCE, BASEMAP_DECIMALS)
        for index, (name, geometry) in enumerate(zip(frame["name"], geometries, strict=True)):
            if geometry is None:
                continue
            geojson_geometry = geometry_to_geojson(geometry, BASEMAP_DECIMALS)
            written.append(check_geometry(geojson_geometry, f"{layer} #{index}"))
            properties = {"layer": layer, "name": _optional_name(name)}
            features.append(
                {"type": "Feature", "properties": properties, "geometry": geojson_geometry}
            )
    return feature_collection(features, written, BASEMAP_DECIMALS)


def write_geojson(collection: dict[str, Any], path: Path) -> int:
    """Write a FeatureCollection as compact UTF-8 JSON with a trailing newline.

    Parameters
    ----------
    collection : dict
        The FeatureCollection; must hold only JSON-native values and finite numbers.
    path : pathlib.Path
        Output file, overwritten.

    Returns
    -------
    int
        Size of the written file in bytes.

    Raises
    ------
    ValueError
        If ``collection`` contains NaN or infinite numbers.
    """
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    data = (text + "\n").encode("utf-8")
    path.write_bytes(data)
    return len(data)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line.

    Parameters
    ----------
    argv : sequence of str or None
        Arguments without the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    argparse.Namespace
        With ``source`` and ``out`` as :class:`pathlib.Path`.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source",
        type=Path,
        default=DEFAULT_SOURCE,
        help="directory with the Natural Earth 1:50m GeoJSON files "
        "(default: ../shared/data/naturalearth relative to the repository root)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=SCRIPT_DIR,
        help="output directory (default: the folder holding this script)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Build ``countries.geojson`` and ``basemap.geojson``.

    Parameters
    ----------
    argv : sequence of str or None, default None
        Command-line arguments (see :func:`parse_args`); ``None`` reads ``sys.argv``.

    Returns
    -------
    int
        Process exit status, 0 on success.
    """
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    outputs = {
        "countries.geojson": build_countries(args.source),
        "basemap.geojson": build_basemap(args.source),
    }
    for filename, collection in outputs.items():
        size = write_geojson(collection, args.out / filename)
        count = len(collection["features"])
        print(f"{args.out / filename}: {count} features, {size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
