"""What a reader asks of the map: filters, geodesic distances, range rings, highlights.

Pure functions of a sites GeoDataFrame (EPSG:4326); distances are geodesic on the
WGS84 ellipsoid (``pyproj.Geod``), in km.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod
from shapely.geometry import Point, Polygon

from geodata.names import normalize_name
from layers.catalog import LAYER_BY_KEY

__all__ = ["distances_km", "filter_sites", "highlight_html", "range_rings", "representative_lonlat"]

GEOD = Geod(ellps="WGS84")


def filter_sites(
    sites: gpd.GeoDataFrame,
    layers: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
    min_confidence: float = 0.0,
    query: str = "",
) -> gpd.GeoDataFrame:
    """Keep the features that pass every filter (the map, table and exports share it).

    Parameters
    ----------
    sites : GeoDataFrame
        Sites with ``layer``, ``kind``, ``confidence``, ``name``.
    layers, kinds : iterable of str, optional
        Allowed layer keys / kinds; None allows all.
    min_confidence : float, default 0.0
        Lowest confidence kept (0..1).
    query : str, default ""
        Case- and accent-insensitive substring of the name (empty: no filter).

    Returns
    -------
    GeoDataFrame
        The kept rows, index reset.
    """
    keep = sites["confidence"].fillna(0) >= float(min_confidence)
    if layers is not None:
        keep &= sites["layer"].isin(list(layers))
    if kinds is not None:
        keep &= sites["kind"].isin(list(kinds))
    key = normalize_name(query or "")
    if key:
        keep &= sites["name"].map(lambda n: key in normalize_name(str(n)))
    return sites[keep].reset_index(drop=True)


def representative_lonlat(geometry) -> tuple[float, float] | None:
    """Return (lon, lat) of a point, or a representative point of a line/area.

    Parameters
    ----------
    geometry : shapely geometry or None

    Returns
    -------
    tuple of float or None
        Degrees; None for a missing or empty geometry.
    """
    if geometry is None or geometry.is_empty:
        return None
    point = geometry if geometry.geom_type == "Point" else geometry.representative_point()
    return float(point.x), float(point.y)


def distances_km(sites: gpd.GeoDataFrame, feature_id: str) -> pd.Series:
    """Geodesic distance from one feature to every feature, in km.

    Lines and areas are measured from their representative points.

    Parameters
    ----------
    sites : GeoDataFrame
        EPSG:4326 with ``feature_id``.
    feature_id : str
        The origin feature.

    Returns
    -------
    pandas.Series
        Float km aligned with ``sites`` (NaN where a geometry is missing).

    Raises
    ------
    KeyError
        If ``feature_id`` is not in ``sites``.
    """
    rows = sites.index[sites["feature_id"] == feature_id]
    if len(rows) == 0:
        raise KeyError(feature_id)
    origin = representative_lonlat(sites.geometry.loc[rows[0]])
    points = [representative_lonlat(g) for g in sites.geometry]
    out = np.full(len(sites), np.nan)
    valid = [i for i, p in enumerate(points) if p is not None]
    if origin is not None and valid:
        lons = np.array([points[i][0] for i in valid])  # type: ignore[index]
        lats = np.array([points[i][1] for i in valid])  # type: ignore[index]
        _, _, metres = GEOD.inv(
            np.full(len(valid), origin[0]), np.full(len(valid), origin[1]), lons, lats
        )
        out[valid] = np.asarray(metres) / 1000.0
    return pd.Series(out, index=sites.index, name="distance_km")


def range_rings(
    lon: float, lat: float, radii_km: Iterable[float] = (25, 50, 100), segments: int = 96
) -> gpd.GeoDataFrame:
    """Geodesic circles around a point (range rings).

    Parameters
    ----------
    lon, lat : float
        Centre in degrees (EPSG:4326).
    radii_km : iterable of float, default (25, 50, 100)
        Ring radii in km.
    segments : int, default 96
        Vertices per ring.

    Returns
    -------
    GeoDataFrame
        One Polygon per radius, column ``radius_km``, EPSG:4326.
    """
    azimuths = np.linspace(0.0, 360.0, segments, endpoint=False)
    rings = []
    radii = [float(r) for r in radii_km]
    for radius in radii:
        lons, lats, _ = GEOD.fwd(
            np.full(segments, lon),
            np.full(segments, lat),
            azimuths,
            np.full(segments, radius * 1000.0),
        )
        rings.append(Polygon(list(zip(lons, lats, strict=True))))
    return gpd.GeoDataFrame({"radius_km": radii}, geometry=rings, crs="EPSG:4326")


def highlight_html(text: str, sites: gpd.GeoDataFrame, selected: str | None = None) -> str:
    """Return the article as escaped HTML with every mention marked in its layer's colour.

    Parameters
    ----------
    text : str
        The article (untrusted: everything is escaped).
    sites : GeoDataFrame
        Features whose ``evidence`` spans (``start``, ``end``) point into ``text``.
    selected : str, optional
        ``feature_id`` whose mentions are drawn emphasised.

    Returns
    -------
    str
        HTML: ``<mark>`` elements carry ``data-feature-id`` and a ``title``;
        paragraphs are kept as ``<br>``. Overlapping spans keep the first.
    """
    spans: list[tuple[int, int, str, str, str]] = []
    for row in sites.to_dict("records"):
        layer = LAYER_BY_KEY.get(str(row.get("layer")))
        color = layer.color if layer else "#888888"
        for item in row.get("evidence") or []:
            start, end = int(item.get("start", -1)), int(item.get("end", -1))
            if 0 <= start < end <= len(text):
                spans.append((start, end, str(row["feature_id"]), str(row["name"]), color))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    parts, cursor = [], 0
    for start, end, feature_id, name, color in spans:
        if start < cursor:
            continue
        parts.append(html.escape(text[cursor:start]))
        weight = "font-weight:700;outline:2px solid #000;" if feature_id == selected else ""
        parts.append(
            f'<mark data-feature-id="{html.escape(feature_id)}" title="{html.escape(name)}" '
            f'style="background:{color}33;border-bottom:2px solid {color};{weight}">'
            f"{html.escape(text[start:end])}</mark>"
        )
        cursor = end
    parts.append(html.escape(text[cursor:]))
    return "".join(parts).replace("\n", "<br>")


def nearest_feature(
    sites: gpd.GeoDataFrame, lon: float, lat: float, max_km: float = 50.0
) -> str | None:
    """Return the ``feature_id`` of the feature nearest to a clicked point.

    Parameters
    ----------
    sites : GeoDataFrame
        EPSG:4326.
    lon, lat : float
        Click position in degrees.
    max_km : float, default 50.0
        Farther features are not considered.

    Returns
    -------
    str or None
    """
    # Points win over lines and lines over areas when they are about as close (a
    # marker sits on the rail line through its town and inside its country's
    # polygon; at country zoom one screen pixel is several km).
    handicap = {"Point": 0.0, "Line": 3.0, "Polygon": 15.0}
    best, best_score = None, max_km
    click = Point(lon, lat)
    for feature_id, geometry in zip(sites["feature_id"], sites.geometry, strict=True):
        if geometry is None or geometry.is_empty:
            continue
        family = next((k for k in ("Polygon", "Line") if k in geometry.geom_type), "Point")
        if family == "Polygon" and geometry.contains(click):
            near = click
        elif family == "Point":
            near = geometry if geometry.geom_type == "Point" else geometry.representative_point()
        else:
            edge = geometry.boundary if family == "Polygon" else geometry
            near = edge.interpolate(edge.project(click))
        score = GEOD.inv(lon, lat, near.x, near.y)[2] / 1000.0 + handicap[family]
        if score < best_score:
            best, best_score = str(feature_id), score
    return best
