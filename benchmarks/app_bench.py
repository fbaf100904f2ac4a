"""Server-side timing of the dashboard, measured with Streamlit's AppTest.

Prints, for the seed article:

- cold start: the first script run in a fresh process (gazetteer from the on-disk
  cache, spaCy load, geoparse, render, exports);
- the harness's own cost: a rerun of a trivial two-widget script;
- warm reruns: a rerun with nothing changed (the baseline), a rerun after a layer
  toggle, a filter change (minimum confidence), a correction (rejecting a feature:
  the click's run plus the rerun it triggers), a basemap change and after editing
  the text (cache miss), each the median of ``--repeat`` runs, with its ratio to
  the baseline.

Usage: ``python benchmarks/app_bench.py [--repeat 5]``. Numbers, not asserts.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")


def _cold_start() -> float:
    code = (
        "import time; t=time.perf_counter();"
        "from streamlit.testing.v1 import AppTest;"
        f"at=AppTest.from_file({APP!r}, default_timeout=300).run();"
        "assert not at.exception, at.exception;"
        "print(time.perf_counter()-t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return float(out.stdout.strip().splitlines()[-1])


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from streamlit.testing.v1 import AppTest

    # The harness's own cost: a trivial script with a checkbox, rerun the same way.
    with tempfile.TemporaryDirectory() as folder:
        trivial = Path(folder) / "trivial.py"
        trivial.write_text(
            "import streamlit as st\nst.checkbox('x', key='x')\nst.write('hello')\n",
            encoding="utf-8",
        )
        harness = AppTest.from_file(str(trivial)).run()
        overhead = statistics.median(_timed(lambda: harness.run()) for _ in range(args.repeat))

    cold = _cold_start()
    at = AppTest.from_file(APP, default_timeout=300).run()
    results: dict[str, list[float]] = {
        "rerun (no change)": [],
        "layer toggle": [],
        "filter change": [],
        "correction (reject)": [],
        "basemap change": [],
        "text edit (cache miss)": [],
    }
    for i in range(args.repeat):
        results["rerun (no change)"].append(_timed(lambda: at.run()))
        box = at.checkbox(key="layer_places")
        results["layer toggle"].append(_timed(lambda b=box: b.set_value(not b.value).run()))
        slider = at.slider(key="min_confidence")
        level = 0.3 if slider.value == 0.0 else 0.0
        results["filter change"].append(_timed(lambda s=slider, v=level: s.set_value(v).run()))
        at.slider(key="min_confidence").set_value(0.0).run()
        at.selectbox(key="selected_box").set_value("country:GB").run()
        reject = at.button(key="reject_country:GB")
        results["correction (reject)"].append(_timed(lambda b=reject: b.click().run()))
        at.button(key="clear_corrections").click().run()
        radio = at.radio(key="basemap")
        new = "osm" if radio.value == "naturalearth" else "naturalearth"
        results["basemap change"].append(_timed(lambda r=radio, v=new: r.set_value(v).run()))
        text = at.text_area(key="text")
        results["text edit (cache miss)"].append(
            _timed(lambda t=text, n=i: t.set_value(t.value + f" Extra line {n} about Basra.").run())
        )
    baseline = statistics.median(results["rerun (no change)"])
    print(f"cold start (fresh process, first run): {cold * 1000:8.0f} ms")
    print(f"AppTest harness, trivial script rerun: {overhead * 1000:8.0f} ms")
    print(f"{'warm rerun':28s} {'median ms':>10s} {'x baseline':>11s}")
    for name, values in results.items():
        median = statistics.median(values)
        print(f"{name:28s} {median * 1000:10.0f} {median / baseline:11.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
