// Reminders on this device: the browser's permission is asked only after a tap on
// "Turn on reminders"; the push subscription made with the app's key goes to the server,
// which sends the reminders at the days and time saved above.

const box = document.querySelector("[data-reminders]");
if (box) start(box);

const csrfToken = () => document.querySelector('meta[name="csrf-token"]').content;

// applicationServerKey takes the key's bytes; the server gives it base64url-encoded.
function keyBytes(text) {
  const base64 = (text + "=".repeat((4 - (text.length % 4)) % 4))
    .replace(/-/g, "+")
    .replace(/_/g, "/");
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}

function sendJson(url, method, body) {
  return fetch(url, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
  });
}

async function start(box) {
  const state = box.querySelector("[data-reminder-state]");
  const turnOn = box.querySelector("[data-reminders-on]");
  const turnOff = box.querySelector("[data-reminders-off]");
  const apple =
    /iphone|ipad|ipod/i.test(navigator.userAgent) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  const installed =
    window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
  box.querySelector("[data-ios-hint]").hidden = !(apple && !installed);
  const supported =
    "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  if (!supported) {
    state.textContent =
      apple && !installed
        ? "Off: on iPhone, reminders need the installed app."
        : "This browser cannot show reminders.";
    return;
  }
  state.textContent = "Checking this device…";
  // The state can be read from the registration as soon as there is one: on a first visit
  // the worker is still installing (it keeps the whole app, which takes a while on a slow
  // connection), and only subscribing needs it active.
  const registration =
    (await navigator.serviceWorker.getRegistration()) || (await navigator.serviceWorker.ready);

  async function show() {
    const subscription = await registration.pushManager.getSubscription();
    const blocked = Notification.permission === "denied";
    if (blocked) {
      state.textContent =
        "Blocked: this browser does not allow notifications from CrampCare. Allow them in its site settings to get reminders.";
    } else if (subscription) {
      state.textContent = "On: reminders come to this device.";
    } else {
      state.textContent = "Off on this device.";
    }
    turnOn.hidden = blocked || Boolean(subscription);
    turnOff.hidden = !subscription;
  }

  turnOn.addEventListener("click", async () => {
    turnOn.disabled = true;
    try {
      if ((await Notification.requestPermission()) === "granted") {
        const { key } = await (
          await fetch(box.dataset.keyUrl, { credentials: "same-origin" })
        ).json();
        const active = await navigator.serviceWorker.ready;
        const subscription = await active.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(key),
        });
        const response = await sendJson(
          box.dataset.subscriptionsUrl,
          "POST",
          subscription.toJSON(),
        );
        if (!response.ok) {
          await subscription.unsubscribe();
          throw new Error(`the server answered ${response.status}`);
        }
      }
      await show();
    } catch (error) {
      state.textContent = `Reminders could not be turned on (${error.message}). Try again later.`;
    } finally {
      turnOn.disabled = false;
    }
  });

  turnOff.addEventListener("click", async () => {
    const subscription = await registration.pushManager.getSubscription();
    if (subscription) {
      await sendJson(box.dataset.subscriptionsUrl, "DELETE", { endpoint: subscription.endpoint });
      await subscription.unsubscribe();
    }
    await show();
  });

  await show();
}
