"""Private feeds: an association's bookings, or everything booked in a manager's centres.

Pending dates are ``STATUS:TENTATIVE`` (and say so in their title), approved
ones ``CONFIRMED``, cancelled ones stay ``CANCELLED`` for 30 days after the
cancellation; rejected dates are not in the feed (the room is not theirs).
A manager's feed names the association of each booking. UIDs are those of the
calendar files the booking e-mails carry (``booking-<booking>-<date>@...``).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, joinedload
from werkzeug.routing import BuildError

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
    window,
)
from feeds.ics import CalendarInfo, Text, Vevent, render
from feeds.models import ASSOCIATION
from feeds.series import combine
from programmes.models import ACCEPTED, Cooperation

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
    if token.scope == ASSOCIATION:  # its bookings, and the events it co-organises (programmes.cooperations)
        co_organised = select(Cooperation.booking_id).where(Cooperation.association_id == token.association_id,
                                                            Cooperation.status == ACCEPTED)
        return query.where(or_(Booking.association_id == token.association_id, Booking.id.in_(co_organised)))
    centre_ids = [centre.id for centre in token.centres()]
    return query.where(Booking.centre_id.in_(centre_ids or [-1]))


def private_vevents(token, win: Window, lang: str) -> list[Vevent]:
    occurrences = [o for o in db.session.execute(private_query(token, win)).unique().scalars() if shown(o, win)]
    per_booking: dict[int, list] = {}
    for occurrence in occurrences:
        per_booking.setdefault(occurrence.booking_id, []).append(occurrence)
    counts = change_counts(per_booking)
    labels = _labels(lang)
    result = []
    for dates in per_booking.values():
        result.extend(_booking_vevents(dates[0].booking, dates, counts.get(dates[0].booking_id, 0), lang, labels,
                                       with_association=token.scope != ASSOCIATION))
    return result


def booking_vevents(booking, lang: str, win: Window | None = None) -> list[Vevent]:
    """One booking's dates as its association's private feed shows them: the same UIDs, SEQUENCE and series
    (for the calendar files the booking e-mails carry)."""
    win = win or window()
    dates = sorted((o for o in booking.occurrences if o.status in STATUS and shown(o, win)),
                   key=lambda o: (o.starts_at, o.id))
    changes = change_counts([booking.id]).get(booking.id, 0)
    return _booking_vevents(booking, dates, changes, lang, _labels(lang), with_association=False)


def _labels(lang: str) -> dict:
    return {
        "status": _("Status"), "association": _("Association"), "room": _("Room"),
        "people": _("People expected"), "reason": _("Reason:"), "open": _("Open the booking"),
        "language": ui_language(lang), "domain": uid_domain(),
        "booking_url": _booking_url(lang),
    }


def _booking_url(lang: str):
    """The booking page's address by id; none where no address can be built (a mail sent outside a request
    without SERVER_NAME)."""
    try:
        return id_url("bookings.show", "booking_id", lang=lang)
    except (RuntimeError, BuildError):
        return lambda _booking_id: None


def _booking_vevents(booking, dates, changes: int, lang: str, labels, *, with_association: bool) -> list[Vevent]:
    vevents = [_vevent(o, booking, changes, lang, labels["domain"], with_association, labels) for o in dates]
    if booking.is_recurring:
        return combine(vevents, f"booking-{booking.id}@{labels['domain']}")
    return vevents


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
    if url:
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


def booking_file(booking, lang: str) -> tuple[str, bytes, str]:
    """The calendar file a booking e-mail carries: the booking as its private feed shows it now.

    ``(filename, bytes, method)``. CANCEL when every date shown is cancelled, so that
    calendars remove them; otherwise PUBLISH, where cancelled dates are STATUS:CANCELLED.
    """
    vevents = booking_vevents(booking, lang)
    method = "CANCEL" if vevents and all(v.status == "CANCELLED" for v in vevents) else "PUBLISH"
    info = CalendarInfo(uid=f"booking-{booking.id}@{uid_domain()}", name=Text(booking.title, None), description=None,
                        tz_name=booking.centre.timezone, method=method)
    return f"booking-{booking.id}.ics", render(info, vevents), method
