"""Account pages: register, sign in, sign out, profile, devices and password."""

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .. import attempts, audit, emails
from ..extensions import db, limiter
from ..forms import ConfirmForm
from ..logins import start_login
from ..models import LoginSession, User
from ..passwords import hash_password, password_problem, verify_nobody
from . import bp, confirmation
from .forms import (
    DeleteAccountForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
    ReminderForm,
)


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("pwa.index")


def _reentry_key() -> str:
    return f"user:{current_user.id}"


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT"], methods=["POST"])
def register():
    """Make an account that waits for its email to be confirmed; nobody is signed in here.

    A taken email answers exactly the same (ASVS 6.3.8): same work, same page, and a
    mail only its owner reads.
    """
    form = RegisterForm()
    if form.validate_on_submit():
        email = User.normalise_email(form.email.data)
        confirmation.take_mail_budget(email)
        user = _unconfirmed_account(email, form)
        if user is None:
            hash_password(form.password.data)  # the work a new account's hash takes
            emails.send(email, "You already have a CrampCare account", "mail/account_exists.txt")
        else:
            confirmation.send_link(user)
        flash(confirmation.CHECK_EMAIL, "info")
        return redirect(url_for("auth.check_email"), 303)
    return render_template("auth/register.html", form=form)


def _unconfirmed_account(email: str, form: RegisterForm) -> User | None:
    """The account to confirm with what was typed; None when the email's owner has one.

    An address nobody has confirmed yet proves nothing about whoever registered it
    first: the newest registration replaces its password, role and timezone, and the
    links sent before stop working (no account can be set up in wait for its owner).
    """
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None and user.email_confirmed:
        return None
    if user is None:
        user = User(email=email)
        db.session.add(user)
    user.role, user.timezone = form.role.data, form.timezone.data or "UTC"
    user.set_password(form.password.data)
    try:
        db.session.flush()
    except IntegrityError:  # registered a moment ago by a concurrent request
        db.session.rollback()
        return None
    audit.record("register", user, user)
    db.session.commit()
    return user


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def login():
    """Sign in with email and password."""
    form = LoginForm()
    if form.validate_on_submit():
        email = User.normalise_email(form.email.data)
        limit = current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]
        # Counted before the password is checked: concurrent guesses cannot overrun it.
        attempts.take(limit, "login-account", email[:254])
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None and user.check_password(form.password.data):
            attempts.refund(limit, "login-account", email[:254])
            if not user.email_confirmed:
                return _ask_to_confirm_first(user)
            audit.record("login", user, user)
            start_login(user, remember=form.remember.data)
            _advise_on_weak_password(form.password.data, email)
            return redirect(_safe_next(request.args.get("next")), 303)
        if user is None:
            verify_nobody(form.password.data)  # same time either way
        audit.record_failed_login(user, email)
        db.session.commit()
        form.password.errors.append("That email and password do not match an account.")
    return render_template("auth/login.html", form=form)


def _ask_to_confirm_first(user: User):
    """The right password of an account whose email is not confirmed yet: no sign-in, and a
    fresh link. Only someone who knows the password learns that the email waits."""
    confirmation.take_mail_budget(user.email, per_address=True)
    audit.record("login_unconfirmed", user, user)
    db.session.commit()  # also keeps a rehashed password, which the new link is made for
    confirmation.send_link(user)
    flash(confirmation.CONFIRM_FIRST, "warning")
    return redirect(url_for("auth.check_email"), 303)


def _advise_on_weak_password(password: str, email: str) -> None:
    """An account made before the strength rules still signs in, and is asked to change."""
    if password_problem(password, (email, email.split("@")[0])):
        flash(
            "Your password is easy to guess. Choose a new one on your account page.",
            "warning",
        )


@bp.post("/logout")
def logout():
    """Sign this device out and forget its sign-in on the server."""
    if current_user.is_authenticated and current_user.current_login is not None:
        db.session.delete(current_user.current_login)
        audit.record("logout", current_user, current_user)
        db.session.commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), 303)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The profile, signed-in devices and password."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        form.populate_obj(current_user)
        db.session.commit()
        flash("Your profile is saved.", "success")
        return redirect(url_for("auth.account"), 303)
    return _account_page(form=form)


@bp.post("/account/reminders")
@login_required
def save_reminders():
    """Save the days and time of the reminders to stretch."""
    if not current_user.is_patient:
        abort(403)
    form = ReminderForm()
    if form.validate_on_submit():
        form.populate_obj(current_user)
        db.session.commit()
        flash("Your reminder times are saved.", "success")
        return redirect(url_for("auth.account", _anchor="reminders-heading"), 303)
    return _account_page(reminder_form=form)


def _account_page(**forms):
    """The account page; the form that was just submitted comes back with its errors."""
    devices = db.session.scalars(
        select(LoginSession)
        .where(LoginSession.user_id == current_user.id)
        .order_by(LoginSession.last_seen_at.desc())
    ).all()
    return render_template(
        "auth/account.html",
        devices=devices,
        form=forms.get("form") or ProfileForm(obj=current_user),
        password_form=forms.get("password_form") or PasswordChangeForm(),
        confirm_form=ConfirmForm(),
        reminder_form=forms.get("reminder_form") or ReminderForm(obj=current_user),
        delete_form=forms.get("delete_form") or DeleteAccountForm(),
    )


@bp.post("/account/devices/<int:device_id>/sign-out")
@login_required
def sign_out_device(device_id: int):
    """Sign one of your devices out."""
    login = db.session.get(LoginSession, device_id)
    if login is None or login.user_id != current_user.id:
        abort(404)
    db.session.delete(login)
    db.session.commit()
    flash("That device is signed out.", "success")
    return redirect(url_for("auth.account"), 303)


@bp.get("/account/sign-out-everywhere")
@login_required
def confirm_sign_out_everywhere():
    """Ask first: signing out everywhere also ends this device's and the installed app's."""
    return render_template(
        "confirm.html",
        title="Sign out on every device?",
        lines=[
            "Every phone, tablet and computer signed in to this account is signed out, "
            "this one and the installed app included. You will need your password to "
            "sign in again.",
        ],
        action=url_for("auth.sign_out_everywhere"),
        confirm_label="Yes, sign out everywhere",
        cancel_url=url_for("auth.account"),
        cancel_label="Stay signed in",
        form=ConfirmForm(),
        logs_out=True,
    )


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every sign-in of this account, this one included."""
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == current_user.id))
    audit.record("sign_out_everywhere", current_user, current_user)
    db.session.commit()
    logout_user()
    flash("You are signed out on every device.", "info")
    return redirect(url_for("auth.login"), 303)


@bp.post("/account/password")
@login_required
def change_password():
    """Set a new password and sign out every other device."""
    form = PasswordChangeForm()
    form.account_email = current_user.email
    if form.validate_on_submit():
        limit = current_app.config["PASSWORD_REENTRY_LIMIT"]
        attempts.take(limit, "password-reentry", _reentry_key())
        if current_user.check_password(form.current_password.data):
            attempts.refund(limit, "password-reentry", _reentry_key())
            current_user.set_password(form.new_password.data)
            db.session.execute(
                delete(LoginSession).where(
                    LoginSession.user_id == current_user.id,
                    LoginSession.id != current_user.current_login.id,
                )
            )
            audit.record("password_changed", current_user, current_user)
            db.session.commit()
            flash("Your password is changed; your other devices are signed out.", "success")
            return redirect(url_for("auth.account"), 303)
        form.current_password.errors.append("That is not your current password.")
    return _account_page(password_form=form)


@bp.post("/account/delete")
@login_required
def delete_account():
    """Erase the account and everything that belongs to it, then sign out."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        attempts.take(
            current_app.config["PASSWORD_REENTRY_LIMIT"], "password-reentry", _reentry_key()
        )
        if current_user.check_password(form.password.data):
            user_id = current_user.id
            logout_user()
            # The foreign keys cascade: check-ins, sessions, own routines, sign-ins,
            # shares on either side and the audit rows about this user go with it.
            db.session.execute(delete(User).where(User.id == user_id))
            db.session.commit()
            flash("Your account and all its data are deleted.", "info")
            return redirect(url_for("auth.login"), 303)
        form.password.errors.append("That is not your password; nothing was deleted.")
    return _account_page(delete_form=form)
