/* My work, readable offline: the inbox (cases dispatched to me, cases waiting for my
   verification) with each case's report and photo thumbnails, and the standing
   instructions of my grids; fetched on every sync. The actions go through the outbox. */
"use strict";
var GG = window.GG || (window.GG = {});

GG.work = (function () {
  var STEP_NAMES = { to_handle: "待处置", to_verify: "待核查", to_close: "待结案", attention: "督办/超期",
                     to_accept: "待受理", to_dispatch: "待派遣", extension_to_decide: "待审批延期" };

  function refresh() {
    return Promise.all([inbox(), instructions()]).then(function (found) {
      return Promise.all([GG.db.put("work", "inbox", found[0]),
                          GG.db.put("work", "instructions", found[1]),
                          GG.db.put("work", "updated_at", Date.now())]);
    });
  }

  function inbox() {
    return GG.api.get("/v1/inbox?limit=100").then(function (answer) {
      return answer.items.reduce(function (chain, item) {
        return chain.then(function (list) {
          return GG.api.get("/v1/reports/" + item.id).then(function (report) {
            return thumbnails(report).then(function () {
              list.push({ item: item, report: slimReport(report) });
              return list;
            });
          });
        });
      }, Promise.resolve([]));
    });
  }

  function slimReport(r) {
    return { id: r.id, category_name: r.category_name, text: r.text, status: r.status,
             reported_at: r.reported_at, lon: r.lon, lat: r.lat,
             unit: r.assignment && r.assignment.unit ? r.assignment.unit.name : "",
             photos: (r.photos || []).map(function (p) { return p.id; }),
             notes: (r.events || []).filter(function (e) { return e.note; })
               .map(function (e) { return e.note; }).slice(-3) };
  }

  // A thumbnail is kept once per photo (photos never change: they are named by content).
  function thumbnails(report) {
    return (report.photos || []).reduce(function (chain, photo) {
      return chain.then(function () { return GG.db.get("blobs", "work/" + photo.id); }).then(function (have) {
        if (have) return null;
        return GG.api.get("/v1/photos/" + photo.id + "/thumbnail", { blob: true })
          .then(function (blob) { return GG.db.put("blobs", "work/" + photo.id, blob); });
      });
    }, Promise.resolve());
  }

  function instructions() {
    return GG.area.load().then(function (area) {
      return area.grids.reduce(function (chain, grid) {
        return chain.then(function (list) {
          return GG.api.get("/v1/grids/" + grid.properties.code + "/instructions").then(function (found) {
            found.forEach(function (i) { i.grid_name = grid.properties.name; });
            return list.concat(found);
          });
        });
      }, Promise.resolve([]));
    });
  }

  function load() {
    return Promise.all([GG.db.get("work", "inbox"), GG.db.get("work", "instructions"),
                        GG.db.get("work", "updated_at")]).then(function (found) {
      return { inbox: found[0] || [], instructions: found[1] || [], updated_at: found[2] };
    });
  }

  return { refresh: refresh, load: load, STEP_NAMES: STEP_NAMES };
})();
