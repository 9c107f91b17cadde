"""State changes of bookings: request, approve, reject, cancel, withdraw.

Every path (form, API, manager pages, CLI) calls these functions; they check
the rules (bookings.rules), lock what must be locked, change the rows, record
the change, queue the e-mails (sent after commit) and ``flush``. The caller
commits. Domain errors: NotPermitted (403), RuleViolation (422),
BookingConflict and InvalidState (409).

No double booking: approving takes the room's row lock (SELECT ... FOR UPDATE
on PostgreSQL; on SQLite every write transaction is BEGIN IMMEDIATE, see
database.py — code outside a request must run in ``database.write_transaction()``),
checks for approved dates in the way and writes, all in one transaction. On
PostgreSQL the exclusion constraint of migration 0002 is the last word: a
violation (SQLSTATE 23P01) becomes a BookingConflict naming the dates.
"""

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bookings import notifications
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
from bookings.recurrence import MAX_OCCURRENCES, Recurrence, SeriesTooLong, expand
from bookings.rules import (
    MAX_TITLE,
    BookingConflict,
    InvalidState,
    NotPermitted,
    RuleViolation,
    check_reason,
    check_room,
    check_slots,
    check_text,
    collisions,
    describe_slot,
    find_competing,
    find_conflicts,
    violation,
)
from extensions import db
from i18n import clean_texts
from timeutil import to_local, utcnow

# Reasons the system gives itself; stored as codes, shown translated (bookings.display.reason_text).
PASSED = "@passed"
COMPETING = "@competing"
NOT_SELECTED = "@not_selected"

EXCLUSION_VIOLATION = "23P01"
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass
class BookingRequest:
    """What a request asks for. ``start``/``end``: the first date's local wall-clock times (naive)."""

    centre: object
    room: object | None
    association: object | None
    title: str
    start: datetime
    end: datetime
    recurrence: Recurrence | None = None
    attendees: int | None = None
    skip_conflicts: bool = False
    exclude_dates: frozenset = frozenset()
    note: str = ""
    event: dict | None = None


@dataclass
class Plan:
    """A request checked but not stored: its dates, what breaks the rules, what is in the way."""

    request: BookingRequest
    slots: list = field(default_factory=list)
    violations: list = field(default_factory=list)
    conflicts: dict = field(default_factory=dict)  # slot index -> approved occurrences in the way
    competing: dict = field(default_factory=dict)  # slot index -> pending occurrences of other requests

    @property
    def kept(self) -> list:
        """The dates that would be stored (without the conflicting ones when skipping conflicts)."""
        if self.request.skip_conflicts:
            return [s for i, s in enumerate(self.slots) if i not in self.conflicts]
        return list(self.slots)

    @property
    def conflicting(self) -> list:
        return [self.slots[i] for i in sorted(self.conflicts)]

    @property
    def ok(self) -> bool:
        return not self.violations and bool(self.kept) and (self.request.skip_conflicts or not self.conflicts)


# --- helpers ---------------------------------------------------------------------


def is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def lock_room(room_id) -> None:
    """Serialise the decisions about one room (PostgreSQL row lock; SQLite is serialised by BEGIN IMMEDIATE).

    FOR NO KEY UPDATE: two deciders of one room wait for each other, but new
    requests (whose foreign key to the room takes FOR KEY SHARE) do not wait.
    """
    from centres.models import Room

    if room_id is not None and is_postgresql():
        db.session.execute(select(Room.id).where(Room.id == room_id).with_for_update(key_share=True))


def _lock(booking) -> None:
    """Lock the booking's room, then the booking, and read both afresh."""
    lock_room(booking.room_id)
    db.session.refresh(booking, with_for_update={"key_share": True} if is_postgresql() else None)
    db.session.expire(booking, ["occurrences"])
    db.session.execute(
        select(Occurrence).where(Occurrence.booking_id == booking.id).execution_options(populate_existing=True)
    ).scalars().all()


def _record(booking, user, action, *, reason="", occurrences=(), occurrence=None) -> BookingChange:
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


def _status_label(status) -> str:
    return str(STATUS_LABELS.get(status, status))


# --- requests ----------------------------------------------------------------------


def check_may_request(user, centre, room, association) -> None:
    """Members book for their association; the centre's managers book for the centre."""
    if association is not None:
        if not (user.is_member_of(association) or user.is_admin):
            raise NotPermitted()
        if room is None:
            raise RuleViolation([violation("room_id", _("Please choose a room."))])
    elif not user.manages(centre):
        raise NotPermitted()
    if room is not None and room.centre_id != centre.id:
        raise RuleViolation([violation("room_id", _("This room does not belong to the centre."))])


def plan_booking(request: BookingRequest, *, by_manager=False, now=None) -> Plan:
    """Check a request without storing it: dates, rule violations, conflicts (for the form's preview too)."""
    now = now or utcnow()
    plan = Plan(request)
    room, centre = request.room, request.centre
    title = (request.title or "").strip()
    if not title:
        plan.violations.append(violation("title", _("Please give a title.")))
    elif len(title) > MAX_TITLE:
        plan.violations.append(violation("title", _("Please use at most %(max)d characters.", max=MAX_TITLE)))
    plan.violations.extend(check_text("title", title) + check_text("note", request.note or ""))
    plan.violations.extend(check_room(room, attendees=request.attendees))
    try:
        slots = expand(request.start, request.end, centre.timezone, request.recurrence)
    except SeriesTooLong:
        plan.violations.append(violation("recurrence", _(
            "A series may have at most %(max)d dates. Please choose an earlier last date or fewer dates.",
            max=MAX_OCCURRENCES)))
        return plan
    plan.slots = [s for s in slots if s.day not in request.exclude_dates]
    if not plan.slots:
        plan.violations.append(violation("recurrence", _("The series has no dates. Please check the weekdays and the last date.")))
        return plan
    intervals = [(s.start, s.end) for s in plan.slots]
    if room is not None:
        plan.conflicts = find_conflicts(room.id, intervals)
        plan.competing = collisions(intervals, find_competing(room.id, intervals))
    to_check = plan.kept if request.skip_conflicts else plan.slots
    plan.violations.extend(check_slots(room, centre, to_check, now=now, by_manager=by_manager))
    return plan


def request_booking(request: BookingRequest, by, *, now=None) -> Booking:
    """Store a request (pending). A manager's booking for the centre is approved at once."""
    now = now or utcnow()
    centre, room = request.centre, request.room
    check_may_request(by, centre, room, request.association)
    centre_booking = request.association is None
    event_data = clean_event(request.event, centre) if request.event is not None else None
    if centre_booking and room is not None:
        lock_room(room.id)
    plan = plan_booking(request, by_manager=by.manages(centre), now=now)
    if plan.violations:
        raise RuleViolation(plan.violations)
    if plan.conflicts and (not request.skip_conflicts or not plan.kept):
        raise BookingConflict([(s.start, s.end) for s in plan.conflicting], centre.timezone)
    recurrence = request.recurrence
    booking = Booking(
        centre=centre,
        room=room,
        association=request.association,
        created_by_id=by.id,
        title=request.title.strip(),
        status=PENDING,
        recurrence_freq=recurrence.freq if recurrence else None,
        recurrence_interval=recurrence.interval if recurrence else 1,
        recurrence_weekdays=list(recurrence.weekdays) if recurrence else [],
        recurrence_until=recurrence.until if recurrence else None,
        recurrence_count=recurrence.count if recurrence else None,
        attendees=request.attendees,
        note=(request.note or "").strip()[:2000],
    )
    for s in plan.kept:
        booking.occurrences.append(Occurrence(room_id=room.id if room else None, starts_at=s.start, ends_at=s.end))
    if event_data is not None:
        from events.models import Event

        booking.event = Event(centre_id=centre.id, room_id=room.id if room else None, **event_data)
    db.session.add(booking)
    _record(booking, by, "requested", occurrences=booking.occurrences)
    db.session.flush()
    if centre_booking:
        _approve_locked(booking, by, None, "", now)
    else:
        notifications.new_request(booking)
    return booking


def clean_event(data: dict, centre) -> dict:
    """The public event's data, checked; raises RuleViolation naming the fields (event.title, ...)."""
    from events.models import AUDIENCES, Category

    problems = []
    title = clean_texts(data.get("title") or {})
    description = clean_texts(data.get("description") or {})
    for key, texts, limit in (("title", title, MAX_TITLE), ("description", description, 4000)):
        for text in texts.values():
            if len(text) > limit:
                problems.append(violation(f"event.{key}", _("Please use at most %(max)d characters.", max=limit)))
                break
            if check_text(f"event.{key}", text):
                problems.extend(check_text(f"event.{key}", text))
                break
    category = data.get("category_key") or None
    if category is not None and db.session.get(Category, category) is None:
        problems.append(violation("event.category", _("There is no such category.")))
    audiences = list(dict.fromkeys(data.get("audiences") or []))
    if any(a not in AUDIENCES for a in audiences):
        problems.append(violation("event.audience", _("There is no such audience.")))
    languages = list(dict.fromkeys(data.get("languages") or []))
    if len(languages) > 30 or any(not LANGUAGE_TAG.match(code) for code in languages):
        problems.append(violation("event.languages", _("Please give languages as codes such as de, tr or ar.")))
    url = (data.get("registration_url") or "").strip()
    if url and (len(url) > 300 or not re.match(r"^https?://[^\s/]+", url)):
        problems.append(violation("event.registration_url", _("Please enter a web address such as https://example.org.")))
    price = (data.get("price") or "").strip()
    problems.extend(check_text("event.price", price) + check_text("event.registration_url", url))
    if len(price) > 100:
        problems.append(violation("event.price", _("Please use at most %(max)d characters.", max=100)))
    if problems:
        raise RuleViolation(problems)
    return {
        "title": title,
        "description": description,
        "category_key": category,
        "audiences": audiences,
        "languages": languages,
        "is_free": bool(data.get("is_free", True)),
        "price": price,
        "registration_url": url,
        "barrier_free": bool(data.get("barrier_free", False)),
    }


# --- decisions ---------------------------------------------------------------------


def approve(booking, by, *, occurrence_ids=None, reason="", now=None) -> Booking:
    """Approve the whole request, or the chosen dates (the others are rejected with ``reason``)."""
    if not booking.can_decide(by):
        raise NotPermitted()
    reason, problems = check_reason(reason, required=False)
    if problems:
        raise RuleViolation(problems)
    now = now or utcnow()
    _lock(booking)
    if booking.status != PENDING:
        raise InvalidState(_("This request has already been decided: it is %(status)s.", status=_status_label(booking.status)))
    association = booking.association
    if association is not None and not association.verified:
        raise RuleViolation([violation("association", _(
            "%(name)s is not verified yet. Please verify the association before approving its requests.",
            name=association.name))])
    return _approve_locked(booking, by, occurrence_ids, reason, now)


def _approve_locked(booking, by, occurrence_ids, reason, now) -> Booking:
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

    with _exclusion_as_conflict(booking.room_id, intervals, booking.id, tz_name):
        with db.session.no_autoflush:
            for occurrence in to_approve:
                occurrence.set_status(APPROVED)
            passed = [o for o in selected if o.starts_at <= now]
            others = [o for o in pending if o not in selected]
            for occurrence in passed:
                occurrence.set_status(REJECTED, PASSED)
            for occurrence in others:
                occurrence.set_status(REJECTED, reason or NOT_SELECTED)
            losers = _reject_competing(booking, by, intervals)
            booking.status = booking.status_from_dates()
            booking.decided_by_id = getattr(by, "id", None)
            booking.decided_at = utcnow()
            _record(booking, by, "approved", occurrences=to_approve)
            if passed:
                _record(booking, by, "date_rejected", reason=PASSED, occurrences=passed)
            if others:
                _record(booking, by, "date_rejected", reason=reason or NOT_SELECTED, occurrences=others)
            if booking.event is not None:
                booking.event.touch()
        db.session.flush()
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
        if other.status == REJECTED:
            other.rejection_reason = COMPETING
        _record(other, by, "competing_rejected", reason=COMPETING, occurrences=dates)
        losers.append((other, dates))
    return losers


def reject(booking, by, *, reason, now=None) -> Booking:
    """Reject a pending request; the reason is required and sent to the association."""
    if not booking.can_decide(by):
        raise NotPermitted()
    reason, problems = check_reason(reason, required=True)
    if problems:
        raise RuleViolation(problems)
    _lock(booking)
    if booking.status != PENDING:
        raise InvalidState(_("This request has already been decided: it is %(status)s.", status=_status_label(booking.status)))
    pending = booking.occurrences_with(PENDING)
    for occurrence in pending:
        occurrence.set_status(REJECTED, reason)
    booking.status = booking.status_from_dates()
    booking.rejection_reason = reason
    booking.decided_by_id = getattr(by, "id", None)
    booking.decided_at = utcnow()
    _record(booking, by, "rejected", reason=reason, occurrences=pending)
    db.session.flush()
    notifications.rejected(booking, pending, reason)
    return booking


def cancel(booking, by, *, occurrence_id=None, following=False, reason="", now=None) -> Booking:
    """Cancel one date, that date and the following ones, or every date still to come.

    Dates that have begun stay as they are. A pending request cancelled by its
    association is withdrawn.
    """
    if not booking.can_cancel(by):
        raise NotPermitted()
    reason, problems = check_reason(reason, required=False)
    if problems:
        raise RuleViolation(problems)
    now = now or utcnow()
    _lock(booking)
    if booking.status not in ACTIVE:
        raise InvalidState(_("This booking is %(status)s; there is nothing to cancel.", status=_status_label(booking.status)))
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
    was_pending = booking.status == PENDING
    had_approved = [o for o in targets if o.status == APPROVED]
    for occurrence in targets:
        occurrence.set_status(CANCELLED, reason)
    booking.status = booking.status_from_dates()
    if booking.status == CANCELLED:
        booking.cancellation_reason = reason
    by_centre = booking.is_manager(by) and not booking.is_owner(by)
    if was_pending and not by_centre:
        action = "withdrawn"
    elif single is not None and len(targets) == 1:
        action = "date_cancelled"
    else:
        action = "cancelled"
    _record(booking, by, action, reason=reason, occurrences=targets, occurrence=single if len(targets) == 1 else None)
    if had_approved and booking.event is not None:
        booking.event.touch()
    db.session.flush()
    if by_centre:
        if not booking.is_centre_booking:
            notifications.cancelled(booking, targets, reason, had_approved)
    else:
        notifications.given_back(booking, targets, reason, withdrawn=was_pending)
    return booking


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
            from timeutil import zone

            when = when.replace(tzinfo=zone(tz_name))
        matches = [o for o in booking.occurrences if to_local(o.starts_at, tz_name) == when]
    elif isinstance(when, date):
        matches = [o for o in booking.occurrences if to_local(o.starts_at, tz_name).date() == when]
    else:
        return None
    active = [o for o in matches if o.status in ACTIVE] or matches
    return active[0] if len(active) == 1 else None
