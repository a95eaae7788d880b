"""Pictures of the stretches: each pose is a few angles of a stick figure, drawn as SVG here.

A figure is seen from the side (or from above) on a mat. Its trunk is two segments so a
back can round or dip; arms and legs are two segments each, legs with a foot. Angles are
degrees in the picture's plane: 0 points right, 90 up. The near arm and leg (the side
being worked) are drawn solid, the far ones faint. Every line uses currentColor and the
mat a class, so the page's colours (dark mode, high contrast) reach the picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from html import escape

WIDTH, HEIGHT = 120, 90
FLOOR = 82
LOWER, UPPER, NECK, HEAD = 13, 13, 7, 5
UPPER_ARM, FOREARM = 11, 10
THIGH, SHIN, FOOT = 17, 16, 5
LINE = 2.5  # half the stroke width of a limb: how far a line reaches past its point
NEUTRAL = "standing"


@dataclass(frozen=True)
class Figure:
    """One position of the body as segment angles (degrees, 0 = right, 90 = up)."""

    trunk: tuple[float, float]
    head: float
    near_arm: tuple[float, float]
    far_arm: tuple[float, float]
    near_leg: tuple[float, float, float]
    far_leg: tuple[float, float, float]


@dataclass(frozen=True)
class Pose:
    """A named picture: a position, or the start and end of a moving step, in words too."""

    name: str
    label: str
    words: str
    start: Figure
    end: Figure | None = None
    prop: str = ""
    view: str = "side"


def _walk(origin: tuple[float, float], *steps: tuple[float, float]) -> list[tuple[float, float]]:
    points = [origin]
    x, y = origin
    for angle, length in steps:
        x += length * math.cos(math.radians(angle))
        y += length * math.sin(math.radians(angle))
        points.append((x, y))
    return points


def _joints(figure: Figure) -> dict[str, list[tuple[float, float]]]:
    """Every segment's points, pelvis at the origin, y pointing up."""
    lower, upper = figure.trunk
    trunk = _walk((0.0, 0.0), (lower, LOWER), (upper, UPPER))
    neck = trunk[-1]
    joints = {"trunk": trunk, "head": _walk(neck, (figure.head, NECK))}
    for name, arm in (("near_arm", figure.near_arm), ("far_arm", figure.far_arm)):
        joints[name] = _walk(neck, (arm[0], UPPER_ARM), (arm[1], FOREARM))
    for name, leg in (("near_leg", figure.near_leg), ("far_leg", figure.far_leg)):
        joints[name] = _walk(trunk[0], (leg[0], THIGH), (leg[1], SHIN), (leg[2], FOOT))
    return joints


def _number(value: float) -> str:
    return f"{round(value, 1):g}"


def _path(points: list[tuple[float, float]]) -> str:
    head, *rest = points
    return f"M{_number(head[0])} {_number(head[1])}" + "".join(
        f"L{_number(x)} {_number(y)}" for x, y in rest
    )


def _placed(pose: Pose) -> tuple[list[dict[str, list[tuple[float, float]]]], float]:
    """Both figures in picture coordinates, sharing one placement, and the picture's top.

    The scale is the same for every pose; only the height of the picture follows the
    figure, so a lying pose makes a low, wide picture rather than one mostly empty.
    """
    figures = [pose.start] + ([pose.end] if pose.end else [])
    all_joints = [_joints(figure) for figure in figures]
    points = [point for joints in all_joints for line in joints.values() for point in line]
    heads = [joints["head"][-1] for joints in all_joints]
    low = min([y - LINE for _, y in points] + [y - HEAD for _, y in heads])
    left = min([x for x, _ in points] + [x - HEAD for x, _ in heads])
    right = max([x for x, _ in points] + [x + HEAD for x, _ in heads])
    high = max([y + LINE for _, y in points] + [y + HEAD for _, y in heads])
    if pose.prop in ("wall", "door"):
        high = max(high, low + FLOOR - 4)
    shift_x = WIDTH / 2 - (left + right) / 2
    if pose.view == "above":
        # Seen from above the mat lies behind the figure: centre the figure on it.
        base = (HEIGHT + high - low) / 2 + low
        top = max(0.0, (HEIGHT - (high - low)) / 2 - 10)
    else:
        base = FLOOR + low
        top = max(0.0, FLOOR - (high - low) - 6)
    placed = [
        {name: [(x + shift_x, base - y) for x, y in line] for name, line in joints.items()}
        for joints in all_joints
    ]
    return placed, round(top)


def _figure_svg(joints: dict[str, list[tuple[float, float]]]) -> str:
    pelvis, middle, neck = joints["trunk"]
    head = joints["head"][-1]
    far = _path(joints["far_arm"]) + _path(joints["far_leg"])
    near = _path(joints["near_leg"]) + _path(joints["near_arm"])
    trunk = (
        f"M{_number(pelvis[0])} {_number(pelvis[1])}"
        f"Q{_number(middle[0])} {_number(middle[1])} {_number(neck[0])} {_number(neck[1])}"
    )
    return (
        f'<path class="pose-far" opacity=".45" d="{far}"/>'
        f'<path class="pose-trunk" stroke-width="7" d="{trunk}"/>'
        f'<circle class="pose-head" fill="currentColor" cx="{_number(head[0])}" '
        f'cy="{_number(head[1])}" r="{HEAD}"/>'
        f'<path d="{near}"/>'
    )


def _prop_svg(prop: str, joints: dict[str, list[tuple[float, float]]]) -> str:
    """The thing a pose uses (chair, wall, door frame, roller, strap), drawn thin."""
    pelvis, middle, neck = joints["trunk"]
    if prop == "chair":
        seat = pelvis[1] + 4
        back, front = pelvis[0] - 7, pelvis[0] + 9
        d = f"M{_number(back)} {_number(seat - 20)}V{FLOOR}M{_number(back)} {_number(seat)}"
        d += f"H{_number(front)}V{FLOOR}"
    elif prop == "wall":
        x = min(pelvis[0], middle[0], neck[0]) - 6
        d = f"M{_number(x)} {FLOOR}V6"
    elif prop == "door":
        hands = [joints[arm][index] for arm in ("near_arm", "far_arm") for index in (1, 2)]
        x = max(x for x, _ in hands) + 4
        d = f"M{_number(x)} {FLOOR}V4"
    elif prop == "roller":
        radius = (FLOOR - middle[1]) / 2
        return (
            f'<circle class="pose-prop" stroke-width="1.5" cx="{_number(middle[0])}" '
            f'cy="{_number(FLOOR - radius)}" r="{_number(radius - 1)}"/>'
        )
    elif prop == "strap":
        d = _path([joints["near_arm"][-1], joints["near_leg"][-1]])
    else:
        return ""
    return f'<path class="pose-prop" stroke-width="1.5" d="{d}"/>'


def _mat_svg(view: str, top: float) -> str:
    if view == "above":
        return (
            '<rect class="pose-mat" fill="currentColor" opacity=".12" stroke="none" '
            f'x="4" y="{_number(top + 4)}" width="{WIDTH - 8}" '
            f'height="{_number(HEIGHT - 2 * top - 8)}" rx="4"/>'
        )
    return (
        '<rect class="pose-mat" fill="currentColor" opacity=".12" stroke="none" '
        f'x="4" y="{FLOOR}" width="{WIDTH - 8}" height="5" rx="2"/>'
    )


@cache
def render(name: str) -> str:
    """The pose's SVG: a scalable picture with its description as the title."""
    pose = POSES.get(name) or POSES[NEUTRAL]
    placed, top = _placed(pose)
    height = HEIGHT - 2 * top if pose.view == "above" else HEIGHT - top
    groups = f'<g class="pose-start">{_figure_svg(placed[0])}</g>'
    if pose.end:
        groups += f'<g class="pose-end" opacity=".3">{_figure_svg(placed[1])}</g>'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 {top} {WIDTH} {height}" '
        'class="pose" role="img" fill="none" stroke="currentColor" stroke-width="4.5" '
        f'stroke-linecap="round" stroke-linejoin="round"><title>{escape(pose.words)}</title>'
        f"{_mat_svg(pose.view, top)}{_prop_svg(pose.prop, placed[0])}{groups}</svg>"
    )


def pose_for(name: str | None) -> Pose:
    """The pose with this name; a plain standing figure for none or an unknown name."""
    return POSES.get(name or "") or POSES[NEUTRAL]


# Common shapes, reused below so the same position looks the same in every picture.
_ON_BACK = (180.0, 180.0)
_KNEES_BENT = (52.0, -57.0, 0.0)
_KNEES_BENT_FAR = (55.0, -60.0, 0.0)
_ARMS_BY_SIDES = (-4.0, -2.0)
_ON_ALL_FOURS = (9.0, 9.0)
_ARM_DOWN = (-92.0, -90.0)
_KNEELING = (-90.0, 180.0, 180.0)
_SEATED_LEG = (-4.0, -90.0, 0.0)
_SEATED_LEG_FAR = (-2.0, -88.0, 0.0)
_STANDING_LEG = (-90.0, -90.0, 0.0)
_STANDING_LEG_FAR = (-92.0, -90.0, 0.0)
_UPRIGHT = (90.0, 92.0)
_ARMS_CROSSED = (-60.0, 160.0)


def _lying(*, arch: float = 0.0, near_leg=_KNEES_BENT, far_leg=_KNEES_BENT_FAR, **arms) -> Figure:
    return Figure(
        trunk=(180.0 - arch, 180.0 + arch),
        head=180.0,
        near_arm=arms.get("near_arm", _ARMS_BY_SIDES),
        far_arm=arms.get("far_arm", _ARMS_BY_SIDES),
        near_leg=near_leg,
        far_leg=far_leg,
    )


def _all_fours(trunk=_ON_ALL_FOURS, head=20.0, **limbs) -> Figure:
    return Figure(
        trunk=trunk,
        head=head,
        near_arm=limbs.get("near_arm", _ARM_DOWN),
        far_arm=limbs.get("far_arm", (-88.0, -90.0)),
        near_leg=limbs.get("near_leg", _KNEELING),
        far_leg=limbs.get("far_leg", (-88.0, 180.0, 180.0)),
    )


def _seated(trunk=_UPRIGHT, head=90.0, **arms) -> Figure:
    return Figure(
        trunk=trunk,
        head=head,
        near_arm=arms.get("near_arm", (-80.0, -10.0)),
        far_arm=arms.get("far_arm", (-84.0, -8.0)),
        near_leg=_SEATED_LEG,
        far_leg=_SEATED_LEG_FAR,
    )


def _standing(trunk=_UPRIGHT, head=90.0, **limbs) -> Figure:
    return Figure(
        trunk=trunk,
        head=head,
        near_arm=limbs.get("near_arm", (-95.0, -88.0)),
        far_arm=limbs.get("far_arm", (-88.0, -92.0)),
        near_leg=limbs.get("near_leg", _STANDING_LEG),
        far_leg=limbs.get("far_leg", _STANDING_LEG_FAR),
    )


_PRONE_LEGS = {"near_leg": (180.0, 180.0, -90.0), "far_leg": (178.0, 180.0, -90.0)}

_LIST: tuple[Pose, ...] = (
    Pose(
        NEUTRAL,
        "Standing",
        "Standing tall with the arms relaxed by the sides.",
        _standing(),
    ),
    Pose(
        "pelvic-tilt",
        "Pelvic tilt",
        "Lying on the back, knees bent and feet flat; the small of the back flattens to the "
        "floor, then relaxes.",
        _lying(arch=12.0),
        _lying(),
    ),
    Pose(
        "knee-to-chest",
        "Knee to chest",
        "Lying on the back, one knee drawn toward the chest with the hands behind the thigh; "
        "the other foot flat on the floor.",
        _lying(near_leg=(118.0, -8.0, 80.0), near_arm=(40.0, 28.0), far_arm=(38.0, 30.0)),
    ),
    Pose(
        "double-knee-hug",
        "Double knee hug",
        "Lying on the back, both knees hugged loosely toward the chest.",
        _lying(
            near_leg=(115.0, -12.0, 78.0),
            far_leg=(120.0, -8.0, 82.0),
            near_arm=(40.0, 28.0),
            far_arm=(38.0, 30.0),
        ),
    ),
    Pose(
        "lying-twist",
        "Lying twist (from above)",
        "Seen from above: lying on the back with arms out wide, both bent knees lowered to "
        "one side.",
        Figure(
            trunk=_ON_BACK,
            head=180.0,
            near_arm=(-90.0, -90.0),
            far_arm=(90.0, 90.0),
            near_leg=(55.0, -30.0, 60.0),
            far_leg=(40.0, -40.0, 50.0),
        ),
        view="above",
    ),
    Pose(
        "cat-cow",
        "Cat-cow",
        "On hands and knees; the back rounds up toward the ceiling, then dips gently with the "
        "chest lifted.",
        _all_fours(trunk=(30.0, -12.0), head=-70.0),
        _all_fours(trunk=(-5.0, 23.0), head=35.0),
    ),
    Pose(
        "childs-pose",
        "Child's pose",
        "Kneeling, hips sat back toward the heels, chest resting down and arms reaching forward.",
        Figure(
            trunk=(25.0, 5.0),
            head=-20.0,
            near_arm=(10.0, 0.0),
            far_arm=(12.0, 0.0),
            near_leg=(-20.0, 180.0, 180.0),
            far_leg=(-18.0, 180.0, 180.0),
        ),
    ),
    Pose(
        "figure-four",
        "Figure-four stretch",
        "Lying on the back, one ankle crossed over the other knee, the legs drawn in toward "
        "the chest.",
        _lying(
            near_leg=(80.0, 160.0, 70.0),
            far_leg=(85.0, -10.0, 80.0),
            near_arm=(55.0, 40.0),
            far_arm=(50.0, 45.0),
        ),
    ),
    Pose(
        "sphinx",
        "Sphinx",
        "Lying on the front, propped up on the forearms with the elbows under the shoulders.",
        Figure(
            trunk=(8.0, 28.0),
            head=70.0,
            near_arm=(-90.0, 0.0),
            far_arm=(-88.0, 2.0),
            **_PRONE_LEGS,
        ),
    ),
    Pose(
        "seated-rotation",
        "Seated rotation",
        "Sitting tall on a chair with the arms crossed over the chest, the upper body turned "
        "to one side.",
        _seated(head=100.0, near_arm=(-40.0, 150.0), far_arm=(-10.0, 170.0)),
        prop="chair",
    ),
    Pose(
        "thread-the-needle",
        "Thread the needle",
        "On hands and knees, one arm slid under the body so that shoulder and the side of the "
        "head rest on the floor.",
        _all_fours(
            trunk=(-20.0, -30.0),
            head=-20.0,
            near_arm=(-150.0, 180.0),
            far_arm=(-80.0, -60.0),
        ),
    ),
    Pose(
        "open-book",
        "Open book (from above)",
        "Seen from above: lying on the side, knees bent and arms ahead; the top arm sweeps "
        "over to the other side, the chest turning to follow.",
        Figure(
            trunk=(180.0, 180.0),
            head=180.0,
            near_arm=(-60.0, -60.0),
            far_arm=(-60.0, -60.0),
            near_leg=(-50.0, -150.0, -60.0),
            far_leg=(-48.0, -150.0, -60.0),
        ),
        Figure(
            trunk=(180.0, 180.0),
            head=180.0,
            near_arm=(120.0, 120.0),
            far_arm=(-60.0, -60.0),
            near_leg=(-50.0, -150.0, -60.0),
            far_leg=(-48.0, -150.0, -60.0),
        ),
        view="above",
    ),
    Pose(
        "seated-side-bend",
        "Seated side bend (from the front)",
        "Sitting tall on a chair seen from the front, one arm reaching up and over as the body "
        "leans to the other side.",
        Figure(
            trunk=(95.0, 115.0),
            head=120.0,
            near_arm=(110.0, 160.0),
            far_arm=(-60.0, -90.0),
            near_leg=_SEATED_LEG,
            far_leg=_SEATED_LEG_FAR,
        ),
        prop="chair",
    ),
    Pose(
        "chin-tuck",
        "Chin tuck",
        "Sitting tall; the chin draws straight back, then relaxes.",
        _seated(head=100.0),
        _seated(head=80.0),
        prop="chair",
    ),
    Pose(
        "neck-side",
        "Side of neck stretch",
        "Sitting tall and holding the chair with one hand, the ear tipped toward the other "
        "shoulder.",
        _seated(head=130.0, near_arm=(-95.0, -90.0), far_arm=(70.0, 10.0)),
        prop="chair",
    ),
    Pose(
        "shoulder-rolls",
        "Shoulder rolls",
        "Sitting tall; the shoulders lift toward the ears, roll back and drop.",
        _seated(trunk=(90.0, 96.0)),
        _seated(trunk=(90.0, 86.0), near_arm=(-100.0, -20.0), far_arm=(-104.0, -18.0)),
        prop="chair",
    ),
    Pose(
        "shoulder-blade-squeeze",
        "Shoulder blade squeeze",
        "Sitting tall, arms relaxed, the shoulder blades drawn gently back and down.",
        _seated(trunk=(88.0, 90.0), head=92.0, near_arm=(-110.0, -20.0), far_arm=(-112.0, -20.0)),
        prop="chair",
    ),
    Pose(
        "doorway-chest",
        "Doorway chest stretch",
        "Standing in a doorway with the forearms on the frame at shoulder height, one foot "
        "stepped through.",
        _standing(
            trunk=(88.0, 85.0),
            near_arm=(-10.0, 90.0),
            far_arm=(-5.0, 90.0),
            near_leg=(-70.0, -95.0, 0.0),
            far_leg=(-105.0, -100.0, 0.0),
        ),
        prop="door",
    ),
    Pose(
        "cross-body-shoulder",
        "Cross-body shoulder stretch",
        "Standing, one arm brought across the chest and held above the elbow by the other hand.",
        _standing(near_arm=(-10.0, 180.0), far_arm=(-40.0, 20.0)),
    ),
    Pose(
        "wall-slide",
        "Wall slide",
        "Standing with the back to a wall, arms bent like goalposts; they slide up and down "
        "the wall.",
        _standing(head=92.0, near_arm=(170.0, 95.0), far_arm=(172.0, 93.0)),
        _standing(head=92.0, near_arm=(120.0, 100.0), far_arm=(122.0, 98.0)),
        prop="wall",
    ),
    Pose(
        "neck-diagonal",
        "Neck diagonal stretch",
        "Sitting tall, the head turned toward one armpit and the nose tipped down toward it; "
        "the other hand holds the chair.",
        _seated(head=30.0, near_arm=(-95.0, -90.0)),
        prop="chair",
    ),
    Pose(
        "kneeling-hip-flexor",
        "Kneeling hip flexor stretch",
        "Kneeling on one knee with the other foot forward, the trunk upright and the hips "
        "shifted forward.",
        Figure(
            trunk=(90.0, 92.0),
            head=90.0,
            near_arm=(-95.0, -80.0),
            far_arm=(-90.0, -85.0),
            near_leg=(-120.0, 180.0, 180.0),
            far_leg=(-20.0, -90.0, 0.0),
        ),
    ),
    Pose(
        "hamstring-strap",
        "Hamstring stretch with a strap",
        "Lying on the back, one leg raised with the knee soft and a strap around the foot; the "
        "other leg bent with the foot flat.",
        _lying(near_leg=(75.0, 80.0, -10.0), near_arm=(60.0, 70.0), far_arm=(62.0, 72.0)),
        prop="strap",
    ),
    Pose(
        "press-up",
        "Prone press-up",
        "Lying on the front with the hands under the shoulders, the chest pressed up while the "
        "hips stay down.",
        Figure(
            trunk=(18.0, 40.0),
            head=60.0,
            near_arm=(-100.0, -80.0),
            far_arm=(-98.0, -82.0),
            **_PRONE_LEGS,
        ),
    ),
    Pose(
        "bird-dog",
        "Bird dog",
        "On hands and knees, one arm reaching forward and the opposite leg back, both level "
        "with the body.",
        _all_fours(
            near_arm=(0.0, 0.0),
            far_arm=_ARM_DOWN,
            near_leg=_KNEELING,
            far_leg=(180.0, 180.0, 180.0),
        ),
    ),
    Pose(
        "puppy",
        "Puppy stretch",
        "From hands and knees, the hands walked forward and the chest sunk toward the floor, "
        "hips above the knees.",
        Figure(
            trunk=(-35.0, -15.0),
            head=-10.0,
            near_arm=(-5.0, 0.0),
            far_arm=(-3.0, 0.0),
            near_leg=_KNEELING,
            far_leg=(-88.0, 180.0, 180.0),
        ),
    ),
    Pose(
        "hand-behind-head-rotation",
        "Hand-behind-head rotation",
        "On hands and knees, one hand behind the head; that elbow turns down toward the floor, "
        "then up toward the ceiling.",
        _all_fours(near_arm=(-120.0, 60.0), head=-10.0),
        _all_fours(near_arm=(80.0, -60.0), head=40.0),
    ),
    Pose(
        "roller-extension",
        "Upper-back extension over a roller",
        "Lying with a roller across the middle of the back, hands behind the head, the upper "
        "back easing back over it.",
        Figure(
            trunk=(165.0, 200.0),
            head=180.0,
            near_arm=(140.0, -10.0),
            far_arm=(142.0, -8.0),
            near_leg=_KNEES_BENT,
            far_leg=_KNEES_BENT_FAR,
        ),
        prop="roller",
    ),
    Pose(
        "lying-y",
        "Lying Y lift",
        "Lying on the front with the arms overhead in a Y, thumbs up; the arms lift a little "
        "from the floor.",
        Figure(
            trunk=(0.0, 3.0),
            head=0.0,
            near_arm=(12.0, 10.0),
            far_arm=(3.0, 0.0),
            **_PRONE_LEGS,
        ),
    ),
    Pose(
        "side-lying-reach",
        "Side-lying reach (from above)",
        "Seen from above: lying on the side with the knees bent, the top arm reaching long "
        "over the head.",
        Figure(
            trunk=(180.0, 180.0),
            head=180.0,
            near_arm=(175.0, 172.0),
            far_arm=(-120.0, -60.0),
            near_leg=(-50.0, -150.0, -60.0),
            far_leg=(-48.0, -150.0, -60.0),
        ),
        view="above",
    ),
    Pose(
        "seated-forward-lean",
        "Seated forward lean",
        "Sitting on a chair with the hands on the thighs, the back rounded a little as the "
        "hands slide toward the knees.",
        _seated(trunk=(60.0, 25.0), head=-10.0, near_arm=(-60.0, -50.0), far_arm=(-62.0, -48.0)),
        prop="chair",
    ),
    Pose(
        "bridge",
        "Bridge",
        "Lying on the back, knees bent and feet flat; the hips lift a little, then lower.",
        _lying(),
        Figure(
            trunk=(195.0, 185.0),
            head=180.0,
            near_arm=(-8.0, -2.0),
            far_arm=(-8.0, -2.0),
            near_leg=(25.0, -70.0, 2.0),
            far_leg=(28.0, -68.0, 2.0),
        ),
    ),
    Pose(
        "belly-breathing",
        "Slow breathing",
        "Lying on the back with the knees bent and one hand resting on the stomach.",
        _lying(near_arm=(-20.0, 20.0)),
    ),
)

POSES: dict[str, Pose] = {pose.name: pose for pose in _LIST}
