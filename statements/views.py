"""/<lang>/privacy, /<lang>/imprint, /<lang>/accessibility (and its feedback form); admins edit them."""

import secrets

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

import i18n
import mail
from accessibility.models import SiteText
from accessibility.rules import sections
from accounts.access import admin_required
from accounts.models import User
from accounts.notices import greeted
from accounts.views import client_address
from extensions import db
from operations import throttle
from statements import bp
from statements.forms import FeedbackForm, StatementForm
from statements.texts import STATEMENTS

FALLBACK = "en"  # then German (i18n.FALLBACK_LANGUAGE), the binding text
TITLES = {"privacy": lambda: _("Privacy notice"), "imprint": lambda: _("Imprint"),
          "accessibility": lambda: _("Accessibility statement")}


def texts_of(key: str) -> dict[str, str]:
    """{lang: text}: as admins edited it, else as shipped (statements.texts)."""
    stored = db.session.get(SiteText, f"statement-{key}")
    if stored is not None and stored.texts:
        return dict(stored.texts)
    site = current_app.config.get("SITE_NAME", "Welcome Spaces")
    texts = {}
    for code, text in STATEMENTS[key].items():
        with force_locale(code):  # the site's name as the header shows it in that language
            texts[code] = text.replace("{site}", _(site))
    return texts


def statement_page(key, status=200, **extra):
    text, used = i18n.pick_text(texts_of(key), None, FALLBACK)
    return render_template("statements/statement.html", key=key, title=TITLES[key](), sections=sections(text),
                           text_lang=used, text_dir=i18n.language_info(used).direction if used else "ltr",
                           can_edit=getattr(current_user, "is_admin", False), **extra), status


@bp.route("/privacy")
def privacy():
    return statement_page("privacy")


@bp.route("/imprint")
def imprint():
    return statement_page("imprint")


@bp.route("/accessibility", methods=["GET", "POST"])
def accessibility():
    form = FeedbackForm()
    if form.validate_on_submit():
        if not throttle.hit(f"feedback:{client_address()}", "FEEDBACK_LIMIT"):
            form.message.errors.append(_("Too many messages from your network. Please try again in an hour."))
            return statement_page("accessibility", 429, form=form)
        _tell_admins(form)
        db.session.commit()
        flash(_("Thank you! Your message has reached the city's accessibility team."), "success")
        return redirect(url_for("statements.accessibility", _anchor="feedback"))
    return statement_page("accessibility", 400 if form.errors else 200, form=form)


def _tell_admins(form) -> None:
    """The feedback to every active admin, each in their language."""
    admins = db.session.scalars(select(User).where(User.role == "admin", User.active.is_(True),
                                                   User.deleted_at.is_(None)))
    key = secrets.token_hex(8)
    for admin in admins:
        lang = admin.preferred_language or i18n.current_language()
        with force_locale(lang):
            notice = greeted(lang, _("Feedback on accessibility"), admin.name)
            notice.paragraphs.append(_("Someone wrote with the form of the accessibility statement. Please answer "
                                       "within six weeks (BITV 2.0)."))
            notice.reason_heading, notice.reason = _("Message"), form.message.data.strip()
            notice.facts = [(_("Name"), (form.name.data or "").strip() or "—"),
                            (_("E-mail"), form.email.data or "—"),
                            (_("Language of the page"), i18n.current_language())]
            mail.queue_notice(admin.email, admin.name, notice, f"feedback:{key}:{admin.id}")


@bp.route("/manage/statements/<any(privacy, imprint, accessibility):key>", methods=["GET", "POST"])
@admin_required
def edit_statement(key):
    form = StatementForm(data={"text": texts_of(key)} if request.method == "GET" else None)
    if form.validate_on_submit():
        stored = db.session.get(SiteText, f"statement-{key}") or SiteText(key=f"statement-{key}")
        stored.texts, stored.updated_by_id = dict(form.text.data), current_user.id
        db.session.add(stored)
        db.session.commit()
        flash(_("The text is saved."), "success")
        return redirect(url_for(f"statements.{key}"))
    return render_template("statements/edit.html", form=form, title=TITLES[key]()), 400 if form.errors else 200
