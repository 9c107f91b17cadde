"""Bearer tokens for /api/v1."""

from functools import wraps

from flask import g, request

from accounts.models import ApiToken
from extensions import db
from timeutil import utcnow


def bearer_user():
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    token = ApiToken.find_user(secret.strip())
    if token is None:
        return None
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        token.last_used_at = now
        db.session.commit()
    return token.user


def token_required(view):
    from api.errors import api_error

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
