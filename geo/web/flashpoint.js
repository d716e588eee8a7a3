/* Flashpoint's map: the events layer and the time control (the offline basemap: basemap.js).
 *
 * Time runs here, in the browser. The map receives the events of the dataset and filters once
 * (compact columns, `setEvents`) and applies the date itself: dragging the thumb redraws the
 * map at every animation frame, Play animates without asking the server, and events fade in
 * as they appear. When the date comes to rest the page is told (through the bridge in the
 * page, see bridge.js), so the address, the detail panel and the event list follow.
 *
 * All events are drawn on one canvas from typed arrays, one path per event type, so a frame
 * costs a loop over the visible events whatever their number. Text from data is only ever
 * set through textContent.
 */
(function () {
  "use strict";
  if (window.FlashpointMap) return;

  var DAY_MS = 86400000;
  var FADE_MS = 350;
  // Beyond this many events appearing at once, the rest appear without a fade (a frame stays short).
  var MAX_FADING = 400;
  // A date is handed to the page once the thumb has rested this long: short enough that the
  // page follows within 300 ms, long enough that a drag is not a stream of reruns.
  var COMMIT_MS = 120;
  var SPEEDS = [0.5, 1, 2, 4];
  // The map's language, from its configuration (geo.payload.map_language): one map per frame.
  var LANG = {
    digits: "0123456789", group: ",", weekdays: [], months: [], calendar: "gregory",
    gregorianMonths: [], words: {},
  };
  // The day, month and year of a day in the reader's calendar, from the browser's ICU (Intl):
  // Persian readers count days in the Solar Hijri calendar. Null for the Gregorian.
  var CALENDAR = null;
  // html-to-image, copied beside Leaflet by `make assets` (see STATIC_URL in geo/maps.py);
  // fetched only when a reader first asks for an image.
  var IMAGE_LIB = "../../app/static/vendor/html-to-image/html-to-image.js";
  // Parts of the map left out of its image: what only a pointer or a key can use.
  var NOT_IN_IMAGE = ["fp-time", "fp-image", "fp-tooltip", "leaflet-control-zoom"];
  var REDUCED_MOTION = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function useLanguage(config) {
    LANG = config;
    CALENDAR = config.calendar === "gregory" ? null : new Intl.DateTimeFormat(
      "en-u-ca-" + config.calendar + "-nu-latn",
      { timeZone: "UTC", year: "numeric", month: "numeric", day: "numeric" }
    );
  }

  // [year, month (0-11), day of the month] of a day in the reader's calendar.
  function calendarDate(d) {
    if (!CALENDAR) return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
    var parts = {};
    CALENDAR.formatToParts(d).forEach(function (part) { parts[part.type] = part.value; });
    return [parseInt(parts.year, 10), parseInt(parts.month, 10) - 1, parseInt(parts.day, 10)];
  }

  // A catalogue string, its {placeholders} filled.
  function words(key, values) {
    var text = LANG.words[key] || key;
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return values && name in values ? String(values[name]) : all;
    });
  }

  function digits(text) {
    if (LANG.digits === "0123456789") return text;
    return String(text).replace(/[0-9]/g, function (d) {
      return LANG.digits.charAt(Number(d));
    });
  }

  function number(n) {
    return digits(String(n).replace(/\B(?=(\d{3})+(?!\d))/g, LANG.group));
  }

  function dayWords(day) {
    var d = new Date(day * DAY_MS);
    var c = calendarDate(d);
    return digits(LANG.weekdays[d.getUTCDay()] + " " + c[2] + " " + LANG.months[c[1]] + " " + c[0]);
  }

  // The heading's date: in the reader's calendar, then the Gregorian date when that differs
  // (null otherwise), which the heading writes beside it in parentheses.
  function headingWords(day) {
    if (!CALENDAR) return [dayWords(day), null];
    var d = new Date(day * DAY_MS);
    var gregorian = d.getUTCDate() + " " + LANG.gregorianMonths[d.getUTCMonth()] + " " + d.getUTCFullYear();
    return [dayWords(day), digits(gregorian)];
  }

  function isoDay(day) {
    return new Date(day * DAY_MS).toISOString().slice(0, 10);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function upperBound(arr, n, value) {
    // First index whose value is greater than `value` (arr sorted ascending).
    var lo = 0;
    var hi = n;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (arr[mid] <= value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function tracePolygon(ctx, x, y, r, sides, rotation) {
    for (var i = 0; i < sides; i++) {
      var a = rotation + (i * 2 * Math.PI) / sides;
      if (i === 0) ctx.moveTo(x + r * Math.cos(a), y + r * Math.sin(a));
      else ctx.lineTo(x + r * Math.cos(a), y + r * Math.sin(a));
    }
    ctx.closePath();
  }

  var SHAPES = {
    circle: function (ctx, x, y, r) {
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, Math.PI * 2, false);
    },
    square: function (ctx, x, y, r) {
      var s = r * 0.9;
      ctx.rect(x - s, y - s, 2 * s, 2 * s);
    },
    diamond: function (ctx, x, y, r) {
      tracePolygon(ctx, x, y, r * 1.25, 4, -Math.PI / 2);
    },
    triangle: function (ctx, x, y, r) {
      tracePolygon(ctx, x, y + r * 0.2, r * 1.3, 3, -Math.PI / 2);
    },
    hexagon: function (ctx, x, y, r) {
      tracePolygon(ctx, x, y, r * 1.1, 6, 0);
    },
    star: function (ctx, x, y, r) {
      var outer = r * 1.35;
      var inner = outer * 0.45;
      for (var i = 0; i < 10; i++) {
        var a = -Math.PI / 2 + (i * Math.PI) / 5;
        var rr = i % 2 === 0 ? outer : inner;
        if (i === 0) ctx.moveTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
        else ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
      }
      ctx.closePath();
    },
  };

  // Marker looks: 0 earlier event (faded), 1 on the current day, 2 highlighted by the story,
  // 3 selected.
  var LOOKS = [
    { grow: 0, stroke: null, width: 0, fillAlpha: 1, strokeAlpha: 0, faded: true },
    { grow: 2, stroke: "#101418", width: 1.5, fillAlpha: 0.95, strokeAlpha: 1 },
    { grow: 2, stroke: "#ffe066", width: 2.5, fillAlpha: 0.95, strokeAlpha: 1 },
    { grow: 5, stroke: "#ffffff", width: 3, fillAlpha: 0.95, strokeAlpha: 1 },
  ];

  var FADED = {};

  function fadedColor(hex) {
    if (FADED[hex]) return FADED[hex];
    var land = [35, 42, 51];
    var rgb = [1, 3, 5].map(function (k, n) {
      return Math.round(0.5 * parseInt(hex.slice(k, k + 2), 16) + 0.5 * land[n]);
    });
    FADED[hex] = "rgb(" + rgb.join(",") + ")";
    return FADED[hex];
  }

  function drawShape(ctx, shape, x, y, r, fill, stroke, width, fillAlpha, strokeAlpha) {
    ctx.beginPath();
    (SHAPES[shape] || SHAPES.circle)(ctx, x, y, r);
    ctx.globalAlpha = fillAlpha;
    ctx.fillStyle = fill;
    ctx.fill();
    ctx.globalAlpha = strokeAlpha;
    ctx.strokeStyle = stroke || fill;
    ctx.lineWidth = width;
    ctx.stroke();
    ctx.globalAlpha = 1;
  }

  // The canvas beneath the controls: Leaflet's renderer machinery keeps it in place while the
  // map pans and scales it during zoom animations; it is redrawn when a move ends.
  var EventRenderer = L.Renderer.extend({
    _initContainer: function () {
      this._container = document.createElement("canvas");
      this._container.className = "fp-events";
      this._ctx = this._container.getContext("2d");
    },
    _destroyContainer: function () {
      L.DomUtil.remove(this._container);
    },
    _update: function () {
      if (this._map._animatingZoom && this._bounds) return;
      L.Renderer.prototype._update.call(this);
      var b = this._bounds;
      var size = b.getSize();
      var ratio = L.Browser.retina ? 2 : 1;
      L.DomUtil.setPosition(this._container, b.min);
      this._container.width = ratio * size.x;
      this._container.height = ratio * size.y;
      this._container.style.width = size.x + "px";
      this._container.style.height = size.y + "px";
      this._ratio = ratio;
      this.fire("update");
    },
    _updatePaths: function () {
      if (this.owner) this.owner.draw();
    },
  });

  function FlashpointMap(map, config) {
    this.map = map;
    this.cfg = config;
    useLanguage({
      lang: config.lang,
      digits: config.digits,
      group: config.group,
      weekdays: config.weekdays,
      months: config.months,
      calendar: config.calendar,
      gregorianMonths: config.gregorianMonths,
      words: config.words,
    });
    this.container = map.getContainer();
    this.container.setAttribute("lang", config.lang);
    // The credits read in the map's language: its direction too (the sources' names stay).
    var credits = this.container.querySelector(".leaflet-control-attribution");
    if (credits) credits.dir = config.dir;
    this.n = 0;
    this.day = null;
    this.lo = config.first;
    this.hi = config.last;
    this.focusPeriod = config.focus;
    this.mode = "cumulative";
    this.windowDays = 7;
    this.selected = -1;
    this.highlight = new Set();
    this.rev = null;
    this.lastFly = null;
    this.playing = false;
    this.speed = 1;
    this.fadeUntil = 0;
    this.drawn = { count: 0, index: new Int32Array(0), px: new Float32Array(0), py: new Float32Array(0) };
    var pane = map.createPane("fp-events");
    pane.style.zIndex = 450;
    pane.style.pointerEvents = "none";
    this.renderer = new EventRenderer({ pane: "fp-events", padding: 0.2 });
    this.renderer.owner = this;
    map.addLayer(this.renderer);
    this.ratio = L.Browser.retina ? 2 : 1;
    this.tooltip = el("div", "fp-tooltip");
    this.tooltip.setAttribute("role", "tooltip");
    this.tooltip.hidden = true;
    this.container.appendChild(this.tooltip);
    this.addHeading();
    if (config.categories.length) this.addLegend();
    // Clusters instead of markers when the view is crowded (clusters.js).
    this.aggregation = FlashpointMap.Aggregation ? new FlashpointMap.Aggregation(this) : null;
    this.addTimeControl();
    this.addImageButton();
    this.listen();
    this.describe();
    window.flashpoint = this;
    this.container.setAttribute("data-idle", "1");
    this.container.setAttribute("data-flashpoint", "ready");
    this.hub = connectHub(this);
  }

  // To a screen reader the map is the main landmark of its frame (labelled; its heading, the
  // date, is the frame's h1), whose text alternative is the page's event list; the frame gets
  // a name that is read in place of the component's technical title.
  FlashpointMap.prototype.describe = function () {
    var label = words("mapui.region");
    this.container.setAttribute("role", "main");
    this.container.setAttribute("aria-label", label);
    this.container.setAttribute("aria-roledescription", "map");
    this.container.setAttribute("data-motion", REDUCED_MOTION ? "reduced" : "full");
    try {
      if (window.frameElement) window.frameElement.setAttribute("aria-label", words("mapui.frame"));
    } catch (err) {
      // A frame of another origin keeps its own name.
    }
  };

  // The page and the map meet through one object on the page's window (same origin).
  function connectHub(fmap) {
    var top;
    try {
      top = window.parent && window.parent !== window ? window.parent : window;
      void top.document;
    } catch (err) {
      top = window;
    }
    var hub = top.__flashpoint || (top.__flashpoint = {});
    hub.map = fmap;
    if (hub.bridge) hub.bridge.attach(fmap);
    return hub;
  }

  FlashpointMap.prototype.tell = function (name, value) {
    var bridge = this.hub && this.hub.bridge;
    if (bridge) bridge.tell(name, value);
  };

  FlashpointMap.prototype.listen = function () {
    var self = this;
    var map = this.map;
    map.on("movestart zoomstart", function () {
      self.container.removeAttribute("data-idle");
    });
    map.on("moveend zoomend", function () {
      self.container.setAttribute("data-idle", "1");
      var c = map.getCenter().wrap();
      var b = map.getBounds();
      var box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
      self.tell("view", { lat: c.lat, lon: c.lng, zoom: map.getZoom(), box: box });
    });
    var pending = null;
    map.on("mousemove", function (e) {
      pending = e.containerPoint;
      if (self.hoverFrame) return;
      self.hoverFrame = requestAnimationFrame(function () {
        self.hoverFrame = null;
        self.hover(pending);
      });
    });
    map.on("mouseout", function () {
      self.tooltip.hidden = true;
    });
    map.on("click", function (e) {
      if (self.aggregation && self.aggregation.click(e.containerPoint)) return;
      var i = self.hit(e.containerPoint);
      if (i < 0) return;
      self.pick(self.ev.row[i]);
    });
  };

  // The reader chose an event on the map: select it and tell the page.
  FlashpointMap.prototype.pick = function (row) {
    this.select(row);
    this.tell("pick", { row: row, dataset: this.ev.dataset });
  };

  // ---- data and state -------------------------------------------------------------------

  FlashpointMap.prototype.setEvents = function (p) {
    var n = p.row.length;
    var wx = new Float64Array(n);
    var wy = new Float64Array(n);
    var start = new Int32Array(n);
    var end = new Int32Array(n);
    var t = new Uint16Array(n);
    var rowIndex = new Map();
    for (var i = 0; i < n; i++) {
      var lon = p.x[i] / 1e5;
      var lat = Math.max(-85.0511, Math.min(85.0511, p.y[i] / 1e5));
      var s = Math.sin((lat * Math.PI) / 180);
      wx[i] = (lon + 180) / 360;
      wy[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
      start[i] = p.start[i];
      end[i] = p.end ? p.end[i] : p.start[i];
      t[i] = p.t[i];
      rowIndex.set(p.row[i], i);
    }
    this.ev = {
      n: n,
      row: Int32Array.from(p.row),
      wx: wx,
      wy: wy,
      lat: p.y,
      start: start,
      end: end,
      t: t,
      title: p.title || null,
      unc: p.unc || {},
      lines: p.lines || {},
      rowIndex: rowIndex,
      appear: new Float64Array(n),
      fresh: p.new || [],
      dataset: p.dataset || this.cfg.dataset,
    };
    this.n = n;
    this.container.setAttribute("data-new", String(this.ev.fresh.length));
    this.days = uniqueDays(start, n);
    this.histogram = null;
    this.container.setAttribute("data-events", String(n));
    (this.legendCounts || []).forEach(function (span, k) {
      if (p.counts && k < p.counts.length) span.textContent = number(p.counts[k]);
    });
    if (this.aggregation) this.aggregation.setEvents(this.ev);
    this.refreshTime();
    this.draw();
  };

  function uniqueDays(start, n) {
    var out = [];
    for (var i = 0; i < n; i++) if (i === 0 || start[i] !== start[i - 1]) out.push(start[i]);
    return out;
  }

  // The view state the page owns: the date it last settled on (applied only when the page
  // changed it, `rev`), the selection, the story's highlight and flight, the time mode.
  FlashpointMap.prototype.setState = function (s) {
    this.mode = s.mode || "cumulative";
    this.windowDays = s.window || 7;
    if (s.rev !== this.rev && s.day !== null && s.day !== undefined) {
      this.rev = s.rev;
      this.stop(false);
      this.widenFor(s.day);
      this.setDay(s.day, false);
    }
    this.selected = s.sel === undefined ? -1 : s.sel;
    this.container.setAttribute("data-selected", String(this.selected));
    this.highlight = new Set(s.highlight || []);
    if (s.fly && JSON.stringify(s.fly) !== this.lastFly) {
      this.lastFly = JSON.stringify(s.fly);
      if (REDUCED_MOTION) this.map.fitBounds(s.fly, { maxZoom: 9, padding: [40, 40] });
      else this.map.flyToBounds(s.fly, { maxZoom: 9, padding: [40, 40], duration: 0.8 });
    }
    this.refreshTime();
    this.draw();
  };

  FlashpointMap.prototype.select = function (row) {
    this.selected = row;
    this.container.setAttribute("data-selected", String(row));
    this.draw();
  };

  // ---- what is visible --------------------------------------------------------------------

  FlashpointMap.prototype.visibleRange = function () {
    if (!this.ev || this.day === null) return 0;
    return upperBound(this.ev.start, this.n, this.day);
  };

  FlashpointMap.prototype.isShown = function (i) {
    if (this.mode !== "window") return true;
    return this.ev.end[i] >= this.day - (Math.max(this.windowDays, 1) - 1);
  };

  FlashpointMap.prototype.counts = function () {
    var upto = this.visibleRange();
    // A big dataset's events in order of their end (clusters.js) count these in two searches.
    var ended = this.aggregation && this.aggregation.endedBefore(this.ev);
    if (ended) {
      var windowStart = this.day - (Math.max(this.windowDays, 1) - 1);
      return { shown: upto - (this.mode === "window" ? ended(windowStart) : 0), today: upto - ended(this.day) };
    }
    var shown = 0;
    var today = 0;
    for (var i = 0; i < upto; i++) {
      if (this.isShown(i)) shown++;
      if (this.ev.end[i] >= this.day) today++;
    }
    return { shown: shown, today: today };
  };

  // ---- drawing ----------------------------------------------------------------------------

  // Markers are stamped into one pixel buffer from pre-drawn sprites and put on the canvas at
  // once: a software canvas fills ten thousand small polygons in hundreds of milliseconds,
  // while copying their pixels costs a few. Of several events of one look on the same pixel
  // only the newest is stamped (and answers a click). Events fading in, the story's highlight
  // and the selection are drawn on top as shapes.
  FlashpointMap.prototype.draw = function () {
    var r = this.renderer;
    if (!r._bounds || !r._ctx) return;
    var started = performance.now();
    var ctx = r._ctx;
    var ratio = r._ratio || 1;
    var b = r._bounds;
    var w = b.max.x - b.min.x;
    var h = b.max.y - b.min.y;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, r._container.width, r._container.height);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    var ev = this.ev;
    var upto = this.visibleRange();
    if (!ev || upto === 0) {
      this.drawn.count = 0;
      if (this.aggregation) this.aggregation.publish(0);
      this.publish(0, started);
      return;
    }
    var scale = 256 * Math.pow(2, this.map.getZoom());
    var origin = this.map.getPixelOrigin();
    var ox = origin.x + b.min.x;
    var oy = origin.y + b.min.y;
    var aggregated = this.aggregation ? this.aggregation.draw(ctx, upto, scale, ox, oy, w, h) : -1;
    if (aggregated >= 0) {
      this.drawn.count = 0;
      this.publish(aggregated, started);
      return;
    }
    if (this.drawn.index.length < upto) {
      this.drawn = { count: 0, index: new Int32Array(upto), px: new Float32Array(upto), py: new Float32Array(upto) };
    }
    var drawn = this.drawn;
    var now = performance.now();
    var fading = this.fadeUntil > now && !REDUCED_MOTION;
    var buffer = this.pixelBuffer(ctx, r._container.width, r._container.height);
    var pixels = buffer.pixels;
    pixels.fill(0);
    var pw = buffer.width;
    var ph = buffer.height;
    var sprites = this.spritesFor(ratio);
    var count = 0;
    var shown = 0;
    var late = [];
    var windowStart = this.day - (Math.max(this.windowDays, 1) - 1);
    var cumulative = this.mode !== "window";
    var selected = this.selected;
    var hasHighlight = this.highlight.size > 0;
    var stampedAt = this.stamps && this.stamps.length >= pw * ph ? this.stamps : (this.stamps = new Uint8Array(pw * ph));
    stampedAt.fill(0);
    for (var i = upto - 1; i >= 0; i--) {
      if (!cumulative && ev.end[i] < windowStart) continue;
      shown++;
      var x = nearestCopy(ev.wx[i] * scale - ox, w, scale);
      var y = ev.wy[i] * scale - oy;
      if (x < -20 || y < -20 || x > w + 20 || y > h + 20) continue;
      var row = ev.row[i];
      var fadingIn = fading && ev.appear[i] > now - FADE_MS && late.length < MAX_FADING;
      if (row === selected || (hasHighlight && this.highlight.has(row)) || fadingIn) {
        late.push(i);
      } else {
        var look = ev.end[i] >= this.day ? 1 : 0;
        var px = Math.round(x * ratio);
        var py = Math.round(y * ratio);
        var at = py * pw + px;
        if (px >= 0 && py >= 0 && px < pw && py < ph) {
          if (stampedAt[at] & (look + 1)) continue;
          stampedAt[at] |= look + 1;
        }
        // Newest first: stamp beneath what is already there.
        stampUnder(pixels, pw, ph, sprites[ev.t[i]][look], px, py);
      }
      drawn.index[count] = i;
      drawn.px[count] = x + b.min.x;
      drawn.py[count] = y + b.min.y;
      count++;
    }
    ctx.putImageData(buffer.image, 0, 0);
    this.drawExtras(ctx, upto, scale, ox, oy);
    for (var m = late.length - 1; m >= 0; m--) {
      var j = late[m];
      var marked = ev.row[j] === this.selected ? 3 : this.highlight.has(ev.row[j]) ? 2 : ev.end[j] >= this.day ? 1 : 0;
      var style = LOOKS[marked];
      var alpha = marked < 2 ? Math.min(1, (now - ev.appear[j]) / FADE_MS) : 1;
      var cat = this.cfg.categories[ev.t[j]];
      var fill = style.faded ? fadedColor(cat.color) : cat.color;
      var jx = nearestCopy(ev.wx[j] * scale - ox, w, scale);
      drawShape(ctx, cat.shape, jx, ev.wy[j] * scale - oy, this.cfg.size + style.grow,
        fill, style.stroke, style.width, alpha, style.stroke ? alpha : 0);
    }
    drawn.count = count;
    this.publish(shown, started);
    if (fading) this.requestDraw();
  };

  // The x of the copy of the world nearest the middle of the view, so events on both sides
  // of the date line are drawn in a view across it.
  function nearestCopy(x, width, scale) {
    return x - Math.round((x - width / 2) / scale) * scale;
  }

  FlashpointMap.prototype.pixelBuffer = function (ctx, width, height) {
    var buffer = this.buffer;
    if (!buffer || buffer.width !== width || buffer.height !== height) {
      var image = ctx.createImageData(Math.max(width, 1), Math.max(height, 1));
      buffer = this.buffer = {
        image: image,
        pixels: new Uint32Array(image.data.buffer),
        width: image.width,
        height: image.height,
      };
    }
    return buffer;
  };

  // Each type's marker in each look, drawn once with the canvas's antialiasing, kept as pixels.
  FlashpointMap.prototype.spritesFor = function (ratio) {
    if (this.sprites && this.sprites.ratio === ratio) return this.sprites;
    var cfg = this.cfg;
    var sprites = cfg.categories.map(function (cat) {
      return [LOOKS[0], LOOKS[1]].map(function (look) {
        var r = cfg.size + look.grow;
        var half = Math.ceil((r * 1.4 + look.width + 1) * ratio);
        var canvas = document.createElement("canvas");
        canvas.width = canvas.height = 2 * half + 1;
        var sctx = canvas.getContext("2d");
        sctx.setTransform(ratio, 0, 0, ratio, 0, 0);
        var fill = look.faded ? fadedColor(cat.color) : cat.color;
        drawShape(sctx, cat.shape, (half + 0.5) / ratio, (half + 0.5) / ratio, r, fill, look.stroke,
          look.width, look.fillAlpha, look.stroke ? look.strokeAlpha : 0);
        var data = new Uint32Array(sctx.getImageData(0, 0, canvas.width, canvas.height).data.buffer);
        var dx = [];
        var dy = [];
        var val = [];
        for (var i = 0; i < data.length; i++) {
          if (data[i] === 0) continue;
          dx.push((i % canvas.width) - half);
          dy.push(Math.floor(i / canvas.width) - half);
          val.push(data[i]);
        }
        return { half: half, dx: Int32Array.from(dx), dy: Int32Array.from(dy), val: Uint32Array.from(val), width: -1, rel: null };
      });
    });
    sprites.ratio = ratio;
    this.sprites = sprites;
    return sprites;
  };

  // Puts a sprite's pixels beneath those already in the buffer (the buffer is filled newest
  // first, so each older marker goes under the newer ones). Only the sprite's visible pixels
  // are visited, by offsets made once per buffer width.
  function stampUnder(pixels, pw, ph, sprite, cx, cy) {
    if (sprite.width !== pw) {
      sprite.rel = new Int32Array(sprite.val.length);
      for (var n = 0; n < sprite.val.length; n++) sprite.rel[n] = sprite.dy[n] * pw + sprite.dx[n];
      sprite.width = pw;
    }
    var val = sprite.val;
    var rel = sprite.rel;
    var half = sprite.half;
    var base = cy * pw + cx;
    var inside = cx - half >= 0 && cy - half >= 0 && cx + half < pw && cy + half < ph;
    for (var k = 0; k < val.length; k++) {
      if (!inside) {
        var px = cx + sprite.dx[k];
        var py = cy + sprite.dy[k];
        if (px < 0 || py < 0 || px >= pw || py >= ph) continue;
      }
      var at = base + rel[k];
      var d = pixels[at];
      var da = d >>> 24;
      if (da === 255) continue;
      pixels[at] = da === 0 ? val[k] : under(d, val[k], da);
    }
  }

  // dst over src, on non-premultiplied RGBA packed little-endian (what ImageData holds).
  function under(d, s, da) {
    var sa = s >>> 24;
    var k = (sa * (255 - da)) / 255;
    var a = da + k;
    if (a <= 0) return 0;
    var r = ((d & 255) * da + (s & 255) * k) / a;
    var g = (((d >>> 8) & 255) * da + ((s >>> 8) & 255) * k) / a;
    var bl = (((d >>> 16) & 255) * da + ((s >>> 16) & 255) * k) / a;
    return ((Math.round(a) << 24) | (Math.round(bl) << 16) | (Math.round(g) << 8) | Math.round(r)) >>> 0;
  }

  // Movements (dashed lines with an arrowhead) and location-uncertainty circles.
  FlashpointMap.prototype.drawExtras = function (ctx, upto, scale, ox, oy) {
    var ev = this.ev;
    var self = this;
    var many = upto > this.cfg.circlesUpTo;
    var zoomScale = scale / 256;
    // A ring around events that arrived while the page was open (live data).
    ev.fresh.forEach(function (row) {
      var i = ev.rowIndex.get(row);
      if (i === undefined || i >= upto || !self.isShown(i)) return;
      var width = ctx.canvas.width / (self.renderer._ratio || 1);
      ctx.beginPath();
      ctx.arc(nearestCopy(ev.wx[i] * scale - ox, width, scale), ev.wy[i] * scale - oy, self.cfg.size + 6, 0, 2 * Math.PI);
      ctx.strokeStyle = "#ffd166";
      ctx.lineWidth = 2;
      ctx.stroke();
    });
    Object.keys(ev.unc).forEach(function (key) {
      var i = self.ev.rowIndex.get(Number(key));
      if (i === undefined || i >= upto || !self.isShown(i)) return;
      if (many && ev.end[i] < self.day && ev.row[i] !== self.selected) return;
      var lat = ev.lat[i] / 1e5;
      var metersPerPixel = (40075016.686 * Math.cos((lat * Math.PI) / 180)) / (256 * zoomScale);
      var radius = ev.unc[key] / metersPerPixel;
      if (radius < 3) return;
      var cat = self.cfg.categories[ev.t[i]];
      ctx.beginPath();
      var width = ctx.canvas.width / (self.renderer._ratio || 1);
      ctx.arc(nearestCopy(ev.wx[i] * scale - ox, width, scale), ev.wy[i] * scale - oy, radius, 0, 2 * Math.PI);
      ctx.setLineDash([3, 4]);
      ctx.strokeStyle = cat.color;
      ctx.globalAlpha = 0.6;
      ctx.lineWidth = 1;
      ctx.stroke();
      ctx.globalAlpha = 0.06;
      ctx.fillStyle = cat.color;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.setLineDash([]);
    });
    Object.keys(ev.lines).forEach(function (key) {
      var i = self.ev.rowIndex.get(Number(key));
      if (i === undefined || i >= upto || !self.isShown(i)) return;
      var line = ev.lines[key];
      var cat = self.cfg.categories[ev.t[i]];
      var pts = line.map(function (c) {
        var lat = Math.max(-85.0511, Math.min(85.0511, c[1]));
        var s = Math.sin((lat * Math.PI) / 180);
        return [((c[0] + 180) / 360) * scale - ox, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * scale - oy];
      });
      ctx.beginPath();
      pts.forEach(function (p, k) {
        if (k === 0) ctx.moveTo(p[0], p[1]);
        else ctx.lineTo(p[0], p[1]);
      });
      ctx.setLineDash([8, 6]);
      ctx.strokeStyle = cat.color;
      ctx.globalAlpha = 0.8;
      ctx.lineWidth = 2.5;
      ctx.stroke();
      ctx.setLineDash([]);
      var a = pts[pts.length - 1];
      var from = pts[Math.max(pts.length - 2, 0)];
      var angle = Math.atan2(a[1] - from[1], a[0] - from[0]);
      var len = 13;
      var half = 6.5;
      var bx = a[0] - len * Math.cos(angle);
      var by = a[1] - len * Math.sin(angle);
      ctx.beginPath();
      ctx.moveTo(a[0], a[1]);
      ctx.lineTo(bx + half * Math.sin(angle), by - half * Math.cos(angle));
      ctx.lineTo(bx - half * Math.sin(angle), by + half * Math.cos(angle));
      ctx.closePath();
      ctx.globalAlpha = 0.95;
      ctx.fillStyle = cat.color;
      ctx.fill();
      ctx.globalAlpha = 1;
    });
  };

  FlashpointMap.prototype.requestDraw = function () {
    var self = this;
    if (this.frame) return;
    this.frame = requestAnimationFrame(function () {
      self.frame = null;
      self.draw();
    });
  };

  // Attributes that tests, benchmarks and assistive summaries read.
  FlashpointMap.prototype.publish = function (shown, started) {
    this.container.setAttribute("data-visible", String(shown));
    if (this.day !== null) this.container.setAttribute("data-day", isoDay(this.day));
    window.flashpointLastDrawMs = performance.now() - started;
  };

  // ---- pointing -----------------------------------------------------------------------------

  FlashpointMap.prototype.hit = function (containerPoint) {
    var p = this.map.containerPointToLayerPoint(containerPoint);
    var d = this.drawn;
    var best = -1;
    var bestDist = Infinity;
    var reach = Math.max(this.cfg.size + 4, 9);
    // Hit arrays run newest first: of events on one spot, the newest answers.
    for (var k = 0; k < d.count; k++) {
      var dx = d.px[k] - p.x;
      var dy = d.py[k] - p.y;
      var dist = dx * dx + dy * dy;
      if (dist <= reach * reach && dist < bestDist) {
        best = d.index[k];
        bestDist = dist;
      }
    }
    return best;
  };

  FlashpointMap.prototype.hover = function (point) {
    if (this.aggregation && this.aggregation.hover(point)) return;
    var i = this.hit(point);
    this.container.style.cursor = i < 0 ? "" : "pointer";
    if (i < 0) {
      this.tooltip.hidden = true;
      return;
    }
    var ev = this.ev;
    var cat = this.cfg.categories[ev.t[i]];
    this.tooltip.textContent = "";
    this.tooltip.appendChild(el("strong", null, (ev.title && ev.title[i]) || cat.name));
    this.tooltip.appendChild(el("div", null, dayWords(ev.start[i])));
    this.tooltip.appendChild(el("div", "fp-hint", words("mapui.details")));
    this.tooltip.hidden = false;
    this.tooltip.style.left = point.x + 12 + "px";
    this.tooltip.style.top = point.y - 12 + "px";
  };

  // ---- time ---------------------------------------------------------------------------------

  FlashpointMap.prototype.setDay = function (day, fromUser) {
    day = Math.max(this.lo, Math.min(this.hi, Math.round(day)));
    var before = this.day;
    this.day = day;
    if (this.ev && before !== null && day > before) {
      var now = performance.now();
      var from = upperBound(this.ev.start, this.n, before);
      var to = upperBound(this.ev.start, this.n, day);
      for (var i = from; i < to; i++) this.ev.appear[i] = now;
      if (to > from) this.fadeUntil = now + FADE_MS;
    }
    this.refreshTime();
    this.requestDraw();
    if (fromUser) this.scheduleCommit();
  };

  // The page hears of a date once it has stopped changing for a moment (or the drag ends).
  FlashpointMap.prototype.scheduleCommit = function () {
    var self = this;
    clearTimeout(this.commitTimer);
    this.commitTimer = setTimeout(function () {
      self.commit();
    }, COMMIT_MS);
  };

  FlashpointMap.prototype.commit = function () {
    clearTimeout(this.commitTimer);
    if (this.day === null || this.day === this.committed) return;
    this.committed = this.day;
    this.live.textContent = dayWords(this.day);
    this.tell("date", isoDay(this.day));
  };

  FlashpointMap.prototype.widenFor = function (day) {
    var p = this.focusPeriod;
    if (p && (day < p[0] || day > p[1])) this.setPeriod("all");
  };

  FlashpointMap.prototype.setPeriod = function (name) {
    var p = this.focusPeriod;
    this.period = p && name === "focus" ? "focus" : "all";
    this.lo = this.period === "focus" ? p[0] : this.cfg.first;
    this.hi = this.period === "focus" ? p[1] : this.cfg.last;
    this.histogram = null;
    if (this.day !== null && (this.day < this.lo || this.day > this.hi)) this.setDay(this.day, true);
    this.refreshTime();
  };

  FlashpointMap.prototype.stepTo = function (direction) {
    var days = this.days || [];
    var target = null;
    if (direction > 0) {
      var i = upperBound(days, days.length, this.day);
      if (i < days.length) target = days[i];
    } else {
      var j = upperBound(days, days.length, this.day - 1) - 1;
      if (j >= 0) target = days[j];
    }
    if (target === null) return;
    this.widenFor(target);
    this.setDay(target, true);
  };

  FlashpointMap.prototype.togglePlay = function () {
    if (this.playing) {
      this.stop(true);
      return;
    }
    if (this.day >= this.hi) this.setDay(this.lo, false);
    this.playing = true;
    this.playFrom = { day: this.day, at: performance.now() };
    this.container.setAttribute("data-playing", "1");
    this.refreshTime();
    var self = this;
    var tick = function (now) {
      if (!self.playing) return;
      var perSecond = Math.max(1, (self.hi - self.lo) / 20) * self.speed;
      var day = self.playFrom.day + Math.floor(((now - self.playFrom.at) / 1000) * perSecond);
      if (day >= self.hi) {
        self.setDay(self.hi, false);
        self.stop(true);
        return;
      }
      if (day !== self.day) self.setDay(day, false);
      self.playFrame = requestAnimationFrame(tick);
    };
    this.playFrame = requestAnimationFrame(tick);
  };

  FlashpointMap.prototype.stop = function (commit) {
    if (!this.playing) return;
    this.playing = false;
    cancelAnimationFrame(this.playFrame);
    this.container.removeAttribute("data-playing");
    this.refreshTime();
    if (commit) this.commit();
  };

  // ---- controls -----------------------------------------------------------------------------

  FlashpointMap.prototype.addHeading = function () {
    var self = this;
    var control = L.control({ position: "topright" });
    control.onAdd = function () {
      var box = el("div", "fp-heading");
      box.dir = self.cfg.dir;
      self.headingDate = el("h1", "fp-heading-date");
      self.headingCounts = el("div", "fp-heading-counts");
      box.appendChild(self.headingDate);
      box.appendChild(self.headingCounts);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(this.map);
  };

  // One row of the legend: the marker as drawn, the category's name and how many events it has.
  function legendRow(tag, cat, name) {
    var row = el(tag, "fp-legend-row");
    var canvas = el("canvas", "fp-legend-swatch");
    canvas.width = 18;
    canvas.height = 18;
    canvas.setAttribute("aria-hidden", "true");
    if (cat) drawShape(canvas.getContext("2d"), cat.shape, 9, 9, 5.5, cat.color, "#101418", 1, 1, 1);
    row.appendChild(canvas);
    var label = el("span", "fp-legend-name", name);
    label.title = name;
    row.appendChild(label);
    return row;
  }

  FlashpointMap.prototype.addLegend = function () {
    var config = this.cfg;
    // The counts come with the events (a new version of the data changes them in place).
    var counts = (this.legendCounts = []);
    function legendCount(row, count) {
      var span = el("span", "fp-legend-count", number(count));
      counts.push(span);
      row.appendChild(span);
      return row;
    }
    var legend = L.control({ position: "topright" });
    legend.onAdd = function () {
      var box = el("details", "fp-legend");
      box.dir = config.dir;
      if (window.innerWidth > 640) box.open = true;
      box.appendChild(el("summary", "fp-legend-title", words("mapui.legend")));
      config.categories.forEach(function (cat) {
        if (!cat.members.length) {
          box.appendChild(legendCount(legendRow("div", cat, cat.name), cat.count));
          return;
        }
        // The categories past the palette share one colour; opening the entry lists them.
        var group = el("details", "fp-legend-group");
        group.appendChild(legendCount(legendRow("summary", cat, cat.name), cat.count));
        cat.members.forEach(function (member) {
          group.appendChild(legendCount(legendRow("div", null, member.name), member.count));
        });
        box.appendChild(group);
      });
      box.appendChild(el("div", "fp-legend-row fp-legend-note", words("mapui.legend_note")));
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    legend.addTo(this.map);
  };

  // "Download image": the map as shown (basemap, markers, date heading, legend, scale and
  // attribution) as a PNG made here in the browser, named after the date it shows.
  FlashpointMap.prototype.addImageButton = function () {
    var self = this;
    var control = L.control({ position: "topleft" });
    control.onAdd = function () {
      self.imageBtn = button("fp-image", words("mapui.image"), "⤓ " + words("mapui.image_short"));
      self.imageBtn.addEventListener("click", function () {
        self.downloadImage();
      });
      L.DomEvent.disableClickPropagation(self.imageBtn);
      return self.imageBtn;
    };
    control.addTo(this.map);
  };

  function loadScript(url) {
    if (window.htmlToImage) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = url;
      script.onload = resolve;
      script.onerror = function () {
        reject(new Error("could not load " + url));
      };
      document.head.appendChild(script);
    });
  }

  FlashpointMap.prototype.downloadImage = function () {
    var self = this;
    var legend = this.container.querySelector(".fp-legend");
    var wasOpen = legend ? legend.open : true;
    this.imageBtn.disabled = true;
    this.container.setAttribute("data-image", "making");
    loadScript(IMAGE_LIB)
      .then(function () {
        if (legend) legend.open = true;
        return window.htmlToImage.toPng(self.container, {
          skipFonts: true,
          backgroundColor: "#0d2236",
          filter: function (node) {
            var cls = node.classList;
            return !cls || !NOT_IN_IMAGE.some(function (name) {
              return cls.contains(name);
            });
          },
        });
      })
      .then(function (url) {
        var link = document.createElement("a");
        link.href = url;
        link.download = "flashpoint-" + isoDay(self.day) + ".png";
        document.body.appendChild(link);
        link.click();
        link.remove();
        self.container.setAttribute("data-image", "saved");
      })
      .catch(function () {
        self.container.setAttribute("data-image", "failed");
        self.live.textContent = words("mapui.image_failed");
      })
      .then(function () {
        if (legend) legend.open = wasOpen;
        self.imageBtn.disabled = false;
      });
  };

  function button(cls, label, text) {
    var b = el("button", "fp-btn " + cls, text);
    b.type = "button";
    b.setAttribute("aria-label", label);
    b.title = label;
    return b;
  }

  FlashpointMap.prototype.addTimeControl = function () {
    var self = this;
    var bar = el("div", "fp-time");
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", words("mapui.date"));
    var row = el("div", "fp-time-row");
    this.prevBtn = button("fp-prev", words("mapui.previous"), "◀");
    this.playBtn = button("fp-play", words("mapui.play"), "▶ " + words("mapui.play"));
    this.nextBtn = button("fp-next", words("mapui.next"), "▶");
    this.speedBtn = button("fp-speed", words("mapui.speed") + " " + digits("1") + "×", digits("1") + "×");
    this.periodBox = el("div", "fp-period");
    row.appendChild(this.prevBtn);
    row.appendChild(this.playBtn);
    row.appendChild(this.nextBtn);
    row.appendChild(this.speedBtn);
    row.appendChild(this.periodBox);
    this.hist = el("canvas", "fp-histogram");
    this.hist.setAttribute("aria-hidden", "true");
    this.slider = el("input", "fp-slider");
    this.slider.type = "range";
    this.slider.step = "1";
    this.slider.setAttribute("aria-label", words("mapui.date"));
    this.live = el("div", "fp-sr-only");
    this.live.setAttribute("aria-live", "polite");
    bar.appendChild(row);
    bar.appendChild(this.hist);
    bar.appendChild(this.slider);
    bar.appendChild(this.live);
    L.DomEvent.disableClickPropagation(bar);
    L.DomEvent.disableScrollPropagation(bar);
    this.container.appendChild(bar);
    this.timeBar = bar;
    this.keepClear();

    this.slider.addEventListener("input", function () {
      self.stop(false);
      self.setDay(Number(self.slider.value), true);
    });
    this.slider.addEventListener("change", function () {
      self.commit();
    });
    this.slider.addEventListener("keydown", function (e) {
      var jump = { PageUp: 7, PageDown: -7 }[e.key];
      if (jump) {
        e.preventDefault();
        self.stop(false);
        self.setDay(self.day + jump, true);
      }
    });
    this.hist.addEventListener("click", function (e) {
      var box = self.hist.getBoundingClientRect();
      var share = (e.clientX - box.left) / Math.max(box.width, 1);
      self.stop(false);
      self.setDay(self.lo + share * (self.hi - self.lo), true);
    });
    this.prevBtn.addEventListener("click", function () {
      self.stop(false);
      self.stepTo(-1);
    });
    this.nextBtn.addEventListener("click", function () {
      self.stop(false);
      self.stepTo(+1);
    });
    this.playBtn.addEventListener("click", function () {
      self.togglePlay();
    });
    this.speedBtn.addEventListener("click", function () {
      self.speed = SPEEDS[(SPEEDS.indexOf(self.speed) + 1) % SPEEDS.length];
      self.speedBtn.textContent = (self.speed === 0.5 ? "½" : digits(String(self.speed))) + "×";
      self.speedBtn.setAttribute("aria-label", words("mapui.speed") + " " + self.speedBtn.textContent);
      if (self.playing) self.playFrom = { day: self.day, at: performance.now() };
    });
  };

  // The time control sits just above the attribution and the scale just above the time
  // control, whatever their heights: on a phone the attribution wraps onto a second line.
  FlashpointMap.prototype.keepClear = function () {
    var self = this;
    var place = function () {
      var attribution = self.container.querySelector(".leaflet-control-attribution");
      var below = attribution ? attribution.offsetHeight + 4 : 22;
      self.timeBar.style.bottom = below + "px";
      var scale = self.container.querySelector(".leaflet-bottom.leaflet-left");
      if (scale) scale.style.bottom = below + self.timeBar.offsetHeight + 4 + "px";
    };
    place();
    if (!window.ResizeObserver) return;
    var watch = new ResizeObserver(place);
    watch.observe(this.timeBar);
    var attribution = this.container.querySelector(".leaflet-control-attribution");
    if (attribution) watch.observe(attribution);
  };

  FlashpointMap.prototype.drawPeriodButtons = function () {
    var self = this;
    var box = this.periodBox;
    var p = this.focusPeriod;
    if (!p || !this.cfg.focusLabel || box.childNodes.length) return;
    [
      ["focus", this.cfg.focusLabel],
      ["all", words("mapui.all")],
    ].forEach(function (pair) {
      var b = button("fp-period-" + pair[0], words("mapui.period", { name: pair[1] }), pair[1]);
      b.addEventListener("click", function () {
        self.setPeriod(pair[0]);
      });
      box.appendChild(b);
    });
  };

  FlashpointMap.prototype.refreshTime = function () {
    if (this.period === undefined && this.focusPeriod && this.day !== null) {
      var p = this.focusPeriod;
      this.setPeriod(this.day >= p[0] && this.day <= p[1] ? "focus" : "all");
      return;
    }
    this.drawPeriodButtons();
    var self = this;
    Array.prototype.forEach.call(this.periodBox.childNodes, function (b) {
      b.setAttribute("aria-pressed", String(b.className.indexOf("fp-period-" + self.period) >= 0));
    });
    this.slider.min = String(this.lo);
    this.slider.max = String(this.hi);
    if (this.day !== null) {
      this.slider.value = String(this.day);
      this.slider.setAttribute("aria-valuetext", dayWords(this.day));
      var heading = headingWords(this.day);
      this.headingDate.textContent = heading[0];
      if (heading[1]) this.headingDate.appendChild(el("span", "fp-heading-gregorian", " (" + heading[1] + ")"));
      if (this.ev) {
        var c = this.counts();
        this.headingCounts.textContent = words("mapui.counts", { shown: number(c.shown), today: number(c.today) });
      }
    }
    var action = words(this.playing ? "mapui.pause" : "mapui.play");
    this.playBtn.textContent = (this.playing ? "❚❚ " : "▶ ") + action;
    this.playBtn.setAttribute("aria-label", action);
    this.drawHistogram();
  };

  // Events per day by type, stacked, with the days to come dimmed: the timeline chart.
  FlashpointMap.prototype.drawHistogram = function () {
    var canvas = this.hist;
    var width = canvas.clientWidth || 600;
    var height = canvas.clientHeight || 36;
    var ratio = this.ratio;
    if (canvas.width !== width * ratio || canvas.height !== height * ratio) {
      canvas.width = width * ratio;
      canvas.height = height * ratio;
      this.histogram = null;
    }
    if (!this.ev) return;
    var span = this.hi - this.lo + 1;
    var bins = Math.max(1, Math.min(span, Math.floor(width / 2)));
    if (!this.histogram || this.histogram.bins !== bins) {
      var ncat = this.cfg.categories.length;
      var counts = new Uint32Array(bins * ncat);
      var max = 0;
      var totals = new Uint32Array(bins);
      for (var i = 0; i < this.n; i++) {
        var d = this.ev.start[i];
        if (d < this.lo || d > this.hi) continue;
        var bin = Math.floor(((d - this.lo) / span) * bins);
        counts[bin * ncat + this.ev.t[i]]++;
        totals[bin]++;
        if (totals[bin] > max) max = totals[bin];
      }
      this.histogram = { bins: bins, counts: counts, max: max, ncat: ncat };
    }
    var hg = this.histogram;
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    var bw = width / hg.bins;
    var nowBin = this.day === null ? hg.bins : Math.floor(((this.day - this.lo) / span) * hg.bins);
    for (var b = 0; b < hg.bins; b++) {
      var y = height;
      ctx.globalAlpha = b <= nowBin ? 0.95 : 0.3;
      for (var c = 0; c < hg.ncat; c++) {
        var v = hg.counts[b * hg.ncat + c];
        if (!v) continue;
        var bh = Math.max(1, (v / Math.max(hg.max, 1)) * (height - 2));
        ctx.fillStyle = this.cfg.categories[c].color;
        ctx.fillRect(b * bw, y - bh, Math.max(bw - 0.5, 0.8), bh);
        y -= bh;
      }
    }
    ctx.globalAlpha = 1;
    if (this.day !== null) {
      var x = ((this.day - this.lo + 0.5) / span) * width;
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(x - 1, 0, 2, height);
    }
  };

  // What the clusters layer (clusters.js) draws and writes with.
  FlashpointMap.util = {
    words: words,
    number: number,
    dayWords: dayWords,
    el: el,
    button: button,
    drawShape: drawShape,
    fadedColor: fadedColor,
    LOOKS: LOOKS,
    reducedMotion: REDUCED_MOTION,
    lang: function () {
      return LANG.lang;
    },
  };
  window.FlashpointMap = FlashpointMap;
})();
