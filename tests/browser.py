"""What the real-browser tests share: Chromium, one ``streamlit run`` server, page helpers.

The server and the browser are started once per test session (fixtures in
``tests/conftest.py``); every test gets its own browser context, so its own page
load and its own Streamlit session (session state, sessionStorage), and nothing
carries over from one test to the next but the server's caches.

Waits are on conditions, never on fixed sleeps: Streamlit's script state (the
``data-test-script-state`` attribute of the app element, ``running`` while the
script runs), the map's JavaScript objects in the streamlit-folium frame, the
drawn features, the download event.

Chromium is the system one (``/usr/bin/chromium``); if it is missing the tests
fail (they are not skipped), since CI installs it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
STREAMLIT = Path(sys.executable).parent / "streamlit"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"
VIEWPORT = {"width": 1400, "height": 900}

MAP_IFRAME = 'iframe[title*="streamlit_folium"]'
#: Every vector feature Leaflet draws (circle markers, polylines, GeoJSON areas)
#: is an SVG path with this class; the Natural Earth basemap is not interactive.
DRAWN = "path.leaflet-interactive"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
IGNORED_SCHEMES = {"data", "blob", "about", "chrome-extension", "file"}
STARTUP_TIMEOUT = 120.0
TIMEOUT = 60.0
MIN_FEATURES = 20
#: How long the app must stay idle to count as done: Streamlit starts a rerun
#: that the script asks for (``st.rerun``) some milliseconds after the run that
#: asked, and the app reads "not running" in between.
SETTLE_MS = 400
#: Counts the script runs of the page (each change of the app's script state to
#: ``running``), so that a test can wait for the run its action started.
RUN_COUNTER = """
(() => {
  window.__newsmapRuns = 0;
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.target.getAttribute('data-test-script-state') === 'running') {
        window.__newsmapRuns += 1;
      }
    }
  }).observe(document, {
    subtree: true, attributes: true, attributeFilter: ['data-test-script-state'],
  });
})();
"""
#: True once the app has been idle (script not running, connected) for ``settle`` ms.
IDLE_FOR = """
(settle) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const idle = !!app
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && app.getAttribute('data-test-connection-state') === 'CONNECTED';
  const now = performance.now();
  if (!idle) { window.__newsmapIdleSince = null; return false; }
  if (window.__newsmapIdleSince == null) { window.__newsmapIdleSince = now; }
  return now - window.__newsmapIdleSince >= settle;
}
"""


# --------------------------------------------------------------------------- server, browser


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except OSError:
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:  # the server runs in its own session: signal its whole process group
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


@contextmanager
def streamlit_server(log_path: Path) -> Iterator[str]:
    """Run ``streamlit run dashboard.py`` on a free port; yield its URL."""
    with streamlit_process(log_path) as (_process, url):
        yield url


@contextmanager
def streamlit_process(log_path: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    """Run ``streamlit run dashboard.py`` on a free port; yield the process and its URL.

    The process is the server's (its memory is what ``tests/load.py`` measures).
    """
    assert STREAMLIT.exists(), f"streamlit not found next to the interpreter: {STREAMLIT}"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(STREAMLIT),
                "run",
                "dashboard.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                # nothing else: the shipped .streamlit/config.toml (address, XSRF,
                # upload cap, no usage stats) is what every browser test runs under
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while not _healthy(url):
                if process.poll() is not None:
                    pytest.fail(
                        f"streamlit exited with code {process.returncode}:\n"
                        + log_path.read_text(errors="replace")[-4000:]
                    )
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"streamlit not healthy after {STARTUP_TIMEOUT:.0f} s:\n"
                        + log_path.read_text(errors="replace")[-4000:]
                    )
                time.sleep(0.2)
            yield process, url
        finally:
            _stop(process)


@contextmanager
def chromium() -> Iterator[Browser]:
    """The system Chromium, headless."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need the Debian 'chromium' package "
            "(Playwright's own download is not used)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


class BrowserPage:
    """A fresh page (own context, so own Streamlit session) and what it fetched."""

    def __init__(self, context: BrowserContext, page: Page, url: str) -> None:
        self.context = context
        self.page = page
        self.url = url
        self.requests: list[str] = []
        self.external: list[str] = []
        self.page_errors: list[str] = []

    def on_request(self, request) -> None:
        url = request.url
        self.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme in IGNORED_SCHEMES:
            return
        if parts.hostname not in LOCAL_HOSTS:
            self.external.append(url)

    def assert_offline(self) -> None:
        # A round trip to the browser delivers the request events already sent;
        # the short wait lets the requests the last step started be reported.
        self.page.wait_for_timeout(250)
        assert self.external == [], f"requests left localhost: {self.external}"


@contextmanager
def browser_page(
    browser: Browser, url: str, name: str, failed: Callable[[], bool], viewport: dict | None = None
) -> Iterator[BrowserPage]:
    """A new context and page on ``url``, recording requests; screenshot if ``failed()``."""
    context = browser.new_context(viewport=viewport or VIEWPORT, accept_downloads=True)
    context.add_init_script(RUN_COUNTER)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT * 1000)
    state = BrowserPage(context, page, url)
    context.on("request", state.on_request)  # every frame, workers included
    page.on("pageerror", lambda error: state.page_errors.append(str(error)))
    try:
        yield state
    finally:
        if failed():
            ARTIFACTS.mkdir(exist_ok=True)
            try:
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            except Exception as error:
                print(f"could not save the failure screenshot: {error}", file=sys.stderr)
        context.close()


# --------------------------------------------------------------------------- waiting


def wait_for(
    page: Page, condition: Callable[[], object], what: str, timeout: float = TIMEOUT
) -> object:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` s.

    For conditions read through Python (several frames, parsed text). It sleeps
    with ``page.wait_for_timeout`` (not ``time.sleep``) so that Playwright keeps
    dispatching events (requests, page errors) to the listeners meanwhile.
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception as error:  # the iframe may be swapped mid-query by a rerun
            last_error = error
        else:
            if value:
                return value
        page.wait_for_timeout(100)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what} (last error: {last_error})")


def script_runs(page: Page) -> int:
    """How many script runs the page has seen start (see :data:`RUN_COUNTER`)."""
    return int(page.evaluate("window.__newsmapRuns || 0"))


def wait_idle(page: Page, after_run: int | None = None) -> None:
    """Wait until Streamlit has finished its reruns (idle for :data:`SETTLE_MS`).

    With ``after_run`` (a :func:`script_runs` count taken before an action), first
    wait until a run later than that one has started: between a click and the
    run it causes the app still reads "not running" for a moment.

    A click on a download button of an older run does nothing: its deferred data
    belongs to a run that has been replaced.
    """
    if after_run is not None:
        page.wait_for_function("(n) => (window.__newsmapRuns || 0) > n", arg=after_run, polling=50)
    page.evaluate("window.__newsmapIdleSince = null")
    page.wait_for_function(IDLE_FOR, arg=SETTLE_MS, polling=50)


def act(page: Page, action: Callable[[], object]) -> None:
    """Do ``action`` (one that reruns the script) and wait for its reruns to end."""
    before = script_runs(page)
    action()
    wait_idle(page, after_run=before)


# --------------------------------------------------------------------------- the map


def map_frame(page: Page) -> Frame | None:
    """The single live streamlit-folium frame, or None (missing, or two during a rerun)."""
    handles = page.query_selector_all(MAP_IFRAME)
    if len(handles) != 1:
        return None
    return handles[0].content_frame()


def drawn_count(page: Page) -> int | None:
    """Number of features Leaflet drew in the map frame (None when no frame or no Leaflet)."""
    frame = map_frame(page)
    if frame is None or not frame.evaluate("typeof window.L !== 'undefined'"):
        return None
    return frame.locator(DRAWN).count()


def wait_for_drawn(page: Page, expected: int | None = None, minimum: int = 1) -> int:
    """Wait until the map shows ``expected`` features (or at least ``minimum``), stably."""

    def settled() -> int | None:
        first = drawn_count(page)
        if first is None or (expected is not None and first != expected) or first < minimum:
            return None
        # a rerun may be about to swap the iframe: require two equal reads
        page.wait_for_timeout(300)
        return first if drawn_count(page) == first else None

    what = f"{expected} drawn features" if expected is not None else f">= {minimum} features"
    return int(wait_for(page, settled, f"{what} in the map (now {drawn_count(page)})"))


def map_zoom(page: Page) -> int | None:
    """The map's zoom once no zoom animation runs (None before the map exists).

    Leaflet ignores a zoom button pressed while it animates the previous zoom,
    and sets the new zoom as the animation starts.
    """
    frame = map_frame(page)
    if frame is None:
        return None
    # Returns a number, never the map object: serialising Leaflet's object graph
    # back to Python takes seconds.
    zoom = frame.evaluate(
        "(window.map && window.map._loaded && !window.map._animatingZoom)"
        " ? window.map.getZoom() : null"
    )
    return None if zoom is None else int(zoom)


def map_view(page: Page) -> tuple[float, float, int] | None:
    """(lat, lon, zoom) of the loaded map, rounded to 0.1 degree (None before it exists)."""
    frame = map_frame(page)
    if frame is None:
        return None
    view = frame.evaluate(
        "(window.map && window.map._loaded) ? [window.map.getCenter().lat,"
        " window.map.getCenter().lng, window.map.getZoom()] : null"
    )
    if view is None:
        return None
    lat, lng, zoom = view
    return round(lat, 1), round(lng, 1), int(zoom)


def legend_text(page: Page) -> str:
    """Text of the in-map legend (it lists the visible layers with their counts)."""
    frame = map_frame(page)
    assert frame is not None, "map iframe not found"
    legend = frame.locator(".nm-legend")
    return (legend.first.text_content() or "") if legend.count() else ""


def click_at(frame: Frame, lat: float, lon: float) -> None:
    """Click the map where Leaflet draws (lat, lon): on the marker of a place there.

    The map's frame is scrolled to the middle of the page first and the mouse
    clicks at page coordinates, as a person does. (A click on the map element
    at a position, after Playwright's own scrolling, could land under the pages'
    navigation bar or beside the point when the frame was partly below the fold.)
    """
    iframe = frame.frame_element()
    iframe.evaluate("(el) => el.scrollIntoView({block: 'center', inline: 'nearest'})")
    x, y = frame.evaluate(
        "([lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]);"
        " const r = window.map.getContainer().getBoundingClientRect();"
        " return [r.x + p.x, r.y + p.y]; }",
        [lat, lon],
    )
    box = iframe.bounding_box()
    assert box is not None, "the map's frame is not on the page"
    frame.page.mouse.click(box["x"] + x, box["y"] + y)


# --------------------------------------------------------------------------- the page


def open_dashboard(browser_page: BrowserPage) -> int:
    """Load the app, wait until the seed article's map is drawn and the app is idle.

    Returns the number of features drawn.
    """
    page = browser_page.page
    page.goto(browser_page.url, wait_until="domcontentloaded")
    drawn = wait_for_drawn(page, minimum=MIN_FEATURES)
    wait_idle(page)
    return drawn


def layer_checkbox(page: Page, title: str):
    return (
        page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]')
        .filter(has_text=title)
        .first
    )


def label_count(page: Page, title: str) -> int:
    """The feature count in parentheses in a layer checkbox label."""
    label = layer_checkbox(page, title).inner_text().strip()
    match = re.search(r"\((\d+)\)\s*$", label)
    assert match, f"no count in checkbox label {label!r}"
    return int(match.group(1))


def set_layer(page: Page, title: str, on: bool) -> None:
    box = layer_checkbox(page, title)
    checkbox = box.locator('input[type="checkbox"]')
    if checkbox.is_checked() != on:
        box.locator("label").click()
    wait_for(page, lambda: checkbox.is_checked() == on, f"checkbox {title!r} to be {on}")


def features_heading(page: Page) -> tuple[int, int]:
    """(shown, total) from the "Features (N of M)" heading."""
    text = page.get_by_role("heading", name=re.compile(r"^Features \(")).inner_text()
    match = re.search(r"\((\d+) of (\d+)\)", text)
    assert match, text
    return int(match.group(1)), int(match.group(2))


def selected_feature_label(page: Page) -> str:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Selected feature").first
    return box.locator("input").input_value()


def choose_feature(page: Page, typed: str, expected: str) -> None:
    """Pick a feature in the "Selected feature" box by typing (as a person does), wait
    until the box shows exactly ``expected`` and the app is idle."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Selected feature").first

    def choose() -> None:
        box.click()
        page.keyboard.type(typed)
        # The option by its name: Enter would take whichever is highlighted, which
        # can be the current choice when it matches too ("Visit in Karbala").
        page.get_by_role("option", name=expected, exact=True).click()

    act(page, choose)
    wait_for(page, lambda: selected_feature_label(page) == expected, f"{expected!r} selected")
    wait_idle(page)


def download_bytes(page: Page, button: str) -> bytes:
    """Click a download button once the app is idle (files are built on click, by the
    run that drew the button) and return the file it delivers."""
    wait_idle(page)
    with page.expect_download(timeout=TIMEOUT * 1000) as info:
        page.get_by_role("button", name=button, exact=True).click()
    path = info.value.path()
    assert path is not None, f"download of {button!r} failed: {info.value.failure()}"
    return Path(path).read_bytes()


def download_json(page: Page, button: str) -> dict:
    """Download a GeoJSON button's file and parse it."""
    return json.loads(download_bytes(page, button).decode("utf-8"))


def drawing_order(frame: Frame | Page, map_js: str) -> list[str]:
    """What the map draws, bottom to top, runs of one layer counted once.

    The map's panes are read in their stacking order (CSS ``z-index``). Basemap
    paths are named by their stroke colour (``render._BASEMAP_STYLE``), place names
    on show are "label", features are "feature".
    """
    from layers.map.render import _BASEMAP_STYLE

    by_colour = {style["color"]: layer for layer, style in _BASEMAP_STYLE.items()}
    strokes = frame.evaluate(
        f"""() => {{
          const panes = [...{map_js}.getPane('mapPane').children].map((pane, i) =>
            [Number(getComputedStyle(pane).zIndex) || 0, i, pane]);
          panes.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
          const out = [];
          for (const [, , pane] of panes) {{
            for (const el of pane.querySelectorAll('path, .nm-label')) {{
              if (el.classList.contains('nm-label')) {{
                if (el.style.display !== 'none') out.push('label');
              }} else {{
                out.push(el.classList.contains('leaflet-interactive')
                  ? 'feature' : el.getAttribute('stroke'));
              }}
            }}
          }}
          return out;
        }}"""
    )
    order: list[str] = []
    for stroke in strokes:
        layer = by_colour.get(stroke, stroke)
        if not order or order[-1] != layer:
            order.append(layer)
    return order
