"""Co-organised events in the API: ``GET /cooperations?status=`` (invitations to and from the caller's
associations), ``POST /cooperations/<id>/accept|decline|withdraw`` by admins of the invited association."""

from flask import g, jsonify, request
from flask_babel import gettext as _

from api import bp
from api.auth import token_required
from api.bookings import error_response, invalid
from api.errors import api_error
from api.openapi import STANDARD_ERRORS, describe
from bookings.errors import BookingError
from extensions import db
from parsing import ID
from programmes import cooperations
from programmes.cooperation_views import visible
from programmes.models import COOPERATION_STATUSES as STATUSES
from programmes.models import Cooperation


def cooperation_json(cooperation) -> dict:
    booking = cooperation.booking
    return {"id": cooperation.id, "booking_id": booking.id,
            "title": booking.title, "event_id": booking.event.id if booking.event else None,
            "inviting": {"id": booking.association.id, "name": booking.association.name},
            "invited": {"id": cooperation.association.id, "name": cooperation.association.name},
            "status": cooperation.status}


@bp.get("/cooperations")
@token_required
def list_cooperations():
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        return invalid({"status": [_("Please choose one of: %(choices)s.", choices=", ".join(STATUSES))]})
    query = visible(g.api_user)
    if status is not None:
        query = query.where(Cooperation.status == status)
    return jsonify({"items": [cooperation_json(c) for c in db.session.scalars(query)]})


def _answer(cooperation_id, action):
    cooperation = db.session.get(Cooperation, cooperation_id)
    if cooperation is None or not cooperation.can_view(g.api_user):
        return api_error(404)
    try:
        action(cooperation, g.api_user)
        db.session.flush()
        body = cooperation_json(cooperation)
        db.session.commit()
    except BookingError as error:
        db.session.rollback()
        return error_response(error)
    return jsonify(body)


@bp.post(f"/cooperations/<{ID}:cooperation_id>/accept")
@token_required
def accept_cooperation(cooperation_id):
    return _answer(cooperation_id, cooperations.accept)


@bp.post(f"/cooperations/<{ID}:cooperation_id>/decline")
@token_required
def decline_cooperation(cooperation_id):
    return _answer(cooperation_id, cooperations.decline)


@bp.post(f"/cooperations/<{ID}:cooperation_id>/withdraw")
@token_required
def withdraw_cooperation(cooperation_id):
    return _answer(cooperation_id, cooperations.withdraw)


_COOPERATION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "booking_id": {"type": "integer"}, "title": {"type": "string"},
    "event_id": {"type": ["integer", "null"]},
    "inviting": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
    "invited": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
    "status": {"type": "string", "enum": list(STATUSES)}}}
_ID = {"name": "cooperation_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _action(summary):
    return {"post": {"summary": summary, "security": [{"bearer": []}], "parameters": [_ID], "responses": {
        "200": {"description": "The cooperation.", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Cooperation"}}}},
        "401": STANDARD_ERRORS["401"], "403": {"description": "Not an admin of the invited association."},
        "404": {"description": "No such invitation, or not the caller's to see."},
        "409": {"description": "Answered already, or the event has passed."}}}}


describe(paths={
    "/cooperations": {"get": {
        "summary": "Invitations to organise events together, to and from the caller's associations",
        "security": [{"bearer": []}],
        "parameters": [{"name": "status", "in": "query", "schema": {"type": "string", "enum": list(STATUSES)}}],
        "responses": {"200": {"description": "The invitations.", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"items": {"type": "array", "items": {
                "$ref": "#/components/schemas/Cooperation"}}}}}}}, "401": STANDARD_ERRORS["401"]}}},
    "/cooperations/{cooperation_id}/accept": _action("Accept: the association is shown as co-organiser"),
    "/cooperations/{cooperation_id}/decline": _action("Decline the invitation"),
    "/cooperations/{cooperation_id}/withdraw": _action("Step back as co-organiser"),
}, schemas={"Cooperation": _COOPERATION})
