"""Real-browser tests: ``streamlit run dashboard.py`` driven by Chromium (Playwright).

They check that the map is really drawn by Leaflet inside the streamlit-folium
iframe, that Leaflet comes from ``/app/static/vendor/`` and that no request ever
leaves localhost, that the sidebar layer checkboxes change what is drawn, and that
the GeoJSON downloads are well formed. ``test_screenshot_dashboard`` writes
``docs/dashboard.png`` (the README screenshot).

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
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, Page, sync_playwright

pytestmark = pytest.mark.browser

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
SCREENSHOT = ROOT / "docs" / "dashboard.png"
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


# --------------------------------------------------------------------------- helpers


def wait_for(
    page: Page, condition: Callable[[], object], what: str, timeout: float = TIMEOUT
) -> object:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` s.

    It sleeps with ``page.wait_for_timeout`` (not ``time.sleep``) so that Playwright keeps
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
        page.wait_for_timeout(250)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what} (last error: {last_error})")


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
        page.wait_for_timeout(500)
        return first if drawn_count(page) == first else None

    what = f"{expected} drawn features" if expected is not None else f">= {minimum} features"
    return int(wait_for(page, settled, f"{what} in the map (now {drawn_count(page)})"))


def legend_text(page: Page) -> str:
    """Text of the in-map legend (it lists the visible layers with their counts)."""
    frame = map_frame(page)
    assert frame is not None, "map iframe not found"
    legend = frame.locator(".nm-legend")
    return (legend.first.text_content() or "") if legend.count() else ""


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


def download_json(page: Page, button: str) -> dict:
    """Click a download button once the app is idle (files are built on click, by the
    run that drew the button) and parse the GeoJSON it delivers."""
    return json.loads(download_bytes(page, button).decode("utf-8"))


def open_dashboard(browser_page: BrowserPage) -> int:
    """Load the app and wait until the seed article's map is drawn; return the count."""
    browser_page.page.goto(browser_page.url, wait_until="domcontentloaded")
    return wait_for_drawn(browser_page.page, minimum=MIN_FEATURES)


# --------------------------------------------------------------------------- fixtures


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


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Run ``streamlit run dashboard.py`` on a free port; yield its URL."""
    assert STREAMLIT.exists(), f"streamlit not found next to the interpreter: {STREAMLIT}"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
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
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
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
                time.sleep(0.5)
            yield url
        finally:
            _stop(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
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
        self.page.wait_for_timeout(1000)  # deliver the request events still queued
        assert self.external == [], f"requests left localhost: {self.external}"


@pytest.fixture
def browser_page(
    browser: Browser, app_url: str, request: pytest.FixtureRequest
) -> Iterator[BrowserPage]:
    """A page on the app, recording non-local requests; screenshot on failure."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT * 1000)
    state = BrowserPage(context, page, app_url)
    context.on("request", state.on_request)  # every frame, workers included
    page.on("pageerror", lambda error: state.page_errors.append(str(error)))
    failed_before = request.session.testsfailed
    try:
        yield state
    finally:
        # the call phase's report is logged before fixture teardown runs
        if request.session.testsfailed > failed_before:
            ARTIFACTS.mkdir(exist_ok=True)
            try:
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
            except Exception as error:
                print(f"could not save the failure screenshot: {error}", file=sys.stderr)
        context.close()


# --------------------------------------------------------------------------- tests


def test_map_drawn_offline_with_local_leaflet(browser_page: BrowserPage) -> None:
    page = browser_page.page
    drawn = open_dashboard(browser_page)
    assert drawn >= MIN_FEATURES

    frame = map_frame(page)
    assert frame is not None
    # Leaflet itself, loaded from the app's static folder
    assert frame.evaluate("typeof L === 'object' && typeof L.map === 'function'")
    assert frame.evaluate("L.version").startswith("1.9")
    scripts = frame.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    assert any(urlsplit(s).path == "/app/static/vendor/leaflet/leaflet.js" for s in scripts), (
        scripts
    )
    local_paths = {urlsplit(u).path for u in browser_page.requests}
    assert "/app/static/vendor/leaflet/leaflet.js" in local_paths
    assert "/app/static/vendor/leaflet/leaflet.css" in local_paths
    # the map's own code, from the app's static folder too
    assert "/app/static/vendor/newsmap/newsmap.js" in local_paths
    assert "/app/static/vendor/newsmap/newsmap.css" in local_paths
    # the offline basemap (non-interactive land paths) is drawn under the features
    assert frame.locator(".leaflet-overlay-pane path:not(.leaflet-interactive)").count() > 100
    # ... in its own order: lakes, rivers and borders over the land
    assert drawing_order(frame, "window.map") == ["land", "lake", "river", "border", "feature"]
    assert "Cities and towns" in legend_text(page)
    # layers are switched in the sidebar only: no second, unsynchronised switch in the map
    assert frame.locator(".leaflet-control-layers").count() == 0
    assert browser_page.page_errors == []
    browser_page.assert_offline()


def test_unticking_a_layer_hides_its_features(browser_page: BrowserPage) -> None:
    page = browser_page.page
    before = open_dashboard(browser_page)
    cities = label_count(page, "Cities and towns")
    airports = label_count(page, "Airports")
    assert cities > 0
    assert airports > 0

    set_layer(page, "Cities and towns", False)
    after = wait_for_drawn(page, expected=before - cities)
    assert after == before - cities
    wait_for(
        page,
        lambda: "Cities and towns" not in legend_text(page),
        "the legend to drop Cities and towns",
    )

    # a second rerun (another layer off, then on again) keeps Cities off
    set_layer(page, "Airports", False)
    wait_for_drawn(page, expected=before - cities - airports)
    set_layer(page, "Airports", True)
    assert wait_for_drawn(page, expected=before - cities) == before - cities
    legend = legend_text(page)
    assert "Cities and towns" not in legend
    assert f"Airports ({airports})" in legend
    assert not layer_checkbox(page, "Cities and towns").locator("input").is_checked()
    browser_page.assert_offline()


def test_geojson_downloads(browser_page: BrowserPage) -> None:
    page = browser_page.page
    drawn = open_dashboard(browser_page)

    everything = download_json(page, "GeoJSON (all layers)")
    assert everything["type"] == "FeatureCollection"
    bbox = everything.get("bbox")
    assert isinstance(bbox, list)
    assert len(bbox) == 4
    features = everything["features"]
    assert len(features) >= MIN_FEATURES
    for feature in features:
        props = feature["properties"]
        for key in ("feature_id", "name", "kind", "layer", "evidence"):
            assert key in props, (key, props)
        assert isinstance(props["evidence"], list), props
    assert "Erbil" in {f["properties"]["name"] for f in features}
    assert any(f["properties"]["layer"] == "places" for f in features)

    shown, total = features_heading(page)
    cities = label_count(page, "Cities and towns")
    set_layer(page, "Cities and towns", False)
    wait_for(
        page,
        lambda: features_heading(page) == (shown - cities, total),
        f"the heading to read Features ({shown - cities} of {total})",
    )
    wait_for_drawn(page, expected=drawn - cities)

    visible = download_json(page, "GeoJSON (visible)")
    assert visible["type"] == "FeatureCollection"
    assert len(visible["features"]) == shown - cities
    assert not [f for f in visible["features"] if f["properties"]["layer"] == "places"]
    browser_page.assert_offline()


def test_screenshot_dashboard(browser_page: BrowserPage) -> None:
    page = browser_page.page
    open_dashboard(browser_page)
    frame = map_frame(page)
    assert frame is not None
    frame.locator(".nm-legend").wait_for(state="visible")
    page.wait_for_timeout(1000)  # let fitBounds and the fonts settle before the picture
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.exists()
    assert SCREENSHOT.stat().st_size > 20_000
    browser_page.assert_offline()


# --------------------------------------------------------------------------- analyst views


def map_zoom(page: Page) -> int | None:
    frame = map_frame(page)
    if frame is None or not frame.evaluate("typeof window.map === 'object' && window.map"):
        return None
    return int(frame.evaluate("window.map.getZoom()"))


def drawing_order(frame: Frame | Page, map_js: str) -> list[str]:
    """Layers of the map's overlay pane, bottom to top, runs of one layer counted once.

    Basemap paths are named by their stroke colour (``render._BASEMAP_STYLE``),
    features are "feature".
    """
    from layers.map.render import _BASEMAP_STYLE

    by_colour = {style["color"]: layer for layer, style in _BASEMAP_STYLE.items()}
    strokes = frame.evaluate(
        f"""() => [...{map_js}.getPanes().overlayPane.querySelectorAll('path')].map(p =>
            p.classList.contains('leaflet-interactive') ? 'feature' : p.getAttribute('stroke'))"""
    )
    order: list[str] = []
    for stroke in strokes:
        layer = by_colour.get(stroke, stroke)
        if not order or order[-1] != layer:
            order.append(layer)
    return order


def selected_feature_label(page: Page) -> str:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Selected feature").first
    return box.locator("input").input_value()


def wait_idle(page: Page) -> None:
    """Wait until Streamlit has finished its reruns (no status widget for 1 s).

    A click on a download button of an older run does nothing: its deferred data
    belongs to a run that has been replaced.
    """

    def idle() -> bool:
        if page.locator('[data-testid="stStatusWidget"]').count():
            return False
        page.wait_for_timeout(1000)
        return page.locator('[data-testid="stStatusWidget"]').count() == 0

    wait_for(page, idle, "the app to finish running")


def click_at(frame: Frame, lat: float, lon: float) -> None:
    """Click the map where Leaflet draws (lat, lon): on the marker of a place there."""
    x, y = frame.evaluate(
        "([lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [lat, lon],
    )
    frame.locator(".leaflet-container").first.click(position={"x": x, "y": y})


def download_bytes(page: Page, button: str) -> bytes:
    wait_idle(page)
    with page.expect_download(timeout=TIMEOUT * 1000) as info:
        page.get_by_role("button", name=button, exact=True).click()
    path = info.value.path()
    assert path is not None, f"download of {button!r} failed: {info.value.failure()}"
    return Path(path).read_bytes()


def test_map_controls_work_offline(browser_page: BrowserPage) -> None:
    page = browser_page.page
    open_dashboard(browser_page)
    frame = map_frame(page)
    assert frame is not None
    for selector in (
        ".nm-fullscreen",
        ".nm-measure",
        ".nm-minimap",
        ".nm-legend",
        ".leaflet-control-scale",
    ):
        assert frame.locator(selector).count() == 1, selector
    # the overview map draws the Natural Earth land from the basemap already loaded
    assert frame.locator(".nm-minimap path").count() > 50
    # measure: switch on, click two points 200 px apart, read the total in km
    frame.locator(".nm-measure a").click()
    box = frame.locator(".leaflet-container").first.bounding_box()
    assert box is not None
    # mid-height: clear of the controls (top), the overview map and the legend (bottom)
    y = box["height"] * 0.5
    for x in (200, 400):
        frame.locator(".leaflet-container").first.click(position={"x": x, "y": y})
        page.wait_for_timeout(300)
    total = frame.locator(".nm-measure-total").inner_text()
    assert re.fullmatch(r"\d+(\.\d)? km", total), total
    assert float(total.split()[0]) > 0
    assert browser_page.page_errors == []
    browser_page.assert_offline()


def test_clicking_a_feature_opens_its_details(browser_page: BrowserPage) -> None:
    page = browser_page.page
    open_dashboard(browser_page)
    wait_idle(page)
    assert "click the map" in selected_feature_label(page)
    frame = map_frame(page)
    assert frame is not None
    # Circle markers are SVG paths; click the one Leaflet drew for Erbil by its position.
    click_at(frame, lat=36.19117, lon=44.00943)
    wait_for(page, lambda: "Erbil" in selected_feature_label(page), "Erbil to be selected")
    wait_for(
        page,
        lambda: page.get_by_text("lat 36.1912, lon 44.0094").count() > 0,
        "the details panel to show Erbil's coordinates",
    )
    # the map zooms to the selection
    wait_for(page, lambda: (map_zoom(page) or 0) >= 7, "the map to zoom to the selection")
    assert browser_page.page_errors == []
    browser_page.assert_offline()


def test_zoom_and_layers_survive_a_filter_change(browser_page: BrowserPage) -> None:
    page = browser_page.page
    open_dashboard(browser_page)
    start = wait_for(page, lambda: map_zoom(page), "the map object")
    frame = map_frame(page)
    assert frame is not None
    wait_idle(page)
    for step in (1, 2):
        frame.locator(".leaflet-control-zoom-in").click()
        wait_for(page, lambda s=step: map_zoom(page) == int(start) + s, f"zoom step {step}")
    set_layer(page, "Incidents", False)
    query = page.get_by_label("Name contains")
    query.fill("a")
    query.press("Enter")
    wait_for(
        page,
        lambda: features_heading(page)[0] < features_heading(page)[1],
        "the name filter to apply",
    )
    page.wait_for_timeout(1500)
    assert map_zoom(page) == int(start) + 2, "the view was reset by a rerun"
    assert not layer_checkbox(page, "Incidents").locator("input").is_checked()
    browser_page.assert_offline()


def test_every_export_downloads_and_parses(browser_page: BrowserPage, tmp_path: Path) -> None:
    import csv
    import io
    import xml.etree.ElementTree as ET

    import pyogrio

    page = browser_page.page
    open_dashboard(browser_page)
    shown, _ = features_heading(page)
    gpkg = tmp_path / "export.gpkg"
    gpkg.write_bytes(download_bytes(page, "GeoPackage"))
    tables = [name for name, _ in pyogrio.list_layers(gpkg)]
    assert "places" in tables and "airports" in tables
    kml = ET.fromstring(download_bytes(page, "KML"))
    placemarks = kml.findall(".//{http://www.opengis.net/kml/2.2}Placemark")
    assert len(placemarks) == shown
    rows = list(csv.DictReader(io.StringIO(download_bytes(page, "CSV").decode("utf-8"))))
    assert len(rows) == shown and {"lon", "lat", "wkt"} <= set(rows[0])
    html = download_bytes(page, "HTML map").decode("utf-8")
    assert "<script src=" not in html.replace('<script src="data:', "")
    assert "L.map(" in html and "Erbil" in html
    # The standalone page opens from a file with no request at all.
    standalone = tmp_path / "map.html"
    standalone.write_text(html, encoding="utf-8")
    other = browser_page.context.new_page()
    requests: list[str] = []
    other.on("request", lambda r: requests.append(r.url))
    other.goto(standalone.as_uri())
    other.wait_for_selector("path.leaflet-interactive")
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    other.close()
    browser_page.assert_offline()


def test_script_payloads_stay_inert(browser_page: BrowserPage) -> None:
    page = browser_page.page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_dashboard(browser_page)
    payload = (
        '<script>alert("s1")</script> Rockets struck <img src=x onerror=alert("s2")> '
        'Baghdad and <svg/onload=alert("s3")> Basra. "><b onmouseover=alert("s4")>Najaf</b>.'
    )
    box = page.get_by_label("Article text")
    box.fill(payload)
    box.press("Control+Enter")
    wait_for(page, lambda: features_heading(page)[1] < 15, "the new article to be mapped")
    wait_for_drawn(page, minimum=2)
    frame = map_frame(page)
    assert frame is not None
    # open every popup and tooltip the map has
    for index in range(frame.locator(DRAWN).count()):
        frame.locator(DRAWN).nth(index).hover(force=True)
        frame.locator(DRAWN).nth(index).click(force=True)
    page.get_by_text("Article text with highlighted mentions").click()
    page.wait_for_timeout(1500)
    assert dialogs == []
    assert browser_page.page_errors == []
    assert page.locator("img[src='x']").count() == 0
    assert frame.locator("img[src='x']").count() == 0
    browser_page.assert_offline()


def test_screenshot_details_view(browser_page: BrowserPage) -> None:
    page = browser_page.page
    open_dashboard(browser_page)
    frame = map_frame(page)
    assert frame is not None
    click_at(frame, lat=32.61603, lon=44.02488)
    wait_for(page, lambda: "Karbala" in selected_feature_label(page), "Karbala selected")
    page.get_by_text("Article text with highlighted mentions").click()
    page.wait_for_timeout(1500)
    target = ROOT / "docs" / "details.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 20_000
    browser_page.assert_offline()


def test_a_rejected_feature_leaves_the_map_and_the_export(browser_page: BrowserPage) -> None:
    page = browser_page.page
    drawn = open_dashboard(browser_page)
    wait_idle(page)
    shown, total = features_heading(page)
    frame = map_frame(page)
    assert frame is not None
    click_at(frame, lat=36.19117, lon=44.00943)
    wait_for(page, lambda: "Erbil" in selected_feature_label(page), "Erbil to be selected")
    wait_idle(page)
    page.get_by_role("button", name="Reject this feature").click()
    wait_for(
        page,
        lambda: features_heading(page) == (shown - 1, total - 1),
        "the rejected feature to leave the table",
    )
    wait_for_drawn(page, expected=drawn - 1)
    # a later interaction does not bring it back
    set_layer(page, "Incidents", False)
    set_layer(page, "Incidents", True)
    wait_idle(page)
    everything = download_json(page, "GeoJSON (all layers)")
    assert "geonames:95446" not in {f["id"] for f in everything["features"]}
    assert len(everything["features"]) == total - 1
    browser_page.assert_offline()


def test_seed_to_corrected_map_and_four_exports(browser_page: BrowserPage, tmp_path: Path) -> None:
    """The whole journey: first load, three corrections, four exports; the map is
    never reloaded on the way (a mark set in its frame survives every step)."""
    import csv
    import io
    import xml.etree.ElementTree as ET

    import geopandas as gpd

    page = browser_page.page
    open_dashboard(browser_page)
    wait_idle(page)
    frame = map_frame(page)
    assert frame is not None
    frame.evaluate("window.__newsmapJourney = 'same map'")

    def same_map() -> bool:
        current = map_frame(page)
        return current is not None and current.evaluate("window.__newsmapJourney") == "same map"

    # 1. reject Erbil (the map's click selects it)
    click_at(frame, lat=36.19117, lon=44.00943)
    wait_for(page, lambda: "Erbil" in selected_feature_label(page), "Erbil to be selected")
    wait_idle(page)
    page.get_by_role("button", name="Reject this feature").click()
    wait_idle(page)
    # 2. rename Karbala (pan to it first: the map is still zoomed on Erbil)
    frame.evaluate("window.map.setView([32.4, 44.1], 7, {animate: false})")
    click_at(frame, lat=32.61603, lon=44.02488)
    wait_for(page, lambda: "Karbala" in selected_feature_label(page), "Karbala to be selected")
    wait_idle(page)
    name_box = page.get_by_label("Name", exact=True)
    name_box.fill("Karbala city")
    page.get_by_role("button", name="Apply edit").click()
    wait_for(page, lambda: "Karbala city" in selected_feature_label(page), "the new name")
    wait_idle(page)
    # 3. add Kirkuk from the gazetteer
    page.get_by_text("Add a missing place").click()
    search = page.get_by_label("Search the gazetteer")
    search.fill("Kirkuk")
    search.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Add to the map").click()
    wait_for(page, lambda: "Kirkuk" in selected_feature_label(page), "Kirkuk to be added")
    wait_idle(page)
    assert same_map(), "the map was reloaded during the corrections"

    def names_ok(names: set[str]) -> None:
        assert "Erbil" not in names
        assert "Karbala city" in names and "Karbala" not in names
        assert "Kirkuk" in names

    everything = download_json(page, "GeoJSON (all layers)")
    names_ok({f["properties"]["name"] for f in everything["features"]})
    gpkg = tmp_path / "journey.gpkg"
    gpkg.write_bytes(download_bytes(page, "GeoPackage"))
    names_ok(set(gpd.read_file(gpkg, layer="places")["name"]))
    kml = ET.fromstring(download_bytes(page, "KML"))
    names_ok({n.text or "" for n in kml.iter("{http://www.opengis.net/kml/2.2}name")})
    rows = csv.DictReader(io.StringIO(download_bytes(page, "CSV").decode("utf-8")))
    names_ok({row["name"] for row in rows})
    assert same_map(), "the map was reloaded by the downloads"
    assert browser_page.page_errors == []
    browser_page.assert_offline()


def test_the_view_survives_a_basemap_change(browser_page: BrowserPage) -> None:
    page = browser_page.page

    def local_only(route) -> None:  # tile requests are stopped here, before any network
        host = urlsplit(route.request.url).hostname
        if urlsplit(route.request.url).scheme in IGNORED_SCHEMES or host in LOCAL_HOSTS:
            route.continue_()
        else:
            route.abort()

    browser_page.context.route("**/*", local_only)
    open_dashboard(browser_page)
    wait_idle(page)
    frame = map_frame(page)
    assert frame is not None
    frame.evaluate("window.map.setView([30.5, 47.8], 7, {animate: false})")  # the reader pans
    page.wait_for_timeout(500)
    for label in ("OpenStreetMap tiles (needs network)", "Natural Earth (offline)"):
        page.get_by_text(label).click()
        wait_idle(page)

        def view() -> tuple[float, float, int] | None:
            current = map_frame(page)
            if current is None or not current.evaluate("!!(window.map && window.map._loaded)"):
                return None
            lat, lng, zoom = current.evaluate(
                "[window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]"
            )
            return round(lat, 1), round(lng, 1), int(zoom)

        wait_for(page, lambda: view() == (30.5, 47.8, 7), f"the view kept after {label}")
    assert browser_page.page_errors == []
    assert all("openstreetmap" in u for u in browser_page.external), browser_page.external
