"""Small map controls written on Leaflet's own API (no plugin, nothing to download).

Folium's Fullscreen, MeasureControl and MiniMap plugins load their scripts from
CDNs that no installed package carries, so the map would lose them offline. These
three controls do the same jobs with Leaflet core only:

- :class:`FullscreenControl`: a button that shows the map full screen;
- :class:`MeasureControl`: click points to measure a path (great-circle km,
  Leaflet's ``map.distance``: spherical, mean Earth radius 6,371 km);
- :class:`MiniMap`: an overview map with the main view's outline, drawn from the
  Natural Earth land layer already on the map (or from the same tiles).
"""

from __future__ import annotations

from branca.element import MacroElement
from jinja2 import Template

__all__ = ["FetchedBasemap", "FullscreenControl", "MeasureControl", "MiniMap"]

_BUTTON_STYLE = (
    "width:30px;height:30px;line-height:30px;text-align:center;font:16px sans-serif;"
    "background:#fff;cursor:pointer;display:block;color:#333;text-decoration:none"
)

# Button icons are inline SVG drawn in ``currentColor``: a text glyph (U+26F6, the
# ruler emoji) shows as an empty box where no installed font has it.
_ICON_ATTRS = (
    'xmlns="http://www.w3.org/2000/svg" width="18" height="18" viewBox="0 0 18 18" '
    'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
    'stroke-linejoin="round" aria-hidden="true" focusable="false" '
    'style="display:block;margin:6px auto;pointer-events:none"'
)
#: Four corner brackets.
_FULLSCREEN_ICON = (
    f'<svg {_ICON_ATTRS}><path d="M2 6.5V2h4.5M11.5 2H16v4.5M16 11.5V16h-4.5M6.5 16H2v-4.5"/></svg>'
)
#: A ruler laid diagonally, with tick marks.
_MEASURE_ICON = (
    f'<svg {_ICON_ATTRS}><g transform="rotate(-45 9 9)"><rect x="0.5" y="5.5" width="17" '
    'height="7" rx="1"/><path d="M4 5.5v3M7 5.5v2M10 5.5v3M13 5.5v2" stroke-width="1.5"/>'
    "</g></svg>"
)
#: While measuring, the map container has the class ``nm-measuring``: the
#: features drawn on the main map (paths and markers in its panes, not the
#: overview map inside the controls) let clicks through to the map.
_MEASURE_CSS = (
    ".leaflet-container.nm-measuring{cursor:crosshair}"
    ".leaflet-container.nm-measuring>.leaflet-map-pane .leaflet-interactive"
    "{pointer-events:none!important}"
)


class FullscreenControl(MacroElement):
    """A button (top left) that toggles the browser's full-screen mode for the map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(map){
          var Control = L.Control.extend({
            options: {position: 'topleft'},
            onAdd: function() {
              var box = L.DomUtil.create('div', 'leaflet-bar nm-fullscreen');
              var a = L.DomUtil.create('a', '', box);
              a.href = '#'; a.title = 'Full screen'; a.setAttribute('role', 'button');
              a.setAttribute('aria-label', 'Full screen');
              a.setAttribute('style', {{ this.style|tojson }});
              a.innerHTML = {{ this.icon|tojson }};
              L.DomEvent.on(a, 'click', function(e) {
                L.DomEvent.stop(e);
                var node = map.getContainer();
                if (document.fullscreenElement) { document.exitFullscreen(); }
                else if (node.requestFullscreen) { node.requestFullscreen(); }
              });
              document.addEventListener('fullscreenchange', function() {
                map.invalidateSize();
              });
              return box;
            }
          });
          new Control().addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "FullscreenControl"
        self.style = _BUTTON_STYLE
        self.icon = _FULLSCREEN_ICON


class MeasureControl(MacroElement):
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
        (function(map){
          var active = false, points = [], line = null, label = null, button = null;
          var container = map.getContainer();
          var doc = container.ownerDocument;
          if (!doc.getElementById('nm-measure-css')) {
            var css = doc.createElement('style');
            css.id = 'nm-measure-css';
            css.textContent = {{ this.css|tojson }};
            doc.head.appendChild(css);
          }
          function total() {
            var km = 0;
            for (var i = 1; i < points.length; i++) { km += map.distance(points[i-1], points[i]) / 1000; }
            return km;
          }
          function reset() {
            points = [];
            if (line) { map.removeLayer(line); line = null; }
          }
          function addPoint(latlng) {
            points.push(latlng);
            if (!line) { line = L.polyline(points, {color: '#222', weight: 2, dashArray: '4 4', interactive: false}).addTo(map); }
            else { line.setLatLngs(points); }
            label.textContent = total().toFixed(1) + ' km';
          }
          function setActive(on) {
            active = on; reset();
            button.style.background = active ? '#ffe9a8' : '#fff';
            button.setAttribute('aria-pressed', active ? 'true' : 'false');
            label.style.display = active ? 'block' : 'none';
            label.textContent = active ? 'click points' : '';
            if (active) { L.DomUtil.addClass(container, 'nm-measuring'); map.closePopup(); }
            else { L.DomUtil.removeClass(container, 'nm-measuring'); }
          }
          function inControls(el) {
            for (; el && el !== container; el = el.parentNode) {
              if (el.classList && el.classList.contains('leaflet-control-container')) { return true; }
            }
            return false;
          }
          var Control = L.Control.extend({
            options: {position: 'topleft'},
            onAdd: function() {
              var box = L.DomUtil.create('div', 'leaflet-bar nm-measure');
              var a = button = L.DomUtil.create('a', '', box);
              a.href = '#'; a.title = 'Measure a distance (click points; click the ruler to stop)';
              a.setAttribute('role', 'button');
              a.setAttribute('aria-label', a.title);
              a.setAttribute('aria-pressed', 'false');
              a.setAttribute('style', {{ this.style|tojson }});
              a.innerHTML = {{ this.icon|tojson }};
              label = L.DomUtil.create('div', 'nm-measure-total', box);
              label.setAttribute('style', 'display:none;background:#fff;padding:2px 6px;font:12px sans-serif;white-space:nowrap');
              L.DomEvent.on(a, 'click', function(e) {
                L.DomEvent.stop(e);
                setActive(!active);
              });
              return box;
            }
          });
          new Control().addTo(map);
          // Capture phase on the container: runs before Leaflet sees the click.
          container.addEventListener('click', function(e) {
            if (!active || inControls(e.target)) { return; }
            e.stopImmediatePropagation();  // also when the container itself is the target
            if ((map.dragging && map.dragging.moved()) || (map.boxZoom && map.boxZoom.moved())) { return; }
            addPoint(map.mouseEventToLatLng(e));
          }, true);
          map.on('popupopen', function(e) { if (active) { map.closePopup(e.popup); } });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MeasureControl"
        self.style = _BUTTON_STYLE
        self.icon = _MEASURE_ICON
        self.css = _MEASURE_CSS


class MiniMap(MacroElement):
    """An overview map (bottom left) outlining the main map's current view.

    Parameters
    ----------
    land_source : str, optional
        A JavaScript expression giving a Promise of the basemap GeoJSON whose
        ``land`` features are drawn in the overview (the offline Natural Earth
        basemap, inline or fetched).
    tile_url : str, optional
        Tile URL template used instead when the map shows web tiles.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(map){
          var Control = L.Control.extend({
            options: {position: 'bottomleft'},
            onAdd: function() {
              var box = L.DomUtil.create('div', 'nm-minimap');
              box.setAttribute('style', 'width:150px;height:110px;border:1px solid #888;background:#dbe8f3');
              L.DomEvent.disableClickPropagation(box);
              L.DomEvent.disableScrollPropagation(box);
              return box;
            }
          });
          var control = new Control().addTo(map);
          // The overview gets a view before any layer is added (Leaflet needs one
          // to project vectors); the outline follows the main map once it has one.
          var mini = L.map(control.getContainer(), {
            attributionControl: false, zoomControl: false, dragging: false,
            scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false, keyboard: false,
            center: [20, 0], zoom: 0
          });
          {% if this.land_source %}
          ({{ this.land_source }}).then(function(data) {
            L.geoJson(data, {
              filter: function(f) { return f.properties && f.properties.layer === 'land'; },
              style: {color: '#b9b09a', weight: 0.5, fillColor: '#f3efe4', fillOpacity: 1},
              interactive: false
            }).addTo(mini);
          });
          {% elif this.tile_url %}
          L.tileLayer({{ this.tile_url|tojson }}).addTo(mini);
          {% endif %}
          var outline = null;
          function sync() {
            if (!map._loaded) { return; }
            var bounds = map.getBounds();
            mini.setView(map.getCenter(), Math.max(map.getZoom() - 4, 0), {animate: false});
            if (outline) { outline.setBounds(bounds); }
            else {
              outline = L.rectangle(bounds, {color: '#d62728', weight: 1.5, fill: false,
                                              interactive: false}).addTo(mini);
            }
          }
          map.on('load moveend zoomend', sync);
          setTimeout(function(){ mini.invalidateSize(); sync(); }, 0);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, land_source: str | None = None, tile_url: str | None = None) -> None:
        super().__init__()
        self._name = "MiniMap"
        self.land_source = land_source
        self.tile_url = tile_url


class FetchedBasemap(MacroElement):
    """The offline basemap, fetched by the browser from the app's static files.

    Embedding the ~0.9 MB Natural Earth GeoJSON in the map script would resend
    it on every Streamlit rerun; fetched once, the browser caches it. The data
    Promise is kept in ``window.__nmBasemap`` for the overview map.

    Parameters
    ----------
    url : str
        Where the app serves ``basemap.geojson`` (same origin).
    styles : dict
        Leaflet path style per feature ``layer`` (land, lake, river, border).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(map){
          var styles = {{ this.styles|tojson }};
          window.__nmBasemap = fetch({{ this.url|tojson }}).then(function(r) { return r.json(); });
          window.__nmBasemap.then(function(data) {
            var layer = L.geoJson(data, {
              style: function(f) { return styles[f.properties.layer] || {}; },
              interactive: false, smoothFactor: 1.5
            }).addTo(map);
            layer.bringToBack();
          });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, url: str, styles: dict) -> None:
        super().__init__()
        self._name = "FetchedBasemap"
        self.url = url
        self.styles = styles
