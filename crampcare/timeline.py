"""Expand a routine's steps into the timed segments the session player follows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from crampcare.routine_library import SIDES

REST_TITLE = "Rest"
REST_INSTRUCTIONS = "Come out of the stretch slowly, let the muscles go soft and breathe easily."


@dataclass(frozen=True)
class Segment:
    """One timed stretch of the player: a hold or a set of slow repetitions, or a rest.

    kind is "hold" (stay still), "move" (repetitions slow repetitions, pace seconds each)
    or "rest". For holds and rests repetitions and pace are 0.
    """

    index: int
    step_index: int
    kind: str
    title: str
    instructions: str
    side: str
    rep: int
    reps: int
    seconds: int
    start: int
    cue: str | None
    repetitions: int = 0
    pace: int = 0

    @property
    def end(self) -> int:
        """Offset in seconds at which this segment is over."""
        return self.start + self.seconds

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form, as the player script reads it."""
        return asdict(self)


@dataclass(frozen=True)
class _Hold:
    step_index: int
    title: str
    instructions: str
    side: str
    rep: int
    reps: int
    seconds: int
    rest_seconds: int
    cue: str | None
    repetitions: int
    pace: int


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _checked_step(step: Any, step_index: int) -> tuple[int, int, str, int]:
    # Custom routines come from the database, so a bad row must fail here loudly
    # rather than produce a player that never ends or skips a side.
    hold = step.hold_seconds
    reps = step.reps
    side = step.side
    rest = step.rest_seconds
    where = f"step {step_index}"
    if not isinstance(hold, int) or isinstance(hold, bool) or hold <= 0:
        raise ValueError(f"{where}: hold_seconds must be a positive whole number, got {hold!r}")
    if not isinstance(reps, int) or isinstance(reps, bool) or reps < 1:
        raise ValueError(f"{where}: reps must be at least 1, got {reps!r}")
    if side not in SIDES:
        raise ValueError(f"{where}: side must be one of {', '.join(SIDES)}, got {side!r}")
    if not isinstance(rest, int) or isinstance(rest, bool) or rest < 0:
        raise ValueError(f"{where}: rest_seconds must be zero or more, got {rest!r}")
    return hold, reps, side, rest


def _holds(steps: Iterable[Any]) -> list[_Hold]:
    holds: list[_Hold] = []
    for step_index, step in enumerate(steps):
        hold, reps, side, rest = _checked_step(step, step_index)
        sides = ("left", "right") if side == "both" else (side,)
        # A moving step is one set of slow repetitions on each side, not reps still holds.
        moving = bool(getattr(step, "moving", False))
        rounds, repetitions = (1, reps) if moving else (reps, 0)
        for rep in range(1, rounds + 1):
            for one_side in sides:
                holds.append(
                    _Hold(
                        step_index=step_index,
                        title=step.title,
                        instructions=step.instructions,
                        side=one_side,
                        rep=rep,
                        reps=rounds,
                        seconds=hold * reps if moving else hold,
                        rest_seconds=rest,
                        cue=getattr(step, "cue", None) or None,
                        repetitions=repetitions,
                        pace=hold if moving else 0,
                    )
                )
    return holds


def _hold_cue(hold: _Hold, first_of_step: bool) -> str:
    parts = []
    if hold.side != "none":
        parts.append(f"{hold.side.capitalize()} side.")
    parts.append(_sentence(hold.title))
    # The step's own cue is said once, when the position is new; repeating it on
    # every side and round would crowd out the countdown beeps.
    if first_of_step and hold.cue:
        parts.append(_sentence(hold.cue))
    if hold.repetitions:
        parts.append(f"{hold.repetitions} slow repetitions.")
    if hold.rep > 1:
        parts.append(f"Round {hold.rep} of {hold.reps}.")
    return " ".join(parts)


def _rest_cue(upcoming: _Hold) -> str:
    what = upcoming.title.strip().rstrip(".!?")
    if upcoming.side != "none":
        what = f"{what}, {upcoming.side} side"
    return f"Rest. Next: {what}."


def build_timeline(steps: Iterable[Any]) -> list[Segment]:
    """Expand steps (StepSpec or rows with the same attributes) into timed segments."""
    holds = _holds(steps)
    segments: list[Segment] = []
    start = 0
    for position, hold in enumerate(holds):
        first_of_step = position == 0 or holds[position - 1].step_index != hold.step_index
        segments.append(
            Segment(
                index=len(segments),
                step_index=hold.step_index,
                kind="move" if hold.repetitions else "hold",
                title=hold.title,
                instructions=hold.instructions,
                side=hold.side,
                rep=hold.rep,
                reps=hold.reps,
                seconds=hold.seconds,
                start=start,
                cue=_hold_cue(hold, first_of_step),
                repetitions=hold.repetitions,
                pace=hold.pace,
            )
        )
        start += hold.seconds
        is_last = position == len(holds) - 1
        if is_last or hold.rest_seconds == 0:
            continue
        # A rest belongs to the hold before it, but is done on no particular side.
        segments.append(
            Segment(
                index=len(segments),
                step_index=hold.step_index,
                kind="rest",
                title=REST_TITLE,
                instructions=REST_INSTRUCTIONS,
                side="none",
                rep=hold.rep,
                reps=hold.reps,
                seconds=hold.rest_seconds,
                start=start,
                cue=_rest_cue(holds[position + 1]),
            )
        )
        start += hold.rest_seconds
    return segments


def repetition_at(segment: Segment, offset: float) -> int:
    """Which slow repetition (1-based) a moving segment is on, offset seconds into it."""
    if segment.kind != "move":
        raise ValueError(f"segment {segment.index} is a {segment.kind}, not a moving step")
    return min(int(max(offset, 0) // segment.pace) + 1, segment.repetitions)


def total_seconds(steps: Iterable[Any]) -> int:
    """Length of the whole routine in seconds, rests included."""
    return sum(segment.seconds for segment in build_timeline(steps))


def format_duration(seconds: int) -> str:
    """Say a length the way a routine card does: "7 min", "4 min 30 s", "45 s"."""
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative, got {seconds}")
    minutes, rest = divmod(seconds, 60)
    if minutes == 0:
        return f"{rest} s"
    if rest == 0:
        return f"{minutes} min"
    return f"{minutes} min {rest} s"
