"""Each date's wall time in its centre's zone (``Occurrence.local_start``/``local_end``), kept true
when a centre moves to another zone: the reports group by it."""

from sqlalchemy import select, update

from bookings.models import Booking, Occurrence
from extensions import db
from timeutil import local_wall_time


def relocalise(centre) -> int:
    """Recompute the wall times of every date of the centre's bookings; the number of dates."""
    rows = db.session.execute(
        select(Occurrence.id, Occurrence.starts_at, Occurrence.ends_at)
        .join(Booking, Booking.id == Occurrence.booking_id).where(Booking.centre_id == centre.id)
    ).all()
    values = [{"id": id_, "local_start": local_wall_time(starts, centre.timezone),
               "local_end": local_wall_time(ends, centre.timezone)} for id_, starts, ends in rows]
    if values:
        db.session.execute(update(Occurrence), values)
    return len(values)
