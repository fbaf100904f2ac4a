"""Fit the calibrated confidence model (geodata/data/confidence.json) on gold corpora.

Every toponym the geoparser predicts (demonyms left out, as ``newsmap evaluate``
does by default) is an example: its features are
:func:`geodata.confidence.confidence_features`, its label is
:func:`geodata.evaluate.prediction_outcomes` (a place, resolved to the same entity or
within 161 km; a predicted span that matches no gold toponym is wrong). The model is
an L2-penalised logistic regression (scipy's L-BFGS on the log-loss; features are
used as they are, all in 0..1), fitted:

1. on each corpus alone and measured on the other (the cross-corpus check: a model
   that only fits one corpus's habits shows it here);
2. on all corpora together: the weights written to the model file, with the
   cross-corpus figures recorded beside them.

Usage::

    python scripts/fit_confidence.py CORPUS.jsonl CORPUS2.jsonl [--out PATH] [--l2 1.0]

The corpora are read, never copied. Prints ECE, AUC, Brier and precision at the
display threshold for every fit and corpus.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata.confidence import (  # noqa: E402
    CONFIDENCE_FEATURES,
    DEFAULT_THRESHOLD,
    MODEL_PATH,
    confidence_features,
    predict,
)
from geodata.corpus import read_jsonl  # noqa: E402
from geodata.evaluate import calibration, prediction_outcomes  # noqa: E402
from geodata.pipeline import Geoparser, resolution_to_dict  # noqa: E402
from geodata.resolve import resolve  # noqa: E402


def examples(path: Path, geoparser: Geoparser) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels (1 right, 0 wrong) of every judged prediction in a corpus."""
    docs = read_jsonl(path)
    rows, preds = [], []
    for recognized in geoparser.recognize([d["text"] for d in docs]):
        resolutions = resolve(recognized, geoparser.gazetteer)
        features = confidence_features(recognized, resolutions, geoparser.gazetteer)
        keep = [i for i, r in enumerate(resolutions) if not r.mention.is_demonym]
        rows.append(features[keep])
        preds.append([resolution_to_dict(resolutions[i], alternatives=False) for i in keep])
    pred_docs = [{"id": d["id"], "toponyms": t} for d, t in zip(docs, preds, strict=True)]
    outcomes = prediction_outcomes(docs, pred_docs)
    x, y = [], []
    for features, outcome in zip(rows, outcomes, strict=True):
        for row, right in zip(features, outcome, strict=True):
            if right is not None:
                x.append(row)
                y.append(float(right))
    return np.array(x).reshape(-1, len(CONFIDENCE_FEATURES)), np.array(y)


def fit(x: np.ndarray, y: np.ndarray, l2: float) -> dict[str, Any]:
    """Logistic regression: minimise mean log-loss + l2 / n * |w|^2 (intercept free)."""
    n = len(y)

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        z = x @ w + b
        p = 1.0 / (1.0 + np.exp(-z))
        eps = 1e-12
        value = -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))
        value += l2 / n * float(w @ w)
        grad_z = (p - y) / n
        grad = np.append(x.T @ grad_z + 2 * l2 / n * w, grad_z.sum())
        return float(value), grad

    result = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B")
    weights = {
        name: round(float(v), 4) for name, v in zip(CONFIDENCE_FEATURES, result.x[:-1], strict=True)
    }
    return {
        "features": list(CONFIDENCE_FEATURES),
        "weights": weights,
        "intercept": round(float(result.x[-1]), 4),
    }


def measure(model: dict[str, Any], x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Calibration figures of a model on examples."""
    return calibration(predict(x, model), y.astype(bool), DEFAULT_THRESHOLD)


def main(argv: list[str] | None = None) -> int:
    """Fit, check across corpora, write the model; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--l2", type=float, default=1.0)
    args = parser.parse_args(argv)
    geoparser = Geoparser()
    data = {path.stem: examples(path, geoparser) for path in args.corpora}
    for name, (_x, y) in data.items():
        print(f"{name}: {len(y)} judged predictions, {y.mean():.3f} right")
    cross: dict[str, Any] = {}
    for train in data:
        model = fit(*data[train], args.l2)
        for test in data:
            figures = measure(model, *data[test])
            cross[f"fit {train}, measured on {test}"] = figures
            print(f"fit {train:10s} -> {test:10s} {json.dumps(figures)}")
    x = np.vstack([x for x, _ in data.values()])
    y = np.concatenate([y for _, y in data.values()])
    model = fit(x, y, args.l2)
    for test in data:
        figures = measure(model, *data[test])
        cross[f"fit all, measured on {test}"] = figures
        print(f"fit all        -> {test:10s} {json.dumps(figures)}")
    model.update(
        {
            "fitted_on": {name: len(y) for name, (_x, y) in data.items()},
            "l2": args.l2,
            "threshold": DEFAULT_THRESHOLD,
            "checks": cross,
            "made_by": "scripts/fit_confidence.py",
        }
    )
    args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print("weights:", json.dumps(model["weights"]), "intercept", model["intercept"])
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
