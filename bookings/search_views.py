"""Find a room: /<lang>/rooms/search.

Open to everyone for looking; a result's button opens the request form
pre-filled, and the request form asks to sign in. The search is
bookings.search — the request's own rules.
"""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from bookings import bp
from bookings.forms import WEEKDAY_LABELS
from bookings.recurrence import WEEKDAY_CODES
from bookings.search import request_args, search
from bookings.search_forms import RoomSearchForm
from bookings.search_query import InvalidSearch
from bookings.template_helpers import booking_day, booking_times
from centres.models import Centre
from centres.vocabulary import EQUIPMENT, WELCOME_FEATURES
from extensions import db
from operations import throttle
from timeutil import DEFAULT_TIMEZONE

# Fields of bookings.search.check_query's messages -> the form's fields.
FORM_FIELDS = {"start": "date", "end": "end_time", "until": "until", "weekdays": "weekdays"}
SUGGESTION_KINDS = {
    "earlier": lambda: _("An hour earlier"),
    "later": lambda: _("An hour later"),
    "weekday": lambda: _("On another weekday"),
    "shorter": lambda: _("A shorter time"),
}


def describe_dates(query, slots) -> str:
    """'Weekly on Tuesday, 18:00 – 20:00, from Tue, Mar 2, 2027 to Tue, Aug 31, 2027' in the page's language."""
    first, last = slots[0], slots[-1]
    times = booking_times(first.local_start, first.local_end)
    if not query.weekly:
        return _("%(date)s, %(times)s", date=booking_day(first.local_start, "yMMMEd"), times=times)
    codes = list(query.weekdays) or [WEEKDAY_CODES[first.local_start.weekday()]]
    weekdays = ", ".join(str(WEEKDAY_LABELS[code]) for code in WEEKDAY_CODES if code in codes)
    return _("Weekly on %(weekdays)s, %(times)s, from %(first)s to %(last)s", weekdays=weekdays, times=times,
             first=booking_day(first.local_start, "yMMMEd"), last=booking_day(last.local_start, "yMMMEd"))


def may_request(centre) -> bool:
    """Whether the button leads somewhere: anonymous visitors are asked to sign in on the way."""
    if not current_user.is_authenticated:
        return True
    return bool(current_user.associations) or current_user.manages(centre)


@bp.route("/<lang:lang>/rooms/search")
def search_rooms():
    centres = db.session.scalars(select(Centre).order_by(Centre.slug)).all()
    districts = sorted({c.district for c in centres if c.district})
    form = RoomSearchForm(
        formdata=request.args, centres=sorted(centres, key=lambda c: c.display_name().casefold()),
        districts=districts,
    )
    outcome, query, status = None, None, 200
    if form.asked:
        throttle.check("SEARCH_LIMIT", current_user)
        if form.validate():
            query = form.to_query()
            try:
                outcome = search(query, current_user)
            except InvalidSearch as error:
                for name, messages in error.fields.items():
                    field = form[FORM_FIELDS.get(name, "date")]
                    field.errors = list(field.errors) + list(messages)
                outcome, status = None, 400
        else:
            status = 400
    results = []
    if outcome is not None:
        for result in outcome.results:
            args = request_args(query, result.slots, skip_conflicts=not result.is_free, attendees=query.capacity)
            results.append({
                "result": result,
                "url": url_for("bookings.request_room", room_id=result.room.id, **args),
                "may_request": may_request(result.centre),
                "taken": [booking_day(s.local_start, "yMMMEd") for s in result.conflict_slots],
            })
    suggestions = []
    if outcome is not None:
        for suggestion in outcome.suggestions:
            args = request_args(suggestion.query, suggestion.slots, attendees=query.capacity)
            suggestions.append({
                "suggestion": suggestion,
                "kind": SUGGESTION_KINDS[suggestion.kind](),
                "dates": describe_dates(suggestion.query, suggestion.slots),
                "url": url_for("bookings.request_room", room_id=suggestion.room.id, **args),
                "may_request": may_request(suggestion.centre),
            })
    asked_for = None
    if outcome is not None:
        slots = outcome.results[0].slots if outcome.results else query.slots(DEFAULT_TIMEZONE)
        asked_for = describe_dates(query, slots) if slots else None
    return render_template(
        "bookings/search.html", form=form, outcome=outcome, results=results, suggestions=suggestions,
        asked_for=asked_for, equipment_labels=EQUIPMENT, feature_labels=WELCOME_FEATURES,
    ), status
