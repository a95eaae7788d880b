"""Every page of the app, found from its URL map, for each kind of visitor.

The walks (axe, the 320 px layout test) take their pages from here, so a new page is
checked without being listed: a GET rule without arguments is visited as it is, one
with arguments gets a sample value from SAMPLES (a rule with an argument not listed
there fails the walk until it is given one).
"""

from sqlalchemy import select

from crampcare.confirmation import CONFIRM_LINK
from crampcare.extensions import db
from crampcare.models import Checkin, Routine, Share, Step, User
from crampcare.recovery import RESET_LINK
from crampcare.seed import DEMO_PATIENT, make_demo

# Endpoints that are not pages a person reads (files, feeds and the JSON API are found by
# their content type as well; these are left out before any request).
NOT_PAGES = frozenset({"static", "pwa.service_worker", "pwa.manifest", "pwa.healthz"})
NOT_PAGE_PREFIXES = ("api.",)
LONG_EMAIL = "margaret.fitzgerald-oyelaran.physio-referral@northern-community-health.example"


def demo_site(app) -> dict:
    """Demo accounts with history, a routine of the patient's own; the logins and sample ids."""
    with app.app_context():
        logins = make_demo(60)
        patient = db.session.scalar(select(User).where(User.email == DEMO_PATIENT))
        # A long address, as real ones can be: pages that show it must wrap it, not clip it.
        patient.email = LONG_EMAIL
        logins["patient"] = (LONG_EMAIL, logins["patient"][1])
        routine = Routine(
            owner_id=patient.id, slug="my-evening-stretch", title="My evening stretch"
        )
        routine.steps.append(
            Step(
                position=0, title="Knees to chest", instructions="Hug both knees.", hold_seconds=30
            )
        )
        db.session.add(routine)
        db.session.commit()
        checkin_id = db.session.scalar(
            select(Checkin.id).where(Checkin.user_id == patient.id).order_by(Checkin.id.desc())
        )
        share_id = db.session.scalar(select(Share.id).where(Share.patient_id == patient.id))
        # Someone who registered and has not yet opened the link mailed to them.
        waiting = User(email=f"waiting.{LONG_EMAIL}", password_hash=patient.password_hash)
        db.session.add(waiting)
        db.session.commit()
        samples = {
            "patient_id": patient.id,
            "checkin_id": checkin_id,
            "share_id": share_id,
            "slug": {"routines.edit_routine": routine.slug, None: "gentle-lower-back-release"},
            # Live links, so the walk sees the forms, not the expired pages.
            "token": {
                "auth.confirm_email": CONFIRM_LINK.make_token(waiting, app.config["SECRET_KEY"]),
                None: RESET_LINK.make_token(patient, app.config["SECRET_KEY"]),
            },
        }
        urls = page_urls(app, samples)
        db.session.remove()
    return {"logins": logins, "urls": urls}


def _sample(samples: dict, name: str, endpoint: str):
    value = samples.get(name)
    if isinstance(value, dict):
        value = value.get(endpoint, value[None])
    if value is None:
        raise LookupError(f"no sample value for <{name}> of {endpoint}: add one to SAMPLES")
    return value


def page_urls(app, samples: dict) -> list[str]:
    """The URL of every GET page of the app, arguments filled from the samples."""
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
            if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
                continue
            if rule.endpoint.startswith(NOT_PAGE_PREFIXES):
                continue
            values = {name: _sample(samples, name, rule.endpoint) for name in rule.arguments}
            urls.append(url_for(rule.endpoint, **values))
    return urls


def html_pages(page, urls: list[str]) -> list[str]:
    """The URLs that answer this browser's visitor with an HTML page (no downloads).

    A redirect (to sign in) or an error (another role's page) is left out: the page it
    would show is walked on its own.
    """
    pages = []
    for url in urls:
        response = page.request.get(url, max_redirects=0)
        if response.status == 200 and response.headers.get("content-type", "").startswith(
            "text/html"
        ):
            pages.append(url)
    return pages


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the real form."""
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
