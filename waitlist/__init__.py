"""The waiting list: associations waiting for a taken room and date, offered it in order when it frees.

``models`` (entries, refused requests), ``line`` (joining, the offer, answering it, expiry), ``notices`` (the offer
mail), ``views`` (pages) and the API's ``api.waitlist``. Unmet demand (refused requests and entries) is counted
by ``reports.demand``.
"""

from flask import Blueprint

bp = Blueprint("waitlist", __name__)

from waitlist import views  # noqa: E402,F401  (routes)
