"""One log line per request, a request id on every answer, and the log format (text, or JSON lines).

The request id is the proxy's ``X-Request-ID`` when it is a sane token, else a new one; it is returned in the
answer, written on each outbox mail the request queues (the worker logs it when it delivers) and in every line
logged during the request. A line never holds an e-mail address or a token: the endpoint's template
(``/<lang>/bookings/<booking_id>``), not the path, and the user's id.
"""

import json
import logging
import re
import sys
import time
import uuid

from flask import g, has_request_context, request
from sqlalchemy import inspect

SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
CONVERTER = re.compile(r"<(?:[^<>:]+:)?([^<>:]+)>")
access = logging.getLogger("welcome.access")


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def start() -> None:
    g.request_id = new_request_id(request.headers.get("X-Request-ID", ""))
    g.request_started = time.perf_counter()


def new_request_id(given: str) -> str:
    """The proxy's X-Request-ID when it is a sane token, else a new one."""
    return given if SANE_ID.match(given) else uuid.uuid4().hex


def endpoint_template(rule: str) -> str:
    """A route's rule without its converters' names: ``/<lang>/bookings/<booking_id>``."""
    return CONVERTER.sub(r"<\1>", rule)


def finish(response):
    response.headers["X-Request-ID"] = g.get("request_id", "")
    write_line(request.method, endpoint_template(request.url_rule.rule) if request.url_rule is not None else "-",
               response.status_code, g.get("request_started", time.perf_counter()), g.get("request_id"), _user_id())
    return response


def write_line(method: str, endpoint: str, status: int, started: float, identifier: str | None, user_id) -> None:
    """The request's line: also written for the answers given before the application (feeds.revalidation)."""
    access.info("request", extra={"request_id": identifier or "-", "fields": {
        "method": method,
        "endpoint": endpoint,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "request_id": identifier,
        "user_id": user_id,
    }})


def _user_id():
    """The signed-in user's id (API token or session) from the identity map: no query, even when expired."""
    state = inspect(g.get("api_user") or g.get("_login_user"), raiseerr=False)
    return state.identity[0] if state is not None and state.identity else None


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        line = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name,
                "message": record.getMessage(), "request_id": getattr(record, "request_id", None)}
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record):
        text = super().format(record)
        fields = getattr(record, "fields", None)
        if fields:
            text += " " + " ".join(f"{key}={value}" for key, value in fields.items())
        return text


def configure(app) -> None:
    """Our loggers (``welcome.*``: access, outbox, jobs, worker) write to stderr, which gunicorn and systemd
    collect, at INFO, in the configured format (LOG_FORMAT=json for JSON lines). Flask's own logger keeps its
    default handler; records still propagate (to pytest's capture, or to nothing)."""
    logger = logging.getLogger("welcome")
    wanted = "json" if app.config.get("LOG_FORMAT") == "json" else "text"
    if getattr(logger, "welcome_format", None) == wanted:
        return  # several apps in one process (tests, benchmarks): one handler
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if wanted == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.welcome_format = wanted


def init_app(app) -> None:
    configure(app)
    app.before_request(start)
    app.after_request(finish)
