"""Shared pieces of the booking tests: a small city (booking_world) and helpers.

Import what you need: ``from booking_support import booking_world_fixture, ...`` (the fixture is
named ``booking_world``; importing it under another name keeps the linter from seeing a redefinition).
Dates are computed from today so the tests keep working as time passes.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_skeleton

PASSWORD = "correct horse battery"


def next_weekday(weekday: int, min_days: int = 10, start: date | None = None) -> date:
    """The first day with this weekday (Monday = 0) at least min_days after start (today)."""
    day = (start or date.today()) + timedelta(days=min_days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1) if month < 12 else date(year, 12, 31)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def next_dst_change(month: int, min_days: int = 21) -> date:
    """The next last Sunday of March (3) or October (10) at least min_days from today."""
    today = date.today()
    for year in (today.year, today.year + 1, today.year + 2):
        day = last_sunday(year, month)
        if day >= today + timedelta(days=min_days):
            return day
    raise AssertionError("unreachable")


def at(day: date, hhmm: str) -> datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes))


def local_iso(day: date, hhmm: str, tz_name: str = "Europe/Berlin") -> str:
    """A local time as the API writes it, with the offset the zone has on that day: '2027-03-30T18:00:00+02:00'."""
    return at(day, hhmm).replace(tzinfo=ZoneInfo(tz_name)).isoformat()


def utc_iso(day: date, hhmm: str, tz_name: str = "Europe/Berlin") -> str:
    """The same local time written in UTC: '2027-03-30T16:00:00Z'."""
    instant = at(day, hhmm).replace(tzinfo=ZoneInfo(tz_name)).astimezone(ZoneInfo("UTC"))
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def day_label(day: date, locale="en") -> str:
    """How the messages name a day ('Tue, Mar 30, 2027' in English)."""
    return format_skeleton("yMMMEd", day, locale=locale)


@dataclass
class World:
    centre: object
    other_centre: object
    room: object
    small_room: object
    other_room: object
    association: object
    other_association: object
    unverified: object
    member: object
    other_member: object
    unverified_member: object
    manager: object
    other_manager: object
    admin: object
    outsider: object


_HASH = {}


def _user(db, role, email, centres=(), associations=(), **fields):
    """A user with the test password (its scrypt hash computed once per run: hashing is slow on purpose)."""
    from accounts.models import User

    if "hash" not in _HASH:
        probe = User()
        probe.set_password(PASSWORD)
        _HASH["hash"] = probe.password_hash
    user = User(email=email, role=role, name=fields.pop("name", email.split("@")[0]), password_hash=_HASH["hash"], **fields)
    user.managed_centres = list(centres)
    user.associations = list(associations)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture(name="booking_world")
def booking_world_fixture(db, make_centre, make_room, make_association):
    from events.models import ensure_categories

    def make_user(role, **fields):
        return _user(db, role, **fields)

    ensure_categories()
    db.session.commit()
    centre = make_centre(slug="nordstadt", timezone="Europe/Berlin", default_language="de")
    other_centre = make_centre(slug="linden")
    room = make_room(centre, name="Großer Saal", capacity=30)
    small_room = make_room(centre, name="Küche", capacity=6)
    other_room = make_room(other_centre, name="Tanzraum")
    association = make_association("Sprachbrücke", email="kontakt@sprachbruecke.example")
    other_association = make_association("SV Nordstadt", email="sv@example.org")
    unverified = make_association("Neu e. V.", verified=False, email="neu@example.org")
    member = make_user("member", email="member@example.org", associations=[association], preferred_language="de", name="Mina Member")
    other_member = make_user("member", email="other@example.org", associations=[other_association], preferred_language="en")
    unverified_member = make_user("member", email="new@example.org", associations=[unverified], preferred_language="ar")
    manager = make_user("manager", email="manager@example.org", centres=[centre], preferred_language="tr", name="Murat Manager")
    other_manager = make_user("manager", email="linden@example.org", centres=[other_centre], preferred_language="en")
    admin = make_user("admin", email="admin@example.org", preferred_language="en")
    outsider = make_user("member", email="outsider@example.org", preferred_language="en")
    return World(centre, other_centre, room, small_room, other_room, association, other_association, unverified,
                 member, other_member, unverified_member, manager, other_manager, admin, outsider)


def booking_request(world, *, room=None, association="default", title="Deutschkurs", day=None, start="18:00",
                    end="20:00", weekly=None, **extra):
    """A BookingRequest for the world's room; weekly = dict(count=..., weekdays=[...], ...)."""
    from bookings.recurrence import Recurrence
    from bookings.services import BookingRequest

    room = room or world.room
    day = day or next_weekday(1, 14)
    recurrence = Recurrence(**weekly) if weekly is not None else None
    return BookingRequest(
        centre=room.centre, room=room, association=world.association if association == "default" else association,
        title=title, start=at(day, start), end=at(day, end), recurrence=recurrence, **extra,
    )


def fresh_locale():
    """Forget the locale Flask-Babel cached on g.

    The test fixture's app context is shared by the test code and the test
    client's requests, so a service called outside a request would otherwise
    fix the language (German, the default) for the requests that follow.
    """
    from flask import g

    g.pop("_flask_babel", None)
    g.pop("lang", None)


def request(world, by=None, **kwargs):
    """Store a request through the service and commit; returns the booking."""
    from bookings import services
    from extensions import db

    booking = services.request_booking(booking_request(world, **kwargs), by or world.member)
    db.session.commit()
    fresh_locale()
    return booking


def approve(world, booking, by=None, **kwargs):
    from bookings import services
    from extensions import db

    services.approve(booking, by or world.manager, **kwargs)
    db.session.commit()
    fresh_locale()
    return booking


def count_bookings():
    from sqlalchemy import func, select

    from bookings.models import Booking, Occurrence
    from extensions import db

    db.session.commit()  # end any open (snapshot) transaction: see what other connections wrote
    return db.session.scalar(select(func.count(Booking.id))), db.session.scalar(select(func.count(Occurrence.id)))


def login(client, user, lang="en"):
    response = client.post(f"/{lang}/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code in (302, 303), response.status_code
    return response


def logout(client, lang="en"):
    client.post(f"/{lang}/logout")


def form_data(day, start="18:00", end="20:00", **extra):
    """The request form's fields for one date."""
    data = {"association": "", "title": "Deutschkurs", "date": day.isoformat(), "start_time": start,
            "end_time": end, "repeat": "once", "interval": "1", "send": "Send"}
    data.update(extra)
    return data


def decision_data(action, booking, **fields):
    """The fields of a decision form about a booking (their names carry the prefix '<action>-<booking id>-')."""
    return {f"{action}-{booking.id}-{name}": value for name, value in fields.items()}


def api_body(world, day=None, start="18:00", end="20:00", **extra):
    day = day or next_weekday(1, 14)
    body = {"room_id": world.room.id, "title": "Deutschkurs", "start": f"{day.isoformat()}T{start}:00",
            "end": f"{day.isoformat()}T{end}:00"}
    body.update(extra)
    return body


def text_of(response) -> str:
    """The visible text of an HTML response (tags removed, whitespace collapsed)."""
    import html
    import re

    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


__all__ = [
    "local_iso", "utc_iso",
    "PASSWORD", "World", "SimpleNamespace", "api_body", "approve", "at", "booking_request", "booking_world_fixture",
    "count_bookings", "day_label", "decision_data", "form_data", "submit", "fresh_locale", "last_sunday", "login", "logout", "next_dst_change",
    "next_weekday", "request", "text_of",
]


class _Forms:
    """The forms of an HTML page as a browser without JavaScript would submit them."""

    def __init__(self, html):
        from html.parser import HTMLParser

        forms, self.forms = [], []

        class Parser(HTMLParser):
            textarea = None

            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                if tag == "form":
                    forms.append({"action": a.get("action", ""), "fields": [], "buttons": []})
                elif not forms:
                    return
                elif tag == "input" and a.get("name"):
                    kind = a.get("type", "text")
                    if kind in ("checkbox", "radio"):
                        if "checked" in a:
                            forms[-1]["fields"].append((a["name"], a.get("value", "on")))
                    elif kind == "submit":
                        forms[-1]["buttons"].append((a["name"], a.get("value", "")))
                    else:
                        forms[-1]["fields"].append((a["name"], a.get("value", "")))
                elif tag == "textarea" and a.get("name"):
                    self.textarea = [a["name"], ""]
                    forms[-1]["fields"].append(self.textarea)
                elif tag == "select" and a.get("name"):
                    self.select = {"name": a["name"], "options": [], "selected": []}
                elif tag == "option" and getattr(self, "select", None) is not None:
                    self.select["options"].append(a.get("value", ""))
                    if "selected" in a:
                        self.select["selected"].append(a.get("value", ""))

            def handle_data(self, data):
                if self.textarea is not None:
                    self.textarea[1] += data

            def handle_endtag(self, tag):
                if tag == "textarea":
                    self.textarea = None
                elif tag == "select" and getattr(self, "select", None) is not None:
                    chosen = self.select["selected"] or self.select["options"][:1]
                    forms[-1]["fields"].extend([self.select["name"], value] for value in chosen)
                    self.select = None
                elif tag == "form" and forms:
                    self.forms_done.append(forms.pop())

        parser = Parser()
        parser.forms_done = self.forms
        parser.feed(html)

    def find(self, action_part):
        if action_part == "":  # a form posting back to its own page
            matches = [f for f in self.forms if f["action"] == ""]
        else:
            matches = [f for f in self.forms if action_part in f["action"]]
        assert matches, f"no form posting to {action_part}"
        return matches[0]


def submit(client, html, action_part, changes=None, button=None, page_url=None):
    """Submit the form of ``html`` whose action contains action_part, as rendered, with some fields changed.

    ``action_part=""`` with ``page_url``: the form that posts back to its own page.
    """
    from werkzeug.datastructures import MultiDict

    form = _Forms(html).find(action_part)
    data = MultiDict([tuple(field) for field in form["fields"]])
    for name, value in (changes or {}).items():
        data.setlist(name, value if isinstance(value, list) else [value])
    if button:
        data.add(*next(b for b in form["buttons"] if b[0] == button))
    return client.post(form["action"] or page_url, data=data)
