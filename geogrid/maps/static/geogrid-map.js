/* geogrid web maps: grid layers from compact data, labels in view, report markers, notes.
 * Loaded after Leaflet (and Leaflet.markercluster); it fetches nothing: every shape and
 * number comes from the page itself. */
(function () {
  "use strict";

  var geogrid = {};

  function esc(value) {
    return String(value === null || value === undefined ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }
  geogrid.esc = esc;

  // A ring is a flat list of integers: the first x, y pair absolute, the rest deltas, all in
  // 1/scale degrees. Deltas of neighbouring vertices are short numbers: pages stay small.
  function decodeRing(flat, scale) {
    var out = new Array(flat.length / 2);
    var x = 0;
    var y = 0;
    for (var i = 0; i < flat.length; i += 2) {
      x += flat[i];
      y += flat[i + 1];
      out[i / 2] = [y / scale, x / scale];
    }
    return out;
  }

  function decodePolygons(shape, scale) {
    return shape.map(function (polygon) {
      return polygon.map(function (ring) { return decodeRing(ring, scale); });
    });
  }

  function peopleText(indices, people) {
    return (indices || []).map(function (i) {
      var person = people[i];
      return esc(person[0]) + (person[1] ? " " + esc(person[1]) : "");
    }).join("<br>");
  }

  // Rows: [code, name, households, leaders, officers, police, shape]; people: [[name, phone]].
  function gridPopup(row, people, title) {
    var lines = [["编码", esc(row[0])], ["户数", esc(row[2])]];
    [["网格长", row[3]], ["网格信息员", row[4]], ["社区民警", row[5]]].forEach(function (role) {
      if (role[1] && role[1].length) lines.push([role[0], peopleText(role[1], people)]);
    });
    var body = lines.map(function (line) {
      return "<tr><th>" + line[0] + "</th><td>" + line[1] + "</td></tr>";
    }).join("");
    return "<div class=\"gg-popup\"><div class=\"gg-popup-kind\">" + esc(title) +
      "</div><b>" + esc(row[1]) + "</b><table>" + body + "</table></div>";
  }

  function labelText(row, level) {
    // Units are named after their grid ("...第3网格第6单元"): the last part is enough.
    var match = level === 3 ? /(第\d+单元)$/.exec(row[1]) : null;
    return match ? match[1] : row[1];
  }

  function overlaps(box, placed) {
    return placed.some(function (b) {
      return b[0] < box[2] && box[0] < b[2] && b[1] < box[3] && box[1] < b[3];
    });
  }

  // Permanent labels only for features in view and from each level's zoom on, communities
  // first, none over another: a county holds thousands of units and a label each would
  // bury the map and slow it down.
  function labelRegistry(map) {
    if (map.ggLabels) return map.ggLabels;
    var registry = {entries: [], labels: L.layerGroup().addTo(map), max: 400};
    function refresh() {
      registry.labels.clearLayers();
      var view = map.getBounds();
      var placed = [];
      registry.entries.forEach(function (entry) {
        if (!map.hasLayer(entry.group) || map.getZoom() < entry.minZoom) return;
        entry.each(function (layer) {
          if (placed.length >= registry.max || !view.intersects(layer.getBounds())) return;
          var center = layer.getBounds().getCenter();
          if (!view.contains(center)) return;
          var text = labelText(layer.ggRow, entry.level);
          var point = map.latLngToContainerPoint(center);
          var half = text.length * 6.5 + 4; // Chinese glyphs are about 12-14 px wide here
          var box = [point.x - half, point.y - 9, point.x + half, point.y + 9];
          if (overlaps(box, placed)) return;
          placed.push(box);
          registry.labels.addLayer(L.tooltip({
            permanent: true, direction: "center", interactive: false,
            className: "gg-label gg-label-" + entry.level
          }).setLatLng(center).setContent(esc(text)));
        });
      });
    }
    map.on("zoomend moveend overlayadd overlayremove", refresh);
    map.whenReady(refresh);
    registry.refresh = refresh;
    map.ggLabels = registry;
    return registry;
  }

  // `key` names a layer that is redrawn: its new group takes the place of the old one among
  // the labelled groups. `each` (optional) walks label sources {ggRow, getBounds} of a layer
  // that is not a group of polygons (a tile level).
  geogrid.viewLabels = function (map, group, level, minZoom, key, each) {
    var registry = labelRegistry(map);
    if (key) registry.entries = registry.entries.filter(function (e) { return e.key !== key; });
    registry.entries.push({group: group, level: level, minZoom: minZoom, key: key,
      each: each || function (fn) { group.eachLayer(fn); }});
    registry.entries.sort(function (a, b) { return a.level - b.level; });
  };

  // Labels again after a layer's content changed without the map moving (a fetch arrived).
  geogrid.refreshLabels = function (map) {
    if (map.ggLabels) map.ggLabels.refresh();
  };

  // Each grid level drawn the same on every map; `style` comes from geogrid/maps/styles.py.
  geogrid.gridPolygon = function (row, scale, style) {
    var polygon = L.polygon(decodePolygons(row[6], scale), style);
    polygon.ggRow = row;
    return polygon;
  };

  geogrid.gridLayer = function (map, data, people, options) {
    var group = L.featureGroup();
    data.rows.forEach(function (row) {
      group.addLayer(geogrid.gridPolygon(row, data.scale, options.style));
    });
    group.bindTooltip(function (layer) { return esc(layer.ggRow[1]); }, {sticky: true});
    if (options.onClick) {
      // The console opens its side panel (read from the server) instead of a popup.
      group.on("click", function (event) { options.onClick(event.layer.ggRow, data.level); });
    } else {
      group.bindPopup(function (layer) { return gridPopup(layer.ggRow, people, options.title); });
    }
    if (options.labelZoom !== null && options.labelZoom !== undefined) {
      geogrid.viewLabels(map, group, data.level, options.labelZoom, options.key);
    }
    return group;
  };

  // Community outlines under everything else; they take no clicks.
  geogrid.outlineLayer = function (data, options) {
    var group = L.featureGroup();
    data.rows.forEach(function (row) {
      group.addLayer(L.polygon(decodePolygons(row[6], data.scale), options.style));
    });
    return group;
  };

  geogrid.lineLayer = function (data, options) {
    var group = L.featureGroup();
    data.rows.forEach(function (row) {
      var lines = row[1].map(function (line) { return decodeRing(line, data.scale); });
      var polyline = L.polyline(lines, options.style);
      if (row[0]) polyline.bindTooltip(esc(row[0]), {sticky: true});
      group.addLayer(polyline);
    });
    return group;
  };

  function colorOf(count, breaks, colors) {
    for (var i = breaks.length - 1; i >= 0; i -= 1) {
      if (count >= breaks[i]) return colors[i];
    }
    return colors[0];
  }

  // The choropleth reuses the level-2 shapes already in the page; `counts` follows its rows.
  geogrid.choropleth = function (data, counts, options) {
    var group = L.featureGroup();
    data.rows.forEach(function (row, i) {
      var count = counts[i] || 0;
      var style = Object.assign({}, options.style, {
        fillColor: colorOf(count, options.breaks, options.colors)
      });
      var polygon = L.polygon(decodePolygons(row[6], data.scale), style);
      polygon.ggRow = row;
      polygon.ggCount = count;
      group.addLayer(polygon);
    });
    group.bindPopup(function (layer) {
      return "<div class=\"gg-popup\"><b>" + esc(layer.ggRow[1]) + "</b><br>" +
        esc(layer.ggRow[0]) + "<br>" + esc(options.month) + " 上报 " + layer.ggCount + " 条</div>";
    });
    return group;
  };

  // Report rows: [lat, lon, category index, time, status, grid name, text] and, on the
  // console (data.byStatus), [..., report id, status key, overdue]: coloured by state, an
  // overdue case ringed in red, the popup linking to the case page (data.caseUrl + id).
  function markerStyle(row, category, data) {
    var style = {radius: 6, weight: 1, color: "#333", fillOpacity: 0.9,
      fillColor: data.colors[category[1]] || "#777"};
    if (data.byStatus) {
      style.fillColor = data.byStatus[row[8]] || "#777";
      if (row[9]) {
        style.color = data.overdueColor;
        style.weight = 3;
      }
    }
    return style;
  }

  function reportPopup(row, category, data) {
    var lines = "<tr><th>状态</th><td>" + esc(row[4]) + (row[9] ? " <b class=\"gg-overdue\">已超期</b>" : "") +
      "</td></tr><tr><th>网格</th><td>" + esc(row[5]) + "</td></tr>";
    var link = data.caseUrl && row[7] ?
      "<p><a href=\"" + esc(data.caseUrl + row[7]) + "\">查看案件</a></p>" : "";
    return "<div class=\"gg-popup\"><div class=\"gg-popup-kind\">" + esc(category[0]) +
      "</div><b>" + esc(row[3]) + "</b><table>" + lines + "</table>" +
      (row[6] ? "<p>" + esc(row[6]) + "</p>" : "") + link + "</div>";
  }

  geogrid.reportMarkers = function (cluster, data) {
    var markers = data.rows.map(function (row) {
      var category = data.categories[row[2]];
      var marker = L.circleMarker([row[0], row[1]], markerStyle(row, category, data));
      marker.bindPopup(function () { return reportPopup(row, category, data); });
      return marker;
    });
    cluster.addLayers(markers);
    return cluster;
  };

  // Heat cells {x0, y0, dx, dy, cells: [ix, iy, count, ...]} (indices relative to x0, y0)
  // -> [lat, lon, count] for Leaflet.heat.
  geogrid.heatCells = function (data) {
    var out = [];
    for (var i = 0; i < data.cells.length; i += 3) {
      out.push([(data.y0 + data.cells[i + 1] + 0.5) * data.dy,
        (data.x0 + data.cells[i] + 0.5) * data.dx, data.cells[i + 2]]);
    }
    return out;
  };

  // A heatmap of cells (Leaflet.heat), the same on the exported and the console's maps.
  geogrid.heatLayer = function (data, options) {
    return L.heatLayer(geogrid.heatCells(data), options);
  };

  // Stations as labelled dots: [code, name, phone, lat, lon].
  geogrid.stationLayer = function (rows) {
    var group = L.featureGroup();
    rows.forEach(function (row) {
      var marker = L.circleMarker([row[3], row[4]], {radius: 7, weight: 2, color: "#fff",
        fillColor: "#c92a2a", fillOpacity: 1});
      marker.bindTooltip(esc(row[1]), {permanent: true, direction: "right",
        className: "gg-label gg-label-station"});
      marker.bindPopup("<div class=\"gg-popup\"><div class=\"gg-popup-kind\">派出所</div><b>" +
        esc(row[1]) + "</b><br>" + esc(row[0]) + (row[2] ? "<br>" + esc(row[2]) : "") + "</div>");
      group.addLayer(marker);
    });
    return group;
  };

  // A box on the map with text written in Python (already escaped there).
  geogrid.note = function (map, html, position, className) {
    var control = L.control({position: position});
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "gg-note " + (className || ""));
      box.innerHTML = html;
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
    return control;
  };

  // A legend shown only while its layer is on the map.
  geogrid.legendFor = function (map, layer, html) {
    var legend = null;
    function sync() {
      var on = map.hasLayer(layer);
      if (on && !legend) legend = geogrid.note(map, html, "bottomright", "gg-legend");
      if (!on && legend) {
        legend.remove();
        legend = null;
      }
    }
    map.on("overlayadd overlayremove", sync);
    map.whenReady(sync);
  };

  window.geogrid = geogrid;
})();
