// Forms: after a failed submit, focus goes to the error summary (rendered by the server)
// so it is seen and read out; its links then take focus to the field they name.

// Each summary, or a saved message that replaced a form, takes focus once: on the page
// that was loaded, or when htmx swaps it in.
function focusArrival() {
  const target = document.querySelector(
    "[data-error-summary]:not([data-arrived]), [data-focus-on-arrival]:not([data-arrived])",
  );
  if (!target) return;
  target.dataset.arrived = "1";
  target.focus();
}

// A question's words are in its legend or label: bring them into view with the box.
function questionOf(field) {
  const group = field.closest("fieldset");
  if (group && field.type !== "text") return group.querySelector("legend") ?? group;
  return document.querySelector(`label[for="${field.id}"]`) ?? field;
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-error-summary] a[href^='#']");
  if (!link) return;
  const field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (!field) return;
  event.preventDefault();
  const details = field.closest("details");
  if (details) details.open = true;
  // A group (the red flags' disclosure) takes focus on its first control.
  const control = field.matches("input, select, textarea, summary")
    ? field
    : (field.querySelector("input, select, textarea, summary") ?? field);
  questionOf(control).scrollIntoView({ block: "start" });
  control.focus({ preventScroll: true });
});

focusArrival();
document.addEventListener("htmx:afterSettle", focusArrival);
