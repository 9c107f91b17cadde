from flask import Blueprint

bp = Blueprint("centres", __name__)

from centres import manage_views, views  # noqa: E402,F401
