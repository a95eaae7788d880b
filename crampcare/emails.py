"""Mail to account holders: through Flask-Mail, or printed for local runs."""

import logging
import smtplib

from flask import current_app, render_template
from flask_mail import Message

from .extensions import mail

log = logging.getLogger(__name__)


def send(to: str, subject: str, template: str, **context) -> None:
    """Send a plain-text mail; a mail server that fails is logged, never shown to the visitor.

    Answers must not differ by whether a mail went out (that would say which
    emails have accounts), so a failure is swallowed here after logging it.
    """
    body = render_template(template, **context)
    config = current_app.config
    if not config["MAIL_SERVER"]:
        if config["MAIL_CONSOLE"]:
            print(f"\n--- mail to {to}: {subject}\n{body}\n---\n", flush=True)
        else:
            log.warning("mail %r not sent: MAIL_SERVER is not set", subject)
        return
    try:
        mail.send(Message(subject, recipients=[to], body=body))
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail %r not sent: %s", subject, type(error).__name__)
