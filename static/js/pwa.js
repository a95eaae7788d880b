// The installable, offline app: service worker, update banner, install offer, and the
// outbox's status line. The outbox itself is static/js/outbox.js (self.CrampOutbox).

const outbox = window.CrampOutbox;
const bar = document.getElementById("pwa-bar");
const byId = (id) => document.getElementById(id);

const KINDS = { session: ["session", "sessions"], checkin: ["check-in", "check-ins"] };
const counted = (n, kind) => `${n} ${(KINDS[kind] || ["entry", "entries"])[n === 1 ? 0 : 1]}`;
const clock = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function summaryOf(entries, lastSyncedAt) {
  const waiting = entries.filter((entry) => entry.status === "pending");
  const login = entries.filter((entry) => entry.status === "needs_login");
  const rejected = entries.filter((entry) => entry.status === "rejected");
  if (login.length) return `Sign in to sync: ${counted(login.length + waiting.length)} waiting.`;
  if (waiting.length) {
    const kinds = Object.keys(KINDS).filter((kind) => waiting.some((e) => e.kind === kind));
    const parts = kinds.map((kind) => counted(waiting.filter((e) => e.kind === kind).length, kind));
    const others = waiting.filter((entry) => !KINDS[entry.kind]).length;
    if (others) parts.push(counted(others));
    const stale = waiting.filter((entry) => outbox.isStale(entry)).length;
    const note = stale ? ` (${stale} over 30 days old)` : "";
    return `${parts.join(" and ")} waiting to sync${note}.`;
  }
  if (rejected.length) return `${counted(rejected.length)} could not be saved: fix or discard.`;
  if (lastSyncedAt) return `All synced at ${clock(lastSyncedAt)}.`;
  return "";
}

function rejectedItem(entry) {
  const item = element("li", null, "outbox-entry");
  const what = KINDS[entry.kind] ? KINDS[entry.kind][0] : "entry";
  const made = new Date(entry.created_at).toLocaleString([], {
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
  const title = element("p", `The ${what} from ${made} was refused.`);
  if (outbox.isStale(entry)) title.append(element("span", " Stale: over 30 days old.", "badge"));
  item.append(title);
  const problems = element("ul", null, "outbox-errors");
  for (const [field, message] of Object.entries(entry.errors || {})) {
    const sent =
      entry.body && field in entry.body ? ` (sent: ${JSON.stringify(entry.body[field])})` : "";
    problems.append(element("li", `${field}: ${message}${sent}`));
  }
  item.append(problems);
  const actions = element("div", null, "actions");
  if (entry.form_url) {
    const fix = element("a", "Fix", "button small");
    fix.href = entry.form_url;
    actions.append(fix);
  }
  const discard = element("button", "Discard", "button small danger");
  discard.type = "button";
  discard.dataset.discard = entry.client_id;
  actions.append(discard);
  item.append(actions);
  return item;
}

async function renderOutbox() {
  const status = byId("outbox-status");
  if (!status || !outbox) return;
  const entries = await outbox.list();
  const summary = summaryOf(entries, await outbox.lastSyncedAt());
  const text = byId("outbox-summary");
  text.replaceChildren(summary);
  if (entries.some((entry) => entry.status === "needs_login")) {
    const signIn = element("a", "Sign in");
    signIn.href = bar.dataset.loginUrl;
    text.append(" ", signIn);
  }
  byId("outbox-rejected").replaceChildren(
    ...entries.filter((entry) => entry.status === "rejected").map(rejectedItem),
  );
  status.hidden = !summary;
}

async function flushAndShow() {
  try {
    await outbox.flush();
  } finally {
    await renderOutbox();
  }
}

// Kept pages were rendered for this account: the next visitor fetches their own.
async function forgetPages() {
  if (!("caches" in window)) return;
  for (const name of await caches.keys()) {
    if (name.startsWith("crampcare-pages-")) await caches.delete(name);
  }
}

function watchOutbox() {
  if (!outbox) return;
  outbox.onChange(() => renderOutbox());
  window.addEventListener("online", flushAndShow);
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-discard]");
    if (button) outbox.discard(button.dataset.discard);
  });
  // Signing out clears the outbox, after saying what would be lost.
  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-logout]");
    if (!form) return;
    event.preventDefault();
    try {
      const unsent = (await outbox.list()).length;
      const warning = `${counted(unsent)} not sent yet will be deleted from this device. Sign out anyway?`;
      if (unsent && !window.confirm(warning)) return;
      await outbox.clear();
      await forgetPages();
      // A routine left half-played belongs to this account too.
      for (const key of Object.keys(localStorage)) {
        if (key.startsWith("crampcare.player.")) localStorage.removeItem(key);
      }
      // And its reminders: the server forgets them with the sign-in, the browser here too.
      await forgetPushSubscription();
    } catch {
      // Storage unavailable: signing out must still work.
    }
    HTMLFormElement.prototype.submit.call(form);
  });
  flushAndShow();
}

async function forgetPushSubscription() {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = await registration?.pushManager?.getSubscription();
  if (subscription) await subscription.unsubscribe();
}

function offerUpdate(registration) {
  const banner = byId("update-banner");
  let reloading = false;
  const show = () => {
    if (registration.waiting && navigator.serviceWorker.controller) banner.hidden = false;
  };
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker?.addEventListener("statechange", () => worker.state === "installed" && show());
  });
  byId("update-reload").addEventListener("click", () => {
    reloading = true;
    registration.waiting?.postMessage({ type: "SKIP_WAITING" });
  });
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading) window.location.reload();
  });
  show();
}

async function registerWorker() {
  if (!("serviceWorker" in navigator) || !bar) return;
  const registration = await navigator.serviceWorker.register(bar.dataset.swUrl, { scope: "/" });
  offerUpdate(registration);
  const ready = await navigator.serviceWorker.ready;
  ready.active?.postMessage({ type: "KEEP_PAGES" });
}

function offerInstall() {
  const button = byId("install-app");
  let prompt = null;
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    prompt = event;
    button.hidden = false;
  });
  button.addEventListener("click", async () => {
    if (!prompt) return;
    prompt.prompt();
    await prompt.userChoice;
    prompt = null;
    button.hidden = true;
  });
  window.addEventListener("appinstalled", () => {
    button.hidden = true;
  });
  const ios =
    /iphone|ipad|ipod/i.test(navigator.userAgent) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  const hint = byId("ios-hint");
  if (ios && !navigator.standalone && !localStorage.getItem("ios-hint-dismissed")) {
    hint.hidden = false;
  }
  byId("ios-hint-dismiss").addEventListener("click", () => {
    localStorage.setItem("ios-hint-dismissed", "1");
    hint.hidden = true;
  });
}

if (bar) {
  offerInstall();
  watchOutbox();
  registerWorker().catch(() => {
    // No service worker (private mode, old browser): the site still works online.
  });
}

const submitOrQueue = (entry) => outbox.submitOrQueue(entry);

export { renderOutbox, submitOrQueue };
