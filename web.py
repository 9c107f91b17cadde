"""Request plumbing shared by every page: language prefix, headers, template helpers."""

from babel.dates import get_timezone_location
from flask import g, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import format_date, format_datetime, format_decimal, format_time, get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from werkzeug.middleware.proxy_fix import ProxyFix

import formkit
import i18n
from extensions import login_manager
from timeutil import to_local

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)


def init_app(app):
    if app.config.get("TRUST_PROXY"):
        # Behind a reverse proxy: take client address, scheme and host from X-Forwarded-*.
        hops = int(app.config["TRUST_PROXY"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)
    app.session_interface = SessionInterface()
    app.before_request(forget_cached_user)
    app.before_request(formkit.use_form_translations)
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
        list_separator=list_separator,
        zone_city=zone_city,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"


def forget_cached_user():
    """Take the user from this request's session, never from an app context that outlives it.

    ``g`` belongs to the app context; when one was pushed around several
    requests (the test suite does) Flask-Login's cached user would leak from
    one client's request into another's.
    """
    g.pop("_login_user", None)


class SessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions whose cookies are Secure whenever the request came over https.

    save_session runs after every after_request function, so it also marks the
    other cookies set on the response (Flask-Login's remember cookie, the language).
    """

    def get_cookie_secure(self, app) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)

    def save_session(self, app, session, response) -> None:
        super().save_session(app, session, response)
        if has_request_context() and request.is_secure:
            mark_cookies_secure(response)


def mark_cookies_secure(response) -> None:
    cookies = response.headers.getlist("Set-Cookie")
    if not cookies:
        return
    response.headers.remove("Set-Cookie")
    for cookie in cookies:
        attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
        response.headers.add("Set-Cookie", cookie if "secure" in attributes else f"{cookie}; Secure")


def security_headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if _signed_in() and "Cache-Control" not in headers:
        # A signed-in page shows personal data (bookings, contact data, calendar addresses): never kept by a
        # browser's or a proxy's cache.
        headers["Cache-Control"] = "no-store"
    return response


def _signed_in() -> bool:
    user = g.get("_login_user") or g.get("api_user")
    return bool(user is not None and getattr(user, "is_authenticated", False))


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


def list_separator() -> str:
    """The locale's separator between the items of a list: ', ' in German, '، ' in Farsi, ' و' in Arabic."""
    pattern = get_locale().list_patterns["standard"]["middle"]
    return pattern.replace("{0}", "").replace("{1}", "")


def zone_city(tz_name: str) -> str:
    """A time zone named by its city in the page's language ('Berlin', 'برلین')."""
    try:
        return get_timezone_location(tz_name, locale=get_locale(), return_city=True)
    except LookupError:
        return tz_name


def local_datetime(value, tz_name):
    return to_local(value, tz_name) if value else None


