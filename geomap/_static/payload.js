/* geomap's map runtime, 1/6: the page's data and how it is read.
 *
 * The payload is a JSON element of the page (never script source), made by
 * geomap/render/payload.py, whose TypedDicts are the one definition of its shape:
 *
 * @typedef {{type: string, base64: string}} TypedArrayData  little-endian bytes
 * @typedef {{values: Array<?string>, index: ?TypedArrayData}} DictColumn
 *   row i shows values[index[i]] (values[0] when index is null)
 * @typedef {{chunk: number, chunks: string[]}} TextColumn
 *   row i is item i % chunk of the JSON list chunks[i / chunk] inflates to (zlib, base64)
 * @typedef {{id: string, kind: string, cluster: boolean, fields: string[], weight: number,
 *   radius: number[], group: number}} Layer  what every layer has
 * @typedef {Layer & {count: number, ids: TextColumn, lat: TypedArrayData,
 *   lon: TypedArrayData, grid: number, cell: TypedArrayData, palette: string[],
 *   color: TypedArrayData, sizes: number[], size: TypedArrayData, dates: TypedArrayData,
 *   tipFields: string[], joiner: string,
 *   columns: Object<string, (DictColumn|TextColumn)>}} PointLayer
 *   lat/lon: Int32 degrees × 100,000; cell: Uint32 Morton code of the point's cell in a grid
 *   of 2^grid cells a side at zoom 9 (points sorted by it); color: index into palette; size:
 *   index into sizes (radii in pixels); dates: index into Payload.dates, -1 undated
 * @typedef {Layer & {ids: string[], lines: number[][][], ends: Object[], palette: string[],
 *   dates: number[], tipFields: string[], joiner: string,
 *   columns: Object<string, (DictColumn|TextColumn)>}} FlowLayer
 * @typedef {Layer & {ids: string[], shapes: Object[], palette: string[], dates: number[],
 *   rows: Array, tips: string[]}} ShapeLayer
 * @typedef {{labels: Object<string, string>, dates: string[],
 *   layers: Array<(PointLayer|FlowLayer|ShapeLayer)>,
 *   legend: Array<{title: string, entries: string[][]}>}} Payload
 *
 * Every string from an article reaches the page as JSON data (inside the compressed chunks too)
 * and is shown with textContent, never parsed as HTML or evaluated.
 */
"use strict";

var GEOMAP_SCALE = 100000; // Int32 coordinates per degree
var GEOMAP_ARRAYS = {
  Int8: Int8Array,
  Uint8: Uint8Array,
  Int16: Int16Array,
  Uint16: Uint16Array,
  Int32: Int32Array,
  Uint32: Uint32Array,
  Float32: Float32Array,
};

function geomapBytes(base64) {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(base64); // native where available
  var text = atob(base64);
  var bytes = new Uint8Array(text.length);
  for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** @param {TypedArrayData} data */
function geomapArray(data) {
  var Type = GEOMAP_ARRAYS[data.type];
  if (!Type) throw new TypeError("geomap: unknown array type");
  return new Type(geomapBytes(data.base64).buffer);
}

/** A column as the runtime reads it; a text column's chunks are inflated when first needed. */
function geomapColumn(data) {
  if (data.chunks) return { chunk: data.chunk, chunks: data.chunks, rows: [], pending: [] };
  return { values: data.values, index: data.index ? geomapArray(data.index) : null };
}

/** Row i of a column (null while its chunk is not loaded: see geomapLoadRows). */
function geomapCell(column, i) {
  if (column.values) return column.values[column.index ? column.index[i] : 0];
  var rows = column.rows[Math.floor(i / column.chunk)];
  return rows ? rows[i % column.chunk] : null;
}

function geomapInflate(base64) {
  var stream = new Blob([geomapBytes(base64)]).stream();
  return new Response(stream.pipeThrough(new DecompressionStream("deflate")))
    .text()
    .then(JSON.parse);
}

function geomapLoadChunk(column, c) {
  if (!column.pending[c]) {
    column.pending[c] = geomapInflate(column.chunks[c]).then(function (rows) {
      column.rows[c] = rows;
    });
  }
  return column.pending[c];
}

/** Settles once geomapCell can read rows `indices` of every column of `columns`. */
function geomapLoadRows(columns, indices) {
  var waits = [];
  columns.forEach(function (column) {
    if (column.values) return;
    indices.forEach(function (i) {
      var c = Math.floor(i / column.chunk);
      if (!column.rows[c]) waits.push(geomapLoadChunk(column, c));
    });
  });
  return Promise.all(waits);
}

var GEOMAP_INFLATING = 4; // chunks of a column inflated at a time, each in its own tasks

/** Settles once every row of a column can be read (its chunks inflated a few at a time, so
 * that no task of the page takes them all). */
function geomapLoadColumn(column) {
  if (column.values) return Promise.resolve();
  var next = 0;
  function more() {
    if (next >= column.chunks.length) return Promise.resolve();
    return geomapLoadChunk(column, next++).then(more);
  }
  var runs = [];
  for (var i = 0; i < GEOMAP_INFLATING; i++) runs.push(more());
  return Promise.all(runs);
}

/** The typed arrays and columns of a point layer. */
function geomapPoints(layer) {
  var columns = {};
  Object.keys(layer.columns).forEach(function (field) {
    columns[field] = geomapColumn(layer.columns[field]);
  });
  return {
    count: layer.count,
    grid: layer.grid,
    lat: geomapArray(layer.lat),
    lon: geomapArray(layer.lon),
    cell: geomapArray(layer.cell),
    color: geomapArray(layer.color),
    size: geomapArray(layer.size),
    dates: geomapArray(layer.dates),
    ids: geomapColumn(layer.ids),
    columns: columns,
  };
}

/** The columns of a flow layer. */
function geomapFlows(layer) {
  var columns = {};
  Object.keys(layer.columns).forEach(function (field) {
    columns[field] = geomapColumn(layer.columns[field]);
  });
  return { columns: columns };
}
