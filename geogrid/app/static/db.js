/* The phone's store (IndexedDB): everything the app keeps survives a restart.
   kv: the session and small settings; outbox: reports and case steps not yet confirmed
   (key: client_request_id); blobs: their photos; area: my grids; work: my cases and
   logs; track: patrol points not yet uploaded (key: patrol client id / sequence). */
"use strict";
var GG = window.GG || (window.GG = {});

GG.db = (function () {
  var NAME = "geogrid-app", VERSION = 2, STORES = ["kv", "outbox", "blobs", "area", "work", "track"];
  var opening = null;

  function open() {
    if (opening) return opening;
    opening = new Promise(function (resolve, reject) {
      var request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = function () {
        STORES.forEach(function (name) {
          if (!request.result.objectStoreNames.contains(name)) request.result.createObjectStore(name);
        });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    return opening;
  }

  // One transaction over one store; `work(store)` returns a request whose result we want.
  function run(name, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode), result;
        var request = work(tx.objectStore(name));
        if (request) request.onsuccess = function () { result = request.result; };
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  return {
    get: function (store, key) { return run(store, "readonly", function (s) { return s.get(key); }); },
    put: function (store, key, value) {
      return run(store, "readwrite", function (s) { return s.put(value, key); });
    },
    /* Put only when the key is free: a second tap on "send" finds the first entry. */
    add: function (store, key, value) {
      return run(store, "readwrite", function (s) {
        var found = s.getKey(key);
        found.onsuccess = function () { if (found.result === undefined) s.put(value, key); };
        return null;
      });
    },
    del: function (store, key) { return run(store, "readwrite", function (s) { return s.delete(key); }); },
    all: function (store) { return run(store, "readonly", function (s) { return s.getAll(); }); },
    keys: function (store) { return run(store, "readonly", function (s) { return s.getAllKeys(); }); },
    clear: function (store) { return run(store, "readwrite", function (s) { return s.clear(); }); },
    wipe: function () {
      return Promise.all(STORES.map(function (name) { return GG.db.clear(name); }));
    },
  };
})();
