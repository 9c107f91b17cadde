from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from api import bookings, events, openapi, reports, search, views, waitlist  # noqa: E402,F401
