"""Programme pages: the public list and page (partners, centres, upcoming events, subscription, funding notice),
the programme's feed, joining as a partner, and the coordinators' and admins' management."""

from datetime import timedelta

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import i18n
from accounts import members
from accounts.access import admin_required
from accounts.models import Association, User
from bookings.errors import BookingError, refusal
from centres.models import Centre
from events.calendar import event_dates
from events.models import Event
from events.queries import EventFilters, public_occurrences
from extensions import db
from feeds import build
from feeds.http import feed_response
from feeds.links import FeedLinks
from pagecache import public_page
from parsing import ID
from programmes import exports, partners
from programmes.forms import (
    EventForm,
    ImageForm,
    InvitePartnerForm,
    JoinForm,
    LogoForm,
    ProgrammeForm,
    emails_of,
)
from programmes.models import ACCEPTED, Programme, ProgrammePartner
from reports import exports as report_exports
from reports import programme_figures
from reports.open_figures import min_count
from timeutil import utcnow

bp = Blueprint("programmes", __name__)
UPCOMING = 12
POSTER_DATES = 5


def load(slug) -> Programme:
    programme = db.session.scalar(select(Programme).where(Programme.slug == slug).options(
        selectinload(Programme.partners).selectinload(ProgrammePartner.association), selectinload(Programme.centres),
        selectinload(Programme.coordinators)))
    if programme is None:
        abort(404)
    return programme


def feed_links(programme) -> FeedLinks:
    url = url_for("programmes.feed", slug=programme.slug, _external=True)
    return FeedLinks(url, programme.display_name(i18n.current_language()), f"programme-{programme.id}",
                     url_for("programmes.poster", slug=programme.slug))


# --- public ---------------------------------------------------------------------------------


@bp.route("/<lang:lang>/programmes/")
@public_page
def index():
    programmes = db.session.scalars(select(Programme).order_by(Programme.slug)).all()
    return render_template("programmes/index.html", programmes=programmes)


@bp.route("/<lang:lang>/programmes/<slug>/")
@public_page
def show(slug):
    programme = load(slug)
    now = utcnow()
    rows = public_occurrences(EventFilters(programme=programme.slug), now, now + timedelta(days=365), limit=UPCOMING)
    joinable = []
    if current_user.is_authenticated:
        joinable = [a for a in current_user.associations
                    if members.can_manage(current_user, a) and programme.partner_of(a) is None]
    join_form = JoinForm(formdata=None)
    join_form.association.choices = [(a.id, a.name) for a in joinable]
    answerable = [link for link in programme.partners if link.status != ACCEPTED
                  and partners.may_accept(link, current_user)]
    return render_template(
        "programmes/show.html", programme=programme, upcoming=event_dates(rows), feed=feed_links(programme),
        join_form=join_form if joinable else None, answerable=answerable,
        can_coordinate=programme.can_coordinate(current_user), figures=programme_figures.figures_of(programme),
        threshold=min_count(),
    )


@bp.route("/<lang:lang>/programmes/<slug>/poster")
def poster(slug):
    """An A4 poster: the programme, its hashtag, the next dates and the QR code of its calendar."""
    programme = load(slug)
    now = utcnow()
    rows = public_occurrences(EventFilters(programme=programme.slug), now, now + timedelta(days=365), limit=POSTER_DATES)
    return render_template("programmes/poster.html", programme=programme, feed=feed_links(programme),
                           upcoming=event_dates(rows))


@bp.route("/<lang:lang>/programmes/<slug>/events.ics")
def feed(slug):
    programme = load(slug)
    filters = EventFilters.from_args(request.args)
    filters.programme = programme.slug
    return feed_response(build.public_feed(i18n.current_language(), filters))


# --- partners -------------------------------------------------------------------------------


def _act(programme, action, success, back=None):
    try:
        action()
        db.session.commit()
    except BookingError as error:
        db.session.rollback()
        answer = refusal(error)
        if answer.status == 403:
            abort(403)
        for message in answer.messages:
            flash(message, "error")
        return redirect(back or url_for("programmes.show", slug=programme.slug)), 303
    flash(success, "success")
    return redirect(back or url_for("programmes.show", slug=programme.slug))


@bp.route("/<lang:lang>/programmes/<slug>/join", methods=["POST"])
@login_required
def join(slug):
    programme = load(slug)
    form = JoinForm()
    form.association.choices = [(a.id, a.name) for a in current_user.associations]
    if not form.validate_on_submit():
        abort(400)
    association = db.session.get(Association, form.association.data)
    return _act(programme, lambda: partners.ask(programme, association, current_user),
                _("Thank you! The programme's coordinators decide on your request."))


def _link(programme, link_id) -> ProgrammePartner:
    link = next((p for p in programme.partners if p.id == link_id), None)
    if link is None:
        abort(404)
    return link


@bp.route(f"/<lang:lang>/programmes/<slug>/partners/<{ID}:link_id>/accept", methods=["POST"])
@login_required
def accept_partner(slug, link_id):
    programme = load(slug)
    link = _link(programme, link_id)
    return _act(programme, lambda: partners.accept(link, current_user),
                _("%(association)s is now a partner of the programme.", association=link.association.name))


@bp.route(f"/<lang:lang>/programmes/<slug>/partners/<{ID}:link_id>/remove", methods=["POST"])
@login_required
def remove_partner(slug, link_id):
    programme = load(slug)
    link = _link(programme, link_id)
    return _act(programme, lambda: partners.remove(link, current_user),
                _("%(association)s is no longer a partner of the programme.", association=link.association.name))


# --- management -----------------------------------------------------------------------------


def _fill(form, programme) -> list[str]:
    """The form's values onto the programme; returns the coordinators' addresses that have no account."""
    for name in ("name", "summary", "description", "funding_notice"):
        setattr(programme, name, dict(getattr(form, name).data or {}))
    programme.kind, programme.hashtag = form.kind.data, form.hashtag.data or ""
    programme.starts_on, programme.ends_on = form.starts_on.data, form.ends_on.data
    programme.centres = list(db.session.scalars(select(Centre).where(Centre.id.in_(form.centre_ids.data or []))))
    missing = []
    if current_user.is_admin:
        programme.slug = form.slug.data
        coordinators = []
        for email in emails_of(form.coordinator_emails.data):
            user = User.by_email(email)
            if user is None:
                missing.append(email)
            else:
                coordinators.append(user)
        programme.coordinators = coordinators
    return missing


def programme_form(programme=None):
    form = ProgrammeForm(obj=programme)
    form.centre_ids.choices = [(c.id, c.display_name()) for c in db.session.scalars(select(Centre).order_by(Centre.slug))]
    if programme is not None and not form.is_submitted():
        form.centre_ids.data = [c.id for c in programme.centres]
        form.coordinator_emails.data = ", ".join(u.email for u in programme.coordinators)
    if not current_user.is_admin:  # coordinators keep the address and are appointed by admins
        del form.slug
        del form.coordinator_emails
    return form


def _slug_taken(form, programme) -> bool:
    if getattr(form, "slug", None) is None:
        return False
    other = Programme.by_slug(form.slug.data)
    if other is not None and other is not programme:
        form.slug.errors = [*form.slug.errors, _("This short name is taken; please choose another.")]
        return True
    return False


@bp.route("/<lang:lang>/manage/programmes/new", methods=["GET", "POST"])
@admin_required
def create():
    form = programme_form()
    if form.validate_on_submit() and not _slug_taken(form, None):
        programme = Programme(default_language=i18n.current_language())
        missing = _fill(form, programme)
        db.session.add(programme)
        db.session.commit()
        _report(missing)
        return redirect(url_for("programmes.manage", slug=programme.slug))
    return render_template("programmes/form.html", form=form, programme=None), 400 if form.errors else 200


def _report(missing):
    if missing:
        flash(_("No account has these addresses; they are not coordinators: %(emails)s", emails=", ".join(missing)),
              "error")
    else:
        flash(_("The programme is saved."), "success")


@bp.route("/<lang:lang>/programmes/<slug>/manage", methods=["GET", "POST"])
@login_required
def manage(slug):
    programme = load(slug)
    if not programme.can_coordinate(current_user):
        abort(403)
    form = programme_form(programme)
    if form.validate_on_submit() and not _slug_taken(form, programme):
        missing = _fill(form, programme)
        db.session.commit()
        _report(missing)
        return redirect(url_for("programmes.manage", slug=programme.slug))
    return render_manage(programme, form=form)


def render_manage(programme, *, form=None, image_form=None, logo_form=None, logo_link=None):
    """The coordinators' page; a form sent with errors is shown with them (400)."""
    form = form or programme_form(programme)
    invite_form = InvitePartnerForm(formdata=None)
    taken = {p.association_id for p in programme.partners}
    invite_form.association.choices = [(a.id, a.name) for a in db.session.scalars(
        select(Association).where(Association.deleted_at.is_(None)).order_by(Association.name)) if a.id not in taken]
    events = db.session.scalars(select(Event).where(Event.programmes.contains(programme)).order_by(Event.id)).all()
    logo_forms = {link.id: logo_form if link is logo_link else LogoForm(formdata=None, prefix=f"partner{link.id}",
                                                                       alt=link.logo_alt)
                  for link in programme.accepted_partners()}
    failed = form.errors or (image_form is not None and image_form.errors) or (logo_form is not None)
    return render_template(
        "programmes/manage.html", programme=programme, form=form, invite_form=invite_form,
        event_form=EventForm(formdata=None), events=events, logo_forms=logo_forms,
        image_form=image_form or ImageForm(formdata=None, alt=programme.image_alt),
    ), 400 if failed else 200


@bp.route("/<lang:lang>/programmes/<slug>/events.<any(csv, xlsx):kind>")
@login_required
def export(slug, kind):
    """The programme's dates for its coordinators (CSV or XLSX)."""
    programme = load(slug)
    if not programme.can_coordinate(current_user):
        abort(403)
    table = exports.rows(programme, i18n.current_language())
    if kind == "csv":
        response = make_response(report_exports.to_csv(table))
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    else:
        rtl = i18n.language_info(i18n.current_language()).direction == "rtl"
        response = make_response(report_exports.to_xlsx(table, programme.display_name(), programme.kind_label, rtl))
        response.headers["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response.headers["Content-Disposition"] = f'attachment; filename="{programme.slug}-events.{kind}"'
    return response


@bp.route("/<lang:lang>/programmes/<slug>/invite", methods=["POST"])
@login_required
def invite(slug):
    programme = load(slug)
    if not programme.can_coordinate(current_user):
        abort(403)
    form = InvitePartnerForm()
    form.association.choices = [(a.id, a.name) for a in db.session.scalars(select(Association))]
    if not form.validate_on_submit():
        abort(400)
    association = db.session.get(Association, form.association.data)
    return _act(programme, lambda: partners.invite(programme, association, form.role.data, current_user),
                _("%(association)s is invited; its admins accept on the programme's page.", association=association.name),
                back=url_for("programmes.manage", slug=programme.slug))


@bp.route("/<lang:lang>/programmes/<slug>/events", methods=["POST"])
@login_required
def add_event(slug):
    programme = load(slug)
    if not programme.can_coordinate(current_user):
        abort(403)
    form = EventForm()
    event = db.session.get(Event, form.event_id.data) if form.validate_on_submit() else None
    back = url_for("programmes.manage", slug=programme.slug)
    if event is None:
        flash(_("There is no event with this number."), "error")
        return redirect(back), 303
    return _act(programme, lambda: partners.add_event(programme, event, current_user),
                _("The event is part of the programme."), back=back)


@bp.route(f"/<lang:lang>/programmes/<slug>/events/<{ID}:event_id>/remove", methods=["POST"])
@login_required
def remove_event(slug, event_id):
    programme = load(slug)
    if not programme.can_coordinate(current_user):
        abort(403)
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    return _act(programme, lambda: partners.remove_event(programme, event, current_user),
                _("The event is no longer part of the programme."),
                back=url_for("programmes.manage", slug=programme.slug))
