from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from accounts import bp
from accounts.access import manager_required
from accounts.forms import (
    KIND_LABELS,
    ConfirmForm,
    EditAssociationForm,
    LoginForm,
    PasswordForm,
    PreferencesForm,
    RegisterAssociationForm,
    TokenForm,
)
from accounts.models import ApiToken, Association, User, normalise_email
from extensions import db, limiter
from urlsafety import safe_next_url


def login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = LoginForm()
    if form.validate_on_submit():
        user = User.by_email(form.email.data)
        if user is None or not user.is_active or not user.check_password(form.password.data):
            flash(_("The e-mail address or the password is not right."), "error")
        else:
            login_user(user, remember=form.remember.data)
            flash(_("You are signed in."), "success")
            return redirect(safe_next_url(request.args.get("next")) or url_for("accounts.account"))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("You are signed out."), "success")
    return redirect(url_for("centres.home"))


def account_page(**forms):
    forms.setdefault("preferences_form", PreferencesForm(obj=current_user, formdata=None))
    forms.setdefault("password_form", PasswordForm(formdata=None))
    forms.setdefault("token_form", TokenForm(formdata=None))
    return render_template(
        "accounts/account.html",
        tokens=[t for t in current_user.tokens if t.is_active],
        revoke_form=ConfirmForm(formdata=None),
        **forms,
    )


@bp.route("/account/")
@login_required
def account():
    return account_page()


@bp.route("/account/preferences", methods=["POST"])
@login_required
def preferences():
    form = PreferencesForm()
    if not form.validate_on_submit():
        return account_page(preferences_form=form), 400
    current_user.name = (form.name.data or "").strip()
    current_user.preferred_language = form.preferred_language.data
    db.session.commit()
    flash(_("Your settings are saved."), "success")
    return redirect(url_for("accounts.account", lang=form.preferred_language.data))


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        if current_user.check_password(form.current_password.data):
            current_user.set_password(form.new_password.data)
            db.session.commit()
            flash(_("Your password is changed."), "success")
            return redirect(url_for("accounts.account"))
        form.current_password.errors.append(_("This is not your current password."))
    return account_page(password_form=form), 400


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return account_page(token_form=form), 400
    token, secret = ApiToken.issue(current_user, form.name.data)
    db.session.commit()
    # Shown once, in this response only: never flashed into the session cookie.
    response = current_app.make_response(account_page(new_token=secret, new_token_name=token.name))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        token.revoke()
        db.session.commit()
        flash(_("The token is revoked. It no longer works."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/associations/register", methods=["GET", "POST"])
def register_association():
    form = RegisterAssociationForm()
    if form.validate_on_submit():
        association = Association(verified=False)
        fill_association(association, form)
        user = User.by_email(form.account_email.data)
        if user is None:
            user = User(email=normalise_email(form.account_email.data), role="member")
            user.name = form.account_name.data.strip()
            user.set_password(form.password.data)
            user.preferred_language = request.view_args.get("lang") if request.view_args else None
            db.session.add(user)
        association.members.append(user)
        db.session.add(association)
        db.session.commit()
        login_user(user)
        flash(
            _("Thank you! Your association is registered. A centre manager will check it soon; then you can book rooms."),
            "success",
        )
        return redirect(url_for("accounts.association", association_id=association.id))
    return render_template("accounts/register.html", form=form), 400 if form.errors else 200


def fill_association(association, form):
    association.name = form.name.data.strip()
    association.kind = form.kind.data
    association.contact_person = form.contact_person.data.strip()
    association.email = normalise_email(form.email.data)
    association.phone = (form.phone.data or "").strip()
    association.website = (form.website.data or "").strip()
    association.description = form.description.data
    association.languages = form.languages.data or []


def load_association(association_id) -> Association:
    association = db.session.get(Association, association_id)
    if association is None or not association.can_view_contact(current_user):
        abort(404)
    return association


@bp.route("/associations/<int:association_id>/")
@login_required
def association(association_id):
    association = load_association(association_id)
    return render_template(
        "accounts/association.html",
        association=association,
        kind_label=KIND_LABELS.get(association.kind, association.kind),
        can_edit=association.can_edit(current_user),
        can_verify=association.can_verify(current_user),
        verify_form=ConfirmForm(formdata=None),
    )


@bp.route("/associations/<int:association_id>/edit", methods=["GET", "POST"])
@login_required
def edit_association(association_id):
    association = load_association(association_id)
    if not association.can_edit(current_user):
        abort(403)
    form = EditAssociationForm(obj=association, association=association)
    if form.validate_on_submit():
        fill_association(association, form)
        db.session.commit()
        flash(_("The association is saved."), "success")
        return redirect(url_for("accounts.association", association_id=association.id))
    return render_template("accounts/edit_association.html", form=form, association=association), (
        400 if form.errors else 200
    )


@bp.route("/manage/associations/")
@manager_required
def associations():
    show = request.args.get("show", "unverified")
    query = select(Association).order_by(Association.verified, Association.name)
    if show == "unverified":
        query = query.where(Association.verified.is_(False))
    else:
        show = "all"
    return render_template(
        "accounts/associations.html",
        associations=db.session.scalars(query).all(),
        show=show,
        kind_labels=KIND_LABELS,
        verify_form=ConfirmForm(formdata=None),
    )


@bp.route("/manage/associations/<int:association_id>/verify", methods=["POST"])
@manager_required
def verify_association(association_id):
    association = db.session.get(Association, association_id)
    if association is None:
        abort(404)
    if not association.can_verify(current_user):
        abort(403)
    form = ConfirmForm()
    if form.validate_on_submit():
        association.verify(by=current_user)
        db.session.commit()
        flash(_("%(name)s is now verified.", name=association.name), "success")
    return redirect(safe_next_url(request.args.get("next")) or url_for("accounts.associations"))
