/* My grids on the phone: the level-2 grids I hold, their units, streets and key places (the
   key units and dangerous goods reported in them), fetched once online (the server gives a
   device session only its person's grids and reports) and kept for offline maps and the
   on-phone unit of a position. Refreshed at most once a day. */
"use strict";
var GG = window.GG || (window.GG = {});

GG.area = (function () {
  var DAY = 24 * 3600 * 1000, SIMPLIFY_M = 1;
  var PLACES = "/v1/reports?category=key_unit&category=dangerous_goods&limit=1000";

  // Every page of a collection (next links), as one feature list.
  function collect(path, key) {
    var features = [];
    function page(url) {
      return GG.api.get(url).then(function (answer) {
        features = features.concat(answer[key || "features"] || []);
        var next = (answer.links || []).filter(function (l) { return l.rel === "next"; })[0];
        if (!next) return features;
        var u = new URL(next.href, location.href);
        return page(u.pathname + u.search);
      });
    }
    return page(path);
  }

  function slim(features) {
    return features.map(function (f) {
      var p = f.properties || {};
      return { type: "Feature", geometry: f.geometry,
               properties: { code: p.code || f.id, name: p.name || p.code || f.id } };
    });
  }

  function slimPlaces(reports) {
    return reports.map(function (r) {
      return { lon: r.lon, lat: r.lat, name: r.category_name, text: (r.text || "").slice(0, 80) };
    });
  }

  // The streets of each of my grids, cut at its edge by the server.
  function streetsOf(grids) {
    return grids.reduce(function (chain, grid) {
      return chain.then(function (all) {
        var code = (grid.properties || {}).code || grid.id;
        return GG.api.get("/v1/grids/" + code + "/streets").then(function (answer) {
          return all.concat(answer.features.map(function (f) {
            return { type: "Feature", geometry: f.geometry, properties: { name: f.properties.name } };
          }));
        });
      });
    }, Promise.resolve([]));
  }

  /* Fetch my grids and units unless they are fresh (force: always). */
  function refresh(force) {
    return GG.db.get("area", "fetched_at").then(function (at) {
      if (!force && at && Date.now() - at < DAY) return false;
      var q = "?limit=1000&simplify=" + SIMPLIFY_M;
      return Promise.all([collect("/v1/collections/grids/items" + q),
                          collect("/v1/collections/units/items" + q),
                          collect(PLACES, "items")]).then(function (found) {
        return streetsOf(found[0]).then(function (streets) { return found.concat([streets]); });
      }).then(function (found) {
        return Promise.all([GG.db.put("area", "grids", slim(found[0])),
                            GG.db.put("area", "units", slim(found[1])),
                            GG.db.put("area", "places", slimPlaces(found[2])),
                            GG.db.put("area", "streets", found[3])])
          .then(function () { return GG.db.put("area", "fetched_at", Date.now()); })
          .then(function () { return true; });
      });
    });
  }

  function load() {
    return Promise.all([GG.db.get("area", "grids"), GG.db.get("area", "units"),
                        GG.db.get("area", "places"), GG.db.get("area", "streets")]).then(function (found) {
      return { grids: found[0] || [], units: found[1] || [], places: found[2] || [],
               streets: found[3] || [] };
    });
  }

  return { refresh: refresh, load: load };
})();
