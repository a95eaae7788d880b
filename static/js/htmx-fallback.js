// When the CDN copy of htmx did not load (offline, blocked, failed its integrity
// check), load the identical vendored copy from our own origin.
if (!window.htmx) {
  const fallback = document.createElement("script");
  fallback.src = document.currentScript.dataset.src;
  fallback.addEventListener("load", () => {
    // Arriving after the page was parsed, htmx may have missed its own start
    // signal: process the page now (processing twice is harmless).
    if (document.readyState !== "loading") window.htmx.process(document.body);
  });
  document.head.appendChild(fallback);
}
