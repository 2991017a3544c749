/* The app's service worker (served as /app/sw.js with this release filled in): the shell
   is kept in a cache named after the release and served from it, so the app starts with
   no network; a new release installs a new cache and removes the old one. The API is
   never cached here: the app keeps its data in IndexedDB. */
"use strict";
var CACHE = "geogrid-app-__RELEASE__";
var FILES = __FILES__;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(FILES.map(function (url) { return new Request(url, { cache: "reload" }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("geogrid-app-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === "/app/") {
    event.respondWith(caches.match("/app/", { cacheName: CACHE }).then(function (hit) {
      return hit || fetch(request);
    }));
    return;
  }
  if (FILES.indexOf(url.pathname + url.search) < 0) return;
  event.respondWith(caches.match(request, { cacheName: CACHE }).then(function (hit) {
    return hit || fetch(request);
  }));
});
