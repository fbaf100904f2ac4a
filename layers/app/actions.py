"""What the user's actions do to the app's state, without Streamlit.

Each function takes the session state as a mutable mapping (Streamlit's
``st.session_state`` or a plain dict in tests) and changes only the keys it
names. ``dashboard.py`` binds them to widgets' ``on_change``/``on_click``;
``selected`` is written here and by :func:`select` only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, MutableMapping
from datetime import date
from typing import Any

from geodata.catalogue import country_at
from geodata.schema import KINDS
from layers.app.corrections import empty_corrections, place_to_candidate
from layers.app.state import CorrectionStore, source_of
from layers.files.inputs import parse_uploads

__all__ = [
    "add_at_click",
    "add_place",
    "edit_feature",
    "reject",
    "repick",
    "select",
    "text_edited",
    "uploads_changed",
    "use_sample",
]

State = MutableMapping[str, Any]


def select(state: State, feature_id: str) -> None:
    """Select a feature ("" for none): the one writer of ``selected``."""
    state["selected"] = feature_id


def _corrections(state: State) -> dict[str, Any]:
    """Return the active corrections for one change, remembered first for undo."""
    store: CorrectionStore = state["corrections"]
    return store.for_change()


def use_sample(state: State, text: str) -> None:
    """Show a sample article's ``text`` in the box; uploads and a saved map are put aside."""
    state["text_before_upload"] = None
    state["text"] = text
    state["articles"] = []
    state["imported"] = None


def uploads_changed(state: State, files: list[tuple[str, bytes]]) -> None:
    """Turn the uploaded files into articles or a saved map; keep what the box held.

    Parameters
    ----------
    state : mutable mapping
        The session state.
    files : list of (str, bytes)
        Name and content of every file in the uploader (empty: all removed, and
        the box gets back the text it had before the first upload).
    """
    if not files:
        state["articles"], state["imported"], state["upload_messages"] = [], None, []
        state["upload_notes"] = []
        if state["text_before_upload"] is not None:
            state["text"] = state["text_before_upload"]
        state["text_before_upload"] = None
        return
    if state["text_before_upload"] is None:
        state["text_before_upload"] = state["text"]
    state["seed"] = ""
    articles, saved_map, problems = parse_uploads(files)
    state["upload_messages"] = problems
    state["upload_notes"] = [
        f"{a['name']} was not plain UTF-8: read as {a['encoding']}."
        for a in articles
        if a.get("encoding")
    ] + [
        f"{a['name']}: {a['controls']:,} control character{'s' * (a['controls'] != 1)} "
        "(such as NUL) became spaces."
        for a in articles
        if a.get("controls")
    ]
    dated = [a["date"] for a in articles if a.get("date")]
    if dated:  # an HTML page's own date dates its incidents ("on Monday")
        state["use_date"], state["article_date"] = True, date.fromisoformat(dated[0])
    if saved_map is not None:
        state["imported"] = json.dumps(saved_map)
    if articles:
        state["articles"] = articles
        state["text"] = articles[0]["text"]
        if saved_map is None:
            state["imported"] = None


def text_edited(state: State) -> None:
    """Map the box's text from now on (uploads put aside; corrections carried to it)."""
    state["corrections"].edited()
    state["seed"] = ""  # the sample box now says "your own text"
    state["text_before_upload"] = None  # the text typed now is the one to keep
    state["articles"] = []
    state["imported"] = None


def repick(
    state: State,
    feature_id: str,
    candidate: dict[str, Any],
    facts_of: Callable[[str], dict[str, Any]] | None = None,
) -> None:
    """Replace a feature by another candidate for its mention, and select it.

    A feature that is itself a re-pick is traced back to the place the geoparser
    chose, so that picking again replaces the earlier pick (and picking the
    geoparser's own choice undoes the re-pick).

    Parameters
    ----------
    state : mutable mapping
        The session state.
    feature_id : str
        The feature shown (the geoparser's choice or an earlier pick).
    candidate : dict
        The place chosen instead (``feature_id``, ``name``, ``kind``, ``lon``, ``lat``...).
    facts_of : callable, optional
        Feature id -> ``area``, ``country``, ``population`` of the geoparser's
        choice, kept so that it is described in the list of alternatives.
    """
    repicked = _corrections(state)["repicked"]
    original = next(
        (key for key, chosen in repicked.items() if chosen["feature_id"] == feature_id),
        feature_id,
    )
    if candidate["feature_id"] == original:
        repicked.pop(original, None)
    else:
        facts = facts_of(original) if facts_of is not None else {}
        repicked[original] = {**candidate, "previous": facts} if facts else dict(candidate)
    select(state, candidate["feature_id"])


def edit_feature(state: State, feature_id: str, name: str, kind: str | None) -> None:
    """Rename a feature and/or change its kind; an empty name is refused with a message."""
    edit: dict[str, str] = {"kind": kind} if kind else {}
    if name.strip():
        edit["name"] = name.strip()
    else:
        state["message"] = "A name cannot be empty: the name was kept."
    edited = _corrections(state)["edited"]
    edited[feature_id] = {**edited.get(feature_id, {}), **edit}


def reject(state: State, feature_id: str) -> None:
    """Reject a feature: it leaves the map, the table and every export."""
    _corrections(state)["rejected"].append(feature_id)
    select(state, "")


def add_place(state: State, place: Any) -> None:
    """Add a gazetteer place (a :class:`geodata.gazetteer.Place`) and select it."""
    _corrections(state)["added"].append(place_to_candidate(place))
    select(state, place.feature_id)


def add_at_click(state: State, click: dict[str, float], name: str, kind: str | None) -> None:
    """Add a place the user names at a map click (``{"lat", "lng"}`` in degrees)."""
    if not name.strip():
        state["message"] = "Give the place a name to add it."
        return
    feature_id = f"user:{click['lat']:.4f},{click['lng']:.4f}"
    _corrections(state)["added"].append(
        {
            "feature_id": feature_id,
            "name": name.strip(),
            "kind": kind or KINDS[0],
            "country_code": country_at(click["lng"], click["lat"]),
            "lon": click["lng"],
            "lat": click["lat"],
            "source": "added by the user at a map click",
        }
    )
    select(state, feature_id)


def undo(state: State) -> None:
    """Undo the last correction of the articles on screen."""
    state["corrections"].undo()


def redo(state: State) -> None:
    """Redo the last undone correction of the articles on screen."""
    state["corrections"].redo()


def clear_corrections(state: State) -> None:
    """Drop every correction of the articles on screen (undoable)."""
    state["corrections"].clear()


def snapshot(state: State) -> dict[str, Any]:
    """Return what a saved map keeps of the session (see :class:`layers.app.saved.SavedMap`)."""
    article_date = state["article_date"]
    return {
        "text": state["text"],
        "seed": state["seed"],
        "articles": [dict(a) for a in state["articles"]],
        "imported": state["imported"],
        "use_date": bool(state["use_date"]),
        "article_date": article_date.isoformat() if article_date else None,
        "corrections": state["corrections"].current(),
    }


def open_saved(
    state: State, data: dict[str, Any], map_id: str, view_id: str, read_only: bool, sample: str
) -> None:
    """Put a saved map on screen: its articles, date and corrections.

    Parameters
    ----------
    state : mutable mapping
        The session state.
    data : dict
        :func:`snapshot` of the map.
    map_id, view_id : str
        Its edit and read-only ids.
    read_only : bool
        Opened by its read-only link: corrections are locked.
    sample : str
        The text of the sample ``data["seed"]`` names ("" if unknown).
    """
    state["text"] = data.get("text", "")
    state["seed"] = data.get("seed", state["seed"])
    state["articles"] = [dict(a) for a in data.get("articles", [])]
    state["imported"] = data.get("imported")
    state["use_date"] = bool(data.get("use_date"))
    if data.get("article_date"):
        state["article_date"] = date.fromisoformat(data["article_date"])
    source = source_of(state, sample)
    store = CorrectionStore(locked=read_only)
    store.by_key[source.key] = data.get("corrections") or empty_corrections()
    store.activate(source.key, "\n\n".join(t for _, t in source.articles))
    state["corrections"] = store
    state["read_only"] = read_only
    state["map_id"] = None if read_only else map_id
    state["view_id"] = view_id
    state["selected"] = ""


def editable_copy(state: State) -> None:
    """Turn a read-only map into the user's own: corrections on, saved under a new id."""
    state["corrections"].locked = False
    state["read_only"] = False
    state["map_id"] = None
    state["view_id"] = None
    state["saved_digest"] = ""
