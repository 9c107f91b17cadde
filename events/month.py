"""The month view's dates, counted and picked in SQL.

A month of a large city holds thousands of public dates; the grid shows at
most a few per day, and the agenda the chosen day's. So the database does the
counting and the choosing: one statement joins the month's public dates to a
table of the month's local days (one row per day and centre time zone, with
its bounds in UTC), numbers the dates of each day by start with a window
function, counts each day's and the month's dates, and returns only the
picked ones — the first ``per_day`` of every day, the first ``chosen_limit``
of the chosen day. Then ``events.queries.dates_by_id`` loads those few dates
with their events (two queries). Three queries, whatever the number of dates,
and the work in Python grows with what the page shows, not with the month.

A date spanning several days is on each local day of the month it overlaps (a
date ending at midnight is not on the next day), in its centre's own time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import DateTime, Integer, String, and_, bindparam, case, column, func, or_, select, text

from bookings.models import Occurrence
from centres.models import Centre
from centres.policy import MAX_LENGTH
from events.calendar import EventDate, add_months, event_dates
from events.models import Event
from events.queries import EventFilters, dates_by_id, public_occurrences_query
from extensions import db
from parsing import to_utc


@dataclass
class MonthDates:
    """What the month view shows: per local day, the number of dates and the picked ones."""

    counts: dict[date, int]
    picked: dict[date, list[EventDate]]
    total: int  # distinct dates overlapping the month


def day_table(first: date, zones: set[str]):
    """A table of the month's local days in each zone: (zone, day, day_start, day_end, scan_from), naive UTC.

    No date is longer than MAX_LENGTH, so a day's dates start after ``scan_from``: an index range per day.
    Written as a VALUES list of bound parameters in plain SQL rather than SQLAlchemy's ``values()``, whose
    literal rows keep the statement out of the compiled-statement cache (the month's statement was compiled
    afresh at every request); this text has one shape per number of days and zones, so it is compiled once.
    """
    columns = (column("zone", String), column("day", Integer), column("day_start", DateTime),
               column("day_end", DateTime), column("scan_from", DateTime))
    rows, parameters = [], []
    following = add_months(first, 1)
    for tz_name in sorted(zones):
        day = first
        while day < following:
            day_start = to_utc(day, tz_name)
            values = (tz_name, day.toordinal(), day_start, to_utc(day + timedelta(days=1), tz_name),
                      day_start - MAX_LENGTH)
            names = [f"month_day_{len(rows)}_{i}" for i in range(len(columns))]
            parameters += [bindparam(n, v, type_=c.type) for n, v, c in zip(names, values, columns, strict=True)]
            rows.append("(" + ", ".join(f":{n}" for n in names) + ")")
            day += timedelta(days=1)
    named = ", ".join(f"v.column{i} AS {c.name}" for i, c in enumerate(columns, start=1))
    return text(f"SELECT {named} FROM (VALUES {', '.join(rows)}) AS v").bindparams(*parameters).columns(*columns)


def month_dates(filters: EventFilters, first: date, zones: set[str], *, per_day: int, chosen: date | None = None,
                chosen_limit: int = 0) -> MonthDates:
    """The month starting at ``first``: each day's count and first ``per_day`` dates, and the first ``chosen_limit``
    of ``chosen`` (None: of the month's first day with dates).

    ``zones`` are the time zones of the centres (each date falls on the days of its centre's zone).
    """
    days = day_table(first, zones).cte("month_days")
    following = add_months(first, 1)
    start = min(to_utc(first, tz_name) for tz_name in zones)
    end = max(to_utc(following, tz_name) for tz_name in zones)
    order = (Occurrence.starts_at, Occurrence.id)
    on_days = (
        public_occurrences_query(filters, start, end, columns=(
            days.c.day,
            Occurrence.id.label("occurrence_id"),
            func.row_number().over(partition_by=days.c.day, order_by=order).label("rank"),
            func.count().over(partition_by=days.c.day).label("day_count"),
            func.row_number().over(partition_by=Occurrence.id, order_by=days.c.day).label("nth_day"),
        ))
        .join(Centre, Centre.id == Event.centre_id)
        .join(days, and_(days.c.zone == Centre.timezone, Occurrence.starts_at < days.c.day_end,
                         Occurrence.starts_at > days.c.scan_from, Occurrence.ends_at > days.c.day_start))
        .order_by(None)
        .subquery()
    )
    counted = select(
        on_days.c.day, on_days.c.occurrence_id, on_days.c.rank, on_days.c.day_count,
        func.sum(case((on_days.c.nth_day == 1, 1), else_=0)).over().label("total"),
        func.min(on_days.c.day).over().label("first_day"),
    ).subquery()
    # the chosen day, else the month's first day with dates
    chosen_day = counted.c.first_day if chosen is None else chosen.toordinal()
    wanted = or_(counted.c.rank <= per_day, and_(counted.c.day == chosen_day, counted.c.rank <= chosen_limit))
    rows = db.session.execute(
        select(counted.c.day, counted.c.occurrence_id, counted.c.day_count, counted.c.total)
        .where(wanted).order_by(counted.c.day, counted.c.rank)
    ).all()
    if not rows:
        return MonthDates({}, {}, 0)
    loaded = {item.occurrence.id: item for item in event_dates(dates_by_id({row.occurrence_id for row in rows}))}
    counts: dict[date, int] = {}
    picked: dict[date, list[EventDate]] = {}
    for row in rows:
        day = date.fromordinal(row.day)
        counts[day] = row.day_count
        if row.occurrence_id in loaded:
            picked.setdefault(day, []).append(loaded[row.occurrence_id])
    return MonthDates(counts, picked, rows[0].total)
