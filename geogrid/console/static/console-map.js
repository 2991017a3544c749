/* The console's map: the grid levels from the vector tiles (/v1/tiles/WebMercatorQuad,
 * cached per grid version), streets by bounding box as the view moves, stations, heatmaps
 * and report markers, drawn by geogrid-map.js (the same functions and styles as the exported
 * maps). Settings come from #cm-map's data-* attributes: the page's Content-Security-Policy
 * allows no inline script. */
(function () {
  "use strict";

  var element = document.getElementById("cm-map");
  if (!element || !window.L || !window.geogrid || !L.vectorGrid) return;
  var cfg = element.dataset;
  var styles = JSON.parse(cfg.styles);
  var bounds = JSON.parse(cfg.bounds);
  // {url, collection (with {collection}), levels: {n: {layer, minZoom}}}
  var gridTiles = JSON.parse(cfg.gridTiles);
  var status = document.getElementById("cm-status");
  var panel = document.getElementById("cm-panel");

  var map = L.map(element, {preferCanvas: true, maxZoom: 19, minZoom: 7, zoomSnap: 0.5,
    attributionControl: !!cfg.tiles});
  L.control.scale({imperial: false}).addTo(map);
  map.fitBounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]]);
  map.ggLoaded = {};  // what has arrived, for people and tests to look at

  var control = L.control.layers(null, null, {collapsed: false, position: "topright"});
  if (cfg.tiles) {
    control.addBaseLayer(L.tileLayer(cfg.tiles, {maxZoom: 19, attribution: "内网瓦片"}).addTo(map),
      "内网瓦片底图");
  }
  control.addTo(map);

  function getJSON(url) {
    return fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) {
        if (response.status === 401) window.location.assign("/console/signin");
        if (!response.ok) throw new Error(response.status + " " + url);
        return response.json();
      });
  }

  function say(text) { status.textContent = text; }

  // Count each complete load of a layer's tiles; the first one's time is the first render.
  function mark(key) {
    map.ggLoaded[key] = (map.ggLoaded[key] || 0) + 1;
    if (map.ggLoaded[key + "At"] === undefined) {
      map.ggLoaded[key + "At"] = performance.now();  // ms since navigation
    }
  }

  function counted(layer, key) {
    layer.on("load", function () { mark(key); });
    return layer;
  }

  // ---- the three levels from one tile per place (/v1/tiles/WebMercatorQuad: an MVT layer
  // per level, units only from the tiles' own least zoom), the finer drawn over the coarser;
  // each level a switch in the layer control, labelled from its label zoom on.
  var streets = L.layerGroup().addTo(map);
  control.addOverlay(streets, "街路巷");
  var names = {}, levelStyles = {};
  [1, 2, 3].forEach(function (level) {
    names[level] = gridTiles.levels[level].layer;
    levelStyles[names[level]] = styles.levels[level].style;
  });
  var grid = geogrid.tileLevels(gridTiles.url, {styles: levelStyles, zIndex: 10});
  grid.on("load", function () {
    [1, 2, 3].forEach(function (level) {
      if (grid._tileZoom >= gridTiles.levels[level].minZoom) mark("level" + level);
    });
  });
  grid.addTo(map);
  var levels = {};
  [1, 2, 3].forEach(function (level) {
    var look = styles.levels[level], toggle = new geogrid.TileSwitch(grid, names[level]);
    toggle.addTo(map);
    control.addOverlay(toggle, look.name);
    if (look.labelZoom !== null) geogrid.tileLabels(map, grid, toggle, level, look.labelZoom);
    levels[level] = toggle;
  });
  var coverage = L.layerGroup();
  control.addOverlay(coverage, styles.coverage.name);
  map.ggLayers = {grid: grid, levels: levels, streets: streets, coverage: coverage};
  // The codes a level's switch (or a coverage layer) shows in view now: for people and tests.
  map.ggCodes = function (layer) {
    var found = layer.ggGrid ? geogrid.tileFeatures(map, layer.ggGrid, layer.ggLayerName) :
      geogrid.tileFeatures(map, layer);
    return Object.keys(found);
  };

  // What a click or the pointer meets: coverage while it is on, else the finest level.
  var finestFirst = [names[3], names[2], names[1]];
  function featureAt(latlng) {
    var grids = coverage.getLayers().concat([grid]);
    for (var i = 0; i < grids.length; i += 1) {
      var hit = geogrid.tileFeatureAt(map, grids[i], latlng, finestFirst);
      if (hit) return hit;
    }
    return null;
  }

  function openPanel(hit) {
    say("正在读取 " + hit.name + " …");
    fetch(cfg.base + "/grids/" + encodeURIComponent(hit.code), {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + hit.code);
        return response.text();
      })
      .then(function (html) {
        panel.innerHTML = html;  // rendered and escaped by the server's template
        say("");
      })
      .catch(function (error) { say("未能读取网格：" + error.message); });
  }

  map.on("click", function (event) {
    var hit = featureAt(event.latlng);
    if (hit) openPanel(hit);
  });

  // One tooltip follows the pointer with the name (and the coverage share) under it.
  var tip = L.tooltip({direction: "top", offset: [0, -8]});
  map.on("mousemove", function (event) {
    var hit = featureAt(event.latlng);
    map.getContainer().classList.toggle("cm-over-grid", !!hit);
    if (!hit) {
      map.closeTooltip(tip);
      return;
    }
    tip.setLatLng(event.latlng).setContent(geogrid.esc(hit.name) + coverageText(hit.code));
    if (!map.hasLayer(tip)) map.openTooltip(tip);
  });
  map.on("mouseout", function () { map.closeTooltip(tip); });

  // Streets by box: fetched for a padded box, and again only when the view leaves it or the
  // zoom moves a step.
  var fetched = null;

  function boxParam(box) {
    return [box.getWest(), box.getSouth(), box.getEast(), box.getNorth()]
      .map(function (v) { return v.toFixed(5); }).join(",");
  }

  function refreshStreets() {
    var view = map.getBounds(), zoom = Math.round(map.getZoom() * 2) / 2;
    if (!map.hasLayer(streets)) return;
    if (fetched && Math.abs(fetched.zoom - zoom) < 1 && fetched.box.contains(view)) return;
    var box = view.pad(0.3);
    fetched = {box: box, zoom: zoom};
    getJSON(cfg.base + "/streets.json?bbox=" + boxParam(box) + "&zoom=" + zoom)
      .then(function (data) {
        streets.clearLayers();
        // Streets take no clicks here: a click anywhere in a grid opens the grid's panel.
        streets.addLayer(geogrid.lineLayer(data, {style: L.extend({interactive: false},
          styles.street)}));
        map.ggLoaded.streets = (map.ggLoaded.streets || 0) + 1;
      })
      .catch(function (error) { say("街路巷读取失败：" + error.message); });
  }

  function unitHint() {
    var least = gridTiles.levels[3].minZoom;
    say(Math.round(map.getZoom()) < least ? "放大到 " + least + " 级以上显示三级网格（单元）" : "");
  }

  var timer = null;
  map.on("moveend overlayadd", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      refreshStreets();
      unitHint();
    }, 150);
  });

  // ---- patrol coverage (巡查覆盖率, off until toggled): units from zoom 14, below it level-2
  // grids with their units' area-weighted share, coloured over the same tiles from the
  // month's figures (read once, at the first toggle).
  var sums = null;  // code -> {area, covered, patrols, days}
  var sumsAsked = null;
  var sumsAt = "";  // when the stored figures were computed: 「统计截至 HH:MM」 in the legend
  var legendAt = null;

  function coverageFigures() {
    if (sumsAsked) return sumsAsked;
    sumsAsked = getJSON(cfg.base + "/coverage.json").then(function (data) {
      var found = {};
      Object.keys(data.units).forEach(function (code) {
        var u = data.units[code], grid = code.slice(0, 15);
        found[code] = {area: u[0], covered: u[1], patrols: u[2], days: u[3]};
        found[grid] = found[grid] || {area: 0, covered: 0, patrols: null, days: null};
        found[grid].area += u[0];
        found[grid].covered += u[1];
      });
      map.ggLoaded.coverageMonth = data.month;
      map.ggLoaded.coverageUnits = Object.keys(data.units).length;
      // China time ISO ("2026-12-07T14:05:09+08:00"): its clock is the text's own.
      sumsAt = data.computed_at ? "统计截至 " + data.computed_at.slice(11, 16) : "";
      if (legendAt) legendAt.textContent = sumsAt;
      sums = found;
    });
    sumsAsked.catch(function () { sumsAsked = null; });  // a later toggle tries again
    return sumsAsked;
  }

  function shareOf(s) { return s && s.area > 0 ? s.covered / s.area : 0; }

  function coverageColor(share) {
    var bins = styles.coverage.bins, color = bins[0][1];
    bins.forEach(function (bin) { if (share >= bin[0]) color = bin[1]; });
    return color;
  }

  function coverageStyle(properties) {
    return {color: "#495057", weight: 1, fill: true, fillOpacity: 0.65,
      fillColor: coverageColor(shareOf(sums[properties.code]))};
  }

  function coverageText(code) {
    if (!sums || !map.hasLayer(coverage)) return "";
    var s = sums[code];
    if (!s) return "：无数据";
    var text = "：" + Math.round(100 * shareOf(s)) + "%";
    return s.patrols === null ? text : text + "，巡查 " + s.patrols + " 次，" + s.days + " 天";
  }

  function showCoverage() {
    coverageFigures().then(function () {
      if (coverage.getLayers().length) return;
      [[2, {maxZoom: 13}], [3, {minZoom: 14}]].forEach(function (pair) {
        var level = pair[0], look = {};
        look[names[level]] = coverageStyle;
        var layer = geogrid.tileLevels(gridTiles.collection.replace("{collection}",
          names[level]), L.extend({styles: look, zIndex: 20}, pair[1]));
        coverage.addLayer(counted(layer, "coverage" + level));
      });
    }).catch(function (error) { say("巡查覆盖率读取失败：" + error.message); });
  }

  // The legend is built as elements: the console's policy refuses inline style attributes.
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var box = L.DomUtil.create("div", "gg-note gg-legend cm-coverage-legend");
    box.appendChild(document.createElement("b")).textContent = styles.coverage.name;
    styles.coverage.bins.forEach(function (bin) {
      var line = box.appendChild(document.createElement("div"));
      line.appendChild(document.createElement("i")).style.background = bin[1];
      line.appendChild(document.createTextNode(bin[2]));
    });
    legendAt = box.appendChild(document.createElement("small"));
    legendAt.className = "cm-coverage-at";
    legendAt.textContent = sumsAt;
    return box;
  };
  map.on("overlayadd", function (event) {
    if (event.layer !== coverage) return;
    legend.addTo(map);
    showCoverage();
  });
  map.on("overlayremove", function (event) { if (event.layer === coverage) legend.remove(); });

  getJSON(cfg.base + "/stations.json").then(function (rows) {
    var stations = geogrid.stationLayer(rows);
    stations.addTo(map);
    control.addOverlay(stations, "派出所");
    map.ggLoaded.stations = rows.length;
  });

  function period() {
    return "from=" + encodeURIComponent(cfg.from) + "&to=" + encodeURIComponent(cfg.to);
  }

  // After the level-2 tiles have been drawn (or a few seconds): over a million reports the
  // period's aggregation is the heavier read, and the first sight of the map should not
  // wait behind it.
  var reportsAsked = false;

  function loadReports() {
    if (reportsAsked) return;
    reportsAsked = true;
    getJSON(cfg.base + "/reports.json?" + period()).then(drawReports)
      .catch(function (error) { say("上报读取失败：" + error.message); });
  }

  function drawReports(data) {
    ["hazard", "incident"].forEach(function (group) {
      var heat = styles.heat[group];
      var layer = geogrid.heatLayer(data.heat[group], heat);
      if (group === "hazard") layer.addTo(map);
      control.addOverlay(layer, heat.name);
    });
    var markers = data.markers;
    markers.byStatus = styles.statusColors;
    markers.overdueColor = styles.overdueColor;
    markers.caseUrl = cfg.cases;
    var cluster = geogrid.reportMarkers(L.markerClusterGroup({chunkedLoading: true}), markers);
    cluster.addTo(map);
    var shown = markers.rows.length;
    control.addOverlay(cluster, "上报（" + cfg.from + " 至 " + cfg.to + "，" +
      (shown < data.total ? "最新 " + shown + " 条，共 " + data.total + " 条" : shown + " 条") + "）");
    map.ggLoaded.reports = shown;
    map.ggLoaded.reportsAt = performance.now();
  }

  if (cfg.diff) drawDiff(cfg.diff.split(","));

  // ?diff=old,new: the grids a redraw changed, from /v1/grid-versions/diff.
  function drawDiff(pair) {
    getJSON("/v1/grid-versions/diff?old=" + pair[0] + "&new=" + pair[1]).then(function (diff) {
      var codes = diff.added.concat(diff.changed);
      var group = L.featureGroup();
      var url = cfg.base + "/changed.json?version=" + pair[1] + "&codes=" +
        encodeURIComponent(codes.join(","));
      return getJSON(url).then(function (data) {
        data.rows.forEach(function (row) {
          group.addLayer(geogrid.gridPolygon(row, data.scale,
            {color: "#e8590c", weight: 3, fillOpacity: 0.25}));
        });
        group.bindTooltip(function (layer) { return geogrid.esc(layer.ggRow[1]); });
        group.addTo(map);
        control.addOverlay(group, "版本 " + pair[0] + " → " + pair[1] + " 变化的网格（" +
          codes.length + "，删除 " + diff.removed.length + "）");
        map.ggLoaded.diff = data.rows.length;
      });
    }).catch(function (error) { say("版本差异读取失败：" + error.message); });
  }

  grid.once("load", loadReports);
  setTimeout(loadReports, 3000);  // a view without level-2 tiles gets its reports all the same
  map.whenReady(function () {
    refreshStreets();
    unitHint();
  });
  window.consoleMap = map;
})();
