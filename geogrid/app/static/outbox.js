/* The outbox (as ODK Collect keeps one): every report and case step is written to the
   phone with its client_request_id before anything is sent; a sync loop sends what waits,
   photos first, then the item naming them, and retries with backoff. The server's
   idempotency (the report's client_request_id, a photo's content hash) makes a repeat
   after a cut harmless, so a sync that stops half way simply runs again. */
"use strict";
var GG = window.GG || (window.GG = {});

GG.outbox = (function () {
  var BATCH = 200, DETAILS_PER_SYNC = 20, PROPOSAL_EVERY_MS = 60000, running = null, listeners = [];

  function newId() {
    var bytes = new Uint8Array(8);
    crypto.getRandomValues(bytes);
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); });
    return "app-" + Date.now().toString(36) + "-" + hex.join("");
  }

  /* Keep an item (and its photo blobs) on the phone; a second call with the same id is a
     no-op, which is what a double tap on "send" becomes. */
  function enqueue(id, entry, blobs) {
    return GG.db.get("outbox", id).then(function (found) {
      if (found) return false;
      var keys = blobs.map(function (_, i) { return id + "/" + i; });
      return Promise.all(blobs.map(function (blob, i) { return GG.db.put("blobs", keys[i], blob); }))
        .then(function () {
          entry.id = id; entry.photos = keys; entry.photo_ids = keys.map(function () { return null; });
          entry.state = "waiting"; entry.attempts = 0; entry.next_try = 0; entry.created_at = Date.now();
          return GG.db.add("outbox", id, entry);
        }).then(function () { changed(); sync(); return true; });
    });
  }

  function save(entry) { return GG.db.put("outbox", entry.id, entry).then(changed); }
  // Redrawing is coalesced: a batch of a hundred confirmations draws the list once.
  var pending = null;
  function changed() {
    if (pending) return;
    pending = setTimeout(function () { pending = null; listeners.forEach(function (f) { f(); }); }, 150);
  }

  /* Send what is due, once at a time (a second call joins the running one). */
  function sync(force) {
    if (running) return running;
    // Offline for sure: trying would only push every item's next try further away.
    if (!GG.api.signedIn() || !navigator.onLine) return Promise.resolve();
    running = GG.db.all("outbox").then(function (entries) {
      var now = Date.now();
      var due = entries.filter(function (e) {
        return e.state === "waiting" && (force || e.next_try <= now);
      }).sort(function (a, b) { return a.created_at - b.created_at; });
      return sendAll(due).then(function () { return fetchDetails(entries); });
    }).catch(function (failure) {
      if (failure && failure.kind === "signed_out") GG.main.signedOut(failure.message);
      else if (!(failure instanceof GG.api.Failure)) console.warn("sync stopped", failure);
    }).then(function () { running = null; changed(); });
    return running;
  }

  function sendAll(due) {
    var plain = due.filter(function (e) { return e.type === "report" && !e.photos.length; });
    var rest = due.filter(function (e) { return plain.indexOf(e) < 0; });
    var chunks = [];
    for (var i = 0; i < plain.length; i += BATCH) chunks.push(plain.slice(i, i + BATCH));
    var chain = chunks.reduce(function (c, chunk) {
      return c.then(function () { return sendBatch(chunk); });
    }, Promise.resolve());
    return rest.reduce(function (c, entry) {
      return c.then(function () { return guarded(entry, sendOne); });
    }, chain);
  }

  // A retry failure stops this round (no network: the rest would fail too) after noting
  // the entry's backoff; a refusal marks the entry and the round goes on.
  function guarded(entry, send) {
    return send(entry).catch(function (failure) {
      // A fault of this entry on the phone (a photo gone from the store) must not hold up
      // the items behind it: it is shown as refused, with the reason.
      if (!(failure instanceof GG.api.Failure)) {
        return refuse(entry, { message: "本机出错：" + (failure && failure.message) });
      }
      if (failure.kind === "signed_out") throw failure;
      if (failure.kind === "refused") return refuse(entry, failure);
      entry.attempts += 1;
      entry.next_try = Date.now() + Math.min(60000, 1000 * Math.pow(2, entry.attempts));
      entry.last_error = failure.message;
      return save(entry).then(function () { throw failure; });
    });
  }

  function refuse(entry, failure) {
    entry.state = "refused";
    entry.last_error = failure.message;
    return save(entry);
  }

  function sendBatch(chunk) {
    var items = chunk.map(function (e) { return Object.assign({ client_request_id: e.id }, e.body); });
    return GG.api.post("/v1/reports/batch", { items: items }).then(function (answer) {
      return Promise.all(answer.results.map(function (r) {
        var entry = chunk[r.index];
        if (r.outcome === "rejected") return refuse(entry, { message: r.message || "被拒绝" });
        return confirmed(entry, r.id);
      }));
    }).catch(function (failure) {
      // A body the server refuses whole (one item's field): send them one by one instead.
      if (failure instanceof GG.api.Failure && failure.kind === "refused") {
        return chunk.reduce(function (c, e) {
          return c.then(function () { return guarded(e, sendOne); });
        }, Promise.resolve());
      }
      throw failure;
    });
  }

  function sendOne(entry) {
    if (entry.type === "proposal") return sendProposal(entry);
    if (entry.type === "address") return sendAddress(entry);
    return uploadPhotos(entry).then(function () {
      var ids = entry.photo_ids.filter(Boolean);
      if (entry.type === "worklog" || entry.type === "checkin") return sendDaily(entry, ids);
      if (entry.type === "report") {
        var body = Object.assign({ client_request_id: entry.id }, entry.body);
        if (ids.length) body.photo_ids = ids;
        return GG.api.post("/v1/reports", body).then(function (a) { return confirmed(entry, a.id); });
      }
      var payload = Object.assign({}, entry.body.payload);
      if (ids.length) payload.photo_ids = ids;
      var path = "/v1/reports/" + entry.body.report_id + "/" + entry.body.step;
      return GG.api.post(path, payload).then(function () { return confirmed(entry, entry.body.report_id); },
        function (failure) { return stepRepeated(entry, failure); });
    });
  }

  /* A registry proposal: the standard address found from the written one (the registry
     keeps addresses; grid staff cannot add one), then the proposal with this entry's id,
     so a repeat after a cut answers the proposal already stored. */
  function sendProposal(entry) {
    var b = entry.body;
    return GG.api.get("/v1/registry/addresses?limit=1&q=" + encodeURIComponent(b.address)).then(function (found) {
      if (!found.length) {
        throw new GG.api.Failure("refused", "未找到标准地址“" + b.address + "”：请核对，或先在地图页“新增标准地址”，社区民警核实后再报");
      }
      var body = { client_request_id: entry.id, kind: b.kind, address_code: found[0].code, data: b.data };
      if (b.id_number) body.id_number = b.id_number;
      entry.address = found[0].text;
      return GG.api.post("/v1/registry/proposals", body);
    }).then(function (made) {
      entry.proposal_id = made.id;
      entry.proposal_status = made.status;
      entry.checked_at = Date.now();
      return confirmed(entry, null);
    });
  }

  /* A new standard address: the server reads the text into its parts (400 naming what it
     could not read: refused, as a retry would read it the same) and keeps it pending for
     the officer; this entry's id makes a repeat after a cut answer the same proposal. */
  function sendAddress(entry) {
    var body = Object.assign({ client_request_id: entry.id }, entry.body);
    var names = { text: "地址" }; // a refusal of the written address names it as the form does
    return GG.api.post("/v1/registry/address-proposals", body, names).then(function (made) {
      var read = made.change.address || {};
      entry.address = read.text;
      entry.parts = read.parts;
      entry.proposal_id = made.id;
      entry.proposal_status = made.status;
      entry.checked_at = Date.now();
      return confirmed(entry, null);
    }, function (failure) {
      if (!(failure instanceof GG.api.Failure) || failure.status !== 400) throw failure;
      throw new GG.api.Failure("refused", "地址无法识别，请改写后重新新增（" + failure.message + "）", 400);
    });
  }

  // A work log is a PUT of its day and a check-in a POST, both idempotent by request id
  // on the server: a repeat after a lost answer is "repeated" (or "stale"), not a copy.
  function sendDaily(entry, ids) {
    var body = Object.assign({ client_request_id: entry.id }, entry.body.fields, { photo_ids: ids });
    if (entry.type === "worklog") {
      return logPhotos(entry, ids).then(function (all) {
        body.photo_ids = all;
        return GG.api.put("/v1/worklogs/" + entry.body.day, body);
      }).then(function () { return confirmed(entry, entry.body.day); });
    }
    return GG.api.post("/v1/check-ins", body).then(function (a) {
      entry.assigned = a.check_in.unit_code ? "单元 " + a.check_in.unit_code : "已签到（不在单元内）";
      return confirmed(entry, a.check_in.id);
    });
  }

  // A save replaces the day's log: it carries the photos the log had when the form opened
  // and those of the day's earlier saves already sent, so an edit never drops a photo.
  function logPhotos(entry, ids) {
    return GG.db.all("outbox").then(function (entries) {
      var all = (entry.body.fields.photo_ids || []).slice();
      entries.filter(function (e) {
        return e.type === "worklog" && e.state === "sent" && e.body.day === entry.body.day;
      }).forEach(function (e) { all = all.concat(e.photo_ids || []); });
      all = all.concat(ids).filter(function (id, i, list) { return id && list.indexOf(id) === i; });
      return all.slice(-9);
    });
  }

  // A case step is not idempotent on the server: after a cut whose answer was lost, the
  // retry finds the case moved on (409). The case's trail tells whether it was ours.
  function stepRepeated(entry, failure) {
    if (!(failure instanceof GG.api.Failure) || failure.status !== 409 || !entry.attempts) throw failure;
    return GG.api.get("/v1/reports/" + entry.body.report_id).then(function (report) {
      var mine = (report.events || []).some(function (e) {
        return e.step === entry.body.step && e.actor === GG.main.userName();
      });
      if (!mine) throw failure;
      return confirmed(entry, entry.body.report_id);
    });
  }

  // Photos go first, all still unsent in one request; a kept photo answers "repeated".
  function uploadPhotos(entry) {
    var missing = entry.photos.filter(function (_, i) { return !entry.photo_ids[i]; });
    if (!missing.length) return Promise.resolve();
    return Promise.all(missing.map(function (key) { return GG.db.get("blobs", key); })).then(function (blobs) {
      var form = new FormData();
      blobs.forEach(function (blob, i) { form.append("files", blob, missing[i].replace("/", "-") + ".jpg"); });
      return GG.api.postForm("/v1/photos", form);
    }).then(function (answer) {
      answer.results.forEach(function (r, i) {
        var at = entry.photos.indexOf(missing[i]);
        if (r.id) entry.photo_ids[at] = r.id;
        else { entry.photo_ids[at] = ""; entry.photo_problem = r.message; }
      });
      return save(entry);
    });
  }

  /* The server has it: mark sent and free the photos' room (the server keeps them); a
     sensitive item keeps only its receipt (no body, no photo ids) so the phone holds no
     personal data it no longer needs. */
  function confirmed(entry, reportId) {
    var keys = entry.photos;
    entry.state = "sent";
    entry.report_id = reportId;
    entry.sent_at = Date.now();
    entry.photo_count = keys.length;
    entry.photos = [];
    if (entry.sensitive) {
      entry.body = null;
      entry.photo_ids = [];
    }
    return save(entry).then(function () {
      return Promise.all(keys.map(function (k) { return GG.db.del("blobs", k); }));
    });
  }

  // Where each sent report went (its unit's leader, the desk it was routed to), and how
  // far each pending proposal is (checked once a minute at most).
  function fetchDetails(entries) {
    return fetchReports(entries).then(function () { return fetchProposals(entries); });
  }

  function fetchProposals(entries) {
    var now = Date.now();
    var wanted = entries.filter(function (e) {
      return (e.type === "proposal" || e.type === "address") && e.state === "sent" &&
        e.proposal_status === "pending" &&
        now - (e.checked_at || 0) > PROPOSAL_EVERY_MS;
    }).slice(0, DETAILS_PER_SYNC);
    return wanted.reduce(function (c, entry) {
      return c.then(function () { return GG.api.get("/v1/registry/proposals/" + entry.proposal_id); })
        .then(function (found) {
          return GG.db.get("outbox", entry.id).then(function (fresh) {
            fresh.proposal_status = found.status;
            fresh.checked_at = Date.now();
            return save(fresh);
          });
        });
    }, Promise.resolve()).catch(function (failure) {
      if (failure && failure.kind === "signed_out") throw failure;
    });
  }

  function fetchReports(entries) {
    var wanted = entries.filter(function (e) {
      return e.type === "report" && e.state === "sent" && !e.assigned;
    }).slice(0, DETAILS_PER_SYNC);
    return wanted.reduce(function (c, entry) {
      return c.then(function () { return GG.db.get("outbox", entry.id); }).then(function (fresh) {
        return GG.api.get("/v1/reports/" + fresh.report_id).then(function (report) {
          fresh.assigned = describe(report);
          fresh.status = report.status;
          return save(fresh);
        }, function (failure) {
          // Stored, but outside my grids (a report from elsewhere is the county's): I may
          // not read it back, so say so once rather than asking at every sync.
          if (!(failure instanceof GG.api.Failure) || failure.kind !== "refused") throw failure;
          fresh.assigned = "已收到（不在本人网格，由县级分流）";
          return save(fresh);
        });
      });
    }, Promise.resolve()).catch(function (failure) {
      if (failure && failure.kind === "signed_out") throw failure;
    });
  }

  function describe(report) {
    var a = report.assignment || {}, r = report.routing || {}, parts = [];
    if (a.unit) parts.push(a.unit.name);
    if (r.route === "station" && r.station) parts.push("派出所：" + r.station.name);
    else if (r.route === "department" && r.department) parts.push("部门：" + r.department.name);
    else if (r.route === "triage") parts.push("县级分流");
    if (a.leader) parts.push("网格长：" + a.leader.name);
    return parts.join("，") || "已收到";
  }

  return {
    newId: newId, enqueue: enqueue, sync: sync, all: function () { return GG.db.all("outbox"); },
    onChange: function (f) { listeners.push(f); }, describe: describe,
  };
})();
