// Registers the service worker that keeps tickets for offline use (sw.js), hands it the
// upcoming tickets this page links to, and has it forget them when nobody is signed in.
(function () {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js").then(() => navigator.serviceWorker.ready).then((registration) => {
    const worker = registration.active;
    if (!worker) return;
    if (document.querySelector('header a[href="/login"]')) {
      worker.postMessage({ forget: true });
      return;
    }
    if (!location.pathname.startsWith("/bookings")) return;
    const pages = new Set([location.pathname]);
    document.querySelectorAll('[data-testid="upcoming"] a[href^="/bookings/"]').forEach((link) => {
      pages.add(new URL(link.href).pathname);
    });
    // What this page loads, so a kept page looks the same offline.
    document.querySelectorAll('link[href^="/pkg/"], script[src^="/pkg/"]').forEach((asset) => {
      pages.add(new URL(asset.href || asset.src).pathname);
    });
    worker.postMessage({ keep: [...pages] });
  }).catch(() => {});
})();
