"""Series as one recurring VEVENT: RRULE with EXDATEs and RECURRENCE-ID overrides.

The database holds one row per date (bookings.models.Occurrence); a feed
could list them one by one. A weekly course over a year is then 52 copies of
the same title, description and address, and a busy centre's feed passes the
size at which Google Calendar stops reading it (about 1 MB). So the dates of
one series are written as one VEVENT with a weekly RRULE, and the rule is
derived from the dates themselves, not from what the booking once asked for:

* the dates shown (approved, recently cancelled, pending in private feeds)
  of one series are grouped by their local start time and length; the
  largest group is the series, the others are written as VEVENTs of their
  own (a date moved to another hour, a date across a clock change);
* the rule runs weekly from the group's first to its last date
  (UNTIL in UTC, as RFC 5545 requires with a TZID), on the weekdays seen,
  every n weeks where n is the largest interval that holds every date;
* every date the rule gives that is not shown (rejected, pending, skipped,
  cancelled more than 30 days ago) becomes an EXDATE;
* a shown date whose status or text differs from the series' (a cancelled
  date, a pending date of an approved series) becomes an override sharing the
  series' UID with its RECURRENCE-ID.

The rule is then expanded again and compared with the dates: the VEVENTs
describe exactly the dates of the database, or the group is written date by
date. Clients expand the rule in local time, so a weekly 18:00 stays 18:00
across the clock changes, as it does in the database.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from math import gcd

from feeds.ics import Vevent, utc_text
from timeutil import zone

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_INSTANCES = 2000  # a rule giving more dates than this is not worth it


def _local(value: datetime, tz) -> datetime:
    return value.replace(tzinfo=UTC).astimezone(tz)


def _utc(naive_local: datetime, tz) -> datetime | None:
    """The instant of a local wall-clock time, None when it is skipped or repeated by a clock change."""
    first = naive_local.replace(tzinfo=tz, fold=0).astimezone(UTC).replace(tzinfo=None)
    second = naive_local.replace(tzinfo=tz, fold=1).astimezone(UTC).replace(tzinfo=None)
    if first != second:
        return None
    if _local(first, tz).replace(tzinfo=None) != naive_local:
        return None
    return first


def _same_look(a: Vevent, b: Vevent) -> bool:
    return (a.status, a.summary, a.description, a.transparent) == (b.status, b.summary, b.description, b.transparent)


def combine(dates: list[Vevent], series_uid: str) -> list[Vevent]:
    """The VEVENTs for the shown dates of one series (each a Vevent with its own UID)."""
    if len(dates) < 2:
        return list(dates)
    tz = zone(dates[0].tz_name)
    shapes = {}
    for item in dates:
        local = _local(item.start, tz)
        if local.fold:
            continue  # the second of a repeated hour can only be written in UTC: it stays on its own
        shapes[id(item)] = (local.time(), item.end - item.start)
    if not shapes:
        return list(dates)
    common, _ = Counter(shapes.values()).most_common(1)[0]
    members = [item for item in dates if shapes.get(id(item)) == common]
    singles = [item for item in dates if shapes.get(id(item)) != common]
    if len(members) < 2:
        return list(dates)
    series = _series(members, series_uid, tz)
    if series is None:
        return list(dates)
    return series + singles


def _weekly(first: datetime, last: datetime, interval: int, weekdays: list[int]) -> list[datetime] | None:
    """The local wall-clock times of ``FREQ=WEEKLY;INTERVAL=interval;BYDAY=weekdays;WKST=MO`` from ``first`` to
    ``last`` (what dateutil's rrule gives, counted out week by week: a city's feed checks ~100,000 of them);
    None above MAX_INSTANCES."""
    monday = first.date() - timedelta(days=first.weekday())
    at = first.time()
    instances = []
    week = 0
    while True:
        start_of_week = monday + timedelta(weeks=week)
        for day in weekdays:
            instance = datetime.combine(start_of_week + timedelta(days=day), at)
            if instance > last:
                return instances
            if instance >= first:
                instances.append(instance)
                if len(instances) > MAX_INSTANCES:
                    return None
        week += interval


def _series(members: list[Vevent], uid: str, tz) -> list[Vevent] | None:
    members = sorted(members, key=lambda item: item.start)
    local_starts = [_local(item.start, tz).replace(tzinfo=None) for item in members]
    first, last = local_starts[0], local_starts[-1]
    monday = first.date() - timedelta(days=first.weekday())
    weeks = [(start.date() - monday).days // 7 for start in local_starts]
    interval = 0
    for week in weeks:
        interval = gcd(interval, week)
    interval = interval or 1
    weekdays = sorted({start.weekday() for start in local_starts})
    instances = _weekly(first, last, interval, weekdays)
    if instances is None:
        return None
    wanted = set(local_starts)
    if not wanted <= set(instances):
        return None
    exdates = []
    for instance in instances:
        if instance in wanted:
            continue
        instant = _utc(instance, tz)
        if instant is None:
            return None  # a left-out date at a time a clock change skips or repeats: write the dates one by one
        exdates.append(instant)

    # The series' own look is the most common one; the others become overrides.
    looks = Counter((item.status, item.summary.value, item.description.value if item.description else None)
                    for item in members)
    main_look = looks.most_common(1)[0][0]
    model = next(item for item in members
                 if (item.status, item.summary.value, item.description.value if item.description else None)
                 == main_look)
    stamp = max(item.stamp for item in members)
    sequence = max(item.sequence for item in members)
    parts = ["FREQ=WEEKLY"]
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    parts.append("BYDAY=" + ",".join(DAY_CODES[d] for d in weekdays))
    if interval > 1 and len(weekdays) > 1:
        parts.append("WKST=MO")
    parts.append(f"UNTIL={utc_text(members[-1].start)}")
    master = replace(model, uid=uid, start=members[0].start, end=members[0].end, rrule=";".join(parts),
                     exdates=exdates, recurrence_id=None, stamp=stamp, sequence=sequence)
    result = [master]
    for item in members:
        if not _same_look(item, master):
            result.append(replace(item, uid=uid, recurrence_id=item.start, rrule=None, exdates=[],
                                  stamp=stamp, sequence=sequence))
    return result
