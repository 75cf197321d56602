// Ashar's service worker: keeps the pages an office types into, and what they need, so that a village
// office opens them without a connection. Only those pages: never a list of people, never a case.
// Served from the root so that it may answer for the whole site; registered by /js/offline.js.
"use strict";
var CACHE = "ashar-offline-3";
var ASSETS = ["/css/ashar.css", "/js/offline.js", "/js/batch.js", "/js/survey.js", "/icons/ashar.svg"];
// The pages typed into while offline (they carry a form marked data-offline).
var OFFLINE_PAGES = [/^\/timebanks\/[0-9A-Fa-f-]{36}\/batch$/, /^\/forms\/[0-9A-Fa-f-]{36}\/fill$/, /^\/rounds\/[0-9A-Fa-f-]{36}$/,
                     /^\/pools\/[0-9A-Fa-f-]{36}$/];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) { return key !== CACHE; }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  var page = request.mode === "navigate" && OFFLINE_PAGES.some(function (pattern) { return pattern.test(url.pathname); });
  if (!page && ASSETS.indexOf(url.pathname) < 0) return;
  // The newest copy while there is a connection, the last one kept when there is none.
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(url.pathname).then(function (kept) { return kept || Response.error(); });
  }));
});
