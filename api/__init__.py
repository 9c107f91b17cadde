from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from api import views  # noqa: E402,F401
from api import events  # noqa: E402,F401
from api import bookings, openapi  # noqa: E402,F401
from api import search  # noqa: E402,F401
