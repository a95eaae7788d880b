// What the player says and sounds: one short pattern of tones per kind of moment, the
// words when spoken cues are on, a buzz where the phone has one. Each is an extra that
// quietly does nothing where the browser lacks it.
//
// Every cue is also dispatched on window as "crampcare:cue" ({kind, words, sounded,
// tones}), so screen-reader text and tests can follow what the person heard.

// The patterns: [frequency Hz, start offset s, length s]. A side switch is two rising
// notes, unlike any single beep, so it is heard as "same stretch, other side".
const PATTERNS = {
  ready: [[440, 0, 0.3]],
  tick: [[660, 0, 0.08]],
  step: [[880, 0, 0.25]],
  rest: [[520, 0, 0.3]],
  side: [
    [587, 0, 0.14],
    [880, 0.18, 0.22],
  ],
  finish: [
    [523, 0, 0.18],
    [659, 0.2, 0.18],
    [784, 0.4, 0.4],
  ],
};
const BUZZ = {
  ready: 80,
  tick: 0,
  step: [100, 80, 100],
  rest: 150,
  side: [60, 60, 60, 60, 200],
  finish: [100, 60, 100, 60, 300],
};
// Two sounds less than this apart blur into one: a tick that comes too soon after
// another sound is left out, while a change of step or side always sounds.
export const MIN_GAP_MS = 1000;

let audio = null;
let lastSoundAt = Number.NEGATIVE_INFINITY;
let speaking = false;

// Browsers start audio only from a tap or a key: call this from one.
export function unlockAudio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!audio && Context) audio = new Context();
  if (audio?.state === "suspended") audio.resume().catch(() => {});
}

export function setSpeaking(on) {
  speaking = on;
  if (!on) window.speechSynthesis?.cancel();
}

function tones(pattern) {
  if (audio?.state !== "running") return false;
  const now = audio.currentTime;
  for (const [frequency, offset, seconds] of pattern) {
    const at = now + offset;
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = frequency;
    gain.gain.setValueAtTime(0.3, at);
    gain.gain.exponentialRampToValueAtTime(0.001, at + seconds);
    tone.connect(gain).connect(audio.destination);
    tone.start(at);
    tone.stop(at + seconds);
  }
  return true;
}

function say(words) {
  if (!speaking || !words || !window.speechSynthesis) return false;
  speechSynthesis.cancel();
  speechSynthesis.speak(new SpeechSynthesisUtterance(words));
  return true;
}

function buzz(pattern) {
  if (pattern && navigator.vibrate && navigator.userActivation?.hasBeenActive)
    navigator.vibrate(pattern);
}

// Sound one cue of this kind, with these words when speech is on.
export function cue(kind, words = "") {
  const now = Date.now();
  const sounded = kind !== "tick" || now - lastSoundAt >= MIN_GAP_MS;
  if (sounded) {
    lastSoundAt = now;
    tones(PATTERNS[kind]);
    buzz(BUZZ[kind]);
  }
  const spoken = say(words);
  window.dispatchEvent(
    new CustomEvent("crampcare:cue", {
      detail: {
        kind,
        words,
        sounded,
        spoken,
        tones: PATTERNS[kind].map(([frequency]) => frequency),
      },
    }),
  );
}
