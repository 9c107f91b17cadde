from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from api import bookings, cooperations, events, openapi, programmes, reports, search, views, waitlist  # noqa: E402,F401
