"""Unit tests for geodata.evaluate on small invented documents (answers computed by hand)."""

from __future__ import annotations

import copy
import json
import math

import pytest

from geodata.evaluate import (
    MAX_ERROR_KM,
    error_breakdown,
    match_spans,
    score,
)

# City-centre coordinates (WGS84 degrees).
VIENNA = (48.2082, 16.3738)
BUDAPEST = (47.4979, 19.0402)

# Vienna -> Budapest, haversine on a sphere of radius R = 6371.0088 km, by hand:
#   dphi = 47.4979 - 48.2082 = -0.7103 deg = -0.0123971 rad; sin^2(dphi/2) = 3.8422e-5
#   dlam = 19.0402 - 16.3738 =  2.6664 deg =  0.0465374 rad; sin^2(dlam/2) = 5.4142e-4
#   cos(48.2082 deg) * cos(47.4979 deg) = 0.66641 * 0.67558 = 0.45021
#   h = 3.8422e-5 + 0.45021 * 5.4142e-4 = 2.8217e-4
#   d = 2 R asin(sqrt(h)) = 2 * 6371.0088 * 0.016799 = 214.05 km
# The WGS84 geodesic differs from the sphere by ~0.3 % here (about 0.6 km), so 1 km
# tolerance holds; the distance is well beyond the 161 km threshold.
VIENNA_BUDAPEST_KM = 214.05
TEXT = "Floods hit Vienna on Monday before reaching Budapest."


def _top(text, name, coords, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(name, start + 1)
    lat, lon = coords if coords is not None else (None, None)
    return {"start": start, "end": start + len(name), "name": name, "lat": lat, "lon": lon}


def _haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


@pytest.fixture
def gold():
    return [
        {
            "id": "d1",
            "text": TEXT,
            "toponyms": [_top(TEXT, "Vienna", VIENNA), _top(TEXT, "Budapest", BUDAPEST)],
        }
    ]


def _pred_from(gold_docs):
    return [{"id": d["id"], "toponyms": copy.deepcopy(d["toponyms"])} for d in gold_docs]


# ------------------------------------------------------------------------ score


def test_perfect_prediction(gold):
    result = score(gold, _pred_from(gold))
    assert result == {
        "documents": 1,
        "gold_toponyms": 2,
        "gold_with_coordinates": 2,
        "predicted_toponyms": 2,
        "exact_precision": 1.0,
        "exact_recall": 1.0,
        "exact_f1": 1.0,
        "overlap_precision": 1.0,
        "overlap_recall": 1.0,
        "overlap_f1": 1.0,
        "matched_with_coordinates": 2,
        "acc_at_161": 1.0,
        "median_error_km": 0.0,
        "mean_error_km": 0.0,
        "auc": 0.0,
        "end_to_end_acc_at_161": 1.0,
        "matched_with_geonameid": 0,
        "same_entity": None,
        "same_or_within_161": 1.0,
    }
    json.dumps(result)  # JSON-native


def test_one_missed_span(gold):
    pred = _pred_from(gold)
    del pred[0]["toponyms"][1]  # Budapest not predicted
    r = score(gold, pred)
    assert r["predicted_toponyms"] == 1
    assert r["exact_precision"] == 1.0
    assert r["exact_recall"] == 0.5
    assert r["exact_f1"] == 0.6667  # 2PR/(P+R) = 1/1.5
    assert r["overlap_f1"] == 0.6667
    assert r["matched_with_coordinates"] == 1
    assert r["acc_at_161"] == 1.0
    assert r["end_to_end_acc_at_161"] == 0.5  # 1 correct / 2 gold with coordinates


def test_one_false_positive(gold):
    pred = _pred_from(gold)
    pred[0]["toponyms"].append(_top(TEXT, "Monday", (0.0, 0.0)))
    r = score(gold, pred)
    assert r["predicted_toponyms"] == 3
    assert r["exact_precision"] == 0.6667  # 2/3
    assert r["exact_recall"] == 1.0
    assert r["exact_f1"] == 0.8  # 2*2/(2+3)
    assert r["overlap_precision"] == 0.6667
    # The false positive plays no part in resolution.
    assert r["matched_with_coordinates"] == 2
    assert r["acc_at_161"] == 1.0
    assert r["end_to_end_acc_at_161"] == 1.0


def test_overlap_but_not_exact(gold):
    pred = _pred_from(gold)
    vienna = pred[0]["toponyms"][0]
    vienna["end"] += len(" on Monday")  # "Vienna on Monday"
    vienna["name"] = TEXT[vienna["start"] : vienna["end"]]
    r = score(gold, pred)
    assert (r["exact_precision"], r["exact_recall"], r["exact_f1"]) == (0.5, 0.5, 0.5)
    assert (r["overlap_precision"], r["overlap_recall"], r["overlap_f1"]) == (1.0, 1.0, 1.0)
    assert r["matched_with_coordinates"] == 2
    assert r["acc_at_161"] == 1.0


def test_prediction_200_km_off():
    text = "Officials in Budapest confirmed the report."
    gold = [{"id": "a", "text": text, "toponyms": [_top(text, "Budapest", BUDAPEST)]}]
    pred = [{"id": "a", "toponyms": [_top(text, "Budapest", VIENNA)]}]  # wrong place
    r = score(gold, pred)
    assert r["overlap_f1"] == 1.0
    assert r["matched_with_coordinates"] == 1
    assert r["acc_at_161"] == 0.0
    assert r["end_to_end_acc_at_161"] == 0.0
    assert r["median_error_km"] == pytest.approx(VIENNA_BUDAPEST_KM, abs=1.0)
    assert r["mean_error_km"] == pytest.approx(VIENNA_BUDAPEST_KM, abs=1.0)
    assert r["median_error_km"] == pytest.approx(_haversine_km(*BUDAPEST, *VIENNA), abs=1.0)
    # log(1 + 214.6) / log(1 + 20039) = 5.3733 / 9.9055 = 0.5425
    assert r["auc"] == pytest.approx(0.5425, abs=1e-3)


def test_unresolved_prediction(gold):
    pred = _pred_from(gold)
    pred[0]["toponyms"][1]["lat"] = None
    pred[0]["toponyms"][1]["lon"] = None
    r = score(gold, pred)
    assert r["overlap_f1"] == 1.0  # recognised, just not resolved
    assert r["matched_with_coordinates"] == 2
    assert r["acc_at_161"] == 0.5
    assert r["end_to_end_acc_at_161"] == 0.5
    assert r["median_error_km"] == round(MAX_ERROR_KM / 2, 4)  # median of [0, 20039]
    assert r["mean_error_km"] == round(MAX_ERROR_KM / 2, 4)
    assert r["auc"] == 0.5  # mean of [0, 1]


def test_prediction_without_coordinate_keys_counts_as_unresolved():
    text = "Snow closed roads around Vienna."
    gold = [{"id": "a", "text": text, "toponyms": [_top(text, "Vienna", VIENNA)]}]
    t = _top(text, "Vienna", None)
    del t["lat"], t["lon"]
    r = score(gold, [{"id": "a", "toponyms": [t]}])
    assert r["acc_at_161"] == 0.0
    assert r["median_error_km"] == MAX_ERROR_KM
    assert r["auc"] == 1.0


def test_gold_without_coordinates_is_excluded_from_resolution(gold):
    gold[0]["toponyms"][1]["lat"] = None
    gold[0]["toponyms"][1]["lon"] = None
    pred = _pred_from(gold)
    pred[0]["toponyms"][1]["lat"], pred[0]["toponyms"][1]["lon"] = VIENNA  # ignored
    r = score(gold, pred)
    assert r["gold_toponyms"] == 2
    assert r["gold_with_coordinates"] == 1
    assert r["matched_with_coordinates"] == 1
    assert r["acc_at_161"] == 1.0
    assert r["end_to_end_acc_at_161"] == 1.0


def test_gold_document_without_prediction_counts_as_missed(gold):
    text = "Budapest and Vienna signed the deal."
    gold.append(
        {
            "id": "d2",
            "text": text,
            "toponyms": [_top(text, "Budapest", BUDAPEST), _top(text, "Vienna", VIENNA)],
        }
    )
    r = score(gold, _pred_from(gold[:1]))
    assert r["documents"] == 2
    assert r["gold_toponyms"] == 4
    assert r["exact_precision"] == 1.0
    assert r["exact_recall"] == 0.5
    assert r["end_to_end_acc_at_161"] == 0.5
    assert r["acc_at_161"] == 1.0


def test_empty_corpora():
    r = score([], [])
    assert r["documents"] == 0
    for key in ("gold_toponyms", "gold_with_coordinates", "predicted_toponyms"):
        assert r[key] == 0
    assert r["matched_with_coordinates"] == 0
    for key in (
        "exact_precision",
        "exact_recall",
        "exact_f1",
        "overlap_precision",
        "overlap_recall",
        "overlap_f1",
        "acc_at_161",
        "median_error_km",
        "mean_error_km",
        "auc",
        "end_to_end_acc_at_161",
        "same_entity",
        "same_or_within_161",
    ):
        assert r[key] is None, key


def test_no_predictions_gives_zero_recall_and_none_precision(gold):
    r = score(gold, [])
    assert r["exact_precision"] is None
    assert r["exact_recall"] == 0.0
    assert r["exact_f1"] == 0.0
    assert r["acc_at_161"] is None
    assert r["median_error_km"] is None
    assert r["end_to_end_acc_at_161"] == 0.0


def test_unknown_predicted_id_raises(gold):
    with pytest.raises(ValueError, match="nope"):
        score(gold, [{"id": "nope", "toponyms": []}])


def test_duplicate_ids_raise(gold):
    with pytest.raises(ValueError, match="duplicate"):
        score(gold + gold, [])
    with pytest.raises(ValueError, match="duplicate"):
        score(gold, _pred_from(gold) * 2)


def test_malformed_span_raises(gold):
    pred = [{"id": "d1", "toponyms": [{"start": 5, "end": 2}]}]
    with pytest.raises(ValueError, match="invalid span"):
        score(gold, pred)


# ------------------------------------------------------------------- match_spans


def _spans(*pairs):
    return [{"start": s, "end": e} for s, e in pairs]


def test_match_spans_exact():
    gold = _spans((0, 5), (10, 15), (20, 25))
    pred = _spans((10, 15), (0, 4), (20, 25))
    assert match_spans(gold, pred, "exact") == [(1, 0), (2, 2)]


def test_match_spans_exact_duplicates_matched_once():
    assert match_spans(_spans((0, 5)), _spans((0, 5), (0, 5)), "exact") == [(0, 0)]
    assert match_spans(_spans((0, 5), (0, 5)), _spans((0, 5)), "exact") == [(0, 0)]


def test_match_spans_overlap_prefers_exact_then_largest_overlap():
    # pred 0 overlaps both golds; gold 1 has an exact partner (pred 1), so pred 0 -> gold 0.
    gold = _spans((0, 10), (8, 12))
    pred = _spans((5, 12), (8, 12))
    assert match_spans(gold, pred, "overlap") == [(0, 0), (1, 1)]
    # gold 0 overlaps pred 0 by 2 chars and pred 1 by 6 chars: the larger wins.
    assert match_spans(_spans((0, 10)), _spans((8, 20), (4, 12)), "overlap") == [(0, 1)]


def test_match_spans_touching_ranges_do_not_overlap():
    assert match_spans(_spans((0, 5)), _spans((5, 9)), "overlap") == []


def test_match_spans_each_side_at_most_once():
    gold = _spans((0, 20))
    pred = _spans((0, 5), (6, 12), (13, 20))
    pairs = match_spans(gold, pred, "overlap")
    assert len(pairs) == 1
    pairs = match_spans(pred, gold, "overlap")
    assert len(pairs) == 1


def test_match_spans_bad_mode():
    with pytest.raises(ValueError, match="mode"):
        match_spans([], [], "fuzzy")


# --------------------------------------------------------------- error_breakdown


def test_error_breakdown(gold):
    pred = _pred_from(gold)
    pred[0]["toponyms"][1]["lat"], pred[0]["toponyms"][1]["lon"] = VIENNA  # far
    pred[0]["toponyms"].append(_top(TEXT, "Monday", None))  # false positive
    report = error_breakdown(gold, pred)
    assert report["counts"] == {
        "missed": 0,
        "false_positive": 1,
        "boundary": 0,
        "unresolved": 0,
        "far": 1,
    }
    far = report["examples"]["far"][0]
    assert far["id"] == "d1"
    assert far["gold_name"] == "Budapest"
    assert far["error_km"] == pytest.approx(VIENNA_BUDAPEST_KM, abs=1.0)
    assert report["examples"]["false_positive"][0]["pred_name"] == "Monday"

    del pred[0]["toponyms"][0]
    report = error_breakdown(gold, pred, limit=0)
    assert report["counts"]["missed"] == 1
    assert report["examples"]["missed"] == []


# ------------------------------------------------------------------------ same entity


def _with_id(toponym, geonameid):
    return {**toponym, "geonameid": geonameid}


def test_same_entity_counts_geonames_ids(gold):
    # Vienna's gold id 2761369; the prediction names the same entry. Budapest's gold id
    # 3054643; the prediction is a different entry 1 km away: not the same entity, but
    # within 161 km.
    gold[0]["toponyms"] = [
        _with_id(gold[0]["toponyms"][0], 2761369),
        _with_id(gold[0]["toponyms"][1], 3054643),
    ]
    pred = _pred_from(gold)
    pred[0]["toponyms"][1]["geonameid"] = 9999999
    pred[0]["toponyms"][1]["lat"] += 0.009
    r = score(gold, pred)
    assert r["matched_with_geonameid"] == 2
    assert r["same_entity"] == 0.5
    assert r["same_or_within_161"] == 1.0


def test_same_entity_without_coordinates_still_judged(gold):
    # Gold has an id but no coordinates: the same id is right, another id is wrong.
    gold[0]["toponyms"] = [
        {**_with_id(gold[0]["toponyms"][0], 2761369), "lat": None, "lon": None},
        {**_with_id(gold[0]["toponyms"][1], 3054643), "lat": None, "lon": None},
    ]
    pred = _pred_from(gold)
    pred[0]["toponyms"][1]["geonameid"] = 1
    r = score(gold, pred)
    assert r["matched_with_coordinates"] == 0
    assert r["same_entity"] == 0.5
    assert r["same_or_within_161"] == 0.5


def test_same_entity_none_without_gold_ids(gold):
    pred = _pred_from(gold)
    r = score(gold, pred)
    assert r["matched_with_geonameid"] == 0
    assert r["same_entity"] is None
    assert r["same_or_within_161"] == r["acc_at_161"]


def test_a_country_holding_the_gold_point_is_the_same_entity_without_ids():
    # GeoVirus-style gold (no GeoNames id): "Russia" at Moscow; the prediction is the
    # country at its own point in Siberia, 2,900 km away. Acc@161 calls it wrong, the
    # same-entity measure right. A town at the same far point stays wrong.
    text = "Russia and Perm."
    gold = [
        {
            "id": "d",
            "text": text,
            "toponyms": [
                {"start": 0, "end": 6, "name": "Russia", "lat": 55.75, "lon": 37.62},
                {"start": 11, "end": 15, "name": "Perm", "lat": 58.0, "lon": 56.25},
            ],
        }
    ]
    far = {"lat": 61.5, "lon": 90.0}
    pred = [
        {
            "id": "d",
            "toponyms": [
                {
                    "start": 0,
                    "end": 6,
                    "name": "Russia",
                    "kind": "country",
                    "country_code": "RU",
                    **far,
                },
                {
                    "start": 11,
                    "end": 15,
                    "name": "Perm",
                    "kind": "populated_place",
                    "country_code": "RU",
                    **far,
                },
            ],
        }
    ]
    r = score(gold, pred)
    assert r["acc_at_161"] == 0.0
    assert r["same_entity"] is None
    assert r["same_or_within_161"] == 0.5
