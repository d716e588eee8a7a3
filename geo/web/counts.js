/* How many visible events each cluster holds at the map's date, kept up to date step by step.
 *
 * Events are in date order, so the events that have started by a day are a prefix of them;
 * those that ended before a day are a prefix of the same events in order of their end. A
 * cluster's visible events are those started by the date minus those ended before the time
 * window opens (in the cumulative mode, none), and its events of the day those started minus
 * those ended before the day. So a date step only moves three places in two orders and counts
 * the events in between, whatever the number of events: a frame costs what changed.
 * The clusters (`slot`: each event's cluster, or -1) and the view (`inView`: 1 for an event
 * inside it) come from clusters.js; a new slot or view starts the counts again from zero.
 */
(function () {
  "use strict";
  var FlashpointMap = window.FlashpointMap;
  if (!FlashpointMap || FlashpointMap.ClusterCounts) return;

  // The events' indices in order of their end day (a counting sort: days are few).
  function endOrder(ev) {
    var n = ev.n;
    var order = new Int32Array(n);
    var sorted = new Int32Array(n);
    if (!n) return { order: order, sorted: sorted };
    var lo = Infinity;
    var hi = -Infinity;
    for (var i = 0; i < n; i++) {
      if (ev.end[i] < lo) lo = ev.end[i];
      if (ev.end[i] > hi) hi = ev.end[i];
    }
    var seen = new Int32Array(hi - lo + 2);
    for (i = 0; i < n; i++) seen[ev.end[i] - lo + 1]++;
    for (var d = 1; d < seen.length; d++) seen[d] += seen[d - 1];
    for (i = 0; i < n; i++) {
      var at = seen[ev.end[i] - lo]++;
      order[at] = i;
      sorted[at] = ev.end[i];
    }
    return { order: order, sorted: sorted };
  }

  // First position whose value is `value` or more (values sorted ascending).
  function lowerBound(values, value) {
    var lo = 0;
    var hi = values.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (values[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function ClusterCounts(ev, ncat) {
    this.ev = ev;
    this.ncat = ncat;
    var ends = endOrder(ev);
    this.endOrder = ends.order;
    this.endSorted = ends.sorted;
    this.reset(null, null, 0);
  }

  // Counts for `count` clusters (slot) and a view (inView), from nothing.
  ClusterCounts.prototype.reset = function (slot, inView, count) {
    this.slot = slot;
    this.inView = inView;
    this.count = count;
    this.started = new Int32Array(count * this.ncat);
    this.ended = new Int32Array(count * this.ncat);
    this.startedAll = new Int32Array(count);
    this.endedAll = new Int32Array(count);
    this.endedByDay = new Int32Array(count);
    this.atStart = 0;
    this.atWindow = 0;
    this.atDay = 0;
    this.startedInView = 0;
    this.endedInView = 0;
  };

  // Move to a date: `upto` events have started, and those ending before `windowStart` (none
  // when it is null) or before `day` are taken off.
  ClusterCounts.prototype.moveTo = function (upto, windowStart, day) {
    var ev = this.ev;
    var slot = this.slot;
    var view = this.inView;
    var ncat = this.ncat;
    var self = this;
    var i;
    var s;
    var step = upto > this.atStart ? 1 : -1;
    for (i = Math.min(upto, this.atStart); i < Math.max(upto, this.atStart); i++) {
      if (view[i]) this.startedInView += step;
      s = slot[i];
      if (s < 0) continue;
      this.started[s * ncat + ev.t[i]] += step;
      this.startedAll[s] += step;
    }
    this.atStart = upto;
    var windowAt = windowStart === null ? 0 : lowerBound(this.endSorted, windowStart);
    this.walkEnds(this.atWindow, windowAt, function (k, sign) {
      if (view[k]) self.endedInView += sign;
      var c = slot[k];
      if (c < 0) return;
      self.ended[c * ncat + ev.t[k]] += sign;
      self.endedAll[c] += sign;
    });
    this.atWindow = windowAt;
    var dayAt = lowerBound(this.endSorted, day);
    this.walkEnds(this.atDay, dayAt, function (k, sign) {
      var c = slot[k];
      if (c >= 0) self.endedByDay[c] += sign;
    });
    this.atDay = dayAt;
  };

  ClusterCounts.prototype.walkEnds = function (from, to, visit) {
    var sign = to > from ? 1 : -1;
    for (var p = Math.min(from, to); p < Math.max(from, to); p++) visit(this.endOrder[p], sign);
  };

  // How many events end before a day.
  ClusterCounts.prototype.endedBefore = function (day) {
    return lowerBound(this.endSorted, day);
  };

  // Visible events: in all, and inside the view.
  ClusterCounts.prototype.visible = function () {
    return this.atStart - this.atWindow;
  };

  ClusterCounts.prototype.visibleInView = function () {
    return this.startedInView - this.endedInView;
  };

  // Per cluster: visible events by type and in all, and those of the day, into `out`.
  ClusterCounts.prototype.fill = function (out) {
    var ncat = this.ncat;
    for (var j = 0; j < this.count; j++) {
      out.total[j] = this.startedAll[j] - this.endedAll[j];
      out.today[j] = this.startedAll[j] - this.endedByDay[j];
      for (var c = 0; c < ncat; c++) out.counts[j * ncat + c] = this.started[j * ncat + c] - this.ended[j * ncat + c];
    }
  };

  FlashpointMap.ClusterCounts = ClusterCounts;
})();
