"""Bearer tokens for /api/v1.

``Authorization: Bearer <token>``; only the token's SHA-256 is stored, and the
lookup happens on every request, so a revoked token stops working at once.
"""

from functools import wraps

from flask import g, request
from sqlalchemy import update

from accounts.models import ApiToken
from api.errors import api_error
from database import write_transaction
from extensions import db
from timeutil import utcnow

LAST_USED_PRECISION_SECONDS = 300


def bearer_secret() -> str | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        return None
    return secret


def bearer_user():
    """The user a valid, unrevoked bearer token belongs to, or None."""
    secret = bearer_secret()
    if secret is None:
        return None
    token = ApiToken.find_user(secret)
    if token is None:
        return None
    user, token_id, last_used = token.user, token.id, token.last_used_at
    now = utcnow()
    if last_used is None or (now - last_used).total_seconds() > LAST_USED_PRECISION_SECONDS:
        # Record the use in a short write transaction of its own (on SQLite a
        # read transaction must not be upgraded to a write one: it could fail).
        db.session.rollback()
        with write_transaction():
            db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
            db.session.commit()
    g.api_token_id = token_id
    return user


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        user = bearer_user()
        if user is None:
            response = api_error(401)
            response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
            return response
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped
