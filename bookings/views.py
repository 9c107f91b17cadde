"""Pages of a booking's people: request a room, my bookings, one booking with its history and actions.

Each view: load (404 when the user may not see it) -> check (403) -> validate
-> call the service -> commit -> flash -> redirect. Failed actions show the
booking page again with the message and a 4xx status; nothing is changed.
"""

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import selectinload

from accounts.forms import ConfirmForm
from accounts.models import Association
from bookings import bp, refusals, services
from bookings.display import occurrence_label, parse_week, room_week
from bookings.errors import BookingConflict, BookingError, InvalidState, RuleViolation, refusal
from bookings.forms import CENTRE, ApproveForm, BookingRequestForm, CancelForm, RejectForm, WithdrawForm
from bookings.models import ACTIVE, APPROVED, PENDING, Booking, Occurrence
from bookings.notifications import cancellation_terms
from bookings.recurrence import Recurrence
from bookings.rules import find_conflicts
from bookings.search_forms import prefill_request
from bookings.wording import describe_slot
from centres.models import Centre, Room
from events.models import Category
from extensions import db
from operations import throttle
from parsing import ID
from programmes.models import ACCEPTED as CO_ORGANISER
from programmes.models import Cooperation
from programmes.queries import centre_programmes, partnered
from terms.forms import DepositForm, KeyForm, TariffForm
from terms.models import HouseRules
from terms.rules import Responsible
from timeutil import utcnow
from urlsafety import safe_next_url
from waitlist import line

LIST_LIMIT = 50



def refused(error: BookingError) -> tuple[list[str], int]:
    """A domain error as the page shows it (bookings.errors.refusal); not permitted is a plain 403."""
    answer = refusal(error)
    if answer.status == 403:
        abort(403)
    return answer.messages, answer.status


def load_booking(booking_id) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or not booking.can_view(current_user):
        abort(404)
    return booking


# --- my bookings ---------------------------------------------------------------


def my_bookings_clause(user):
    """The user's associations' bookings, the events they co-organise (read only), the user's centre bookings."""
    ids = [a.id for a in user.associations]
    co_organised = select(Cooperation.booking_id).where(Cooperation.association_id.in_(ids),
                                                        Cooperation.status == CO_ORGANISER)
    return or_(
        Booking.association_id.in_(ids),
        Booking.id.in_(co_organised),
        and_(Booking.association_id.is_(None), Booking.created_by_id == user.id),
    )


@bp.route("/<lang:lang>/bookings/")
@login_required
def dashboard():
    now = utcnow()
    mine = my_bookings_clause(current_user)
    pending = db.session.scalars(
        select(Booking).where(mine, Booking.status == PENDING)
        .options(selectinload(Booking.occurrences), selectinload(Booking.room), selectinload(Booking.centre))
        .order_by(Booking.created_at)
    ).all()
    upcoming = db.session.scalars(
        select(Occurrence).join(Booking, Booking.id == Occurrence.booking_id)
        .where(mine, Occurrence.status == APPROVED, Occurrence.ends_at > now)
        .options(selectinload(Occurrence.booking).selectinload(Booking.centre))
        .order_by(Occurrence.starts_at).limit(LIST_LIMIT)
    ).all()
    still_to_come = exists().where(
        Occurrence.booking_id == Booking.id, Occurrence.status.in_(ACTIVE), Occurrence.ends_at > now
    )
    past = db.session.scalars(
        select(Booking).where(mine, Booking.status != PENDING, ~still_to_come)
        .options(selectinload(Booking.occurrences), selectinload(Booking.centre))
        .order_by(Booking.updated_at.desc()).limit(LIST_LIMIT)
    ).all()
    return render_template(
        "bookings/dashboard.html", pending=pending, upcoming=upcoming, past=past,
        associations=current_user.associations, can_book=bool(current_user.associations) or current_user.is_manager,
    )


@bp.route("/<lang:lang>/bookings/new")
@login_required
def choose_room():
    """Where to book: the centres and their bookable rooms."""
    centres = db.session.scalars(select(Centre).options(selectinload(Centre.rooms)).order_by(Centre.district, Centre.slug)).all()
    return render_template("bookings/choose_room.html", centres=centres)


# --- the request ---------------------------------------------------------------------


def build_request(form, room) -> services.BookingRequest:
    association = None
    if form.association.data != CENTRE:
        association = next(a for a in current_user.associations if str(a.id) == form.association.data)
    recurrence = None
    if form.repeat.data == "weekly":
        recurrence = Recurrence(
            interval=form.interval.data or 1, weekdays=list(form.weekdays.data or []),
            until=form.until.data, count=form.count.data,
        )
    event = None
    if form.wants_event:
        event = {
            "title": form.event_title.data or {room.centre.default_language: form.title.data},
            "description": form.event_description.data or {},
            "category_key": form.category.data or None,
            "audiences": form.audiences.data or [],
            "languages": form.languages.data or [],
            "is_free": form.is_free.data,
            "price": form.price.data or "",
            "registration_url": form.registration_url.data or "",
            "barrier_free": room.barrier_free,
        }
    return services.BookingRequest(
        centre=room.centre, room=room, association=association, title=form.title.data,
        start=datetime.combine(form.date.data, form.start_time.data),
        end=datetime.combine(form.date.data, form.end_time.data),
        recurrence=recurrence, attendees=form.attendees.data, skip_conflicts=form.skip_conflicts.data,
        note=form.note.data or "", event=event, accept_terms=form.accept_terms.data is True,
        responsible=Responsible(form.responsible_name.data or "", form.responsible_phone.data or "",
                                form.responsible_adult.data is True),
        commercial=form.commercial.data is True,
        programmes=tuple(form.programmes.data or ()) if event is not None else (),
        co_organisers=tuple(form.co_organisers.data or ()) if event is not None else (),
    )


@bp.route(f"/<lang:lang>/rooms/<{ID}:room_id>/book", methods=["GET", "POST"])
@login_required
def request_room(room_id):
    room = db.session.get(Room, room_id)
    if room is None:
        abort(404)
    centre = room.centre
    is_manager = current_user.manages(centre)
    if not current_user.associations and not is_manager:
        abort(403)
    form = BookingRequestForm(
        associations=current_user.associations,
        centre_option=_("The centre itself (approved at once)") if is_manager else None,
        categories=Category.ordered(),
    )
    form.programmes.choices = programme_choices(current_user, centre)
    form.co_organisers.choices = co_organiser_choices(current_user)
    if request.method == "GET":
        prefill_request(form, request.args)  # a link from the room search (bookings.search_forms)
    plan, errors, status = None, [], 200
    first = parse_week(request.args.get("week"), centre.timezone)
    if form.validate_on_submit():
        booking_request = build_request(form, room)
        first = parse_week(booking_request.start.date().isoformat(), centre.timezone)  # a sane year, else this week
        if form.send.data or form.waitlist.data:
            done, errors, status = submit_request(form, booking_request)
            if done is not None:
                return done
        plan = services.plan_booking(booking_request, by_manager=is_manager)
    elif request.method == "POST":
        status = 400
    house_rules = HouseRules.current(centre)
    if centre.asks_responsible:
        for name in ("responsible_name", "responsible_phone", "responsible_adult"):
            form[name].flags.required = True
    form.accept_terms.flags.required = house_rules is not None
    return render_template(
        "bookings/request.html", form=form, room=room, centre=centre, plan=plan, errors=errors,
        week=room_week(room, first), describe=describe_slot, house_rules=house_rules,
        asks_terms=bool(current_user.associations), cancellation_terms=cancellation_terms(centre),
    ), status


def programme_choices(user, centre) -> list[tuple[str, str]]:
    """The programmes the user's associations are partners of (and, for a manager, those of the centre)."""
    found = {}
    for association in user.associations:
        for programme in partnered(association):
            found[programme.slug] = programme.display_name()
    if user.manages(centre):
        for programme in centre_programmes(centre):
            found[programme.slug] = programme.display_name()
    return sorted(found.items(), key=lambda item: item[1].casefold())


def co_organiser_choices(user) -> list[tuple[int, str]]:
    """Verified associations other than the user's own: who may be named co-organiser of an event."""
    own = {a.id for a in user.associations}
    return [(a.id, a.name) for a in db.session.scalars(
        select(Association).where(Association.verified.is_(True), Association.deleted_at.is_(None))
        .order_by(Association.name)) if a.id not in own]


def submit_request(form, booking_request):
    """Send the request (and put the dates it leaves out on the waiting list), or join the waiting list for its
    taken dates: (the redirect, [], 200) when done, else (None, messages, status)."""
    if form.waitlist.data:
        try:
            entries = line.join(booking_request, current_user)
            db.session.commit()
        except BookingError as error:
            db.session.rollback()
            return None, *refused(error)
        flash(waitlist_joined(len(entries)), "success")
        return redirect(url_for("waitlist.index")), [], 200
    throttle.check("BOOKING_LIMIT", current_user, with_change=True)  # each request mails the centre's managers
    try:
        booking = services.request_booking(booking_request, current_user)
        joined = join_left_out(booking_request) if form.join_waitlist.data else 0
        db.session.commit()
    except BookingError as error:
        db.session.rollback()
        if isinstance(error, BookingConflict):
            refusals.record(booking_request, error.dates)
        return None, *refused(error)
    if booking.status == APPROVED:
        flash(_("The booking is entered and approved."), "success")
    else:
        flash(_("Thank you! Your request has been sent to the centre. You will hear from us by e-mail."), "success")
    if joined:
        flash(waitlist_joined(joined), "success")
    return redirect(url_for("bookings.show", booking_id=booking.id)), [], 200


def join_left_out(booking_request) -> int:
    """The dates a series left out because they were taken, put on the waiting list with the request."""
    if not booking_request.skip_conflicts or booking_request.association is None:
        return 0
    try:
        return len(line.join(booking_request, current_user))
    except (RuleViolation, InvalidState):  # nothing was taken, or in line already
        return 0


def waitlist_joined(count) -> str:
    return ngettext("You are on the waiting list for %(num)d date. When it frees, it is offered to you in turn.",
                    "You are on the waiting list for %(num)d dates. When one frees, it is offered to you in turn.",
                    count)


# --- one booking ------------------------------------------------------------------------


def booking_page(booking, *, status=200, errors=(), forms=None):
    now = utcnow()
    tz_name = booking.centre.timezone
    user = current_user
    forms = forms or {}
    pending = booking.occurrences_with(PENDING)
    conflicts = {}
    if pending and booking.can_decide(user) and booking.room_id:
        held = find_conflicts(booking.room_id, [(o.starts_at, o.ends_at) for o in pending], exclude_booking_id=booking.id)
        conflicts = {pending[i].id: hits for i, hits in held.items()}
    can_approve = booking.can_approve(user)
    approve_form = forms.get("approve") or ApproveForm.for_booking(booking, formdata=None)
    approve_form.occurrences.choices = [(o.id, occurrence_label(o, tz_name)) for o in pending]
    if "approve" not in forms:
        approve_form.occurrences.data = [o.id for o in pending if o.id not in conflicts and o.starts_at > now]
    cancellable = [o for o in booking.occurrences if o.status in ACTIVE and o.starts_at > now]
    cancel_form = forms.get("cancel") or CancelForm.for_booking(booking, formdata=None)
    cancel_form.occurrence.choices = [(0, _("All dates still to come"))] + [
        (o.id, occurrence_label(o, tz_name)) for o in cancellable
    ]
    cancel_form.reason.flags.required = booking.cancel_needs_reason(user)
    return render_template(
        "bookings/booking.html",
        booking=booking, tz_name=tz_name, now=now, errors=list(errors), conflicts=conflicts,
        can_approve=can_approve,
        can_cancel=booking.status == "approved" and booking.can_cancel(user) and bool(cancellable),
        can_withdraw=booking.can_withdraw(user) and booking.is_owner(user),
        is_manager=booking.is_manager(user),
        approve_form=approve_form, reject_form=forms.get("reject") or RejectForm.for_booking(booking, formdata=None),
        cancel_form=cancel_form, withdraw_form=forms.get("withdraw") or WithdrawForm.for_booking(booking, formdata=None),
        label=lambda o: occurrence_label(o, tz_name), terms=terms_of(booking, forms, now),
        participant_dates=booking.participant_dates(user, now), participants_form=ConfirmForm(),
    ), status


def terms_of(booking, forms, now) -> dict:
    """What the booking page shows of the terms, and the managers' forms (terms.views)."""
    tariff_form = forms.get("tariff") or TariffForm.for_booking(booking, formdata=None, data={"tariff": booking.tariff})
    key_form = forms.get("key") or KeyForm.for_booking(booking, formdata=None)
    tz_name = booking.centre.timezone
    key_form.occurrence.choices = [(0, _("The whole booking"))] + [
        (o.id, occurrence_label(o, tz_name)) for o in booking.occurrences if o.status == APPROVED and o.ends_at > now]
    return {"tariff_form": tariff_form, "key_form": key_form,
            "deposit_form": forms.get("deposit") or DepositForm.for_booking(booking, formdata=None),
            "cancellation": cancellation_terms(booking.centre)}


@bp.route(f"/<lang:lang>/bookings/<{ID}:booking_id>/")
@login_required
def show(booking_id):
    return booking_page(load_booking(booking_id))


def run_action(booking, action, forms, success):
    """Call a service; on success commit, flash and go on (to the form's ``next``, e.g. the queue);
    on a domain error show the booking page again with the message."""
    try:
        action()
        db.session.commit()
    except BookingError as error:
        db.session.rollback()
        messages, status = refused(error)
        return booking_page(db.session.get(Booking, booking.id), status=status, errors=messages, forms=forms)
    flash(success, "success")
    form = next(iter(forms.values()))
    next_url = safe_next_url(form.next.data if hasattr(form, "next") else None)
    return redirect(next_url or url_for("bookings.show", booking_id=booking.id))


def form_failed(booking, forms):
    return booking_page(booking, status=400, forms=forms)


@bp.route(f"/<lang:lang>/bookings/<{ID}:booking_id>/approve", methods=["POST"])
@login_required
def approve(booking_id):
    booking = load_booking(booking_id)
    if not booking.can_decide(current_user):
        abort(403)
    form = ApproveForm.for_booking(booking)
    form.occurrences.choices = [(o.id, "") for o in booking.occurrences]
    if not form.validate_on_submit():
        return form_failed(booking, {"approve": form})
    return run_action(
        booking,
        lambda: services.approve(booking, current_user, occurrence_ids=form.occurrences.data or [], reason=form.reason.data),
        {"approve": form},
        _("The request is approved. The association is informed by e-mail."),
    )


@bp.route(f"/<lang:lang>/bookings/<{ID}:booking_id>/reject", methods=["POST"])
@login_required
def reject(booking_id):
    booking = load_booking(booking_id)
    if not booking.can_decide(current_user):
        abort(403)
    form = RejectForm.for_booking(booking)
    if not form.validate_on_submit():
        return form_failed(booking, {"reject": form})
    return run_action(
        booking, lambda: services.reject(booking, current_user, reason=form.reason.data), {"reject": form},
        _("The request is rejected. The association is informed by e-mail."),
    )


@bp.route(f"/<lang:lang>/bookings/<{ID}:booking_id>/cancel", methods=["POST"])
@login_required
def cancel(booking_id):
    booking = load_booking(booking_id)
    if not booking.can_cancel(current_user):
        abort(403)
    form = CancelForm.for_booking(booking)
    form.occurrence.choices = [(0, "")] + [(o.id, "") for o in booking.occurrences]
    if not form.validate_on_submit():
        return form_failed(booking, {"cancel": form})
    occurrence_id = form.occurrence.data or None
    return run_action(
        booking,
        lambda: services.cancel(booking, current_user, occurrence_id=occurrence_id,
                                following=form.following.data, reason=form.reason.data),
        {"cancel": form},
        _("The dates are cancelled."),
    )


@bp.route(f"/<lang:lang>/bookings/<{ID}:booking_id>/withdraw", methods=["POST"])
@login_required
def withdraw(booking_id):
    booking = load_booking(booking_id)
    if not booking.can_cancel(current_user):
        abort(403)
    form = WithdrawForm.for_booking(booking)
    if not form.validate_on_submit():
        return form_failed(booking, {"withdraw": form})
    return run_action(
        booking, lambda: services.withdraw(booking, current_user, reason=form.reason.data), {"withdraw": form},
        _("Your request is withdrawn."),
    )
