/* geomap's map runtime, 5/6: the controls: layer control on phones, tiles and their offline
 * fallback, the time slider and the legend.
 *
 * When the page offers OpenStreetMap's tiles and none can load (no network), it switches to
 * the offline country outlines and says so in the header. Below 600 px of width the layer
 * control and the legend start collapsed.
 */
"use strict";

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
function geomapWatchTiles(state, base) {
  var map = state.map;
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
      geomapRestack(state);
    }
  });
}

/** The time slider (when events carry several dates): events up to the chosen date. */
function geomapSlider(state) {
  var dates = state.data.dates;
  var last = dates.length - 1;
  var slider = L.control({ position: "bottomleft" });
  slider.onAdd = function () {
    var box = L.DomUtil.create("div", "geomap-slider leaflet-bar");
    var label = geomapText("div", "Events up to " + dates[last]);
    var input = document.createElement("input");
    input.type = "range";
    input.min = 0;
    input.max = last;
    input.step = 1;
    input.value = last;
    input.setAttribute("aria-label", "Show events up to this date");
    input.addEventListener("input", function () {
      label.textContent = "Events up to " + dates[Number(input.value)];
      state.wanted = Number(input.value);
      geomapApplyAll(state);
    });
    box.appendChild(label);
    box.appendChild(input);
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };
  slider.addTo(state.map);
}

function geomapLegendRow(item) {
  var row = document.createElement("div");
  var swatch = geomapText("span", "", "geomap-swatch geomap-" + item[2]);
  swatch.style.background =
    item[2] === "line" ? "transparent" : item[2] === "origin" ? "#ffffff" : item[1];
  swatch.style.borderColor = item[1];
  row.appendChild(swatch);
  row.appendChild(document.createTextNode(item[0]));
  return row;
}

/** The legend: one section per layer, folded on a phone. */
function geomapLegend(state) {
  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var box = (state.legendBox = L.DomUtil.create("details", "geomap-legend"));
    box.open = !geomapNarrow();
    box.appendChild(geomapText("summary", "Legend"));
    state.data.legend.forEach(function (section) {
      if (section.title) box.appendChild(geomapText("strong", section.title));
      section.entries.forEach(function (item) {
        box.appendChild(geomapLegendRow(item));
      });
    });
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };
  legend.addTo(state.map);
}
