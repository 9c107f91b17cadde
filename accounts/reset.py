"""A forgotten password, reset by e-mail; a new e-mail address, confirmed by a link sent to it.

The reset page answers the same whether or not the address has an account (no enumeration); requests are
limited per address and per client (operations.throttle). A reset link works once, for an hour; only its
SHA-256 is stored. Setting the new password signs out every other session. A new address takes effect
when the link sent to it is opened (signed, 3 days, only while the account still has the old address).
"""

import secrets
from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update

import i18n
import mail
from accounts import bp
from accounts.forms import EmailChangeForm, ForgotPasswordForm, NewPasswordForm
from accounts.models import PasswordReset, User, hash_token, normalise_email
from accounts.notices import greeted
from accounts.views import account_page, client_address, sign_in
from extensions import db
from operations import throttle
from timeutil import utcnow

RESET_MINUTES = 60
CHANGE_DAYS = 3


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = normalise_email(form.email.data)
        within = [throttle.hit(f"reset:{email}", "RESET_LIMIT"), throttle.hit(f"reset-ip:{client_address()}",
                                                                              "RESET_ADDRESS_LIMIT")]
        if not all(within):
            return render_template("accounts/forgot.html", form=form, refused=True), 429
        user = User.by_email(email)
        if user is not None and user.is_active and user.deleted_at is None:
            _send_reset(user)
            db.session.commit()
        return render_template("accounts/forgot.html", form=None, sent_to=email)
    return render_template("accounts/forgot.html", form=form), 400 if form.errors else 200


def _send_reset(user) -> None:
    now, token = utcnow(), secrets.token_urlsafe(32)
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None),
                                                   PasswordReset.expires_at > now)
                       .values(expires_at=now))  # an older link expires when a new one is asked for
    db.session.add(PasswordReset(user_id=user.id, token_hash=hash_token(token), created_at=now,
                                 expires_at=now + timedelta(minutes=RESET_MINUTES)))
    lang = user.preferred_language or i18n.current_language()
    with force_locale(lang):
        notice = greeted(lang, _("Set a new password"), user.name)
        notice.paragraphs.append(_("Someone — probably you — asked to set a new password for your account. The "
                                   "link below works once, for %(minutes)d minutes.", minutes=RESET_MINUTES))
        notice.paragraphs.append(_("If it was not you, ignore this message: your password stays as it is."))
        notice.link = url_for("accounts.reset_password", lang=lang, token=token, _external=True)
        notice.link_label = _("Set a new password")
        mail.queue_notice(user.email, user.name, notice, f"reset:{user.id}:{secrets.token_hex(8)}")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == hash_token(token[:200])))
    if reset is None:
        return _failed("unknown", 404)
    if reset.used_at is not None or utcnow() >= reset.expires_at or not reset.user.is_active:
        return _failed("used" if reset.used_at else "expired", 410)
    user = reset.user
    if current_user.is_authenticated and current_user.id != user.id:
        abort(403)  # signed in as someone else: sign out first
    form = NewPasswordForm(user=user)
    if form.validate_on_submit():
        reset.used_at = utcnow()
        user.set_password(form.password.data)  # every session of the user ends
        if user.email_confirmed_at is None:
            user.email_confirmed_at = utcnow()  # the link came to this address
        sign_in(user)
        flash(_("Your new password is set. Every other device is signed out."), "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/reset.html", form=form), 400 if form.errors else 200


def _failed(reason, status):
    again = {"url": url_for("accounts.forgot_password"), "label": _("Ask for a new link")}
    return render_template("accounts/link_failed.html", reason=reason, again=again), status


def _change_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="change-email")


@bp.route("/account/email", methods=["POST"])
@login_required
def change_email():
    user = current_user._get_current_object()
    form = EmailChangeForm()
    if not form.validate_on_submit():
        return account_page(400, email_form=form)
    if not user.check_password(form.current_password.data):
        form.current_password.errors.append(_("The password is not right."))
        return account_page(400, email_form=form)
    new = normalise_email(form.new_email.data)
    if new == user.email:
        form.new_email.errors.append(_("This is already your address."))
        return account_page(400, email_form=form)
    lang = user.preferred_language or i18n.current_language()
    token = _change_serializer().dumps({"u": user.id, "old": user.email, "new": new})
    with force_locale(lang):
        notice = greeted(lang, _("Please confirm your new e-mail address"), user.name)
        notice.paragraphs.append(_("Open the link to use this address for your Welcome Spaces account from now "
                                   "on. It works for %(days)d days. If you did not ask for it, ignore this message.",
                                   days=CHANGE_DAYS))
        notice.link = url_for("accounts.confirm_new_email", lang=lang, token=token, _external=True)
        notice.link_label = _("Confirm my new address")
        mail.queue_notice(new, user.name, notice, f"change-email:{user.id}:{secrets.token_hex(8)}")
    db.session.commit()
    flash(_("We have sent a link to %(email)s. Your address changes when you open it.", email=new), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/email/confirm/<token>")
def confirm_new_email(token):
    try:
        data = _change_serializer().loads(token[:1000], max_age=CHANGE_DAYS * 86400)
    except SignatureExpired:
        return _failed("expired", 410)
    except BadSignature:
        return _failed("unknown", 404)
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    if user is None or not user.is_active:
        return _failed("unknown", 404)
    if user.email != data.get("old"):
        return _failed("used", 410)  # the address changed since: the link has done its work
    if User.by_email(data["new"]) is not None:
        flash(_("Another account already uses this address."), "error")
        return redirect(url_for("accounts.account" if current_user.is_authenticated else "accounts.login"))
    user.email, user.email_confirmed_at = data["new"], utcnow()
    db.session.commit()
    flash(_("Your e-mail address is changed to %(email)s.", email=user.email), "success")
    return redirect(url_for("accounts.account" if current_user.is_authenticated else "accounts.login"))
