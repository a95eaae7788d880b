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

# Red flags in three tiers (SPEC §6.1), worded as the form asks them. Old check-ins keep
# their codes: every code ever offered is still here.
EMERGENCY_FLAGS = {
    "saddle_numbness": "Numbness between the legs or around the buttocks",
    "bladder_bowel": (
        "New difficulty starting to pee, not feeling when your bladder or bowel is full,"
        " or losing control of either"
    ),
    "both_legs": "Numbness, tingling or weakness in both legs",
    "chest_pain": "Chest pain, breathlessness, or pain spreading to your arm or jaw",
    "dark_urine": (
        "Brown, cola- or tea-coloured pee after a cramp or a hard workout (not just dark yellow)"
    ),
}
SAME_DAY_FLAGS = {
    "fever": "A fever with the back pain",
    "after_injury": (
        "The pain began after a fall or an injury (after a car crash or a fall from a height,"
        " call your local emergency number now)"
    ),
    "leg_weakness": (
        "Weakness in one leg (if it came on suddenly with a drooping face, a weak arm or"
        " slurred speech, call your local emergency number now: it can be a stroke)"
    ),
    "long_cramp": "A cramp lasted over 10 minutes and did not ease",
    "leg_swelling": "A swollen, red or warm leg",
}
SEE_SOON_FLAGS = {
    "night_pain": "Back pain at night that rest does not ease",
    "weight_loss": "Losing weight without trying",
}
RED_FLAG_TIERS = {
    "emergency": EMERGENCY_FLAGS,
    "same_day": SAME_DAY_FLAGS,
    "see_soon": SEE_SOON_FLAGS,
}
RED_FLAGS = {**EMERGENCY_FLAGS, **SAME_DAY_FLAGS, **SEE_SOON_FLAGS}
RED_FLAG_TIER_WORDS = {"emergency": "emergency", "same_day": "same day", "see_soon": "see soon"}
# With osteoporosis even a small fall can break a bone in the spine.
EMERGENCY_WITH_OSTEOPOROSIS = frozenset({"after_injury"})
# A red flag in plain words, as the advice reads it after "you logged".
RED_FLAG_PHRASES = {
    "saddle_numbness": "numbness between the legs or around the buttocks",
    "bladder_bowel": "new trouble with your bladder or bowel",
    "both_legs": "numbness, tingling or weakness in both legs",
    "chest_pain": "chest pain or breathlessness",
    "dark_urine": "brown or cola-coloured pee",
    "fever": "a fever with back pain",
    "after_injury": "pain that began after a fall or injury",
    "leg_weakness": "weakness in one leg",
    "long_cramp": "a cramp that lasted over 10 minutes and did not ease",
    "leg_swelling": "a swollen, red or warm leg",
    "night_pain": "back pain at night that rest does not ease",
    "weight_loss": "weight loss without trying",
}
# The same flags in a clinician's words, for exports (CSV labels, FHIR displays).
RED_FLAG_CLINICAL = {
    "saddle_numbness": "Saddle anaesthesia",
    "bladder_bowel": "New bladder or bowel dysfunction",
    "both_legs": "Bilateral leg numbness, tingling or weakness",
    "chest_pain": "Chest pain or breathlessness",
    "dark_urine": "Dark (brown or cola-coloured) urine after a cramp or exertion",
    "fever": "Fever with back pain",
    "after_injury": "Onset after a fall or injury",
    "leg_weakness": "Unilateral leg weakness",
    "long_cramp": "Cramp over 10 minutes that did not ease",
    "leg_swelling": "Swollen, red or warm leg",
    "night_pain": "Night pain not eased by rest",
    "weight_loss": "Unintentional weight loss",
}

PAIN_SCALE = {str(n): str(n) for n in range(0, 11)}
EXERTION_SCALE = {str(n): str(n) for n in range(1, 11)}

# The check-in form's questions, in the order it asks them; its error summary names each
# field by the same words. The cramp form asks its first question differently.
CHECKIN_QUESTIONS = {
    "client_id": "This check-in",
    "session_id": "The session",
    "recorded_at": "Date and time",
    "cramp_severity": "Did your back cramp?",
    "cramp_timing": "When did it cramp?",
    "cramp_locations": "Where?",
    "pain": "Pain right now, 0 (none) to 10 (worst)",
    "water_ml": "Water before, during and after",
    "electrolytes": "Electrolytes you took",
    "sweat": "How much did you sweat?",
    "exertion": "How hard did it feel, 1 (easy) to 10 (all out)?",
    "red_flags": "Anything worrying?",
    "notes": "Notes",
}
CRAMP_QUESTIONS = {**CHECKIN_QUESTIONS, "cramp_severity": "How bad was the cramp?"}

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
    **RED_FLAG_CLINICAL,
}

# Accounts ---------------------------------------------------------------------------

ROLES = {"patient": "Patient", "clinician": "Clinician"}

UNITS = {"ml": "Millilitres (ml)", "floz": "US fluid ounces (fl oz)"}
# The unit's short name, as an amount or a box's label shows it.
UNIT_SYMBOLS = {"ml": "ml", "floz": "fl oz"}
# A US fluid ounce is 29.5735295625 ml exactly; four decimals are plenty for water.
ML_PER_FL_OZ = 29.5735
# The check-in form's quick water buttons, round in each unit: a glass and a bottle. In
# fl oz a US cup (8, 237 ml) and a pint (16, 473 ml), the round figures nearest 250 and
# 500 ml; the water is still stored in whole ml.
QUICK_WATER = {"ml": (250, 500), "floz": (8, 16)}

CONDITIONS = {
    "kidney": "Kidney disease",
    "thyroid": "Thyroid condition",
    "diabetes": "Diabetes",
    "nerve": "Nerve condition (neuropathy, sciatica)",
    "hormone": "Hormonal condition",
    "pregnancy": "Pregnancy",
    "osteoporosis": "Osteoporosis (thinning bones)",
}
# A condition as the advice names it in a sentence.
CONDITION_PHRASES = {
    "kidney": "kidney disease",
    "thyroid": "a thyroid condition",
    "diabetes": "diabetes",
    "nerve": "a nerve condition",
    "hormone": "a hormonal condition",
    "pregnancy": "pregnancy",
    "osteoporosis": "osteoporosis",
}

# Reminder days, as stored and as the account page shows them.
WEEKDAYS = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}

# The audit log ----------------------------------------------------------------------

# How each audit action reads on the patient's log.
AUDIT_ACTIONS = {
    "register": "Created the account",
    "email_confirmed": "Confirmed the email address",
    "login_unconfirmed": "Tried to sign in before confirming the email; sent a new link",
    "login": "Signed in",
    "login_failed": "Failed sign-in",
    "logout": "Signed out",
    "sign_out_everywhere": "Signed out everywhere",
    "password_changed": "Changed the password",
    "share_created": "Made a share code",
    "share_redeemed": "Redeemed a share code",
    "share_revoked": "Revoked access",
    "clinician_view": "Viewed your data",
    "clinician_export": "Downloaded your data",
    "plan_set": "Set a home programme",
    "plan_removed": "Removed a home programme",
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
