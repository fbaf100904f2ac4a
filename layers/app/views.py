"""The app's computations: extracted sites, the corrected and filtered view, its files.

Pure functions of a :class:`~layers.app.state.Source`, a
:class:`~layers.app.state.View` and the frames they are given; no Streamlit.
``dashboard.py`` wraps the costly ones in Streamlit's caches, keyed on the
View's fields (small and hashable) rather than on the articles' texts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date
from typing import NamedTuple

import geopandas as gpd

from geodata.schema import as_sites
from geodata.sites import merge_sites
from layers.app.analysis import filter_sites
from layers.app.corrections import apply_corrections
from layers.app.state import ALL_ARTICLES, Source, View
from layers.catalog import build_layers
from layers.files.export import read_geojson, to_geojson

__all__ = [
    "ViewFrames",
    "compute_view",
    "extracted_sites",
    "imported_sites",
    "selected_geojson",
    "shown_frames",
]

#: Geoparses one article: (text, article date) -> sites GeoDataFrame.
SitesOf = Callable[[str, date | None], gpd.GeoDataFrame]


class ViewFrames(NamedTuple):
    """The frames of one view (all EPSG:4326 sites GeoDataFrames).

    Attributes
    ----------
    sites : GeoDataFrame
        Corrected sites (article filter applied, no other filter).
    filtered : GeoDataFrame
        ``sites`` passing the kind, confidence and name filters.
    by_layer : dict of str to GeoDataFrame
        ``filtered`` split by layer key (every layer, switched on or not).
    extracted_by_layer : dict of str to GeoDataFrame
        The extracted sites before corrections, by layer: they fix the map's
        opening extent, which must not move when a correction widens it (the
        map would be rebuilt and the reader's view lost).
    """

    sites: gpd.GeoDataFrame
    filtered: gpd.GeoDataFrame
    by_layer: dict[str, gpd.GeoDataFrame]
    extracted_by_layer: dict[str, gpd.GeoDataFrame]


def imported_sites(collection_json: str) -> gpd.GeoDataFrame:
    """Read a saved map (GeoJSON text) as a sites frame, missing columns filled in.

    Raises
    ------
    layers.files.export.GeoJSONError
        If the text is not a usable FeatureCollection.
    """
    return as_sites(read_geojson(collection_json))


def extracted_sites(
    source: Source,
    article_date: date | None,
    sites_of: SitesOf,
    imported_of: Callable[[str], gpd.GeoDataFrame] = imported_sites,
) -> gpd.GeoDataFrame:
    """Return the sites of a source before any correction.

    Parameters
    ----------
    source : Source
        Articles or a saved map.
    article_date : datetime.date or None
        Publication date of the articles.
    sites_of : callable
        Geoparses one article's text (the app passes its cached geoparser).
    imported_of : callable, default :func:`imported_sites`
        Reads a saved map.

    Returns
    -------
    GeoDataFrame
        One article's sites, several articles' merged (with ``articles``), or
        the saved map's features.
    """
    if source.imported:
        return imported_of(source.imported)
    frames = {name: sites_of(text, article_date) for name, text in source.articles}
    if len(frames) == 1:
        return next(iter(frames.values()))
    return merge_sites(frames)


def compute_view(extracted: gpd.GeoDataFrame, view: View) -> ViewFrames:
    """Apply a view's corrections and filters (not its layer switches) to extracted sites.

    Parameters
    ----------
    extracted : GeoDataFrame
        From :func:`extracted_sites`.
    view : View
        Only ``corrections_json``, ``article_filter``, ``kinds``,
        ``min_confidence`` and ``query`` are read.

    Returns
    -------
    ViewFrames
    """
    sites = apply_corrections(extracted, json.loads(view.corrections_json))
    if view.article_filter != ALL_ARTICLES and "articles" in sites:
        wanted = view.article_filter
        sites = sites[sites["articles"].map(lambda names: wanted in names)].reset_index(drop=True)
    filtered = filter_sites(
        sites, kinds=view.kinds or None, min_confidence=view.min_confidence, query=view.query
    )
    return ViewFrames(sites, filtered, build_layers(filtered), build_layers(extracted))


def shown_frames(frames: ViewFrames, visible: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Return the filtered sites of the layers switched on (map, table and files)."""
    return filter_sites(frames.filtered, layers=visible)


def selected_geojson(shown: gpd.GeoDataFrame, selected: str) -> str:
    """GeoJSON of the selected feature (an empty FeatureCollection if it is not shown)."""
    return to_geojson(shown[shown["feature_id"] == selected])


def layer_counts(by_layer: Mapping[str, gpd.GeoDataFrame]) -> dict[str, int]:
    """Return the number of features in each layer."""
    return {key: len(frame) for key, frame in by_layer.items()}
