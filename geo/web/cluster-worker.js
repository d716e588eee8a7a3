/* Flashpoint's map: the worker that clusters a crowded map's events (clusters.js uses it).
 *
 * supercluster runs in a Web Worker, so indexing a million events never freezes the page. The
 * worker's code is this file's `clusterWorker`, sent to it as text; it loads the supercluster
 * script the page loaded (geo/maps.py lists it), from the browser's cache.
 */
(function () {
  "use strict";
  var FlashpointMap = window.FlashpointMap;
  if (!FlashpointMap || FlashpointMap.startClusterWorker) return;

  // Runs in a worker (its source is sent there as text): supercluster over all events, and the
  // leaf order in which every cluster's events are one run, perm[lo[c]] .. perm[hi[c] - 1].
  function clusterWorker(scope, superclusterUrl, radius, maxZoom) {
    scope.importScripts(superclusterUrl);
    var index = null;

    function build(lon, lat) {
      var n = lon.length;
      var parent = new Int32Array(Math.max(2 * n, 16)).fill(-1);
      var next = n;
      var seen = new WeakSet();
      // Nodes: events are 0 .. n-1, clusters n, n+1, ... in the order supercluster makes them.
      // A new cluster's properties start as a copy of its first member's (map/reduce's rule):
      // the first reduce call names the cluster and records that member's parent.
      index = new scope.Supercluster({
        radius: radius,
        extent: 256,
        maxZoom: maxZoom,
        map: function (i) {
          return { node: i };
        },
        reduce: function (acc, child) {
          if (!seen.has(acc)) {
            seen.add(acc);
            if (next >= parent.length) {
              var wider = new Int32Array(parent.length * 2).fill(-1);
              wider.set(parent);
              parent = wider;
            }
            parent[acc.node] = next;
            acc.node = next++;
          }
          parent[child.node] = acc.node;
        },
      });
      var points = new Array(n);
      for (var i = 0; i < n; i++) {
        points[i] = { type: "Feature", properties: i, geometry: { type: "Point", coordinates: [lon[i], lat[i]] } };
      }
      index.load(points);
      return leafOrder(parent, n, next);
    }

    function leafOrder(parent, n, nodes) {
      var first = new Int32Array(nodes + 1);
      for (var k = 0; k < nodes; k++) if (parent[k] >= 0) first[parent[k] + 1]++;
      for (k = 0; k < nodes; k++) first[k + 1] += first[k];
      var fill = first.slice(0, nodes);
      var kids = new Int32Array(nodes);
      for (k = 0; k < nodes; k++) if (parent[k] >= 0) kids[fill[parent[k]]++] = k;
      var perm = new Int32Array(n);
      var lo = new Int32Array(nodes - n);
      var hi = new Int32Array(nodes - n);
      var stack = new Int32Array(nodes + 1);
      var w = 0;
      for (var root = 0; root < nodes; root++) {
        if (parent[root] >= 0) continue;
        var sp = 0;
        stack[sp++] = root;
        while (sp) {
          var v = stack[--sp];
          if (v < 0) hi[~v - n] = w;
          else if (v < n) perm[w++] = v;
          else {
            lo[v - n] = w;
            stack[sp++] = ~v;
            for (var c = first[v]; c < first[v + 1]; c++) stack[sp++] = kids[c];
          }
        }
      }
      return { perm: perm, lo: lo, hi: hi };
    }

    function query(bbox, zoom) {
      var items = index.getClusters(bbox, zoom);
      var count = items.length;
      var out = {
        node: new Int32Array(count),
        lon: new Float64Array(count),
        lat: new Float64Array(count),
        expand: new Uint8Array(count),
      };
      for (var j = 0; j < count; j++) {
        var f = items[j];
        var props = f.properties;
        var cluster = props !== null && typeof props === "object" && props.cluster;
        out.node[j] = cluster ? props.node : props;
        out.expand[j] = cluster ? index.getClusterExpansionZoom(props.cluster_id) : 0;
        out.lon[j] = f.geometry.coordinates[0];
        out.lat[j] = f.geometry.coordinates[1];
      }
      return out;
    }

    scope.onmessage = function (e) {
      var m = e.data;
      if (m.type === "build") {
        var started = Date.now();
        var tree = build(m.lon, m.lat);
        scope.postMessage({ type: "built", id: m.id, perm: tree.perm, lo: tree.lo, hi: tree.hi, ms: Date.now() - started },
          [tree.perm.buffer, tree.lo.buffer, tree.hi.buffer]);
      } else if (m.type === "query" && index) {
        var out = query(m.bbox, m.zoom);
        out.type = "clusters";
        out.id = m.id;
        out.zoom = m.zoom;
        scope.postMessage(out, [out.node.buffer, out.lon.buffer, out.lat.buffer, out.expand.buffer]);
      }
    };
  }

  // The supercluster script the page loaded (geo/maps.py lists it), as an absolute address.
  function superclusterUrl() {
    var script = document.querySelector('script[src*="supercluster"]');
    return script ? new URL(script.getAttribute("src"), document.baseURI).href : null;
  }

  // A worker clustering with this radius (screen pixels) up to this zoom, or null.
  function startWorker(radius, maxZoom) {
    var url = superclusterUrl();
    if (!url || !window.Supercluster || !window.Worker || !window.Blob) return null;
    var source = "(" + clusterWorker.toString() + ")(self, " + JSON.stringify(url) + ", " + radius + ", " + maxZoom + ");";
    try {
      return new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
    } catch (err) {
      return null;
    }
  }

  FlashpointMap.startClusterWorker = startWorker;
})();
