"""The seeded library of back-stretching routines, written for people prone to cramp."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from . import vocabulary
from .poses import POSES
from .routine_safety import CAUTIONS

DIFFICULTIES: tuple[str, ...] = tuple(vocabulary.DIFFICULTIES)
AREAS: tuple[str, ...] = tuple(vocabulary.ROUTINE_AREAS)
SIDES: tuple[str, ...] = tuple(vocabulary.STEP_SIDES)

SAFETY_NOTE = (
    "Move slowly into each position and stay still at the end of it, at a mild, comfortable "
    "pull, never into pain. Stop if the pain is sharp or spreading, or if you feel numbness "
    "or tingling. Stop and get help at once for chest pain, breathlessness, dizziness, or "
    "pain or numbness spreading down a leg; get emergency help for numbness between your "
    "legs or around your buttocks, or new trouble controlling your bladder or bowels. If a "
    "muscle starts to cramp, come out of the position slowly, breathe, and gently stretch or "
    "massage it until it lets go. If you have had back surgery or a recent injury, ask your "
    "doctor or physiotherapist before you start."
)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class StepSpec:
    """One position of a routine: how to do it, how long, how often, on which side.

    A held stretch is held for hold_seconds, reps times. A moving step (moving=True) is
    reps slow repetitions in one go, each taking hold_seconds. pose names the step's
    picture in crampcare/poses.py.
    """

    title: str
    instructions: str
    hold_seconds: int
    reps: int = 1
    side: str = "none"
    rest_seconds: int = 0
    cue: str | None = None
    moving: bool = False
    cautions: tuple[str, ...] = ()
    pose: str | None = None

    def __post_init__(self) -> None:
        if not self.title.strip() or not self.instructions.strip():
            raise ValueError("a step needs a title and instructions")
        if self.hold_seconds <= 0:
            raise ValueError(f"{self.title}: hold_seconds must be positive")
        if self.reps < 1:
            raise ValueError(f"{self.title}: reps must be at least 1")
        if self.side not in SIDES:
            raise ValueError(f"{self.title}: side must be one of {SIDES}")
        if self.rest_seconds < 0:
            raise ValueError(f"{self.title}: rest_seconds cannot be negative")
        if self.pose is not None and self.pose not in POSES:
            raise ValueError(f"{self.title}: no pose named {self.pose!r}")
        unknown = set(self.cautions) - set(CAUTIONS)
        if unknown:
            raise ValueError(f"{self.title}: unknown cautions {sorted(unknown)}")


@dataclass(frozen=True)
class RoutineSpec:
    """A named, ordered list of steps with its difficulty and the part of the back it targets."""

    slug: str
    title: str
    summary: str
    difficulty: str
    area: str
    steps: tuple[StepSpec, ...]

    def __post_init__(self) -> None:
        if not _SLUG.match(self.slug):
            raise ValueError(f"slug must be kebab-case, got {self.slug!r}")
        if self.difficulty not in DIFFICULTIES:
            raise ValueError(f"{self.slug}: difficulty must be one of {DIFFICULTIES}")
        if self.area not in AREAS:
            raise ValueError(f"{self.slug}: area must be one of {AREAS}")
        if not self.steps:
            raise ValueError(f"{self.slug}: a routine needs at least one step")


# Steps that several routines share. Each is written once so the wording stays the same
# wherever a patient meets it. Every step ends still: nothing is pushed further at the end
# of its range. Moving steps are counted in slow repetitions (hold_seconds is the pace).

_PELVIC_TILT = StepSpec(
    title="Pelvic tilt",
    instructions=(
        "Lie on your back with knees bent and feet flat. As you breathe out, gently tighten "
        "your stomach so the small of your back flattens toward the floor; as you breathe in, "
        "let it relax. Keep the movement small and smooth."
    ),
    hold_seconds=5,
    reps=8,
    rest_seconds=10,
    cue="Flatten as you breathe out, let go as you breathe in.",
    moving=True,
    cautions=("supine",),
    pose="pelvic-tilt",
)

_KNEE_TO_CHEST = StepSpec(
    title="Knee to chest",
    instructions=(
        "Lying on your back, hold behind one thigh and draw that knee slowly toward your "
        "chest while the other foot stays on the floor. Stop at a mild pull and stay still "
        "there, head and shoulders relaxed."
    ),
    hold_seconds=30,
    reps=2,
    side="both",
    rest_seconds=5,
    cue="Draw the knee in and breathe out.",
    cautions=("flexion", "supine"),
    pose="knee-to-chest",
)

_DOUBLE_KNEE_HUG = StepSpec(
    title="Double knee hug",
    instructions=(
        "Lying on your back, bring one knee and then the other toward your chest and hold "
        "them loosely behind the thighs. Let your lower back round gently into the floor, "
        "then stay still and breathe slowly; let the stretch ease by itself rather than "
        "pulling the knees in further."
    ),
    hold_seconds=30,
    reps=2,
    rest_seconds=10,
    cue="Hug both knees in and stay still.",
    cautions=("flexion", "supine"),
    pose="double-knee-hug",
)

_SUPINE_TWIST = StepSpec(
    title="Lying twist",
    instructions=(
        "On your back with knees bent and arms out wide, let both knees lower slowly to "
        "one side while your shoulders stay on the floor. Go only as far as feels easy."
    ),
    hold_seconds=30,
    reps=1,
    side="both",
    rest_seconds=5,
    cue="Knees drop to the side, shoulders stay down.",
    cautions=("supine",),
    pose="lying-twist",
)

_CAT_COW = StepSpec(
    title="Cat-cow",
    instructions=(
        "On hands and knees, breathe out as you slowly round your back up toward the "
        "ceiling, then breathe in as you let it dip gently and lift your chest. Keep both "
        "ends of the movement well inside a comfortable range."
    ),
    hold_seconds=5,
    reps=8,
    rest_seconds=10,
    cue="Round up as you breathe out, dip as you breathe in.",
    moving=True,
    pose="cat-cow",
)

_CHILDS_POSE = StepSpec(
    title="Child's pose",
    instructions=(
        "From hands and knees, sit your hips back toward your heels and rest your chest "
        "down with arms forward. Put a cushion under your hips or chest if that is easier."
    ),
    hold_seconds=40,
    reps=2,
    rest_seconds=10,
    cue="Sit back and let your back lengthen.",
    cautions=("flexion",),
    pose="childs-pose",
)

_FIGURE_FOUR = StepSpec(
    title="Figure-four stretch",
    instructions=(
        "Lying on your back, cross one ankle over the opposite knee, then draw the lower "
        "leg toward you until you feel a stretch in the buttock. Keep your back flat."
    ),
    hold_seconds=30,
    reps=2,
    side="both",
    rest_seconds=5,
    cue="Ankle over knee, draw the legs in.",
    cautions=("supine",),
    pose="figure-four",
)

_SPHINX = StepSpec(
    title="Sphinx",
    instructions=(
        "Lie on your front and prop yourself on your forearms with elbows under your "
        "shoulders. Let your stomach and buttocks stay soft; lower down if your back pinches. "
        "Stop if pain, tingling or numbness spreads into your buttock or leg."
    ),
    hold_seconds=30,
    reps=2,
    rest_seconds=10,
    cue="Up on your forearms, shoulders away from your ears.",
    cautions=("extension",),
    pose="sphinx",
)

_SEATED_ROTATION = StepSpec(
    title="Seated upper-back rotation",
    instructions=(
        "Sit tall on a chair with feet flat and arms crossed over your chest. Turn your "
        "upper body to one side from the middle of your back, keeping your hips facing forward."
    ),
    hold_seconds=20,
    reps=2,
    side="both",
    rest_seconds=5,
    cue="Sit tall and turn from the middle of your back.",
    pose="seated-rotation",
)

_THREAD_THE_NEEDLE = StepSpec(
    title="Thread the needle",
    instructions=(
        "On hands and knees, slide one arm under your body along the floor until that "
        "shoulder and the side of your head rest down. Keep your hips above your knees."
    ),
    hold_seconds=30,
    reps=2,
    side="both",
    rest_seconds=5,
    cue="Slide the arm through and rest your shoulder down.",
    pose="thread-the-needle",
)

_OPEN_BOOK = StepSpec(
    title="Open book",
    instructions=(
        "Lie on your side with knees bent in front of you and arms together ahead. Breathing "
        "in, sweep the top arm over to the other side, letting your chest turn and your eyes "
        "follow it; breathing out, bring it back. Keep your knees together on the floor."
    ),
    hold_seconds=6,
    reps=5,
    side="both",
    rest_seconds=5,
    cue="Open the top arm and let your chest follow.",
    moving=True,
    pose="open-book",
)

_SEATED_SIDE_BEND = StepSpec(
    title="Seated side bend",
    instructions=(
        "Sit tall, raise one arm overhead and lean gently to the opposite side until you "
        "feel the side of your back open. Keep both sitting bones on the chair."
    ),
    hold_seconds=20,
    reps=2,
    side="both",
    rest_seconds=5,
    cue="Reach up and over.",
    pose="seated-side-bend",
)

_CHIN_TUCK = StepSpec(
    title="Chin tuck",
    instructions=(
        "Sit or stand tall and draw your chin straight back, as if making a double chin, "
        "without tipping your head down. Relax and repeat."
    ),
    hold_seconds=5,
    reps=8,
    rest_seconds=3,
    cue="Chin straight back.",
    pose="chin-tuck",
)

_UPPER_TRAP = StepSpec(
    title="Side of neck stretch",
    instructions=(
        "Sit tall, hold the edge of the chair with one hand and tip your ear toward the "
        "other shoulder. Rest the free hand lightly on your head without pulling."
    ),
    hold_seconds=30,
    reps=2,
    side="both",
    rest_seconds=5,
    cue="Ear toward shoulder, shoulder stays down.",
    pose="neck-side",
)

_SHOULDER_ROLLS = StepSpec(
    title="Shoulder rolls",
    instructions=(
        "Lift your shoulders toward your ears, roll them back and down, then let them drop. "
        "Keep the movement slow and smooth."
    ),
    hold_seconds=5,
    reps=6,
    rest_seconds=5,
    cue="Up, back and down.",
    moving=True,
    pose="shoulder-rolls",
)

_SHOULDER_BLADE_SQUEEZE = StepSpec(
    title="Shoulder blade squeeze",
    instructions=(
        "Sit or stand tall with arms relaxed and gently draw your shoulder blades back and "
        "down toward each other. Keep your neck long and do not arch your lower back."
    ),
    hold_seconds=5,
    reps=8,
    rest_seconds=3,
    cue="Squeeze back and down.",
    pose="shoulder-blade-squeeze",
)

_DOORWAY_PEC = StepSpec(
    title="Doorway chest stretch",
    instructions=(
        "Stand in a doorway with forearms on the frame, elbows at shoulder height. Step one "
        "foot through until you feel a stretch across the front of your chest, keeping your "
        "back upright."
    ),
    hold_seconds=30,
    reps=3,
    rest_seconds=10,
    cue="Forearms on the frame, step through gently.",
    pose="doorway-chest",
)

_CROSS_BODY = StepSpec(
    title="Cross-body shoulder stretch",
    instructions=(
        "Bring one arm across your chest and hold it above the elbow with the other hand. "
        "Keep the shoulder low and ease the arm closer."
    ),
    hold_seconds=30,
    reps=2,
    side="both",
    rest_seconds=5,
    cue="Arm across, shoulder down.",
    pose="cross-body-shoulder",
)

_WALL_ANGEL = StepSpec(
    title="Wall slide",
    instructions=(
        "Stand with your back against a wall and arms bent in a goalpost shape. Slowly "
        "slide your arms up and down the wall, stopping before your lower back arches off it."
    ),
    hold_seconds=5,
    reps=8,
    rest_seconds=10,
    cue="Slide slowly, ribs down.",
    moving=True,
    pose="wall-slide",
)

_LEVATOR = StepSpec(
    title="Neck diagonal stretch",
    instructions=(
        "Sit tall, turn your head slightly toward one armpit and tip your nose down toward "
        "it. Hold the chair with the opposite hand to keep that shoulder low."
    ),
    hold_seconds=30,
    reps=2,
    side="both",
    rest_seconds=5,
    cue="Nose toward the armpit.",
    pose="neck-diagonal",
)

_HIP_FLEXOR = StepSpec(
    title="Kneeling hip flexor stretch",
    instructions=(
        "Kneel on one knee with a cushion under it and the other foot forward. Tuck your "
        "tailbone under and shift forward until the front of the back hip stretches, "
        "keeping your trunk upright."
    ),
    hold_seconds=30,
    reps=2,
    side="both",
    rest_seconds=10,
    cue="Tuck your tail and shift forward.",
    pose="kneeling-hip-flexor",
)

_HAMSTRING_STRAP = StepSpec(
    title="Hamstring stretch with a strap",
    instructions=(
        "Lie on your back, loop a towel or strap around one foot and raise that leg with "
        "the knee slightly soft. Stop when you feel the back of the thigh, not the back."
    ),
    hold_seconds=30,
    reps=2,
    side="both",
    rest_seconds=10,
    cue="Leg up, knee soft.",
    cautions=("supine",),
    pose="hamstring-strap",
)

_PRESS_UP = StepSpec(
    title="Prone press-up",
    instructions=(
        "Lie on your front with hands under your shoulders. Press up slowly only as far as "
        "is comfortable, hips staying on the floor and your back relaxed, then lower down. "
        "Stop if pain, tingling or numbness spreads into your buttock or down your leg."
    ),
    hold_seconds=5,
    reps=8,
    rest_seconds=5,
    cue="Press up, hips stay down.",
    cautions=("extension",),
    pose="press-up",
)

_BIRD_DOG = StepSpec(
    title="Bird dog",
    instructions=(
        "On hands and knees, reach one arm forward and the opposite leg back until both are "
        "level with your body. Keep your back still and your hips square, then return. Keep "
        "it easy: if the back of your thigh or your buttock starts to tighten, lower the leg "
        "and rest."
    ),
    hold_seconds=10,
    reps=4,
    side="both",
    rest_seconds=5,
    cue="Reach long, keep it easy.",
    cautions=("strong_contraction",),
    pose="bird-dog",
)

_PUPPY_POSE = StepSpec(
    title="Puppy stretch",
    instructions=(
        "From hands and knees, walk your hands forward and let your chest sink toward the "
        "floor while your hips stay above your knees. Rest your forehead on the floor or a "
        "cushion."
    ),
    hold_seconds=30,
    reps=2,
    rest_seconds=10,
    cue="Walk the hands forward, chest sinks.",
    pose="puppy",
)

_QUADRUPED_ROTATION = StepSpec(
    title="Hand-behind-head rotation",
    instructions=(
        "On hands and knees, place one hand behind your head. Turn that elbow down toward "
        "the supporting arm, then up toward the ceiling, moving only through your upper back."
    ),
    hold_seconds=5,
    reps=6,
    side="both",
    rest_seconds=5,
    cue="Elbow down, then up to the ceiling.",
    moving=True,
    pose="hand-behind-head-rotation",
)

_THORACIC_EXTENSION = StepSpec(
    title="Upper-back extension over a roller",
    instructions=(
        "Lie with a foam roller or rolled towel across your mid back, hands supporting your "
        "head and hips on the floor. Let your upper back ease back over it and stay there, "
        "then move it a little higher and repeat; never roll under your lower back. Stop if "
        "pain, tingling or numbness spreads into your arms or legs."
    ),
    hold_seconds=20,
    reps=4,
    rest_seconds=5,
    cue="Ease back over the roller.",
    cautions=("extension", "supine"),
    pose="roller-extension",
)

_PRONE_Y = StepSpec(
    title="Lying Y lift",
    instructions=(
        "Lie on your front with arms overhead in a Y, thumbs up. Lift both arms a few "
        "centimetres from the floor by drawing your shoulder blades down, keeping your neck "
        "long. Keep it easy, at about half your effort; lower the arms if a muscle starts to "
        "tighten."
    ),
    hold_seconds=5,
    reps=8,
    rest_seconds=5,
    cue="Thumbs up, an easy lift.",
    cautions=("strong_contraction",),
    pose="lying-y",
)

_SIDE_LYING_REACH = StepSpec(
    title="Side-lying reach",
    instructions=(
        "Lie on your side with knees bent and reach the top arm overhead, letting the side "
        "of your trunk lengthen. Keep your breathing slow and the stretch mild."
    ),
    hold_seconds=30,
    reps=2,
    side="both",
    rest_seconds=5,
    cue="Reach long over your head.",
    pose="side-lying-reach",
)

_SEATED_FORWARD_LEAN = StepSpec(
    title="Seated forward lean",
    instructions=(
        "Sit on a chair with feet apart and hands on your thighs. Slide your hands slowly "
        "toward your knees, letting your back round a little, until you feel a mild stretch "
        "across it; keep some of your weight on your hands. Come up slowly. For a gentler "
        "version, sit tall and just lean forward from the hips with a straight back."
    ),
    hold_seconds=20,
    reps=2,
    rest_seconds=10,
    cue="Hands slide to the knees, weight on your hands.",
    cautions=("flexion",),
    pose="seated-forward-lean",
)

_BRIDGE = StepSpec(
    title="Bridge",
    instructions=(
        "Lie on your back with knees bent and feet flat. Tighten your buttocks gently and "
        "lift your hips only as high as is easy, then lower slowly. Keep it easy: if the back "
        "of your thigh or your buttock starts to tighten, lower down and rest."
    ),
    hold_seconds=5,
    reps=5,
    rest_seconds=5,
    cue="An easy lift, then lower slowly.",
    cautions=("strong_contraction", "supine"),
    pose="bridge",
)

_BELLY_BREATHING = StepSpec(
    title="Slow breathing",
    instructions=(
        "Lie on your back with knees bent and one hand on your stomach. Breathe in through "
        "your nose so the hand rises, then breathe out slowly and let your back sink."
    ),
    hold_seconds=60,
    reps=1,
    rest_seconds=5,
    cue="Breathe in slowly, and a longer breath out.",
    cautions=("supine",),
    pose="belly-breathing",
)


def _with(step: StepSpec, **changes: int) -> StepSpec:
    # A few routines need a shared step held longer or repeated more; keep the wording.
    return replace(step, **changes)


LIBRARY: tuple[RoutineSpec, ...] = (
    RoutineSpec(
        slug="gentle-lower-back-release",
        title="Gentle lower back release",
        summary="Slow, floor-based stretches that ease a tight lower back without strain.",
        difficulty="gentle",
        area="lower",
        steps=(_PELVIC_TILT, _KNEE_TO_CHEST, _DOUBLE_KNEE_HUG, _SUPINE_TWIST, _CHILDS_POSE),
    ),
    RoutineSpec(
        slug="bedtime-lower-back-wind-down",
        title="Bedtime lower back wind-down",
        summary="A quiet sequence to loosen the lower back before sleep, done on the bed.",
        difficulty="gentle",
        area="lower",
        steps=(
            _BELLY_BREATHING,
            _with(_KNEE_TO_CHEST, reps=1),
            _SUPINE_TWIST,
            _with(_DOUBLE_KNEE_HUG, reps=1, hold_seconds=45),
            _with(_BELLY_BREATHING, rest_seconds=0),
        ),
    ),
    RoutineSpec(
        slug="lower-back-mobility",
        title="Lower back mobility",
        summary="Moves the lower back through bending, twisting and arching, then lets it rest.",
        difficulty="moderate",
        area="lower",
        steps=(_CAT_COW, _FIGURE_FOUR, _SUPINE_TWIST, _SPHINX, _BRIDGE, _CHILDS_POSE),
    ),
    RoutineSpec(
        slug="lower-back-and-hips-deep-stretch",
        title="Lower back and hips deep stretch",
        summary="Longer stretches for the hips and hamstrings that pull on a stiff lower back.",
        difficulty="advanced",
        area="lower",
        steps=(
            _CAT_COW,
            _HIP_FLEXOR,
            _HAMSTRING_STRAP,
            _with(_FIGURE_FOUR, hold_seconds=45),
            _PRESS_UP,
            _with(_BIRD_DOG, reps=3),
            _CHILDS_POSE,
        ),
    ),
    RoutineSpec(
        slug="mid-back-desk-unwind",
        title="Mid back desk unwind",
        summary="Chair-based turns and side bends for a middle back stiff from sitting.",
        difficulty="gentle",
        area="mid",
        steps=(
            _SEATED_ROTATION,
            _SEATED_SIDE_BEND,
            _SEATED_FORWARD_LEAN,
            _SHOULDER_BLADE_SQUEEZE,
        ),
    ),
    RoutineSpec(
        slug="mid-back-mobility",
        title="Mid back mobility",
        summary="Rotations on the floor that free the middle back between the shoulder blades.",
        difficulty="moderate",
        area="mid",
        steps=(_CAT_COW, _THREAD_THE_NEEDLE, _QUADRUPED_ROTATION, _OPEN_BOOK, _CHILDS_POSE),
    ),
    RoutineSpec(
        slug="mid-back-extension-flow",
        title="Mid back extension flow",
        summary="Extension and rotation work with a roller for a well-warmed middle back.",
        difficulty="advanced",
        area="mid",
        steps=(
            _CAT_COW,
            _THORACIC_EXTENSION,
            _with(_OPEN_BOOK, reps=6),
            _PUPPY_POSE,
            _SIDE_LYING_REACH,
            _THREAD_THE_NEEDLE,
            _CHILDS_POSE,
        ),
    ),
    RoutineSpec(
        slug="neck-and-shoulders-reset",
        title="Neck and shoulders reset",
        summary="Small, seated movements for the neck and the top of the shoulders.",
        difficulty="gentle",
        area="upper",
        steps=(_SHOULDER_ROLLS, _CHIN_TUCK, _UPPER_TRAP, _LEVATOR, _SHOULDER_BLADE_SQUEEZE),
    ),
    RoutineSpec(
        slug="upper-back-opener",
        title="Upper back opener",
        summary="Opens the chest and upper back to undo a rounded, hunched posture.",
        difficulty="moderate",
        area="upper",
        steps=(
            _CHIN_TUCK,
            _DOORWAY_PEC,
            _CROSS_BODY,
            _WALL_ANGEL,
            _UPPER_TRAP,
            _SHOULDER_BLADE_SQUEEZE,
        ),
    ),
    RoutineSpec(
        slug="upper-back-strength-and-stretch",
        title="Upper back strength and stretch",
        summary="Pairs deeper upper back stretches with light holds that build endurance.",
        difficulty="advanced",
        area="upper",
        steps=(
            _with(_DOORWAY_PEC, hold_seconds=40),
            _THORACIC_EXTENSION,
            _PRONE_Y,
            _WALL_ANGEL,
            _PUPPY_POSE,
            _THREAD_THE_NEEDLE,
            _LEVATOR,
        ),
    ),
    RoutineSpec(
        slug="morning-whole-back-wake-up",
        title="Morning whole back wake-up",
        summary="A short, easy pass over the whole back to start the day loose.",
        difficulty="gentle",
        area="whole",
        steps=(
            _with(_CAT_COW, reps=6),
            _with(_CHILDS_POSE, reps=1),
            _with(_KNEE_TO_CHEST, reps=1),
            _with(_SEATED_ROTATION, reps=1),
            _with(_CHIN_TUCK, reps=5),
        ),
    ),
    RoutineSpec(
        slug="after-workout-whole-back",
        title="After-workout whole back",
        summary="A cool-down for the whole back after training, with rests to keep cramps away.",
        difficulty="moderate",
        area="whole",
        steps=(
            _CAT_COW,
            _CHILDS_POSE,
            _THREAD_THE_NEEDLE,
            _KNEE_TO_CHEST,
            _SUPINE_TWIST,
            _DOORWAY_PEC,
            _UPPER_TRAP,
        ),
    ),
)


def routine_by_slug(slug: str) -> RoutineSpec | None:
    """The library routine with this slug, or None."""
    return next((routine for routine in LIBRARY if routine.slug == slug), None)
