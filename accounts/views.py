from datetime import timedelta
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

import i18n
from accounts import bp, members, notices, registration, sessions
from accounts.access import manager_required
from accounts.forms import (
    KIND_LABELS,
    ConfirmForm,
    DeleteAssociationForm,
    EditAssociationForm,
    EmailChangeForm,
    LoginForm,
    PasswordForm,
    PreferencesForm,
    TokenForm,
)
from accounts.models import ApiToken, Association, User, normalise_email
from database import reading
from events.calendar import event_dates
from events.queries import EventFilters, public_occurrences
from extensions import db
from operations import throttle
from parsing import ID
from timeutil import utcnow
from urlsafety import safe_next_url

UPCOMING = 10  # public dates on an association's page


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


def client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


def too_many():
    response = current_app.make_response(render_template(
        "accounts/login.html", form=LoginForm(), error=_(
            "Too many failed attempts. Please wait %(minutes)d minutes, then try again.",
            minutes=max(1, throttle.limit("LOGIN_ACCOUNT_LIMIT").seconds // 60))))
    response.status_code = 429
    response.headers["Retry-After"] = str(throttle.limit("LOGIN_ACCOUNT_LIMIT").seconds)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = page_to_return_to()
    if current_user.is_authenticated:
        return redirect(next_url or url_for("accounts.account"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        # Failed attempts are counted per account and per address, across every worker (operations.throttle):
        # past the limit even the right password waits until the window ends — a delay, not a lock-out.
        account_key, address_key = f"login:{normalise_email(form.email.data)}", f"login-ip:{client_address()}"
        within = [throttle.hit(account_key, "LOGIN_ACCOUNT_LIMIT"),
                  throttle.hit(address_key, "LOGIN_ADDRESS_LIMIT")]
        if not all(within):
            return too_many()
        with reading(db.session):  # the password hash takes a while: no write lock is held meanwhile
            user = User.authenticate(form.email.data, form.password.data)
        if user is not None:  # only failures use the limits up
            throttle.forgive(account_key, "LOGIN_ACCOUNT_LIMIT")
            throttle.forgive(address_key, "LOGIN_ADDRESS_LIMIT")
        if user is not None and not user.email_confirmed:
            notices.confirm_address(user, registration.confirmation_token(user),
                                    user.preferred_language or i18n.current_language())
            db.session.commit()
            error = _("Please confirm your e-mail address first: we have sent you a new link.")
        elif user is not None:
            sign_in(user, form.password.data, remember=form.remember.data)
            flash(_("You are signed in."), "success")
            return redirect(next_url or url_for("accounts.account"))
        else:
            error = _("The e-mail address or the password is not right.")
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form, error=error), status


def sign_in(user, password=None, *, remember=False) -> None:
    """A new server-side session (accounts.sessions) and its cookie; an old password hash is renewed."""
    if password is not None:
        user.rehash(password)
    remembered = sessions.start(user, remember=remember)
    db.session.commit()
    login_user(user, remember=remembered, duration=timedelta(days=current_app.config["REMEMBER_DAYS"]))


@bp.route("/logout", methods=["POST"])
def logout():
    # CSRFProtect refuses a POST without a valid token before we get here.
    if current_user.is_authenticated:
        sessions.end(current_user._get_current_object())
        db.session.commit()
        logout_user()
        flash(_("You are signed out."), "success")
    return redirect(url_for("centres.home"))


def account_page(status=200, **forms):
    forms.setdefault("preferences_form", PreferencesForm(obj=current_user, formdata=None))
    forms.setdefault("password_form", PasswordForm(formdata=None))
    forms.setdefault("token_form", TokenForm(formdata=None))
    forms.setdefault("email_form", EmailChangeForm(formdata=None))
    user = current_user._get_current_object()
    html = render_template(
        "accounts/account.html",
        tokens=[t for t in current_user.tokens if t.is_active],
        revoke_form=ConfirmForm(formdata=None),
        devices=[(record, sessions.device(record.user_agent), sessions.is_current(user, record))
                 for record in sessions.active(user)],
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


def password_refused(field) -> int | None:
    """The current password, confirmed again (None: right); wrong guesses count as failed sign-ins (400, then
    429 past the account's limit)."""
    user = current_user._get_current_object()
    key = f"login:{user.email}"
    if not throttle.hit(key, "LOGIN_ACCOUNT_LIMIT"):
        field.errors.append(_("Too many failed attempts. Please wait %(minutes)d minutes, then try again.",
                              minutes=max(1, throttle.limit("LOGIN_ACCOUNT_LIMIT").seconds // 60)))
        return 429
    if not user.check_password(field.data or ""):
        field.errors.append(_("This is not your current password."))
        return 400
    throttle.forgive(key, "LOGIN_ACCOUNT_LIMIT")
    return None


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    form = PasswordForm()
    form._user = current_user._get_current_object()
    valid = form.validate_on_submit()
    refused = password_refused(form.current_password) if form.current_password.data else None
    if refused or not valid:
        return account_page(refused or 400, password_form=form)
    user = current_user._get_current_object()
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    user.set_password(form.new_password.data)  # ends every session of the user, this one too
    sign_in(user, remember=remembered)  # a new one for this device
    flash(_("Your password is changed. Other devices are signed out."), "success")
    return redirect(url_for("accounts.account"))


@bp.route(f"/account/sessions/<{ID}:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id):
    user = current_user._get_current_object()
    if not sessions.end(user, session_id):
        abort(404)
    db.session.commit()
    flash(_("That device is signed out."), "success")
    return redirect(url_for("accounts.account", _anchor="devices"))


@bp.route("/account/sessions/end-all", methods=["POST"])
@login_required
def end_all_sessions():
    user = current_user._get_current_object()
    user.end_sessions()
    db.session.commit()
    logout_user()
    flash(_("You are signed out on every device."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm()
    valid = form.validate_on_submit()
    refused = password_refused(form.current_password) if form.current_password.data else None
    if refused or not valid:
        return account_page(refused or 400, token_form=form)
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
        can_export=members.can_manage(current_user, association),
        can_delete=current_user.is_admin and association.deleted_at is None,
        delete_form=DeleteAssociationForm(formdata=None),
        upcoming=event_dates(public_occurrences(EventFilters(organiser=association.id), utcnow(),
                                                utcnow() + timedelta(days=365), limit=UPCOMING)),
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
