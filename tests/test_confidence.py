"""The calibrated confidence: its measures, its labels, its model, and the app's use of it."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Point

from geodata.confidence import CONFIDENCE_FEATURES, MODEL_PATH, _containment, load_model
from geodata.evaluate import calibration, prediction_outcomes, score
from geodata.recognize import _overlap_test
from geodata.schema import DEFAULT_THRESHOLD, as_sites

# --- measures ---------------------------------------------------------------------


def test_calibration_figures_on_a_small_hand_made_case() -> None:
    # two predictions at 0.9 (one right), two at 0.1 (none right)
    figures = calibration([0.9, 0.9, 0.1, 0.1], [True, False, False, False], 0.5)
    # ECE: half the predictions sit in a bin 0.4 off, half in one 0.1 off
    assert figures["confidence_ece"] == pytest.approx(0.25)
    # AUC: the right one outranks both 0.1s and ties the other 0.9: (2 + 0.5) / 3
    assert figures["confidence_auc"] == pytest.approx(0.8333, abs=1e-4)
    assert figures["confidence_brier"] == pytest.approx((0.01 + 0.81 + 0.01 + 0.01) / 4)
    assert figures["shown_at_threshold"] == 0.5
    assert figures["precision_at_threshold"] == 0.5
    assert figures["judged_predictions"] == 4


@pytest.mark.parametrize(
    ("confidences", "auc"),
    [([0.9, 0.8, 0.2, 0.1], 1.0), ([0.1, 0.2, 0.8, 0.9], 0.0), ([0.5, 0.5, 0.5, 0.5], 0.5)],
)
def test_auc_runs_from_reversed_to_perfect(confidences, auc) -> None:
    figures = calibration(confidences, [True, True, False, False], 0.5)
    assert figures["confidence_auc"] == pytest.approx(auc)


def test_perfect_calibration_has_no_error() -> None:
    # in the 0.7-0.8 bin, 3 of 4 right at 0.75; in the 0.2-0.3 bin, 1 of 4 at 0.25
    confidences = [0.75] * 4 + [0.25] * 4
    outcomes = [True, True, True, False, True, False, False, False]
    assert calibration(confidences, outcomes, 0.5)["confidence_ece"] == 0.0


GOLD = [
    {
        "id": "a",
        "text": "",
        "toponyms": [
            {
                "start": 0,
                "end": 5,
                "name": "Paris",
                "lat": 48.857,
                "lon": 2.352,
                "geonameid": 2988507,
            },
            {"start": 10, "end": 16, "name": "Berlin", "lat": 52.52, "lon": 13.405},
            {"start": 20, "end": 26, "name": "Nowhere"},
        ],
    }
]


def _pred(start, end, lat, lon, geonameid=None, confidence=0.5):
    return {
        "start": start,
        "end": end,
        "name": "x",
        "lat": lat,
        "lon": lon,
        "geonameid": geonameid,
        "kind": "populated_place",
        "country_code": None,
        "confidence": confidence,
    }


def test_prediction_outcomes_judge_place_and_choice() -> None:
    pred = [
        {
            "id": "a",
            "toponyms": [
                _pred(0, 5, 33.66, -95.555, geonameid=2988507),  # same entity, far point
                _pred(10, 16, 40.0, -100.0),  # matched, resolved 7,000 km away
                _pred(20, 26, 1.0, 1.0),  # matched, but gold gives nothing to judge by
                _pred(30, 34, 1.0, 1.0),  # no gold toponym there: not a place
            ],
        }
    ]
    assert prediction_outcomes(GOLD, pred) == [[True, False, None, False]]
    figures = score(GOLD, pred)
    assert figures["judged_predictions"] == 3
    assert figures["precision_at_threshold"] == pytest.approx(1 / 3, abs=1e-4)


def test_score_has_no_confidence_figures_without_confidences() -> None:
    pred = [
        {
            "id": "a",
            "toponyms": [{"start": 0, "end": 5, "name": "Paris", "lat": 48.857, "lon": 2.352}],
        }
    ]
    assert "confidence_ece" not in score(GOLD, pred)


# --- the model --------------------------------------------------------------------


def test_the_model_file_was_fitted_by_the_script_and_checked_across_corpora() -> None:
    model = load_model()
    assert tuple(model["features"]) == CONFIDENCE_FEATURES
    assert set(model["weights"]) == set(CONFIDENCE_FEATURES)
    assert model["made_by"] == "scripts/fit_confidence.py"
    assert model["threshold"] == DEFAULT_THRESHOLD
    checks = model["checks"]
    # fitted on one corpus, measured on the other: the targets hold there too
    for key in ("fit lgl, measured on geovirus", "fit geovirus, measured on lgl"):
        assert checks[key]["confidence_ece"] <= 0.05, key
        assert checks[key]["confidence_auc"] >= 0.85, key
    raw = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert raw["fitted_on"]["lgl"] > 4000 and raw["fitted_on"]["geovirus"] > 2000


@pytest.mark.parametrize(
    ("text", "name", "low", "high"),
    [
        # named with its country: a place, and the right one
        ("Heavy rain flooded Baghdad, the capital of Iraq, on Monday.", "Baghdad", 0.8, 1.0),
        ("Police in Cairo, Egypt, said four people died.", "Cairo", 0.85, 1.0),
        # a town name shared by dozens of US towns, no state, no other place: a guess
        (
            "The mayor of Springfield said the new bridge will open next spring.",
            "Springfield",
            0.0,
            DEFAULT_THRESHOLD,
        ),
    ],
)
def test_confidence_of_hand_written_mentions(geoparser, text, name, low, high) -> None:
    records = next(geoparser.parse([text]))
    (record,) = [r for r in records if r["name"] == name]
    assert low <= record["confidence"] <= high, record
    # the resolver's share is a different number: Springfield's share is not a probability
    assert 0.0 <= record["score"] <= 1.0


# --- the app's use ----------------------------------------------------------------


def _site(fid, kind, confidence):
    return {
        "feature_id": fid,
        "name": fid,
        "kind": kind,
        "country_code": None,
        "confidence": confidence,
        "mentions": 1,
        "evidence": [],
        "source": "test",
        "note": "",
        "geometry": Point(44.0, 33.0),
    }


def test_uncertain_places_are_hidden_by_default_and_counted() -> None:
    from layers.app.analysis import filter_sites, uncertain
    from layers.app.state import View
    from layers.app.views import compute_view

    sites = as_sites(
        gpd.GeoDataFrame(
            [
                _site("geonames:1", "populated_place", 0.2),  # a doubted town
                _site("geonames:2", "populated_place", 0.8),
                _site("country:IQ", "country", 0.49),  # a doubted country
                _site("site:x", "pipeline", 0.3),  # a catalogue link: not modelled
                _site("incident:y", "incident", 0.1),  # an incident: not modelled
            ],
            crs="EPSG:4326",
        )
    )
    assert list(uncertain(sites)) == [True, False, True, False, False]
    assert list(filter_sites(sites, hide_uncertain=True)["feature_id"]) == [
        "geonames:2",
        "site:x",
        "incident:y",
    ]
    hidden = compute_view(sites, View("k"))
    assert hidden.uncertain == 2
    assert set(hidden.filtered["feature_id"]) == {"geonames:2", "site:x", "incident:y"}
    shown = compute_view(sites, View("k", show_uncertain=True))
    assert shown.uncertain == 2 and len(shown.filtered) == 5


def test_doubted_places_are_drawn_faint_and_dashed() -> None:
    from layers.map.render import _feature_style

    sure = _feature_style("populated_place", "Point", "#1f77b4", 0.9)
    doubted = _feature_style("populated_place", "Point", "#1f77b4", 0.1)
    assert sure["fillOpacity"] == 0.9 and "dashArray" not in sure
    assert doubted["fillOpacity"] == pytest.approx(0.25 + 0.65 * 0.2, abs=0.01)
    assert doubted["dashArray"] == "2 2"
    # a catalogue site keeps its look whatever its (uncalibrated) confidence
    assert _feature_style("pipeline", "LineString", "#e377c2", 0.1) == _feature_style(
        "pipeline", "LineString", "#e377c2", 1.0
    )
    area = _feature_style("country", "Polygon", "#8c6bb1", 0.2)
    assert area["dashArray"] == "4 4" and area["fillOpacity"] < 0.12


spans_strategy = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 20)).map(lambda p: (p[0], p[0] + p[1])),
    max_size=25,
)


@given(spans=spans_strategy, start=st.integers(0, 80), length=st.integers(1, 20))
def test_span_indexes_agree_with_the_plain_scans(spans, start, length) -> None:
    # The O(log n) tests that keep a long text's cost linear answer exactly as the
    # O(n) scans they replace.
    end = start + length
    ordered = sorted(spans)
    inside = any(s <= start and end <= e and (s, e) != (start, end) for s, e in ordered)
    assert _containment(ordered)(start, end) == inside
    overlaps = any(s < end and start < e for s, e in spans)
    assert _overlap_test(spans)(start, end) == overlaps
