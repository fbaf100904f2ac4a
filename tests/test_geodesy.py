"""The one geodesy module: lon-first distances, rings and representative points."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapely.geometry import LineString, Point, Polygon

from geodata.geodesy import (
    distance_to_geometry_km,
    geodesic_km,
    geodesic_many_km,
    haversine_km,
    pairwise_haversine_km,
    range_ring,
    representative_lonlat,
)

# City centres as (lon, lat), WGS84 degrees.
VIENNA = (16.3738, 48.2082)
BUDAPEST = (19.0402, 47.4979)
# Vienna -> Budapest on a sphere of radius 6371.0088 km, worked by hand (haversine):
# h = sin^2(dphi/2) + cos(phi1) cos(phi2) sin^2(dlam/2) = 2.8217e-4, d = 2 R asin(sqrt h).
VIENNA_BUDAPEST_SPHERE_KM = 214.05


def test_geodesic_known_pairs():
    assert geodesic_km(*VIENNA, *BUDAPEST) == pytest.approx(VIENNA_BUDAPEST_SPHERE_KM, abs=1.0)
    assert geodesic_km(*VIENNA, *VIENNA) == 0.0
    # One degree of latitude at the equator is 110.57 km on WGS84; of longitude 111.32 km.
    assert geodesic_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(110.574, abs=0.01)
    assert geodesic_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(111.319, abs=0.01)


def test_geodesic_rejects_bad_input():
    with pytest.raises(ValueError, match="latitude"):
        geodesic_km(0.0, 91.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="finite"):
        geodesic_km(float("nan"), 0.0, 0.0, 0.0)


def test_haversine_matches_the_hand_computation_and_the_geodesic():
    lons, lats = np.array([BUDAPEST[0]]), np.array([BUDAPEST[1]])
    assert haversine_km(*VIENNA, lons, lats)[0] == pytest.approx(
        VIENNA_BUDAPEST_SPHERE_KM, abs=0.05
    )
    many = geodesic_many_km(*VIENNA, lons, lats)
    assert many[0] == pytest.approx(geodesic_km(*VIENNA, *BUDAPEST), abs=1e-9)
    assert geodesic_many_km(*VIENNA, [], []).shape == (0,)


def test_pairwise_is_lon_first_and_symmetric():
    lons = np.array([VIENNA[0], BUDAPEST[0], 0.0])
    lats = np.array([VIENNA[1], BUDAPEST[1], 0.0])
    table = pairwise_haversine_km(lons, lats, lons, lats)
    assert table.shape == (3, 3)
    assert np.allclose(np.diag(table), 0.0)
    assert np.allclose(table, table.T)
    assert table[0, 1] == pytest.approx(VIENNA_BUDAPEST_SPHERE_KM, abs=0.05)


def test_representative_points():
    assert representative_lonlat(Point(44.4, 33.3)) == (44.4, 33.3)
    assert representative_lonlat(None) is None
    assert representative_lonlat(Point()) is None
    # A C-shaped polygon: the centroid falls outside, the representative point inside.
    shape = Polygon([(0, 0), (3, 0), (3, 1), (1, 1), (1, 2), (3, 2), (3, 3), (0, 3)])
    lon, lat = representative_lonlat(shape)
    assert shape.contains(Point(lon, lat))
    assert not shape.contains(shape.centroid)


def test_distance_to_geometry():
    line = LineString([(0.0, 0.0), (0.0, 10.0)])
    # One degree of longitude east of a meridian line at latitude 5: R * cos(5 deg) * pi/180.
    expected = 6371.0088 * math.cos(math.radians(5.0)) * math.pi / 180
    assert distance_to_geometry_km(1.0, 5.0, line) == pytest.approx(expected, rel=2e-3)
    square = Polygon([(0, 0), (2, 0), (2, 2), (0, 2)])
    assert distance_to_geometry_km(1.0, 1.0, square) == 0.0
    assert distance_to_geometry_km(0.0, 0.0, Polygon()) == math.inf


def test_range_ring_is_geodesic():
    ring = range_ring(44.40088, 33.34058, 50.0, segments=36)
    coords = list(ring.exterior.coords)[:-1]
    assert len(coords) == 36
    for lon, lat in coords:
        assert geodesic_km(44.40088, 33.34058, lon, lat) == pytest.approx(50.0, rel=1e-6)
