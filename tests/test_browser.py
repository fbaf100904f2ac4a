"""Real-browser tests: ``streamlit run dashboard.py`` driven by Chromium (Playwright).

They check that the map is really drawn by Leaflet inside the streamlit-folium
iframe, that Leaflet comes from ``/app/static/vendor/`` and that no request ever
leaves localhost, that the sidebar layer checkboxes change what is drawn, that
the downloads are well formed, and the analyst's journeys (select, correct,
export) end to end. The server, the browser and the helpers are shared with the
other browser tests (``tests/browser.py``, fixtures in ``tests/conftest.py``);
each test starts from a fresh page load. The README screenshots are made by
``tests/test_screenshots.py`` (``make screenshots``), not here.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .browser import (
    IGNORED_SCHEMES,
    LOCAL_HOSTS,
    MIN_FEATURES,
    BrowserPage,
    act,
    choose_feature,
    click_at,
    download_bytes,
    download_json,
    drawing_order,
    features_heading,
    label_count,
    layer_checkbox,
    legend_text,
    map_frame,
    map_view,
    map_zoom,
    open_dashboard,
    selected_feature_label,
    set_layer,
    wait_for,
    wait_for_drawn,
    wait_idle,
)

pytestmark = pytest.mark.browser

ERBIL = {"lat": 36.19117, "lon": 44.00943}
KARBALA = {"lat": 32.61603, "lon": 44.02488}


def click_erbil(frame) -> None:
    """Click Erbil's marker at street zoom: at the article's opening zoom the Erbil
    Air Base marker, 6 km away and drawn above the towns, covers it."""
    # (`void`: setView returns the map, and serialising it to Python takes seconds)
    frame.evaluate("void window.map.setView([36.19117, 44.00943], 12, {animate: false})")
    click_at(frame, **ERBIL)


def test_map_drawn_offline_with_local_leaflet(browser_page: BrowserPage) -> None:
    page = browser_page.page
    drawn = open_dashboard(browser_page)
    assert drawn >= MIN_FEATURES
    # no "Deploy" button: the app runs on its own server (client.toolbarMode)
    assert page.get_by_role("button", name="Deploy").count() == 0

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
    # the offline basemap (non-interactive paths in its own pane) is drawn under the
    # features, in its own order: lakes, rivers, borders over the land, names over them
    assert frame.locator(".leaflet-nmBase-pane path:not(.leaflet-interactive)").count() > 100
    frame.wait_for_function("window.map.nmLabels && window.map.nmLabels.shown().length > 10")
    assert drawing_order(frame, "window.map") == [
        *("land", "lake", "river", "border", "label", "feature")
    ]
    # the names come from the app's static folder, in the compact form, versioned
    requested = {urlsplit(u).path for u in browser_page.requests}
    assert "/app/static/vendor/naturalearth/labels.json" in requested
    shown = {label["name"] for label in frame.evaluate("window.map.nmLabels.shown()")}
    assert {"Baghdad", "Iraq", "Iran"} <= shown, sorted(shown)
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

    visible = download_json(page, "GeoJSON (visible layers)")
    assert visible["type"] == "FeatureCollection"
    assert len(visible["features"]) == shown - cities
    assert not [f for f in visible["features"] if f["properties"]["layer"] == "places"]
    browser_page.assert_offline()


# --------------------------------------------------------------------------- analyst views


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
    total = frame.locator(".nm-measure-total")
    box = frame.locator(".leaflet-container").first.bounding_box()
    assert box is not None
    # mid-height: clear of the controls (top), the overview map and the legend (bottom)
    y = box["height"] * 0.5
    frame.locator(".leaflet-container").first.click(position={"x": 200, "y": y})
    wait_for(page, lambda: total.inner_text() == "0.0 km", "the first measure point")
    frame.locator(".leaflet-container").first.click(position={"x": 400, "y": y})
    wait_for(page, lambda: total.inner_text() != "0.0 km", "the second measure point")
    text = total.inner_text()
    assert re.fullmatch(r"\d+(\.\d)? km", text), text
    assert float(text.split()[0]) > 0
    assert browser_page.page_errors == []
    browser_page.assert_offline()


def test_clicking_a_feature_opens_its_details(browser_page: BrowserPage) -> None:
    page = browser_page.page
    open_dashboard(browser_page)
    assert "click the map" in selected_feature_label(page)
    frame = map_frame(page)
    assert frame is not None
    # Circle markers are SVG paths; click the one Leaflet drew for Erbil by its position.
    click_erbil(frame)
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


def _show(frame, lat: float, lon: float, zoom: int) -> None:
    frame.wait_for_function("!window.map._animatingZoom")
    frame.evaluate(f"void window.map.setView([{lat}, {lon}], {zoom}, {{animate: false}})")


def test_clicks_select_the_topmost_feature_again_and_again(browser_page: BrowserPage) -> None:
    page = browser_page.page
    open_dashboard(browser_page)

    def click(lat: float, lon: float, zoom: int, expected: str, dx: float = 0.0) -> None:
        frame = map_frame(page)
        assert frame is not None
        _show(frame, lat, lon, zoom)
        x, y = frame.evaluate(
            f"() => {{ const p = window.map.latLngToContainerPoint([{lat}, {lon}]);"
            " return [p.x, p.y]; }"
        )
        frame.locator(".leaflet-container").first.click(position={"x": x + dx, "y": y})
        wait_for(page, lambda: selected_feature_label(page) == expected, f"{expected} selected")
        wait_idle(page)

    # The strike is drawn over the town it happened in: the click means the strike.
    click(33.5102, 36.29128, 9, "Strike in Damascus")
    choose_feature(page, "click the map", "— click the map —")  # no selection
    # The same marker again, after the selection was cleared.
    click(33.5102, 36.29128, 9, "Strike in Damascus")
    # Inside Russia, 5 px off the rim of Moscow's marker (radius 6): Moscow, not Russia.
    click(55.7558, 37.6173, 6, "Moscow", dx=11)
    frame = map_frame(page)
    assert frame is not None
    assert "Russia" not in " ".join(frame.locator(".leaflet-popup").all_inner_texts())
    # Inside Iraq, far from any place: Iraq, and its popup.
    click(34.2, 42.0, 6, "Iraq")
    frame = map_frame(page)
    assert frame is not None
    assert "Iraq" in frame.locator(".leaflet-popup").first.inner_text()
    assert browser_page.page_errors == []
    browser_page.assert_offline()


def test_undo_brings_a_rejected_feature_back_and_redo_rejects_it_again(
    browser_page: BrowserPage,
) -> None:
    page = browser_page.page
    total = open_dashboard(browser_page)
    frame = map_frame(page)
    assert frame is not None
    click_erbil(frame)
    wait_for(page, lambda: "Erbil" in selected_feature_label(page), "Erbil to be selected")
    wait_idle(page)
    shown = features_heading(page)[0]
    act(page, page.get_by_role("button", name="Reject this feature").click)
    assert features_heading(page)[0] == shown - 1
    wait_for_drawn(page, expected=total - 1)
    act(page, page.get_by_role("button", name="Undo").first.click)
    assert features_heading(page)[0] == shown
    wait_for_drawn(page, expected=total)
    act(page, page.get_by_role("button", name="Redo").first.click)
    assert features_heading(page)[0] == shown - 1
    wait_for_drawn(page, expected=total - 1)
    assert browser_page.page_errors == []
    browser_page.assert_offline()


def test_zoom_and_layers_survive_a_filter_change(browser_page: BrowserPage) -> None:
    page = browser_page.page
    open_dashboard(browser_page)
    start = int(wait_for(page, lambda: map_zoom(page), "the map object"))  # type: ignore[arg-type]
    frame = map_frame(page)
    assert frame is not None
    for step in (1, 2):
        frame.locator(".leaflet-control-zoom-in").click()
        wait_for(page, lambda s=step: map_zoom(page) == start + s, f"zoom step {step}")
    shown, total = features_heading(page)
    incidents = label_count(page, "Incidents")
    set_layer(page, "Incidents", False)
    wait_for(
        page,
        lambda: features_heading(page) == (shown - incidents, total),
        "the incidents to leave the table",
    )
    query = page.get_by_label("Name contains")
    query.fill("a")
    query.press("Enter")
    wait_for(
        page,
        lambda: features_heading(page)[0] < shown - incidents,
        "the name filter to apply",
    )
    wait_idle(page)
    filtered, _ = features_heading(page)
    # the map has drawn the filtered features: the rerun's update of the map is done
    wait_for_drawn(page, expected=filtered)
    assert map_zoom(page) == start + 2, "the view was reset by a rerun"
    assert not layer_checkbox(page, "Incidents").locator("input").is_checked()
    browser_page.assert_offline()


def test_every_export_downloads_and_parses(browser_page: BrowserPage, tmp_path: Path) -> None:
    import csv
    import io
    import xml.etree.ElementTree as ET

    import geopandas as gpd
    import pyogrio

    page = browser_page.page
    open_dashboard(browser_page)
    shown, _ = features_heading(page)
    gpkg = tmp_path / "export.gpkg"
    gpkg.write_bytes(download_bytes(page, "GeoPackage (visible layers)"))
    tables = [name for name, _ in pyogrio.list_layers(gpkg)]
    assert "places" in tables and "airports" in tables
    kml = ET.fromstring(download_bytes(page, "KML (visible layers)"))
    placemarks = kml.findall(".//{http://www.opengis.net/kml/2.2}Placemark")
    assert len(placemarks) == shown
    rows = list(
        csv.DictReader(
            io.StringIO(download_bytes(page, "CSV (visible layers)").decode("utf-8-sig"))
        )
    )
    assert len(rows) == shown and {"lon", "lat", "wkt"} <= set(rows[0])
    fgb = tmp_path / "export.fgb"
    fgb.write_bytes(download_bytes(page, "FlatGeobuf (visible layers)"))
    assert len(gpd.read_file(fgb)) == shown
    parquet = tmp_path / "export.parquet"
    parquet.write_bytes(download_bytes(page, "GeoParquet (visible layers)"))
    assert len(gpd.read_parquet(parquet)) == shown
    mentions = download_bytes(page, "Mentions CSV for Recogito (visible layers)")
    recogito = list(csv.DictReader(io.StringIO(mentions.decode("utf-8-sig"))))
    assert {"QUOTE_TRANSCRIPTION", "ANCHOR", "URI", "LAT", "LNG"} <= set(recogito[0])
    lines = download_bytes(page, "Mentions JSON Lines (visible layers)").decode("utf-8")
    assert len(lines.splitlines()) == len(recogito)
    html = download_bytes(page, "HTML map (visible layers)").decode("utf-8")
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


def test_a_rejected_feature_leaves_the_map_and_the_export(browser_page: BrowserPage) -> None:
    page = browser_page.page
    drawn = open_dashboard(browser_page)
    shown, total = features_heading(page)
    incidents = label_count(page, "Incidents")
    frame = map_frame(page)
    assert frame is not None
    click_erbil(frame)
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
    wait_for_drawn(page, expected=drawn - 1 - incidents)
    set_layer(page, "Incidents", True)
    wait_for_drawn(page, expected=drawn - 1)
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
    shown, _ = features_heading(page)
    frame = map_frame(page)
    assert frame is not None
    frame.evaluate("window.__newsmapJourney = 'same map'")

    def same_map() -> bool:
        current = map_frame(page)
        return current is not None and current.evaluate("window.__newsmapJourney") == "same map"

    # 1. reject Erbil (the map's click selects it)
    click_erbil(frame)
    wait_for(page, lambda: "Erbil" in selected_feature_label(page), "Erbil to be selected")
    wait_idle(page)
    act(page, page.get_by_role("button", name="Reject this feature").click)
    assert features_heading(page)[0] == shown - 1
    # 2. rename Karbala (pan to it first: the map is still zoomed on Erbil)
    # (`void`: setView returns the map, and serialising it to Python takes seconds)
    frame.evaluate("void window.map.setView([32.4, 44.1], 7, {animate: false})")
    click_at(frame, **KARBALA)
    # The visit is drawn over the town it happened in: a click there means the visit;
    # the town is chosen in the box.
    wait_for(page, lambda: selected_feature_label(page) == "Visit in Karbala", "the visit selected")
    wait_idle(page)
    choose_feature(page, "Karbala", "Karbala")
    name_box = page.get_by_label("Name", exact=True)
    name_box.fill("Karbala city")
    page.get_by_role("button", name="Apply edit").click()
    wait_for(page, lambda: "Karbala city" in selected_feature_label(page), "the new name")
    wait_idle(page)
    # 3. add Kirkuk from the gazetteer
    page.get_by_text("Add a missing place").click()
    search = page.get_by_label("Search the gazetteer")
    search.fill("Kirkuk")
    act(page, lambda: search.press("Enter"))
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
    gpkg.write_bytes(download_bytes(page, "GeoPackage (visible layers)"))
    names_ok(set(gpd.read_file(gpkg, layer="places")["name"]))
    kml = ET.fromstring(download_bytes(page, "KML (visible layers)"))
    names_ok({n.text or "" for n in kml.iter("{http://www.opengis.net/kml/2.2}name")})
    rows = csv.DictReader(
        io.StringIO(download_bytes(page, "CSV (visible layers)").decode("utf-8-sig"))
    )
    names_ok({row["name"] for row in rows})
    assert same_map(), "the map was reloaded by the downloads"
    assert browser_page.page_errors == []
    browser_page.assert_offline()


def test_picking_another_candidate_moves_its_incident_and_keeps_the_list(
    browser_page: BrowserPage,
) -> None:
    page = browser_page.page
    open_dashboard(browser_page)
    choose_feature(page, "Damascus", "Damascus")
    maryland = page.get_by_text("Damascus, Maryland, United States · town of 15,000")
    wait_for(page, lambda: maryland.count() == 1, "the alternatives in words")
    assert page.get_by_text("populated_place").count() == 0
    act(page, page.get_by_role("button", name="Pick").first.click)
    wait_for(
        page,
        lambda: page.get_by_text("the geoparser's first choice").count() == 1,
        "the first choice among the alternatives after the pick",
    )
    words = page.get_by_text("In the article:").inner_text()
    assert "“Damascus”" in words and "Maryland" in words
    features = {f["id"]: f for f in download_json(page, "GeoJSON (all layers)")["features"]}
    place = features["geonames:4352728"]["geometry"]["coordinates"]
    assert features["incident:c7ec0efabb"]["geometry"]["coordinates"] == pytest.approx(
        place, abs=1e-6
    )
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
    frame = map_frame(page)
    assert frame is not None
    # the reader pans (`void`: setView returns the map, slow to serialise to Python)
    frame.evaluate("void window.map.setView([30.5, 47.8], 7, {animate: false})")
    # the view is remembered on the map's moveend
    wait_for(page, lambda: map_view(page) == (30.5, 47.8, 7), "the reader's view")
    for label in ("OpenStreetMap tiles (needs network)", "Natural Earth (offline)"):
        old = map_frame(page)
        assert old is not None
        old.evaluate("window.__newsmapOldMap = true")
        act(page, page.get_by_text(label).click)

        def new_view() -> tuple[float, float, int] | None:
            current = map_frame(page)
            if current is None or current.evaluate("!!window.__newsmapOldMap"):
                return None  # still the map drawn before the change
            return map_view(page)

        wait_for(page, lambda: new_view() == (30.5, 47.8, 7), f"the view kept after {label}")
    assert browser_page.page_errors == []
    assert all("openstreetmap" in u for u in browser_page.external), browser_page.external


def _map_article(browser_page: BrowserPage, article: str) -> tuple[int, int]:
    """Paste a short article (under 10 features) over the seed's; return the heading's
    (shown, total) once its features are drawn."""
    page = browser_page.page
    open_dashboard(browser_page)
    box = page.get_by_label("Article text")
    box.fill(article)
    box.press("Control+Enter")
    wait_for(page, lambda: features_heading(page)[1] < 10, "the new article to be mapped")
    wait_idle(page)
    mapped, total = features_heading(page)
    assert wait_for_drawn(page, expected=mapped) == mapped
    return mapped, total


def test_agencies_titles_and_churches_are_not_drawn_as_towns(browser_page: BrowserPage) -> None:
    # An article of our own: a news agency ("MENA" is a town in Ethiopia, "CNN" an
    # alternate name of Kannur), a titled person ("Dr" is Dar'a, Syria) and two
    # churches ("St. Peter", "St. Paul" are towns in Minnesota).
    page = browser_page.page
    _shown, total = _map_article(
        browser_page,
        "CAIRO (MENA) - A bomb exploded on Sunday inside St. Peter and St. Paul's Church "
        "in Cairo, the state news agency MENA reported. Dr Khaled Megahed, a spokesman "
        "for the Health Ministry, told CNN that 49 people were wounded. Egypt declared "
        "three days of mourning.",
    )
    collection = download_json(page, "GeoJSON (all layers)")
    places = {
        (f["properties"]["name"], f["properties"]["country_code"])
        for f in collection["features"]
        if f["properties"]["kind"] != "incident"
    }
    assert places == {("Cairo", "EG"), ("Egypt", "EG")}
    incidents = [f for f in collection["features"] if f["properties"]["kind"] == "incident"]
    assert [f["properties"]["name"] for f in incidents] == ["Explosion in Cairo"]
    assert len(collection["features"]) == total == 3
    browser_page.assert_offline()


def test_a_reload_restores_the_corrected_map_and_a_shared_link_is_read_only(
    browser_page: BrowserPage,
) -> None:
    page = browser_page.page
    open_dashboard(browser_page)
    shown, total = features_heading(page)
    frame = map_frame(page)
    assert frame is not None
    click_erbil(frame)
    wait_for(page, lambda: "Erbil" in selected_feature_label(page), "Erbil to be selected")
    wait_idle(page)
    act(page, page.get_by_role("button", name="Reject this feature").click)
    wait_for(page, lambda: "map=" in page.url, "the map's id in the URL")
    map_url = page.url
    view_link = page.locator("code").filter(has_text="?view=").first.inner_text()
    assert "?view=" in view_link

    page.reload(wait_until="domcontentloaded")  # a reload keeps the correction
    wait_for_drawn(page, minimum=MIN_FEATURES)
    wait_idle(page)
    assert features_heading(page) == (shown - 1, total - 1)
    assert page.url == map_url

    browser = browser_page.context.browser
    assert browser is not None
    for url, editable in ((browser_page.url, True), (view_link, False)):
        other = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            colleague = other.new_page()
            colleague.goto(url, wait_until="domcontentloaded")
            wait_for_drawn(colleague, minimum=MIN_FEATURES)
            wait_idle(colleague)
            box = colleague.get_by_label("Article text")
            if editable:  # another browser starts from the sample, without our work
                assert features_heading(colleague) == (shown, total)
                assert box.is_editable()
            else:  # the shared link shows our map, and cannot change it
                assert features_heading(colleague) == (shown - 1, total - 1)
                assert not box.is_editable()
                assert colleague.get_by_text("read-only map shared with you").count() == 1
        finally:
            other.close()
    browser_page.assert_offline()


def test_the_opening_view_frames_the_article_clear_of_legend_and_overview(
    browser_page: BrowserPage,
) -> None:
    page = browser_page.page
    open_dashboard(browser_page)
    frame = map_frame(page)
    assert frame is not None
    # wait for Leaflet's fit to settle, then compare screen boxes
    page.wait_for_timeout(500)
    boxes = frame.evaluate(
        """() => {
            const box = (el) => { const r = el.getBoundingClientRect();
                return [r.left, r.top, r.right, r.bottom]; };
            const covers = [...document.querySelectorAll('.nm-legend, .nm-minimap')].map(box);
            const markers = [...document.querySelectorAll(
                '.leaflet-marker-pane .leaflet-marker-icon, path.leaflet-interactive')]
                .filter(el => !el.closest('.nm-minimap'))
                .map(box)
                .filter(([l, t, r, b]) => r - l < 60 && b - t < 60);  // markers, not areas
            const b = window.map.getBounds();
            return {covers, markers,
                    moscow: b.contains([55.76, 37.62]), erbil: b.contains([36.19, 44.01]),
                    basra: b.contains([30.51, 47.78])};
        }"""
    )
    assert len(boxes["covers"]) == 2 and len(boxes["markers"]) >= 10
    assert boxes["erbil"] and boxes["basra"] and not boxes["moscow"]
    under = [
        m
        for m in boxes["markers"]
        for c in boxes["covers"]
        if m[0] < c[2] and c[0] < m[2] and m[1] < c[3] and c[1] < m[3]
    ]
    assert under == []


def test_a_local_story_names_the_towns_around_it(browser_page: BrowserPage) -> None:
    # An article of our own about a few towns 30 km apart, none of them in Natural
    # Earth's 1:50m places: the view opens on them, and the gazetteer's towns around
    # it are named; the overview map outlines the view above its land.
    page = browser_page.page
    mapped, _ = _map_article(
        browser_page,
        "A water main burst beneath Trade Street in Greer on Tuesday. Customers in "
        "Taylors and Simpsonville were told to boil water, and crews from Spartanburg "
        "County helped with repairs.",
    )
    assert mapped == 4
    frame = map_frame(page)
    assert frame is not None

    def towns() -> set[str]:
        return set(
            frame.evaluate(
                "() => Array.from(document.querySelectorAll('.nm-label-town'))"
                ".filter(el => el.style.display !== 'none' && el.offsetWidth > 0)"
                ".map(el => el.textContent)"
            )
        )

    wait_for(page, lambda: {"Greenville", "Spartanburg"} <= towns(), "the towns to be named")
    # The outline sits in its own pane, above the overview's land.
    panes = frame.evaluate(
        "() => Array.from(document.querySelectorAll('.nm-minimap path[stroke=\"#d62728\"]'))"
        ".map(p => getComputedStyle(p.closest('.leaflet-pane')).zIndex)"
    )
    assert panes == ["450"]
    assert browser_page.page_errors == []
    browser_page.assert_offline()
