"""Data tests for the curated site catalogue (geodata/data/sites.geojson).

The checks are about the data, not the code: every feature is well formed,
carries a source, and lies where its country says it does (within 2 km of the
Natural Earth polygon of its ``country_code``).
"""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest
from pyproj import Geod
from shapely.geometry import Point, shape
from shapely.ops import nearest_points, unary_union

ROOT = Path(__file__).resolve().parent.parent
SITES = ROOT / "geodata" / "data" / "sites.geojson"
COUNTRIES = ROOT / "geodata" / "data" / "naturalearth" / "countries.geojson"

KINDS = {
    "airport",
    "military_base",
    "religious_site",
    "facility",
    "rail_line",
    "pipeline",
    "border_crossing",
    "port",
    "power_plant",
    "oil_field",
    "gas_field",
}
LINE_KINDS = {"rail_line", "pipeline"}
MAX_SEGMENT_KM = 150.0
COUNTRY_TOLERANCE_KM = 2.0
SEED_TOLERANCE_KM = 2.0

GEOD = Geod(ellps="WGS84")


def _km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


@lru_cache(maxsize=1)
def _collection() -> dict:
    with SITES.open(encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def _raw_numbers() -> list[Decimal]:
    """All coordinate numbers exactly as written in the file (to count decimals)."""
    with SITES.open(encoding="utf-8") as fh:
        data = json.load(fh, parse_float=Decimal, parse_int=Decimal)
    out: list[Decimal] = []

    def walk(c):
        if isinstance(c, list) and c and not isinstance(c[0], list):
            out.extend(c)
        else:
            for x in c:
                walk(x)

    for f in data["features"]:
        walk(f["geometry"]["coordinates"])
    return out


@lru_cache(maxsize=1)
def _countries() -> dict:
    if not COUNTRIES.exists():
        pytest.skip(f"{COUNTRIES} not built yet")
    with COUNTRIES.open(encoding="utf-8") as fh:
        data = json.load(fh)
    parts: dict[str, list] = {}
    for f in data["features"]:
        code = f["properties"].get("iso_a2")
        if code and f.get("geometry"):
            parts.setdefault(code, []).append(shape(f["geometry"]))
    return {code: unary_union(geoms) for code, geoms in parts.items()}


def _features() -> list[dict]:
    return _collection()["features"]


def _by_id() -> dict[str, dict]:
    return {f["properties"]["id"]: f for f in _features()}


def _point_ids() -> list[str]:
    return [f["properties"]["id"] for f in _features() if f["geometry"]["type"] == "Point"]


def _line_ids() -> list[str]:
    return [f["properties"]["id"] for f in _features() if f["geometry"]["type"] == "LineString"]


# --------------------------------------------------------------------------- structure


def test_feature_collection_shape():
    fc = _collection()
    assert fc["type"] == "FeatureCollection"
    assert "crs" not in fc, "RFC 7946 forbids a crs member"
    assert fc["features"], "catalogue is empty"
    for f in fc["features"]:
        assert f["type"] == "Feature"
        assert f["geometry"]["type"] in {"Point", "LineString"}


def test_ids_unique_and_prefixed():
    ids = [f["properties"]["id"] for f in _features()]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for i in ids:
        assert i.startswith("site:") and len(i) > len("site:"), i
        assert i == i.lower() and " " not in i, i


def test_required_properties():
    for f in _features():
        p = f["properties"]
        pid = p["id"]
        assert isinstance(p.get("name"), str) and p["name"].strip(), pid
        assert isinstance(p.get("source"), str) and p["source"].strip(), pid
        assert p.get("kind") in KINDS, (pid, p.get("kind"))
        cc = p.get("country_code")
        assert isinstance(cc, str) and len(cc) == 2 and cc.isupper(), (pid, cc)
        assert isinstance(p.get("aliases"), list), pid
        assert all(isinstance(a, str) and a.strip() for a in p["aliases"]), pid
        conf = p.get("confidence")
        assert isinstance(conf, (int, float)) and 0.0 <= conf <= 1.0, (pid, conf)
        if p["kind"] == "military_base":
            assert p.get("used_by"), f"{pid}: military bases list the forces using them"
        if "used_by" in p:
            codes = p["used_by"]
            assert all(isinstance(c, str) and len(c) == 2 and c.isupper() for c in codes), pid


def test_geometry_matches_kind():
    for f in _features():
        p = f["properties"]
        expected = "LineString" if p["kind"] in LINE_KINDS else "Point"
        assert f["geometry"]["type"] == expected, p["id"]


def test_coordinates_in_range_and_at_most_six_decimals():
    for f in _features():
        coords = f["geometry"]["coordinates"]
        pairs = [coords] if f["geometry"]["type"] == "Point" else coords
        for lon, lat in pairs:
            assert -180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0, f["properties"]["id"]
    for n in _raw_numbers():
        assert -n.as_tuple().exponent <= 6, f"{n} has more than 6 decimals"


# --------------------------------------------------------------------------- lines


@pytest.mark.parametrize("site_id", _line_ids())
def test_lines_are_continuous(site_id):
    f = _by_id()[site_id]
    p = f["properties"]
    coords = f["geometry"]["coordinates"]
    assert len(coords) >= 2, site_id
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(coords):
        d = _km(lon1, lat1, lon2, lat2)
        assert 0.0 < d <= MAX_SEGMENT_KM, f"{site_id}: segment of {d:.1f} km"
    assert isinstance(p.get("note"), str) and p["note"].strip(), f"{site_id}: lines need a note"
    countries = p.get("countries")
    assert isinstance(countries, list) and countries, site_id
    assert p["country_code"] == countries[0], site_id


# --------------------------------------------------------------------------- countries


@pytest.mark.parametrize("site_id", _point_ids())
def test_point_inside_its_country(site_id):
    polygons = _countries()
    f = _by_id()[site_id]
    code = f["properties"]["country_code"]
    assert code in polygons, f"{site_id}: no Natural Earth polygon for {code}"
    lon, lat = f["geometry"]["coordinates"]
    pt = Point(lon, lat)
    geom = polygons[code]
    if geom.covers(pt):
        return
    near = nearest_points(pt, geom)[1]
    d = _km(lon, lat, near.x, near.y)
    assert d <= COUNTRY_TOLERANCE_KM, f"{site_id}: {d:.2f} km outside {code}"


# --------------------------------------------------------------------------- seed sites

# Reference values (lon, lat) and where they were taken from; the catalogue must
# stay within SEED_TOLERANCE_KM of them.
SEEDS = {
    # airportsdata.load("ICAO")["ORBI"]
    "site:orbi": (44.2346, 33.2625),
    # airportsdata.load("ICAO")["ORER"]
    "site:orer": (43.9632, 36.2376),
    # airportsdata.load("ICAO")["ORMM"]
    "site:ormm": (47.6621, 30.5491),
    # airportsdata.load("ICAO")["ORNI"]
    "site:orni": (44.40417, 31.98972),
    # https://en.wikipedia.org/wiki/Imam_Husayn_Shrine (32°36′59″N 44°01′57″E)
    "site:imam-husayn-shrine": (44.03250, 32.61639),
    # https://en.wikipedia.org/wiki/Al-Abbas_Shrine (32°37′1.88″N 44°2′10.38″E)
    "site:al-abbas-shrine": (44.0362167, 32.6171889),
    # https://en.wikipedia.org/wiki/Imam_Ali_Shrine (31°59′46″N 44°18′51″E)
    "site:imam-ali-shrine": (44.314167, 31.996111),
    # https://en.wikipedia.org/wiki/Al-Kadhimiya_Mosque (33°22′47.89″N 44°20′16.64″E)
    "site:al-kadhimiya-mosque": (44.3379556, 33.3799694),
    # https://en.wikipedia.org/wiki/Al-Askari_Shrine (34°11′56″N 43°52′24″E)
    "site:al-askari-shrine": (43.87338, 34.19878),
    # airportsdata.load("ICAO")["ORAA"] (Al Asad Air Base)
    "site:ain-al-asad": (42.4412, 33.7856),
    # https://www.globalsecurity.org/military/world/iraq/bashur.htm (36 31'50"N 44 20'30"E)
    "site:harir-air-base": (44.341667, 36.530556),
    # https://en.wikipedia.org/wiki/Al-Tanf_(U.S._military_base) (33°30′21″N 38°37′04″E)
    "site:al-tanf": (38.61778, 33.50583),
    # https://en.wikipedia.org/wiki/Tower_22_drone_attack (33°18′51″N 38°42′12″E)
    "site:tower-22": (38.70333, 33.31417),
    # https://en.wikipedia.org/wiki/Camp_Taji (33°31′46″N 44°16′39″E)
    "site:camp-taji": (44.2775, 33.52944),
    # https://en.wikipedia.org/wiki/K-1_Air_Base (35°30′45″N 44°17′03″E)
    "site:k1-air-base": (44.28417, 35.5125),
    # https://en.wikipedia.org/wiki/Ibrahim_Khalil_border_crossing (37°08′41″N 42°33′56″E)
    "site:ibrahim-khalil-crossing": (42.56556, 37.144722),
    # https://en.wikipedia.org/wiki/Al_Waleed_border_crossing (33°26′00″N 38°56′15″E)
    "site:al-waleed-crossing": (38.9374, 33.4332),
}


@pytest.mark.parametrize("site_id", sorted(SEEDS))
def test_seed_sites_present_and_placed(site_id):
    sites = _by_id()
    assert site_id in sites, f"seed site {site_id} missing"
    lon, lat = sites[site_id]["geometry"]["coordinates"]
    ref_lon, ref_lat = SEEDS[site_id]
    d = _km(lon, lat, ref_lon, ref_lat)
    assert d <= SEED_TOLERANCE_KM, f"{site_id} is {d:.2f} km from its reference"


def test_seed_lines_present():
    sites = _by_id()
    seed_lines = (
        "site:rail-basra-shalamcheh",
        "site:rail-baghdad-basra",
        "site:rail-baghdad-mosul",
    )
    for site_id in seed_lines:
        assert site_id in sites, site_id
    assert set(sites["site:rail-basra-shalamcheh"]["properties"]["countries"]) == {"IQ", "IR"}
    assert "site:shalamcheh-crossing" in sites
    seed_pipelines = {
        "site:pipeline-iran-iraq-gas-baghdad": {"IR", "IQ"},
        "site:pipeline-iran-iraq-gas-basra": {"IR", "IQ"},
        "site:pipeline-kirkuk-ceyhan": {"IQ", "TR"},
    }
    for site_id, countries in seed_pipelines.items():
        assert site_id in sites, site_id
        assert set(sites[site_id]["properties"]["countries"]) == countries, site_id
