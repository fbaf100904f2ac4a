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

Each warm rerun is reported twice: the wall time of AppTest's ``run()`` (which adds
the harness's parsing of every element the page sends, more for a bigger page) and
the server time of the script itself (``dashboard.py`` run as Streamlit runs it,
timed inside the run).

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
    folder = tempfile.mkdtemp()
    timed_app = Path(folder) / "timed_dashboard.py"
    # Runs dashboard.py as Streamlit does (the whole file, as __main__, on every
    # rerun) and records how long that took: the server time of the rerun.
    timed_app.write_text(
        "import runpy, sys, time\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import streamlit as st\n"
        "started = time.perf_counter()\n"
        "try:\n"
        f"    runpy.run_path({APP!r}, run_name='__main__')\n"
        "finally:\n"
        "    st.session_state['_script_ms'] = (time.perf_counter() - started) * 1000\n",
        encoding="utf-8",
    )
    at = AppTest.from_file(str(timed_app), default_timeout=300).run()
    script_ms: dict[str, list[float]] = {}
    results: dict[str, list[float]] = {
        "rerun (no change)": [],
        "layer toggle": [],
        "filter change": [],
        "correction (reject)": [],
        "basemap change": [],
        "text edit (cache miss)": [],
    }

    def record(name: str, action) -> None:
        results[name].append(_timed(action))
        script_ms.setdefault(name, []).append(at.session_state["_script_ms"])

    for i in range(args.repeat):
        record("rerun (no change)", lambda: at.run())
        box = at.checkbox(key="layer_places")
        record("layer toggle", lambda b=box: b.set_value(not b.value).run())
        slider = at.slider(key="min_confidence")
        level = 0.3 if slider.value == 0.0 else 0.0
        record("filter change", lambda s=slider, v=level: s.set_value(v).run())
        at.slider(key="min_confidence").set_value(0.0).run()
        at.selectbox(key="selected_box").set_value("country:GB").run()
        reject = at.button(key="reject_country:GB")
        record("correction (reject)", lambda b=reject: b.click().run())
        at.button(key="clear_corrections").click().run()
        radio = at.radio(key="basemap")
        new = "osm" if radio.value == "naturalearth" else "naturalearth"
        record("basemap change", lambda r=radio, v=new: r.set_value(v).run())
        text = at.text_area(key="text")
        record(
            "text edit (cache miss)",
            lambda t=text, n=i: t.set_value(t.value + f" Extra line {n} about Basra.").run(),
        )
    baseline = statistics.median(results["rerun (no change)"])
    print(f"cold start (fresh process, first run): {cold * 1000:8.0f} ms")
    print(f"AppTest harness, trivial script rerun: {overhead * 1000:8.0f} ms")
    script_baseline = statistics.median(script_ms["rerun (no change)"])
    print(
        f"{'warm rerun (median ms)':28s} {'AppTest':>8s} {'x base':>7s} "
        f"{'script':>8s} {'x base':>7s}"
    )
    for name, values in results.items():
        median = statistics.median(values)
        script = statistics.median(script_ms[name])
        print(
            f"{name:28s} {median * 1000:8.0f} {median / baseline:7.2f} "
            f"{script:8.0f} {script / script_baseline:7.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
