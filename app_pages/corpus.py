"""The Corpus page: many articles as one map in time.

Opened from the navigation of ``dashboard.py`` (which passes its geoparser, so
the server loads one). Reads as its panels: ``source_panel`` (sidebar: which
corpus), ``filter_panel`` (sidebar), ``time_panel`` (histogram, range, play),
``map_panel``, ``place_panel`` (the articles behind a place, each one click from
the Article page), ``table_panel`` and ``downloads_panel``. The model is
:mod:`layers.app.corpus`; nothing here computes more than a widget's value.
"""

from __future__ import annotations

import hashlib
import html
import os
import time
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import streamlit as st
from streamlit_folium import st_folium

from geodata.corpus import iter_jsonl
from geodata.describe import kind_words
from layers.app.clicks import read_click
from layers.app.corpus import (
    GRANULARITIES,
    MAX_DRAWN_PLACES,
    TIME_AXES,
    Corpus,
    CorpusError,
    CorpusFilter,
    aggregate_places,
    corpus_from_records,
    export_name,
    filter_mask,
    histogram,
    mentions_csv,
    open_dataset,
    open_dataset_zip,
    period_end,
    period_starts,
    place_articles,
    places_geojson,
    selection_parquet,
    with_article_sites,
)
from layers.app.display import escape_markdown
from layers.files.inputs import decode_text
from layers.map.assets import BASEMAP_URL
from layers.map.corpus import corpus_group, corpus_legend, render_corpus_map


#: Where datasets may be opened by path: this folder and below (``NEWSMAP_DATASETS``,
#: default the folder the server was started in). A shared server must not read
#: any folder a visitor names.
def datasets_root() -> Path:
    """Return the folder datasets may be opened from (``NEWSMAP_DATASETS``, default cwd)."""
    return Path(os.environ.get("NEWSMAP_DATASETS", ".")).resolve()


#: A corpus uploaded as JSON Lines is geoparsed in the page up to this many
#: articles; bigger ones go to ``newsmap batch``.
MAX_UPLOAD_ARTICLES = 2_000
#: Articles listed under a place.
MAX_LISTED = 20
PLAY_STEP_SECONDS = 1.5
#: How the histogram names a period (a week by its Monday).
PERIOD_FORMAT = {"day": "%d %b %Y", "week": "%d %b %Y", "month": "%b %Y"}

#: The page's own session keys and their defaults.
DEFAULTS: dict[str, Any] = {
    "corpus_choice": "",
    "corpus_granularity": "week",
    "corpus_time_by": "article",
    "corpus_range": None,  # (first, last) period start, or None: all of time
    "corpus_range_gen": 0,  # the slider's generation (see set_range)
    "corpus_countries": [],
    "corpus_kinds": [],
    "corpus_events": [],
    "corpus_actors": [],
    "corpus_min_confidence": 0.0,
    "corpus_query": "",
    "corpus_colour": "kind",
    "corpus_selected": "",
    "corpus_playing": False,
    "corpus_last_step": 0.0,
    "corpus_click_memory": None,
    "corpus_loaded": None,  # ("path", folder) or ("upload", digest)
    "corpus_upload_taken": "",  # file id of the upload last opened
    "corpus_url_dataset": "",  # the ?dataset= value last opened
    "corpus_message": "",
    # article id -> Source.key on the Article page, and the corrected sites there
    "corpus_opened": {},
    "corpus_corrected": {},
}
#: The page's widget keys: the Article page writes them back while it is on
#: screen, so the Corpus page's choices are there on return.
WIDGET_KEYS = (
    "corpus_choice",
    "corpus_path",
    "corpus_granularity",
    "corpus_time_by",
    "corpus_countries",
    "corpus_kinds",
    "corpus_events",
    "corpus_actors",
    "corpus_min_confidence",
    "corpus_query",
    "corpus_colour",
)


# ----------------------------------------------------------------- caches


@st.cache_resource(max_entries=4, show_spinner="Opening the dataset…")
def load_dataset(path: str, stamp: float) -> Corpus:
    """Open a dataset folder once per server process (``stamp``: its manifest's mtime)."""
    return open_dataset(path)


@st.cache_resource
def uploaded_corpora() -> dict[str, Corpus]:
    """Corpora made from uploads, by content digest (shared: equal files, one geoparse)."""
    return {}


def find_datasets(root: Path | None = None) -> list[str]:
    """Dataset folders (holding ``_manifest.json`` and ``articles/``) up to two levels down."""
    root = root or datasets_root()
    found = []
    for manifest in [
        *root.glob("_manifest.json"),
        *root.glob("*/_manifest.json"),
        *root.glob("*/*/_manifest.json"),
    ]:
        if (manifest.parent / "articles").is_dir():
            found.append(str(manifest.parent.relative_to(root)))
    return sorted(found)


def _inside_root(text: str) -> Path | None:
    root = datasets_root()
    path = (root / text.strip()).resolve()
    return path if path == root or root in path.parents else None


# ----------------------------------------------------------------- state


def keep_values(keys: Iterable[str]) -> None:
    """Keep the values of widgets this run does not draw (the other page's).

    Streamlit forgets a widget's value at the end of a run that does not draw
    it; a value written back through session state is kept.
    """
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def init_state(article_keys: list[str]) -> None:
    """Set this page's defaults; keep the Article page's widget values while it is away.

    Streamlit forgets a widget's value in a run that does not draw it; writing the
    value back keeps the Article page's text, switches and filters for the return.
    """
    keep_values(article_keys)
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(
            key, value if not isinstance(value, (dict, list)) else type(value)(value)
        )


def current_corpus() -> Corpus | None:
    """Return the corpus chosen in the sidebar, with the Article page's corrections."""
    loaded = st.session_state["corpus_loaded"]
    base = None
    if loaded and loaded[0] == "upload":
        base = uploaded_corpora().get(loaded[1])
    elif loaded and loaded[0] == "path":
        path = _inside_root(loaded[1])
        if path is not None and path.is_dir():
            manifest = path / "_manifest.json"
            stamp = manifest.stat().st_mtime if manifest.exists() else 0.0
            try:
                base = load_dataset(str(path), stamp)
            except CorpusError as error:
                st.session_state["corpus_message"] = str(error)
    if base is None:
        return None
    corrected = st.session_state["corpus_corrected"]
    if not corrected:
        return base
    # Applying corrections copies the items (O(items)): once per change, not per rerun.
    key = (id(base), tuple((a, id(sites)) for a, sites in corrected.items()))
    cached = st.session_state.get("corpus_applied")
    if cached is not None and cached[0] == key:
        return cached[2]
    applied = base
    for article_id, sites in corrected.items():
        applied = with_article_sites(applied, article_id, sites)
    # the base is kept with the key so that its id cannot be reused
    st.session_state["corpus_applied"] = (key, base, applied)
    return applied


# ----------------------------------------------------------------- callbacks


def on_choose_dataset() -> None:
    """Open the dataset chosen in the list."""
    choice = st.session_state["corpus_choice"]
    if choice:
        reset_view()
        st.session_state["corpus_loaded"] = ("path", choice)


def on_path() -> None:
    """Open the dataset folder typed in."""
    open_path(st.session_state.get("corpus_path", ""))


def open_from_url() -> None:
    """Open the dataset the address names (``/corpus?dataset=folder``), once per address.

    The address of an open server dataset names it, so that a view can be sent
    as a link; the filters are not in it.
    """
    wanted = st.query_params.get("dataset", "")
    if wanted and wanted != st.session_state["corpus_url_dataset"]:
        st.session_state["corpus_url_dataset"] = wanted
        open_path(wanted)
    loaded = st.session_state["corpus_loaded"]
    if loaded and loaded[0] == "path":
        st.session_state["corpus_url_dataset"] = loaded[1]
        if st.query_params.get("dataset") != loaded[1]:
            st.query_params["dataset"] = loaded[1]
    elif "dataset" in st.query_params:
        del st.query_params["dataset"]


def open_path(text: str) -> None:
    """Open a dataset folder named relative to the server's dataset folder."""
    text = text.strip()
    if not text:
        return
    path = _inside_root(text)
    if path is None:
        st.session_state["corpus_message"] = (
            "Only datasets in this server's dataset folder can be opened "
            "(NEWSMAP_DATASETS, set when the server starts)."
        )
    elif not (path / "articles").is_dir():
        st.session_state["corpus_message"] = (
            f"{text} is not a newsmap batch dataset (no articles/ folder)."
        )
    else:
        reset_view()
        folder = str(path.relative_to(datasets_root()))
        st.session_state["corpus_loaded"] = ("path", folder)
        st.session_state["corpus_choice"] = folder if folder in find_datasets() else ""


def set_range(value: tuple[date, date] | None) -> None:
    """Move the time range from code (play, reset), not from the slider.

    The slider is keyed by a generation: a new key makes Streamlit draw it at the
    new range. Setting a range slider's value through its own key does not work in
    the browser: the slider, created without ``value``, reports one date back.
    """
    st.session_state["corpus_range"] = value
    st.session_state["corpus_range_gen"] += 1


def on_slider(key: str) -> None:
    """Take the slider's range as the page's range (the user moved it)."""
    value = st.session_state[key]
    st.session_state["corpus_range"] = (value, value) if isinstance(value, date) else value
    st.session_state["corpus_playing"] = False


def reset_view() -> None:
    """Start a new corpus with all of its time and no filters."""
    set_range(None)
    for key in (
        "corpus_countries",
        "corpus_kinds",
        "corpus_events",
        "corpus_actors",
        "corpus_query",
        "corpus_selected",
        "corpus_message",
    ):
        st.session_state[key] = DEFAULTS[key] if not isinstance(DEFAULTS[key], list) else []
    st.session_state["corpus_min_confidence"] = 0.0
    st.session_state["corpus_playing"] = False


def on_granularity() -> None:
    """Periods changed: the range starts over on all of time."""
    set_range(None)
    st.session_state["corpus_playing"] = False


def on_play() -> None:
    """Start or stop stepping through time."""
    st.session_state["corpus_playing"] = not st.session_state["corpus_playing"]
    st.session_state["corpus_last_step"] = 0.0


def on_place(feature_id: str) -> None:
    """Select a place (a click on the map or a row of the table)."""
    st.session_state["corpus_selected"] = feature_id


def on_open_article(article: dict[str, Any], source_key: str) -> None:
    """Put the article in the Article page's text box and go there."""
    day = article["date"]
    st.session_state.update(
        {
            "text": article["text"],
            "seed": "",
            "articles": [],
            "imported": None,
            "use_date": day is not None,
            "article_date": day or date.today(),
            "selected": "",
            "upload_messages": [],
            "upload_notes": [],
        }
    )
    st.session_state["corpus_opened"][article["article_id"]] = source_key
    st.session_state["switch_to_article"] = True


# ----------------------------------------------------------------- panels


def source_panel(geoparser: Callable[[], Any]) -> None:
    """Sidebar: open a dataset on the server, upload a zipped dataset or a .jsonl corpus."""
    with st.sidebar:
        st.header("Corpus")
        datasets = find_datasets()
        if datasets:
            st.selectbox(
                "Datasets on this server",
                ["", *datasets],
                key="corpus_choice",
                format_func=lambda d: d or "— choose —",
                on_change=on_choose_dataset,
            )
        st.text_input(
            "Dataset folder (made by newsmap batch)",
            key="corpus_path",
            on_change=on_path,
            help="A folder in this server's dataset folder (NEWSMAP_DATASETS)",
        )
        upload = st.file_uploader(
            "…or upload a corpus (.jsonl: one article per line) or a zipped dataset (.zip)",
            type=["jsonl", "zip"],
            key="corpus_upload",
        )
        # An upload stays in the box after it is opened: it is taken once, so
        # that a dataset chosen afterwards is not replaced by it on every rerun.
        if upload is not None and upload.file_id != st.session_state["corpus_upload_taken"]:
            st.session_state["corpus_upload_taken"] = upload.file_id
            take_upload(upload.name, upload.getvalue(), geoparser)
        if st.session_state["corpus_message"]:
            st.error(escape_markdown(st.session_state["corpus_message"]))


def take_upload(name: str, data: bytes, geoparser: Callable[[], Any]) -> None:
    """Open or geoparse an upload once (by content digest), with a progress bar."""
    digest = hashlib.sha256(data).hexdigest()[:24]
    registry = uploaded_corpora()
    if st.session_state["corpus_loaded"] == ("upload", digest):
        return
    if digest not in registry:
        try:
            if name.lower().endswith(".zip"):
                corpus = open_dataset_zip(data, name)
            else:
                corpus = geoparse_upload(name, data, geoparser)
        except CorpusError as error:
            st.session_state["corpus_message"] = str(error)
            return
        if len(registry) >= 8:
            registry.pop(next(iter(registry)))
        registry[digest] = corpus
    reset_view()
    st.session_state["corpus_loaded"] = ("upload", digest)


def geoparse_upload(name: str, data: bytes, geoparser: Callable[[], Any]) -> Corpus:
    """Geoparse an uploaded JSON Lines corpus in chunks, showing progress."""
    text, note = decode_text(data, name)
    lines = text.splitlines()
    records = [(n, r) for n, r in iter_jsonl(lines, source=name)][: MAX_UPLOAD_ARTICLES + 1]
    if not records:
        raise CorpusError(f"{name} holds no articles (one JSON object per line, with a text).")
    left_out = len(records) > MAX_UPLOAD_ARTICLES
    records = records[:MAX_UPLOAD_ARTICLES]
    total = len(records)
    bar = st.progress(0.0, text=f"Finding places in {total:,} articles…")

    def progress(done: int) -> None:
        bar.progress(min(done / total, 1.0), text=f"Finding places: {done:,} of {total:,} articles")

    corpus = corpus_from_records(name, records, geoparser(), progress)
    bar.empty()
    if note:
        corpus.notes.append(note)
    if left_out:
        corpus.notes.append(
            f"Only the first {MAX_UPLOAD_ARTICLES:,} articles of {name} were mapped here; "
            "map the whole file with `newsmap batch` and open the dataset."
        )
    return corpus


def filter_panel(corpus: Corpus) -> None:
    """Sidebar filters: they compose, and the map, histogram and table follow them."""
    names = corpus.country_names()
    with st.sidebar:
        st.header("Filters")
        st.multiselect(
            "Countries (empty = all)",
            corpus.options("country"),
            key="corpus_countries",
            format_func=lambda c: f"{names.get(c, c)} ({c})",
        )
        st.multiselect(
            "Kinds (empty = all)",
            corpus.options("kind"),
            key="corpus_kinds",
            format_func=kind_words,
        )
        st.multiselect(
            "Incident types (empty = all)", corpus.options("event_type"), key="corpus_events"
        )
        st.multiselect("Actors (empty = all)", corpus.options("actors"), key="corpus_actors")
        st.slider("Minimum confidence", 0.0, 1.0, step=0.05, key="corpus_min_confidence")
        st.text_input(
            "Articles containing", key="corpus_query", help="Searches titles and texts (any case)"
        )
        st.radio(
            "Colour places by",
            ["kind", "event_type"],
            key="corpus_colour",
            format_func={"kind": "layer", "event_type": "incident type"}.get,
            horizontal=True,
        )


def chosen_range(options: list[date]) -> tuple[date, date] | None:
    """Return the slider's range, reset to all of time when it is not among the options."""
    value = st.session_state["corpus_range"]
    if not options:
        return None
    if not value or value[0] not in options or value[1] not in options:
        value = (options[0], options[-1])
        set_range(value)
    return value


def step_time(options: list[date]) -> None:
    """While playing: move the range one period on (every :data:`PLAY_STEP_SECONDS`)."""
    if not st.session_state["corpus_playing"] or len(options) < 2:
        return
    now = time.monotonic()
    if now - st.session_state["corpus_last_step"] < PLAY_STEP_SECONDS * 0.9:
        return
    st.session_state["corpus_last_step"] = now
    first, last = chosen_range(options) or (options[0], options[-1])
    i, j = options.index(first), options.index(last)
    if i == 0 and j == len(options) - 1:  # all of time: start with the first period
        set_range((options[0], options[0]))
    elif j + 1 < len(options):
        set_range((options[i + 1], options[j + 1]))
    else:
        st.session_state["corpus_playing"] = False


def time_panel(corpus: Corpus, spec_no_time: CorpusFilter) -> tuple[date | None, date | None]:
    """Histogram of articles per period, the range slider and the play button."""
    granularity = st.session_state["corpus_granularity"]
    time_by = st.session_state["corpus_time_by"]
    options = period_starts(corpus, granularity, time_by)
    if not options:
        st.caption("No article in this corpus has a date: the time controls are off.")
        return None, None

    @st.fragment(run_every=PLAY_STEP_SECONDS if st.session_state["corpus_playing"] else None)
    def player() -> None:
        before = st.session_state["corpus_range"]
        step_time(options)
        if st.session_state["corpus_range"] != before:
            st.rerun()

    player()
    first, last = chosen_range(options) or (options[0], options[-1])
    span = (first, period_end(last, granularity))
    hist = histogram(corpus, filter_mask(corpus, spec_no_time), granularity, span, time_by)
    chart = (
        alt.Chart(
            hist.assign(label=[d.strftime(PERIOD_FORMAT[granularity]) for d in hist["period"]])
        )
        .mark_bar()
        .encode(
            # bands, one per period (a temporal axis drew hairline bars and
            # weekday labels); Vega-Lite drops labels that would overlap
            x=alt.X(
                "label:O",
                sort=None,
                title=None,
                axis=alt.Axis(labelAngle=0, labelOverlap=True, labelFontSize=10),
            ),
            y=alt.Y("articles:Q", title="articles", axis=alt.Axis(tickMinStep=1)),
            color=alt.condition(alt.datum.in_range, alt.value("#1f77b4"), alt.value("#d0d7de")),
            tooltip=[alt.Tooltip("label:N", title=granularity), "articles:Q"],
        )
        .properties(height=110)
    )
    st.altair_chart(chart, width="stretch")
    left, middle, axis, right = st.columns([6, 2, 2, 1.3], vertical_alignment="bottom")
    with left:
        fmt = "%Y-%m" if granularity == "month" else "%Y-%m-%d"
        key = f"corpus_range_{st.session_state['corpus_range_gen']}"
        st.select_slider(
            "Time",
            options=options,
            value=(first, last),
            key=key,
            on_change=on_slider,
            args=(key,),
            format_func=lambda d: d.strftime(fmt),
        )
    with middle:
        st.radio(
            "Step",
            list(GRANULARITIES),
            key="corpus_granularity",
            on_change=on_granularity,
            horizontal=True,
        )
    with axis:
        st.radio(
            "Dates of",
            list(TIME_AXES),
            key="corpus_time_by",
            format_func=TIME_AXES.__getitem__,
            on_change=on_granularity,
            horizontal=True,
            help="Articles: when each article appeared. Incidents: when the text says the "
            "incident happened (the article's date when it does not say).",
        )
    with right:
        playing = st.session_state["corpus_playing"]
        st.button(
            "■ Pause" if playing else "▶ Play",  # U+23F8 is in few fonts
            key="corpus_play",
            on_click=on_play,
            width="stretch",
        )
    if first == options[0] and last == options[-1]:
        return None, None  # all of time: undated articles and incidents stay
    return span


def map_panel(corpus: Corpus, places, total_places: int, map_key: str) -> None:
    """Draw the places on one canvas; a click selects the place."""
    colour_by = st.session_state["corpus_colour"]
    base = render_corpus_map(places, colour_by, basemap_url=BASEMAP_URL, with_places=False)
    state = st_folium(
        base,
        key=map_key,
        height=540,
        width="stretch",
        feature_group_to_add=[corpus_group(places, colour_by, st.session_state["corpus_selected"])],
        returned_objects=[
            "last_object_clicked",
            "last_object_clicked_count",
            "last_object_clicked_tooltip",
            "last_clicked",
        ],
    )
    click, memory = read_click(state or {}, st.session_state["corpus_click_memory"], map_key)
    st.session_state["corpus_click_memory"] = memory
    if (
        click is not None
        and click.feature_id
        and click.feature_id != st.session_state["corpus_selected"]
    ):
        st.session_state["corpus_selected"] = click.feature_id
        st.rerun()
    legend = corpus_legend(places, colour_by)
    shown = f"{len(places):,} places drawn"
    if total_places > len(places):
        shown += f" (the {len(places):,} named by most articles, of {total_places:,})"
    # st.html with every label through html.escape (incident types come from the
    # dataset: an uploaded zip's are anyone's); the colours are our palette's
    swatches = " · ".join(
        f'<span style="color:{colour}">●</span> {html.escape(label)} ({count:,})'
        for label, colour, count in legend
    )
    st.html(
        '<div class="nm-corpus-legend" style="font-size:0.95rem">'
        f"{shown}. Circle size: articles naming the place. {swatches}</div>"
    )


def _source_key(text: str) -> str:
    from layers.app.state import Source

    return Source((("pasted article", text),)).key


def place_panel(corpus: Corpus, mask, places) -> None:
    """List the articles that name the selected place, with the sentence, each openable."""
    fid = st.session_state["corpus_selected"]
    options = list(places["feature_id"].head(500))
    if fid and fid not in options:
        options.insert(0, fid)
    labels = dict(zip(places["feature_id"], places["name"], strict=False))
    counts = dict(zip(places["feature_id"], places["articles"], strict=False))
    st.selectbox(
        "Place",
        ["", *options],
        index=(options.index(fid) + 1) if fid in options else 0,
        format_func=lambda f: (
            f"{labels.get(f, f)} ({counts.get(f, 0):,} articles)"
            if f
            else "— click a place on the map, or choose —"
        ),
        key=f"corpus_place_box_{fid}",
        on_change=lambda: on_place(st.session_state[f"corpus_place_box_{fid}"]),
    )
    if not fid:
        return
    total, articles = place_articles(corpus, mask, fid, limit=MAX_LISTED)
    if not total:
        st.info("No article in the current filters names this place.")
        return
    st.caption(
        f"{total:,} article{'s' if total != 1 else ''} name it"
        + (f"; the {MAX_LISTED} newest are listed." if total > MAX_LISTED else ".")
    )
    for n, article in enumerate(articles):
        with st.container(border=True):
            when = article["date"].isoformat() if article["date"] else "undated"
            meta = " · ".join(escape_markdown(v) for v in (when, article["source"]) if v)
            st.markdown(f"**{escape_markdown(article['title'])}**  \n{meta}")
            if article["words"]:
                st.markdown(
                    f"{escape_markdown(article['before'])} "
                    f"**:orange-background[{escape_markdown(article['words'])}]** "
                    f"{escape_markdown(article['after'])}"
                )
            elif article["before"]:
                st.markdown(escape_markdown(article["before"]))
            text = article["text"]
            if isinstance(text, str) and text:
                st.button(
                    "Open on the Article page",
                    key=f"corpus_open_{n}_{article['article_id']}",
                    on_click=on_open_article,
                    args=(article, _source_key(text)),
                )


def table_panel(places) -> None:
    """Show the filtered places as a table, most named first; a row selects its place."""
    with st.expander(f"Places table ({len(places):,})"):
        table = places[["name", "kind", "country", "event_type", "articles", "mentions"]].copy()
        table["kind"] = table["kind"].map(kind_words)
        st.caption("Select a row to list the articles that name the place.")
        st.dataframe(
            table.rename(columns={"event_type": "incident", "country": "country code"}),
            hide_index=True,
            width="stretch",
            key="corpus_table",
            on_select=lambda: on_table_row(places),
            selection_mode="single-row",
        )


def on_table_row(places) -> None:
    """Select the place of the table's selected row."""
    rows = st.session_state["corpus_table"].selection.rows
    if rows and rows[0] < len(places):
        on_place(str(places["feature_id"].iloc[rows[0]]))


def downloads_panel(corpus: Corpus, spec: CorpusFilter, mask, places) -> None:
    """Offer the view's exports, named after the dataset and the time range."""
    st.subheader("Download this view")
    a, b, c = st.columns(3)
    a.download_button(
        "Places (GeoJSON, with article counts)",
        lambda: places_geojson(corpus, places, spec),
        file_name=export_name(corpus, spec, ".geojson"),
        mime="application/geo+json",
        key="corpus_dl_geojson",
    )
    b.download_button(
        "Mentions (CSV)",
        lambda: mentions_csv(corpus, mask),
        file_name=export_name(corpus, spec, "_mentions.csv"),
        mime="text/csv",
        key="corpus_dl_csv",
    )
    c.download_button(
        "Selection (GeoParquet)",
        lambda: selection_parquet(corpus, mask),
        file_name=export_name(corpus, spec, ".parquet"),
        mime="application/vnd.apache.parquet",
        key="corpus_dl_parquet",
    )


# ----------------------------------------------------------------- page


def main(geoparser: Callable[[], Any], article_keys: list[str], page_css: str = "") -> None:
    """Build the Corpus page.

    Parameters
    ----------
    geoparser : callable
        Returns the server's geoparser (``dashboard.get_geoparser``).
    article_keys : list of str
        The Article page's session keys, kept while this page is on screen.
    page_css : str
        The app's layout rules.
    """
    init_state(article_keys)
    if page_css:
        # the sidebar button names what the sidebar holds on this page
        css = page_css.replace('"Article, layers, filters"', '"Dataset, filters"')
        st.markdown(f"<style>{css}</style>", unsafe_allow_html=True)
    open_from_url()
    source_panel(geoparser)
    st.title("newsmap: corpus")
    corpus = current_corpus()
    if corpus is None:
        st.info(
            "Open a dataset made by `newsmap batch` (its folder on this server, or zipped), "
            "or upload a .jsonl corpus: one article per line, "
            '`{"id": ..., "text": ..., "date": "2024-09-11", "title": ...}`.'
        )
        return
    for note in corpus.notes:
        st.info(escape_markdown(note))
    filter_panel(corpus)
    base = CorpusFilter(
        countries=tuple(st.session_state["corpus_countries"]),
        kinds=tuple(st.session_state["corpus_kinds"]),
        event_types=tuple(st.session_state["corpus_events"]),
        actors=tuple(st.session_state["corpus_actors"]),
        min_confidence=float(st.session_state["corpus_min_confidence"]),
        query=st.session_state["corpus_query"],
        time_by=st.session_state["corpus_time_by"],
    )
    st.caption(
        f"{corpus.name}: {len(corpus.articles):,} articles naming "
        f"{corpus.place_count:,} places"
        + (f", {corpus.errors:,} records could not be read" if corpus.errors else "")
    )
    start, end = time_panel(corpus, base)
    spec = base._replace(start=start, end=end)
    mask = filter_mask(corpus, spec)
    every = aggregate_places(corpus, mask)
    places = every.head(MAX_DRAWN_PLACES)
    articles = int(np.count_nonzero(np.bincount(corpus.items["art"].to_numpy()[mask])))
    st.markdown(f"**{articles:,} articles** and **{len(every):,} places** match.")
    loaded = st.session_state["corpus_loaded"]
    map_key = "corpus-map-" + hashlib.sha1(repr(loaded).encode()).hexdigest()[:12]
    map_column, place_column = st.columns([3, 2])
    with map_column:
        map_panel(corpus, places, len(every), map_key)
    with place_column:
        place_panel(corpus, mask, places)
    table_panel(places)
    downloads_panel(corpus, spec, mask, places)
