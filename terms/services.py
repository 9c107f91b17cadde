"""Managers' actions on the terms: house rules, the tariff of a booking, keys and the deposit.

Each checks who is asking (the centre's managers and admins), changes
nothing on bad input (RuleViolation with translated messages) and records
the change in the booking's history; the caller commits.
"""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bookings.decisions import record_change
from bookings.errors import InvalidState, NotPermitted, RuleViolation, violation
from bookings.models import APPROVED, Booking
from bookings.rules import check_line, check_reason
from extensions import db
from terms import pricing
from terms.models import HouseRules, KeyHandover
from timeutil import utcnow

MAX_HOLDER = 200


def publish_house_rules(centre, by, texts: dict) -> HouseRules | None:
    """A new version when the texts differ from the current one (None: unchanged). Empty texts: none asked for."""
    if not centre.can_manage(by):
        raise NotPermitted()
    texts = {lang: text.strip() for lang, text in (texts or {}).items() if isinstance(text, str) and text.strip()}
    current = HouseRules.current(centre)
    if current is None and not texts or current is not None and current.text == texts:
        return None
    version = (db.session.scalar(select(db.func.max(HouseRules.version)).where(HouseRules.centre_id == centre.id))
               or 0) + 1
    rules = HouseRules(centre_id=centre.id, version=version, text=texts, created_by_id=by.id, created_at=utcnow())
    db.session.add(rules)
    db.session.flush()
    return rules


def _manager(booking, by) -> None:
    if not booking.is_manager(by):
        raise NotPermitted()
    if booking.is_centre_booking:
        raise InvalidState(_("The centre's own bookings have no fee, key or deposit to record."))


def change_tariff(booking, by, tariff: str, reason: str):
    """Another tariff for the booking, with the reason (seen by the association); the fee follows."""
    _manager(booking, by)
    if tariff not in pricing.TARIFFS:
        raise RuleViolation([violation("tariff", _("Please choose a tariff."))])
    reason, problems = check_reason(reason, required=True)
    if problems:
        raise RuleViolation(problems)
    if tariff == booking.tariff:
        raise RuleViolation([violation("tariff", _("The booking already has this tariff."))])
    booking.tariff, booking.tariff_reason = tariff, reason
    pricing.apply(booking)
    record_change(booking, by, "tariff_changed", reason=reason)
    return booking


def hand_out_key(booking, by, holder: str, occurrence_id=None, now=None) -> KeyHandover:
    """A key handed out to ``holder`` for one date (or for the booking: due after its last date)."""
    _manager(booking, by)
    if booking.status != APPROVED:
        raise InvalidState(_("Keys are handed out for approved bookings only."))
    holder = (holder or "").strip()
    problems = check_line("holder", holder)
    if not holder:
        problems.append(violation("holder", _("Please write who received the key.")))
    elif len(holder) > MAX_HOLDER:
        problems.append(violation("holder", _("Please use at most %(max)d characters.", max=MAX_HOLDER)))
    approved = booking.occurrences_with(APPROVED)
    occurrence = None
    if occurrence_id:
        occurrence = next((o for o in approved if o.id == occurrence_id), None)
        if occurrence is None:
            problems.append(violation("occurrence", _("This booking has no such approved date.")))
    if problems:
        raise RuleViolation(problems)
    due = occurrence.ends_at if occurrence is not None else max(o.ends_at for o in approved)
    handover = KeyHandover(booking=booking, occurrence=occurrence, holder=holder, handed_out_at=now or utcnow(),
                           handed_out_by_id=by.id, due_at=due)
    db.session.add(handover)
    record_change(booking, by, "key_out", reason=holder, occurrences=[occurrence] if occurrence else [])
    return handover


def return_key(handover, by, now=None) -> KeyHandover:
    booking = handover.booking
    _manager(booking, by)
    if handover.returned_at is not None:
        raise InvalidState(_("This key has already been returned."))
    handover.returned_at, handover.returned_by_id = now or utcnow(), by.id
    record_change(booking, by, "key_back", reason=handover.holder)
    return handover


def record_deposit(booking, by, step: str, now=None):
    """``received`` or ``returned``: each once, returned only after received."""
    _manager(booking, by)
    now = now or utcnow()
    if not booking.deposit_cents:
        raise InvalidState(_("This booking has no deposit."))
    if step == "received":
        if booking.deposit_received_at is not None:
            raise InvalidState(_("The deposit has already been received."))
        booking.deposit_received_at = now
    elif step == "returned":
        if booking.deposit_received_at is None:
            raise InvalidState(_("The deposit has not been received yet."))
        if booking.deposit_returned_at is not None:
            raise InvalidState(_("The deposit has already been returned."))
        booking.deposit_returned_at = now
    else:
        raise RuleViolation([violation("step", _("Please choose what happened to the deposit."))])
    record_change(booking, by, f"deposit_{step}", reason=pricing.money(booking.deposit_cents, booking.currency))
    return booking


def keys_out(centre_ids):
    """Keys not returned, of the given centres' bookings, the longest overdue first."""
    return db.session.scalars(
        select(KeyHandover).join(Booking, Booking.id == KeyHandover.booking_id)
        .where(Booking.centre_id.in_(list(centre_ids)), KeyHandover.returned_at.is_(None))
        .options(selectinload(KeyHandover.booking).selectinload(Booking.association),
                 selectinload(KeyHandover.booking).selectinload(Booking.centre),
                 selectinload(KeyHandover.booking).selectinload(Booking.room))
        .order_by(KeyHandover.due_at, KeyHandover.id)
    ).all()
