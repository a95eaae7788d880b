"""GET /api/advice: the rules over the signed-in user's window, read from the database."""

import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert, select

from crampcare.extensions import db
from crampcare.models import Checkin, User, WorkoutSession

from .conftest import csrf_token


def post(client, **fields):
    data = {
        "client_id": str(uuid.uuid4()),
        "recorded_at": datetime.now(UTC).isoformat(),
        "cramp_severity": 0,
    }
    data.update(fields)
    token = csrf_token(client, "/")
    response = client.post("/api/checkins", json=data, headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def advice(client) -> dict:
    response = client.get("/api/advice")
    assert response.status_code == 200
    return response.get_json()


def test_a_new_user_needs_more_data(client, auth):
    auth.register()
    answer = advice(client)
    assert answer["window_days"] == 28
    assert [item["category"] for item in answer["items"]] == ["need_more_data"]
    assert set(answer["items"][0]) >= {"category", "level", "title", "reason", "evidence"}


def test_cramps_with_little_water_give_hydration_advice(client, auth):
    auth.register()
    now = datetime.now(UTC)
    ids = []
    for days_ago, water, severity in [
        (1, 200, 1),
        (3, 250, 2),
        (5, 800, 0),
        (7, 900, 0),
        (9, 300, 1),
    ]:
        at = (now - timedelta(days=days_ago)).isoformat()
        ids.append(
            post(
                client,
                recorded_at=at,
                water_ml=water,
                cramp_severity=severity,
                cramp_timing="after_stretch" if severity else None,
            )
        )
    items = {item["category"]: item for item in advice(client)["items"]}
    assert "hydration" in items
    assert items["hydration"]["reason"].startswith(
        "All 3 of your cramps came when you drank under 500 ml"
    )
    assert items["hydration"]["evidence"] == sorted([ids[0], ids[1], ids[4]])


def test_a_red_flag_comes_first(client, auth):
    auth.register()
    post(client, water_ml=300, cramp_severity=1, cramp_timing="night")
    flagged = post(client, red_flags=["leg_weakness"])
    items = advice(client)["items"]
    assert items[0]["category"] == "urgent"
    assert items[0]["level"] == "urgent"
    assert items[0]["evidence"] == [flagged]
    # While it is active, nothing else is said: no tip beside "see a doctor today".
    assert [item["category"] for item in items] == ["urgent"]


def test_an_emergency_flag_from_a_fast_clock_is_emergency_advice(client, auth):
    auth.register()
    ahead = (datetime.now(UTC) + timedelta(minutes=40)).isoformat()
    flagged = post(client, recorded_at=ahead, red_flags=["bladder_bowel", "both_legs"])
    items = advice(client)["items"]
    assert [item["category"] for item in items] == ["emergency"]
    assert items[0]["level"] == "emergency"
    assert items[0]["evidence"] == [flagged]
    assert "emergency department" in items[0]["reason"]


def test_statins_and_pregnancy_on_the_profile_reach_the_advice(app, client, auth):
    auth.register()
    with app.app_context():
        user = db.session.scalar(select(User))
        user.takes_statins = True
        user.conditions = ["pregnancy"]
        db.session.commit()
    post(client, cramp_severity=1, cramp_timing="night")
    medical = advice(client)["items"][0]
    assert medical["category"] == "medical"
    assert "You take a statin" in medical["reason"]
    assert "midwife or maternity unit" in medical["reason"]


def test_the_window_counts_local_days(client, auth):
    """23:30 local on the window's first day counts; 23:30 the day before does not."""
    auth.register(tz="America/Los_Angeles")
    zone = ZoneInfo("America/Los_Angeles")
    first_day = datetime.now(zone).date() - timedelta(days=27)
    inside = datetime.combine(first_day, time(23, 30), tzinfo=zone)
    outside = inside - timedelta(days=1)
    # In UTC the earlier one falls on the window's first day: only local days tell them apart.
    assert outside.astimezone(UTC).date() == first_day
    inside_id = post(client, recorded_at=inside.isoformat(), red_flags=["fever"])
    post(client, recorded_at=outside.isoformat(), red_flags=["after_injury"])
    items = advice(client)["items"]
    # Flags that old are no longer active: a doctor finding, not an urgent item.
    assert items[0]["category"] == "medical"
    assert items[0]["evidence"] == [inside_id]
    assert "fever" in items[0]["reason"] and "injury" not in items[0]["reason"]


def add_years_of_history(app, email: str, days: int) -> None:
    """A check-in and a session every day for `days` days, written in bulk."""
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
        now = datetime.now(UTC)
        sessions = []
        checkins = []
        for n in range(days):
            at = now - timedelta(days=n, hours=1)
            sessions.append(
                {
                    "user_id": user_id,
                    "client_id": str(uuid.uuid4()),
                    "routine_slug": "lower-back-mobility",
                    "started_at": at - timedelta(minutes=12),
                    "ended_at": at - timedelta(minutes=2),
                    "steps_completed": 6,
                    "steps_total": 6,
                }
            )
            checkins.append(
                {
                    "user_id": user_id,
                    "client_id": str(uuid.uuid4()),
                    "recorded_at": at,
                    "recorded_offset_minutes": 0,
                    "cramp_severity": 1 if n % 9 == 0 else 0,
                    "cramp_timing": "after_stretch" if n % 9 == 0 else None,
                    "cramp_locations": [],
                    "water_ml": 300 if n % 9 == 0 else 700,
                    "electrolytes": [],
                    "red_flags": [],
                }
            )
        db.session.execute(insert(WorkoutSession), sessions)
        db.session.execute(insert(Checkin), checkins)
        db.session.commit()


def test_advice_loads_only_the_window(client, auth, app):
    auth.register()
    add_years_of_history(app, "pat@example.com", days=3 * 365)
    statements: list[tuple[str, object]] = []

    def remember_statement(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", remember_statement)
    try:
        answer = advice(client)
    finally:
        event.remove(engine, "before_cursor_execute", remember_statement)

    checkin_reads = [(s, p) for s, p in statements if "FROM checkins" in s]
    session_reads = [s for s, _ in statements if "FROM sessions" in s]
    assert checkin_reads and session_reads
    assert all("checkins.recorded_at >=" in s for s, _ in checkin_reads)
    assert all("sessions.started_at >=" in s for s in session_reads)
    # The rows those statements brought back, counted by running each again as a count:
    # 28 local days of daily check-ins, a day's margin for the clock: not 1,095.
    with app.app_context():
        connection = db.session.connection()
        loaded = sum(
            connection.exec_driver_sql(f"SELECT count(*) FROM ({s}) AS read", p).scalar()
            for s, p in checkin_reads
        )
        db.session.remove()
    assert 27 <= loaded <= 29
    assert answer["window_days"] == 28
    assert {item["category"] for item in answer["items"]} >= {"hydration"}


def test_advice_window_follows_config(app, client, auth):
    app.config["ADVICE_WINDOW_DAYS"] = 7
    auth.register()
    assert advice(client)["window_days"] == 7
