"""Where a country is drawn as a point: the middle of its land, inside it.

A point for a country is what a reader sees on a map at low zoom and what a
geoparser is scored on. The rule (:func:`geodata.gazetteer._country_points`):
the area centroid of the land within 300 km of the main landmass; for a
crescent-shaped country whose centroid falls outside, the nearest point at
least 20 km inland.
"""

from __future__ import annotations

import json
from functools import lru_cache

import pytest
from pyproj import Geod
from shapely.geometry import Point, shape

from geodata.gazetteer import COUNTRIES_PATH, _country_points

_GEOD = Geod(ellps="WGS84")


@lru_cache(maxsize=1)
def _points() -> dict[str, tuple[float, float, str]]:
    return _country_points()


@lru_cache(maxsize=1)
def _shapes() -> dict[str, object]:
    data = json.loads(COUNTRIES_PATH.read_text(encoding="utf-8"))
    return {
        f["properties"]["iso_a2"]: shape(f["geometry"])
        for f in data["features"]
        if f["properties"].get("iso_a2") and f.get("geometry")
    }


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return _GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000.0


def test_every_country_point_lies_in_its_country() -> None:
    shapes = _shapes()
    outside = [
        code
        for code, (lon, lat, _how) in _points().items()
        if code in shapes and not shapes[code].contains(Point(lon, lat))
    ]
    assert outside == []
    assert len(shapes) > 200


@pytest.mark.parametrize(
    ("code", "expected", "within_km", "how"),
    [
        # A crescent: the centroid lies in Laos; the point moves to central Vietnam
        # (Hue is at 16.46 N, 107.60 E), not to the label point near Hanoi.
        ("VN", (107.0, 16.5), 120, "nearest inland point to the land centroid"),
        # The Arctic archipelago is land next to the mainland and counts.
        ("CA", (-97.8, 57.6), 60, "land centroid"),
        # Alaska and Hawaii are more than 300 km from the lower 48: they do not pull.
        ("US", (-99.0, 38.9), 60, "land centroid"),
        # French Guiana and the other overseas parts do not move France.
        ("FR", (2.6, 46.4), 60, "land centroid"),
    ],
)
def test_country_points_follow_the_rule(
    code: str, expected: tuple[float, float], within_km: float, how: str
) -> None:
    lon, lat, found_how = _points()[code]
    assert found_how == how
    assert _km((lon, lat), expected) < within_km
