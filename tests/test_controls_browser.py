"""The map controls in a real browser, on a standalone map (no Streamlit).

A map with one country polygon and the controls of :func:`layers.map.render.render_map`
is written as a standalone HTML file (Leaflet inlined, :func:`layers.files.export.to_html`)
and opened from ``file://`` in the system Chromium. Checked: the full-screen and
measure buttons draw SVG icons (no font-dependent glyph), and while measuring a
click on a feature adds a measure point instead of selecting the feature.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import geopandas as gpd
import pytest
from playwright.sync_api import Browser, Page, Route
from shapely.geometry import box

from layers.files.export import to_html
from layers.map.render import render_map

from .browser import LOCAL_HOSTS, drawing_order

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

LOCAL_SCHEMES = {"file", "data", "blob", "about"}
#: The glyphs the buttons used to show (missing from many fonts).
GLYPHS = ("\u26f6", "\U0001f4cf")
#: Points inside the polygon (lat, lon).
INSIDE = [(33.0, 43.0), (35.0, 47.0)]
CENTRE = (34.0, 45.0)


def _country_map(path: Path) -> str:
    """Write a standalone map with one country polygon; return the map's JS name."""
    frame = gpd.GeoDataFrame(
        [
            {
                "feature_id": "test:Squareland",
                "name": "Squareland",
                "kind": "country",
                "layer": "countries",
                "country_code": "SQ",
                "confidence": 0.9,
                "mentions": 1,
                "evidence": [],
                "source": "test",
                "note": "",
                "geometry": box(40.0, 30.0, 50.0, 38.0),
            }
        ],
        geometry="geometry",
        crs="EPSG:4326",
    )
    m = render_map({"countries": frame})
    path.write_text(to_html(m, title="controls"), encoding="utf-8")
    return m.get_name()


@pytest.fixture(scope="module")
def standalone_map(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The standalone HTML file and the map's JS name."""
    html = tmp_path_factory.mktemp("controls") / "map.html"
    return html, _country_map(html)


@pytest.fixture
def map_page(
    browser: Browser, standalone_map: tuple[Path, str]
) -> Iterator[tuple[Page, str, list[str], list[str]]]:
    """The standalone map opened from its file; non-local requests are refused."""
    html, name = standalone_map  # the browser is the session's (tests/conftest.py)
    external: list[str] = []
    errors: list[str] = []

    def guard(route: Route) -> None:
        parts = urlsplit(route.request.url)
        if parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    context = browser.new_context(viewport={"width": 1000, "height": 700})
    try:
        context.route("**/*", guard)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(html.as_uri())
        page.wait_for_function(f"window.{name} && {name}._loaded")
        page.locator("path.leaflet-interactive").first.wait_for()
        yield page, name, external, errors
    finally:
        context.close()


def _click_at(page: Page, name: str, lat: float, lon: float) -> None:
    """Click the map at a geographic position (a real mouse click)."""
    point = page.evaluate(
        f"([lat, lon]) => {{ const p = {name}.latLngToContainerPoint([lat, lon]);"
        f" const r = {name}.getContainer().getBoundingClientRect();"
        " return [r.left + p.x, r.top + p.y]; }",
        [lat, lon],
    )
    page.mouse.click(point[0], point[1])
    page.wait_for_timeout(150)


def test_buttons_draw_svg_icons(map_page) -> None:
    page, _name, external, errors = map_page
    for selector, label in (
        (".nm-fullscreen a", "Full screen"),
        (".nm-measure a", "Measure a distance"),
    ):
        button = page.locator(selector)
        assert button.count() == 1, selector
        assert button.locator("svg").count() == 1, selector
        icon = button.locator("svg").bounding_box()
        assert icon is not None and icon["width"] >= 12 and icon["height"] >= 12
        text = button.inner_text()
        assert not any(glyph in text for glyph in GLYPHS), text
        assert label in (button.get_attribute("aria-label") or "")
        assert label in (button.get_attribute("title") or "")
        assert page.get_by_role("button", name=label).count() == 1
    assert errors == []
    assert external == []


def test_measuring_over_a_feature_adds_points_not_a_selection(map_page) -> None:
    page, name, external, errors = map_page
    # What streamlit-folium does: listen to feature clicks and to map clicks (the
    # app selects the feature nearest a map click).
    page.evaluate(
        f"""() => {{
          window.__featureClicks = 0; window.__mapClicks = 0;
          const count = () => window.__featureClicks++;
          {name}.eachLayer(l => {{ if (l.feature) l.on('click', count); }});
          {name}.on('click', () => window.__mapClicks++);
        }}"""
    )
    popups = page.locator(".leaflet-popup")
    total = page.locator(".nm-measure-total")
    measure = page.locator(".nm-measure a")

    # measure mode on: clicks inside the polygon add points
    measure.click()
    assert measure.get_attribute("aria-pressed") == "true"
    assert total.inner_text() == "click points"
    _click_at(page, name, *INSIDE[0])
    assert total.inner_text() == "0.0 km"
    _click_at(page, name, *INSIDE[1])
    text = total.inner_text()
    assert re.fullmatch(r"\d+\.\d km", text), text
    # (33N 43E) to (35N 47E): about 431 km on the sphere
    assert 400 < float(text.split()[0]) < 460, text
    assert popups.count() == 0
    assert page.evaluate("[window.__featureClicks, window.__mapClicks]") == [0, 0]
    # the other controls still work while measuring, and add no point
    zoom = page.evaluate(f"{name}.getZoom()")
    page.locator(".leaflet-control-zoom-in").click()
    page.wait_for_function(f"{name}.getZoom() > {zoom}")
    page.wait_for_timeout(400)
    assert total.inner_text() == text
    _click_at(page, name, *CENTRE)
    assert total.inner_text() != text
    assert popups.count() == 0

    # measure mode off: the polygon is clickable again and opens its popup
    measure.click()
    assert measure.get_attribute("aria-pressed") == "false"
    assert not total.is_visible()
    _click_at(page, name, *CENTRE)
    popups.first.wait_for()
    assert popups.count() == 1
    assert "Squareland" in popups.first.inner_text()
    assert page.evaluate("window.__featureClicks") == 1

    # switching measuring on closes the popup; popups cannot open meanwhile
    measure.click()
    popups.first.wait_for(state="detached")  # Leaflet fades it out (200 ms)
    # e.g. a popup opened from script, as an area's click opens its popup
    opened = page.evaluate(
        f"""([lat, lon]) => {{
          let opened = 0;
          {name}.on('popupopen', () => opened++);
          L.popup().setLatLng([lat, lon]).setContent('Squareland').openOn({name});
          return opened;
        }}""",
        list(CENTRE),
    )
    assert opened == 1
    page.wait_for_timeout(400)
    assert popups.count() == 0
    assert errors == []
    assert external == []


def test_the_sea_has_the_apps_colour(map_page) -> None:
    # newsmap.css loads after leaflet.css, in the app and in the standalone page alike
    page, name, _external, errors = map_page
    colour = page.evaluate(f"getComputedStyle({name}.getContainer()).backgroundColor")
    assert colour == "rgb(219, 232, 243)"  # #dbe8f3, not Leaflet's grey #ddd
    assert errors == []


def test_the_basemap_and_its_names_stay_under_the_features(map_page) -> None:
    page, name, _external, errors = map_page
    page.wait_for_function(f"{name}.nmLabels && {name}.nmLabels.shown().length > 0")
    assert drawing_order(page, name) == ["land", "lake", "river", "border", "label", "feature"]
    assert errors == []


def _names_at(page: Page, name: str, lat: float, lon: float, zoom: int) -> list[dict]:
    """Move the map and return the place names on show: [{name, kind, box}]."""
    # (a zoom animation still running, e.g. the opening fitBounds, would undo setView)
    page.wait_for_function(f"{name}._loaded && !{name}._animatingZoom")
    page.evaluate(f"void {name}.setView([{lat}, {lon}], {zoom}, {{animate: false}})")
    page.wait_for_function(f"{name}.getZoom() === {zoom}")
    page.wait_for_timeout(100)
    shown: list[dict] = page.evaluate(f"{name}.nmLabels.shown()")
    return shown


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


@pytest.mark.parametrize(
    ("zoom", "lat", "lon", "expected", "kinds"),
    [
        # the world: oceans and the large countries
        (2, 20.0, 20.0, {"Atlantic Ocean", "Russia", "China", "Brazil"}, {"ocean", "country"}),
        # the region: countries, capitals, large cities
        (5, 33.0, 44.0, {"Iraq", "Iran", "Baghdad", "Tehran"}, {"country", "capital", "city"}),
        # the province: towns Natural Earth lacks (GeoNames) and first-level areas
        (8, 36.2, 44.0, {"Erbil", "Mosul", "Kirkuk"}, {"city", "area"}),
    ],
)
def test_place_names_at_three_zooms(map_page, zoom, lat, lon, expected, kinds) -> None:
    page, name, external, errors = map_page
    page.wait_for_function(f"{name}.nmLabels && {name}.nmLabels.shown().length > 0")
    shown = _names_at(page, name, lat, lon, zoom)
    names = {label["name"] for label in shown}
    assert expected <= names, sorted(names)
    assert kinds <= {label["kind"] for label in shown}
    # text in the page, visible to people, tests and screen readers
    for text in expected:
        assert page.locator(".nm-label", has_text=text).first.is_visible(), text
    # no two names overlap, and none is under a control (zoom buttons, legend, overview)
    boxes = [label["box"] for label in shown]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not _overlap(a, b), (a, b)
    controls = page.evaluate(
        "[...document.querySelectorAll('.leaflet-control')]"
        ".map(c => c.getBoundingClientRect()).filter(r => r.width && r.height)"
    )
    assert controls
    for label_box in boxes:
        for control in controls:
            assert not _overlap(label_box, control), (label_box, control)
    # and the map has fewer names than it could show: collisions were resolved
    assert 5 <= len(shown) <= 150
    assert errors == []
    assert external == []


def test_at_street_zoom_the_map_says_the_offline_base_has_no_streets(map_page) -> None:
    page, name, _external, errors = map_page
    note = page.locator(".nm-detail-note")
    _names_at(page, name, 36.19, 44.01, 6)
    assert not note.is_visible()
    _names_at(page, name, 36.19, 44.01, 12)
    assert note.is_visible()
    assert "no streets" in note.inner_text()
    assert errors == []
