"""Request plumbing shared by every page: language prefix, headers, template helpers."""

from flask import request
from flask_babel import format_date, format_datetime, format_decimal, format_time
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

import i18n
from extensions import db, login_manager
from timeutil import to_local

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)


def init_app(app):
    app.url_value_preprocessor(i18n.pull_language)
    app.url_defaults(i18n.push_language)
    app.after_request(security_headers)
    app.after_request(i18n.remember_language)
    app.context_processor(template_context)
    app.jinja_env.globals.update(
        localized=localized,
        text_of=text_of,
        local_datetime=local_datetime,
        format_date=format_date,
        format_time=format_time,
        format_datetime=format_datetime,
        format_decimal=format_decimal,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)


def load_user(user_id):
    from accounts.models import User

    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user and user.is_active else None


def security_headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def template_context():
    lang = i18n.current_language()
    info = i18n.language_info(lang)
    return {
        "lang": lang,
        "text_dir": info.direction,
        "all_languages": i18n.languages(),
        "switch_language_url": i18n.switch_language_url,
    }


def text_of(texts, default_language=None) -> str:
    return i18n.pick_text(texts, None, default_language)[0]


def localized(texts, default_language=None, tag="span"):
    """User content in the page's language, or a marked fallback with its own lang."""
    text, used = i18n.pick_text(texts, None, default_language)
    if not text:
        return ""
    lang = i18n.current_language()
    if used and used != lang:
        direction = i18n.language_info(used).direction
        return Markup('<{tag} lang="{l}" dir="{d}" class="fallback">{t}</{tag}>').format(
            tag=Markup(tag), l=used, d=direction, t=text
        )
    return Markup('<{tag} dir="auto">{t}</{tag}>').format(tag=Markup(tag), t=escape(text))


def local_datetime(value, tz_name):
    return to_local(value, tz_name) if value else None


