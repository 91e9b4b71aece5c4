// Registers the service worker that keeps tickets for offline use (sw.js), hands it the
// upcoming tickets this page links to, and has it forget them when nobody is signed in. It does
// so again after each move within the site that does not load a page (the app's own links and
// forms), so a ticket reached that way is kept too.
(function () {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js").then(() => navigator.serviceWorker.ready).then((registration) => {
    const handOver = () => {
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
      // What this page loads (linked, or imported by the wasm's own scripts), so a kept page
      // looks and works the same offline.
      document.querySelectorAll('link[href^="/pkg/"], script[src^="/"]').forEach((asset) => {
        pages.add(new URL(asset.href || asset.src).pathname);
      });
      performance.getEntriesByType("resource").forEach((entry) => {
        const url = new URL(entry.name);
        if (url.origin === location.origin && url.pathname.startsWith("/pkg/")) pages.add(url.pathname);
      });
      worker.postMessage({ keep: [...pages] });
    };
    handOver();
    // The wasm loads after the page (app/src/hydration.rs): hand its files over once it runs.
    new MutationObserver(handOver).observe(document.body, { attributeFilter: ["data-hydrated"] });
    if (window.navigation) window.navigation.addEventListener("navigatesuccess", handOver);
  }).catch(() => {});
})();
