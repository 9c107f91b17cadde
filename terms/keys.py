"""Keys not back: the reminder the association receives the morning after its date (a worker job)."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from bookings import notifications
from bookings.models import Booking
from extensions import db
from outbox.jobs import job
from terms.models import KeyHandover
from timeutil import to_local, to_utc_naive, zone


@job("key-reminders", time(9, 0), per_centre=True)
def key_reminders(centre, slot, now):
    """Remind associations of keys not returned after their date (once per key, the morning after)."""
    # Due before the slot's local midnight: the date was yesterday or earlier.
    midnight = to_utc_naive(datetime.combine(to_local(slot, centre.timezone).date(), time.min,
                                             tzinfo=zone(centre.timezone)))
    keys = db.session.scalars(
        select(KeyHandover).join(Booking, Booking.id == KeyHandover.booking_id)
        .where(Booking.centre_id == centre.id, KeyHandover.returned_at.is_(None), KeyHandover.reminded_at.is_(None),
               KeyHandover.due_at < midnight, KeyHandover.due_at > midnight - timedelta(days=60))
        .order_by(KeyHandover.id)
    ).all()
    for handover in keys:
        notifications.key_not_returned(handover)
        handover.reminded_at = now
    return f"{len(keys)} key reminders"
