// The check-in form: a fresh id and the local time when it opens, quick water buttons.

import { localInstant, newId, zonedInstant, zonedNow } from "./instants.js";

function prepare(form) {
  if (form.dataset.prepared) return;
  form.dataset.prepared = "1";
  // A new form, perhaps from the offline cache: it gets its own id and the time it
  // was opened. The id stays for this page, so a second tap on Save is harmless.
  if (form.hasAttribute("data-fresh")) {
    const id = form.querySelector("[data-client-id]");
    if (id) id.value = newId();
    const at = form.querySelector("[data-recorded-at]");
    if (at) at.value = localInstant();
    // A cached page's "now" is when it was cached: the date and time open at this
    // moment, on the clocks of the person's own timezone (the server reads them so).
    const date = form.querySelector("[data-when-date]");
    const time = form.querySelector("[data-when-time]");
    if (date && time) {
      [date.value, time.value] = zonedNow(date.dataset.zone);
      date.max = date.value;
    }
  }
  const water = form.querySelector("#water_ml");
  for (const button of form.querySelectorAll("[data-add-water]")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const total =
        (Number.parseFloat(water.value) || 0) + Number.parseFloat(button.dataset.addWater);
      water.value = String(Math.round(total * 10) / 10);
      water.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }
}

function prepareAll() {
  for (const form of document.querySelectorAll("[data-checkin-form]")) prepare(form);
}

// Offline, a new check-in goes to the outbox as the JSON the API takes; the same
// rules then judge it when it is sent.
const LIST_FIELDS = ["cramp_locations", "electrolytes", "red_flags"];
const INT_FIELDS = ["session_id", "cramp_severity", "pain", "water_ml", "exertion"];
// Not fields of the API: the date and time typed become recorded_at above.
const SKIPPED = ["csrf_token", "water_unit", "recorded_date", "recorded_time"];

function checkinBody(form) {
  const data = new FormData(form);
  // The page carries the server's factor, so both languages convert alike.
  const mlPerFlOz = Number(form.querySelector("[data-ml-per-fl-oz]").dataset.mlPerFlOz);
  const body = Object.fromEntries(
    LIST_FIELDS.map((name) => [name, data.getAll(name).filter(Boolean)]),
  );
  const [day, clock] = [data.get("recorded_date"), data.get("recorded_time")];
  const zone = form.querySelector("[data-when-date]")?.dataset.zone;
  if (day && clock) body.recorded_at = zonedInstant(day, clock, zone);
  for (const [name, raw] of data.entries()) {
    if (LIST_FIELDS.includes(name) || SKIPPED.includes(name)) continue;
    const text = String(raw).trim();
    if (text === "") body[name] = null;
    else if (name === "water_ml" && data.get("water_unit") === "floz")
      body[name] = Math.round(Number(text) * mlPerFlOz);
    else if (INT_FIELDS.includes(name) && /^-?\d+$/.test(text)) body[name] = Number(text);
    else body[name] = text;
  }
  return body;
}

async function keepOffline(form) {
  if (!window.CrampOutbox) return false;
  await window.CrampOutbox.enqueue({
    kind: "checkin",
    url: form.dataset.apiUrl,
    body: checkinBody(form),
    formUrl: location.pathname,
  });
  const notice = document.createElement("section");
  notice.className = "card";
  notice.setAttribute("role", "status");
  const heading = document.createElement("h2");
  heading.textContent = "Saved on this phone";
  heading.tabIndex = -1;
  heading.dataset.focusOnArrival = "";
  const text = document.createElement("p");
  text.textContent = "You are offline. Your check-in will be sent when the connection returns.";
  notice.append(heading, text);
  const next = document.getElementById("checkin-next-steps");
  if (next) notice.append(next.content.cloneNode(true));
  form.replaceWith(notice);
  heading.focus();
  return true;
}

// Only new check-ins (the form has an API address): edits wait for a connection.
document.addEventListener(
  "submit",
  (event) => {
    const form = event.target.closest("[data-checkin-form][data-api-url]");
    if (!form || navigator.onLine) return;
    event.preventDefault();
    event.stopPropagation();
    keepOffline(form);
  },
  true,
);
// Online in name only (a gym basement): htmx could not reach the server.
document.addEventListener("htmx:sendError", (event) => {
  const form = event.detail.elt.closest?.("[data-checkin-form][data-api-url]");
  if (form) keepOffline(form);
});

prepareAll();
// A form swapped in by htmx (a re-render with errors) keeps its id and time.
document.addEventListener("htmx:afterSettle", prepareAll);
