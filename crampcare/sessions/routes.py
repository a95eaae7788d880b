"""The sessions history page, with "load more" for htmx and a plain link without it."""

from flask import abort, request
from flask_login import current_user, login_required

from ..fragments import render_page_or_fragment
from ..logbook.queries import get_session_or_404
from ..record_ids import record_id
from ..timeline import format_duration
from . import bp
from .queries import past_sessions


@bp.before_request
@login_required
def _patients_only():
    # Sessions are a patient's own record; a clinician has none.
    if current_user.is_clinician:
        abort(404)


@bp.get("/sessions")
def history():
    """Your past sessions, newest first: routine, when, how long, steps, and the check-in."""
    before = request.args.get("before", type=record_id)
    # Paging on from a session that is not yours is a 404, like any other record of theirs.
    after = get_session_or_404(before) if before else None
    rows, has_more = past_sessions(current_user.id, after)
    return render_page_or_fragment(
        "sessions/history.html",
        "sessions/_rows.html",
        rows=rows,
        has_more=has_more,
        before=before,
        format_duration=format_duration,
    )
