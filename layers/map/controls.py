"""Small map controls written on Leaflet's own API (no plugin, nothing to download).

Folium's Fullscreen, MeasureControl and MiniMap plugins load their scripts from
CDNs that no installed package carries, so the map would lose them offline. These
three controls do the same jobs with Leaflet core only:

- :class:`FullscreenControl`: a button that shows the map full screen;
- :class:`MeasureControl`: click points to measure a path (great-circle km,
  Leaflet's ``map.distance``: spherical, mean Earth radius 6,371 km);
- :class:`MiniMap`: an overview map with the main view's outline, drawn from the
  Natural Earth land of the map's basemap (or from the same tiles).

Their code is ``static/newsmap.js`` (and its look ``static/newsmap.css``), loaded
once per page the way folium's plugins load theirs (``default_js``): served by the
app, inlined in the HTML export (see :mod:`layers.map.assets`). Each element here
is options and a call; the options reach the page JSON-encoded (``tojson``).
"""

from __future__ import annotations

from typing import Any

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from layers.map.assets import asset_url

__all__ = [
    "FullscreenControl",
    "MeasureControl",
    "MiniMap",
    "NaturalEarthBasemap",
    "NewsmapElement",
]


class NewsmapElement(JSCSSMixin, MacroElement):
    """An element whose script calls ``static/newsmap.js``, which it loads once per page."""

    def __init__(self) -> None:
        super().__init__()
        self.default_js = [("newsmap_js", asset_url("newsmap_js"))]
        self.default_css = [("newsmap_css", asset_url("newsmap_css"))]


class FullscreenControl(NewsmapElement):
    """A button (top left) that toggles the browser's full-screen mode for the map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.nmFullscreen({{ this.options|tojson }}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "FullscreenControl"
        self.options = {"position": "topleft", "title": "Full screen"}


class MeasureControl(NewsmapElement):
    """A ruler button: while on, each click adds a vertex; the total is shown in km.

    While measuring, a click on the map only adds a point: the features under it
    let it through (no popup, no tooltip) and it is kept from Leaflet's own click
    handling, so no feature nor map ``click`` listener sees it (streamlit-folium
    reports map clicks as ``last_clicked``, which the app turns into a selection).
    Open popups are closed. The controls stay clickable.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.nmMeasure({{ this.options|tojson }}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MeasureControl"
        self.options = {
            "position": "topleft",
            "title": "Measure a distance (click points; click the ruler to stop)",
        }


class MiniMap(NewsmapElement):
    """An overview map (bottom left) outlining the main map's current view.

    It draws the ``land`` features of the map's Natural Earth basemap (see
    :class:`NaturalEarthBasemap`), or the tiles of ``tile_url``.

    Parameters
    ----------
    tile_url : str, optional
        Tile URL template used instead when the map shows web tiles.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.nmMiniMap({{ this.options|tojson }}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, tile_url: str | None = None) -> None:
        super().__init__()
        self._name = "MiniMap"
        self.options: dict[str, Any] = {"position": "bottomleft"}
        if tile_url:
            self.options["tileUrl"] = tile_url


class NaturalEarthBasemap(NewsmapElement):
    """The offline Natural Earth basemap (land, lakes, rivers, borders), drawn under the rest.

    Given ``url``, the browser fetches the GeoJSON from the app's static files:
    embedding the ~0.9 MB Natural Earth GeoJSON in the map script would resend it
    on every Streamlit rerun; fetched once, the browser caches it. Given ``data``
    instead, it is embedded (a standalone page). Either way the overview map
    (:class:`MiniMap`) draws its land from the same data.

    Parameters
    ----------
    url : str, optional
        Where the app serves ``basemap.geojson`` (same origin).
    styles : dict
        Leaflet path style per feature ``layer`` (land, lake, river, border).
    data : dict, optional
        The GeoJSON itself, when there is no ``url``.
    labels : dict, optional
        The place names: ``{"url": ...}`` or ``{"data": ...}`` with the payload of
        :func:`layers.map.assets.labels_payload`.
    detail_note : str, optional
        Plain text shown from zoom ``detail_zoom`` on, where the offline data has
        nothing finer to show.
    detail_zoom : int, default 10
    copies : list of float, optional
        Longitude offsets in degrees (e.g. ``[360.0]``) at which the basemap and
        its place names are drawn again, from the same data: a view across the
        antimeridian has its features east of 180 degrees (see
        :mod:`layers.map.antimeridian`). Default: drawn once, in -180..180.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        newsmap.addBasemap({{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        url: str | None = None,
        styles: dict | None = None,
        data: dict | None = None,
        labels: dict | None = None,
        detail_note: str | None = None,
        detail_zoom: int = 10,
        copies: list[float] | None = None,
    ) -> None:
        super().__init__()
        if (url is None) == (data is None):
            raise ValueError("give the basemap's url or its data, not both")
        self._name = "NaturalEarthBasemap"
        self.options: dict[str, Any] = {"styles": styles or {}}
        if url is not None:
            self.options["url"] = url
        else:
            self.options["data"] = data
        if labels is not None:
            self.options["labels"] = labels
        if detail_note:
            self.options["detailNote"] = {"text": detail_note, "zoom": detail_zoom}
        if copies:
            self.options["copies"] = [float(offset) for offset in copies]
