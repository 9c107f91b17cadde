"""GET /api/v1/openapi.json: the OpenAPI 3.1 description of the JSON API.

Paths and schemas are plain dictionaries; a module adding endpoints adds its
entries to PATHS and SCHEMAS (or calls ``describe``), and the document is
assembled per request so the server URL is the one the client used.
"""

from flask import jsonify, request

from api import bp
from centres.policy import RoomPolicy

ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema, description):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description):
    return _json(ERROR, description)


STANDARD_ERRORS = {
    "401": _error("No valid bearer token."),
    "403": _error("The action is outside the user's role or centres."),
    "404": _error("No such booking, or the user may not see it."),
}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "examples": ["invalid", "conflict", "invalid_state", "not_found"]},
                    "message": {"type": "string", "description": "Translated (Accept-Language)."},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        "description": "422: messages per request field (e.g. start, recurrence.count, event.title).",
                    },
                    "conflicts": {"type": "array", "items": {"$ref": "#/components/schemas/Interval"}},
                },
            }
        },
    },
    "Interval": {
        "type": "object",
        "required": ["start", "end"],
        "properties": {
            "start": {"type": "string", "format": "date-time", "examples": ["2027-03-30T18:00:00+02:00"]},
            "end": {"type": "string", "format": "date-time"},
        },
    },
    "Texts": {
        "type": "object",
        "description": "Texts per language code.",
        "additionalProperties": {"type": "string"},
        "examples": [{"de": "Deutschkurs", "tr": "Almanca kursu"}],
    },
    "Room": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "capacity": {"type": "integer"},
            "equipment": {"type": "array", "items": {"type": "string"}},
            "barrier_free": {"type": "boolean"},
            "bookable": {"type": "boolean"},
            "rules": RoomPolicy.json_schema(),
        },
    },
    "Centre": {
        "type": "object",
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "names": {"$ref": "#/components/schemas/Texts"},
            "description": {"type": "string"},
            "district": {"type": "string"},
            "address": {"type": "object", "properties": {
                "street": {"type": "string"}, "postcode": {"type": "string"}, "city": {"type": "string"}}},
            "geo": {"type": ["object", "null"], "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}}},
            "opening_hours": {"type": "object", "description": "Weekday (0 = Monday) -> [[from, to], ...]."},
            "features": {"type": "array", "items": {"type": "string"}},
            "staff_languages": {"type": "array", "items": {"type": "string"}},
            "contact": {"type": "object"},
            "timezone": {"type": "string", "examples": ["Europe/Berlin"]},
            "default_language": {"type": "string"},
            "url": {"type": "string", "format": "uri"},
        },
    },
    "CentreWithRooms": {
        "allOf": [
            {"$ref": "#/components/schemas/Centre"},
            {"type": "object", "properties": {"rooms": {"type": "array", "items": {"$ref": "#/components/schemas/Room"}}}},
        ]
    },
    "Me": {
        "type": "object",
        "properties": {
            "email": {"type": "string"},
            "name": {"type": "string"},
            "role": {"type": "string", "enum": ["admin", "manager", "member"]},
            "associations": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"}, "verified": {"type": "boolean"}}}},
            "centres": {"type": "array", "items": {"type": "string"}, "description": "Slugs of the centres managed."},
        },
    },
    "Recurrence": {
        "type": "object",
        "description": "Weekly (every `interval` weeks) on `byweekday`, until a date or `count` dates (one of them). "
                       "At most 200 dates; the local time is kept across daylight-saving changes.",
        "properties": {
            "freq": {"type": "string", "enum": ["weekly"], "default": "weekly"},
            "interval": {"type": "integer", "minimum": 1, "maximum": 12, "default": 1},
            "byweekday": {"type": "array", "items": {"type": "string", "enum": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]},
                          "description": "Default: the weekday of `start`."},
            "until": {"type": "string", "format": "date"},
            "count": {"type": "integer", "minimum": 1},
        },
    },
    "EventInput": {
        "type": "object",
        "description": "The public event that goes with the booking; shown once the booking is approved.",
        "properties": {
            "title": {"$ref": "#/components/schemas/Texts"},
            "description": {"$ref": "#/components/schemas/Texts"},
            "category": {"type": "string", "examples": ["language_course"]},
            "audience": {"type": "array", "items": {"type": "string", "enum": [
                "everyone", "children", "youth", "families", "women", "seniors", "newcomers", "refugees", "students"]}},
            "languages": {"type": "array", "items": {"type": "string"}, "description": "Language tags, e.g. de, tr, ar."},
            "is_free": {"type": "boolean", "default": True},
            "price": {"type": "string"},
            "registration_url": {"type": "string", "format": "uri"},
        },
    },
    "BookingRequest": {
        "type": "object",
        "required": ["room_id", "start", "end", "title"],
        "properties": {
            "room_id": {"type": "integer"},
            "start": {"type": "string", "format": "date-time",
                      "description": "Start of the first date; without offset: the centre's local time."},
            "end": {"type": "string", "format": "date-time"},
            "title": {"type": "string", "maxLength": 200},
            "association_id": {"type": "integer", "description": "Needed when the user belongs to several associations; "
                               "leave out (as a manager of the centre) to book for the centre itself (approved at once)."},
            "recurrence": {"$ref": "#/components/schemas/Recurrence"},
            "skip_conflicts": {"type": "boolean", "default": False, "description": "Leave out the dates already taken."},
            "join_waitlist": {"type": "boolean", "default": False,
                              "description": "With skip_conflicts: put the dates left out on the waiting list; "
                                             "the answer's `waitlist` lists the places (POST /bookings only)."},
            "attendees": {"type": "integer", "minimum": 1, "description": "At most the room's capacity."},
            "note": {"type": "string", "maxLength": 2000},
            "event": {"$ref": "#/components/schemas/EventInput"},
            "accept_terms": {"type": "boolean", "description": "The centre's current house rules are accepted. "
                             "Required (true) for an association's request when the centre has house rules."},
            "responsible": {"type": "object", "description": "The adult responsible on the day; required when the "
                            "centre asks for one. Seen by the centre's managers only.",
                            "properties": {"name": {"type": "string"}, "phone": {"type": "string"},
                                           "adult": {"type": "boolean"}}},
            "commercial": {"type": "boolean", "default": False, "description": "A commercial purpose: the commercial "
                           "tariff applies."},
        },
    },
    "Fee": {
        "type": "object",
        "description": "Tariff: free for a non-profit association's offer open to all and free of charge, reduced for "
                       "other non-profit use, commercial for a commercial purpose, else standard.",
        "properties": {
            "amount": {"type": "string", "examples": ["45.00"]}, "deposit": {"type": "string", "examples": ["100.00"]},
            "currency": {"type": "string", "examples": ["EUR"]},
            "tariff": {"type": "string", "enum": ["standard", "reduced", "free", "commercial"]},
            "cancellation_fees": {"type": "string", "description": "Late-cancellation fees charged so far."},
        },
    },
    "Occurrence": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "start": {"type": "string", "format": "date-time"},
            "end": {"type": "string", "format": "date-time"},
            "status": {"type": "string", "enum": ["pending", "approved", "rejected", "cancelled"]},
            "reason": {"type": ["string", "null"]},
        },
    },
    "Booking": {
        "type": "object",
        "required": ["id", "status", "occurrences"],
        "properties": {
            "id": {"type": "integer"},
            "status": {"type": "string", "enum": ["pending", "approved", "rejected", "cancelled"]},
            "title": {"type": "string"},
            "room_id": {"type": ["integer", "null"]},
            "centre": {"type": "string"},
            "timezone": {"type": "string"},
            "association": {"type": ["object", "null"], "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
            "attendees": {"type": ["integer", "null"]},
            "recurrence": {"oneOf": [{"$ref": "#/components/schemas/Recurrence"}, {"type": "null"}]},
            "rejection_reason": {"type": ["string", "null"]},
            "cancellation_reason": {"type": ["string", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "occurrences": {"type": "array", "items": {"$ref": "#/components/schemas/Occurrence"}},
            "event": {"type": ["object", "null"]},
            "closed_dates": {"type": "array", "items": {"$ref": "#/components/schemas/Interval"},
                             "description": "Dates of the series left out: they fall on a closure."},
            "fee": {"$ref": "#/components/schemas/Fee"},
            "commercial": {"type": "boolean"},
            "house_rules": {"type": ["object", "null"], "description": "The version accepted, and when.",
                            "properties": {"version": {"type": "integer"},
                                           "accepted_at": {"type": "string", "format": "date-time"}}},
            "responsible": {"type": ["object", "null"], "description": "The centre's managers only."},
            "deposit": {"type": "object", "description": "The centre's managers only: received and returned."},
            "changes": {"type": "array", "description": "The history: who changed what, when and why.", "items": {
                "type": "object", "properties": {
                    "action": {"type": "string"}, "at": {"type": "string", "format": "date-time"},
                    "by": {"type": ["string", "null"]}, "reason": {"type": ["string", "null"]},
                    "dates": {"type": "array", "items": {"type": "string", "format": "date-time"}}}}},
            "url": {"type": "string", "format": "uri"},
        },
    },
    "Availability": {
        "type": "object",
        "properties": {
            "room_id": {"type": "integer"},
            "centre": {"type": "string"},
            "timezone": {"type": "string"},
            "bookable": {"type": "boolean"},
            "start": {"type": "string", "format": "date-time"},
            "end": {"type": "string", "format": "date-time"},
            "busy": {"type": "array", "description": "Approved dates; `blocked`: with the room's set-up and "
                     "clean-up buffers, when the room is not free.", "items": {
                         "type": "object", "properties": {
                             "start": {"type": "string", "format": "date-time"},
                             "end": {"type": "string", "format": "date-time"},
                             "blocked": {"$ref": "#/components/schemas/Interval"}}}},
            "buffers": {"type": "object", "properties": {"setup_minutes": {"type": "integer"},
                                                         "cleanup_minutes": {"type": "integer"}}},
            "closed": {"type": "array", "description": "Closures (whole local days, inclusive).", "items": {
                "type": "object", "properties": {"start": {"type": "string", "format": "date"},
                                                 "end": {"type": "string", "format": "date"}}}},
        },
    },
}

LANG = {"name": "lang", "in": "query", "schema": {"type": "string", "examples": ["de", "tr", "ar"]},
        "description": "Language of the texts (fallback: the centre's language, then German)."}
BOOKING_ID = {"name": "booking_id", "in": "path", "required": True, "schema": {"type": "integer"}}
BOOKING = _json({"$ref": "#/components/schemas/Booking"}, "The booking.")
SECURED = [{"bearer": []}]


def _action(summary, description, body_schema, extra=None):
    responses = {"200": BOOKING, "400": _error("The body is not a JSON object."), **STANDARD_ERRORS,
                 "409": _error("The booking's state does not allow this (code invalid_state), or (approve) an "
                               "approved booking holds the room (code conflict, with conflicts)."),
                 "422": _error("Invalid input (fields), or a rule is broken (e.g. a date has begun).")}
    responses.update(extra or {})
    return {"post": {
        "summary": summary, "description": description, "security": SECURED, "parameters": [BOOKING_ID],
        "requestBody": {"required": False, "content": {"application/json": {"schema": body_schema}}},
        "responses": responses,
    }}


PATHS = {
    "/centres": {"get": {
        "summary": "All centres", "parameters": [LANG],
        "responses": {"200": _json({"type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Centre"}}}}, "The centres.")},
    }},
    "/centres/{slug}": {"get": {
        "summary": "One centre with its rooms (and their ids)",
        "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}, LANG],
        "responses": {"200": _json({"$ref": "#/components/schemas/CentreWithRooms"}, "The centre."),
                      "404": _error("No such centre.")},
    }},
    "/me": {"get": {
        "summary": "Who the token belongs to", "security": SECURED,
        "responses": {"200": _json({"$ref": "#/components/schemas/Me"}, "The user."), "401": STANDARD_ERRORS["401"]},
    }},
    "/bookings": {"post": {
        "summary": "Request a room (a date or a weekly series)",
        "description": "Members book for their association (pending until a manager decides); a manager of the "
                       "centre booking without association_id books for the centre (approved at once). The rules "
                       "(bookable hours, closures, maximum length, how far ahead, minimum notice, capacity) are "
                       "checked for every date.",
        "security": SECURED,
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/BookingRequest"}}}},
        "responses": {
            "201": _json({"$ref": "#/components/schemas/Booking"}, "The booking, with its dates."),
            "400": _error("The body is not a JSON object."),
            "401": STANDARD_ERRORS["401"],
            "403": _error("The user may not book for this association or centre."),
            "409": _error("An approved booking already holds the room at some dates (conflicts lists them); "
                          "send skip_conflicts: true to leave them out."),
            "422": _error("Invalid input or a broken rule; fields names the field and the messages name the dates."),
        },
    }},
    "/bookings/{booking_id}": {"get": {
        "summary": "One booking, with its dates and history", "security": SECURED, "parameters": [BOOKING_ID],
        "responses": {"200": BOOKING, **STANDARD_ERRORS},
    }},
    "/bookings/{booking_id}/approve": _action(
        "Approve a pending request (the centre's managers, admins)",
        "All pending dates, or only `occurrences` (ids); the others are rejected with `reason`. Pending dates of "
        "other requests overlapping the approved ones are rejected, and their associations told.",
        {"type": "object", "properties": {"occurrences": {"type": "array", "items": {"type": "integer"}},
                                          "reason": {"type": "string"}}},
    ),
    "/bookings/{booking_id}/reject": _action(
        "Reject a pending request (the centre's managers, admins)",
        "The reason is required and sent to the association.",
        {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "maxLength": 2000}}},
    ),
    "/bookings/{booking_id}/cancel": _action(
        "Cancel dates (the booking's association, the centre's managers, admins)",
        "Without `occurrence`: every date still to come (a pending request is withdrawn). With `occurrence` (a "
        "local date, or a date-time for a day with several dates): that date, and with `following` the later ones "
        "too. Dates that have begun cannot be cancelled.",
        {"type": "object", "properties": {
            "occurrence": {"type": "string", "examples": ["2027-03-30"]},
            "following": {"type": "boolean", "default": False},
            "reason": {"type": "string", "maxLength": 2000}}},
    ),
    "/rooms/{room_id}/availability": {"get": {
        "summary": "A room's busy times (public, no personal data)",
        "parameters": [
            {"name": "room_id", "in": "path", "required": True, "schema": {"type": "integer"}},
            {"name": "start", "in": "query", "schema": {"type": "string"},
             "description": "A date or date-time (local unless it has an offset). Default: today."},
            {"name": "end", "in": "query", "schema": {"type": "string"},
             "description": "A date (included) or date-time. Default: 7 days after start; at most 366 days."},
        ],
        "responses": {"200": _json({"$ref": "#/components/schemas/Availability"}, "Approved dates in the range."),
                      "404": _error("No such room."), "422": _error("Invalid range.")},
    }},
    "/openapi.json": {"get": {
        "summary": "This document",
        "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}},
    }},
}


def describe(paths: dict | None = None, schemas: dict | None = None) -> None:
    """Add paths and schemas (for modules that add endpoints)."""
    PATHS.update(paths or {})
    SCHEMAS.update(schemas or {})


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Welcome Spaces API",
            "version": "1.0.0",
            "description": "District centres, rooms, bookings and events. Times are ISO 8601; a time without "
                           "offset is the centre's local time; responses carry the centre's offset. Errors are "
                           "{\"error\": {\"code\", \"message\", \"fields\"?}}.",
        },
        "servers": [{"url": request.url_root.rstrip("/") + bp.url_prefix}],
        "paths": dict(sorted(PATHS.items())),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "A personal token from the account page."}},
        },
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
