/* Flashpoint's offline basemap, drawn beneath the events on one canvas with no tile server.
 *
 * The world: land, coastlines and country borders from Natural Earth (the world-atlas
 * package's TopoJSON, 1:110m at world zooms and 1:50m from zoom 4, fetched when first needed)
 * and city and town names from GeoNames, thinned by zoom when the files are built
 * (tools/build_world.py) and placed here most important first, a label drawn only where it
 * overlaps none already placed. The region's detailed layer (data/basemap.geojson: its
 * rivers and curated cities, and its country shapes when the world files are not served)
 * stays. Every world copy in view is drawn, so a view across the date line shows land on
 * both sides. Text from data is only ever drawn with fillText.
 */
(function () {
  "use strict";
  if (window.drawFlashpointBasemap) return;

  var MAX_LAT = 85.0511;
  var DETAIL_FROM = 4;
  var MAX_LABELS = 220;
  var FONT = "500 11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  var CAPITAL_FONT = "700 12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  var COLORS = {
    land: "#232a33",
    coast: "#5b6675",
    border: "#4a5563",
    outline: "#4a5563",
    river: "#3f8fcf",
    label: "#d5dbe3",
    halo: "rgba(8, 12, 18, 0.85)",
  };

  function mercator(lon, lat) {
    var clamped = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
    var s = Math.sin((clamped * Math.PI) / 180);
    return [(lon + 180) / 360, 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
  }

  // Natural Earth cuts shapes along the date line and the south pole: those seams are not coast.
  function isSeam(a, b) {
    return (Math.abs(a[0]) > 179.99 && Math.abs(b[0]) > 179.99) || (a[1] < -84.99 && b[1] < -84.99);
  }

  // Lines of [lon, lat] as paths in world units (0..1 each way), each with its bounding box.
  // A line that crosses the date line is unwrapped (longitudes run on past 180) so it stays
  // one piece; a ring that goes round a pole (Antarctica) is closed along that pole; coast is
  // split where it runs along one of Natural Earth's seams. `kind`: ring, coast or line.
  function toPaths(lines, kind) {
    var out = [];
    lines.forEach(function (line) {
      var part = [];
      var shift = 0;
      var flush = function () {
        if (part.length >= 2) out.push(makePath(part));
        part = [];
      };
      for (var i = 0; i < line.length; i++) {
        if (i > 0) {
          var step = line[i][0] - line[i - 1][0];
          if (step > 180) shift -= 360;
          else if (step < -180) shift += 360;
          if (kind === "coast" && isSeam(line[i - 1], line[i])) flush();
        }
        part.push([line[i][0] + shift, line[i][1]]);
      }
      if (kind === "ring" && shift !== 0 && part.length) {
        var pole = part[0][1] < 0 ? -90 : 90;
        part.push([part[part.length - 1][0], pole], [part[0][0], pole]);
      }
      flush();
    });
    return out;
  }

  function makePath(coords) {
    var xy = new Float64Array(coords.length * 2);
    var box = [Infinity, Infinity, -Infinity, -Infinity];
    for (var i = 0; i < coords.length; i++) {
      var p = mercator(coords[i][0], coords[i][1]);
      xy[2 * i] = p[0];
      xy[2 * i + 1] = p[1];
      box[0] = Math.min(box[0], p[0]);
      box[1] = Math.min(box[1], p[1]);
      box[2] = Math.max(box[2], p[0]);
      box[3] = Math.max(box[3], p[1]);
    }
    return { xy: xy, box: box };
  }

  // Rings and lines of any GeoJSON geometry (a FeatureCollection, Feature or bare geometry).
  function linesOf(obj, out) {
    out = out || [];
    if (!obj) return out;
    if (obj.type === "FeatureCollection") obj.features.forEach(function (f) { linesOf(f, out); });
    else if (obj.type === "Feature") linesOf(obj.geometry, out);
    else if (obj.type === "GeometryCollection") obj.geometries.forEach(function (g) { linesOf(g, out); });
    else if (obj.type === "LineString") out.push(obj.coordinates);
    else if (obj.type === "MultiLineString" || obj.type === "Polygon") obj.coordinates.forEach(function (l) { out.push(l); });
    else if (obj.type === "MultiPolygon") obj.coordinates.forEach(function (p) { p.forEach(function (l) { out.push(l); }); });
    return out;
  }

  function placeRows(doc) {
    return doc.places.map(function (r) {
      var p = mercator(r[0], r[1]);
      return { x: p[0], y: p[1], name: String(r[2]), zoom: r[3], capital: !!r[4], width: -1 };
    });
  }

  // The canvas beneath the events: Leaflet's renderer machinery keeps it in place while the map
  // pans and scales it during zoom animations; it is redrawn when a move ends.
  var BasemapRenderer = L.Renderer.extend({
    _initContainer: function () {
      this._container = document.createElement("canvas");
      this._container.className = "fp-basemap";
      this._ctx = this._container.getContext("2d");
    },
    _destroyContainer: function () {
      L.DomUtil.remove(this._container);
    },
    _update: function () {
      if (this._map._animatingZoom && this._bounds) return;
      L.Renderer.prototype._update.call(this);
      var size = this._bounds.getSize();
      var ratio = L.Browser.retina ? 2 : 1;
      L.DomUtil.setPosition(this._container, this._bounds.min);
      this._container.width = ratio * size.x;
      this._container.height = ratio * size.y;
      this._container.style.width = size.x + "px";
      this._container.style.height = size.y + "px";
      this._ratio = ratio;
      if (this.owner) this.owner.draw();
    },
  });

  // `credit`: the attribution in the map's language, made in Python (geo.maps.basemap_credit).
  function Basemap(map, credit, filled) {
    this.map = map;
    this.filled = filled;
    this.container = map.getContainer();
    this.land = {};
    this.regional = null;
    this.world = null;
    this.places = [];
    this.cells = {};
    this.pending = {};
    this.labels = [];
    this.lastDrawMs = 0;
    this.decodeMs = {};
    var pane = map.createPane("fp-basemap");
    pane.style.zIndex = 250;
    pane.style.pointerEvents = "none";
    this.renderer = new BasemapRenderer({ pane: "fp-basemap", padding: 0.3 });
    this.renderer.owner = this;
    map.addLayer(this.renderer);
    if (map.attributionControl) map.attributionControl.addAttribution(credit);
    window.flashpointBasemap = this;
  }

  Basemap.prototype.setRegional = function (geojson) {
    var feats = geojson.features || [];
    var of = function (kind) {
      return feats.filter(function (f) { return f.properties && f.properties.kind === kind; });
    };
    var countries = of("country");
    this.regional = {
      fill: toPaths(linesOf({ type: "FeatureCollection", features: countries }), "ring"),
      rivers: toPaths(linesOf({ type: "FeatureCollection", features: of("river") }), "line"),
      places: of("city").map(function (f) {
        var c = f.geometry.coordinates;
        var p = mercator(c[0], c[1]);
        return { x: p[0], y: p[1], name: String(f.properties.name), zoom: 2, capital: !!f.properties.capital, width: -1 };
      }),
    };
    this.mark();
    this.draw();
  };

  // ---- fetching ---------------------------------------------------------------------------

  Basemap.prototype.fetchJson = function (key, url, done) {
    if (this.pending[key]) return;
    this.pending[key] = true;
    var self = this;
    fetch(url)
      .then(function (r) {
        if (!r.ok) throw new Error(key + " " + r.status);
        return r.json();
      })
      .then(function (doc) {
        var started = performance.now();
        done(doc);
        self.decodeMs[key] = performance.now() - started;
        self.mark();
        self.draw();
      })
      .catch(function () {
        self.container.setAttribute("data-basemap-failed", key);
      });
  };

  Basemap.prototype.loadWorld = function (indexUrl) {
    if (!window.topojson) return;
    var self = this;
    var base = new URL(indexUrl, document.baseURI);
    this.fetchJson("index", base.href, function (index) {
      self.world = index;
      self.resolve = function (rel) {
        return new URL(rel, base).href;
      };
      self.need();
    });
  };

  // Fetch what the current view needs and has not got: finer land when zoomed in, and the
  // places of the cells in view once labels beyond the world set are shown.
  Basemap.prototype.need = function () {
    var world = this.world;
    if (!world) return;
    var self = this;
    var zoom = this.map.getZoom();
    var detail = zoom >= DETAIL_FROM ? "50m" : "110m";
    ["110m", detail].forEach(function (key) {
      self.fetchJson("land-" + key, self.resolve(world.land[key]), function (topo) {
        self.land[key] = decodeLand(topo);
      });
    });
    if (!this.filled) return;
    this.fetchJson("places", this.resolve(world.places), function (doc) {
      self.addPlaces(placeRows(doc));
    });
    if (zoom <= world.majorUpTo) return;
    this.cellsInView().forEach(function (key) {
      if (!world.cells[key]) return;
      self.fetchJson("cell " + key, self.resolve(world.cells[key]), function (doc) {
        self.addPlaces(placeRows(doc));
      });
    });
  };

  Basemap.prototype.cellsInView = function () {
    var size = this.world.cell;
    var b = this.map.getBounds();
    var keys = [];
    var west = Math.floor(b.getWest() / size) * size;
    for (var lon = west; lon < b.getEast(); lon += size) {
      var wrapped = ((((lon + 180) % 360) + 360) % 360) - 180;
      for (var lat = Math.floor(Math.max(b.getSouth(), -90) / size) * size; lat < Math.min(b.getNorth(), 90); lat += size) {
        keys.push(wrapped + "_" + lat);
      }
    }
    return keys;
  };

  Basemap.prototype.addPlaces = function (rows) {
    // Most important first: lower label zoom, then the order of the files (importance).
    this.places = this.places.concat(rows);
    this.places.sort(function (a, b) { return a.zoom - b.zoom; });
  };

  function decodeLand(topo) {
    var countries = topo.objects.countries;
    var coast = window.topojson.mesh(topo, countries, function (a, b) { return a === b; });
    var borders = window.topojson.mesh(topo, countries, function (a, b) { return a !== b; });
    return {
      fill: toPaths(linesOf(window.topojson.feature(topo, topo.objects.land)), "ring"),
      coast: toPaths(linesOf(coast), "coast"),
      borders: toPaths(linesOf(borders), "line"),
    };
  }

  // What the map container says about the basemap, for tests and assistive summaries.
  Basemap.prototype.mark = function () {
    var land = this.land["50m"] ? "50m" : this.land["110m"] ? "110m" : null;
    this.container.setAttribute("data-basemap", land ? "world" : this.regional ? "regional" : "loading");
  };

  // ---- drawing ----------------------------------------------------------------------------

  Basemap.prototype.draw = function () {
    var r = this.renderer;
    if (!r._bounds || !r._ctx || !this.map._loaded) return;
    var started = performance.now();
    var ctx = r._ctx;
    var ratio = r._ratio || 1;
    var b = r._bounds;
    var zoom = this.map.getZoom();
    var scale = 256 * Math.pow(2, zoom);
    var origin = this.map.getPixelOrigin();
    var view = {
      scale: scale,
      ox: origin.x + b.min.x,
      oy: origin.y + b.min.y,
      w: b.max.x - b.min.x,
      h: b.max.y - b.min.y,
      copies: [],
    };
    for (var k = Math.floor(view.ox / scale); k <= Math.floor((view.ox + view.w) / scale); k++) view.copies.push(k);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, r._container.width, r._container.height);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.need();
    var land = (zoom >= DETAIL_FROM && this.land["50m"]) || this.land["110m"];
    this.detail = land === this.land["50m"] ? "50m" : land ? "110m" : "regional";
    if (land) this.drawLand(ctx, view, land);
    else if (this.regional) this.drawRegionalShapes(ctx, view);
    if (this.regional) {
      ctx.globalAlpha = this.filled ? 0.9 : 0.6;
      strokePaths(ctx, view, this.regional.rivers, COLORS.river, 1.4);
      ctx.globalAlpha = 1;
    }
    this.labels = this.filled ? this.drawLabels(ctx, view, zoom) : [];
    this.lastDrawMs = performance.now() - started;
    this.container.setAttribute("data-basemap-detail", this.detail);
    this.container.setAttribute("data-basemap-labels", String(this.labels.length));
  };

  Basemap.prototype.drawLand = function (ctx, view, land) {
    if (this.filled) {
      ctx.beginPath();
      tracePaths(ctx, view, land.fill, true);
      ctx.fillStyle = COLORS.land;
      ctx.fill("evenodd");
    }
    strokePaths(ctx, view, land.coast, COLORS.coast, this.filled ? 0.9 : 1.2);
    strokePaths(ctx, view, land.borders, COLORS.border, this.filled ? 0.8 : 1.2);
  };

  Basemap.prototype.drawRegionalShapes = function (ctx, view) {
    ctx.beginPath();
    tracePaths(ctx, view, this.regional.fill, true);
    if (this.filled) {
      ctx.fillStyle = COLORS.land;
      ctx.fill("evenodd");
    }
    ctx.strokeStyle = COLORS.outline;
    ctx.lineWidth = this.filled ? 0.8 : 1.2;
    ctx.stroke();
  };

  function strokePaths(ctx, view, paths, color, width) {
    ctx.beginPath();
    tracePaths(ctx, view, paths, false);
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.lineJoin = "round";
    ctx.stroke();
  }

  // Adds the paths in view to the current path, once per world copy in view; points closer
  // than about half a pixel to the last one drawn are skipped.
  function tracePaths(ctx, view, paths, close) {
    var scale = view.scale;
    for (var c = 0; c < view.copies.length; c++) {
      var dx = view.copies[c] * scale - view.ox;
      var dy = -view.oy;
      for (var n = 0; n < paths.length; n++) {
        var p = paths[n];
        var box = p.box;
        if (box[0] * scale + dx > view.w || box[2] * scale + dx < 0) continue;
        if (box[1] * scale + dy > view.h || box[3] * scale + dy < 0) continue;
        var xy = p.xy;
        var last = xy.length - 2;
        var lx = xy[0] * scale + dx;
        var ly = xy[1] * scale + dy;
        ctx.moveTo(lx, ly);
        for (var i = 2; i <= last; i += 2) {
          var x = xy[i] * scale + dx;
          var y = xy[i + 1] * scale + dy;
          if (i < last && Math.abs(x - lx) + Math.abs(y - ly) < 0.6) continue;
          ctx.lineTo(x, y);
          lx = x;
          ly = y;
        }
        if (close) ctx.closePath();
      }
    }
  }

  // City and town names, most important first; a label whose box would overlap one already
  // placed is left out, so names never pile up. Returns the placed boxes (container pixels).
  Basemap.prototype.drawLabels = function (ctx, view, zoom) {
    var places = this.places.length ? this.places : this.regional ? this.regional.places : [];
    var placed = [];
    var margin = 4;
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    for (var n = 0; n < places.length && placed.length < MAX_LABELS; n++) {
      var p = places[n];
      if (p.zoom > zoom) break;
      var y = p.y * view.scale - view.oy;
      if (y < 8 || y > view.h - 8) continue;
      for (var c = 0; c < view.copies.length; c++) {
        var x = (p.x + view.copies[c]) * view.scale - view.ox;
        if (x < 3 || x > view.w) continue;
        ctx.font = p.capital ? CAPITAL_FONT : FONT;
        if (p.width < 0) p.width = ctx.measureText(p.name).width;
        var box = { name: p.name, x: x - 3, y: y - 8, width: p.width + 10, height: 16 };
        if (box.x < 0 || box.y < 0 || box.x + box.width > view.w || box.y + box.height > view.h) continue;
        if (overlapsAny(box, placed, margin)) continue;
        placed.push(box);
        ctx.beginPath();
        ctx.arc(x, y, p.capital ? 3 : 2, 0, 2 * Math.PI);
        ctx.fillStyle = COLORS.label;
        ctx.fill();
        ctx.lineWidth = 3;
        ctx.strokeStyle = COLORS.halo;
        ctx.strokeText(p.name, x + 6, y);
        ctx.fillText(p.name, x + 6, y);
      }
    }
    // Boxes as the container sees them (the canvas is offset by the renderer's padding).
    var off = this.map.layerPointToContainerPoint(this.renderer._bounds.min);
    return placed.map(function (b) {
      return { name: b.name, x: b.x + off.x, y: b.y + off.y, width: b.width, height: b.height };
    });
  };

  function overlapsAny(box, placed, margin) {
    for (var i = 0; i < placed.length; i++) {
      var o = placed[i];
      if (box.x < o.x + o.width + margin && o.x < box.x + box.width + margin &&
          box.y < o.y + o.height + margin && o.y < box.y + box.height + margin) return true;
    }
    return false;
  }

  // The region's layer given inline (a deployment without `make assets`): no world files.
  window.drawFlashpointBasemap = function (map, geojson, credit, filled) {
    var basemap = new Basemap(map, credit, filled);
    basemap.setRegional(geojson);
    return basemap;
  };

  // Served files: the region's layer and the world's index, fetched once and cached by the
  // browser (their addresses carry content hashes).
  window.loadFlashpointBasemap = function (map, urls, credit, filled) {
    var basemap = new Basemap(map, credit, filled);
    fetch(urls.regional)
      .then(function (r) {
        if (!r.ok) throw new Error("basemap " + r.status);
        return r.json();
      })
      .then(function (geojson) {
        basemap.setRegional(geojson);
      })
      .catch(function () {
        map.getContainer().setAttribute("data-basemap-failed", "regional");
      });
    if (urls.world) basemap.loadWorld(urls.world);
    return basemap;
  };
})();
