"""The clinician's forms: redeem a patient's share code, set a home programme."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class RedeemForm(FlaskForm):
    """A share code a patient gave you."""

    code = StringField(
        "Share code",
        validators=[DataRequired(message="Enter the code your patient gave you."), Length(max=20)],
        description="8 letters and digits, as your patient sees them on their Sharing page.",
    )


class PlanForm(FlaskForm):
    """A home programme for a patient: a routine, sessions a week and a short note."""

    # The choices are the library and your own routines; crampcare/plans.py checks them.
    routine_slug = SelectField("Routine", choices=[], validate_choice=False)
    sessions_per_week = IntegerField(
        "Sessions a week", default=3, description="From 1 to 14.", validators=[Optional()]
    )
    note = TextAreaField(
        "Note for the patient",
        description="Optional, up to 500 characters: what to watch for, how to progress.",
        validators=[Optional()],
    )
