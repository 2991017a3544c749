/* The console's map: the grid levels, streets, stations, heatmaps and report markers, read
 * from this server by bounding box as the view moves and drawn by geogrid-map.js (the same
 * functions as the exported maps). Settings come from #cm-map's data-* attributes: the page's
 * Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  var element = document.getElementById("cm-map");
  if (!element || !window.L || !window.geogrid) return;
  var cfg = element.dataset;
  var styles = JSON.parse(cfg.styles);
  var bounds = JSON.parse(cfg.bounds);
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

  // A layer the view refills: a holder in the layer control whose content is replaced.
  function viewLayer(name, show) {
    var holder = L.layerGroup();
    if (show) holder.addTo(map);
    control.addOverlay(holder, name);
    return holder;
  }

  var streets = viewLayer("街路巷", true);
  var levels = {};
  [1, 2, 3].forEach(function (level) {
    levels[level] = viewLayer(styles.levels[level].name, true);
  });
  var coverage = viewLayer(styles.coverage.name, false);
  var fetched = {};  // layer -> {box, zoom} of the last fetch
  map.ggLayers = {levels: levels, streets: streets, coverage: coverage};

  function boxParam(box) {
    return [box.getWest(), box.getSouth(), box.getEast(), box.getNorth()]
      .map(function (v) { return v.toFixed(5); }).join(",");
  }

  // Fetch a padded box, and again only when the view leaves it or the zoom moves a step.
  function needed(key, view, zoom) {
    var last = fetched[key];
    return !last || Math.abs(last.zoom - zoom) >= 1 || !last.box.contains(view);
  }

  function refill(key, holder, url, draw, view, zoom) {
    var box = view.pad(0.3);
    fetched[key] = {box: box, zoom: zoom};
    return getJSON(url + "&bbox=" + boxParam(box) + "&zoom=" + zoom).then(function (data) {
      holder.clearLayers();
      holder.addLayer(draw(data));
      raise();
      geogrid.refreshLabels(map);
      map.ggLoaded[key] = (map.ggLoaded[key] || 0) + 1;
      map.ggLoaded[key + "At"] = performance.now();  // ms since navigation: first render
    });
  }

  // One canvas draws every level: the finer levels on top, whichever arrived last, so a
  // click lands on the unit, else the grid, else the community.
  function raise() {
    [2, 3].forEach(function (level) {
      levels[level].eachLayer(function (group) { group.bringToFront(); });
    });
  }

  function openPanel(row) {
    say("正在读取 " + row[1] + " …");
    fetch(cfg.base + "/grids/" + encodeURIComponent(row[0]), {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + row[0]);
        return response.text();
      })
      .then(function (html) {
        panel.innerHTML = html;  // rendered and escaped by the server's template
        say("");
      })
      .catch(function (error) { say("未能读取网格：" + error.message); });
  }

  function drawLevel(level) {
    var options = {title: styles.levels[level].name, style: styles.levels[level].style,
      labelZoom: styles.levels[level].labelZoom, onClick: openPanel, key: "level" + level};
    return function (data) { return geogrid.gridLayer(map, data, [], options); };
  }

  function refresh() {
    var view = map.getBounds();
    var zoom = Math.round(map.getZoom() * 2) / 2;
    var jobs = [];
    [1, 2, 3].forEach(function (level) {
      var key = "level" + level;
      if (level === 3 && zoom < 14) {
        levels[3].clearLayers();
        delete fetched[key];
        return;
      }
      if (!map.hasLayer(levels[level]) || !needed(key, view, zoom)) return;
      jobs.push(refill(key, levels[level], cfg.base + "/grids.json?level=" + level,
        drawLevel(level), view, zoom));
    });
    if (map.hasLayer(streets) && needed("streets", view, zoom)) {
      jobs.push(refill("streets", streets, cfg.base + "/streets.json?x=1", function (data) {
        // Streets take no clicks here: a click anywhere in a grid opens the grid's panel.
        return geogrid.lineLayer(data, {style: Object.assign({interactive: false}, styles.street)});
      }, view, zoom));
    }
    if (map.hasLayer(coverage)) refillCoverage(view, zoom, jobs);
    if (!jobs.length) return Promise.resolve();
    say("正在读取地图 …");
    return Promise.all(jobs).then(function () {
      say(zoom < 14 ? "放大到 14 级以上显示三级网格（单元）" : "");
    }).catch(function (error) { say("地图读取失败：" + error.message); });
  }

  // ---- patrol coverage (巡查覆盖率): units when zoomed in, else level-2 grids with their
  // units' area-weighted share; the month's figures are read once, the shapes by view.
  var coverageSums = null;

  function coverageFigures() {
    if (coverageSums) return coverageSums;
    coverageSums = getJSON(cfg.base + "/coverage.json").then(function (data) {
      var sums = {};
      Object.keys(data.units).forEach(function (code) {
        var u = data.units[code], grid = code.slice(0, 15);
        sums[code] = {area: u[0], covered: u[1], patrols: u[2], days: u[3]};
        sums[grid] = sums[grid] || {area: 0, covered: 0, patrols: null, days: null};
        sums[grid].area += u[0];
        sums[grid].covered += u[1];
      });
      map.ggLoaded.coverageMonth = data.month;
      map.ggLoaded.coverageUnits = Object.keys(data.units).length;
      return sums;
    });
    coverageSums.catch(function () { coverageSums = null; });  // a later toggle tries again
    return coverageSums;
  }

  function refillCoverage(view, zoom, jobs) {
    var level = zoom >= 14 ? 3 : 2, key = "coverage" + level;
    if (!needed(key, view, zoom)) return;
    delete fetched["coverage" + (level === 3 ? 2 : 3)];  // the other level's shapes go
    jobs.push(coverageFigures().then(function (sums) {
      return refill(key, coverage, cfg.base + "/grids.json?level=" + level, drawCoverage(sums),
        view, zoom);
    }));
  }

  function coverageColor(share) {
    var bins = styles.coverage.bins, color = bins[0][1];
    bins.forEach(function (bin) { if (share >= bin[0]) color = bin[1]; });
    return color;
  }

  function drawCoverage(sums) {
    return function (data) {
      var group = L.featureGroup();
      data.rows.forEach(function (row) {
        var s = sums[row[0]], share = s && s.area > 0 ? s.covered / s.area : 0;
        var polygon = geogrid.gridPolygon(row, data.scale, {color: "#495057", weight: 1,
          fillColor: coverageColor(share), fillOpacity: 0.65});
        polygon.ggShare = share;
        group.addLayer(polygon);
      });
      group.bindTooltip(function (layer) {
        var s = sums[layer.ggRow[0]], text = geogrid.esc(layer.ggRow[1]) + "：";
        if (!s) return text + "无数据";
        text += Math.round(100 * layer.ggShare) + "%";
        return s.patrols === null ? text : text + "，巡查 " + s.patrols + " 次，" + s.days + " 天";
      }, {sticky: true});
      group.on("click", function (event) { openPanel(event.layer.ggRow); });
      return group;
    };
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
    return box;
  };
  map.on("overlayadd", function (event) { if (event.layer === coverage) legend.addTo(map); });
  map.on("overlayremove", function (event) { if (event.layer === coverage) legend.remove(); });

  var timer = null;
  map.on("moveend overlayadd", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });

  getJSON(cfg.base + "/stations.json").then(function (rows) {
    var stations = geogrid.stationLayer(rows);
    stations.addTo(map);
    control.addOverlay(stations, "派出所");
    map.ggLoaded.stations = rows.length;
  });

  function period() {
    return "from=" + encodeURIComponent(cfg.from) + "&to=" + encodeURIComponent(cfg.to);
  }

  // After the grids have been drawn: over a million reports the period's aggregation is
  // the heavier read, and the first sight of the map should not wait behind it.
  function loadReports() {
    return getJSON(cfg.base + "/reports.json?" + period()).then(drawReports);
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

  map.whenReady(function () { refresh().then(loadReports); });
  window.consoleMap = map;
})();
