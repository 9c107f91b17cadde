"""Recurring series: the dates of a booking, computed in the centre's local time.

A weekly 18:00 booking stays 18:00 local time across daylight-saving changes:
the rule is expanded on naive local date-times with dateutil's rrule, and
only then is each date placed in the centre's zone and converted to UTC.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import FR, MO, SA, SU, TH, TU, WE, WEEKLY, rrule

from timeutil import to_utc_naive, zone

# The most dates one request may hold. Larger series are refused with a message.
MAX_OCCURRENCES = 200
MAX_INTERVAL = 12
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_RRULE_DAYS = dict(zip(WEEKDAY_CODES, (MO, TU, WE, TH, FR, SA, SU), strict=True))
FREQUENCIES = ("weekly",)


@dataclass
class Recurrence:
    """How a booking repeats: weekly (every ``interval`` weeks) on ``weekdays``, until a date or ``count`` times."""

    freq: str = "weekly"
    interval: int = 1
    weekdays: list[str] = field(default_factory=list)
    until: date | None = None
    count: int | None = None

    def as_dict(self) -> dict:
        data = {"freq": self.freq, "interval": self.interval, "byweekday": list(self.weekdays)}
        if self.until is not None:
            data["until"] = self.until.isoformat()
        if self.count is not None:
            data["count"] = self.count
        return data


class SeriesTooLong(ValueError):
    """The series would hold more than MAX_OCCURRENCES dates."""


@dataclass(frozen=True)
class LocalSlot:
    """One date as asked for: local wall-clock start and end, and the same instants in naive UTC."""

    local_start: datetime  # aware, in the centre's zone
    local_end: datetime
    start: datetime  # naive UTC, as stored
    end: datetime
    exists: bool = True  # False when the wall-clock time is skipped by a clock change

    @property
    def day(self) -> date:
        return self.local_start.date()


def place(naive_local: datetime, tz: ZoneInfo) -> tuple[datetime, bool]:
    """A wall-clock time in tz (aware), and whether it exists (not skipped by a spring-forward change)."""
    aware = naive_local.replace(tzinfo=tz)
    round_trip = to_utc_naive(aware).replace(tzinfo=ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None)
    return aware, round_trip == naive_local


def slot(naive_start: datetime, naive_end: datetime, tz: ZoneInfo) -> LocalSlot:
    local_start, start_exists = place(naive_start, tz)
    local_end, end_exists = place(naive_end, tz)
    return LocalSlot(
        local_start, local_end, to_utc_naive(local_start), to_utc_naive(local_end), start_exists and end_exists
    )


def expand(
    first_start: datetime, first_end: datetime, tz_name: str | None, recurrence: Recurrence | None = None,
    limit: int = MAX_OCCURRENCES,
) -> list[LocalSlot]:
    """The dates of a booking from its first date's local wall-clock start and end (naive).

    Each date of a series keeps the wall-clock times (18:00 stays 18:00 across
    daylight-saving changes). An end not after the start yields slots the rules
    report. Raises SeriesTooLong when the series has more than ``limit`` dates.
    """
    tz = zone(tz_name)
    length = first_end - first_start
    if recurrence is None:
        return [slot(first_start, first_end, tz)]
    weekdays = recurrence.weekdays or [WEEKDAY_CODES[first_start.weekday()]]
    until = datetime.combine(recurrence.until, time.max) if recurrence.until else None
    rule = rrule(
        WEEKLY,
        dtstart=first_start,
        interval=recurrence.interval,
        byweekday=[_RRULE_DAYS[code] for code in weekdays],
        until=until,
        count=recurrence.count,
        cache=False,
    )
    starts = list(islice(iter(rule), limit + 1))
    if len(starts) > limit:
        raise SeriesTooLong(limit)
    return [slot(start, start + length, tz) for start in starts]


def week_start(day: date) -> date:
    """The Monday of the week holding day."""
    return day - timedelta(days=day.weekday())
