"""Feeds: iCalendar documents residents and associations subscribe to.

Public feeds of events (city-wide with the calendar's filters, per centre),
private token feeds of an association's or a manager's bookings, a single
event's "Add to calendar" file, the subscribe box with its QR code and a
printable poster per centre. ``feeds.ics`` writes the documents,
``feeds.vtimezone`` their time zones, ``feeds.content`` turns database rows
into VEVENTs (series as RRULE), ``feeds.cache`` keeps built feeds and
``feeds.http`` answers with the right headers.
"""

from flask import Blueprint

bp = Blueprint("feeds", __name__)

from feeds import models, views  # noqa: E402,F401
