"""newsmap dashboard: paste or upload articles, check their places on a map, fix, export.

Run with ``make run`` (or ``streamlit run dashboard.py``). The page reads as its
panels: input (sidebar), map, details, article, table, downloads. It only reads
widgets, calls functions from ``geodata`` and ``layers``, and shows what they
return; the state model is :mod:`layers.app.state`, the computations
:mod:`layers.app.views`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from app_pages import corpus as corpus_page
from geodata.describe import describe_candidate, kind_words, place_words
from geodata.gazetteer import open_gazetteer
from geodata.geodesy import representative_lonlat
from geodata.pipeline import Geoparser, extract_sites
from geodata.schema import DEFAULT_THRESHOLD, KINDS
from layers.app import actions
from layers.app.analysis import distances_km
from layers.app.clicks import read_click
from layers.app.corrections import facts_for, place_to_candidate
from layers.app.display import (
    TABLE_HEADERS,
    candidate_choices,
    escape_markdown,
    feature_table,
    highlight_html,
    other_places,
    search_words,
)
from layers.app.saved import MapStore, default_path, open_store
from layers.app.state import (
    ALL_ARTICLES,
    CorrectionStore,
    Source,
    View,
    correction_count,
    default_state,
    source_of,
    view_of,
    visible_layers,
)
from layers.app.views import (
    ViewFrames,
    compute_view,
    downloads,
    export_title,
    extracted_sites,
    imported_sites,
    layer_counts,
    shown_frames,
)
from layers.catalog import LAYER_BY_KEY, LAYERS
from layers.files.export import SAVED_MAP_SUFFIXES
from layers.files.inputs import MAX_APP_CHARS, file_stem, headline
from layers.map.antimeridian import display_lon
from layers.map.assets import BASEMAP_URL, install_static
from layers.map.render import (
    BASEMAPS,
    build_feature_groups,
    drawn_id,
    legend_group,
    outliers,
    present,
    render_base_map,
    selection_group,
    unique_evidence,
    view_arc,
)

ROOT = Path(__file__).resolve().parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
#: Where Streamlit serves static files from (``.streamlit/config.toml``).
STATIC_DIR = ROOT / "static"
#: The page's layout rules: the phone layout, the labelled sidebar button.
PAGE_CSS = (ROOT / "layers" / "app" / "page.css").read_text(encoding="utf-8")
RING_RADII_KM = (25, 50, 100)
SELECTED_ZOOM = 8


# ----------------------------------------------------------------- cached computations


@st.cache_resource(show_spinner=False)
def install_assets() -> Path:
    """Copy the map's scripts and styles into ``static/`` once per server process.

    Both pages call it first: a visitor may open either page first.
    """
    return install_static(STATIC_DIR)


@st.cache_resource(show_spinner="Loading the gazetteer and the NER pipeline…")
def get_geoparser() -> Geoparser:
    """Load the geoparser once per server process (and install the map assets)."""
    install_assets()
    return Geoparser()


def load_place_index() -> None:
    """Load the gazetteer once per process; show a (re)build's stages as it runs.

    Reading the cached index takes a second and shows nothing; a first build, or
    the rebuild of a damaged cache file, takes tens of seconds and shows a
    progress bar. What went wrong is told by ``get_geoparser().notes``.
    """
    slot = st.empty()
    shown: dict = {}

    def progress(stage: str, fraction: float) -> None:
        if not shown:
            with slot.container():
                shown["status"] = st.status(
                    "Building the place index (done once; it takes a little while)…",
                    state="running",
                    expanded=True,
                )
                with shown["status"]:
                    shown["bar"] = st.progress(0.0)
        shown["bar"].progress(min(max(fraction, 0.0), 1.0), text=stage)

    loaded = open_gazetteer(progress=progress)
    if shown:
        shown["status"].update(
            label=f"The place index is ready (built in {loaded.seconds:.0f} s).",
            state="complete",
            expanded=False,
        )


@st.cache_resource
def open_map_store() -> tuple[MapStore | None, str | None]:
    """Open the saved maps' database once per server process, with what to tell the user."""
    return open_store(default_path())


def get_map_store() -> MapStore | None:
    """Return the saved maps' database, or None if maps cannot be saved."""
    return open_map_store()[0]


@st.cache_data(max_entries=128, show_spinner="Finding places…")
def get_sites(text: str, article_date: date | None):
    """Geoparse one article (cached by text and date)."""
    return extract_sites(text[:MAX_APP_CHARS], article_date=article_date, geoparser=get_geoparser())


@st.cache_data(max_entries=16)
def get_imported(collection_json: str):
    """Read a saved map (cached by its text)."""
    return imported_sites(collection_json)


@st.cache_data(max_entries=32, show_spinner=False)
def get_frames(_source: Source, view: View) -> ViewFrames:
    """Return the frames of one view; ``view.content_key`` stands for the unhashed source."""
    extracted = extracted_sites(_source, view.article_date, get_sites, get_imported)
    return compute_view(extracted, view)


# ----------------------------------------------------------------- state


def seed_text(name: str) -> str:
    """Return the text of the sample article ``name`` from ``seeds/``."""
    return (ROOT / "seeds" / name).read_text(encoding="utf-8")


def init_state() -> None:
    """Set every session-state key once, with its default (see ``default_state``)."""
    # Every run, not only the first: Streamlit drops the state of a widget that
    # was not drawn in the previous run (the date box while the date is unknown).
    first = SEEDS[0].name if SEEDS else ""
    for key, value in default_state(first, seed_text(first) if first else "").items():
        st.session_state.setdefault(key, value)


def describe_place(place, gazetteer) -> str:
    """One line in words for a gazetteer place: where, what, how many people."""
    return describe_candidate(place_to_candidate(place, gazetteer))


def facts_of(feature_id: str) -> dict:
    """Area, country and population of a gazetteer place ({} if it is none)."""
    return facts_for(get_geoparser().gazetteer, feature_id)


def store() -> CorrectionStore:
    """Return the user's corrections (one object in session state)."""
    return st.session_state["corrections"]


def select_and_rerun(feature_id: str) -> None:
    """Select a feature chosen outside a callback (map click, table row) and run again.

    ``selected`` is plain session state, not a widget's key: a widget whose labels
    change (an edited name) gets a new identity and would forget its value.
    """
    actions.select(st.session_state, feature_id)
    st.rerun()


# ----------------------------------------------------------------- callbacks
# One line each: what an action does to the state is layers.app.actions'.


def on_seed_change() -> None:
    """Load the chosen sample article into the text box ("your own text": keep it)."""
    if st.session_state["seed"]:
        actions.use_sample(st.session_state, seed_text(st.session_state["seed"]))


def on_upload() -> None:
    """Turn uploads into articles or a saved map; report what could not be used."""
    files = st.session_state.get("upload") or []
    actions.uploads_changed(st.session_state, [(f.name, f.getvalue()) for f in files])


def on_text_edit() -> None:
    """Map the box's text (uploads are put aside, corrections carried)."""
    actions.text_edited(st.session_state)


def on_pick(fid: str, candidate: dict) -> None:
    """Replace feature ``fid`` by a candidate the user picked from its list."""
    actions.repick(st.session_state, fid, candidate, facts_of)


def on_edit(fid: str) -> None:
    """Apply the name and kind typed in feature ``fid``'s edit form."""
    state = st.session_state
    actions.edit_feature(
        state, fid, str(state.get(f"edit_name_{fid}", "")), state.get(f"edit_kind_{fid}")
    )


def on_reject(fid: str) -> None:
    """Reject feature ``fid``."""
    actions.reject(st.session_state, fid)


def on_add_place(places: list) -> None:
    """Add the gazetteer match chosen in the "Matches" box."""
    chosen = st.session_state["add_choice"]
    actions.add_place(st.session_state, next(p for p in places if p.feature_id == chosen))


def on_add_at_click(click: dict) -> None:
    """Add a user-named place at the last map click."""
    state = st.session_state
    actions.add_at_click(state, click, str(state.get("click_name", "")), state.get("click_kind"))


def on_clear_corrections() -> None:
    """Drop every correction of the articles on screen."""
    actions.clear_corrections(st.session_state)


def on_fit_all(key: str) -> None:
    """Fit the map to every place of the articles ``key``, far lone ones included."""
    st.session_state["fit_all_for"] = key


def on_toggle_uncertain() -> None:
    """Show or hide the places the confidence model doubts."""
    st.session_state["show_uncertain"] = not st.session_state["show_uncertain"]


def far_places(frames: ViewFrames) -> list[str]:
    """Names of the lone far places left out of the opening view ("Moscow, RU")."""
    ids = set(outliers(frames.extracted_by_layer))
    if not ids:
        return []
    sites = frames.sites[frames.sites["feature_id"].isin(ids)]
    return [
        f"{name}, {code}" if isinstance(code, str) and code else str(name)
        for name, code in zip(sites["name"], sites["country_code"], strict=True)
    ]


def on_undo() -> None:
    """Undo the last correction."""
    actions.undo(st.session_state)


def on_redo() -> None:
    """Redo the last undone correction."""
    actions.redo(st.session_state)


def on_selected_box() -> None:
    """Take the feature chosen by hand in the "Selected feature" box."""
    actions.select(st.session_state, st.session_state["selected_box"])


def dismiss_note(note: str) -> None:
    """Hide one start-up note for the rest of the session."""
    st.session_state["dismissed_notes"].append(note)


def fault_notes() -> None:
    """Show what went wrong at start (damaged caches, no spaCy), each until dismissed."""
    notes = [*get_geoparser().notes, open_map_store()[1]]
    for note in notes:
        if note and note not in st.session_state["dismissed_notes"]:
            st.warning(escape_markdown(note))
            key = hashlib.sha256(note.encode()).hexdigest()[:12]
            st.button("OK", key=f"dismiss_{key}", on_click=dismiss_note, args=(note,))


def show_message() -> None:
    """Show (once) the message a callback left for the user."""
    if st.session_state["message"]:
        st.warning(st.session_state["message"])
        st.session_state["message"] = ""


# ----------------------------------------------------------------- panels


def input_panel(source: Source, counts: dict[str, int], present_kinds: list[str]) -> None:
    """Draw the sidebar: articles, layers, filters, basemap (values live in session state)."""
    with st.sidebar:
        st.header("Article")
        if SEEDS:
            # "" stands for the reader's own text (typed, pasted or uploaded): the
            # box says so, and choosing a sample again loads it.
            st.selectbox(
                "Sample articles",
                ["", *(p.name for p in SEEDS)],
                key="seed",
                format_func=lambda name: headline(seed_text(name)) if name else "— your own text —",
                on_change=on_seed_change,
            )
        st.file_uploader(
            "Upload articles (.txt .md .html .jsonl) or a saved map (.geojson .gpkg .fgb .parquet)",
            type=["txt", "md", "html", "htm", "jsonl", *(s[1:] for s in SAVED_MAP_SUFFIXES)],
            accept_multiple_files=True,
            key="upload",
            on_change=on_upload,
            disabled=st.session_state["read_only"],
        )
        for message in st.session_state["upload_messages"]:
            st.error(escape_markdown(message))
        for note in st.session_state["upload_notes"]:
            st.info(escape_markdown(note))
        if st.session_state["imported"]:
            st.info("Showing a saved map. Edit the text or pick a sample to map an article again.")
        if len(source.articles) > 1:
            names = [name for name, _ in source.articles]
            st.selectbox("Article", [ALL_ARTICLES, *names], key="article_filter")
        st.text_area(
            "Article text",
            key="text",
            height=200,
            on_change=on_text_edit,
            disabled=st.session_state["read_only"],
        )
        st.checkbox("Article date known", key="use_date")
        if st.session_state["use_date"]:
            st.date_input("Article date", key="article_date")

        st.header("Layers")
        for layer in LAYERS:
            label = f"{layer.icon} {layer.title} ({counts.get(layer.key, 0)})"
            st.checkbox(label, key=f"layer_{layer.key}")
        st.header("Filters")
        st.multiselect("Kinds (empty = all)", present_kinds, format_func=kind_words, key="kinds")
        st.slider("Minimum confidence", 0.0, 1.0, step=0.05, key="min_confidence")
        st.text_input("Name contains", key="name_query")
        st.radio("Basemap", list(BASEMAPS), format_func=BASEMAPS.get, key="basemap")


def notices(source: Source, frames: ViewFrames, shown, corrections: dict) -> None:
    """Messages above the map, in one container that is always there.

    An element that comes and goes above the map would shift the map's place in
    the page, and Streamlit would rebuild it (a flicker, the reader's view lost).
    """
    with st.container():
        fault_notes()
        if any(len(text) > MAX_APP_CHARS for _, text in source.articles):
            st.warning(
                f"An article is longer than {MAX_APP_CHARS:,} characters; only the first "
                f"{MAX_APP_CHARS:,} are mapped. Your full text is kept in the box."
            )
        if store().carried and correction_count(corrections):
            st.info(f"{store().carried} correction(s) from the text before your edit still apply.")
        if correction_count(corrections) or store().can_undo() or store().can_redo():
            undo_col, redo_col, clear_col = st.columns(3)
            undo_col.button(
                "Undo",
                key="undo",
                on_click=on_undo,
                disabled=not store().can_undo(),
                width="stretch",
            )
            redo_col.button(
                "Redo",
                key="redo",
                on_click=on_redo,
                disabled=not store().can_redo(),
                width="stretch",
            )
            n = correction_count(corrections)
            with clear_col.popover("Clear all corrections", disabled=not n, width="stretch"):
                st.write(f"Drop all {n} correction(s) of this article? You can undo it.")
                st.button("Yes, clear them", key="clear_corrections", on_click=on_clear_corrections)
        far = [] if st.session_state["fit_all_for"] == source.key else far_places(frames)
        if far:
            names = ", ".join(far[:3]) + (f" and {len(far) - 3} more" if len(far) > 3 else "")
            text_col, button_col = st.columns([4, 1])
            text_col.caption(
                f"{len(far)} place(s) outside the opening view: {escape_markdown(names)}."
            )
            button_col.button("Show all", key="fit_all", on_click=on_fit_all, args=(source.key,))
        if frames.uncertain:
            n = frames.uncertain
            text_col, button_col = st.columns([4, 1])
            if st.session_state["show_uncertain"]:
                text_col.caption(
                    f"Showing {n} uncertain place(s), drawn faint with a dashed outline."
                )
                label = "Hide uncertain"
            else:
                text_col.caption(
                    f"{n} uncertain place(s) hidden: for each, the chance that the words "
                    f"name this very place is under {DEFAULT_THRESHOLD:.0%}."
                )
                label = f"Show {n} uncertain"
            button_col.button(label, key="toggle_uncertain", on_click=on_toggle_uncertain)
        if not source.imported and not any(text.strip() for _, text in source.articles):
            st.info("Paste an article in the sidebar, upload a file, or pick a sample.")
        elif frames.sites.empty:
            st.info("No places were found in this text.")
        elif shown.empty:
            st.info("No feature passes the current layers and filters.")


def map_panel(frames: ViewFrames, shown, visible: tuple[str, ...], key: str) -> tuple[dict, str]:
    """Draw the map; return what streamlit-folium reports of it and the map's key."""
    fit_all = st.session_state["fit_all_for"] == key
    # The features are drawn where the base map's view is (across 180 degrees
    # for Fiji): the same arc of longitude for the view, the layers and the halo.
    arc = view_arc(frames.extracted_by_layer, fit_all=fit_all)
    groups = build_feature_groups(frames.by_layer, visible, arc=arc)
    groups.append(legend_group({k: len(frames.by_layer[k]) for k in visible}))
    center = zoom = None
    selected = shown[shown["feature_id"] == st.session_state["selected"]]
    if not selected.empty:
        row = selected.iloc[0]
        lonlat = representative_lonlat(row.geometry)
        if lonlat is not None:
            rings = RING_RADII_KM if st.session_state["rings"] else ()
            groups.append(selection_group(*lonlat, row["name"], rings, arc=arc))
            center, zoom = (lonlat[1], display_lon(lonlat[0], arc)), SELECTED_ZOOM
    suffix = "-all" if fit_all else ""
    base = render_base_map(
        frames.extracted_by_layer,
        basemap=st.session_state["basemap"],
        basemap_url=BASEMAP_URL,
        legend=False,
        view_memory_key=f"newsmap-view-{key}{suffix}",
        fit_all=fit_all,
        gazetteer=get_geoparser().gazetteer,
    )
    # No layer control inside the map: the sidebar's layer boxes are the one
    # place where layers are switched, so the map, table and exports agree.
    map_key = f"map-{key}-{st.session_state['basemap']}{suffix}"
    state = st_folium(
        base,
        key=map_key,
        height=560,
        width="stretch",
        feature_group_to_add=groups,
        center=center,
        zoom=zoom,
        returned_objects=[
            "last_object_clicked",
            "last_object_clicked_count",
            "last_object_clicked_tooltip",
            "last_clicked",
        ],
    )
    return state or {}, map_key


def take_click(state: dict, map_key: str, shown) -> None:
    """Select the feature a new click on the map names (layers.app.clicks).

    A click on the bare map is kept as ``last_click`` for "Add at the click".
    """
    click, memory = read_click(state, st.session_state["click_memory"], map_key)
    st.session_state["click_memory"] = memory
    if click is None:
        return
    if click.feature_id is None:
        st.session_state["last_click"] = {"lat": click.lat, "lng": click.lon}
        return
    drawn = {drawn_id(fid): str(fid) for fid in shown["feature_id"]}
    hit = drawn.get(click.feature_id)
    if hit and hit != st.session_state["selected"]:
        select_and_rerun(hit)


def choice_list(fid: str, choices: list, key: str) -> None:
    """One line per candidate, in words, with a button to pick it."""
    for n, (line, candidate) in enumerate(choices):
        text_column, button_column = st.columns([5, 1], vertical_alignment="center")
        text_column.markdown(escape_markdown(line))
        button_column.button(
            "Pick",
            key=f"{key}_{fid}_{n}",
            help=escape_markdown(f"Put {place_words(candidate)} on the map instead"),
            on_click=on_pick,
            args=(fid, candidate),
        )


def alternatives_panel(fid: str, row, sites) -> None:
    """Show the other places the words could mean, each to pick; else a gazetteer search."""
    others = other_places(sites, fid)
    # A map saved before alternatives carried their facts gets them from the gazetteer.
    alternatives = [
        a if "country" in a else {**facts_of(str(a.get("feature_id"))), **a}
        for a in row.get("alternatives") or []
    ]
    if alternatives:
        st.markdown("**Other places these words could mean**")
        choice_list(fid, candidate_choices(alternatives, others), "pick")
        return
    if row["layer"] == "incidents":
        return
    st.markdown("**No other place has this name in the gazetteer.** Search for another:")
    query = st.text_input("Find another place by name", value=search_words(row), key=f"find_{fid}")
    gazetteer = get_geoparser().gazetteer
    found = [
        place_to_candidate(p, gazetteer)
        for p in gazetteer.search(query, limit=6)
        if p.feature_id != fid
    ]
    if found:
        choice_list(fid, candidate_choices(found, others), "find")
    elif len(query.strip()) >= 2:
        st.caption("No place of that name in the gazetteer.")


def edit_form(fid: str, row) -> None:
    """Edit a feature's name and kind."""
    with st.form(key=f"edit_{fid}"):
        st.text_input("Name", value=row["name"], key=f"edit_name_{fid}")
        index = KINDS.index(row["kind"]) if row["kind"] in KINDS else 0
        st.selectbox("Kind", KINDS, index=index, format_func=kind_words, key=f"edit_kind_{fid}")
        st.form_submit_button("Apply edit", on_click=on_edit, args=(fid,))


def feature_summary(fid: str, row) -> None:
    """Name, kind, place, confidence, event, source, note and evidence of one feature."""
    point = representative_lonlat(row.geometry)
    st.markdown(f"**{escape_markdown(row['name'])}**", help=escape_markdown(fid))
    facts = facts_of(fid)
    code = row["country_code"] if present(row["country_code"]) else None
    country = (get_geoparser().gazetteer.country_name(code) or code) if code else "—"
    if present(row.get("surface")):
        chosen = place_words({**row, "country": country if code else None, **facts})
        st.markdown(
            f"In the article: “{escape_markdown(row['surface'])}” → {escape_markdown(chosen)}"
        )
    st.text(
        f"{kind_words(row['kind'], facts.get('population'))} · {country}"
        + (f" · lat {point[1]:.4f}, lon {point[0]:.4f}" if point else "")
    )
    st.text(
        f"confidence {row['confidence']:.2f} · mentions {row['mentions']}"
        + (" · inferred" if row.get("inferred") else "")
    )
    if present(row.get("event_type")):
        when = next((v for v in (row.get("date"), row.get("date_text")) if present(v)), None)
        st.text(f"event: {row['event_type']} · date: {when or 'unknown'}")
    st.caption(f"Source: {escape_markdown(row['source'])}")
    if present(row.get("note")):
        st.caption(f"Note: {escape_markdown(row['note'])}")
    for item in unique_evidence(row["evidence"] or []):
        # One line per sentence, however many mentions it holds.
        origin = f"[{item['article']}] " if item.get("article") else ""
        st.text(f"{origin}“{item['sentence']}”")


def details_panel(sites, shown) -> None:
    """Show the selected feature: evidence, candidates, corrections, distances."""
    options = ["", *shown["feature_id"]]
    if st.session_state["selected"] not in options:
        actions.select(st.session_state, "")
    st.session_state["selected_box"] = st.session_state["selected"]
    names = dict(zip(shown["feature_id"], shown["name"], strict=True))
    st.selectbox(
        "Selected feature",
        options,
        key="selected_box",
        on_change=on_selected_box,
        format_func=lambda fid: names.get(fid, "—") if fid else "— click the map —",
    )
    fid = st.session_state["selected"]
    if not fid:
        st.caption("Click a feature on the map or a row of the table.")
        return
    row = shown[shown["feature_id"] == fid].iloc[0]
    feature_summary(fid, row)
    alternatives_panel(fid, row, sites)
    edit_form(fid, row)
    show_message()
    st.button("Reject this feature", key=f"reject_{fid}", on_click=on_reject, args=(fid,))
    st.checkbox("Range rings (25, 50, 100 km)", key="rings")
    nearest = (
        sites.assign(
            distance_km=distances_km(sites, fid).round(1),
            kind=[kind_words(kind) for kind in sites["kind"]],
        )[["name", "kind", "distance_km"]]
        .loc[sites["feature_id"] != fid]
        .sort_values("distance_km")
        .head(10)
    )
    st.dataframe(nearest, hide_index=True, width="stretch", column_config=dict(TABLE_HEADERS))


def add_place_panel(click: dict | None) -> None:
    """Add a missing place from the gazetteer, or at the last map click."""
    with st.expander("Add a missing place"):
        st.text_input("Search the gazetteer", key="add_query")
        query = st.session_state["add_query"]
        gazetteer = get_geoparser().gazetteer
        places = gazetteer.search(query, limit=8)
        if places:
            labels = {p.feature_id: describe_place(p, gazetteer) for p in places}
            st.selectbox("Matches", list(labels), format_func=labels.get, key="add_choice")
            st.button("Add to the map", key="add_place", on_click=on_add_place, args=(places,))
        elif len(query.strip()) >= 2:
            st.caption("No place of that name in the gazetteer.")
        if click:
            with st.form(key="add_at_click"):
                st.caption(f"Last click: lat {click['lat']:.4f}, lon {click['lng']:.4f}")
                st.text_input("Name of a place here", key="click_name")
                st.selectbox("Kind", KINDS, format_func=kind_words, key="click_kind")
                st.form_submit_button("Add at the click", on_click=on_add_at_click, args=(click,))
        show_message()


def article_panel(source: Source, view: View, shown) -> None:
    """Show the article with every mention of a shown feature highlighted."""
    with st.expander("Article text with highlighted mentions", expanded=False):
        if source.imported:
            return
        texts = dict(source.articles)
        name = view.article_filter if view.article_filter in texts else source.articles[0][0]
        current = texts[name]
        single = get_sites(current, view.article_date) if len(texts) > 1 else shown
        marked = single[single["feature_id"].isin(set(shown["feature_id"]))]
        highlighted = highlight_html(current[:MAX_APP_CHARS], marked, st.session_state["selected"])
        st.html(f"<div style='line-height:1.7'>{highlighted}</div>")


def table_panel(sites, shown) -> None:
    """Show the features table; ticking a row selects its feature."""
    st.subheader(f"Features ({len(shown)} of {len(sites)})")
    table = st.dataframe(
        feature_table(shown),
        hide_index=True,
        width="stretch",
        column_config=dict(TABLE_HEADERS),
        on_select="rerun",
        selection_mode="single-row",
        key="table",
    )
    rows = tuple(table.selection.rows) if table is not None and hasattr(table, "selection") else ()
    # A row stays ticked across reruns: act on a change of the table's selection only,
    # so a later choice on the map or in the box is not overruled by an old row.
    if rows != st.session_state["table_rows_seen"]:
        st.session_state["table_rows_seen"] = rows
        if rows and rows[0] < len(shown):
            chosen = shown.iloc[rows[0]]["feature_id"]
            if chosen != st.session_state["selected"]:
                select_and_rerun(chosen)


def downloads_panel(
    source: Source, view: View, shown, visible: tuple[str, ...], counts: dict
) -> None:
    """Draw the download buttons: every file is built when its button is clicked."""
    selected = st.session_state["selected"]
    has_selection = bool(selected) and selected in set(shown["feature_id"])
    stem = file_stem(export_title(source), view.article_date or date.today())
    files = downloads(
        shown,
        lambda: get_frames(source, view.unfiltered()).sites,
        selected,
        visible,
        stem,
        get_geoparser().gazetteer,
    )
    # three to a row: six in one row cut their labels ("GeoJSON (vis...")
    columns = [column for _ in range(0, len(files), 3) for column in st.columns(3)]
    for column, file in zip(columns, files, strict=False):
        column.download_button(
            file.label,
            file.build,
            file_name=f"{stem}{file.suffix}",
            mime=file.mime,
            key=file.key,
            disabled=file.key == "dl_selected" and not has_selection,
            # A download changes nothing on the page: no rerun, so no flicker, and
            # the other buttons' files stay valid for the next click.
            on_click="ignore",
            width="stretch",
        )
    st.caption(
        "The GeoJSON downloads include your corrections; upload one back to reopen "
        "the same map. "
        + ", ".join(f"{LAYER_BY_KEY[k].title}: {counts[k]}" for k in visible if counts[k])
    )


# ----------------------------------------------------------------- saved maps


def restore_from_url() -> None:
    """Open the map the URL names (``?map=`` to edit, ``?view=`` read-only), once a session."""
    if st.session_state["url_checked"]:
        return
    st.session_state["url_checked"] = True
    token = st.query_params.get("map") or st.query_params.get("view")
    saved_maps = get_map_store()
    if not token or saved_maps is None:
        return
    saved = saved_maps.load(token)
    if saved is None:
        st.session_state["message"] = "That map link is not known on this server (deleted?)."
        return
    seed = saved.data.get("seed") or ""
    sample = seed_text(seed) if seed and (ROOT / "seeds" / seed).exists() else ""
    actions.open_saved(
        st.session_state, saved.data, saved.map_id, saved.view_id, saved.read_only, sample
    )
    if not saved.read_only and saved.map_id not in st.session_state["my_maps"]:
        st.session_state["my_maps"].append(saved.map_id)
    st.session_state["saved_digest"] = _digest(actions.snapshot(st.session_state))


def _digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def autosave(source: Source) -> None:
    """Save the map when its articles or corrections changed (never a read-only one)."""
    saved_maps = get_map_store()
    state = st.session_state
    if saved_maps is None or state["read_only"]:
        return
    data = actions.snapshot(state)
    seed = state["seed"]
    untouched = (
        not state["articles"]
        and not state["imported"]
        and bool(seed)
        and state["text"] == seed_text(seed)
        and not correction_count(data["corrections"])
    )
    digest = _digest(data)
    if (untouched and not state["map_id"]) or digest == state["saved_digest"]:
        return
    title = headline(source.articles[0][1]) if source.articles else "Saved map"
    saved = saved_maps.save(state["map_id"], title, data)
    state["map_id"], state["view_id"], state["saved_digest"] = saved.map_id, saved.view_id, digest
    if saved.map_id not in state["my_maps"]:
        state["my_maps"].append(saved.map_id)
    st.query_params["map"] = saved.map_id


def on_delete_map(map_id: str) -> None:
    """Delete one of the session's saved maps."""
    saved_maps = get_map_store()
    if saved_maps is not None:
        saved_maps.delete(map_id)
    st.session_state["my_maps"] = [m for m in st.session_state["my_maps"] if m != map_id]
    if st.session_state["map_id"] == map_id:
        st.session_state["map_id"] = st.session_state["view_id"] = None
        st.session_state["saved_digest"] = ""
        st.query_params.clear()


def on_editable_copy() -> None:
    """Make the read-only map the user's own copy."""
    actions.editable_copy(st.session_state)
    st.query_params.clear()


def saved_maps_panel() -> None:
    """Sidebar: the read-only link to this map and the session's saved maps."""
    saved_maps = get_map_store()
    with st.sidebar:
        st.header("Saved maps")
        if saved_maps is None:
            reason = open_map_store()[1] or f"{default_path()} is not usable."
            st.caption(escape_markdown(f"Maps cannot be saved. {reason}"))
            return
        state = st.session_state
        if state["read_only"]:
            st.info("A read-only map shared with you: your changes are not saved.")
            st.button("Make an editable copy", key="editable_copy", on_click=on_editable_copy)
        elif state["view_id"]:
            base = (st.context.url or "").split("?")[0]
            st.caption("This map is saved; a reload keeps it. Read-only link for a colleague:")
            st.code(f"{base}?view={state['view_id']}", language=None)
        else:
            st.caption("Your map is saved as soon as you change the text or correct a feature.")
        for saved in saved_maps.list(state["my_maps"]):
            link, delete = st.columns([4, 1])
            current = " (this map)" if saved.map_id == state["map_id"] else ""
            link.markdown(
                f"[{escape_markdown(saved.title)}](?map={saved.map_id}){current}  \n"
                f"{saved.updated[:16].replace('T', ' ')} UTC"
            )
            delete.button(
                "🗑",
                key=f"delete_{saved.map_id}",
                help="Delete this saved map",
                on_click=on_delete_map,
                args=(saved.map_id,),
            )


# ----------------------------------------------------------------- page


def main() -> None:
    """Build the page: input, map and details, article, table, downloads."""
    st.set_page_config(page_title="newsmap", page_icon="🗺️", layout="wide")
    init_state()
    load_place_index()
    get_geoparser()
    restore_from_url()
    seed = st.session_state["seed"]
    source = source_of(st.session_state, seed_text(seed) if seed else None)
    corrections = store().activate(source.key, "\n\n".join(t for _, t in source.articles))
    view = view_of(st.session_state, source)
    if store().to_prune:  # an edit carried corrections: keep those whose features remain
        extracted = extracted_sites(source, view.article_date, get_sites, get_imported)
        store().prune(set(extracted["feature_id"]))
        view = view_of(st.session_state, source)
    visible = visible_layers(st.session_state)
    try:
        frames = get_frames(source, view)
    except Exception as error:  # a last guard: the page must never show a traceback
        st.error(
            f"newsmap could not map this input ({type(error).__name__}: "
            f"{escape_markdown(error)}). Your text and corrections are kept; edit the "
            "text, pick a sample or upload another file."
        )
        input_panel(source, {}, [])
        st.stop()
    autosave(source)
    corpus_article = publish_to_corpus(source, frames, corrections)
    shown = shown_frames(frames, visible)
    counts = layer_counts(frames.by_layer)
    present_kinds = [k for k in KINDS if k in set(frames.sites["kind"])]
    input_panel(source, counts, present_kinds)
    saved_maps_panel()

    # (st.html drops a style-only body in this Streamlit; markdown keeps it)
    st.markdown(f"<style>{PAGE_CSS}</style>", unsafe_allow_html=True)
    st.title("newsmap")
    with st.container(key="intro"):
        st.caption(
            "Places, sites and incidents named in the article, each traceable to its "
            "sentence. Click a feature to check it; correct what is wrong; export."
        )
    if corpus_article:
        note, back = st.columns([5, 1], vertical_alignment="center")
        note.info(
            f"Opened from the corpus ({escape_markdown(corpus_article)}): corrections made "
            "here also change the Corpus page's map."
        )
        back.button(
            "Back to the corpus",
            key="back_to_corpus",
            on_click=lambda: st.session_state.update(switch_to_corpus=True),
        )
    notices(source, frames, shown, corrections)
    map_column, detail_column = st.columns([3, 2])
    with map_column:
        map_state, map_key = map_panel(frames, shown, visible, source.key)
    take_click(map_state, map_key, shown)
    # On a phone this container is a panel fixed to the bottom of the screen
    # (layers/app/page.css).
    with detail_column, st.container(key="details"):
        details_panel(frames.sites, shown)
        add_place_panel(st.session_state["last_click"])
    article_panel(source, view, shown)
    table_panel(frames.sites, shown)
    downloads_panel(source, view, shown, visible, counts)


def publish_to_corpus(source: Source, frames: ViewFrames, corrections: dict) -> str | None:
    """Give the Corpus page this article's corrected map, if it was opened from there.

    Returns the article's id in the corpus, or None when it was not opened from it.
    Streamlit forgets a widget's value in a run that does not draw it: the
    Corpus page's values are written back here so that they are there on return.
    """
    corpus_page.keep_values(corpus_page.WIDGET_KEYS)
    opened = st.session_state.get("corpus_opened") or {}
    corrected = st.session_state.setdefault("corpus_corrected", {})
    for article_id, key in opened.items():
        if key == source.key:
            if correction_count(corrections):
                corrected[article_id] = frames.sites
            else:
                corrected.pop(article_id, None)
            return str(article_id)
    return None


def corpus() -> None:
    """Show the Corpus page (``app_pages/corpus.py``) with this server's geoparser."""
    st.set_page_config(page_title="newsmap: corpus", page_icon="🗺️", layout="wide")
    install_assets()
    load_place_index()
    corpus_page.main(get_geoparser, list(default_state("", "")), PAGE_CSS)


def navigation() -> None:
    """Two pages: Article (the default, at /) and Corpus (at /corpus)."""
    article = st.Page(main, title="Article", default=True)
    corpus_view = st.Page(corpus, title="Corpus", url_path="corpus")
    page = st.navigation([article, corpus_view], position="top")
    for flag, target in (("switch_to_article", article), ("switch_to_corpus", corpus_view)):
        if st.session_state.pop(flag, False):
            # The run that switches draws no widget, and Streamlit forgets the
            # values of widgets a run does not draw: both pages' are kept.
            corpus_page.keep_values([*default_state("", ""), *corpus_page.WIDGET_KEYS])
            if target is corpus_view:  # the corpus's address names its dataset
                dataset = st.query_params.get("dataset") or st.session_state.get(
                    "corpus_url_dataset"
                )
                st.switch_page(target, query_params={"dataset": dataset} if dataset else None)
            st.switch_page(target)
    page.run()


if __name__ == "__main__":
    navigation()
