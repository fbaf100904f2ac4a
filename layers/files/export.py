"""Exports: GeoJSON, GeoJSONSeq, GeoPackage, FlatGeobuf, GeoParquet and an HTML map.

KML is :mod:`layers.files.kml`, CSV :mod:`layers.files.tables`; the writer by
extension is :mod:`layers.files.formats`.

The GeoJSON profile (DESIGN.md): WGS84 lon/lat, no ``crs`` member, polygon
exterior rings counter-clockwise (holes clockwise), coordinates rounded to 6
decimals, no NaN/Infinity, JSON-native properties, a top-level ``bbox``.
"""

from __future__ import annotations

import json
import math
import tempfile
import warnings
from collections.abc import Mapping
from datetime import date
from functools import lru_cache, singledispatch
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from geodata.focus import article_focus
from geodata.schema import LIST_COLUMNS, decode_list_columns
from layers.catalog import LAYER_BY_KEY
from layers.map.assets import inline_assets

__all__ = [
    "JSON_COLUMNS",
    "SAVED_MAP_SUFFIXES",
    "export_metadata",
    "geometry_tables",
    "read_geojson",
    "read_gpkg",
    "read_saved_map",
    "shape_from_rfc7946",
    "simplestyle",
    "table_frame",
    "to_feature_collection",
    "to_fgb",
    "to_geojson",
    "to_geojsonseq",
    "to_gpkg",
    "to_gpkg_bytes",
    "to_html",
    "to_parquet",
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


#: simplestyle-spec 1.1.0 properties written by :func:`simplestyle` (geojson.io,
#: GitHub and Mapbox draw them); :func:`read_geojson` drops them again.
STYLE_KEYS: tuple[str, ...] = (
    "marker-color",
    "marker-size",
    "marker-symbol",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "fill",
    "fill-opacity",
)
#: Maki icon names (the set geojson.io draws) for each layer's points.
_MAKI = {
    "countries": "circle",
    "regions": "water",
    "places": "circle",
    "airports": "airport",
    "military": "star",
    "religious": "place-of-worship",
    "infrastructure": "industry",
    "routes": "rail",
    "incidents": "danger",
}


def simplestyle(layer: str | None, geometry_type: str | None) -> dict[str, Any]:
    """Return the simplestyle-spec properties that draw a feature in the map's colours.

    Parameters
    ----------
    layer : str or None
        Layer key (``layers.catalog``); unknown layers are drawn grey.
    geometry_type : str or None
        Shapely geometry type name (``Point``, ``MultiPolygon`` ...).

    Returns
    -------
    dict
        ``marker-color``/``marker-size``/``marker-symbol`` for points,
        ``stroke``/``stroke-width``/``stroke-opacity`` for lines, and ``fill``/
        ``fill-opacity`` added for polygons; colours as ``#rrggbb``.

    Examples
    --------
    >>> simplestyle("airports", "Point")
    {'marker-color': '#17becf', 'marker-size': 'medium', 'marker-symbol': 'airport'}
    """
    definition = LAYER_BY_KEY.get(str(layer))
    color = definition.color if definition else "#7f7f7f"
    kind = (geometry_type or "").removeprefix("Multi")
    if kind in ("Point", ""):
        size = "large" if layer == "incidents" else "medium"
        return {
            "marker-color": color,
            "marker-size": size,
            "marker-symbol": _MAKI.get(str(layer), "circle"),
        }
    style: dict[str, Any] = {
        "stroke": color,
        "stroke-width": 3 if kind == "LineString" else 1,
        "stroke-opacity": 0.9,
    }
    if kind != "LineString":  # Polygon, GeometryCollection
        style.update({"fill": color, "fill-opacity": 0.15})
    return style


def _feature_texts(sites: gpd.GeoDataFrame, style: bool) -> list[str]:
    """One compact GeoJSON Feature text per row (the rows in EPSG:4326)."""
    name = sites.geometry.name
    columns = [c for c in sites.columns if c != name]
    parts = []
    for row in sites.to_dict("records"):
        properties = {c: _json_native(row[c]) for c in columns}
        geometry = row[name]
        if style:
            kind = None if geometry is None or geometry.is_empty else geometry.geom_type
            properties.update(simplestyle(properties.get("layer"), kind))
        head = {"type": "Feature"}
        if properties.get("feature_id") is not None:
            head["id"] = properties["feature_id"]
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
    return parts


def _wgs84(sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if sites.crs is not None and sites.crs.to_epsg() != 4326:
        return sites.to_crs(4326)
    return sites


def to_geojson(
    sites: gpd.GeoDataFrame,
    indent: int | None = None,
    *,
    style: bool = False,
    metadata: Mapping[str, Any] | None = None,
) -> str:
    """Serialise the sites as RFC 7946 GeoJSON text.

    Parameters
    ----------
    sites : GeoDataFrame
        See :func:`to_feature_collection`.
    indent : int, optional
        Pretty-print indentation; default compact.
    style : bool, default False
        Add :func:`simplestyle` properties to every feature (the exports do).
    metadata : mapping, optional
        Written as the collection's ``newsmap`` member (RFC 7946 section 6.1
        foreign member), e.g. :func:`export_metadata`.

    Returns
    -------
    str
        UTF-8-safe JSON (non-ASCII kept); never contains NaN or Infinity.
    """
    if indent is not None:
        compact = to_geojson(sites, style=style, metadata=metadata)
        return json.dumps(json.loads(compact), ensure_ascii=False, indent=indent)
    # The one serialiser: compact text assembled from per-geometry JSON, cached by
    # the geometry's WKB (a rerun of the app re-exports the same polygons).
    sites = _wgs84(sites)
    parts = _feature_texts(sites, style)
    collection: dict[str, Any] = {"type": "FeatureCollection"}
    geometries = [g for g in sites.geometry if g is not None and not g.is_empty]
    if geometries:
        bounds = shapely.GeometryCollection(geometries).bounds
        collection["bbox"] = [round(v, PRECISION) for v in bounds]
    if metadata is not None:
        collection["newsmap"] = _json_native(dict(metadata))
    head = json.dumps(collection, ensure_ascii=False, allow_nan=False)[:-1]
    return head + ', "features": [' + ", ".join(parts) + "]}"


def to_geojsonseq(sites: gpd.GeoDataFrame, *, style: bool = True) -> str:
    """Serialise the sites as newline-delimited GeoJSON (GeoJSONSeq, one Feature a line).

    Parameters
    ----------
    sites : GeoDataFrame
        See :func:`to_feature_collection`.
    style : bool, default True
        Add :func:`simplestyle` properties.

    Returns
    -------
    str
        One RFC 7946 Feature per line, each line ending in a newline (GDAL's
        ``GeoJSONSeq`` driver and ``jq -c`` read it); no collection, so no
        metadata member.
    """
    return "".join(part + "\n" for part in _feature_texts(_wgs84(sites), style))


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
        rows.append({k: v for k, v in properties.items() if k not in STYLE_KEYS})
    frame = pd.DataFrame(rows)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometries, crs="EPSG:4326"))


def _flat_frame(sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Copy with list/dict columns as JSON text (for formats without nested values)."""
    flat = sites.copy()
    for column in flat.columns:
        if column == flat.geometry.name:
            continue
        if column in JSON_COLUMNS or flat[column].map(lambda v: isinstance(v, (list, dict))).any():
            flat[column] = [
                v if isinstance(v, str) else json.dumps(_json_native(v), ensure_ascii=False)
                for v in flat[column]
            ]
    return flat


def _period(value: Any) -> tuple[date | None, str | None]:
    """``YYYY-MM-DD`` / ``YYYY-MM`` / ``YYYY`` -> (first day, precision); else (None, None)."""
    if not isinstance(value, str):
        return None, None
    parts = value.split("-")
    try:
        if len(parts) == 3:
            return date(int(parts[0]), int(parts[1]), int(parts[2])), "day"
        if len(parts) == 2:
            return date(int(parts[0]), int(parts[1]), 1), "month"
        if len(parts) == 1 and len(parts[0]) == 4:
            return date(int(parts[0]), 1, 1), "year"
    except ValueError:
        pass
    return None, None


def table_frame(sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the sites as a flat table for GeoPackage, FlatGeobuf and GeoParquet.

    Parameters
    ----------
    sites : GeoDataFrame
        A sites frame (any CRS; transformed to EPSG:4326).

    Returns
    -------
    GeoDataFrame
        List columns as JSON text (:func:`geodata.schema.decode_list_columns`
        reads them back); ``date`` typed as a date (Arrow ``date32``: a DATE
        column in GeoPackage and Parquet) holding the first day of the period
        named, with ``date_precision`` ("day", "month" or "year") after it.
    """
    flat = _flat_frame(_wgs84(sites))
    if "date" in flat:
        periods = [_period(v) for v in flat["date"]]
        position = list(flat.columns).index("date")
        flat["date"] = pd.array([p[0] for p in periods], dtype=pd.ArrowDtype(pa.date32()))
        flat.insert(
            position + 1, "date_precision", pd.Series([p[1] for p in periods], dtype=object)
        )
    return flat


def _untable(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`table_frame`'s date typing: ISO text at the recorded precision."""
    if "date_precision" not in frame:
        return frame
    out = frame.copy()
    texts: list[str | None] = []
    for value, precision in zip(out["date"], out["date_precision"], strict=True):
        if value is None or pd.isna(value):
            texts.append(None)
            continue
        day = pd.Timestamp(value).date()
        width = {"year": 4, "month": 7}.get(str(precision), 10)
        texts.append(day.isoformat()[:width])
    out["date"] = pd.Series(texts, index=out.index, dtype=object)
    return out.drop(columns="date_precision")


_FAMILY = {
    "Point": "points",
    "MultiPoint": "points",
    "LineString": "lines",
    "MultiLineString": "lines",
    "Polygon": "areas",
    "MultiPolygon": "areas",
    "GeometryCollection": "collections",
}
#: The geometry family of each layer's own table; rows of another family get
#: a table of their own (``<layer>_<family>``, or a name of :data:`_TABLE_NAMES`).
_PRIMARY_FAMILY = {"countries": "areas", "routes": "lines"}
_TABLE_NAMES = {("incidents", "lines"): "strike_paths"}
_MULTI = {
    "points": shapely.MultiPoint,
    "lines": shapely.MultiLineString,
    "areas": shapely.MultiPolygon,
}


def geometry_tables(sites: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Split sites into tables that each hold one geometry type.

    GIS clients expect one geometry type per table: GDAL's Shapefile writer
    stops at the first feature of another type, QGIS splits such a layer in two.

    Parameters
    ----------
    sites : GeoDataFrame
        With a ``layer`` column (EPSG:4326).

    Returns
    -------
    dict of str to GeoDataFrame
        Table name -> rows, in drawing order: one table per layer and geometry
        family. A layer's own family (areas for countries, lines for routes,
        points otherwise) keeps the layer key; another family gets its own
        table (``strike_paths`` for the incidents' lines, else
        ``<layer>_<points|lines|areas|collections>``). Polygons are always
        MultiPolygon; points and lines become multi-part only when their table
        holds a multi-part one. Rows without geometry stay in the layer's table.
    """
    tables: dict[str, gpd.GeoDataFrame] = {}
    if sites.empty:
        return tables
    geometry = sites.geometry
    families = [
        _FAMILY.get(g.geom_type, "collections") if g is not None and not g.is_empty else None
        for g in geometry
    ]
    layers = [str(v) for v in sites["layer"]] if "layer" in sites else ["sites"] * len(sites)
    keys = []
    for layer, family in zip(layers, families, strict=True):
        primary = _PRIMARY_FAMILY.get(layer, "points")
        family = family or primary
        keys.append(
            (layer, family, layer if family == primary else _TABLE_NAMES.get((layer, family)))
        )
    order = {key: i for i, key in enumerate(LAYER_BY_KEY)}
    groups: dict[tuple[str, str, str | None], list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    for layer, family, name in sorted(
        groups, key=lambda k: (order.get(k[0], len(order)), k[2] != k[0])
    ):
        rows = sites.iloc[groups[(layer, family, name)]].reset_index(drop=True)
        shapes = list(rows.geometry)
        multi = _MULTI.get(family)
        if multi is not None and (
            family == "areas"
            or any(g is not None and g.geom_type.startswith("Multi") for g in shapes)
        ):
            shapes = [
                multi([g]) if g is not None and not g.geom_type.startswith("Multi") else g
                for g in shapes
            ]
        rows = rows.set_geometry(gpd.GeoSeries(shapes, crs=sites.crs, index=rows.index))
        tables[name or f"{layer}_{family}"] = rows
    return tables


def export_metadata(sites: gpd.GeoDataFrame, content: str = "all layers") -> dict[str, Any]:
    """Return what every export says about itself: generator, content, the article's focus.

    Parameters
    ----------
    sites : GeoDataFrame
        The features being exported.
    content : str, default "all layers"
        What the file holds, in words ("all layers", "visible layers: ...").

    Returns
    -------
    dict
        ``generator`` ("newsmap <version>"), ``content``, ``features`` (count),
        ``crs`` ("EPSG:4326") and ``focus`` (:func:`geodata.focus.article_focus`:
        the country and place the article is mostly about).
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        generator = f"newsmap {version('newsmap')}"
    except PackageNotFoundError:  # pragma: no cover - a checkout that is not installed
        generator = "newsmap"
    focus = article_focus(sites) if {"kind", "country_code"} <= set(sites.columns) else {}
    return {
        "generator": generator,
        "content": content,
        "features": len(sites),
        "crs": "EPSG:4326",
        "focus": focus,
    }


def _flat_metadata(metadata: Mapping[str, Any] | None) -> dict[str, str]:
    """Metadata as GDAL key=value items: ``NEWSMAP_<KEY>``, nested dicts as JSON text."""
    items: dict[str, str] = {}
    for key, value in (metadata or {}).items():
        text = value if isinstance(value, str) else json.dumps(_json_native(value))
        items[f"NEWSMAP_{key.upper()}"] = text
    return items


def to_gpkg(
    sites: gpd.GeoDataFrame, path: str | Path, metadata: Mapping[str, Any] | None = None
) -> Path:
    """Write a GeoPackage (version 1.2) with one table per layer and geometry type.

    Parameters
    ----------
    sites : GeoDataFrame
        Sites with a ``layer`` column.
    path : str or Path
        Output file (overwritten).
    metadata : mapping, optional
        Dataset metadata (:func:`export_metadata`), stored by GDAL in
        ``gpkg_metadata`` as ``NEWSMAP_<KEY>`` items (``ogrinfo`` lists them).

    Returns
    -------
    Path
        ``path``. Tables as :func:`geometry_tables` names them, columns as
        :func:`table_frame` writes them (list columns JSON text, ``date`` a DATE).
        Version 1.2 because GDAL before 3.7 (Debian 12) warns on 1.4 files.
    """
    path = Path(path)
    if path.exists():
        path.unlink()
    flat = table_frame(sites)
    tables = geometry_tables(flat) or {"sites": flat}
    for i, (name, frame) in enumerate(tables.items()):
        options: dict[str, Any] = {}
        if i == 0:
            options = {
                "dataset_options": {"VERSION": "1.2"},
                "dataset_metadata": _flat_metadata(metadata) or None,
            }
        frame.to_file(
            path,
            layer=name,
            driver="GPKG",
            engine="pyogrio",
            use_arrow=True,
            promote_to_multi=False,
            **options,
        )
    return path


def read_gpkg(path: str | Path) -> gpd.GeoDataFrame:
    """Read a GeoPackage written by :func:`to_gpkg` back into one sites GeoDataFrame.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    GeoDataFrame
        Rows of all tables, in drawing order; JSON columns decoded, ``date``
        back to ISO text at its precision; EPSG:4326.
    """
    import pyogrio

    names = [name for name, _ in pyogrio.list_layers(path)]
    frames = [gpd.read_file(path, layer=n, engine="pyogrio") for n in names]
    order = {key: i for i, key in enumerate(LAYER_BY_KEY)}
    frames.sort(key=lambda f: order.get(f["layer"].iloc[0], 99) if len(f) and "layer" in f else 99)
    frame = pd.concat(frames, ignore_index=True) if frames else gpd.GeoDataFrame()
    frame = _untable(frame)
    for column in frame.columns:
        if column != "geometry" and pd.api.types.is_string_dtype(frame[column]):
            frame[column] = [None if pd.isna(v) else v for v in frame[column].astype(object)]
    frame = decode_list_columns(frame)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")


#: Saved-map files the app and :func:`read_saved_map` open, by extension.
SAVED_MAP_SUFFIXES = (".geojson", ".json", ".gpkg", ".fgb", ".parquet", ".geoparquet")


def read_saved_map(data: bytes, filename: str) -> gpd.GeoDataFrame:
    """Read a map newsmap saved (or any file of the same shape) from its bytes.

    Parameters
    ----------
    data : bytes
        The file's content.
    filename : str
        Its name; the extension picks the reader (:data:`SAVED_MAP_SUFFIXES`):
        GeoJSON through :func:`read_geojson`, GeoPackage through
        :func:`read_gpkg` (every table), FlatGeobuf through pyogrio, GeoParquet
        through ``geopandas.read_parquet``.

    Returns
    -------
    GeoDataFrame
        EPSG:4326, properties as written (list columns decoded from JSON text).

    Raises
    ------
    GeoJSONError
        If the bytes are not a readable file of that format, or hold no
        features; the message says why in one line.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in SAVED_MAP_SUFFIXES:
        raise GeoJSONError(f"{suffix or 'no extension'} is not a saved-map format")
    if suffix in (".geojson", ".json"):
        return read_geojson(data)
    # GDAL and Arrow read from a path; a temporary file keeps the reader in its
    # own well-trodden code (no in-memory virtual file system).
    with tempfile.TemporaryDirectory(prefix="newsmap-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            frame = _read_saved_file(path, suffix)
        except Exception as error:  # GDAL, Arrow and SQLite each raise their own kinds
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise GeoJSONError(
                f"not a readable {suffix[1:].upper()} file ({type(error).__name__}"
                f"{': ' + first[:160] if first else ''})"
            ) from error
    if frame.empty or "geometry" not in frame:
        raise GeoJSONError("the file holds no features")
    frame = gpd.GeoDataFrame(frame, geometry="geometry")
    return frame.set_crs("EPSG:4326") if frame.crs is None else frame.to_crs("EPSG:4326")


def _read_saved_file(path: Path, suffix: str) -> pd.DataFrame:
    # GDAL's warnings about a stranger's file ("bad application_id") are not the
    # user's business: the file either reads or raises.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if suffix == ".gpkg":
            return read_gpkg(path)
        if suffix == ".fgb":
            return decode_list_columns(_untable(gpd.read_file(path, engine="pyogrio")))
        return decode_list_columns(_untable(gpd.read_parquet(path)))


def to_fgb(
    sites: gpd.GeoDataFrame, path: str | Path, metadata: Mapping[str, Any] | None = None
) -> Path:
    """Write a FlatGeobuf file (one layer; GDAL's FlatGeobuf driver, 3.1 or later).

    Parameters
    ----------
    sites : GeoDataFrame
    path : str or Path
        Output file (overwritten).
    metadata : mapping, optional
        Written as the layer's ``TITLE`` (the generator) and ``DESCRIPTION``
        (the metadata as JSON text).

    Returns
    -------
    Path
        ``path``. FlatGeobuf holds one layer, so geometry types are mixed in it
        (declared "Unknown", which GDAL and QGIS read); countries are
        MultiPolygon as in :func:`geometry_tables`. Columns as :func:`table_frame`
        (a date is written as a DateTime: FlatGeobuf has no date type).
    """
    path = Path(path)
    if path.exists():
        path.unlink()
    flat = table_frame(sites)
    tables = geometry_tables(flat)
    frame = (
        gpd.GeoDataFrame(pd.concat(tables.values(), ignore_index=True), crs="EPSG:4326")
        if tables
        else flat
    )
    options = {}
    if metadata:
        options = {
            "TITLE": str(metadata.get("generator", "newsmap")),
            "DESCRIPTION": json.dumps(_json_native(dict(metadata)), ensure_ascii=False),
        }
    frame.to_file(
        path,
        driver="FlatGeobuf",
        engine="pyogrio",
        use_arrow=True,
        promote_to_multi=False,
        layer_options=options or None,
    )
    return path


def to_parquet(
    sites: gpd.GeoDataFrame, path: str | Path, metadata: Mapping[str, Any] | None = None
) -> Path:
    """Write a GeoParquet 1.1 file (WKB geometry, bbox covering column).

    Parameters
    ----------
    sites : GeoDataFrame
    path : str or Path
        Output file (overwritten).
    metadata : mapping, optional
        Stored as JSON text under the file's ``newsmap`` key-value metadata.

    Returns
    -------
    Path
        ``path``; readable by ``geopandas.read_parquet``, pyarrow, DuckDB and GDAL
        builds with the (Geo)Parquet driver. Columns as :func:`table_frame` (``date``
        a ``date32``).
    """
    import pyarrow.parquet as pq

    path = Path(path)
    frame = table_frame(sites)
    # geopandas writes the "geo" metadata (GeoParquet 1.1); ours is added after.
    frame.to_parquet(path, index=False, schema_version="1.1.0", write_covering_bbox=True)
    if metadata:
        written = pq.read_table(path)
        extra = {b"newsmap": json.dumps(_json_native(dict(metadata))).encode("utf-8")}
        written = written.replace_schema_metadata({**(written.schema.metadata or {}), **extra})
        pq.write_table(written, path)
    return path


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


def to_gpkg_bytes(sites: gpd.GeoDataFrame, metadata: Mapping[str, Any] | None = None) -> bytes:
    """Return the GeoPackage of :func:`to_gpkg` as bytes (for a download button).

    Parameters
    ----------
    sites : GeoDataFrame
    metadata : mapping, optional
        See :func:`to_gpkg`.

    Returns
    -------
    bytes
    """
    with tempfile.TemporaryDirectory() as folder:
        target = to_gpkg(sites, Path(folder) / "sites.gpkg", metadata)
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
