/* A new standard address proposed from the phone (新增标准地址): the address as written on
   the door, the phone's position (or the pin placed on the map) and an optional note go
   into the outbox like any item; the server reads the text into its parts when it is sent
   and the community police officer confirms it (核实). */
"use strict";
var GG = window.GG || (window.GG = {});

GG.address = (function () {
  function $(id) { return document.getElementById(id); }

  function init() {
    $("address-here").addEventListener("click", open);
    $("address-form").addEventListener("submit", submit);
    $("address-pin").addEventListener("click", GG.main.pinOnMap);
    newForm();
  }

  function open() { GG.main.show("address"); }

  // Each form gets its request id when it opens: every tap on "send" for it is one item.
  function newForm() {
    $("address-form").reset();
    $("address-form").dataset.requestId = GG.outbox.newId();
    $("address-send").disabled = false;
    $("address-error").textContent = "";
  }

  function submit(event) {
    event.preventDefault();
    var form = $("address-form"), id = form.dataset.requestId, where = GG.main.point();
    var written = $("address-text").value.trim(), note = $("address-note").value.trim();
    if (!written) { $("address-error").textContent = "请填写地址"; return; }
    if (!where) { $("address-error").textContent = "尚未定位：请到地图上选点"; return; }
    $("address-send").disabled = true;
    var body = { text: written, lon: where.lon, lat: where.lat };
    if (note) body.note = note;
    GG.outbox.enqueue(id, { type: "address", label: "新增标准地址", sensitive: false, body: body },
                      []).then(function (fresh) {
      if (!fresh || form.dataset.requestId !== id) return;
      newForm();
      GG.main.show("outbox");
    });
  }

  return { init: init };
})();
