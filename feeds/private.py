"""Private feeds: an association's bookings, or everything booked in a manager's centres.

Pending dates are ``STATUS:TENTATIVE`` (and say so in their title), approved
ones ``CONFIRMED``, cancelled ones stay ``CANCELLED`` for 30 days after the
cancellation; rejected dates are not in the feed (the room is not theirs).
A manager's feed names the association of each booking. UIDs are those of the
calendar files the booking e-mails carry (``booking-<booking>-<date>@...``).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from bookings.display import reason_text, status_label
from bookings.models import APPROVED, CANCELLED, PENDING, Booking, Occurrence
from extensions import db
from feeds.content import (
    Window,
    change_counts,
    geo_of,
    id_url,
    latest,
    location_text,
    shown,
    ui_language,
    uid_domain,
)
from feeds.ics import Text, Vevent
from feeds.models import ASSOCIATION
from feeds.series import combine

STATUS = {APPROVED: "CONFIRMED", PENDING: "TENTATIVE", CANCELLED: "CANCELLED"}


def private_query(token, win: Window):
    """The dates a token's feed may show (one SELECT, booking, centre, room, association and event loaded)."""
    query = (
        select(Occurrence)
        .join(Booking, Booking.id == Occurrence.booking_id)
        .where(Occurrence.status.in_(list(STATUS)), Occurrence.ends_at > win.start, Occurrence.starts_at < win.end)
        .options(
            contains_eager(Occurrence.booking).options(
                joinedload(Booking.centre), joinedload(Booking.room), joinedload(Booking.association),
                joinedload(Booking.event),
            )
        )
        .order_by(Occurrence.starts_at, Occurrence.id)
    )
    if token.scope == ASSOCIATION:
        return query.where(Booking.association_id == token.association_id)
    centre_ids = [centre.id for centre in token.centres()]
    return query.where(Booking.centre_id.in_(centre_ids or [-1]))


def private_vevents(token, win: Window, lang: str) -> list[Vevent]:
    occurrences = [o for o in db.session.execute(private_query(token, win)).unique().scalars() if shown(o, win)]
    counts = change_counts(o.booking_id for o in occurrences)
    domain = uid_domain()
    with_association = token.scope != ASSOCIATION
    labels = {
        "status": _("Status"), "association": _("Association"), "room": _("Room"),
        "people": _("People expected"), "reason": _("Reason:"), "open": _("Open the booking"),
        "language": ui_language(lang),
        "booking_url": id_url("bookings.show", "booking_id", lang=lang),
    }
    per_booking: dict[int, list[Vevent]] = {}
    bookings = {}
    for occurrence in occurrences:
        booking = occurrence.booking
        bookings[booking.id] = booking
        per_booking.setdefault(booking.id, []).append(
            _vevent(occurrence, booking, counts.get(booking.id, 0), lang, domain, with_association, labels)
        )
    result = []
    for booking_id, dates in per_booking.items():
        if bookings[booking_id].is_recurring:
            result.extend(combine(dates, f"booking-{booking_id}@{domain}"))
        else:
            result.extend(dates)
    return result


def _vevent(occurrence, booking, changes: int, lang: str, domain: str, with_association: bool, labels) -> Vevent:
    centre, room, association = booking.centre, booking.room, booking.association
    title = booking.title
    if with_association and association is not None:
        title = _("%(title)s (%(association)s)", title=title, association=association.name)
    if occurrence.status == PENDING:
        title = _("Waiting for approval: %(title)s", title=title)
    elif occurrence.status == CANCELLED:
        title = _("Cancelled: %(title)s", title=title)
    url = labels["booking_url"](booking.id)
    lines = [f"{labels['status']}: {status_label(occurrence.status)}"]
    if occurrence.status == CANCELLED and occurrence.cancel_reason:
        lines.append(f"{labels['reason']} {reason_text(occurrence.cancel_reason)}")
    if association is not None:
        lines.append(f"{labels['association']}: {association.name}")
    if room is not None:
        lines.append(f"{labels['room']}: {room.name}")
    if booking.attendees:
        lines.append(f"{labels['people']}: {booking.attendees}")
    lines.append(f"{labels['open']}: {url}")
    event = booking.event
    return Vevent(
        uid=f"booking-{booking.id}-{occurrence.id}@{domain}",
        start=occurrence.starts_at,
        end=occurrence.ends_at,
        tz_name=centre.timezone,
        summary=Text(title, None),
        stamp=latest(occurrence.updated_at, booking.updated_at, centre.updated_at,
                     room.updated_at if room is not None else None),
        sequence=changes + (event.sequence or 0 if event is not None else 0),
        status=STATUS[occurrence.status],
        description=Text("\n".join(lines), labels["language"]),
        location=location_text(centre, room, lang),
        geo=geo_of(centre),
        url=url,
        klass="PRIVATE",
        transparent=occurrence.status == CANCELLED,
    )
