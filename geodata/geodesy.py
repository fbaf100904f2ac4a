"""Distances, circles, representative points and longitude arcs: the one geodesy module.

Every function takes longitude first, then latitude (the order of GeoJSON and
shapely), in degrees on WGS84 (EPSG:4326). Two families of distance, each for
its use:

- :func:`geodesic_km` and friends: the geodesic on the WGS84 ellipsoid
  (``pyproj.Geod``, Karney's algorithm), for what a reader sees and for scoring
  (distances shown in the app, range rings, Acc@161 in evaluation);
- :func:`haversine_km` and :func:`pairwise_haversine_km`: the great circle on a
  sphere of mean Earth radius, vectorised with NumPy, for the resolver's ranking
  where thousands of candidate pairs are compared and 0.5 % does not matter.

Longitude is circular: :func:`unwrap_lons` makes a line or ring continuous across
the antimeridian (180 degrees), and :func:`lon_extent` finds the smallest arc of
longitude that covers a set of features (Fiji and Samoa: about 177..188, not
-180..180). The data stays in -180..180; only a map's view needs the arc.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable

import numpy as np
import shapely
from numpy.typing import ArrayLike
from pyproj import Geod
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

__all__ = [
    "EARTH_RADIUS_KM",
    "GEOD",
    "distance_to_geometry_km",
    "geodesic_km",
    "geodesic_many_km",
    "haversine_km",
    "lon_extent",
    "pairwise_haversine_km",
    "range_ring",
    "representative_lonlat",
    "representative_point",
    "unwrap_lons",
]

#: Mean Earth radius (IUGG), km: the sphere of the haversine distances.
EARTH_RADIUS_KM = 6371.0088

#: The WGS84 ellipsoid, for geodesics.
GEOD = Geod(ellps="WGS84")


def _check_lonlat(lon: float, lat: float) -> None:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError(f"coordinates must be finite numbers, got lon={lon!r}, lat={lat!r}")
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"latitude must be within [-90, 90] degrees, got {lat!r}")


def geodesic_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Return the geodesic distance between two points on the WGS84 ellipsoid.

    Parameters
    ----------
    lon1, lat1 : float
        First point, degrees (EPSG:4326).
    lon2, lat2 : float
        Second point, degrees.

    Returns
    -------
    float
        Kilometres; at most about 20,003.9 (pole to pole).

    Raises
    ------
    ValueError
        If a coordinate is not finite or a latitude is outside [-90, 90].

    Examples
    --------
    >>> round(geodesic_km(0.0, 0.0, 1.0, 0.0), 3)
    111.319
    """
    for lon, lat in ((lon1, lat1), (lon2, lat2)):
        _check_lonlat(float(lon), float(lat))
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000.0


def geodesic_many_km(lon: float, lat: float, lons: ArrayLike, lats: ArrayLike) -> np.ndarray:
    """Geodesic distances (WGS84) from one point to many, in km.

    Parameters
    ----------
    lon, lat : float
        Origin, degrees.
    lons, lats : array of float, shape (n,)
        Destinations, degrees.

    Returns
    -------
    numpy.ndarray, shape (n,)
        Kilometres.
    """
    lon_arr = np.asarray(lons, dtype=float)
    lat_arr = np.asarray(lats, dtype=float)
    if lon_arr.size == 0:
        return np.zeros(0)
    _, _, metres = GEOD.inv(
        np.full(lon_arr.shape, lon), np.full(lat_arr.shape, lat), lon_arr, lat_arr
    )
    return np.asarray(metres, dtype=float) / 1000.0


def haversine_km(lon: float, lat: float, lons: ArrayLike, lats: ArrayLike) -> np.ndarray:
    """Great-circle distances on a sphere of mean Earth radius, from one point to many.

    Parameters
    ----------
    lon, lat : float
        Origin, degrees.
    lons, lats : array of float, shape (n,)
        Destinations, degrees.

    Returns
    -------
    numpy.ndarray, shape (n,)
        Kilometres (within about 0.5 % of the WGS84 geodesic).

    Examples
    --------
    >>> float(haversine_km(0.0, 0.0, [0.0], [1.0])[0]).__round__(1)
    111.2
    """
    phi1, phi2 = math.radians(lat), np.radians(np.asarray(lats, dtype=float))
    dlmb = np.radians(np.asarray(lons, dtype=float)) - math.radians(lon)
    a = np.sin((phi2 - phi1) / 2) ** 2 + math.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def pairwise_haversine_km(
    lons_a: np.ndarray, lats_a: np.ndarray, lons_b: np.ndarray, lats_b: np.ndarray
) -> np.ndarray:
    """Great-circle distances between every point of ``a`` and every point of ``b``.

    Parameters
    ----------
    lons_a, lats_a : array of float, shape (n,)
        Degrees.
    lons_b, lats_b : array of float, shape (m,)
        Degrees.

    Returns
    -------
    numpy.ndarray, shape (n, m)
        Kilometres on a sphere of mean Earth radius.
    """
    phi1 = np.radians(np.asarray(lats_a, dtype=float))[:, None]
    phi2 = np.radians(np.asarray(lats_b, dtype=float))[None, :]
    dlmb = (
        np.radians(np.asarray(lons_b, dtype=float))[None, :]
        - np.radians(np.asarray(lons_a, dtype=float))[:, None]
    )
    a = np.sin((phi2 - phi1) / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def representative_point(geometry: BaseGeometry | None) -> Point | None:
    """Return a point of the geometry: itself for a point, else one inside or on it.

    Parameters
    ----------
    geometry : shapely geometry or None
        EPSG:4326.

    Returns
    -------
    shapely.Point or None
        None for a missing or empty geometry. For lines and areas, shapely's
        ``representative_point`` (guaranteed to lie on the geometry, unlike the
        centroid of a crescent-shaped country).
    """
    if geometry is None or geometry.is_empty:
        return None
    if geometry.geom_type == "Point":
        return geometry
    return geometry.representative_point()


def representative_lonlat(geometry: BaseGeometry | None) -> tuple[float, float] | None:
    """Return ``(lon, lat)`` of :func:`representative_point`, in degrees.

    Parameters
    ----------
    geometry : shapely geometry or None
        EPSG:4326.

    Returns
    -------
    tuple of float or None
        ``(lon, lat)``; None for a missing or empty geometry.

    Examples
    --------
    >>> representative_lonlat(Point(44.4, 33.3))
    (44.4, 33.3)
    """
    point = representative_point(geometry)
    return None if point is None else (float(point.x), float(point.y))


def distance_to_geometry_km(lon: float, lat: float, geometry: BaseGeometry) -> float:
    """Approximate great-circle distance from a point to a geometry, in km.

    The geometry is densified to 0.05-degree steps and the haversine distance to
    its nearest vertex is returned; a point inside a polygon is at 0.

    Parameters
    ----------
    lon, lat : float
        The point, degrees (EPSG:4326).
    geometry : shapely geometry
        EPSG:4326.

    Returns
    -------
    float
        Kilometres (error below ~3 km from the densification); ``inf`` for an
        empty geometry.
    """
    if geometry.is_empty:
        return math.inf
    if geometry.geom_type in ("Polygon", "MultiPolygon") and geometry.covers(Point(lon, lat)):
        return 0.0
    boundary = geometry.boundary if geometry.geom_type.endswith("Polygon") else geometry
    coords = shapely.get_coordinates(shapely.segmentize(boundary, 0.05))
    if len(coords) == 0:
        return math.inf
    return float(haversine_km(lon, lat, coords[:, 0], coords[:, 1]).min())


def range_ring(lon: float, lat: float, radius_km: float, segments: int = 96) -> Polygon:
    """Return a geodesic circle (WGS84) around a point.

    Parameters
    ----------
    lon, lat : float
        Centre, degrees (EPSG:4326).
    radius_km : float
        Radius in km.
    segments : int, default 96
        Vertices of the ring.

    Returns
    -------
    shapely.Polygon
        Vertices every ``360 / segments`` degrees of azimuth, lon/lat degrees.
    """
    azimuths = np.linspace(0.0, 360.0, segments, endpoint=False)
    lons, lats, _ = GEOD.fwd(
        np.full(segments, lon), np.full(segments, lat), azimuths, np.full(segments, radius_km * 1e3)
    )
    return Polygon(list(zip(lons, lats, strict=True)))


def unwrap_lons(lons: ArrayLike) -> np.ndarray:
    """Longitudes of a line or ring made continuous across the antimeridian.

    Each step of more than 180 degrees between consecutive vertices is taken the
    short way (by adding or subtracting 360 degrees to the rest of the line), as a
    reader means "from Suva to Apia": 178.44 then -171.77 becomes 178.44 then
    188.23. Steps of 180 degrees or less are kept.

    Parameters
    ----------
    lons : array of float, shape (n,)
        Longitudes in degrees, in vertex order.

    Returns
    -------
    numpy.ndarray, shape (n,)
        Degrees; the first equals ``lons[0]``, the others may leave -180..180.

    Examples
    --------
    >>> unwrap_lons([178.44, -171.77]).round(2).tolist()
    [178.44, 188.23]
    """
    values = np.asarray(lons, dtype=float)
    if values.size < 2:
        return values.copy()
    return np.unwrap(values, period=360.0)


def lon_extent(intervals: Iterable[tuple[float, float]]) -> tuple[float, float] | None:
    """Return the smallest arc of longitude that covers every interval.

    A bounding box in plain -180..180 degrees (``total_bounds``) cannot describe
    features on both sides of the antimeridian: Fiji, cut at 180 degrees in
    Natural Earth, has bounds -180..180 and a map fitted to them shows the whole
    world. Longitude is a circle, so the smallest covering arc is the circle less
    its largest gap between the intervals; this finds that gap.

    Parameters
    ----------
    intervals : iterable of (float, float)
        ``(west, east)`` in degrees with ``west <= east``; ``east`` may exceed 180
        for an interval that crosses the antimeridian (e.g. from
        :func:`unwrap_lons`). A point is ``(lon, lon)``; an interval of 360
        degrees or more covers every longitude.

    Returns
    -------
    (float, float) or None
        ``(west, east)`` with ``-180 <= west < 180`` and ``west <= east <= west +
        360``: the arc runs east from ``west`` to ``east``, and ``east > 180``
        when it crosses the antimeridian. ``(-180.0, 180.0)`` when the intervals
        cover every longitude (or no gap is wider than the one at 180 degrees);
        None when there are no intervals. Of two gaps equally wide, the one at the
        antimeridian is taken, so a view that need not cross it does not.

    Raises
    ------
    ValueError
        If a bound is not finite or ``west > east``.

    Examples
    --------
    >>> lon_extent([(177.0, 180.0), (-180.0, -178.0), (-172.8, -171.4)])
    (177.0, 188.6)
    >>> lon_extent([(44.0, 44.0), (-0.1, -0.1)])
    (-0.1, 44.0)
    """
    pieces: list[tuple[float, float]] = []
    for west, east in intervals:
        west, east = float(west), float(east)
        if not (math.isfinite(west) and math.isfinite(east)) or west > east:
            raise ValueError(f"a longitude interval needs finite west <= east, got {west}, {east}")
        if east - west >= 360.0:
            return (-180.0, 180.0)
        start = (west + 180.0) % 360.0 - 180.0
        end = start + (east - west)
        if end > 180.0:  # split at the antimeridian: every piece within -180..180
            pieces += [(start, 180.0), (-180.0, end - 360.0)]
        else:
            pieces.append((start, end))
    if not pieces:
        return None
    pieces.sort()
    merged = [list(pieces[0])]
    for start, end in pieces[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    # The gap at the antimeridian: from the last piece's end round to the first's start.
    best_gap = merged[0][0] + 360.0 - merged[-1][1]
    arc = (merged[0][0], merged[-1][1])
    for before, after in itertools.pairwise(merged):
        gap = after[0] - before[1]
        if gap > best_gap + 1e-9:
            best_gap, arc = gap, (after[0], before[1] + 360.0)
    return (round(arc[0], 9), round(arc[1], 9))
