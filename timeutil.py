"""Time helpers. Instants are stored as naive UTC; shown in the centre's zone."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import has_request_context, request

DEFAULT_TIMEZONE = "Europe/Berlin"


PINNED_NOW = "welcome.now"  # in a request's WSGI environ: the instant a cached public page is rendered as of
EPOCH = datetime(1970, 1, 1)


def utcnow() -> datetime:
    """Naive UTC now, as stored in the database (or the instant a cached public page is rendered as of)."""
    if has_request_context():
        pinned = request.environ.get(PINNED_NOW)
        if pinned is not None:
            return pinned
    return datetime.now(UTC).replace(tzinfo=None)


def pin_request_now(seconds: int) -> int:
    """From now on this request renders as of the start of the current ``seconds``-long slice of time (counted
    from the epoch, so every process agrees on it); returns the slice's number."""
    number = int((utcnow() - EPOCH).total_seconds() // seconds)
    request.environ[PINNED_NOW] = EPOCH + timedelta(seconds=number * seconds)
    return number


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a directory
        return ZoneInfo(DEFAULT_TIMEZONE)


def is_valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def to_utc_naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


def to_local(value: datetime, tz_name: str | None) -> datetime:
    """A stored naive-UTC instant as an aware datetime in the given zone."""
    return value.replace(tzinfo=UTC).astimezone(zone(tz_name))


def local_wall_time(value: datetime, tz_name: str | None) -> datetime:
    """A stored naive-UTC instant as the naive wall time in the given zone."""
    return to_local(value, tz_name).replace(tzinfo=None)
