"""What a click means, in a real browser, on a standalone map (no Streamlit).

A country polygon; a town and an incident drawn at the same point inside it; a
rail line across it; a two-part facility (MultiPoint) outside it. The page
listens to clicks the way streamlit-folium 0.27 does (a listener on every layer,
reading the clicked layer's tooltip text), so the test sees what the app is told.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from playwright.sync_api import Browser, Page
from shapely.geometry import LineString, MultiPoint, Point, box

from layers.app.clicks import referenced_id
from layers.files.export import to_html
from layers.map.render import drawn_id, render_map

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

TOWN = (34.0, 45.0)  # lat, lon
WELLS = [(39.0, 42.0), (39.0, 48.0)]
RAIL_LAT = 31.0
FAR_INSIDE = (36.5, 41.0)
ODD = (27.0, 45.0)
#: A feature id from an uploaded file: markup, quotes and template braces.
HOSTILE_ID = 'upload:<b>"x"</b>&{{y}}'


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    base = {
        "country_code": "SQ",
        "confidence": 0.9,
        "mentions": 1,
        "evidence": [],
        "source": "test",
        "note": "",
    }
    return gpd.GeoDataFrame([base | row for row in rows], geometry="geometry", crs="EPSG:4326")


def _layers() -> dict[str, gpd.GeoDataFrame]:
    return {
        "countries": _frame(
            [
                {
                    "feature_id": "country:SQ",
                    "name": "Squareland",
                    "kind": "country",
                    "layer": "countries",
                    "geometry": box(40.0, 30.0, 50.0, 38.0),
                }
            ]
        ),
        "places": _frame(
            [
                {
                    "feature_id": "geonames:1",
                    "name": "Midtown",
                    "kind": "populated_place",
                    "layer": "places",
                    "geometry": Point(TOWN[1], TOWN[0]),
                },
                {
                    "feature_id": HOSTILE_ID,
                    "name": "Odd id",
                    "kind": "populated_place",
                    "layer": "places",
                    "geometry": Point(ODD[1], ODD[0]),
                },
            ]
        ),
        "infrastructure": _frame(
            [
                {
                    "feature_id": "site:wells",
                    "name": "Twin Wells",
                    "kind": "facility",
                    "layer": "infrastructure",
                    "geometry": MultiPoint([(lon, lat) for lat, lon in WELLS]),
                }
            ]
        ),
        "routes": _frame(
            [
                {
                    "feature_id": "site:rail",
                    "name": "Squareland railway",
                    "kind": "rail_line",
                    "layer": "routes",
                    "geometry": LineString([(41.0, RAIL_LAT), (49.0, RAIL_LAT)]),
                }
            ]
        ),
        "incidents": _frame(
            [
                {
                    "feature_id": "incident:1",
                    "name": "Strike in Midtown",
                    "kind": "incident",
                    "layer": "incidents",
                    "geometry": Point(TOWN[1], TOWN[0]),
                }
            ]
        ),
    }


#: streamlit-folium 0.27's click listener, as its bundle reads the tooltip: the
#: text of the source layer's own tooltip HTML, else the text of the element the
#: target's tooltip function returns for the source.
_LISTEN = """() => {
  window.__told = [];
  const told = (t) => {
    let text = null;
    try {
      if (t.sourceTarget && t.sourceTarget.getTooltip && t.sourceTarget._tooltip
          && t.sourceTarget._tooltip._content) {
        const span = document.createElement('span');
        span.innerHTML = t.sourceTarget.getTooltip().getContent();
        text = (span.textContent || span.innerText).trim();
      } else if (t.target && t.target.getTooltip && t.target._tooltip
          && t.target._tooltip._content) {
        text = t.target.getTooltip().getContent()(t.sourceTarget).innerText;
      }
    } catch (e) { text = 'error: ' + e; }
    if (text) window.__told.push(text);
  };
  for (const id in MAP._layers) { MAP._layers[id].on('click', told); }
}"""


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    html = tmp_path_factory.mktemp("clicks") / "map.html"
    m = render_map(_layers())
    html.write_text(to_html(m, title="clicks"), encoding="utf-8")
    return html, m.get_name()


@pytest.fixture
def page(browser: Browser, standalone: tuple[Path, str]) -> Iterator[tuple[Page, str]]:
    html, name = standalone
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    errors: list[str] = []
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(html.as_uri())
        page.wait_for_function(f"window.{name} && {name}._loaded")
        page.locator("path.leaflet-interactive").first.wait_for()
        page.wait_for_function(f"!{name}._animatingZoom")
        page.evaluate(_LISTEN.replace("MAP", name))
        yield page, name
        assert errors == []
    finally:
        context.close()


def _screen(page: Page, name: str, lat: float, lon: float, dx: float = 0.0) -> tuple[float, float]:
    x, y = page.evaluate(
        f"([lat, lon]) => {{ const p = {name}.latLngToContainerPoint([lat, lon]);"
        f" const r = {name}.getContainer().getBoundingClientRect();"
        " return [r.left + p.x, r.top + p.y]; }",
        [lat, lon],
    )
    return x + dx, y


def _click(page: Page, name: str, lat: float, lon: float, dx: float = 0.0) -> str | None:
    """Click (dx pixels east of) a position; return the feature id the app is told."""
    page.evaluate("window.__told = []")
    page.mouse.click(*_screen(page, name, lat, lon, dx))
    page.wait_for_timeout(200)
    told = page.evaluate("window.__told")
    return referenced_id(told[-1]) if told else None


def _popup(page: Page) -> str:
    popup = page.locator(".leaflet-popup-content")
    popup.first.wait_for()
    return popup.first.inner_text()


def _close_popup(page: Page) -> None:
    page.locator(".leaflet-popup-close-button").first.click()
    page.locator(".leaflet-popup").first.wait_for(state="detached")


def test_features_are_stacked_incidents_points_lines_areas(page) -> None:
    page, name = page
    panes = page.evaluate(
        f"""() => {{
          const out = {{}};
          {name}.eachLayer(l => {{
            if (!l.feature) return;
            const part = l.eachLayer ? l.getLayers()[0] : l;
            out[l.feature.properties.feature_id] = [
              part.options.pane, +({name}.getPane(part.options.pane).style.zIndex || 400)];
          }});
          return out;
        }}"""
    )
    assert panes["country:SQ"] == ["overlayPane", 400]
    assert panes["site:rail"] == ["nmLines", 410]
    assert panes["geonames:1"] == ["nmPoints", 420]
    assert panes["site:wells"] == ["nmPoints", 420]
    assert panes["incident:1"] == ["nmIncidents", 430]
    # The element under the shared point is the incident's marker.
    x, y = _screen(page, name, *TOWN)
    on_top = page.evaluate(
        "([x, y]) => { const e = document.elementFromPoint(x, y);"
        " return e.closest('.leaflet-pane').className; }",
        [x, y],
    )
    assert "leaflet-nmIncidents-pane" in on_top


def test_a_click_names_the_topmost_feature_and_a_second_click_names_it_again(page) -> None:
    page, name = page
    assert _click(page, name, *TOWN) == "incident:1"
    assert "Strike in Midtown" in _popup(page)
    _close_popup(page)
    assert _click(page, name, *TOWN) == "incident:1"


def test_a_click_near_a_point_inside_a_country_means_the_point(page) -> None:
    page, name = page
    # 5 px east of the markers' rim (radius 7 and more): inside the country polygon.
    assert _click(page, name, *TOWN, dx=13) == "incident:1"
    assert "Squareland" not in _popup(page)
    # Near the line, inside the country: the line.
    assert _click(page, name, RAIL_LAT, 45.0, dx=0) == "site:rail"
    _close_popup(page)
    y_offset_click = _screen(page, name, RAIL_LAT, 45.0)
    page.evaluate("window.__told = []")
    page.mouse.click(y_offset_click[0], y_offset_click[1] - 5)
    page.wait_for_timeout(200)
    assert referenced_id(page.evaluate("window.__told")[-1]) == "site:rail"


def test_the_country_popup_opens_only_where_nothing_else_is(page) -> None:
    page, name = page
    assert _click(page, name, *FAR_INSIDE) == "country:SQ"
    assert "Squareland" in _popup(page)


def test_any_part_of_a_multipart_feature_names_it(page) -> None:
    page, name = page
    for lat, lon in WELLS:
        assert _click(page, name, lat, lon) == "site:wells"
        assert "Twin Wells" in _popup(page)
        _close_popup(page)
    # On the bare map, a few pixels off a part: still the feature.
    assert _click(page, name, *WELLS[1], dx=12) == "site:wells"
    # Far from everything: nothing.
    assert _click(page, name, 42.0, 60.0) is None


def test_an_id_with_markup_and_braces_comes_back_as_drawn(page) -> None:
    page, name = page
    assert _click(page, name, *ODD) == drawn_id(HOSTILE_ID)
    # The markup in the id stayed text: no element was made of it.
    bold = page.evaluate("[...document.querySelectorAll('b')].map(b => b.textContent)")
    assert '"x"' not in bold
