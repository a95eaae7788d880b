"""Password reset links, valid 30 minutes (`PASSWORD_RESET_MINUTES`), used once.

A link is bound to the password hash it was made for: setting a new password ends it
and every other reset link made before.
"""

from .account_links import AccountLink

RESET_LINK = AccountLink(
    salt="crampcare-password-reset", state=lambda user: user.password_hash, key="password"
)
