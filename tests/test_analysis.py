"""Filters, distances, rings, highlights, corrections (pure functions)."""

from __future__ import annotations

import json

import pytest
from pyproj import Geod

from geodata.geodesy import range_ring
from layers.app.analysis import distances_km, filter_sites
from layers.app.corrections import apply_corrections, empty_corrections
from layers.app.display import highlight_html
from layers.files.export import read_geojson, to_geojson

from .cases import HOSTILE_HTML


def test_filters(seed_sites):
    assert len(filter_sites(seed_sites)) == len(seed_sites)
    places = filter_sites(seed_sites, layers=["places"])
    assert set(places["layer"]) == {"places"}
    assert set(filter_sites(seed_sites, kinds=["airport"])["feature_id"]) <= {
        "site:orbi",
        "airport:ORBI",
    }
    confident = filter_sites(seed_sites, min_confidence=0.5)
    assert (confident["confidence"] >= 0.5).all() and len(confident) < len(seed_sites)
    assert set(filter_sites(seed_sites, query="erbil")["feature_id"]) >= {"geonames:95446"}
    assert len(filter_sites(seed_sites, query="zzzz-nowhere")) == 0


def test_distances_from_baghdad(seed_sites):
    distances = distances_km(seed_sites, "geonames:98182")
    by_id = dict(zip(seed_sites["feature_id"], distances, strict=True))
    expected = Geod(ellps="WGS84").inv(44.40088, 33.34058, 44.00943, 36.19117)[2] / 1000
    assert by_id["geonames:98182"] == 0
    assert by_id["geonames:95446"] == pytest.approx(expected, abs=0.01)
    assert 310 < by_id["geonames:95446"] < 330
    with pytest.raises(KeyError):
        distances_km(seed_sites, "nope")


def test_range_rings_are_geodesic():
    geod = Geod(ellps="WGS84")
    for radius in (25, 100):
        ring = range_ring(44.40088, 33.34058, radius)
        for lon, lat in list(ring.exterior.coords)[::10]:
            assert geod.inv(44.40088, 33.34058, lon, lat)[2] / 1000 == pytest.approx(radius, 1e-6)


def test_highlight_escapes_and_marks(geoparser):
    from geodata.pipeline import extract_sites

    sites = extract_sites(HOSTILE_HTML, geoparser=geoparser)
    page = highlight_html(HOSTILE_HTML, sites, selected="geonames:98182")
    assert "<script>" not in page and "<img" not in page and "<svg" not in page
    assert '<mark data-feature-id="geonames:98182"' in page
    assert "outline:2px" in page
    assert "&lt;script&gt;" in page


def test_corrections_reject_repick_add_edit_and_round_trip(seed_sites):
    damascus = seed_sites[seed_sites["feature_id"] == "geonames:170654"].iloc[0]
    corrections = empty_corrections()
    corrections["rejected"].append("country:GB")
    corrections["repicked"]["geonames:170654"] = {
        "feature_id": "geonames:4352728",
        "name": "Damascus",
        "kind": "populated_place",
        "country_code": "US",
        "lon": -77.20359,
        "lat": 39.28844,
        "source": "GeoNames 4352728",
    }
    corrections["added"].append(
        {
            "feature_id": "user:1",
            "name": "Camp X",
            "kind": "military_base",
            "country_code": "IQ",
            "lon": 43.5,
            "lat": 33.5,
        }
    )
    corrections["edited"]["geonames:98860"] = {"name": "Najaf city", "kind": "religious_site"}
    fixed = apply_corrections(seed_sites, corrections)
    by_id = {r["feature_id"]: r for r in fixed.to_dict("records")}
    assert "country:GB" not in by_id and "geonames:170654" not in by_id
    moved = by_id["geonames:4352728"]
    assert moved["evidence"] == damascus["evidence"] and moved["country_code"] == "US"
    assert "was Damascus" in moved["note"]
    assert by_id["user:1"]["layer"] == "military"
    assert by_id["geonames:98860"]["name"] == "Najaf city"
    assert by_id["geonames:98860"]["layer"] == "religious"
    assert len(fixed) == len(seed_sites) - 2 + 1 + 1
    # Saved as GeoJSON and re-imported, the corrected map comes back the same.
    back = read_geojson(to_geojson(fixed))
    assert json.loads(to_geojson(back)) == json.loads(to_geojson(fixed))
    with pytest.raises(ValueError, match="unknown kind"):
        apply_corrections(seed_sites, {"edited": {"geonames:98860": {"kind": "castle"}}})
