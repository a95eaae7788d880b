"""The logbook: a patient's check-ins and played sessions.

`rules` checks what arrives, `service` is the only code that writes, `queries` reads,
`forms` serves the pages, `panels` fills the dashboard, `weeks` counts by week,
`summary` sums up for a clinician, and `versions` bumps a user's data version on
every write.
"""
