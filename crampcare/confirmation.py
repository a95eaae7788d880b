"""Email confirmation links, valid 24 hours (`CONFIRM_LINK_HOURS`), used once.

A link is bound to the account's address, password hash and confirmation: confirming
ends it, and so does registering the address again (which replaces the password).
"""

from .account_links import AccountLink


def _state(user) -> str:
    confirmed = user.email_confirmed_at.isoformat() if user.email_confirmed_at else ""
    return "\n".join((user.email, user.password_hash, confirmed))


CONFIRM_LINK = AccountLink(
    salt="crampcare-email-confirmation",
    state=_state,
    usable=lambda user: not user.email_confirmed,
)
