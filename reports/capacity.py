"""Bookable hours: what utilisation divides by.

A bookable room offers its window (earliest start to latest end) on every day
of the period, except the days a closure of the room or of its centre covers.
This is arithmetic over the rooms' settings and the closures (a few hundred
rows), not over the dates.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select

from centres.models import Closure, Room
from extensions import db
from reports.queries import Period


def _window_hours(room) -> float:
    start = datetime.combine(date.min, room.earliest_time)
    end = datetime.combine(date.min, room.latest_time)
    return max((end - start).total_seconds(), 0) / 3600.0


def _closed_days(period: Period, closures, room) -> set[date]:
    days = set()
    for closure in closures:
        if closure.centre_id != room.centre_id or closure.room_id not in (None, room.id):
            continue
        day, last = max(closure.starts_on, period.start), min(closure.ends_on, period.end)
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days


def _month_days(period: Period) -> dict[str, int]:
    months: dict[str, int] = defaultdict(int)
    day = period.start
    while day <= period.end:
        following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        last = min(following - timedelta(days=1), period.end)
        months[f"{day:%Y-%m}"] += (last - day).days + 1
        day = last + timedelta(days=1)
    return months


def bookable_hours(period: Period, centre_ids) -> tuple[dict[str, dict], float]:
    """({"centre": {id: hours}, "room": {id: hours}, "month": {"YYYY-MM": hours}}, total hours)."""
    rooms_query = select(Room).where(Room.bookable.is_(True))
    closures_query = select(Closure).where(Closure.starts_on <= period.end, Closure.ends_on >= period.start)
    if centre_ids is not None:
        rooms_query = rooms_query.where(Room.centre_id.in_(centre_ids))
        closures_query = closures_query.where(Closure.centre_id.in_(centre_ids))
    closures = db.session.scalars(closures_query).all()
    months = _month_days(period)
    by = {"centre": defaultdict(float), "room": defaultdict(float), "month": defaultdict(float)}
    for room in db.session.scalars(rooms_query):
        hours = _window_hours(room)
        closed = _closed_days(period, closures, room)
        for month, days in months.items():
            open_days = days - sum(1 for day in closed if f"{day:%Y-%m}" == month)
            by["month"][month] += hours * open_days
        available = hours * (period.days - len(closed))
        by["centre"][room.centre_id] += available
        by["room"][room.id] += available
    return by, sum(by["room"].values())


def weekday_hours(period: Period) -> dict[tuple[int, int], float]:
    """{(centre id, weekday): bookable hours}, Monday = 0, every bookable room of every centre."""
    weekdays = [0] * 7
    for offset in range(min(period.days, 7)):
        day = period.start + timedelta(days=offset)
        weekdays[day.weekday()] = len(range(offset, period.days, 7))
    closures = db.session.scalars(
        select(Closure).where(Closure.starts_on <= period.end, Closure.ends_on >= period.start)).all()
    result: dict[tuple[int, int], float] = defaultdict(float)
    for room in db.session.scalars(select(Room).where(Room.bookable.is_(True))):
        hours = _window_hours(room)
        closed = [0] * 7
        for day in _closed_days(period, closures, room):
            closed[day.weekday()] += 1
        for weekday in range(7):
            result[(room.centre_id, weekday)] += hours * (weekdays[weekday] - closed[weekday])
    return result
