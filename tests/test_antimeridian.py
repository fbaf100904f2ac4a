"""Geometry across the antimeridian and at the poles: extents, fitted views, drawn JSON.

Real shapes: Fiji, Samoa, Russia (Chukotka), Kiribati from the Natural Earth
countries layer the gazetteer uses; Suva (178.44 E, 18.14 S) and Apia
(171.77 W, 13.83 S) from GeoNames.
"""

from __future__ import annotations

import itertools
import json
import re

import geopandas as gpd
import pytest
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiLineString,
    MultiPoint,
    Point,
    Polygon,
    box,
)

from geodata.gazetteer import DATA_DIR
from geodata.geodesy import lon_extent, unwrap_lons
from layers.catalog import LAYER_BY_KEY
from layers.map.antimeridian import (
    MAX_LAT,
    LonArc,
    basemap_copies,
    display_lon,
    feature_arc,
    wrap_mapping,
)
from layers.map.render import (
    build_feature_group,
    outliers,
    render_base_map,
    render_map,
    selection_group,
    view_arc,
)

SUVA = (178.44, -18.14)
APIA = (-171.77, -13.83)
SUVA_APIA = LineString([SUVA, APIA])


@pytest.fixture(scope="module")
def countries() -> gpd.GeoDataFrame:
    path = DATA_DIR / "naturalearth" / "countries.geojson"
    return gpd.read_file(path).set_index("iso_a2")


def _chukotka(countries: gpd.GeoDataFrame) -> list:
    """Russia's parts east of 165 E or west of 165 W, north of 60 N (Chukotka, Wrangel)."""
    return [
        part
        for part in countries.loc["RU"].geometry.geoms
        if part.bounds[1] > 60 and (part.bounds[0] > 165 or part.bounds[2] < -165)
    ]


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    base = {"country_code": None, "confidence": 0.9, "mentions": 1, "evidence": []}
    rows = [base | {"source": "test", "note": ""} | row for row in rows]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def _site(fid: str, kind: str, layer: str, geometry) -> dict:
    return {"feature_id": fid, "name": fid, "kind": kind, "layer": layer, "geometry": geometry}


def _fiji_layers(countries: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    return {
        "countries": _frame(
            [_site("country:FJ", "country", "countries", countries.loc["FJ"].geometry)]
        ),
        "routes": _frame([_site("route:suva-apia", "pipeline", "routes", SUVA_APIA)]),
    }


def _fit(html: str) -> tuple[float, float, float, float]:
    """(south, west, north, east) of the map's fitBounds call."""
    found = re.search(
        r"fitBounds\(\s*\[\[([-\d.e]+),\s*([-\d.e]+)\],\s*\[([-\d.e]+),\s*([-\d.e]+)\]\]", html
    )
    assert found, "no fitBounds call"
    south, west, north, east = (float(v) for v in found.groups())
    return south, west, north, east


def _page(group) -> str:
    """The page of a map that holds only ``group``."""
    return render_base_map({}, legend=False).add_child(group).get_root().render()


def _drawn(html: str) -> dict[str, dict]:
    """Feature id -> drawn GeoJSON geometry, from the map's GeoJSON layers."""
    out = {}
    for match in re.finditer(r'\{"features": \[.*?\], "type": "FeatureCollection"\}', html):
        for feature in json.loads(match.group(0))["features"]:
            out[feature["properties"]["feature_id"]] = feature["geometry"]
    return out


# --------------------------------------------------------------------------- the arc itself


def test_unwrap_takes_each_step_the_short_way() -> None:
    assert unwrap_lons([178.44, -171.77]).round(2).tolist() == [178.44, 188.23]
    assert unwrap_lons([-171.77, 178.44]).round(2).tolist() == [-171.77, -181.56]
    # No jump: unchanged, also for a line along the whole equator in steps.
    assert unwrap_lons([-170.0, -10.0, 10.0, 170.0]).tolist() == [-170.0, -10.0, 10.0, 170.0]
    assert unwrap_lons([5.0]).tolist() == [5.0]


def test_lon_extent_is_the_smallest_covering_arc() -> None:
    # Points on both sides of 180.
    assert lon_extent([(179.5, 179.5), (-179.5, -179.5), (178.0, 178.0), (-178.0, -178.0)]) == (
        178.0,
        182.0,
    )
    # Points away from it: the plain bounds.
    assert lon_extent([(44.0, 44.0), (-0.1, -0.1), (12.5, 13.0)]) == (-0.1, 44.0)
    # An interval given across 180 (east > 180), and the same one as two pieces.
    assert lon_extent([(178.44, 188.23)]) == (178.44, 188.23)
    assert lon_extent([(178.44, 180.0), (-180.0, -171.77)]) == (178.44, 188.23)
    # 180 and -180 are one meridian.
    assert lon_extent([(180.0, 180.0), (-180.0, -180.0)]) == (-180.0, -180.0)
    assert lon_extent([(180.0, 180.0), (170.0, 170.0)]) == (170.0, 180.0)
    # All round the world, by one interval or by spread points.
    assert lon_extent([(-10.0, 355.0)]) == (-180.0, 180.0)
    assert lon_extent([(-120.0, -120.0), (0.0, 0.0), (120.0, 120.0)]) == (-120.0, 120.0)
    assert lon_extent([]) is None
    with pytest.raises(ValueError, match="finite west <= east"):
        lon_extent([(10.0, 5.0)])
    with pytest.raises(ValueError, match="finite west <= east"):
        lon_extent([(float("nan"), 5.0)])


def test_the_arcs_of_real_shapes_cut_at_180(countries) -> None:
    fiji = feature_arc([countries.loc["FJ"].geometry])
    assert fiji == pytest.approx((174.5872, 181.7489), abs=1e-4)
    assert fiji.crosses_antimeridian
    # Plain bounds say the whole world.
    assert countries.loc["FJ"].geometry.bounds[0::2] == (-180.0, 180.0)
    fiji_samoa = feature_arc([countries.loc["FJ"].geometry, countries.loc["WS"].geometry])
    assert fiji_samoa == pytest.approx((174.5872, 188.5459), abs=1e-4)
    # Chukotka (with Wrangel Island) runs from 167.8 E to 169.7 W: 22.5 degrees, not 360.
    assert feature_arc(_chukotka(countries)) == pytest.approx((167.7889, 190.2708), abs=1e-4)
    russia = feature_arc([countries.loc["RU"].geometry])
    assert russia == pytest.approx((19.6044, 190.2708), abs=1e-4)
    kiribati = feature_arc([countries.loc["KI"].geometry])
    assert kiribati == pytest.approx((169.5229, 208.2174), abs=1e-4)
    # Antarctica's ring runs round the pole: every longitude.
    assert feature_arc([countries.loc["AQ"].geometry]) == (-180.0, 180.0)
    # Samoa alone is nowhere near: nothing to shift.
    samoa = feature_arc([countries.loc["WS"].geometry])
    assert samoa is not None and not samoa.at_antimeridian


def test_the_arc_of_a_line_points_at_180_and_the_poles() -> None:
    assert feature_arc([SUVA_APIA]) == (178.44, 188.23)
    # The same route cut at 180 as RFC 7946 asks: the same arc.
    cut = MultiLineString([[SUVA, (180.0, -16.9)], [(-180.0, -16.9), APIA]])
    assert feature_arc([cut]) == (178.44, 188.23)
    assert feature_arc([Point(180.0, 0.0), Point(-180.0, 5.0)]) == (-180.0, -180.0)
    assert feature_arc([Point(0.0, 90.0), Point(0.0, -90.0)]) == (0.0, 0.0)
    assert feature_arc([None, Point()]) is None


def test_display_lon_and_copies() -> None:
    arc = LonArc(174.6, 188.5)
    assert display_lon(APIA[0], arc) == pytest.approx(188.23)
    assert display_lon(SUVA[0], arc) == SUVA[0]
    assert display_lon(-180.0, arc) == 180.0
    assert display_lon(-171.77, LonArc(43.0, 48.0)) == -171.77
    assert display_lon(-171.77, None) == -171.77
    assert basemap_copies(arc) == [360.0]
    assert basemap_copies(LonArc(-180.0, -180.0)) == [-360.0]
    assert basemap_copies(LonArc(43.0, 48.0)) == []
    assert basemap_copies(LonArc(-180.0, 180.0)) == []
    assert basemap_copies(None) == []


def test_wrap_mapping_draws_every_part_in_the_view() -> None:
    arc = LonArc(174.6, 188.5)
    line = wrap_mapping(SUVA_APIA.__geo_interface__, arc)
    assert line["coordinates"] == [[178.44, -18.14], [188.23, -13.83]]
    cut = MultiLineString([[SUVA, (180.0, -16.9)], [(-180.0, -16.9), APIA]])
    parts = wrap_mapping(cut.__geo_interface__, arc)["coordinates"]
    assert parts == [[[178.44, -18.14], [180.0, -16.9]], [[180.0, -16.9], [188.23, -13.83]]]
    square = box(-179.0, -17.0, -178.0, -16.0)
    hole = box(-178.8, -16.8, -178.2, -16.2)
    polygon = wrap_mapping(Polygon(square.exterior, [hole.exterior]).__geo_interface__, arc)
    lons = [lon for ring in polygon["coordinates"] for lon, _ in ring]
    assert min(lons) == 181.0 and max(lons) == 182.0
    collection = GeometryCollection([Point(APIA), LineString([SUVA, APIA])])
    drawn = wrap_mapping(collection.__geo_interface__, arc)["geometries"]
    assert drawn[0]["coordinates"] == [188.23, -13.83]
    assert drawn[1]["coordinates"][1] == [188.23, -13.83]
    points = wrap_mapping(MultiPoint([SUVA, APIA]).__geo_interface__, arc)
    assert points["coordinates"] == [[178.44, -18.14], [188.23, -13.83]]
    # Away from 180: the very same mapping, nothing computed.
    mapping = SUVA_APIA.__geo_interface__
    assert wrap_mapping(mapping, LonArc(43.0, 48.0)) is mapping
    assert wrap_mapping(mapping, None) is mapping


# --------------------------------------------------------------------------- the rendered map


def test_fiji_and_suva_apia_fit_a_view_across_180_and_draw_continuous(countries) -> None:
    layers = _fiji_layers(countries)
    assert view_arc(layers) == (178.44, 188.23)  # countries only count when alone
    html = render_map(layers).get_root().render()
    south, west, north, east = _fit(html)
    assert (west, east) == pytest.approx((178.44, 188.23))
    assert (south, north) == pytest.approx((-18.14, -13.83))
    drawn = _drawn(html)
    assert drawn["route:suva-apia"]["coordinates"] == [[178.44, -18.14], [188.23, -13.83]]
    fiji_lons = [c[0] for poly in drawn["country:FJ"]["coordinates"] for c in poly[0]]
    assert min(fiji_lons) > 174.5 and max(fiji_lons) < 181.8
    # The basemap is drawn again 360 degrees east, and the view must not jump back.
    assert '"copies": [360.0]' in html
    assert '"worldCopyJump": false' in html


def test_countries_alone_fit_their_arc(countries) -> None:
    layers = {
        "countries": _frame(
            [
                _site("country:FJ", "country", "countries", countries.loc["FJ"].geometry),
                _site("country:WS", "country", "countries", countries.loc["WS"].geometry),
            ]
        )
    }
    south, west, north, east = _fit(render_base_map(layers).get_root().render())
    assert (west, east) == pytest.approx((174.5872, 188.5459), abs=1e-4)
    assert (south, north) == pytest.approx((-21.7023, -12.4823), abs=1e-4)


def test_a_normal_article_is_drawn_as_before() -> None:
    layers = {
        "places": _frame(
            [
                _site("geonames:98182", "populated_place", "places", Point(44.40, 33.34)),
                _site("geonames:99532", "populated_place", "places", Point(47.78, 30.51)),
            ]
        )
    }
    html = render_map(layers).get_root().render()
    assert _fit(html) == pytest.approx((30.51, 44.40, 33.34, 47.78))
    assert '"copies"' not in html
    assert '"worldCopyJump": true' in html
    assert _drawn(html)["geonames:98182"]["coordinates"] == [44.4, 33.34]


def test_points_at_180_and_at_the_poles_draw_and_frame() -> None:
    layers = {
        "places": _frame(
            [
                _site("test:east", "populated_place", "places", Point(180.0, -16.0)),
                _site("test:west", "populated_place", "places", Point(-180.0, -17.0)),
            ]
        )
    }
    html = render_map(layers).get_root().render()
    south, west, north, east = _fit(html)
    assert (west, east) == pytest.approx((-180.25, -179.75))
    drawn = _drawn(html)
    # One meridian, drawn once: both at -180, inside the view.
    assert drawn["test:east"]["coordinates"] == [-180.0, -16.0]
    assert drawn["test:west"]["coordinates"] == [-180.0, -17.0]
    assert '"copies": [-360.0]' in html

    poles = {
        "places": _frame(
            [
                _site("test:north", "populated_place", "places", Point(0.0, 90.0)),
                _site("test:south", "populated_place", "places", Point(0.0, -90.0)),
            ]
        )
    }
    south, west, north, east = _fit(render_map(poles).get_root().render())
    # Web Mercator ends at about 85.05 degrees: the view is framed within it.
    assert (south, north) == pytest.approx((-MAX_LAT, MAX_LAT))
    assert (west, east) == pytest.approx((-0.25, 0.25))
    north_only = {"places": poles["places"].iloc[:1]}
    south, _, north, _ = _fit(render_map(north_only).get_root().render())
    assert north == pytest.approx(MAX_LAT) and south == pytest.approx(MAX_LAT - 0.5)


def test_multipart_features_are_drawn_as_one_feature(countries) -> None:
    frame = _frame(
        [
            _site(
                "test:gc",
                "facility",
                "infrastructure",
                GeometryCollection([Point(APIA), SUVA_APIA]),
            ),
            _site(
                "test:ml",
                "facility",
                "infrastructure",
                MultiLineString([[SUVA, (180.0, -16.9)], [(-180.0, -16.9), APIA]]),
            ),
        ]
    )
    arc = LonArc(174.6, 188.5)
    group = build_feature_group(frame, LAYER_BY_KEY["infrastructure"], arc=arc)
    drawn = _drawn(_page(group))
    assert set(drawn) == {"test:gc", "test:ml"}
    assert drawn["test:gc"]["type"] == "GeometryCollection"
    assert drawn["test:ml"]["coordinates"][1][1] == [188.23, -13.83]


def test_the_selection_halo_and_rings_are_drawn_where_the_feature_is() -> None:
    arc = LonArc(174.6, 188.5)
    html = _page(selection_group(*APIA, "Apia", rings_km=(500,), arc=arc))
    rings = [json.loads(m) for m in re.findall(r"L\.polyline\(\s*(\[\[.*?\]\])", html)]
    assert len(rings) == 1
    lons = [lon for _, lon in rings[0]]
    # A 500 km ring round Apia (188.23 as drawn), continuous: no jump across the world.
    assert 182 < min(lons) < 184 and 192 < max(lons) < 194
    assert max(abs(b - a) for a, b in itertools.pairwise(lons)) < 1
    assert re.search(r"L\.circleMarker\(\s*\[-13\.83, 188\.23\]", html)
    # A ring that crosses 180 with no arc given is drawn continuous too.
    html = _page(selection_group(*SUVA, "Suva", rings_km=(500,)))
    lons = [lon for _, lon in json.loads(re.search(r"L\.polyline\(\s*(\[\[.*?\]\])", html)[1])]
    assert max(abs(b - a) for a, b in itertools.pairwise(lons)) < 1


def test_outliers_take_the_median_across_180() -> None:
    # Five islands around 180 and one lone place far off (Honolulu).
    lons = [178.44, 179.2, -179.8, -178.9, -171.77]
    rows = [
        _site(f"test:{i}", "populated_place", "places", Point(lon, -16.0))
        for i, lon in enumerate(lons)
    ]
    rows[0]["mentions"] = 3
    rows.append(_site("test:far", "populated_place", "places", Point(-157.86, 21.31)))
    layers = {"places": _frame(rows)}
    assert outliers(layers) == ["test:far"]
    assert view_arc(layers) == (178.44, 188.23)
    assert view_arc(layers, fit_all=True) == pytest.approx((178.44, 202.14))


def test_the_examples_in_the_docstrings_hold() -> None:
    import doctest

    from geodata import geodesy
    from layers.map import antimeridian

    for module in (geodesy, antimeridian):
        result = doctest.testmod(module)
        assert result.attempted >= 4 and result.failed == 0, module.__name__
