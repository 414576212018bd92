/* geomap's map runtime, 6/6: geomapRender, which draws a page's layers from its payload.
 *
 * The runtime's files, inlined in this order by geomap/render: payload.js (the payload's shape
 * and how columns are read), clusters.js (clusters per zoom), popups.js (popups and tooltips),
 * layers.js (Leaflet layers, clustered drawing, the time slider's effect), controls.js (tiles
 * and their offline fallback, slider, legend) and this file. Leaflet is inlined in the page.
 *
 * For tests and tools, `window.geomap` holds the map, each layer's entry (see layers.js), a
 * `ready` promise that settles once every shown layer is drawn, `settled()` for the slider
 * and `opened()`, which settles once the last popup or tooltip asked for is open.
 */
"use strict";

var GEOMAP_MAX_ZOOM = 18;

/**
 * Draw the payload's layers into their feature groups.
 *
 * @param {L.Map} map
 * @param {Object<number, L.FeatureGroup>} groups  the layer control's group of each layer
 * @param {Payload} data
 * @param {{tiles: ?L.TileLayer, offline: ?L.FeatureGroup, outline: L.FeatureGroup}} base
 */
function geomapRender(map, groups, data, base) {
  base = base || {};
  performance.mark("geomap:start");
  // Without a tile layer (self-contained maps) nothing sets a zoom range.
  if (map.options.maxZoom === undefined) map.setMaxZoom(GEOMAP_MAX_ZOOM);
  if (map.options.minZoom === undefined) map.setMinZoom(1);
  var state = {
    map: map,
    data: data,
    groups: groups,
    entries: [],
    wanted: data.dates.length - 1,
    queue: Promise.resolve(),
    opening: Promise.resolve(),
    tip: L.tooltip({ direction: "top", offset: [0, -6] }),
    legendBox: null,
  };
  data.layers.forEach(function (layer) {
    var entry = geomapEntry(state, layer);
    if (layer.cluster) geomapWatchClusters(state, entry);
    state.entries.push(entry);
  });
  map.on("overlayadd", function () {
    geomapRestack(state);
  });
  var ready = geomapApplyAll(state).then(function () {
    performance.mark("geomap:ready");
  });
  if (data.dates.length > 1) geomapSlider(state);
  if (data.legend.length) geomapLegend(state);
  geomapWatchTiles(state, base);
  window.geomap = {
    map: map,
    layers: state.entries,
    ready: ready,
    // Settles once the layers hold the features of the slider's current position.
    settled: function () {
      return state.queue;
    },
    opened: function () {
      return state.opening;
    },
  };
  performance.mark("geomap:built");
  return window.geomap;
}
