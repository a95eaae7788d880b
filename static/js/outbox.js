// The offline outbox: check-ins and sessions waiting to reach the server, kept in
// IndexedDB. A classic script so that the page and the service worker (the server puts
// it at the head of /sw.js) share one copy of the sending rules, as self.CrampOutbox.
//
// An entry leaves only on a 2xx. A network error or 5xx: it waits. The CSRF token
// comes from the server, never from the page: a page may be older than the session
// (kept by the service worker, or signed in again since in another tab). A token gone
// stale in the meantime: fetch a fresh one and retry once. 401: it waits for a sign-in. Any other
// 4xx: it stays, marked rejected with the server's errors, for the user to fix or
// discard. The client_id makes a repeat harmless on the server.
(() => {
  const DB_NAME = "crampcare-outbox";
  const ENTRIES = "entries";
  const META = "meta";
  const SYNC_TAG = "crampcare-outbox";
  const LOCK = "crampcare-outbox-flush";
  const STALE_MS = 30 * 24 * 3600 * 1000;
  const channel = "BroadcastChannel" in self ? new BroadcastChannel(DB_NAME) : null;
  // A channel never hears its own messages: one more, made once, hears this context's
  // changes as well as other tabs' and the worker's.
  let inbox = null;
  const inPage = typeof document !== "undefined";

  let opening = null;
  function database() {
    opening ??= new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(ENTRIES, { keyPath: "client_id" });
        request.result.createObjectStore(META);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return opening;
  }

  async function transact(store, mode, work) {
    const db = await database();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const request = work(tx.objectStore(store));
      tx.oncomplete = () => resolve(request ? request.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  const list = () => transact(ENTRIES, "readonly", (store) => store.getAll());
  const save = (entry) => transact(ENTRIES, "readwrite", (store) => store.put(entry));
  const remove = (id) => transact(ENTRIES, "readwrite", (store) => store.delete(id));
  const readMeta = (key) => transact(META, "readonly", (store) => store.get(key));
  const writeMeta = (key, value) => transact(META, "readwrite", (store) => store.put(value, key));

  // Other tabs, this page and the service worker all hear about a change.
  function changed() {
    if (channel) channel.postMessage("changed");
    else if (inPage) self.dispatchEvent(new CustomEvent("crampcare:outbox"));
  }

  const isStale = (entry, now = Date.now()) => now - Date.parse(entry.created_at) > STALE_MS;

  // The token and account the server last named for this browser's session.
  let token = null;
  // Whose entries these are: an opaque tag of the signed-in account. An entry is only
  // ever sent for the account that made it (or, made signed out, for the next sign-in).
  let account = null;
  function pageAccount() {
    if (!inPage) return null;
    return document.querySelector('meta[name="crampcare-account"]')?.content || null;
  }

  async function freshToken() {
    const response = await fetch("/api/csrf-token", { credentials: "same-origin" });
    if (!response.ok) throw new Error(`csrf-token answered ${response.status}`);
    const body = await response.json();
    token = body.csrf_token;
    account = body.account || null;
    const meta = inPage && document.querySelector('meta[name="csrf-token"]');
    if (meta) meta.content = token;
    return token;
  }

  async function readErrors(response) {
    try {
      const body = await response.json();
      if (body && typeof body.errors === "object") return body.errors;
    } catch {
      // Not JSON: fall through to a generic message.
    }
    return { request: `The server refused it (HTTP ${response.status}).` };
  }

  // Send one entry; answer {outcome: "sent" | "wait" | "needs_login" | "rejected", ...}.
  async function send(entry) {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      let response;
      try {
        const csrf = token || (await freshToken());
        response = await fetch(entry.url, {
          method: entry.method || "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
          body: JSON.stringify(entry.body),
        });
      } catch {
        return { outcome: "wait" };
      }
      if (response.ok) {
        let data = null;
        try {
          data = await response.json();
        } catch {
          data = null;
        }
        return { outcome: "sent", status: response.status, data };
      }
      if (response.status === 401) return { outcome: "needs_login", status: 401 };
      if (response.status >= 500 || response.status === 408 || response.status === 429) {
        return { outcome: "wait", status: response.status };
      }
      const errors = await readErrors(response);
      if (response.status === 400 && errors.csrf_token && attempt === 0) {
        try {
          await freshToken();
        } catch {
          return { outcome: "wait" };
        }
        continue;
      }
      return { outcome: "rejected", status: response.status, errors };
    }
    return { outcome: "wait" };
  }

  // randomUUID needs a secure context; getRandomValues makes the same v4 UUID anywhere.
  function newClientId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function entryFrom({ kind, url, body, method = "POST", formUrl = null }) {
    return {
      client_id: body.client_id || newClientId(),
      account: pageAccount(),
      kind,
      url,
      method,
      body,
      form_url: formUrl,
      created_at: new Date().toISOString(),
      status: "pending",
      errors: null,
    };
  }

  async function enqueue(entry) {
    const stored = entry.status ? entry : entryFrom(entry);
    await save(stored);
    changed();
    await requestSync();
    return stored;
  }

  async function requestSync() {
    if (!inPage || !("serviceWorker" in navigator)) return;
    try {
      const registration = await navigator.serviceWorker.getRegistration();
      if (registration && "sync" in registration) await registration.sync.register(SYNC_TAG);
    } catch {
      // Background Sync refused or missing: page loads and `online` still flush.
    }
  }

  async function flushUnlocked() {
    let entries = (await list()).filter(
      (entry) => entry.status === "pending" || entry.status === "needs_login",
    );
    if (!entries.length) return 0;
    // Whatever this page was given, ask the server for the session's token and account.
    try {
      await freshToken();
    } catch {
      return 0;
    }
    const me = account;
    entries = entries
      .filter((entry) => !entry.account || !me || entry.account === me)
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    let sent = 0;
    for (const entry of entries) {
      const result = await send(entry);
      if (result.outcome === "sent") {
        await remove(entry.client_id);
        sent += 1;
      } else if (result.outcome === "wait") {
        break;
      } else {
        entry.status = result.outcome;
        entry.errors = result.errors || null;
        await save(entry);
        if (result.outcome === "needs_login") break;
      }
    }
    if (sent) await writeMeta("last_synced_at", new Date().toISOString());
    if (entries.length) changed();
    return sent;
  }

  // One flush at a time across every tab and the service worker.
  let running = null;
  function flush() {
    if (self.navigator && navigator.locks) {
      return navigator.locks.request(LOCK, () => flushUnlocked());
    }
    running = (running || Promise.resolve()).then(flushUnlocked, flushUnlocked);
    return running;
  }

  async function discard(id) {
    await remove(id);
    changed();
  }

  async function clear() {
    await transact(ENTRIES, "readwrite", (store) => store.clear());
    await transact(META, "readwrite", (store) => store.clear());
    changed();
  }

  // Try the server now; keep the entry in the outbox if the network is not there.
  async function submitOrQueue({ kind, url, body, method = "POST", formUrl = null }) {
    const entry = entryFrom({ kind, url, body, method, formUrl });
    const result = await send(entry);
    if (result.outcome === "wait" || result.outcome === "needs_login") {
      if (result.outcome === "needs_login") entry.status = "needs_login";
      await enqueue(entry);
      return { queued: true, ...result, entry };
    }
    return { queued: false, ...result, entry };
  }

  self.CrampOutbox = {
    SYNC_TAG,
    enqueue,
    flush,
    list,
    discard,
    clear,
    submitOrQueue,
    isStale,
    lastSyncedAt: () => readMeta("last_synced_at"),
    newClientId,
    onChange(listener) {
      if (channel) {
        inbox ??= new BroadcastChannel(DB_NAME);
        inbox.addEventListener("message", listener);
      } else if (inPage) self.addEventListener("crampcare:outbox", listener);
    },
  };
})();
