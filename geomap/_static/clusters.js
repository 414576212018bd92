/* geomap's map runtime, 2/6: clusters of a point layer, per zoom.
 *
 * Python sorts a layer's points by the Morton code of their cell in a grid of 2^grid cells a side
 * (Web Mercator; a cell is 128 pixels at zoom 9). A cell at zoom z (2^(grid - 9 + z) cells a
 * side) is a run of that order, the points whose code shares its top bits, so each zoom's cells
 * are found in one pass over the cells of the zoom above, and those in view by binary searches.
 * What the time slider shows is tallied per cell in one pass over the points: a cell of one
 * shown point draws that point, a cell of more draws a cluster at their mean position. From
 * zoom 10 on, every shown point in view is drawn.
 */
"use strict";

var GEOMAP_UNCLUSTER_ZOOM = 10; // from this zoom on, a clustered layer draws every point
var GEOMAP_FINEST = GEOMAP_UNCLUSTER_ZOOM - 1; // the zoom of the grid the codes are made in

function geomapX(lon) {
  return lon / 360 + 0.5;
}

function geomapY(lat) {
  var sin = Math.sin((lat * Math.PI) / 180);
  var y = 0.5 - (0.25 * Math.log((1 + sin) / (1 - sin))) / Math.PI;
  return y < 0 ? 0 : y > 1 ? 1 : y;
}

// The bits of v (16 at most) moved to even positions, as in payload.py's _spread.
function geomapSpread(v) {
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  return (v | (v << 1)) & 0x55555555;
}

/** The cells of every clustering zoom: keys (Morton codes at that zoom) and runs of points. */
function geomapGrid(codes) {
  var levels = [];
  levels[GEOMAP_FINEST] = geomapRuns(codes, null);
  for (var zoom = GEOMAP_FINEST - 1; zoom >= 0; zoom--) {
    levels[zoom] = geomapRuns(levels[zoom + 1].keys, levels[zoom + 1].starts);
  }
  return levels;
}

// Runs of equal keys >>> 2 (or, with starts == null, of equal codes) as a level of cells.
function geomapRuns(keys, starts) {
  var n = keys.length;
  var shift = starts ? 2 : 0;
  var outKeys = new Uint32Array(n);
  var outStarts = new Uint32Array(n + 1);
  var m = 0;
  var last = -1;
  for (var i = 0; i < n; i++) {
    var key = keys[i] >>> shift;
    if (key !== last) {
      outKeys[m] = key;
      outStarts[m] = starts ? starts[i] : i;
      m++;
      last = key;
    }
  }
  outStarts[m] = starts ? starts[n] : n;
  return { keys: outKeys.slice(0, m), starts: outStarts.slice(0, m + 1) };
}

/** Per cell of every level: shown points, their mean position, and the point when one. */
function geomapTally(levels, points, shown) {
  var finest = levels[GEOMAP_FINEST];
  var tallies = [];
  tallies[GEOMAP_FINEST] = geomapTallyPoints(finest, points, shown);
  for (var zoom = GEOMAP_FINEST - 1; zoom >= 0; zoom--) {
    tallies[zoom] = geomapTallyCells(levels[zoom], levels[zoom + 1], tallies[zoom + 1]);
  }
  return tallies;
}

function geomapNewTally(m) {
  return {
    count: new Uint32Array(m),
    lat: new Float64Array(m),
    lon: new Float64Array(m),
    single: new Int32Array(m),
  };
}

function geomapTallyPoints(level, points, shown) {
  var m = level.keys.length;
  var tally = geomapNewTally(m);
  for (var k = 0; k < m; k++) {
    var count = 0;
    var lat = 0;
    var lon = 0;
    var single = -1;
    for (var i = level.starts[k]; i < level.starts[k + 1]; i++) {
      if (!shown(i)) continue;
      count++;
      lat += points.lat[i];
      lon += points.lon[i];
      single = i;
    }
    tally.count[k] = count;
    tally.lat[k] = lat;
    tally.lon[k] = lon;
    tally.single[k] = single;
  }
  return tally;
}

// A coarser level's tally from the finer one's: its cells are runs of the finer cells.
function geomapTallyCells(level, finer, finerTally) {
  var m = level.keys.length;
  var tally = geomapNewTally(m);
  var j = 0;
  for (var k = 0; k < m; k++) {
    var end = level.starts[k + 1];
    var single = -1;
    while (j < finer.keys.length && finer.starts[j] < end) {
      var c = finerTally.count[j];
      if (c) {
        tally.count[k] += c;
        tally.lat[k] += finerTally.lat[j];
        tally.lon[k] += finerTally.lon[j];
        single = finerTally.single[j];
      }
      j++;
    }
    tally.single[k] = single;
  }
  return tally;
}

/** Indexes of the cells of `level` (at `zoom`, in a grid of `grid` bits at zoom 9) in the box,
 * by a binary search per grid cell. */
function geomapCellsInView(level, grid, zoom, west, north, east, south) {
  var size = 1 << (grid - GEOMAP_FINEST + zoom);
  var found = [];
  var x0 = geomapGridIndex(geomapX(west), size);
  var x1 = geomapGridIndex(geomapX(east), size);
  var y0 = geomapGridIndex(geomapY(north), size);
  var y1 = geomapGridIndex(geomapY(south), size);
  for (var gy = y0; gy <= y1; gy++) {
    var row = geomapSpread(gy) << 1;
    for (var gx = x0; gx <= x1; gx++) {
      var k = geomapFind(level.keys, (geomapSpread(gx) | row) >>> 0);
      if (k >= 0) found.push(k);
    }
  }
  return found;
}

function geomapGridIndex(share, size) {
  var index = Math.floor(share * size);
  return index < 0 ? 0 : index >= size ? size - 1 : index;
}

function geomapFind(keys, key) {
  var low = 0;
  var high = keys.length - 1;
  while (low <= high) {
    var middle = (low + high) >> 1;
    var value = keys[middle];
    if (value === key) return middle;
    if (value < key) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/** The first cell of `level` whose run starts at or after point `start`. */
function geomapFirstCell(level, start) {
  var low = 0;
  var high = level.keys.length;
  while (low < high) {
    var middle = (low + high) >> 1;
    if (level.starts[middle] < start) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The zoom at which cell `item` of `zoom` splits into more than one shown item. */
function geomapExpansionZoom(levels, tallies, zoom, item) {
  var start = levels[zoom].starts[item];
  var end = levels[zoom].starts[item + 1];
  for (var z = zoom + 1; z <= GEOMAP_FINEST; z++) {
    var level = levels[z];
    var shown = 0;
    for (var k = geomapFirstCell(level, start); k < level.keys.length; k++) {
      if (level.starts[k] >= end) break;
      if (tallies[z].count[k]) shown++;
    }
    if (shown > 1) return z;
  }
  return GEOMAP_UNCLUSTER_ZOOM;
}
