"""Time helpers. Instants are stored as naive UTC; shown in the centre's zone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Europe/Berlin"


def utcnow() -> datetime:
    """Naive UTC now, as stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


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
