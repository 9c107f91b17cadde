"""Registering an association with a new account, and confirming the account's e-mail address.

The answer is the same whether or not the address already has an account
(OWASP ASVS 2.x / 3.x: no account enumeration): a new account receives a link
that confirms the address and signs in; the owner of a known address is told
by mail that someone tried, and nothing else happens. Registrations are
limited per client address across every worker (operations.throttle).
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

import i18n
from accounts import bp, members, notices
from accounts.forms import NewAssociationForm, RegisterAssociationForm
from accounts.models import Association, User, normalise_email
from accounts.views import client_address, fill_association, sign_in
from extensions import db
from operations import throttle
from timeutil import utcnow

CONFIRM_DAYS = 3


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="confirm-email")


def confirmation_token(user) -> str:
    return _serializer().dumps({"u": user.id, "e": user.email})


@bp.route("/associations/register", methods=["GET", "POST"])
def register_association():
    signed_in = current_user.is_authenticated
    form = NewAssociationForm() if signed_in else RegisterAssociationForm()
    if request.method == "POST" and not throttle.hit(f"register:{client_address()}", "REGISTER_LIMIT"):
        message = _("Too many registrations from your network. Please try again in an hour.")
        return render_template("accounts/register.html", form=form, signed_in=signed_in, refused=message), 429
    if form.validate_on_submit():
        return _registered_signed_in(form) if signed_in else _registered_new(form)
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/register.html", form=form, signed_in=signed_in), status


def _name_taken(form, signed_in):
    db.session.rollback()  # someone registered the same name or address a moment ago
    form.name.errors.append(_("An association with this name is already registered."))
    return render_template("accounts/register.html", form=form, signed_in=signed_in), 400


def _registered_signed_in(form):
    association = Association(verified=False)
    fill_association(association, form)
    db.session.add(association)
    try:
        db.session.flush()
    except IntegrityError:
        return _name_taken(form, True)
    members.add(association, current_user._get_current_object(), admin=True)  # the first member is its admin
    db.session.commit()
    flash(_("Thank you! Your association is registered. A centre manager will check it soon; then you can book "
            "rooms."), "success")
    return redirect(url_for("accounts.association", association_id=association.id))


def _registered_new(form):
    lang = i18n.current_language()
    email = normalise_email(form.account_email.data)
    owner = User.by_email(email)
    if owner is not None:
        notices.already_registered(owner, owner.preferred_language or lang)
        db.session.commit()
    else:
        user = User(email=email, role="member", name=form.account_name.data.strip(), preferred_language=lang)
        user.set_password(form.password.data)
        association = Association(verified=False)
        fill_association(association, form)
        db.session.add_all([user, association])
        try:
            db.session.flush()
        except IntegrityError:
            return _name_taken(form, False)
        members.add(association, user, admin=True)
        user.email_confirmed_at = None  # confirmed by the link in the mail (the column's default is "confirmed")
        notices.confirm_address(user, confirmation_token(user), lang)
        db.session.commit()
    return render_template("accounts/registered.html", email=email)


@bp.route("/account/confirm/<token>")
def confirm_email(token):
    """The link of the confirmation mail: confirms the address and signs in (expired or foreign links: 400)."""
    try:
        data = _serializer().loads(token[:500], max_age=CONFIRM_DAYS * 86400)
    except SignatureExpired:
        return render_template("accounts/confirm_failed.html", expired=True), 400
    except BadSignature:
        return render_template("accounts/confirm_failed.html", expired=False), 400
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    if user is None or user.email != data.get("e") or not user.is_active:
        abort(404)
    if user.email_confirmed_at is not None:  # the link signs in once; afterwards it only says so
        flash(_("Your e-mail address is already confirmed. Please sign in."), "info")
        return redirect(url_for("accounts.login"))
    if current_user.is_authenticated and current_user.id != user.id:
        abort(403)
    user.email_confirmed_at = utcnow()
    if not current_user.is_authenticated:
        sign_in(user)
    db.session.commit()
    flash(_("Thank you: your e-mail address is confirmed and you are signed in."), "success")
    association = user.associations[0] if user.associations else None
    if association is not None:
        return redirect(url_for("accounts.association", association_id=association.id))
    return redirect(url_for("accounts.account"))
