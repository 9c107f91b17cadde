"""Languages: the /<lang>/ prefix, locale selection and per-language content.

The interface language comes from the URL. Content written by people (centre
names, descriptions, event titles) is stored as a mapping {language: text}
and shown through ``pick_text`` with the fallback chain requested -> the
centre's default -> German -> any.
"""

from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from flask import current_app, g, has_request_context, request, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, RequestRedirect

FALLBACK_LANGUAGE = "de"
LANGUAGE_COOKIE = "lang"


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str
    direction: str  # "ltr" or "rtl"


@lru_cache(maxsize=64)
def language_info(code: str) -> Language:
    locale = Locale.parse(code)
    name = locale.get_display_name(locale) or code
    name = name[:1].upper() + name[1:]
    direction = "rtl" if locale.character_order == "right-to-left" else "ltr"
    return Language(code, name, direction)


def supported_languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def languages() -> list[Language]:
    return [language_info(code) for code in supported_languages()]


class LanguageConverter(BaseConverter):
    """Matches only the configured language codes, so /xx/ is a plain 404."""

    def __init__(self, url_map, *codes):
        super().__init__(url_map)
        self.regex = "|".join(sorted(codes, key=len, reverse=True)) if codes else "[a-z]{2,3}"


def install_converter(app):
    codes = tuple(app.config["LANGUAGES"])

    class _Configured(LanguageConverter):
        def __init__(self, url_map):
            super().__init__(url_map, *codes)

    app.url_map.converters["lang"] = _Configured


def current_language() -> str:
    lang = getattr(g, "lang", None)
    if lang:
        return lang
    return best_language()


def best_language() -> str:
    """The language for a visitor with no language in the URL."""
    supported = supported_languages()
    if not has_request_context():
        return current_app.config.get("BABEL_DEFAULT_LOCALE", FALLBACK_LANGUAGE)
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    if remembered in supported:
        return remembered
    if current_user and current_user.is_authenticated:
        preferred = getattr(current_user, "preferred_language", None)
        if preferred in supported:
            return preferred
    match = request.accept_languages.best_match(supported)
    if match:
        return match
    return current_app.config.get("BABEL_DEFAULT_LOCALE", FALLBACK_LANGUAGE)


def locale_selector() -> str:
    return current_language()


def pull_language(endpoint, values):
    if values and "lang" in values:
        g.lang = values.pop("lang")


def push_language(endpoint, values):
    if "lang" in values:
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        values["lang"] = getattr(g, "lang", None) or current_language()


def remember_language(response):
    lang = getattr(g, "lang", None)
    if lang and request.cookies.get(LANGUAGE_COOKIE) != lang:
        response.set_cookie(
            LANGUAGE_COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    return response


def switch_language_url(code: str) -> str:
    """The current page in another language (query string kept).

    A page shown by a form's POST-only address (a refused decision, a new API token) cannot be
    opened with a link: the link goes to the nearest page above it, e.g. /de/bookings/7/reject ->
    /tr/bookings/7/.
    """
    endpoint = request.endpoint
    if not endpoint or not current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        return url_for("centres.home", lang=code)
    args = dict(request.view_args or {})
    # Query parameters are the visitor's: never url_for's own (_anchor, _scheme, _external, _method, endpoint).
    params = {key: value for key, value in request.args.to_dict(flat=False).items()
              if not key.startswith("_") and key != "endpoint"}
    if request.url_rule is not None and "GET" not in request.url_rule.methods:
        endpoint, args, params = _page_above(request.path)
    args["lang"] = code
    params.update(args)
    return url_for(endpoint, **params)


def _page_above(path: str) -> tuple[str, dict, dict]:
    """The endpoint and arguments of the nearest GET page that has a language, going up the path."""
    adapter = current_app.url_map.bind("localhost")
    parts = path.rstrip("/").split("/")
    while len(parts) > 2:
        parts.pop()
        for candidate in ("/".join(parts) + "/", "/".join(parts)):
            try:
                endpoint, args = adapter.match(candidate, method="GET")
            except (HTTPException, RequestRedirect):
                continue
            if current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
                return endpoint, dict(args), {}
    return "centres.home", {}, {}


def pick_text(texts, lang=None, default_language=None):
    """Return (text, language) for the best available translation."""
    if not texts:
        return "", None
    if isinstance(texts, str):
        return texts, None
    lang = lang or current_language()
    for candidate in (lang, default_language, FALLBACK_LANGUAGE):
        if candidate and texts.get(candidate):
            return texts[candidate], candidate
    for candidate, text in texts.items():
        if text:
            return text, candidate
    return "", None


def clean_texts(texts) -> dict:
    """Keep non-empty, stripped entries only."""
    return {code: text.strip() for code, text in (texts or {}).items() if text and text.strip()}
