"""The managers' pages of the terms: a centre's terms of use, a booking's tariff, keys and deposit, the keys
still out, and the dates a new closure covers.

Each view: load (404) -> check (403) -> validate -> call the service -> commit -> flash -> redirect;
a refused action shows the page again with the message and a 4xx status, changing nothing.
"""

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.access import manager_required
from accounts.forms import ConfirmForm
from bookings.closures import cancel_for_closure, dates_on_closure
from bookings.errors import BookingError
from bookings.views import booking_page, form_failed, load_booking, refused, run_action
from centres.forms import cents
from centres.manage_views import load_centre, managed_centres
from centres.models import Closure
from extensions import db
from parsing import ID
from terms import keys as _key_reminders  # noqa: F401  (registers the reminder job)
from terms import services
from terms.forms import ClosureDatesForm, DepositForm, KeyForm, TariffForm, TermsForm
from terms.models import HouseRules, KeyHandover
from timeutil import utcnow
from waitlist.line import DEFAULT_OFFER_HOURS

bp = Blueprint("terms", __name__)


# --- a centre's terms -------------------------------------------------------------------


@bp.route("/<lang:lang>/manage/centres/<slug>/terms", methods=["GET", "POST"])
@manager_required
def edit_terms(slug):
    centre = load_centre(slug)
    current = HouseRules.current(centre)
    form = TermsForm(centre=centre, house_rules=current)
    if form.validate_on_submit():
        centre.asks_responsible = bool(form.asks_responsible.data)
        centre.currency = form.currency.data
        centre.reduced_percent, centre.commercial_percent = form.reduced_percent.data, form.commercial_percent.data
        centre.cancel_free_days = form.cancel_free_days.data
        centre.late_cancel_fee_cents = cents(form.late_cancel_fee.data or Decimal(0))
        centre.late_cancel_online = bool(form.late_cancel_online.data)
        centre.quiet_from = form.quiet_from.data
        centre.waitlist_offer_hours = form.waitlist_offer_hours.data or DEFAULT_OFFER_HOURS
        published = services.publish_house_rules(centre, current_user, form.house_rules.data)
        db.session.commit()
        if published is not None:
            flash(_("The terms are saved. The house rules are now version %(version)d.", version=published.version),
                  "success")
        else:
            flash(_("The terms are saved."), "success")
        return redirect(url_for("terms.edit_terms", slug=centre.slug))
    return render_template("terms/terms_form.html", form=form, centre=centre, current=current), \
        400 if form.errors else 200


# --- a booking: tariff, keys, deposit -----------------------------------------------------


def _managed_booking(booking_id):
    booking = load_booking(booking_id)
    if not booking.is_manager(current_user):
        abort(403)
    return booking


@bp.route(f"/<lang:lang>/bookings/<{ID}:booking_id>/tariff", methods=["POST"])
@login_required
def change_tariff(booking_id):
    booking = _managed_booking(booking_id)
    form = TariffForm.for_booking(booking)
    if not form.validate_on_submit():
        return form_failed(booking, {"tariff": form})
    return run_action(booking, lambda: services.change_tariff(booking, current_user, form.tariff.data, form.reason.data),
                      {"tariff": form}, _("The tariff is changed; the fee follows it."))


@bp.route(f"/<lang:lang>/bookings/<{ID}:booking_id>/keys", methods=["POST"])
@login_required
def hand_out_key(booking_id):
    booking = _managed_booking(booking_id)
    form = KeyForm.for_booking(booking)
    form.occurrence.choices = [(0, "")] + [(o.id, "") for o in booking.occurrences]
    if not form.validate_on_submit():
        return form_failed(booking, {"key": form})
    return run_action(booking, lambda: services.hand_out_key(booking, current_user, form.holder.data,
                                                             form.occurrence.data or None),
                      {"key": form}, _("The key is recorded as handed out."))


@bp.route(f"/<lang:lang>/bookings/<{ID}:booking_id>/keys/<{ID}:key_id>/return", methods=["POST"])
@login_required
def return_key(booking_id, key_id):
    booking = _managed_booking(booking_id)
    handover = db.session.get(KeyHandover, key_id)
    if handover is None or handover.booking_id != booking.id:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.return_key(handover, current_user)
        db.session.commit()
    except BookingError as error:
        db.session.rollback()
        messages, status = refused(error)
        return booking_page(db.session.get(type(booking), booking.id), status=status, errors=messages)
    flash(_("The key is recorded as returned."), "success")
    return redirect(url_for("bookings.show", booking_id=booking.id, _anchor="keys"))


@bp.route(f"/<lang:lang>/bookings/<{ID}:booking_id>/deposit", methods=["POST"])
@login_required
def deposit(booking_id):
    booking = _managed_booking(booking_id)
    form = DepositForm.for_booking(booking)
    if not form.validate_on_submit():
        return form_failed(booking, {"deposit": form})
    return run_action(booking, lambda: services.record_deposit(booking, current_user, form.step.data),
                      {"deposit": form}, _("The deposit is recorded."))


@bp.route("/<lang:lang>/manage/keys")
@manager_required
def keys_out():
    centres = managed_centres()
    keys = services.keys_out([c.id for c in centres])
    return render_template("terms/keys.html", keys=keys, now=utcnow(), return_form=ConfirmForm(formdata=None))


# --- a closure over booked dates -------------------------------------------------------------


@bp.route(f"/<lang:lang>/manage/centres/<slug>/closures/<{ID}:closure_id>/dates", methods=["GET", "POST"])
@manager_required
def closure_dates(slug, closure_id):
    centre = load_centre(slug)
    closure = db.session.get(Closure, closure_id)
    if closure is None or closure.centre_id != centre.id:
        abort(404)
    form = ClosureDatesForm()
    errors, status = [], 200
    if form.validate_on_submit():
        try:
            done = cancel_for_closure(closure, current_user, reason=form.reason.data)
            db.session.commit()
        except BookingError as error:
            db.session.rollback()
            errors, status = refused(error)
        else:
            flash(_("%(dates)d dates of %(bookings)d bookings are cancelled; the associations are informed.",
                    dates=sum(len(d) for _b, d in done), bookings=len(done)), "success")
            return redirect(url_for("centres.manage_centre", slug=centre.slug, _anchor="closures"))
    elif form.is_submitted():
        status = 400
    dates = dates_on_closure(closure)
    if not dates and request.args.get("added"):  # just added over no booked date: back to the centre
        return redirect(url_for("centres.manage_centre", slug=centre.slug, _anchor="closures"))
    return render_template("terms/closure_dates.html", centre=centre, closure=closure, form=form, errors=errors,
                           dates=dates), status
