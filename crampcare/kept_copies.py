"""Copies of pages the service worker keeps for offline use: fetched, but not visits.

The worker fetches pages in the background (when it installs, after a page loads, when
the account changes) and names each such request with KEEP_HEADER. The person sees
none of these answers, so none may change what their browser holds:

- No session cookie. A copy asked for just before a sign-in can be answered after it;
  a cookie drawn from the session that request carried would put the signed-out
  session back in the browser, and sign the person out again.
- No flashed message. The message waits in the session for the person's next page;
  a kept copy would take it away, and show it later, offline, out of place.

The header can only make the server do less, so nothing is gained by sending it.
"""

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface

KEEP_HEADER = "CrampCare-Keep"


def is_kept_copy() -> bool:
    """True while answering the service worker's background fetch of a page."""
    return has_request_context() and request.headers.get(KEEP_HEADER) == "1"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, but a kept copy's answer never sets the cookie."""

    def save_session(self, app, session, response) -> None:
        if is_kept_copy():
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    """Leave the session alone on kept copies; pages learn whether they are one."""
    app.session_interface = SessionInterface()
    app.context_processor(lambda: {"kept_copy": is_kept_copy()})
