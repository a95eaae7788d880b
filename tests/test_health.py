"""The health check and the landing page."""


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    # Liveness only: whether the database answers is /readyz's question (test_operations).
    assert response.get_json() == {"status": "ok"}


def test_landing_page_for_visitors(client):
    page = client.get("/").get_data(as_text=True)
    assert "Create a free account" in page
    assert '<html lang="en">' in page
    assert '<main id="main"' in page
