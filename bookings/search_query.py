"""What a room search asks (SearchQuery, checked as a whole) and what it returns (SearchResult).

The search itself is bookings.search; the page (bookings.search_views) and the
API (api.search) build a SearchQuery and show a SearchResult.
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from bookings.recurrence import MAX_OCCURRENCES, WEEKDAY_CODES, Recurrence, SeriesTooLong, expand
from centres.models import Centre, Room
from timeutil import DEFAULT_TIMEZONE, to_local, utcnow, zone

MAX_RESULTS = 100
MAX_SUGGESTIONS = 6
SUGGESTIONS_PER_ROOM = 3  # of different kinds
SUGGESTION_ROOMS = 4  # near misses are looked for in the rooms closest to fitting
SHIFT = timedelta(hours=1)
DAY_SHIFTS = (1, -1, 2, -2, 3, -3)
MIN_SHORTER = timedelta(minutes=30)
MAX_REASONS = 3


class InvalidSearch(Exception):
    """The search cannot be run: {field: [translated message, ...]}."""

    def __init__(self, fields):
        self.fields = fields
        super().__init__(fields)


@dataclass(frozen=True)
class SearchQuery:
    """What is asked for. ``start``/``end``: the first date's start and end.

    Naive: wall-clock times in each centre's zone; aware: that instant, shown in
    each centre's zone. With ``until`` the same slot weekly up to that date, on
    ``weekdays`` (codes MO..SU; none: the weekday of the first date).
    """

    start: datetime
    end: datetime
    weekdays: tuple = ()
    until: date | None = None
    capacity: int | None = None
    equipment: tuple = ()
    barrier_free: bool = False
    district: str = ""
    centre: str = ""
    features: tuple = ()

    @property
    def weekly(self) -> bool:
        return self.until is not None

    def local(self, tz_name) -> tuple[datetime, datetime]:
        """The first date's start and end as wall-clock times in the zone."""
        if self.start.tzinfo is None:
            return self.start, self.end
        tz = zone(tz_name)
        return self.start.astimezone(tz).replace(tzinfo=None), self.end.astimezone(tz).replace(tzinfo=None)

    def recurrence(self) -> Recurrence | None:
        return Recurrence(weekdays=list(self.weekdays), until=self.until) if self.weekly else None

    def slots(self, tz_name) -> list:
        """The dates, as the request would expand them (raises SeriesTooLong)."""
        start, end = self.local(tz_name)
        return expand(start, end, tz_name, self.recurrence())

    def in_zone(self, tz_name) -> "SearchQuery":
        start, end = self.local(tz_name)
        return replace(self, start=start, end=end)

    def days_later(self, days: int) -> "SearchQuery":
        """The same pattern ``days`` later (or earlier): Tuesdays become Wednesdays."""
        weekdays = tuple(WEEKDAY_CODES[(WEEKDAY_CODES.index(code) + days) % 7] for code in self.weekdays)
        until = self.until + timedelta(days=days) if self.until else None
        return replace(self, start=self.start + timedelta(days=days), end=self.end + timedelta(days=days),
                       weekdays=weekdays, until=until)


def check_query(query: SearchQuery, today: date | None = None) -> dict[str, list[str]]:
    """What is wrong with the query as a whole (the rooms' own rules come later)."""
    today = today or to_local(utcnow(), DEFAULT_TIMEZONE).date()
    errors: dict[str, list[str]] = {}
    if query.end <= query.start:
        errors["end"] = [_("The end must be after the start.")]
    if query.start.date() < today:
        errors["start"] = [_("Please choose a date from today on.")]
    if query.weekdays and not query.weekly:
        errors["until"] = [_("Please give the last date of the weekly series.")]
    if query.until is not None and query.until < query.start.date():
        errors["until"] = [_("The last date must not be before the first date.")]
    if not errors:
        try:
            dates = query.slots(DEFAULT_TIMEZONE)
        except SeriesTooLong:
            errors["until"] = [_(
                "A series may have at most %(max)d dates. Please choose an earlier last date or fewer dates.",
                max=MAX_OCCURRENCES)]
        else:
            if not dates:
                errors["weekdays"] = [_("The series has no dates. Please check the weekdays and the last date.")]
    return errors


# --- what a search returns ---------------------------------------------------------------


@dataclass
class RoomResult:
    room: Room
    slots: list  # recurrence.LocalSlot, in the centre's zone
    conflicts: dict = field(default_factory=dict)  # slot index -> [(starts_at, ends_at)] approved in the way
    closed: list = field(default_factory=list)  # dates of a series left out: the room or centre is closed

    @property
    def centre(self) -> Centre:
        return self.room.centre

    @property
    def is_free(self) -> bool:
        return not self.conflicts

    @property
    def dates(self) -> int:
        return len(self.slots)

    @property
    def free_dates(self) -> int:
        return len(self.slots) - len(self.conflicts)

    @property
    def conflict_slots(self) -> list:
        return [self.slots[i] for i in sorted(self.conflicts)]


@dataclass
class LeftOut:
    """A room matching the filters whose rules refuse some of the dates."""

    room: Room
    reasons: list  # translated messages naming the date and the rule


@dataclass
class Suggestion:
    room: Room
    kind: str  # earlier, later, weekday, shorter
    query: SearchQuery  # in the centre's local time
    slots: list

    @property
    def centre(self) -> Centre:
        return self.room.centre


@dataclass
class SearchResult:
    query: SearchQuery
    results: list = field(default_factory=list)
    total: int = 0  # results before the limit
    free_total: int = 0  # of them free on every date
    left_out: list = field(default_factory=list)
    left_out_total: int = 0  # before the limit
    suggestions: list = field(default_factory=list)

    @property
    def free_results(self) -> list:
        return [r for r in self.results if r.is_free]
