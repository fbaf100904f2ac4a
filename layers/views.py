"""The dashboard's cached computations: geoparsing, corrected and filtered views.

They live in a module rather than in ``dashboard.py`` because Streamlit runs the
page script again on every interaction: decorating the cached functions there
would redo the decorators' work each time. Imported once per server process, they
are decorated once. Every function here is a pure function of its arguments
(Streamlit's caches key on them); none reads session state.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import streamlit as st

from geodata.parse import Geoparser
from geodata.sites import extract_sites, merge_sites
from layers.analysis import filter_sites
from layers.assets import install_static
from layers.catalog import build_layers
from layers.corrections import apply_corrections
from layers.export import read_geojson, to_geojson
from layers.inputs import MAX_APP_CHARS, as_sites

__all__ = [
    "SITES_KEY_ITEMS",
    "compute_view",
    "geojson_all",
    "geojson_selected",
    "geojson_visible",
    "get_geoparser",
    "get_imported",
    "get_sites",
    "view_frames",
]

#: Where the app's static files are served from (``.streamlit/config.toml``).
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


@st.cache_resource(show_spinner="Loading the gazetteer and the NER pipeline…")
def get_geoparser() -> Geoparser:
    """Load the geoparser once per server process (and install the map assets)."""
    install_static(STATIC_DIR)
    return Geoparser()


@st.cache_data(max_entries=128, show_spinner="Finding places…")
def get_sites(text: str, article_date: date | None):
    """Geoparse ``text`` (cached by text and date)."""
    return extract_sites(text[:MAX_APP_CHARS], article_date=article_date, geoparser=get_geoparser())


@st.cache_data(max_entries=16)
def get_imported(collection_json: str):
    """Read a saved map (GeoJSON text), with the sites columns filled in."""
    return as_sites(read_geojson(collection_json))


#: How many leading items of a view key the corrected sites depend on (the rest are
#: filters and layer switches, which "all layers" ignores).
SITES_KEY_ITEMS = 4


@st.cache_data(max_entries=32, show_spinner=False)
def compute_view(
    _source: tuple,
    content_key: str,
    article_date: date | None,
    corrections_json: str,
    article_filter: str,
    kinds: tuple[str, ...],
    min_confidence: float,
    query: str,
):
    """Return the frames of one view, whatever layers are on (cached per view).

    ``_source`` is (articles as (name, text) pairs, imported map or None); it is
    not hashed (the leading underscore), ``content_key`` stands for it.

    Returns
    -------
    tuple
        (corrected sites, filtered sites, the filtered sites by layer, the
        extracted sites by layer before any correction). The last fixes the map's
        opening extent: it must not change with corrections, or the map would be
        rebuilt (and the reader's view lost) when a correction widens the extent.
    """
    articles, imported = _source
    if imported:
        extracted = get_imported(imported)
    else:
        frames = {name: get_sites(text, article_date) for name, text in articles}
        extracted = next(iter(frames.values())) if len(frames) == 1 else merge_sites(frames)
    sites = apply_corrections(extracted, json.loads(corrections_json))
    if article_filter != "All articles" and "articles" in sites:
        sites = sites[sites["articles"].map(lambda names: article_filter in names)]
        sites = sites.reset_index(drop=True)
    filtered = filter_sites(sites, kinds=kinds or None, min_confidence=min_confidence, query=query)
    return sites, filtered, build_layers(filtered), build_layers(extracted)


def view_frames(source: tuple, view: tuple):
    """Return (sites, visible sites, filtered sites by layer, uncorrected sites by layer)."""
    *key, visible = view
    sites, filtered, by_layer, all_layers = compute_view(source, *key)
    return sites, filter_sites(filtered, layers=visible), by_layer, all_layers


def geojson_all(source: tuple, sites_key: tuple) -> str:
    """GeoJSON of every corrected feature (no kind, confidence or name filter)."""
    unfiltered = (*sites_key, (), 0.0, "")  # no kind, confidence or name filter
    return to_geojson(compute_view(source, *unfiltered)[0])


def geojson_visible(source: tuple, view: tuple) -> str:
    """GeoJSON of the features that pass the filters and layer switches."""
    return to_geojson(view_frames(source, view)[1])


def geojson_selected(source: tuple, view: tuple, selected: str) -> str:
    """GeoJSON of the selected feature (an empty FeatureCollection if none is shown)."""
    shown = view_frames(source, view)[1]
    return to_geojson(shown[shown["feature_id"] == selected])
