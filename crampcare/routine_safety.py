"""What makes a step or a routine unwise for someone: caution tags, conflicts, the urgent gate."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .advice import PRESSING

CAUTIONS: tuple[str, ...] = ("flexion", "extension", "supine", "strong_contraction")

# A short name, as the builder's checkboxes and the step's badge show it.
CAUTION_LABELS: dict[str, str] = {
    "flexion": "Deep forward bend",
    "extension": "Back bend",
    "supine": "Lying on your back",
    "strong_contraction": "Muscle squeeze",
}

# What a person should know about a caution, in plain words.
CAUTION_NOTES: dict[str, str] = {
    "flexion": (
        "Bends the spine deeply forward. With osteoporosis (thinning bones) leave this step "
        "out or ask your physiotherapist for another: bending the spine forward under load "
        "puts extra pressure on the bones of the back."
    ),
    "extension": (
        "Bends the back backwards toward the end of its range. Stop if pain, tingling or "
        "numbness spreads into your buttock or down your leg."
    ),
    "supine": (
        "Lying flat on your back for a while. From about 16 weeks of pregnancy, do it propped "
        "up on pillows or lying on your side instead: the bump can press on a large vein and "
        "make you feel faint."
    ),
    "strong_contraction": (
        "Works a muscle while it is short. Keep it easy, at about half your effort: a strong "
        "squeeze of a shortened muscle can set off a cramp. If it starts to tighten, stop and "
        "let it lengthen."
    ),
}

# Which cautions each profile condition rules out. Pregnancy also rules out our back bends:
# they are done lying on the front (press-up, sphinx) or lying back over a roller, positions
# that do not suit a growing bump.
CONFLICTS: dict[str, frozenset[str]] = {
    "osteoporosis": frozenset({"flexion"}),
    "pregnancy": frozenset({"supine", "extension"}),
}

CONDITION_WORDS: dict[str, str] = {
    "osteoporosis": "osteoporosis",
    "pregnancy": "pregnancy",
}


@dataclass(frozen=True)
class Conflict:
    """A caution of some steps that a condition in the person's profile rules out."""

    condition: str
    caution: str
    steps: tuple[str, ...]

    @property
    def text(self) -> str:
        """One sentence naming the condition, the caution and the steps that carry it."""
        steps = ", ".join(self.steps)
        return (
            f"With {CONDITION_WORDS[self.condition]}: "
            f"{CAUTION_LABELS[self.caution].lower()} ({steps})."
        )


def step_cautions(step: Any) -> tuple[str, ...]:
    """The cautions a step (spec or row) carries, in the fixed order of CAUTIONS."""
    tags = set(getattr(step, "cautions", None) or ())
    return tuple(caution for caution in CAUTIONS if caution in tags)


def routine_cautions(steps: Iterable[Any]) -> tuple[str, ...]:
    """Every caution that one of the steps carries, in the fixed order of CAUTIONS."""
    tags: set[str] = set()
    for step in steps:
        tags.update(step_cautions(step))
    return tuple(caution for caution in CAUTIONS if caution in tags)


def relevant_conditions(conditions: Iterable[str] | None) -> tuple[str, ...]:
    """The person's conditions that rule out some cautions, in a fixed order."""
    have = set(conditions or ())
    return tuple(condition for condition in CONFLICTS if condition in have)


def step_conflicts(step: Any, conditions: Iterable[str] | None) -> tuple[str, ...]:
    """The cautions of this step that one of the conditions rules out."""
    ruled_out: set[str] = set()
    for condition in relevant_conditions(conditions):
        ruled_out |= CONFLICTS[condition]
    return tuple(caution for caution in step_cautions(step) if caution in ruled_out)


def routine_conflicts(steps: Sequence[Any], conditions: Iterable[str] | None) -> list[Conflict]:
    """Each condition and caution that clash in this routine, with the steps that carry it."""
    conflicts = []
    for condition in relevant_conditions(conditions):
        for caution in CAUTIONS:
            if caution not in CONFLICTS[condition]:
                continue
            titles = tuple(
                dict.fromkeys(step.title for step in steps if caution in step_cautions(step))
            )
            if titles:
                conflicts.append(Conflict(condition, caution, titles))
    return conflicts


def suits(steps: Sequence[Any], conditions: Iterable[str] | None) -> bool:
    """True when no step carries a caution that the person's conditions rule out."""
    return not routine_conflicts(steps, conditions)


def urgent_items(items: Iterable[Any]) -> list[Any]:
    """The advice items that say to get seen now (emergency or same day)."""
    # A routine should not start without a second thought while one of these holds.
    return [item for item in items if item.category in PRESSING]
