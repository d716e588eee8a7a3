/* Flashpoint's event layer for Leaflet.
 *
 * The base map creates one FlashpointLayer; every slider step then calls update() with the
 * events visible at that date. Markers are kept between steps and only the difference is
 * drawn, on one canvas, so a step costs little whatever the size of the dataset and the map
 * itself is never reloaded. Text from data is only ever set through textContent.
 */
(function () {
  "use strict";
  if (window.FlashpointLayer) return;

  var SQRT3 = Math.sqrt(3);

  function tracePolygon(ctx, p, r, sides, rotation) {
    for (var i = 0; i < sides; i++) {
      var a = rotation + (i * 2 * Math.PI) / sides;
      var x = p.x + r * Math.cos(a);
      var y = p.y + r * Math.sin(a);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.closePath();
  }

  var SHAPES = {
    circle: function (ctx, p, r) {
      ctx.arc(p.x, p.y, r, 0, Math.PI * 2, false);
    },
    square: function (ctx, p, r) {
      var s = r * 0.9;
      ctx.rect(p.x - s, p.y - s, 2 * s, 2 * s);
    },
    diamond: function (ctx, p, r) {
      tracePolygon(ctx, p, r * 1.25, 4, -Math.PI / 2);
    },
    triangle: function (ctx, p, r) {
      tracePolygon(ctx, { x: p.x, y: p.y + r * 0.2 }, r * 1.3, 3, -Math.PI / 2);
    },
    hexagon: function (ctx, p, r) {
      tracePolygon(ctx, p, r * 1.1, 6, 0);
    },
    star: function (ctx, p, r) {
      var outer = r * 1.35;
      var inner = outer * 0.45;
      for (var i = 0; i < 10; i++) {
        var a = -Math.PI / 2 + (i * Math.PI) / 5;
        var rr = i % 2 === 0 ? outer : inner;
        var x = p.x + rr * Math.cos(a);
        var y = p.y + rr * Math.sin(a);
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      ctx.closePath();
    },
    arrow: function (ctx, p, r, layer) {
      var from = layer._map.latLngToLayerPoint(layer.options.from);
      var angle = Math.atan2(p.y - from.y, p.x - from.x);
      var len = r * 2.2;
      var half = r * 1.1;
      var bx = p.x - len * Math.cos(angle);
      var by = p.y - len * Math.sin(angle);
      ctx.moveTo(p.x, p.y);
      ctx.lineTo(bx + half * Math.sin(angle), by - half * Math.cos(angle));
      ctx.lineTo(bx - half * Math.sin(angle), by + half * Math.cos(angle));
      ctx.closePath();
    },
  };

  // Draw our shapes with Leaflet's own canvas renderer (fill, stroke, hit-testing included).
  L.Canvas.include({
    _updateFlashpointShape: function (layer) {
      if (!this._drawing || layer._empty()) return;
      var ctx = this._ctx;
      ctx.beginPath();
      (SHAPES[layer.options.shape] || SHAPES.circle)(ctx, layer._point, layer._radius, layer);
      this._fillStroke(ctx, layer);
    },
  });

  var ShapeMarker = L.CircleMarker.extend({
    options: { shape: "circle" },
    _updatePath: function () {
      this._renderer._updateFlashpointShape(this);
    },
    _containsPoint: function (p) {
      // A generous hit area: small markers must still be easy to click or tap.
      return p.distanceTo(this._point) <= Math.max(this._radius + 4, 9);
    },
  });

  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

  function dayWords(day) {
    var d = new Date(day * 86400000);
    return (
      WEEKDAYS[d.getUTCDay()] + " " + d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear()
    );
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function FlashpointLayer(map, config) {
    this.map = map;
    this.cfg = config;
    this.renderer = L.canvas({ padding: 0.3, tolerance: 4 });
    this.extras = L.layerGroup().addTo(map);
    this.group = L.featureGroup().addTo(map);
    this.items = new Map();
    this.selected = -1;
    this.focus = new Set();
    this.lastFly = null;
    var self = this;
    this.group.on("click", function (e) {
      if (e.layer && e.layer.options.row !== undefined) self.select(e.layer.options.row, true);
    });
    if (config.legend) this.addLegend(config);
    window.flashpoint = this;
    var container = map.getContainer();
    // data-idle tells tests (and anything else watching) that no pan or zoom is under way.
    map.on("movestart zoomstart", function () {
      container.removeAttribute("data-idle");
    });
    map.on("moveend zoomend", function () {
      container.setAttribute("data-idle", "1");
    });
    container.setAttribute("data-idle", "1");
    container.setAttribute("data-flashpoint", "ready");
  }

  FlashpointLayer.prototype.addLegend = function (config) {
    var legend = L.control({ position: "bottomleft" });
    legend.onAdd = function () {
      var box = el("div", "fp-legend");
      box.appendChild(el("div", "fp-legend-title", "Event type"));
      config.legend.forEach(function (i) {
        var cat = config.categories[i];
        var row = el("div", "fp-legend-row");
        var canvas = el("canvas", "fp-legend-swatch");
        canvas.width = 18;
        canvas.height = 18;
        var ctx = canvas.getContext("2d");
        ctx.beginPath();
        SHAPES[cat.shape](ctx, { x: 9, y: 9 }, 5.5);
        ctx.fillStyle = cat.color;
        ctx.strokeStyle = "#101418";
        ctx.fill();
        ctx.stroke();
        row.appendChild(canvas);
        row.appendChild(el("span", null, cat.name));
        box.appendChild(row);
      });
      var movement = el("div", "fp-legend-row fp-legend-note", "➝ movement   ◌ location uncertainty");
      box.appendChild(movement);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    legend.addTo(this.map);
  };

  FlashpointLayer.prototype.styleFor = function (item) {
    var cat = this.cfg.categories[item.t];
    var current = item.s === 1;
    var selected = item.row === this.selected;
    var focused = this.focus.has(item.row);
    var base = this.cfg.size;
    return {
      radius: selected ? base + 5 : current || focused ? base + 2 : base,
      color: selected ? "#ffffff" : focused ? "#ffe066" : current ? "#101418" : cat.color,
      weight: selected ? 3 : focused ? 2.5 : current ? 1.5 : 1,
      opacity: current || selected || focused ? 1 : 0.55,
      fillColor: cat.color,
      fillOpacity: selected || current || focused ? 0.95 : 0.35,
    };
  };

  FlashpointLayer.prototype.tooltipFor = function (item) {
    var cfg = this.cfg;
    return function () {
      var box = el("div", "fp-tooltip");
      box.appendChild(el("strong", null, item.title || cfg.categories[item.t].name));
      box.appendChild(el("div", null, dayWords(item.day)));
      if (!item.title) box.appendChild(el("div", "fp-hint", "Click for details"));
      return box;
    };
  };

  FlashpointLayer.prototype.makeItem = function (p, i) {
    var row = p.rows[i];
    var item = {
      row: row,
      t: p.t[i],
      s: p.s[i],
      day: p.day[i],
      title: p.title ? p.title[i] : null,
      layers: [],
    };
    var cat = this.cfg.categories[item.t];
    var latlng = L.latLng(p.y[i] / 1e5, p.x[i] / 1e5);
    var line = p.lines && p.lines[row];
    var style = this.styleFor(item);
    if (line) {
      var latlngs = line.map(function (c) {
        return L.latLng(c[1], c[0]);
      });
      var path = L.polyline(latlngs, {
        renderer: this.renderer,
        color: cat.color,
        weight: 2.5,
        opacity: 0.8,
        dashArray: "8 6",
        row: row,
      });
      var n = latlngs.length;
      var head = new ShapeMarker(
        latlngs[n - 1],
        L.extend({ renderer: this.renderer, shape: "arrow", from: latlngs[Math.max(n - 2, 0)], row: row }, style)
      );
      item.marker = head;
      item.layers.push(path, head);
    } else {
      var marker = new ShapeMarker(latlng, L.extend({ renderer: this.renderer, shape: cat.shape, row: row }, style));
      item.marker = marker;
      item.layers.push(marker);
    }
    var radius = p.unc && p.unc[row];
    if (radius) {
      item.circle = L.circle(line ? item.marker.getLatLng() : latlng, {
        renderer: this.renderer,
        radius: radius,
        color: cat.color,
        weight: 1,
        opacity: 0.6,
        dashArray: "3 4",
        fillOpacity: 0.06,
        interactive: false,
      });
    }
    var tooltip = this.tooltipFor(item);
    var group = this.group;
    item.layers.forEach(function (layer) {
      layer.feature = { type: "Feature", properties: { row: row } };
      layer.bindTooltip(tooltip, { sticky: true, direction: "top", opacity: 0.95 });
      group.addLayer(layer);
    });
    if (item.circle) this.extras.addLayer(item.circle);
    return item;
  };

  FlashpointLayer.prototype.removeItem = function (item) {
    var group = this.group;
    item.layers.forEach(function (layer) {
      group.removeLayer(layer);
    });
    if (item.circle) this.extras.removeLayer(item.circle);
  };

  FlashpointLayer.prototype.restyle = function (item) {
    var style = this.styleFor(item);
    item.marker.setStyle(style);
    item.marker.setRadius(style.radius);
    if (item.row === this.selected || this.focus.has(item.row)) item.marker.bringToFront();
  };

  FlashpointLayer.prototype.update = function (p) {
    var started = performance.now();
    this.selected = p.sel;
    this.focus = new Set(p.focus || []);
    var seen = new Set();
    for (var i = 0; i < p.rows.length; i++) {
      var row = p.rows[i];
      seen.add(row);
      var item = this.items.get(row);
      if (!item) {
        this.items.set(row, this.makeItem(p, i));
      } else if (item.s !== p.s[i] || item.row === this.selected || this.focus.has(row) || item.wasMarked) {
        item.s = p.s[i];
        this.restyle(item);
      }
      item = this.items.get(row);
      item.wasMarked = item.row === this.selected || this.focus.has(row);
    }
    var self = this;
    this.items.forEach(function (item, row) {
      if (!seen.has(row)) {
        self.removeItem(item);
        self.items.delete(row);
      }
    });
    var container = this.map.getContainer();
    container.setAttribute("data-visible", String(p.rows.length));
    container.setAttribute("data-step", String(p.step));
    if (p.fly && JSON.stringify(p.fly) !== this.lastFly) {
      this.lastFly = JSON.stringify(p.fly);
      this.map.flyToBounds(p.fly, { maxZoom: p.flyZoom || 9, padding: [40, 40], duration: 0.8 });
    }
    window.flashpointLastUpdateMs = performance.now() - started;
  };

  FlashpointLayer.prototype.select = function (row, fromClick) {
    var previous = this.items.get(this.selected);
    this.selected = row;
    if (previous) this.restyle(previous);
    var item = this.items.get(row);
    if (item) {
      this.restyle(item);
      item.wasMarked = true;
    }
    if (fromClick) this.map.getContainer().setAttribute("data-selected", String(row));
  };

  window.FlashpointLayer = FlashpointLayer;
})();

/* The offline basemap: country shapes, rivers and city names drawn from data shipped with
 * Flashpoint, beneath the events, so the map reads well with no tiles at all. */
(function () {
  "use strict";
  if (window.drawFlashpointBasemap) return;
  window.drawFlashpointBasemap = function (map, geojson, filled) {
    var pane = map.createPane("fp-basemap");
    pane.style.zIndex = 250;
    pane.style.pointerEvents = "none";
    var renderer = L.canvas({ pane: "fp-basemap", padding: 0.3 });
    L.geoJSON(geojson, {
      pane: "fp-basemap",
      renderer: renderer,
      interactive: false,
      filter: function (f) {
        return f.properties.kind !== "city";
      },
      style: function (f) {
        if (f.properties.kind === "river") {
          return { color: "#3f8fcf", weight: 1.4, opacity: filled ? 0.9 : 0.6 };
        }
        return {
          color: filled ? "#56606e" : "#4a5563",
          weight: filled ? 0.8 : 1.2,
          opacity: 0.9,
          fill: filled,
          fillColor: "#232a33",
          fillOpacity: 1,
        };
      },
    }).addTo(map);
    if (map.attributionControl) {
      map.attributionControl.addAttribution("Borders, rivers: Natural Earth · Cities: GeoNames (CC BY 4.0)");
    }
    if (!filled) return;
    var labels = L.layerGroup().addTo(map);
    geojson.features.forEach(function (f) {
      if (f.properties.kind !== "city") return;
      var c = f.geometry.coordinates;
      var latlng = L.latLng(c[1], c[0]);
      L.circleMarker(latlng, {
        pane: "fp-basemap",
        renderer: renderer,
        radius: f.properties.capital ? 3 : 2,
        color: "#d5dbe3",
        weight: 1,
        fillColor: "#d5dbe3",
        fillOpacity: 1,
        interactive: false,
      }).addTo(labels);
      var label = document.createElement("span");
      label.textContent = f.properties.name;
      L.marker(latlng, {
        pane: "fp-basemap",
        interactive: false,
        keyboard: false,
        icon: L.divIcon({
          className: "fp-city" + (f.properties.capital ? " fp-capital" : ""),
          html: label,
          iconSize: null,
          iconAnchor: [-5, 7],
        }),
      }).addTo(labels);
    });
  };
})();
