"""Embedded, sourced geodata: curated sites and Natural Earth country shapes.

Both are read once per process from ``geodata/data/`` (see ``SOURCES.md`` there).
"""

from __future__ import annotations

import json
from functools import lru_cache

import geopandas as gpd
import shapely

from geodata.gazetteer import COUNTRIES_PATH, SITES_PATH

__all__ = ["country_at", "country_shapes", "load_sites"]


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


def country_at(lon: float, lat: float) -> str | None:
    """Return the ISO alpha-2 code of the country holding a point, or None (sea, no code).

    Parameters
    ----------
    lon, lat : float
        Degrees, EPSG:4326.

    Returns
    -------
    str or None
        From the Natural Earth 1:50m polygons of :func:`country_shapes` (lightly
        simplified: within a few km of a border the answer may be the neighbour).
    """
    shapes = country_shapes()
    hits = shapes.sindex.query(shapely.Point(lon, lat), predicate="intersects")
    return str(shapes.index[hits[0]]) if len(hits) else None
