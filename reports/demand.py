"""Unmet demand: the dates the rooms could not take, and how many the waiting list served later.

Two sources, counted over the dates' local wall time in the period: refused requests (bookings.refusals: a date
asked for and answered 409, or left out of a series because it was taken; one per association, room and date)
and places on the waiting list (every entry, whatever became of it). *Served* are places whose offer was accepted
and whose request the centre then approved. One SQL statement per grouping: both sources as one list, grouped.
"""

from dataclasses import dataclass

from sqlalchemy import Integer, case, cast, distinct, func, literal, select, union_all

from accounts.models import Association
from bookings.models import APPROVED, Booking
from bookings.refusals import RefusedRequest
from extensions import db
from reports.queries import Period
from reports.sql import minute_of_day, month_of, weekday_of
from waitlist.models import ACCEPTED, WaitlistEntry

GROUPINGS = ("centre", "room", "month", "kind")


@dataclass
class Demand:
    refused: int = 0  # dates refused
    waiting: int = 0  # places taken in line
    served: int = 0  # places in line that became an approved booking
    associations: int = 0  # distinct associations behind the figures (small-cell suppression)

    @property
    def unmet(self) -> int:
        return self.refused + self.waiting - self.served


def _sources(period: Period, centre_ids):
    """Both sources as rows (centre_id, room_id, local_start, association_id, refused, waiting, served)."""
    start, end = period.bounds
    refused = select(RefusedRequest.centre_id, RefusedRequest.room_id, RefusedRequest.local_start,
                     RefusedRequest.association_id, literal(1).label("refused"), literal(0).label("waiting"),
                     literal(0).label("served")).where(
        RefusedRequest.local_start >= start, RefusedRequest.local_start < end)
    served = case((WaitlistEntry.status == ACCEPTED, case((Booking.status == APPROVED, 1), else_=0)), else_=0)
    waiting = select(WaitlistEntry.centre_id, WaitlistEntry.room_id, WaitlistEntry.local_start,
                     WaitlistEntry.association_id, literal(0), literal(1), served).outerjoin(
        Booking, Booking.id == WaitlistEntry.booking_id).where(
        WaitlistEntry.local_start >= start, WaitlistEntry.local_start < end)
    if centre_ids is not None:
        refused = refused.where(RefusedRequest.centre_id.in_(list(centre_ids)))
        waiting = waiting.where(WaitlistEntry.centre_id.in_(list(centre_ids)))
    return union_all(refused, waiting).subquery("demand")


def _key(rows, group_by):
    if group_by == "centre":
        return rows.c.centre_id
    if group_by == "room":
        return rows.c.room_id
    if group_by == "month":
        return month_of(rows.c.local_start)
    return Association.kind


def demand(period: Period, centre_ids, group_by: str) -> tuple[dict, Demand]:
    """({key: Demand}, totals) for a grouping of GROUPINGS (others: by centre)."""
    if group_by not in GROUPINGS:
        group_by = "centre"
    rows = _sources(period, centre_ids)
    key = _key(rows, group_by).label("key")
    query = select(key, func.sum(rows.c.refused), func.sum(rows.c.waiting), func.sum(rows.c.served),
                   func.count(distinct(rows.c.association_id))).group_by(key)
    if group_by == "kind":
        query = query.join(Association, Association.id == rows.c.association_id)
    groups = {row[0]: Demand(int(row[1] or 0), int(row[2] or 0), int(row[3] or 0), int(row[4] or 0))
              for row in db.session.execute(query)}
    total = db.session.execute(select(func.sum(rows.c.refused), func.sum(rows.c.waiting), func.sum(rows.c.served),
                                      func.count(distinct(rows.c.association_id)))).one()
    return groups, Demand(*(int(value or 0) for value in total))


@dataclass
class DemandTable:
    group_by: str
    rows: list  # [(label, Demand)]
    totals: Demand
    heat: dict


def table(period: Period, centre_ids, group_by: str, labels) -> DemandTable:
    """What the report page shows: the grouping's rows with labels (``labels(group_by)`` names a key)."""
    group_by = group_by if group_by in GROUPINGS else "centre"
    groups, totals = demand(period, centre_ids, group_by)
    name = labels(group_by)
    order = (lambda key: str(key)) if group_by == "month" else (lambda key: str(name(key)).casefold())
    rows = [(name(key), groups[key]) for key in sorted(groups, key=order)]
    return DemandTable(group_by, rows, totals, heat(period, centre_ids))


def heat(period: Period, centre_ids) -> dict[tuple[int, int], int]:
    """{(weekday 0 = Monday, hour): dates refused or waited for} by the dates' local start."""
    rows = _sources(period, centre_ids)
    weekday = ((weekday_of(rows.c.local_start) + 6) % 7).label("weekday")  # 0 = Monday
    hour = cast(minute_of_day(rows.c.local_start) / 60, Integer).label("hour")
    query = select(weekday, hour, func.count()).group_by(weekday, hour)
    return {(int(day), int(h)): int(count) for day, h, count in db.session.execute(query)}
