// The field form's service worker: keeps the page and what it loads, so that it opens and
// takes reports with no connection. Reports themselves wait in IndexedDB (field.js); this
// worker never answers an API call from its cache.
var CACHE = "backstop-field-v1";
var KEPT = ["/console/field", "/assets/field.js", "/assets/console.css", "/assets/favicon.svg", "/assets/field.webmanifest", "/console/field/places"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(KEPT); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== CACHE; }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || KEPT.indexOf(url.pathname) < 0) { return; }
  // The network first (a fresh page carries a fresh session token); the kept copy offline.
  event.respondWith(fetch(event.request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(url.pathname).then(function (kept) { return kept || Response.error(); });
  }));
});
