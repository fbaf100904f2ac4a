"""Embedded, sourced geodata: curated sites and Natural Earth country shapes.

Both are read once per process from ``geodata/data/`` (see ``SOURCES.md`` there).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geodata.gazetteer import COUNTRIES_PATH, SITES_PATH

__all__ = ["country_shapes", "distance_km", "load_sites"]

EARTH_RADIUS_KM = 6371.0088


@lru_cache(maxsize=1)
def load_sites() -> gpd.GeoDataFrame:
    """Return the curated site catalogue.

    Returns
    -------
    GeoDataFrame
        EPSG:4326, one row per site, columns ``id``, ``name``, ``kind``,
        ``country_code``, ``countries`` (list), ``aliases`` (list), ``used_by``
        (list), ``source``, ``confidence``, ``note``, ``geometry`` (Point or
        LineString). Source: ``geodata/data/sites.geojson``.
    """
    with SITES_PATH.open(encoding="utf-8") as handle:
        data = json.load(handle)
    frame = gpd.GeoDataFrame.from_features(data["features"], crs="EPSG:4326")
    for column in ("aliases", "used_by", "countries"):
        if column not in frame:
            frame[column] = None
        frame[column] = [v if isinstance(v, list) else [] for v in frame[column]]
    if "note" not in frame:
        frame["note"] = ""
    frame["note"] = frame["note"].fillna("")
    return frame.set_index("id", drop=False)


@lru_cache(maxsize=1)
def country_shapes() -> gpd.GeoDataFrame:
    """Return Natural Earth 1:50m country polygons indexed by ISO alpha-2.

    Returns
    -------
    GeoDataFrame
        EPSG:4326, index ``iso_a2``, columns ``name``, ``label_lon``,
        ``label_lat`` (degrees), ``geometry`` (Polygon/MultiPolygon, lightly
        simplified; see ``geodata/data/naturalearth/README.md``).
    """
    with COUNTRIES_PATH.open(encoding="utf-8") as handle:
        data = json.load(handle)
    frame = gpd.GeoDataFrame.from_features(data["features"], crs="EPSG:4326")
    frame = frame[frame["iso_a2"].notna()]
    return frame.drop_duplicates("iso_a2").set_index("iso_a2", drop=False)


def distance_km(point: Point, geometry: BaseGeometry) -> float:
    """Approximate great-circle distance from a point to a geometry, in km.

    The geometry is densified to 0.05-degree steps and the haversine distance
    (mean Earth radius) to its nearest vertex is returned; for polygons, a point
    inside counts as 0.

    Parameters
    ----------
    point : shapely.Point
        (lon, lat) in degrees, EPSG:4326.
    geometry : shapely geometry
        In EPSG:4326.

    Returns
    -------
    float
        Kilometres (error below ~3 km from the densification).
    """
    if geometry.is_empty:
        return math.inf
    if geometry.geom_type in ("Polygon", "MultiPolygon") and geometry.covers(point):
        return 0.0
    boundary = geometry.boundary if geometry.geom_type.endswith("Polygon") else geometry
    coords = shapely.get_coordinates(shapely.segmentize(boundary, 0.05))
    if len(coords) == 0:
        return math.inf
    lon0, lat0 = math.radians(point.x), math.radians(point.y)
    lons, lats = np.radians(coords[:, 0]), np.radians(coords[:, 1])
    a = (
        np.sin((lats - lat0) / 2) ** 2
        + math.cos(lat0) * np.cos(lats) * np.sin((lons - lon0) / 2) ** 2
    )
    return float(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1))).min())
