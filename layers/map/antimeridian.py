"""Drawing across the antimeridian: where on the map's unrolled world each part goes.

Features are stored and exported in EPSG:4326 with longitudes in -180..180, and
Natural Earth cuts shapes at 180 degrees (Fiji, Russia's Chukotka, Kiribati are
MultiPolygons with parts on both sides). Leaflet draws what it is given on one
unrolled plane, so a line from Suva (178.44) to Apia (-171.77) crosses the whole
world and a view fitted to Fiji's bounds (-180..180) shows the whole world.

Shifting by 360 degrees is a display matter only. The view's arc of longitude
(:func:`feature_arc`, the smallest arc that covers the features, from
:func:`geodata.geodesy.lon_extent`) decides: when it runs across or from 180
degrees, every part of every feature is drawn continuous
(:func:`geodata.geodesy.unwrap_lons`) and at the copy (lon + k * 360) nearest
the arc's centre (:func:`wrap_mapping`), and the basemap is drawn again 360
degrees east or west where the view reaches (:func:`basemap_copies`, drawn by
``static/newsmap.js`` from the same data).
When the arc is away from 180 degrees, nothing is changed and nothing more is
drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geodata.geodesy import lon_extent, unwrap_lons

__all__ = [
    "COPY_MARGIN_DEG",
    "MAX_LAT",
    "LonArc",
    "basemap_copies",
    "display_lon",
    "feature_arc",
    "place_part",
    "wrap_mapping",
]

#: Web Mercator's latitude limit (Leaflet's ``SphericalMercator.MAX_LATITUDE``):
#: the map cannot show the poles; a point beyond is drawn at this latitude.
MAX_LAT = 85.0511287798


class LonArc(NamedTuple):
    """An arc of longitude running east from ``west`` to ``east``, in degrees.

    ``-180 <= west < 180`` and ``west <= east <= west + 360``; ``east > 180``
    when the arc crosses the antimeridian (Fiji: about 177..182).
    """

    west: float
    east: float

    @property
    def crosses_antimeridian(self) -> bool:
        """Whether the arc runs across 180 degrees (then features are shifted to draw)."""
        return self.east > 180.0

    @property
    def at_antimeridian(self) -> bool:
        """Whether the arc crosses 180 degrees or starts at -180: features are then placed.

        An arc that starts at -180 holds data at the antimeridian itself; a point
        stored at +180 (the same meridian) is drawn at -180 beside it, and a line
        or ring across 180 is drawn continuous.
        """
        return self.east > 180.0 or self.west <= -180.0

    @property
    def centre(self) -> float:
        """The arc's middle longitude, degrees (may exceed 180)."""
        return (self.west + self.east) / 2.0


def _continuous(lons: np.ndarray, closed: bool) -> np.ndarray:
    """Return a part's longitudes without jumps of more than 180 degrees.

    A closed ring that unwraps to a different end than its start winds round a
    pole (Natural Earth's Antarctica runs along -90 from 180 to -180): it is
    kept as it is, spanning every longitude.
    """
    unwrapped = unwrap_lons(lons)
    if closed and unwrapped.size and abs(unwrapped[-1] - unwrapped[0]) > 1e-6:
        return np.asarray(lons, dtype=float)
    return unwrapped


def _part_lons(geometry: BaseGeometry) -> Iterator[tuple[np.ndarray, bool]]:
    """(longitudes, closed) of each simple part: a point, a line, a polygon's exterior."""
    for part in shapely.get_parts(geometry):
        kind = part.geom_type
        if part.is_empty:
            continue
        if kind in ("MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection"):
            yield from _part_lons(part)
        elif kind == "Polygon":
            yield shapely.get_coordinates(part.exterior)[:, 0], True
        else:
            yield shapely.get_coordinates(part)[:, 0], kind == "LinearRing"


def feature_arc(geometries: Iterable[BaseGeometry | None]) -> LonArc | None:
    """Return the smallest arc of longitude covering every part of the geometries.

    Each part (a point, a line, a polygon's exterior) is taken as drawn
    continuous, so a line cut at 180 degrees or drawn across it counts as one
    stretch, the short way.

    Parameters
    ----------
    geometries : iterable of shapely geometry or None
        EPSG:4326 (lon, lat degrees); None and empty ones are skipped.

    Returns
    -------
    LonArc or None
        None when there is nothing to cover; ``LonArc(-180, 180)`` for features
        all round the world.

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> feature_arc([LineString([(178.44, -18.14), (-171.77, -13.83)])])
    LonArc(west=178.44, east=188.23)
    """
    intervals = []
    for geometry in geometries:
        if geometry is None or geometry.is_empty:
            continue
        for lons, closed in _part_lons(geometry):
            if lons.size:
                continuous = _continuous(lons, closed)
                intervals.append((float(continuous.min()), float(continuous.max())))
    extent = lon_extent(intervals)
    return None if extent is None else LonArc(*extent)


#: Degrees of longitude beyond the view's arc that the basemap's copies cover, so
#: that the fitted view (and a little panning) shows land on both sides.
COPY_MARGIN_DEG = 30.0


def basemap_copies(arc: LonArc | None) -> list[float]:
    """Return the longitude offsets at which the basemap is drawn again for ``arc``.

    Parameters
    ----------
    arc : LonArc or None
        The view's arc (see :func:`feature_arc`).

    Returns
    -------
    list of float
        Offsets in degrees (``-360.0``, ``360.0``) of the copies of -180..180 that
        the arc, widened by :data:`COPY_MARGIN_DEG` each side, reaches into;
        empty when the arc is away from 180 degrees (the usual case: the basemap
        is drawn once, as before) or goes all round the world (the view is then
        the whole world, -180..180).

    Examples
    --------
    >>> basemap_copies(LonArc(174.6, 188.5))
    [360.0]
    >>> basemap_copies(LonArc(43.1, 47.8))
    []
    """
    if arc is None or not arc.at_antimeridian or arc.east - arc.west >= 360.0:
        return []
    west, east = arc.west - COPY_MARGIN_DEG, arc.east + COPY_MARGIN_DEG
    return [offset for offset in (-360.0, 360.0) if offset - 180.0 < east and west < offset + 180.0]


def display_lon(lon: float, arc: LonArc | None) -> float:
    """Return the longitude a point is drawn at: its copy nearest the arc's centre.

    Parameters
    ----------
    lon : float
        Degrees, -180..180.
    arc : LonArc or None
        The view's arc (see :func:`feature_arc`); None or an arc away from 180
        degrees (not :attr:`LonArc.at_antimeridian`) leaves ``lon`` as it is.

    Returns
    -------
    float
        ``lon + k * 360`` for the integer ``k`` that brings it nearest the centre.

    Examples
    --------
    >>> display_lon(-171.77, LonArc(177.0, 189.0))
    188.23
    """
    if arc is None or not arc.at_antimeridian:
        return lon
    return round(lon + 360.0 * round((arc.centre - lon) / 360.0), 9)


def place_part(coords: Any, centre: float, closed: bool = False) -> list[list[float]]:
    """Return one line or ring drawn continuous, at its copy nearest ``centre``.

    Parameters
    ----------
    coords : array-like of float, shape (n, 2)
        ``(lon, lat)`` vertices, degrees.
    centre : float
        Longitude to draw near, degrees (may exceed 180).
    closed : bool, default False
        Whether it is a ring (a ring round a pole is left as it is).

    Returns
    -------
    list of [lon, lat]
        Each step of at most 180 degrees, the whole shifted by a multiple of 360.

    Examples
    --------
    >>> place_part([(178.44, -18.14), (-171.77, -13.83)], -175.0)
    [[-181.56, -18.14], [-171.77, -13.83]]
    """
    return _placed(coords, centre, closed)[0]


def _placed(coords: Any, centre: float, closed: bool) -> tuple[list[list[float]], float]:
    """One line or ring, continuous and shifted nearest ``centre``; with its middle lon."""
    array = np.asarray(coords, dtype=float).reshape(-1, 2)
    lons = _continuous(array[:, 0], closed)
    middle = (lons.min() + lons.max()) / 2.0 if lons.size else centre
    shift = 360.0 * round((centre - middle) / 360.0)
    array[:, 0] = np.round(lons + shift, 6)
    return array.tolist(), middle + shift


def _placed_polygon(rings: Any, centre: float) -> list[list[list[float]]]:
    if not len(rings):
        return []
    exterior, middle = _placed(rings[0], centre, closed=True)
    return [exterior] + [_placed(ring, middle, closed=True)[0] for ring in rings[1:]]


def wrap_mapping(geometry: dict[str, Any], arc: LonArc | None) -> dict[str, Any]:
    """Return a GeoJSON geometry as drawn in a view over ``arc``.

    Parameters
    ----------
    geometry : dict
        A GeoJSON geometry mapping (``__geo_interface__``), lon/lat degrees.
    arc : LonArc or None
        The view's arc (see :func:`feature_arc`).

    Returns
    -------
    dict
        ``geometry`` itself when ``arc`` is None or away from 180 degrees (not
        :attr:`LonArc.at_antimeridian`: the usual case costs nothing).
        Otherwise a new mapping: each part (point, line, polygon with its holes)
        continuous and shifted by a multiple of 360 degrees nearest the arc's
        centre, so the parts of Fiji and a Suva-Apia line are drawn side by
        side around 180 degrees. Longitudes may leave -180..180: the result is
        for drawing only, never for storing or exporting.
    """
    if arc is None or not arc.at_antimeridian:
        return geometry
    return _wrapped(geometry, arc.centre)


def _wrapped(geometry: dict[str, Any], centre: float) -> dict[str, Any]:
    kind = geometry["type"]
    coords: Any = geometry.get("coordinates") or []
    if kind == "GeometryCollection":
        return {"type": kind, "geometries": [_wrapped(g, centre) for g in geometry["geometries"]]}
    if kind == "Point":
        if not coords:
            return geometry
        placed = _placed([coords], centre, closed=False)[0][0]
        return {"type": kind, "coordinates": placed}
    if kind == "MultiPoint":
        points = [_placed([point], centre, closed=False)[0][0] for point in coords]
        return {"type": kind, "coordinates": points}
    if kind == "LineString":
        return {"type": kind, "coordinates": _placed(coords, centre, closed=False)[0]}
    if kind == "MultiLineString":
        lines = [_placed(line, centre, closed=False)[0] for line in coords]
        return {"type": kind, "coordinates": lines}
    if kind == "Polygon":
        return {"type": kind, "coordinates": _placed_polygon(coords, centre)}
    if kind == "MultiPolygon":
        return {"type": kind, "coordinates": [_placed_polygon(p, centre) for p in coords]}
    raise ValueError(f"not a GeoJSON geometry type: {kind!r}")
