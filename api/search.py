"""GET /api/v1/rooms/search: rooms for a slot across all centres.

Public, as the search page is; with a bearer token the rules are the token
user's (a centre's managers need no minimum notice). ``start``/``end``: the
first date's date-times (without offset: each centre's local time); with
``until`` the same slot weekly up to that date (``weekdays`` MO,TU,...; default
the weekday of ``start``). Results: rooms free on every date first, then by the
number of dates taken, each with those dates (``conflicts``); ``suggestions``:
near misses, when no room is free on every date. The search itself is
bookings.search — the same rules as a request.
"""

from datetime import date

from flask import jsonify, request, url_for
from flask_babel import gettext as _

import i18n
from api import bp
from api.auth import bearer_secret, bearer_user
from api.errors import api_error
from api.openapi import describe
from bookings.display import local_iso
from bookings.recurrence import WEEKDAY_CODES
from bookings.rules import MAX_ATTENDEES
from bookings.search import request_args, search
from bookings.search_query import MAX_RESULTS, InvalidSearch, SearchQuery
from centres.models import Centre
from centres.vocabulary import EQUIPMENT, WELCOME_FEATURES
from extensions import db
from operations import throttle
from parsing import parse_date, parse_datetime, parse_flag

MAX_LIMIT = 500


def _codes(name) -> list[str]:
    """A list parameter: repeated (equipment=a&equipment=b) or comma separated (equipment=a,b)."""
    values = []
    for raw in request.args.getlist(name)[:20]:
        values.extend(part.strip() for part in raw.split(",") if part.strip())
    return list(dict.fromkeys(values))


def _times(args, errors) -> tuple[dict, date | None]:
    """``start`` and ``end`` (date-times, both with an offset or neither) and ``until`` (a date)."""
    times = {}
    for name in ("start", "end"):
        try:
            times[name] = parse_datetime(args.get(name, ""))
        except ValueError:
            errors[name] = [_("Please give a date and time in ISO 8601, such as 2027-03-30T18:00.")]
    if len(times) == 2 and (times["start"].tzinfo is None) != (times["end"].tzinfo is None):
        errors["end"] = [_("Please give both times with an offset, or both without.")]
    until = None
    if args.get("until", "").strip():
        try:
            until = parse_date(args.get("until"))
        except ValueError:
            errors["until"] = [_("Please give a date such as 2027-06-30.")]
    return times, until


def parse_query(args) -> tuple[SearchQuery | None, dict, int]:
    """The query string as a SearchQuery, the field errors, and the limit."""
    errors: dict[str, list[str]] = {}
    times, until = _times(args, errors)
    weekdays = [code.upper() for code in _codes("weekdays")]
    if any(code not in WEEKDAY_CODES for code in weekdays):
        errors["weekdays"] = [_("Please give weekdays as MO, TU, WE, TH, FR, SA, SU.")]
    capacity = None
    raw = args.get("capacity", "").strip()
    if raw:
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_ATTENDEES:
            errors["capacity"] = [_("Please give a number of people.")]
        else:
            capacity = int(raw)
    equipment, features = _codes("equipment"), _codes("features")
    if unknown := [key for key in equipment if key not in EQUIPMENT]:
        errors["equipment"] = [_("Unknown equipment: %(keys)s. Known: %(known)s.",
                                 keys=", ".join(unknown[:5])[:100], known=", ".join(EQUIPMENT))]
    if unknown := [key for key in features if key not in WELCOME_FEATURES]:
        errors["features"] = [_("Unknown welcome feature: %(keys)s. Known: %(known)s.",
                                keys=", ".join(unknown[:5])[:100], known=", ".join(WELCOME_FEATURES))]
    barrier_free = False
    if args.get("barrier_free", "").strip():
        try:
            barrier_free = parse_flag(args.get("barrier_free"))
        except ValueError:
            errors["barrier_free"] = [_("Please give true or false.")]
    district, centre = args.get("district", "").strip(), args.get("centre", "").strip()
    if len(district) > 100:
        errors["district"] = [_("Please use at most %(max)d characters.", max=100)]
    if len(centre) > 80:
        errors["centre"] = [_("There is no centre with this name.")]
    limit = MAX_RESULTS
    raw = args.get("limit", "").strip()
    if raw:
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
            errors["limit"] = [_("Please give a number from %(min)d to %(max)d.", min=1, max=MAX_LIMIT)]
        else:
            limit = int(raw)
    if errors:
        return None, errors, limit
    query = SearchQuery(
        start=times["start"], end=times["end"], weekdays=tuple(weekdays), until=until, capacity=capacity,
        equipment=tuple(equipment), barrier_free=barrier_free, district=district, centre=centre,
        features=tuple(features),
    )
    return query, errors, limit


def _conflicts(result) -> list[dict]:
    return _intervals(result.conflict_slots, result.centre.timezone)


def _intervals(slots, tz_name) -> list[dict]:
    return [{"start": local_iso(s.start, tz_name), "end": local_iso(s.end, tz_name)} for s in slots]


def result_json(result, query, lang) -> dict:
    room, centre = result.room, result.centre
    args = request_args(query, result.slots, skip_conflicts=not result.is_free, attendees=query.capacity)
    return {
        "room_id": room.id,
        "centre": centre.slug,
        "centre_name": centre.display_name(lang),
        "district": centre.district,
        "name": room.name,
        "capacity": room.capacity,
        "equipment": list(room.equipment or []),
        "barrier_free": room.barrier_free,
        "free": result.is_free,
        "dates": result.dates,
        "conflicts": _conflicts(result),
        "closed": _intervals(result.closed, result.centre.timezone),
        "request_url": url_for("bookings.request_room", lang=lang, room_id=room.id, _external=True, **args),
    }


def suggestion_json(suggestion, query, lang) -> dict:
    room, centre = suggestion.room, suggestion.centre
    tz_name = centre.timezone
    first = suggestion.slots[0]
    variant = suggestion.query
    args = request_args(variant, suggestion.slots, attendees=query.capacity)
    return {
        "room_id": room.id,
        "centre": centre.slug,
        "centre_name": centre.display_name(lang),
        "name": room.name,
        "capacity": room.capacity,
        "kind": suggestion.kind,
        "start": local_iso(first.start, tz_name),
        "end": local_iso(first.end, tz_name),
        "weekdays": list(args.get("weekdays", [])),
        "until": variant.until.isoformat() if variant.until else None,
        "dates": len(suggestion.slots),
        "request_url": url_for("bookings.request_room", lang=lang, room_id=room.id, _external=True, **args),
    }


@bp.get("/rooms/search")
def search_rooms():
    user = None
    if bearer_secret() is not None:
        user = bearer_user()
        if user is None:
            response = api_error(401)
            response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
            return response
    throttle.check("SEARCH_LIMIT", user)
    lang = request.args.get("lang", "")
    if lang not in i18n.supported_languages():
        lang = i18n.FALLBACK_LANGUAGE
    query, errors, limit = parse_query(request.args)
    if errors:
        return api_error(422, _("The input is not valid."), fields=errors)
    try:
        outcome = search(query, user, limit=limit)
    except InvalidSearch as error:
        return api_error(422, _("The input is not valid."), fields=error.fields)
    if query.centre and not outcome.results and not outcome.left_out and not outcome.suggestions:
        if db.session.scalar(db.select(Centre.id).where(Centre.slug == query.centre)) is None:
            return api_error(422, _("The input is not valid."),
                             fields={"centre": [_("There is no centre with this name.")]})
    return jsonify({
        "results": [result_json(r, query, lang) for r in outcome.results],
        "suggestions": [suggestion_json(s, query, lang) for s in outcome.suggestions],
        "total": outcome.total,
        "free_total": outcome.free_total,
        "left_out_total": outcome.left_out_total,
        "left_out": [
            {"room_id": o.room.id, "centre": o.room.centre.slug, "name": o.room.name, "reasons": o.reasons}
            for o in outcome.left_out
        ],
    })


# --- the OpenAPI description ---------------------------------------------------------------

_LIST = {"type": "string"}
_PARAMETERS = [
    {"name": "start", "in": "query", "required": True, "schema": {"type": "string", "format": "date-time"},
     "examples": {"local": {"value": "2027-03-02T18:00"}},
     "description": "Start of the first date. Without offset: each centre's local time."},
    {"name": "end", "in": "query", "required": True, "schema": {"type": "string", "format": "date-time"},
     "examples": {"local": {"value": "2027-03-02T20:00"}}, "description": "End of the first date."},
    {"name": "until", "in": "query", "schema": {"type": "string", "format": "date"},
     "description": "The same slot weekly up to this date (at most 200 dates)."},
    {"name": "weekdays", "in": "query", "schema": _LIST, "examples": {"two": {"value": "TU,TH"}},
     "description": "With until: the weekdays (MO..SU, comma separated). Default: the weekday of start."},
    {"name": "capacity", "in": "query", "schema": {"type": "integer", "minimum": 1},
     "description": "People expected: rooms holding at least this many."},
    {"name": "equipment", "in": "query", "schema": _LIST, "description": "Equipment the room must have, comma "
     "separated: " + ", ".join(EQUIPMENT) + "."},
    {"name": "barrier_free", "in": "query", "schema": {"type": "string", "enum": ["1", "0", "true", "false"]}},
    {"name": "district", "in": "query", "schema": {"type": "string"}},
    {"name": "centre", "in": "query", "schema": {"type": "string"}, "description": "A centre's slug."},
    {"name": "features", "in": "query", "schema": _LIST, "description": "Welcome features the centre must "
     "offer, comma separated: " + ", ".join(WELCOME_FEATURES) + "."},
    {"name": "lang", "in": "query", "schema": {"type": "string"}, "description": "Language of centre names and "
     "of the request links."},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                                "default": MAX_RESULTS}},
]

describe(
    paths={"/rooms/search": {"get": {
        "summary": "Find a room: rooms for a date or a weekly slot across all centres",
        "description": "Rooms matching the filters whose rules (bookable hours, closures, maximum length, how far "
                       "ahead, minimum notice, capacity) allow every date — the same rules as a request. Rooms free "
                       "on every date first, then by the number of dates taken; `conflicts` are the dates asked for "
                       "that an approved booking holds (busy times only, never who). `suggestions`: when no room "
                       "is free on every date, the same room an hour earlier or later, on another weekday, or "
                       "shorter — each free on every date. Public; with a bearer token the rules are the user's.",
        "parameters": _PARAMETERS,
        "responses": {
            "200": {"description": "The rooms.", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/RoomSearch"}}}},
            "401": {"description": "A bearer token was given but is not valid.", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "422": {"description": "A parameter is invalid (fields names it).", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        },
    }}},
    schemas={
        "RoomSearch": {
            "type": "object",
            "required": ["results", "suggestions"],
            "properties": {
                "results": {"type": "array", "items": {"$ref": "#/components/schemas/RoomSearchResult"}},
                "suggestions": {"type": "array", "items": {"$ref": "#/components/schemas/RoomSuggestion"}},
                "total": {"type": "integer", "description": "Results before the limit."},
                "free_total": {"type": "integer", "description": "Of them, rooms free on every date."},
                "left_out_total": {"type": "integer", "description": "Rooms left out by their rules, before the "
                                   "limit (left_out lists at most `limit` of them)."},
                "left_out": {"type": "array", "description": "Rooms matching the filters whose rules refuse "
                             "some of the dates, with the first reasons.", "items": {"type": "object", "properties": {
                                 "room_id": {"type": "integer"}, "centre": {"type": "string"},
                                 "name": {"type": "string"},
                                 "reasons": {"type": "array", "items": {"type": "string"}}}}},
            },
        },
        "RoomSearchResult": {
            "type": "object",
            "required": ["room_id", "centre", "name", "capacity", "conflicts"],
            "properties": {
                "room_id": {"type": "integer"},
                "centre": {"type": "string", "description": "The centre's slug."},
                "centre_name": {"type": "string"},
                "district": {"type": "string"},
                "name": {"type": "string"},
                "capacity": {"type": "integer"},
                "equipment": {"type": "array", "items": {"type": "string"}},
                "barrier_free": {"type": "boolean"},
                "free": {"type": "boolean", "description": "Free on every date."},
                "dates": {"type": "integer", "description": "Number of dates asked for."},
                "conflicts": {"type": "array", "items": {"$ref": "#/components/schemas/Interval"},
                              "description": "The dates asked for that are taken."},
                "closed": {"type": "array", "items": {"$ref": "#/components/schemas/Interval"},
                           "description": "Dates of a weekly pattern on a closure of the room or centre: "
                                          "left out, as a request leaves them out."},
                "request_url": {"type": "string", "format": "uri",
                                "description": "The request form, pre-filled (taken dates skipped)."},
            },
        },
        "RoomSuggestion": {
            "type": "object",
            "required": ["room_id", "centre", "name", "kind", "start", "end"],
            "properties": {
                "room_id": {"type": "integer"},
                "centre": {"type": "string"},
                "centre_name": {"type": "string"},
                "name": {"type": "string"},
                "capacity": {"type": "integer"},
                "kind": {"type": "string", "enum": ["earlier", "later", "weekday", "shorter"]},
                "start": {"type": "string", "format": "date-time", "description": "The first date."},
                "end": {"type": "string", "format": "date-time"},
                "weekdays": {"type": "array", "items": {"type": "string"}},
                "until": {"type": ["string", "null"], "format": "date"},
                "dates": {"type": "integer"},
                "request_url": {"type": "string", "format": "uri"},
            },
        },
    },
)
