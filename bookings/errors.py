"""The booking domain's refusals, and the one place that words them for every path.

The rules and services raise these exceptions; ``refusal`` turns any of them
into the same answer for the pages (status and messages), the JSON API
(status, code, message, fields, conflicts) and the command line (messages).
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from bookings.wording import describe_slot

SHOWN_CONFLICTS = 10  # dates named in a conflict's message; the API lists them all


class BookingError(Exception):
    """Base of the domain errors raised by the booking services."""


@dataclass(frozen=True)
class Violation:
    field: str  # the request field it concerns: start, end, room_id, attendees, recurrence, reason, ...
    message: str  # translated, naming the date and the rule


class RuleViolation(BookingError):
    def __init__(self, violations):
        self.violations = list(violations)
        super().__init__("; ".join(v.message for v in self.violations))

    @property
    def messages(self) -> list[str]:
        return [v.message for v in self.violations]

    def fields(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for violation in self.violations:
            result.setdefault(violation.field, []).append(violation.message)
        return result


class BookingConflict(BookingError):
    """Approved dates already hold the room. ``dates``: the (start, end) asked for that collide (naive UTC)."""

    def __init__(self, dates, timezone=None):
        self.dates = sorted(set(dates))
        self.timezone = timezone
        super().__init__(f"{len(self.dates)} conflicting date(s)")


class InvalidState(BookingError):
    """The booking is not in a state that allows this (e.g. already decided)."""

    def __init__(self, message):
        self.message = message
        super().__init__(message)


class NotPermitted(BookingError):
    """The user may see the booking or room but not do this."""


def violation(field, message) -> Violation:
    return Violation(field, message)


# --- one wording for every path ------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """A domain error as every path answers it."""

    status: int  # 403 not permitted, 409 conflict or invalid state, 422 rule violation
    code: str  # the JSON error code
    messages: list[str]  # translated, each naming the date and the rule where there is one
    fields: dict[str, list[str]] = field(default_factory=dict)
    conflicts: list[tuple[datetime, datetime]] = field(default_factory=list)  # naive UTC
    timezone: str | None = None

    @property
    def message(self) -> str:
        return " ".join(self.messages[:5])


def conflict_message(error: "BookingConflict") -> str:
    dates = [describe_slot(start, end, error.timezone) for start, end in error.dates[:SHOWN_CONFLICTS]]
    return _("The room is already taken at these times: %(dates)s.", dates="; ".join(dates))


def refusal(error: BookingError) -> Refusal:
    if isinstance(error, NotPermitted):
        return Refusal(403, "forbidden", [_("You are not allowed to do this.")])
    if isinstance(error, RuleViolation):
        return Refusal(422, "invalid", error.messages, fields=error.fields())
    if isinstance(error, BookingConflict):
        return Refusal(409, "conflict", [conflict_message(error)], conflicts=error.dates, timezone=error.timezone)
    if isinstance(error, InvalidState):
        return Refusal(409, "invalid_state", [error.message])
    raise TypeError(error)
