"""Integration monitoring: reports for the city's integration office and managers (/<lang>/reports/),
the open figures for the public (/<lang>/figures/), their exports and charts, and the API's reports."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/<lang:lang>")

from reports import figures_views, participants, views  # noqa: E402,F401
