/* Flashpoint's map: pointing at a crowded map's clusters (clusters.js draws them).
 *
 * Hovering a cluster tells its count and its commonest types; clicking it zooms to where it
 * splits, or, when no zoom splits it (its events share one place), lists its events, latest
 * first: a keyboard-reachable list whose rows choose an event as a click on its marker does.
 * Text from data is only set through textContent.
 */
(function () {
  "use strict";
  var FlashpointMap = window.FlashpointMap;
  var Aggregation = FlashpointMap && FlashpointMap.Aggregation;
  if (!Aggregation || Aggregation.prototype.hit) return;
  var U = FlashpointMap.util;
  var LIST_UP_TO = 100;

  // ---- pointing -----------------------------------------------------------------------------

  Aggregation.prototype.hit = function (containerPoint) {
    if (!this.targets.length) return null;
    var p = this.fmap.map.containerPointToLayerPoint(containerPoint);
    var best = null;
    var bestDist = Infinity;
    // Drawn smallest last, so the smallest under the pointer answers.
    for (var k = this.targets.length - 1; k >= 0; k--) {
      var t = this.targets[k];
      var d = (t.x - p.x) * (t.x - p.x) + (t.y - p.y) * (t.y - p.y);
      if (d <= t.r * t.r && d < bestDist) {
        best = t;
        bestDist = d;
      }
    }
    return best;
  };

  Aggregation.prototype.splits = function (j) {
    return this.layout.expand[j] <= Aggregation.MAX_ZOOM;
  };

  // True when the pointer is over something this layer drew (the tooltip is then its own).
  Aggregation.prototype.hover = function (point) {
    var t = this.hit(point);
    if (!t) return false;
    var fm = this.fmap;
    var tip = fm.tooltip;
    fm.container.style.cursor = "pointer";
    tip.textContent = "";
    if (t.event >= 0) {
      var cat = fm.cfg.categories[fm.ev.t[t.event]];
      tip.appendChild(U.el("strong", null, (fm.ev.title && fm.ev.title[t.event]) || cat.name));
      tip.appendChild(U.el("div", null, U.dayWords(fm.ev.start[t.event])));
      tip.appendChild(U.el("div", "fp-hint", U.words("mapui.details")));
    } else {
      tip.appendChild(U.el("strong", null, U.words("mapui.cluster_count", { count: U.number(this.layout.total[t.j]) })));
      this.topTypes(t.j, 3).forEach(function (pair) {
        tip.appendChild(U.el("div", null, pair[0] + ": " + U.number(pair[1])));
      });
      tip.appendChild(U.el("div", "fp-hint", U.words(this.splits(t.j) ? "mapui.cluster_zoom" : "mapui.cluster_list_hint")));
    }
    tip.hidden = false;
    tip.style.left = point.x + 12 + "px";
    tip.style.top = point.y - 12 + "px";
    return true;
  };

  Aggregation.prototype.topTypes = function (j, limit) {
    var cats = this.fmap.cfg.categories;
    var ncat = cats.length;
    var pairs = [];
    var counts = this.layout.counts;
    for (var c = 0; c < ncat; c++) if (counts[j * ncat + c]) pairs.push([cats[c].name, counts[j * ncat + c]]);
    pairs.sort(function (a, b) {
      return b[1] - a[1];
    });
    return pairs.slice(0, limit);
  };

  // A click on a cluster zooms to where it splits, or lists its events; on a lone event it
  // picks it as a marker click does. True when the click was this layer's.
  Aggregation.prototype.click = function (point) {
    var t = this.hit(point);
    if (!t) return false;
    var fm = this.fmap;
    if (t.event >= 0) {
      fm.pick(fm.ev.row[t.event]);
      return true;
    }
    var items = this.layout;
    var center = [items.lat[t.j], items.lon[t.j]];
    if (this.splits(t.j)) {
      var zoom = Math.max(items.expand[t.j], fm.map.getZoom() + 1);
      if (U.reducedMotion) fm.map.setView(center, zoom);
      else fm.map.flyTo(center, zoom, { duration: 0.6 });
    } else {
      this.openList(t.j, fm.map.containerPointToLayerPoint(point));
    }
    return true;
  };

  // ---- the list of a cluster's events (those that share one place) --------------------------

  Aggregation.prototype.members = function (j) {
    var fm = this.fmap;
    var upto = fm.visibleRange();
    var out = [];
    var slot = this.slot;
    // Events are in date order: walking back gives the latest first.
    for (var i = upto - 1; i >= 0; i--) if (slot[i] === j && fm.isShown(i)) out.push(i);
    return out;
  };

  Aggregation.prototype.openList = function (j) {
    this.closeList(false);
    var fm = this.fmap;
    fm.tooltip.hidden = true;
    var ev = fm.ev;
    var all = this.members(j);
    var box = U.el("div", "fp-cluster-list");
    box.dir = fm.cfg.dir;
    box.setAttribute("role", "dialog");
    var headingId = "fp-cluster-list-title";
    box.setAttribute("aria-labelledby", headingId);
    var head = U.el("div", "fp-cluster-list-head");
    var title = U.el("div", "fp-cluster-list-title", U.words("mapui.cluster_list", { count: U.number(all.length) }));
    title.id = headingId;
    var close = U.button("fp-cluster-list-close", U.words("mapui.close"), "×");
    head.appendChild(title);
    head.appendChild(close);
    box.appendChild(head);
    var list = U.el("ul", "fp-cluster-list-rows");
    var self = this;
    all.slice(0, LIST_UP_TO).forEach(function (i) {
      var cat = fm.cfg.categories[ev.t[i]];
      var item = U.el("li");
      var choose = U.el("button", "fp-cluster-list-row");
      choose.type = "button";
      choose.setAttribute("data-row", String(ev.row[i]));
      choose.appendChild(U.el("span", "fp-cluster-list-name", (ev.title && ev.title[i]) || cat.name));
      choose.appendChild(U.el("span", "fp-cluster-list-date", U.dayWords(ev.start[i])));
      if (ev.row[i] === fm.selected) choose.setAttribute("aria-current", "true");
      choose.addEventListener("click", function () {
        Array.prototype.forEach.call(list.querySelectorAll("[aria-current]"), function (b) {
          b.removeAttribute("aria-current");
        });
        choose.setAttribute("aria-current", "true");
        fm.pick(ev.row[i]);
      });
      item.appendChild(choose);
      list.appendChild(item);
    });
    box.appendChild(list);
    if (all.length > LIST_UP_TO) {
      box.appendChild(U.el("div", "fp-cluster-list-more",
        U.words("mapui.cluster_more", { shown: U.number(LIST_UP_TO), count: U.number(all.length) })));
    }
    close.addEventListener("click", function () {
      self.closeList(true);
    });
    box.addEventListener("keydown", function (e) {
      self.listKey(e, list);
    });
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    fm.container.appendChild(box);
    this.list = box;
    this.listDay = fm.day;
    this.listMode = fm.mode;
    fm.container.setAttribute("data-cluster-list", String(all.length));
    var first = list.querySelector("button");
    (first || close).focus();
  };

  Aggregation.prototype.listKey = function (e, list) {
    if (e.key === "Escape") {
      e.preventDefault();
      this.closeList(true);
      return;
    }
    var step = { ArrowDown: 1, ArrowUp: -1 }[e.key];
    if (!step) return;
    var rows = Array.prototype.slice.call(list.querySelectorAll("button"));
    var at = rows.indexOf(document.activeElement);
    if (at < 0) return;
    e.preventDefault();
    rows[Math.max(0, Math.min(rows.length - 1, at + step))].focus();
  };

  // `refocus`: the reader closed it, so the keyboard goes back to the map.
  Aggregation.prototype.closeList = function (refocus) {
    if (!this.list) return;
    this.list.remove();
    this.list = null;
    this.listDay = undefined;
    this.fmap.container.removeAttribute("data-cluster-list");
    if (refocus) this.fmap.container.focus();
  };

})();
