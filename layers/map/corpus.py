"""The Corpus page's map: places sized by the articles that name them, on one canvas.

A corpus names tens of thousands of places. Drawn as one Folium marker each, the
page holds a script block per marker and Leaflet an SVG element per marker, and
the browser stalls near 10,000 (``benchmarks/corpus_bench.py`` measures both).
Here the places go to the page as columns (JSON arrays) in one element, and
``static/newsmap.js``'s ``corpusPlaces`` draws them as circle markers on
Leaflet's canvas renderer. The basemap, its labels and the controls are the
Article page's (:func:`layers.map.render.render_base_map`).
"""

from __future__ import annotations

import json
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import CssLink, Element, Figure, JavascriptLink
from jinja2 import Template

from geodata.describe import kind_words
from layers.catalog import LAYER_BY_KEY
from layers.map.controls import NewsmapElement
from layers.map.render import drawn_id, render_base_map

__all__ = ["EVENT_COLOURS", "corpus_group", "corpus_legend", "corpus_palette", "render_corpus_map"]

#: Colours of event types when the map is coloured by event type (ColorBrewer
#: Set1, whose colours stay apart for colour-blind readers more than most);
#: places with no event are grey.
EVENT_COLOURS: tuple[str, ...] = (
    "#e41a1c",
    "#377eb8",
    "#4daf4a",
    "#984ea3",
    "#ff7f00",
    "#a65628",
    "#f781bf",
    "#ffd92f",
)
NO_EVENT_COLOUR = "#9e9e9e"
MIN_RADIUS = 3.0
MAX_RADIUS = 22.0


class _CorpusPlaces(NewsmapElement):
    """The places' columns, drawn by ``newsmap.corpusPlaces`` into the parent group."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        newsmap.corpusPlaces({{ this._parent.get_name() }}, {{ this.script_json }});
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "CorpusPlaces"
        self.data = data
        self.script_json = script_json(data)

    def render(self, **kwargs: Any) -> str:
        """Add the script to the page as text, not as a template to compile.

        branca wraps each rendered script in a new ``Template``: for megabytes of
        places that compile took 160 ms of every rerun. streamlit-folium takes
        the ``script`` macro's output directly and never calls this for it.
        """
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("the corpus places must be in a map in a figure to render")
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        text = self._template.module.__dict__["script"](self, kwargs)
        figure.script.add_child(_Text(text), name=self.get_name())
        return ""  # a macro element's output is what it adds to the figure


class _Text(Element):
    """Text that renders as itself (no template is made of it)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        """Return the text."""
        return self._text


#: Characters that must not appear as themselves in JSON inside a script that
#: Jinja renders again (branca re-parses every rendered script as a template,
#: and streamlit-folium does too): ``{`` ``}`` would open ``{{ }}`` or ``{% %}``
#: (a place named "{{ 7*7 }}" became "49", "{% if %}" an error); ``<`` ``>``
#: ``&`` ``'`` could end the ``<script>`` element.
_SCRIPT_ESCAPES = tuple(
    [(c, f"\\u{ord(c):04x}") for c in "{}<>&'"] + [("\u2028", "\\u2028"), ("\u2029", "\\u2029")]
)


def script_json(data: dict[str, Any]) -> str:
    r"""Return JSON of a flat object of arrays, safe in a page's script as it is.

    The object's own braces stay; every other ``{ } < > & '`` can only be inside a
    string (the values are arrays of numbers and strings), where it is written as
    a ``\uXXXX`` escape, which JavaScript reads back as the character.

    Raises
    ------
    ValueError
        ``data`` holds a nested object (its braces would be escaped too).
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    if any(isinstance(v, dict) for v in data.values()):
        raise ValueError("script_json takes an object of arrays and scalars only")
    inner = text[1:-1]
    for character, escape in _SCRIPT_ESCAPES:  # str.replace: 10x faster than translate here
        inner = inner.replace(character, escape)
    return "{" + inner + "}"


def corpus_palette(places: pd.DataFrame, colour_by: str) -> dict[str, str]:
    """Colour of each value the map is coloured by.

    Parameters
    ----------
    places : DataFrame
        From :func:`layers.app.corpus.aggregate_places`.
    colour_by : {"kind", "event_type"}
        Colour by layer (the Article page's layer colours) or by event type.

    Returns
    -------
    dict of str to str
        Layer key or event type -> CSS colour, in legend order.
    """
    if colour_by == "event_type":
        events = [e for e in places["event_type"].value_counts().index if e]
        palette = {e: EVENT_COLOURS[i % len(EVENT_COLOURS)] for i, e in enumerate(events)}
        if (places["event_type"] == "").any():
            palette[""] = NO_EVENT_COLOUR
        return palette
    present = set(places["layer"].tolist())
    layers = [k for k in LAYER_BY_KEY if k in present]
    return {k: LAYER_BY_KEY[k].color for k in layers}


def _radius(articles: np.ndarray) -> np.ndarray:
    """Circle radius in px: area in proportion to the article count, 3..22 px."""
    if not len(articles):
        return np.zeros(0)
    top = max(int(articles.max()), 1)
    scaled = np.sqrt(articles / top)
    return np.round(MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * scaled, 1)


def _detail(kind: str, event_type: str, country: str, articles: int, mentions: int) -> str:
    count = f"{articles:,} article{'s' if articles != 1 else ''}"
    what = event_type or kind_words(kind)
    where = f", {country}" if country else ""
    return f"{what}{where} · {count}, {mentions:,} mention{'s' if mentions != 1 else ''}"


def corpus_group(
    places: pd.DataFrame, colour_by: str = "kind", selected: str = ""
) -> folium.FeatureGroup:
    """One feature group holding every place as a canvas circle.

    Parameters
    ----------
    places : DataFrame
        ``feature_id``, ``name``, ``kind``, ``layer``, ``country``,
        ``event_type``, ``lon``, ``lat`` (degrees, EPSG:4326), ``articles``,
        ``mentions`` (:func:`layers.app.corpus.aggregate_places`).
    colour_by : {"kind", "event_type"}, default "kind"
    selected : str, default ""
        ``feature_id`` of the place whose articles are listed: ringed in black.

    Returns
    -------
    folium.FeatureGroup
        Named "Places"; its circles' tooltips end with the place's id.
    """
    palette = corpus_palette(places, colour_by)
    keys = list(palette)
    column = "event_type" if colour_by == "event_type" else "layer"
    index = {k: i for i, k in enumerate(keys)}
    # smallest last: a small circle over a big one stays clickable
    order = np.argsort(-places["articles"].to_numpy(), kind="stable")
    rows = places.iloc[order]
    # plain lists first: element reads of Arrow-backed string columns are slow
    cols = {c: rows[c].tolist() for c in ("feature_id", "name", "kind", "event_type", "country")}
    articles = rows["articles"].to_numpy()
    counts = zip(articles.tolist(), rows["mentions"].tolist(), strict=True)
    ids = cols["feature_id"]
    data = {
        "lat": np.round(rows["lat"].to_numpy(dtype=float), 5).tolist(),
        "lon": np.round(rows["lon"].to_numpy(dtype=float), 5).tolist(),
        "radius": _radius(articles).tolist(),
        "colour": [index.get(v, 0) for v in rows[column].tolist()],
        "palette": [palette[k] for k in keys] or ["#9e9e9e"],
        "name": [str(v) for v in cols["name"]],
        "detail": [
            _detail(k, e, c, a, m)
            for k, e, c, (a, m) in zip(
                cols["kind"], cols["event_type"], cols["country"], counts, strict=True
            )
        ],
        "id": [drawn_id(v) for v in ids],
        "selected": ids.index(selected) if selected and selected in ids else -1,
    }
    group = folium.FeatureGroup(name="Places", control=False)
    group.add_child(_CorpusPlaces(data))
    return group


def corpus_legend(places: pd.DataFrame, colour_by: str = "kind") -> list[tuple[str, str, int]]:
    """List the legend's rows: (label in words, colour, places) in palette order."""
    palette = corpus_palette(places, colour_by)
    column = "event_type" if colour_by == "event_type" else "layer"
    counts = places[column].value_counts()
    rows = []
    for key, colour in palette.items():
        label = (key or "no incident") if colour_by == "event_type" else LAYER_BY_KEY[key].title
        rows.append((label, colour, int(counts.get(key, 0))))
    return rows


def render_corpus_map(
    places: pd.DataFrame,
    colour_by: str = "kind",
    basemap: str = "naturalearth",
    basemap_url: str | None = None,
    asset_base_url: str | None = None,
    with_places: bool = True,
) -> folium.Map:
    """Build the corpus map: the offline basemap fitted to the places, and the places.

    Parameters
    ----------
    places : DataFrame
        See :func:`corpus_group`.
    colour_by : {"kind", "event_type"}
    basemap, basemap_url, asset_base_url
        As :func:`layers.map.render.render_base_map`.
    with_places : bool, default True
        Add the places' group (the app passes it to ``st_folium`` separately, so
        a filter change redraws the places without rebuilding the map).

    Returns
    -------
    folium.Map
    """
    fit = places.head(2000)  # the view: where most articles are, not every outlier
    frame = gpd.GeoDataFrame(
        {
            "feature_id": fit["feature_id"].to_numpy(),
            "mentions": fit["articles"].to_numpy(),
            "confidence": np.ones(len(fit)),
        },
        geometry=gpd.points_from_xy(fit["lon"], fit["lat"]),
        crs="EPSG:4326",
    )
    options: dict[str, Any] = {"basemap": basemap, "basemap_url": basemap_url, "legend": False}
    if asset_base_url is not None:
        options["asset_base_url"] = asset_base_url
    m = render_base_map({"places": frame} if len(frame) else {}, **options)
    if with_places:
        corpus_group(places, colour_by).add_to(m)
    return m
