// Ticking an emergency-tier red flag shows what to do at once, before the check-in is saved.

function update(form) {
  const notice = form.querySelector("[data-emergency-notice]");
  if (!notice) return;
  const emergency = form.querySelector("input[data-emergency-flag]:checked") !== null;
  const wasHidden = notice.hidden;
  notice.hidden = !emergency;
  if (emergency && wasHidden) notice.scrollIntoView({ block: "nearest" });
}

document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.name !== "red_flags") return;
  if (input.form) update(input.form);
});

// A form shown again with its flags (an error, an edit) shows the notice straight away.
function updateAll() {
  for (const form of document.querySelectorAll("form[data-checkin-form]")) update(form);
}

updateAll();
document.addEventListener("htmx:afterSettle", updateAll);
