"""The clinician's form: redeem a patient's share code."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class RedeemForm(FlaskForm):
    """A share code a patient gave you."""

    code = StringField(
        "Share code",
        validators=[DataRequired(message="Enter the code your patient gave you."), Length(max=20)],
        description="8 letters and digits, as your patient sees them on their Sharing page.",
    )
