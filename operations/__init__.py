"""Running the product as a city's IT does: health and readiness, metrics, request logs, safe retries."""

from flask import Blueprint

bp = Blueprint("operations", __name__)

from operations import health, metrics  # noqa: E402,F401
