"""Forms of the routine builder; Flask-WTF adds the CSRF token to each."""

import re
import secrets
import unicodedata

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..poses import NEUTRAL, POSES
from ..routine_library import LIBRARY
from ..routine_safety import CAUTION_LABELS
from ..vocabulary import DIFFICULTIES, ROUTINE_AREAS, STEP_SIDES

MAX_STEPS = 30


def new_slug(title: str) -> str:
    """A URL name for a patient's routine: the title in kebab-case and a random suffix."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-")
    return f"{base or 'routine'}-{secrets.token_hex(3)}"


def _whole_number(label: str, low: int, high: int, default: int) -> IntegerField:
    return IntegerField(
        label,
        default=default,
        validators=[
            InputRequired(message="Enter a whole number."),
            NumberRange(min=low, max=high, message=f"Use {low} to {high}."),
        ],
    )


class RoutineForm(FlaskForm):
    """A patient's own routine: its name, how hard it is and where it works."""

    title = StringField(
        "Title",
        validators=[
            DataRequired(message="Give the routine a title."),
            Length(max=120, message="Keep the title under 120 characters."),
        ],
    )
    summary = StringField(
        "Summary (optional)",
        validators=[Optional(), Length(max=300, message="Keep it under 300 characters.")],
    )
    difficulty = SelectField(
        "Difficulty",
        choices=list(DIFFICULTIES.items()),
        default="gentle",
    )
    area = SelectField("Part of the back", choices=list(ROUTINE_AREAS.items()))


class StepForm(FlaskForm):
    """One step: what to do, how long to hold it, how often, on which side."""

    title = StringField(
        "Step title",
        validators=[
            DataRequired(message="Give the step a title."),
            Length(max=120, message="Keep the title under 120 characters."),
        ],
    )
    instructions = TextAreaField(
        "How to do it",
        validators=[
            DataRequired(message="Say how to do the step safely."),
            Length(max=1000, message="Keep it under 1,000 characters."),
        ],
    )
    moving = BooleanField(
        "A moving step: count slow repetitions instead of holding still",
        description="Then the hold is the seconds one repetition takes, e.g. 5 for cat-cow.",
    )
    hold_seconds = _whole_number("Hold (seconds)", 1, 600, 30)
    reps = _whole_number("Repetitions", 1, 20, 1)
    side = RadioField(
        "Side",
        choices=list(STEP_SIDES.items()),
        default="none",
        validators=[InputRequired(message="Choose a side.")],
    )
    rest_seconds = _whole_number("Rest after each hold (seconds)", 0, 300, 5)
    cue = StringField(
        "Spoken cue (optional)",
        validators=[Optional(), Length(max=200, message="Keep the cue under 200 characters.")],
    )
    pose = SelectField(
        "Picture",
        choices=[(name, pose.label) for name, pose in POSES.items()],
        default=NEUTRAL,
        description="The position the step's picture shows.",
    )
    cautions = SelectMultipleField(
        "Cautions (tick what the step does)",
        choices=list(CAUTION_LABELS.items()),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )


def _library_steps() -> dict[str, object]:
    # Each distinct library step once, by title: a routine's longer variant adds nothing new.
    steps: dict[str, object] = {}
    for routine in LIBRARY:
        for step in routine.steps:
            steps.setdefault(step.title, step)
    return dict(sorted(steps.items()))


LIBRARY_STEPS = _library_steps()


class LibraryStepForm(FlaskForm):
    """Copy a step of the library, with its timing and cautions, into your routine."""

    title = SelectField(
        "A step from the library",
        choices=[("", "Choose a step")] + [(title, title) for title in LIBRARY_STEPS],
        validators=[DataRequired(message="Choose a step.")],
    )


class MoveForm(FlaskForm):
    """Move a step one place up or down."""

    direction = SelectField("Direction", choices=[("up", "Up"), ("down", "Down")])


class FavouriteForm(FlaskForm):
    """The star on a routine: whether it should be starred, and the list to go back to."""

    starred = HiddenField(validators=[AnyOf(["yes", "no"])])
    next = HiddenField()
