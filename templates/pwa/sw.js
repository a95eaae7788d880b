// CrampCare service worker. The server serves this file at /sw.js after one line,
// `self.WORKER_SETTINGS = {...};`, holding this deployment's version and URLs, and after
// static/js/outbox.js, which sets self.CrampOutbox (see crampcare/pwa/routes.py), so the
// file itself stays plain JavaScript that the linter reads.
// Pages: network first, then the cache, then /offline. Static files: cache first.
// Health data (no-store, or under a never-cache path) is never put in a cache.

const {
  version: VERSION,
  staticFiles: STATIC_FILES,
  pages: PAGES,
  neverCache: NEVER_CACHE,
  cacheable: CACHEABLE,
  htmxCdnUrl: HTMX_CDN_URL,
  htmxVendored: HTMX_VENDORED,
  notificationIcon: NOTIFICATION_ICON,
  keepHeader: KEEP_HEADER,
} = self.WORKER_SETTINGS;
const STATIC_CACHE = `crampcare-static-${VERSION}`;
const PAGE_CACHE = `crampcare-pages-${VERSION}`;
const OFFLINE_PAGE = "/offline";
// The account the kept pages were rendered for (the server's CrampCare-Account header),
// kept beside the static files: a new version starts knowing no account.
const ACCOUNT_KEY = "/__crampcare-account";
// Static URLs carry their content hash (`?v=…`); a module imported by a relative path
// asks for the bare path. Both are answered from the one precached copy.
const STATIC_PATHS = new Set(
  STATIC_FILES.map((url) => new URL(url, self.location.origin).pathname),
);

const neverCached = (path) =>
  !CACHEABLE.includes(path) &&
  NEVER_CACHE.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

const storable = (response) =>
  response.ok &&
  response.type === "basic" &&
  !response.redirected &&
  !/no-store/i.test(response.headers.get("Cache-Control") || "");

// A shared phone: pages kept for one person are never shown to the next. The account
// a page was rendered for is in its CrampCare-Account header; when a page the person
// opens names another account (another sign-in, or none after a sign-out made
// elsewhere), or the API answers 401, the page caches are emptied.
async function forgetPages() {
  for (const name of await caches.keys()) {
    if (name.startsWith("crampcare-pages-")) await caches.delete(name);
  }
}

async function knownAccount() {
  const kept = await (await caches.open(STATIC_CACHE)).match(ACCOUNT_KEY);
  return kept ? kept.text() : null;
}

// One change at a time, so pages fetched together never clear what another just kept.
// With `from`, the change is made only if the known account is still that one.
let accountChanges = Promise.resolve();
function changeAccount(account, { from } = {}) {
  const change = accountChanges.then(async () => {
    const previous = await knownAccount();
    if (previous === account) return;
    if (from !== undefined && previous !== from) return;
    // The offline page is drawn for one account too. The new one is fetched before the
    // old is forgotten, so a connection lost just after a sign-in still finds a page.
    const offline = await fetchPageFor(OFFLINE_PAGE, account);
    if (previous !== null) await forgetPages();
    await (await caches.open(STATIC_CACHE)).put(ACCOUNT_KEY, new Response(account));
    if (offline) await (await caches.open(PAGE_CACHE)).put(OFFLINE_PAGE, offline);
  });
  accountChanges = change.catch(() => {});
  return change;
}

// A copy to keep, not a visit: the header tells the server to leave the session (its
// cookie, its flashed messages) as it is. A redirect is never kept, so it is not followed.
const fetchCopy = (url) =>
  fetch(url, {
    credentials: "same-origin",
    cache: "no-cache",
    redirect: "manual",
    headers: { [KEEP_HEADER]: "1" },
  });

// The page as the server draws it for `account` now, or null (offline, or another account).
async function fetchPageFor(url, account) {
  try {
    const response = await fetchCopy(url);
    const drawnFor = response.headers.get("CrampCare-Account");
    return storable(response) && drawnFor === account ? response : null;
  } catch {
    return null;
  }
}

// The server no longer knows this browser's sign-in: what was kept for it goes. The 401
// speaks of the account known when the request left: if another sign-in was seen while it
// was on its way, that newer one stays.
async function watchSignIn(request) {
  const sentFor = await knownAccount();
  const response = await fetch(request);
  if (response.status === 401) await changeAccount("", { from: sentFor });
  return response;
}

// Kept only when rendered for the account of the pages the person is seeing now: a
// fetch begun before a sign-in or sign-out must not put the other account's copy back.
async function keepIfCurrent(key, response) {
  const account = response.headers.get("CrampCare-Account");
  if (account === null || !storable(response)) return;
  if ((await knownAccount()) === null) await changeAccount(account);
  await accountChanges;
  if ((await knownAccount()) !== account) return;
  await (await caches.open(PAGE_CACHE)).put(key, response);
}

async function keepPage(url) {
  try {
    const response = await fetchCopy(url);
    await keepIfCurrent(url, response);
  } catch {
    // Offline or refused: the next visit online fills the gap.
  }
}

// Pages that are missing (say, they needed a sign-in at install time) are fetched again.
async function keepMissingPages() {
  const cache = await caches.open(PAGE_CACHE);
  const missing = [];
  for (const url of PAGES) {
    if (!(await cache.match(url))) missing.push(url);
  }
  await Promise.all(missing.map(keepPage));
}

// A static URL with its content hash (`?v=…`) names those bytes for good, and is served as
// immutable: a copy the browser already holds (the page has just loaded the CSS and most
// scripts) is kept as it is, not asked for again. Any other URL is checked with the server.
const precacheRequest = (url) =>
  new Request(url, {
    cache: new URL(url, self.location.origin).searchParams.has("v") ? "default" : "no-cache",
  });

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(STATIC_CACHE);
      await cache.addAll(STATIC_FILES.map(precacheRequest));
      await keepMissingPages();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const keep = [STATIC_CACHE, PAGE_CACHE];
      for (const name of await caches.keys()) {
        if (name.startsWith("crampcare-") && !keep.includes(name)) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  const type = event.data?.type;
  if (type === "SKIP_WAITING") self.skipWaiting();
  if (type === "KEEP_PAGES") {
    // The page names the account it was rendered for: a page loaded before this worker
    // controlled it still tells it who is signed in now. A page already left behind (its
    // message came late, say the signed-out page before a sign-in) says nothing any more.
    const account = typeof event.data.account === "string" ? event.data.account : null;
    event.waitUntil(
      (async () => {
        const open = event.source ? await self.clients.get(event.source.id) : undefined;
        if (account !== null && open) await changeAccount(account);
        await keepMissingPages();
      })(),
    );
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag === self.CrampOutbox.SYNC_TAG) event.waitUntil(self.CrampOutbox.flush());
});

// Keeping a copy outlives the answer: the event waits for it, or the browser may stop the
// worker before the copy is written.
function keepCopy(event, cacheName, key, response) {
  const copy = response.clone();
  event.waitUntil(caches.open(cacheName).then((cache) => cache.put(key, copy)));
}

async function pageFirstFromNetwork(event) {
  const { request } = event;
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    const account = response.headers.get("CrampCare-Account");
    if (account !== null) await changeAccount(account);
    if (!neverCached(url.pathname) && storable(response)) {
      event.waitUntil(keepIfCurrent(url.pathname + url.search, response.clone()));
    }
    return response;
  } catch (error) {
    // A change of account under way decides which pages are still there.
    await accountChanges;
    if (neverCached(url.pathname)) return offlinePage(error);
    const cache = await caches.open(PAGE_CACHE);
    const kept =
      (await cache.match(url.pathname + url.search)) ||
      (await cache.match(url.pathname, { ignoreSearch: true }));
    return kept || offlinePage(error);
  }
}

async function offlinePage(error) {
  const page = await caches.match(OFFLINE_PAGE, { ignoreSearch: true });
  if (page) return page;
  throw error;
}

async function staticFromCache(event) {
  const { request } = event;
  const kept = await caches.match(request, { cacheName: STATIC_CACHE, ignoreSearch: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (storable(response)) keepCopy(event, STATIC_CACHE, request, response);
  return response;
}

// The CDN's htmx and our vendored copy are the same bytes (the SRI hash pins them), so
// the page's crossorigin script is answered from the cache with a CORS-readable copy.
async function htmxFromCache(request) {
  const kept = await caches.match(HTMX_VENDORED, { cacheName: STATIC_CACHE });
  if (!kept) return fetch(request);
  return new Response(await kept.blob(), {
    status: 200,
    headers: {
      "Content-Type": "application/javascript; charset=utf-8",
      "Access-Control-Allow-Origin": "*",
    },
  });
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const sameOrigin = new URL(request.url).origin === self.location.origin;
  if (sameOrigin && new URL(request.url).pathname.startsWith("/api/")) {
    event.respondWith(watchSignIn(request));
    return;
  }
  if (request.method !== "GET") return;
  if (request.url === HTMX_CDN_URL) {
    event.respondWith(htmxFromCache(request));
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(pageFirstFromNetwork(event));
  } else if (STATIC_PATHS.has(url.pathname)) {
    event.respondWith(staticFromCache(event));
  }
});

// A reminder from the server: {title, body, url}. A message without a body still shows,
// because the browser counts a push that shows nothing against the site.
self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = {};
  }
  const url = new URL(message.url || "/", self.location.origin);
  event.waitUntil(
    self.registration.showNotification(message.title || "Time to stretch", {
      body: message.body || "",
      icon: NOTIFICATION_ICON,
      badge: NOTIFICATION_ICON,
      tag: "crampcare-reminder",
      data: { url: url.origin === self.location.origin ? url.href : self.location.origin },
    }),
  );
});

// A tap opens the suggested page: in a window already open on this app if there is one.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = event.notification.data?.url || self.location.origin;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (open) {
        await open.focus();
        return open.navigate(target);
      }
      return self.clients.openWindow(target);
    })(),
  );
});
