"""Advice from recurring cramp patterns: pure rules over check-ins, sessions and the profile.

Every rule reads only the last `window_days` local calendar days (today included) in the
user's own timezone, and every item explains itself in the user's own numbers. Red flags
come first: while one asks for emergency or same-day care, nothing else is said.
"""

import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Protocol, Self

from .local_time import as_utc, local_date, resolve_timezone
from .vocabulary import (
    CONDITION_PHRASES,
    EMERGENCY_FLAGS,
    EMERGENCY_WITH_OSTEOPOROSIS,
    RED_FLAG_PHRASES,
    REST_TIMINGS,
    SEE_SOON_FLAGS,
    SEVERE,
)


class CheckinLike(Protocol):
    """What the rules read from a check-in (an ORM row or a simple namespace)."""

    id: int
    recorded_at: datetime
    cramp_severity: int
    cramp_timing: str | None
    pain: int | None
    water_ml: int | None
    electrolytes: Sequence[str]
    sweat: str | None
    exertion: int | None
    red_flags: Sequence[str]


class SessionLike(Protocol):
    """What the rules read from a session."""

    id: int
    started_at: datetime


class ProfileLike(Protocol):
    """What the rules read from the profile."""

    timezone: str
    takes_diuretics: bool
    takes_statins: bool
    conditions: Sequence[str]


@dataclass(frozen=True)
class AdviceConfig:
    """Every threshold of the advice rules (SPEC §6), overridable through app config."""

    window_days: int = 28
    # A check-in up to this many days ahead of the server (a fast phone clock) is today.
    future_tolerance_days: int = 1
    water_threshold_ml: int = 500
    # red flags: active on the day logged and the days after, this many days in all
    red_flag_active_days: int = 3
    # medical
    rest_cramps_for_medical: int = 2
    weeks_considered: int = 4
    weeks_with_cramps_for_medical: int = 3
    severe_cramps_for_medical: int = 2
    recent_days: int = 14
    frequent_cramps_for_medical: int = 4
    high_pain: int = 7
    high_pain_checkins_for_medical: int = 2
    very_high_pain: int = 9
    nonresponse_window_days: int = 14
    nonresponse_min_cramps: int = 2
    medication_cramps_for_medical: int = 1
    condition_cramps_for_medical: int = 1
    # overhydration
    overhydration_ml: int = 3000
    # hydration
    hydration_min_cramps: int = 2
    hydration_rate_ratio: float = 2.0
    # electrolytes
    heavy_sweat_cramps: int = 2
    # conditioning
    conditioning_min_cramps: int = 2
    regular_sessions_per_week: int = 2
    hard_exertion: int = 8
    # keep going / need more data
    keep_going_min_checkins: int = 4
    min_checkins: int = 3

    def __post_init__(self) -> None:
        for name in (
            "window_days",
            "nonresponse_window_days",
            "recent_days",
            "weeks_considered",
            "red_flag_active_days",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.future_tolerance_days < 0:
            raise ValueError("future_tolerance_days must not be negative")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> Self:
        """Build a config from app config keys ADVICE_<FIELD>; missing keys keep defaults."""
        values: dict[str, Any] = {}
        for spec in fields(cls):
            key = f"ADVICE_{spec.name.upper()}"
            if key not in mapping:
                continue
            default_type = type(spec.default)
            raw = mapping[key]
            # Booleans are ints to Python; a True threshold is a config mistake, not 1.
            if isinstance(raw, bool):
                raise ValueError(f"{key} must be a number, not {raw!r}")
            # Values from the environment arrive as strings: coerce like the default.
            try:
                values[spec.name] = default_type(raw)
            except (TypeError, ValueError) as error:
                raise ValueError(f"{key} must be a {default_type.__name__}: {raw!r}") from error
        return cls(**values)


CATEGORY_LEVELS: dict[str, str] = {
    "emergency": "emergency",
    "urgent": "urgent",
    "medical": "warning",
    "overhydration": "warning",
    "hydration": "tip",
    "electrolytes": "tip",
    "conditioning": "tip",
    "keep_going": "info",
    "need_more_data": "info",
}

CATEGORY_ORDER: tuple[str, ...] = tuple(CATEGORY_LEVELS)
# The tag an item wears, the same words for the patient and for their clinician.
CATEGORY_TAGS: dict[str, str] = {
    "emergency": "Emergency",
    "urgent": "Today",
    "medical": "Doctor",
    "overhydration": "Too much water",
    "hydration": "Water",
    "electrolytes": "Salts",
    "conditioning": "Conditioning",
    "keep_going": "Keep going",
    "need_more_data": "More check-ins",
}
# Who reads the advice: the patient ("you") or a clinician ("they").
READERS = ("patient", "clinician")
# While one of these holds, every other item is left out (SPEC §6.1).
PRESSING = frozenset({"emergency", "urgent"})

# What each tier asks for, as it reads after "If it is still there or has come back,".
TIER_ACTIONS: dict[str, str] = {
    "emergency": "call your local emergency number or go to an emergency department",
    "same_day": "get a same-day appointment with a doctor or go to an urgent care service",
    "see_soon": "see a doctor within the next few days",
}

# What a flag can be a sign of, as it reads after "This can be a sign of".
RED_FLAG_WHY: dict[str, str] = {
    "saddle_numbness": "pressure on the nerves at the base of the spine (cauda equina syndrome)",
    "bladder_bowel": "pressure on the nerves at the base of the spine (cauda equina syndrome)",
    "both_legs": "pressure on the nerves in the spine",
    "chest_pain": "a heart or lung problem",
    "dark_urine": "muscle breakdown (rhabdomyolysis), which can harm the kidneys",
    "fever": "an infection",
    "after_injury": "a broken bone",
    "leg_weakness": "a pressed nerve",
    "long_cramp": "something more than an ordinary cramp",
    "leg_swelling": "a blood clot in the leg (deep vein thrombosis)",
    "night_pain": "something more than ordinary back pain",
    "weight_loss": "an illness that needs looking into",
}

# Conditions that call for a doctor's view of cramps (osteoporosis changes red flags only).
CRAMP_CONDITIONS = ("kidney", "thyroid", "diabetes", "nerve", "hormone", "pregnancy")

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class AdviceItem:
    """One piece of advice with its reason in the user's numbers and its evidence."""

    category: str
    level: str
    title: str
    reason: str
    evidence: tuple[int, ...]
    section: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape used by /api/advice."""
        return {
            "category": self.category,
            "level": self.level,
            "title": self.title,
            "reason": self.reason,
            "evidence": list(self.evidence),
            "section": self.section,
        }

    @property
    def is_pressing(self) -> bool:
        """True for an emergency or urgent item: get seen now, not self-care."""
        return self.category in PRESSING

    @property
    def tag(self) -> str:
        """The item's tag, the same words on every page."""
        return CATEGORY_TAGS.get(self.category, self.category.replace("_", " ").capitalize())

    def for_reader(self, reader: str) -> "AdviceItem":
        """The item worded for its reader: as written for the patient, else in the third person."""
        if reader not in READERS:
            raise ValueError(f"reader must be one of {READERS}, not {reader!r}")
        if reader == "patient":
            return self
        return replace(
            self, title=third_person(self.title, title=True), reason=third_person(self.reason)
        )


def red_flag_tier(flag: str, conditions: Iterable[str] = ()) -> str:
    """The tier of a red flag code for this profile: emergency, same_day or see_soon."""
    if flag in EMERGENCY_FLAGS:
        return "emergency"
    if flag in EMERGENCY_WITH_OSTEOPOROSIS and "osteoporosis" in conditions:
        return "emergency"
    if flag in SEE_SOON_FLAGS:
        return "see_soon"
    # A same-day code, or an unknown one: being too careful beats staying silent.
    return "same_day"


def compute_advice(
    checkins: Iterable[CheckinLike],
    sessions: Iterable[SessionLike],
    profile: ProfileLike,
    now: datetime,
    config: AdviceConfig = AdviceConfig(),  # noqa: B008 - frozen, so sharing it is safe
) -> list[AdviceItem]:
    """Return the advice that holds for the window ending today, most pressing first."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    facts = _Facts.gather(checkins, sessions, profile, now, config)

    pressing = [item for item in (_emergency(facts), _urgent(facts)) if item is not None]
    if pressing:
        # Self-care tips beside "get seen now" would contradict it.
        return pressing
    items = [
        item
        for rule in (_medical, _overhydration, _hydration, _electrolytes, _conditioning)
        if (item := rule(facts)) is not None
    ]
    if not items and _keep_going_holds(facts):
        items.append(_keep_going(facts))
    if len(facts.checkins) < config.min_checkins:
        items.append(_need_more_data(facts))
    return items


@dataclass(frozen=True)
class _Facts:
    """The window's check-ins and sessions, each with its local day offset from today."""

    config: AdviceConfig
    zone: tzinfo
    today: date
    checkins: tuple[Any, ...]
    checkin_days_ago: Mapping[int, int]
    session_days_ago: tuple[int, ...]
    takes_diuretics: bool
    takes_statins: bool
    conditions: tuple[str, ...]
    cramps: tuple[Any, ...] = field(init=False)
    # Every (check-in, flag, tier) of the window, oldest first: four rules read them.
    flags: tuple[tuple[Any, str, str], ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cramps", tuple(c for c in self.checkins if _is_cramp(c)))
        flags = tuple(
            (checkin, flag, red_flag_tier(flag, self.conditions))
            for checkin in self.checkins
            for flag in _red_flags(checkin)
        )
        object.__setattr__(self, "flags", flags)

    @classmethod
    def gather(
        cls,
        checkins: Iterable[Any],
        sessions: Iterable[Any],
        profile: Any,
        now: datetime,
        config: AdviceConfig,
    ) -> "_Facts":
        zone = resolve_timezone(getattr(profile, "timezone", None))
        today = local_date(now, zone)
        latest = now + timedelta(days=config.future_tolerance_days)

        def days_ago(moment: datetime) -> int | None:
            # A time the check-in rules accept as clock drift counts as today, never dropped.
            if as_utc(moment) > latest:
                return None
            offset = max((today - local_date(moment, zone)).days, 0)
            # Local days, not elapsed hours: 23:30 on the window's first day still counts.
            return offset if offset < config.window_days else None

        in_window = []
        checkin_days_ago: dict[int, int] = {}
        for checkin in checkins:
            offset = days_ago(checkin.recorded_at)
            if offset is not None:
                in_window.append(checkin)
                checkin_days_ago[checkin.id] = offset
        in_window.sort(key=lambda c: (as_utc(c.recorded_at), c.id))

        session_offsets = tuple(
            offset for session in sessions if (offset := days_ago(session.started_at)) is not None
        )
        return cls(
            config=config,
            zone=zone,
            today=today,
            checkins=tuple(in_window),
            checkin_days_ago=checkin_days_ago,
            session_days_ago=session_offsets,
            takes_diuretics=bool(getattr(profile, "takes_diuretics", False)),
            takes_statins=bool(getattr(profile, "takes_statins", False)),
            conditions=tuple(getattr(profile, "conditions", None) or ()),
        )

    def sessions_per_week(self, days: int) -> float:
        """Sessions a week over the last `days` local days of the window."""
        days = min(days, self.config.window_days)
        count = sum(1 for offset in self.session_days_ago if offset < days)
        return count / (days / 7)

    def days_ago(self, checkin: Any) -> int:
        """Local days between a window check-in and today (0 for today)."""
        return self.checkin_days_ago[checkin.id]

    def recent(self, days: int) -> list[Any]:
        """The window's check-ins of the last `days` local days, today included."""
        return [c for c in self.checkins if self.checkin_days_ago[c.id] < days]

    def is_active(self, checkin: Any) -> bool:
        """A flag logged on day D is active through day D+2, whatever the hour."""
        return self.checkin_days_ago[checkin.id] < self.config.red_flag_active_days

    @property
    def salt_caution(self) -> bool:
        """Kidney disease or a diuretic: water and salts are for the doctor to set."""
        return self.takes_diuretics or "kidney" in self.conditions


def _emergency(facts: _Facts) -> AdviceItem | None:
    return _pressing(
        facts,
        "emergency",
        "Call your local emergency number or go to an emergency department now",
        "Stop stretching and {action} now: do not wait to see whether it passes.",
    )


def _urgent(facts: _Facts) -> AdviceItem | None:
    return _pressing(
        facts,
        "same_day",
        "See a doctor today",
        "Stop stretching and {action} today. If it gets worse before then, call your local"
        " emergency number.",
    )


def _pressing(facts: _Facts, tier: str, title: str, action_line: str) -> AdviceItem | None:
    active = [
        (checkin, flag)
        for checkin, flag, flag_tier in facts.flags
        if flag_tier == tier and facts.is_active(checkin)
    ]
    if not active:
        return None
    reports = _flag_reports(facts, active)
    reasons = list(dict.fromkeys(RED_FLAG_WHY[flag] for _, flag in active if flag in RED_FLAG_WHY))
    why = f" This can be a sign of {_join(reasons, 'or')}." if reasons else ""
    if tier == "emergency" and any(
        flag in EMERGENCY_WITH_OSTEOPOROSIS for _, flag in active if flag not in EMERGENCY_FLAGS
    ):
        why += " With osteoporosis, even a small fall can break a bone in the spine."
    reason = " ".join(reports) + why + " " + action_line.format(action=TIER_ACTIONS[tier])
    category = "emergency" if tier == "emergency" else "urgent"
    return _item(category, title, reason, (c.id for c, _ in active), "red-flags")


def _flag_reports(facts: _Facts, flagged: Sequence[tuple[Any, str]]) -> list[str]:
    """One sentence per local day: "On 3 March you logged a and b." """
    by_day: dict[date, list[str]] = {}
    for checkin, flag in flagged:
        day = local_date(checkin.recorded_at, facts.zone)
        words = RED_FLAG_PHRASES.get(flag, flag.replace("_", " "))
        if words not in by_day.setdefault(day, []):
            by_day[day].append(words)
    return [f"On {_format_day(day)} you logged {_join(words)}." for day, words in by_day.items()]


_Finding = tuple[str, list[int]]


def _medical(facts: _Facts) -> AdviceItem | None:
    flag_findings = [*_see_soon_flags(facts), *_past_flags(facts)]
    findings = flag_findings + [
        finding
        for check in (
            _rest_cramps,
            _weeks_with_cramps,
            _severe_cramps,
            _frequent_cramps,
            _high_pain,
            _cramps_despite_care,
            _cramps_with_medicine,
            _cramps_with_conditions,
        )
        if (finding := check(facts)) is not None
    ]
    if not findings:
        return None
    pattern_found = len(findings) > len(flag_findings)
    reason = " ".join(sentence for sentence, _ in findings)
    if pattern_found:
        reason += " A doctor can check for things that stretching, water and salts do not reach."
    evidence = (checkin_id for _, ids in findings for checkin_id in ids)
    title = "See a doctor soon" if flag_findings else "Talk to a doctor about your cramps"
    return _item("medical", title, reason, evidence, "see-a-doctor")


def _see_soon_flags(facts: _Facts) -> list[_Finding]:
    flagged = [(c, flag) for c, flag, tier in facts.flags if tier == "see_soon"]
    if not flagged:
        return []
    reports = _flag_reports(facts, flagged)
    reasons = list(dict.fromkeys(RED_FLAG_WHY[flag] for _, flag in flagged))
    sentence = " ".join(reports) + (
        f" This can be a sign of {_join(reasons, 'or')}: {TIER_ACTIONS['see_soon']}."
    )
    return [(sentence, [c.id for c, _ in flagged])]


def _past_flags(facts: _Facts) -> list[_Finding]:
    """Emergency and same-day flags no longer active: still worth a doctor's check."""
    findings = []
    for checkin, flag, tier in facts.flags:
        if tier == "see_soon" or facts.is_active(checkin):
            continue
        day = local_date(checkin.recorded_at, facts.zone)
        words = RED_FLAG_PHRASES.get(flag, flag.replace("_", " "))
        sentence = (
            f"On {_format_day(day)} you logged {words}. If it is still there or has come back,"
            f" {TIER_ACTIONS[tier]} now; if a doctor has not checked it yet, see one soon."
        )
        findings.append((sentence, [checkin.id]))
    return findings


def _rest_cramps(facts: _Facts) -> _Finding | None:
    rest = [c for c in facts.cramps if c.cramp_timing in REST_TIMINGS]
    if len(rest) < facts.config.rest_cramps_for_medical:
        return None
    share = _share_of_cramps(len(rest), len(facts.cramps))
    return f"{_sentence(share)} came at rest or at night.", _ids(rest)


def _weeks_with_cramps(facts: _Facts) -> _Finding | None:
    weeks = facts.config.weeks_considered
    # Week 0 is the seven local days ending today, week 1 the seven before, and so on.
    recent = [c for c in facts.cramps if facts.days_ago(c) // 7 < weeks]
    weeks_hit = {facts.days_ago(c) // 7 for c in recent}
    if len(weeks_hit) < facts.config.weeks_with_cramps_for_medical:
        return None
    return f"You had cramps in {len(weeks_hit)} of the last {weeks} weeks.", _ids(recent)


def _severe_cramps(facts: _Facts) -> _Finding | None:
    severe = [c for c in facts.cramps if c.cramp_severity >= SEVERE]
    if len(severe) < facts.config.severe_cramps_for_medical:
        return None
    share = _share_of_cramps(len(severe), len(facts.cramps))
    verb = "was" if len(severe) == 1 else "were"
    return f"{_sentence(share)} {verb} severe.", _ids(severe)


def _frequent_cramps(facts: _Facts) -> _Finding | None:
    days = min(facts.config.recent_days, facts.config.window_days)
    cramps = [c for c in facts.recent(days) if _is_cramp(c)]
    if len(cramps) < facts.config.frequent_cramps_for_medical:
        return None
    return (
        f"You had {_count(len(cramps), 'cramp')} in the last {days} days: cramps that often"
        " are worth a doctor's look, whatever you drink.",
        _ids(cramps),
    )


def _high_pain(facts: _Facts) -> _Finding | None:
    config = facts.config
    painful = [c for c in facts.checkins if _pain(c) >= config.high_pain]
    worst = max((_pain(c) for c in painful), default=0)
    if len(painful) < config.high_pain_checkins_for_medical and worst < config.very_high_pain:
        return None
    if len(painful) == 1:
        sentence = f"You rated your pain {worst} out of 10 in 1 check-in."
    else:
        sentence = (
            f"You rated your pain {config.high_pain} or more out of 10 in"
            f" {len(painful)} check-ins (the highest {worst})."
        )
    return sentence + " Pain that strong needs a doctor's look.", _ids(painful)


def _cramps_despite_care(facts: _Facts) -> _Finding | None:
    config = facts.config
    days = min(config.nonresponse_window_days, config.window_days)
    recent = facts.recent(days)
    cramps = [c for c in recent if _is_cramp(c)]
    waters = [c.water_ml for c in recent if c.water_ml is not None]
    if len(cramps) < config.nonresponse_min_cramps or not waters:
        return None
    median_water = statistics.median(waters)
    per_week = facts.sessions_per_week(days)
    if median_water < config.water_threshold_ml or per_week < config.regular_sessions_per_week:
        return None
    sentence = (
        f"You had {_count(len(cramps), 'cramp')} in the last {days} days although your median"
        f" water was {_number(median_water)} ml and you did {per_week:.1f} sessions a week:"
        " they are not easing with water and regular sessions."
    )
    return sentence, _ids(cramps)


def _cramps_with_medicine(facts: _Facts) -> _Finding | None:
    medicines = [
        words
        for taken, words in (
            (facts.takes_diuretics, "a diuretic (water tablet)"),
            (facts.takes_statins, "a statin"),
        )
        if taken
    ]
    if not medicines or len(facts.cramps) < facts.config.medication_cramps_for_medical:
        return None
    sentence = (
        f"You take {_join(medicines)} and logged {_count(len(facts.cramps), 'cramp')}: ask your"
        f" doctor or pharmacist whether the medicine plays a part. Do not stop or change a"
        f" medicine without them."
    )
    if facts.takes_statins:
        sentence += (
            " On a statin, muscle pain, tenderness or weakness you cannot explain means calling"
            " your doctor today."
        )
    return sentence, _ids(facts.cramps)


def _cramps_with_conditions(facts: _Facts) -> _Finding | None:
    named = [c for c in CRAMP_CONDITIONS if c in facts.conditions]
    enough = len(facts.cramps) >= facts.config.condition_cramps_for_medical
    if not enough or not (named or facts.takes_diuretics):
        return None
    sentences = []
    if named:
        words = _join([CONDITION_PHRASES[c] for c in named])
        sentences.append(
            f"Your profile lists {words} and you logged {_count(len(facts.cramps), 'cramp')}:"
            " tell your doctor, as it can play a part in cramps."
        )
    if facts.salt_caution:
        sentences.append(
            "With kidney disease or a diuretic, ask your doctor how much to drink, and ask"
            " before taking any salts or minerals: extra potassium or salt can harm."
        )
    if "pregnancy" in named:
        sentences.append(
            "Cramps that come and go in waves, or come with bleeding, leaking fluid or fewer"
            " baby movements, mean calling your midwife or maternity unit now."
        )
    return " ".join(sentences), _ids(facts.cramps)


def _overhydration(facts: _Facts) -> AdviceItem | None:
    limit = facts.config.overhydration_ml
    heavy = [c for c in facts.checkins if c.water_ml is not None and c.water_ml >= limit]
    if not heavy:
        return None
    most = max(c.water_ml for c in heavy)
    if len(heavy) == 1:
        day = local_date(heavy[0].recorded_at, facts.zone)
        logged = f"On {_format_day(day)} you logged {most} ml of water."
    else:
        logged = (
            f"You logged {limit} ml of water or more in {len(heavy)} check-ins"
            f" (the most {most} ml)."
        )
    reason = (
        f"{logged} More is not better: drinking far past thirst can dilute the sodium in your"
        " blood (hyponatraemia), which is dangerous. Drink to thirst. Feeling sick, a headache,"
        " confusion or swelling after drinking a lot means calling your local emergency number."
    )
    return _item("overhydration", "Drink to thirst, not more", reason, _ids(heavy), "hydration")


def _hydration(facts: _Facts) -> AdviceItem | None:
    config = facts.config
    if facts.salt_caution or _overhydration(facts) is not None:
        return None
    threshold = config.water_threshold_ml
    logged = [c for c in facts.checkins if c.water_ml is not None]
    low = [c for c in logged if c.water_ml < threshold]
    high = [c for c in logged if c.water_ml >= threshold]
    low_cramps = [c for c in low if _is_cramp(c)]
    high_cramps = [c for c in high if _is_cramp(c)]
    # A cramp without water logged says nothing about water, so only logged cramps count.
    logged_cramps = len(low_cramps) + len(high_cramps)
    if logged_cramps < config.hydration_min_cramps or not low_cramps:
        return None
    if high_cramps:
        low_rate = len(low_cramps) / len(low)
        high_rate = len(high_cramps) / len(high)
        if low_rate < config.hydration_rate_ratio * high_rate:
            return None
    # With no cramp at or above the threshold, every logged cramp came with little water.
    of_what = "cramps" if logged_cramps == len(facts.cramps) else "cramps with water logged"
    share = _share_of_cramps(len(low_cramps), logged_cramps, of_what)
    comparison = (
        f"{len(low_cramps)} of {_count(len(low), 'check-in')} under {threshold} ml had a cramp,"
        f" against {len(high_cramps)} of {len(high)} at {threshold} ml or more"
        if high
        else f"you logged no check-in with {threshold} ml or more"
    )
    reason = (
        f"{_sentence(share)} came when you drank under {threshold} ml ({comparison})."
        " Water is one possible factor among several. Drink to thirst before, during and"
        " after a workout: about 0.4 to 0.8 l an hour of exercise is enough for most people,"
        " and more is not better."
    )
    return _item(
        "hydration", "Drink to thirst around your workouts", reason, _ids(low_cramps), "hydration"
    )


def _electrolytes(facts: _Facts) -> AdviceItem | None:
    if facts.salt_caution:
        # Supplements can harm here; the medical item says to ask the doctor first.
        return None
    sweaty = [c for c in facts.cramps if c.sweat == "heavy" and not _electrolytes_taken(c)]
    if len(sweaty) < facts.config.heavy_sweat_cramps:
        return None
    share = _share_of_cramps(len(sweaty), len(facts.cramps))
    reason = (
        f"{_sentence(share)} came after heavy sweating with no electrolytes logged. Lost salt"
        " is one possible factor, though the evidence for it is weak: after heavy sweating, a"
        " salty snack or a drink with sodium may help. Ask your doctor first if you take"
        " regular medicines."
    )
    return _item(
        "electrolytes", "Replace the salt you sweat out", reason, _ids(sweaty), "electrolytes"
    )


def _conditioning(facts: _Facts) -> AdviceItem | None:
    config = facts.config
    cramps = facts.cramps
    if len(cramps) < config.conditioning_min_cramps:
        return None
    sentences: list[str] = []
    evidence: list[int] = []
    titles: list[str] = []
    per_week = facts.sessions_per_week(config.window_days)
    if per_week < config.regular_sessions_per_week:
        sentences.append(
            f"You logged {_count(len(cramps), 'cramp')} and did {per_week:.1f} sessions a week"
            f" over the last {config.window_days} days, fewer than"
            f" {config.regular_sessions_per_week}: how used your muscles are to the work is one"
            " possible factor."
        )
        evidence += _ids(cramps)
        titles.append("Stretch more regularly")
    hard = [c for c in cramps if c.exertion is not None and c.exertion >= config.hard_exertion]
    # "Most" means more than half of all cramps, not of those with effort logged.
    if 2 * len(hard) > len(cramps):
        share = _share_of_cramps(len(hard), len(cramps))
        sentences.append(
            f"{_sentence(share)} came after workouts you rated {config.hard_exertion} or harder"
            " out of 10: tired muscles are one possible factor, and building up gradually may"
            " help."
        )
        evidence += _ids(hard)
        titles.append("build up gradually")
    if not sentences:
        return None
    during = [c for c in cramps if c.cramp_timing == "during_stretch"]
    if 2 * len(during) > len(cramps):
        # Cramps in a stretch call for easing off, not for more stretching.
        share = _share_of_cramps(len(during), len(cramps))
        sentences.append(
            f"{_sentence(share)} came during a stretch: ease off with shorter holds, a smaller"
            " range and slower moves."
        )
        evidence += _ids(during)
        title = "Ease off in the stretches"
    else:
        title = _sentence(" and ".join(titles))
    return _item("conditioning", title, " ".join(sentences), evidence, "conditioning")


def _keep_going_holds(facts: _Facts) -> bool:
    config = facts.config
    return (
        len(facts.checkins) >= config.keep_going_min_checkins
        and not facts.cramps
        and all(_pain(c) < config.high_pain for c in facts.checkins)
    )


def _keep_going(facts: _Facts) -> AdviceItem:
    days = facts.config.window_days
    reason = (
        f"You logged {_count(len(facts.checkins), 'check-in')} in the last {days} days"
        " without a cramp. Regular, gentle stretching may be part of what works for you."
    )
    return _item("keep_going", "Keep going", reason, _ids(facts.checkins), "conditioning")


def _need_more_data(facts: _Facts) -> AdviceItem:
    config = facts.config
    reason = (
        f"You logged {_count(len(facts.checkins), 'check-in')} in the last"
        f" {config.window_days} days; with at least {config.min_checkins} the advice can"
        " start to read your patterns. A check-in after each session is enough."
    )
    return _item(
        "need_more_data",
        "Log a few more check-ins",
        reason,
        _ids(facts.checkins),
        "conditioning",
    )


def _item(
    category: str, title: str, reason: str, evidence: Iterable[int], section: str
) -> AdviceItem:
    return AdviceItem(
        category=category,
        level=CATEGORY_LEVELS[category],
        title=title,
        reason=reason,
        evidence=tuple(sorted(set(evidence))),
        section=section,
    )


def _is_cramp(checkin: Any) -> bool:
    return (checkin.cramp_severity or 0) >= 1


def _red_flags(checkin: Any) -> list[str]:
    # Keep the spec's order and drop repeats, so the reason reads the same every time.
    flags = list(dict.fromkeys(getattr(checkin, "red_flags", None) or ()))
    known = [flag for flag in RED_FLAG_PHRASES if flag in flags]
    return known + [flag for flag in flags if flag not in RED_FLAG_PHRASES]


def _pain(checkin: Any) -> int:
    return getattr(checkin, "pain", None) or 0


def _electrolytes_taken(checkin: Any) -> bool:
    return bool(getattr(checkin, "electrolytes", None))


def _ids(checkins: Iterable[Any]) -> list[int]:
    return [c.id for c in checkins]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _share_of_cramps(part: int, whole: int, of_what: str = "cramps") -> str:
    if whole == 1:
        return "your only " + of_what.replace("cramps", "cramp", 1)
    if part == whole:
        return f"all {whole} of your {of_what}"
    return f"{part} of your {whole} {of_what}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _join(words: Sequence[str], conjunction: str = "and") -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _format_day(day: date) -> str:
    # Spelled out by hand: strftime's month names follow the server's locale.
    return f"{day.day} {_MONTHS[day.month - 1]}"


# The rules write to the patient. For a clinician the same sentences are turned to the
# third person here, so no rule is written twice: pronouns become "they"/"their", and
# what the patient is told to do becomes what they should do.
_IMPERATIVES = (
    "ask",
    "call",
    "drink",
    "ease",
    "get",
    "keep",
    "log",
    "replace",
    "see",
    "stop",
    "stretch",
    "talk",
    "tell",
)
_IMPERATIVE = re.compile(
    r"(^|(?<=[.:;,] ))(do not|" + "|".join(_IMPERATIVES) + r")\b", re.IGNORECASE
)
_PRONOUNS = {
    "yourself": "themselves",
    "your": "their",
    "you": "they",
}
_OBJECT_YOU = re.compile(r"\b(for|to|with|help) you\b")
_PRONOUN = re.compile(r"\b(" + "|".join(_PRONOUNS) + r")\b", re.IGNORECASE)


def third_person(text: str, title: bool = False) -> str:
    """A sentence written to the patient, as their clinician reads it.

    A title is always an instruction ("See a doctor today"), so it reads as what the
    patient should do.
    """
    text = _OBJECT_YOU.sub(lambda m: f"{m.group(1)} them", text)
    text = _PRONOUN.sub(_swap_pronoun, text)
    if title:
        return "They should " + text[:1].lower() + text[1:]
    return _IMPERATIVE.sub(_should, text)


def _swap_pronoun(match: re.Match) -> str:
    word = match.group(1)
    swapped = _PRONOUNS[word.lower()]
    return swapped.capitalize() if word[0].isupper() else swapped


def _should(match: re.Match) -> str:
    start, verb = match.group(1), match.group(2)
    # At the start of the text or after a full stop, a new sentence begins.
    sentence_start = match.start(2) == 0 or match.string[: match.start(2)].rstrip().endswith(".")
    subject = "They should" if sentence_start else "they should"
    if verb.lower() == "do not":
        return f"{start}{subject} not"
    return f"{start}{subject} {verb.lower()}"
