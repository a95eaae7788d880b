"""The health check and the landing page."""

import pytest

from crampcare.extensions import db

from .conftest import make_app

pytestmark = pytest.mark.postgres


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with app.app_context():
        db.engine.dispose()
    # Point the app at a database file it cannot open.
    (tmp_path / "db.sqlite").unlink()
    (tmp_path / "db.sqlite").mkdir()
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_landing_page_for_visitors(client):
    page = client.get("/").get_data(as_text=True)
    assert "Create a free account" in page
    assert '<html lang="en">' in page
    assert '<main id="main"' in page
