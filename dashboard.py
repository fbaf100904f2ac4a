"""newsmap dashboard: paste or upload articles, check their places on a map, fix, export.

Run with ``make run`` (or ``streamlit run dashboard.py``). This script only reads
widgets, calls functions from ``geodata`` and ``layers``, and shows what they return.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import date
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from geodata.parse import Geoparser
from layers.analysis import (
    distances_km,
    highlight_html,
    nearest_feature,
    representative_lonlat,
)
from layers.assets import BASEMAP_URL
from layers.catalog import KINDS, LAYER_BY_KEY, LAYERS, build_layers
from layers.corrections import empty_corrections, place_to_candidate
from layers.export import to_csv, to_gpkg_bytes, to_html, to_kml
from layers.inputs import MAX_APP_CHARS, escape_markdown, feature_table, parse_uploads
from layers.render import (
    BASEMAPS,
    build_feature_groups,
    legend_group,
    present,
    render_base_map,
    render_map,
    selection_group,
    unique_evidence,
)
from layers.views import (
    SITES_KEY_ITEMS,
    geojson_all,
    geojson_selected,
    geojson_visible,
    get_geoparser,
    get_sites,
    view_frames,
)

ROOT = Path(__file__).resolve().parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
RING_RADII_KM = (25, 50, 100)


def seed_text(name: str) -> str:
    """Return the text of the sample article ``name`` from ``seeds/``."""
    return (ROOT / "seeds" / name).read_text(encoding="utf-8")


def init_state() -> None:
    """Set every session-state key once, with its default."""
    defaults: dict[str, object] = {
        "seed": SEEDS[0].name if SEEDS else "",
        "text": seed_text(SEEDS[0].name) if SEEDS else "",
        "articles": [],
        "imported": None,
        "upload_messages": [],
        "basemap": "naturalearth",
        "use_date": False,
        "article_date": date.today(),
        "article_filter": "All articles",
        "kinds": [],
        "min_confidence": 0.0,
        "name_query": "",
        "selected": "",
        "table_rows_seen": (),
        "carry_from": None,
        "carried_notice": 0,
        "rings": False,
        "last_click": None,
        "corrections": {},
        "add_query": "",
    }
    defaults.update({f"layer_{layer.key}": True for layer in LAYERS})
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)


# ----------------------------------------------------------------- callbacks


def on_seed_change() -> None:
    """Load the chosen sample article into the text box (uploads are cleared)."""
    st.session_state["text_before_upload"] = None
    st.session_state["text"] = seed_text(st.session_state["seed"])
    st.session_state["articles"] = []
    st.session_state["imported"] = None


def on_upload() -> None:
    """Turn uploads into articles or a saved map; report what could not be used."""
    files = st.session_state.get("upload") or []
    if not files:
        # Every file was removed: back to the text the box held before the uploads.
        st.session_state["articles"] = []
        st.session_state["imported"] = None
        st.session_state["upload_messages"] = []
        if st.session_state.get("text_before_upload") is not None:
            st.session_state["text"] = st.session_state["text_before_upload"]
        st.session_state["text_before_upload"] = None
        return
    if st.session_state.get("text_before_upload") is None:
        st.session_state["text_before_upload"] = st.session_state["text"]
    articles, saved_map, problems = parse_uploads([(f.name, f.getvalue()) for f in files])
    st.session_state["upload_messages"] = problems
    if saved_map is not None:
        st.session_state["imported"] = json.dumps(saved_map)
    if articles:
        st.session_state["articles"] = articles
        st.session_state["text"] = articles[0]["text"]
        st.session_state["imported"] = None if saved_map is None else st.session_state["imported"]


def on_text_edit() -> None:
    """Typing in the box maps the box's text (uploaded articles are put aside).

    The corrections made on the previous text are carried over to the edited one
    (they name features by id, so they apply wherever those features still are).
    """
    st.session_state["carry_from"] = st.session_state.get("active_key")
    st.session_state["carried_notice"] = 0
    st.session_state["text_before_upload"] = None  # the text typed now is the one to keep
    st.session_state["articles"] = []
    st.session_state["imported"] = None


def correction_count(corrections: dict) -> int:
    """Count the corrections of every kind."""
    return sum(len(v) for v in corrections.values())


def carry_corrections(key: str) -> None:
    """Copy the corrections of the text just edited to the new text's key, once."""
    source = st.session_state["carry_from"]
    st.session_state["carry_from"] = None
    store = st.session_state["corrections"]
    if not source or source == key or source not in store:
        return
    if key in store and correction_count(store[key]):
        return  # the edited text already has corrections of its own
    if correction_count(store[source]):
        store[key] = copy.deepcopy(store[source])
        st.session_state["carried_notice"] = correction_count(store[key])


def active_corrections() -> dict:
    """Return the corrections of the articles on screen (for widget callbacks)."""
    return corrections_for(st.session_state["active_key"])


def on_repick(fid: str, by_label: dict) -> None:
    """Replace feature ``fid`` by the candidate chosen in its "Other candidates" box."""
    chosen = by_label[st.session_state[f"alt_{fid}"]]
    active_corrections()["repicked"][fid] = chosen
    st.session_state["selected"] = chosen["feature_id"]


def on_edit(fid: str) -> None:
    """Apply the name and kind typed in feature ``fid``'s edit form."""
    name = str(st.session_state.get(f"edit_name_{fid}", "")).strip()
    kind = st.session_state.get(f"edit_kind_{fid}")
    edit: dict[str, str] = {"kind": kind} if kind else {}
    if name:
        edit["name"] = name
    else:
        st.session_state["edit_message"] = "A name cannot be empty: the name was kept."
    previous = active_corrections()["edited"].get(fid, {})
    active_corrections()["edited"][fid] = {**previous, **edit}


def on_reject(fid: str) -> None:
    """Reject feature ``fid``: it leaves the map, the table and every export."""
    active_corrections()["rejected"].append(fid)
    st.session_state["selected"] = ""


def on_add_place(places: list) -> None:
    """Add the gazetteer match chosen in the "Matches" box."""
    place = next(p for p in places if p.feature_id == st.session_state["add_choice"])
    active_corrections()["added"].append(place_to_candidate(place))
    st.session_state["selected"] = place.feature_id


def on_add_at_click(click: dict) -> None:
    """Add a user-named place at the last map click."""
    name = str(st.session_state.get("click_name", "")).strip()
    if not name:
        st.session_state["edit_message"] = "Give the place a name to add it."
        return
    feature_id = f"user:{click['lat']:.4f},{click['lng']:.4f}"
    active_corrections()["added"].append(
        {
            "feature_id": feature_id,
            "name": name,
            "kind": st.session_state.get("click_kind") or KINDS[0],
            "country_code": None,
            "lon": click["lng"],
            "lat": click["lat"],
            "source": "added by the user at a map click",
        }
    )
    st.session_state["selected"] = feature_id


def on_clear_corrections() -> None:
    """Drop every correction of the articles on screen."""
    st.session_state["corrections"][st.session_state["active_key"]] = empty_corrections()
    st.session_state["carried_notice"] = 0


def corrections_for(key: str) -> dict:
    """Return (creating it) the corrections of the article set ``key``."""
    store = st.session_state["corrections"]
    if key not in store:
        store[key] = empty_corrections()
    return store[key]


def select(feature_id: str) -> None:
    """Select a feature and run the page again with it.

    ``selected`` is plain session state, not a widget's key: a widget whose labels
    change (an edited name) gets a new identity and would forget its value.
    """
    st.session_state["selected"] = feature_id
    st.rerun()


def on_selected_box() -> None:
    """Take the feature chosen by hand in the "Selected feature" box."""
    st.session_state["selected"] = st.session_state["selected_box"]


# ----------------------------------------------------------------- data


def current_articles() -> list[dict]:
    """Articles being mapped: the uploads, else the text box."""
    if st.session_state["articles"]:
        return st.session_state["articles"]
    name = (
        Path(st.session_state["seed"]).stem
        if st.session_state["text"]
        == (seed_text(st.session_state["seed"]) if st.session_state["seed"] else None)
        else "pasted article"
    )
    return [{"name": name, "text": st.session_state["text"]}]


def article_key(articles: list[dict]) -> str:
    """Return a short stable key for the set of articles (or the imported map)."""
    digest = hashlib.sha1()
    if st.session_state["imported"]:
        digest.update(st.session_state["imported"].encode())
    for article in articles:
        for part in (article["name"], article["text"]):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\x00")
    return digest.hexdigest()[:16]


def view_key(
    content_key: str,
    articles: list[dict],
    article_date: date | None,
    corrections: dict,
    visible: tuple[str, ...],
) -> tuple:
    """Everything the features on screen depend on, as a small hashable tuple.

    The articles themselves are represented by ``content_key`` (a digest of their
    texts and of an imported map), so the caches below hash a few bytes, not
    the articles, on every rerun.
    """
    return (
        content_key,
        article_date,
        json.dumps(corrections, sort_keys=True),
        st.session_state["article_filter"] if len(articles) > 1 else "All articles",
        tuple(st.session_state["kinds"]),
        float(st.session_state["min_confidence"]),
        st.session_state["name_query"],
        visible,
    )


# ----------------------------------------------------------------- views


def sidebar(counts: dict[str, int], present_kinds: list[str], articles: list[dict]) -> None:
    """Draw the sidebar widgets (their values live in session state)."""
    with st.sidebar:
        st.header("Article")
        if SEEDS:
            st.selectbox(
                "Sample articles", [p.name for p in SEEDS], key="seed", on_change=on_seed_change
            )
        st.file_uploader(
            "Upload articles (.txt .md .html .jsonl) or a saved map (.geojson)",
            type=["txt", "md", "html", "htm", "jsonl", "geojson", "json"],
            accept_multiple_files=True,
            key="upload",
            on_change=on_upload,
        )
        for message in st.session_state["upload_messages"]:
            st.error(escape_markdown(message))
        if st.session_state["imported"]:
            st.info(
                "Showing a saved map (GeoJSON). Edit the text or pick a sample to "
                "map an article again."
            )
        if len(articles) > 1:
            st.selectbox(
                "Article", ["All articles", *[a["name"] for a in articles]], key="article_filter"
            )
        st.text_area("Article text", key="text", height=200, on_change=on_text_edit)
        st.checkbox("Article date known", key="use_date")
        if st.session_state["use_date"]:
            st.date_input("Article date", key="article_date")

        st.header("Layers")
        for layer in LAYERS:
            st.checkbox(
                f"{layer.icon} {layer.title} ({counts.get(layer.key, 0)})", key=f"layer_{layer.key}"
            )
        st.header("Filters")
        st.multiselect("Kinds (empty = all)", present_kinds, key="kinds")
        st.slider("Minimum confidence", 0.0, 1.0, step=0.05, key="min_confidence")
        st.text_input("Name contains", key="name_query")
        st.radio("Basemap", list(BASEMAPS), format_func=BASEMAPS.get, key="basemap")


def details_panel(sites, shown) -> None:
    """Show the selected feature: evidence, candidates, corrections, distances."""
    options = ["", *shown["feature_id"]]
    if st.session_state["selected"] not in options:
        st.session_state["selected"] = ""
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
    point = representative_lonlat(row.geometry)
    st.markdown(f"**{escape_markdown(row['name'])}**", help=escape_markdown(fid))
    st.text(
        f"{row['kind'].replace('_', ' ')} · {row['country_code'] or '—'}"
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
        source = f"[{item['article']}] " if item.get("article") else ""
        st.text(f"{source}“{item['sentence']}”")
    alternatives = list(row.get("alternatives") or [])
    if alternatives:
        by_label = {
            f"{a['name']} ({a['country_code'] or '—'}, {a['kind']}, score {a['score']:.2f})": a
            for a in alternatives
        }
        st.selectbox("Other candidates", list(by_label), key=f"alt_{fid}")
        st.button(
            "Use this candidate", key=f"repick_{fid}", on_click=on_repick, args=(fid, by_label)
        )
    with st.form(key=f"edit_{fid}"):
        st.text_input("Name", value=row["name"], key=f"edit_name_{fid}")
        st.selectbox(
            "Kind",
            KINDS,
            index=KINDS.index(row["kind"]) if row["kind"] in KINDS else 0,
            key=f"edit_kind_{fid}",
        )
        st.form_submit_button("Apply edit", on_click=on_edit, args=(fid,))
    if st.session_state.get("edit_message"):
        st.warning(st.session_state.pop("edit_message"))
    st.button("Reject this feature", key=f"reject_{fid}", on_click=on_reject, args=(fid,))
    st.checkbox("Range rings (25, 50, 100 km)", key="rings")
    distances = distances_km(sites, fid)
    nearest = (
        sites.assign(distance_km=distances.round(1))[["name", "kind", "distance_km"]]
        .loc[sites["feature_id"] != fid]
        .sort_values("distance_km")
        .head(10)
    )
    st.dataframe(nearest, hide_index=True, width="stretch")


def add_place_panel(geoparser: Geoparser, click: dict | None) -> None:
    """Add a missing place from the gazetteer, or at the last map click."""
    with st.expander("Add a missing place"):
        st.text_input("Search the gazetteer", key="add_query")
        places = geoparser.gazetteer.search(st.session_state["add_query"], limit=8)
        if places:
            labels = {
                p.feature_id: f"{p.name} ({p.country_code or '—'}, {p.kind.replace('_', ' ')})"
                for p in places
            }
            st.selectbox("Matches", list(labels), format_func=labels.get, key="add_choice")
            st.button("Add to the map", key="add_place", on_click=on_add_place, args=(places,))
        elif len(st.session_state["add_query"].strip()) >= 2:
            st.caption("No place of that name in the gazetteer.")
        if click:
            with st.form(key="add_at_click"):
                st.caption(f"Last click: lat {click['lat']:.4f}, lon {click['lng']:.4f}")
                st.text_input("Name of a place here", key="click_name")
                st.selectbox("Kind", KINDS, key="click_kind")
                st.form_submit_button("Add at the click", on_click=on_add_at_click, args=(click,))
        if st.session_state.get("edit_message"):
            st.warning(st.session_state.pop("edit_message"))


def downloads(source: tuple, view: tuple, shown, stem: str, visible: tuple[str, ...]) -> None:
    """Download buttons: every file is built when its button is clicked, not on each rerun."""
    selected = st.session_state["selected"]
    has_selection = bool(selected) and selected in set(shown["feature_id"])
    sites_key = view[:SITES_KEY_ITEMS]
    geo = "application/geo+json"
    buttons = [
        # label, callable run only on click, file suffix, mime, key
        (
            "GeoJSON (all layers)",
            lambda: geojson_all(source, sites_key),
            "-all.geojson",
            geo,
            "dl_all",
        ),
        (
            "GeoJSON (visible)",
            lambda: geojson_visible(source, view),
            "-visible.geojson",
            geo,
            "dl_visible",
        ),
        (
            "GeoJSON (selected)",
            lambda: geojson_selected(source, view, selected),
            "-selected.geojson",
            geo,
            "dl_selected",
        ),
        (
            "GeoPackage",
            lambda: to_gpkg_bytes(shown),
            ".gpkg",
            "application/geopackage+sqlite3",
            "dl_gpkg",
        ),
        ("KML", lambda: to_kml(shown), ".kml", "application/vnd.google-earth.kml+xml", "dl_kml"),
        ("CSV", lambda: to_csv(shown), ".csv", "text/csv", "dl_csv"),
        (
            "HTML map",
            lambda: to_html(render_map(build_layers(shown), visible), title=stem),
            ".html",
            "text/html",
            "dl_html",
        ),
    ]
    for column, (label, data, suffix, mime, key) in zip(
        st.columns(len(buttons)), buttons, strict=True
    ):
        column.download_button(
            label,
            data,
            file_name=f"{stem}{suffix}",
            mime=mime,
            key=key,
            disabled=key == "dl_selected" and not has_selection,
            # A download changes nothing on the page: no rerun, so no flicker, and
            # the other buttons' files stay valid for the next click.
            on_click="ignore",
        )


def main() -> None:
    """Build the page."""
    st.set_page_config(page_title="newsmap", page_icon="🗺️", layout="wide")
    init_state()
    geoparser = get_geoparser()
    article_date = st.session_state["article_date"] if st.session_state["use_date"] else None
    articles = current_articles()
    key = article_key(articles)
    carry_corrections(key)
    st.session_state["active_key"] = key
    corrections = corrections_for(key)
    visible = tuple(layer.key for layer in LAYERS if st.session_state[f"layer_{layer.key}"])
    source = (tuple((a["name"], a["text"]) for a in articles), st.session_state["imported"])
    view = view_key(key, articles, article_date, corrections, visible)
    try:
        sites, shown, layer_frames, all_layers = view_frames(source, view)
    except Exception as error:  # a last guard: the page must never show a traceback
        st.error(
            f"newsmap could not map this input ({type(error).__name__}: "
            f"{escape_markdown(error)}). Your text and corrections are kept; edit the "
            "text, pick a sample or upload another file."
        )
        sidebar({}, [], articles)
        st.stop()
    present_kinds = [k for k in KINDS if k in set(sites["kind"])]
    sidebar({k: len(f) for k, f in layer_frames.items()}, present_kinds, articles)

    st.title("newsmap")
    st.caption(
        "Places, sites and incidents named in the article, each traceable to its "
        "sentence. Click a feature to check it; correct what is wrong; export."
    )
    text = st.session_state["text"]
    # Messages go in one container that is always there: an element that comes and
    # goes above the map would shift the map's place in the page, and Streamlit
    # would rebuild the map (a flicker, and the reader's view lost).
    with st.container():
        if geoparser.nlp is None:
            st.warning(
                "No spaCy NER pipeline is installed: toponyms are found by gazetteer "
                "matching only, so some places may be missed."
            )
        if any(len(a["text"]) > MAX_APP_CHARS for a in articles):
            st.warning(
                f"An article is longer than {MAX_APP_CHARS:,} characters; only the first "
                f"{MAX_APP_CHARS:,} are mapped. Your full text is kept in the box."
            )
        if st.session_state["carried_notice"] and correction_count(corrections):
            st.info(
                f"{st.session_state['carried_notice']} correction(s) from the text before your "
                "edit still apply."
            )
        if correction_count(corrections):
            st.button(
                "Clear all corrections", key="clear_corrections", on_click=on_clear_corrections
            )
        if not st.session_state["imported"] and not any(a["text"].strip() for a in articles):
            st.info("Paste an article in the sidebar, upload a file, or pick a sample.")
        elif sites.empty:
            st.info("No places were found in this text.")
        elif shown.empty:
            st.info("No feature passes the current layers and filters.")

    map_column, detail_column = st.columns([3, 2])
    with map_column:
        groups = build_feature_groups(layer_frames, visible)
        groups.append(legend_group({k: len(layer_frames[k]) for k in visible}))
        center = zoom = None
        selected = shown[shown["feature_id"] == st.session_state["selected"]]
        if not selected.empty:
            lonlat = representative_lonlat(selected.iloc[0].geometry)
            if lonlat is not None:
                rings = RING_RADII_KM if st.session_state["rings"] else ()
                groups.append(selection_group(*lonlat, selected.iloc[0]["name"], rings))
                center, zoom = (lonlat[1], lonlat[0]), 8
        base = render_base_map(
            all_layers,
            basemap=st.session_state["basemap"],
            basemap_url=BASEMAP_URL,
            legend=False,
            view_memory_key=f"newsmap-view-{key}",
        )
        # No layer control inside the map: the sidebar's layer boxes are the one
        # place where layers are switched, so the map, table and exports agree.
        state = st_folium(
            base,
            key=f"map-{key}-{st.session_state['basemap']}",
            height=560,
            use_container_width=True,
            feature_group_to_add=groups,
            center=center,
            zoom=zoom,
            returned_objects=["last_object_clicked", "last_clicked"],
        )
    state = state or {}
    click = state.get("last_object_clicked") or state.get("last_clicked")
    if click and click != st.session_state["last_click"]:
        st.session_state["last_click"] = click
        hit = nearest_feature(shown, click["lng"], click["lat"], max_km=25.0)
        if hit and hit != st.session_state["selected"]:
            select(hit)
    with detail_column:
        details_panel(sites, shown)
        add_place_panel(geoparser, st.session_state["last_click"])

    with st.expander("Article text with highlighted mentions", expanded=False):
        current = articles[0]["text"] if articles else text
        if len(articles) > 1 and st.session_state["article_filter"] != "All articles":
            current = next(
                a["text"] for a in articles if a["name"] == st.session_state["article_filter"]
            )
        if not st.session_state["imported"]:
            single = get_sites(current, article_date) if len(articles) > 1 else shown
            visible_ids = set(shown["feature_id"])
            marked = single[single["feature_id"].isin(visible_ids)]
            st.html(
                f"<div style='line-height:1.7'>"
                f"{highlight_html(current[:MAX_APP_CHARS], marked, st.session_state['selected'])}"
                f"</div>"
            )

    st.subheader(f"Features ({len(shown)} of {len(sites)})")
    table = st.dataframe(
        feature_table(shown),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="table",
    )
    rows = table.selection.rows if table is not None and hasattr(table, "selection") else []
    # A row stays ticked across reruns: act on a change of the table's selection only,
    # so a later choice on the map or in the box is not overruled by an old row.
    if tuple(rows) != st.session_state["table_rows_seen"]:
        st.session_state["table_rows_seen"] = tuple(rows)
        if rows and rows[0] < len(shown):
            chosen = shown.iloc[rows[0]]["feature_id"]
            if chosen != st.session_state["selected"]:
                select(chosen)

    stem = f"{Path(articles[0]['name']).stem if articles else 'newsmap'}-{date.today():%Y%m%d}"
    downloads(source, view, shown, stem, visible)
    st.caption(
        "The GeoJSON downloads include your corrections; upload one back to reopen "
        "the same map. "
        + ", ".join(
            f"{LAYER_BY_KEY[k].title}: {len(layer_frames[k])}"
            for k in visible
            if len(layer_frames[k])
        )
    )


if __name__ == "__main__":
    main()
