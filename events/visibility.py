"""What residents may see: the one definition of a public event and of its public dates.

An event is public once its booking was approved, and stays so when the
booking is cancelled afterwards: its dates then show as cancelled, with the
reason, until they pass. A date is public when approved, or when cancelled
(until it ends, or since a given moment). Pending and rejected requests are
never public; the people who may edit an event see a preview with its pending
dates. The pages, the API, the embed and the feeds all ask here, in SQL
(``*_clause``) or in Python (``is_*``), and both say the same.
"""

from datetime import datetime

from sqlalchemy import and_, or_

from bookings.models import APPROVED, CANCELLED, PENDING, Booking, Occurrence
from timeutil import utcnow

PUBLIC_DATE_STATUSES = (APPROVED, CANCELLED)
PREVIEW_DATE_STATUSES = (PENDING, APPROVED, CANCELLED)


def is_public_booking(booking) -> bool:
    """Approved, or cancelled after it was approved (``decided_at`` set)."""
    if booking is None:
        return False
    return booking.status == APPROVED or (booking.status == CANCELLED and booking.decided_at is not None)


def public_booking_clause():
    """``is_public_booking`` in SQL."""
    return or_(
        Booking.status == APPROVED,
        and_(Booking.status == CANCELLED, Booking.decided_at.is_not(None)),
    )


def is_public_date(occurrence, *, include_cancelled: bool = True, cancelled_since: datetime | None = None) -> bool:
    """Approved; or cancelled and still to end after ``cancelled_since`` (default: now)."""
    if occurrence.status == APPROVED:
        return True
    return include_cancelled and occurrence.status == CANCELLED and occurrence.ends_at > (cancelled_since or utcnow())


def public_date_clause(include_cancelled: bool = True, cancelled_since: datetime | None = None):
    """``is_public_date`` in SQL."""
    if not include_cancelled:
        return Occurrence.status == APPROVED
    return or_(
        Occurrence.status == APPROVED,
        and_(Occurrence.status == CANCELLED, Occurrence.ends_at > (cancelled_since or utcnow())),
    )
