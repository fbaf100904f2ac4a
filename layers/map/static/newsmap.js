/*
 * newsmap's own map code, on Leaflet core only (nothing else to download).
 *
 * The map elements of layers/map/controls.py and layers/map/render.py load this
 * file once (a <script src> served by the app, inlined in the standalone HTML
 * export) after Leaflet, and call it with JSON options:
 *
 *   L.control.nmFullscreen(options)     a button that shows the map full screen
 *   L.control.nmMeasure(options)        click points to measure a path (km)
 *   L.control.nmMiniMap(options)        an overview map outlining the main view
 *   newsmap.addBasemap(map, options)    the Natural Earth basemap (inline or fetched)
 *   newsmap.addLegend(group, options)   the legend box, shown with its feature group
 *   newsmap.rememberView(map, options)  keep the reader's view in sessionStorage
 *   newsmap.bindTooltipAndPopup         a GeoJSON onEachFeature function
 *
 * Their look is in newsmap.css.
 */
(function (window, L) {
  "use strict";

  // Button icons are inline SVG drawn in currentColor: a text glyph (U+26F6, the
  // ruler emoji) shows as an empty box where no installed font has it.
  const SVG_OPEN =
    '<svg xmlns="http://www.w3.org/2000/svg" width="18" height="18" viewBox="0 0 18 18" ' +
    'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" ' +
    'stroke-linejoin="round" aria-hidden="true" focusable="false" ' +
    'style="display:block;margin:6px auto;pointer-events:none">';
  const ICONS = {
    // Four corner brackets.
    fullscreen:
      SVG_OPEN + '<path d="M2 6.5V2h4.5M11.5 2H16v4.5M16 11.5V16h-4.5M6.5 16H2v-4.5"/></svg>',
    // A ruler laid diagonally, with tick marks.
    measure:
      SVG_OPEN +
      '<g transform="rotate(-45 9 9)"><rect x="0.5" y="5.5" width="17" height="7" rx="1"/>' +
      '<path d="M4 5.5v3M7 5.5v2M10 5.5v3M13 5.5v2" stroke-width="1.5"/></g></svg>',
  };

  /** A `leaflet-bar` box with one icon button; returns [box, button]. */
  function barButton(className, title, icon) {
    const box = L.DomUtil.create("div", "leaflet-bar " + className);
    const button = L.DomUtil.create("a", "nm-button", box);
    button.href = "#";
    button.title = title;
    button.setAttribute("role", "button");
    button.setAttribute("aria-label", title);
    button.innerHTML = icon;
    return [box, button];
  }

  /** A button (top left) that toggles the browser's full-screen mode for the map. */
  L.Control.NmFullscreen = L.Control.extend({
    options: { position: "topleft", title: "Full screen" },

    onAdd: function (map) {
      const [box, button] = barButton("nm-fullscreen", this.options.title, ICONS.fullscreen);
      L.DomEvent.on(button, "click", function (e) {
        L.DomEvent.stop(e);
        const node = map.getContainer();
        if (document.fullscreenElement) {
          document.exitFullscreen();
        } else if (node.requestFullscreen) {
          node.requestFullscreen();
        }
      });
      this._resize = function () {
        map.invalidateSize();
      };
      document.addEventListener("fullscreenchange", this._resize);
      return box;
    },

    onRemove: function () {
      document.removeEventListener("fullscreenchange", this._resize);
    },
  });
  L.control.nmFullscreen = function (options) {
    return new L.Control.NmFullscreen(options);
  };

  /**
   * A ruler button: while on, each click adds a vertex; the total is shown in km
   * (great-circle, Leaflet's map.distance: spherical, mean Earth radius 6,371 km).
   *
   * While measuring, a click on the map only adds a point: the map container has
   * the class nm-measuring, so the features under the pointer let it through (no
   * popup, no tooltip), and the click is kept from Leaflet's own click handling,
   * so no feature nor map "click" listener sees it (streamlit-folium reports map
   * clicks as last_clicked, which the app turns into a selection). Open popups
   * are closed. The controls stay clickable.
   */
  L.Control.NmMeasure = L.Control.extend({
    options: {
      position: "topleft",
      title: "Measure a distance (click points; click the ruler to stop)",
      line: { color: "#222", weight: 2, dashArray: "4 4", interactive: false },
    },

    onAdd: function (map) {
      const [box, button] = barButton("nm-measure", this.options.title, ICONS.measure);
      button.setAttribute("aria-pressed", "false");
      this._button = button;
      this._label = L.DomUtil.create("div", "nm-measure-total", box);
      this._label.style.display = "none";
      this._active = false;
      this._points = [];
      this._line = null;
      L.DomEvent.on(button, "click", function (e) {
        L.DomEvent.stop(e);
        this._setActive(!this._active);
      }, this);
      // Capture phase on the container: runs before Leaflet sees the click.
      this._mapContainer = map.getContainer();
      this._onClick = this._onClick.bind(this);
      this._mapContainer.addEventListener("click", this._onClick, true);
      map.on("popupopen", this._onPopupOpen, this);
      return box;
    },

    onRemove: function (map) {
      this._setActive(false);
      this._mapContainer.removeEventListener("click", this._onClick, true);
      map.off("popupopen", this._onPopupOpen, this);
    },

    /** Total length of the path, km. */
    total: function () {
      let km = 0;
      for (let i = 1; i < this._points.length; i++) {
        km += this._map.distance(this._points[i - 1], this._points[i]) / 1000;
      }
      return km;
    },

    _reset: function () {
      this._points = [];
      if (this._line) {
        this._map.removeLayer(this._line);
        this._line = null;
      }
    },

    _addPoint: function (latlng) {
      this._points.push(latlng);
      if (this._line) {
        this._line.setLatLngs(this._points);
      } else {
        this._line = L.polyline(this._points, this.options.line).addTo(this._map);
      }
      this._label.textContent = this.total().toFixed(1) + " km";
    },

    _setActive: function (on) {
      this._active = on;
      this._reset();
      L.DomUtil[on ? "addClass" : "removeClass"](this._button, "nm-active");
      this._button.setAttribute("aria-pressed", on ? "true" : "false");
      this._label.style.display = on ? "block" : "none";
      this._label.textContent = on ? "click points" : "";
      if (on) {
        L.DomUtil.addClass(this._mapContainer, "nm-measuring");
        this._map.closePopup();
      } else {
        L.DomUtil.removeClass(this._mapContainer, "nm-measuring");
      }
    },

    /** Whether a node is inside the map's controls (zoom, layers, this button...). */
    _inControls: function (node) {
      for (; node && node !== this._mapContainer; node = node.parentNode) {
        if (node.classList && node.classList.contains("leaflet-control-container")) {
          return true;
        }
      }
      return false;
    },

    _onClick: function (e) {
      if (!this._active || this._inControls(e.target)) {
        return;
      }
      e.stopImmediatePropagation(); // also when the container itself is the target
      const map = this._map;
      if ((map.dragging && map.dragging.moved()) || (map.boxZoom && map.boxZoom.moved())) {
        return;
      }
      this._addPoint(map.mouseEventToLatLng(e));
    },

    _onPopupOpen: function (e) {
      if (this._active) {
        this._map.closePopup(e.popup);
      }
    },
  });
  L.control.nmMeasure = function (options) {
    return new L.Control.NmMeasure(options);
  };

  /**
   * An overview map (bottom left) outlining the main map's current view. It
   * draws the "land" features of the map's Natural Earth basemap (see
   * addBasemap), or the tiles of options.tileUrl when the map shows web tiles.
   */
  L.Control.NmMiniMap = L.Control.extend({
    options: {
      position: "bottomleft",
      tileUrl: null,
      zoomOffset: 4,
      land: { color: "#b9b09a", weight: 0.5, fillColor: "#f3efe4", fillOpacity: 1 },
      outline: { color: "#d62728", weight: 1.5, fill: false, interactive: false },
    },

    onAdd: function () {
      const box = L.DomUtil.create("div", "nm-minimap");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    },

    addTo: function (map) {
      L.Control.prototype.addTo.call(this, map);
      // The overview map is made once its box is on the page, so it has a size.
      // It gets a view before any layer is added (Leaflet needs one to project
      // vectors); the outline follows the main map once that has a view.
      const mini = L.map(this.getContainer(), {
        attributionControl: false,
        zoomControl: false,
        dragging: false,
        scrollWheelZoom: false,
        doubleClickZoom: false,
        boxZoom: false,
        keyboard: false,
        center: [20, 0],
        zoom: 0,
      });
      this._mini = mini;
      this._outline = null;
      const basemap = map.nmBasemap;
      if (this.options.tileUrl) {
        L.tileLayer(this.options.tileUrl).addTo(mini);
      } else if (basemap) {
        const style = this.options.land;
        basemap.then(function (data) {
          L.geoJson(data, {
            filter: function (f) {
              return f.properties && f.properties.layer === "land";
            },
            style: style,
            interactive: false,
          }).addTo(mini);
        });
      }
      map.on("load moveend zoomend", this._sync, this);
      const control = this;
      setTimeout(function () {
        mini.invalidateSize();
        control._sync();
      }, 0);
      return this;
    },

    onRemove: function (map) {
      map.off("load moveend zoomend", this._sync, this);
      this._mini.remove();
    },

    _sync: function () {
      const map = this._map;
      if (!map || !map._loaded) {
        return;
      }
      const bounds = map.getBounds();
      const zoom = Math.max(map.getZoom() - this.options.zoomOffset, 0);
      this._mini.setView(map.getCenter(), zoom, { animate: false });
      if (this._outline) {
        this._outline.setBounds(bounds);
      } else {
        this._outline = L.rectangle(bounds, this.options.outline).addTo(this._mini);
      }
    },
  });
  L.control.nmMiniMap = function (options) {
    return new L.Control.NmMiniMap(options);
  };

  /**
   * Put a group's layers under every other layer of their panes, in their order.
   * (FeatureGroup.bringToBack sends each layer to the back in turn, which reverses
   * them: the land would cover the lakes, rivers and borders drawn after it.)
   */
  function toBack(group) {
    const layers = group.getLayers();
    for (let i = layers.length - 1; i >= 0; i--) {
      layers[i].bringToBack();
    }
  }

  /**
   * Draw the Natural Earth basemap under everything else on the map.
   *
   * options.data is the GeoJSON itself (a standalone page), or options.url where
   * the browser fetches it once and caches it (the app: embedding the ~0.9 MB
   * file in the map script would resend it on every Streamlit rerun).
   * options.styles holds a Leaflet path style per feature "layer" (land, lake,
   * river, border). The data's Promise is kept as map.nmBasemap for the
   * overview map.
   */
  function addBasemap(map, options) {
    const styles = options.styles || {};

    function draw(geojson) {
      return L.geoJson(geojson, {
        style: function (f) {
          return styles[f.properties.layer] || {};
        },
        interactive: false,
        smoothFactor: 1.5,
      }).addTo(map);
    }

    if (options.url) {
      // Fetched data arrives after the features are drawn: put it under them.
      map.nmBasemap = fetch(options.url).then(function (response) {
        return response.json();
      });
      map.nmBasemap.then(function (geojson) {
        toBack(draw(geojson));
      });
    } else {
      draw(options.data); // before any feature layer: under them
      map.nmBasemap = Promise.resolve(options.data);
    }
    return map.nmBasemap;
  }

  /**
   * Show a legend control (bottom right) while its feature group is on a map.
   *
   * The legend belongs to a feature group rather than to the map, so when the
   * app sends new feature groups (after a filter or a correction) the legend is
   * replaced with them instead of keeping the counts of the map's first drawing.
   * One legend is shown at a time: the newest replaces any other.
   * options.html is the legend's body, escaped HTML.
   */
  function addLegend(group, options) {
    let control = null;

    function install(map) {
      if (newsmap.legend) {
        newsmap.legend.remove();
      }
      control = L.control({ position: "bottomright" });
      control.onAdd = function () {
        const box = L.DomUtil.create("div", "nm-legend");
        box.innerHTML = options.html;
        L.DomEvent.disableClickPropagation(box);
        return box;
      };
      control.addTo(map);
      newsmap.legend = control;
    }

    group.on("add", function (e) {
      install(e.target._map);
    });
    group.on("remove", function () {
      if (control && newsmap.legend === control) {
        control.remove();
        newsmap.legend = null;
      }
    });
    if (group._map) {
      install(group._map);
    }
  }

  /**
   * Keep the map's centre and zoom in the browser's sessionStorage under
   * options.key: a map drawn again under the same key (another basemap for the
   * same article) opens where the reader left it instead of at the fitted view.
   */
  function rememberView(map, options) {
    const key = options.key;
    let saved = null;
    try {
      saved = JSON.parse(window.sessionStorage.getItem(key) || "null");
    } catch {
      saved = null;
    }
    if (!(saved && isFinite(saved.lat) && isFinite(saved.lng) && isFinite(saved.zoom))) {
      saved = null;
    }

    function remember() {
      const c = map.getCenter();
      try {
        window.sessionStorage.setItem(
          key,
          JSON.stringify({ lat: c.lat, lng: c.lng, zoom: map.getZoom() }),
        );
      } catch {
        // storage unavailable: the view is simply not kept
      }
    }

    // The page's fitBounds (earlier in the map script) animates: it ends after
    // this has run. Restore the reader's view when that fit has ended (or after
    // 1 s if nothing moves), and record nothing before.
    let restoring = saved !== null;
    map.on("moveend", function () {
      if (!restoring) {
        remember();
      }
    });
    if (restoring) {
      const restore = function () {
        if (!restoring) {
          return;
        }
        map.setView([saved.lat, saved.lng], saved.zoom, { animate: false });
        restoring = false;
        remember();
      };
      map.once("moveend", function () {
        setTimeout(restore, 0);
      });
      setTimeout(restore, 1000);
    }
  }

  /**
   * GeoJSON onEachFeature: bind the tooltip and popup carried in the feature's
   * properties (escaped HTML, built on the server).
   */
  function bindTooltipAndPopup(feature, layer) {
    const p = feature.properties || {};
    if (p.tooltip) {
      layer.bindTooltip(p.tooltip, { sticky: true });
    }
    if (p.popup) {
      layer.bindPopup(p.popup, { maxWidth: 380 });
    }
  }

  const newsmap = {
    addBasemap: addBasemap,
    addLegend: addLegend,
    rememberView: rememberView,
    bindTooltipAndPopup: bindTooltipAndPopup,
    /** The legend control on show (see addLegend). */
    legend: null,
  };
  window.newsmap = newsmap;
})(window, window.L);
