"""The booking rules, in one place for every path: form, API, manager action, CLI.

``check_slots`` returns the violations of a set of dates (each naming the
date and the rule, translated); ``find_conflicts`` is the indexed range query
for approved dates in the way. The services raise the domain exceptions of
bookings.errors, which also words them for every path (``refusal``).
"""

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import DateTime, Integer, and_, literal, or_, select, union_all

from bookings.errors import Violation, violation
from bookings.models import APPROVED, PENDING, Occurrence
from bookings.wording import clock, describe_day, describe_length, describe_slot
from centres.models import Closure, Room
from centres.policy import MAX_BUFFER, MAX_LENGTH, RoomPolicy
from database import chunks
from extensions import db
from i18n import pick_text
from parsing import is_single_line
from timeutil import to_local, utcnow

MAX_TITLE = 200
MAX_REASON = 2000
MAX_ATTENDEES = 100_000
CONFLICT_CHUNK = 40  # dates whose overlap conditions one statement ORs together
# No blocked interval (a date with its set-up and clean-up buffers) is longer: bounds the conflict query below.
BLOCK_SPAN = MAX_LENGTH + 2 * MAX_BUFFER


# --- the rules -------------------------------------------------------------


def check_room(room, *, attendees=None) -> list[Violation]:
    """Rules about the request as a whole: the room can be booked, the attendees fit."""
    problems = []
    if room is not None and not room.bookable:
        problems.append(violation("room_id", _("The room %(room)s cannot be booked.", room=room.name)))
    if attendees is not None:
        if attendees < 1:
            problems.append(violation("attendees", _("Please give the number of people expected (at least 1).")))
        elif room is not None and attendees > room.capacity:
            problems.append(
                violation(
                    "attendees",
                    _("%(count)d people do not fit into %(room)s: it holds at most %(capacity)d.",
                      count=attendees, room=room.name, capacity=room.capacity),
                )
            )
    return problems


def check_slots(
    room, centre, slots, *, now=None, at_request=True, by_manager=False, closures=None
) -> list[Violation]:
    """The rules for each date; every violation names its date.

    ``at_request``: also the rules about when a request is made (how far ahead,
    minimum notice). A manager booking for the centre skips the minimum notice.
    ``slots``: objects with ``start``/``end`` (naive UTC) and ``exists`` (see recurrence.LocalSlot).
    """
    now = now or utcnow()
    policy = RoomPolicy.of(room, centre) if room is not None else None
    if closures is None:
        closures = closures_for(centre, room)
    problems = []
    for slot in slots:
        problems.extend(check_slot(policy, centre.timezone, slot, now=now, at_request=at_request,
                                   by_manager=by_manager))
        if getattr(slot, "exists", True) and now < slot.start < slot.end:
            problems.extend(_closed(closures, centre, slot))
    return problems


def check_slot(policy: RoomPolicy | None, tz_name: str, slot, *, now, at_request=True,
               by_manager=False) -> list[Violation]:
    """The rules of one date under a room's policy (None: no room), closures aside."""
    label = _SlotLabel(slot, tz_name)  # formatted only for a message: most dates break no rule
    if not getattr(slot, "exists", True):
        return [violation("start", _("%(date)s: this time does not exist on that day because the clocks change.",
                                     date=label))]
    if slot.end <= slot.start:
        return [violation("end", _("%(date)s: the end must be after the start.", date=label))]
    if slot.start <= now:
        return [violation("start", _("%(date)s: this date is in the past.", date=label))]
    problems = []
    limit = policy.max_length if policy is not None else MAX_LENGTH
    if slot.end - slot.start > limit:
        problems.append(violation("end", _("%(date)s: a booking may last at most %(length)s.",
                                           date=label, length=describe_length(int(limit.total_seconds() // 60)))))
    if policy is None:
        return problems
    local_start, local_end = to_local(slot.start, tz_name), to_local(slot.end, tz_name)
    if at_request:
        if local_start.date() > to_local(now, tz_name).date() + timedelta(days=policy.max_days_ahead):
            problems.append(violation("start", _("%(date)s: this room can be booked at most %(days)d days ahead.",
                                                 date=label, days=policy.max_days_ahead)))
        if not by_manager and slot.start < now + timedelta(hours=policy.min_notice_hours):
            problems.append(violation("start", ngettext(
                "%(date)s: requests must be made at least %(num)d hour ahead.",
                "%(date)s: requests must be made at least %(num)d hours ahead.",
                policy.min_notice_hours, date=label)))
    if (local_end.date() != local_start.date() or local_start.time() < policy.earliest_time
            or local_end.time() > policy.latest_end):
        problems.append(violation("start", _(
            "%(date)s: the room can be booked between %(earliest)s and %(latest)s.",
            date=label, earliest=clock(policy.earliest_time), latest=clock(policy.latest_end))))
    return problems


def _closed(closures, centre, slot) -> list[Violation]:
    tz_name = centre.timezone
    closure = closed_on(closures, to_local(slot.start, tz_name).date(), to_local(slot.end, tz_name).date())
    if closure is None:
        return []
    label = _SlotLabel(slot, tz_name)
    first, last = describe_day(closure.starts_on), describe_day(closure.ends_on)
    if closure.room_id is not None:
        message = _("%(date)s: the room is closed from %(first)s to %(last)s.", date=label, first=first, last=last)
    else:
        message = _("%(date)s: the centre is closed from %(first)s to %(last)s.", date=label, first=first, last=last)
    reason = pick_text(closure.reason, None, centre.default_language)[0]
    if reason:
        message = _("%(message)s (%(reason)s)", message=message, reason=reason)
    return [violation("start", message)]


class _SlotLabel:
    """A date's label, formatted (once) when a message needs it."""

    __slots__ = ("slot", "tz_name", "text")

    def __init__(self, slot, tz_name):
        self.slot, self.tz_name, self.text = slot, tz_name, None

    def __str__(self) -> str:
        if self.text is None:
            self.text = describe_slot(self.slot.start, self.slot.end, self.tz_name)
        return self.text


def closures_for(centre, room):
    query = select(Closure).where(Closure.centre_id == centre.id)
    if room is not None:
        query = query.where(or_(Closure.room_id.is_(None), Closure.room_id == room.id))
    else:
        query = query.where(Closure.room_id.is_(None))
    return list(db.session.scalars(query))


def closed_on(closures, first: date, last: date):
    for closure in closures:
        if closure.starts_on <= last and first <= closure.ends_on:
            return closure
    return None


def has_forbidden_characters(text: str) -> bool:
    """NUL and other control characters (but tab and line breaks) are not text people write."""
    return any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text)


def check_text(field, text) -> list[Violation]:
    if isinstance(text, str) and has_forbidden_characters(text):
        return [violation(field, _("The text contains characters that are not allowed."))]
    return []


def check_line(field, text) -> list[Violation]:
    """A single-line field (a title, a name): no line breaks, no control characters."""
    if isinstance(text, str) and not is_single_line(text):
        return [violation(field, _("Please write this on one line, without line breaks or control characters."))]
    return []


def check_reason(reason, *, required=True, field="reason") -> tuple[str, list[Violation]]:
    text = (reason or "").strip() if isinstance(reason, str) else ""
    if reason is not None and not isinstance(reason, str):
        return "", [violation(field, _("Please write the reason as text."))]
    if has_forbidden_characters(text):
        return "", check_text(field, text)
    if required and not text:
        return "", [violation(field, _("Please give a reason."))]
    if len(text) > MAX_REASON:
        return "", [violation(field, _("Please use at most %(max)d characters.", max=MAX_REASON))]
    return text, []


# --- conflicts ---------------------------------------------------------------
# Dates conflict when their blocked intervals overlap: each date widened by its room's set-up and
# clean-up buffers (Occurrence.blocked_start/blocked_end, stored; a new date is widened by the room's
# buffers now). The same test on every path; PostgreSQL's exclusion constraint holds it too.


def buffers(room) -> tuple[timedelta, timedelta]:
    """The room's set-up and clean-up time (none without a room)."""
    if room is None:
        return timedelta(0), timedelta(0)
    return timedelta(minutes=room.setup_minutes or 0), timedelta(minutes=room.cleanup_minutes or 0)


def widen(room, intervals) -> list[tuple[datetime, datetime]]:
    before, after = buffers(room)
    return [(start - before, end + after) for start, end in intervals]


def overlap_clause(start: datetime, end: datetime):
    """Occurrences whose blocked interval overlaps the blocked interval [start, end): an index range on
    (room_id, blocked_start), bounded below."""
    lower = start - BLOCK_SPAN if start > datetime.min + BLOCK_SPAN else datetime.min  # year 1: no overflow
    return and_(
        Occurrence.blocked_start < end,
        Occurrence.blocked_start > lower,
        Occurrence.blocked_end > start,
    )


def overlapping(room_id, intervals, *, statuses=(APPROVED,), exclude_booking_id=None):
    """Occurrences of the room in the given statuses in the way of any of the dates (start, end)."""
    intervals = list(intervals)
    if room_id is None or not intervals:
        return []
    blocked = widen(db.session.get(Room, room_id), intervals)
    found = {}
    for chunk in chunks(blocked, CONFLICT_CHUNK):
        query = select(Occurrence).where(
            Occurrence.room_id == room_id,
            Occurrence.status.in_(list(statuses)),
            or_(*(overlap_clause(start, end) for start, end in chunk)),
        )
        if exclude_booking_id is not None:
            query = query.where(Occurrence.booking_id != exclude_booking_id)
        for occurrence in db.session.scalars(query):
            found[occurrence.id] = occurrence
    return sorted(found.values(), key=lambda o: (o.starts_at, o.id))


def collisions(blocked, occurrences) -> dict[int, list[Occurrence]]:
    """For each blocked interval (by position) the given occurrences whose blocked interval it overlaps."""
    result: dict[int, list[Occurrence]] = {}
    for index, (start, end) in enumerate(blocked):
        hits = [o for o in occurrences if o.blocked_start < end and o.blocked_end > start]
        if hits:
            result[index] = hits
    return result


def find_conflicts(room_id, intervals, *, exclude_booking_id=None) -> dict[int, list[Occurrence]]:
    """Approved dates of other bookings in the way of each date (by position), buffers included."""
    intervals = list(intervals)
    held = overlapping(room_id, intervals, exclude_booking_id=exclude_booking_id)
    if not held:
        return {}
    return collisions(widen(db.session.get(Room, room_id), intervals), held)


def find_competing(room_id, intervals, *, exclude_booking_id=None) -> list[Occurrence]:
    """Pending dates of other requests overlapping the intervals."""
    return overlapping(room_id, intervals, statuses=(PENDING,), exclude_booking_id=exclude_booking_id)


# --- many rooms at once: the room search ------------------------------------------------
# Batch forms of the rules above for bookings.search, so a search over every room asks the
# database a fixed number of times. They decide nothing of their own: check_slot and the
# overlap test above stay the rules.


class SlotRules:
    """``check_slots`` for many rooms over the same dates, answered date by date.

    ``check`` returns, for each slot, the violations check_slots finds for it
    alone. Rooms with equal policies share the answers of ``check_slot`` (the
    policy is everything it reads of a room), whatever their closures: a
    closure only adds its own violation to the dates it covers, looked up in
    the closures given (already loaded for every centre searched).
    """

    def __init__(self, now=None):
        self.now = now or utcnow()
        self._answers: dict = {}  # (policy, by_manager, slot) -> violations
        self._lists: dict = {}  # (policy, by_manager, id(slots)) -> (slots, answers): one list of dates, many rooms

    def check(self, room, centre, slots, *, closures=(), by_manager=False) -> list[list[Violation]]:
        answers = self._answers_for(RoomPolicy.of(room, centre), slots, by_manager)
        closures = list(closures)
        if not closures:
            return answers
        return [answer + _closed(closures, centre, s) if getattr(s, "exists", True) and self.now < s.start < s.end
                else answer for s, answer in zip(slots, answers, strict=True)]

    def _answers_for(self, policy, slots, by_manager) -> list[list[Violation]]:
        known = self._lists.get((policy, by_manager, id(slots)))
        if known is not None and known[0] is slots:
            return known[1]
        answers = []
        for s in slots:
            memo = (policy, by_manager, s.start, s.end, getattr(s, "exists", True))
            answer = self._answers.get(memo)
            if answer is None:
                answer = self._answers[memo] = check_slot(policy, policy.timezone, s, now=self.now,
                                                          by_manager=by_manager)
            answers.append(answer)
        self._lists[(policy, by_manager, id(slots))] = (slots, answers)
        return answers


def closures_of_centres(centre_ids, first: date, last: date) -> list:
    """The closures of these centres and of their rooms touching the days first..last (local): one query."""
    centre_ids = list(centre_ids)
    if not centre_ids:
        return []
    query = select(Closure).where(
        Closure.centre_id.in_(centre_ids), Closure.starts_on <= last, Closure.ends_on >= first
    ).order_by(Closure.starts_on)
    return list(db.session.scalars(query))


def closures_of_room(closures, room) -> list:
    """Of closures loaded by closures_of_centres: the ones closures_for(room.centre, room) gives."""
    return [c for c in closures if c.centre_id == room.centre_id and (c.room_id is None or c.room_id == room.id)]


def approved_in_windows(groups) -> list:
    """Approved dates in the way of the blocked intervals, for many rooms at once, in one query.

    ``groups``: [(room_ids, [(start, end), ...]), ...] (naive UTC, widened by the
    rooms' buffers: one group per time zone and buffers, say). The test is
    overlap_clause's — blocked_start < end, blocked_end > start, bounded below by
    start - BLOCK_SPAN — with the intervals as a derived table joined on the index
    (room_id, blocked_start), so the database seeks per room and interval instead
    of scanning. Returns rows (group, interval, room_id, starts_at, ends_at,
    blocked_start, blocked_end): busy times only, no booking, no association.
    """
    groups = [(list(ids), list(intervals)) for ids, intervals in groups]
    windows = [
        select(literal(g, Integer).label("g"), literal(i, Integer).label("i"),
               literal(start - BLOCK_SPAN, DateTime).label("low"), literal(start, DateTime).label("start"),
               literal(end, DateTime).label("end"))
        for g, (ids, intervals) in enumerate(groups) if ids
        for i, (start, end) in enumerate(intervals)
    ]
    if not windows:
        return []
    w = (union_all(*windows) if len(windows) > 1 else windows[0]).cte("search_window")
    parts = [
        select(w.c.g, w.c.i, Occurrence.room_id, Occurrence.starts_at, Occurrence.ends_at,
               Occurrence.blocked_start, Occurrence.blocked_end)
        .select_from(w)
        .join(Occurrence, and_(Occurrence.blocked_start < w.c.end, Occurrence.blocked_start > w.c.low,
                               Occurrence.blocked_end > w.c.start))
        .where(w.c.g == g, Occurrence.status == APPROVED, Occurrence.room_id.in_(ids))
        for g, (ids, intervals) in enumerate(groups) if ids and intervals
    ]
    query = union_all(*parts) if len(parts) > 1 else parts[0]
    return db.session.execute(query).all()
