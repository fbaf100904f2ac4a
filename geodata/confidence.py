"""Calibrated confidence: the probability that a mention is a place and its place is right.

The resolver's ``score`` is a share among the candidates of one name: a lone
candidate scores 1.0 even when the words are not a place at all ("CNN" -> Kannur)
or when the one place the gazetteer knows by that name is on another continent.
This module turns what is known about a resolved mention into a probability that
(a) the words name a place and (b) the chosen entry is the right one (the same
GeoNames entity as the truth, or within 161 km of it), with a logistic model over
features one can explain:

==================  ==========================================================
feature             meaning
==================  ==========================================================
``share``           the resolver's score (the choice's share among candidates)
``margin``          logit by which the choice beat the runner-up, / 10, <= 1
``lone``            the name has one candidate only
``candidates``      log(1 + number of candidates) / log(51)
``ner_place``       spaCy tagged the span GPE or LOC
``ner_facility``    spaCy tagged it FAC
``gazetteer_only``  found by gazetteer matching alone, without NER
``in_actor``        the span lies inside a person or organisation name
``all_caps``        written in capitals ("MENA", "ORIGINAL STORY")
``multiword``       more than one word
``locative``        preceded by in, at, near, from, to, outside or across
``repeated``        log(number of mentions of the name) / log(10), <= 1
``population``      log10(1 + population of the chosen place) / 7
``is_country``      the choice is a country
``is_area``         a first-level area (state, province...)
``is_town``         a populated place
``country_named``   the choice lies in a country the article names (or is one)
``country_unnamed`` the article names countries, and not the choice's
``qualified``       "Town, State" written after the mention matched the choice
``proximity``       closeness to the article's other places (resolver feature)
``far``             log(1 + km to the nearest other place of the article) / log(20001)
``solitary``        no other place in the article to compare with
``far_lone``        a lone candidate > 500 km from every other place, country not named
``partial``         placed through the leading words of a longer name ("Newark Live Bait")
==================  ==========================================================

The weights come from ``geodata/data/confidence.json``, written by
``scripts/fit_confidence.py`` (L2-penalised logistic regression fitted on the LGL and
GeoVirus development corpora, with a cross-corpus check: fit on one, measure on the
other). Demonyms ("Iraqi") are not modelled: they keep the resolver's fixed 0.9.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from geodata.gazetteer import DATA_DIR, Gazetteer, Place
from geodata.geodesy import pairwise_haversine_km
from geodata.names import normalize_name
from geodata.recognize import Recognized
from geodata.resolve import FEATURES as RANKER_FEATURES
from geodata.resolve import Resolution, _context_countries, is_partial
from geodata.schema import DEFAULT_THRESHOLD

__all__ = [
    "CONFIDENCE_FEATURES",
    "DEFAULT_THRESHOLD",
    "calibrate",
    "confidence_features",
    "load_model",
]

MODEL_PATH = DATA_DIR / "confidence.json"

CONFIDENCE_FEATURES: tuple[str, ...] = (
    "share",
    "margin",
    "lone",
    "candidates",
    "ner_place",
    "ner_facility",
    "gazetteer_only",
    "in_actor",
    "all_caps",
    "multiword",
    "locative",
    "repeated",
    "population",
    "is_country",
    "is_area",
    "is_town",
    "country_named",
    "country_unnamed",
    "qualified",
    "proximity",
    "far",
    "solitary",
    "far_lone",
    "partial",
)
_COL = {name: i for i, name in enumerate(CONFIDENCE_FEATURES)}
_RANKER = {name: i for i, name in enumerate(RANKER_FEATURES)}
_LOCATIVE = re.compile(r"\b(?:in|at|near|from|to|outside|across|into)\s+(?:the\s+)?$", re.I)
FAR_LONE_KM = 500.0
"""A lone candidate farther than this from every other place of the article is suspect."""


def confidence_features(
    recognized: Recognized, resolutions: list[Resolution], gazetteer: Gazetteer
) -> np.ndarray:
    """Explainable features of each resolved mention (rows of unresolved ones are 0).

    Parameters
    ----------
    recognized : Recognized
        The recognised text.
    resolutions : list of Resolution
        :func:`geodata.resolve.resolve` output for it, one per mention.
    gazetteer : Gazetteer
        Tells which countries the article names.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(resolutions), len(CONFIDENCE_FEATURES))``, float64.
    """
    out = np.zeros((len(resolutions), len(CONFIDENCE_FEATURES)))
    text = recognized.text
    named = set(_context_countries(recognized, gazetteer))
    counts = Counter(normalize_name(r.mention.name) for r in resolutions)
    actors = sorted(
        (start, end) for start, end, _t, label in recognized.actors if label in ("ORG", "PERSON")
    )
    inside_actor = _containment(actors)
    nearest_km = _nearest_other_km(
        r.place for r in resolutions if r.place is not None and not r.mention.is_demonym
    )
    for i, res in enumerate(resolutions):
        place, mention = res.place, res.mention
        if place is None or mention.is_demonym:
            continue
        row = out[i]
        row[_COL["share"]] = res.score
        row[_COL["margin"]] = min(max(res.margin, 0.0), 10.0) / 10.0
        row[_COL["lone"]] = res.candidates == 1
        row[_COL["candidates"]] = math.log1p(res.candidates) / math.log(51)
        row[_COL["ner_place"]] = mention.label in ("GPE", "LOC")
        row[_COL["ner_facility"]] = mention.label == "FAC"
        row[_COL["gazetteer_only"]] = mention.label == "GAZETTEER"
        row[_COL["in_actor"]] = inside_actor(mention.start, mention.end)
        name = mention.name
        row[_COL["all_caps"]] = len(name) > 1 and name.isupper()
        row[_COL["multiword"]] = len(name.split()) > 1
        row[_COL["locative"]] = bool(
            _LOCATIVE.search(text[max(0, mention.start - 14) : mention.start])
        )
        row[_COL["repeated"]] = min(math.log(counts[normalize_name(name)]) / math.log(10), 1.0)
        row[_COL["population"]] = math.log10(place.population + 1) / 7.0
        row[_COL["is_country"]] = place.kind == "country"
        row[_COL["is_area"]] = place.kind == "admin_area"
        row[_COL["is_town"]] = place.kind == "populated_place"
        row[_COL["country_named"]] = place.kind == "country" or place.country_code in named
        row[_COL["country_unnamed"]] = bool(named) and not row[_COL["country_named"]]
        if res.features is not None:
            row[_COL["qualified"]] = res.features[_RANKER["qualifier"]]
            row[_COL["proximity"]] = res.features[_RANKER["proximity"]]
        row[_COL["partial"]] = is_partial(gazetteer, name)
        nearest = nearest_km.get(place.feature_id, math.inf)
        if math.isfinite(nearest):
            row[_COL["far"]] = math.log1p(nearest) / math.log1p(20000.0)
            row[_COL["far_lone"]] = (
                res.candidates == 1
                and nearest > FAR_LONE_KM
                and place.kind != "country"
                and place.country_code not in named
            )
        else:
            row[_COL["solitary"]] = 1.0
    return out


def _containment(spans: list[tuple[int, int]]) -> Callable[[int, int], bool]:
    """Return a test "is (start, end) strictly inside one of ``spans``", O(log n) a call.

    Inside means a span with ``s <= start`` and ``end <= e`` that is not the same span.
    """
    starts = [s for s, _ in spans]
    running = -1
    reach = []  # reach[i]: the farthest end among spans[: i + 1]
    for _, e in spans:
        running = max(running, e)
        reach.append(running)
    ends_at: dict[int, int] = {}
    for s, e in spans:
        ends_at[s] = max(ends_at.get(s, -1), e)

    def inside(start: int, end: int) -> bool:
        before = bisect.bisect_left(starts, start)  # spans starting before ``start``
        if before and reach[before - 1] >= end:
            return True
        return ends_at.get(start, -1) > end

    return inside


def _nearest_other_km(places: Iterable[Place], chunk: int = 512) -> dict[str, float]:
    """Great-circle km from each distinct place to the nearest other distinct place.

    Computed once per article over its distinct places (not per mention), in
    chunks of ``chunk`` rows: a text that names one place ten thousand times
    costs no more than one that names it once. A place with no other gets inf.
    """
    unique: dict[str, tuple[float, float]] = {}
    for place in places:
        unique.setdefault(place.feature_id, (place.lon, place.lat))
    keys = list(unique)
    if len(keys) < 2:
        return dict.fromkeys(keys, math.inf)
    lons = np.array([unique[k][0] for k in keys])
    lats = np.array([unique[k][1] for k in keys])
    out: dict[str, float] = {}
    for first in range(0, len(keys), chunk):
        km = pairwise_haversine_km(
            lons[first : first + chunk], lats[first : first + chunk], lons, lats
        )
        for row, key in enumerate(keys[first : first + chunk]):
            km[row, first + row] = np.inf
            out[key] = float(km[row].min())
    return out


@lru_cache(maxsize=2)
def load_model(path: Path = MODEL_PATH) -> dict[str, Any]:
    """Read the fitted model: ``{"features", "weights", "intercept", ...}``.

    Raises
    ------
    ValueError
        If the file's features are not :data:`CONFIDENCE_FEATURES` (refit it).
    """
    with Path(path).open(encoding="utf-8") as handle:
        model: dict[str, Any] = json.load(handle)
    if tuple(model["features"]) != CONFIDENCE_FEATURES:
        raise ValueError(f"{path} was fitted on other features; run scripts/fit_confidence.py")
    return model


def predict(features: np.ndarray, model: dict[str, Any]) -> np.ndarray:
    """Probabilities of a logistic model for rows of :func:`confidence_features`."""
    weights = np.array([model["weights"][f] for f in CONFIDENCE_FEATURES])
    logits = features @ weights + float(model["intercept"])
    return 1.0 / (1.0 + np.exp(-logits))


def calibrate(
    recognized: Recognized,
    resolutions: list[Resolution],
    gazetteer: Gazetteer,
    model: dict[str, Any] | None = None,
) -> list[Resolution]:
    """Set each resolution's ``confidence`` (in place) and return the list.

    Parameters
    ----------
    recognized, resolutions, gazetteer
        As for :func:`confidence_features`.
    model : dict, optional
        Default: :func:`load_model`.

    Returns
    -------
    list of Resolution
        ``resolutions``; ``confidence`` is 0 for unresolved mentions, the resolver's
        score for demonyms, else the model's probability (0..1, 4 decimals).
    """
    if not resolutions:
        return resolutions
    model = load_model() if model is None else model
    probabilities = predict(confidence_features(recognized, resolutions, gazetteer), model)
    for res, probability in zip(resolutions, probabilities, strict=True):
        if res.place is None:
            res.confidence = 0.0
        elif res.mention.is_demonym:
            res.confidence = res.score
        else:
            res.confidence = round(float(probability), 4)
    return resolutions
