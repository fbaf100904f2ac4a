"""newsmap dashboard: paste or upload an article, see its places on a map, export them.

Run with ``make run`` (or ``streamlit run dashboard.py``). This script only reads
widgets, calls functions from ``geodata`` and ``layers``, and shows what they return.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from geodata.parse import Geoparser
from geodata.sites import extract_sites
from layers.assets import install_static
from layers.catalog import LAYERS, build_layers
from layers.export import to_csv, to_geojson, to_gpkg_bytes, to_html, to_kml
from layers.inputs import MAX_APP_CHARS, InputError, decode_upload, feature_table, visible_sites
from layers.render import BASEMAPS, render_map

ROOT = Path(__file__).resolve().parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def seed_text(name: str) -> str:
    """Return the text of the sample article ``name`` from ``seeds/``."""
    return (ROOT / "seeds" / name).read_text(encoding="utf-8")


@st.cache_resource(show_spinner="Loading the gazetteer and the NER pipeline…")
def get_geoparser() -> Geoparser:
    """Load the geoparser once per server process."""
    install_static(ROOT / "static")
    return Geoparser()


@st.cache_data(max_entries=64, show_spinner="Finding places…")
def get_sites(text: str, article_date: date | None):
    """Geoparse ``text`` (cached by text and date)."""
    return extract_sites(text, article_date=article_date, geoparser=get_geoparser())


@st.cache_data(max_entries=64)
def get_geojson(text: str, article_date: date | None, visible: tuple[str, ...]) -> dict:
    """GeoJSON of all and of the visible layers, cached by text, date and visible layers."""
    sites = get_sites(text, article_date)
    return {
        "all": to_geojson(sites),
        "visible": to_geojson(visible_sites(sites, visible)),
    }


def deferred_exports(text: str, article_date: date | None, visible: tuple[str, ...]) -> dict:
    """Callables that build the heavier exports only when their button is clicked."""

    def shown():
        return visible_sites(get_sites(text, article_date), visible)

    return {
        "csv": lambda: to_csv(shown()),
        "kml": lambda: to_kml(shown()),
        "gpkg": lambda: to_gpkg_bytes(shown()),
        "html": lambda: to_html(render_map(build_layers(shown()), visible), title="newsmap"),
    }


def init_state() -> None:
    """Set every session-state key once, with its default."""
    defaults: dict[str, object] = {
        "seed": SEEDS[0].name if SEEDS else "",
        "text": seed_text(SEEDS[0].name) if SEEDS else "",
        "basemap": "naturalearth",
        "use_date": False,
        "article_date": date.today(),
        "upload_message": "",
    }
    defaults.update({f"layer_{layer.key}": True for layer in LAYERS})
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)


def on_seed_change() -> None:
    """Load the chosen sample article into the text box."""
    st.session_state["text"] = seed_text(st.session_state["seed"])


def on_upload() -> None:
    """Decode an uploaded file into the text box; keep the old text on failure."""
    upload = st.session_state.get("upload")
    if upload is None:
        return
    try:
        st.session_state["text"] = decode_upload(upload.getvalue(), upload.name)
        st.session_state["upload_message"] = ""
    except InputError as error:
        st.session_state["upload_message"] = str(error)


def sidebar(counts: dict[str, int]) -> None:
    """Draw the sidebar widgets (their values live in session state)."""
    with st.sidebar:
        st.header("Article")
        if SEEDS:
            st.selectbox(
                "Sample articles", [p.name for p in SEEDS], key="seed", on_change=on_seed_change
            )
        st.file_uploader(
            "Upload .txt, .md or .html",
            type=["txt", "md", "html", "htm"],
            key="upload",
            on_change=on_upload,
        )
        if st.session_state["upload_message"]:
            st.error(st.session_state["upload_message"])
        st.text_area("Article text", key="text", height=220)
        st.checkbox("Article date known", key="use_date")
        if st.session_state["use_date"]:
            st.date_input("Article date", key="article_date")
        st.header("Layers")
        for layer in LAYERS:
            st.checkbox(
                f"{layer.icon} {layer.title} ({counts.get(layer.key, 0)})", key=f"layer_{layer.key}"
            )
        st.radio("Basemap", list(BASEMAPS), format_func=BASEMAPS.get, key="basemap")


def main() -> None:
    """Build the page."""
    st.set_page_config(page_title="newsmap", page_icon="🗺️", layout="wide")
    init_state()
    parser = get_geoparser()
    text: str = st.session_state["text"]
    article_date = st.session_state["article_date"] if st.session_state["use_date"] else None
    too_long = len(text) > MAX_APP_CHARS
    usable = text[:MAX_APP_CHARS]
    sites = get_sites(usable, article_date)
    layer_frames = build_layers(sites)
    sidebar({key: len(frame) for key, frame in layer_frames.items()})
    visible = tuple(layer.key for layer in LAYERS if st.session_state[f"layer_{layer.key}"])

    st.title("newsmap")
    st.caption("Places, sites and incidents named in the article, each traceable to its sentence.")
    if parser.nlp is None:
        st.warning(
            "No spaCy NER pipeline is installed: toponyms are found by gazetteer "
            "matching only, so some places may be missed."
        )
    if too_long:
        st.warning(
            f"The article has {len(text):,} characters; only the first "
            f"{MAX_APP_CHARS:,} are mapped. Your full text is kept in the box."
        )
    if not usable.strip():
        st.info("Paste an article in the sidebar, upload a file, or pick a sample.")
    elif sites.empty:
        st.info("No places were found in this text.")

    fmap = render_map(layer_frames, visible, basemap=st.session_state["basemap"])
    st_folium(
        fmap,
        key="map",
        height=560,
        use_container_width=True,
        returned_objects=["last_object_clicked_popup"],
    )

    shown = visible_sites(sites, visible)
    st.subheader(f"Features ({len(shown)} of {len(sites)})")
    st.dataframe(feature_table(shown), hide_index=True, width="stretch")

    geojson = get_geojson(usable, article_date, visible)
    exports = deferred_exports(usable, article_date, visible)
    stem = Path(st.session_state.get("seed") or "article").stem
    columns = st.columns(6)
    columns[0].download_button(
        "GeoJSON (all layers)",
        geojson["all"],
        file_name=f"{stem}-all.geojson",
        mime="application/geo+json",
        key="dl_all",
    )
    columns[1].download_button(
        "GeoJSON (visible)",
        geojson["visible"],
        file_name=f"{stem}-visible.geojson",
        mime="application/geo+json",
        key="dl_visible",
    )
    columns[2].download_button(
        "GeoPackage",
        exports["gpkg"],
        file_name=f"{stem}.gpkg",
        mime="application/geopackage+sqlite3",
        key="dl_gpkg",
    )
    columns[3].download_button(
        "KML",
        exports["kml"],
        file_name=f"{stem}.kml",
        mime="application/vnd.google-earth.kml+xml",
        key="dl_kml",
    )
    columns[4].download_button(
        "CSV", exports["csv"], file_name=f"{stem}.csv", mime="text/csv", key="dl_csv"
    )
    columns[5].download_button(
        "HTML map", exports["html"], file_name=f"{stem}.html", mime="text/html", key="dl_html"
    )


if __name__ == "__main__":
    main()
