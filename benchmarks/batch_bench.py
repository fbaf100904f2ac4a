"""Corpus batch: documents/s on 1 and 2 workers, against spaCy's bare NER, and client memory.

Usage::

    python benchmarks/batch_bench.py /work/shared/data/geoparse-dev/lgl.jsonl \\
        /work/shared/data/geoparse-dev/geovirus.jsonl [--documents 1600] [--memory-documents 800]

The texts of the given JSON Lines corpora (any files with a ``text`` field) are
repeated with new ids into a corpus of ``--documents`` lines in a temporary
folder (nothing is written into the repository). Everything below is measured
in this one run, on this machine, so the ratios compare like with like:

1. ``newsmap batch`` on 1 worker (in-process) and on 2 workers (a LocalCluster
   of 2 processes): documents/s over the whole run, start-up included
   (a worker loads the gazetteer and the NER pipeline once).
2. The bare spaCy NER pass (``nlp.pipe`` of the same pipeline over the same
   texts) in 2 processes: the floor a geoparser on spaCy cannot beat. Beside
   it, the package's pipeline as spaCy loads it by default (all components),
   which is what running "spaCy NER" costs without newsmap's trimming. Both
   over at most 1,600 of the texts (steady rates).
3. The client's peak RSS (the process that plans and collects, not its
   workers) for a 1x and a 10x corpus on 2 workers: streaming means the ratio
   stays near 1.
4. The workers' peak RSS, as they report it.

Each batch runs in its own child process (``--child``), so the client's memory
is its own. Targets from issue 14: 2 workers >= 1.8x 1 worker; 2 workers >=
0.9x the bare NER pass on 2 processes; client RSS 10x / 1x <= 1.2. This prints
figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _texts(paths: list[str]) -> list[str]:
    texts = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    text = json.loads(line).get("text")
                    if isinstance(text, str) and text.strip():
                        texts.append(text)
    if not texts:
        raise SystemExit("no texts in the corpora given")
    return texts


def _write_corpus(texts: list[str], count: int, path: Path) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            record = {"id": f"doc{i:07d}", "text": texts[i % len(texts)]}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def _child(corpus: str, output: str, workers: int) -> None:
    """Run one batch in this process and print its summary as JSON."""
    from geodata.batch import run_batch, summary_dict

    summary = run_batch(corpus, output, workers=workers, overwrite=True, quiet=True)
    print(json.dumps(summary_dict(summary)))


def _run_batch(corpus: Path, workers: int, folder: Path) -> dict:
    """Run a batch in a child process; return its summary plus the client's peak RSS."""
    import psutil

    output = folder / f"out-{workers}-{corpus.stem}"
    command = [sys.executable, __file__, "--child", str(corpus), str(output), str(workers)]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    peak = [0]

    def sample() -> None:
        process = psutil.Process(child.pid)
        while child.poll() is None:
            try:
                peak[0] = max(peak[0], process.memory_info().rss)
            except psutil.NoSuchProcess:
                return
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = child.communicate()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"batch on {workers} worker(s) failed with code {child.returncode}")
    summary = json.loads(out.strip().splitlines()[-1])
    summary["wall"] = time.perf_counter() - started
    summary["client_peak_mb"] = peak[0] / 1e6
    return summary


def _ner_half(texts: list[str], ready: Any, start: Any, shipped: bool) -> float:
    """Load the pipeline, say so, wait for the start signal, run NER; return seconds.

    ``shipped``: the package's pipeline as spaCy loads it by default (tagger,
    parser, lemmatizer... all run); else newsmap's (:func:`load_nlp`: only the
    sentence recogniser and the NER).
    """
    import importlib

    from geodata.recognize import load_nlp

    nlp = load_nlp()
    if nlp is None:
        raise SystemExit("no spaCy pipeline installed")
    if shipped:
        nlp = importlib.import_module(nlp.meta["newsmap_package"]).load()
    ready.put(True)
    start.wait()
    began = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=32):
        pass
    return time.perf_counter() - began


def _bare_ner(texts: list[str], processes: int = 2, shipped: bool = False) -> float:
    """Documents/s of spaCy's pipeline alone over ``texts`` in ``processes`` processes.

    Timed from the moment every process has loaded its pipeline, so it is the
    steady rate; the batch's figure includes its start-up, which favours the floor.
    """
    manager = multiprocessing.Manager()
    ready, start = manager.Queue(), manager.Event()
    shares = [texts[i::processes] for i in range(processes)]
    with multiprocessing.Pool(processes) as pool:
        results = [pool.apply_async(_ner_half, (share, ready, start, shipped)) for share in shares]
        for _ in shares:  # every pipeline loaded: start the clock
            ready.get()
        start.set()
        began = time.perf_counter()
        for result in results:
            result.get()
        wall = time.perf_counter() - began
    return len(texts) / wall


def main() -> int:
    if len(sys.argv) >= 2 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpora", nargs="+", help="JSON Lines files with a 'text' field")
    parser.add_argument("--documents", type=int, default=1600, help="documents per speed run")
    parser.add_argument(
        "--memory-documents", type=int, default=800, help="the 1x corpus of the memory runs"
    )
    args = parser.parse_args()
    texts = _texts(args.corpora)
    with tempfile.TemporaryDirectory(prefix="newsmap-batch-bench-") as name:
        folder = Path(name)
        corpus = _write_corpus(texts, args.documents, folder / "speed.jsonl")
        size = corpus.stat().st_size / 1e6
        print(f"corpus: {args.documents:,} documents, {size:.1f} MB, from {len(texts):,} texts")
        one = _run_batch(corpus, 1, folder)
        two = _run_batch(corpus, 2, folder)
        # the floors are steady rates: 1,600 documents measure them as well as more
        floor_texts = [texts[i % len(texts)] for i in range(min(args.documents, 1600))]
        ner = _bare_ner(floor_texts)
        shipped = _bare_ner(floor_texts, shipped=True)
        print(f"{'run':<36}{'docs/s':>9}{'wall s':>9}{'client MB':>11}{'worker MB':>11}")
        for label, run in (("batch, 1 worker (in-process)", one), ("batch, 2 workers", two)):
            print(
                f"{label:<36}{run['documents_per_second']:>9.1f}{run['wall']:>9.1f}"
                f"{run['client_peak_mb']:>11.0f}{run.get('worker_peak_rss_mb') or 0:>11.0f}"
            )
        print(f"{'bare spaCy NER, 2 processes':<36}{ner:>9.1f}")
        print(f"{'spaCy as shipped, 2 processes':<36}{shipped:>9.1f}")
        speedup = two["documents_per_second"] / one["documents_per_second"]
        print(f"ratio 2 workers / 1 worker: {speedup:.2f} (target >= 1.8)")
        print(
            f"ratio batch on 2 workers / bare NER on 2 processes: "
            f"{two['documents_per_second'] / ner:.2f} (target >= 0.9)"
        )
        print(
            f"ratio batch on 2 workers / spaCy's pipeline as shipped on 2 processes: "
            f"{two['documents_per_second'] / shipped:.2f}"
        )
        small = _write_corpus(texts, args.memory_documents, folder / "x1.jsonl")
        large = _write_corpus(texts, args.memory_documents * 10, folder / "x10.jsonl")
        x1 = _run_batch(small, 2, folder)
        x10 = _run_batch(large, 2, folder)
        print(
            f"client peak RSS on 2 workers: 1x ({args.memory_documents:,} docs) "
            f"{x1['client_peak_mb']:.0f} MB, 10x {x10['client_peak_mb']:.0f} MB, ratio "
            f"{x10['client_peak_mb'] / x1['client_peak_mb']:.2f} (target <= 1.2); "
            f"10x at {x10['documents_per_second']:.1f} docs/s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
