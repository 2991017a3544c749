/* My grids on the phone: the level-2 grids I hold and their units, fetched once online
   (the server gives a device session only its person's grids) and kept for offline maps
   and the on-phone unit of a position. Refreshed at most once a day. */
"use strict";
var GG = window.GG || (window.GG = {});

GG.area = (function () {
  var DAY = 24 * 3600 * 1000, SIMPLIFY_M = 1;

  // Every page of a collection (next links), as one feature list.
  function collect(path) {
    var features = [];
    function page(url) {
      return GG.api.get(url).then(function (answer) {
        features = features.concat(answer.features || []);
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

  /* Fetch my grids and units unless they are fresh (force: always). */
  function refresh(force) {
    return GG.db.get("area", "fetched_at").then(function (at) {
      if (!force && at && Date.now() - at < DAY) return false;
      var q = "?limit=1000&simplify=" + SIMPLIFY_M;
      return Promise.all([collect("/v1/collections/grids/items" + q),
                          collect("/v1/collections/units/items" + q)]).then(function (found) {
        return Promise.all([GG.db.put("area", "grids", slim(found[0])),
                            GG.db.put("area", "units", slim(found[1]))])
          .then(function () { return GG.db.put("area", "fetched_at", Date.now()); })
          .then(function () { return true; });
      });
    });
  }

  function load() {
    return Promise.all([GG.db.get("area", "grids"), GG.db.get("area", "units")])
      .then(function (found) { return { grids: found[0] || [], units: found[1] || [] }; });
  }

  return { refresh: refresh, load: load };
})();
