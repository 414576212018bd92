/* geomap's map runtime: draws the layers from the data the page carries.
 *
 * Every string from an article reaches the page as JSON data and is shown with textContent,
 * never parsed as HTML or evaluated, so text such as <script>, ${...} or {{ ... }} stays text.
 */
"use strict";

function geomapRender(map, groups, data) {
  var all = [];
  // Country shapes lie under lines and markers, so a marker inside a country stays clickable.
  map.createPane("geomapShapes").style.zIndex = 350;
  var tip = L.tooltip({ direction: "top", offset: [0, -6] });

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
      if (field === "source" && /^https?:\/\//i.test(value)) {
        var link = text("a", value);
        link.href = value;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        cell.appendChild(link);
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

  // Every event of the layer at the clicked point, so stacked markers hide nothing.
  function pointPopup(layer, index) {
    var here = [];
    for (var j = 0; j < layer.lat.length; j++) {
      if (layer.lat[j] === layer.lat[index] && layer.lon[j] === layer.lon[index]) here.push(j);
    }
    if (here.length === 1) return popupNode(layer.fields, rowValues(layer, layer.fields, index));
    var title = here.length + " events here";
    return sectionsNode(title, here.map(function (j) {
      return [layer.fields, rowValues(layer, layer.fields, j)];
    }));
  }

  function sectionsNode(title, sections) {
    var box = document.createElement("div");
    box.className = "geomap-popup";
    box.appendChild(text("h4", title));
    sections.forEach(function (section) {
      box.appendChild(popupNode(section[0], section[1]));
    });
    return box;
  }

  function delegate(container, layer) {
    container.on("click", function (event) {
      var index = event.layer.options.geomapIndex;
      if (index === undefined) return;
      var node = layer.kind === "shapes"
        ? sectionsNode(layer.tips[index], layer.rows[index])
        : layer.kind === "points" ? pointPopup(layer, index)
        : popupNode(layer.fields, rowValues(layer, layer.fields, index));
      L.popup({ maxWidth: 360, maxHeight: 420 }).setLatLng(event.latlng).setContent(node).openOn(map);
    });
    container.on("mouseover", function (event) {
      var index = event.layer.options.geomapIndex;
      if (index === undefined) return;
      tip.setLatLng(event.latlng).setContent(text("span", tipText(layer, index))).addTo(map);
    });
    container.on("mouseout", function () {
      tip.remove();
    });
  }

  function pointLayers(layer) {
    return layer.lat.map(function (lat, i) {
      return L.circleMarker([lat, layer.lon[i]], {
        radius: layer.radius[i],
        color: "#222222",
        weight: 1,
        fillColor: layer.palette[layer.color[i]],
        fillOpacity: 0.8,
        geomapIndex: i,
        geomapId: layer.ids[i],
      });
    });
  }

  function shapeLayers(layer) {
    return layer.shapes.map(function (shape, i) {
      return L.geoJSON(shape, {
        style: { color: layer.palette[0], weight: layer.weight, fillOpacity: 0.15 },
        pane: "geomapShapes",
        geomapIndex: i,
        geomapId: layer.ids[i],
      });
    });
  }

  function flowLayers(layer) {
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
        geomapEnd: end.role,
      });
      marker.bindTooltip(text("span", end.label), {
        permanent: end.role === "destination",
        direction: "right",
        className: "geomap-label",
      });
      marker.geomapDate = end.date;
      parts.push(marker);
    });
    return parts;
  }

  function setVisibleUpTo(cutoff) {
    all.forEach(function (entry) {
      var show = entry.date < 0 || entry.date <= cutoff;
      var shown = entry.container.hasLayer(entry.part);
      if (show && !shown) entry.container.addLayer(entry.part);
      if (!show && shown) entry.container.removeLayer(entry.part);
    });
  }

  data.layers.forEach(function (layer) {
    var group = groups[layer.group];
    var container = layer.cluster
      ? L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false })
      : L.featureGroup();
    var parts = layer.kind === "points" ? pointLayers(layer)
      : layer.kind === "shapes" ? shapeLayers(layer) : flowLayers(layer);
    parts.forEach(function (part, i) {
      var date = part.geomapDate !== undefined ? part.geomapDate : layer.dates[i];
      all.push({ container: container, part: part, date: date });
    });
    if (layer.cluster) container.addLayers(parts);
    else parts.forEach(function (part) { container.addLayer(part); });
    delegate(container, layer);
    container.addTo(group);
  });

  if (data.dates.length > 1) {
    var slider = L.control({ position: "bottomleft" });
    slider.onAdd = function () {
      var box = L.DomUtil.create("div", "geomap-slider leaflet-bar");
      var label = text("div", "");
      var input = document.createElement("input");
      input.type = "range";
      input.min = 0;
      input.max = data.dates.length - 1;
      input.step = 1;
      input.value = data.dates.length - 1;
      input.setAttribute("aria-label", "Show events up to this date");
      function update() {
        label.textContent = "Events up to " + data.dates[Number(input.value)];
        setVisibleUpTo(Number(input.value));
      }
      input.addEventListener("input", update);
      box.appendChild(label);
      box.appendChild(input);
      L.DomEvent.disableClickPropagation(box);
      update();
      return box;
    };
    slider.addTo(map);
  }

  if (data.legend.length) {
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var box = L.DomUtil.create("div", "geomap-legend");
      data.legend.forEach(function (section) {
        if (section.title) box.appendChild(text("strong", section.title));
        section.entries.forEach(function (entry) {
          var row = document.createElement("div");
          var swatch = text("span", "", "geomap-swatch geomap-" + entry[2]);
          swatch.style.background =
            entry[2] === "line" ? "transparent" : entry[2] === "origin" ? "#ffffff" : entry[1];
          swatch.style.borderColor = entry[1];
          row.appendChild(swatch);
          row.appendChild(document.createTextNode(entry[0]));
          box.appendChild(row);
        });
      });
      return box;
    };
    legend.addTo(map);
  }
}
