"""Form posts whose text no database can store are refused whole (400).

A browser never sends a NUL character from a form, but a hand-made request can, and
PostgreSQL refuses NUL in text columns. Refusing it here keeps every form the same on
SQLite and PostgreSQL: nothing is saved, and the answer is a 400, not a server error.
"""

from flask import Flask, abort, request

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def has_nul(form) -> bool:
    """True when any submitted field name or value holds a NUL character."""
    return any("\x00" in name or "\x00" in value for name, value in form.items(multi=True))


def init_app(app: Flask) -> None:
    """Check every form post after the CSRF check and before any view."""

    @app.before_request
    def _refuse_nul_in_forms():
        is_form = request.method in WRITE_METHODS and request.mimetype in FORM_TYPES
        if is_form and has_nul(request.form):
            abort(400)
