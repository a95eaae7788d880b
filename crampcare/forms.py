"""Forms every area shares; an area's own forms live in its package."""

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """A button that changes something: the CSRF token is its whole content."""
