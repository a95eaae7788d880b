"""A patient's own downloads: CSV, FHIR R4 JSON and a printable report."""

from flask import abort, url_for
from flask_login import current_user, login_required

from . import bp
from .streams import csv_response, dated_filename, fhir_response, report_response


@bp.before_request
@login_required
def _signed_in_patient():
    """Only patients have data of their own to download."""
    if not current_user.is_patient:
        abort(404)


@bp.get("/export/me.csv")
def my_csv():
    """Download every check-in with its session as CSV."""
    return csv_response(current_user, dated_filename("crampcare", "csv"))


@bp.get("/export/me.fhir.json")
def my_fhir():
    """Download every check-in as a FHIR R4 Bundle."""
    return fhir_response(current_user, dated_filename("crampcare", "fhir.json"))


@bp.get("/export/me/report")
def my_report():
    """A printable report of your recent check-ins and advice."""
    return report_response(current_user, url_for("auth.account"))
