"""The authority's statements: privacy notice, imprint and accessibility statement (with its feedback form,
BITV 2.0 § 7), linked from every page's footer; admins edit the texts per language."""

from flask import Blueprint

bp = Blueprint("statements", __name__, url_prefix="/<lang:lang>")

from statements import views  # noqa: E402,F401
