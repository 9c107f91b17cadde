"""Which bookings are cooperations, for the report's figures: one row per booking held by two or more
organisers (the booking association and at least one accepted co-organiser).

- ``cross_community``: its organisers are of different association kinds;
- ``first_time``: two of its organisers had never held an event together before it (no other booking of
  both, as organisers, whose first held date came earlier; of two with the same first date the older
  booking comes first).

Accepted cooperations are few beside the dates, so every one is looked at (history included: a first time
is measured against all of it); the report joins the result to its bookings.
"""

from sqlalchemy import and_, exists, func, literal, or_, select, union

from accounts.models import Association
from bookings.models import APPROVED, Booking, Occurrence
from programmes.models import ACCEPTED, Cooperation


def _organisers():
    """(booking, association) for every organiser of a booking with an accepted co-organiser."""
    accepted = select(Cooperation.booking_id).where(Cooperation.status == ACCEPTED)
    return union(
        select(Booking.id.label("booking_id"), Booking.association_id.label("association_id"))
        .where(Booking.id.in_(accepted), Booking.association_id.is_not(None)),
        select(Cooperation.booking_id, Cooperation.association_id).where(Cooperation.status == ACCEPTED),
    ).cte("organisers")


def _pairs(organisers):
    """Every two organisers of a booking, the smaller id first, with the booking's first held date."""
    first, second = organisers.alias("first_organiser"), organisers.alias("second_organiser")
    first_dates = (select(Occurrence.booking_id, func.min(Occurrence.local_start).label("first_date"))
                   .where(Occurrence.status == APPROVED,
                          Occurrence.booking_id.in_(select(organisers.c.booking_id)))
                   .group_by(Occurrence.booking_id).cte("first_dates"))
    return (select(first.c.booking_id, first.c.association_id.label("one"),
                   second.c.association_id.label("other"), first_dates.c.first_date)
            .select_from(first)
            .join(second, and_(second.c.booking_id == first.c.booking_id,
                               first.c.association_id < second.c.association_id))
            .join(first_dates, first_dates.c.booking_id == first.c.booking_id)
            .cte("organiser_pairs"))


def cooperation_flags():
    """A CTE (booking_id, cross_community, first_time) of the bookings held by two or more organisers."""
    organisers = _organisers()
    pairs = _pairs(organisers)
    earlier = pairs.alias("earlier_pair")
    before = exists(select(literal(1)).select_from(earlier).where(
        earlier.c.one == pairs.c.one, earlier.c.other == pairs.c.other,
        or_(earlier.c.first_date < pairs.c.first_date,
            and_(earlier.c.first_date == pairs.c.first_date, earlier.c.booking_id < pairs.c.booking_id))))
    new_pairs = select(pairs.c.booking_id).where(~before)
    kinds = (select(organisers.c.booking_id, func.count(func.distinct(Association.kind)).label("kinds"))
             .join(Association, Association.id == organisers.c.association_id)
             .group_by(organisers.c.booking_id).cte("organiser_kinds"))
    return (select(kinds.c.booking_id, (kinds.c.kinds > 1).label("cross_community"),
                   kinds.c.booking_id.in_(new_pairs).label("first_time"))
            .cte("cooperation_flags"))

