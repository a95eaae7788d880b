"""Advice from recurring cramp patterns: pure rules over check-ins, sessions and the profile.

Every rule reads only the last `window_days` local calendar days (today included) in the
user's own timezone, and every item explains itself in the user's own numbers.
"""

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, tzinfo
from typing import Any, Protocol, Self

from .local_time import as_utc, local_date, resolve_timezone
from .vocabulary import CONDITION_PHRASES, RED_FLAG_PHRASES, REST_TIMINGS, SEVERE


class CheckinLike(Protocol):
    """What the rules read from a check-in (an ORM row or a simple namespace)."""

    id: int
    recorded_at: datetime
    cramp_severity: int
    cramp_timing: str | None
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
    conditions: Sequence[str]


@dataclass(frozen=True)
class AdviceConfig:
    """Every threshold of the advice rules (SPEC §6), overridable through app config."""

    window_days: int = 28
    water_threshold_ml: int = 500
    # medical
    rest_cramps_for_medical: int = 2
    weeks_considered: int = 4
    weeks_with_cramps_for_medical: int = 3
    severe_cramps_for_medical: int = 2
    nonresponse_window_days: int = 14
    nonresponse_min_cramps: int = 2
    medication_cramps_for_medical: int = 1
    # hydration
    hydration_min_cramps: int = 2
    hydration_rate_ratio: float = 2.0
    # electrolytes
    heavy_sweat_cramps: int = 2
    diuretic_cramps_for_electrolytes: int = 1
    # conditioning
    conditioning_min_cramps: int = 2
    regular_sessions_per_week: int = 2
    hard_exertion: int = 8
    # keep going / need more data
    keep_going_min_checkins: int = 4
    min_checkins: int = 3

    def __post_init__(self) -> None:
        if self.window_days < 1:
            raise ValueError("window_days must be at least 1")
        if self.nonresponse_window_days < 1:
            raise ValueError("nonresponse_window_days must be at least 1")
        if self.weeks_considered < 1:
            raise ValueError("weeks_considered must be at least 1")

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
    "urgent": "urgent",
    "medical": "warning",
    "hydration": "tip",
    "electrolytes": "tip",
    "conditioning": "tip",
    "keep_going": "info",
    "need_more_data": "info",
}

CATEGORY_ORDER: tuple[str, ...] = tuple(CATEGORY_LEVELS)

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

    items = [
        item
        for rule in (_urgent, _medical, _hydration, _electrolytes, _conditioning)
        if (item := rule(facts)) is not None
    ]
    if not items and not facts.cramps and len(facts.checkins) >= config.keep_going_min_checkins:
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
    conditions: tuple[str, ...]
    cramps: tuple[Any, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cramps", tuple(c for c in self.checkins if _is_cramp(c)))

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

        def days_ago(moment: datetime) -> int:
            return (today - local_date(moment, zone)).days

        in_window = []
        checkin_days_ago: dict[int, int] = {}
        for checkin in checkins:
            offset = days_ago(checkin.recorded_at)
            # Local days, not elapsed hours: 23:30 on the window's first day still counts.
            if 0 <= offset < config.window_days:
                in_window.append(checkin)
                checkin_days_ago[checkin.id] = offset
        in_window.sort(key=lambda c: (as_utc(c.recorded_at), c.id))

        session_offsets = tuple(
            offset
            for session in sessions
            if 0 <= (offset := days_ago(session.started_at)) < config.window_days
        )
        return cls(
            config=config,
            zone=zone,
            today=today,
            checkins=tuple(in_window),
            checkin_days_ago=checkin_days_ago,
            session_days_ago=session_offsets,
            takes_diuretics=bool(getattr(profile, "takes_diuretics", False)),
            conditions=tuple(getattr(profile, "conditions", None) or ()),
        )

    def sessions_per_week(self, days: int) -> float:
        """Sessions a week over the last `days` local days of the window."""
        days = min(days, self.config.window_days)
        count = sum(1 for offset in self.session_days_ago if offset < days)
        return count / (days / 7)


def _urgent(facts: _Facts) -> AdviceItem | None:
    flagged = [c for c in facts.checkins if _red_flags(c)]
    if not flagged:
        return None
    reports = []
    for checkin in flagged:
        day = local_date(checkin.recorded_at, facts.zone)
        words = [RED_FLAG_PHRASES.get(flag, flag.replace("_", " ")) for flag in _red_flags(checkin)]
        reports.append(f"on {_format_date(day)} you logged {_join(words)}")
    reason = (
        _sentence("; ".join(reports))
        + ". These can be signs of a problem that needs a doctor today: stop stretching and"
        " get urgent care now (call your doctor, an urgent care service or emergency services)."
    )
    return _item(
        "urgent",
        "Seek urgent care now",
        reason,
        (c.id for c in flagged),
        "red-flags",
    )


def _medical(facts: _Facts) -> AdviceItem | None:
    findings = [
        finding
        for check in (
            _rest_cramps,
            _weeks_with_cramps,
            _severe_cramps,
            _cramps_despite_care,
            _cramps_with_medication,
        )
        if (finding := check(facts)) is not None
    ]
    if not findings:
        return None
    reason = " ".join(sentence for sentence, _ in findings) + (
        " A doctor can look for causes that stretching, water and salts may not reach."
    )
    evidence = (checkin_id for _, ids in findings for checkin_id in ids)
    return _item("medical", "Talk to a doctor about your cramps", reason, evidence, "see-a-doctor")


_Finding = tuple[str, list[int]]


def _rest_cramps(facts: _Facts) -> _Finding | None:
    rest = [c for c in facts.cramps if c.cramp_timing in REST_TIMINGS]
    if len(rest) < facts.config.rest_cramps_for_medical:
        return None
    share = _share_of_cramps(len(rest), len(facts.cramps))
    return f"{_sentence(share)} came at rest or at night.", _ids(rest)


def _weeks_with_cramps(facts: _Facts) -> _Finding | None:
    weeks = facts.config.weeks_considered
    # Week 0 is the seven local days ending today, week 1 the seven before, and so on.
    recent = [c for c in facts.cramps if facts.checkin_days_ago[c.id] // 7 < weeks]
    weeks_hit = {facts.checkin_days_ago[c.id] // 7 for c in recent}
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


def _cramps_despite_care(facts: _Facts) -> _Finding | None:
    config = facts.config
    days = min(config.nonresponse_window_days, config.window_days)
    recent = [c for c in facts.checkins if facts.checkin_days_ago[c.id] < days]
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


def _cramps_with_medication(facts: _Facts) -> _Finding | None:
    if not (facts.takes_diuretics or facts.conditions):
        return None
    if len(facts.cramps) < facts.config.medication_cramps_for_medical:
        return None
    clauses = ["you take diuretics"] if facts.takes_diuretics else []
    if facts.conditions:
        named = [CONDITION_PHRASES.get(c, c.replace("_", " ")) for c in facts.conditions]
        clauses.append(f"your profile lists {_join(named)}")
    clauses.append(f"you logged {_count(len(facts.cramps), 'cramp')}")
    sentence = (
        _sentence(
            ", ".join(clauses[:-1]) + (", and " if len(clauses) > 2 else " and ") + clauses[-1]
        )
        + ": ask your doctor whether your medication or your minerals play a part."
    )
    return sentence, _ids(facts.cramps)


def _hydration(facts: _Facts) -> AdviceItem | None:
    config = facts.config
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
        f" Too little water is one likely factor: drinking at least {threshold} ml around"
        " your workouts may help."
    )
    return _item(
        "hydration", "Drink more around your workouts", reason, _ids(low_cramps), "hydration"
    )


def _electrolytes(facts: _Facts) -> AdviceItem | None:
    config = facts.config
    sentences: list[str] = []
    evidence: list[int] = []
    sweaty = [c for c in facts.cramps if c.sweat == "heavy" and not _electrolytes_taken(c)]
    if len(sweaty) >= config.heavy_sweat_cramps:
        share = _share_of_cramps(len(sweaty), len(facts.cramps))
        sentences.append(
            f"{_sentence(share)} came after heavy sweating with no electrolytes logged."
        )
        evidence += _ids(sweaty)
    if facts.takes_diuretics and len(facts.cramps) >= config.diuretic_cramps_for_electrolytes:
        sentences.append(
            f"You take diuretics, which can lower the salts in your body, and logged"
            f" {_count(len(facts.cramps), 'cramp')}."
        )
        evidence += _ids(facts.cramps)
    if not sentences:
        return None
    # Extra potassium or magnesium can harm with some diuretics or kidney disease.
    reason = " ".join(sentences) + (
        " Lost salts are one likely factor: replacing them may help, but ask your doctor"
        " before adding salts or minerals."
        if facts.takes_diuretics or facts.conditions
        else " Lost salts are one likely factor: a drink or food with sodium and potassium"
        " after heavy sweating may help."
    )
    return _item("electrolytes", "Replace the salts you lose", reason, evidence, "electrolytes")


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
            f" {config.regular_sessions_per_week}: stretching more regularly may help your back"
            " get used to it."
        )
        evidence += _ids(cramps)
        titles.append("Stretch more regularly")
    hard = [c for c in cramps if c.exertion is not None and c.exertion >= config.hard_exertion]
    # "Most" means more than half of all cramps, not of those with effort logged.
    if 2 * len(hard) > len(cramps):
        share = _share_of_cramps(len(hard), len(cramps))
        sentences.append(
            f"{_sentence(share)} came after workouts you rated {config.hard_exertion} or harder"
            " out of 10: overdoing it is one likely factor, and building up gradually may help."
        )
        evidence += _ids(hard)
        titles.append("build up gradually")
    if not sentences:
        return None
    title = _sentence(" and ".join(titles))
    return _item("conditioning", title, " ".join(sentences), evidence, "conditioning")


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


def _electrolytes_taken(checkin: Any) -> bool:
    return bool(getattr(checkin, "electrolytes", None))


def _ids(checkins: Iterable[Any]) -> list[int]:
    return [c.id for c in checkins]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _share_of_cramps(part: int, whole: int, of_what: str = "cramps") -> str:
    if whole == 1:
        return "your only " + of_what.replace("cramps", "cramp", 1)
    return f"{part} of your {whole} {of_what}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _format_date(day: date) -> str:
    # Spelled out by hand: strftime's month names follow the server's locale.
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
