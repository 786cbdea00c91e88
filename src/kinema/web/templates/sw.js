/* Kinema service worker: keeps the app shell (styles, scripts, icons, offline page) so
   the installed app starts without a connection. API calls and videos always go to the
   network and are never stored here. */
"use strict";

const CACHE = "kinema-shell-__VERSION__";
const SHELL = __SHELL__;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith("kinema-shell-") && name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/v1/")) return;

  if (url.pathname.startsWith("/static/")) {
    // Fingerprinted files never change under the same URL: the cache is always right.
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode === "navigate") {
    // Pages are personal and fresh; only when the network is gone show the offline page.
    event.respondWith(fetch(request).catch(() => caches.match("/offline")));
  }
});
