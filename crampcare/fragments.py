"""One place decides whether a view answers with a fragment or the whole page."""

from flask import render_template, request


def is_fragment_request() -> bool:
    """htmx asked for a part of the page (a boosted request wants the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-Boosted")


def render_page_or_fragment(page: str, fragment: str, **context) -> str:
    """The fragment for htmx, else the page that includes that same fragment."""
    return render_template(fragment if is_fragment_request() else page, **context)
