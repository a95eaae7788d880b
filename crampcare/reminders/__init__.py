"""Reminders by Web Push: when they are due, the browsers that asked, and sending them.

`schedule` is pure (which local day's reminder is due now); `keys` holds the VAPID key
pair; `service` is the only code that writes subscriptions and delivery claims.
"""
