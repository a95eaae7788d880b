"""Account recovery: a forgotten password is replaced through a link sent by mail."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, logout_user
from sqlalchemy import select

from .. import attempts, audit, emails
from ..errors import error_response
from ..extensions import db, limiter
from ..headers import never_store
from ..models import User
from ..recovery import RESET_LINK
from . import bp
from .forms import ForgotForm, ResetPasswordForm

# The same answer whether or not the email has an account.
LINK_SENT = (
    "If an account uses that email, a link to set a new password is on its way. "
    "It works once, for {minutes} minutes."
)
LINK_UNUSABLE = "This link has expired or was already used. Ask for a new one."


def _minutes() -> int:
    return current_app.config["PASSWORD_RESET_MINUTES"]


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["FORGOT_LIMIT"], methods=["POST"])
def forgot():
    """Ask for a reset link; the answer never says whether the email has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        email = User.normalise_email(form.email.data)
        # Per email too, so nobody floods one inbox from many addresses.
        attempts.take(current_app.config["FORGOT_LIMIT"], "forgot-email", email)
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            emails.send(email, "CrampCare password", "mail/no_account.txt")
        else:
            token = RESET_LINK.make_token(user, current_app.config["SECRET_KEY"])
            link = url_for("auth.reset_password", token=token, _external=True)
            emails.send(
                email,
                "Set a new CrampCare password",
                "mail/reset.txt",
                link=link,
                minutes=_minutes(),
            )
            audit.record("password_reset_requested", user)
            db.session.commit()
        flash(LINK_SENT.format(minutes=_minutes()), "info")
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def reset_password(token: str):
    """Set a new password through a mailed link; every sign-in of the account ends."""
    never_store()  # the link is a secret until it is used
    user = RESET_LINK.user_of(token, current_app.config["SECRET_KEY"], _minutes() * 60)
    if user is None:
        return error_response(400, LINK_UNUSABLE, "token")
    form = ResetPasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        user.set_password(form.new_password.data)
        if not user.email_confirmed:
            # The link came to the mailbox: it proves a new account's address too.
            user.confirm_email()
            audit.record("email_confirmed", user, user)
        user.end_all_logins()
        audit.record("password_reset", user, user)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        flash(
            "Your new password is set, and every device is signed out. Sign in with it.", "success"
        )
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/reset.html", form=form)
