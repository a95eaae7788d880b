// The timezone picker: a search box that narrows the select, and this device's zone
// offered (or chosen, while the account still has the default UTC).

function deviceZone(select) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return null;
  const names = [...select.options].map((option) => option.value);
  if (names.includes(zone)) return zone;
  // The browser may name the zone by an older alias ("Asia/Calcutta"): match the
  // listed names by what the browser itself calls them.
  const canonical = (name) => {
    try {
      return new Intl.DateTimeFormat("en", { timeZone: name }).resolvedOptions().timeZone;
    } catch {
      return null;
    }
  };
  return names.find((name) => canonical(name) === zone) ?? null;
}

const fold = (text) =>
  text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();

function filter(select, query, matches) {
  const words = fold(query)
    .split(/[\s,/_]+/)
    .filter(Boolean);
  let count = 0;
  let first = null;
  for (const option of select.options) {
    const text = fold(`${option.textContent} ${option.value} ${option.parentElement.label ?? ""}`);
    const shown = words.every((word) => text.includes(word));
    option.hidden = !shown;
    if (shown) {
      count += 1;
      first ??= option;
    }
  }
  for (const group of select.querySelectorAll("optgroup")) {
    group.hidden = ![...group.children].some((option) => !option.hidden);
  }
  if (first && select.selectedOptions[0]?.hidden) select.value = first.value;
  if (!words.length) matches.textContent = "";
  else if (!count) matches.textContent = "No timezone matches; try a nearby city or the country.";
  else
    matches.textContent = `${count} ${count === 1 ? "match" : "matches"}; chosen: ${select.selectedOptions[0].textContent}.`;
}

for (const picker of document.querySelectorAll("[data-timezone-picker]")) {
  const select = picker.querySelector("select");
  const search = picker.querySelector("[data-timezone-search]");
  const input = search.querySelector("input");
  const matches = search.querySelector("[data-timezone-matches]");
  search.hidden = false;
  input.addEventListener("input", () => filter(select, input.value, matches));

  const zone = deviceZone(select);
  if (!zone || zone === select.value) continue;
  const option = [...select.options].find((candidate) => candidate.value === zone);
  if (select.value === "UTC") {
    select.value = zone;
    matches.textContent = `Set from this device: ${option.textContent}. Save the profile to keep it.`;
    continue;
  }
  const offer = picker.querySelector("[data-timezone-device]");
  offer.querySelector("[data-timezone-device-name]").textContent = option.textContent;
  offer.hidden = false;
  offer.querySelector("[data-timezone-use]").addEventListener("click", () => {
    select.value = zone;
    offer.hidden = true;
    matches.textContent = `Chosen: ${option.textContent}. Save the profile to keep it.`;
  });
}
