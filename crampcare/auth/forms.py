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
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget, TimeInput

from ..local_time import canonical_timezone, is_timezone, timezone_groups
from ..passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from ..reminders.schedule import parse_time
from ..vocabulary import CONDITIONS, ROLES, UNITS, WEEKDAYS

PASSWORD_RULE = f"{MIN_LENGTH} to {MAX_LENGTH} characters; a passphrase of a few words works well."


def _strong_enough(form, field) -> None:
    """A new password passes the rules of crampcare/passwords.py, or says why not."""
    problem = password_problem(field.data or "", form.personal_words())
    if problem:
        raise ValidationError(problem)


def _email_field() -> EmailField:
    """An address that must look like one; whether mail reaches it is for the mail to tell."""
    return EmailField(
        "Email",
        validators=[
            DataRequired(message="Enter your email address."),
            Email(message="Enter a valid email address.", check_deliverability=False),
            Length(max=254),
        ],
    )


def _password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[InputRequired(message="Enter a password."), _strong_enough],
        description=PASSWORD_RULE,
    )


def _current_password_field(label: str, message: str) -> PasswordField:
    """A password typed to prove who you are: blank or only spaces is none (as at sign-in)."""
    return PasswordField(
        label,
        validators=[
            DataRequired(message=message),
            Length(max=MAX_LENGTH, message="That is not your password."),
        ],
    )


class NewPasswordForm(FlaskForm):
    """A form choosing a new password; the signed-in person's email counts as easy to guess."""

    def personal_words(self) -> tuple[str, ...]:
        """Words a guesser would try first for this person."""
        email = getattr(self, "account_email", None) or ""
        return (email, email.split("@")[0], "crampcare") if email else ("crampcare",)


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


class RegisterForm(NewPasswordForm):
    """A new patient or clinician account."""

    email = _email_field()
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

    def personal_words(self) -> tuple[str, ...]:
        """The email being registered is the first guess at its password."""
        self.account_email = self.email.data or ""
        return super().personal_words()

    def validate_role(self, field) -> None:
        """Only the known roles."""
        if field.data not in ROLES:
            raise ValidationError("Choose patient or clinician.")


class LoginForm(FlaskForm):
    """Sign in with email and password."""

    email = EmailField("Email", validators=[DataRequired(message="Enter your email address.")])
    password = _current_password_field("Password", "Enter your password.")
    remember = BooleanField("Keep me signed in on this device")


class ProfileForm(FlaskForm):
    """What the advice needs to know about you, how to show amounts, and your name."""

    display_name = StringField(
        "Your name",
        description="Optional. Whoever you share with reads it; without it they read your email.",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[Optional(), Length(max=100, message="Keep your name to 100 characters.")],
    )
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


class PasswordChangeForm(NewPasswordForm):
    """A new password; other devices are signed out."""

    current_password = _current_password_field("Current password", "Enter your current password.")
    new_password = _password_field("New password")


class ForgotForm(FlaskForm):
    """The email of an account whose password is forgotten."""

    email = _email_field()


class ResetPasswordForm(NewPasswordForm):
    """A new password chosen through an emailed link."""

    new_password = _password_field("New password")


class DeleteAccountForm(FlaskForm):
    """Your password, to confirm that the account and its data go for good."""

    password = _current_password_field("Your password", "Enter your password to confirm.")
