"""Sessions that end on the server: one record per signed-in device.

The session cookie (and the remember-me cookie) carries the user's id and a
random token; only the token's SHA-256 is stored. A session holds while it
is not ended, younger than its absolute lifetime and used within its idle
limit (config: SESSION_MAX_HOURS, SESSION_IDLE_MINUTES; a member's "stay
signed in" lasts REMEMBER_DAYS, dated). Signing out ends it; a new password,
a new role or deactivation end all of the user's (accounts.models.User).
"""

import re
import secrets
from datetime import timedelta

from flask import current_app, g, request
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload

from accounts.models import UserSession, hash_token
from database import commit_bookkeeping
from extensions import db, login_manager
from timeutil import utcnow

TOUCH_EVERY = timedelta(seconds=60)  # last seen is written at most once a minute per session


def _limits(user, remember: bool) -> tuple[timedelta, timedelta, bool]:
    """(absolute lifetime, idle limit, remembered): remember-me only for members."""
    config = current_app.config
    if remember and not user.is_manager:
        days = timedelta(days=config["REMEMBER_DAYS"])
        return days, days, True
    return timedelta(hours=config["SESSION_MAX_HOURS"]), timedelta(minutes=config["SESSION_IDLE_MINUTES"]), False


def init_app(app) -> None:
    login_manager.user_loader(resume)
    app.after_request(write_last_seen)


def start(user, *, remember=False, now=None) -> bool:
    """A new session for the user (signing in); the token goes to the cookie through ``user.get_id()``.
    Returns whether it is remembered (a member who asked for it)."""
    now = now or utcnow()
    lifetime, idle, remembered = _limits(user, remember)
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(
        user_id=user.id, token_hash=hash_token(token), remember=remembered, user_agent=_agent(),
        created_at=now, last_seen_at=now, expires_at=now + lifetime, idle_until=now + idle,
    ))
    user.session_token = token
    return remembered


def resume(value, now=None):
    """The user a cookie's id (``<user id>.<token>``) names while its session holds; None otherwise."""
    user_id, _, token = str(value or "").partition(".")
    if not user_id.isdigit() or len(user_id) > 18 or not token or len(token) > 100:
        return None
    now = now or utcnow()
    record = db.session.scalar(select(UserSession).where(UserSession.token_hash == hash_token(token))
                               .options(joinedload(UserSession.user)))  # one query for both
    if record is None or record.user_id != int(user_id) or not record.holds(now):
        return None
    user = record.user
    if user is None or not user.is_active:
        return None
    if now - record.last_seen_at >= TOUCH_EVERY:
        _, idle, _ = _limits(user, record.remember)
        g.session_seen = (record.id, now, min(now + idle, record.expires_at))
    user.session_token = token
    return user


def write_last_seen(response):
    """After the request: the session's last use, in a transaction of its own — only when the request left
    nothing unsaved in the session (a refused action's changes are never committed by this)."""
    seen = g.pop("session_seen", None)
    if seen is None or db.session.new or db.session.dirty or db.session.deleted:
        return response
    record_id, now, idle_until = seen
    try:
        db.session.execute(update(UserSession).where(UserSession.id == record_id)
                           .values(last_seen_at=now, idle_until=idle_until))
        commit_bookkeeping(db.session)
    except SQLAlchemyError:  # the database is away: the session is still fine for now
        db.session.rollback()
    return response


def end(user, session_id=None) -> bool:
    """End the current session of ``user`` (signing out), or the one with this id (the account page)."""
    query = select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if session_id is None:
        if not user.session_token:
            return False
        query = query.where(UserSession.token_hash == hash_token(user.session_token))
    else:
        query = query.where(UserSession.id == session_id)
    record = db.session.scalar(query)
    if record is None:
        return False
    record.ended_at = utcnow()
    return True


def active(user, now=None) -> list[UserSession]:
    now = now or utcnow()
    records = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None),
                                  UserSession.expires_at > now, UserSession.idle_until > now)
        .order_by(UserSession.last_seen_at.desc())
    ).all()
    return list(records)


def is_current(user, record) -> bool:
    return bool(user.session_token) and record.token_hash == hash_token(user.session_token)


def _agent() -> str:
    return (request.headers.get("User-Agent", "") if request else "")[:200]


BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
            ("Safari/", "Safari"))
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
           ("Mac OS X", "macOS"), ("Linux", "Linux"))


def device(user_agent: str) -> str:
    """'Firefox on Android' from a User-Agent header; the raw start of it for anything else."""
    browser = next((name for key, name in BROWSERS if key in user_agent), "")
    system = next((name for key, name in SYSTEMS if key in user_agent), "")
    if browser and system:
        return f"{browser} · {system}"
    return browser or system or re.sub(r"[^\w ./-]", "", user_agent)[:40]

