/* The app: sign-in once per phone, the map with my position and unit, the report form,
   the outbox and my work; a timer keeps the outbox and my work in step when online. */
"use strict";
var GG = window.GG || (window.GG = {});

GG.main = (function () {
  var POOR_M = 50, TICK_MS = 3000, WORK_EVERY_MS = 60000;
  var session = null, kinds = [], here = null, pin = null, pinMode = false, lastWork = 0;
  var map = null, layers = {}, units = [], formPhotos = [], watching = false;

  function $(id) { return document.getElementById(id); }
  function show(view) {
    document.querySelectorAll(".view").forEach(function (v) { v.hidden = v.id !== "view-" + view; });
    document.querySelectorAll("#tabs button").forEach(function (b) {
      b.classList.toggle("on", b.dataset.view === view);
    });
    if (view === "map" && map) setTimeout(function () { map.invalidateSize(); }, 0);
    if (view === "outbox") GG.outbox.all().then(GG.views.outbox);
    if (view === "work") GG.work.load().then(function (d) { GG.views.work(d, stepForm); });
    if (view === "daily") { GG.daily.draw(); GG.patrol.draw(); }
  }

  function boot() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch(function (e) {
        console.warn("no service worker", e);
      });
    }
    document.querySelectorAll("#tabs button").forEach(function (b) {
      b.addEventListener("click", function () { show(b.dataset.view); });
    });
    $("signin-form").addEventListener("submit", signIn);
    $("signout").addEventListener("click", signOut);
    $("report-form").addEventListener("submit", submitReport);
    $("report-photos").addEventListener("change", takePhotos);
    $("report-kind").addEventListener("change", drawFields);
    $("pin-button").addEventListener("click", function () { pinMode = true; $("pin-hint").hidden = false; });
    GG.address.init();
    $("report-here").addEventListener("click", function () { show("report"); });
    $("sync-now").addEventListener("click", function () { GG.outbox.sync(true).then(syncWork); });
    GG.outbox.onChange(function () {
      GG.outbox.all().then(GG.views.outbox);
      if (!$("view-daily").hidden) GG.daily.draw();
    });
    window.addEventListener("online", function () { GG.outbox.sync(true).then(tick); GG.patrol.sync(); });
    window.addEventListener("offline", drawNet);
    GG.db.get("kv", "session").then(function (found) { found ? start(found) : showSignIn(); });
  }

  function showSignIn() {
    $("tabs").hidden = true; $("signout").hidden = true;
    $("who").textContent = "网格通";
    show("signin");
  }

  function signIn(event) {
    event.preventDefault();
    var body = { token: $("signin-token").value.trim(), device_name: $("signin-device").value.trim() };
    $("signin-error").textContent = "";
    GG.api.post("/v1/devices", body).then(function (opened) {
      var found = { id: opened.id, secret: opened.secret, user: opened.user, device: opened.device_name };
      $("signin-token").value = "";
      return GG.db.put("kv", "session", found).then(function () { return start(found, true); });
    }).catch(function (failure) {
      $("signin-error").textContent = failure.status === 401 ? "令牌无效" :
        failure.kind === "retry" ? "无网络：首次登录需要网络" : failure.message;
    });
  }

  function start(found, fresh) {
    session = found;
    GG.api.setSecret(found.secret);
    $("who").textContent = found.user + " · " + found.device;
    $("tabs").hidden = false; $("signout").hidden = false;
    drawNet();
    loadKinds();
    show("map");
    GG.outbox.all().then(GG.views.outbox);
    var ready = fresh ? GG.area.refresh(true).then(syncWork) : Promise.resolve();
    return ready.catch(function () {}).then(drawMap).then(function () {
      if (watching) return;  // signed in again after a revocation: already running
      watching = true;
      navigator.geolocation.watchPosition(located, function () {
        $("pos").textContent = "无法定位，请手动选点";
      }, { enableHighAccuracy: true, maximumAge: 10000 });
      setInterval(tick, TICK_MS);
      tick();
    });
  }

  /* Offline sign-out would lose what waits: the phone keeps the session until it is sent. */
  function signOut() {
    Promise.all([GG.outbox.all(), GG.patrol.all()]).then(function (found) {
      var waiting = found[0].filter(function (e) { return e.state === "waiting"; }).length;
      // A patrol still running or not yet all on the server counts as waiting too.
      waiting += found[1].filter(function (p) { return !p.done; }).length;
      if (waiting) { alert("还有 " + waiting + " 条未发送，请联网发送后再退出。"); return null; }
      return GG.api.del("/v1/devices/" + session.id).catch(function (failure) {
        if (failure.kind === "retry") throw failure;
      }).then(function () { return GG.db.wipe(); }).then(function () { location.reload(); });
    }).catch(function () { alert("退出需要网络（要在服务器上注销本机）。"); });
  }

  function signedOut(message) {
    GG.db.del("kv", "session").then(function () {
      GG.api.setSecret(null);
      showSignIn();
      $("signin-error").textContent = "本机已被注销，请重新登录（未发送的内容仍保存在本机）：" + message;
    });
  }

  function drawNet() { $("net").textContent = navigator.onLine ? "在线" : "离线"; }

  function tick() {
    drawNet();
    if (!navigator.onLine || !GG.api.signedIn()) return;
    GG.patrol.sync();
    GG.outbox.sync().then(function () {
      if (Date.now() - lastWork > WORK_EVERY_MS) return syncWork();
    });
  }

  function syncWork() {
    lastWork = Date.now();
    return GG.area.refresh(false).then(function (changed) { if (changed) drawMap(); })
      .then(GG.work.refresh).then(GG.daily.refresh).then(function () {
        if (!$("view-work").hidden) show("work");
        if (!$("view-daily").hidden) GG.daily.draw();
      }).catch(function (failure) {
        if (failure && failure.kind === "signed_out") signedOut(failure.message);
      });
  }

  // ---- the map ----
  function drawMap() {
    return GG.area.load().then(function (area) {
      units = area.units;
      if (!map) {
        map = L.map("map", { zoomControl: true, attributionControl: false });
        map.on("click", placePin);
      }
      Object.keys(layers).forEach(function (k) { map.removeLayer(layers[k]); });
      layers.grids = L.geoJSON(area.grids, { style: { color: "#b71c1c", weight: 3, fill: false } }).addTo(map);
      layers.units = L.geoJSON(area.units, { style: { color: "#1565c0", weight: 1, fillOpacity: 0.05 } }).addTo(map);
      layers.streets = L.geoJSON(area.streets, {
        style: { color: "#757575", weight: 2 },
        onEachFeature: function (f, layer) {
          if (f.properties.name) layer.bindTooltip(GG.views.el("span", f.properties.name));
        },
      }).addTo(map);
      layers.places = L.layerGroup(area.places.map(function (p) {
        return L.circleMarker([p.lat, p.lon], { radius: 7, color: "#e65100" })
          // An element, not a string: Leaflet would read a string as HTML.
          .bindTooltip(GG.views.el("span", p.name + (p.text ? "：" + p.text : "")));
      })).addTo(map);
      var bounds = layers.grids.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds); else map.setView([36.0, 119.4], 11);
      $("area-info").textContent = "本机已存 " + area.grids.length + " 个网格、" + area.units.length + " 个单元、" +
        area.streets.length + " 段街路巷、" + area.places.length + " 处重点场所";
    });
  }

  function located(position) {
    var c = position.coords;
    here = { lon: c.longitude, lat: c.latitude, accuracy: c.accuracy };
    $("pos").textContent = c.latitude.toFixed(5) + ", " + c.longitude.toFixed(5);
    $("accuracy").textContent = "精度 ±" + Math.round(c.accuracy) + " 米";
    $("pin-hint").hidden = c.accuracy <= POOR_M;
    if (map) {
      if (!layers.here) layers.here = L.circle([c.latitude, c.longitude], { radius: c.accuracy }).addTo(map);
      layers.here.setLatLng([c.latitude, c.longitude]).setRadius(c.accuracy);
    }
    GG.patrol.record(position);
    if (!pin) locate(here);
  }

  function placePin(event) {
    if (!pinMode) return;
    pin = { lon: event.latlng.lng, lat: event.latlng.lat, accuracy: 0 };
    pinMode = false;
    if (layers.pin) map.removeLayer(layers.pin);
    layers.pin = L.circleMarker(event.latlng, { radius: 10, color: "#b71c1c" }).addTo(map);
    $("pos").textContent = "手动选点 " + pin.lat.toFixed(5) + ", " + pin.lon.toFixed(5);
    locate(pin);
  }

  // The unit from the cached units at once; the server's lookup confirms it when online.
  function locate(point) {
    var unit = GG.geo.featureAt(point.lon, point.lat, units);
    $("unit").textContent = unit ? unit.properties.name : "不在我的网格内";
    $("unit-source").textContent = "（本机计算）";
    $("report-where").textContent = $("pos").textContent + " · " + $("unit").textContent;
    $("address-where").textContent = $("report-where").textContent;
    if (!navigator.onLine) return;
    GG.api.get("/v1/lookup?lon=" + point.lon + "&lat=" + point.lat).then(function (found) {
      if (found.unit) $("unit").textContent = found.unit.name;
      $("unit-source").textContent = "（服务器已确认）";
    }).catch(function () {});
  }

  function point() { return pin || here; }

  // From a form: the map, waiting for a tap to place the pin (the form keeps what is typed).
  function pinOnMap() { pinMode = true; $("pin-hint").hidden = false; show("map"); }

  // ---- the report form ----
  function loadKinds() {
    var release = document.querySelector("meta[name=geogrid-release]").content;
    return fetch("/app/kinds.json?v=" + release).then(function (r) { return r.json(); }).then(function (found) {
      kinds = found;
      var select = $("report-kind");
      select.replaceChildren();
      [["basic", "基础信息"], ["dynamic", "动态信息"]].forEach(function (group) {
        var optgroup = document.createElement("optgroup");
        optgroup.label = group[1];
        kinds.filter(function (k) { return k.kind === group[0]; }).forEach(function (k) {
          var option = GG.views.el("option", k.name);
          option.value = k.code;
          optgroup.appendChild(option);
        });
        select.appendChild(optgroup);
      });
      newForm();
    });
  }

  function kindOf(code) { return kinds.filter(function (k) { return k.code === code; })[0]; }

  // A registry kind's field names the record's own field (data-name) and may be a choice.
  function drawFields() {
    var box = $("report-fields"), kind = kindOf($("report-kind").value);
    box.replaceChildren();
    (kind ? kind.fields : []).forEach(function (f, i) {
      var label = GG.views.el("label", f.label), input;
      if (f.type === "choice") {
        input = document.createElement("select");
        f.options.forEach(function (o) {
          var option = GG.views.el("option", o[1]);
          option.value = o[0];
          input.appendChild(option);
        });
      } else {
        input = document.createElement("input");
        input.type = f.type;
      }
      input.name = "field-" + i; input.dataset.label = f.label;
      if (f.name) input.dataset.name = f.name;
      label.appendChild(input);
      box.appendChild(label);
    });
    // A registry record is facts at a standard address: no photos go with it.
    var registry = !!(kind && kind.registry);
    $("report-photos").disabled = registry;
    $("report-photos").parentNode.hidden = registry;
  }

  // Each form gets its request id when it opens: every tap on "send" for it is one item.
  function newForm() {
    $("report-form").reset();
    $("report-form").dataset.requestId = GG.outbox.newId();
    $("report-send").disabled = false;
    formPhotos = [];
    $("report-previews").replaceChildren();
    drawFields();
  }

  function takePhotos(event) {
    var room = GG.photos.MAX - formPhotos.length;
    if (event.target.files.length > room) $("report-error").textContent = "最多 9 张照片";
    $("report-send").disabled = true;
    GG.photos.prepare(Array.prototype.slice.call(event.target.files, 0, room)).then(function (blobs) {
      formPhotos = formPhotos.concat(blobs);
      previews($("report-previews"), formPhotos);
    }).catch(function (e) { $("report-error").textContent = e.message; })
      .then(function () { $("report-send").disabled = false; event.target.value = ""; });
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

  function submitReport(event) {
    event.preventDefault();
    var form = $("report-form"), id = form.dataset.requestId, where = point();
    var kind = kindOf($("report-kind").value);
    if (!where) { $("report-error").textContent = "尚未定位：请在地图上手动选点"; return; }
    $("report-send").disabled = true;
    $("report-error").textContent = "";
    if (kind.registry) { queueProposal(form, id, kind, where); return; }
    var lines = Array.prototype.map.call($("report-fields").querySelectorAll("input"), function (i) {
      return i.value.trim() ? i.dataset.label + "：" + i.value.trim() : "";
    }).filter(Boolean);
    var text = lines.concat([$("report-text").value.trim()]).filter(Boolean).join("\n");
    var body = { category: kind.code, lon: where.lon, lat: where.lat,
                 reported_at: new Date().toISOString() };
    if (text) body.text = text;
    GG.outbox.enqueue(id, { type: "report", label: kind.name, sensitive: kind.sensitive, body: body },
                      formPhotos.slice()).then(function (fresh) {
      if (!fresh || form.dataset.requestId !== id) return;
      newForm();
      show("outbox");
    });
  }

  /* A basic-information item that is a registry record goes as a proposal: the record's
     facts, the address written as on the door (the server's standard address is searched
     when it is sent) and any ID number beside the facts. */
  function queueProposal(form, id, kind, where) {
    var facts = Object.assign({}, kind.registry.fixed), body = { kind: kind.registry.kind,
      lon: where.lon, lat: where.lat, data: facts };
    $("report-fields").querySelectorAll("input, select").forEach(function (i) {
      var value = i.value.trim();
      if (!value) return;
      if (i.dataset.name === "address") body.address = value;
      else if (i.dataset.name === "id_number") body.id_number = value;
      else facts[i.dataset.name] = value;
    });
    if (!body.address) {
      $("report-error").textContent = "请填写标准地址";
      $("report-send").disabled = false;
      return;
    }
    GG.outbox.enqueue(id, { type: "proposal", label: kind.name, sensitive: kind.sensitive, body: body },
                      []).then(function (fresh) {
      if (!fresh || form.dataset.requestId !== id) return;
      newForm();
      show("outbox");
    });
  }

  // ---- case steps from my work ----
  function stepForm(c) {
    var form = $("step-form").content.firstElementChild.cloneNode(true), id = GG.outbox.newId();
    var blobs = [], buttons = form.querySelector(".buttons"), input = form.querySelector("input");
    input.addEventListener("change", function () {
      GG.photos.prepare(input.files).then(function (b) { blobs = b; });
    });
    var choices = c.item.waiting === "to_handle" ? [["处置完毕", "handle", null]]
      : [["核查通过，待结案", "verify", true], ["核查不通过", "verify", false]];
    choices.forEach(function (choice) {
      var button = GG.views.el("button", choice[0], choice[2] === false ? "" : "primary");
      button.type = "button";
      button.addEventListener("click", function () {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        var payload = { note: form.querySelector("textarea").value.trim() };
        if (choice[1] === "verify") payload.passed = choice[2];
        else if (!payload.note) payload.note = "已处置";
        var body = { report_id: c.report.id, step: choice[1], payload: payload };
        GG.outbox.enqueue(id, { type: "step", label: choice[0] + "：" + c.report.category_name,
                                sensitive: false, body: body }, blobs).then(function () {
          buttons.replaceChildren(GG.views.el("div", "已保存，" + (navigator.onLine ? "正在发送" : "联网后发送"), "state"));
        });
      });
      buttons.appendChild(button);
    });
    return form;
  }

  document.addEventListener("DOMContentLoaded", boot);
  return { signedOut: signedOut, userName: function () { return session ? session.user : ""; },
           show: show, point: point, pinOnMap: pinOnMap };
})();
