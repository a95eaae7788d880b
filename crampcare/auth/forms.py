"""Account forms; Flask-WTF adds the CSRF token to each."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget, TimeInput

from ..local_time import canonical_timezone, is_timezone, timezone_groups
from ..passwords import MAX_LENGTH, MIN_LENGTH
from ..reminders.schedule import parse_time
from ..vocabulary import CONDITIONS, ROLES, UNITS, WEEKDAYS

PASSWORD_RULE = f"{MIN_LENGTH} to {MAX_LENGTH} characters; a passphrase of a few words works well."


def _password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            InputRequired(message="Enter a password."),
            Length(
                min=MIN_LENGTH,
                max=MAX_LENGTH,
                message=f"Use {MIN_LENGTH} to {MAX_LENGTH} characters.",
            ),
        ],
        description=PASSWORD_RULE,
    )


def _validate_timezone(_form, field) -> None:
    if field.data and not is_timezone(field.data):
        raise ValidationError("Choose a timezone from the list.")


def _canonical(name: str | None) -> str | None:
    # A browser may report an alias ("Asia/Calcutta"); the picker lists the zone's own name.
    return canonical_timezone(name) if name else name


class MultiCheckboxField(SelectMultipleField):
    """A set of checkboxes for choosing several values."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RegisterForm(FlaskForm):
    """A new patient or clinician account."""

    email = EmailField(
        "Email",
        validators=[
            DataRequired(message="Enter your email address."),
            Email(message="Enter a valid email address.", check_deliverability=False),
            Length(max=254),
        ],
    )
    password = _password_field("Password")
    role = RadioField(
        "I am a",
        choices=list(ROLES.items()),
        default="patient",
        validators=[InputRequired(message="Choose patient or clinician.")],
    )
    timezone = HiddenField(
        "Timezone", default="UTC", validators=[_validate_timezone], filters=[_canonical]
    )

    def validate_role(self, field) -> None:
        """Only the known roles."""
        if field.data not in ROLES:
            raise ValidationError("Choose patient or clinician.")


class LoginForm(FlaskForm):
    """Sign in with email and password."""

    email = EmailField("Email", validators=[DataRequired(message="Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password.")])
    remember = BooleanField("Keep me signed in on this device")


class ProfileForm(FlaskForm):
    """What the advice needs to know about you, and how to show amounts."""

    timezone = SelectField(
        "Timezone",
        validators=[DataRequired(message="Choose a timezone."), _validate_timezone],
        filters=[_canonical],
        validate_choice=False,
        description="Days and weeks in your charts and advice start at midnight here.",
    )
    units = RadioField(
        "Show water in",
        choices=list(UNITS.items()),
        validators=[InputRequired(message="Choose ml or fl oz.")],
    )
    takes_diuretics = BooleanField("I take a diuretic (water tablet)")
    takes_statins = BooleanField("I take a statin (a cholesterol medicine)")
    conditions = MultiCheckboxField(
        "Conditions a doctor has told you about",
        choices=list(CONDITIONS.items()),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = {area: list(zones) for area, zones in timezone_groups()}

    def validate_units(self, field) -> None:
        """Only ml or fl oz."""
        if field.data not in UNITS:
            raise ValidationError("Choose ml or fl oz.")


class ReminderForm(FlaskForm):
    """The days and the local time a reminder to stretch arrives."""

    reminder_days = MultiCheckboxField("Days", choices=list(WEEKDAYS.items()))
    reminder_time = StringField(
        "Time", description="In your timezone, e.g. 18:30.", widget=TimeInput()
    )

    def validate_reminder_time(self, field) -> None:
        """HH:MM, 24-hour; needed once any day is chosen."""
        if not field.data:
            if self.reminder_days.data:
                raise ValidationError("Choose the time of day for your reminder.")
            field.data = None
        elif parse_time(field.data) is None:
            raise ValidationError("Give the time as hours and minutes, e.g. 18:30.")


class PasswordChangeForm(FlaskForm):
    """A new password; other devices are signed out."""

    current_password = PasswordField(
        "Current password", validators=[DataRequired(message="Enter your current password.")]
    )
    new_password = _password_field("New password")


class DeleteAccountForm(FlaskForm):
    """Your password, to confirm that the account and its data go for good."""

    password = PasswordField(
        "Your password", validators=[DataRequired(message="Enter your password to confirm.")]
    )
