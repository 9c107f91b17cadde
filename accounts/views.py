from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

import i18n
from accounts import bp
from accounts.access import manager_required
from accounts.forms import (
    KIND_LABELS,
    ConfirmForm,
    EditAssociationForm,
    LoginForm,
    NewAssociationForm,
    PasswordForm,
    PreferencesForm,
    RegisterAssociationForm,
    TokenForm,
)
from accounts.models import ApiToken, Association, User, normalise_email
from extensions import db, limiter
from parsing import ID
from urlsafety import safe_next_url


def page_to_return_to() -> str | None:
    """The ``next`` page after signing in: a same-site path that can be shown (a GET route)."""
    target = safe_next_url(request.args.get("next"))
    if target is None:
        return None
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        adapter.match(urlsplit(target).path, method="GET")
    except RequestRedirect:
        pass
    except HTTPException:  # no such page, or a form's POST-only address
        return None
    return target


def login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    next_url = page_to_return_to()
    if current_user.is_authenticated:
        return redirect(next_url or url_for("accounts.account"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = User.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(_("You are signed in."), "success")
            return redirect(next_url or url_for("accounts.account"))
        error = _("The e-mail address or the password is not right.")
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout():
    # CSRFProtect refuses a POST without a valid token before we get here.
    if current_user.is_authenticated:
        logout_user()
        flash(_("You are signed out."), "success")
    return redirect(url_for("centres.home"))


def account_page(status=200, **forms):
    forms.setdefault("preferences_form", PreferencesForm(obj=current_user, formdata=None))
    forms.setdefault("password_form", PasswordForm(formdata=None))
    forms.setdefault("token_form", TokenForm(formdata=None))
    html = render_template(
        "accounts/account.html",
        tokens=[t for t in current_user.tokens if t.is_active],
        revoke_form=ConfirmForm(formdata=None),
        **forms,
    )
    return html, status


@bp.route("/account/")
@login_required
def account():
    return account_page()


@bp.route("/account/preferences", methods=["POST"])
@login_required
def preferences():
    form = PreferencesForm()
    if not form.validate_on_submit():
        return account_page(400, preferences_form=form)
    current_user.name = (form.name.data or "").strip()
    current_user.preferred_language = form.preferred_language.data
    db.session.commit()
    flash(_("Your settings are saved."), "success")
    return redirect(url_for("accounts.account", lang=form.preferred_language.data))


@bp.route("/account/password", methods=["POST"])
@login_required
@limiter.limit(login_limit)
def change_password():
    form = PasswordForm()
    if not form.validate_on_submit():
        return account_page(400, password_form=form)
    user = current_user._get_current_object()
    if not user.check_password(form.current_password.data):
        form.current_password.errors.append(_("This is not your current password."))
        return account_page(400, password_form=form)
    user.set_password(form.new_password.data)
    db.session.commit()
    # The session id carries a fingerprint of the password: renew it here, while
    # every other signed-in device is signed out.
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(user, remember=remembered)
    flash(_("Your password is changed. Other devices are signed out."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return account_page(400, token_form=form)
    token, secret = ApiToken.issue(current_user, form.name.data)
    db.session.commit()
    # Shown once, in this response only: never flashed into the session cookie,
    # never stored by a cache.
    response = current_app.make_response(
        account_page(new_token=secret, new_token_name=token.name, token_form=TokenForm(formdata=None))
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route(f"/account/tokens/<{ID}:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    token.revoke()
    db.session.commit()
    flash(_("The token is revoked. It no longer works."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/associations/register", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def register_association():
    signed_in = current_user.is_authenticated
    form = NewAssociationForm() if signed_in else RegisterAssociationForm()
    if form.validate_on_submit():
        association = Association(verified=False)
        fill_association(association, form)
        if signed_in:
            user = current_user._get_current_object()
        else:
            user = User(email=normalise_email(form.account_email.data), role="member")
            user.name = form.account_name.data.strip()
            user.set_password(form.password.data)
            user.preferred_language = i18n.current_language()
            db.session.add(user)
        association.members.append(user)
        db.session.add(association)
        try:
            db.session.commit()
        except IntegrityError:
            # Someone registered the same name or e-mail address a moment ago.
            db.session.rollback()
            form.name.errors.append(_("An association with this name is already registered."))
            return render_template("accounts/register.html", form=form, signed_in=signed_in), 400
        if not signed_in:
            login_user(user)
        flash(
            _(
                "Thank you! Your association is registered. A centre manager will check it soon; then you can book rooms."
            ),
            "success",
        )
        return redirect(url_for("accounts.association", association_id=association.id))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/register.html", form=form, signed_in=signed_in), status


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
    """404 for an association that does not exist or whose data the user may not see."""
    association = db.session.get(Association, association_id)
    if association is None or not association.can_view_contact(current_user):
        abort(404)
    return association


@bp.route(f"/associations/<{ID}:association_id>/")
@login_required
def association(association_id):
    association = load_association(association_id)
    return render_template(
        "accounts/association.html",
        association=association,
        kind_label=KIND_LABELS.get(association.kind, association.kind),
        can_edit=association.can_edit(current_user),
        can_verify=association.can_verify(current_user) and not association.verified,
        verify_form=ConfirmForm(formdata=None),
    )


@bp.route(f"/associations/<{ID}:association_id>/edit", methods=["GET", "POST"])
@login_required
def edit_association(association_id):
    association = load_association(association_id)
    if not association.can_edit(current_user):
        abort(403)
    form = EditAssociationForm(obj=association, association=association)
    if form.validate_on_submit():
        renamed = form.name.data.strip() != association.name
        fill_association(association, form)
        # Verification vouches for who the association is: a new name needs a new check.
        needs_check = renamed and association.verified and not current_user.is_manager
        if needs_check:
            association.unverify()
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            form.name.errors.append(_("An association with this name is already registered."))
            return render_template("accounts/edit_association.html", form=form, association=association), 400
        flash(_("The association is saved."), "success")
        if needs_check:
            flash(_("Because the name changed, a centre manager will verify the association again."), "info")
        return redirect(url_for("accounts.association", association_id=association.id))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/edit_association.html", form=form, association=association), status


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


@bp.route(f"/manage/associations/<{ID}:association_id>/verify", methods=["POST"])
@manager_required
def verify_association(association_id):
    association = db.session.get(Association, association_id)
    if association is None:
        abort(404)
    if not association.can_verify(current_user):
        abort(403)
    if association.verified:
        flash(_("%(name)s was already verified.", name=association.name), "info")
    else:
        association.verify(by=current_user)
        db.session.commit()
        flash(_("%(name)s is now verified.", name=association.name), "success")
    return redirect(safe_next_url(request.args.get("next")) or url_for("accounts.associations"))
