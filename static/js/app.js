// Behaviour every page shares. No inline script anywhere: the CSP forbids it.

import "./red-flags.js";

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

// htmx writes carry the CSRF token as a header, like the JSON API's.
document.addEventListener("htmx:configRequest", (event) => {
  event.detail.headers["X-CSRFToken"] = csrfToken();
});

// Registration fills the timezone from the browser, so days count in local time.
for (const input of document.querySelectorAll("input[data-timezone]")) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone) input.value = zone;
}

export { csrfToken };
