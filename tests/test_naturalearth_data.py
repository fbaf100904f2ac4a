"""Checks on the embedded Natural Earth files in geodata/data/naturalearth/.

The files are built by geodata/data/naturalearth/build.py; these tests read only the
committed output, never the Natural Earth source directory.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon, shape

DATA_DIR = Path(__file__).parents[1] / "geodata/data/naturalearth"
COUNTRIES = DATA_DIR / "countries.geojson"
BASEMAP = DATA_DIR / "basemap.geojson"

COUNTRY_PROPERTIES = [
    "iso_a2",
    "iso_a3",
    "name",
    "name_long",
    "label_lon",
    "label_lat",
    "population",
    "continent",
]
BASEMAP_LAYERS = {"land", "border", "river", "lake"}
DECIMALS = {COUNTRIES.name: 4, BASEMAP.name: 3}
MAX_BYTES = {COUNTRIES.name: 1_500_000, BASEMAP.name: 1_200_000}


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def countries() -> dict[str, Any]:
    return _load(COUNTRIES)


@pytest.fixture(scope="module")
def basemap() -> dict[str, Any]:
    return _load(BASEMAP)


@pytest.fixture(scope="module")
def country_by_iso(countries: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        feature["properties"]["iso_a2"]: feature
        for feature in countries["features"]
        if feature["properties"]["iso_a2"] is not None
    }


def _polygons(geometry: Any) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    return []


def _all_numbers(value: Any):
    if isinstance(value, list):
        for item in value:
            yield from _all_numbers(item)
    else:
        yield value


@pytest.mark.parametrize("path", [COUNTRIES, BASEMAP], ids=lambda path: path.name)
def test_file_is_compact_feature_collection_without_crs(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["type"] == "FeatureCollection"
    assert "crs" not in data
    assert data["features"]
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        assert "crs" not in feature
        assert isinstance(feature["properties"], dict)
        assert feature["geometry"]["coordinates"]
    # Compact separators, one trailing newline: re-serialising gives the same text.
    compact = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    assert text == compact + "\n"
    assert path.stat().st_size <= MAX_BYTES[path.name]


@pytest.mark.parametrize("path", [COUNTRIES, BASEMAP], ids=lambda path: path.name)
def test_coordinates_finite_in_range_and_rounded(path: Path) -> None:
    data = _load(path)
    decimals = DECIMALS[path.name]
    geometries = [shape(feature["geometry"]) for feature in data["features"]]
    coords = shapely.get_coordinates(np.asarray(geometries, dtype=object))
    assert len(coords) > 0
    assert np.isfinite(coords).all()
    lon, lat = coords[:, 0], coords[:, 1]
    assert ((lon >= -180) & (lon <= 180)).all()
    assert ((lat >= -90) & (lat <= 90)).all()
    for feature in data["features"]:
        for number in _all_numbers(feature["geometry"]["coordinates"]):
            assert round(number, decimals) == number
    west, south, east, north = data["bbox"]
    assert -180 <= west < east <= 180
    assert -90 <= south < north <= 90
    assert (lon >= west).all() and (lon <= east).all()
    assert (lat >= south).all() and (lat <= north).all()


@pytest.mark.parametrize("path", [COUNTRIES, BASEMAP], ids=lambda path: path.name)
def test_polygon_rings_follow_right_hand_rule(path: Path) -> None:
    data = _load(path)
    n_polygons = 0
    for feature in data["features"]:
        for polygon in _polygons(shape(feature["geometry"])):
            n_polygons += 1
            assert polygon.exterior.is_ccw, feature["properties"]
            for hole in polygon.interiors:
                assert not hole.is_ccw, feature["properties"]
    assert n_polygons > 0


@pytest.mark.parametrize("path", [COUNTRIES, BASEMAP], ids=lambda path: path.name)
def test_all_geometries_valid_and_not_empty(path: Path) -> None:
    data = _load(path)
    geometries = np.asarray([shape(f["geometry"]) for f in data["features"]], dtype=object)
    invalid = [
        (feature["properties"], shapely.is_valid_reason(geometry))
        for feature, geometry in zip(data["features"], geometries, strict=True)
        if not shapely.is_valid(geometry)
    ]
    assert invalid == []
    assert not shapely.is_empty(geometries).any()


def test_country_properties(countries: dict[str, Any]) -> None:
    names = []
    for feature in countries["features"]:
        properties = feature["properties"]
        assert list(properties) == COUNTRY_PROPERTIES
        assert isinstance(properties["name"], str) and properties["name"]
        assert isinstance(properties["name_long"], str) and properties["name_long"]
        assert isinstance(properties["continent"], str) and properties["continent"]
        assert properties["population"] is None or isinstance(properties["population"], int)
        for key in ("iso_a2", "iso_a3"):
            assert properties[key] is None or properties[key] != "-99"
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        names.append(properties["name"])
    assert len(names) == len(set(names))
    assert len(names) >= 200
    codes = [f["properties"]["iso_a2"] for f in countries["features"]]
    present = [code for code in codes if code is not None]
    assert len(present) == len(set(present))


@pytest.mark.parametrize(
    ("iso_a2", "iso_a3", "name"),
    [
        ("IQ", "IRQ", "Iraq"),
        ("IR", "IRN", "Iran"),
        ("FR", "FRA", "France"),
        ("NO", "NOR", "Norway"),
    ],
)
def test_key_countries_present(
    country_by_iso: dict[str, dict[str, Any]], iso_a2: str, iso_a3: str, name: str
) -> None:
    properties = country_by_iso[iso_a2]["properties"]
    assert properties["iso_a3"] == iso_a3
    assert properties["name"] == name


def test_labels_inside_their_country(countries: dict[str, Any]) -> None:
    for feature in countries["features"]:
        properties = feature["properties"]
        lon, lat = properties["label_lon"], properties["label_lat"]
        assert math.isfinite(lon) and math.isfinite(lat)
        # Labels come from the full-resolution outline; allow for simplification.
        assert shape(feature["geometry"]).buffer(0.05).contains(Point(lon, lat)), properties


@pytest.mark.parametrize(
    ("iso_a2", "place", "lon", "lat"),
    [
        ("IQ", "Baghdad", 44.40, 33.34),
        ("IQ", "Erbil", 44.01, 36.19),
        ("IQ", "Basra", 47.78, 30.51),
        ("IR", "Tehran", 51.39, 35.69),
        ("FR", "Paris", 2.35, 48.86),
        ("NO", "Oslo", 10.75, 59.91),
    ],
)
def test_country_contains_city(
    country_by_iso: dict[str, dict[str, Any]], iso_a2: str, place: str, lon: float, lat: float
) -> None:
    outline = shape(country_by_iso[iso_a2]["geometry"])
    assert outline.contains(Point(lon, lat)), place


def test_baghdad_not_in_iran(country_by_iso: dict[str, dict[str, Any]]) -> None:
    assert not shape(country_by_iso["IR"]["geometry"]).contains(Point(44.40, 33.34))


def test_basemap_layers(basemap: dict[str, Any]) -> None:
    layers = [feature["properties"]["layer"] for feature in basemap["features"]]
    assert set(layers) == BASEMAP_LAYERS
    expected_types = {
        "land": (Polygon, MultiPolygon),
        "lake": (Polygon, MultiPolygon),
        "river": (LineString, MultiLineString),
        "border": (LineString, MultiLineString),
    }
    for feature in basemap["features"]:
        properties = feature["properties"]
        assert set(properties) <= {"layer", "name"}
        assert isinstance(shape(feature["geometry"]), expected_types[properties["layer"]])


def test_basemap_land_covers_baghdad(basemap: dict[str, Any]) -> None:
    land = [shape(f["geometry"]) for f in basemap["features"] if f["properties"]["layer"] == "land"]
    assert any(polygon.contains(Point(44.40, 33.34)) for polygon in land)


# --- labels.geojson: the basemap's place names (geodata/data/build_labels.py) ---

LABELS = DATA_DIR / "labels.geojson"
LABEL_TIERS = {"ocean": 0, "country": 1, "capital": 2, "city": 2, "sea": 3, "area": 4}


@pytest.fixture(scope="module")
def labels() -> dict[str, Any]:
    return _load(LABELS)


def test_labels_are_sourced_points_in_priority_order(labels: dict[str, Any]) -> None:
    features = labels["features"]
    assert labels["type"] == "FeatureCollection"
    kinds: dict[str, int] = {}
    tiers = []
    for feature in features:
        props = feature["properties"]
        assert set(props) == {"name", "kind", "minzoom", "source"}, props
        assert props["name"].strip() == props["name"] and props["name"], props
        assert props["source"].strip(), props
        assert isinstance(props["minzoom"], int) and 1 <= props["minzoom"] <= 10, props
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "Point"
        assert -180 <= lon <= 180 and -90 <= lat <= 90, props
        assert round(lon, 3) == lon and round(lat, 3) == lat
        kinds[props["kind"]] = kinds.get(props["kind"], 0) + 1
        tiers.append(LABEL_TIERS[props["kind"]])
    # oceans, then countries, then towns, then seas, then areas (first wins a collision)
    assert tiers == sorted(tiers)
    assert kinds["ocean"] == 7 and kinds["sea"] >= 7
    assert 230 <= kinds["country"] <= 245
    assert kinds["capital"] >= 190  # every country's capital, from Natural Earth
    assert kinds["city"] >= 4000 and kinds["area"] >= 3000
    assert LABELS.stat().st_size < 2_500_000


@pytest.mark.parametrize(
    ("name", "kind", "lon", "lat", "max_zoom"),
    [
        ("Baghdad", "capital", 44.39, 33.34, 4),  # Natural Earth populated places
        ("Cairo", "capital", 31.25, 30.05, 2),
        ("Erbil", "city", 44.01, 36.19, 6),  # GeoNames (Natural Earth lacks it)
        ("Iraq", "country", 43.8, 33.0, 2),
        ("Nineveh", "area", 42.5, 36.2, 6),
        ("Red Sea", "sea", 38.0, 22.0, 3),
    ],
)
def test_labels_put_known_names_near_their_place(
    labels: dict[str, Any], name: str, kind: str, lon: float, lat: float, max_zoom: int
) -> None:
    from geodata.geodesy import geodesic_km

    found = [
        f
        for f in labels["features"]
        if f["properties"]["name"] == name and f["properties"]["kind"] == kind
    ]
    assert len(found) == 1, found
    flon, flat = found[0]["geometry"]["coordinates"]
    assert geodesic_km(lon, lat, flon, flat) < 150, (flon, flat)
    assert found[0]["properties"]["minzoom"] <= max_zoom


def test_the_browser_gets_labels_in_a_compact_form(tmp_path: Path, labels: dict[str, Any]) -> None:
    from layers.map.assets import LABEL_KINDS, install_static, labels_payload, labels_url

    payload = labels_payload()
    assert payload["kinds"] == list(LABEL_KINDS)
    assert len(payload["labels"]) == len(labels["features"])
    first = labels["features"][0]
    lon, lat = first["geometry"]["coordinates"]
    kind = LABEL_KINDS.index(first["properties"]["kind"])
    assert payload["labels"][0] == [lon, lat, first["properties"]["name"], kind, 1]
    served = install_static(tmp_path) / "naturalearth" / "labels.json"
    assert json.loads(served.read_text(encoding="utf-8")) == payload
    assert served.stat().st_size < LABELS.stat().st_size / 3
    assert labels_url().startswith("/app/static/vendor/naturalearth/labels.json?v=")
