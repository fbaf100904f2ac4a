"""Fit the resolver's feature weights on gold-annotated corpora (conditional logit).

For every name of every article, the candidates' features come from
:func:`geodata.resolve.rank_candidates`; the correct candidate is the one nearest the
gold coordinate, when it lies within 161 km (names whose candidates are all farther
are left out). The weights maximise the L2-penalised log-likelihood of the correct
candidates under a softmax over each name's candidates, each name weighted by its
number of gold mentions. Anchors between passes depend on the weights, so the fit is
repeated with the anchors of the previous fit.

Usage::

    python scripts/fit_ranker.py TRAIN.jsonl [TRAIN2.jsonl ...] [--test TEST.jsonl ...]

Prints the fitted weights as a Python dict (paste into ``FEATURE_WEIGHTS`` of
``geodata/resolve.py``) and the share of names resolved within 161 km on the training
and test corpora, before and after. The corpora are read, never copied.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata import resolve as R  # noqa: E402
from geodata.corpus import read_jsonl  # noqa: E402
from geodata.evaluate import ACC_THRESHOLD_KM  # noqa: E402
from geodata.geodesy import geodesic_km  # noqa: E402
from geodata.pipeline import Geoparser  # noqa: E402

L2 = 1e-4
#: Features kept at their hand-set weight: an airport code in capitals and an explicit
#: "Town, State" qualifier are decisive, whatever the population (the corpora have
#: no airport codes, and the fit would trade qualifiers against population).
FIXED = ("code_airport", "qualifier")


def _examples(docs, recognized, gazetteer, weights):
    """(features, label index, weight) per name with a gold coordinate and a right candidate."""
    out = []
    for doc, rec in zip(docs, recognized, strict=True):
        gold = [t for t in doc["toponyms"] if t.get("lat") is not None]
        groups, ranked = R.rank_candidates(rec, gazetteer, weights)
        for key, (features, places) in ranked.items():
            hits = [
                t
                for i in groups[key]
                for t in gold
                if t["start"] < rec.mentions[i].end and rec.mentions[i].start < t["end"]
            ]
            if not hits:
                continue
            lat, lon = hits[0]["lat"], hits[0]["lon"]
            errors = [geodesic_km(lon, lat, p.lon, p.lat) for p in places]
            best = int(np.argmin(errors))
            if errors[best] > ACC_THRESHOLD_KM:
                continue
            out.append((features, best, float(len(hits))))
    return out


def _loss(weights, examples):
    total, grad = 0.0, np.zeros_like(weights)
    for features, label, count in examples:
        logits = features @ weights
        logits -= logits.max()
        p = np.exp(logits)
        p /= p.sum()
        total -= count * np.log(p[label] + 1e-12)
        grad -= count * (features[label] - p @ features)
    n = sum(c for _, _, c in examples) or 1.0
    grad = grad / n + L2 * weights
    for name in FIXED:
        grad[R.FEATURES.index(name)] = 0.0
    return total / n + 0.5 * L2 * weights @ weights, grad


def _accuracy(examples, weights):
    right = sum(c for f, y, c in examples if int(np.argmax(f @ weights)) == y)
    return right / (sum(c for _, _, c in examples) or 1.0)


def main(argv: list[str] | None = None) -> int:
    """Fit and print the weights; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train", nargs="+", type=Path)
    parser.add_argument("--test", nargs="*", type=Path, default=[])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    geoparser = Geoparser()
    gazetteer = geoparser.gazetteer

    def load(paths):
        docs = [d for path in paths for d in read_jsonl(path)]
        return docs, geoparser.recognize([d["text"] for d in docs])

    train_docs, train_rec = load(args.train)
    test_docs, test_rec = load(args.test) if args.test else ([], [])
    weights = R.WEIGHTS.copy()
    start = weights.copy()
    for _round in range(args.rounds):
        examples = _examples(train_docs, train_rec, gazetteer, weights)
        fit = minimize(_loss, weights, args=(examples,), jac=True, method="L-BFGS-B")
        weights = fit.x
    for label, docs, rec in (("train", train_docs, train_rec), ("test", test_docs, test_rec)):
        if docs:
            before = _accuracy(_examples(docs, rec, gazetteer, start), start)
            after = _accuracy(_examples(docs, rec, gazetteer, weights), weights)
            print(
                f"{label}: names right (of those with a right candidate) "
                f"{before:.4f} -> {after:.4f}"
            )
    print("FEATURE_WEIGHTS = {")
    for name, value in zip(R.FEATURES, weights, strict=True):
        print(f'    "{name}": {value:.3f},')
    print("}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
