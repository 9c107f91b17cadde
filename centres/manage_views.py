"""Manager and admin pages for centres, rooms and closures."""

from flask import abort, render_template
from flask_login import current_user
from sqlalchemy import select

from accounts.access import manager_required
from centres import bp
from centres.models import Centre
from extensions import db


def managed_centres():
    query = select(Centre).order_by(Centre.slug)
    if not current_user.is_admin:
        query = query.where(Centre.managers.any(id=current_user.id))
    return db.session.scalars(query).all()


@bp.route("/<lang:lang>/manage/")
@manager_required
def manage_index():
    return render_template("manage/index.html", centres=managed_centres(), can_create=current_user.is_admin)


@bp.route("/<lang:lang>/manage/centres/<slug>/")
@manager_required
def manage_centre(slug):
    centre = Centre.by_slug(slug)
    if centre is None:
        abort(404)
    if not centre.can_manage(current_user):
        abort(403)
    return render_template("manage/centre.html", centre=centre, can_edit=centre.can_edit(current_user))
