"""The logbook: a patient's check-ins and played sessions.

`rules` checks what arrives, `service` is the only code that writes, `queries` reads,
`forms` serves the pages, `weeks` counts by week and `summary` sums up for a
clinician; `versions` bumps a user's data version on every write.
"""
