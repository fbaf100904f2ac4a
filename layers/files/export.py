"""Exports: GeoJSON (RFC 7946), GeoPackage, KML, CSV and a standalone HTML map.

The GeoJSON profile (DESIGN.md): WGS84 lon/lat, no ``crs`` member, polygon
exterior rings counter-clockwise (holes clockwise), coordinates rounded to 6
decimals, no NaN/Infinity, JSON-native properties, a top-level ``bbox``.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Mapping
from functools import lru_cache, singledispatch
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from geodata.geodesy import representative_point
from geodata.schema import LIST_COLUMNS
from layers.catalog import LAYER_BY_KEY
from layers.map.assets import inline_assets

__all__ = [
    "JSON_COLUMNS",
    "read_geojson",
    "shape_from_rfc7946",
    "to_csv",
    "to_feature_collection",
    "to_geojson",
    "to_gpkg",
    "to_gpkg_bytes",
    "to_html",
    "to_kml",
]

#: Columns holding lists/dicts: JSON arrays in GeoJSON, JSON text in GPKG/CSV/KML.
JSON_COLUMNS = LIST_COLUMNS
PRECISION = 6


class GeoJSONError(ValueError):
    """Raised for input that is not a usable GeoJSON FeatureCollection."""


def _rfc7946_geometry(geometry: BaseGeometry) -> dict[str, Any] | None:
    if geometry is None or geometry.is_empty:
        return None
    if geometry.geom_type == "Polygon":
        geometry = orient(geometry, 1.0)
    elif geometry.geom_type == "MultiPolygon":
        geometry = shapely.MultiPolygon([orient(p, 1.0) for p in geometry.geoms])
    geometry = shapely.transform(geometry, lambda c: np.round(c, PRECISION))
    return mapping(geometry)


def _listify(value: Any) -> Any:
    """Coordinates as nested lists (json cannot write tuples differently, but be explicit)."""
    if isinstance(value, (list, tuple)):
        return [_listify(v) for v in value]
    if isinstance(value, dict):
        return {k: _listify(v) for k, v in value.items()}
    return value


@singledispatch
def _json_native(value: Any) -> Any:
    """Convert a property value to JSON-native (NaN -> None, numpy -> Python, dates -> ISO)."""
    if hasattr(value, "isoformat"):  # datetime.date, datetime, pandas.Timestamp
        return value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


@_json_native.register(type(None))
def _(value: None) -> None:
    return None


@_json_native.register(float)  # numpy.float64 too (a float subclass)
def _(value: float) -> float | None:
    return value if math.isfinite(value) else None


@_json_native.register(np.floating)
def _(value: np.floating) -> float | None:
    return float(value) if np.isfinite(value) else None


@_json_native.register(np.integer)
def _(value: np.integer) -> int:
    return int(value)


@_json_native.register(np.bool_)
def _(value: np.bool_) -> bool:
    return bool(value)


@_json_native.register(str)
@_json_native.register(int)  # bool too
def _(value: str | int) -> str | int:
    return value


@_json_native.register(np.ndarray)
def _(value: np.ndarray) -> list:
    return [_json_native(v) for v in value.tolist()]


@_json_native.register(list)
@_json_native.register(tuple)
def _(value: list | tuple) -> list:
    return [_json_native(v) for v in value]


@_json_native.register(dict)
def _(value: dict) -> dict:
    return {str(k): _json_native(v) for k, v in value.items()}


def to_feature_collection(sites: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return the sites as an RFC 7946 FeatureCollection (a dict).

    Parameters
    ----------
    sites : GeoDataFrame
        EPSG:4326 (or any CRS: it is transformed to EPSG:4326 first).

    Returns
    -------
    dict
        ``{"type": "FeatureCollection", "bbox": [...], "features": [...]}``; each
        feature has ``id`` = ``feature_id`` and every column as a property. The
        ``bbox`` is omitted when no feature has a geometry.
    """
    return json.loads(to_geojson(sites))


def to_geojson(sites: gpd.GeoDataFrame, indent: int | None = None) -> str:
    """Serialise the sites as RFC 7946 GeoJSON text.

    Parameters
    ----------
    sites : GeoDataFrame
        See :func:`to_feature_collection`.
    indent : int, optional
        Pretty-print indentation; default compact.

    Returns
    -------
    str
        UTF-8-safe JSON (non-ASCII kept); never contains NaN or Infinity.
    """
    if indent is not None:
        return json.dumps(json.loads(to_geojson(sites)), ensure_ascii=False, indent=indent)
    # The one serialiser: compact text assembled from per-geometry JSON, cached by
    # the geometry's WKB (a rerun of the app re-exports the same polygons).
    if sites.crs is not None and sites.crs.to_epsg() != 4326:
        sites = sites.to_crs(4326)
    name = sites.geometry.name
    columns = [c for c in sites.columns if c != name]
    parts = []
    for row in sites.to_dict("records"):
        properties = {c: _json_native(row[c]) for c in columns}
        head = {"type": "Feature"}
        if properties.get("feature_id") is not None:
            head["id"] = properties["feature_id"]
        geometry = row[name]
        geometry_json = (
            "null"
            if geometry is None or geometry.is_empty
            else _geometry_json(shapely.to_wkb(geometry))
        )
        parts.append(
            json.dumps(head, ensure_ascii=False)[:-1]
            + ', "geometry": '
            + geometry_json
            + ', "properties": '
            + json.dumps(properties, ensure_ascii=False, allow_nan=False)
            + "}"
        )
    collection = {"type": "FeatureCollection"}
    geometries = [g for g in sites.geometry if g is not None and not g.is_empty]
    if geometries:
        bounds = shapely.GeometryCollection(geometries).bounds
        collection["bbox"] = [round(v, PRECISION) for v in bounds]  # type: ignore[assignment]
    return json.dumps(collection)[:-1] + ', "features": [' + ", ".join(parts) + "]}"


@lru_cache(maxsize=4096)
def _geometry_json(wkb: bytes) -> str:
    """RFC 7946 JSON text of a geometry given as WKB (cached)."""
    written = _rfc7946_geometry(shapely.from_wkb(wkb))
    return json.dumps(_listify(written), allow_nan=False)


def read_geojson(data: str | bytes | Mapping[str, Any]) -> gpd.GeoDataFrame:
    """Read a GeoJSON FeatureCollection written by :func:`to_geojson` (or any other).

    Parameters
    ----------
    data : str, bytes or mapping
        GeoJSON text/bytes or an already parsed dict.

    Returns
    -------
    GeoDataFrame
        EPSG:4326; list/dict properties kept as Python objects.

    Raises
    ------
    GeoJSONError
        If the input is not valid JSON, not a FeatureCollection, or a geometry
        is malformed (the message says which feature).
    """
    if isinstance(data, (bytes, bytearray)):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise GeoJSONError("the file is not UTF-8 text") from error
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as error:
            raise GeoJSONError(f"not valid JSON: {error.msg} at line {error.lineno}") from error
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise GeoJSONError("expected a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise GeoJSONError("the FeatureCollection has no 'features' array")
    rows, geometries = [], []
    for number, feature in enumerate(features):
        if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
            raise GeoJSONError(f"feature {number} is not a GeoJSON Feature")
        geometry = feature.get("geometry")
        try:
            parsed = shape(geometry) if geometry else None
            coords = shapely.get_coordinates(parsed) if parsed is not None else np.empty((0, 2))
        except (
            ValueError,
            TypeError,
            AttributeError,
            KeyError,
            IndexError,
            shapely.errors.ShapelyError,
        ) as error:
            raise GeoJSONError(f"feature {number} has an invalid geometry: {error}") from error
        if len(coords) and not (
            np.isfinite(coords).all()
            and (np.abs(coords[:, 0]) <= 180).all()
            and (np.abs(coords[:, 1]) <= 90).all()
        ):
            raise GeoJSONError(
                f"feature {number} has coordinates outside lon -180..180, lat -90..90"
            )
        geometries.append(parsed)
        properties = feature.get("properties") or {}
        if not isinstance(properties, Mapping):
            raise GeoJSONError(f"feature {number} has properties that are not an object")
        rows.append(dict(properties))
    frame = pd.DataFrame(rows)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometries, crs="EPSG:4326"))


def _flat_frame(sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Copy with list/dict columns as JSON text (for formats without nested values)."""
    flat = sites.copy()
    for column in flat.columns:
        if column == flat.geometry.name:
            continue
        if column in JSON_COLUMNS or flat[column].map(lambda v: isinstance(v, (list, dict))).any():
            flat[column] = [json.dumps(_json_native(v), ensure_ascii=False) for v in flat[column]]
    return flat


def to_gpkg(sites: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write a GeoPackage with one table per layer (pyogrio).

    Parameters
    ----------
    sites : GeoDataFrame
        Sites with a ``layer`` column.
    path : str or Path
        Output file (overwritten).

    Returns
    -------
    Path
        ``path``. Tables are named by layer key; list columns are JSON text.
    """
    path = Path(path)
    if path.exists():
        path.unlink()
    flat = _flat_frame(sites)
    for key, frame in flat.groupby("layer", sort=False):
        out = frame.reset_index(drop=True)
        # One geometry type per table is what GIS clients expect; mixed tables
        # are written as generic "Geometry".
        out.to_file(path, layer=str(key), driver="GPKG", engine="pyogrio", promote_to_multi=False)
    if flat.empty:
        flat.to_file(path, layer="sites", driver="GPKG", engine="pyogrio")
    return path


def read_gpkg(path: str | Path) -> gpd.GeoDataFrame:
    """Read a GeoPackage written by :func:`to_gpkg` back into one sites GeoDataFrame.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    GeoDataFrame
        Rows of all layer tables (in catalogue order), JSON columns decoded.
    """
    import pyogrio

    names = [name for name, _ in pyogrio.list_layers(path)]
    order = {key: i for i, key in enumerate(LAYER_BY_KEY)}
    frames = [
        gpd.read_file(path, layer=n, engine="pyogrio")
        for n in sorted(names, key=lambda n: order.get(n, 99))
    ]
    frame = pd.concat(frames, ignore_index=True) if frames else gpd.GeoDataFrame()
    for column in frame.columns:
        if column != "geometry" and pd.api.types.is_string_dtype(frame[column]):
            frame[column] = [None if pd.isna(v) else v for v in frame[column].astype(object)]
    for column in JSON_COLUMNS:
        if column in frame:
            frame[column] = [json.loads(v) if isinstance(v, str) else v for v in frame[column]]
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")


def to_kml(sites: gpd.GeoDataFrame) -> bytes:
    """Return the sites as KML (for Google Earth), via GDAL's KML driver.

    Parameters
    ----------
    sites : GeoDataFrame

    Returns
    -------
    bytes
        A KML document; ``name`` is the placemark name, other columns are
        ExtendedData (list columns as JSON text).
    """
    flat = _flat_frame(sites.to_crs(4326) if sites.crs else sites)
    flat = flat.rename(columns={"name": "Name"})
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "sites.kml"
        flat.to_file(target, driver="KML", engine="pyogrio")
        return target.read_bytes()


def to_csv(sites: gpd.GeoDataFrame) -> str:
    """Return the sites as CSV with ``lon``/``lat`` (a representative point) and ``wkt``.

    Parameters
    ----------
    sites : GeoDataFrame

    Returns
    -------
    str
        One row per feature; list columns as JSON text; coordinates in degrees
        (EPSG:4326), 6 decimals.
    """
    flat = _flat_frame(sites)
    geometry = flat.geometry
    points = [representative_point(g) for g in geometry]
    table = pd.DataFrame(flat.drop(columns=geometry.name))
    table["lon"] = [round(p.x, 6) if p is not None and not p.is_empty else None for p in points]
    table["lat"] = [round(p.y, 6) if p is not None and not p.is_empty else None for p in points]
    table["wkt"] = [
        shapely.to_wkt(g, rounding_precision=6) if g is not None else "" for g in geometry
    ]
    return table.to_csv(index=False)


def to_html(m: Any, title: str = "newsmap") -> str:
    """Return a standalone HTML page of a map, its scripts and styles inlined.

    Parameters
    ----------
    m : folium.Map
        From :func:`layers.map.render.render_map`.
    title : str, default "newsmap"
        Page title (escaped).

    Returns
    -------
    str
        HTML that opens offline from a file (no CDN or server request).
    """
    import html as html_lib

    page = m.get_root().render()
    page = page.replace("<head>", f"<head><title>{html_lib.escape(title)}</title>", 1)
    return inline_assets(page)


def to_gpkg_bytes(sites: gpd.GeoDataFrame) -> bytes:
    """Return the GeoPackage of :func:`to_gpkg` as bytes (for a download button).

    Parameters
    ----------
    sites : GeoDataFrame

    Returns
    -------
    bytes
    """
    with tempfile.TemporaryDirectory() as folder:
        target = to_gpkg(sites, Path(folder) / "sites.gpkg")
        return target.read_bytes()


def shape_from_rfc7946(geometry: BaseGeometry | None) -> BaseGeometry | None:
    """Return ``geometry`` exactly as :func:`to_geojson` writes it.

    Coordinates rounded to 6 decimals, polygon exteriors counter-clockwise and
    holes clockwise; useful to compare a read-back file with the original.

    Parameters
    ----------
    geometry : shapely geometry or None
        In EPSG:4326.

    Returns
    -------
    shapely geometry or None
        None for a missing or empty geometry.
    """
    if geometry is None:
        return None
    written = _rfc7946_geometry(geometry)
    return shape(written) if written else None
