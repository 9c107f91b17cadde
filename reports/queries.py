"""The report's figures, computed by the database in one statement per period (see ``figures``).

A date belongs to a period when its local wall time overlaps the period's days
(``Occurrence.local_start``/``local_end``, indexed); its hours are clipped to
the period. Only approved dates count as held; whole bookings are counted by
their status; cancelled dates are counted apart. Multi-valued groupings
(audience, event language, programme) count an event in each of its values, so
their groups need not add up to the totals, which are computed on their own.
Cooperations (two or more organisers) are counted by reports.cooperation_figures.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, exists, func, literal, select, true

from accounts.models import Association
from bookings.models import APPROVED, CANCELLED, REJECTED, Booking, Occurrence
from events.models import Event
from extensions import db
from programmes.models import event_programme
from reports.cooperation_figures import cooperation_flags
from reports.sql import json_values, minute_of_day, minutes_between, month_of, weekday_of

GROUPINGS = ("centre", "room", "category", "audience", "language", "kind", "programme", "month")
HOME_LANGUAGE = "de"  # a multilingual offer is held in a language other than this
LONGEST_DATE = timedelta(days=2)  # a date is never longer (centres.policy: 1,440 minutes at most)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """Local wall-time bounds: from the first day's midnight to the midnight after the last day."""
        return datetime.combine(self.start, time()), datetime.combine(self.end + timedelta(days=1), time())

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def year_earlier(self) -> "Period":
        return Period(_year_before(self.start), _year_before(self.end))


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass
class Figures:
    """One row of a report. ``capacity_hours`` (the bookable hours) is set by reports.capacity."""

    bookings: int = 0
    cancelled: int = 0
    rejected: int = 0
    dates: int = 0
    dates_cancelled: int = 0
    hours: float = 0.0
    associations: int = 0
    new_associations: int = 0
    events: int = 0
    event_dates: int = 0
    multilingual: int = 0
    free: int = 0
    participants: int = 0
    counted_dates: int = 0  # dates with a participant count
    cooperations: int = 0  # events held by two or more organisers (reports.cooperation_figures)
    cross_community: int = 0  # … of different association kinds
    first_time: int = 0  # … two of whom had never held an event together before
    capacity_hours: float | None = field(default=None)

    @property
    def utilisation(self) -> float | None:
        """Booked hours ÷ bookable hours, in per cent (one decimal); None without bookable hours."""
        if not self.capacity_hours:
            return None
        return round(100.0 * self.hours / self.capacity_hours, 1)


MEASURES = tuple(f for f in Figures.__dataclass_fields__ if f != "capacity_hours")


def dialect() -> str:
    return db.session.get_bind().dialect.name


def date_filter(period: Period, centre_ids):
    lo, hi = period.bounds
    clauses = [Occurrence.local_start < hi, Occurrence.local_end > lo,
               Occurrence.local_start >= lo - LONGEST_DATE]  # the last one lets the index bound both sides
    if centre_ids is not None:
        clauses.append(Booking.centre_id.in_(centre_ids))
    return and_(*clauses)


def _per_booking(period: Period, by_month: bool):
    """Step one, from the covering index alone: each booking's dates in the period, summed (and by month)."""
    lo, hi = period.bounds
    o = Occurrence
    held = o.status == APPROVED
    clipped = minutes_between(case((o.local_start < lo, literal(lo)), else_=o.local_start),
                              case((o.local_end > hi, literal(hi)), else_=o.local_end))
    # dates inside the period count whole (their real length, across a clock change too); the rare date
    # across the period's edge loses the wall-clock minutes outside it
    minutes = case((and_(o.local_start >= lo, o.local_end <= hi), o.minutes),
                   else_=o.minutes - minutes_between(o.local_start, o.local_end) + clipped)
    keys = [o.booking_id] + ([month_of(o.local_start)] if by_month else [])
    query = select(
        o.booking_id.label("booking_id"),
        *([month_of(o.local_start).label("month")] if by_month else []),
        func.count(case((held, 1))).label("dates"),
        func.count(case((o.status == CANCELLED, 1))).label("dates_cancelled"),
        func.sum(case((held, minutes))).label("minutes"),
        func.sum(case((held, o.participants))).label("participants"),
        func.count(case((and_(held, o.participants.is_not(None)), 1))).label("counted_dates"),
    ).where(date_filter(period, None)).group_by(*keys)
    return query.cte("per_booking")


def _newness(period: Period, per_booking, centre_ids):
    """Step two: each association with a date held in the period, and whether it held none before."""
    lo, _ = period.bounds
    earlier_o, earlier_b = db.aliased(Occurrence), db.aliased(Booking)
    before = (select(literal(1)).select_from(earlier_b)
              .join(earlier_o, earlier_o.booking_id == earlier_b.id)
              .where(earlier_b.association_id == Booking.association_id, earlier_o.local_start < lo,
                     earlier_o.status == APPROVED))
    if centre_ids is not None:
        before = before.where(earlier_b.centre_id.in_(centre_ids))
    query = (select(Booking.association_id.label("association_id"), (~exists(before)).label("new"))
             .select_from(per_booking).join(Booking, Booking.id == per_booking.c.booking_id)
             .where(per_booking.c.dates > 0, Booking.association_id.is_not(None)).distinct())
    if centre_ids is not None:
        query = query.where(Booking.centre_id.in_(centre_ids))
    return query.cte("newness")


def _multilingual(name: str):
    """Events held in a language other than German (one JSON test per event, not per date)."""
    values = json_values(Event.languages, name)
    other = exists(select(literal(1)).select_from(values).where(values.c.value != HOME_LANGUAGE))
    return select(Event.id.label("event_id")).where(other).cte("multilingual")


def _attributes(whole, newness, multilingual, centre_ids):
    """Step three: what each booking of the period is (status, centre, event, kind, …), once per booking."""
    flags = cooperation_flags()
    query = (select(Booking.id.label("booking_id"), Booking.status, Booking.centre_id, Booking.room_id,
                    Booking.association_id, Event.id.label("event_id"), Event.category_key, Event.is_free,
                    Event.audiences, Event.languages, Association.kind, newness.c.new,
                    multilingual.c.event_id.is_not(None).label("multilingual"),
                    flags.c.booking_id.is_not(None).label("cooperation"), flags.c.cross_community,
                    flags.c.first_time)
             .select_from(whole).join(Booking, Booking.id == whole.c.booking_id)
             .outerjoin(Event, Event.booking_id == Booking.id)
             .outerjoin(Association, Association.id == Booking.association_id)
             .outerjoin(newness, newness.c.association_id == Booking.association_id)
             .outerjoin(multilingual, multilingual.c.event_id == Event.id)
             .outerjoin(flags, flags.c.booking_id == Booking.id))
    if centre_ids is not None:
        query = query.where(Booking.centre_id.in_(centre_ids))
    return query.cte("attributes")


def _measures(pb, a):
    """The figures over rows of ``pb`` joined to their booking's attributes ``a``. Within one group each
    booking (and its one event) comes once — a row per booking (and month), a JSON list holding each
    audience or language once — so only associations need a DISTINCT."""
    used = pb.c.dates > 0
    public = and_(used, a.c.event_id.is_not(None))
    return (
        func.count(case((a.c.status == APPROVED, 1))).label("bookings"),
        func.count(case((a.c.status == CANCELLED, 1))).label("cancelled"),
        func.count(case((a.c.status == REJECTED, 1))).label("rejected"),
        func.sum(pb.c.dates).label("dates"),
        func.sum(pb.c.dates_cancelled).label("dates_cancelled"),
        func.sum(pb.c.minutes).label("hours"),
        func.count(func.distinct(case((used, a.c.association_id)))).label("associations"),
        func.count(func.distinct(case((and_(used, a.c.new), a.c.association_id)))).label("new_associations"),
        func.count(case((public, 1))).label("events"),
        func.sum(case((a.c.event_id.is_not(None), pb.c.dates))).label("event_dates"),
        func.count(case((and_(public, a.c.multilingual), 1))).label("multilingual"),
        func.count(case((and_(public, a.c.is_free), 1))).label("free"),
        func.sum(pb.c.participants).label("participants"),
        func.sum(pb.c.counted_dates).label("counted_dates"),
        func.count(case((and_(used, a.c.cooperation), 1))).label("cooperations"),
        func.count(case((and_(used, a.c.cross_community), 1))).label("cross_community"),
        func.count(case((and_(used, a.c.first_time), 1))).label("first_time"),
    )


def _key(group_by: str, pb, a, name: str):
    """The grouping's key expression and the table it needs joined (with its condition), if any."""
    keys = {"centre": a.c.centre_id, "room": a.c.room_id, "category": a.c.category_key, "kind": a.c.kind,
            "month": pb.c.month if group_by == "month" else None}
    if group_by in keys:
        return keys[group_by], None
    if group_by == "programme":  # an event in several programmes counts in each
        return event_programme.c.programme_id, (event_programme, event_programme.c.event_id == a.c.event_id)
    values = json_values(a.c.audiences if group_by == "audience" else a.c.languages, name)
    return values.c.value, (values, true())


def _from(columns, pb, a, joins=None):
    query = select(*columns).select_from(pb).join(a, a.c.booking_id == pb.c.booking_id)
    if joins is not None:
        query = query.outerjoin(*joins)
    return query


def _whole_bookings(pb):
    sums = [func.sum(pb.c[name]).label(name)
            for name in ("dates", "dates_cancelled", "minutes", "participants", "counted_dates")]
    return select(pb.c.booking_id, *sums).group_by(pb.c.booking_id).cte("whole_bookings")


def _figures(row) -> Figures:
    values = {name: int(getattr(row, name) or 0) for name in MEASURES}
    values["hours"] = round(float(row.hours or 0) / 60.0, 2)
    return Figures(**values)


def figures(period: Period, centre_ids, group_by: str) -> tuple[dict, Figures]:
    """({key: Figures}, totals) in one statement: the groups and, in a last row, the totals.

    The key is None for dates without one (no event, the centre's own booking, no room).
    """
    name = dialect()
    pb = _per_booking(period, group_by == "month")
    whole = pb if group_by != "month" else _whole_bookings(pb)  # a row per booking, not per month
    a = _attributes(whole, _newness(period, whole, centre_ids), _multilingual(name), centre_ids)
    key, joins = _key(group_by, pb, a, name)
    groups = _from((literal(0).label("total"), key.label("key"), *_measures(pb, a)), pb, a, joins)
    totals = _from((literal(1).label("total"), literal(None).label("key"), *_measures(whole, a)), whole, a)
    grouped, total = {}, Figures()
    for row in db.session.execute(groups.group_by(key).union_all(totals)):
        if row.total:
            total = _figures(row)
        else:
            grouped[row.key] = _figures(row)
    return grouped, total


def heat_map(period: Period, centre_ids) -> dict[int, list[list[int]]]:
    """{centre id: 7 × 24 counts of held dates in progress}, weekday 0 = Monday, by local hour.

    The database groups the dates by booking, weekday, starting hour and last hour (from the
    covering index; a series is one group), then by centre; spreading each group over its hours
    is arithmetic.
    """
    o = Occurrence
    start = minute_of_day(o.local_start)
    weekday, hour, end_hour = weekday_of(o.local_start), start // 60, (start + o.minutes + 59) // 60
    inner = (select(o.booking_id, weekday.label("weekday"), hour.label("hour"), end_hour.label("end_hour"),
                    func.count().label("n"))
             .where(date_filter(period, None), o.status == APPROVED)
             .group_by(o.booking_id, weekday, hour, end_hour).subquery())
    query = (select(Booking.centre_id, inner.c.weekday, inner.c.hour, inner.c.end_hour, func.sum(inner.c.n))
             .select_from(inner).join(Booking, Booking.id == inner.c.booking_id)
             .group_by(Booking.centre_id, inner.c.weekday, inner.c.hour, inner.c.end_hour))
    if centre_ids is not None:
        query = query.where(Booking.centre_id.in_(centre_ids))
    maps: dict[int, list[list[int]]] = {}
    for centre_id, sunday_first, hour_, end, count in db.session.execute(query):
        grid = maps.setdefault(centre_id, [[0] * 24 for _ in range(7)])
        for h in range(int(hour_), min(int(end), 24)):
            grid[(int(sunday_first) - 1) % 7][h] += int(count)
    return maps
