"""Barrier-free access (BITV 2.0 § 4): the site explained in Leichte Sprache and in German Sign Language."""

from flask import Blueprint

bp = Blueprint("accessibility", __name__)

from accessibility import manage, views  # noqa: E402,F401
