"""Concurrent sessions on one server: latency, isolation and memory per session.

Starts one ``streamlit run dashboard.py`` (saved maps in a throwaway database) and
one headless Chromium, then drives ``--sessions`` browser contexts at once, each
with its own article, a rejection and a layer switched off and on again (the
driver is ``tests/load.py``, shared with ``tests/test_load_browser.py``). Prints:

- p50 / p95 / max seconds from each action (open, paste, reject, toggle off,
  toggle on) to the map frame drawing the updated features, and over all actions;
- cross-talk (another session's features or corrections, a rejected place back,
  a correction lost) and errors (exceptions, console errors, requests off
  localhost, timeouts), each listed;
- the server's memory (RSS of the process and its children): before any session,
  after a warm-up session, at peak, and (peak - warm-up) / sessions.

Usage: ``python benchmarks/load_bench.py [--sessions 40] [--timeout 600] [--stagger 1.5]``.
Exit status 1 if there was cross-talk or an error. Needs /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's code, and its tests package

from tests.browser import streamlit_process  # noqa: E402
from tests.load import MAX_SESSIONS, report, run_load, server_log_tail  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=40, help=f"1 to {MAX_SESSIONS}")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="longest wait for one step, seconds"
    )
    # 40 pages opening at once on 2 cores take minutes (Chromium draws each); the
    # sessions still all act at once (they wait for each other to be open).
    parser.add_argument("--stagger", type=float, default=1.5, help="seconds between session starts")
    args = parser.parse_args()
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions must be 1 to {MAX_SESSIONS}")
    with tempfile.TemporaryDirectory(prefix="newsmap-load-") as folder:
        os.environ["NEWSMAP_DB"] = str(Path(folder) / "maps.sqlite3")
        log = Path(folder) / "streamlit.log"
        load = os.getloadavg()
        cpus = os.cpu_count()
        print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({cpus} cpus)")
        started = time.monotonic()
        with streamlit_process(log) as (process, url):
            print(f"server up in {time.monotonic() - started:.1f} s at {url} (pid {process.pid})")
            result = run_load(
                url, args.sessions, process.pid, timeout_s=args.timeout, stagger_s=args.stagger
            )
            print(report(result))
            load = os.getloadavg()
            print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
            if result.errors:
                print("server log (end):\n" + server_log_tail(log))
    return 1 if result.crosstalk or result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
