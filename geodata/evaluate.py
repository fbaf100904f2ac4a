"""Score geoparser output against gold toponym annotations.

Implements the standard geoparsing measures (Gritta et al. 2018, "What's missing in
geographical parsing?"):

* recognition: precision, recall and F1 of predicted character spans against gold spans,
  with *exact* (same ``start`` and ``end``) and *overlap* (intersecting ranges) matching;
* resolution, over overlap-matched spans whose gold toponym has coordinates: accuracy
  within 161 km (Acc@161), median and mean great-circle error in km, and the AUC of the
  error curve (lower is better);
* end-to-end Acc@161: overlap-matched spans resolved within 161 km divided by all gold
  spans with coordinates (a missed toponym counts as wrong);
* same entity, over overlap-matched spans whose gold toponym has a GeoNames id: the share
  resolved to that very entry (``same_entity``), and over matched spans whose gold has an
  id or coordinates, the share resolved to the same entry or within 161 km
  (``same_or_within_161``). Acc@161 calls a town 100 km from the right one correct; these
  tell how often the map shows the gold place itself. A gold toponym without a GeoNames
  id (GeoVirus gives a Wikipedia link instead) is the same entity as a predicted country
  whose Natural Earth polygon holds the gold point: a country resolved right is "far" by
  Acc@161 only because gold and gazetteer put its point in different places.

All counts are pooled over the whole corpus (micro-averaged), not averaged per document.

Gold documents follow the JSONL schema of the development corpora::

    {"id": "...", "text": "...",
     "toponyms": [{"start": 0, "end": 6, "name": "...", "lat": 1.0, "lon": 2.0}, ...]}

Predicted documents are ``{"id": ..., "toponyms": [...]}`` with the same toponym keys;
``lat``/``lon`` are ``None`` when the prediction is unresolved. ``start``/``end`` are
Python character offsets into the article text, ``end`` exclusive.

Pure functions: the gold and predicted files are read by :func:`geodata.corpus.read_jsonl`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np
from shapely.geometry import Point

from geodata.catalogue import country_shapes
from geodata.geodesy import geodesic_km

__all__ = [
    "ACC_THRESHOLD_KM",
    "CALIBRATION_BINS",
    "MAX_ERROR_KM",
    "calibration",
    "error_breakdown",
    "match_spans",
    "prediction_outcomes",
    "score",
]

#: Equal-width confidence bins of the expected calibration error.
CALIBRATION_BINS = 10

#: Error (km) assigned to a matched toponym whose prediction has no coordinates; also the
#: upper bound of the AUC error scale (half the equatorial circumference, as in the
#: literature).
MAX_ERROR_KM = 20039.0

#: A resolution counts as correct when its error is at most this many km (100 miles).
ACC_THRESHOLD_KM = 161.0

_MODES = ("exact", "overlap")


def match_spans(
    gold: Sequence[Mapping[str, Any]],
    pred: Sequence[Mapping[str, Any]],
    mode: str,
) -> list[tuple[int, int]]:
    """Match predicted character spans to gold spans, one-to-one.

    Parameters
    ----------
    gold : sequence of mapping
        Gold toponyms; each needs integer ``start`` and ``end`` (character offsets,
        ``end`` exclusive, ``start <= end``).
    pred : sequence of mapping
        Predicted toponyms, same keys.
    mode : {"exact", "overlap"}
        ``"exact"``: a pair matches when ``start`` and ``end`` are both equal.
        ``"overlap"``: a pair matches when the spans are identical or their ranges
        intersect (share at least one character, ``max(starts) < min(ends)``).

    Returns
    -------
    list of tuple of (int, int)
        ``(gold_index, pred_index)`` pairs, indices into `gold` and `pred`, sorted by
        gold index. Each gold span and each predicted span occurs at most once.

    Raises
    ------
    ValueError
        If `mode` is unknown or a span is malformed (missing, non-integer, negative or
        ``start > end``).

    Notes
    -----
    Matching is greedy and deterministic. Candidate pairs are ranked by: exact pairs
    first, then larger overlap (in characters), then smaller boundary disagreement
    ``|start_g - start_p| + |end_g - end_p|``, then lower gold index, then lower predicted
    index; the ranked pairs are accepted in order when both sides are still free. Taking
    exact pairs first guarantees that the overlap matching contains at least as many
    pairs as the exact matching.
    """
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
    gold_spans = [_span(t, "gold", i) for i, t in enumerate(gold)]
    pred_spans = [_span(t, "pred", j) for j, t in enumerate(pred)]

    if mode == "exact":
        free: dict[tuple[int, int], list[int]] = {}
        for j, span in enumerate(pred_spans):
            free.setdefault(span, []).append(j)
        pairs = []
        for i, span in enumerate(gold_spans):
            candidates = free.get(span)
            if candidates:
                pairs.append((i, candidates.pop(0)))
        return pairs

    ranked: list[tuple[int, int, int, int, int]] = []
    for i, (gs, ge) in enumerate(gold_spans):
        for j, (ps, pe) in enumerate(pred_spans):
            exact = gs == ps and ge == pe
            overlap = min(ge, pe) - max(gs, ps)
            if exact or overlap > 0:
                ranked.append((0 if exact else 1, -overlap, abs(gs - ps) + abs(ge - pe), i, j))
    ranked.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for *_, i, j in ranked:
        if i not in used_gold and j not in used_pred:
            used_gold.add(i)
            used_pred.add(j)
            pairs.append((i, j))
    pairs.sort()
    return pairs


def score(
    gold_docs: Sequence[Mapping[str, Any]],
    pred_docs: Sequence[Mapping[str, Any]],
) -> dict[str, int | float | None]:
    """Compute recognition and resolution measures for a corpus.

    Parameters
    ----------
    gold_docs : sequence of mapping
        Gold articles with ``id`` and ``toponyms`` (each with ``start``, ``end``,
        ``name``, ``lat``, ``lon``; ``lat``/``lon`` may be ``None``). Ids must be unique.
    pred_docs : sequence of mapping
        Predictions ``{"id": ..., "toponyms": [...]}`` with the same toponym keys;
        ``lat``/``lon`` are ``None`` (or absent) when unresolved. Documents are matched
        to gold by ``id``; a gold document without a prediction counts as all toponyms
        missed.

    Returns
    -------
    dict
        Flat, JSON-native dict. Counts (int): ``documents``, ``gold_toponyms``,
        ``gold_with_coordinates``, ``predicted_toponyms``, ``matched_with_coordinates``
        (overlap-matched spans whose gold has coordinates). Ratios (float in [0, 1]):
        ``exact_precision``, ``exact_recall``, ``exact_f1``, ``overlap_precision``,
        ``overlap_recall``, ``overlap_f1``, ``acc_at_161``, ``auc``,
        ``end_to_end_acc_at_161``, ``same_entity``, ``same_or_within_161``; count
        ``matched_with_geonameid`` (overlap-matched spans whose gold has a GeoNames id).
        Distances in km: ``median_error_km``, ``mean_error_km``. Floats are rounded to 4
        decimals; a measure whose denominator is 0 is ``None``. When the predictions
        carry a ``confidence``, also the keys of :func:`calibration` at
        :data:`geodata.confidence.DEFAULT_THRESHOLD`, over every predicted toponym
        that can be judged (:func:`prediction_outcomes`).

    Raises
    ------
    ValueError
        If a predicted id is not among the gold ids, an id is duplicated, a document has
        no ``id``/``toponyms``, or a span is malformed.

    Notes
    -----
    * F1 is computed as ``2 * matches / (gold + predicted)``, which equals the harmonic
      mean of precision and recall and is 0.0 (not ``None``) when there are gold spans
      but no predictions.
    * Resolution uses the ``"overlap"`` matching of :func:`match_spans`. The error of a
      matched span is :func:`geodata.geodesy.geodesic_km` between gold and predicted coordinates,
      or :data:`MAX_ERROR_KM` (20039 km) when the prediction is unresolved (``lat`` or
      ``lon`` missing, ``None`` or non-finite).
    * A span is correct when its error is at most :data:`ACC_THRESHOLD_KM` (161 km).
    * ``same_entity``: over matched spans whose gold has an integer ``geonameid``, the
      share whose prediction carries the same ``geonameid``. ``same_or_within_161``: over
      matched spans whose gold has a ``geonameid`` or coordinates, the share that is the
      same entity or within 161 km; for a gold without a ``geonameid``, a prediction of
      ``kind`` "country" whose Natural Earth polygon (:func:`geodata.catalogue.country_shapes`)
      holds the gold point counts as the same entity. A corpus without GeoNames ids
      (GeoVirus) has ``same_entity`` None.
    * ``auc`` is the mean of ``log(1 + error_km) / log(1 + 20039)`` over the matched
      spans with gold coordinates (0 is perfect, 1 is worst); errors are clipped to
      20039 km.
    """
    aligned = _align(gold_docs, pred_docs)
    n_gold = n_gold_coords = n_pred = 0
    exact_matches = overlap_matches = 0
    errors: list[float] = []
    entity = _EntityTally()
    for gold_top, pred_top in aligned:
        n_gold += len(gold_top)
        n_pred += len(pred_top)
        n_gold_coords += sum(_coords(t) is not None for t in gold_top)
        exact_matches += len(match_spans(gold_top, pred_top, "exact"))
        overlap = match_spans(gold_top, pred_top, "overlap")
        overlap_matches += len(overlap)
        for i, j in overlap:
            error = _resolution_error(gold_top[i], pred_top[j])
            if error is not None:
                errors.append(error)
            entity.add(gold_top[i], pred_top[j], error)

    n_correct = sum(e <= ACC_THRESHOLD_KM for e in errors)
    if errors:
        err = np.asarray(errors, dtype=float)
        median: float | None = float(np.median(err))
        mean: float | None = float(np.mean(err))
        auc: float | None = float(
            np.mean(np.log1p(np.minimum(err, MAX_ERROR_KM)) / math.log1p(MAX_ERROR_KM))
        )
    else:
        median = mean = auc = None

    result: dict[str, int | float | None] = {
        "documents": len(aligned),
        "gold_toponyms": n_gold,
        "gold_with_coordinates": n_gold_coords,
        "predicted_toponyms": n_pred,
        "exact_precision": _ratio(exact_matches, n_pred),
        "exact_recall": _ratio(exact_matches, n_gold),
        "exact_f1": _ratio(2 * exact_matches, n_gold + n_pred),
        "overlap_precision": _ratio(overlap_matches, n_pred),
        "overlap_recall": _ratio(overlap_matches, n_gold),
        "overlap_f1": _ratio(2 * overlap_matches, n_gold + n_pred),
        "matched_with_coordinates": len(errors),
        "acc_at_161": _ratio(n_correct, len(errors)),
        "median_error_km": _round(median),
        "mean_error_km": _round(mean),
        "auc": _round(auc),
        "end_to_end_acc_at_161": _ratio(n_correct, n_gold_coords),
        "matched_with_geonameid": entity.with_id,
        "same_entity": _ratio(entity.same, entity.with_id),
        "same_or_within_161": _ratio(entity.same_or_near, entity.judged),
    }
    if any("confidence" in t for _gold, pred in aligned for t in pred):
        from geodata.confidence import DEFAULT_THRESHOLD

        pairs = [
            (float(t.get("confidence") or 0.0), right)
            for (_gold, pred), outcomes in zip(
                aligned, prediction_outcomes(gold_docs, pred_docs), strict=True
            )
            for t, right in zip(pred, outcomes, strict=True)
            if right is not None
        ]
        result.update(calibration([c for c, _ in pairs], [r for _, r in pairs], DEFAULT_THRESHOLD))
    return result


def error_breakdown(
    gold_docs: Sequence[Mapping[str, Any]],
    pred_docs: Sequence[Mapping[str, Any]],
    limit: int = 20,
) -> dict[str, Any]:
    """List recognition and resolution errors for error analysis.

    Error kinds (spans matched with the ``"overlap"`` mode of :func:`match_spans`):

    * ``missed``: gold span with no matching prediction;
    * ``false_positive``: predicted span with no matching gold span;
    * ``boundary``: matched pair whose spans overlap but are not identical;
    * ``unresolved``: matched pair, gold has coordinates, prediction has none;
    * ``far``: matched pair resolved more than 161 km from the gold coordinates.

    Parameters
    ----------
    gold_docs : sequence of mapping
        Gold articles, as for :func:`score`.
    pred_docs : sequence of mapping
        Predicted articles, as for :func:`score`.
    limit : int, default 20
        Maximum number of examples kept per kind (counts are always complete).

    Returns
    -------
    dict
        ``{"counts": {kind: int}, "examples": {kind: [dict, ...]}}``. Each example has
        the document ``id`` and the span offsets and names involved (``gold_name``,
        ``pred_name``); ``far`` examples also carry ``error_km`` (km, rounded to 1
        decimal) and both coordinate pairs, and are sorted by decreasing error. Other
        kinds are in corpus order.

    Raises
    ------
    ValueError
        Under the same conditions as :func:`score`, or if `limit` is negative.
    """
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    kinds = ("missed", "false_positive", "boundary", "unresolved", "far")
    found: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
    ids = [doc["id"] for doc in gold_docs]
    for doc_id, (gold_top, pred_top) in zip(ids, _align(gold_docs, pred_docs), strict=True):
        pairs = match_spans(gold_top, pred_top, "overlap")
        matched_gold = {i for i, _ in pairs}
        matched_pred = {j for _, j in pairs}
        for i, g in enumerate(gold_top):
            if i not in matched_gold:
                found["missed"].append(_example(doc_id, g, None))
        for j, p in enumerate(pred_top):
            if j not in matched_pred:
                found["false_positive"].append(_example(doc_id, None, p))
        for i, j in pairs:
            g, p = gold_top[i], pred_top[j]
            if (g["start"], g["end"]) != (p["start"], p["end"]):
                found["boundary"].append(_example(doc_id, g, p))
            gold_lonlat = _coords(g)
            if gold_lonlat is None:
                continue
            pred_lonlat = _coords(p)
            if pred_lonlat is None:
                found["unresolved"].append(_example(doc_id, g, p))
                continue
            error = geodesic_km(*gold_lonlat, *pred_lonlat)
            if error > ACC_THRESHOLD_KM:
                example = _example(doc_id, g, p)
                example.update(
                    error_km=round(error, 1),
                    gold_lat=gold_lonlat[1],
                    gold_lon=gold_lonlat[0],
                    pred_lat=pred_lonlat[1],
                    pred_lon=pred_lonlat[0],
                )
                found["far"].append(example)
    found["far"].sort(key=lambda e: -e["error_km"])
    return {
        "counts": {k: len(v) for k, v in found.items()},
        "examples": {k: v[:limit] for k, v in found.items()},
    }


def prediction_outcomes(
    gold_docs: Sequence[Mapping[str, Any]],
    pred_docs: Sequence[Mapping[str, Any]],
) -> list[list[bool | None]]:
    """Whether each predicted toponym is a place resolved right.

    Parameters
    ----------
    gold_docs, pred_docs
        As for :func:`score`.

    Returns
    -------
    list of list
        For each gold document (in order), one entry per toponym of its prediction:
        True when the span overlap-matches a gold toponym and is resolved to the same
        entity or within 161 km (the rule of ``same_or_within_161``); False when it
        matches no gold span, or matches one but is resolved elsewhere or not at all;
        None when the matched gold toponym has neither coordinates nor a GeoNames id
        (nothing to judge by).
    """
    out: list[list[bool | None]] = []
    for gold_top, pred_top in _align(gold_docs, pred_docs):
        outcome: list[bool | None] = [False] * len(pred_top)
        for i, j in match_spans(gold_top, pred_top, "overlap"):
            outcome[j] = _right(gold_top[i], pred_top[j])
        out.append(outcome)
    return out


def calibration(
    confidences: Sequence[float], outcomes: Sequence[bool], threshold: float
) -> dict[str, float | int | None]:
    """Measure how well confidences predict outcomes.

    Parameters
    ----------
    confidences : sequence of float
        Predicted probabilities, 0..1.
    outcomes : sequence of bool
        Whether each prediction was right.
    threshold : float
        The display threshold: predictions below it are hidden by default.

    Returns
    -------
    dict
        ``confidence_ece``: expected calibration error over :data:`CALIBRATION_BINS`
        equal-width bins (the bins' gaps between mean confidence and share right,
        weighted by their size; 0 is perfect); ``confidence_auc``: the area under the
        ROC curve of confidence separating right from wrong (0.5 is chance; ties count
        half); ``confidence_brier``: mean squared error; ``precision_at_threshold``
        and ``shown_at_threshold``: the share right among predictions at or above the
        threshold, and their share of all; ``judged_predictions``. None where undefined.
    """
    conf = np.asarray(confidences, dtype=float)
    right = np.asarray(outcomes, dtype=bool)
    n = len(conf)
    result: dict[str, float | int | None] = {
        "judged_predictions": n,
        "threshold": threshold,
        "confidence_ece": None,
        "confidence_auc": None,
        "confidence_brier": None,
        "precision_at_threshold": None,
        "shown_at_threshold": None,
    }
    if n == 0:
        return result
    bins = np.minimum((conf * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
    ece = 0.0
    for b in range(CALIBRATION_BINS):
        inside = bins == b
        if inside.any():
            ece += inside.sum() / n * abs(conf[inside].mean() - right[inside].mean())
    result["confidence_ece"] = _round(float(ece))
    result["confidence_brier"] = _round(float(np.mean((conf - right) ** 2)))
    positives, negatives = int(right.sum()), int((~right).sum())
    if positives and negatives:
        # Mann-Whitney: the chance that a right prediction outranks a wrong one.
        order = np.argsort(conf, kind="stable")
        ranks = np.empty(n)
        ranks[order] = np.arange(1, n + 1)
        for value in np.unique(conf):  # average ranks over ties
            tied = conf == value
            ranks[tied] = ranks[tied].mean()
        auc = (ranks[right].sum() - positives * (positives + 1) / 2) / (positives * negatives)
        result["confidence_auc"] = _round(float(auc))
    shown = conf >= threshold
    result["shown_at_threshold"] = _ratio(int(shown.sum()), n)
    result["precision_at_threshold"] = _ratio(int((right & shown).sum()), int(shown.sum()))
    return result


# --------------------------------------------------------------------------- helpers


def _right(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> bool | None:
    """Judge a matched pair: same entity or within 161 km (see :func:`score`); None: unjudgeable."""
    gold_id = _geonameid(gold)
    error = _resolution_error(gold, pred)
    if gold_id is not None and gold_id == _geonameid(pred):
        return True
    if error is not None:
        return error <= ACC_THRESHOLD_KM or (gold_id is None and _country_holds(pred, gold))
    return False if gold_id is not None else None


class _EntityTally:
    """Counts for ``same_entity`` and ``same_or_within_161`` over matched pairs."""

    def __init__(self) -> None:
        self.with_id = self.same = self.judged = self.same_or_near = 0

    def add(self, gold: Mapping[str, Any], pred: Mapping[str, Any], error: float | None) -> None:
        gold_id = _geonameid(gold)
        same = gold_id is not None and gold_id == _geonameid(pred)
        if gold_id is not None:
            self.with_id += 1
            self.same += same
        elif error is not None:
            same = _country_holds(pred, gold)
        if gold_id is not None or error is not None:
            self.judged += 1
            self.same_or_near += same or (error is not None and error <= ACC_THRESHOLD_KM)


def _country_holds(pred: Mapping[str, Any], gold: Mapping[str, Any]) -> bool:
    """Whether ``pred`` is a country whose polygon holds the gold point (0.05 degrees slack)."""
    if pred.get("kind") != "country" or not pred.get("country_code"):
        return False
    shape = _country_polygons().get(pred["country_code"])
    return shape is not None and shape.distance(Point(gold["lon"], gold["lat"])) <= 0.05


@cache
def _country_polygons() -> dict[str, Any]:
    """Natural Earth country polygons by ISO alpha-2 code (EPSG:4326)."""
    return country_shapes()["geometry"].to_dict()


def _geonameid(toponym: Mapping[str, Any]) -> int | None:
    """Return the toponym's GeoNames id as an int, or None (absent, null, not an int)."""
    value = toponym.get("geonameid")
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return int(value)
    return None


def _is_finite_number(value: Any) -> bool:
    """Return True for a finite int or float (bools excluded)."""
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _span(toponym: Mapping[str, Any], side: str, index: int) -> tuple[int, int]:
    """Return ``(start, end)`` of a toponym after validating it."""
    try:
        start, end = toponym["start"], toponym["end"]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{side} toponym {index} needs 'start' and 'end'") from exc
    ok_types = all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) for v in (start, end)
    )
    if not ok_types or start < 0 or start > end:
        raise ValueError(f"{side} toponym {index} has an invalid span: {start!r}..{end!r}")
    return int(start), int(end)


def _coords(toponym: Mapping[str, Any]) -> tuple[float, float] | None:
    """Return ``(lon, lat)`` in degrees, or None when absent or not finite."""
    lat: Any = toponym.get("lat")
    lon: Any = toponym.get("lon")
    if _is_finite_number(lat) and _is_finite_number(lon):
        return float(lon), float(lat)
    return None


def _resolution_error(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> float | None:
    """Return the error (km) of a matched pair, or None when gold has no coordinates."""
    gold_lonlat = _coords(gold)
    if gold_lonlat is None:
        return None
    pred_lonlat = _coords(pred)
    if pred_lonlat is None:
        return MAX_ERROR_KM
    return geodesic_km(*gold_lonlat, *pred_lonlat)


def _toponyms(doc: Mapping[str, Any], side: str) -> list[Mapping[str, Any]]:
    """Return a document's toponym list, validating its presence and type."""
    toponyms = doc.get("toponyms")
    if not isinstance(toponyms, list):
        raise ValueError(f"{side} document {doc.get('id')!r} needs a 'toponyms' list")
    return toponyms


def _ids(docs: Iterable[Mapping[str, Any]], side: str) -> list[Any]:
    """Return document ids, checking that every document has a unique id."""
    ids: list[Any] = []
    seen: set[Any] = set()
    for n, doc in enumerate(docs):
        if "id" not in doc:
            raise ValueError(f"{side} document {n} has no 'id'")
        doc_id = doc["id"]
        if doc_id in seen:
            raise ValueError(f"duplicate {side} document id {doc_id!r}")
        seen.add(doc_id)
        ids.append(doc_id)
    return ids


def _align(
    gold_docs: Sequence[Mapping[str, Any]],
    pred_docs: Sequence[Mapping[str, Any]],
) -> list[tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]]:
    """Pair each gold document's toponyms with its prediction's (empty if none)."""
    gold_ids = _ids(gold_docs, "gold")
    pred_ids = _ids(pred_docs, "predicted")
    known = set(gold_ids)
    unknown = [i for i in pred_ids if i not in known]
    if unknown:
        shown = ", ".join(repr(i) for i in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise ValueError(f"predicted document ids not in gold: {shown}{more}")
    by_id = {
        doc_id: _toponyms(doc, "predicted") for doc_id, doc in zip(pred_ids, pred_docs, strict=True)
    }
    return [
        (_toponyms(doc, "gold"), by_id.get(doc_id, []))
        for doc_id, doc in zip(gold_ids, gold_docs, strict=True)
    ]


def _example(
    doc_id: Any, gold: Mapping[str, Any] | None, pred: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Build one error-analysis example record."""
    example: dict[str, Any] = {"id": doc_id}
    if gold is not None:
        example.update(gold_start=gold["start"], gold_end=gold["end"], gold_name=gold.get("name"))
    if pred is not None:
        example.update(pred_start=pred["start"], pred_end=pred["end"], pred_name=pred.get("name"))
    return example


def _round(value: float | None) -> float | None:
    """Round to 4 decimals, passing None through."""
    return None if value is None else round(value, 4)


def _ratio(numerator: int, denominator: int) -> float | None:
    """Return ``numerator / denominator`` rounded to 4 decimals; None if the denominator is 0."""
    return None if denominator == 0 else round(numerator / denominator, 4)
