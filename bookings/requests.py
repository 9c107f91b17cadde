"""Requests for rooms: what is asked (BookingRequest), checked (plan_booking) and stored (request_booking).

The rules are bookings.rules; a manager's booking for the centre itself is
approved at once through bookings.decisions, under the room's lock.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from bookings import notifications, refusals
from bookings.decisions import approve_locked, lock_room, record_change
from bookings.errors import BookingConflict, NotPermitted, RuleViolation, violation
from bookings.models import PENDING, Booking, Occurrence
from bookings.recurrence import MAX_OCCURRENCES, Recurrence, SeriesTooLong, expand
from bookings.rules import (
    MAX_TITLE,
    buffers,
    check_line,
    check_room,
    check_slots,
    check_text,
    closed_on,
    closures_for,
    collisions,
    find_competing,
    find_conflicts,
    widen,
)
from events.models import Event
from events.rules import clean_event
from extensions import db
from operations.metrics import count_on_commit
from programmes import cooperation_notices, cooperations
from programmes.cooperations import check_co_organisers
from programmes.rules import check_programmes
from terms import pricing
from terms.models import HouseRules
from terms.pricing import Fee
from terms.rules import Responsible, check_terms, clean_responsible
from timeutil import local_wall_time, utcnow


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
    # The centre's terms (terms.rules): house rules accepted, the responsible person, a commercial purpose.
    accept_terms: bool = False
    responsible: Responsible | None = None
    commercial: bool = False
    programmes: tuple = ()  # slugs of the programmes the event is part of (programmes.rules)
    co_organisers: tuple = ()  # ids of associations invited to organise the event together (programmes.cooperations)


@dataclass
class Plan:
    """A request checked but not stored: its dates, what breaks the rules, what is in the way."""

    request: BookingRequest
    slots: list = field(default_factory=list)
    violations: list = field(default_factory=list)
    conflicts: dict = field(default_factory=dict)  # slot index -> approved occurrences in the way
    competing: dict = field(default_factory=dict)  # slot index -> pending occurrences of other requests
    closed: list = field(default_factory=list)  # dates of a series left out: they fall on a closure
    fee: Fee | None = None  # what the dates kept cost (terms.pricing)

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
    plan.violations.extend(check_line("title", title) + check_text("note", request.note or ""))
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
    closures = closures_for(centre, room)
    if len(plan.slots) > 1:  # a series leaves out its dates on a closure; a single date on one is refused
        open_slots = [s for s in plan.slots if closed_on(closures, s.local_start.date(), s.local_end.date()) is None]
        if open_slots:
            plan.closed = [s for s in plan.slots if s not in open_slots]
            plan.slots = open_slots
    intervals = [(s.start, s.end) for s in plan.slots]
    if room is not None:
        plan.conflicts = find_conflicts(room.id, intervals)
        plan.competing = collisions(widen(room, intervals), find_competing(room.id, intervals))
    to_check = plan.kept if request.skip_conflicts else plan.slots
    plan.violations.extend(check_slots(room, centre, to_check, now=now, by_manager=by_manager, closures=closures))
    plan.fee = pricing.fee_for(room, centre, pricing.tariff_of_request(request), [(s.start, s.end) for s in plan.kept],
                               centre_booking=request.association is None)
    return plan


def _record_terms(booking, request, now) -> None:
    """The house rules accepted (version and time) and the responsible person, on an association's request."""
    if request.association is None:
        return
    rules = HouseRules.current(request.centre)
    if rules is not None:
        booking.house_rules_id, booking.terms_accepted_at = rules.id, now
    person = clean_responsible(request.responsible)
    booking.responsible_name, booking.responsible_phone, booking.responsible_adult = person.name, person.phone, person.adult


def _terms_and_programmes(request, plan) -> tuple[list, list, list]:
    """(the programmes the event is part of, its co-organisers, everything the request breaks: rules, terms,
    programmes, co-organisers)."""
    centre = request.centre
    problems = plan.violations + check_terms(centre, request.association, accepted=request.accept_terms,
                                             responsible=request.responsible)
    programmes, wrong = check_programmes(request.programmes, request.association, centre)
    co_organisers, wrong_too = check_co_organisers(request.co_organisers, request.association)
    problems += wrong + wrong_too
    for name, asked in (("event.programmes", request.programmes), ("event.co_organisers", request.co_organisers)):
        if asked and request.event is None:
            problems.append(violation(name, _("Only a public event can be part of a programme or have "
                                               "co-organisers.")))
    return programmes, co_organisers, problems


def request_booking(request: BookingRequest, by, *, now=None) -> Booking:
    """Store a request (pending). A manager's booking for the centre is approved at once."""
    now = now or utcnow()
    centre, room = request.centre, request.room
    check_may_request(by, centre, room, request.association)
    centre_booking = request.association is None
    event_data = clean_event(request.event) if request.event is not None else None
    if centre_booking and room is not None:
        lock_room(room.id)
    plan = plan_booking(request, by_manager=by.manages(centre), now=now)
    programmes, co_organisers, problems = _terms_and_programmes(request, plan)
    if problems:
        raise RuleViolation(problems)
    if plan.conflicts and (not request.skip_conflicts or not plan.kept):
        raise BookingConflict([(s.start, s.end) for s in plan.conflicting], centre.timezone)
    refusals.add(request, [(s.start, s.end) for s in plan.conflicting])  # left out: the room was taken
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
        commercial=request.commercial is True,
        closed_dates=[[s.start.isoformat(), s.end.isoformat()] for s in plan.closed],
    )
    _record_terms(booking, request, now)
    before, after = buffers(room)
    for s in plan.kept:
        occurrence = Occurrence(room_id=room.id if room else None, centre_id=centre.id, starts_at=s.start, ends_at=s.end,
                                local_start=local_wall_time(s.start, centre.timezone),
                                local_end=local_wall_time(s.end, centre.timezone))
        occurrence.block(before, after)
        booking.occurrences.append(occurrence)
    booking.tariff = plan.fee.tariff
    pricing.apply(booking, booking.occurrences)
    if event_data is not None:
        booking.event = Event(centre_id=centre.id, room_id=room.id if room else None, **event_data)
        booking.event.programmes = programmes
        cooperations.invite_all(booking, co_organisers, by)
    db.session.add(booking)
    record_change(booking, by, "requested", occurrences=booking.occurrences)
    db.session.flush()
    count_on_commit("requested")
    if centre_booking:
        approve_locked(booking, by, None, "", now)
    else:
        notifications.new_request(booking)
    for cooperation in booking.cooperations:
        cooperation_notices.invited(cooperation)
    return booking
