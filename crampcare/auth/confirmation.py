"""Email confirmation: a new account signs in only once its owner follows the mailed link.

Mail scanners open the links in mails they check, so opening the link changes
nothing: its page has a button, and only pressing it (a POST with its CSRF token)
confirms the address and signs in.
"""

from flask import current_app, flash, redirect, render_template, request, url_for

from .. import attempts, audit, emails
from ..confirmation import CONFIRM_LINK
from ..extensions import db, limiter
from ..forms import ConfirmForm
from ..headers import never_store
from ..logins import start_login
from ..models import User
from . import bp

# The same words whether the email was new or already had an account (ASVS 6.3.8).
CHECK_EMAIL = "Check your email: we sent a link to finish setting up your account."
CONFIRM_FIRST = (
    "Confirm your email address first: we have sent you a new link to finish setting up "
    "your account."
)
CONFIRMED = "Welcome to CrampCare. Your email address is confirmed and you are signed in."


def _hours() -> int:
    return current_app.config["CONFIRM_LINK_HOURS"]


def take_mail_budget(email: str, per_address: bool = False) -> None:
    """Count one mail a visitor asked for to this email, or 429 when it is over the limit.

    Counted before anyone looks the email up, so the limit says nothing about accounts.
    """
    limit = current_app.config["ACCOUNT_MAIL_LIMIT"]
    attempts.take(limit, "account-mail", email[:254])
    if per_address:
        attempts.take(limit, "account-mail-address", request.remote_addr or "")


def send_link(user: User) -> None:
    """Mail the account's owner a fresh link to confirm the address."""
    token = CONFIRM_LINK.make_token(user, current_app.config["SECRET_KEY"])
    emails.send(
        user.email,
        "Confirm your email for CrampCare",
        "mail/confirm.txt",
        link=url_for("auth.confirm_email", token=token, _external=True),
        hours=_hours(),
    )


@bp.get("/register/check-email")
def check_email():
    """Where every registration lands, new email or not: the next step is in the mail."""
    return render_template("auth/check_email.html")


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def confirm_email(token: str):
    """Show the button (GET); pressing it confirms the address and signs in (POST)."""
    never_store()  # the link is a secret until it is used
    user = CONFIRM_LINK.user_of(token, current_app.config["SECRET_KEY"], _hours() * 3600)
    if user is None:
        return render_template("auth/confirm_unusable.html"), 400
    form = ConfirmForm()
    if form.validate_on_submit():
        if not user.claim_confirmation():  # the same link, pressed a moment ago
            db.session.rollback()
            return render_template("auth/confirm_unusable.html"), 400
        # One event: the sign-in is part of confirming, as it was part of registering.
        audit.record("email_confirmed", user, user)
        start_login(user, remember=False)  # commits
        flash(CONFIRMED, "success")
        return redirect(url_for("pwa.index"), 303)
    return render_template("auth/confirm_email.html", form=form, email=user.email)
