"""What pages, e-mails and the API show of bookings: reasons, dates, the week of a room."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from bookings.models import ACTIVE, APPROVED, STATUS_LABELS, Booking, Occurrence
from bookings.recurrence import week_start
from bookings.rules import closed_on, closures_for
from bookings.wording import describe_slot
from extensions import db
from parsing import parse_date
from timeutil import to_local, to_utc_naive, utcnow, zone

SYSTEM_REASONS = {
    "@passed": _l("This date had already begun when the request was decided."),
    "@competing": _l("The room was given to another request for this time."),
    "@not_selected": _l("This date was not approved."),
}


def reason_text(value) -> str:
    """A stored reason for display: the system's own reasons translated, people's reasons as written."""
    if not value:
        return ""
    label = SYSTEM_REASONS.get(value)
    return str(label) if label is not None else value


def status_label(status) -> str:
    return str(STATUS_LABELS.get(status, status))


def occurrence_label(occurrence, tz_name) -> str:
    return describe_slot(occurrence.starts_at, occurrence.ends_at, tz_name)


def local_iso(value: datetime, tz_name) -> str:
    """A stored naive-UTC instant as ISO 8601 with the centre's offset (2027-03-30T18:00:00+02:00)."""
    return to_local(value, tz_name).isoformat()


@dataclass
class WeekEntry:
    start: datetime  # local
    end: datetime
    status: str
    booking: Booking | None = None  # None in the public view (busy times only)
    blocked_start: datetime | None = None  # local: the room's set-up and clean-up buffers around it
    blocked_end: datetime | None = None

    @property
    def has_buffers(self) -> bool:
        return self.blocked_start != self.start or self.blocked_end != self.end


@dataclass
class WeekDay:
    day: date
    entries: list = field(default_factory=list)
    closed: bool = False


@dataclass
class Week:
    first: date
    days: list

    @property
    def previous(self) -> date:
        return self.first - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.first + timedelta(days=7)

    @property
    def last(self) -> date:
        return self.first + timedelta(days=6)


def parse_week(value, tz_name) -> date:
    """The Monday of the week asked for (?week=2027-03-29), else of this week."""
    try:
        day = parse_date(value)
    except ValueError:
        day = to_local(utcnow(), tz_name).date()
    return week_start(day)


def room_week(room, first: date, *, details=False, statuses=None) -> Week:
    """A room's week: approved dates (busy times), and with ``details`` the pending ones and the bookings."""
    tz_name = room.centre.timezone
    tz = zone(tz_name)
    start = to_utc_naive(datetime.combine(first, time.min, tzinfo=tz))
    end = to_utc_naive(datetime.combine(first + timedelta(days=7), time.min, tzinfo=tz))
    statuses = statuses or ((APPROVED,) if not details else ACTIVE)
    query = (
        select(Occurrence)
        .where(
            Occurrence.room_id == room.id,
            Occurrence.status.in_(list(statuses)),
            Occurrence.starts_at < end,
            Occurrence.ends_at > start,
        )
        .order_by(Occurrence.starts_at)
    )
    occurrences = list(db.session.scalars(query))
    closures = closures_for(room.centre, room)
    days = [WeekDay(first + timedelta(days=i)) for i in range(7)]
    for day in days:
        day.closed = closed_on(closures, day.day, day.day) is not None
    for occurrence in occurrences:
        local_start = to_local(occurrence.starts_at, tz_name)
        index = (local_start.date() - first).days
        if 0 <= index < 7:
            days[index].entries.append(
                WeekEntry(local_start, to_local(occurrence.ends_at, tz_name), occurrence.status,
                          occurrence.booking if details else None,
                          to_local(occurrence.blocked_start, tz_name), to_local(occurrence.blocked_end, tz_name))
            )
    return Week(first, days)
