"""Error pages and the JSON error shape under /api/."""

from flask import Blueprint, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import refresh as refresh_locale
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

import i18n
from extensions import db, login_manager

bp = Blueprint("errors", __name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}
# SQLSTATEs of a database that is away, restarting, read-only, full or locked (PostgreSQL); SQLite says
# "locked", "readonly", "disk I/O error" or "full" with an OperationalError.
UNAVAILABLE_STATES = {"55P03", "57014", "25006", "53100", "53200", "53300", "57P01", "57P02", "57P03"}


def translated_message(status: int) -> str:
    messages = {
        400: _("The request could not be understood."),
        401: _("Please authenticate."),
        403: _("You are not allowed to do this."),
        404: _("This page does not exist."),
        405: _("This method is not allowed here."),
        409: _("This conflicts with the current state."),
        413: _("The request is too large."),
        422: _("The input is not valid."),
        429: _("Too many requests. Please wait a moment and try again."),
        500: _("Something went wrong on our side."),
        503: _("The service is briefly unavailable. Please try again in a moment; nothing you sent was lost."),
    }
    return messages.get(status, _("Something went wrong on our side."))


def wants_json() -> bool:
    return request.path.startswith("/api/")


def language_from_path() -> None:
    """A URL that matched no route still names its language: /ar/no-such-page answers in Arabic."""
    if getattr(g, "lang", None):
        return
    first = request.path.lstrip("/").split("/", 1)[0]
    if first in i18n.supported_languages():
        g.lang = first
        refresh_locale()


def render_error_page(status: int, title: str, message: str | None = None, phone: str | None = None):
    language_from_path()
    return render_template("errors/error.html", status=status, title=title, message=message, phone=phone), status


def json_error(status: int, message: str | None = None, code: str | None = None, **extra):
    body = {"code": code or CODES.get(status, "error"), "message": message or translated_message(status)}
    body.update(extra)
    response = jsonify({"error": body})
    response.status_code = status
    return response


@bp.app_errorhandler(CSRFError)
def csrf_error(error):
    if wants_json():
        return json_error(400, _("The form has expired. Please try again."), code="csrf")
    language_from_path()
    return render_error_page(
        400, _("The form has expired"), _("The form has expired. Please go back, reload the page and try again.")
    )


@bp.app_errorhandler(HTTPException)
def http_error(error):
    status = error.code or 500
    if status >= 500:
        db.session.rollback()
    if wants_json():
        response = json_error(status)
    else:
        language_from_path()
        response = render_error_page(status, translated_message(status))
    if status == 429 and getattr(error, "retry_after", None) is not None:
        response = current_app.make_response(response)
        response.headers["Retry-After"] = str(error.retry_after)
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response = current_app.make_response(response)
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


@bp.app_errorhandler(DataError)
def data_error(error):
    """Input the database refuses (a NUL character, a number out of range): bad input, not our failure."""
    db.session.rollback()
    current_app.logger.info("Database refused input on %s %s: %s", request.method, request.path, error.orig)
    return http_error(BadRequest())


def database_unavailable(error) -> bool:
    """The database is away or busy (not: the input was wrong)."""
    if isinstance(error, OperationalError | InterfaceError) or getattr(error, "connection_invalidated", False):
        return True
    state = getattr(getattr(error, "orig", None), "sqlstate", None) or ""
    return state in UNAVAILABLE_STATES or state.startswith("08")


@bp.app_errorhandler(DBAPIError)
def database_error(error):
    """503 with Retry-After when the database cannot answer; other database errors are ours (500)."""
    if not database_unavailable(error):
        return unhandled_error(error)
    try:
        db.session.rollback()
    except DBAPIError:
        pass
    current_app.logger.warning("Database unavailable on %s %s: %s", request.method, request.path,
                               str(getattr(error, "orig", error)).splitlines()[0][:200])
    g._login_user = login_manager.anonymous_user()  # the page must not ask the database who is signed in
    if wants_json():
        response = json_error(503)
    else:
        language_from_path()
        response = current_app.make_response(render_error_page(
            503, _("Briefly unavailable"), translated_message(503), phone=current_app.config.get("SUPPORT_PHONE")))
    response.headers["Retry-After"] = str(current_app.config.get("RETRY_AFTER", 10))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_errorhandler(Exception)
def unhandled_error(error):
    if isinstance(error, HTTPException):
        return http_error(error)
    db.session.rollback()
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return http_error(InternalServerError())
