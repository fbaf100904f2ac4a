"""The app's state as a small typed model, without Streamlit.

Three things make up what the page shows, each with one owner:

- :class:`Source`: the articles being mapped (or a saved map), and the digest
  that stands for them in cache keys;
- :class:`View`: everything the features on screen depend on (the source's
  digest, the article date, the corrections, the filters, the layer switches),
  a NamedTuple so that caches key on it by value and fields are read by name;
- :class:`CorrectionStore`: the user's corrections of each set of articles,
  and the carry-over of corrections to a text the user just edited.

:func:`default_state` lists every session-state key the app uses, with its
default: ``dashboard.init_state`` writes them once, widgets bind to them by key.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import Any, NamedTuple

from geodata.schema import LAYER_KEYS
from layers.app.corrections import empty_corrections

__all__ = [
    "ALL_ARTICLES",
    "CorrectionStore",
    "Source",
    "View",
    "correction_count",
    "default_state",
    "source_of",
    "view_of",
    "visible_layers",
]

#: The article filter's "no filter" choice.
ALL_ARTICLES = "All articles"


class Source(NamedTuple):
    """The articles being mapped, or a saved map.

    Attributes
    ----------
    articles : tuple of (str, str)
        (name, text) of each article, in display order.
    imported : str or None
        A saved map's GeoJSON text; when set, it is shown instead of the articles.
    """

    articles: tuple[tuple[str, str], ...]
    imported: str | None = None

    @property
    def key(self) -> str:
        """A short digest of the articles' names and texts and the imported map.

        Returns
        -------
        str
            16 hex digits; equal for equal sources.
        """
        digest = hashlib.sha1()
        if self.imported:
            digest.update(self.imported.encode("utf-8", "surrogatepass"))
        for name, text in self.articles:
            for part in (name, text):
                digest.update(part.encode("utf-8", "surrogatepass"))
                digest.update(b"\x00")
        return digest.hexdigest()[:16]


class View(NamedTuple):
    """What the features on screen depend on (small and hashable: a cache key).

    Attributes
    ----------
    content_key : str
        :attr:`Source.key` of the articles (the caches hash this, not the texts).
    article_date : datetime.date or None
        Publication date (dates incidents).
    corrections_json : str
        The corrections, as sorted JSON.
    article_filter : str
        One article's name, or :data:`ALL_ARTICLES`.
    kinds : tuple of str
        Kinds shown; empty means all.
    min_confidence : float
        Lowest confidence shown (0..1).
    query : str
        Name filter (substring, accent-insensitive).
    visible : tuple of str
        Layer keys switched on.
    show_uncertain : bool
        Show the places the confidence model doubts (hidden by default).
    """

    content_key: str
    article_date: date | None = None
    corrections_json: str = "{}"
    article_filter: str = ALL_ARTICLES
    kinds: tuple[str, ...] = ()
    min_confidence: float = 0.0
    query: str = ""
    visible: tuple[str, ...] = LAYER_KEYS
    show_uncertain: bool = False

    def unfiltered(self) -> View:
        """Return the same view with no kind, confidence or name filter."""
        return self._replace(kinds=(), min_confidence=0.0, query="", show_uncertain=True)

    def all_layers(self) -> View:
        """Return the same view with every layer switched on."""
        return self._replace(visible=LAYER_KEYS)


def correction_count(corrections: dict[str, Any]) -> int:
    """Count the corrections of every kind in one corrections dict."""
    return sum(len(v) for v in corrections.values())


_WORD = re.compile(r"\w+")

#: Share of words an edit keeps: below it, the new text is another article.
SAME_ARTICLE_SHARE = 0.5


def same_article(before: str, after: str, share: float = SAME_ARTICLE_SHARE) -> bool:
    """Whether ``after`` is an edit of ``before`` rather than another article.

    Parameters
    ----------
    before, after : str
        The text before and after the change.
    share : float, default :data:`SAME_ARTICLE_SHARE`
        Least share of the longer text's words (counted with repeats, case
        folded) that both texts must have in common.

    Returns
    -------
    bool
        False when either text has no word.
    """
    old = Counter(w.casefold() for w in _WORD.findall(before))
    new = Counter(w.casefold() for w in _WORD.findall(after))
    longer = max(sum(old.values()), sum(new.values()))
    return longer > 0 and sum((old & new).values()) >= share * longer


@dataclass
class CorrectionStore:
    """The user's corrections, per set of articles (by :attr:`Source.key`).

    Editing the text makes a new source key; the corrections made on the text
    before the edit are carried over to it once, unless the new text already has
    corrections of its own or is another article (:func:`same_article`); then
    :meth:`prune` keeps those whose features the new text still has.

    Attributes
    ----------
    by_key : dict of str to dict
        Corrections dict (see :mod:`layers.app.corrections`) per source key.
    active : str or None
        Key of the source on screen.
    carry_from : str or None
        Key whose corrections go to the next source made active.
    carried : int
        How many corrections the last carry-over brought (0: nothing to say).
    texts : dict of str to str
        The text of each source key (to tell an edit from another article).
    to_prune : bool
        A carry-over happened and :meth:`prune` has not run since.
    undo_stack, redo_stack : dict of str to list of str
        Per source key, the corrections before each change (JSON, oldest first)
        and those undone since the last change.
    locked : bool
        A read-only map: changes go to a throwaway copy (see :meth:`for_change`).
    """

    by_key: dict[str, dict[str, Any]] = field(default_factory=dict)
    active: str | None = None
    carry_from: str | None = None
    carried: int = 0
    texts: dict[str, str] = field(default_factory=dict)
    to_prune: bool = False
    undo_stack: dict[str, list[str]] = field(default_factory=dict)
    redo_stack: dict[str, list[str]] = field(default_factory=dict)
    locked: bool = False

    def current(self) -> dict[str, Any]:
        """Return (creating it) the corrections of the active source."""
        if self.active is None:
            raise LookupError("no source is active")
        return self.by_key.setdefault(self.active, empty_corrections())

    def activate(self, key: str, text: str | None = None) -> dict[str, Any]:
        """Make ``key`` the source on screen, carrying corrections over if an edit asked to.

        Parameters
        ----------
        key : str
            :attr:`Source.key` of the articles now shown.
        text : str, optional
            Their text; without it (or without the text before the edit) an edit
            counts as the same article.

        Returns
        -------
        dict
            The corrections of ``key``.
        """
        source, self.carry_from = self.carry_from, None
        self.active = key
        if text is not None:
            self.texts[key] = text
        if source and source != key and source in self.by_key:
            own = self.by_key.get(key)
            before = self.texts.get(source)
            related = before is None or text is None or same_article(before, text)
            if (
                related
                and not (own and correction_count(own))
                and correction_count(self.by_key[source])
            ):
                self.by_key[key] = copy.deepcopy(self.by_key[source])
                self.carried = correction_count(self.by_key[key])
                self.to_prune = True
        return self.current()

    def prune(self, feature_ids: set[str]) -> None:
        """Keep the carried corrections whose features the new text still has.

        Rejections, re-picks and edits name a feature by id: those whose feature
        the edit removed go. Places the user added stay (they name no mention).

        Parameters
        ----------
        feature_ids : set of str
            Ids of the features extracted from the active source.
        """
        corrections = self.current()
        corrections["rejected"] = [i for i in corrections["rejected"] if i in feature_ids]
        for key in ("repicked", "edited"):
            corrections[key] = {i: v for i, v in corrections[key].items() if i in feature_ids}
        self.carried = correction_count(corrections)
        self.to_prune = False

    def edited(self) -> None:
        """Note that the user edited the text: carry the active corrections to the next key."""
        self.carry_from = self.active
        self.carried = 0

    def clear(self) -> None:
        """Drop every correction of the active source (undoable)."""
        if self.active is not None and not self.locked:
            self.checkpoint()
            self.by_key[self.active] = empty_corrections()
        self.carried = 0

    def for_change(self) -> dict[str, Any]:
        """Return the corrections to change, remembered first for :meth:`undo`.

        Returns
        -------
        dict
            The active corrections; a copy that nothing reads when :attr:`locked`.
        """
        if self.locked:
            return copy.deepcopy(self.current())
        self.checkpoint()
        return self.current()

    def checkpoint(self) -> None:
        """Remember the active corrections before a change (see :meth:`undo`)."""
        key = self.active
        if key is None:
            raise LookupError("no source is active")
        self.undo_stack.setdefault(key, []).append(self.as_json())
        self.redo_stack[key] = []

    def can_undo(self) -> bool:
        """Whether the active source has a change to undo."""
        return bool(self.undo_stack.get(self.active or ""))

    def can_redo(self) -> bool:
        """Whether the active source has an undone change to redo."""
        return bool(self.redo_stack.get(self.active or ""))

    def undo(self) -> None:
        """Go back to the corrections before the last change; nothing if there is none."""
        self._step(self.undo_stack, self.redo_stack)

    def redo(self) -> None:
        """Make the last undone change again; nothing if there is none."""
        self._step(self.redo_stack, self.undo_stack)

    def _step(self, source: dict[str, list[str]], target: dict[str, list[str]]) -> None:
        """Restore the newest state of ``source``, keeping the present one in ``target``."""
        key = self.active
        if key is None or self.locked or not source.get(key):
            return
        target.setdefault(key, []).append(self.as_json())
        self.by_key[key] = json.loads(source[key].pop())
        self.carried = 0

    def as_json(self) -> str:
        """Return the active source's corrections as sorted JSON (part of :class:`View`)."""
        return json.dumps(self.current(), sort_keys=True)


def source_of(state: Mapping[str, Any], sample_text: str | None) -> Source:
    """Return the articles the state says to map: the uploads, else the text box.

    Parameters
    ----------
    state : mapping
        The session state (``articles``, ``text``, ``seed``, ``imported``).
    sample_text : str or None
        The text of the chosen sample (``seed``): the box's text is named after
        the sample while it still holds it, else "pasted article".

    Returns
    -------
    Source
    """
    if state["articles"]:
        articles = tuple((a["name"], a["text"]) for a in state["articles"])
    else:
        is_sample = bool(state["seed"]) and state["text"] == sample_text
        name = PurePath(state["seed"]).stem if is_sample else "pasted article"
        articles = ((name, state["text"]),)
    return Source(articles, state["imported"])


def view_of(state: Mapping[str, Any], source: Source) -> View:
    """Return the view the widgets describe, with every layer on (switches apply later).

    Parameters
    ----------
    state : mapping
        The session state (date, filters, ``corrections``).
    source : Source
        From :func:`source_of`.

    Returns
    -------
    View
    """
    return View(
        content_key=source.key,
        article_date=state["article_date"] if state["use_date"] else None,
        corrections_json=state["corrections"].as_json(),
        article_filter=state["article_filter"] if len(source.articles) > 1 else ALL_ARTICLES,
        kinds=tuple(state["kinds"]),
        min_confidence=float(state["min_confidence"]),
        show_uncertain=bool(state["show_uncertain"]),
        query=state["name_query"],
    )


def visible_layers(state: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the keys of the layers switched on (``layer_<key>`` checkboxes)."""
    return tuple(key for key in LAYER_KEYS if state[f"layer_{key}"])


def default_state(seed_name: str, seed_text: str) -> dict[str, Any]:
    """Every session-state key of the app, with its default.

    Parameters
    ----------
    seed_name : str
        File name of the sample article shown first ("" if there is none).
    seed_text : str
        Its text.

    Returns
    -------
    dict
        Key -> default. Widget keys (``seed``, ``text``, ``layer_<key>``...)
        and plain state (``selected``, ``corrections``...).
    """
    state: dict[str, Any] = {
        # input panel
        "seed": seed_name,
        "text": seed_text,
        "text_before_upload": None,
        "articles": [],
        "imported": None,
        "upload_messages": [],
        "upload_notes": [],
        "use_date": False,
        "article_date": date.today(),
        "article_filter": ALL_ARTICLES,
        # filters and map
        "kinds": [],
        "min_confidence": 0.0,
        "show_uncertain": False,
        "name_query": "",
        "basemap": "naturalearth",
        "rings": False,
        "last_click": None,
        "click_memory": None,
        # selection: written by ``select`` only; the box and the table mirror it
        "selected": "",
        "table_rows_seen": (),
        # corrections
        "corrections": CorrectionStore(),
        # saved maps (layers.app.saved): this map's ids, the session's maps
        "map_id": None,
        "view_id": None,
        "read_only": False,
        "url_checked": False,
        "my_maps": [],
        "saved_digest": "",
        # the source key whose map fits every place, far lone ones included
        "fit_all_for": "",
        "add_query": "",
        "message": "",
        # what went wrong at start (damaged caches, no spaCy) that the user dismissed
        "dismissed_notes": [],
    }
    state.update({f"layer_{key}": True for key in LAYER_KEYS})
    return state
