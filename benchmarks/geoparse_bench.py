"""Throughput and memory of the newsmap geoparser against its parts and a naive peer.

Usage::

    python benchmarks/geoparse_bench.py /work/shared/data/geoparse-dev/lgl.jsonl [more.jsonl] \
        [--limit N]

Runs, over the same texts in one process: (a) the full pipeline (``Geoparser.parse``),
(b) the bare spaCy NER pass of the same pipeline (``nlp.pipe``), (c) the ``geotext``
package; then (d) the full pipeline in 2 worker processes (each loads the parser
once, load time excluded) and (e) the cold start of a ready parser in a fresh
subprocess (gazetteer from the on-disk cache + spaCy load), and (f) the bare NER pass
in 2 worker processes, the ceiling that (d) cannot pass. Throughput is timed
without tracing; peak memory is the tracemalloc peak of Python allocations during a
second pass (native buffers of spaCy
and numpy are not counted); for (d) and (e) it is the child's ``ru_maxrss``.
This is a measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor


def read_texts(paths: list[str], limit: int | None) -> list[str]:
    texts: list[str] = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    texts.append(json.loads(line)["text"])
    return texts[:limit] if limit else texts


def measure(func, texts):
    """(documents/s, peak MiB): timed in one pass, memory traced in a second one.

    tracemalloc slows every Python allocation, so a traced pass would penalise
    Python-heavy code (ours) more than native code (spaCy's) and skew the ratios.
    """
    start = time.perf_counter()
    func(texts)
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    func(texts)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return len(texts) / elapsed, peak / 2**20


_WORKER = None
_BARE = False


def _init_worker(bare: bool = False) -> None:
    global _WORKER, _BARE
    from geodata.pipeline import Geoparser

    _WORKER = Geoparser()
    _BARE = bare
    list(_WORKER.parse(["Warm up in Paris."]))


def _work(chunk: list[str]) -> tuple[int, float]:
    out = list(_WORKER.nlp.pipe(chunk, batch_size=32)) if _BARE else list(_WORKER.parse(chunk))
    return len(out), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def parallel(texts: list[str], workers: int = 2, bare: bool = False) -> tuple[float, float]:
    chunks = [texts[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(bare,)) as pool:
        list(pool.map(_work, [["ready"]] * workers))  # wait until every worker has loaded
        start = time.perf_counter()
        results = list(pool.map(_work, chunks))
        elapsed = time.perf_counter() - start
    return len(texts) / elapsed, max(r[1] for r in results)


COLD = (
    "import time, resource; t = time.perf_counter();"
    "from geodata.pipeline import Geoparser; g = Geoparser();"
    "list(g.parse(['Ready in Paris.']));"
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
)


def cold_start() -> tuple[float, float]:
    subprocess.run(
        [sys.executable, "-c", "from geodata.gazetteer import load_gazetteer;load_gazetteer()"],
        check=True,
    )  # make sure the cache exists
    out = subprocess.run(
        [sys.executable, "-c", COLD], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpora", nargs="+", help="JSONL files with a 'text' field")
    parser.add_argument("--limit", type=int, default=None, help="first N documents only")
    args = parser.parse_args()
    texts = read_texts(args.corpora, args.limit)

    from geotext import GeoText

    from geodata.pipeline import Geoparser

    geoparser = Geoparser()
    nlp = geoparser.nlp
    list(geoparser.parse(texts[:2]))  # warm caches (automaton, vocab)
    rows = []
    full = measure(lambda ts: list(geoparser.parse(ts)), texts)
    rows.append(("(a) newsmap full pipeline", *full))
    bare = measure(lambda ts: list(nlp.pipe(ts, batch_size=32)), texts) if nlp else (0.0, 0.0)
    rows.append(("(b) bare spaCy NER (nlp.pipe)", *bare))
    peer = measure(lambda ts: [GeoText(t).cities for t in ts], texts)
    rows.append(("(c) geotext", *peer))
    par = parallel(texts)
    rows.append(("(d) full pipeline, 2 processes", *par))
    bare_par = parallel(texts, bare=True) if nlp else (0.0, 0.0)
    rows.append(("(f) bare spaCy NER, 2 processes", *bare_par))
    cold = cold_start()

    print(f"documents: {len(texts)} from {', '.join(args.corpora)}")
    print(f"{'run':34} {'docs/s':>10} {'peak MiB':>10}")
    for name, rate, mem in rows:
        print(f"{name:34} {rate:10.1f} {mem:10.1f}")
    print(f"{'(e) cold start to ready parser':34} {cold[0]:9.2f}s {cold[1]:10.1f}")
    print(f"ratio a/b (full vs bare NER): {full[0] / bare[0]:.2f}" if bare[0] else "no NER")
    print(f"ratio a/c (full vs geotext): {full[0] / peer[0]:.3f}")
    print(f"ratio d/a (2 processes vs 1): {par[0] / full[0]:.2f}")
    if bare_par[0]:
        print(f"ratio d/f (full vs bare NER, both on 2 processes): {par[0] / bare_par[0]:.2f}")
    print(
        "peak memory: (a)-(c) tracemalloc peak of Python allocations during the pass; "
        "(d), (e) ru_maxrss of the child process (whole resident set)"
    )


if __name__ == "__main__":
    main()
