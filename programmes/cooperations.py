"""Co-organised events: the booking association names co-organisers among verified associations; each invited
association's admins accept or decline; an accepted co-organiser may withdraw. Only accepted co-organisers are
public (event page, feeds, embed, API ``organisers``), after the booking association, which stays responsible
for terms, fees and cancellation. Answers freeze once the event's last date has ended."""


from flask_babel import gettext as _
from sqlalchemy import event, inspect, or_, select, update
from sqlalchemy.orm import Session

from accounts import members
from accounts.models import Association
from bookings.errors import InvalidState, NotPermitted, violation
from bookings.models import Booking
from extensions import db
from programmes.models import (  # noqa: F401 (the model and its statuses, re-exported)
    ACCEPTED,
    DECLINED,
    PENDING,
    WITHDRAWN,
    Cooperation,
)
from timeutil import utcnow

MAX_CO_ORGANISERS = 10


def check_co_organisers(ids, association) -> tuple[list[Association], list]:
    """(the associations, violations) for a request's ``co_organisers`` [association id, ...]."""
    ids = list(dict.fromkeys(ids or []))
    if not ids:
        return [], []
    field = "event.co_organisers"
    if association is None:
        return [], [violation(field, _("Only an association's event has co-organisers."))]
    if len(ids) > MAX_CO_ORGANISERS:
        return [], [violation(field, _("Please name at most %(num)d co-organisers.", num=MAX_CO_ORGANISERS))]
    found = {a.id: a for a in db.session.scalars(select(Association).where(Association.id.in_(ids)))}
    wrong = [i for i in ids if i not in found or not found[i].verified or found[i].deleted_at is not None
             or i == association.id]
    if wrong:
        return [], [violation(field, _("Co-organisers are other verified associations; %(id)s is not one.",
                                       id=wrong[0]))]
    return [found[i] for i in ids], []


def invite_all(booking, associations, by) -> list[Cooperation]:
    made = [Cooperation(booking=booking, association=a, invited_by_id=getattr(by, "id", None)) for a in associations]
    db.session.add_all(made)
    return made


def _answerable(cooperation, by, now, allowed) -> None:
    if not members.can_manage(by, cooperation.association):
        raise NotPermitted()
    if cooperation.has_passed(now):
        raise InvalidState(_("The event has passed; the answer can no longer change."))
    if cooperation.status not in allowed:
        raise InvalidState(_("This invitation is %(status)s already.", status=cooperation.status_label))


def accept(cooperation, by, now=None) -> Cooperation:
    now = now or utcnow()
    _answerable(cooperation, by, now, (PENDING,))
    cooperation.status, cooperation.answered_at = ACCEPTED, now
    _touch(cooperation)
    return cooperation


def decline(cooperation, by, now=None) -> Cooperation:
    now = now or utcnow()
    _answerable(cooperation, by, now, (PENDING,))
    cooperation.status, cooperation.answered_at = DECLINED, now
    return cooperation


def withdraw(cooperation, by, now=None) -> Cooperation:
    """The co-organiser steps back (it is no longer shown)."""
    now = now or utcnow()
    _answerable(cooperation, by, now, (ACCEPTED,))
    cooperation.status, cooperation.answered_at = WITHDRAWN, now
    _touch(cooperation)
    return cooperation


def leave_all(association, now=None) -> None:
    """A deleted association steps back from every event it was invited to or co-organises (an admin's act)."""
    now = now or utcnow()
    for cooperation in db.session.scalars(select(Cooperation).where(
            Cooperation.association_id == association.id, Cooperation.status.in_((PENDING, ACCEPTED)))):
        was_public = cooperation.status == ACCEPTED
        cooperation.status, cooperation.answered_at = WITHDRAWN, now
        if was_public:
            _touch(cooperation)


def _touch(cooperation) -> None:
    """The public organisers changed: subscribed calendars see it (a higher SEQUENCE)."""
    if cooperation.booking.event is not None:
        cooperation.booking.event.touch()
    db.session.flush()


@event.listens_for(Session, "before_flush")
def _renamed_organisers(session, context, instances) -> None:
    """An association's name changed (or went, anonymised), by whatever way: the events it organises or
    co-organises show it, so their bookings count as changed — public feeds and pages (which follow their
    bookings' last change) show the new name at their next request instead of a text kept from before."""
    for association in [o for o in session.dirty if isinstance(o, Association)]:
        history = inspect(association).attrs.name.history
        if history.added and (not history.deleted or history.deleted[0] != history.added[0]):
            partner_of = select(Cooperation.booking_id).where(Cooperation.association_id == association.id)
            session.execute(update(Booking)
                            .where(or_(Booking.association_id == association.id, Booking.id.in_(partner_of)))
                            .values(updated_at=utcnow()).execution_options(synchronize_session=False))
