/* Flashpoint's map, when it is crowded: clusters with counts instead of markers.
 *
 * When more events are visible in the view than `aggregateAbove` (MapConfig), the map draws
 * supercluster's clusters: a circle per cluster, sized by its count, coloured by its most
 * common event type, with the count written in it. Otherwise every event is its own marker
 * (flashpoint.js). Clicking a cluster zooms to where it splits; a cluster that no zoom
 * splits (its events share one place) lists its events instead.
 *
 * Clusters follow the date at every frame without rebuilding anything: supercluster indexes
 * all events once (in a worker, so the page never freezes), and its map/reduce hooks record
 * each cluster's parent, so every cluster's events are one run of a leaf order. When the
 * view changes, the clusters in view are asked for once and each event learns its cluster
 * ("slot"); a date step then only adds or takes off, per slot and type, the events it
 * changes (counts.js). A cluster stays where supercluster put it (the centre of all its
 * events) while its count and colour follow the date. The worker is in
 * cluster-worker.js; hovering, clicking and the list of a cluster's events in cluster-list.js.
 */
(function () {
  "use strict";
  var FlashpointMap = window.FlashpointMap;
  if (!FlashpointMap || FlashpointMap.Aggregation) return;
  var U = FlashpointMap.util;

  // supercluster's cluster radius in screen pixels (its tiles are Leaflet's 256 pixels).
  var RADIUS_PX = 56;
  // The stand-in grid's cell while the index is built, in screen pixels.
  var GRID_PX = 80;
  // supercluster's deepest zoom, the deepest the address names (geo/share.py): a cluster still
  // whole there is of events at one place, and a closer view shows the same clusters.
  var MAX_ZOOM = 18;

  function Aggregation(fmap) {
    this.fmap = fmap;
    this.above = fmap.cfg.aggregateAbove;
    this.worker = null;
    this.tree = null;
    this.items = null;
    this.slot = new Int32Array(0);
    this.targets = [];
    this.builds = 0;
    this.queries = 0;
    this.addLegendRow();
    var self = this;
    fmap.map.on("moveend", function () {
      self.query();
    });
    fmap.map.on("zoomstart", function () {
      self.closeList(false);
    });
  }

  // Whether this dataset can be crowded at all: a small one is always drawn marker by marker.
  Aggregation.prototype.possible = function () {
    return Boolean(this.fmap.ev) && this.fmap.ev.n > this.above;
  };

  Aggregation.prototype.setEvents = function (ev) {
    this.closeList(false);
    this.items = null;
    if (this.legendRow) this.legendRow.hidden = !this.possible();
    if (!this.possible()) {
      this.setState("off");
      return;
    }
    if (this.tree && this.remap(ev)) {
      this.query();
      return;
    }
    this.build(ev);
  };

  // For a dataset that can be crowded: how many of its events end before a day (a search in
  // the counts' order of ends), else null.
  Aggregation.prototype.endedBefore = function (ev) {
    if (!this.possible()) return null;
    if (!this.counter || this.counter.ev !== ev) {
      this.counter = new FlashpointMap.ClusterCounts(ev, this.fmap.cfg.categories.length);
    }
    var counter = this.counter;
    return function (day) {
      return counter.endedBefore(day);
    };
  };

  Aggregation.prototype.setState = function (state) {
    this.state = state;
    this.fmap.container.setAttribute("data-cluster-index", state);
  };

  Aggregation.prototype.build = function (ev) {
    if (!this.worker) {
      this.worker = FlashpointMap.startClusterWorker(RADIUS_PX, MAX_ZOOM);
      if (!this.worker) {
        this.setState("unavailable");
        return;
      }
      var self = this;
      this.worker.onmessage = function (e) {
        self.receive(e.data);
      };
    }
    var lon = new Float64Array(ev.n);
    var lat = new Float64Array(ev.n);
    for (var i = 0; i < ev.n; i++) {
      lon[i] = ev.wx[i] * 360 - 180;
      lat[i] = ev.lat[i] / 1e5;
    }
    this.tree = null;
    this.pending = { id: ++this.builds, rows: Int32Array.from(ev.row), started: performance.now() };
    this.setState("building");
    this.worker.postMessage({ type: "build", id: this.builds, lon: lon, lat: lat }, [lon.buffer, lat.buffer]);
  };

  Aggregation.prototype.receive = function (m) {
    if (m.type === "built" && this.pending && m.id === this.pending.id) {
      this.tree = { perm: m.perm, lo: m.lo, hi: m.hi, rows: this.pending.rows, n: this.pending.rows.length };
      this.buildMs = performance.now() - this.pending.started;
      this.pending = null;
      if (this.remap(this.fmap.ev)) this.query();
      else this.build(this.fmap.ev);
    } else if (m.type === "clusters" && m.id === this.queries && this.tree) {
      this.assign(m);
      this.fmap.requestDraw();
    }
  };

  // Which event (in the map's current order) each indexed event is; false when the events
  // are not all in the index (a wider filter), which needs a new one.
  Aggregation.prototype.remap = function (ev) {
    var tree = this.tree;
    var evOf = new Int32Array(tree.n).fill(-1);
    var covered = 0;
    for (var k = 0; k < tree.n; k++) {
      var i = ev.rowIndex.get(tree.rows[k]);
      if (i !== undefined) {
        evOf[k] = i;
        covered++;
      }
    }
    if (covered !== ev.n) return false;
    this.evOf = evOf;
    this.setState("ready");
    return true;
  };

  Aggregation.prototype.query = function () {
    if (!this.tree || !this.possible()) return;
    var map = this.fmap.map;
    var b = map.getBounds().pad(0.25);
    var west = b.getWest();
    var east = b.getEast();
    var bbox = east - west >= 360 ? [-180, b.getSouth(), 180, b.getNorth()] : [west, b.getSouth(), east, b.getNorth()];
    this.worker.postMessage({ type: "query", id: ++this.queries, bbox: bbox, zoom: Math.min(MAX_ZOOM, Math.round(map.getZoom())) });
  };

  // Each event's slot: the cluster (or lone event) in view that holds it, or -1.
  Aggregation.prototype.assign = function (m) {
    var tree = this.tree;
    var n = this.fmap.ev.n;
    if (this.slot.length !== n) this.slot = new Int32Array(n);
    var slot = this.slot;
    slot.fill(-1);
    var evOf = this.evOf;
    var count = m.node.length;
    var wx = new Float64Array(count);
    var wy = new Float64Array(count);
    for (var j = 0; j < count; j++) {
      var node = m.node[j];
      if (node < tree.n) {
        if (evOf[node] >= 0) slot[evOf[node]] = j;
      } else {
        var c = node - tree.n;
        for (var p = tree.lo[c]; p < tree.hi[c]; p++) {
          var i = evOf[tree.perm[p]];
          if (i >= 0) slot[i] = j;
        }
      }
      var lat = Math.max(-85.0511, Math.min(85.0511, m.lat[j]));
      var s = Math.sin((lat * Math.PI) / 180);
      wx[j] = (m.lon[j] + 180) / 360;
      wy[j] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
    }
    // The zoom the clusters in hand were made for.
    this.fmap.container.setAttribute("data-cluster-zoom", String(m.zoom));
    var items = tally(count, this.fmap.cfg.categories.length);
    items.slot = slot;
    items.node = m.node;
    items.expand = m.expand;
    items.lat = m.lat;
    items.lon = m.lon;
    items.wx = wx;
    items.wy = wy;
    this.items = items;
  };

  // What a frame shows per cluster (or cell): visible events by type, in all, of the day.
  function tally(count, ncat) {
    return {
      count: count,
      counts: new Int32Array(count * ncat),
      total: new Int32Array(count),
      today: new Int32Array(count),
    };
  }

  // Which events lie inside the map's view (1) or not (0): made once per view.
  Aggregation.prototype.viewFlags = function (v) {
    var ev = this.fmap.ev;
    var flags = new Uint8Array(ev.n);
    for (var i = 0; i < ev.n; i++) {
      var x = ev.wx[i] * v.scale - v.ox;
      x -= Math.round((x - v.w / 2) / v.scale) * v.scale;
      var y = ev.wy[i] * v.scale - v.oy;
      flags[i] = x >= v.x0 && x <= v.x1 && y >= v.y0 && y <= v.y1 ? 1 : 0;
    }
    return flags;
  };

  // While the index is being built, a crowded view is counted on a grid of the screen instead:
  // a cheap stand-in drawn the same way (a cell's circle at the mean place of its events),
  // whose circles zoom in when clicked.
  Aggregation.prototype.gridLayout = function (v) {
    var fm = this.fmap;
    var ev = fm.ev;
    var cols = Math.ceil(v.w / GRID_PX);
    var count = cols * Math.ceil(v.h / GRID_PX);
    var grid = tally(count, fm.cfg.categories.length);
    var slot = new Int32Array(ev.n).fill(-1);
    var sx = new Float64Array(count);
    var sy = new Float64Array(count);
    var all = new Int32Array(count);
    for (var i = 0; i < ev.n; i++) {
      var x = ev.wx[i] * v.scale - v.ox;
      x -= Math.round((x - v.w / 2) / v.scale) * v.scale;
      var y = ev.wy[i] * v.scale - v.oy;
      if (x < 0 || y < 0 || x >= v.w || y >= v.h) continue;
      var cell = Math.floor(x / GRID_PX) + Math.floor(y / GRID_PX) * cols;
      slot[i] = cell;
      sx[cell] += x;
      sy[cell] += y;
      all[cell]++;
    }
    grid.slot = slot;
    grid.wx = new Float64Array(count);
    grid.wy = new Float64Array(count);
    grid.lat = new Float64Array(count);
    grid.lon = new Float64Array(count);
    grid.expand = new Uint8Array(count).fill(Math.min(MAX_ZOOM, Math.round(fm.map.getZoom()) + 2));
    for (var j = 0; j < count; j++) {
      if (!all[j]) continue;
      var mx = sx[j] / all[j];
      var my = sy[j] / all[j];
      grid.wx[j] = (mx + v.ox) / v.scale;
      grid.wy[j] = (my + v.oy) / v.scale;
      var at = fm.map.layerPointToLatLng([mx + v.rb.min.x, my + v.rb.min.y]);
      grid.lat[j] = at.lat;
      grid.lon[j] = at.lng;
    }
    return grid;
  };

  // ---- a frame ------------------------------------------------------------------------------

  // Counts the visible events in the view and per cluster; draws the clusters and returns the
  // number of visible events when the view is crowded, else -1 (flashpoint.js draws markers).
  Aggregation.prototype.draw = function (ctx, upto, scale, ox, oy, w, h) {
    var fm = this.fmap;
    if (this.listDay !== undefined && (fm.day !== this.listDay || fm.mode !== this.listMode)) this.closeList(false);
    this.targets = [];
    if (!this.possible()) {
      this.publish(0);
      return -1;
    }
    var v = this.viewOf(scale, ox, oy, w, h);
    var ncat = fm.cfg.categories.length;
    if (!this.counter || this.counter.ev !== fm.ev) this.counter = new FlashpointMap.ClusterCounts(fm.ev, ncat);
    if (!this.items && !this.grid) this.grid = this.gridLayout(v);
    var layout = this.items || this.grid;
    if (this.countedFor !== layout) {
      this.counter.reset(layout.slot, this.flags, layout.count);
      this.countedFor = layout;
    }
    var windowStart = fm.mode === "window" ? fm.day - (Math.max(fm.windowDays, 1) - 1) : null;
    this.counter.moveTo(upto, windowStart, fm.day);
    var inView = this.counter.visibleInView();
    fm.container.setAttribute("data-in-view", String(inView));
    if (inView <= this.above) {
      this.publish(0);
      return -1;
    }
    this.counter.fill(layout);
    this.layout = layout;
    var circles = this.drawItems(ctx, scale, ox, oy, w, h, ncat);
    this.drawMarked(ctx, upto, scale, ox, oy, w);
    this.publish(circles);
    return this.counter.visible();
  };

  // The view in the canvas's pixels; a new view (or new events) starts the counts again.
  Aggregation.prototype.viewOf = function (scale, ox, oy, w, h) {
    var map = this.fmap.map;
    var topLeft = map.containerPointToLayerPoint([0, 0]);
    var size = map.getSize();
    var rb = this.fmap.renderer._bounds;
    var x0 = topLeft.x - rb.min.x;
    var y0 = topLeft.y - rb.min.y;
    var v = { scale: scale, ox: ox, oy: oy, w: w, h: h, rb: rb, x0: x0, y0: y0, x1: x0 + size.x, y1: y0 + size.y };
    var key = [scale, ox, oy, w, h, x0, y0, v.x1, v.y1].join(",");
    if (key !== this.viewKey || this.viewEv !== this.fmap.ev) {
      this.viewKey = key;
      this.viewEv = this.fmap.ev;
      this.flags = this.viewFlags(v);
      this.grid = null;
      this.countedFor = null;
    }
    return v;
  };

  // The one visible event of a cluster that shows a single one (drawn as its marker).
  Aggregation.prototype.loneEvent = function (j) {
    var items = this.items;
    var tree = this.tree;
    var fm = this.fmap;
    var upto = fm.visibleRange();
    var node = items.node[j];
    var c = node - tree.n;
    var from = node < tree.n ? 0 : tree.lo[c];
    var to = node < tree.n ? 1 : tree.hi[c];
    for (var p = from; p < to; p++) {
      var i = this.evOf[node < tree.n ? node : tree.perm[p]];
      if (i >= 0 && i < upto && fm.isShown(i)) return i;
    }
    return -1;
  };

  function radiusFor(count) {
    return Math.min(36, 10 + 5 * Math.log10(count));
  }

  // One compact formatter per language: making one costs more than a frame's other work.
  var compact = {};

  function label(count) {
    if (count < 10000) return U.number(count);
    var lang = U.lang();
    try {
      if (!compact[lang]) compact[lang] = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 0 });
      return compact[lang].format(count);
    } catch (err) {
      return U.number(Math.round(count / 1000)) + "k";
    }
  }

  function drawCircle(ctx, x, y, count, color, recent) {
    var r = radiusFor(count);
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.globalAlpha = 0.88;
    ctx.fillStyle = color;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.lineWidth = recent ? 2.5 : 1.5;
    ctx.strokeStyle = recent ? "#ffffff" : "#101418";
    ctx.stroke();
    ctx.font = "600 " + (r > 20 ? 13 : 11) + "px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    ctx.lineWidth = 3;
    ctx.strokeStyle = "rgba(16, 20, 24, 0.9)";
    var text = label(count);
    ctx.strokeText(text, x, y + 0.5);
    ctx.fillStyle = "#ffffff";
    ctx.fillText(text, x, y + 0.5);
    return r;
  }

  Aggregation.prototype.drawItems = function (ctx, scale, ox, oy, w, h, ncat) {
    var fm = this.fmap;
    var items = this.layout;
    var cats = fm.cfg.categories;
    var rb = fm.renderer._bounds;
    var circles = 0;
    // Smaller clusters on top, so a big one never hides a small neighbour's number.
    var order = [];
    for (var j = 0; j < items.count; j++) if (items.total[j] > 0) order.push(j);
    var total = items.total;
    order.sort(function (a, b) {
      return total[b] - total[a];
    });
    for (var o = 0; o < order.length; o++) {
      j = order[o];
      var x = items.wx[j] * scale - ox;
      x -= Math.round((x - w / 2) / scale) * scale;
      var y = items.wy[j] * scale - oy;
      if (x < -40 || y < -40 || x > w + 40 || y > h + 40) continue;
      var i = total[j] === 1 && items === this.items ? this.loneEvent(j) : -1;
      if (i >= 0) {
        var ev = fm.ev;
        var cat = cats[ev.t[i]];
        var look = U.LOOKS[ev.end[i] >= fm.day ? 1 : 0];
        var ex = ev.wx[i] * scale - ox;
        ex -= Math.round((ex - w / 2) / scale) * scale;
        var ey = ev.wy[i] * scale - oy;
        U.drawShape(ctx, cat.shape, ex, ey, fm.cfg.size + look.grow, look.faded ? U.fadedColor(cat.color) : cat.color,
          look.stroke, look.width, look.fillAlpha, look.stroke ? look.strokeAlpha : 0);
        this.targets.push({ x: ex + rb.min.x, y: ey + rb.min.y, r: Math.max(fm.cfg.size + 4, 9), j: j, event: i });
        continue;
      }
      var best = 0;
      for (var c = 1; c < ncat; c++) if (items.counts[j * ncat + c] > items.counts[j * ncat + best]) best = c;
      var r = drawCircle(ctx, x, y, total[j], cats[best].color, items.today[j] > 0);
      this.targets.push({ x: x + rb.min.x, y: y + rb.min.y, r: r, j: j, event: -1 });
      circles++;
    }
    return circles;
  };

  // The selected event and the story's highlighted ones stay visible on top of the clusters.
  Aggregation.prototype.drawMarked = function (ctx, upto, scale, ox, oy, w) {
    var fm = this.fmap;
    var ev = fm.ev;
    var rows = Array.from(fm.highlight);
    if (fm.selected >= 0) rows.push(fm.selected);
    rows.forEach(function (row) {
      var i = ev.rowIndex.get(row);
      if (i === undefined || i >= upto || !fm.isShown(i)) return;
      var style = U.LOOKS[row === fm.selected ? 3 : 2];
      var cat = fm.cfg.categories[ev.t[i]];
      var x = ev.wx[i] * scale - ox;
      x -= Math.round((x - w / 2) / scale) * scale;
      U.drawShape(ctx, cat.shape, x, ev.wy[i] * scale - oy, fm.cfg.size + style.grow, cat.color, style.stroke,
        style.width, style.fillAlpha, style.strokeAlpha);
    });
  };

  // Attributes that tests and benchmarks read: how many cluster circles the frame drew.
  Aggregation.prototype.publish = function (circles) {
    this.fmap.container.setAttribute("data-clusters", String(circles));
  };

  // What a frame drew, in container pixels (tests, and the list's place).
  Aggregation.prototype.drawnClusters = function () {
    var map = this.fmap.map;
    var self = this;
    return this.targets.map(function (t) {
      var p = map.layerPointToContainerPoint([t.x, t.y]);
      var layout = self.layout;
      return { x: p.x, y: p.y, r: t.r, count: layout.total[t.j], expand: layout.expand[t.j], event: t.event,
        interim: layout === self.grid };
    });
  };

  // ---- legend -------------------------------------------------------------------------------

  // A row under the event types: what a circle with a number means (only for a dataset that
  // can be crowded).
  Aggregation.prototype.addLegendRow = function () {
    var legend = this.fmap.container.querySelector(".fp-legend");
    if (!legend) return;
    var row = U.el("div", "fp-legend-row fp-legend-cluster");
    var canvas = U.el("canvas", "fp-legend-swatch fp-legend-cluster-swatch");
    var ratio = window.devicePixelRatio || 1;
    canvas.width = 26 * ratio;
    canvas.height = 26 * ratio;
    canvas.setAttribute("aria-hidden", "true");
    var ctx = canvas.getContext("2d");
    // A circle of 12 events, at four fifths of its size on the map.
    ctx.setTransform(0.8 * ratio, 0, 0, 0.8 * ratio, 0, 0);
    var cats = this.fmap.cfg.categories;
    drawCircle(ctx, 16.25, 16.25, 12, cats[0].color, false);
    row.appendChild(canvas);
    row.appendChild(U.el("span", "fp-legend-cluster-text", U.words("mapui.cluster_legend")));
    row.hidden = true;
    var note = legend.querySelector(".fp-legend-note");
    legend.insertBefore(row, note);
    this.legendRow = row;
  };

  Aggregation.MAX_ZOOM = MAX_ZOOM;
  FlashpointMap.Aggregation = Aggregation;
})();
