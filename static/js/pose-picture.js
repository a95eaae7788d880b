// The player's picture of the current step: the frame of its pose, mirrored for the right
// side; during a rest it shows the step that comes next, faint. While a moving step runs,
// the picture alternates its start and end positions in time with the slow repetitions:
// the first half of each shows the start, the second half the end. The stylesheet shows
// that alternation only without prefers-reduced-motion.

function phaseOf(segment, msIntoSegment, running) {
  const pace = segment.pace * 1000;
  if (!running || segment.kind !== "move" || !(pace > 0)) return "";
  return (Math.max(msIntoSegment, 0) % pace) * 2 < pace ? "start" : "end";
}

export function showPicture(container, poses, segment, next, msIntoSegment, running) {
  if (!container) return;
  const shown = segment.kind === "rest" && next ? next : segment;
  const pose = poses[shown.step_index];
  const phase = phaseOf(segment, msIntoSegment, running);
  for (const frame of container.children) {
    const current = frame.dataset.pose === pose;
    if (frame.hidden === current) frame.hidden = !current;
    if (!current) continue;
    frame.classList.toggle("pose-right", shown.side === "right");
    frame.classList.toggle("pose-resting", segment.kind === "rest");
    if ((frame.dataset.phase ?? "") === phase) continue;
    if (phase) frame.dataset.phase = phase;
    else delete frame.dataset.phase;
  }
}
