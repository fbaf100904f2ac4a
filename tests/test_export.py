"""Exports: the RFC 7946 profile, lossless round trips, and the seed's golden file.

Update the golden file deliberately with ``pytest --update-golden tests/test_export.py``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import LinearRing, Point, Polygon, shape

from layers.files import export
from layers.files.export import GeoJSONError

GOLDEN = Path(__file__).parent / "golden" / "seed.geojson"


def _coordinates(geometry: dict) -> list[list[float]]:
    return shapely.get_coordinates(shape(geometry)).tolist()


def _walk_numbers(value):
    if isinstance(value, float):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk_numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_numbers(item)


def _normalise(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Object columns with None for missing values (pandas' str dtype uses NaN)."""
    out = frame.copy()
    for column in out.columns:
        if column != out.geometry.name and not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = [None if _missing(v) else v for v in out[column].astype(object)]
    return out


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def test_seed_export_follows_rfc7946(seed_sites):
    text = export.to_geojson(seed_sites)
    assert "NaN" not in text and "Infinity" not in text
    data = json.loads(text)
    assert data["type"] == "FeatureCollection"
    assert "crs" not in data
    assert len(data["bbox"]) == 4
    minx, miny, maxx, maxy = data["bbox"]
    assert -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
    assert len(data["features"]) == len(seed_sites)
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        assert feature["id"] == feature["properties"]["feature_id"]
        for lon, lat in _coordinates(feature["geometry"]):
            assert -180 <= lon <= 180 and -90 <= lat <= 90
            assert round(lon, 6) == lon and round(lat, 6) == lat
        geometry = shape(feature["geometry"])
        polygons = []
        if geometry.geom_type == "Polygon":
            polygons = [geometry]
        elif geometry.geom_type == "MultiPolygon":
            polygons = list(geometry.geoms)
        for polygon in polygons:
            assert LinearRing(polygon.exterior.coords).is_ccw
            for hole in polygon.interiors:
                assert not LinearRing(hole.coords).is_ccw
        assert isinstance(feature["properties"]["evidence"], list)
        assert all(math.isfinite(v) for v in _walk_numbers(feature))
    baghdad = next(f for f in data["features"] if f["id"] == "geonames:98182")
    assert baghdad["geometry"] == {"type": "Point", "coordinates": [44.40088, 33.34058]}


def test_clockwise_polygon_with_hole_is_reoriented():
    exterior = [(0, 0), (0, 10), (10, 10), (10, 0), (0, 0)]  # clockwise
    hole = [(2, 2), (4, 2), (4, 4), (2, 4), (2, 2)]  # counter-clockwise
    frame = gpd.GeoDataFrame(
        {"feature_id": ["x:1"], "name": ["square"], "layer": ["countries"]},
        geometry=[Polygon(exterior, [hole])],
        crs="EPSG:4326",
    )
    data = export.to_feature_collection(frame)
    geometry = data["features"][0]["geometry"]
    assert geometry["coordinates"][0] == [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    assert not LinearRing(geometry["coordinates"][1]).is_ccw
    assert data["bbox"] == [0, 0, 10, 10]


def test_not_json_native_values_become_json():
    import datetime
    import decimal

    frame = gpd.GeoDataFrame(
        {
            "feature_id": ["a", "b"],
            "when": [datetime.date(2024, 4, 13), None],
            "amount": [decimal.Decimal("1.5"), float("nan")],
        },
        geometry=[Point(1.23456789, 2.0), None],
        crs="EPSG:4326",
    )
    data = json.loads(export.to_geojson(frame))
    assert data["features"][0]["properties"] == {
        "feature_id": "a",
        "when": "2024-04-13",
        "amount": "1.5",
    }
    assert data["features"][0]["geometry"]["coordinates"] == [1.234568, 2.0]
    assert data["features"][1]["geometry"] is None
    assert data["features"][1]["properties"]["amount"] is None
    assert data["bbox"] == [1.234568, 2.0, 1.234568, 2.0]


def test_geojson_round_trip_is_lossless(seed_sites):
    back = _normalise(export.read_geojson(export.to_geojson(seed_sites)))
    expected = _normalise(seed_sites)
    expected["geometry"] = [export.shape_from_rfc7946(g) for g in expected.geometry]
    back = back[expected.columns]
    assert_geodataframe_equal(
        back, expected, check_dtype=False, check_less_precise=True, normalize=True
    )


def test_gpkg_round_trip_is_lossless(seed_sites, tmp_path):
    import pyogrio

    path = export.to_gpkg(seed_sites, tmp_path / "seed.gpkg")
    tables = dict(pyogrio.list_layers(path).tolist())
    # one geometry type per table: the incidents' strike paths get their own table
    assert tables == {
        "countries": "MultiPolygon",
        "places": "Point",
        "airports": "Point",
        "military": "Point",
        "religious": "Point",
        "routes": "LineString",
        "incidents": "Point",
        "strike_paths": "LineString",
    }
    back = export.read_gpkg(path)
    back = _normalise(back[seed_sites.columns])
    expected = _normalise(seed_sites)
    # countries are always MultiPolygon in tables
    expected["geometry"] = [
        shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g for g in expected.geometry
    ]
    expected = expected.sort_values("feature_id").reset_index(drop=True)
    back = back.sort_values("feature_id").reset_index(drop=True)
    back["inferred"] = back["inferred"].astype(bool)
    assert_geodataframe_equal(
        back, expected, check_dtype=False, check_less_precise=True, normalize=True
    )


def test_csv_and_kml(seed_sites):
    import csv
    import io

    from layers.files.kml import to_kml
    from layers.files.tables import to_csv

    text = to_csv(seed_sites)
    assert text.startswith("\ufeff")  # Excel on Windows reads UTF-8 only with a BOM
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert len(rows) == len(seed_sites)
    baghdad = next(r for r in rows if r["feature_id"] == "geonames:98182")
    assert (float(baghdad["lon"]), float(baghdad["lat"])) == (44.40088, 33.34058)
    assert baghdad["wkt"] == "POINT (44.40088 33.34058)"
    # evidence as plain sentences, not JSON
    assert baghdad["evidence"].startswith("Iran's President Masoud Pezeshkian embarked")
    assert baghdad["evidence"].count(" | ") == 3
    iraq = next(r for r in rows if r["feature_id"] == "country:IQ")
    assert iraq["wkt"] == "" and -180 < float(iraq["lon"]) < 180  # no polygon WKT
    assert max(len(v) for r in rows for v in r.values()) < 32_767
    kml = to_kml(seed_sites).decode("utf-8")
    assert kml.count("<Placemark") == len(seed_sites)
    assert "<name>Baghdad</name>" in kml
    assert "44.40088,33.34058" in kml


@pytest.mark.parametrize(
    "payload, message",
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"type": "Feature"}), "FeatureCollection"),
        (json.dumps({"type": "FeatureCollection"}), "features"),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "geometry": {"type": "Bogus", "coordinates": [1, 2]},
                            "properties": {},
                        }
                    ],
                }
            ),
            "feature 0 has an invalid geometry",
        ),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "geometry": {"type": "Point", "coordinates": [33.3, 144.4]},
                            "properties": {},
                        }
                    ],
                }
            ),
            "feature 0 has coordinates outside",
        ),
        (json.dumps({"type": "FeatureCollection", "features": ["x"]}), "not a GeoJSON Feature"),
        (b"\xff\xfe\x00garbage", "UTF-8"),
    ],
)
def test_invalid_geojson_is_reported(payload, message):
    with pytest.raises(GeoJSONError, match=message):
        export.read_geojson(payload)


def test_seed_golden_file(seed_sites, update_golden):
    current = json.loads(export.to_geojson(seed_sites))
    if update_golden or not GOLDEN.exists():
        if not update_golden:
            pytest.fail(f"{GOLDEN} is missing; create it with --update-golden")
        GOLDEN.write_text(
            json.dumps(current, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert current == golden
