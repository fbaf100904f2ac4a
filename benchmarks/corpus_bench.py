"""Corpus page at scale: server time, page weight and Chromium draw time, 10k to 1M mentions.

Usage::

    .venv/bin/python benchmarks/corpus_bench.py [--quick] [--sizes 10000 100000 1000000]
        [--repeat 5] [--render-repeat 5] [--load-repeat 3] [--browser-repeat 3]
        [--timeout 120] [--seed 7] [--sites all|incidents]

For each size (mentions; one article per 10 mentions) it measures, in one run:

1. A synthetic batch dataset, written in a temporary folder as ``newsmap
   batch`` writes one: ``articles``, ``mentions``, ``sites`` and ``errors``
   GeoParquet files with :mod:`geodata.batch`'s column names and Arrow types
   (its own schema tables are used, so a change there shows up here). Articles
   have ids, titles, dates over 90 days of 2024 (1 % undated) and short texts
   (a sentence per mention, with the words at the mention's offsets; about 8 %
   say "ceasefire", the text search). Mentions name places drawn with a
   Zipf-like popularity from a pool of countries (Natural Earth), cities
   (the basemap's labels) and synthetic places around them (airports,
   districts, bases...), 50,000 for 1M mentions, fewer for smaller sizes.
   ``sites`` holds, as the batch writes it, one row per (article, place) with
   its evidence (a country as its Natural Earth polygon, the rest as points),
   and incidents (5 % of articles: event type, date, actors); ``--sites
   incidents`` writes the incidents only. ``open_dataset`` must return the
   articles, items, places and errors the generator expects, or the run stops.
2. Server time (ms, median of ``--repeat``), in a child process that holds
   only the corpus, so its memory is the corpus's: ``open_dataset`` (the cache
   miss); what the page computes on a rerun (``app_pages/corpus.py``:
   ``period_starts``, ``histogram`` over the filter without time,
   ``filter_mask``, ``aggregate_places(...).head(MAX_DRAWN_PLACES)``, the
   article count) for the first view, a 2-week window, one country and a text
   search (first time and cached); the sidebar's option lists (every rerun);
   and the map: ``render_corpus_map(with_places=False)`` plus ``corpus_group``
   rendered to the HTML the browser gets, and its size. RSS before and after
   the load, and the peak.
3. Chromium (headless, ``/usr/bin/chromium``): that HTML, served with the
   static assets (``install_static``) from 127.0.0.1 by a thread of this
   process, from navigation start until the map container has
   ``data-nm-places`` (``newsmap.corpusPlaces`` has added every circle), and
   until two animation frames later (painted).
4. The baseline, for the same places: one ``folium.CircleMarker`` with a
   tooltip per place in a FeatureGroup on a plain ``folium.Map`` (no tiles,
   Leaflet from the same local server): render time, HTML size, and time until
   every marker is in the DOM (``path.leaflet-interactive``), or "> timeout".

Then one table per size, ratios newsmap / naive, and the issue's two targets at
1M mentions (or the largest size run): a drawn map in <= 3 s once the data is
cached, a filter or time change in <= 300 ms of server time. Nothing leaves
127.0.0.1; temporary folders are removed. Figures, not asserts.

Run time on 2 cores: ``--quick`` about 1 minute; all three sizes about
5 minutes, most of it at 1M mentions (the dataset: 25 s and 1.1 GB of Parquet
in /tmp; 3 loads of 20-30 s each, peaking near 8 GB of RSS in the child; the
naive map's renders, 12 s each).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (10_000, 100_000)
MENTIONS_PER_ARTICLE = 10
#: Distinct places in the pool at 1M mentions; smaller sizes scale it down.
POOL_AT_1M = 50_000
FIRST_DAY = date(2024, 1, 1)  # a Monday
DAYS = 90
QUERY = "ceasefire"
TARGET_OPEN_MS = 3000.0
TARGET_CHANGE_MS = 300.0
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    # belt and braces: no host name resolves, so nothing can leave 127.0.0.1
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
NATURALEARTH = ROOT / "geodata" / "data" / "naturalearth"

#: Kinds of the synthetic places (share) and the word their names end with.
SYNTHETIC_KINDS = {
    "populated_place": (0.68, "Heights"),
    "admin_area": (0.12, "District"),
    "airport": (0.06, "Airport"),
    "facility": (0.04, "Works"),
    "military_base": (0.04, "Base"),
    "religious_site": (0.03, "Shrine"),
    "port": (0.03, "Port"),
}
TEMPLATES = (
    "Officials in {} said the talks would resume next week.",
    "Heavy rain fell on {} overnight, and several roads were closed.",
    "Residents of {} described long queues for fuel and bread.",
    "The envoy travelled to {} on Tuesday.",
    "Aid convoys reached {} after a delay of three days.",
    "Prices in {} rose for the second month running.",
    "A spokesman in {} declined to comment.",
    "Protesters gathered in central {} at dawn.",
)
FILLERS = (
    "The report could not be verified independently.",
    "More details are expected later in the day.",
    "Markets were calm.",
    "Both sides agreed to a ceasefire that evening.",
    "Schools stayed closed.",
    "The ministry said it would publish figures on Friday.",
)
HEADLINES = ("Talks in", "Rain in", "Queues in", "Envoy in", "Aid for", "Prices in", "Protest in")
SOURCES = ("Wire A", "Daily B", "Courier C", "Radio D", "Post E")
EVENTS = ("airstrike", "shelling", "protest", "flood", "earthquake", "attack")
ACTORS = ("army", "police", "militia", "protesters", "rebels", "coast guard")


# ----------------------------------------------------------------- small helpers


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _timed(function: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """Run ``function`` ``repeat`` times: (ms of each run, the last result)."""
    times, result = [], None
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def _rss_mb() -> float:
    """Resident memory of this process now (MiB)."""
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20
    except ImportError:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * resource.getpagesize() / 2**20


def _peak_mb() -> float:
    """Peak resident memory of this process so far (MiB; Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pool_size(mentions: int) -> int:
    return int(max(1_000, min(POOL_AT_1M, round(POOL_AT_1M * (mentions / 1e6) ** 0.7))))


def _child(mode: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run this file in a child process (``--child MODE JSON``); return its JSON answer."""
    command = [sys.executable, __file__, "--child", mode, json.dumps(params)]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the {mode} step failed with code {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------- the dataset


def _anchors() -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Countries (Natural Earth, most populous first) and the basemap's towns, with a country."""
    import shapely

    countries = json.loads((NATURALEARTH / "countries.geojson").read_text(encoding="utf-8"))
    rows = [
        f
        for f in countries["features"]
        if len(f["properties"].get("iso_a2") or "") == 2 and f["properties"]["iso_a2"].isalpha()
    ]
    rows.sort(key=lambda f: -(f["properties"].get("population") or 0))
    country = {
        "name": np.array([f["properties"]["name"] for f in rows], dtype=object),
        "kind": np.array(["country"] * len(rows), dtype=object),
        "country": np.array([f["properties"]["iso_a2"] for f in rows], dtype=object),
        "lon": np.array([f["properties"]["label_lon"] for f in rows], dtype=float),
        "lat": np.array([f["properties"]["label_lat"] for f in rows], dtype=float),
        "shape": np.array([shapely.geometry.shape(f["geometry"]) for f in rows], dtype=object),
    }
    labels = json.loads((NATURALEARTH / "labels.geojson").read_text(encoding="utf-8"))
    towns = [f for f in labels["features"] if f["properties"]["kind"] in ("capital", "city")]
    towns.sort(key=lambda f: f["properties"]["kind"] != "capital")  # capitals first
    points = shapely.points([f["geometry"]["coordinates"] for f in towns])
    tree = shapely.STRtree([shapely.geometry.shape(f["geometry"]) for f in rows])
    pairs = tree.query_nearest(points)  # the country each town lies in (or is nearest to)
    _, first = np.unique(pairs[0], return_index=True)
    city = {
        "name": np.array([f["properties"]["name"] for f in towns], dtype=object),
        "kind": np.array(["populated_place"] * len(towns), dtype=object),
        "country": country["country"][pairs[1][first]],
        "lon": shapely.get_x(points),
        "lat": shapely.get_y(points),
        "shape": np.full(len(towns), None, dtype=object),
    }
    return country, city


def _pool(size: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The places mentions draw from, with a Zipf-like popularity (``weight``, sums to 1).

    Countries, then the basemap's capitals and cities, then synthetic places
    (districts, airports, bases...) scattered around random towns.
    """
    country, city = _anchors()
    n_countries = len(country["name"])
    towns = {k: v[: max(0, int(0.6 * (size - n_countries)))] for k, v in city.items()}
    extra = max(0, size - n_countries - len(towns["name"]))
    anchor = rng.integers(0, len(city["name"]), extra)
    kinds = list(SYNTHETIC_KINDS)
    shares = np.array([share for share, _ in SYNTHETIC_KINDS.values()])
    kind = rng.choice(len(kinds), extra, p=shares / shares.sum())
    synthetic = {
        "name": np.array(
            [
                f"{city['name'][a]} {SYNTHETIC_KINDS[kinds[k]][1]} {i % 97 + 1}"
                for i, (a, k) in enumerate(zip(anchor, kind, strict=True))
            ],
            dtype=object,
        ),
        "kind": np.array([kinds[k] for k in kind], dtype=object),
        "country": city["country"][anchor],
        "lon": (city["lon"][anchor] + rng.normal(0, 0.4, extra) + 180) % 360 - 180,
        "lat": np.clip(city["lat"][anchor] + rng.normal(0, 0.4, extra), -85, 85),
        "shape": np.full(extra, None, dtype=object),
    }
    pool = {k: np.concatenate([country[k], towns[k], synthetic[k]]) for k in country}
    total = len(pool["name"])
    pool["feature_id"] = np.array(
        [f"country:{c}" for c in country["country"]]
        + [f"geonames:{9_000_000 + i}" for i in range(n_countries, total)],
        dtype=object,
    )
    pool["geonameid"] = np.arange(total, dtype=np.int64) + 100_000
    # popularity: countries every other place among the first, the others (towns and
    # synthetic places mixed), shuffled by log-normal noise; then Zipf over the ranks
    others = rng.permutation(total - n_countries)
    base = np.r_[
        2 * np.arange(n_countries) + 1,
        np.where(others < n_countries, 2 * others, others + n_countries),
    ]
    score = (base + 1) * np.exp(rng.normal(0, 1.0, total))
    rank = np.empty(total, dtype=np.int64)
    rank[np.argsort(score, kind="stable")] = np.arange(total)
    weight = 1.0 / (rank + 2.7) ** 1.05
    pool["weight"] = weight / weight.sum()
    return pool


def _mentions(count: int, pool: dict[str, np.ndarray], rng: np.random.Generator) -> dict:
    """Which article each mention is in (sorted) and which place it names."""
    n_articles = max(1, count // MENTIONS_PER_ARTICLE)
    art = np.sort(rng.integers(0, n_articles, count))
    feature = rng.choice(len(pool["weight"]), count, p=pool["weight"])
    # an article names a place it named already about a third of the time
    again = (rng.random(count) < 0.3) & np.r_[False, art[1:] == art[:-1]]
    feature[again] = np.r_[feature[:1], feature[:-1]][again]
    return {
        "n_articles": n_articles,
        "art": art,
        "feature": feature,
        "bounds": np.searchsorted(art, np.arange(n_articles + 1)),
        "template": rng.integers(0, len(TEMPLATES), count),
        "confidence": np.round(0.35 + 0.65 * rng.beta(4, 1.5, count), 4),
    }


def _texts(m: dict, names: list[str], rng: np.random.Generator) -> dict[str, Any]:
    """Article texts (a sentence per mention, maybe a filler), titles, and the offsets."""
    count = len(m["art"])
    offsets = {k: np.empty(count, dtype=np.int64) for k in ("start", "end", "s0", "s1")}
    pre = [t.split("{}")[0] for t in TEMPLATES]
    post = [t.split("{}")[1] for t in TEMPLATES]
    filler = rng.integers(-len(FILLERS), len(FILLERS), m["n_articles"]).tolist()
    headline = rng.integers(0, len(HEADLINES), m["n_articles"]).tolist()
    feature, template, bounds = (m[k].tolist() for k in ("feature", "template", "bounds"))
    start, end, s0, s1 = ([0] * count for _ in range(4))
    texts, titles = [], []
    for a in range(m["n_articles"]):
        parts, cursor = [], 0
        for j in range(bounds[a], bounds[a + 1]):
            k, name = template[j], names[feature[j]]
            sentence = pre[k] + name + post[k]
            s0[j], start[j] = cursor, cursor + len(pre[k])
            end[j], s1[j] = start[j] + len(name), cursor + len(sentence)
            parts.append(sentence)
            cursor += len(sentence) + 1
        if filler[a] >= 0 or not parts:
            parts.append(FILLERS[max(filler[a], 0)])
        texts.append(" ".join(parts))
        first = names[feature[bounds[a]]] if bounds[a + 1] > bounds[a] else "the world"
        titles.append(f"{HEADLINES[headline[a]]} {first}")
    for key, values in zip(("start", "end", "s0", "s1"), (start, end, s0, s1), strict=True):
        offsets[key][:] = values
    return {"texts": texts, "titles": titles, **offsets}


def _pairs(m: dict, pool_size: int) -> dict[str, np.ndarray]:
    """One row per (article, place): its first mention, mention count and best confidence."""
    keys = m["art"].astype(np.int64) * pool_size + m["feature"]
    order = np.argsort(keys, kind="stable")
    bounds = np.flatnonzero(np.r_[True, keys[order][1:] != keys[order][:-1]])
    return {
        "first": order[bounds],
        "mentions": np.diff(np.r_[bounds, len(keys)]),
        "confidence": np.maximum.reduceat(m["confidence"][order], bounds),
    }


def _incidents(m: dict, dates: np.ndarray, pool: dict, rng: np.random.Generator) -> dict:
    """Incidents: 5 % of the articles that name a place, at (near) their first place."""
    named = np.flatnonzero(np.diff(m["bounds"]) > 0)
    arts = np.sort(rng.choice(named, max(1, len(named) // 20), replace=False))
    first = m["bounds"][arts]
    place = m["feature"][first]
    event = rng.integers(0, len(EVENTS), len(arts))
    when = dates[arts] - rng.integers(0, 4, len(arts)).astype("timedelta64[D]")
    when[rng.random(len(arts)) < 0.2] = np.datetime64("NaT")
    return {
        "art": arts,
        "mention": first,
        "place": place,
        "event": [EVENTS[e] for e in event],
        "date": [None if np.isnat(d) else str(d) for d in when],
        "actors": [
            json.dumps(sorted({ACTORS[i] for i in rng.integers(0, len(ACTORS), 2)})) for _ in arts
        ],
        "confidence": np.round(rng.uniform(0.55, 0.9, len(arts)), 4),
        "lon": pool["lon"][place] + rng.normal(0, 0.05, len(arts)),
        "lat": pool["lat"][place] + rng.normal(0, 0.05, len(arts)),
    }


def _typed_frame(table: str, columns: dict[str, Any]) -> Any:
    """A frame with the batch's columns and Arrow types for ``table`` (geodata.batch's schema)."""
    import pandas as pd
    import pyarrow as pa

    from geodata.batch import _SCHEMAS, _arrow_type

    schema = _SCHEMAS[table]
    if set(columns) != set(schema):
        raise RuntimeError(
            f"{table}: the generator's columns differ from geodata.batch's by "
            f"{sorted(set(columns) ^ set(schema))}; update this benchmark"
        )
    out = {}
    for name, kind in schema.items():
        values = columns[name]
        if not isinstance(values, np.ndarray):
            values = np.asarray(values, dtype=object)
        array = pa.array(values, type=_arrow_type(kind), from_pandas=True)
        out[name] = pd.arrays.ArrowExtensionArray(array)
    return pd.DataFrame(out)


def _write(folder: Path, table: str, frame: Any, geometry: Any, row_art: np.ndarray, parts: int):
    """Write ``frame`` as the batch does: one (Geo)Parquet file per partition of articles."""
    import geopandas as gpd

    target = folder / table
    target.mkdir(parents=True, exist_ok=True)
    cuts = np.searchsorted(
        row_art, np.linspace(0, row_art.max() + 1 if len(row_art) else 1, parts + 1)
    )
    for part in range(parts):
        rows = slice(int(cuts[part]), int(cuts[part + 1]))
        path = target / f"part-{part:05d}.parquet"
        if geometry is None:
            frame.iloc[rows].reset_index(drop=True).to_parquet(path, index=False)
            continue
        piece = gpd.GeoDataFrame(
            frame.iloc[rows].reset_index(drop=True),
            geometry=gpd.GeoSeries(geometry[rows], crs="EPSG:4326"),
        )
        piece.to_parquet(path, index=False, schema_version="1.1.0", write_covering_bbox=True)


def _article_columns(m: dict, pool: dict, text: dict, dates: np.ndarray, pairs: dict, inc: dict):
    n = m["n_articles"]
    has = np.diff(m["bounds"]) > 0
    first = np.where(has, m["feature"][np.minimum(m["bounds"][:-1], len(m["art"]) - 1)], 0)
    features = np.bincount(m["art"][pairs["first"]], minlength=n) + np.bincount(
        inc["art"], minlength=n
    )
    code = np.where(has, pool["country"][first], None)
    country_name = dict(zip(pool["country"][pool["kind"] == "country"], pool["name"], strict=False))
    rng = np.random.default_rng(n)
    return {
        "id": np.array([f"art{i:07d}" for i in range(n)], dtype=object),
        "title": text["titles"],
        "url": [f"https://news.example/{i}" for i in range(n)],
        "date": dates,
        "source": np.asarray(SOURCES, dtype=object)[rng.integers(0, len(SOURCES), n)],
        "input": ["synthetic.jsonl"] * n,
        "line": np.arange(1, n + 1, dtype=np.int64),
        "chars": np.array([len(t) for t in text["texts"]], dtype=np.int64),
        "text": text["texts"],
        "cut": np.zeros(n, dtype=bool),
        "note": [None] * n,
        "mentions": np.diff(m["bounds"]).astype(np.int64),
        "features": features.astype(np.int64),
        "focus_country": code,
        "focus_country_name": [country_name.get(c) for c in code],
        "focus_place": np.where(has, pool["name"][first], None),
        "focus_place_id": np.where(has, pool["feature_id"][first], None),
        "focus_place_mentions": np.where(has, 1, 0).astype(np.int64),
    }


def _mention_columns(m: dict, pool: dict, text: dict, article_ids: np.ndarray, rng: Any):
    f = m["feature"]
    count = len(f)
    return {
        "article_id": article_ids[m["art"]],
        "start": text["start"],
        "end": text["end"],
        "surface": pool["name"][f],
        "feature_id": pool["feature_id"][f],
        "name": pool["name"][f],
        "kind": pool["kind"][f],
        "country_code": pool["country"][f],
        "geonameid": pool["geonameid"][f],
        "lon": pool["lon"][f],
        "lat": pool["lat"][f],
        "score": np.round(rng.uniform(0.3, 1.0, count), 4),
        "confidence": m["confidence"],
        "demonym": rng.random(count) < 0.02,
        "sentence_start": text["s0"],
        "sentence_end": text["s1"],
    }


def _evidence(text: dict, texts: list[str], art: np.ndarray, mention: np.ndarray) -> list[str]:
    return [
        json.dumps(
            [
                {
                    "sentence": texts[a][text["s0"][j] : text["s1"][j]],
                    "start": int(text["start"][j]),
                    "end": int(text["end"][j]),
                    "text": texts[a][text["start"][j] : text["end"][j]],
                }
            ],
            ensure_ascii=False,
        )
        for a, j in zip(art.tolist(), mention.tolist(), strict=True)
    ]


def _site_columns(m: dict, pool: dict, text: dict, ids: np.ndarray, pairs: dict, inc: dict):
    """Sites: one row per (article, place) named, and the incidents; ordered by article."""
    from geodata.schema import layer_for_kind

    first = pairs["first"]
    art = np.r_[m["art"][first], inc["art"]]
    order = np.argsort(art, kind="stable")
    place = np.r_[m["feature"][first], inc["place"]]
    n_places, n_inc = len(first), len(inc["art"])
    kinds = np.r_[pool["kind"][place[:n_places]], ["incident"] * n_inc].astype(object)
    names = pool["name"][place].copy()
    names[n_places:] = [f"{e} in {n}" for e, n in zip(inc["event"], names[n_places:], strict=True)]
    nothing = [None] * (n_places + n_inc)
    columns = {
        "article_id": ids[art],
        "feature_id": np.r_[
            pool["feature_id"][place[:n_places]],
            [f"incident:{ids[a]}:0" for a in inc["art"]],
        ].astype(object),
        "name": names,
        "surface": pool["name"][place],
        "kind": kinds,
        "layer": np.array([layer_for_kind(k) for k in kinds], dtype=object),
        "country_code": pool["country"][place],
        "confidence": np.r_[pairs["confidence"], inc["confidence"]],
        "mentions": np.r_[pairs["mentions"], np.ones(n_inc, dtype=np.int64)].astype(np.int64),
        "evidence": _evidence(text, text["texts"], art, np.r_[first, inc["mention"]]),
        "source": ["synthetic (benchmarks/corpus_bench.py)"] * len(art),
        "note": [""] * len(art),
        "inferred": np.zeros(len(art), dtype=bool),
        "alternatives": ["[]"] * len(art),
        "place_ids": ["[]"] * n_places
        + [json.dumps([pool["feature_id"][p]]) for p in inc["place"]],
        "event_type": nothing[:n_places] + inc["event"],
        "date": nothing[:n_places] + inc["date"],
        "date_text": nothing[:n_places] + inc["date"],
        "actors": ["[]"] * n_places + inc["actors"],
    }
    columns = {
        k: np.asarray(v, dtype=None if isinstance(v, np.ndarray) else object)[order]
        for k, v in columns.items()
    }
    import shapely

    lon = np.r_[pool["lon"][place[:n_places]], inc["lon"]]
    lat = np.r_[pool["lat"][place[:n_places]], inc["lat"]]
    geometry = shapely.points(lon, lat)
    shape = np.r_[pool["shape"][place[:n_places]], [None] * n_inc]
    polygon = np.array([g is not None for g in shape], dtype=bool)
    geometry[polygon] = shape[polygon]  # as the batch writes countries: their polygon
    return columns, geometry[order], art[order]


def generate(folder: Path, mentions: int, seed: int, sites: str = "all") -> dict[str, Any]:
    """Write a synthetic batch dataset of ``mentions`` mentions; return what it holds.

    ``sites``: ``"all"`` (as the batch writes: every (article, place), countries
    as their polygon, and the incidents) or ``"incidents"`` (only those).
    """
    import shapely

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    pool = _pool(_pool_size(mentions), rng)
    m = _mentions(mentions, pool, rng)
    n = m["n_articles"]
    text = _texts(m, pool["name"].tolist(), rng)
    dates = np.datetime64(FIRST_DAY, "D") + rng.integers(0, DAYS, n).astype("timedelta64[D]")
    dates[rng.random(n) < 0.01] = np.datetime64("NaT")
    pairs = _pairs(m, len(pool["weight"]))
    inc = _incidents(m, dates, pool, rng)
    articles = _article_columns(m, pool, text, dates, pairs, inc)
    ids = articles["id"]
    parts = int(min(64, max(1, n // 1_000)))
    arts = np.arange(n)
    focus = np.where(np.diff(m["bounds"]) > 0, m["bounds"][:-1], -1)
    geometry = np.full(n, None, dtype=object)  # the focus place; None when none
    has = focus >= 0
    place = m["feature"][focus[has]]
    geometry[has] = shapely.points(pool["lon"][place], pool["lat"][place])
    _write(folder, "articles", _typed_frame("articles", articles), geometry, arts, parts)
    frame = _typed_frame("mentions", _mention_columns(m, pool, text, ids, rng))
    points = shapely.points(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float))
    _write(folder, "mentions", frame, points, m["art"], parts)
    del frame, points
    kept = pairs if sites == "all" else {k: v[:0] for k, v in pairs.items()}
    columns, geometry, site_art = _site_columns(m, pool, text, ids, kept, inc)
    _write(folder, "sites", _typed_frame("sites", columns), geometry, site_art, parts)
    errors = max(1, n // 1_000)
    error_rows = {
        "input": ["synthetic.jsonl"] * errors,
        "line": np.arange(n + 1, n + errors + 1, dtype=np.int64),
        "id": [None] * errors,
        "reason": ["the record has no text"] * errors,
    }
    _write(folder, "errors", _typed_frame("errors", error_rows), None, np.zeros(errors), 1)
    size = sum(p.stat().st_size for p in folder.rglob("*.parquet"))
    return {
        "articles": n,
        "mentions": mentions,
        "items": len(pairs["first"]) + len(inc["art"]),
        "sites": len(site_art),
        "incidents": len(inc["art"]),
        "errors": errors,
        "pool": len(pool["weight"]),
        "named": len(np.unique(m["feature"])) + len(inc["art"]),
        "mb": size / 1e6,
        "seconds": time.perf_counter() - started,
    }


# ----------------------------------------------------------------- the server (child process)


def _page_view(corpus: Any, spec: Any, granularity: str = "week") -> tuple[Any, int, int]:
    """What ``app_pages/corpus.py`` computes on a rerun: (places drawn, matched, articles)."""
    from layers.app.corpus import (
        MAX_DRAWN_PLACES,
        aggregate_places,
        filter_mask,
        histogram,
        period_end,
        period_starts,
    )

    options = period_starts(corpus, granularity, spec.time_by)  # time_panel
    if spec.start is not None:
        span = (spec.start, spec.end)
    else:
        span = (options[0], period_end(options[-1], granularity))
    histogram(corpus, filter_mask(corpus, spec.without_time()), granularity, span, spec.time_by)
    mask = filter_mask(corpus, spec)
    every = aggregate_places(corpus, mask)
    places = every.head(MAX_DRAWN_PLACES)
    articles = int(np.count_nonzero(np.bincount(corpus.items["art"].to_numpy()[mask])))
    return places, len(every), articles


def _sidebar(corpus: Any) -> None:
    """The filter panel's option lists and country names (``app_pages/corpus.py``, every rerun)."""
    for column in ("country", "kind", "event_type", "actors"):
        corpus.options(column)
    corpus.country_names()
    _ = corpus.place_count  # the caption


def _newsmap_html(places: Any) -> str:
    """The page's map as the browser gets it: the base map and the places' group."""
    from layers.map.assets import BASEMAP_URL
    from layers.map.corpus import corpus_group, render_corpus_map

    m = render_corpus_map(places, "kind", basemap_url=BASEMAP_URL, with_places=False)
    corpus_group(places, "kind").add_to(m)
    return m.get_root().render()


def _naive_html(places: Any) -> str:
    """The baseline: a folium.CircleMarker with a tooltip per place, Leaflet served locally."""
    import html

    import folium

    from layers.catalog import LAYER_BY_KEY
    from layers.map.assets import use_local_assets

    m = folium.Map(location=[25.0, 20.0], zoom_start=2, tiles=None)
    group = folium.FeatureGroup(name="Places")
    top = max(int(places["articles"].max()), 1) if len(places) else 1
    for row in places.itertuples(index=False):
        colour = LAYER_BY_KEY[row.layer].color if row.layer in LAYER_BY_KEY else "#9e9e9e"
        folium.CircleMarker(
            location=[float(row.lat), float(row.lon)],
            radius=round(3 + 19 * (row.articles / top) ** 0.5, 1),
            color="#ffffff",
            weight=1,
            fill=True,
            fill_color=colour,
            fill_opacity=0.7,
            tooltip=f"<b>{html.escape(row.name)}</b><br>{row.articles:,} articles, "
            f"{row.mentions:,} mentions",
        ).add_to(group)
    group.add_to(m)
    use_local_assets(m)
    return m.get_root().render()


def _scenarios(corpus: Any) -> list[tuple[str, Any, bool]]:
    """(label, filter, clear the search cache first) for the views the page is asked for."""
    from layers.app.corpus import CorpusFilter

    country = corpus.options("country")[0]
    start = FIRST_DAY + timedelta(weeks=6)
    return [
        ("first view: all time", CorpusFilter(), False),
        ("time change: 2-week window", CorpusFilter(start=start, end=start + timedelta(13)), False),
        (f"country filter: {country} (most named)", CorpusFilter(countries=(country,)), False),
        (f"text search '{QUERY}', first time", CorpusFilter(query=QUERY), True),
        (f"text search '{QUERY}', cached", CorpusFilter(query=QUERY), False),
    ]


def _measure(corpus: Any, label: str, spec: Any, uncached: bool, params: dict) -> dict:
    def view() -> tuple[Any, int, int]:
        if uncached:
            corpus._search.clear()
        return _page_view(corpus, spec)

    model, (places, matched, articles) = _timed(view, params["repeat"])
    render, page = _timed(lambda: _newsmap_html(places), params["render_repeat"])
    return {
        "label": label,
        "model_ms": _median(model),
        "render_ms": _median(render),
        "html_mb": len(page.encode()) / 1e6,
        "places": len(places),
        "matched": matched,
        "articles": articles,
        "page": page,
        "frame": places,
    }


def _check(corpus: Any, expected: dict[str, Any]) -> None:
    got = {
        "articles": len(corpus.articles),
        "items": len(corpus.items),
        "errors": corpus.errors,
        "named": corpus.items["feature_id"].nunique(),
    }
    want = {k: expected[k] for k in got}
    if got != want:
        raise RuntimeError(f"open_dataset read {got}; the generator wrote {want}")


def serve(params: dict[str, Any]) -> dict[str, Any]:
    """Load the dataset, time the page's server work, write both maps' HTML under ``site``."""
    import folium  # noqa: F401 - imported before the memory baseline, as the app has them
    import geopandas  # noqa: F401

    from layers.app.corpus import open_dataset
    from layers.map.assets import install_static
    from layers.map.corpus import corpus_group  # noqa: F401

    data, site = Path(params["data"]), Path(params["site"])
    install_static(site / "app" / "static")
    before = _rss_mb()
    loads, corpus = _timed(lambda: open_dataset(data), 1)
    memory = {"before": before, "loaded": _rss_mb(), "peak": _peak_mb()}
    _check(corpus, params["expected"])
    for _ in range(params["load_repeat"] - 1):
        corpus = None
        gc.collect()
        again, corpus = _timed(lambda: open_dataset(data), 1)
        loads += again
    scenarios = [_measure(corpus, *case, params) for case in _scenarios(corpus)]
    sidebar, _ = _timed(lambda: _sidebar(corpus), params["repeat"])
    first = scenarios[0]
    (site / "corpus.html").write_text(first.pop("page"), encoding="utf-8")
    places = first.pop("frame")
    naive_times, naive = _timed(lambda: _naive_html(places), 1)
    if naive_times[0] < 20_000:  # at 1M mentions one render of the baseline is enough
        more, naive = _timed(lambda: _naive_html(places), params["render_repeat"] - 1)
        naive_times += more
    (site / "naive.html").write_text(naive, encoding="utf-8")
    for case in scenarios[1:]:
        case.pop("page")
        case.pop("frame")
    return {
        "load_ms": loads,
        "memory": memory,
        "scenarios": scenarios,
        "sidebar_ms": _median(sidebar),
        "naive": {"render_ms": _median(naive_times), "html_mb": len(naive.encode()) / 1e6},
        "places": len(places),
    }


# ----------------------------------------------------------------- the browser

NEWSMAP_DONE = """() => {
  const map = document.querySelector('[data-nm-places]');
  return map ? [performance.now(), Number(map.dataset.nmPlaces)] : false;
}"""
NAIVE_DONE = """(wanted) => {
  const count = document.querySelectorAll('path.leaflet-interactive').length;
  return count >= wanted ? [performance.now(), count] : false;
}"""
PAINTED = """() => new Promise((done) =>
  requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now()))))"""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Say nothing of a page closed mid-transfer."""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing."""


def _serve_folder(folder: Path) -> tuple[_Server, threading.Thread, str]:
    server = _Server(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread, f"http://127.0.0.1:{server.server_address[1]}/"


def _draw(browser: Any, url: str, done: str, arg: Any, repeat: int, timeout: float) -> dict:
    """Open ``url`` ``repeat`` times: ms from navigation start until ``done`` holds, and painted."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    origin = url.rsplit("/", 1)[0] + "/"
    drawn, painted, outside, places, timed_out = [], [], set(), 0, False
    for _ in range(repeat):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on(
            "request",
            lambda r: (
                outside.add(r.url)
                if r.url.startswith("http") and not r.url.startswith(origin)
                else None
            ),
        )
        try:
            page.goto(url, wait_until="commit", timeout=timeout * 1000)
            handle = page.wait_for_function(done, arg=arg, timeout=timeout * 1000, polling="raf")
            at, places = handle.json_value()
            drawn.append(at)
            painted.append(page.evaluate(PAINTED))
        except PlaywrightTimeout:
            timed_out = True
        finally:
            page.close(run_before_unload=False)
        if timed_out:
            break
    return {
        "draw_ms": None if timed_out else _median(drawn),
        "paint_ms": None if timed_out else _median(painted),
        "runs": len(drawn),
        "places": places,
        "outside": sorted(outside),
    }


# ----------------------------------------------------------------- one size, and the report


def run_size(mentions: int, args: argparse.Namespace, browser: Any) -> dict[str, Any]:
    """Generate, measure and draw one size; the temporary folder is removed in any case."""
    folder = Path(tempfile.mkdtemp(prefix="newsmap-corpus-bench-"))
    try:
        data, site = folder / "dataset", folder / "site"
        site.mkdir()
        print(f"[{mentions:,} mentions] generating the dataset…", file=sys.stderr, flush=True)
        expected = _child(
            "generate",
            {"folder": str(data), "mentions": mentions, "seed": args.seed, "sites": args.sites},
        )
        print(f"[{mentions:,} mentions] server times…", file=sys.stderr, flush=True)
        params = {
            "data": str(data),
            "site": str(site),
            "expected": expected,
            "repeat": args.repeat,
            "render_repeat": args.render_repeat,
            "load_repeat": args.load_repeat,
        }
        result = {"data": expected, **_child("serve", params)}
        print(f"[{mentions:,} mentions] Chromium…", file=sys.stderr, flush=True)
        server, thread, base = _serve_folder(site)
        try:
            result["newsmap"] = _draw(
                browser, base + "corpus.html", NEWSMAP_DONE, None, args.browser_repeat, args.timeout
            )
            result["baseline"] = _draw(
                browser,
                base + "naive.html",
                NAIVE_DONE,
                result["places"],
                args.browser_repeat,
                args.timeout,
            )
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _ms(value: float | None, timeout: float) -> str:
    return f"> {timeout:.0f} s" if value is None else f"{value:,.0f}"


def _ratio(a: float | None, b: float | None, timeout: float) -> str:
    if a is None:
        return "n/a"
    if b is None:
        return f"< {a / (timeout * 1000):.3f}"
    return f"{a / b:.3f}"


def _print_size(r: dict[str, Any], args: argparse.Namespace) -> None:
    d, mem = r["data"], r["memory"]
    print(
        f"\n== {d['mentions']:,} mentions: {d['articles']:,} articles, {d['items']:,} items "
        f"(article, place), {d['named']:,} places named (pool {d['pool']:,}), "
        f"{d['sites']:,} sites rows ({d['incidents']:,} incidents), {d['errors']:,} errors; "
        f"{d['mb']:.1f} MB of Parquet, generated in {d['seconds']:.1f} s"
    )
    loads = r["load_ms"]
    print(f"open_dataset (cache miss): {_median(loads):,.0f} ms (median of {len(loads)})")
    print(
        f"RSS: {mem['before']:,.0f} MB before the load, {mem['loaded']:,.0f} MB after it, "
        f"peak {mem['peak']:,.0f} MB"
    )
    head = f"{'server, ms (median of ' + str(args.repeat) + ')':<46}"
    print(f"{head}{'model':>8}{'render':>8}{'sum':>8}{'HTML MB':>9}{'drawn':>8}{'matched':>9}")
    for s in r["scenarios"]:
        print(
            f"{s['label']:<46}{s['model_ms']:>8.1f}{s['render_ms']:>8.1f}"
            f"{s['model_ms'] + s['render_ms']:>8.1f}{s['html_mb']:>9.2f}"
            f"{s['places']:>8,}{s['matched']:>9,}"
        )
    print(f"{'sidebar option lists (every rerun)':<46}{r['sidebar_ms']:>8.1f}")
    first, naive, t = r["scenarios"][0], r["naive"], args.timeout
    new, base = r["newsmap"], r["baseline"]
    print(
        f"{'map of the first view, ' + format(r['places'], ',') + ' places':<38}"
        f"{'render ms':>10}{'HTML MB':>9}{'draw ms':>10}{'paint ms':>10}{'places':>8}"
    )
    for label, render, mb, drawn in (
        ("newsmap canvas (corpusPlaces)", first["render_ms"], first["html_mb"], new),
        ("naive folium CircleMarker", naive["render_ms"], naive["html_mb"], base),
    ):
        print(
            f"{label:<38}{render:>10,.0f}{mb:>9.2f}{_ms(drawn['draw_ms'], t):>10}"
            f"{_ms(drawn['paint_ms'], t):>10}{drawn['places']:>8,}"
        )
    print(
        f"{'ratio newsmap / naive':<38}{first['render_ms'] / naive['render_ms']:>10.3f}"
        f"{first['html_mb'] / naive['html_mb']:>9.3f}"
        f"{_ratio(new['draw_ms'], base['draw_ms'], t):>10}"
    )
    outside = new["outside"] + base["outside"]
    print(f"requests outside 127.0.0.1: {len(outside)}" + (f" {outside[:3]}" if outside else ""))


def _targets(r: dict[str, Any]) -> None:
    d, t = r["data"], r["scenarios"]
    side, first, draw = r["sidebar_ms"], t[0], r["newsmap"]["draw_ms"]
    print(f"\ntargets at {d['mentions']:,} mentions ({d['articles']:,} articles):")
    if draw is None:
        print("  opens to a drawn map in <= 3 s: the map was not drawn within the timeout")
    else:
        total = side + first["model_ms"] + first["render_ms"] + draw
        print(
            f"  opens to a drawn map in <= {TARGET_OPEN_MS:,.0f} ms once cached: sidebar "
            f"{side:.0f} + model {first['model_ms']:.0f} + render {first['render_ms']:.0f} + "
            f"Chromium draw {draw:.0f} = {total:,.0f} ms: "
            f"{'yes' if total <= TARGET_OPEN_MS else 'no'} (painted: {r['newsmap']['paint_ms']:.0f}"
            " ms after navigation)"
        )
    print(
        f"  a filter or time change in <= {TARGET_CHANGE_MS:.0f} ms of server time "
        "(sidebar + model + render = sum):"
    )
    for s in t[1:]:
        total = side + s["model_ms"] + s["render_ms"]
        print(
            f"    {s['label']:<44} {side:6.0f} + {s['model_ms']:6.0f} + {s['render_ms']:6.0f} = "
            f"{total:6.0f} ms: {'yes' if total <= TARGET_CHANGE_MS else 'no'} "
            f"(model alone {'<=' if s['model_ms'] <= TARGET_CHANGE_MS else '>'} "
            f"{TARGET_CHANGE_MS:.0f})"
        )


def _summary(results: list[dict[str, Any]], timeout: float) -> None:
    print("\n== summary: ratios newsmap / naive folium, same places (< 1: newsmap less)")
    print(f"{'mentions':>10}{'places':>8}{'render':>9}{'HTML':>9}{'draw':>9}")
    for r in results:
        first, naive = r["scenarios"][0], r["naive"]
        print(
            f"{r['data']['mentions']:>10,}{r['places']:>8,}"
            f"{first['render_ms'] / naive['render_ms']:>9.3f}"
            f"{first['html_mb'] / naive['html_mb']:>9.3f}"
            f"{_ratio(r['newsmap']['draw_ms'], r['baseline']['draw_ms'], timeout):>9}"
        )
    largest = max(results, key=lambda r: r["data"]["mentions"])
    if largest["data"]["mentions"] < SIZES[-1]:
        print("(1,000,000 mentions not run; the targets below are for the largest size run)")
    _targets(largest)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        mode, params = sys.argv[2], json.loads(sys.argv[3])
        if mode == "generate":
            answer = generate(
                Path(params["folder"]), params["mentions"], params["seed"], params["sites"]
            )
        else:
            answer = serve(params)
        print(json.dumps(answer))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", help="mentions per dataset")
    parser.add_argument("--quick", action="store_true", help="sizes 10,000 and 100,000 only")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each server step")
    parser.add_argument("--render-repeat", type=int, default=5, help="runs of each map render")
    parser.add_argument("--load-repeat", type=int, default=3, help="runs of open_dataset")
    parser.add_argument("--browser-repeat", type=int, default=3, help="page loads per map")
    parser.add_argument("--timeout", type=float, default=120.0, help="s to wait for a map")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--sites",
        choices=("all", "incidents"),
        default="all",
        help="sites rows: all (as the batch writes them: every article's places, countries "
        "as polygons, and incidents) or incidents only",
    )
    args = parser.parse_args()
    sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)
    sys.stdout.reconfigure(line_buffering=True)  # the tables and the progress lines in order

    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for mentions in sizes:
                results.append(run_size(mentions, args, browser))
                _print_size(results[-1], args)
        finally:
            browser.close()
    _summary(results, args.timeout)
    print(f"\nwall time: {time.perf_counter() - started:,.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
