from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/<lang:lang>")

from accounts import registration, views  # noqa: E402,F401,I001
from accounts import member_views, reset  # noqa: E402,F401,I001  (after views: they build on it)
