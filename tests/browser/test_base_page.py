"""The base layout in a real browser: htmx loads under the CSP, the page fits a phone."""

from .conftest import sign_up


def test_landing_page_loads_htmx_without_csp_violations(page):
    page.goto("/")
    page.wait_for_function("window.htmx !== undefined")
    assert page.evaluate("htmx.config.allowEval") is False
    assert page.evaluate("htmx.config.historyCacheSize") == 0
    # Nothing overflows the 390 px phone screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_vendored_htmx_is_the_fallback_when_the_cdn_fails(context):
    context.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
    page = context.new_page()
    sign_up(page)
    page.goto("/cramps/new")
    page.wait_for_function("window.htmx !== undefined")
    assert page.evaluate("htmx.version") == "2.0.11"
    # The late copy still wires up the page's hx- attributes.
    page.wait_for_function(
        "document.querySelector('form[hx-post]')['htmx-internal-data'] !== undefined"
    )


def test_register_fills_the_timezone_from_the_browser(browser, live_server, live_app):
    context = browser.new_context(base_url=live_server.url, timezone_id="Asia/Tokyo")
    context.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
    page = context.new_page()
    sign_up(page, email="tokyo@example.com")
    from sqlalchemy import select

    from crampcare.extensions import db
    from crampcare.models import User

    with live_app.app_context():
        assert db.session.scalar(select(User.timezone)) == "Asia/Tokyo"
    context.close()
