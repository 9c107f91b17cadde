"""Events: the public face of an approved booking (or of a centre's own activity).

The public calendar (list and month views), each event's page, the embeddable
calendar and the managers' event forms. Which events and dates are public is decided in
one place, ``events.visibility``; what an event may say in ``events.rules``.
"""

from flask import Blueprint

bp = Blueprint("events", __name__)

from events import manage_views, views  # noqa: E402,F401
