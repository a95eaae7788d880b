// The session player. Time comes from timestamps (Date.now against a stored anchor),
// never from counting ticks, so a throttled or hidden tab cannot make it drift.

import { localInstant, newId } from "./instants.js";
import { showCountdown } from "./repetitions.js";

const root = document.getElementById("player");
const data = JSON.parse(document.getElementById("timeline").textContent);
const segments = data.segments;
const last = segments.at(-1);
const totalMs = last ? (last.start + last.seconds) * 1000 : 0;
const stateKey = `crampcare.player.${data.slug}`;
const SPEECH_KEY = "crampcare.speech";

// state: {clientId, startedAt, anchor, heldMs, skipped, payload}; null before Start.
// While running, elapsed = now - anchor; while paused, elapsed = heldMs.
let state = read(stateKey, null);
let timer = 0;
let audio = null;
let wakeLock = null;
let shownIndex = -1;
let beeped = 0;

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
const running = () => Boolean(state && state.heldMs == null && !state.payload);

function set(name, text) {
  const element = field(name);
  if (element.textContent !== text) element.textContent = text;
}

function elapsedAt(now) {
  if (!state) return 0;
  const ms = state.heldMs ?? now - state.anchor;
  return Math.min(Math.max(ms, 0), totalMs);
}

function indexAt(ms) {
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

// Sound, speech, vibration and the wake lock are extras: each quietly does nothing
// where the browser lacks it.
function unlockAudio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!audio && Context) audio = new Context();
  if (audio?.state === "suspended") audio.resume().catch(() => {});
}

function beep(frequency = 660, seconds = 0.12) {
  if (audio?.state !== "running") return;
  const at = audio.currentTime;
  const tone = audio.createOscillator();
  const gain = audio.createGain();
  tone.frequency.value = frequency;
  gain.gain.setValueAtTime(0.3, at);
  gain.gain.exponentialRampToValueAtTime(0.001, at + seconds);
  tone.connect(gain).connect(audio.destination);
  tone.start(at);
  tone.stop(at + seconds);
}

function speak(text) {
  if (!root.querySelector("[data-setting=speech]").checked || !window.speechSynthesis) return;
  speechSynthesis.cancel();
  speechSynthesis.speak(new SpeechSynthesisUtterance(text));
}

function vibrate(pattern) {
  if (navigator.vibrate && navigator.userActivation?.hasBeenActive) navigator.vibrate(pattern);
}

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

function announce(segment) {
  set("announce", label(segment));
  speak(segment.cue || segment.title);
  beep(segment.kind === "rest" ? 520 : 880, 0.25);
  vibrate(segment.kind === "rest" ? 150 : [100, 80, 100]);
}

function render(ms, index) {
  const segment = segments[index];
  const next = segments[index + 1];
  const left = (segment.start + segment.seconds) * 1000 - ms;
  const phase = state?.payload ? "finished" : state ? (running() ? "running" : "paused") : "idle";
  Object.assign(root.dataset, { elapsedMs: Math.round(ms), segmentIndex: index, state: phase });
  const round = segment.reps > 1 ? ` · round ${segment.rep} of ${segment.reps}` : "";
  set("position", `Step ${segment.step_index + 1} of ${data.steps_total}${round}`);
  set("title", segment.title);
  set("side", sideText(segment));
  showCountdown(field("countdown"), segment, ms - segment.start * 1000, clock(left));
  set("instructions", segment.instructions);
  set("next", next ? label(next) : "Finish");
  set("remaining", `${clock(totalMs - ms)} left of ${clock(totalMs)}`);
  field("progress").value = ms / 1000;
  button("toggle").textContent =
    phase === "running" ? "Pause" : phase === "paused" ? "Resume" : "Start";
  button("toggle").disabled = phase === "finished";
  button("back").disabled = button("skip").disabled = phase === "idle" || phase === "finished";
  return left;
}

function tick() {
  clearTimeout(timer);
  const now = Date.now();
  const ms = elapsedAt(now);
  if (running() && ms >= totalMs) return finish(now);
  const index = indexAt(ms);
  const left = render(ms, index);
  const secondsLeft = Math.ceil(left / 1000);
  const fresh = ms - segments[index].start * 1000 < 1000;
  if (index !== shownIndex) {
    if (shownIndex !== -1 && running() && fresh) announce(segments[index]);
    shownIndex = index;
    beeped = 0;
  } else if (
    running() &&
    secondsLeft <= 3 &&
    secondsLeft !== beeped &&
    secondsLeft * 1000 - left < 400
  ) {
    beep();
    beeped = secondsLeft;
  }
  // Wake again just after the shown second changes; never trust the delay itself.
  if (running()) timer = setTimeout(tick, Math.min(250, ((left - 1) % 1000) + 5));
}

function start() {
  const now = Date.now();
  state = { clientId: newId(), startedAt: now, anchor: now, heldMs: null, skipped: [] };
  save();
  shownIndex = 0;
  announce(segments[0]);
  holdScreen();
}

function togglePause() {
  unlockAudio();
  if (!state) start();
  else if (state.payload) return;
  else if (state.heldMs == null) {
    state.heldMs = elapsedAt(Date.now());
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
  const index = indexAt(elapsedAt(Date.now()));
  const segment = segments[index];
  if (!state?.skipped.includes(index)) state?.skipped.push(index);
  jump((segment.start + segment.seconds) * 1000);
}

function back() {
  const ms = elapsedAt(Date.now());
  let index = indexAt(ms);
  if (ms - segments[index].start * 1000 < 2000 && index > 0) index -= 1;
  if (state) state.skipped = state.skipped.filter((skipped) => skipped < index);
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
  state.payload = {
    client_id: state.clientId,
    routine_slug: data.slug,
    started_at: localInstant(state.startedAt),
    ended_at: localInstant(Math.min(now, state.anchor + totalMs)),
    steps_completed: stepsCompleted(),
    steps_total: data.steps_total,
  };
  state.heldMs = totalMs;
  save();
  render(totalMs, segments.length - 1);
  beep(990, 0.6);
  speak("Well done. Routine complete.");
  send();
}

// The outbox sends it now, or keeps it on the phone until it can; its client_id makes
// a resend harmless. Once saved, the check-in for this session comes next.
async function send() {
  const payload = state.payload;
  set("status", "Saving your session…");
  const result = await window.CrampOutbox.submitOrQueue({
    kind: "session",
    url: root.dataset.saveUrl,
    body: payload,
    formUrl: location.pathname,
  });
  if (result.outcome === "rejected") {
    // Never dropped silently: it stays in the outbox, shown with the server's reasons.
    await window.CrampOutbox.enqueue({
      ...result.entry,
      status: "rejected",
      errors: result.errors,
    });
  }
  state = null;
  save();
  const next = new URL(root.dataset.nextUrl, location.href);
  if (result.outcome === "sent") {
    next.searchParams.set("session", result.data.id);
    location.assign(next);
    return;
  }
  root.dataset.state = "pending";
  set(
    "status",
    result.outcome === "rejected"
      ? "The server could not save this session; it is kept on this phone, see below."
      : "Saved on this phone; it will sync when you are online and signed in.",
  );
  const checkin = root.querySelector("[data-field=checkin-link]");
  if (checkin) {
    checkin.href = next.href;
    checkin.hidden = false;
  }
}

if (segments.length) {
  const speech = root.querySelector("[data-setting=speech]");
  speech.checked = localStorage.getItem(SPEECH_KEY) === "on";
  speech.addEventListener("change", () =>
    localStorage.setItem(SPEECH_KEY, speech.checked ? "on" : "off"),
  );
  button("toggle").addEventListener("click", togglePause);
  button("skip").addEventListener("click", skip);
  button("back").addEventListener("click", back);
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
    if (!action) return;
    event.preventDefault();
    unlockAudio();
    action();
  });
  // Space on a focused button would also click it when released.
  document.addEventListener("keyup", (event) => {
    if (event.key === " " && event.target.closest("button")) event.preventDefault();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    if (running()) holdScreen();
    tick();
  });
  if (state?.payload) {
    render(totalMs, segments.length - 1);
    send();
  } else {
    shownIndex = indexAt(elapsedAt(Date.now()));
    tick();
  }
}
