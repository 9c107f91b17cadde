"""Find a room: free rooms for one date or a weekly pattern, across all centres.

A search asks the database a fixed number of times, whatever the number of
rooms and bookings: (1) the candidate rooms with their centres, the filters in
SQL; (2) the closures of their centres; (3) the approved dates in the way of
every date of every candidate room (``rules.approved_in_windows``); and, only
when no room is free on every date, (4) the approved dates around the best
candidates for the near misses.

The rules are the request's own: the dates come from ``recurrence.expand`` in
each centre's local time, ``rules.check_room`` and ``rules.check_slots`` judge
them (through ``rules.SlotRules``), a conflict is an approved date in the way.
So a result can be requested with these dates — the taken ones skipped —
without a refusal. Rooms whose rules refuse some date are left out and listed
with the first reason.

Visibility: results carry the dates asked for that are taken; never who holds
them, and never pending requests (they do not block a request either).
"""

from bisect import bisect_left
from dataclasses import replace
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, load_only

from bookings import rules
from bookings.recurrence import MAX_OCCURRENCES, WEEKDAY_CODES, SeriesTooLong
from bookings.search_query import (
    DAY_SHIFTS,
    MAX_REASONS,
    MAX_RESULTS,
    MAX_SUGGESTIONS,
    MIN_SHORTER,
    SHIFT,
    SUGGESTION_ROOMS,
    SUGGESTIONS_PER_ROOM,
    InvalidSearch,
    LeftOut,
    RoomResult,
    SearchQuery,
    SearchResult,
    Suggestion,
    check_query,
)
from centres.models import Centre, Room
from centres.policy import RoomPolicy
from events.queries import json_list_contains
from extensions import db
from timeutil import DEFAULT_TIMEZONE, to_local, utcnow

# --- the search ---------------------------------------------------------------------------


# What the search, its page and the API read of rooms and centres (the rest, texts and
# addresses in JSON, is left in the database: loading it was a third of a search's time).
ROOM_COLUMNS = (Room.id, Room.centre_id, Room.name, Room.capacity, Room.equipment, Room.barrier_free,
                *(getattr(Room, name) for name in RoomPolicy.ROOM_FIELDS))
CENTRE_COLUMNS = (Centre.id, Centre.slug, Centre.name, Centre.district, Centre.timezone, Centre.default_language,
                  Centre.quiet_from)


def candidate_rooms(query: SearchQuery) -> list[Room]:
    """Bookable rooms matching the filters, with their centres: one query."""
    statement = (
        select(Room).join(Room.centre)
        .options(load_only(*ROOM_COLUMNS), contains_eager(Room.centre).load_only(*CENTRE_COLUMNS))
        .where(Room.bookable.is_(True))
        .order_by(Centre.slug, Room.name, Room.id)
    )
    if query.capacity:
        statement = statement.where(Room.capacity >= query.capacity)
    if query.barrier_free:
        statement = statement.where(Room.barrier_free.is_(True))
    if query.district:
        statement = statement.where(Centre.district == query.district)
    if query.centre:
        statement = statement.where(Centre.slug == query.centre)
    for key in query.equipment:
        statement = statement.where(json_list_contains(Room.equipment, key))
    for key in query.features:
        statement = statement.where(json_list_contains(Centre.features, key))
    return list(db.session.scalars(statement))


def _manages(user, centre) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.manages(centre))


class _Search:
    """The state of one search: dates per zone, closures, rule answers."""

    def __init__(self, query, user, now):
        self.query = query
        self.user = user
        self.now = now
        self.rules = rules.SlotRules(now)
        self._slots = {}
        self.closures = []

    def slots(self, query, tz_name) -> list:
        key = (query, tz_name)
        if key not in self._slots:
            self._slots[key] = query.slots(tz_name)
        return self._slots[key]

    def violations(self, room, slots) -> list[list]:
        centre = room.centre
        return self.rules.check(room, centre, slots, closures=rules.closures_of_room(self.closures, room),
                                by_manager=_manages(self.user, centre))


def search(query: SearchQuery, user=None, *, now=None, limit=MAX_RESULTS) -> SearchResult:
    """Rooms for the query: free on every date first, then by the number of dates taken.

    Raises InvalidSearch for a query that cannot be run. ``user`` decides the
    rules as for a request (a centre's managers need no minimum notice).
    """
    now = now or utcnow()
    errors = check_query(query, to_local(now, DEFAULT_TIMEZONE).date())
    if errors:
        raise InvalidSearch(errors)
    state = _Search(query, user, now)
    outcome = SearchResult(query)
    rooms = [room for room in candidate_rooms(query) if not rules.check_room(room, attendees=query.capacity)]
    if not rooms:
        return outcome
    zones = sorted({room.centre.timezone for room in rooms})
    try:
        dates = {tz: state.slots(query, tz) for tz in zones}
    except SeriesTooLong:  # only across a time zone's clock change can the count differ
        raise InvalidSearch({"until": [_("A series may have at most %(max)d dates.", max=MAX_OCCURRENCES)]}) from None
    days = [s.day for slots in dates.values() for s in slots]
    if not days:
        return outcome
    margin = timedelta(days=max(abs(d) for d in DAY_SHIFTS) + 1)
    state.closures = rules.closures_of_centres({room.centre_id for room in rooms}, min(days) - margin,
                                               max(days) + margin)
    busy = _approved_in_the_way(rooms, zones, dates)
    near = []  # (problem dates, room, conflicts) of rooms that do not fit on every date
    for room in rooms:
        slots, closed, conflicts = dates[room.centre.timezone], [], busy.get(room.id, {})
        if query.weekly:  # a series leaves its closed dates out, as a request does (bookings.requests)
            slots, closed, conflicts = _without_closed(state, room, slots, conflicts)
        refused = [(i, found) for i, found in enumerate(state.violations(room, slots)) if found]
        if refused:
            outcome.left_out.append(LeftOut(room, [v.message for _i, found in refused[:MAX_REASONS] for v in found]))
            near.append((len(set(conflicts) | {i for i, _f in refused}), room, conflicts))
            continue
        if len(conflicts) == len(slots):
            near.append((len(slots), room, conflicts))
            continue
        outcome.results.append(RoomResult(room, slots, conflicts, closed))
        if conflicts:
            near.append((len(conflicts), room, conflicts))
    capacity_matters = bool(query.capacity)
    _rank(outcome, capacity_matters, limit)
    if not outcome.free_total and near:
        near.sort(key=lambda n: (n[0], n[1].capacity if capacity_matters else 0, n[1].centre.slug, n[1].name))
        outcome.suggestions = near_misses(state, [(room, conflicts) for _n, room, conflicts in near[:SUGGESTION_ROOMS]])
    return outcome


def _without_closed(state, room, slots, conflicts):
    """(the dates not on a closure of the room, the closed ones, the conflicts renumbered)."""
    closures = rules.closures_of_room(state.closures, room)
    if not closures:
        return slots, [], conflicts
    kept, closed, renumbered = [], [], {}
    for index, slot in enumerate(slots):
        if rules.closed_on(closures, slot.local_start.date(), slot.local_end.date()) is not None:
            closed.append(slot)
            continue
        if index in conflicts:
            renumbered[len(kept)] = conflicts[index]
        kept.append(slot)
    if not kept:  # every date closed: the rules say why, as for a single date
        return slots, [], conflicts
    return kept, closed, renumbered


def _approved_in_the_way(rooms, zones, dates) -> dict[int, dict[int, list]]:
    """room id -> slot index -> the approved (starts_at, ends_at) in the way: one query for every room.

    Rooms are grouped by time zone and buffers: each group's dates are widened by its buffers.
    """
    kinds = sorted({(room.centre.timezone, *rules.buffers(room)) for room in rooms})
    groups = [([room.id for room in rooms if (room.centre.timezone, *rules.buffers(room)) == (tz, before, after)],
               [(s.start - before, s.end + after) for s in dates[tz]])
              for tz, before, after in kinds]
    busy: dict[int, dict[int, list]] = {}
    for row in rules.approved_in_windows(groups):
        busy.setdefault(row.room_id, {}).setdefault(row.i, []).append((row.starts_at, row.ends_at))
    return busy


def _rank(outcome: SearchResult, capacity_matters: bool, limit: int) -> None:
    """Free rooms first, then by the dates taken (and the smallest room that fits); cut to ``limit``."""
    outcome.results.sort(key=lambda r: (
        len(r.conflicts), r.room.capacity if capacity_matters else 0,
        r.centre.display_name().casefold(), r.room.name.casefold(), r.room.id))
    outcome.total = len(outcome.results)
    outcome.free_total = sum(1 for r in outcome.results if r.is_free)
    outcome.results = outcome.results[:limit]
    outcome.left_out.sort(key=lambda o: (o.room.centre.display_name().casefold(), o.room.name.casefold()))
    outcome.left_out_total = len(outcome.left_out)
    outcome.left_out = outcome.left_out[:limit]


# --- near misses ---------------------------------------------------------------------------


def variants(query: SearchQuery, slots, conflicts, tz_name) -> list[tuple[str, SearchQuery]]:
    """Other slots to try, closest first: an hour earlier or later, shorter, other weekdays.

    ``query`` in the centre's local time; ``conflicts`` the approved dates in the
    way of ``slots`` (slot index -> [(starts_at, ends_at)]), for the shorter slots.
    """
    start, end = query.start, query.end
    found = []
    if (start - SHIFT).date() == start.date():
        found.append(("earlier", replace(query, start=start - SHIFT, end=end - SHIFT)))
    if (end + SHIFT).date() == start.date():
        found.append(("later", replace(query, start=start + SHIFT, end=end + SHIFT)))
    # Shorter: end before the first date taken begins, or begin after the last one ends.
    busy_starts, busy_ends = [], []
    for index, held in conflicts.items():
        slot_start, slot_end = slots[index].local_start, slots[index].local_end
        for starts_at, ends_at in held:
            if (local := to_local(starts_at, tz_name)) > slot_start:
                busy_starts.append(local.time())
            if (local := to_local(ends_at, tz_name)) < slot_end:
                busy_ends.append(local.time())
    if busy_starts and (new_end := datetime.combine(start.date(), min(busy_starts))) - start >= MIN_SHORTER:
        found.append(("shorter", replace(query, end=new_end)))
    if busy_ends and end - (new_start := datetime.combine(start.date(), max(busy_ends))) >= MIN_SHORTER:
        found.append(("shorter", replace(query, start=new_start)))
    found.extend(("weekday", query.days_later(days)) for days in DAY_SHIFTS)
    return found


def taken(slots, held, room) -> dict[int, list]:
    """For each slot (by position) the approved dates in its way in the room, with the rule module's test.

    ``held``: rows with starts_at, ends_at, blocked_start and blocked_end, sorted by
    blocked_start. Only those blocking from less than BLOCK_SPAN before a slot can
    overlap it (no blocked interval is longer).
    """
    before, after = rules.buffers(room)
    starts = [h.blocked_start for h in held]
    result = {}
    for index, s in enumerate(slots):
        start, end = s.start - before, s.end + after
        candidates = held[bisect_left(starts, start - rules.BLOCK_SPAN):bisect_left(starts, end)]
        hits = rules.collisions([(start, end)], candidates).get(0)
        if hits:
            result[index] = [(h.starts_at, h.ends_at) for h in hits]
    return result


def near_misses(state: _Search, rooms) -> list[Suggestion]:
    """Suggestions for the rooms closest to fitting, each free on every date and within the rules."""
    tries = []  # (room, kind, query, slots)
    for room, conflicts in rooms:
        tz_name = room.centre.timezone
        local = state.query.in_zone(tz_name)
        for kind, variant in variants(local, state.slots(state.query, tz_name), conflicts, tz_name):
            try:
                slots = state.slots(variant, tz_name)
            except SeriesTooLong:
                continue
            if slots:
                tries.append((room, kind, variant, slots))
    if not tries:
        return []
    # One query: every approved date of these rooms around the dates tried.
    windows = {}
    for room, _kind, _variant, slots in tries:
        before, after = rules.buffers(room)
        low, high = windows.get(room.id, (slots[0].start - before, slots[0].end + after))
        windows[room.id] = (min(low, min(s.start for s in slots) - before), max(high, max(s.end for s in slots) + after))
    held: dict[int, list] = {}
    for row in rules.approved_in_windows([([room_id], [window]) for room_id, window in windows.items()]):
        held.setdefault(row.room_id, []).append(row)
    for rows in held.values():
        rows.sort(key=lambda row: row.blocked_start)

    suggestions, kinds = [], {}  # room id -> the kinds suggested
    for room, kind, variant, slots in tries:
        found = kinds.setdefault(room.id, set())
        if len(suggestions) >= MAX_SUGGESTIONS or len(found) >= SUGGESTIONS_PER_ROOM or kind in found:
            continue
        if any(state.violations(room, slots)) or taken(slots, held.get(room.id, []), room):
            continue
        suggestions.append(Suggestion(room, kind, variant, slots))
        found.add(kind)
    return suggestions


# --- the request form, pre-filled --------------------------------------------------------


def request_args(query: SearchQuery, slots, *, skip_conflicts=False, attendees=None) -> dict:
    """Query parameters opening the request form with these dates (bookings.search_forms.prefill_request)."""
    first = slots[0].local_start
    start, end = query.local(str(first.tzinfo))
    args = {
        "date": first.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_time": end.strftime("%H:%M"),
        "week": (first.date() - timedelta(days=first.weekday())).isoformat(),
    }
    if query.weekly:
        args.update(repeat="weekly", until=query.until.isoformat(),
                    weekdays=list(query.weekdays) or [WEEKDAY_CODES[first.weekday()]])
    else:
        args["repeat"] = "once"
    if skip_conflicts:
        args["skip_conflicts"] = "y"
    if attendees:
        args["attendees"] = str(attendees)
    return args
