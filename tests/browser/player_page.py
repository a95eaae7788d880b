"""Driving the session player in a test: its clock, its state, routines made to measure."""

from datetime import datetime

from crampcare.extensions import db
from crampcare.models import Routine, Step

START = datetime(2026, 3, 2, 18, 0, 0)
# The player's "Get ready" before the first step (GET_READY_SECONDS in player.js).
READY_MS = 10_000

# Every cue the player gives, as the cue module reports it, and what reached the
# browser's own sound and speech: each tone started and each utterance spoken.
RECORD_CUES = """
window.__cues = [];
window.__tones = [];
window.__spoken = [];
addEventListener("crampcare:cue", (event) => window.__cues.push({...event.detail, at: Date.now()}));
const create = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  const tone = create.call(this);
  const start = tone.start.bind(tone);
  tone.start = (at) => { window.__tones.push([Date.now(), tone.frequency.value]); start(at); };
  return tone;
};
if (window.speechSynthesis) {
  const speak = speechSynthesis.speak.bind(speechSynthesis);
  speechSynthesis.speak = (utterance) => {
    window.__spoken.push(utterance.text);
    speak(utterance);
  };
}
"""


def player_state(page) -> dict:
    """What the player computed, as it exposes it on its root element."""
    return page.evaluate(
        """() => {
            const d = document.getElementById('player').dataset;
            return {state: d.state, elapsed: Number(d.elapsedMs), index: Number(d.segmentIndex)};
        }"""
    )


def open_player(page, slug: str):
    """Open the player with a fake clock that moves only when the test moves it."""
    page.clock.install(time=START)
    page.goto(f"/routines/{slug}/play")
    page.clock.pause_at(datetime(2026, 3, 2, 18, 1, 0))
    page.wait_for_selector("#player[data-state=idle]")


def add_routine(live_app, slug: str, steps: list[dict]) -> None:
    """A library routine of exactly these steps, so a test does not hang on the seeded ones."""
    with live_app.app_context():
        routine = Routine(slug=slug, title=slug.replace("-", " ").capitalize())
        routine.steps = [
            Step(position=position, instructions="Move gently.", **step)
            for position, step in enumerate(steps)
        ]
        db.session.add(routine)
        db.session.commit()
        db.session.remove()


def cues(page) -> list[dict]:
    """The cues given so far: kind, words, whether it sounded, tones, and when (page ms)."""
    return page.evaluate("window.__cues")


def gaps_ms(times: list[int]) -> list[int]:
    """The time between each cue and the next."""
    return [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
