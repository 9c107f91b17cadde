"""GET /api/v1/events: the public calendar as JSON, one item per date.

Public and open to cross-origin reads (api.views.cors). The dates come from
``events.queries`` (the same selection as the calendar pages and the feeds);
times are ISO 8601 with the centre's local offset; texts are in ``lang`` with
the fallback chain (requested -> the centre's default -> German -> any) and
each item says which language it actually holds.
"""

from flask import jsonify, request, url_for
from flask_babel import gettext as _

import i18n
from api import bp
from api.errors import api_error
from api.openapi import describe
from bookings.display import reason_text
from centres.models import Centre
from events.models import AUDIENCES
from events.queries import EventFilters, default_timezone, public_occurrences
from extensions import db
from pagecache import public_page
from timeutil import to_local, utcnow

DEFAULT_LIMIT, MAX_LIMIT = 500, 2000
MAX_OFFSET = 1_000_000


def iso(value, tz_name) -> str:
    return to_local(value, tz_name).isoformat(timespec="seconds")


def event_json(event, lang, url_pattern) -> dict:
    """What all dates of an event share (computed once per event and request)."""
    centre = event.centre
    title, title_lang = i18n.pick_text(event.title, lang, centre.default_language)
    description, description_lang = i18n.pick_text(event.description, lang, centre.default_language)
    association = event.booking.association if event.booking is not None else None
    centre_name = centre.display_name(lang)
    return {
        "event_id": event.id,
        "title": title,
        "description": description,
        "lang": title_lang or lang,
        "description_lang": description_lang,
        "timezone": centre.timezone,
        "centre": {"slug": centre.slug, "name": centre_name},
        "room": {"id": event.room.id, "name": event.room.name} if event.room else None,
        "address": {"street": centre.street, "postcode": centre.postcode, "city": centre.city},
        "geo": (
            {"lat": centre.latitude, "lon": centre.longitude}
            if centre.latitude is not None and centre.longitude is not None
            else None
        ),
        "category": (
            {"key": event.category.key, "name": event.category.display_name(lang)} if event.category else None
        ),
        "audiences": list(event.audiences or []),
        "languages": list(event.languages or []),
        "barrier_free": bool(event.barrier_free),
        "free": bool(event.is_free),
        "price": event.price or None,
        "registration_url": event.registration_url or None,
        "contact": event.contact or None,
        "tags": list(event.tags or []),
        "organiser": association.name if association is not None else centre_name,
        "organisers": [{"id": a.id, "name": a.name} for a in event.booking.organisers()] if event.booking else [],
        "programmes": [programme.slug for programme in event.programmes],
        "url": url_pattern.replace(EVENT_ID_PLACEHOLDER, str(event.id)),
    }


EVENT_ID_PLACEHOLDER = "2147483647"


def occurrence_items(rows, lang) -> list[dict]:
    """One item per date: the date's own fields, then its event's (shared per event)."""
    url_pattern = url_for("events.event", lang=lang, event_id=int(EVENT_ID_PLACEHOLDER), _external=True)
    shared: dict[int, dict] = {}
    items = []
    for occurrence, event in rows:
        if event.id not in shared:
            shared[event.id] = event_json(event, lang, url_pattern)
        tz_name = event.centre.timezone
        cancelled = occurrence.status == "cancelled"
        items.append({
            "id": occurrence.id,
            **shared[event.id],
            "start": iso(occurrence.starts_at, tz_name),
            "end": iso(occurrence.ends_at, tz_name),
            "status": "cancelled" if cancelled else "scheduled",
            "cancel_reason": reason_text(occurrence.cancel_reason) if cancelled else None,
        })
    return items


def _count(name, default, minimum, maximum):
    """A whole number from the query string: (value, None) or (None, a message naming the range)."""
    value = request.args.get(name, "").strip()
    if value == "":
        return default, None
    if not value.isdigit() or not minimum <= int(value) <= maximum:
        return None, _("Please give a whole number from %(min)d to %(max)d.", min=minimum, max=maximum)
    return int(value), None


@bp.get("/events")
@public_page
def events():
    lang = request.args.get("lang", "")
    if lang not in i18n.supported_languages():
        lang = i18n.FALLBACK_LANGUAGE
    filters = EventFilters.from_args(request.args)
    errors = {name: [str(message)] for name, message in filters.errors.items()}
    limit, problem = _count("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    if problem:
        errors["limit"] = [problem]
    offset, problem = _count("offset", 0, 0, MAX_OFFSET)
    if problem:
        errors["offset"] = [problem]
    if errors:
        return api_error(400, fields=errors)
    tz_name = default_timezone()
    if filters.centre:
        tz_name = db.session.scalar(db.select(Centre.timezone).where(Centre.slug == filters.centre)) or tz_name
    start, end = filters.utc_range(tz_name, utcnow())
    rows = public_occurrences(filters, start, end, limit=limit + 1, offset=offset)
    items = occurrence_items(rows[:limit], lang)
    next_url = None
    if len(rows) > limit:
        args = {**filters.to_args(), "lang": lang, "limit": limit, "offset": offset + limit}
        next_url = url_for("api.events", _external=True, **args)
    return jsonify(
        {
            "items": items,
            "start": iso(start, tz_name),
            "end": iso(end, tz_name),
            "lang": lang,
            "limit": limit,
            "offset": offset,
            "next": next_url,
        }
    )


# --- the OpenAPI description ---------------------------------------------------------

_NULLABLE_STRING = {"type": ["string", "null"]}
_QUERY = [
    {"name": "start", "in": "query", "schema": {"type": "string"}, "examples": {"date": {"value": "2027-03-01"}},
     "description": "A date or date-time (ISO 8601; without offset: the centre's local time, city-wide the "
                    "city's). Default: now."},
    {"name": "end", "in": "query", "schema": {"type": "string"}, "examples": {"date": {"value": "2027-03-31"}},
     "description": "A date (that day included) or date-time. Default: a year after start."},
    {"name": "centre", "in": "query", "schema": {"type": "string"}, "description": "A centre's slug."},
    {"name": "category", "in": "query", "schema": {"type": "string"}, "description": "A category key."},
    {"name": "programme", "in": "query", "schema": {"type": "string"}, "description": "A programme's slug."},
    {"name": "organiser", "in": "query", "schema": {"type": "integer"},
     "description": "An association's id: the events it organises or (confirmed) co-organises."},
    {"name": "audience", "in": "query", "schema": {"type": "string", "enum": list(AUDIENCES)}},
    {"name": "language", "in": "query", "schema": {"type": "string"},
     "description": "A language spoken at the event (BCP 47 code, e.g. ar)."},
    {"name": "free", "in": "query", "schema": {"type": "string", "enum": ["1", "0", "true", "false"]}},
    {"name": "barrier_free", "in": "query", "schema": {"type": "string", "enum": ["1", "0", "true", "false"]}},
    {"name": "lang", "in": "query", "schema": {"type": "string", "examples": ["de", "tr", "ar"]},
     "description": "Language of the texts; missing texts fall back to the centre's language, then German, then "
                    "any. Unknown values mean German."},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                                "default": DEFAULT_LIMIT}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
]

describe(
    paths={
        "/events": {"get": {
            "summary": "Public events: one item per date in the range",
            "description": "Approved dates of public events, and cancelled dates (status cancelled, with the "
                           "reason) until they have passed. Open to cross-origin reads.",
            "parameters": _QUERY,
            "responses": {
                "200": {"description": "The dates, oldest first.", "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/EventList"}}}},
                "400": {"description": "A parameter is invalid (fields names it).", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        }},
    },
    schemas={
        "EventList": {
            "type": "object",
            "required": ["items", "start", "end", "lang", "limit", "offset", "next"],
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/EventDate"}},
                "start": {"type": "string", "format": "date-time"},
                "end": {"type": "string", "format": "date-time"},
                "lang": {"type": "string"},
                "limit": {"type": "integer"},
                "offset": {"type": "integer"},
                "next": {"type": ["string", "null"], "format": "uri", "description": "The next page, if any."},
            },
        },
        "EventDate": {
            "type": "object",
            "required": ["id", "event_id", "title", "lang", "start", "end", "status", "centre", "url"],
            "properties": {
                "id": {"type": "integer", "description": "The date (occurrence)."},
                "event_id": {"type": "integer"},
                "title": {"type": "string"},
                "description": {"type": "string"},
                "lang": {"type": "string", "description": "The language the title is in (after fallback)."},
                "description_lang": _NULLABLE_STRING,
                "start": {"type": "string", "format": "date-time", "examples": ["2027-03-30T18:00:00+02:00"]},
                "end": {"type": "string", "format": "date-time"},
                "timezone": {"type": "string", "examples": ["Europe/Berlin"]},
                "status": {"type": "string", "enum": ["scheduled", "cancelled"]},
                "cancel_reason": _NULLABLE_STRING,
                "centre": {"type": "object", "required": ["slug", "name"], "properties": {
                    "slug": {"type": "string"}, "name": {"type": "string"}}},
                "room": {"type": ["object", "null"], "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"}}},
                "address": {"type": "object", "properties": {
                    "street": {"type": "string"}, "postcode": {"type": "string"}, "city": {"type": "string"}}},
                "geo": {"type": ["object", "null"], "properties": {
                    "lat": {"type": "number"}, "lon": {"type": "number"}}},
                "category": {"type": ["object", "null"], "properties": {
                    "key": {"type": "string"}, "name": {"type": "string"}}},
                "audiences": {"type": "array", "items": {"type": "string", "enum": list(AUDIENCES)}},
                "languages": {"type": "array", "items": {"type": "string"}},
                "barrier_free": {"type": "boolean"},
                "free": {"type": "boolean"},
                "price": _NULLABLE_STRING,
                "registration_url": _NULLABLE_STRING,
                "contact": _NULLABLE_STRING,
                "tags": {"type": "array", "items": {"type": "string"}},
                "organiser": {"type": "string", "description": "The association, or the centre for its own events."},
                "organisers": {"type": "array", "description": "The booking association, then the confirmed "
                               "co-organisers (none for a centre's own event).", "items": {"type": "object", "properties": {
                                   "id": {"type": "integer"}, "name": {"type": "string"}}}},
                "programmes": {"type": "array", "items": {"type": "string"},
                               "description": "Slugs of the programmes the event is part of."},
                "url": {"type": "string", "format": "uri", "description": "The event's page in lang."},
            },
        },
    },
)
