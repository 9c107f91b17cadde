"""Reading the bookings API's input: JSON bodies and ISO 8601 times, strictly.

Every problem becomes a field error (``Invalid``: {field: [message, ...]}) or
a malformed body (``BadBody``); nothing here raises anything else for any
input. Times without an offset are the centre's local time.
"""


from flask import request
from flask_babel import gettext as _

import i18n
from bookings import services
from bookings.recurrence import FREQUENCIES, MAX_INTERVAL, WEEKDAY_CODES, Recurrence
from bookings.rules import MAX_ATTENDEES, MAX_REASON, MAX_TITLE
from centres.models import Room
from extensions import db
from parsing import is_id, is_int, parse_day, parse_local
from terms.rules import Responsible

MAX_COUNT = 10_000


class Invalid(Exception):
    """Field errors of a request body: {field: [message, ...]}."""

    def __init__(self, fields):
        self.fields = fields
        super().__init__(fields)


def _texts(value, name, limit, errors) -> dict:
    if value is None:
        return {}
    languages = set(i18n.supported_languages())
    if not isinstance(value, dict) or any(not isinstance(k, str) or not isinstance(v, str) for k, v in value.items()):
        errors[name] = [_("Please give an object of texts per language, such as {\"de\": \"…\", \"tr\": \"…\"}.")]
        return {}
    unknown = sorted(k for k in value if k not in languages)
    if unknown:
        errors[name] = [_("Unknown language: %(codes)s.", codes=", ".join(unknown[:5])[:100])]
        return {}
    if any(len(v) > limit for v in value.values()):
        errors[name] = [_("Please use at most %(max)d characters.", max=limit)]
        return {}
    return dict(value)


def _string_list(value, name, errors, limit=30, item_limit=40) -> list:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > limit or any(
        not isinstance(v, str) or not v or len(v) > item_limit for v in value
    ):
        errors[name] = [_("Please give a list of codes.")]
        return []
    return value


def parse_event(data, errors) -> dict | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        errors["event"] = [_("Please give the event as an object.")]
        return None
    event = {
        "title": _texts(data.get("title"), "event.title", MAX_TITLE, errors),
        "description": _texts(data.get("description"), "event.description", 4000, errors),
        "audiences": _string_list(data.get("audience", data.get("audiences")), "event.audience", errors),
        "languages": _string_list(data.get("languages"), "event.languages", errors),
    }
    category = data.get("category")
    if category is not None and (not isinstance(category, str) or len(category) > 40):
        errors["event.category"] = [_("There is no such category.")]
    event["category_key"] = category if isinstance(category, str) else None
    for key in ("is_free", "barrier_free"):
        if key in data:
            if not isinstance(data[key], bool):
                errors[f"event.{key}"] = [_("Please give true or false.")]
            event[key] = data[key] is True
    for key in ("price", "registration_url"):  # their content is checked by events.rules
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            errors[f"event.{key}"] = [_("Please write this as text.")]
        elif value is not None:
            event[key] = value
    return event


def parse_recurrence(data, errors) -> Recurrence | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        errors["recurrence"] = [_("Please give the recurrence as an object.")]
        return None
    recurrence = Recurrence()
    freq = data.get("freq", "weekly")
    if freq not in FREQUENCIES:
        errors["recurrence.freq"] = [_("Only weekly series are possible: \"freq\": \"weekly\".")]
    interval = data.get("interval", 1)
    if not is_int(interval) or not 1 <= interval <= MAX_INTERVAL:
        errors["recurrence.interval"] = [_("Please choose between 1 and %(max)d weeks.", max=MAX_INTERVAL)]
    else:
        recurrence.interval = interval
    weekdays = data.get("byweekday", [])
    if not isinstance(weekdays, list) or any(w not in WEEKDAY_CODES for w in weekdays if isinstance(w, str)) or any(
        not isinstance(w, str) for w in weekdays
    ):
        errors["recurrence.byweekday"] = [_("Please give weekdays as MO, TU, WE, TH, FR, SA, SU.")]
    else:
        recurrence.weekdays = list(dict.fromkeys(weekdays))
    until, count = data.get("until"), data.get("count")
    if (until is None) == (count is None):
        errors["recurrence"] = [_("Please give either \"until\" (a date) or \"count\" (a number of dates).")]
    if until is not None:
        try:
            recurrence.until = parse_day(until)
        except (ValueError, TypeError):
            errors["recurrence.until"] = [_("Please give a date such as 2027-06-30.")]
    if count is not None:
        if not is_int(count) or not 1 <= count <= MAX_COUNT:
            errors["recurrence.count"] = [_("Please give a number of dates (at least 1).")]
        else:
            recurrence.count = count
    return recurrence


def json_body() -> dict:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested beyond what the parser follows: not a booking
        body = None
    if not isinstance(body, dict):
        raise BadBody()
    return body


class BadBody(Exception):
    pass


def _association(association_id, user, room, errors):
    """Who books: the association named, the user's only one, or none (a manager booking for the centre)."""
    if association_id is not None:
        if not is_int(association_id):
            errors["association_id"] = [_("Please give the id of an association (a number).")]
            return None
        association = next((a for a in user.associations if a.id == association_id), None)
        if association is None:
            errors["association_id"] = [_("You are not a member of this association.")]
        return association
    if len(user.associations) == 1:
        return user.associations[0]
    if len(user.associations) > 1 and not (room and user.manages(room.centre)):
        errors["association_id"] = [_("You belong to several associations: please say which one books (association_id).")]
    return None


def parse_booking_request(body, user) -> services.BookingRequest:
    """The request body as a BookingRequest; raises Invalid with every field error found."""
    errors: dict[str, list[str]] = {}
    room = None
    room_id = body.get("room_id")
    if not is_int(room_id):
        errors["room_id"] = [_("Please give the id of a room (a number).")]
    elif not is_id(room_id) or (room := db.session.get(Room, room_id)) is None:
        errors["room_id"] = [_("There is no room with this id.")]
    title = body.get("title")
    if not isinstance(title, str) or not title.strip():
        errors["title"] = [_("Please give a title.")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_("Please use at most %(max)d characters.", max=MAX_TITLE)]
    tz_name = room.centre.timezone if room else None
    start = end = None
    for name in ("start", "end"):
        try:
            value = parse_local(body.get(name), tz_name)
        except (ValueError, TypeError, OverflowError):
            errors[name] = [_("Please give a date and time in ISO 8601, such as 2027-03-30T18:00:00+02:00.")]
            continue
        if name == "start":
            start = value
        else:
            end = value
    if start is not None and end is not None and end <= start:
        errors["end"] = [_("The end must be after the start.")]
    recurrence = parse_recurrence(body.get("recurrence"), errors)
    skip = body.get("skip_conflicts", False)
    if not isinstance(skip, bool):
        errors["skip_conflicts"] = [_("Please give true or false.")]
    attendees = body.get("attendees")
    if attendees is not None and (not is_int(attendees) or not 0 <= attendees <= MAX_ATTENDEES):
        errors["attendees"] = [_("Please give a number of people.")]
    note = body.get("note", "")
    if not isinstance(note, str) or len(note) > MAX_REASON:
        errors["note"] = [_("Please use at most %(max)d characters.", max=MAX_REASON)]
    event = parse_event(body.get("event"), errors)
    association = _association(body.get("association_id"), user, room, errors)
    accept_terms, commercial = body.get("accept_terms", False), body.get("commercial", False)
    for name, value in (("accept_terms", accept_terms), ("commercial", commercial)):
        if not isinstance(value, bool):
            errors[name] = [_("Please give true or false.")]
    responsible = parse_responsible(body.get("responsible"), errors)
    programmes, co_organisers = parse_together(body.get("event"), errors)
    if errors:
        raise Invalid(errors)
    if event is not None and not event["title"]:
        event["title"] = {room.centre.default_language: title.strip()}
    if event is not None and "barrier_free" not in event:
        event["barrier_free"] = room.barrier_free
    return services.BookingRequest(
        centre=room.centre, room=room, association=association, title=title, start=start, end=end,
        recurrence=recurrence, attendees=attendees, skip_conflicts=skip, note=note, event=event,
        accept_terms=accept_terms is True, responsible=responsible, commercial=commercial is True,
        programmes=tuple(programmes), co_organisers=tuple(co_organisers),
    )


def parse_together(event, errors) -> tuple[list, list]:
    """The event's ``programmes`` [slug] and ``co_organisers`` [association id] (programmes.rules and
    programmes.cooperations decide who may be named)."""
    event = event if isinstance(event, dict) else {}
    programmes = _string_list(event.get("programmes"), "event.programmes", errors, limit=10, item_limit=80)
    co_organisers = event.get("co_organisers") or []
    if not isinstance(co_organisers, list) or len(co_organisers) > 10 or not all(is_id(i) for i in co_organisers):
        errors["event.co_organisers"] = [_("Please give a list of association ids (numbers).")]
        co_organisers = []
    return programmes, co_organisers


def parse_responsible(data, errors) -> Responsible | None:
    """``{"name", "phone", "adult": true}``: the shape here; what it must say is terms.rules'."""
    if data is None:
        return None
    if not isinstance(data, dict):
        errors["responsible"] = [_("Please give the responsible person as an object: {\"name\", \"phone\", "
                                   "\"adult\": true}.")]
        return None
    person = Responsible()
    for key in ("name", "phone"):
        value = data.get(key, "")
        if not isinstance(value, str):
            errors[f"responsible.{key}"] = [_("Please write this as text.")]
        else:
            setattr(person, key, value)
    adult = data.get("adult", False)
    if not isinstance(adult, bool):
        errors["responsible.adult"] = [_("Please give true or false.")]
    person.adult = adult is True
    return person
