"""Text length against geoparsing time: does the cost grow linearly?

Usage: ``python benchmarks/length_bench.py [--sizes 10000 100000 1000000] [--repeat 1]``

For each kind of text, at each size, it times ``extract_sites`` (the app's and
the CLI's path: recognition, resolution, confidence, sites and incidents) on one
warmed-up geoparser and prints seconds, seconds per 100 kB, and the cost per
character relative to the same kind's smallest size (1.0 = linear; 10 would be
quadratic between 10 kB and 100 kB). The baseline is measured in the same run.

Kinds of text:

- ``prose``: the seed article repeated (news sentences, a few dozen places);
- ``repeated names``: one sentence naming four places, repeated (every mention
  is a candidate; the pathological case of the hostile-input issue);
- ``long tokens``: 400-character tokens of letters, no sentence ends;
- ``list``: comma-separated capitalised place names, no sentence ends;
- ``markup run``: one run of ``<`` with no space (a tokenizer's worst case);
- ``capitalised run``: one place name repeated, no punctuation at all.

This is a measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _fill(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _prose(size: int) -> str:
    seed = sorted((ROOT / "seeds").glob("*.txt"))[0].read_text(encoding="utf-8")
    return _fill(seed.strip() + "\n\n", size)


def _repeated(size: int) -> str:
    return _fill("Aid reached Irbil, Iraq, and the Black Sea port of Odesa. ", size)


def _long_tokens(size: int) -> str:
    rng = random.Random(7)
    token = "".join(rng.choice(string.ascii_letters) for _ in range(400))
    return _fill(token + " ", size)


def _markup_run(size: int) -> str:
    # one run of punctuation with no space: spaCy's tokenizer split it an affix at a
    # time (20,000 '<' took 37 s before the recogniser cut over-long runs)
    return _fill("<", size)


def _capitalised_run(size: int) -> str:
    # capitalised words with no sentence end: a pattern over runs of names backtracked
    return _fill("Baghdad ", size)


def _list(size: int) -> str:
    names = ["Paris", "Lagos", "Basra", "Quito", "Perth", "Hanoi", "Tunis", "Kyiv"]
    return _fill(", ".join(names) + ", ", size)


KINDS: dict[str, Callable[[int], str]] = {
    "prose": _prose,
    "repeated names": _repeated,
    "long tokens": _long_tokens,
    "list": _list,
    "markup run": _markup_run,
    "capitalised run": _capitalised_run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)

    from geodata.pipeline import Geoparser, extract_sites

    geoparser = Geoparser()
    extract_sites(_prose(5_000), geoparser=geoparser)  # warm-up: models, caches

    sizes = sorted(args.sizes)
    print(f"{'text':<16}{'chars':>10}{'s':>9}{'s/100kB':>9}{'per-char vs smallest':>22}")
    for kind, make in KINDS.items():
        base = None
        for size in sizes:
            text = make(size)
            runs = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                extract_sites(text, geoparser=geoparser)
                runs.append(time.perf_counter() - started)
            seconds = statistics.median(runs)
            per_char = seconds / size
            base = base or per_char
            print(
                f"{kind:<16}{size:>10,}{seconds:>9.2f}{seconds / size * 100_000:>9.2f}"
                f"{per_char / base:>22.2f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
