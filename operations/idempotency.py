"""Safe retries: a POST with an ``Idempotency-Key`` acts once; the same key and body again within 24 hours gets
the first answer (``Idempotent-Replayed: true``), the same key with another body 422, while the first still runs
409. The API takes the key as a header; the booking request form sends one as a hidden field, so a double
submit books once (a form shown again — a check, an error — keeps the key free). Answers of 500 and above are
not kept: the client may try again.
"""

import hashlib
import re
import uuid
from datetime import timedelta

from flask import Response, current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from api.auth import bearer_user
from errors import json_error, render_error_page, unhandled_error, wants_json
from extensions import db
from operations.models import IdempotentRequest
from timeutil import utcnow

KEEP = timedelta(hours=24)
SANE_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
FORM_FIELD = "idempotency_key"


def new_form_key() -> str:
    return uuid.uuid4().hex


def _key_and_user():
    if request.method != "POST":
        return None, None
    if request.path.startswith("/api/"):
        key = request.headers.get("Idempotency-Key")
        return (key, bearer_user()) if key is not None else (None, None)
    key = request.form.get(FORM_FIELD) if request.mimetype == "application/x-www-form-urlencoded" else None
    if not key or not current_user.is_authenticated:
        return None, None
    return key, current_user._get_current_object()


def _refusal(status, message, code, retry_after=None):
    response = current_app.make_response(json_error(status, message, code=code) if wants_json()
                                          else render_error_page(status, message))
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def begin():
    """Before the view: replay, refuse, or mark the key as taken in the coming transaction."""
    key, user = _key_and_user()
    if key is None or user is None:
        return None
    if not SANE_KEY.match(key):
        return _refusal(422, _("The Idempotency-Key must be 1 to 200 visible ASCII characters."), "invalid")
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode() + request.get_data()).hexdigest()
    now = utcnow()
    db.session.execute(delete(IdempotentRequest).where(IdempotentRequest.user_id == user.id,
                                                       IdempotentRequest.key == key,
                                                       IdempotentRequest.created_at < now - KEEP))
    first = db.session.scalar(select(IdempotentRequest).where(IdempotentRequest.user_id == user.id,
                                                              IdempotentRequest.key == key))
    if first is not None:
        if first.fingerprint != digest:
            return _refusal(422, _("This Idempotency-Key was used for another request."), "idempotency_key_reused")
        if first.status is None:
            return _still_running()
        return _replay(first)
    db.session.add(IdempotentRequest(user_id=user.id, key=key, fingerprint=digest, created_at=now))
    g.idempotency = (user.id, key)
    return None


def _still_running():
    return _refusal(409, _("A request with this Idempotency-Key is still running."), "in_progress", retry_after=1)


def _replay(first):
    response = Response(first.body or b"", status=first.status, content_type=first.content_type or None)
    if first.location:
        response.headers["Location"] = first.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def finish(response):
    """After the view: keep the answer when the key's row was committed with the change (or the view kept it)."""
    taken = g.pop("idempotency", None)
    if taken is None or response.status_code >= 500 or response.direct_passthrough:
        return response
    user_id, key = taken
    if not request.path.startswith("/api/") and response.status_code not in (301, 302, 303):
        # A form shown again (a check, an error) acted on nothing: its key stays free for the real submit.
        # (What the view did not commit would be rolled back at the end of the request anyway.)
        _quiet_rollback()
    try:
        db.session.execute(update(IdempotentRequest)
                           .where(IdempotentRequest.user_id == user_id, IdempotentRequest.key == key,
                                  IdempotentRequest.status.is_(None))
                           .values(status=response.status_code, body=response.get_data(),
                                   content_type=response.content_type or "",
                                   location=response.headers.get("Location", "")[:500]))
        db.session.commit()
    except IntegrityError:  # a duplicate ran at the same moment and won: ours is not kept
        db.session.rollback()
    except DBAPIError as error:
        # The change stands and its answer goes out; only its copy for a retry is missing (a retry with this
        # key then hears 409 "still running" instead of acting twice).
        _quiet_rollback()
        current_app.logger.warning("Idempotency answer not kept (database away): %s",
                                   str(getattr(error, "orig", error)).splitlines()[0][:200])
    return response


def _quiet_rollback():
    try:
        db.session.rollback()
    except DBAPIError:
        db.session.invalidate()


def duplicate_key(error):
    """The unique key refused a second request with the same key running at the same moment: nothing changed."""
    text = str(getattr(error, "orig", error))
    if "uq_idempotent_request_key" not in text and "idempotent_request.user_id" not in text:
        return unhandled_error(error)
    db.session.rollback()
    g.pop("idempotency", None)
    return _still_running()


def init_app(app) -> None:
    app.before_request(begin)
    app.after_request(finish)
    app.register_error_handler(IntegrityError, duplicate_key)
    app.jinja_env.globals["idempotency_key"] = new_form_key
