"""Reading feeds back as a subscriber would, with three independent readers, and test data for them.

* ``check_feed(body)``: icalendar parses it, validates the calendar and every
  component, finds no parse error, no missing VTIMEZONE, no floating time.
* ``expand_python(body, start, end)``: recurring-ical-events expands it.
* ``expand_node(body, start, end)``: ical.js (tests/feeds_ical.mjs) expands it.

Both expansions are normalised to ``Seen`` records (UTC start and end, local
wall-clock start, TZID, status, summary and its LANGUAGE) and compared with
what the database holds (``expected``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events

from bookings.models import Booking, Occurrence
from bookings.recurrence import Recurrence, expand
from events.models import Event, ensure_categories
from extensions import db
from timeutil import to_local

ROOT = Path(__file__).resolve().parent.parent
NODE_SCRIPT = ROOT / "tests" / "feeds_ical.mjs"


@dataclass(frozen=True, order=True)
class Seen:
    start: str  # UTC, 2027-03-30T16:00:00Z
    end: str
    local_start: str  # wall clock in the zone, 2027-03-30T18:00:00
    tzid: str
    status: str
    summary: str
    language: str | None


def utc_iso(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(autouse=True)
def empty_feed_cache(app):
    """Each test starts with no feed kept from another test (import this fixture into the test module)."""
    from feeds.cache import feed_cache

    feed_cache().clear()
    yield


def tr(lang: str, message: str, **values) -> str:
    """An interface string as the app shows it in ``lang`` (the catalogues may or may not translate it yet)."""
    from flask import has_request_context
    from flask_babel import force_locale, gettext

    if has_request_context():
        with force_locale(lang):
            return gettext(message, **values)
    from flask import current_app

    with current_app.test_request_context(f"/{lang}/"), force_locale(lang):
        return gettext(message, **values)


def unfold(body: bytes) -> str:
    """The feed's text with folded lines joined again (RFC 5545, 3.1)."""
    return body.decode("utf-8").replace("\r\n ", "")


# --- icalendar -----------------------------------------------------------------------------


def check_feed(body: bytes) -> icalendar.Calendar:
    assert body.endswith(b"\r\n")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, f"line longer than 75 octets: {line[:80]!r}"
    calendar = icalendar.Calendar.from_ical(body)
    calendar.validate()
    assert calendar.get("METHOD") in (None, "PUBLISH")
    assert not calendar.get_missing_tzids(), f"missing VTIMEZONE for {calendar.get_missing_tzids()}"
    tzids = [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")]
    assert len(tzids) == len(set(tzids)), "one VTIMEZONE per TZID"
    for component in calendar.walk():
        assert not component.errors, f"{component.name}: {component.errors}"
        if component.name == "VTIMEZONE":
            assert "RDATE" not in component.to_ical().decode(), "VTIMEZONE built from rules, not RDATE lists"
    for event in calendar.walk("VEVENT"):
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "LAST-MODIFIED"):
            assert name in event, f"VEVENT without {name}"
        for name in ("DTSTART", "DTEND"):
            value = event.decoded(name)
            assert isinstance(value, datetime) and value.tzinfo is not None, f"{name} is floating"
        if "RRULE" in event:
            until = event["RRULE"].get("UNTIL")
            if until:
                assert until[0].tzinfo is not None and until[0].utcoffset() == timedelta(0), "UNTIL in UTC"
    return calendar


def _language(prop) -> str | None:
    params = getattr(prop, "params", None) or {}
    return params.get("LANGUAGE")


def expand_python(body: bytes, start: datetime, end: datetime) -> list[Seen]:
    calendar = icalendar.Calendar.from_ical(body)
    seen = []
    for occurrence in recurring_ical_events.of(calendar).between(start, end):
        dtstart, dtend = occurrence.decoded("DTSTART"), occurrence.decoded("DTEND")
        seen.append(Seen(
            utc_iso(dtstart), utc_iso(dtend), dtstart.strftime("%Y-%m-%dT%H:%M:%S"), str(dtstart.tzinfo),
            str(occurrence.get("STATUS", "")), str(occurrence.get("SUMMARY")), _language(occurrence.get("SUMMARY")),
        ))
    return sorted(seen)


def node_available() -> bool:
    return shutil.which("node") is not None and (ROOT / "node_modules" / "ical.js").exists()


def run_node(body: bytes, start: datetime, end: datetime) -> dict:
    assert node_available(), "ical.js tests need node and node_modules/ical.js (npm ci)"
    result = subprocess.run(
        ["node", str(NODE_SCRIPT), utc_iso(start), utc_iso(end)], input=body, capture_output=True, check=True,
        timeout=120,
    )
    return json.loads(result.stdout)


def expand_node(body: bytes, start: datetime, end: datetime) -> list[Seen]:
    data = run_node(body, start, end)
    assert not data["calendar"]["missing_zones"], data["calendar"]["missing_zones"]
    seen = []
    for item in data["occurrences"]:
        seen.append(Seen(
            item["start"].replace(".000Z", "Z"), item["end"].replace(".000Z", "Z"), item["local_start"], item["tzid"],
            item["status"] or "", item["summary"]["value"], item["summary"]["language"],
        ))
    return sorted(seen)


def expand_both(body: bytes, start: datetime, end: datetime) -> list[Seen]:
    """Both readers' occurrences, which must agree."""
    python, node = expand_python(body, start, end), expand_node(body, start, end)
    assert python == node, _difference(python, node)
    return python


def _difference(a, b) -> str:
    only_a = sorted(set(a) - set(b))[:5]
    only_b = sorted(set(b) - set(a))[:5]
    return f"recurring-ical-events only: {only_a}\nical.js only: {only_b}"


def seen_of(occurrence, tz_name: str, status: str, summary: str, language: str | None) -> Seen:
    local = to_local(occurrence.starts_at, tz_name)
    return Seen(utc_iso(occurrence.starts_at), utc_iso(occurrence.ends_at), local.strftime("%Y-%m-%dT%H:%M:%S"),
                tz_name, status, summary, language)


# --- test data -------------------------------------------------------------------------------


def make_series(centre, room, first_local: datetime, *, hours: int = 2, count: int = 1, weekdays=None,
                interval: int = 1, statuses: dict | None = None, booking_status: str = "approved",
                association=None, title=None, description=None, event: bool = True, **event_fields):
    """A booking with ``count`` weekly dates from the local wall-clock time ``first_local`` (as the services make
    them: 18:00 stays 18:00 across clock changes), date n given ``statuses[n]`` (default: the booking's status)."""
    ensure_categories()
    recurrence = Recurrence(interval=interval, weekdays=list(weekdays or []), count=count) if count > 1 else None
    slots = expand(first_local, first_local + timedelta(hours=hours), centre.timezone, recurrence)
    decided = datetime(2026, 1, 1) if booking_status in ("approved", "cancelled", "rejected") else None
    booking = Booking(centre=centre, room=room, association=association, title="booking",
                      status=booking_status, decided_at=decided, recurrence_freq="weekly" if recurrence else None,
                      recurrence_interval=interval, recurrence_count=count if recurrence else None)
    statuses = statuses or {}
    for n, slot in enumerate(slots):
        booking.occurrences.append(Occurrence(room_id=room.id if room else None, starts_at=slot.start,
                                              ends_at=slot.end, status=statuses.get(n, booking_status)))
    db.session.add(booking)
    made = None
    if event:
        values = dict(
            title=title if title is not None else {"de": "Deutschkurs", "uk": "Курс німецької мови",
                                                   "en": "German course"},
            description=description if description is not None else {"de": "Für alle.", "uk": "Для всіх."},
            category_key="language_course", audiences=["everyone"], languages=["de", "uk"], is_free=True,
        )
        values.update(event_fields)
        made = Event(booking=booking, centre=centre, room=room, **values)
        db.session.add(made)
    db.session.commit()
    return made if event else booking


def local_day(days_ahead: int, hour: int = 18, minute: int = 0, tz_name: str = "Europe/Berlin") -> datetime:
    """A naive local wall-clock time ``days_ahead`` days from today in the zone."""
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo(tz_name)).date()
    return datetime.combine(today + timedelta(days=days_ahead), datetime.min.time()).replace(hour=hour, minute=minute)


def next_transitions(tz_name: str = "Europe/Berlin") -> list[datetime]:
    """The zone's next two clock changes (naive local dates), within the coming year."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(tz_name)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    found, offset = [], now.astimezone(tz).utcoffset()
    t = now
    while len(found) < 2 and t < now + timedelta(days=400):
        t += timedelta(hours=1)
        current = t.astimezone(tz).utcoffset()
        if current != offset:
            found.append(t.astimezone(tz).replace(tzinfo=None))
            offset = current
    return found
