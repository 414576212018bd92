/* geomap's map runtime: draws the layers from the data the page carries.
 *
 * Every string from an article reaches the page as JSON data and is shown with textContent,
 * never parsed as HTML or evaluated, so text such as <script>, ${...} or {{ ... }} stays text.
 *
 * A clustered layer (100,000 events and more) is indexed once per time-slider position: a
 * static k-d tree per zoom level, each level made by greedily merging the features of the level
 * below that lie within a cluster radius (the method of kdbush/supercluster). Only the clusters
 * and points in view are Leaflet layers, redrawn when the map stops moving; a point's marker is
 * made the first time it is shown. Below the clustering zooms, every point is drawn.
 *
 * Leaflet is inlined in the page. When the page offers OpenStreetMap's tiles and none can
 * load (no network), it switches to the offline country outlines and says so in the header.
 * Below 600 px of width the layer control and the legend start collapsed, and popups open
 * clear of the controls.
 *
 * For tests and tools, `window.geomap` holds the map, each layer's Leaflet objects, a `ready`
 * promise that settles once every shown layer is drawn, and `settled()` for the slider.
 */
"use strict";

var GEOMAP_MAX_ZOOM = 18;
var GEOMAP_MAX_TIPS = 4;
var GEOMAP_UNCLUSTER_ZOOM = 10; // from this zoom on, a clustered layer draws every point
var GEOMAP_CLUSTER_RADIUS = 60; // pixels
var GEOMAP_NODE_SIZE = 64; // points per k-d tree leaf

/* -- a static k-d tree over points in [0, 1]² (Web Mercator), after kdbush ---------------- */

function geomapTree(xs, ys) {
  var n = xs.length;
  var ids = new Uint32Array(n);
  var coords = new Float64Array(2 * n);
  for (var i = 0; i < n; i++) {
    ids[i] = i;
    coords[2 * i] = xs[i];
    coords[2 * i + 1] = ys[i];
  }
  geomapTreeSort(ids, coords, 0, n - 1, 0);
  return { ids: ids, coords: coords };
}

function geomapTreeSort(ids, coords, left, right, axis) {
  if (right - left <= GEOMAP_NODE_SIZE) return;
  var middle = (left + right) >> 1;
  geomapTreeSelect(ids, coords, middle, left, right, axis);
  geomapTreeSort(ids, coords, left, middle - 1, 1 - axis);
  geomapTreeSort(ids, coords, middle + 1, right, 1 - axis);
}

// Reorder [left, right] so that item k is in its sorted place on `axis` (Hoare's selection).
function geomapTreeSelect(ids, coords, k, left, right, axis) {
  while (right > left) {
    var pivot = coords[2 * k + axis];
    var i = left;
    var j = right;
    geomapTreeSwap(ids, coords, left, k);
    if (coords[2 * right + axis] > pivot) geomapTreeSwap(ids, coords, left, right);
    while (i < j) {
      geomapTreeSwap(ids, coords, i, j);
      i++;
      j--;
      while (coords[2 * i + axis] < pivot) i++;
      while (coords[2 * j + axis] > pivot) j--;
    }
    if (coords[2 * left + axis] === pivot) {
      geomapTreeSwap(ids, coords, left, j);
    } else {
      j++;
      geomapTreeSwap(ids, coords, j, right);
    }
    if (j <= k) left = j + 1;
    if (k <= j) right = j - 1;
  }
}

function geomapTreeSwap(ids, coords, i, j) {
  var id = ids[i];
  ids[i] = ids[j];
  ids[j] = id;
  var x = coords[2 * i];
  var y = coords[2 * i + 1];
  coords[2 * i] = coords[2 * j];
  coords[2 * i + 1] = coords[2 * j + 1];
  coords[2 * j] = x;
  coords[2 * j + 1] = y;
}

// Ids of the points in the box, or (when r is given) within distance r of (x0, y0).
function geomapTreeSearch(tree, minX, minY, maxX, maxY, found, x0, y0, r) {
  var ids = tree.ids;
  var coords = tree.coords;
  var stack = [0, ids.length - 1, 0];
  var circle = r !== undefined;
  var r2 = circle ? r * r : 0;
  found.length = 0;
  function keep(i) {
    var x = coords[2 * i];
    var y = coords[2 * i + 1];
    if (circle) {
      var dx = x - x0;
      var dy = y - y0;
      if (dx * dx + dy * dy <= r2) found.push(ids[i]);
    } else if (x >= minX && x <= maxX && y >= minY && y <= maxY) {
      found.push(ids[i]);
    }
  }
  while (stack.length) {
    var axis = stack.pop();
    var right = stack.pop();
    var left = stack.pop();
    if (right - left <= GEOMAP_NODE_SIZE) {
      for (var i = left; i <= right; i++) keep(i);
      continue;
    }
    var middle = (left + right) >> 1;
    keep(middle);
    var value = coords[2 * middle + axis];
    if ((axis === 0 ? minX : minY) <= value) stack.push(left, middle - 1, 1 - axis);
    if ((axis === 0 ? maxX : maxY) >= value) stack.push(middle + 1, right, 1 - axis);
  }
  return found;
}

function geomapX(lon) {
  return lon / 360 + 0.5;
}

function geomapY(lat) {
  var sin = Math.sin((lat * Math.PI) / 180);
  var y = 0.5 - (0.25 * Math.log((1 + sin) / (1 - sin))) / Math.PI;
  return y < 0 ? 0 : y > 1 ? 1 : y;
}

function geomapLat(y) {
  return (360 * Math.atan(Math.exp(((180 - y * 360) * Math.PI) / 180))) / Math.PI - 90;
}

/* -- clusters per zoom level ----------------------------------------------------------------- */

// The leaves (shown points) of a clustered layer: positions and their event indices.
function geomapLeaves(layer, indices) {
  var n = indices.length;
  var level = {
    x: new Float64Array(n),
    y: new Float64Array(n),
    count: new Uint32Array(n),
    leaf: new Int32Array(n),
  };
  for (var p = 0; p < n; p++) {
    var i = indices[p];
    level.x[p] = geomapX(layer.lon[i]);
    level.y[p] = geomapY(layer.lat[i]);
    level.count[p] = 1;
    level.leaf[p] = i;
  }
  level.tree = geomapTree(level.x, level.y);
  return level;
}

// Merge the items of `below` lying within the cluster radius at `zoom` (first come, first
// served, in index order, so the same data always gives the same clusters).
function geomapClusterLevel(below, zoom) {
  var r = GEOMAP_CLUSTER_RADIUS / (256 * Math.pow(2, zoom));
  var n = below.x.length;
  var up = new Int32Array(n).fill(-1);
  var xs = [];
  var ys = [];
  var counts = [];
  var leaves = [];
  var near = [];
  for (var i = 0; i < n; i++) {
    if (up[i] >= 0) continue;
    var k = xs.length;
    up[i] = k;
    var total = below.count[i];
    var sx = below.x[i] * total;
    var sy = below.y[i] * total;
    geomapTreeSearch(below.tree, below.x[i] - r, below.y[i] - r, below.x[i] + r, below.y[i] + r,
      near, below.x[i], below.y[i], r);
    for (var a = 0; a < near.length; a++) {
      var j = near[a];
      if (up[j] >= 0) continue;
      up[j] = k;
      var c = below.count[j];
      total += c;
      sx += below.x[j] * c;
      sy += below.y[j] * c;
    }
    xs.push(sx / total);
    ys.push(sy / total);
    counts.push(total);
    leaves.push(total === 1 ? below.leaf[i] : -1);
  }
  var level = {
    x: Float64Array.from(xs),
    y: Float64Array.from(ys),
    count: Uint32Array.from(counts),
    leaf: Int32Array.from(leaves),
    up: up, // for each item of `below`, its item here
  };
  level.tree = geomapTree(level.x, level.y);
  return level;
}

/* -- the map --------------------------------------------------------------------------------- */

var GEOMAP_NARROW = 600; // pixels: below this width, controls start collapsed

function geomapNarrow() {
  return document.documentElement.clientWidth < GEOMAP_NARROW;
}

// The layer control is made after this script runs: collapse it on a narrow screen.
L.Control.Layers.addInitHook(function () {
  if (geomapNarrow()) this.options.collapsed = true;
});

// Tiles as an optional base layer: the first tile that fails before any loaded switches the
// map to the offline outlines, with a notice; the OSM credit shows while tiles are shown.
function geomapWatchTiles(map, base, restack) {
  var osm = document.querySelector(".geomap-osm");
  var notice = document.querySelector(".geomap-notice");
  function credit() {
    if (osm) osm.hidden = !(base.tiles && map.hasLayer(base.tiles));
  }
  map.on("layeradd layerremove", credit);
  credit();
  if (!base.tiles) return;
  var loaded = 0;
  var failed = false;
  base.tiles.on("tileload", function () {
    loaded += 1;
  });
  base.tiles.on("tileerror", function () {
    if (loaded || failed) return;
    failed = true;
    map.removeLayer(base.tiles);
    map.addLayer(base.offline);
    if (notice) {
      notice.textContent =
        "Map tiles could not load (no network?): showing the offline country outlines.";
      notice.hidden = false;
    }
  });
  // The outlines go with the offline base layer and stay under everything else.
  map.on("layeradd", function (event) {
    if (event.layer === base.offline && !map.hasLayer(base.outline)) {
      map.addLayer(base.outline);
      restack();
    }
  });
}

function geomapRender(map, groups, data, base) {
  base = base || {};
  performance.mark("geomap:start");
  // Without a tile layer (self-contained maps) nothing sets a zoom range.
  if (map.options.maxZoom === undefined) map.setMaxZoom(GEOMAP_MAX_ZOOM);
  if (map.options.minZoom === undefined) map.setMinZoom(1);

  var NONE = -2; // a layer's cutoff before any of its features was added
  var lastDate = data.dates.length - 1;
  var wanted = lastDate;
  var queue = Promise.resolve();
  var tip = L.tooltip({ direction: "top", offset: [0, -6] });
  var entries = [];

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) node.className = className;
    return node;
  }

  function popupNode(fields, values) {
    var box = document.createElement("div");
    box.className = "geomap-popup";
    var table = document.createElement("table");
    fields.forEach(function (field, i) {
      var value = values[i];
      if (value === null || value === "") return;
      if (field === "evidence") {
        box.appendChild(text("blockquote", value, "geomap-evidence"));
        return;
      }
      var row = document.createElement("tr");
      row.appendChild(text("th", data.labels[field] || field));
      var cell = document.createElement("td");
      if (field === "source") {
        // A merged event lists each of its sources, joined with "; ": each address a link.
        String(value).split("; ").forEach(function (part, j) {
          if (j > 0) cell.appendChild(document.createTextNode("; "));
          if (/^https?:\/\//i.test(part)) {
            var link = text("a", part);
            link.href = part;
            link.target = "_blank";
            link.rel = "noopener noreferrer";
            cell.appendChild(link);
          } else {
            cell.appendChild(document.createTextNode(part));
          }
        });
      } else {
        cell.textContent = value;
      }
      row.appendChild(cell);
      table.appendChild(row);
    });
    box.insertBefore(table, box.firstChild);
    return box;
  }

  function cell(layer, field, index) {
    var column = layer.columns[field];
    return column.index ? column.values[column.index[index]] : column[index];
  }

  function rowValues(layer, fields, index) {
    return fields.map(function (field) { return cell(layer, field, index); });
  }

  function tipText(layer, index) {
    if (layer.kind === "shapes") return layer.tips[index];
    return rowValues(layer, layer.tipFields, index).filter(Boolean).join(layer.joiner);
  }

  function sectionsNode(title, sections) {
    var box = document.createElement("div");
    box.className = "geomap-popup";
    if (title) box.appendChild(text("h4", title));
    sections.forEach(function (section, i) {
      if (i > 0) box.appendChild(document.createElement("hr"));
      box.appendChild(popupNode(section[0], section[1]));
    });
    return box;
  }

  function shown(entry, index) {
    var date = entry.dates[index];
    return entry.cutoff !== NONE && (date < 0 || date <= entry.cutoff);
  }

  // The shown features of a point layer at the same spot as feature `index`: markers at one
  // place stack exactly, and a person can only click the top one.
  function samePlace(entry, index) {
    var layer = entry.layer;
    if (layer.kind !== "points") return [index];
    if (!entry.places) {
      entry.places = new Map();
      layer.lat.forEach(function (lat, i) {
        var key = lat + "," + layer.lon[i];
        var list = entry.places.get(key);
        if (list) list.push(i);
        else entry.places.set(key, [i]);
      });
    }
    return entry.places.get(layer.lat[index] + "," + layer.lon[index]).filter(function (i) {
      return shown(entry, i);
    });
  }

  function flowsAt(entry, end) {
    var found = [];
    entry.layer.lines.forEach(function (line, i) {
      var point = end.role === "origin" ? line[0] : line[line.length - 1];
      if (point[0] === end.lat && point[1] === end.lon && shown(entry, i)) found.push(i);
    });
    return found;
  }

  function popupFor(entry, options) {
    var layer = entry.layer;
    if (layer.kind === "shapes") {
      return sectionsNode(layer.tips[options.geomapIndex], layer.rows[options.geomapIndex]);
    }
    var indices = options.geomapEnd
      ? flowsAt(entry, options.geomapEnd)
      : samePlace(entry, options.geomapIndex);
    var title = options.geomapEnd ? options.geomapEnd.label
      : indices.length > 1 ? indices.length + " events here" : "";
    return sectionsNode(title, indices.map(function (i) {
      return [layer.fields, rowValues(layer, layer.fields, i)];
    }));
  }

  // Popups fit the map and open clear of the controls (on a phone, the legend folds first).
  function popupOptions() {
    if (legendBox && geomapNarrow()) legendBox.open = false;
    var box = map.getContainer().getBoundingClientRect();
    var top = 0;
    var bottom = 0;
    document.querySelectorAll(".leaflet-top .leaflet-control").forEach(function (control) {
      top = Math.max(top, control.getBoundingClientRect().bottom - box.top);
    });
    document.querySelectorAll(".leaflet-bottom .leaflet-control").forEach(function (control) {
      bottom = Math.max(bottom, box.bottom - control.getBoundingClientRect().top);
    });
    var size = map.getSize();
    return {
      maxWidth: Math.max(160, Math.min(360, size.x - 60)),
      maxHeight: Math.max(120, Math.min(420, size.y - top - bottom - 60)),
      autoPanPaddingTopLeft: [10, top + 10],
      autoPanPaddingBottomRight: [10, bottom + 10],
    };
  }

  function tipFor(entry, options) {
    var layer = entry.layer;
    var indices = samePlace(entry, options.geomapIndex);
    var lines = indices.slice(0, GEOMAP_MAX_TIPS).map(function (i) { return tipText(layer, i); });
    if (indices.length > GEOMAP_MAX_TIPS) {
      lines.push("… and " + (indices.length - GEOMAP_MAX_TIPS) + " more");
    }
    return text("span", lines.join("\n"), "geomap-tip");
  }

  function delegate(entry) {
    entry.container.on("click", function (event) {
      var options = event.layer.options;
      if (options.geomapCluster) {
        var zoom = expansionZoom(entry, options.geomapCluster);
        map.setView(event.layer.getLatLng(), zoom);
        return;
      }
      if (options.geomapIndex === undefined && !options.geomapEnd) return;
      L.popup(popupOptions())
        .setLatLng(event.latlng)
        .setContent(popupFor(entry, options))
        .openOn(map);
    });
    entry.container.on("mouseover", function (event) {
      var options = event.layer.options;
      if (options.geomapIndex === undefined) return; // ends and clusters carry their own label
      tip.setLatLng(event.latlng).setContent(tipFor(entry, options)).addTo(map);
    });
    entry.container.on("mouseout", function () {
      tip.remove();
    });
  }

  function pointPart(layer, i) {
    return L.circleMarker([layer.lat[i], layer.lon[i]], {
      radius: layer.radius[i],
      color: "#222222",
      weight: 1,
      fillColor: layer.palette[layer.color[i]],
      fillOpacity: 0.8,
      geomapIndex: i,
      geomapId: layer.ids[i],
    });
  }

  function shapeParts(layer) {
    return layer.shapes.map(function (shape, i) {
      return L.geoJSON(shape, {
        style: { color: layer.palette[0], weight: layer.weight, fillOpacity: 0.15 },
        geomapIndex: i,
        geomapId: layer.ids[i],
      });
    });
  }

  function flowParts(layer) {
    var parts = layer.lines.map(function (line, i) {
      return L.polyline(line, {
        color: layer.palette[0],
        weight: layer.weight,
        opacity: 0.8,
        dashArray: "6 4",
        geomapIndex: i,
        geomapId: layer.ids[i],
      });
    });
    layer.ends.forEach(function (end) {
      var marker = L.circleMarker([end.lat, end.lon], {
        radius: end.role === "destination" ? layer.radius[1] : layer.radius[0],
        color: layer.palette[0],
        weight: 2,
        fillColor: end.role === "destination" ? layer.palette[0] : "#ffffff",
        fillOpacity: 0.9,
        geomapEnd: end,
      });
      marker.bindTooltip(text("span", end.label), {
        permanent: end.role === "destination",
        direction: "right",
        className: "geomap-label",
      });
      parts.push(marker);
    });
    return parts;
  }

  /* -- clustered layers ---------------------------------------------------------------------- */

  function part(entry, i) {
    return entry.parts[i] || (entry.parts[i] = pointPart(entry.layer, i));
  }

  function clusterMarker(level, zoom, k) {
    var count = level.count[k];
    var size = count < 10 ? "small" : count < 1000 ? "medium" : "large";
    var diameter = size === "small" ? 30 : size === "medium" ? 38 : 46;
    return L.marker([geomapLat(level.y[k]), (level.x[k] - 0.5) * 360], {
      icon: L.divIcon({
        html: text("span", count.toLocaleString("en")),
        className: "geomap-cluster geomap-cluster-" + size,
        iconSize: [diameter, diameter],
      }),
      title: count.toLocaleString("en") + " events: click to zoom in",
      keyboard: false,
      geomapCluster: { zoom: zoom, item: k, count: count },
    });
  }

  // The zoom at which a cluster splits into more than one item (or into its points).
  function expansionZoom(entry, cluster) {
    var zoom = cluster.zoom;
    var item = cluster.item;
    while (zoom < GEOMAP_UNCLUSTER_ZOOM) {
      var up = entry.levels[zoom].up;
      var children = [];
      for (var j = 0; j < up.length; j++) if (up[j] === item) children.push(j);
      zoom += 1;
      if (children.length !== 1) return zoom;
      item = children[0];
    }
    return GEOMAP_UNCLUSTER_ZOOM;
  }

  // Index the shown points of a clustered layer, one zoom level per task so the page answers.
  function buildClusters(entry) {
    var indices = [];
    for (var i = 0; i < entry.dates.length; i++) if (shown(entry, i)) indices.push(i);
    var levels = [];
    levels[GEOMAP_UNCLUSTER_ZOOM] = geomapLeaves(entry.layer, indices);
    var lowest = Math.max(0, Math.min(GEOMAP_UNCLUSTER_ZOOM, Math.floor(map.getMinZoom())));
    var zoom = GEOMAP_UNCLUSTER_ZOOM;
    entry.levels = null;
    return new Promise(function (resolve) {
      function step() {
        if (zoom > lowest) {
          zoom -= 1;
          levels[zoom] = geomapClusterLevel(levels[zoom + 1], zoom);
          setTimeout(step, 0);
          return;
        }
        entry.levels = levels;
        entry.lowest = lowest;
        resolve();
      }
      // Let the page paint what it has (outlines, other layers, controls) first.
      requestAnimationFrame(function () {
        setTimeout(step, 0);
      });
    });
  }

  // Show the clusters and points of the current view (with a margin), and only those.
  function drawClusters(entry) {
    if (!entry.levels || !entry.container._map) return;
    var zoom = Math.min(Math.max(Math.floor(map.getZoom()), entry.lowest), GEOMAP_UNCLUSTER_ZOOM);
    var level = entry.levels[zoom];
    var bounds = map.getBounds().pad(0.5);
    var found = geomapTreeSearch(level.tree,
      geomapX(Math.max(-180, bounds.getWest())), geomapY(Math.min(85.06, bounds.getNorth())),
      geomapX(Math.min(180, bounds.getEast())), geomapY(Math.max(-85.06, bounds.getSouth())),
      []);
    var next = new Map();
    found.forEach(function (k) {
      var leaf = level.leaf[k];
      var key = leaf >= 0 ? "p" + leaf : zoom + ":" + k;
      var layer = entry.drawn.get(key) || (leaf >= 0 ? part(entry, leaf) : clusterMarker(level, zoom, k));
      next.set(key, layer);
    });
    entry.drawn.forEach(function (layer, key) {
      if (!next.has(key)) entry.container.removeLayer(layer);
    });
    next.forEach(function (layer, key) {
      if (!entry.drawn.has(key)) entry.container.addLayer(layer);
    });
    entry.drawn = next;
  }

  function clearClusters(entry) {
    entry.drawn.forEach(function (layer) { entry.container.removeLayer(layer); });
    entry.drawn = new Map();
  }

  // Country shapes under lines, lines under markers, all above the country outlines. Every
  // vector feature shares one canvas, whose hit test picks the topmost feature under the
  // pointer (a canvas in another pane would take every click over the whole map), and a
  // layer ticked again in the layer control, or a feature the slider adds back, comes in on
  // top, so the order is set again after each change.
  function restack() {
    ["shapes", "flows", "points"].forEach(function (kind) {
      entries.forEach(function (entry) {
        if (entry.kind !== kind || !map.hasLayer(entry.container)) return;
        entry.container.eachLayer(function (layer) {
          if (layer.bringToFront) layer.bringToFront();
        });
      });
    });
  }

  /* -- the time slider: which features a layer holds --------------------------------------- */

  // Bring a layer in line with the wanted cutoff. A plain layer adds and removes only the
  // features whose date crosses it; a clustered one is indexed again (when it is shown).
  function apply(entry) {
    var cutoff = wanted;
    if (entry.cutoff === cutoff) return Promise.resolve();
    if (entry.layer.cluster) {
      if (!entry.container._map) return Promise.resolve();
      entry.cutoff = cutoff;
      return buildClusters(entry).then(function () {
        clearClusters(entry);
        drawClusters(entry);
      });
    }
    var before = entry.cutoff;
    entry.cutoff = cutoff;
    entry.parts.forEach(function (part, i) {
      var date = entry.dates[i];
      var was = before !== NONE && (date < 0 || date <= before);
      var now = date < 0 || date <= cutoff;
      if (now && !was) entry.container.addLayer(part);
      if (was && !now) entry.container.removeLayer(part);
    });
    return Promise.resolve();
  }

  function applyAll() {
    queue = queue.then(function () {
      return Promise.all(entries.map(apply)).then(restack);
    });
    return queue;
  }

  data.layers.forEach(function (layer) {
    var entry = { id: layer.id, kind: layer.kind, layer: layer, cutoff: NONE };
    entry.group = groups[layer.group];
    entry.container = L.featureGroup();
    if (layer.kind === "points") {
      entry.parts = layer.cluster ? [] : layer.lat.map(function (_lat, i) {
        return pointPart(layer, i);
      });
      entry.dates = layer.dates;
    } else {
      entry.parts = layer.kind === "shapes" ? shapeParts(layer) : flowParts(layer);
      entry.dates = entry.parts.map(function (part, i) {
        return part.options.geomapEnd ? part.options.geomapEnd.date : layer.dates[i];
      });
    }
    delegate(entry);
    entry.container.addTo(entry.group);
    if (layer.cluster) {
      entry.drawn = new Map();
      entry.levels = null;
      entry.container.on("add", function () {
        if (entry.cutoff !== wanted) applyAll();
        else drawClusters(entry);
      });
      map.on("moveend", function () {
        drawClusters(entry);
      });
    }
    entries.push(entry);
  });

  map.on("overlayadd", restack);

  var ready = applyAll().then(function () {
    performance.mark("geomap:ready");
  });

  if (data.dates.length > 1) {
    var slider = L.control({ position: "bottomleft" });
    slider.onAdd = function () {
      var box = L.DomUtil.create("div", "geomap-slider leaflet-bar");
      var label = text("div", "Events up to " + data.dates[lastDate]);
      var input = document.createElement("input");
      input.type = "range";
      input.min = 0;
      input.max = lastDate;
      input.step = 1;
      input.value = lastDate;
      input.setAttribute("aria-label", "Show events up to this date");
      input.addEventListener("input", function () {
        label.textContent = "Events up to " + data.dates[Number(input.value)];
        wanted = Number(input.value);
        applyAll();
      });
      box.appendChild(label);
      box.appendChild(input);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    slider.addTo(map);
  }

  var legendBox = null;
  if (data.legend.length) {
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var box = (legendBox = L.DomUtil.create("details", "geomap-legend"));
      box.open = !geomapNarrow();
      box.appendChild(text("summary", "Legend"));
      data.legend.forEach(function (section) {
        if (section.title) box.appendChild(text("strong", section.title));
        section.entries.forEach(function (item) {
          var row = document.createElement("div");
          var swatch = text("span", "", "geomap-swatch geomap-" + item[2]);
          swatch.style.background =
            item[2] === "line" ? "transparent" : item[2] === "origin" ? "#ffffff" : item[1];
          swatch.style.borderColor = item[1];
          row.appendChild(swatch);
          row.appendChild(document.createTextNode(item[0]));
          box.appendChild(row);
        });
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    legend.addTo(map);
  }

  geomapWatchTiles(map, base, restack);

  window.geomap = {
    map: map,
    layers: entries,
    ready: ready,
    // Settles once the layers hold the features of the slider's current position.
    settled: function () {
      return queue;
    },
  };
  performance.mark("geomap:built");
  return window.geomap;
}
