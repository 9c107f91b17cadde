"""Pages of co-organised events: invitations to and from the user's associations, and one invitation with its
answer (accept, decline; withdraw once accepted)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from accounts import members
from accounts.forms import ConfirmForm
from bookings.errors import BookingError, refusal
from bookings.models import Booking
from extensions import db
from parsing import ID
from programmes import cooperations
from programmes.cooperations import Cooperation

bp = Blueprint("cooperations", __name__)
LIST_LIMIT = 200


def visible(user):
    """Invitations to and from the user's associations (admins: all)."""
    query = (select(Cooperation).join(Booking, Booking.id == Cooperation.booking_id)
             .options(selectinload(Cooperation.booking).selectinload(Booking.association),
                      selectinload(Cooperation.association))
             .order_by(Cooperation.id.desc()).limit(LIST_LIMIT))
    if not user.is_admin:
        ids = [a.id for a in user.associations]
        query = query.where(or_(Cooperation.association_id.in_(ids), Booking.association_id.in_(ids)))
    return query


def load(cooperation_id) -> Cooperation:
    cooperation = db.session.get(Cooperation, cooperation_id)
    if cooperation is None or not cooperation.can_view(current_user):
        abort(404)
    return cooperation


@bp.route("/<lang:lang>/cooperations/")
@login_required
def index():
    return render_template("programmes/cooperations.html", items=db.session.scalars(visible(current_user)).all())


def page(cooperation, status=200, errors=()):
    answering = members.can_manage(current_user, cooperation.association) and not cooperation.has_passed()
    return render_template("programmes/cooperation.html", cooperation=cooperation, booking=cooperation.booking,
                           answering=answering, errors=list(errors), form=ConfirmForm(formdata=None)), status


@bp.route(f"/<lang:lang>/cooperations/<{ID}:cooperation_id>/")
@login_required
def show(cooperation_id):
    return page(load(cooperation_id))


def _answer(cooperation_id, action, success):
    cooperation = load(cooperation_id)
    try:
        action(cooperation, current_user)
        db.session.commit()
    except BookingError as error:
        db.session.rollback()
        answer = refusal(error)
        if answer.status == 403:
            abort(403)
        return page(db.session.get(Cooperation, cooperation_id), answer.status, answer.messages)
    flash(success, "success")
    return redirect(url_for("cooperations.show", cooperation_id=cooperation_id))


@bp.route(f"/<lang:lang>/cooperations/<{ID}:cooperation_id>/accept", methods=["POST"])
@login_required
def accept(cooperation_id):
    return _answer(cooperation_id, cooperations.accept,
                   _("Thank you! Your association is shown as co-organiser of the event."))


@bp.route(f"/<lang:lang>/cooperations/<{ID}:cooperation_id>/decline", methods=["POST"])
@login_required
def decline(cooperation_id):
    return _answer(cooperation_id, cooperations.decline, _("You have declined the invitation."))


@bp.route(f"/<lang:lang>/cooperations/<{ID}:cooperation_id>/withdraw", methods=["POST"])
@login_required
def withdraw(cooperation_id):
    return _answer(cooperation_id, cooperations.withdraw,
                   _("Your association is no longer shown as co-organiser of the event."))
