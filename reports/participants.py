"""Reach: the number of participants the organiser (the booking's association) or the centre's
managers record after a date. One form for all the booking's past dates, on the booking's page."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.forms import ConfirmForm
from bookings.views import load_booking
from extensions import db
from parsing import ID
from reports import bp

MAX_PARTICIPANTS = 100_000


def parse_counts(dates, form) -> dict | None:
    """{occurrence id: count or None (left empty)}; None when a count is not a whole number in range."""
    counts = {}
    for occurrence in dates:
        raw = (form.get(f"participants-{occurrence.id}") or "").strip()
        if not raw:
            counts[occurrence.id] = None
        elif raw.isdigit() and int(raw) <= MAX_PARTICIPANTS:
            counts[occurrence.id] = int(raw)
        else:
            return None
    return counts


@bp.route(f"/bookings/<{ID}:booking_id>/participants", methods=["POST"])
@login_required
def record_participants(booking_id):
    booking = load_booking(booking_id)
    if not booking.can_cancel(current_user):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    dates = booking.participant_dates(current_user)
    counts = parse_counts(dates, request.form)
    target = url_for("bookings.show", booking_id=booking.id, _anchor="participants-heading")
    if counts is None:
        flash(_("Please give each number of participants as a whole number from 0 to %(max)d, or leave it empty.",
                max=MAX_PARTICIPANTS), "error")
        return redirect(target, 303)
    for occurrence in dates:
        occurrence.participants = counts[occurrence.id]
    db.session.commit()
    flash(_("The numbers of participants are saved."), "success")
    return redirect(target, 303)
