"""Landing page and health check."""

from flask import jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from . import bp


@bp.get("/")
def index():
    """The landing page: what CrampCare does, or your next step when signed in."""
    return render_template("index.html")


@bp.get("/healthz")
def healthz():
    """200 when the app can reach its database, 503 when it cannot."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    finally:
        db.session.commit()
    return jsonify(status="ok", database="ok")
