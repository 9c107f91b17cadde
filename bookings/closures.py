"""A closure added over dates already booked: the dates it covers, and cancelling them all in one step."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from bookings import notifications
from bookings.decisions import lock_booking, record_change
from bookings.errors import NotPermitted, RuleViolation
from bookings.models import ACTIVE, APPROVED, CANCELLED, Booking, Occurrence
from bookings.rules import check_reason
from extensions import db
from terms import pricing
from timeutil import to_utc_naive, utcnow, zone


def dates_on_closure(closure, now=None) -> list[Occurrence]:
    """Active dates still to come that a (new) closure covers, of the centre's rooms or the closed room."""
    now = now or utcnow()
    tz = zone(closure.centre.timezone)
    first = to_utc_naive(datetime.combine(closure.starts_on, time.min, tzinfo=tz))
    after = to_utc_naive(datetime.combine(closure.ends_on + timedelta(days=1), time.min, tzinfo=tz))
    query = (
        select(Occurrence).join(Booking, Booking.id == Occurrence.booking_id)
        .where(Booking.centre_id == closure.centre_id, Occurrence.status.in_(ACTIVE),
               Occurrence.starts_at < after, Occurrence.ends_at > first, Occurrence.starts_at > now)
        .order_by(Occurrence.starts_at, Occurrence.id)
    )
    if closure.room_id is not None:
        query = query.where(Occurrence.room_id == closure.room_id)
    return list(db.session.scalars(query))


def cancel_for_closure(closure, by, *, reason, now=None) -> list[tuple[Booking, list[Occurrence]]]:
    """Cancel every date the closure covers, in one step: one notice per booking, in its association's language."""
    if not closure.can_edit(by):
        raise NotPermitted()
    reason, problems = check_reason(reason, required=True)
    if problems:
        raise RuleViolation(problems)
    now = now or utcnow()
    by_booking: dict[int, list[int]] = {}
    for occurrence in dates_on_closure(closure, now):
        by_booking.setdefault(occurrence.booking_id, []).append(occurrence.id)
    done = []
    for booking_id in sorted(by_booking):
        booking = db.session.get(Booking, booking_id)
        lock_booking(booking)
        wanted = set(by_booking[booking_id])
        targets = [o for o in booking.occurrences if o.id in wanted and o.status in ACTIVE and o.starts_at > now]
        if not targets:
            continue
        had_approved = [o for o in targets if o.status == APPROVED]
        for occurrence in targets:
            occurrence.set_status(CANCELLED, reason)
        booking.status = booking.status_from_dates()
        pricing.apply(booking)
        if booking.status == CANCELLED:
            booking.cancellation_reason = reason
        record_change(booking, by, "cancelled", reason=reason, occurrences=targets)
        if had_approved and booking.event is not None:
            booking.event.touch()
        if not booking.is_centre_booking:
            notifications.cancelled(booking, targets, reason, had_approved)
        done.append((booking, targets))
    db.session.flush()
    return done
