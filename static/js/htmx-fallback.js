// When the CDN copy of htmx did not load (offline, blocked, failed its integrity
// check), load the identical vendored copy from our own origin.
if (!window.htmx) {
  const fallback = document.createElement("script");
  fallback.src = document.currentScript.dataset.src;
  document.head.appendChild(fallback);
}
