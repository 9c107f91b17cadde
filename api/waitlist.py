"""The waiting list's API: join with a booking request's body for one taken date, list, show, answer, leave.

``POST /waitlist`` 201 ``{"id", "status": "waiting", "position", ...}``; 422 when the date is free (request it
instead) or the body is not a request the association could make; 409 when the association is in line for the
date already. ``GET /waitlist``: the caller's associations' entries (managers: their centres'; admins: all).
``POST /waitlist/<id>/accept`` (while offered) 201 ``{"booking": {...}, "entry": {...}}``; ``/decline``;
``/withdraw``. Others' entries are 404; answering for an association one only sees as a manager is 403.
"""

from flask import g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api import bp
from api.auth import token_required
from api.booking_input import BadBody, Invalid, json_body, parse_booking_request, parse_responsible
from api.bookings import bad_body, booking_json, error_response, invalid, optional_body
from api.errors import api_error
from api.openapi import STANDARD_ERRORS, describe
from api.serializers import waitlist_entry_json
from bookings.errors import BookingError
from extensions import db
from operations import throttle
from parsing import ID
from waitlist import line
from waitlist.models import STATUSES, WaitlistEntry
from waitlist.views import visible_clause

LIST_LIMIT = 500


@bp.post("/waitlist")
@token_required
def join_waitlist():
    throttle.check("BOOKING_LIMIT", g.api_user, with_change=True)
    try:
        body = json_body()
        booking_request = parse_booking_request(body, g.api_user)
    except BadBody:
        return bad_body()
    except Invalid as error:
        return invalid(error.fields)
    if booking_request.recurrence is not None:
        return invalid({"recurrence": [_("The waiting list takes one date at a time.")]})
    try:
        entries = line.join(booking_request, g.api_user)
        db.session.flush()
        answer = waitlist_entry_json(entries[0])
        db.session.commit()
    except BookingError as error:
        db.session.rollback()
        return error_response(error)
    return jsonify(answer), 201


@bp.get("/waitlist")
@token_required
def list_waitlist():
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        return invalid({"status": [_("Please choose one of: %(choices)s.", choices=", ".join(STATUSES))]})
    query = (select(WaitlistEntry).options(selectinload(WaitlistEntry.centre), selectinload(WaitlistEntry.association))
             .order_by(WaitlistEntry.starts_at, WaitlistEntry.id).limit(LIST_LIMIT))
    clause = visible_clause(g.api_user)
    if clause is not None:
        query = query.where(clause)
    if status is not None:
        query = query.where(WaitlistEntry.status == status)
    return jsonify({"items": [waitlist_entry_json(entry) for entry in db.session.scalars(query)]})


def load_entry(entry_id):
    entry = db.session.get(WaitlistEntry, entry_id)
    if entry is None or not entry.can_view(g.api_user):
        return None
    return entry


@bp.get(f"/waitlist/<{ID}:entry_id>")
@token_required
def get_waitlist_entry(entry_id):
    entry = load_entry(entry_id)
    if entry is None:
        return api_error(404)
    return jsonify(waitlist_entry_json(entry))


def _answer(entry_id, act):
    entry = load_entry(entry_id)
    if entry is None:
        return api_error(404)
    if not entry.is_member(g.api_user):
        return api_error(403)
    try:
        body = optional_body()
    except BadBody:
        return bad_body()
    try:
        answer, status = act(entry, body)
        db.session.commit()
    except Invalid as error:
        db.session.rollback()
        return invalid(error.fields)
    except BookingError as error:
        db.session.rollback()
        return error_response(error)
    return jsonify(answer), status


def _accept(entry, body):
    errors = {}
    accept_terms = body.get("accept_terms")
    if accept_terms is not None and not isinstance(accept_terms, bool):
        errors["accept_terms"] = [_("Please give true or false.")]
    responsible = parse_responsible(body.get("responsible"), errors)
    if errors:
        raise Invalid(errors)
    booking = line.accept(entry, g.api_user, accept_terms=accept_terms, responsible=responsible)
    db.session.flush()
    return {"booking": booking_json(booking), "entry": waitlist_entry_json(entry)}, 201


@bp.post(f"/waitlist/<{ID}:entry_id>/accept")
@token_required
def accept_offer(entry_id):
    return _answer(entry_id, _accept)


@bp.post(f"/waitlist/<{ID}:entry_id>/decline")
@token_required
def decline_offer(entry_id):
    return _answer(entry_id, lambda entry, body: (waitlist_entry_json(line.decline(entry, g.api_user)), 200))


@bp.post(f"/waitlist/<{ID}:entry_id>/withdraw")
@token_required
def leave_waitlist(entry_id):
    return _answer(entry_id, lambda entry, body: (waitlist_entry_json(line.withdraw(entry, g.api_user)), 200))


# --- the OpenAPI document -------------------------------------------------------------------

_ENTRY = {"$ref": "#/components/schemas/WaitlistEntry"}
_ENTRY_ID = {"name": "entry_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_SECURED = [{"bearer": []}]


def _answer_doc(summary, description, status="200", answer=None, body=None):
    doc = {"summary": summary, "description": description, "security": _SECURED, "parameters": [_ENTRY_ID],
           "responses": {status: {"description": "Done.", "content": {"application/json": {
               "schema": answer or _ENTRY}}},
                         "401": STANDARD_ERRORS["401"],
                         "403": {"description": "A manager who sees the place but does not answer for the "
                                                "association."},
                         "404": {"description": "No such place, or not the caller's to see."},
                         "409": {"description": "The place's state does not allow this (no offer standing, "
                                                "expired, left the line)."}}}
    if body is not None:
        doc["requestBody"] = {"required": False, "content": {"application/json": {"schema": body}}}
    return {"post": doc}


describe(
    paths={
        "/waitlist": {
            "post": {
                "summary": "Join the waiting list for a taken date",
                "description": "The body is a booking request's for one date (no recurrence). Taken: an approved "
                               "date or another association's pending request is in the way. 422 when the date is "
                               "free (request it instead) or the request breaks a rule; 409 when the association "
                               "is in line for it already. When the date frees, the first in line gets an offer "
                               "(mail, status `offered`, `offer_expires`).",
                "security": _SECURED,
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/BookingRequest"}}}},
                "responses": {"201": {"description": "The place in line.", "content": {"application/json": {
                    "schema": _ENTRY}}}, "401": STANDARD_ERRORS["401"], "403": STANDARD_ERRORS["403"],
                    "409": {"description": "Already in line for this date."},
                    "422": {"description": "The date is free, or the request is not valid (fields)."}},
            },
            "get": {
                "summary": "Places on the waiting list",
                "description": "The caller's associations' places; a manager's centres'; an admin's: all.",
                "security": _SECURED,
                "parameters": [{"name": "status", "in": "query", "schema": {"type": "string",
                                                                           "enum": list(STATUSES)}}],
                "responses": {"200": {"description": "The places.", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"items": {"type": "array", "items": _ENTRY}}}}}},
                    "401": STANDARD_ERRORS["401"]},
            },
        },
        "/waitlist/{entry_id}": {"get": {
            "summary": "A place on the waiting list", "security": _SECURED, "parameters": [_ENTRY_ID],
            "responses": {"200": {"description": "The place.", "content": {"application/json": {"schema": _ENTRY}}},
                          "401": STANDARD_ERRORS["401"], "404": {"description": "No such place, or not yours."}},
        }},
        "/waitlist/{entry_id}/accept": _answer_doc(
            "Accept the offer", "While offered: the association's request for the date, pending, under every rule "
            "of a new request. `accept_terms` when the house rules changed since joining; `responsible` when the "
            "centre asks for one and none was given.", "201",
            {"type": "object", "properties": {"booking": {"$ref": "#/components/schemas/Booking"}, "entry": _ENTRY}},
            {"type": "object", "properties": {"accept_terms": {"type": "boolean"}, "responsible": {"type": "object"}}}),
        "/waitlist/{entry_id}/decline": _answer_doc("Decline the offer", "The date goes to the next in line."),
        "/waitlist/{entry_id}/withdraw": _answer_doc("Leave the waiting list",
                                                     "A standing offer goes to the next in line."),
    },
    schemas={"WaitlistEntry": {"type": "object", "properties": {
        "id": {"type": "integer"}, "status": {"type": "string", "enum": list(STATUSES)},
        "position": {"type": ["integer", "null"], "description": "1 = first in line; null out of line."},
        "room_id": {"type": "integer"}, "centre": {"type": "string"},
        "association": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
        "title": {"type": "string"}, "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "offer_expires": {"type": ["string", "null"], "format": "date-time"},
        "booking_id": {"type": ["integer", "null"]}, "created_at": {"type": "string", "format": "date-time"}}}},
)
