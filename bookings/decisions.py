"""Decisions about bookings: approve, reject, cancel, withdraw — and the locks that keep them apart.

No double booking: every decision about a room takes the room's row lock
first (SELECT ... FOR NO KEY UPDATE on PostgreSQL; on SQLite every write
transaction is BEGIN IMMEDIATE, see database.py — code outside a request must
run in ``database.write_transaction()``), then checks and writes in the same
transaction. On PostgreSQL the exclusion constraint of migration 0002 is the
last word: a violation (SQLSTATE 23P01) becomes a BookingConflict naming the
dates. Each change is recorded (BookingChange) and its e-mails queued; the
caller commits.
"""

from contextlib import contextmanager
from datetime import date, datetime

from blinker import Namespace
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bookings import notifications
from bookings.errors import BookingConflict, InvalidState, NotPermitted, RuleViolation, violation
from bookings.models import (
    ACTIVE,
    APPROVED,
    CANCELLED,
    PENDING,
    REJECTED,
    STATUS_LABELS,
    Booking,
    BookingChange,
    Occurrence,
)
from bookings.rules import buffers, check_reason, check_room, check_slots, find_competing, find_conflicts
from bookings.wording import describe_slot
from centres.models import Room
from extensions import db
from operations.metrics import count_on_commit
from terms import pricing
from terms.rules import late_cancellation
from timeutil import to_local, utcnow, zone

# Reasons the system gives itself; stored as codes, shown translated (bookings.display.reason_text).
PASSED = "@passed"
COMPETING = "@competing"
NOT_SELECTED = "@not_selected"

EXCLUSION_VIOLATION = "23P01"

# Sent with the room's id (and ``now``) once a decision has freed dates of a room (cancelled, withdrawn, rejected),
# in the decision's transaction and under the room's lock: the waiting list offers them (waitlist.line).
signals = Namespace()
room_freed = signals.signal("room-freed")


# --- helpers ---------------------------------------------------------------------


def is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def lock_room(room_id) -> None:
    """Serialise the decisions about one room (PostgreSQL row lock; SQLite is serialised by BEGIN IMMEDIATE).

    FOR NO KEY UPDATE: two deciders of one room wait for each other, but new
    requests (whose foreign key to the room takes FOR KEY SHARE) do not wait.
    """
    if room_id is not None and is_postgresql():
        db.session.execute(select(Room.id).where(Room.id == room_id).with_for_update(key_share=True))


def lock_booking(booking) -> None:
    """Lock the booking's room, then the booking, and read both afresh."""
    lock_room(booking.room_id)
    # A plain SELECT ... FOR NO KEY UPDATE of the booking alone: a refresh() would repeat
    # any eager outer joins the booking was loaded with, which PostgreSQL cannot lock.
    db.session.execute(
        select(Booking)
        .where(Booking.id == booking.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).scalar_one()
    db.session.expire(booking, ["occurrences"])
    db.session.execute(
        select(Occurrence).where(Occurrence.booking_id == booking.id).execution_options(populate_existing=True)
    ).scalars().all()


def record_change(booking, user, action, *, reason="", occurrences=(), occurrence=None) -> BookingChange:
    change = BookingChange(
        user_id=getattr(user, "id", None),
        action=action,
        reason=reason or "",
        dates=[o.starts_at.isoformat() for o in occurrences],
        occurrence=occurrence,
        at=utcnow(),
    )
    booking.changes.append(change)
    return change


def _sqlstate(error) -> str | None:
    orig = getattr(error, "orig", None)
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


@contextmanager
def _exclusion_as_conflict(room_id, intervals, booking_id, tz_name):
    """An exclusion-constraint violation (PostgreSQL, SQLSTATE 23P01) in the block becomes a BookingConflict.

    Any flush in the block may hit it (an autoflush too), so the whole block is covered.
    """
    try:
        yield
    except IntegrityError as error:
        if _sqlstate(error) != EXCLUSION_VIOLATION:
            raise
        db.session.rollback()
        held = find_conflicts(room_id, intervals, exclude_booking_id=booking_id)
        dates = [intervals[i] for i in sorted(held)] or list(intervals)
        raise BookingConflict(dates, tz_name) from error


def freed(booking, now) -> None:
    if booking.room_id is not None:
        room_freed.send(booking.room_id, now=now or utcnow())


def _status_label(status) -> str:
    return str(STATUS_LABELS.get(status, status))


# --- decisions ---------------------------------------------------------------------


def approve(booking, by, *, occurrence_ids=None, reason="", now=None) -> Booking:
    """Approve the whole request, or the chosen dates (the others are rejected with ``reason``)."""
    if not booking.can_decide(by):
        raise NotPermitted()
    reason, problems = check_reason(reason, required=False)
    if problems:
        raise RuleViolation(problems)
    now = now or utcnow()
    lock_booking(booking)
    if booking.status != PENDING:
        raise InvalidState(_("This request has already been decided: it is %(status)s.", status=_status_label(booking.status)))
    association = booking.association
    if association is not None and not association.verified:
        raise RuleViolation([violation("association", _(
            "%(name)s is not verified yet. Please verify the association before approving its requests.",
            name=association.name))])
    return approve_locked(booking, by, occurrence_ids, reason, now)


def approve_locked(booking, by, occurrence_ids, reason, now) -> Booking:
    """Approve with the room's lock already held (``approve``, and a centre's own booking at creation)."""
    pending = booking.occurrences_with(PENDING)
    if occurrence_ids is None:
        selected = pending
    else:
        wanted = set(occurrence_ids)
        selected = [o for o in pending if o.id in wanted]
        if not selected:
            raise RuleViolation([violation("occurrences", _("Please choose at least one date to approve."))])
    to_approve = [o for o in selected if o.starts_at > now]
    if not to_approve:
        raise RuleViolation([violation("occurrences", _("Every date chosen has already begun."))])
    room, centre, tz_name = booking.room, booking.centre, booking.centre.timezone
    problems = check_room(room, attendees=booking.attendees)
    problems += check_slots(room, centre, [_Interval(o) for o in to_approve], now=now, at_request=False)
    if problems:
        raise RuleViolation(problems)
    intervals = [(o.starts_at, o.ends_at) for o in to_approve]
    held = find_conflicts(booking.room_id, intervals, exclude_booking_id=booking.id)
    if held:
        raise BookingConflict([intervals[i] for i in sorted(held)], tz_name)

    before, after = buffers(room)
    with _exclusion_as_conflict(booking.room_id, intervals, booking.id, tz_name):
        with db.session.no_autoflush:
            for occurrence in to_approve:
                occurrence.block(before, after)  # the room's buffers now: what find_conflicts checked
                occurrence.set_status(APPROVED)
            passed = [o for o in selected if o.starts_at <= now]
            others = [o for o in pending if o not in selected]
            for occurrence in passed:
                occurrence.set_status(REJECTED, PASSED)
            for occurrence in others:
                occurrence.set_status(REJECTED, reason or NOT_SELECTED)
            losers = _reject_competing(booking, by, intervals)
            booking.status = booking.status_from_dates()
            pricing.apply(booking)
            booking.decided_by_id = getattr(by, "id", None)
            booking.decided_at = utcnow()
            record_change(booking, by, "approved", occurrences=to_approve)
            if passed:
                record_change(booking, by, "date_rejected", reason=PASSED, occurrences=passed)
            if others:
                record_change(booking, by, "date_rejected", reason=reason or NOT_SELECTED, occurrences=others)
            if booking.event is not None:
                booking.event.touch()
        db.session.flush()
    count_on_commit("approved")
    if not booking.is_centre_booking:
        notifications.approved(booking, to_approve, passed + others)
    for loser, dates in losers:
        notifications.competing_rejected(loser, dates)
    return booking


class _Interval:
    """An occurrence seen by the rules (start/end naive UTC)."""

    exists = True

    def __init__(self, occurrence):
        self.start, self.end = occurrence.starts_at, occurrence.ends_at


def _reject_competing(booking, by, intervals):
    """Reject the pending dates of other requests that the approved dates overlap; returns [(booking, dates)]."""
    competing = find_competing(booking.room_id, intervals, exclude_booking_id=booking.id)
    if not competing:
        return []
    wanted: dict[int, set[int]] = {}
    for occurrence in competing:
        wanted.setdefault(occurrence.booking_id, set()).add(occurrence.id)
    losers = []
    for booking_id in sorted(wanted):
        # Fresh state under the room lock (every change to a booking of this room takes it).
        other = db.session.execute(
            select(Booking).where(Booking.id == booking_id).execution_options(populate_existing=True)
        ).scalar_one()
        fresh = db.session.execute(
            select(Occurrence).where(Occurrence.booking_id == booking_id).execution_options(populate_existing=True)
        ).scalars().all()
        dates = [o for o in fresh if o.id in wanted[booking_id] and o.status == PENDING]
        if not dates:
            continue
        for occurrence in dates:
            occurrence.set_status(REJECTED, COMPETING)
        other.status = other.status_from_dates()
        pricing.apply(other)
        if other.status == REJECTED:
            other.rejection_reason = COMPETING
        record_change(other, by, "competing_rejected", reason=COMPETING, occurrences=dates)
        losers.append((other, dates))
    return losers


def reject(booking, by, *, reason, now=None) -> Booking:
    """Reject a pending request; the reason is required and sent to the association."""
    if not booking.can_decide(by):
        raise NotPermitted()
    reason, problems = check_reason(reason, required=True)
    if problems:
        raise RuleViolation(problems)
    lock_booking(booking)
    if booking.status != PENDING:
        raise InvalidState(_("This request has already been decided: it is %(status)s.", status=_status_label(booking.status)))
    pending = booking.occurrences_with(PENDING)
    for occurrence in pending:
        occurrence.set_status(REJECTED, reason)
    booking.status = booking.status_from_dates()
    pricing.apply(booking)
    booking.rejection_reason = reason
    booking.decided_by_id = getattr(by, "id", None)
    booking.decided_at = utcnow()
    record_change(booking, by, "rejected", reason=reason, occurrences=pending)
    db.session.flush()
    freed(booking, now)
    count_on_commit("refused")
    notifications.rejected(booking, pending, reason)
    return booking


def cancel(booking, by, *, occurrence_id=None, following=False, reason="", now=None) -> Booking:
    """Cancel one date, that date and the following ones, or every date still to come.

    Dates that have begun stay as they are. A pending request cancelled by its
    association is withdrawn.
    """
    if not booking.can_cancel(by):
        raise NotPermitted()
    reason, problems = check_reason(reason, required=booking.cancel_needs_reason(by))
    if problems:
        raise RuleViolation(problems)
    now = now or utcnow()
    lock_booking(booking)
    if booking.status not in ACTIVE:
        raise InvalidState(_("This booking is %(status)s; there is nothing to cancel.", status=_status_label(booking.status)))
    targets, single = _dates_to_cancel(booking, occurrence_id, following, now)
    by_centre = booking.is_manager(by) and not booking.is_owner(by)
    late = []
    if not by_centre:  # the cancellation terms bind the association, not the centre
        late, refusal = late_cancellation(targets, booking.centre, now)
        if refusal:
            raise RuleViolation(refusal)
    was_pending = booking.status == PENDING
    had_approved = [o for o in targets if o.status == APPROVED]
    for occurrence in targets:
        occurrence.set_status(CANCELLED, reason)
    booking.status = booking.status_from_dates()
    pricing.apply(booking)
    late_fee = len(late) * (booking.centre.late_cancel_fee_cents or 0)
    booking.cancellation_fee_cents = (booking.cancellation_fee_cents or 0) + late_fee
    if booking.status == CANCELLED:
        booking.cancellation_reason = reason
    if was_pending and not by_centre:
        action = "withdrawn"
    elif single is not None and len(targets) == 1:
        action = "date_cancelled"
    else:
        action = "cancelled"
    record_change(booking, by, action, reason=reason, occurrences=targets, occurrence=single if len(targets) == 1 else None)
    if late_fee:
        record_change(booking, by, "late_fee", occurrences=late)
    if had_approved and booking.event is not None:
        booking.event.touch()
    db.session.flush()
    freed(booking, now)
    if by_centre:
        if not booking.is_centre_booking:
            notifications.cancelled(booking, targets, reason, had_approved)
    else:
        notifications.given_back(booking, targets, reason, withdrawn=was_pending, late_fee=late_fee)
    return booking


def _dates_to_cancel(booking, occurrence_id, following, now):
    """(the dates a cancel concerns, the single date named or None); refuses dates that cannot be cancelled."""
    tz_name = booking.centre.timezone
    future = [o for o in booking.occurrences if o.status in ACTIVE and o.starts_at > now]
    single = None
    if occurrence_id is not None:
        single = next((o for o in booking.occurrences if o.id == occurrence_id), None)
        if single is None:
            raise RuleViolation([violation("occurrence", _("This booking has no such date."))])
        label = describe_slot(single.starts_at, single.ends_at, tz_name)
        if single.status not in ACTIVE:
            raise RuleViolation([violation("occurrence", _(
                "%(date)s is already %(status)s.", date=label, status=_status_label(single.status)))])
        if single.starts_at <= now:
            raise RuleViolation([violation("occurrence", _(
                "%(date)s has already begun and can no longer be cancelled.", date=label))])
        targets = [single] + ([o for o in future if o.starts_at > single.starts_at] if following else [])
    else:
        targets = future
        if not targets:
            raise RuleViolation([violation("occurrence", _("There is no date left to cancel."))])
    return targets, single


def withdraw(booking, by, *, reason="", now=None) -> Booking:
    """The association takes back a request that is still pending."""
    if not booking.can_cancel(by):
        raise NotPermitted()
    if booking.status != PENDING:
        raise InvalidState(_("Only a pending request can be withdrawn; this one is %(status)s.",
                             status=_status_label(booking.status)))
    return cancel(booking, by, reason=reason, now=now)


def occurrence_on(booking, when) -> Occurrence | None:
    """The booking's date on a local day (date) or at a local/aware date-time; None when there is none or several."""
    tz_name = booking.centre.timezone
    if isinstance(when, datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=zone(tz_name))
        matches = [o for o in booking.occurrences if to_local(o.starts_at, tz_name) == when]
    elif isinstance(when, date):
        matches = [o for o in booking.occurrences if to_local(o.starts_at, tz_name).date() == when]
    else:
        return None
    active = [o for o in matches if o.status in ACTIVE] or matches
    return active[0] if len(active) == 1 else None

