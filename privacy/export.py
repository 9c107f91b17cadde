"""GDPR Art. 15/20: a user's data, and an association's, as a ZIP of JSON (everything) and CSV (the tables a
spreadsheet opens). Times are ISO 8601: stored UTC instants as UTC, booking dates in the centre's local time.
"""

import csv
import io
import json
import zipfile
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accounts import members
from accounts.models import ApiToken, UserSession
from bookings.models import Booking, BookingChange
from extensions import db
from feeds.models import FeedToken
from outbox.models import OutboxMail
from timeutil import to_local, utcnow
from waitlist.models import WaitlistEntry

DATE_COLUMNS = ["booking_id", "title", "centre", "room", "booking_status", "date_status", "starts_at", "ends_at"]


def _utc(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


def _dates(booking) -> list[dict]:
    zone = booking.centre.timezone
    return [{"starts_at": to_local(o.starts_at, zone).isoformat(), "ends_at": to_local(o.ends_at, zone).isoformat(),
             "status": o.status} for o in booking.occurrences]


def booking_record(booking) -> dict:
    return {
        "id": booking.id, "title": booking.title, "status": booking.status,
        "centre": booking.centre.slug, "room": booking.room.name if booking.room else None,
        "association": booking.association.name if booking.association else None,
        "created_at": _utc(booking.created_at), "attendees": booking.attendees, "note": booking.note,
        "responsible": {"name": booking.responsible_name, "phone": booking.responsible_phone},
        "house_rules_accepted_at": _utc(booking.terms_accepted_at), "commercial": booking.commercial,
        "fee": {"tariff": booking.tariff, "currency": booking.currency, "fee_cents": booking.fee_cents,
                "deposit_cents": booking.deposit_cents, "cancellation_fee_cents": booking.cancellation_fee_cents},
        "rejection_reason": booking.rejection_reason, "cancellation_reason": booking.cancellation_reason,
        "closed_dates": booking.closed_dates, "dates": _dates(booking),
    }


def event_record(event) -> dict:
    return {"id": event.id, "booking_id": event.booking_id, "title": event.title, "description": event.description,
            "category": event.category_key, "audiences": event.audiences, "languages": event.languages,
            "free": event.is_free, "price": event.price, "registration_url": event.registration_url,
            "contact": event.contact, "tags": event.tags}


def _date_rows(bookings) -> list[list]:
    return [[b.id, b.title, b.centre.slug, b.room.name if b.room else "", b.status, d["status"], d["starts_at"],
             d["ends_at"]] for b in bookings for d in _dates(b)]


def _csv(header, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)


def _bookings(*conditions) -> list[Booking]:
    return list(db.session.scalars(select(Booking).where(*conditions).order_by(Booking.created_at, Booking.id)
                                   .options(selectinload(Booking.occurrences), selectinload(Booking.centre),
                                            selectinload(Booking.room), selectinload(Booking.association))))


def user_data(user, bookings) -> dict:
    """Everything stored about the user, as a dict (``bookings``: those the user requested)."""
    roster = {a.id: members.is_admin_of(user, a) for a in user.associations}
    sessions = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id))
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id))
    feeds = db.session.scalars(select(FeedToken).where(FeedToken.user_id == user.id))
    changes = db.session.scalars(select(BookingChange).where(BookingChange.user_id == user.id))
    mails = db.session.scalars(select(OutboxMail).where(OutboxMail.recipient.contains(user.email)))
    return {
        "exported_at": _utc(utcnow()),
        "account": {"id": user.id, "email": user.email, "name": user.name, "role": user.role,
                    "preferred_language": user.preferred_language, "created_at": _utc(user.created_at),
                    "email_confirmed_at": _utc(user.email_confirmed_at)},
        "associations": [{"id": a.id, "name": a.name, "admin": roster[a.id]} for a in user.associations],
        "centres_managed": [c.slug for c in user.managed_centres],
        "sessions": [{"created_at": _utc(s.created_at), "last_seen_at": _utc(s.last_seen_at),
                      "device": s.user_agent, "ended_at": _utc(s.ended_at)} for s in sessions],
        "api_tokens": [{"name": t.name, "begins_with": t.hint, "created_at": _utc(t.created_at),
                        "last_used_at": _utc(t.last_used_at), "revoked_at": _utc(t.revoked_at)} for t in tokens],
        "calendar_addresses": [{"name": f.name, "scope": f.scope, "language": f.language,
                                "created_at": _utc(f.created_at), "revoked_at": _utc(f.revoked_at)} for f in feeds],
        "bookings_requested": [booking_record(b) for b in bookings],
        "booking_history": [{"booking_id": c.booking_id, "action": c.action, "reason": c.reason,
                             "at": _utc(c.at)} for c in changes],
        "mails": [{"subject": m.subject, "status": m.status, "created_at": _utc(m.created_at),
                   "sent_at": _utc(m.sent_at)} for m in mails],
    }


def user_zip(user) -> bytes:
    bookings = _bookings(Booking.created_by_id == user.id)
    data = user_data(user, bookings)
    return _zip({"account.json": _json(data), "bookings.csv": _csv(DATE_COLUMNS, _date_rows(bookings))})


def association_data(association, bookings) -> dict:
    invitations = members.open_invitations(association)
    return {
        "exported_at": _utc(utcnow()),
        "association": {"id": association.id, "name": association.name, "kind": association.kind,
                        "contact_person": association.contact_person, "email": association.email,
                        "phone": association.phone, "website": association.website,
                        "description": association.description, "languages": association.languages,
                        "verified": association.verified, "created_at": _utc(association.created_at)},
        "members": [{"name": u.name, "email": u.email, "admin": admin} for u, admin in members.roster(association)],
        "invitations": [{"email": i.email, "created_at": _utc(i.created_at), "expires_at": _utc(i.expires_at)}
                        for i in invitations],
        "bookings": [booking_record(b) for b in bookings],
        "events": [event_record(b.event) for b in bookings if b.event is not None],
        "waiting_list": [waitlist_record(e) for e in db.session.scalars(
            select(WaitlistEntry).where(WaitlistEntry.association_id == association.id).order_by(WaitlistEntry.id))],
    }


def waitlist_record(entry) -> dict:
    """A place on the waiting list, with what was asked for (the note and responsible person while kept)."""
    zone = entry.centre.timezone
    return {"id": entry.id, "status": entry.status, "title": entry.title, "centre": entry.centre.slug,
            "room": entry.room.name, "starts_at": to_local(entry.starts_at, zone).isoformat(),
            "ends_at": to_local(entry.ends_at, zone).isoformat(), "created_at": _utc(entry.created_at),
            "offered_at": _utc(entry.offered_at), "offer_expires": _utc(entry.offer_expires),
            "answered_at": _utc(entry.answered_at), "booking_id": entry.booking_id, "request": entry.request or {}}


def association_zip(association) -> bytes:
    bookings = _bookings(Booking.association_id == association.id)
    data = association_data(association, bookings)
    events = [(e["id"], e["booking_id"], e["category"], lang, text, e["description"].get(lang, ""))
              for e in data["events"] for lang, text in sorted(e["title"].items())]
    return _zip({
        "association.json": _json(data),
        "members.csv": _csv(["name", "email", "admin"], [[m["name"], m["email"], m["admin"]] for m in data["members"]]),
        "bookings.csv": _csv(DATE_COLUMNS, _date_rows(bookings)),
        "events.csv": _csv(["event_id", "booking_id", "category", "language", "title", "description"], events),
    })
