// The check-in form: a fresh id and the local time when it opens, quick water buttons.

const pad = (n) => String(n).padStart(2, "0");

// "2026-03-01T18:05:00+01:00": the local time with its offset, as the API expects.
function localInstant(date = new Date()) {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const hours = pad(Math.floor(Math.abs(offset) / 60));
  const minutes = pad(Math.abs(offset) % 60);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${hours}:${minutes}`
  );
}

function prepare(form) {
  if (form.dataset.prepared) return;
  form.dataset.prepared = "1";
  // A new form, perhaps from the offline cache: it gets its own id and the time it
  // was opened. The id stays for this page, so a second tap on Save is harmless.
  if (form.hasAttribute("data-fresh")) {
    const id = form.querySelector("[data-client-id]");
    if (id && crypto.randomUUID) id.value = crypto.randomUUID();
    const at = form.querySelector("[data-recorded-at]");
    if (at) at.value = localInstant();
  }
  const water = form.querySelector("#water_ml");
  for (const button of form.querySelectorAll("[data-add-water]")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const total = (Number.parseFloat(water.value) || 0) + Number.parseFloat(button.dataset.addWater);
      water.value = String(Math.round(total * 10) / 10);
      water.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }
}

function prepareAll() {
  for (const form of document.querySelectorAll("[data-checkin-form]")) prepare(form);
}

prepareAll();
// A form swapped in by htmx (a re-render with errors) keeps its id and time.
document.addEventListener("htmx:afterSettle", prepareAll);

export { localInstant };
