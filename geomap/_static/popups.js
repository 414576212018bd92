/* geomap's map runtime, 3/6: popups and tooltips, built when opened from the columns.
 *
 * Every value is put in the page with textContent (or as a text node); a source is a link only
 * when it is an http(s) address.
 */
"use strict";

var GEOMAP_MAX_TIPS = 4;

function geomapText(tag, value, className) {
  var node = document.createElement(tag);
  node.textContent = value;
  if (className) node.className = className;
  return node;
}

// A merged event lists each of its sources, joined with "; ": each address a link.
function geomapSourceCell(value) {
  var cell = document.createElement("td");
  String(value)
    .split("; ")
    .forEach(function (part, j) {
      if (j > 0) cell.appendChild(document.createTextNode("; "));
      if (/^https?:\/\//i.test(part)) {
        var link = geomapText("a", part);
        link.href = part;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        cell.appendChild(link);
      } else {
        cell.appendChild(document.createTextNode(part));
      }
    });
  return cell;
}

/** One event's table of fields (and its evidence as a quotation). */
function geomapPopupNode(labels, fields, values) {
  var box = document.createElement("div");
  box.className = "geomap-popup";
  var table = document.createElement("table");
  fields.forEach(function (field, i) {
    var value = values[i];
    if (value === null || value === undefined || value === "") return;
    if (field === "evidence") {
      box.appendChild(geomapText("blockquote", value, "geomap-evidence"));
      return;
    }
    var row = document.createElement("tr");
    row.appendChild(geomapText("th", labels[field] || field));
    row.appendChild(field === "source" ? geomapSourceCell(value) : geomapText("td", value));
    table.appendChild(row);
  });
  box.insertBefore(table, box.firstChild);
  return box;
}

/** A popup of several sections (fields, values), under a title. */
function geomapSectionsNode(labels, title, sections) {
  var box = document.createElement("div");
  box.className = "geomap-popup";
  if (title) box.appendChild(geomapText("h4", title));
  sections.forEach(function (section, i) {
    if (i > 0) box.appendChild(document.createElement("hr"));
    box.appendChild(geomapPopupNode(labels, section[0], section[1]));
  });
  return box;
}

function geomapRowValues(columns, fields, index) {
  return fields.map(function (field) {
    return geomapCell(columns[field], index);
  });
}

function geomapColumnsOf(columns, fields) {
  return fields.map(function (field) {
    return columns[field];
  });
}

/** The popup of features `indices` of a points or flows entry, once their rows are loaded. */
function geomapRowsPopup(labels, entry, title, indices) {
  var layer = entry.layer;
  var columns = entry.data.columns;
  return geomapLoadRows(geomapColumnsOf(columns, layer.fields), indices).then(function () {
    return geomapSectionsNode(
      labels,
      title,
      indices.map(function (i) {
        return [layer.fields, geomapRowValues(columns, layer.fields, i)];
      })
    );
  });
}

/** The tooltip of features `indices` (the first few, and how many more). */
function geomapTipNode(entry, indices) {
  var layer = entry.layer;
  var columns = entry.data.columns;
  var first = indices.slice(0, GEOMAP_MAX_TIPS);
  return geomapLoadRows(geomapColumnsOf(columns, layer.tipFields), first).then(function () {
    var lines = first.map(function (i) {
      return geomapRowValues(columns, layer.tipFields, i).filter(Boolean).join(layer.joiner);
    });
    if (indices.length > GEOMAP_MAX_TIPS) {
      lines.push("… and " + (indices.length - GEOMAP_MAX_TIPS) + " more");
    }
    return geomapText("span", lines.join("\n"), "geomap-tip");
  });
}

// Popups fit the map and open clear of the controls (on a phone, the legend folds first).
function geomapPopupOptions(state) {
  var map = state.map;
  if (state.legendBox && geomapNarrow()) state.legendBox.open = false;
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
