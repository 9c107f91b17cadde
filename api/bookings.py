"""The bookings API: create, show, approve, reject, cancel; a room's public availability.

Times: requests take ISO 8601; a time without offset is the centre's local
time. Responses give ISO 8601 with the centre's offset. Errors use the shape
of api.errors: 401 without a valid token, 403 for an action outside the
user's role or centres, 404 for what the user may not see, 409 for conflicts
(``conflicts``: the dates asked for that collide) and states that forbid the
action, 422 with ``fields`` for invalid input. The rules are the ones of the
website: bookings.services.
"""

from datetime import datetime, time, timedelta
from functools import wraps

from flask import g, jsonify, request, url_for
from flask_babel import gettext as _

import i18n
from api import bp
from api.auth import token_required
from api.booking_input import BadBody, Invalid, json_body, parse_booking_request
from api.errors import api_error
from api.serializers import waitlist_entry_json as entry_json
from bookings import refusals, services
from bookings.display import local_iso, reason_text
from bookings.errors import BookingConflict, BookingError, InvalidState, RuleViolation, refusal
from bookings.models import APPROVED, Booking, Occurrence
from bookings.recurrence import Recurrence
from bookings.rules import closures_for
from centres.models import Room
from extensions import db
from operations import throttle
from parsing import ID, is_int, parse_bound, parse_when
from terms import pricing
from timeutil import to_local, to_utc_naive, utcnow, zone
from waitlist import line

MAX_RANGE_DAYS = 366


# --- shapes ---------------------------------------------------------------------


def occurrence_json(occurrence, tz_name) -> dict:
    return {
        "id": occurrence.id,
        "start": local_iso(occurrence.starts_at, tz_name),
        "end": local_iso(occurrence.ends_at, tz_name),
        "status": occurrence.status,
        "reason": reason_text(occurrence.cancel_reason) or None,
    }


def booking_json(booking) -> dict:
    tz_name = booking.centre.timezone
    recurrence = None
    if booking.is_recurring:
        recurrence = Recurrence(
            booking.recurrence_freq, booking.recurrence_interval, list(booking.recurrence_weekdays or []),
            booking.recurrence_until, booking.recurrence_count,
        ).as_dict()
    event = booking.event
    return {
        "id": booking.id,
        "status": booking.status,
        "title": booking.title,
        "room_id": booking.room_id,
        "centre": booking.centre.slug,
        "timezone": tz_name,
        "association": {"id": booking.association.id, "name": booking.association.name} if booking.association else None,
        "attendees": booking.attendees,
        "note": booking.note,
        "recurrence": recurrence,
        "rejection_reason": reason_text(booking.rejection_reason) or None,
        "cancellation_reason": reason_text(booking.cancellation_reason) or None,
        "created_at": local_iso(booking.created_at, tz_name),
        "updated_at": local_iso(booking.updated_at, tz_name),
        "occurrences": [occurrence_json(o, tz_name) for o in booking.occurrences],
        "closed_dates": [{"start": local_iso(start, tz_name), "end": local_iso(end, tz_name)}
                         for start, end in booking.closed_intervals()],
        **terms_json(booking),
        "event": {
            "id": event.id,
            "title": dict(event.title or {}),
            "description": dict(event.description or {}),
            "category": event.category_key,
            "audience": list(event.audiences or []),
            "languages": list(event.languages or []),
            "is_free": event.is_free,
        } if event else None,
        "changes": [
            {
                "action": change.action,
                "at": local_iso(change.at, tz_name),
                "by": change.user.display_name if change.user else None,
                "reason": reason_text(change.reason) or None,
                "dates": [local_iso(d, tz_name) for d in change.date_values()],
            }
            for change in booking.changes
        ],
        "url": url_for("bookings.show", lang=i18n.current_language(), booking_id=booking.id, _external=True),
    }


def terms_json(booking) -> dict:
    """The fee for those who see the booking; house rules accepted; the responsible person for managers only."""
    fee = pricing.fee_of(booking).as_json()
    if booking.cancellation_fee_cents:
        fee["cancellation_fees"] = pricing.as_decimal(booking.cancellation_fee_cents)
    tz_name = booking.centre.timezone
    shown = {
        "fee": fee,
        "commercial": booking.commercial,
        "house_rules": {"version": booking.house_rules.version,
                        "accepted_at": local_iso(booking.terms_accepted_at, tz_name)} if booking.house_rules else None,
    }
    if booking.is_manager(g.get("api_user")):
        shown["responsible"] = {"name": booking.responsible_name, "phone": booking.responsible_phone,
                                "adult": booking.responsible_adult} if booking.responsible_name else None
        shown["deposit"] = {"received_at": local_iso(booking.deposit_received_at, tz_name)
                            if booking.deposit_received_at else None,
                            "returned_at": local_iso(booking.deposit_returned_at, tz_name)
                            if booking.deposit_returned_at else None}
    return shown


def error_response(error):
    """A domain error as the contract's JSON error (bookings.errors.refusal words it for every path)."""
    answer = refusal(error)
    if answer.status == 403:
        return api_error(403)
    extra = {"fields": answer.fields} if answer.fields else {}
    if answer.conflicts:
        extra["conflicts"] = [{"start": local_iso(s, answer.timezone), "end": local_iso(e, answer.timezone)}
                              for s, e in answer.conflicts]
    return api_error(answer.status, answer.message, code=answer.code, **extra)


def run(action, status=200, *, asked=None, extra=None):
    """The answer is built from what is about to be committed (no second read after the commit, which could fail
    while the change stands). ``asked``: the request whose taken dates count as refused (bookings.refusals);
    ``extra(booking)``: more of the answer, in the same transaction."""
    try:
        booking = action()
        db.session.flush()
        body = booking_json(booking)
        if extra is not None:
            body.update(extra(booking))
        db.session.commit()
    except BookingError as error:
        db.session.rollback()
        if asked is not None and isinstance(error, BookingConflict):
            refusals.record(asked, error.dates)
        return error_response(error)
    return jsonify(body), status


def invalid(fields):
    return api_error(422, _("The input is not valid."), fields=fields)


def bad_body():
    return api_error(400, _("The body must be a JSON object."))


def load_booking(booking_id):
    booking = db.session.get(Booking, booking_id)
    if booking is None or not booking.can_view(g.api_user):
        return None
    return booking


# --- endpoints --------------------------------------------------------------------


@bp.post("/bookings")
@token_required
def create_booking():
    throttle.check("BOOKING_LIMIT", g.api_user, with_change=True)  # each request mails the centre's managers
    try:
        body = json_body()
        booking_request = parse_booking_request(body, g.api_user)
    except BadBody:
        return bad_body()
    except Invalid as error:
        return invalid(error.fields)
    join = body.get("join_waitlist", False)
    if not isinstance(join, bool):
        return invalid({"join_waitlist": [_("Please give true or false.")]})

    def left_out(booking):
        """With ``join_waitlist`` and ``skip_conflicts``: the dates left out, on the waiting list."""
        if not (join and booking_request.skip_conflicts):
            return {}
        try:
            entries = line.join(booking_request, g.api_user)
        except (RuleViolation, InvalidState):  # nothing was taken, or in line already
            entries = []
        return {"waitlist": [entry_json(entry) for entry in entries]}

    return run(lambda: services.request_booking(booking_request, g.api_user), status=201, asked=booking_request,
               extra=left_out)


@bp.get(f"/bookings/<{ID}:booking_id>")
@token_required
def get_booking(booking_id):
    booking = load_booking(booking_id)
    if booking is None:
        return api_error(404)
    return jsonify(booking_json(booking))


def optional_body() -> dict:
    """The body of an action: empty, or a JSON object."""
    if not request.get_data(cache=True):
        return {}
    return json_body()


def booking_action(may):
    """Load the booking (404 when the caller may not see it), check ``may(booking, user)`` (403),
    read the optional JSON body (400), then call the view with ``(booking, body)``."""

    def decorator(view):
        @wraps(view)
        def wrapped(booking_id):
            booking = load_booking(booking_id)
            if booking is None:
                return api_error(404)
            if not may(booking, g.api_user):
                return api_error(403)
            try:
                body = optional_body()
            except BadBody:
                return bad_body()
            return view(booking, body)

        return wrapped

    return decorator


@bp.post(f"/bookings/<{ID}:booking_id>/approve")
@token_required
@booking_action(Booking.can_decide)
def approve_booking(booking, body):
    ids = body.get("occurrences")
    if ids is not None and (not isinstance(ids, list) or not all(is_int(i) for i in ids) or len(ids) > 1000):
        return invalid({"occurrences": [_("Please give a list of occurrence ids.")]})
    reason = body.get("reason", "")
    return run(lambda: services.approve(booking, g.api_user, occurrence_ids=ids, reason=reason))


@bp.post(f"/bookings/<{ID}:booking_id>/reject")
@token_required
@booking_action(Booking.can_decide)
def reject_booking(booking, body):
    return run(lambda: services.reject(booking, g.api_user, reason=body.get("reason")))


@bp.post(f"/bookings/<{ID}:booking_id>/cancel")
@token_required
@booking_action(Booking.can_cancel)
def cancel_booking(booking, body):
    occurrence_id = None
    when = body.get("occurrence")
    if when is not None:
        try:
            value = parse_when(when)
        except ValueError:
            return invalid({"occurrence": [_("Please give the date to cancel, such as 2027-03-30.")]})
        occurrence = services.occurrence_on(booking, value)
        if occurrence is None:
            return invalid({"occurrence": [_("This booking has no single date at that day or time.")]})
        occurrence_id = occurrence.id
    following = body.get("following", False)
    if not isinstance(following, bool):
        return invalid({"following": [_("Please give true or false.")]})
    return run(lambda: services.cancel(booking, g.api_user, occurrence_id=occurrence_id, following=following,
                                       reason=body.get("reason", "")))


# --- availability -------------------------------------------------------------------


@bp.get(f"/rooms/<{ID}:room_id>/availability")
def room_availability(room_id):
    """Public: the busy intervals (approved dates) of a room in a range; no personal data."""
    room = db.session.get(Room, room_id)
    if room is None:
        return api_error(404)
    centre = room.centre
    tz_name = centre.timezone
    errors = {}
    today = to_utc_naive(datetime.combine(to_local(utcnow(), tz_name).date(), time.min, tzinfo=zone(tz_name)))
    bounds = {}
    for name, default in (("start", today), ("end", None)):
        raw = request.args.get(name)
        if raw is None or raw == "":
            bounds[name] = default
            continue
        try:
            bounds[name] = parse_bound(raw, tz_name, end=name == "end")
        except (ValueError, TypeError, OverflowError):
            errors[name] = [_("Please give a date (2027-03-30) or a date and time (2027-03-30T18:00).")]
    if errors:
        return invalid(errors)
    start = bounds["start"]
    end = bounds["end"] or start + timedelta(days=7)
    if end <= start:
        return invalid({"end": [_("The end must be after the start.")]})
    if end - start > timedelta(days=MAX_RANGE_DAYS):
        return invalid({"end": [_("Please ask for at most %(days)d days at once.", days=MAX_RANGE_DAYS)]})
    busy = db.session.scalars(
        db.select(Occurrence).where(
            Occurrence.room_id == room.id, Occurrence.status == APPROVED,
            Occurrence.starts_at < end, Occurrence.ends_at > start,
        ).order_by(Occurrence.starts_at)
    ).all()
    first_day, last_day = to_local(start, tz_name).date(), to_local(end, tz_name).date()
    closed = [
        {"start": c.starts_on.isoformat(), "end": c.ends_on.isoformat()}
        for c in closures_for(centre, room) if c.starts_on <= last_day and first_day <= c.ends_on
    ]
    return jsonify({
        "room_id": room.id,
        "centre": centre.slug,
        "timezone": tz_name,
        "bookable": room.bookable,
        "start": local_iso(start, tz_name),
        "end": local_iso(end, tz_name),
        "busy": [{"start": local_iso(o.starts_at, tz_name), "end": local_iso(o.ends_at, tz_name),
                  "blocked": {"start": local_iso(o.blocked_start, tz_name), "end": local_iso(o.blocked_end, tz_name)}}
                 for o in busy],
        "buffers": {"setup_minutes": room.setup_minutes, "cleanup_minutes": room.cleanup_minutes},
        "closed": closed,
    })
