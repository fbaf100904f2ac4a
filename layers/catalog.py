"""The layer catalogue: which kinds of feature each map layer shows, and how.

The catalogue is data: one :class:`LayerDef` per layer. :func:`build_layers`
splits a sites GeoDataFrame into one GeoDataFrame per layer key.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np

__all__ = ["KINDS", "LAYERS", "LayerDef", "build_layers", "layer_for_kind"]

#: The kind vocabulary of DESIGN.md, extended (never renamed).
KINDS: tuple[str, ...] = (
    "populated_place",
    "admin_area",
    "country",
    "airport",
    "military_base",
    "religious_site",
    "facility",
    "rail_line",
    "pipeline",
    "border_crossing",
    "incident",
    "natural_feature",
    # extensions
    "continent",
    "region",
    "port",
    "power_plant",
    "oil_field",
    "gas_field",
    "strike_path",
)


@dataclass(frozen=True)
class LayerDef:
    """One map layer.

    Attributes
    ----------
    key : str
        Stable key (widget keys, exports, ``layer`` column).
    title : str
        Shown in the legend, the layer control and the sidebar.
    kinds : tuple of str
        Feature kinds the layer holds.
    color : str
        CSS colour of markers and lines.
    icon : str
        A short glyph drawn in point markers' tooltips and the legend.
    """

    key: str
    title: str
    kinds: tuple[str, ...]
    color: str
    icon: str


LAYERS: tuple[LayerDef, ...] = (
    LayerDef("countries", "Countries", ("country",), "#8c6bb1", "▦"),
    LayerDef(
        "regions", "Regions and water", ("continent", "region", "natural_feature"), "#4a90a4", "≈"
    ),
    LayerDef("places", "Cities and towns", ("populated_place", "admin_area"), "#1f77b4", "●"),
    LayerDef("airports", "Airports", ("airport",), "#17becf", "✈"),
    LayerDef("military", "Military sites", ("military_base",), "#2c6e2f", "★"),
    LayerDef("religious", "Religious sites", ("religious_site",), "#b8860b", "☪"),
    LayerDef(
        "infrastructure",
        "Facilities, ports and crossings",
        ("facility", "border_crossing", "port", "power_plant", "oil_field", "gas_field"),
        "#7f7f7f",
        "■",
    ),
    LayerDef("routes", "Rail and pipelines", ("rail_line", "pipeline"), "#e377c2", "═"),
    LayerDef("incidents", "Incidents", ("incident", "strike_path"), "#d62728", "✸"),
)

_LAYER_OF_KIND = {kind: layer.key for layer in LAYERS for kind in layer.kinds}
LAYER_BY_KEY = {layer.key: layer for layer in LAYERS}


def layer_for_kind(kind: str) -> str:
    """Return the key of the layer that shows features of ``kind``.

    Parameters
    ----------
    kind : str
        A kind from :data:`KINDS`.

    Returns
    -------
    str
        Layer key; unknown kinds go to ``infrastructure``.

    Examples
    --------
    >>> layer_for_kind("military_base")
    'military'
    """
    return _LAYER_OF_KIND.get(kind, "infrastructure")


def build_layers(sites: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Split a sites GeoDataFrame into one GeoDataFrame per catalogue layer.

    Parameters
    ----------
    sites : GeoDataFrame
        Output of :func:`geodata.extract_sites` (EPSG:4326, column ``layer``).

    Returns
    -------
    dict of str to GeoDataFrame
        Every catalogue key, in catalogue order; empty frames for empty layers.
    """
    codes = sites["layer"].to_numpy()
    # One positional take per layer: half the time of a boolean mask per layer,
    # which counts on every rerun of the app.
    return {
        layer.key: sites.take(np.flatnonzero(codes == layer.key)).reset_index(drop=True)
        for layer in LAYERS
    }
