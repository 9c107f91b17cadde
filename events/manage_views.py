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
from bookings.errors import BookingError, refusal
from bookings.recurrence import WEEKDAY_CODES, Recurrence
from bookings.rules import MAX_TITLE
from bookings.services import BookingRequest, request_booking
from centres.models import Centre
from events import bp
from events.forms import CentreEventForm, EventForm
from events.models import Event
from extensions import db
from i18n import pick_text
from parsing import ID
from programmes.queries import open_to
from programmes.rules import retag


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
    form.programme_slugs.choices = [(p.slug, p.display_name()) for p in open_to(event)]
    if not form.is_submitted():
        form.programme_slugs.data = [p.slug for p in event.programmes]
    if form.validate_on_submit():
        retagged, problems = retag(event, form.programme_slugs.data)
        if not problems:
            changed = event.update(**form.event_fields()) or retagged
            db.session.commit()
            flash(_("The event is saved.") if changed else _("Nothing was changed."), "success" if changed else "info")
            return redirect(url_for("events.event", event_id=event.id))
        form.programme_slugs.errors = [problem.message for problem in problems]
    return render_template("events/form.html", form=form, event=event, centre=event.centre), 400 if form.errors else 200


def book_centre_event(centre, form, by):
    """Book the centre's own event through the booking services (approved at once); returns the Event.

    Raises RuleViolation or BookingConflict (bookings.errors) when the date cannot be booked.
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
    return request_booking(request, by).event


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
        except BookingError as error:
            db.session.rollback()
            answer = refusal(error)
            if answer.status == 403:
                abort(403)
            for name, messages in (answer.fields or {"": answer.messages}).items():  # a conflict: on the date
                target = FIELD_FOR.get(name.removeprefix("event."), form.day)
                field = getattr(form, target) if isinstance(target, str) else target
                field.errors = [*field.errors, *messages]
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
