"""Deleting an account or an association, and the retention period (GDPR Art. 17, 5(1)(e)).

What the centres must keep — bookings, their dates and fees, the history of decisions — stays, anonymised:
the user's row keeps its id (so "asked by" reads "deleted member") and loses every personal field; an
association keeps its id and bookings under "deleted association". Everything else that names the person
goes: sessions, tokens, calendar addresses, memberships, invitations, rate counters keyed by the address,
and the mails sent to them or naming them. ``purge_older_than`` removes the personal data of bookings whose
last date lies beyond the retention period (``flask --app app purge --older-than 3y``, and the daily job).
"""

import email
import logging
from datetime import datetime
from email import policy

from sqlalchemy import case, delete, func, select, update

from accounts import members
from accounts.models import ApiToken, Invitation, PasswordReset, UserSession, association_members
from bookings.decisions import cancel
from bookings.models import ACTIVE, Booking, Occurrence
from database import chunks
from extensions import db
from feeds.models import FeedFragment, FeedToken
from operations.models import IdempotentRequest
from operations.throttle import RateCounter
from outbox.models import CANCELLED as MAIL_CANCELLED
from outbox.models import QUEUED, SENDING, OutboxMail
from programmes import cooperations, images
from programmes.models import ProgrammePartner
from terms.models import KeyHandover
from timeutil import utcnow
from waitlist.models import IN_LINE, WITHDRAWN, WaitlistEntry

log = logging.getLogger("welcome.privacy")


class StillNeeded(Exception):
    """The account cannot go yet: ``associations`` would be left without an admin."""

    def __init__(self, associations):
        super().__init__(", ".join(a.name for a in associations))
        self.associations = associations


def blocking_associations(user) -> list:
    """Associations of which the user is the last admin while others are members."""
    return [a for a in user.associations
            if members.is_admin_of(user, a) and members.admin_count(a) <= 1 and len(a.members) > 1]


def delete_user(user, now=None) -> None:
    """Anonymise the account: afterwards no column anywhere holds the user's name or address."""
    blocked = blocking_associations(user)
    if blocked:
        raise StillNeeded(blocked)
    now = now or utcnow()
    old_email, old_name = user.email, (user.name or "").strip()
    for model in (UserSession, ApiToken, FeedToken, PasswordReset, IdempotentRequest):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(delete(association_members).where(association_members.c.user_id == user.id))
    db.session.execute(update(Invitation).where(Invitation.email == old_email)
                       .values(email="", revoked_at=func.coalesce(Invitation.revoked_at, now)))
    db.session.execute(delete(RateCounter).where(RateCounter.key.contains(old_email)))
    if old_name:
        _forget_name_on_bookings(user, old_name)
    _forget_on_waitlist(user, old_name)
    _forget_mails([old_email] + ([old_name] if old_name else []), old_email)
    user.managed_centres = []
    user.email, user.name, user.password_hash = f"deleted-{user.id}@deleted.invalid", "", ""
    user.active, user.role, user.preferred_language, user.email_confirmed_at = False, "member", None, None
    user.deleted_at = now
    db.session.expire(user, ["associations", "tokens"])
    log.info("account %s deleted (anonymised)", user.id)


def _forget_on_waitlist(user, name) -> None:
    """The places in line the user took stay their association's, without who took them or the user's name."""
    for entry in db.session.scalars(select(WaitlistEntry).where(WaitlistEntry.created_by_id == user.id)):
        entry.created_by_id = None
        stored = dict(entry.request or {})
        if name and (stored.get("responsible") or [""])[0].strip().lower() == name.lower():
            stored["responsible"] = None
            entry.request = stored


def _forget_name_on_bookings(user, name) -> None:
    """Where the user named themselves — as responsible person or key holder — the name goes too."""
    mine = select(Booking.id).where(Booking.created_by_id == user.id)
    db.session.execute(update(Booking).where(Booking.id.in_(mine), func.lower(Booking.responsible_name) == name.lower())
                       .values(responsible_name="", responsible_phone=""))
    db.session.execute(update(KeyHandover).where(KeyHandover.booking_id.in_(mine),
                                                 func.lower(KeyHandover.holder) == name.lower()).values(holder=""))


def _forget_mails(needles, address) -> None:
    """Mails to the person: emptied (one still waiting is not sent). Mails to others that name them: emptied
    once sent (the outbox keeps bodies 30 days at most, so this reads a bounded set)."""
    db.session.execute(update(OutboxMail).where(OutboxMail.recipient.contains(address), OutboxMail.status.in_(
        (QUEUED,))).values(status=MAIL_CANCELLED))
    db.session.execute(update(OutboxMail).where(OutboxMail.recipient.contains(address))
                       .values(recipient="", subject="", message=None, purged_at=utcnow()))
    kept = select(OutboxMail.id, OutboxMail.message).where(OutboxMail.message.is_not(None),
                                                           OutboxMail.status.not_in((QUEUED, SENDING)))
    naming = [mail_id for mail_id, raw in db.session.execute(kept).yield_per(200) if _names(raw, needles)]
    for chunk in chunks(naming):
        db.session.execute(update(OutboxMail).where(OutboxMail.id.in_(chunk))
                           .values(message=None, purged_at=utcnow()))


def _names(raw: bytes, needles) -> bool:
    message = email.message_from_bytes(raw, policy=policy.default)
    texts = [str(message.get("To", ""))]
    texts += [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
    folded = " ".join(texts).lower()
    return any(needle.lower() in folded for needle in needles)


def _leave_programmes(association, now) -> None:
    """A deleted association is no programme partner (its logo goes) and no co-organiser any more."""
    for link in db.session.scalars(select(ProgrammePartner).where(ProgrammePartner.association_id == association.id)):
        images.replace(link.logo, None)
        db.session.delete(link)
    cooperations.leave_all(association, now)


def delete_association(association, by, reason, now=None) -> int:
    """Anonymise an association (a city admin's act): its future dates are cancelled (its contact is told),
    members and invitations go, the bookings stay for the centres under "deleted association"."""
    now = now or utcnow()
    cancelled = 0
    for booking in db.session.scalars(select(Booking).where(Booking.association_id == association.id,
                                                            Booking.status.in_(ACTIVE))):
        if any(o.status in ACTIVE and o.starts_at > now for o in booking.occurrences):
            cancel(booking, by, reason=reason, now=now)
            cancelled += 1
    db.session.execute(delete(association_members).where(association_members.c.association_id == association.id))
    db.session.execute(delete(Invitation).where(Invitation.association_id == association.id))
    db.session.execute(delete(FeedToken).where(FeedToken.association_id == association.id))
    db.session.execute(update(WaitlistEntry).where(WaitlistEntry.association_id == association.id).values(
        status=case((WaitlistEntry.status.in_(IN_LINE), WITHDRAWN), else_=WaitlistEntry.status),
        request={}, created_by_id=None))
    _leave_programmes(association, now)
    db.session.execute(delete(FeedFragment))  # no public feed text kept anywhere still names it
    association.name = f"deleted-association-{association.id}"
    association.contact_person = association.email = association.phone = association.website = ""
    association.description, association.languages, association.deleted_at = {}, [], now
    association.verified = False
    db.session.expire(association, ["members"])
    log.info("association %s deleted (anonymised) by user %s; %s bookings cancelled", association.id, by.id, cancelled)
    return cancelled


def purge_older_than(cutoff: datetime) -> int:
    """Personal data of bookings whose last date ended before ``cutoff``: the responsible person, the note,
    the key holders, who asked. Returns how many bookings were purged; logged."""
    last_date = (select(Occurrence.booking_id).group_by(Occurrence.booking_id)
                 .having(func.max(Occurrence.ends_at) < cutoff))
    personal = (Booking.responsible_name != "") | (Booking.responsible_phone != "") | (Booking.note != "") | \
        Booking.created_by_id.is_not(None)
    ids = list(db.session.scalars(select(Booking.id).where(Booking.id.in_(last_date), personal)))
    for chunk in chunks(ids):
        db.session.execute(update(Booking).where(Booking.id.in_(chunk)).values(
            responsible_name="", responsible_phone="", note="", created_by_id=None))
        db.session.execute(update(KeyHandover).where(KeyHandover.booking_id.in_(chunk)).values(holder=""))
    log.info("retention: personal data of %d bookings that ended before %s removed", len(ids), cutoff.date())
    return len(ids)
