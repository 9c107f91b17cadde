from flask import Blueprint

bp = Blueprint("bookings", __name__)

# Event and Category are mapped with the bookings; the modules below add the pages and commands.
import events.models  # noqa: E402,F401
from bookings import cli, manage_views, models, search_views, template_helpers, views  # noqa: E402,F401
