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
 *   newsmap.addBasemap(map, options)    the Natural Earth basemap and its place names
 *   L.NmLabels(options)                 place names without overlaps (see addBasemap)
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
      // A local view's overview shows no closer than this zoom (about 1,000 km
      // across), so the reader sees the coast and the countries around it.
      maxZoom: 4,
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
      this._dot = null;
      // The outline has a pane above the land, which the app fetches and draws
      // after the outline is first placed (it was hidden under it).
      mini.createPane("nmOutline").style.zIndex = 450;
      const basemap = map.nmBasemap;
      if (this.options.tileUrl) {
        L.tileLayer(this.options.tileUrl).addTo(mini);
      } else if (basemap) {
        const style = this.options.land;
        const offsets = [0].concat(map.nmCopies || []);
        basemap.then(function (data) {
          for (const offset of offsets) {
            L.geoJson(data, {
              filter: function (f) {
                const layer = f.properties && f.properties.layer;
                return layer === "land" || layer === "border";
              },
              style: style,
              coordsToLatLng: shifted(offset),
              interactive: false,
            }).addTo(mini);
          }
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
      const zoom = Math.max(
        Math.min(map.getZoom() - this.options.zoomOffset, this.options.maxZoom),
        0,
      );
      this._mini.setView(map.getCenter(), zoom, { animate: false });
      if (this._outline) {
        this._outline.setBounds(bounds);
      } else {
        this._outline = L.rectangle(
          bounds,
          L.extend({ pane: "nmOutline" }, this.options.outline),
        ).addTo(this._mini);
      }
      // A view a few pixels wide on the overview is marked by a dot as well.
      const ne = this._mini.latLngToContainerPoint(bounds.getNorthEast());
      const sw = this._mini.latLngToContainerPoint(bounds.getSouthWest());
      const small = Math.abs(ne.x - sw.x) < 8 && Math.abs(ne.y - sw.y) < 8;
      if (small && !this._dot) {
        this._dot = L.circleMarker(map.getCenter(), {
          radius: 4,
          color: this.options.outline.color,
          weight: 1.5,
          fillColor: this.options.outline.color,
          fillOpacity: 0.9,
          interactive: false,
          pane: "nmOutline",
        }).addTo(this._mini);
      } else if (this._dot) {
        if (small) {
          this._dot.setLatLng(map.getCenter());
        } else {
          this._dot.remove();
          this._dot = null;
        }
      }
    },
  });
  L.control.nmMiniMap = function (options) {
    return new L.Control.NmMiniMap(options);
  };

  // Panes of the offline basemap, under Leaflet's overlay pane (z-index 400) where
  // the article's features are: land < lakes < rivers < borders (one SVG, in the
  // data's order) < place names.
  const BASE_PANE = "nmBase";
  const LABEL_PANE = "nmLabels";

  /** GeoJSON coordsToLatLng for a copy of the data `offset` degrees of longitude east. */
  function shifted(offset) {
    if (!offset) {
      return L.GeoJSON.coordsToLatLng;
    }
    return function (coords) {
      return L.latLng(coords[1], coords[0] + offset, coords[2]);
    };
  }

  function pane(map, name, zIndex) {
    const node = map.getPane(name) || map.createPane(name);
    node.style.zIndex = zIndex;
    node.style.pointerEvents = "none";
    return node;
  }

  /**
   * Draw the Natural Earth basemap under everything else on the map.
   *
   * options.data is the GeoJSON itself (a standalone page), or options.url where
   * the browser fetches it once and caches it (the app: embedding the ~0.9 MB
   * file in the map script would resend it on every Streamlit rerun).
   * options.styles holds a Leaflet path style per feature "layer" (land, lake,
   * river, border). options.labels ({url} or {data}, see NmLabels) adds the
   * place names; options.detailNote ({text, zoom}) is shown from that zoom on,
   * where the offline data has nothing finer to show. The data's Promise is kept
   * as map.nmBasemap for the overview map.
   *
   * options.copies lists longitude offsets (e.g. [360]) at which the basemap and
   * its names are drawn again, from the same data (nothing more is fetched or
   * embedded): a view across the antimeridian has its features drawn east of
   * 180 degrees (layers/map/antimeridian.py), and Leaflet draws vectors only
   * where their coordinates are. Kept as map.nmCopies for the overview map.
   */
  function addBasemap(map, options) {
    const styles = options.styles || {};
    const copies = options.copies || [];
    pane(map, BASE_PANE, 250);
    map.nmCopies = copies;

    function draw(geojson) {
      return [0].concat(copies).map(function (offset) {
        return L.geoJson(geojson, {
          pane: BASE_PANE,
          style: function (f) {
            return styles[f.properties.layer] || {};
          },
          coordsToLatLng: shifted(offset),
          interactive: false,
          smoothFactor: 1.5,
        }).addTo(map);
      });
    }

    if (options.url) {
      map.nmBasemap = fetch(options.url).then(function (response) {
        return response.json();
      });
      map.nmBasemap.then(draw);
    } else {
      draw(options.data);
      map.nmBasemap = Promise.resolve(options.data);
    }
    if (options.labels) {
      map.nmLabels = new L.NmLabels(L.extend({ copies: copies }, options.labels)).addTo(map);
    }
    if (options.detailNote) {
      new L.Control.NmDetailNote(options.detailNote).addTo(map);
    }
    return map.nmBasemap;
  }

  /**
   * Place names on the offline basemap, as text in the page (readable by tests
   * and screen readers), drawn in their own pane between the basemap and the
   * features.
   *
   * The data (options.data, or fetched from options.url) is
   * {kinds: [...], labels: [[lon, lat, name, kind index, min zoom], ...]} in
   * priority order (layers/map/assets.py makes it from labels.geojson). After
   * each move or zoom, the labels whose min zoom has been reached and whose point
   * is in view are placed in that order; one that would overlap a label already
   * placed (its box plus LABEL_GAP px) is left out. A city's label sits right of a
   * dot at its point; other labels are centred on theirs. Written here rather than
   * taken from a plugin: Leaflet's own tooltips have no collision handling, and
   * the label plugins that do are not packaged for offline use.
   */
  const LABEL_GAP = 3;
  const CELL = 64;

  L.NmLabels = L.Layer.extend({
    initialize: function (options) {
      this._source = options;
      // Longitude offsets of the copies of the world the names are placed on (see
      // addBasemap's options.copies); a name has one element per copy.
      this._offsets = [0].concat(options.copies || []);
      this._rows = null;
      this._kinds = [];
      this._nodes = {}; // row index * copies + copy -> {el, w, h}
      this._shown = [];
    },

    onAdd: function (map) {
      this._pane = pane(map, LABEL_PANE, 350);
      this._box = L.DomUtil.create("div", "nm-labels", this._pane);
      map.on("zoomstart", this._hide, this);
      map.on("moveend zoomend resize viewreset", this._update, this);
      const layer = this;
      const ready = this._source.url
        ? fetch(this._source.url).then(function (r) {
            return r.json();
          })
        : Promise.resolve(this._source.data);
      // options.towns: smaller towns around a local view, [lon, lat, name, min
      // zoom] each, named after (and so never over) the basemap's own names.
      const towns = this._source.towns || [];
      this.ready = ready.then(function (data) {
        let rows = data.labels;
        let kinds = data.kinds;
        if (towns.length) {
          kinds = kinds.concat(["town"]);
          const town = kinds.length - 1;
          rows = rows.concat(
            towns.map(function (t) {
              return [t[0], t[1], t[2], town, t[3]];
            }),
          );
        }
        layer._rows = rows;
        layer._kinds = kinds;
        layer._update();
        return layer;
      });
    },

    onRemove: function (map) {
      map.off("zoomstart", this._hide, this);
      map.off("moveend zoomend resize viewreset", this._update, this);
      L.DomUtil.remove(this._box);
      this._nodes = {};
      this._shown = [];
    },

    _hide: function () {
      // Leaflet scales the panes it knows during a zoom animation, not this one.
      this._box.style.visibility = "hidden";
    },

    _node: function (key) {
      let node = this._nodes[key];
      if (!node) {
        const row = this._rows[Math.floor(key / this._offsets.length)];
        const kind = this._kinds[row[3]];
        const el = L.DomUtil.create("div", "nm-label nm-label-" + kind, this._box);
        el.textContent = row[2];
        el.setAttribute("data-kind", kind);
        node = this._nodes[key] = { el: el, kind: kind, w: 0, h: 0, measured: false };
      }
      return node;
    },

    _update: function () {
      const map = this._map;
      if (!map || !this._rows) {
        return;
      }
      const zoom = map.getZoom();
      const size = map.getSize();
      const origin = map.containerPointToLayerPoint([0, 0]);
      const margin = 40;
      const picked = [];
      const offsets = this._offsets;
      for (let i = 0; i < this._rows.length; i++) {
        const row = this._rows[i];
        if (row[4] > zoom) {
          continue;
        }
        for (let c = 0; c < offsets.length; c++) {
          const p = map.latLngToLayerPoint([row[1], row[0] + offsets[c]]);
          const x = p.x - origin.x;
          const y = p.y - origin.y;
          if (x < -margin || y < -margin || x > size.x + margin || y > size.y + margin) {
            continue;
          }
          picked.push([i * offsets.length + c, p]);
        }
      }
      // Create and measure the new labels in one pass: one layout, not one per label.
      const fresh = [];
      for (let k = 0; k < picked.length; k++) {
        const node = this._node(picked[k][0]);
        if (!node.measured) {
          node.el.style.display = "";
          node.el.style.visibility = "hidden";
          fresh.push(node);
        }
      }
      for (let k = 0; k < fresh.length; k++) {
        fresh[k].w = fresh[k].el.offsetWidth;
        fresh[k].h = fresh[k].el.offsetHeight;
        fresh[k].measured = true;
      }
      const grid = {};
      const shown = [];
      // The map's controls (zoom, legend, overview map) cover what is under them.
      const frame = map.getContainer().getBoundingClientRect();
      const controls = map.getContainer().querySelectorAll(".leaflet-control");
      for (let k = 0; k < controls.length; k++) {
        const r = controls[k].getBoundingClientRect();
        if (r.width && r.height) {
          const x0 = r.left - frame.left + origin.x;
          const y0 = r.top - frame.top + origin.y;
          occupy(grid, [x0, y0, x0 + r.width, y0 + r.height]);
        }
      }
      for (let k = 0; k < picked.length; k++) {
        const node = this._nodes[picked[k][0]];
        const p = picked[k][1];
        const dotted = node.kind === "city" || node.kind === "capital" || node.kind === "town";
        const left = dotted ? p.x - 4 : p.x - node.w / 2;
        const top = p.y - node.h / 2;
        const box = [
          left - LABEL_GAP,
          top - LABEL_GAP,
          left + node.w + LABEL_GAP,
          top + node.h + LABEL_GAP,
        ];
        if (collides(grid, box)) {
          continue;
        }
        occupy(grid, box);
        L.DomUtil.setPosition(node.el, L.point(Math.round(left), Math.round(top)));
        shown.push(node);
      }
      for (let k = 0; k < this._shown.length; k++) {
        this._shown[k].el.style.display = "none";
      }
      for (let k = 0; k < fresh.length; k++) {
        fresh[k].el.style.display = "none";
        fresh[k].el.style.visibility = "";
      }
      for (let k = 0; k < shown.length; k++) {
        shown[k].el.style.display = "";
      }
      this._shown = shown;
      this._box.style.visibility = "";
    },

    /** The labels on show: [{name, kind, box: DOMRect}] (for tests). */
    shown: function () {
      return this._shown.map(function (node) {
        return { name: node.el.textContent, kind: node.kind, box: node.el.getBoundingClientRect() };
      });
    },
  });

  function cells(box) {
    const out = [];
    for (let cx = Math.floor(box[0] / CELL); cx <= Math.floor(box[2] / CELL); cx++) {
      for (let cy = Math.floor(box[1] / CELL); cy <= Math.floor(box[3] / CELL); cy++) {
        out.push(cx + ":" + cy);
      }
    }
    return out;
  }

  function collides(grid, box) {
    const keys = cells(box);
    for (let k = 0; k < keys.length; k++) {
      const boxes = grid[keys[k]] || [];
      for (let j = 0; j < boxes.length; j++) {
        const o = boxes[j];
        if (box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3]) {
          return true;
        }
      }
    }
    return false;
  }

  function occupy(grid, box) {
    const keys = cells(box);
    for (let k = 0; k < keys.length; k++) {
      (grid[keys[k]] = grid[keys[k]] || []).push(box);
    }
  }

  /**
   * A one-line note (top right) shown from options.zoom on: the offline map
   * stops at that level of detail. options.text is plain text.
   */
  L.Control.NmDetailNote = L.Control.extend({
    options: { position: "topright", zoom: 11, text: "" },

    onAdd: function (map) {
      const box = L.DomUtil.create("div", "nm-detail-note");
      box.textContent = this.options.text;
      box.setAttribute("role", "note");
      map.on("zoomend", this._toggle, this);
      this._box = box;
      setTimeout(this._toggle.bind(this), 0);
      return box;
    },

    onRemove: function (map) {
      map.off("zoomend", this._toggle, this);
    },

    _toggle: function () {
      if (this._map) {
        this._box.style.display = this._map.getZoom() >= this.options.zoom ? "" : "none";
      }
    },
  });

  /**
   * Show a legend control (bottom right) while its feature group is on a map.
   *
   * The legend belongs to a feature group rather than to the map, so when the
   * app sends new feature groups (after a filter or a correction) the legend is
   * replaced with them instead of keeping the counts of the map's first drawing.
   * One legend is shown at a time: the newest replaces any other.
   * options.html is the legend's body, escaped HTML.
   */
  /** Maps at most this wide (pixels) are a phone's: legend folded, no overview map. */
  const NARROW_MAP = 440;

  function addLegend(group, options) {
    let control = null;

    function install(map) {
      if (newsmap.legend) {
        newsmap.legend.remove();
      }
      control = L.control({ position: "bottomright" });
      control.onAdd = function () {
        // A <details>: the reader folds it away; on a narrow map (a phone) it
        // starts folded, so it does not cover a third of the map.
        const box = L.DomUtil.create("details", "nm-legend");
        const summary = L.DomUtil.create("summary", "nm-legend-title", box);
        summary.textContent = "Legend";
        const body = L.DomUtil.create("div", "nm-legend-body", box);
        body.innerHTML = options.html;
        box.open = map.getSize().x > NARROW_MAP;
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

  // ------------------------------------------------------------------ features
  //
  // What a click means. Leaflet gives a click to the topmost element under the
  // pointer, so features are drawn in panes by what they are: incidents over other
  // points, points over lines, lines over areas. Areas and countries stay in
  // Leaflet's overlayPane (z-index 400), in layer order (countries first); the
  // basemap's names (350) stay under all of them. A click that lands on an area
  // or on the bare map within a few pixels of a point or a line is given to that
  // point or line (a finger is wider than a 7-pixel marker), and an area's popup
  // opens only when nothing else is that close.

  const FEATURE_PANES = [
    ["nmLines", 410],
    ["nmPoints", 420],
    ["nmIncidents", 430],
  ];
  /** Pixels around a click within which a point or line is what the click meant. */
  const CLICK_TOLERANCE = L.Browser.mobile ? 16 : 8;
  /**
   * Brackets around a feature id at the end of its tooltip's text. streamlit-folium
   * reports the tooltip text of a clicked feature; the app reads the id from it
   * (layers/app/clicks.py), so a click names the feature itself, not a position
   * that an incident and the place it happened at share.
   */
  const REF_OPEN = "\u27e6";
  const REF_CLOSE = "\u27e7";

  L.Map.addInitHook(function () {
    // In the app's frame (streamlit-folium's map_div, given a fixed height) on a
    // phone, the page sets the frame's height for the screen (layers/app/page.css):
    // the map fills the frame, measured now, before the article's view is fitted.
    const container = this.getContainer();
    if (container.id === "map_div" && window.innerWidth <= NARROW_MAP) {
      container.style.height = "100vh";
      this.invalidateSize(false);
    }
    for (const [name, zIndex] of FEATURE_PANES) {
      const node = this.getPane(name) || this.createPane(name);
      node.style.zIndex = zIndex;
    }
    this.on("click", onBareMapClick);
  });

  function isArea(layer) {
    let area = layer instanceof L.Polygon;
    if (layer.eachLayer) {
      area = true;
      layer.eachLayer(function (part) {
        area = area && isArea(part);
      });
    }
    return area;
  }

  /** Put a feature's layer (each part of a multi-part one) in the pane of its kind. */
  function placeInPane(layer, incident) {
    if (layer.eachLayer) {
      layer.eachLayer(function (part) {
        placeInPane(part, incident);
      });
    } else if (layer instanceof L.Polygon) {
      // overlayPane, Leaflet's default
    } else if (layer instanceof L.Polyline) {
      layer.options.pane = "nmLines";
    } else if (layer instanceof L.CircleMarker) {
      layer.options.pane = incident ? "nmIncidents" : "nmPoints";
    }
  }

  /**
   * The tooltip's content: the server's escaped HTML and the hidden feature id,
   * as HTML (streamlit-folium reads a layer's own tooltip string as text) or, for
   * a multi-part feature, as an element (it calls the group's tooltip function
   * with the clicked part and reads the element's text).
   */
  function tooltipContent(html, featureId, asElement) {
    // A string is built without parsing HTML: a map of thousands of features
    // binds thousands of tooltips.
    const ref = featureId
      ? '<span class="nm-feature-ref" aria-hidden="true">' +
        escapeHtml(REF_OPEN + featureId + REF_CLOSE) +
        "</span>"
      : "";
    if (!asElement) {
      return html + ref;
    }
    const box = document.createElement("div");
    box.innerHTML = html + ref;
    return box;
  }

  const HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return HTML_ESCAPES[c];
    });
  }

  /**
   * Pixels from layerPoint to a point or line part (Infinity for other layers);
   * a circle marker counts from its rim.
   */
  function partDistance(map, part, layerPoint) {
    if (part instanceof L.Polygon) {
      return Infinity;
    }
    if (part instanceof L.Polyline) {
      const closest = part.closestLayerPoint(layerPoint);
      return closest ? closest.distance : Infinity;
    }
    if (part instanceof L.CircleMarker) {
      const centre = map.latLngToLayerPoint(part.getLatLng());
      return Math.max(0, centre.distanceTo(layerPoint) - part.getRadius());
    }
    return Infinity;
  }

  /**
   * The point or line feature nearest layerPoint within CLICK_TOLERANCE pixels:
   * [feature layer, the part of it that is nearest], or null. When two are about
   * as near, an incident wins over a place and a point over a line.
   */
  function nearestFeature(map, layerPoint) {
    let best = null;
    let bestScore = Infinity;
    map.eachLayer(function (layer) {
      // The article's features only: the basemap's rivers and borders are
      // GeoJSON features too, but not interactive and without an id.
      const props = layer.feature && layer.feature.properties;
      if (!props || !props.feature_id || layer.options.interactive === false || isArea(layer)) {
        return;
      }
      const incident = props.kind === "incident";
      const parts = [];
      if (layer.eachLayer) {
        layer.eachLayer(function (part) {
          parts.push(part);
        });
      } else {
        parts.push(layer);
      }
      for (const part of parts) {
        const distance = partDistance(map, part, layerPoint);
        if (distance > CLICK_TOLERANCE) {
          continue;
        }
        const score = distance + (incident ? 0 : 1) + (part instanceof L.Polyline ? 2 : 0);
        if (score < bestScore) {
          best = [layer, part];
          bestScore = score;
        }
      }
    });
    return best;
  }

  /**
   * Give a click to another feature, after the listeners of this click have run
   * (so the app is told last about the feature the click meant). Its popup opens
   * at its own point, or at the nearest point of its line.
   */
  function redirectClick(map, target, e) {
    const [layer, part] = target;
    let latlng = e.latlng;
    if (part instanceof L.CircleMarker) {
      latlng = part.getLatLng();
    } else if (part instanceof L.Polyline) {
      const closest = part.closestLayerPoint(e.layerPoint);
      latlng = closest ? map.layerPointToLatLng(closest) : e.latlng;
    }
    setTimeout(function () {
      layer.fire(
        "click",
        {
          latlng: latlng,
          layerPoint: map.latLngToLayerPoint(latlng),
          containerPoint: map.latLngToContainerPoint(latlng),
          sourceTarget: part,
        },
        true,
      );
    }, 0);
  }

  /** A click on the map itself (no feature under it): the nearest feature, if close. */
  function onBareMapClick(e) {
    const target = nearestFeature(this, e.layerPoint);
    if (target) {
      redirectClick(this, target, e);
    }
  }

  /**
   * GeoJSON onEachFeature: put the feature in its pane and bind the tooltip and
   * popup carried in its properties (escaped HTML, built on the server). The
   * tooltip ends with the feature id, visually hidden; for a multi-part feature
   * it is a function of the part, as Leaflet allows, so any part reports it.
   */
  function bindTooltipAndPopup(feature, layer) {
    const p = feature.properties || {};
    placeInPane(layer, p.kind === "incident");
    if (p.tooltip) {
      if (layer.eachLayer) {
        const content = tooltipContent(p.tooltip, p.feature_id, true);
        layer.bindTooltip(
          function () {
            return content;
          },
          { sticky: true },
        );
      } else {
        layer.bindTooltip(tooltipContent(p.tooltip, p.feature_id, false), { sticky: true });
      }
    }
    if (!isArea(layer)) {
      if (p.popup) {
        layer.bindPopup(p.popup, { maxWidth: 380 });
      }
      return;
    }
    layer.on("click", function (e) {
      L.DomEvent.stop(e);
      const map = layer._map;
      const target = nearestFeature(map, e.layerPoint);
      if (target) {
        redirectClick(map, target, e);
      } else if (p.popup) {
        L.popup({ maxWidth: 380 }).setLatLng(e.latlng).setContent(p.popup).openOn(map);
      }
    });
  }


  // ------------------------------------------------------------------ corpus
  //
  // The Corpus page's places: thousands of circles, one per place, sized by the
  // articles that name it. They are drawn on one canvas (Leaflet's canvas
  // renderer), not as one SVG element each, so 20,000 places pan and zoom
  // smoothly. The data comes as columns (JSON arrays), not as GeoJSON: a third of
  // the bytes for the same places. Each circle's tooltip ends with the place's id,
  // which is what a click reports to the app (layers/app/clicks.py).

  /**
   * Draw the corpus places into a feature group.
   * data: {lat, lon, radius, colour, name, detail, id} arrays of one length,
   * palette: colour strings indexed by data.colour, and selected: the index of
   * the place to ring (-1: none).
   */
  function corpusPlaces(group, data) {
    const renderer = L.canvas({ padding: 0.3, tolerance: CLICK_TOLERANCE / 2 });
    const count = data.lat.length;
    for (let i = 0; i < count; i += 1) {
      const colour = data.palette[data.colour[i]];
      const marker = L.circleMarker([data.lat[i], data.lon[i]], {
        renderer: renderer,
        radius: data.radius[i],
        color: "#ffffff",
        weight: 1,
        fillColor: colour,
        fillOpacity: 0.7,
        pane: "nmPoints",
      });
      const html =
        "<b>" + escapeHtml(data.name[i]) + "</b><br>" + escapeHtml(data.detail[i]);
      marker.bindTooltip(tooltipContent(html, data.id[i], false), { sticky: false });
      group.addLayer(marker);
    }
    if (data.selected >= 0) {
      // the place whose articles are listed: a ring that does not take clicks
      const i = data.selected;
      L.circleMarker([data.lat[i], data.lon[i]], {
        renderer: renderer,
        radius: data.radius[i] + 4,
        color: "#111111",
        weight: 3,
        fill: false,
        interactive: false,
        pane: "nmPoints",
      }).addTo(group);
    }
    group.nmPlaces = count;
    group.on("add", function (e) {
      e.target._map.getContainer().dataset.nmPlaces = String(count);
    });
    if (group._map) {
      group._map.getContainer().dataset.nmPlaces = String(count);
    }
  }

  const newsmap = {
    addBasemap: addBasemap,
    corpusPlaces: corpusPlaces,
    addLegend: addLegend,
    rememberView: rememberView,
    bindTooltipAndPopup: bindTooltipAndPopup,
    /** The legend control on show (see addLegend). */
    legend: null,
  };
  window.newsmap = newsmap;
})(window, window.L);
