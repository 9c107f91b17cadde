"""Test data for the events tests: events with bookings and dates, written as rows.

The booking rules (bookings.services) are exercised by the bookings tests;
here the calendar needs many events in exact states (approved, pending,
rejected, cancelled dates), so they are written directly. Tests of state
changes use the services.
"""

from datetime import datetime, timedelta

from bookings.models import Booking, Occurrence
from events.models import Event, ensure_categories
from extensions import db
from timeutil import utcnow


def at(days=1, hour=16, minute=0):
    """Naive UTC, ``days`` from today at hour:minute UTC."""
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days, hours=hour, minutes=minute)


def make_event(centre, room=None, *, status="approved", starts=None, hours=2, count=1, every_days=7,
               date_status=None, association=None, title=None, commit=True, **fields):
    """One event with ``count`` dates (``every_days`` apart) starting at ``starts`` (naive UTC)."""
    ensure_categories()
    starts = starts or at(1)
    decided = utcnow() if status in ("approved", "cancelled", "rejected") else None
    booking = Booking(
        centre=centre, room=room, association=association, title="booking", status=status, decided_at=decided,
        recurrence_freq="weekly" if count > 1 else None,
    )
    date_status = date_status or ("approved" if status == "approved" else status)
    for n in range(count):
        start = starts + timedelta(days=every_days * n)
        booking.occurrences.append(
            Occurrence(room_id=room.id if room else None, starts_at=start, ends_at=start + timedelta(hours=hours),
                       status=date_status)
        )
    values = dict(
        title=title if title is not None else {"de": "Deutschkurs", "en": "German course"},
        description={"de": "Für alle."},
        category_key="language_course",
        audiences=["everyone"],
        languages=["de"],
        is_free=True,
    )
    values.update(fields)
    event = Event(booking=booking, centre=centre, room=room, **values)
    db.session.add_all([booking, event])
    if commit:
        db.session.commit()
    return event


def bulk_events(centre, room, n, *, start: datetime, spread_hours=1, commit=True):
    """``n`` approved one-date events, one every ``spread_hours`` from ``start``."""
    events = [
        make_event(centre, room, starts=start + timedelta(hours=spread_hours * i), hours=1, commit=False,
                   title={"de": f"Termin {i}", "en": f"Date {i}"})
        for i in range(n)
    ]
    if commit:
        db.session.commit()
    return events


class QueryCounter:
    """Counts the SQL statements sent (transaction control and PRAGMAs aside).

    The data-version row is read on a connection of its own, outside the engine's events
    (feeds.data_version.current): its lookups are counted by that module and added at the end."""

    IGNORED = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")

    def __init__(self, engine):
        self.engine = engine
        self.statements = []

    def _count(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(self.IGNORED):
            self.statements.append(statement)

    def __enter__(self):
        from sqlalchemy import event

        from feeds import data_version

        self._lookups = data_version.lookups
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        from feeds import data_version

        event.remove(self.engine, "before_cursor_execute", self._count)
        self.statements.extend([data_version.CURRENT] * (data_version.lookups - self._lookups))

    @property
    def count(self) -> int:
        return len(self.statements)
