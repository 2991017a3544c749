/* The day's work: today's work log (工作日志) and check-ins (签到). Both go through the
   outbox like reports (written to the phone with their request id first, photos uploaded
   first); the month's logs are fetched at every sync and kept for reading offline. */
"use strict";
var GG = window.GG || (window.GG = {});

GG.daily = (function () {
  var CHINA_MS = 8 * 3600 * 1000, logPhotos = [], checkPhotos = [];

  function $(id) { return document.getElementById(id); }
  // The server's days and months are China's, whatever zone the phone is set to.
  function chinaDay() { return new Date(Date.now() + CHINA_MS).toISOString().slice(0, 10); }
  function chinaMonth() { return chinaDay().slice(0, 7); }

  function bind() {
    $("log-form").addEventListener("submit", saveLog);
    $("checkin-form").addEventListener("submit", checkIn);
    photoInput("log-photos", "log-previews", function (b) { logPhotos = logPhotos.concat(b); return logPhotos; });
    photoInput("checkin-photos", "checkin-previews", function (b) { checkPhotos = checkPhotos.concat(b); return checkPhotos; });
    newLog();
    newCheckIn();
  }

  function photoInput(inputId, boxId, add) {
    var input = $(inputId);
    input.addEventListener("change", function () {
      var form = input.form, button = form.querySelector("button[type=submit]");
      button.disabled = true;
      GG.photos.prepare(input.files).then(function (blobs) { previews($(boxId), add(blobs).slice(0, GG.photos.MAX)); })
        .catch(function (e) { form.querySelector(".error").textContent = e.message; })
        .then(function () { button.disabled = false; input.value = ""; });
    });
  }

  function previews(box, blobs) {
    box.replaceChildren();
    blobs.forEach(function (blob) {
      var img = GG.views.el("img");
      img.alt = "照片";
      img.src = URL.createObjectURL(blob);
      box.appendChild(img);
    });
  }

  // A form gets its request id when it opens: double taps on "save" are one item.
  function newLog() {
    $("log-form").reset();
    $("log-form").dataset.requestId = GG.outbox.newId();
    logPhotos = [];
    $("log-previews").replaceChildren();
    $("log-day").textContent = chinaDay();
    return prefill();
  }

  function prefill() {
    var form = $("log-form");
    form.dataset.photoIds = "[]";
    form.dataset.loaded = "";
    $("log-kept").textContent = "";
    return today().then(function (log) {
      if (!log) return;
      form.dataset.loaded = log.text;
      $("log-text").value = log.text;
      $("log-places").value = (log.places || []).map(function (p) { return p.name; }).join("\n");
      $("log-form").dataset.photoIds = JSON.stringify(log.photo_ids || []);
      $("log-kept").textContent = (log.photo_ids || []).length ? "已有照片 " + log.photo_ids.length + " 张" : "";
    });
  }

  /* Today's log as last saved on this phone or kept from the server, whichever is newer:
     a save replaces the day's log, so the form opens with it and an edit keeps the rest. */
  function today() {
    var day = chinaDay();
    return Promise.all([GG.db.get("work", "worklogs"), GG.outbox.all()]).then(function (found) {
      var kept = ((found[0] || {}).items || []).filter(function (l) { return l.day === day; });
      var saved = found[1].filter(function (e) { return e.type === "worklog" && e.body.day === day; })
        .map(function (e) {
          return Object.assign({}, e.body.fields, {
            photo_ids: (e.body.fields.photo_ids || []).concat((e.photo_ids || []).filter(Boolean)) });
        });
      return kept.concat(saved).sort(function (a, b) { return Date.parse(b.edited_at) - Date.parse(a.edited_at); })[0];
    });
  }

  function newCheckIn() {
    $("checkin-form").reset();
    $("checkin-form").dataset.requestId = GG.outbox.newId();
    checkPhotos = [];
    $("checkin-previews").replaceChildren();
  }

  function saveLog(event) {
    event.preventDefault();
    var form = $("log-form"), id = form.dataset.requestId, text = $("log-text").value.trim();
    var places = $("log-places").value.split(/[\n,，、]/).map(function (s) { return s.trim(); })
      .filter(Boolean).slice(0, 50).map(function (name) { return { name: name }; });
    if (!text) { $("log-error").textContent = "请填写工作内容"; return; }
    $("log-error").textContent = "";
    var day = chinaDay(), fields = { text: text, places: places, edited_at: new Date().toISOString(),
                                     photo_ids: JSON.parse(form.dataset.photoIds || "[]") };
    GG.outbox.enqueue(id, { type: "worklog", label: "工作日志 " + day, sensitive: false,
                            body: { day: day, fields: fields } }, logPhotos.slice(0, GG.photos.MAX))
      .then(function (fresh) {
        if (!fresh || form.dataset.requestId !== id) return;
        newLog();
        draw();
      });
  }

  function checkIn(event) {
    event.preventDefault();
    var form = $("checkin-form"), id = form.dataset.requestId, where = GG.main.point();
    if (!where) { $("checkin-error").textContent = "尚未定位：请在地图上手动选点"; return; }
    if (!checkPhotos.length) { $("checkin-error").textContent = "签到需要至少一张照片"; return; }
    $("checkin-error").textContent = "";
    var place = $("checkin-place").value.trim();
    var fields = { at: new Date().toISOString(), lon: where.lon, lat: where.lat, place: place,
                   note: $("checkin-note").value.trim() };
    if (where.accuracy) fields.accuracy_m = where.accuracy;
    GG.outbox.enqueue(id, { type: "checkin", label: "签到" + (place ? "：" + place : ""),
                            sensitive: false, body: { fields: fields } }, checkPhotos.slice(0, GG.photos.MAX))
      .then(function (fresh) {
        if (!fresh || form.dataset.requestId !== id) return;
        newCheckIn();
        GG.main.show("outbox");
      });
  }

  /* The month's logs from the server, kept for reading offline. */
  function refresh() {
    var month = chinaMonth();
    return GG.api.get("/v1/worklogs?month=" + month + "&limit=100").then(function (answer) {
      return GG.db.put("work", "worklogs", { month: month, items: answer.items });
    });
  }

  /* The kept logs, with today's edits still waiting in the outbox shown on top; an
     untouched form takes today's log as it now stands. */
  function draw() {
    if ($("log-text").value === ($("log-form").dataset.loaded || "")) prefill();
    return Promise.all([GG.db.get("work", "worklogs"), GG.outbox.all()]).then(function (found) {
      var kept = found[0] || { items: [] }, list = $("log-list");
      var days = kept.items.map(function (log) { return log.day; });
      // Sent since the last fetch of the month: shown from the outbox until then.
      var mine = found[1].filter(function (e) {
        return e.type === "worklog" && (e.state === "waiting" || (e.state === "sent" && days.indexOf(e.body.day) < 0));
      }).sort(function (a, b) { return b.created_at - a.created_at; });
      list.replaceChildren();
      mine.forEach(function (e) {
        list.appendChild(logItem(e.body.day, e.body.fields, e.state === "sent" ? "已发送" : "待发送"));
      });
      kept.items.slice().sort(function (a, b) { return a.day < b.day ? 1 : -1; }).forEach(function (log) {
        list.appendChild(logItem(log.day, log, ""));
      });
      if (!list.children.length) list.appendChild(GG.views.el("li", "本月暂无日志", "muted"));
    });
  }

  function logItem(day, log, state) {
    var li = GG.views.el("li");
    li.dataset.day = day;
    li.appendChild(GG.views.el("div", day + (state ? " · " + state : ""), "state"));
    li.appendChild(GG.views.el("div", log.text));
    var places = (log.places || []).map(function (p) { return p.name; }).join("、");
    if (places) li.appendChild(GG.views.el("div", "走访：" + places, "muted"));
    if ((log.photo_ids || []).length) li.appendChild(GG.views.el("div", "照片 " + log.photo_ids.length + " 张", "muted"));
    return li;
  }

  document.addEventListener("DOMContentLoaded", bind);
  return { refresh: refresh, draw: draw, chinaDay: chinaDay, chinaMonth: chinaMonth };
})();
