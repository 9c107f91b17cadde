"""The demo's waiting list: associations in line for taken evenings in the coming weeks, and a few requests the
rooms had to refuse, so the waiting-list pages, the managers' lines and the unmet demand show something."""

from datetime import timedelta

from sqlalchemy import select

from accounts.models import Association
from bookings import refusals, services
from bookings.errors import BookingError
from bookings.models import APPROVED, Booking, Occurrence
from demo.season import quiet_commit
from extensions import db
from terms.rules import Responsible
from timeutil import local_wall_time, utcnow
from waitlist import line

HELD_DATES = 3  # taken evenings with a line
IN_LINE = 2  # associations in each line


def load_waiting() -> int:
    """Put associations in line for a few approved evenings two to six weeks ahead; returns the places made."""
    now = utcnow()
    taken = db.session.scalars(
        select(Occurrence).join(Booking, Booking.id == Occurrence.booking_id)
        .where(Occurrence.status == APPROVED, Occurrence.starts_at > now + timedelta(days=14),
               Occurrence.starts_at < now + timedelta(days=42), Booking.association_id.is_not(None),
               Booking.room_id.is_not(None))
        .order_by(Occurrence.starts_at)).all()
    associations = db.session.scalars(select(Association).where(Association.verified.is_(True))
                                      .order_by(Association.id)).all()
    made, rooms = 0, set()
    for occurrence in taken:
        booking = occurrence.booking
        if booking.room_id in rooms or len(rooms) >= HELD_DATES:
            continue
        rooms.add(booking.room_id)
        waiting = [a for a in associations if a.id != booking.association_id and a.members][:IN_LINE]
        for association in waiting:
            by = association.members[0]
            tz_name = booking.centre.timezone
            request = services.BookingRequest(
                centre=booking.centre, room=booking.room, association=association, title="Vereinstreffen",
                start=local_wall_time(occurrence.starts_at, tz_name), end=local_wall_time(occurrence.ends_at, tz_name),
                accept_terms=True, responsible=Responsible(by.name or "Demo Kontakt", "+49 511 333333", True))
            try:
                line.join(request, by, now=now)
                refusals.add(request, [(occurrence.starts_at, occurrence.ends_at)])  # asked first, refused
                quiet_commit()
                made += 1
            except BookingError:
                db.session.rollback()
    return made
