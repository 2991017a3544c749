/* Patrols (巡查): start and stop on the phone, track points from the position watch kept
   in IndexedDB while a patrol runs, uploaded in batches when online. A patrol started
   offline gets its server id at the first sync (the start is idempotent by client id);
   a batch's id names its first and last point, and its points leave the phone only once
   the server has answered, so nothing is lost and a repeat stores nothing twice. */
"use strict";
var GG = window.GG || (window.GG = {});

GG.patrol = (function () {
  var BATCH = 500, KEEP_DONE = 5, ACCURATE_M = 100;
  var patrols = [], ready = null, syncing = null, tries = 0, notBefore = 0, clock = null;

  function $(id) { return document.getElementById(id); }
  function pad(n) { return ("000000000" + n).slice(-10); }
  function running() { return patrols.filter(function (p) { return !p.stopped_at; })[0] || null; }
  // Written through on every change: readwrite transactions on one store run in order.
  function persist() { return GG.db.put("kv", "patrols", patrols); }

  function bind() {
    ready = GG.db.get("kv", "patrols").then(function (found) { patrols = found || []; draw(); });
    $("patrol-start").addEventListener("click", start);
    $("patrol-stop").addEventListener("click", stop);
  }

  function start() {
    if (running()) return;
    patrols.push({ client_id: GG.outbox.newId(), started_at: new Date().toISOString(), id: null,
                   stopped_at: null, stop_sent: false, seq: 0, waiting: 0, distance_m: 0, last: null });
    persist().then(function () { draw(); sync(); });
    navigator.geolocation.getCurrentPosition(record, function () {}, { maximumAge: 0, enableHighAccuracy: true });
  }

  function stop() {
    var p = running();
    if (!p) return;
    p.stopped_at = new Date().toISOString();
    persist().then(function () { draw(); sync(); });
  }

  /* A position from the watch: a point of the running patrol (none from before its start). */
  function record(position) {
    var p = running();
    if (!p || position.timestamp < Date.parse(p.started_at)) return;
    var c = position.coords;
    var point = { at: new Date(position.timestamp).toISOString(), lon: c.longitude, lat: c.latitude,
                  accuracy_m: c.accuracy };
    // The distance counts the points the server draws the track through (100 m or better).
    if (c.accuracy <= ACCURATE_M) {
      if (p.last) p.distance_m += metres(p.last, point);
      p.last = { lon: point.lon, lat: point.lat };
    }
    p.seq += 1;
    p.waiting += 1;
    GG.db.put("track", p.client_id + "/" + pad(p.seq), point).then(persist).then(draw);
  }

  function metres(a, b) {
    var r = Math.PI / 180, dLat = (b.lat - a.lat) * r, dLon = (b.lon - a.lon) * r;
    var h = Math.pow(Math.sin(dLat / 2), 2) +
      Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.pow(Math.sin(dLon / 2), 2);
    return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
  }

  /* Start, points and stop of every patrol not yet fully on the server, in order. */
  function sync() {
    if (syncing) return syncing;
    if (!ready || !navigator.onLine || !GG.api.signedIn() || Date.now() < notBefore) return Promise.resolve();
    syncing = ready.then(function () {
      return patrols.filter(function (p) { return !p.done && !p.problem; }).reduce(function (c, p) {
        return c.then(function () { return syncOne(p); });
      }, Promise.resolve());
    }).then(function () { tries = 0; return tidy(); }).catch(function (failure) {
      if (failure && failure.kind === "signed_out") GG.main.signedOut(failure.message);
      else if (!(failure instanceof GG.api.Failure)) console.warn("patrol sync stopped", failure);
      tries += 1;  // no network or server trouble: back off, as the outbox does
      notBefore = Date.now() + Math.min(60000, 1000 * Math.pow(2, tries));
    }).then(function () { syncing = null; draw(); });
    return syncing;
  }

  function syncOne(p) {
    return startOnServer(p).then(function () { return sendPoints(p); })
      .then(function () { return stopOnServer(p); }).catch(function (failure) {
        // The server will never take it (not mine, a bad body): keep its points, say why.
        if (!(failure instanceof GG.api.Failure) || failure.kind !== "refused") throw failure;
        p.problem = failure.message;
        return persist();
      });
  }

  function startOnServer(p) {
    if (p.id) return Promise.resolve();
    return GG.api.post("/v1/patrols", { client_id: p.client_id, started_at: p.started_at })
      .then(function (answer) { p.id = answer.patrol.id; return persist(); });
  }

  function sendPoints(p) {
    var prefix = p.client_id + "/";
    return GG.db.keys("track").then(function (keys) {
      var mine = keys.filter(function (k) { return k.indexOf(prefix) === 0; }).slice(0, BATCH);
      if (!mine.length) return null;
      var batch = prefix + mine[0].slice(prefix.length) + "-" + mine[mine.length - 1].slice(prefix.length);
      return Promise.all(mine.map(function (k) { return GG.db.get("track", k); })).then(function (points) {
        return GG.api.post("/v1/patrols/" + p.id + "/points", { batch_id: batch, points: points });
      }).then(function (answer) {
        p.stored = answer.patrol.points;
        p.rejected = (p.rejected || 0) + answer.rejected.length;
        return Promise.all(mine.map(function (k) { return GG.db.del("track", k); }));
      }).then(function () {
        p.waiting = Math.max(0, p.waiting - mine.length);
        return persist();
      }).then(function () { return sendPoints(p); });
    });
  }

  function stopOnServer(p) {
    if (!p.stopped_at || p.stop_sent) return Promise.resolve();
    return GG.api.post("/v1/patrols/" + p.id + "/stop", { stopped_at: p.stopped_at }).then(function (answer) {
      p.stop_sent = true;
      p.done = true;
      p.length_m = answer.patrol.length_m;
      p.stored = answer.patrol.points;
      return persist();
    });
  }

  function tidy() {
    var done = patrols.filter(function (p) { return p.done; });
    if (done.length <= KEEP_DONE) return null;
    patrols = patrols.filter(function (p) { return !p.done || done.indexOf(p) >= done.length - KEEP_DONE; });
    return persist();
  }

  function duration(p) {
    var s = Math.max(0, Math.round(((p.stopped_at ? Date.parse(p.stopped_at) : Date.now()) - Date.parse(p.started_at)) / 1000));
    return Math.floor(s / 3600) + ":" + ("0" + Math.floor(s / 60) % 60).slice(-2) + ":" + ("0" + s % 60).slice(-2);
  }

  function draw() {
    var p = running(), shown = p || patrols[patrols.length - 1];
    $("patrol-start").disabled = !!p;
    $("patrol-stop").disabled = !p;
    $("patrol-state").textContent = p ? "巡查中（" + (p.id ? "已登记" : "联网后登记") + "）"
      : !shown ? "未在巡查" : shown.done ? "上次巡查已上传：" + shown.stored + " 个点" : "上次巡查已结束，待上传";
    $("patrol-time").textContent = shown ? duration(shown) : "—";
    $("patrol-distance").textContent = shown ? Math.round(shown.distance_m) + " 米" : "—";
    var waiting = patrols.reduce(function (n, q) { return n + q.waiting; }, 0);
    $("patrol-waiting").textContent = String(waiting);
    var problems = patrols.filter(function (q) { return q.problem; }).map(function (q) { return q.problem; });
    $("patrol-error").textContent = problems.length ? "未能上传：" + problems.join("；") : "";
    if (p && !clock) clock = setInterval(draw, 1000);
    if (!p && clock) { clearInterval(clock); clock = null; }
  }

  document.addEventListener("DOMContentLoaded", bind);
  return { record: record, sync: sync, draw: draw,
           all: function () { return ready.then(function () { return patrols; }); } };
})();
