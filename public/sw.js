// District's service worker: a moviegoer's bookings and tickets stay readable without a network.
// Bookings pages and the built files are fetched from the network first and kept; offline, the
// kept copy answers. Pages ask it to keep the upcoming tickets they link to, and to forget
// everything once nobody is signed in.
const KEPT = "district-tickets-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

/** Same-origin reads worth keeping: bookings pages (tickets, with their QR codes) and what they load. */
function kept(url) {
  return (
    url.origin === self.location.origin &&
    (url.pathname === "/bookings" ||
      url.pathname.startsWith("/bookings/") ||
      url.pathname.startsWith("/pkg/") ||
      url.pathname === "/offline.js" ||
      url.pathname.startsWith("/icons/") ||
      url.pathname === "/favicon.svg" ||
      url.pathname === "/manifest.webmanifest")
  );
}

async function keep(request) {
  const response = await fetch(request);
  // Sent to sign in: whoever's tickets were kept is no longer here.
  if (response.redirected && new URL(response.url).pathname === "/login") {
    await caches.delete(KEPT);
    return response;
  }
  if (response.ok && !response.redirected) {
    const cache = await caches.open(KEPT);
    await cache.put(request, response.clone());
  }
  return response;
}

async function fromNetworkOrKept(request) {
  try {
    return await keep(request);
  } catch (offline) {
    const copy = await caches.match(request, { ignoreSearch: true, ignoreVary: true });
    if (copy) return copy;
    throw offline;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !kept(new URL(request.url))) return;
  event.respondWith(fromNetworkOrKept(request));
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.forget) {
    event.waitUntil(caches.delete(KEPT));
  } else if (Array.isArray(data.keep)) {
    const pages = data.keep.filter(
      (path) => typeof path === "string" && path.startsWith("/") && kept(new URL(path, self.location.origin)),
    );
    event.waitUntil(
      Promise.all(
        pages.map((path) =>
          keep(new Request(path, { credentials: "same-origin", headers: { Accept: "text/html" } })).catch(() => null),
        ),
      ),
    );
  }
});
