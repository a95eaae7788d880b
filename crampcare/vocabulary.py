"""Every value the app stores from a fixed list, with the words each audience reads.

One home for each list: validation, forms, advice, exports, FHIR and templates read
them from here, and JavaScript gets what it needs through the page. A list's keys are
what is stored; its values are the labels a form shows. Where advice or an export
words a value for another reader, that wording sits next to the list, once.
"""

from __future__ import annotations

# Check-ins (SPEC §5) ---------------------------------------------------------------

SEVERITIES = {0: "None", 1: "Mild", 2: "Moderate", 3: "Severe"}
# The cramp form records a cramp: "None" is not one of its answers.
CRAMP_SEVERITIES = {level: label for level, label in SEVERITIES.items() if level >= 1}
SEVERE = 3

TIMINGS = {
    "during_stretch": "During a stretch",
    "after_stretch": "After stretching",
    "other_exercise": "During other exercise",
    "at_rest": "At rest",
    "night": "At night",
}
# A cramp logged on its own came outside a session, so the form offers only these.
CRAMP_ONLY_TIMINGS = {name: TIMINGS[name] for name in ("at_rest", "night", "other_exercise")}
REST_TIMINGS = frozenset({"at_rest", "night"})

BACK_AREAS = {"lower_back": "Lower back", "mid_back": "Mid back", "upper_back": "Upper back"}
BACK_SIDES = {"": "", "_left": "left", "_right": "right"}
LOCATIONS = {
    area + side: f"{words}, {side_words}" if side_words else words
    for area, words in BACK_AREAS.items()
    for side, side_words in BACK_SIDES.items()
}

ELECTROLYTES = {
    "sodium": "Sodium (salt)",
    "potassium": "Potassium",
    "magnesium": "Magnesium",
    "calcium": "Calcium",
}

SWEAT = {"light": "Light", "moderate": "Moderate", "heavy": "Heavy"}

RED_FLAGS = {
    "saddle_numbness": "Numbness between the legs or around the buttocks",
    "bladder_bowel": "New trouble controlling your bladder or bowel",
    "leg_weakness": "Weakness in a leg",
    "fever": "A fever with the back pain",
    "after_injury": "The pain started after a fall or injury",
    "long_cramp": "A cramp lasted over 10 minutes and did not ease",
}
# A red flag in plain words, as the advice reads it after "you logged".
RED_FLAG_PHRASES = {
    "saddle_numbness": "numbness between the legs or around the buttocks",
    "bladder_bowel": "new trouble controlling your bladder or bowel",
    "leg_weakness": "weakness in a leg",
    "fever": "a fever",
    "after_injury": "pain that started after an injury",
    "long_cramp": "a cramp that lasted over 10 minutes and did not ease",
}

PAIN_SCALE = {str(n): str(n) for n in range(0, 11)}
EXERTION_SCALE = {str(n): str(n) for n in range(1, 11)}

# How a clinician's record system shows the check-in's values (FHIR display text).
RECORD_DISPLAYS = {
    "during_stretch": "During stretching",
    "after_stretch": "After stretching",
    "other_exercise": "During other exercise",
    "at_rest": "At rest",
    "night": "At night",
    **LOCATIONS,
    **SWEAT,
    "sodium": "Sodium",
    "potassium": "Potassium",
    "magnesium": "Magnesium",
    "calcium": "Calcium",
    "saddle_numbness": "Numbness in the saddle area",
    "bladder_bowel": "New bladder or bowel problems",
    "leg_weakness": "Leg weakness",
    "fever": "Fever",
    "after_injury": "After an injury",
    "long_cramp": "A cramp over 10 minutes that did not ease",
}

# Accounts ---------------------------------------------------------------------------

ROLES = {"patient": "Patient", "clinician": "Clinician"}

UNITS = {"ml": "Millilitres (ml)", "floz": "US fluid ounces (fl oz)"}
# The unit's short name, as an amount or a box's label shows it.
UNIT_SYMBOLS = {"ml": "ml", "floz": "fl oz"}
# A US fluid ounce is 29.5735295625 ml exactly; four decimals are plenty for water.
ML_PER_FL_OZ = 29.5735

CONDITIONS = {
    "kidney": "Kidney disease",
    "thyroid": "Thyroid condition",
    "diabetes": "Diabetes",
    "nerve": "Nerve condition (neuropathy, sciatica)",
    "hormone": "Hormonal condition or pregnancy",
}
# A condition as the advice names it in a sentence.
CONDITION_PHRASES = {
    "kidney": "kidney disease",
    "thyroid": "a thyroid condition",
    "diabetes": "diabetes",
    "nerve": "a nerve condition",
    "hormone": "a hormone condition",
}

# The audit log ----------------------------------------------------------------------

# How each audit action reads on the patient's log.
AUDIT_ACTIONS = {
    "register": "Created the account",
    "login": "Signed in",
    "login_failed": "Failed sign-in",
    "logout": "Signed out",
    "sign_out_everywhere": "Signed out everywhere",
    "password_changed": "Changed the password",
    "share_created": "Made a share code",
    "share_redeemed": "Redeemed a share code",
    "share_revoked": "Revoked access",
    "clinician_view": "Viewed your data",
    "clinician_export": "Exported your data",
}

# Routines ---------------------------------------------------------------------------

DIFFICULTIES = {"gentle": "Gentle", "moderate": "Moderate", "advanced": "Advanced"}

ROUTINE_AREAS = {
    "lower": "Lower back",
    "mid": "Mid back",
    "upper": "Upper back",
    "whole": "Whole back",
}

STEP_SIDES = {
    "none": "No side",
    "left": "Left only",
    "right": "Right only",
    "both": "Both (left, then right)",
}
