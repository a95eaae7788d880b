// A moving step (cat-cow, pelvic tilts) is counted in slow repetitions, not timed as a
// hold: the player shows "3 of 8" in place of its countdown.

export function repetitionAt(segment, msIntoSegment) {
  const done = Math.floor(Math.max(msIntoSegment, 0) / (segment.pace * 1000));
  return Math.min(done + 1, segment.repetitions);
}

// What the big number shows for this segment: the repetition for a moving step,
// else the time left as given.
export function showCountdown(element, segment, msIntoSegment, timeLeft) {
  const moving = segment.kind === "move";
  const text = moving
    ? `${repetitionAt(segment, msIntoSegment)} of ${segment.repetitions}`
    : timeLeft;
  const kind = moving ? "move" : "hold";
  if (element.dataset.kind !== kind) {
    element.dataset.kind = kind;
    element.setAttribute("aria-label", moving ? "Repetition" : "Time left in this step");
  }
  if (element.textContent !== text) element.textContent = text;
}
