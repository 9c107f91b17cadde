"""Pages of the waiting list: an association's places in line, one place with the offer's answer, the lines a
manager sees (``lines`` for the queue and the week view). Joining happens on the request form (bookings.views).
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from bookings.errors import BookingError, refusal
from extensions import db
from parsing import ID
from terms.models import HouseRules
from terms.rules import Responsible
from timeutil import utcnow
from waitlist import bp, line
from waitlist.forms import AcceptOfferForm, DeclineOfferForm, LeaveLineForm
from waitlist.models import IN_LINE, OFFERED, WaitlistEntry

LIST_LIMIT = 100


def visible_clause(user):
    """The entries a user may see: their associations' and, for managers, their centres' (admins: all)."""
    if user.is_admin:
        return None
    centre_ids = [centre.id for centre in user.managed_centres] if user.is_manager else []
    return or_(WaitlistEntry.association_id.in_([a.id for a in user.associations]),
               WaitlistEntry.centre_id.in_(centre_ids))


def lines(*, centre_ids=None, room_id=None, start=None, end=None, limit=LIST_LIMIT) -> list[WaitlistEntry]:
    """Entries in line (dates to come), by room, date and place: for managers' queue and week view."""
    query = (select(WaitlistEntry).where(WaitlistEntry.status.in_(IN_LINE), WaitlistEntry.starts_at > utcnow())
             .options(selectinload(WaitlistEntry.association), selectinload(WaitlistEntry.room))
             .order_by(WaitlistEntry.room_id, WaitlistEntry.starts_at, WaitlistEntry.id).limit(limit))
    if centre_ids is not None:
        query = query.where(WaitlistEntry.centre_id.in_(list(centre_ids)))
    if room_id is not None:
        query = query.where(WaitlistEntry.room_id == room_id)
    if start is not None:
        query = query.where(WaitlistEntry.ends_at > start, WaitlistEntry.starts_at < end)
    return list(db.session.scalars(query))


def load_entry(entry_id) -> WaitlistEntry:
    entry = db.session.get(WaitlistEntry, entry_id)
    if entry is None or not entry.can_view(current_user):
        abort(404)
    return entry


@bp.route("/<lang:lang>/waitlist/")
@login_required
def index():
    query = (select(WaitlistEntry).options(selectinload(WaitlistEntry.room), selectinload(WaitlistEntry.centre),
                                           selectinload(WaitlistEntry.association))
             .order_by(WaitlistEntry.starts_at.desc(), WaitlistEntry.id).limit(LIST_LIMIT))
    clause = visible_clause(current_user)
    if clause is not None:
        query = query.where(clause)
    entries = list(db.session.scalars(query))
    in_line = sorted((e for e in entries if e.in_line), key=lambda e: (e.starts_at, e.id))
    done = [e for e in entries if not e.in_line]
    return render_template("waitlist/index.html", in_line=in_line, done=done,
                           positions=line.positions(in_line))


def entry_page(entry, *, status=200, errors=(), accept_form=None):
    house_rules = HouseRules.current(entry.centre)
    stored = entry.request or {}
    asks_terms = house_rules is not None and stored.get("terms") != house_rules.id
    asks_responsible = entry.centre.asks_responsible and not stored.get("responsible")
    return render_template(
        "waitlist/entry.html", entry=entry, position=line.position(entry), errors=list(errors),
        may_answer=entry.status == OFFERED and entry.is_member(current_user),
        may_leave=entry.in_line and entry.is_member(current_user),
        accept_form=accept_form or AcceptOfferForm(prefix="accept", formdata=None),
        decline_form=DeclineOfferForm(prefix="decline", formdata=None),
        leave_form=LeaveLineForm(prefix="leave", formdata=None),
        house_rules=house_rules if asks_terms else None, asks_responsible=asks_responsible,
    ), status


@bp.route(f"/<lang:lang>/waitlist/<{ID}:entry_id>/")
@login_required
def show(entry_id):
    return entry_page(load_entry(entry_id))


def _answer(entry, action, success, accept_form=None):
    try:
        result = action()
        db.session.commit()
    except BookingError as error:
        db.session.rollback()
        answer = refusal(error)
        if answer.status == 403:
            abort(403)
        return entry_page(db.session.get(WaitlistEntry, entry.id), status=answer.status, errors=answer.messages,
                          accept_form=accept_form)
    flash(success, "success")
    if accept_form is not None:
        return redirect(url_for("bookings.show", booking_id=result.id))
    return redirect(url_for("waitlist.show", entry_id=entry.id))


@bp.route(f"/<lang:lang>/waitlist/<{ID}:entry_id>/accept", methods=["POST"])
@login_required
def accept(entry_id):
    entry = load_entry(entry_id)
    if not entry.is_member(current_user):
        abort(403)
    form = AcceptOfferForm(prefix="accept")
    if not form.validate_on_submit():
        return entry_page(entry, status=400, accept_form=form)
    house_rules = HouseRules.current(entry.centre)
    asked = house_rules is not None and (entry.request or {}).get("terms") != house_rules.id
    responsible = None
    if form.responsible_name.data or form.responsible_phone.data:
        responsible = Responsible(form.responsible_name.data or "", form.responsible_phone.data or "",
                                  form.responsible_adult.data is True)
    return _answer(
        entry, lambda: line.accept(entry, current_user, accept_terms=(form.accept_terms.data is True) if asked else None,
                                   responsible=responsible, now=utcnow()),
        _("Thank you! Your request has been sent to the centre. You will hear from us by e-mail."), accept_form=form)


@bp.route(f"/<lang:lang>/waitlist/<{ID}:entry_id>/decline", methods=["POST"])
@login_required
def decline(entry_id):
    entry = load_entry(entry_id)
    if not entry.is_member(current_user):
        abort(403)
    return _answer(entry, lambda: line.decline(entry, current_user),
                   _("You have declined the offer; the date goes to the next in line."))


@bp.route(f"/<lang:lang>/waitlist/<{ID}:entry_id>/withdraw", methods=["POST"])
@login_required
def withdraw(entry_id):
    entry = load_entry(entry_id)
    if not entry.is_member(current_user):
        abort(403)
    return _answer(entry, lambda: line.withdraw(entry, current_user), _("You have left the waiting list."))
