// Copy or share a share code: the system share sheet where the browser has one, the
// clipboard always. What happened is said in a live region.

const feedback = document.querySelector("[data-share-feedback]");

function say(message) {
  // Cleared first, so the same words said twice are announced twice.
  feedback.textContent = "";
  requestAnimationFrame(() => {
    feedback.textContent = message;
  });
}

async function copy(actions) {
  try {
    await navigator.clipboard.writeText(actions.dataset.code);
    say(`Copied ${actions.dataset.code}. Paste it into a message to your clinician.`);
  } catch {
    say(`Could not copy. Select the code ${actions.dataset.code} and copy it yourself.`);
  }
}

async function share(actions) {
  try {
    await navigator.share({ title: "CrampCare share code", text: actions.dataset.text });
    say(`Shared ${actions.dataset.code}.`);
  } catch (error) {
    // Closing the share sheet is a choice, not a failure.
    if (error.name === "AbortError") say("Not shared.");
    else await copy(actions);
  }
}

for (const actions of document.querySelectorAll("[data-share-actions]")) {
  actions.hidden = false;
  const canShare = typeof navigator.share === "function";
  actions.querySelector("[data-share-code]").hidden = !canShare;
  actions.querySelector("[data-copy-code]").addEventListener("click", () => copy(actions));
  actions.querySelector("[data-share-code]").addEventListener("click", () => share(actions));
}
