"""Feeds: iCalendar documents residents and associations subscribe to.

Public feeds of events (city-wide with the calendar's filters, per centre),
private token feeds of an association's or a manager's bookings, a single
event's "Add to calendar" file, the subscribe box with its QR code and a
printable poster per centre.

Modules: ``ics`` writes the documents, ``vtimezone`` their time zones,
``content`` and ``private`` turn database rows into VEVENTs, ``series``
writes a series as one RRULE, ``build`` and ``cache`` keep built feeds,
``http`` answers with the right headers, ``revalidation`` answers an
unchanged feed's 304 before the application, ``links`` gives the subscribe links
and QR codes, ``models`` holds the private feed tokens.

Configuration (all optional):

* ``FEEDS_UID_DOMAIN`` — right-hand side of every UID (default: the host of
  ``SERVER_NAME``, else ``welcome-spaces``); never taken from a request.
* ``FEEDS_MAX_AGE`` — seconds shared caches may keep a public feed (900).
* ``FEEDS_RECHECK_SECONDS`` — how long a cached feed is served without asking
  the database whether its data changed, when no commit was seen (0: every
  request makes one lookup of the data-version row, ``data_version``, so a
  change made through any process is seen by every process's next request).
* ``FEEDS_VERIFY_SECONDS`` — how long the row may vouch for a feed before its
  own aggregate runs anyway (300): writes made outside the application.
* ``FEEDS_REDIS_URL`` — Redis for the feed cache and the commit counter
  shared by all processes (default: ``REDIS_URL`` / ``RATELIMIT_STORAGE_URI``
  when that is a redis:// URL; empty string: none).
"""

from flask import Blueprint

bp = Blueprint("feeds", __name__)

from feeds import models, views  # noqa: E402,F401
