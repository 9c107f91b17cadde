"""The line: joining it, the offer when a date frees, answering the offer, expiry.

A date is taken when an approved date or another association's pending request is in its way (buffers included);
an association may then join the line for it. When a decision frees dates of a room (``bookings.decisions``
sends ``room_freed`` in its transaction, under the room's lock) or the worker's sweep finds a date free, the
first waiting entry whose date is now free — and overlaps no standing offer — is offered it: one offer at a time
per date, in the order of joining. The room's lock orders the offers (PostgreSQL: its row lock; SQLite: the write
lock), and a partial unique index refuses a second offer of the same date. Accepting makes the request the
association asked for, under every rule of a new request; declining, withdrawing or letting the offer expire
passes the date on.

An offer is open for the centre's ``waitlist_offer_hours`` (48 by default), and at most half the time left until
the date, so a near date reaches the next in line in time. An offer does not hold the room: a request made
meanwhile competes with the accepted one, and the centre's managers decide, as for any two requests.
"""

import logging
from dataclasses import replace
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from bookings.decisions import lock_room, room_freed
from bookings.errors import InvalidState, NotPermitted, RuleViolation, violation
from bookings.models import ACTIVE
from bookings.requests import BookingRequest, check_may_request, plan_booking, request_booking
from bookings.rules import overlapping
from database import write_transaction
from extensions import db
from outbox.rounds import every
from terms.models import HouseRules
from terms.rules import Responsible, check_terms
from timeutil import local_wall_time, utcnow
from waitlist import notices
from waitlist.models import ACCEPTED, DECLINED, EXPIRED, IN_LINE, OFFERED, WAITING, WITHDRAWN, WaitlistEntry

DEFAULT_OFFER_HOURS = 48
SWEEP_SECONDS = 30  # how soon an offer not answered in time goes on
log = logging.getLogger("welcome.waitlist")


# --- joining ------------------------------------------------------------------------------


def _stored(request: BookingRequest) -> dict:
    """What accepting an offer asks again: the request as the association made it."""
    person = request.responsible
    rules = HouseRules.current(request.centre)
    return {
        "attendees": request.attendees,
        "note": request.note or "",
        "event": request.event,
        "commercial": request.commercial is True,
        "programmes": list(request.programmes),
        "responsible": [person.name, person.phone, person.adult is True] if person is not None else None,
        "terms": rules.id if rules is not None and request.accept_terms else None,
    }


def join(request: BookingRequest, by, *, now=None) -> list[WaitlistEntry]:
    """Put the request's taken dates on the waiting list (its free dates are to be requested instead).

    The request must be one the association could make (rules of the room, terms) but for the dates being taken.
    Raises RuleViolation (422) when no date is taken, InvalidState (409) when the association is in line already.
    """
    now = now or utcnow()
    centre, room, association = request.centre, request.room, request.association
    check_may_request(by, centre, room, association)
    if association is None:
        raise RuleViolation([violation("association_id", _(
            "The waiting list is for associations; a centre enters its own activities directly."))])
    lock_room(room.id)
    plan = plan_booking(replace(request, skip_conflicts=False), now=now)
    problems = plan.violations + check_terms(centre, association, accepted=request.accept_terms,
                                             responsible=request.responsible)
    if problems:
        raise RuleViolation(problems)
    taken, own = [], 0
    for index, slot in enumerate(plan.slots):
        holders = plan.conflicts.get(index, []) + plan.competing.get(index, [])
        if any(o.booking.association_id == association.id for o in holders):
            own += 1
        elif holders:
            taken.append(slot)
    if not taken:
        message = (_("Your association already holds this time or has asked for it.") if own else
                   _("The room is free at this time: please request it instead."))
        raise RuleViolation([violation("start", message)])
    entries = []
    for slot in taken:
        if _in_line(association.id, room.id, slot.start, slot.end) is not None:
            continue
        entry = WaitlistEntry(
            centre=centre, room=room, association=association, created_by_id=by.id, starts_at=slot.start,
            ends_at=slot.end, local_start=local_wall_time(slot.start, centre.timezone),
            minutes=round((slot.end - slot.start).total_seconds() / 60), title=request.title.strip(),
            request=_stored(request), status=WAITING, created_at=now)
        db.session.add(entry)
        entries.append(entry)
    if not entries:
        raise InvalidState(_("Your association is already on the waiting list for this date."))
    db.session.flush()
    return entries


def _in_line(association_id, room_id, start, end) -> WaitlistEntry | None:
    return db.session.scalar(select(WaitlistEntry).where(
        WaitlistEntry.association_id == association_id, WaitlistEntry.room_id == room_id,
        WaitlistEntry.starts_at == start, WaitlistEntry.ends_at == end, WaitlistEntry.status.in_(IN_LINE)))


def position(entry) -> int | None:
    """Its place in line: 1 + the entries in line before it whose dates overlap its date (None out of line)."""
    return positions([entry]).get(entry.id)


def positions(entries) -> dict[int, int]:
    """The places in line of many entries with one query: {entry id: place} (entries in line only)."""
    rooms = {e.room_id for e in entries if e.in_line}
    if not rooms:
        return {}
    line_ = db.session.scalars(select(WaitlistEntry).where(
        WaitlistEntry.room_id.in_(rooms), WaitlistEntry.status.in_(IN_LINE))).all()
    return {e.id: 1 + sum(1 for o in line_ if o.room_id == e.room_id and o.id < e.id and o.overlaps(e))
            for e in entries if e.in_line}


# --- offers ---------------------------------------------------------------------------------


def offer_expiry(entry, now):
    hours = entry.centre.waitlist_offer_hours or DEFAULT_OFFER_HOURS
    return min(now + timedelta(hours=hours), now + (entry.starts_at - now) / 2)


def is_free(entry) -> bool:
    """No approved date and no pending request in the way of the entry's date (buffers included)."""
    return not overlapping(entry.room_id, [(entry.starts_at, entry.ends_at)], statuses=ACTIVE)


def offer_freed(room_id, now=None) -> list[WaitlistEntry]:
    """Offer the room's free dates to the first in line for each; under the room's lock. The offers made."""
    now = now or utcnow()
    lock_room(room_id)
    entries = db.session.scalars(
        select(WaitlistEntry)
        .where(WaitlistEntry.room_id == room_id, WaitlistEntry.status.in_(IN_LINE), WaitlistEntry.starts_at > now)
        .order_by(WaitlistEntry.id)
        .execution_options(populate_existing=True)
    ).all()
    offered = [e for e in entries if e.status == OFFERED]
    made = []
    for entry in entries:
        if entry.status != WAITING or any(entry.overlaps(o) for o in offered) or not is_free(entry):
            continue
        entry.status, entry.offered_at, entry.offer_expires = OFFERED, now, offer_expiry(entry, now)
        offered.append(entry)
        made.append(entry)
        db.session.flush()
        notices.offered(entry)
    return made


@room_freed.connect
def _on_room_freed(room_id, now=None, **_extra):
    offer_freed(room_id, now)


@every("waitlist-offers", SWEEP_SECONDS)
def sweep(now=None) -> dict:
    """The worker's round: offers not answered in time expire, entries of dates that have begun expire, and the
    dates found free are offered. One transaction; returns what it did."""
    now = now or utcnow()
    db.session.rollback()
    with write_transaction():
        late = db.session.scalars(select(WaitlistEntry).where(
            WaitlistEntry.status == OFFERED, WaitlistEntry.offer_expires <= now)).all()
        rooms = {entry.room_id for entry in late}
        for entry in late:
            entry.status = EXPIRED
        passed = db.session.execute(
            update(WaitlistEntry).where(WaitlistEntry.status.in_(IN_LINE), WaitlistEntry.starts_at <= now)
            .values(status=EXPIRED)).rowcount
        # out of line with its date begun, a place keeps no personal data: who took it, the note, the responsible
        # person (an accepted offer's booking has them, under the bookings' retention)
        db.session.execute(update(WaitlistEntry).where(
            WaitlistEntry.starts_at <= now, WaitlistEntry.created_by_id.is_not(None)).values(
            request={}, created_by_id=None))
        db.session.flush()
        rooms |= set(db.session.scalars(select(WaitlistEntry.room_id).distinct().where(
            WaitlistEntry.status == WAITING, WaitlistEntry.starts_at > now)))
        offers = sum(len(offer_freed(room_id, now)) for room_id in sorted(rooms))
        db.session.commit()
    return {"expired_offers": len(late), "passed": passed, "offers": offers}


# --- answers --------------------------------------------------------------------------------


def _fresh(entry) -> WaitlistEntry:
    lock_room(entry.room_id)
    return db.session.execute(select(WaitlistEntry).where(WaitlistEntry.id == entry.id)
                              .execution_options(populate_existing=True)).scalar_one()


def _offer_standing(entry, now) -> None:
    if entry.status != OFFERED:
        raise InvalidState(_("There is no offer to answer: this place on the waiting list is %(status)s.",
                             status=entry.status_label))
    if entry.offer_expires <= now:
        raise InvalidState(_("The offer has expired; the date has gone to the next in line."))


def request_of(entry, *, accept_terms=None, responsible=None) -> BookingRequest:
    """The request the association made when joining, for its date; the house rules accepted again unless
    it accepted this version then."""
    stored = entry.request or {}
    tz_name = entry.centre.timezone
    current = HouseRules.current(entry.centre)
    if accept_terms is None:
        accept_terms = current is None or stored.get("terms") == current.id
    if responsible is None and stored.get("responsible"):
        name, phone, adult = stored["responsible"]
        responsible = Responsible(name, phone, adult)
    return BookingRequest(
        centre=entry.centre, room=entry.room, association=entry.association, title=entry.title,
        start=local_wall_time(entry.starts_at, tz_name), end=local_wall_time(entry.ends_at, tz_name),
        attendees=stored.get("attendees"), note=stored.get("note") or "", event=stored.get("event"),
        accept_terms=accept_terms is True, responsible=responsible, commercial=stored.get("commercial") is True,
        programmes=tuple(stored.get("programmes") or ()))


def accept(entry, by, *, accept_terms=None, responsible=None, now=None):
    """Take the offer: the association's request for the date, pending, under every rule of a new request."""
    now = now or utcnow()
    if not entry.is_member(by):
        raise NotPermitted()
    entry = _fresh(entry)
    _offer_standing(entry, now)
    booking = request_booking(request_of(entry, accept_terms=accept_terms, responsible=responsible), by, now=now)
    entry.status, entry.answered_at, entry.booking = ACCEPTED, now, booking
    db.session.flush()
    return booking


def decline(entry, by, *, now=None) -> WaitlistEntry:
    """Say no to the offer: the date goes to the next in line."""
    now = now or utcnow()
    if not entry.is_member(by):
        raise NotPermitted()
    entry = _fresh(entry)
    _offer_standing(entry, now)
    entry.status, entry.answered_at = DECLINED, now
    db.session.flush()
    offer_freed(entry.room_id, now)
    return entry


def withdraw(entry, by, *, now=None) -> WaitlistEntry:
    """Leave the line (an offer standing goes to the next in line)."""
    now = now or utcnow()
    if not entry.is_member(by):
        raise NotPermitted()
    entry = _fresh(entry)
    if not entry.in_line:
        raise InvalidState(_("This place on the waiting list is %(status)s already.", status=entry.status_label))
    was_offered = entry.status == OFFERED
    entry.status, entry.answered_at = WITHDRAWN, now
    db.session.flush()
    if was_offered:
        offer_freed(entry.room_id, now)
    return entry
