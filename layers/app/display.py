"""What the app shows as text: the feature table, highlighted articles, safe Markdown.

Pure functions; untrusted text (article text, names, sources) comes out escaped
or as plain text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from geodata.describe import describe_candidate, kind_words
from geodata.geodesy import representative_point
from layers.catalog import LAYER_BY_KEY

__all__ = [
    "candidate_choices",
    "escape_markdown",
    "feature_table",
    "highlight_html",
    "other_places",
    "search_words",
]

#: Layers left out of "distance from the article's other places": incidents sit
#: on places, routes are long lines, and a country's or a sea's point says little
#: about where a town is (the resolver's closeness leaves them out too).
_NOT_PLACES = frozenset({"incidents", "routes", "countries", "regions"})


_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
#: Where GitHub-flavoured Markdown would start a link by itself (``http://``,
#: ``www.``, ``a@b.c``): Streamlit finds these after backslash escapes are
#: decoded, so an invisible WORD JOINER (U+2060) goes after the scheme, after
#: ``www`` and before ``@``, and the words stay words.
_AUTOLINK = re.compile(r"(?i)(\b(?:https?|ftp|mailto|xmpp)(?=:)|\bwww(?=\.)|[^\s@](?=@))")


def escape_markdown(text: object) -> str:
    r"""Return ``text`` as Markdown that shows exactly those characters.

    Every ASCII punctuation character is backslash-escaped (CommonMark allows it
    for all of them), so names and sources from an article or an uploaded file
    cannot become links, images (which the browser would fetch), emphasis,
    Streamlit colour directives (``:red[...]``), emoji shortcodes or LaTeX; an
    invisible U+2060 keeps a bare URL or e-mail address from being linked.
    Line breaks become spaces.

    Parameters
    ----------
    text : object
        Converted with ``str``.

    Returns
    -------
    str

    Examples
    --------
    >>> print(escape_markdown("![x](t.png)"))
    \!\[x\]\(t\.png\)
    """
    flat = " ".join(str(text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _AUTOLINK.sub("\\1\u2060", flat))


#: Column of :func:`feature_table` (and of the "nearest" table) -> header people read.
TABLE_HEADERS: dict[str, str] = {
    "name": "Place",
    "surface": "In the article",
    "kind": "Kind",
    "layer": "Layer",
    "country_code": "Country",
    "lon": "Longitude",
    "lat": "Latitude",
    "confidence": "Confidence",
    "mentions": "Mentions",
    "sentence": "Sentence",
    "source": "Source of the point",
    "feature_id": "Gazetteer id",
    "distance_km": "Distance (km)",
}


def feature_table(sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the table shown under the map: one row per feature.

    Parameters
    ----------
    sites : GeoDataFrame
        EPSG:4326.

    Returns
    -------
    DataFrame
        Columns ``name``, ``surface`` (the article's words for it), ``kind`` (in
        plain words: "town or city"), ``layer`` (its title: "Cities and towns"),
        ``country_code`` (ISO 3166-1 alpha-2), ``lon``, ``lat``
        (degrees; a representative point for lines and areas), ``confidence``,
        ``mentions``, ``sentence`` (first evidence), ``source``, ``feature_id``.
        Plain text: the app renders it as text, never as HTML; the app shows
        the headers of :data:`TABLE_HEADERS`.
    """
    points = [representative_point(g) for g in sites.geometry]
    return pd.DataFrame(
        {
            "name": sites["name"].astype(str),
            "surface": sites["surface"].fillna("").astype(str)
            if "surface" in sites
            else [""] * len(sites),
            "kind": [kind_words(str(kind)) for kind in sites["kind"]],
            "layer": [_layer_title(str(key)) for key in sites["layer"]],
            "country_code": sites["country_code"],
            "lon": [round(p.x, 4) if p is not None else None for p in points],
            "lat": [round(p.y, 4) if p is not None else None for p in points],
            "confidence": sites["confidence"].round(2),
            "mentions": sites["mentions"],
            "sentence": [ev[0]["sentence"] if ev else "" for ev in sites["evidence"]],
            "source": sites["source"].astype(str),
            "feature_id": sites["feature_id"].astype(str),
        }
    )


def _layer_title(key: str) -> str:
    layer = LAYER_BY_KEY.get(key)
    return layer.title if layer is not None else key


def highlight_html(text: str, sites: gpd.GeoDataFrame, selected: str | None = None) -> str:
    """Return the article as escaped HTML with every mention marked in its layer's colour.

    Parameters
    ----------
    text : str
        The article (untrusted: everything is escaped).
    sites : GeoDataFrame
        Features whose ``evidence`` spans (``start``, ``end``) point into ``text``.
    selected : str, optional
        ``feature_id`` whose mentions are drawn emphasised.

    Returns
    -------
    str
        HTML: ``<mark>`` elements carry ``data-feature-id`` and a ``title``;
        paragraphs are kept as ``<br>``. Overlapping spans keep the first.
    """
    spans: list[tuple[int, int, str, str, str]] = []
    for row in sites.to_dict("records"):
        layer = LAYER_BY_KEY.get(str(row.get("layer")))
        color = layer.color if layer else "#888888"
        for item in row.get("evidence") or []:
            start, end = int(item.get("start", -1)), int(item.get("end", -1))
            if 0 <= start < end <= len(text):
                spans.append((start, end, str(row["feature_id"]), str(row["name"]), color))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    parts, cursor = [], 0
    for start, end, feature_id, name, color in spans:
        if start < cursor:
            continue
        parts.append(html.escape(text[cursor:start]))
        weight = "font-weight:700;outline:2px solid #000;" if feature_id == selected else ""
        parts.append(
            f'<mark data-feature-id="{html.escape(feature_id)}" title="{html.escape(name)}" '
            f'style="background:{color}33;border-bottom:2px solid {color};{weight}">'
            f"{html.escape(text[start:end])}</mark>"
        )
        cursor = end
    parts.append(html.escape(text[cursor:]))
    return "".join(parts).replace("\n", "<br>")


def other_places(sites: gpd.GeoDataFrame, feature_id: str) -> list[tuple[float, float]]:
    """Return the (lon, lat) of the article's places other than ``feature_id``.

    Parameters
    ----------
    sites : GeoDataFrame
        EPSG:4326 sites (with ``layer``).
    feature_id : str
        The feature whose candidates are being compared.

    Returns
    -------
    list of (float, float)
        Representative points in degrees, lon first; incidents, strike paths,
        routes, countries, continents and regions are left out.
    """
    out = []
    for fid, layer, geometry in zip(
        sites["feature_id"], sites["layer"], sites.geometry, strict=True
    ):
        point = representative_point(geometry)
        if fid != feature_id and layer not in _NOT_PLACES and point is not None:
            out.append((float(point.x), float(point.y)))
    return out


def candidate_choices(
    candidates: Iterable[Mapping[str, Any]], others: list[tuple[float, float]]
) -> list[tuple[str, dict[str, Any]]]:
    """Return each candidate once, with the line that describes it to a person.

    Parameters
    ----------
    candidates : iterable of dict
        Candidate dicts (a feature's ``alternatives`` or gazetteer matches).
    others : list of (float, float)
        From :func:`other_places`.

    Returns
    -------
    list of (str, dict)
        (plain-text description from :func:`geodata.describe.describe_candidate`,
        candidate), in the given order, without repeated ``feature_id``.
    """
    seen: set[str] = set()
    out = []
    for candidate in candidates:
        fid = str(candidate.get("feature_id"))
        if fid not in seen:
            seen.add(fid)
            out.append((describe_candidate(candidate, others), dict(candidate)))
    return out


def search_words(row: Mapping[str, Any]) -> str:
    """Return the article's words for a feature (its first mention), else its name.

    Parameters
    ----------
    row : mapping
        A sites row (``evidence``, ``name``).

    Returns
    -------
    str
        What to search the gazetteer for ("St. Peter"): the first evidence text
        that is not all lower case (kind words such as "shrines" are).
    """
    texts = [" ".join(str(item.get("text") or "").split()) for item in row.get("evidence") or []]
    # A catalogue site's evidence starts with its kind word ("shrines"): names are capitalised.
    named = [t for t in texts if t and not t.islower()]
    return named[0] if named else str(row.get("name") or "")
