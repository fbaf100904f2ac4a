"""Maps across the antimeridian and at the poles, in a real browser (standalone pages).

Fiji (the Natural Earth MultiPolygon, cut at 180), Suva and Apia (GeoNames), the
Suva-Apia route, a cable cut at 180 (MultiLineString) and a two-part facility
(GeometryCollection of a point and a line). The page listens to clicks the way
streamlit-folium does (see tests/test_clicks_browser.py), so the test sees the
feature id the app would be told.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from playwright.sync_api import Browser, Page
from shapely.geometry import GeometryCollection, LineString, MultiLineString, Point

from geodata.gazetteer import DATA_DIR
from layers.app.clicks import referenced_id
from layers.files.export import to_html
from layers.map.render import (
    build_feature_groups,
    render_base_map,
    render_map,
    selection_group,
    view_arc,
)

from .browser import (
    BrowserPage,
    click_at,
    features_heading,
    map_frame,
    map_view,
    open_dashboard,
    selected_feature_label,
    wait_for,
    wait_for_drawn,
    wait_idle,
)
from .test_clicks_browser import _LISTEN

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

SUVA = (178.44, -18.14)  # lon, lat
APIA = (-171.77, -13.83)
#: A point inside the largest part of Fiji east of 180 (Taveuni's eastern tip).
TAVEUNI_EAST = (-179.925, -16.818)
#: A cable from Labasa to Niuafo'ou, stored cut at 180 as RFC 7946 asks.
CABLE = MultiLineString([[(179.36, -16.43), (180.0, -16.2)], [(-180.0, -16.2), (-175.7, -15.6)]])
#: A two-part facility: a point at Lautoka and a jetty line at Levuka.
FACILITY = GeometryCollection(
    [Point(177.45, -17.62), LineString([(178.83, -17.68), (179.1, -17.5)])]
)


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    base = {"confidence": 0.9, "mentions": 1, "evidence": [], "source": "test", "note": ""}
    return gpd.GeoDataFrame([base | row for row in rows], geometry="geometry", crs="EPSG:4326")


def _row(fid: str, name: str, kind: str, layer: str, geometry, code: str | None = "FJ") -> dict:
    return {
        "feature_id": fid,
        "name": name,
        "kind": kind,
        "layer": layer,
        "country_code": code,
        "geometry": geometry,
    }


def _fiji_layers() -> dict[str, gpd.GeoDataFrame]:
    countries = gpd.read_file(DATA_DIR / "naturalearth" / "countries.geojson")
    fiji = countries.set_index("iso_a2").loc["FJ"].geometry
    return {
        "countries": _frame([_row("country:FJ", "Fiji", "country", "countries", fiji)]),
        "places": _frame(
            [
                _row("geonames:2198148", "Suva", "populated_place", "places", Point(SUVA)),
                _row("geonames:4035413", "Apia", "populated_place", "places", Point(APIA), "WS"),
            ]
        ),
        "infrastructure": _frame(
            [_row("site:facility", "Two-part facility", "facility", "infrastructure", FACILITY)]
        ),
        "routes": _frame(
            [
                _row(
                    "site:suva-apia",
                    "Suva-Apia route",
                    "pipeline",
                    "routes",
                    LineString([SUVA, APIA]),
                    None,
                ),
                _row("site:cable", "Labasa cable", "pipeline", "routes", CABLE),
            ]
        ),
    }


def _edge_layers() -> dict[str, gpd.GeoDataFrame]:
    """Points on the antimeridian (stored as 180 and as -180) and at the North Pole."""
    return {
        "places": _frame(
            [
                _row("test:east", "At 180", "populated_place", "places", Point(180.0, -16.0)),
                _row("test:west", "At -180", "populated_place", "places", Point(-180.0, -17.0)),
            ]
        )
    }


def _pole_layers() -> dict[str, gpd.GeoDataFrame]:
    return {
        "places": _frame(
            [_row("test:pole", "North Pole", "populated_place", "places", Point(0.0, 90.0), None)]
        )
    }


def _open(browser: Browser, html: Path, name: str) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    errors: list[str] = []
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(html.as_uri())
    page.wait_for_function(f"window.{name} && {name}._loaded")
    page.locator("path.leaflet-interactive").first.wait_for()
    page.wait_for_function(f"!{name}._animatingZoom")
    page.evaluate(_LISTEN.replace("MAP", name))
    return page, errors


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("antimeridian")
    out = {}
    for key, layers in (
        ("fiji", _fiji_layers()),
        ("edge", _edge_layers()),
        ("pole", _pole_layers()),
    ):
        if key == "fiji":
            # As the app draws it: the base map, the layers and the highlight of a
            # selected feature, all with the view's arc.
            arc = view_arc(layers)
            m = render_base_map(layers)
            for group in build_feature_groups(layers, arc=arc):
                group.add_to(m)
            selection_group(*APIA, "Apia", rings_km=(100,), arc=arc).add_to(m)
        else:
            m = render_map(layers)
        html = folder / f"{key}.html"
        html.write_text(to_html(m, title=key), encoding="utf-8")
        out[key] = (html, m.get_name())
    return out


@pytest.fixture
def fiji(browser: Browser, pages) -> Iterator[tuple[Page, str]]:
    html, name = pages["fiji"]
    page, errors = _open(browser, html, name)
    try:
        yield page, name
        assert errors == []
    finally:
        page.context.close()


def _screen(page: Page, name: str, lon: float, lat: float) -> tuple[float, float]:
    x, y = page.evaluate(
        f"([lat, lon]) => {{ const p = {name}.latLngToContainerPoint([lat, lon]);"
        f" const r = {name}.getContainer().getBoundingClientRect();"
        " return [r.left + p.x, r.top + p.y]; }",
        [lat, lon],
    )
    return x, y


def _click(page: Page, name: str, lon: float, lat: float) -> str | None:
    page.evaluate("window.__told = []")
    page.mouse.click(*_screen(page, name, lon, lat))
    page.wait_for_timeout(200)
    told = page.evaluate("window.__told")
    # Close every popup: one left open would cover the next click.
    page.evaluate(f"() => {{ {name}.eachLayer(l => {{ if (l instanceof L.Popup) l.close(); }}); }}")
    page.wait_for_function("document.querySelectorAll('.leaflet-popup').length === 0")
    return referenced_id(told[-1]) if told else None


def _paths(page: Page, name: str, fid: str) -> list[dict]:
    """Bounding boxes (screen px) of the SVG paths drawn for one feature."""
    return page.evaluate(
        f"""(fid) => {{
          const out = [];
          {name}.eachLayer(l => {{
            if (!l.feature || l.feature.properties.feature_id !== fid) return;
            const parts = l.getLayers ? l.getLayers() : [l];
            for (const p of parts) {{
              if (!p._path) continue;
              const r = p._path.getBoundingClientRect();
              out.push({{left: r.left, width: r.width, d: p._path.getAttribute('d')}});
            }}
          }});
          return out;
        }}""",
        fid,
    )


def test_the_view_frames_fiji_and_samoa_across_180(fiji) -> None:
    page, name = fiji
    west, east = page.evaluate(f"[{name}.getBounds().getWest(), {name}.getBounds().getEast()]")
    assert west < 178.44 and east > 188.23
    assert east - west < 40
    assert not page.evaluate(f"{name}.options.worldCopyJump")


def test_the_suva_apia_line_is_one_short_path(fiji) -> None:
    page, name = fiji
    paths = _paths(page, name, "site:suva-apia")
    assert len(paths) == 1
    suva_x = _screen(page, name, SUVA[0], SUVA[1])[0]
    apia_x = _screen(page, name, APIA[0] + 360.0, APIA[1])[0]
    # As wide as Suva to Apia east of 180 (10 degrees), within the map's 1000 px:
    # not a band across the world from Apia at -171.77 back to Suva.
    width = paths[0]["width"]
    assert width == pytest.approx(apia_x - suva_x, abs=8)
    assert 0 < width < 1000
    # The cable cut at 180: one path of two pieces that meet there, 5 degrees long.
    (cable,) = _paths(page, name, "site:cable")
    first, second = cable["d"].split("M")[1:]
    assert first.split("L")[-1] == second.split("L")[0]
    assert 0 < cable["width"] < 300


def test_basemap_land_is_drawn_east_of_180(fiji) -> None:
    page, name = fiji
    land = page.evaluate(
        f"""() => {{
          const view = {name}.getBounds();
          const out = [];
          {name}.eachLayer(l => {{
            const f = l.feature;
            if (!f || f.properties.feature_id || f.properties.layer !== 'land' || !l._path) return;
            const b = l.getBounds();
            if (b.getWest() > 180 && view.intersects(b) && l._path.getAttribute('d')) {{
              out.push([b.getWest(), b.getEast()]);
            }}
          }});
          return out;
        }}"""
    )
    # Samoa's Upolu and Savai'i, Tonga's northern islands: land in view, east of 180.
    assert any(west <= APIA[0] + 360 <= east for west, east in land)
    names = page.evaluate(f"{name}.nmLabels.shown().map(l => l.name)")
    assert "SAMOA" in [n.upper() for n in names]


def test_a_click_on_a_shifted_feature_selects_it(fiji) -> None:
    page, name = fiji
    assert _click(page, name, APIA[0] + 360.0, APIA[1]) == "geonames:4035413"
    assert _click(page, name, TAVEUNI_EAST[0] + 360.0, TAVEUNI_EAST[1]) == "country:FJ"
    # The line, 3 px off its middle, east of 180.
    mid_lon, mid_lat = (SUVA[0] + APIA[0] + 360.0) / 2, (SUVA[1] + APIA[1]) / 2
    assert _click(page, name, mid_lon, mid_lat) == "site:suva-apia"


def test_any_part_of_a_collection_or_a_cut_line_selects_it(fiji) -> None:
    page, name = fiji
    assert _click(page, name, 177.45, -17.62) == "site:facility"  # its point
    assert _click(page, name, 178.965, -17.59) == "site:facility"  # its line
    assert _click(page, name, 179.68, -16.315) == "site:cable"  # west of 180
    assert _click(page, name, -177.85 + 360.0, -15.9) == "site:cable"  # east of 180


def test_the_selection_halo_is_on_the_shifted_feature(fiji) -> None:
    page, name = fiji
    halo = page.evaluate(
        f"""() => {{
          let at = null;
          {name}.eachLayer(l => {{
            if (l instanceof L.CircleMarker && !l.feature && l.getRadius() === 14) {{
              at = [l.getLatLng().lng, l.getLatLng().lat];
            }}
          }});
          return at;
        }}"""
    )
    assert halo == pytest.approx([APIA[0] + 360.0, APIA[1]])


def test_points_at_180_and_minus_180_draw_side_by_side_and_click(browser, pages) -> None:
    html, name = pages["edge"]
    page, errors = _open(browser, html, name)
    try:
        east = _screen(page, name, -180.0, -16.0)
        west = _screen(page, name, -180.0, -17.0)
        for x, y in (east, west):
            assert 0 < x < 1000 and 0 < y < 700
        assert abs(east[0] - west[0]) < 1
        assert _click(page, name, -180.0, -16.0) == "test:east"
        assert _click(page, name, -180.0, -17.0) == "test:west"
        assert errors == []
    finally:
        page.context.close()


def test_a_point_at_the_pole_draws_at_the_maps_edge_and_clicks(browser, pages) -> None:
    html, name = pages["pole"]
    page, errors = _open(browser, html, name)
    try:
        x, y = _screen(page, name, 0.0, 90.0)
        assert 0 < x < 1000 and 0 < y < 700
        zoom = page.evaluate(f"{name}.getZoom()")
        assert 1 <= zoom <= 12
        assert _click(page, name, 0.0, 90.0) == "test:pole"
        assert errors == []
    finally:
        page.context.close()


# --------------------------------------------------------------------------- in the app

PACIFIC_ARTICLE = (
    "Fiji's prime minister flew from Suva to Labasa on Monday. Officials in Nuku'alofa, "
    "Tonga, said they would join the talks on fisheries."
)


def test_the_app_frames_an_article_across_180_and_selects_a_shifted_place(
    browser_page: BrowserPage,
) -> None:
    page = browser_page.page
    open_dashboard(browser_page)
    box = page.get_by_label("Article text")
    box.fill(PACIFIC_ARTICLE)
    box.press("Control+Enter")
    wait_for(page, lambda: features_heading(page)[1] < 10, "the article to be mapped")
    wait_idle(page)
    wait_for_drawn(page, expected=features_heading(page)[0])
    frame = map_frame(page)
    assert frame is not None
    frame.wait_for_function("window.map && window.map._loaded && !window.map._animatingZoom")
    west, east = frame.evaluate(
        "[window.map.getBounds().getWest(), window.map.getBounds().getEast()]"
    )
    # Suva (178.43), Labasa (179.36), Nuku'alofa (-175.20, drawn at 184.80).
    assert west < 178.42 and east > 184.8 and east - west < 40
    # Nuku'alofa's marker is drawn east of 180, where the view is: a click selects it.
    tonga_lat, tonga_lon = frame.evaluate(
        """() => { let at = null; window.map.eachLayer(l => {
             if (l.feature && l.feature.properties.feature_id === 'geonames:4032402') {
               at = [l.getLatLng().lat, l.getLatLng().lng]; } }); return at; }"""
    )
    assert tonga_lon == pytest.approx(-175.20 + 360.0, abs=0.01)
    click_at(frame, lat=tonga_lat, lon=tonga_lon)
    wait_for(page, lambda: "Nuku" in selected_feature_label(page), "Nuku'alofa selected")
    wait_idle(page)
    # The view goes to the selection where it is drawn (east of 180), and the
    # halo is drawn there; the details give the stored coordinates.
    wait_for(page, lambda: (map_view(page) or (0, 0, 0))[1] > 180, "the view at the selection")
    frame = map_frame(page)
    assert frame is not None
    halo = frame.evaluate(
        """() => { let at = null; window.map.eachLayer(l => {
             if (l instanceof L.CircleMarker && !l.feature && l.getRadius() === 14) {
               at = l.getLatLng().lng; } }); return at; }"""
    )
    assert halo == pytest.approx(tonga_lon, abs=0.01)
    assert page.get_by_text("lon -175.2").count() > 0
    assert browser_page.page_errors == []
    browser_page.assert_offline()
