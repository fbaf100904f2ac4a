"""Page-load to map-ready time in Chromium, for the seed and for a 5,000-feature map.

For each case it measures, in one run:

- app: ``streamlit run dashboard.py`` in headless Chromium, from navigation (or
  from the upload of a saved map) until Leaflet has drawn every feature;
- baseline: the same features in newsmap's standalone HTML export, opened from
  a file (Leaflet alone, no Streamlit, no server);

and prints both medians and the ratio app / baseline. For the seed in the app it
also prints the page weight (bytes of every response body the page loaded, the
map's iframe included) and when the basemap's place names were on show.

The 5,000-feature map is made from the gazetteer: the 5,000 most populous
towns, as a saved-map GeoJSON that the app opens through its uploader.

Usage: ``python benchmarks/browser_bench.py [--repeat 3] [--features 5000] [--root DIR]``
(``--root``: the checkout whose app to measure, e.g. an older commit's worktree for a
before/after comparison; default this one).
Needs /usr/bin/chromium. Numbers, not asserts.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
IFRAME = 'iframe[title*="streamlit_folium"]'


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_app(root: Path = ROOT) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "streamlit"),
            "run",
            "dashboard.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return process, url
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("streamlit did not start")


def _drawn(page, minimum: int, timeout: float = 300.0) -> float:
    """Wait until the map iframe shows at least ``minimum`` drawn features."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        frames = page.query_selector_all(IFRAME)
        if len(frames) == 1:
            frame = frames[0].content_frame()
            try:
                if frame and frame.locator("path.leaflet-interactive").count() >= minimum:
                    return time.perf_counter()
            except Exception:  # the frame may be replaced by a rerun
                pass
        page.wait_for_timeout(50)
    raise TimeoutError(f"fewer than {minimum} features drawn")


def _labels_shown(page, timeout: float = 30.0) -> float | None:
    """Wait until the map shows place names; None for an app without them."""
    started = time.perf_counter()
    script = "(window.map && window.map.nmLabels) ? window.map.nmLabels.shown().length : -1"
    while time.perf_counter() - started < timeout:
        frames = page.query_selector_all(IFRAME)
        if len(frames) == 1 and frames[0].content_frame():
            try:
                shown = frames[0].content_frame().evaluate(script)
            except Exception:  # the frame may be replaced by a rerun
                shown = 0
            if shown == -1:
                return None
            if shown > 0:
                return time.perf_counter()
        page.wait_for_timeout(50)
    return None


def _seed_in_app(browser, url: str, points: int) -> tuple[Any, float, float | None, int]:
    """Open the app on the seed: (page, s to drawn, s to names shown or None, bytes)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    finished: list[Any] = []
    # (a lambda: Playwright tags its handlers with an attribute, which a bound
    # builtin such as list.append cannot take)
    page.on("requestfinished", lambda request: finished.append(request))
    started = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    drawn = _drawn(page, points) - started
    named = _labels_shown(page)
    page.wait_for_timeout(1000)  # late requests (fonts, the basemap) land
    weight = sum(max(0, request.sizes()["responseBodySize"]) for request in finished)
    return page, drawn, None if named is None else named - started, weight


def _big_map(path: Path, count: int) -> int:
    from geodata.gazetteer import load_gazetteer
    from geodata.schema import rows_to_frame
    from layers.app.corrections import apply_corrections, empty_corrections, place_to_candidate
    from layers.files.export import to_geojson

    gazetteer = load_gazetteer()
    order = gazetteer.population.argsort()[::-1]
    corrections = empty_corrections()
    for index in order:
        if gazetteer.kind[index] == "populated_place":
            corrections["added"].append(place_to_candidate(gazetteer.place(int(index))))
        if len(corrections["added"]) == count:
            break
    sites = apply_corrections(rows_to_frame([]), corrections)
    path.write_text(to_geojson(sites), encoding="utf-8")
    return len(sites)


def _standalone(sites_geojson: str, target: Path) -> None:
    from layers.catalog import build_layers
    from layers.files.export import read_geojson, to_html
    from layers.map.render import render_map

    sites = read_geojson(sites_geojson)
    target.write_text(to_html(render_map(build_layers(sites))), encoding="utf-8")


def _report(results: dict[str, list[float]], weights: list[int], big_count: int) -> None:
    """Print the medians, the ratios app / baseline and the seed's page weight."""
    print(f"seed page weight: {statistics.median(weights) / 1e6:.2f} MB (median)")
    print(f"{'case':34s} {'median s':>9s}")
    for name, values in results.items():
        print(f"{name:34s} {statistics.median(values):9.2f}")
    for case in ("seed", f"{big_count} features"):
        app = next(v for k, v in results.items() if k.startswith(case + ": app"))
        base = results[f"{case}: baseline"]
        print(f"ratio {case} app/baseline: {statistics.median(app) / statistics.median(base):.2f}")
    print(json.dumps({k: round(statistics.median(v), 3) for k, v in results.items()}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--features", type=int, default=5000)
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from geodata.pipeline import extract_sites
    from layers.files.export import to_geojson

    workdir = Path(tempfile.mkdtemp(prefix="newsmap-bench-"))
    seed_text = sorted((ROOT / "seeds").glob("*.txt"))[0].read_text(encoding="utf-8")
    seed_sites = extract_sites(seed_text)
    seed_file = workdir / "seed.html"
    _standalone(to_geojson(seed_sites), seed_file)
    big_json = workdir / "big.geojson"
    big_count = _big_map(big_json, args.features)
    big_file = workdir / "big.html"
    _standalone(big_json.read_text(encoding="utf-8"), big_file)
    seed_points = max(1, int(0.9 * len(seed_sites)))

    process, url = _start_app(args.root)
    results: dict[str, list[float]] = {}
    weights: list[int] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for _ in range(args.repeat):
                page, drawn, named, weight = _seed_in_app(browser, url, seed_points)
                results.setdefault("seed: app", []).append(drawn)
                if named is not None:
                    results.setdefault("seed: app, names shown", []).append(named)
                weights.append(weight)
                uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
                started = time.perf_counter()
                uploader.set_input_files(str(big_json))
                results.setdefault(f"{big_count} features: app (upload)", []).append(
                    _drawn(page, int(0.9 * big_count)) - started
                )
                page.close()
                for name, target, minimum in (
                    ("seed: baseline", seed_file, seed_points),
                    (f"{big_count} features: baseline", big_file, int(0.9 * big_count)),
                ):
                    page = browser.new_page(viewport={"width": 1400, "height": 900})
                    started = time.perf_counter()
                    page.goto(target.as_uri(), wait_until="domcontentloaded")
                    while page.locator("path.leaflet-interactive").count() < minimum:
                        page.wait_for_timeout(20)
                    results.setdefault(name, []).append(time.perf_counter() - started)
                    page.close()
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)

    _report(results, weights, big_count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
