"""Editing events: a centre's managers create the centre's own events; managers and the
event's association edit an event's public texts and facts.

Load (404) -> check (403) -> validate -> call the rule -> commit -> flash -> redirect.
Dates are not edited here: they belong to the booking (bookings.services).
"""

from datetime import datetime

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from accounts.access import manager_required
from bookings.recurrence import WEEKDAY_CODES, Recurrence
from bookings.rules import MAX_TITLE, BookingConflict, RuleViolation, describe_slot
from bookings.services import BookingRequest, request_booking
from centres.models import Centre
from events import bp
from events.forms import CentreEventForm, EventForm
from events.models import Event
from extensions import db
from i18n import pick_text

ID = "int(max=2147483647)"


def can_create_event(centre, user) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.manages(centre))


@bp.route(f"/<lang:lang>/events/<{ID}:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit_event(event_id):
    event = db.session.scalar(
        select(Event).where(Event.id == event_id).options(joinedload(Event.centre), joinedload(Event.booking))
    )
    if event is None:
        abort(404)
    if not event.can_edit(current_user):
        abort(403)
    form = EventForm(event=event)
    if form.validate_on_submit():
        changed = event.update(**form.event_fields())
        db.session.commit()
        flash(_("The event is saved.") if changed else _("Nothing was changed."), "success" if changed else "info")
        return redirect(url_for("events.event", event_id=event.id))
    return render_template("events/form.html", form=form, event=event, centre=event.centre), 400 if form.errors else 200


def book_centre_event(centre, form, by):
    """Book the centre's own event through the booking services (approved at once); returns the Event.

    Raises RuleViolation or BookingConflict (bookings.rules) when the date cannot be booked.
    """
    fields = form.event_fields()
    day, starts, ends = form.day.data, form.start_time.data, form.end_time.data
    recurrence = None
    if form.repeat_until.data:
        recurrence = Recurrence(weekdays=[WEEKDAY_CODES[day.weekday()]], until=form.repeat_until.data)
    request = BookingRequest(
        centre=centre,
        room=form.room(centre),
        association=None,
        title=pick_text(fields["title"], centre.default_language, centre.default_language)[0][:MAX_TITLE],
        start=datetime.combine(day, starts),
        end=datetime.combine(day, ends),
        recurrence=recurrence,
        event=fields,
    )
    booking = request_booking(request, by)
    event = booking.event
    event.contact, event.tags = fields["contact"], fields["tags"]  # not part of the booking request
    return event


def conflict_message(conflict: BookingConflict, centre) -> str:
    dates = ", ".join(describe_slot(start, end, centre.timezone) for start, end in conflict.dates[:5])
    return _("The room is already booked then: %(dates)s", dates=dates)


@bp.route("/<lang:lang>/manage/centres/<slug>/events/new", methods=["GET", "POST"])
@manager_required
def new_centre_event(slug):
    centre = db.session.scalar(select(Centre).where(Centre.slug == slug).options(selectinload(Centre.rooms)))
    if centre is None:
        abort(404)
    if not can_create_event(centre, current_user):
        abort(403)
    form = CentreEventForm(centre=centre)
    if form.validate_on_submit():
        try:
            event = book_centre_event(centre, form, current_user)
            db.session.commit()
        except RuleViolation as refused:
            db.session.rollback()
            for name, messages in refused.fields().items():
                target = FIELD_FOR.get(name.removeprefix("event."), form.day)
                field = getattr(form, target) if isinstance(target, str) else target
                field.errors = [*field.errors, *messages]
        except BookingConflict as conflict:
            db.session.rollback()
            form.day.errors = [*form.day.errors, conflict_message(conflict, centre)]
        else:
            flash(_("The event is created and shown in the calendar."), "success")
            return redirect(url_for("events.event", event_id=event.id))
    return render_template("events/form.html", form=form, event=None, centre=centre), 400 if form.errors else 200


# Where the booking rules' messages go on the form (field names of bookings.rules.Violation).
FIELD_FOR = {
    "title": "title",
    "description": "description",
    "category": "category_key",
    "audience": "audiences",
    "languages": "languages",
    "registration_url": "registration_url",
    "price": "price",
    "room_id": "room_id",
    "start": "start_time",
    "end": "end_time",
    "recurrence": "repeat_until",
}
