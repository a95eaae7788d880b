"""Error pages for people, and {"errors": …} for the JSON API."""

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db

MESSAGES = {
    400: "The request could not be understood.",
    401: "Sign in first.",
    403: "You do not have access to that.",
    404: "There is nothing here.",
    405: "That action is not allowed here.",
    413: "That was too large to accept (the limit is 1 MB).",
    429: "Too many attempts. Please wait a minute and try again.",
    500: "Something went wrong on our side. Nothing you did caused it.",
}


def wants_json() -> bool:
    """The JSON API answers errors in JSON; pages answer with a page."""
    return request.path.startswith("/api/")


def error_response(status: int, message: str, field: str = "request"):
    """Answer an error as JSON under /api/ and as a page elsewhere."""
    if wants_json():
        return jsonify(errors={field: message}), status
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        return error_response(
            400, f"{error.description} Reload the page and try again.", "csrf_token"
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        response = error_response(status, MESSAGES.get(status, error.description or "Error."))
        if status == 429 and error.get_headers():
            # Keep Retry-After and the rate-limit headers on the friendly page.
            body, code = response
            body = app.make_response(body)
            for name, value in error.get_headers():
                if name.lower() != "content-type":
                    body.headers[name] = value
            return body, code
        return response

    @app.errorhandler(InternalServerError)
    def _server_error(error: InternalServerError):
        db.session.rollback()
        return error_response(500, MESSAGES[500])
