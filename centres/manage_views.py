"""Manager and admin pages for centres, rooms and closures.

Every view: load (404) -> check (403) -> validate -> change -> commit ->
flash -> redirect. Anonymous visitors are sent to sign in, members get 403
(``manager_required``); a manager's powers stop at the centres they manage.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from accounts.access import admin_required, manager_required
from accounts.forms import ConfirmForm
from bookings.localtime import relocalise
from centres import bp
from centres.forms import CentreForm, ManagersForm
from centres.management import set_managers
from centres.models import Centre, Closure, Room
from centres.room_forms import ClosureForm, RoomForm
from centres.vocabulary import EQUIPMENT, WEEKDAYS, WELCOME_FEATURES
from extensions import db
from outbox.models import WorkerBeat
from parsing import ID
from timeutil import utcnow


def managed_centres():
    query = select(Centre).options(selectinload(Centre.rooms)).order_by(Centre.district, Centre.slug)
    if not current_user.is_admin:
        query = query.where(Centre.managers.any(id=current_user.id))
    return db.session.scalars(query).all()


def load_centre(slug: str) -> Centre:
    """The centre the current user may manage: 404 when it does not exist, 403 when not theirs."""
    centre = Centre.by_slug(slug)
    if centre is None:
        abort(404)
    if not centre.can_manage(current_user):
        abort(403)
    return centre


def load_room(centre: Centre, room_id: int) -> Room:
    room = db.session.get(Room, room_id)
    if room is None or room.centre_id != centre.id:
        abort(404)
    if not room.can_edit(current_user):
        abort(403)
    return room


def slug_taken(form) -> None:
    db.session.rollback()
    form.slug.errors = [*form.slug.errors, _("Another centre already uses this short name.")]


# --- pages -------------------------------------------------------------------


@bp.route("/<lang:lang>/manage/")
@manager_required
def manage_index():
    admin = current_user.is_admin
    seen = WorkerBeat.last_seen() if admin else None
    return render_template("manage/index.html", centres=managed_centres(), can_create=admin,
                           worker_silent=admin and WorkerBeat.silent(seen), last_seen=seen)


@bp.route("/<lang:lang>/manage/centres/<slug>/")
@manager_required
def manage_centre(slug):
    centre = load_centre(slug)
    today = utcnow().date()
    closures = list(centre.closures)
    return render_template(
        "manage/centre.html",
        centre=centre,
        can_edit=centre.can_edit(current_user),
        weekdays=WEEKDAYS,
        feature_labels=WELCOME_FEATURES,
        equipment_labels=EQUIPMENT,
        current_closures=[c for c in closures if c.ends_on >= today],
        past_closures=[c for c in closures if c.ends_on < today],
        closure_form=ClosureForm(centre=centre, formdata=None),
        delete_form=ConfirmForm(formdata=None),
    )


# --- centres (admins) ----------------------------------------------------------
# Creating, editing and assigning managers is the city office's job. Nothing is
# deleted here for now: a centre or room that closes stays (rooms can be made
# not bookable); closures can be removed.


@bp.route("/<lang:lang>/manage/centres/new", methods=["GET", "POST"])
@admin_required
def manage_new_centre():
    form = CentreForm()
    if form.validate_on_submit():
        centre = Centre()
        form.fill(centre)
        db.session.add(centre)
        try:
            db.session.commit()
        except IntegrityError:
            slug_taken(form)
            return render_template("manage/centre_form.html", form=form, centre=None), 400
        flash(_("The centre %(name)s is created. Now add its rooms.", name=centre.display_name()), "success")
        return redirect(url_for("centres.manage_centre", slug=centre.slug))
    return render_template("manage/centre_form.html", form=form, centre=None), 400 if form.errors else 200


@bp.route("/<lang:lang>/manage/centres/<slug>/edit", methods=["GET", "POST"])
@manager_required
def manage_edit_centre(slug):
    centre = Centre.by_slug(slug)
    if centre is None:
        abort(404)
    if not centre.can_edit(current_user):
        abort(403)
    form = CentreForm(centre=centre)
    if form.validate_on_submit():
        zone_before = centre.timezone
        form.fill(centre)
        if centre.timezone != zone_before:
            relocalise(centre)
        try:
            db.session.commit()
        except IntegrityError:
            slug_taken(form)
            return render_template("manage/centre_form.html", form=form, centre=centre), 400
        flash(_("The centre is saved."), "success")
        return redirect(url_for("centres.manage_centre", slug=centre.slug))
    return render_template("manage/centre_form.html", form=form, centre=centre), 400 if form.errors else 200


@bp.route("/<lang:lang>/manage/centres/<slug>/managers", methods=["GET", "POST"])
@manager_required
def manage_managers(slug):
    centre = Centre.by_slug(slug)
    if centre is None:
        abort(404)
    if not centre.can_edit(current_user):
        abort(403)
    # Unticking everybody posts no "managers" at all: read the (possibly empty) form as it is.
    form = ManagersForm(centre=centre, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        added, removed = set_managers(centre, form.chosen_users())
        db.session.commit()
        if added or removed:
            flash(_("The managers of this centre are saved."), "success")
        else:
            flash(_("Nothing was changed."), "info")
        return redirect(url_for("centres.manage_centre", slug=centre.slug))
    return render_template("manage/managers.html", form=form, centre=centre), 400 if form.errors else 200


# --- rooms (the centre's managers, admins) --------------------------------------


@bp.route("/<lang:lang>/manage/centres/<slug>/rooms/new", methods=["GET", "POST"])
@manager_required
def manage_new_room(slug):
    centre = load_centre(slug)
    form = RoomForm()
    if form.validate_on_submit():
        room = Room(centre=centre)
        form.fill(room)
        db.session.add(room)
        db.session.commit()
        flash(_("The room %(name)s is added.", name=room.name), "success")
        return redirect(url_for("centres.manage_centre", slug=centre.slug))
    return render_template("manage/room_form.html", form=form, centre=centre, room=None), 400 if form.errors else 200


@bp.route(f"/<lang:lang>/manage/centres/<slug>/rooms/<{ID}:room_id>/edit", methods=["GET", "POST"])
@manager_required
def manage_edit_room(slug, room_id):
    centre = load_centre(slug)
    room = load_room(centre, room_id)
    form = RoomForm(room=room)
    if form.validate_on_submit():
        form.fill(room)
        db.session.commit()
        flash(_("The room %(name)s is saved.", name=room.name), "success")
        return redirect(url_for("centres.manage_centre", slug=centre.slug))
    return render_template("manage/room_form.html", form=form, centre=centre, room=room), 400 if form.errors else 200


# --- closures (the centre's managers, admins) -----------------------------------


@bp.route("/<lang:lang>/manage/centres/<slug>/closures/new", methods=["GET", "POST"])
@manager_required
def manage_add_closure(slug):
    centre = load_centre(slug)
    form = ClosureForm(centre=centre)
    if form.validate_on_submit():
        closure = Closure(
            centre=centre,
            room=form.chosen_room(),
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            reason=form.reason.data,
        )
        db.session.add(closure)
        db.session.commit()
        flash(_("The closure is added. Nobody can book these days any more."), "success")
        # Booked dates on it are listed there, to cancel in one step; without any it leads back here.
        return redirect(url_for("terms.closure_dates", slug=centre.slug, closure_id=closure.id, added=1))
    return render_template("manage/closure_form.html", form=form, centre=centre), 400 if form.errors else 200


@bp.route(f"/<lang:lang>/manage/centres/<slug>/closures/<{ID}:closure_id>/delete", methods=["POST"])
@manager_required
def manage_delete_closure(slug, closure_id):
    centre = load_centre(slug)
    closure = db.session.get(Closure, closure_id)
    if closure is None or closure.centre_id != centre.id:
        abort(404)
    if not closure.can_edit(current_user):
        abort(403)
    form = ConfirmForm()
    if form.validate_on_submit():
        db.session.delete(closure)
        db.session.commit()
        flash(_("The closure is removed."), "success")
    return redirect(url_for("centres.manage_centre", slug=centre.slug, _anchor="closures"))
