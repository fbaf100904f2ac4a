"""The app's computations: extracted sites, the corrected and filtered view, its files.

Pure functions of a :class:`~layers.app.state.Source`, a
:class:`~layers.app.state.View` and the frames they are given; no Streamlit.
``dashboard.py`` wraps the costly ones in Streamlit's caches, keyed on the
View's fields (small and hashable) rather than on the articles' texts.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path, PurePath
from typing import Any, NamedTuple

import geopandas as gpd

from geodata.schema import as_sites
from geodata.sites import merge_sites
from layers.app.analysis import filter_sites, uncertain
from layers.app.corrections import apply_corrections
from layers.app.state import ALL_ARTICLES, Source, View
from layers.catalog import LAYER_BY_KEY, build_layers
from layers.files.export import (
    export_metadata,
    read_geojson,
    to_fgb,
    to_geojson,
    to_gpkg_bytes,
    to_html,
    to_parquet,
)
from layers.files.inputs import headline
from layers.files.kml import to_kml
from layers.files.tables import mention_rows, to_csv, to_mentions_csv, to_mentions_jsonl
from layers.map.render import render_map

__all__ = [
    "Download",
    "ViewFrames",
    "compute_view",
    "downloads",
    "export_title",
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
        The extracted sites before corrections (the uncertain places left out
        unless shown), by layer: they fix the map's opening extent, which must not
        move when a correction widens it (the map would be rebuilt and the
        reader's view lost).
    uncertain : int
        How many of ``sites`` are places the confidence model doubts
        (:func:`layers.app.analysis.uncertain`), shown or not.
    """

    sites: gpd.GeoDataFrame
    filtered: gpd.GeoDataFrame
    by_layer: dict[str, gpd.GeoDataFrame]
    extracted_by_layer: dict[str, gpd.GeoDataFrame]
    uncertain: int = 0


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
        ``min_confidence``, ``query`` and ``show_uncertain`` are read.

    Returns
    -------
    ViewFrames
    """
    sites = apply_corrections(extracted, json.loads(view.corrections_json))
    if view.article_filter != ALL_ARTICLES and "articles" in sites:
        wanted = view.article_filter
        sites = sites[sites["articles"].map(lambda names: wanted in names)].reset_index(drop=True)
    filtered = filter_sites(
        sites,
        kinds=view.kinds or None,
        min_confidence=view.min_confidence,
        query=view.query,
        hide_uncertain=not view.show_uncertain,
    )
    # The opening view leaves out the uncertain places unless they are shown.
    framing = extracted if view.show_uncertain else extracted[~uncertain(extracted)]
    return ViewFrames(
        sites,
        filtered,
        build_layers(filtered),
        build_layers(framing),
        int(uncertain(sites).sum()),
    )


def shown_frames(frames: ViewFrames, visible: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Return the filtered sites of the layers switched on (map, table and files)."""
    return filter_sites(frames.filtered, layers=visible)


def selected_geojson(shown: gpd.GeoDataFrame, selected: str) -> str:
    """GeoJSON of the selected feature (an empty FeatureCollection if it is not shown)."""
    return to_geojson(shown[shown["feature_id"] == selected])


class Download(NamedTuple):
    """One download button: its label, the file's builder (run on click), name and type."""

    key: str
    label: str
    build: Callable[[], str | bytes]
    suffix: str
    mime: str


def downloads(
    shown: gpd.GeoDataFrame,
    all_sites: Callable[[], gpd.GeoDataFrame],
    selected: str,
    visible: tuple[str, ...],
    title: str,
    gazetteer: Any | None = None,
) -> list[Download]:
    """Return the download buttons' files, each built only when its button is clicked.

    Every label says what the file holds: "all layers" (every corrected
    feature, whatever the switches and filters), "visible layers" (what the map
    shows) or "selected feature"; the files say it too (their metadata's
    ``content``, with the article's focus).

    Parameters
    ----------
    shown : GeoDataFrame
        The features the map shows (filters and layer switches applied).
    all_sites : callable
        Returns every corrected feature (no kind, confidence or name filter).
    selected : str
        The selected feature's id ("" for none).
    visible : tuple of str
        Layer keys switched on (the HTML map's layers).
    title : str
        Title of the standalone HTML map and the KML document.
    gazetteer : geodata.gazetteer.Gazetteer, optional
        Names first-level areas in the mentions files, and the towns around a
        local view on the HTML map.

    Returns
    -------
    list of Download
        GeoJSON (all, visible, selected), GeoPackage, KML, CSV, mentions for
        Recogito (CSV) and as JSON Lines, FlatGeobuf, GeoParquet, HTML map.
    """
    geo = "application/geo+json"
    visible_words = "visible layers: " + ", ".join(
        LAYER_BY_KEY[k].title for k in visible if k in LAYER_BY_KEY
    )

    def mentions() -> list[dict]:
        return mention_rows(shown, gazetteer, article=title)

    def via_file(writer: Callable[..., Any], suffix: str) -> Callable[[], bytes]:
        def build() -> bytes:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"sites{suffix}"
                writer(shown, path, export_metadata(shown, visible_words))
                return path.read_bytes()

        return build

    def all_geojson() -> str:
        frame = all_sites()
        return to_geojson(frame, style=True, metadata=export_metadata(frame, "all layers"))

    return [
        Download("dl_all", "GeoJSON (all layers)", all_geojson, "-all.geojson", geo),
        Download(
            "dl_visible",
            "GeoJSON (visible layers)",
            lambda: to_geojson(shown, style=True, metadata=export_metadata(shown, visible_words)),
            "-visible.geojson",
            geo,
        ),
        Download(
            "dl_selected",
            "GeoJSON (selected feature)",
            lambda: selected_geojson(shown, selected),
            "-selected.geojson",
            geo,
        ),
        Download(
            "dl_gpkg",
            "GeoPackage (visible layers)",
            lambda: to_gpkg_bytes(shown, export_metadata(shown, visible_words)),
            "-visible.gpkg",
            "application/geopackage+sqlite3",
        ),
        Download(
            "dl_kml",
            "KML (visible layers)",
            lambda: to_kml(shown, title=title, metadata=export_metadata(shown, visible_words)),
            "-visible.kml",
            "application/vnd.google-earth.kml+xml",
        ),
        Download(
            "dl_csv", "CSV (visible layers)", lambda: to_csv(shown), "-visible.csv", "text/csv"
        ),
        Download(
            "dl_mentions_csv",
            "Mentions CSV for Recogito (visible layers)",
            lambda: to_mentions_csv(mentions()),
            "-mentions.csv",
            "text/csv",
        ),
        Download(
            "dl_mentions_jsonl",
            "Mentions JSON Lines (visible layers)",
            lambda: to_mentions_jsonl(mentions()),
            "-mentions.jsonl",
            "application/jsonl",
        ),
        Download(
            "dl_fgb",
            "FlatGeobuf (visible layers)",
            via_file(to_fgb, ".fgb"),
            "-visible.fgb",
            "application/flatgeobuf",
        ),
        Download(
            "dl_parquet",
            "GeoParquet (visible layers)",
            via_file(to_parquet, ".parquet"),
            "-visible.parquet",
            "application/vnd.apache.parquet",
        ),
        Download(
            "dl_html",
            "HTML map (visible layers)",
            lambda: to_html(
                render_map(build_layers(shown), visible, gazetteer=gazetteer), title=title
            ),
            "-visible.html",
            "text/html",
        ),
    ]


def export_title(source: Source) -> str:
    """Return the title exported files are named after (see :func:`file_stem`).

    Parameters
    ----------
    source : Source
        The articles being mapped.

    Returns
    -------
    str
        An uploaded file's name without its suffix; else (pasted text, a sample, a
        JSON Lines record) the first article's :func:`headline`; "saved map" for a
        saved map alone.
    """
    if not source.articles:
        return "saved map"
    name, text = source.articles[0]
    path = PurePath(name)
    if path.suffix.lower() in {".txt", ".md", ".html", ".htm"}:
        return path.stem
    return headline(text)


def layer_counts(by_layer: Mapping[str, gpd.GeoDataFrame]) -> dict[str, int]:
    """Return the number of features in each layer."""
    return {key: len(frame) for key, frame in by_layer.items()}
