"""Reminders by Web Push: the app's public key, and the browsers that subscribe."""

from flask import abort, current_app, jsonify
from flask_login import current_user, login_required

from ..reminders import keys, service
from . import bp
from .common import errors_response, read_json_object


def _patient_only() -> None:
    if not current_user.is_patient:
        abort(403)


@bp.get("/push/key")
@login_required
def push_key():
    """The VAPID public key a browser subscribes with."""
    return jsonify(key=keys.public_key(service.vapid_key()))


@bp.post("/push/subscriptions")
@login_required
def subscribe():
    """Keep this browser's subscription (201); the same endpoint again updates it (200)."""
    _patient_only()
    body = read_json_object()
    try:
        values = service.subscription_values(body, current_app.config["PUSH_ENDPOINT_HOSTS"])
    except service.SubscriptionError as error:
        return errors_response(error.errors)
    subscription, new = service.subscribe(current_user, current_user.current_login, values)
    return jsonify(id=subscription.id, endpoint=subscription.endpoint), 201 if new else 200


@bp.delete("/push/subscriptions")
@login_required
def unsubscribe():
    """Forget this browser's subscription (204); 404 when this account has none there."""
    body = read_json_object()
    if not service.unsubscribe(current_user, body.get("endpoint")):
        abort(404)
    return "", 204
