// The session player. Time comes from timestamps (Date.now against a stored anchor),
// never from counting ticks, so a throttled or hidden tab cannot make it drift.
//
// A session goes idle → ready ("Get ready", counting down to the first step) →
// running ⇄ paused → finished (the finish screen, until the person moves on).

import { cue, setSpeaking, unlockAudio } from "./cues.js";
import { localInstant, newId } from "./instants.js";
import { showPicture } from "./pose-picture.js";
import { showCountdown } from "./repetitions.js";

// Time to get down onto the floor before the first step; Skip starts at once.
const GET_READY_SECONDS = 10;
// A 3-2-1 only before the end of a hold or rest at least this long. In a 5 s hold the
// three ticks and the change would be four sounds in five seconds: no quiet at all.
// From 8 s on there are at least 4 quiet seconds between the start and the "3".
const COUNTDOWN_MIN_SECONDS = 8;
// A tick is sounded only this soon after its second begins, never late (a tab that
// was hidden wakes up without a volley of stale beeps).
const TICK_FRESH_MS = 250;
// How long a reload still shows the finish screen.
const FINISH_KEPT_MS = 30 * 60 * 1000;

const root = document.getElementById("player");
const data = JSON.parse(document.getElementById("timeline").textContent);
const segments = data.segments;
const last = segments.at(-1);
const totalMs = last ? (last.start + last.seconds) * 1000 : 0;
const readyMs = GET_READY_SECONDS * 1000;
const stateKey = `crampcare.player.${data.slug}`;
const SPEECH_KEY = "crampcare.speech";

// state: {clientId, anchor, heldMs, skipped, startedAt, payload, saved, sessionId,
// finishedAt}; null
// before Start. The routine's own clock is offset = now - anchor while running and
// heldMs while paused; it is negative during "Get ready" (the anchor is its end).
// Once finished, payload is what was sent and saved says where it is.
let state = read(stateKey, null);
let timer = 0;
let wakeLock = null;
let heardIndex = null;
let heardTick = 0;

function read(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

function save() {
  if (state) localStorage.setItem(stateKey, JSON.stringify(state));
  else localStorage.removeItem(stateKey);
}

const field = (name) => root.querySelector(`[data-field="${name}"]`);
const button = (name) => root.querySelector(`[data-action="${name}"]`);
const view = (name) => root.querySelector(`[data-view="${name}"]`);
const ticking = () => Boolean(state && state.heldMs == null && !state.payload);

function set(name, text) {
  const element = field(name);
  if (element.textContent !== text) element.textContent = text;
}

function offsetAt(now) {
  if (!state) return -readyMs;
  return Math.min(state.heldMs ?? now - state.anchor, totalMs);
}

function phaseAt(now) {
  if (!state) return "idle";
  if (state.payload) return "finished";
  if (state.heldMs != null) return "paused";
  return offsetAt(now) < 0 ? "ready" : "running";
}

// The segment at this offset; -1 while getting ready.
function indexAt(ms) {
  if (ms < 0) return -1;
  let index = 0;
  while (index < segments.length - 1 && ms >= segments[index + 1].start * 1000) index += 1;
  return index;
}

function clock(ms) {
  const seconds = Math.ceil(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

const sideText = (segment) =>
  segment.side === "none" ? "" : `${segment.side[0].toUpperCase()}${segment.side.slice(1)} side`;
const label = (segment) =>
  [segment.title, sideText(segment).toLowerCase()].filter(Boolean).join(", ");

function previousHold(index) {
  return segments.slice(0, index).findLast((segment) => segment.kind !== "rest");
}

// The same exercise again on the other side: it has a sound and words of its own.
function switchesSide(index) {
  const segment = segments[index];
  const before = previousHold(index);
  return Boolean(
    segment.kind !== "rest" &&
      segment.side !== "none" &&
      before?.step_index === segment.step_index &&
      before.side !== segment.side,
  );
}

function cueFor(index) {
  const segment = segments[index];
  if (segment.kind === "rest") return ["rest", segment.cue || "Rest."];
  if (switchesSide(index)) {
    const round =
      previousHold(index).rep !== segment.rep ? ` Round ${segment.rep} of ${segment.reps}.` : "";
    return ["side", `Switch to the ${segment.side} side.${round}`];
  }
  return ["step", segment.cue || segment.title];
}

function announce(kind, words, shown) {
  set("announce", shown);
  cue(kind, words);
}

// The wake lock is an extra: where the browser lacks it the screen may dim.
async function holdScreen() {
  if (wakeLock || !navigator.wakeLock || document.visibilityState !== "visible") return;
  try {
    wakeLock = await navigator.wakeLock.request("screen");
    wakeLock.addEventListener("release", () => {
      wakeLock = null;
    });
  } catch {
    wakeLock = null;
  }
}

function releaseScreen() {
  wakeLock?.release().catch(() => {});
  wakeLock = null;
}

// While a routine is under way the site's menus give way to the player.
function showPhase(phase) {
  root.dataset.state = phase;
  document.body.classList.toggle("player-active", ["ready", "running", "paused"].includes(phase));
  view("run").hidden = phase === "finished";
  view("finish").hidden = phase !== "finished";
}

function renderControls(phase, ready) {
  button("toggle").textContent = { idle: "Start", paused: "Resume" }[phase] ?? "Pause";
  button("skip").textContent = ready ? "Start now" : "Skip";
  button("skip").disabled = phase === "idle";
  button("back").disabled = phase === "idle" || ready;
}

function renderReady(left, phase) {
  const first = segments[0];
  root.dataset.segmentIndex = -1;
  set("position", phase === "idle" ? `Step 1 of ${data.steps_total}` : "Get ready");
  set("title", first.title);
  set("side", sideText(first));
  // Before Start the first step is shown as it will be; then the seconds to get ready.
  if (phase === "idle") showCountdown(field("countdown"), first, 0, clock(first.seconds * 1000));
  else showCountdown(field("countdown"), { kind: "ready" }, 0, clock(left));
  showPicture(field("picture"), data.poses, first, segments[1], 0, false);
  set("instructions", first.instructions);
  set("next-label", phase === "idle" ? "Next:" : "First:");
  set("next", label(first));
  set("remaining", `${clock(totalMs)} in all`);
  field("progress").value = 0;
}

function renderStep(ms, index, phase) {
  const segment = segments[index];
  const next = segments[index + 1];
  root.dataset.segmentIndex = index;
  const round = segment.reps > 1 ? ` · round ${segment.rep} of ${segment.reps}` : "";
  set("position", `Step ${segment.step_index + 1} of ${data.steps_total}${round}`);
  set("title", segment.title);
  set("side", sideText(segment));
  const left = (segment.start + segment.seconds) * 1000 - ms;
  showCountdown(field("countdown"), segment, ms - segment.start * 1000, clock(left));
  const into = ms - segment.start * 1000;
  showPicture(field("picture"), data.poses, segment, next, into, phase === "running");
  set("instructions", segment.instructions);
  set("next-label", "Next:");
  set("next", next ? label(next) : "Finish");
  set("remaining", `${clock(totalMs - ms)} left of ${clock(totalMs)}`);
  field("progress").value = ms / 1000;
}

// Draw the player at this moment; answer the ms left in what is shown.
function render(now) {
  const phase = phaseAt(now);
  showPhase(phase);
  if (phase === "finished") return 0;
  const ms = offsetAt(now);
  const index = indexAt(ms);
  root.dataset.elapsedMs = Math.round(Math.max(ms, 0));
  renderControls(phase, index === -1 && phase !== "idle");
  if (index === -1) {
    renderReady(-ms, phase);
    return -ms;
  }
  renderStep(ms, index, phase);
  return (segments[index].start + segments[index].seconds) * 1000 - ms;
}

// The sounds due now: a cue when a segment begins (only just: a reload or a tab
// coming back does not replay it), and 3-2-1 before the end of a long one.
function cueAt(ms, left) {
  const index = indexAt(ms);
  const begun = index === -1 ? ms + readyMs : ms - segments[index].start * 1000;
  if (index !== heardIndex) {
    if (heardIndex !== null && begun < 1000) {
      const [kind, words] = cueFor(index);
      announce(kind, words, label(segments[index]));
    }
    heardIndex = index;
    heardTick = 0;
  }
  const length = index === -1 ? readyMs : segments[index].seconds * 1000;
  const second = Math.ceil(left / 1000);
  const late = second * 1000 - left;
  if (
    length >= COUNTDOWN_MIN_SECONDS * 1000 &&
    second <= 3 &&
    second !== heardTick &&
    late < TICK_FRESH_MS
  ) {
    cue("tick");
    heardTick = second;
  }
}

function tick() {
  clearTimeout(timer);
  const now = Date.now();
  const ms = offsetAt(now);
  if (ticking() && ms >= totalMs) return finish(now);
  if (ticking() && ms >= 0 && state.startedAt == null) {
    // The session starts with its first step, not with "Get ready".
    state.startedAt = state.anchor;
    save();
  }
  const left = render(now);
  if (ticking()) {
    cueAt(ms, left);
    // Wake again just after the shown second changes; never trust the delay itself.
    timer = setTimeout(tick, Math.min(250, ((left - 1) % 1000) + 5));
  }
}

function start() {
  const now = Date.now();
  state = { clientId: newId(), anchor: now + readyMs, heldMs: null, skipped: [], startedAt: null };
  save();
  heardIndex = -1;
  const first = segments[0];
  announce(
    "ready",
    `Get ready. First: ${label(first)}. Starting in ${GET_READY_SECONDS} seconds.`,
    "Get ready",
  );
  holdScreen();
}

function togglePause() {
  unlockAudio();
  if (!state) start();
  else if (state.payload) return;
  else if (state.heldMs == null) {
    state.heldMs = offsetAt(Date.now());
    set("announce", "Paused");
    releaseScreen();
  } else {
    state.anchor = Date.now() - state.heldMs;
    state.heldMs = null;
    holdScreen();
  }
  save();
  tick();
}

function jump(toMs) {
  if (!state || state.payload) return;
  if (state.heldMs == null) state.anchor = Date.now() - toMs;
  else state.heldMs = toMs;
  save();
  if (toMs >= totalMs) return finish(Date.now());
  tick();
}

function skip() {
  const ms = offsetAt(Date.now());
  const index = indexAt(ms);
  if (index === -1) return jump(0);
  const segment = segments[index];
  if (!state.skipped.includes(index)) state.skipped.push(index);
  jump((segment.start + segment.seconds) * 1000);
}

function back() {
  const ms = offsetAt(Date.now());
  let index = indexAt(ms);
  if (index === -1) return;
  if (ms - segments[index].start * 1000 < 2000 && index > 0) index -= 1;
  state.skipped = state.skipped.filter((skipped) => skipped < index);
  jump(segments[index].start * 1000);
}

function stepsCompleted() {
  const missed = new Set(
    state.skipped.filter((i) => segments[i].kind !== "rest").map((i) => segments[i].step_index),
  );
  return data.steps_total - missed.size;
}

function finish(now) {
  clearTimeout(timer);
  releaseScreen();
  const startedAt = state.startedAt ?? state.anchor;
  state.payload = {
    client_id: state.clientId,
    routine_slug: data.slug,
    started_at: localInstant(startedAt),
    ended_at: localInstant(Math.max(startedAt, Math.min(now, state.anchor + totalMs))),
    steps_completed: stepsCompleted(),
    steps_total: data.steps_total,
  };
  state.saved = "saving";
  state.finishedAt = now;
  save();
  render(now);
  renderFinish();
  cue("finish", "Well done. Routine complete.");
  // The finish screen is read from its top, where "Log how it went" is.
  window.scrollTo(0, 0);
  field("finish-title").focus({ preventScroll: true });
  send();
}

// ---- The finish screen -----------------------------------------------------------

const SAVED_WORDS = {
  saving: "Saving your session…",
  saved: "Saved to your log.",
  waiting: "Saved on this phone. It will sync when you are online.",
  login: "Saved on this phone. Sign in and it will sync.",
  rejected: "The server could not save this session. It is kept on this phone: see the note above.",
};

function renderFinish() {
  const { payload } = state;
  const took = Date.parse(payload.ended_at) - Date.parse(payload.started_at);
  const skipped = payload.steps_total - payload.steps_completed;
  set("done-routine", data.title);
  set("done-time", clock(took));
  set("done-steps", `${payload.steps_completed} of ${payload.steps_total}`);
  set("done-skipped", skipped === 0 ? "None" : String(skipped));
  set("status", SAVED_WORDS[state.saved] ?? SAVED_WORDS.saving);
  root.dataset.saved = state.saved;
  const checkin = new URL(root.dataset.nextUrl, location.href);
  if (state.sessionId) checkin.searchParams.set("session", state.sessionId);
  field("checkin-link").href = checkin.href;
}

const OUTCOME_SAVED = {
  sent: "saved",
  wait: "waiting",
  needs_login: "login",
  rejected: "rejected",
};

// The outbox sends it now, or keeps it on the phone until it can; its client_id makes
// a resend harmless.
async function send() {
  const entry = {
    kind: "session",
    url: root.dataset.saveUrl,
    body: state.payload,
    formUrl: location.pathname,
  };
  // Offline for sure: straight to the outbox, without a request bound to fail.
  const result = navigator.onLine
    ? await window.CrampOutbox.submitOrQueue(entry)
    : { outcome: "wait", entry: await window.CrampOutbox.enqueue(entry) };
  if (result.outcome === "rejected") {
    // Never dropped silently: it stays in the outbox, shown with the server's reasons.
    await window.CrampOutbox.enqueue({
      ...result.entry,
      status: "rejected",
      errors: result.errors,
    });
  }
  if (!state?.payload) return;
  state.saved = OUTCOME_SAVED[result.outcome];
  if (result.outcome === "sent") state.sessionId = result.data.id;
  save();
  renderFinish();
}

// A session that waited on the phone has left the outbox: it reached the server, so
// the check-in can name it.
async function followSync() {
  if (!state?.payload || !["waiting", "login"].includes(state.saved)) return;
  const entries = await window.CrampOutbox.list();
  if (entries.some((entry) => entry.client_id === state.clientId)) return;
  state.saved = "saved";
  try {
    const response = await fetch(root.dataset.saveUrl, { credentials: "same-origin" });
    const found =
      response.ok &&
      (await response.json()).items.find((item) => item.client_id === state.clientId);
    if (found) state.sessionId = found.id;
  } catch {
    // Offline again: the check-in still opens, without naming the session.
  }
  save();
  renderFinish();
}

function playAgain() {
  state = null;
  save();
  heardIndex = null;
  tick();
  button("toggle").focus();
}

// A reload shows the finish screen again for a while; after that, or once the person
// has moved on from it, the player starts fresh (the session is sent or in the outbox).
function finishedLongAgo(now) {
  return state.saved !== "saving" && !(now - state.finishedAt < FINISH_KEPT_MS);
}

function forgetFinished() {
  if (!state?.payload || state.saved === "saving") return;
  state = null;
  save();
}

if (segments.length) {
  const speech = root.querySelector("[data-setting=speech]");
  speech.checked = localStorage.getItem(SPEECH_KEY) === "on";
  setSpeaking(speech.checked);
  speech.addEventListener("change", () => {
    localStorage.setItem(SPEECH_KEY, speech.checked ? "on" : "off");
    setSpeaking(speech.checked);
  });
  button("toggle").addEventListener("click", togglePause);
  button("skip").addEventListener("click", skip);
  button("back").addEventListener("click", back);
  button("again").addEventListener("click", playAgain);
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", (event) => {
    if (
      event.target.closest("input, select, textarea, a") ||
      event.altKey ||
      event.ctrlKey ||
      event.metaKey
    )
      return;
    const action = { " ": togglePause, ArrowRight: skip, ArrowLeft: back }[event.key];
    if (!action || state?.payload) return;
    event.preventDefault();
    unlockAudio();
    action();
  });
  // Space on a focused button would also click it when released.
  document.addEventListener("keyup", (event) => {
    if (event.key === " " && event.target.closest("button") && !state?.payload)
      event.preventDefault();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    if (ticking()) holdScreen();
    tick();
  });
  window.CrampOutbox?.onChange(followSync);
  field("checkin-link").addEventListener("click", forgetFinished);
  if (state?.payload && finishedLongAgo(Date.now())) forgetFinished();
  if (state?.payload) {
    render(Date.now());
    renderFinish();
    if (state.saved === "saving") send();
    else followSync();
  } else {
    heardIndex = indexAt(offsetAt(Date.now()));
    tick();
  }
}
