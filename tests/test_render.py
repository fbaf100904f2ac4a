"""Map builders, tested by rendering HTML (no browser)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from geodata.schema import KINDS, layer_for_kind
from layers.catalog import LAYER_BY_KEY, LAYERS, build_layers
from layers.map.assets import OWN_STATIC_DIR, asset_url
from layers.map.render import (
    build_feature_group,
    legend_group,
    outliers,
    popup_html,
    present,
    render_base_map,
    render_map,
    to_latlon,
    unique_evidence,
)


def _html(m) -> str:
    return re.sub(r"\s+", " ", m.get_root().render())


#: The map's own code, which the page loads (static/newsmap.js).
NEWSMAP_JS = (OWN_STATIC_DIR / "newsmap.js").read_text(encoding="utf-8")
NEWSMAP_CSS = (OWN_STATIC_DIR / "newsmap.css").read_text(encoding="utf-8")
#: Each control: the call in the page, and the class its box gets from newsmap.js.
CONTROLS = {
    "L.control.nmFullscreen(": "nm-fullscreen",
    "L.control.nmMeasure(": "nm-measure",
    "L.control.nmMiniMap(": "nm-minimap",
    "newsmap.addLegend(": "nm-legend",
}


def _frame(rows, crs="EPSG:4326"):
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)


def _site(name, kind, geometry, **extra):
    row = {
        "feature_id": f"test:{name}",
        "name": name,
        "kind": kind,
        "layer": layer_for_kind(kind),
        "country_code": "IQ",
        "confidence": 0.9,
        "mentions": 1,
        "evidence": [
            {"sentence": f"Something happened in {name}.", "start": 0, "end": 1, "text": name}
        ],
        "source": "test",
        "note": "",
        "geometry": geometry,
    }
    row.update(extra)
    return row


def test_to_latlon_validates():
    assert to_latlon(44.4, 33.3) == [33.3, 44.4]
    for lon, lat in [(float("nan"), 1), (1, float("inf")), (181, 0), (0, 91), ("x", 1)]:
        with pytest.raises(ValueError):
            to_latlon(lon, lat)


def test_every_kind_has_a_layer():

    for kind in KINDS:
        assert layer_for_kind(kind) in LAYER_BY_KEY


def test_seed_map_has_layers_features_bounds_and_only_local_assets(seed_sites):
    layers = build_layers(seed_sites)
    m = render_map(layers)
    m.get_root().render().encode("utf-8")  # no lone surrogates in the page
    page = _html(m)
    for call, box_class in CONTROLS.items():
        assert call in page
        assert f'"{box_class}"' in NEWSMAP_JS
    assert f'<script src="{asset_url("newsmap_js")}">' in page
    assert f'<link rel="stylesheet" href="{asset_url("newsmap_css")}"/>' in page
    for layer in LAYERS:
        count = len(layers[layer.key])
        if count:
            assert f"{layer.title} ({count})" in page
    for feature_id in seed_sites["feature_id"]:
        assert f'"feature_id": "{feature_id}"' in page
    assert '"coordinates": [44.40088, 33.34058]' in page  # Baghdad, GeoJSON order
    assert "L.CircleMarker(" in page
    assert "fitBounds" in page
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    scripts = [u for u in urls if urlsplit(u).path.endswith((".js", ".css"))]
    assert len(scripts) == 5 and all(u.startswith("/app/static/vendor/") for u in scripts)
    assert "cdn.jsdelivr" not in page and "code.jquery.com" not in page


def test_hidden_layer_is_left_out(seed_sites):
    layers = build_layers(seed_sites)
    visible = [layer.key for layer in LAYERS if layer.key != "places"]
    page = _html(render_map(layers, visible))
    assert "Cities and towns (" not in page
    for row in seed_sites.to_dict("records"):
        assert (f'"feature_id": "{row["feature_id"]}"' in page) == (row["layer"] != "places")
    assert "Airports (1)" in page


def test_lines_and_empty_layers():
    frame = _frame([_site("rail", "rail_line", LineString([(47.78, 30.5), (48.03, 30.44)]))])
    group = build_feature_group(frame, LAYER_BY_KEY["routes"])
    assert group.layer_name == "Rail and pipelines (1)"
    from folium import Map

    m = Map(tiles=None)
    group.add_to(m)
    page = _html(m)
    assert '"coordinates": [[47.78, 30.5], [48.03, 30.44]], "type": "LineString"' in page
    empty = build_feature_group(frame.iloc[0:0], LAYER_BY_KEY["routes"])
    assert empty.layer_name == "Rail and pipelines (0)"
    world = _html(render_map({"routes": frame.iloc[0:0]}))
    assert "fitBounds" not in world


def test_wrong_crs_is_refused():
    frame = _frame([_site("x", "populated_place", Point(4_000_000, 3_000_000))], crs="EPSG:3857")
    with pytest.raises(ValueError, match="EPSG:4326"):
        build_feature_group(frame, LAYER_BY_KEY["places"])


def test_osm_basemap_is_optional(seed_sites):
    page = _html(render_map(build_layers(seed_sites), basemap="osm"))
    assert "tile.openstreetmap.org" in page
    with pytest.raises(ValueError, match="basemap"):
        render_map(build_layers(seed_sites), basemap="satellite-nope")


def test_standalone_html_inlines_leaflet(seed_sites):
    from layers.files.export import to_html

    page = to_html(render_map(build_layers(seed_sites)), title="<seed>")
    assert "<title>&lt;seed&gt;</title>" in page
    assert "/app/static/vendor" not in page
    assert not re.findall(r'<script[^>]+src="https?://', page)
    assert not re.findall(r'<link[^>]+href="https?://', page)
    assert '"feature_id": "geonames:95446"' in page and "Leaflet" in page
    # the place names travel inside the page too (no labels.json to fetch)
    assert '"labels": {"data": {"kinds": ["ocean", "country"' in page
    assert "naturalearth/labels.json" not in page


def test_export_inlines_the_map_code_and_the_app_map_loads_it_locally(seed_sites, tmp_path):
    from layers.files.export import to_html
    from layers.map.assets import BASEMAP_URL, install_static, is_local_url

    layers = build_layers(seed_sites)
    # The standalone page carries newsmap.js and newsmap.css, once, and no URL of the app.
    page = to_html(render_map(layers))
    assert "/app/static" not in page
    assert page.count("L.Control.NmMeasure = L.Control.extend(") == 1
    assert "function addBasemap(map, options)" in page
    assert page.count(".leaflet-container.nm-measuring {") == 1
    assert f"<script>{NEWSMAP_JS}</script>" in page and f"<style>{NEWSMAP_CSS}</style>" in page
    # The app's map (as dashboard.map_panel draws it) loads them by a local URL:
    # the map script calls the code but does not carry it.
    js, css = asset_url("newsmap_js"), asset_url("newsmap_css")
    assert is_local_url(js) and urlsplit(js).path == "/app/static/vendor/newsmap/newsmap.js"
    assert is_local_url(css) and urlsplit(css).path == "/app/static/vendor/newsmap/newsmap.css"
    base = render_base_map(
        layers, basemap_url=BASEMAP_URL, legend=False, view_memory_key="newsmap-view-x"
    )
    assert ("newsmap_js", js) in base.default_js  # what streamlit-folium loads first
    assert ("newsmap_css", css) in base.default_css
    html = base.get_root().render()
    # the app's map fetches its place names (cached by the browser), not inlined
    assert '"labels": {"url": "/app/static/vendor/naturalearth/labels.json?v=' in html
    assert '"kinds": ["ocean"' not in html
    assert html.count(f'<script src="{js}"></script>') == 1
    assert "L.control.nmMeasure(" in html and "L.Control.extend(" not in html
    # ... which is where install_static puts them
    vendor = install_static(tmp_path)
    for url, name in ((js, "newsmap.js"), (css, "newsmap.css")):
        served = tmp_path / urlsplit(url).path.removeprefix("/app/static/")
        assert served == vendor / "newsmap" / name
        assert served.read_bytes() == (OWN_STATIC_DIR / name).read_bytes()


def test_a_single_place_gets_a_finite_view():
    frame = _frame([_site("Baghdad", "populated_place", Point(44.40088, 33.34058))])
    page = _html(render_map({"places": frame}))
    match = re.search(r"fitBounds\(\s*\[\[([-\d.]+), ([-\d.]+)\], \[([-\d.]+), ([-\d.]+)\]\]", page)
    assert match, "no fitBounds call"
    south, west, north, east = map(float, match.groups())
    assert north - south == pytest.approx(0.5) and east - west == pytest.approx(0.5)
    assert south < 33.34058 < north and west < 44.40088 < east


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, False),
        (float("nan"), False),
        ("", False),
        ("  ", False),
        (pd.NaT, False),
        ("x", True),
        (0, True),
        ([], True),
        ([1], True),
        ({"a": 1}, True),
    ],
)
def test_present(value, expected):
    assert present(value) is expected


def test_unique_evidence_keeps_one_item_per_sentence_and_article():
    items = [
        {"sentence": "A.", "start": 0},
        {"sentence": "A.", "start": 5},
        {"sentence": "B.", "start": 9},
        {"sentence": "A.", "start": 0, "article": "two"},
    ]
    assert [i["start"] for i in unique_evidence(items)] == [0, 9, 0]


def test_popup_has_no_event_line_without_an_event():
    row = {
        "feature_id": "geonames:1",
        "name": "Erbil",
        "kind": "populated_place",
        "country_code": float("nan"),
        "confidence": 0.9,
        "mentions": 2,
        "event_type": float("nan"),
        "date": float("nan"),
        "note": float("nan"),
        "source": "GeoNames",
        "geometry": Point(44.0, 36.2),
        "evidence": [{"sentence": "In Erbil."}, {"sentence": "In Erbil."}],
    }
    body = popup_html(row)
    assert "event:" not in body and "nan" not in body and "note:" not in body
    assert body.count("In Erbil.") == 1


def test_legend_is_a_group_of_its_own_with_escaped_counts():
    group = legend_group({"places": 3, "airports": 0, "countries": 2})
    html = render_base_map({}, legend=False).add_child(group).get_root().render()
    assert "newsmap.addLegend(" in html and "Cities and towns (3)" in html
    assert '"nm-legend"' in NEWSMAP_JS
    assert "(0)" not in html
    assert group.control is False


def test_view_memory_is_keyed_per_article():
    html = render_base_map({}, view_memory_key="newsmap-view-abc").get_root().render()
    assert "newsmap.rememberView(" in html and '{"key": "newsmap-view-abc"}' in html
    assert "newsmap.rememberView(" not in render_base_map({}).get_root().render()
    assert "window.sessionStorage.setItem(" in NEWSMAP_JS


def test_template_syntax_in_data_is_never_run():
    # branca compiles rendered output as a Jinja template again when a whole page
    # is rendered (the standalone HTML export): data must never reach it as syntax.
    payload = "{{ 'inj' ~ 'ected' }} {% for i in range(3) %}Q7{% endfor %}"
    frame = gpd.GeoDataFrame(
        {
            "feature_id": [payload],
            "name": [payload],
            "kind": ["populated_place"],
            "layer": ["places"],
            "country_code": ["IQ"],
            "confidence": [0.5],
            "mentions": [1],
            "source": [payload],
            "note": [payload],
            "evidence": [[{"sentence": payload}]],
        },
        geometry=[Point(44.0, 33.0)],
        crs=4326,
    )
    page = render_map(build_layers(frame)).get_root().render()
    assert "injected" not in page
    assert "Q7Q7Q7" not in page
    # The text is there, its braces as character references (JSON-escaped in the page).
    assert "#123;#123; #x27;inj#x27; ~ #x27;ected#x27; #125;#125;" in page.replace(
        "\\u0026", ""
    ).replace("&", "")


IRAQ = {
    "Baghdad": (44.40, 33.34),
    "Basra": (47.78, 30.51),
    "Erbil": (44.01, 36.19),
    "Mosul": (43.13, 36.34),
    "Najaf": (44.34, 32.00),
}


def _article(moscow_mentions: int = 1, far: int = 1):
    rows = [_site(n, "populated_place", Point(*xy), mentions=3) for n, xy in IRAQ.items()]
    for i in range(far):
        rows.append(
            _site(f"Far{i}", "populated_place", Point(37.62 + i, 55.76), mentions=moscow_mentions)
        )
    return build_layers(_frame(rows))


def test_a_lone_far_place_is_left_out_of_the_opening_view():
    assert outliers(_article()) == ["test:Far0"]
    # named three times, it is part of the story
    assert outliers(_article(moscow_mentions=3)) == []
    # two far places among seven are a quarter or more: the article is spread out
    assert outliers(_article(far=2)) == []
    # a route is never left out
    assert outliers({"routes": _article()["places"]}) == []


def test_the_opening_view_fits_the_article_not_its_outlier():
    layers = _article()
    script = _html(render_base_map(layers))
    bounds = re.search(
        r"fitBounds\(\s*\[\[([-\d.]+),\s*([-\d.]+)\],\s*\[([-\d.]+),\s*([-\d.]+)\]\]", script
    )
    assert bounds, "no fitBounds call"
    south, west, north, east = (float(v) for v in bounds.groups())
    assert (south, west, north, east) == pytest.approx((30.51, 43.13, 36.34, 47.78), abs=0.01)
    everything = re.search(
        r"fitBounds\(\s*\[\[([-\d.]+),\s*([-\d.]+)\],\s*\[([-\d.]+),\s*([-\d.]+)\]\]",
        _html(render_base_map(layers, fit_all=True)),
    )
    assert everything and float(everything.group(3)) == pytest.approx(55.76, abs=0.01)


def test_a_local_view_names_the_gazetteer_towns_around_it(geoparser):
    from layers.map.antimeridian import feature_arc
    from layers.map.render import LABELLED_TOWN_POPULATION, TOWN_LABEL_LIMIT, town_labels

    gazetteer = geoparser.gazetteer
    greer, simpsonville = Point(-82.2271, 34.9387), Point(-82.2543, 34.7371)
    geometries = [greer, simpsonville]
    rows = town_labels(gazetteer, geometries, feature_arc(geometries))
    names = [r[2] for r in rows]
    # Greenville (64,579 people in the gazetteer) first; Greer's neighbours by size.
    assert names[:3] == ["Greenville", "Spartanburg", "Greer"]
    assert {"Taylors", "Mauldin"} <= set(names) and 0 < len(rows) <= TOWN_LABEL_LIMIT
    by_name = {r[2]: r for r in rows}
    assert by_name["Greenville"][3] == 7 and by_name["Taylors"][3] == 8
    assert by_name["Greer"][:2] == pytest.approx([-82.2271, 34.9387], abs=1e-3)
    # Inside the view grown by at least half a degree, and never a town that
    # labels.geojson names already.
    for lon, lat, name, _zoom in rows:
        assert -82.7544 <= lon <= -81.7270 and 34.2370 <= lat <= 35.4388, name
        place = next(p for p in gazetteer.candidates(name) if abs(p.lon - lon) < 1e-3)
        assert place.population < LABELLED_TOWN_POPULATION
    # The article's own towns come first, from zoom 5, whatever their size.
    taylors = gazetteer.candidates("Taylors")[0]
    own = town_labels(gazetteer, geometries, feature_arc(geometries), {taylors.feature_id})
    assert own[0] == [round(taylors.lon, 4), round(taylors.lat, 4), "Taylors", 5]
    assert [r[2] for r in own[1:]] == [n for n in names if n != "Taylors"][: len(own) - 1]
    # A view wider than a few degrees, or none, names no extra towns.
    wide = [greer, Point(-71.06, 42.36)]  # Boston, 11 degrees east
    assert town_labels(gazetteer, wide, feature_arc(wide)) == []
    assert town_labels(gazetteer, [], None) == []


def test_the_town_names_reach_the_page_only_with_a_gazetteer(geoparser):
    frame = _frame([_site("Greer", "populated_place", Point(-82.2271, 34.9387))])
    with_towns = _html(render_base_map({"places": frame}, gazetteer=geoparser.gazetteer))
    assert '"towns": [[' in with_towns and '"Taylors", 8]' in with_towns
    assert '"towns"' not in _html(render_base_map({"places": frame}))
