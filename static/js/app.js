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

// In the installed app "Keep me signed in" starts ticked: it is the person's own phone,
// and an app that asks for the password at every launch is soon left unused. In a
// browser tab, perhaps on a shared computer, it stays as the server rendered it (off).
const installed = matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
for (const box of document.querySelectorAll("input[data-remember-when-installed]")) {
  if (installed) box.checked = true;
}

export { csrfToken };
