from flask import Blueprint

bp = Blueprint("bookings", __name__)

import events.models  # noqa: E402,F401  (Event and Category are mapped with the bookings)
from bookings import models  # noqa: E402,F401
