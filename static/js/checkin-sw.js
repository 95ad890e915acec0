/*
 * Service worker of the check-in page: lets the page open without a connection.
 *
 * A small worker of our own rather than Workbox: it needs two rules (network first for the check-in page, with the
 * last good copy when offline; network first for the portal's static files, with the cached copy when offline), and
 * Workbox would add a build step or a dozen vendored modules for that. The attendance list itself is not here: the
 * page keeps it in IndexedDB and sends the queue itself, so this worker never sees personal data beyond the check-in
 * page's HTML, which the logout (Clear-Site-Data) and the page's clean-up after the session remove.
 */
"use strict";

const CACHE = "kmportal-checkin-v1";
const CHECKIN_PAGE = /^\/forums\/[^/]+\/checkin\/$/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function networkFirst(request, cacheKey) {
  return fetch(request)
    .then((response) => {
      // A redirect (to the login page) or an error is no copy of the page to keep.
      if (response.ok && !response.redirected && response.type === "basic") {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(cacheKey, copy));
      }
      return response;
    })
    .catch(() =>
      caches.open(CACHE).then((cache) =>
        cache.match(cacheKey, { ignoreSearch: true }).then((cached) => cached || Response.error()),
      ),
    );
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && CHECKIN_PAGE.test(url.pathname)) {
    event.respondWith(networkFirst(request, url.origin + url.pathname));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(networkFirst(request, request.url));
  }
});
