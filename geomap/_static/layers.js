/* geomap's map runtime, 4/6: the Leaflet layers of each payload layer, and what they hold.
 *
 * An entry is one payload layer: its decoded data, its Leaflet container (in the layer
 * control's feature group), its parts (markers, lines, outlines: for a clustered layer, those
 * made so far) and, for a clustered layer, the clusters and points drawn in the current view.
 * A point's marker is made the first time it is shown. `cutoff` is the last date index the
 * entry holds (the time slider's position when it was last brought in line).
 */
"use strict";

var GEOMAP_NONE = -2; // an entry's cutoff before any of its features was added
var GEOMAP_NUMBER = new Intl.NumberFormat("en"); // one formatter: toLocaleString makes one a call

/** The entry of a payload layer, its container added to its group. */
function geomapEntry(state, layer) {
  var entry = {
    id: layer.id,
    kind: layer.kind,
    layer: layer,
    cutoff: GEOMAP_NONE,
    group: state.groups[layer.group],
    container: L.featureGroup(),
    drawn: new Map(),
    levels: null,
    tallies: null,
  };
  if (layer.kind === "points") {
    // Decoded in a task of its own, after the one that makes the map.
    entry.data = null;
    entry.parts = layer.cluster ? [] : null; // made once the ids are read
    entry.loaded = geomapLater()
      .then(function () {
        entry.data = geomapPoints(layer);
        entry.dates = entry.data.dates;
        return geomapLoadColumn(entry.data.ids);
      })
      .then(function () {
        return geomapLoadSmall(entry.data.columns);
      });
  } else if (layer.kind === "flows") {
    entry.data = geomapFlows(layer);
    entry.parts = geomapFlowParts(layer);
    entry.dates = entry.parts.map(function (part, i) {
      return part.options.geomapEnd ? part.options.geomapEnd.date : layer.dates[i];
    });
    entry.loaded = geomapLoadSmall(entry.data.columns);
  } else {
    entry.data = { columns: {} };
    entry.parts = geomapShapeParts(layer);
    entry.dates = layer.dates;
    entry.loaded = Promise.resolve();
  }
  geomapDelegate(state, entry);
  entry.container.addTo(entry.group);
  return entry;
}

function geomapLater() {
  return new Promise(function (resolve) {
    setTimeout(resolve, 0);
  });
}

// Text columns of one chunk (a small layer) are read at once, so their popups open at once.
function geomapLoadSmall(columns) {
  return Promise.all(
    Object.keys(columns).map(function (field) {
      var column = columns[field];
      return column.chunks && column.chunks.length === 1 ? geomapLoadColumn(column) : null;
    })
  );
}

function geomapShown(entry, index) {
  var date = entry.dates[index];
  return entry.cutoff !== GEOMAP_NONE && (date < 0 || date <= entry.cutoff);
}

/* -- parts ------------------------------------------------------------------------------------ */

function geomapPointPart(entry, i) {
  var data = entry.data;
  return L.circleMarker([data.lat[i] / GEOMAP_SCALE, data.lon[i] / GEOMAP_SCALE], {
    radius: entry.layer.sizes[data.size[i]],
    color: "#222222",
    weight: 1,
    fillColor: entry.layer.palette[data.color[i]],
    fillOpacity: 0.8,
    geomapIndex: i,
    geomapId: geomapCell(data.ids, i),
  });
}

function geomapPart(entry, i) {
  return entry.parts[i] || (entry.parts[i] = geomapPointPart(entry, i));
}

function geomapShapeParts(layer) {
  return layer.shapes.map(function (shape, i) {
    return L.geoJSON(shape, {
      style: { color: layer.palette[0], weight: layer.weight, fillOpacity: 0.15 },
      geomapIndex: i,
      geomapId: layer.ids[i],
    });
  });
}

function geomapFlowParts(layer) {
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
    var destination = end.role === "destination";
    var marker = L.circleMarker([end.lat, end.lon], {
      radius: destination ? layer.radius[1] : layer.radius[0],
      color: layer.palette[0],
      weight: 2,
      fillColor: destination ? layer.palette[0] : "#ffffff",
      fillOpacity: 0.9,
      geomapEnd: end,
    });
    marker.bindTooltip(geomapText("span", end.label), {
      permanent: destination,
      direction: "right",
      className: "geomap-label",
    });
    parts.push(marker);
  });
  return parts;
}

/* -- what a click or a hover shows ------------------------------------------------------------ */

// The shown points at the same spot as point `index` (markers at one place stack exactly, and
// a person can only click the top one): its neighbours in the payload's order.
function geomapSamePlace(entry, index) {
  if (entry.kind !== "points") return [index];
  var lat = entry.data.lat;
  var lon = entry.data.lon;
  var first = index;
  var last = index;
  while (first > 0 && lat[first - 1] === lat[index] && lon[first - 1] === lon[index]) first--;
  while (last < lat.length - 1 && lat[last + 1] === lat[index] && lon[last + 1] === lon[index]) {
    last++;
  }
  var found = [];
  for (var i = first; i <= last; i++) if (geomapShown(entry, i)) found.push(i);
  return found;
}

function geomapFlowsAt(entry, end) {
  var found = [];
  entry.layer.lines.forEach(function (line, i) {
    var point = end.role === "origin" ? line[0] : line[line.length - 1];
    if (point[0] === end.lat && point[1] === end.lon && geomapShown(entry, i)) found.push(i);
  });
  return found;
}

/** The popup of a part (a promise: text columns are read when first needed). */
function geomapPopupFor(state, entry, options) {
  var layer = entry.layer;
  var labels = state.data.labels;
  if (layer.kind === "shapes") {
    var i = options.geomapIndex;
    return Promise.resolve(geomapSectionsNode(labels, layer.tips[i], layer.rows[i]));
  }
  var indices = options.geomapEnd
    ? geomapFlowsAt(entry, options.geomapEnd)
    : geomapSamePlace(entry, options.geomapIndex);
  var title = options.geomapEnd
    ? options.geomapEnd.label
    : indices.length > 1
      ? indices.length + " events here"
      : "";
  return geomapRowsPopup(labels, entry, title, indices);
}

function geomapTipFor(entry, options) {
  if (entry.kind === "shapes") {
    return Promise.resolve(
      geomapText("span", entry.layer.tips[options.geomapIndex], "geomap-tip")
    );
  }
  return geomapTipNode(entry, geomapSamePlace(entry, options.geomapIndex));
}

// One handler per entry for the clicks and hovers of all its parts.
function geomapDelegate(state, entry) {
  var map = state.map;
  var hovered = null;
  entry.container.on("click", function (event) {
    var options = event.layer.options;
    if (options.geomapCluster) {
      var cluster = options.geomapCluster;
      var zoom = geomapExpansionZoom(entry.levels, entry.tallies, cluster.zoom, cluster.item);
      map.setView(event.layer.getLatLng(), zoom);
      return;
    }
    if (options.geomapIndex === undefined && !options.geomapEnd) return;
    var latlng = event.latlng;
    state.opening = geomapPopupFor(state, entry, options).then(function (node) {
      L.popup(geomapPopupOptions(state)).setLatLng(latlng).setContent(node).openOn(map);
    });
  });
  entry.container.on("mouseover", function (event) {
    var options = event.layer.options;
    if (options.geomapIndex === undefined) return; // ends and clusters carry their own label
    var latlng = event.latlng;
    hovered = event.layer;
    var target = hovered;
    state.opening = geomapTipFor(entry, options).then(function (node) {
      if (hovered === target) state.tip.setLatLng(latlng).setContent(node).addTo(map);
    });
  });
  entry.container.on("mouseout", function () {
    hovered = null;
    state.tip.remove();
  });
}

/* -- clustered layers ------------------------------------------------------------------------- */

function geomapClusterMarker(tally, zoom, k) {
  var count = tally.count[k];
  var size = count < 10 ? "small" : count < 1000 ? "medium" : "large";
  var diameter = size === "small" ? 30 : size === "medium" ? 38 : 46;
  var lat = tally.lat[k] / count / GEOMAP_SCALE;
  var lon = tally.lon[k] / count / GEOMAP_SCALE;
  return L.marker([lat, lon], {
    icon: L.divIcon({
      html: geomapText("span", GEOMAP_NUMBER.format(count)),
      className: "geomap-cluster geomap-cluster-" + size,
      iconSize: [diameter, diameter],
    }),
    title: GEOMAP_NUMBER.format(count) + " events: click to zoom in",
    keyboard: false,
    geomapCluster: { zoom: zoom, item: k, count: count },
  });
}

/** Count what the entry's cutoff shows per cell, after a paint (the grid is made once). */
function geomapBuildClusters(entry) {
  return entry.loaded.then(function () {
    return new Promise(function (resolve) {
      requestAnimationFrame(function () {
        setTimeout(function () {
          if (!entry.levels) entry.levels = geomapGrid(entry.data.cell);
          setTimeout(function () {
            entry.tallies = geomapTally(entry.levels, entry.data, function (i) {
              return geomapShown(entry, i);
            });
            resolve();
          }, 0);
        }, 0);
      });
    });
  });
}

/** Show the clusters and points of the current view (with a margin), and only those. */
function geomapDrawClusters(state, entry) {
  if (!entry.tallies || !entry.container._map) return;
  var map = state.map;
  var zoom = Math.max(0, Math.floor(map.getZoom()));
  var bounds = map.getBounds().pad(0.5);
  var west = Math.max(-180, bounds.getWest());
  var east = Math.min(180, bounds.getEast());
  var north = Math.min(85.06, bounds.getNorth());
  var south = Math.max(-85.06, bounds.getSouth());
  var next = new Map();
  function leaf(i) {
    var key = "p" + i;
    next.set(key, entry.drawn.get(key) || geomapPart(entry, i));
  }
  if (zoom >= GEOMAP_UNCLUSTER_ZOOM) {
    var finest = entry.levels[GEOMAP_FINEST];
    var data = entry.data;
    var s = GEOMAP_SCALE;
    var box = [south * s, west * s, north * s, east * s];
    var cells = geomapCellsInView(finest, data.grid, GEOMAP_FINEST, west, north, east, south);
    cells.forEach(function (k) {
      for (var i = finest.starts[k]; i < finest.starts[k + 1]; i++) {
        var lat = data.lat[i];
        var lon = data.lon[i];
        if (lat < box[0] || lat > box[2] || lon < box[1] || lon > box[3]) continue;
        if (geomapShown(entry, i)) leaf(i);
      }
    });
  } else {
    var tally = entry.tallies[zoom];
    var level = entry.levels[zoom];
    geomapCellsInView(level, entry.data.grid, zoom, west, north, east, south).forEach(function (k) {
      var count = tally.count[k];
      if (count === 1) leaf(tally.single[k]);
      if (count < 2) return;
      var key = zoom + ":" + k;
      next.set(key, entry.drawn.get(key) || geomapClusterMarker(tally, zoom, k));
    });
  }
  entry.drawn.forEach(function (layer, key) {
    if (!next.has(key)) entry.container.removeLayer(layer);
  });
  next.forEach(function (layer, key) {
    if (!entry.drawn.has(key)) entry.container.addLayer(layer);
  });
  entry.drawn = next;
}

function geomapClearClusters(entry) {
  entry.drawn.forEach(function (layer) {
    entry.container.removeLayer(layer);
  });
  entry.drawn = new Map();
}

/* -- order and the time slider ---------------------------------------------------------------- */

// Country shapes under lines, lines under markers, all above the country outlines. Every
// vector feature shares one canvas, whose hit test picks the topmost feature under the
// pointer (a canvas in another pane would take every click over the whole map), and a
// layer ticked again in the layer control, or a feature the slider adds back, comes in on
// top, so the order is set again after each change.
function geomapRestack(state) {
  ["shapes", "flows", "points"].forEach(function (kind) {
    state.entries.forEach(function (entry) {
      if (entry.kind !== kind || !state.map.hasLayer(entry.container)) return;
      entry.container.eachLayer(function (layer) {
        if (layer.bringToFront) layer.bringToFront();
      });
    });
  });
}

// Bring an entry in line with the wanted cutoff. A plain layer adds and removes only the
// features whose date crosses it; a clustered one is counted again (when it is shown).
function geomapApply(state, entry) {
  var cutoff = state.wanted;
  if (entry.cutoff === cutoff) return Promise.resolve();
  if (entry.layer.cluster) {
    if (!entry.container._map) return Promise.resolve();
    entry.cutoff = cutoff;
    return geomapBuildClusters(entry).then(function () {
      geomapClearClusters(entry);
      geomapDrawClusters(state, entry);
    });
  }
  return entry.loaded.then(function () {
    if (!entry.parts) {
      entry.parts = [];
      for (var i = 0; i < entry.data.count; i++) entry.parts.push(geomapPointPart(entry, i));
    }
    var before = entry.cutoff;
    entry.cutoff = cutoff;
    entry.parts.forEach(function (part, i) {
      var date = entry.dates[i];
      var was = before !== GEOMAP_NONE && (date < 0 || date <= before);
      var now = date < 0 || date <= cutoff;
      if (now && !was) entry.container.addLayer(part);
      if (was && !now) entry.container.removeLayer(part);
    });
  });
}

/** Bring every entry in line with the slider, one change after the other. */
function geomapApplyAll(state) {
  state.queue = state.queue.then(function () {
    return Promise.all(
      state.entries.map(function (entry) {
        return geomapApply(state, entry);
      })
    ).then(function () {
      geomapRestack(state);
    });
  });
  return state.queue;
}

/** Redraw a clustered entry when it is ticked and when the map stops moving. */
function geomapWatchClusters(state, entry) {
  entry.container.on("add", function () {
    if (entry.cutoff !== state.wanted) geomapApplyAll(state);
    else geomapDrawClusters(state, entry);
  });
  state.map.on("moveend", function () {
    geomapDrawClusters(state, entry);
  });
}
