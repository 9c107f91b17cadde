"""Download one's data, delete one's account; an association's admins download its data, a city admin deletes
an association."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from accounts import members
from accounts.forms import DeleteAccountForm, DeleteAssociationForm
from accounts.views import load_association
from extensions import db
from parsing import ID
from privacy import bp, erase, export


def _download(data: bytes, filename: str):
    response = current_app.response_class(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/export.zip")
@login_required
def export_account():
    user = current_user._get_current_object()
    return _download(export.user_zip(user), f"welcome-spaces-account-{user.id}.zip")


@bp.route(f"/associations/<{ID}:association_id>/export.zip")
@login_required
def export_association(association_id):
    association = load_association(association_id)
    if not members.can_manage(current_user, association):
        abort(403)
    return _download(export.association_zip(association), f"welcome-spaces-association-{association.id}.zip")


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    user = current_user._get_current_object()
    staff = user.role != "member"
    blocked = erase.blocking_associations(user)
    form = DeleteAccountForm()
    if not staff and not blocked and form.validate_on_submit():
        if not user.check_password(form.current_password.data):
            form.current_password.errors.append(_("The password is not right."))
        else:
            erase.delete_user(user)
            db.session.commit()
            logout_user()
            flash(_("Your account is deleted. Bookings the centres must keep stay, without your name."), "success")
            return redirect(url_for("centres.home"))
    status = 400 if form.errors else (409 if (staff or blocked) and form.is_submitted() else 200)
    return render_template("privacy/delete_account.html", form=form, staff=staff, blocked=blocked), status


@bp.route(f"/associations/<{ID}:association_id>/delete", methods=["POST"])
@login_required
def delete_association(association_id):
    association = load_association(association_id)
    if not current_user.is_admin:
        abort(403)
    form = DeleteAssociationForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("accounts.association", association_id=association.id))
    name = association.name
    erase.delete_association(association, current_user._get_current_object(), form.reason.data.strip())
    db.session.commit()
    flash(_("%(name)s is deleted.", name=name), "success")
    return redirect(url_for("accounts.associations", show="all"))
