"""The search applies the request's rules, exactly (issue 7).

For each rule, the search's answer for every room is compared with what
bookings.services makes of a request for the same dates (skipping taken
dates, as the result's button presets): a room is a result exactly when the
request would pass, it is left out exactly when a rule refuses a date — with
the request's own messages — and every result can really be requested.
"""

from datetime import time, timedelta

import pytest
from booking_support import fresh_locale
from flask_babel import force_locale
from search_support import WEEKS, at, city_fixture, hold, once_query, run_search, weekly_query  # noqa: F401

from bookings import services
from bookings.services import BookingRequest
from centres.models import Closure
from extensions import db


def _nothing(c):
    pass


def _not_bookable(c):
    c.hall.bookable = False


def _centre_closure(c):
    db.session.add(Closure(centre=c.nordstadt, starts_on=c.tuesday + timedelta(weeks=2),
                           ends_on=c.tuesday + timedelta(weeks=2, days=1), reason={"de": "Ferien"}))


def _room_closure(c):
    db.session.add(Closure(centre=c.nordstadt, room=c.hall, starts_on=c.tuesday + timedelta(weeks=3),
                           ends_on=c.tuesday + timedelta(weeks=3), reason={"de": "Renovierung"}))


def _closure_elsewhere(c):
    db.session.add(Closure(centre=c.nordstadt, room=c.hall, starts_on=c.tuesday + timedelta(days=1),
                           ends_on=c.tuesday + timedelta(days=5)))


def _short(c):
    c.hall.max_duration_minutes = 60


def _near_only(c):
    c.hall.max_days_ahead = 20


def _long_notice(c):
    c.hall.min_notice_hours = 24 * 30


def _narrow_hours(c):
    c.hall.earliest_time, c.hall.latest_time = time(9), time(19)


def _taken(c):
    hold(c, c.hall, c.tuesday + timedelta(weeks=1))
    hold(c, c.dance, c.tuesday, weekly={"weekdays": ["TU"], "count": WEEKS})


# rule -> (prepare, query fields)
RULES = {
    "control": (_nothing, {}),
    "not bookable": (_not_bookable, {}),
    "too early": (_nothing, {"start": "06:30", "end": "09:00"}),
    "too late": (_nothing, {"start": "21:00", "end": "23:00"}),
    "room's hours": (_narrow_hours, {}),
    "centre closure": (_centre_closure, {}),
    "room closure": (_room_closure, {}),
    "closure on other days": (_closure_elsewhere, {}),
    "maximum length": (_short, {}),
    "how far ahead": (_near_only, {}),
    "minimum notice": (_long_notice, {}),
    "capacity": (_nothing, {"capacity": 31}),
    "dates taken": (_taken, {}),
}


def request_for(city, room, query, skip_conflicts=True):
    start, end = query.local(room.centre.timezone)
    from bookings.recurrence import Recurrence

    recurrence = Recurrence(weekdays=list(query.weekdays), until=query.until) if query.weekly else None
    return BookingRequest(centre=room.centre, room=room, association=city.association, title="Deutschkurs",
                          start=start, end=end, recurrence=recurrence, attendees=query.capacity,
                          skip_conflicts=skip_conflicts)


@pytest.mark.parametrize("who", ["anonymous", "member", "manager"])
@pytest.mark.parametrize("weekly", [True, False], ids=["weekly", "one date"])
@pytest.mark.parametrize("rule", RULES)
def test_search_and_request_agree_on_every_room(city, rule, weekly, who):
    prepare, fields = RULES[rule]
    prepare(city)
    db.session.commit()
    user = {"anonymous": None, "member": city.member, "manager": city.manager}[who]
    query = (weekly_query if weekly else once_query)(city, **fields)
    outcome = run_search(query, user)
    results = {r.room.id: r for r in outcome.results}
    left_out = {o.room.id: o for o in outcome.left_out}
    for room in city.rooms():
        by_manager = user is not None and user.manages(room.centre)
        plan = services.plan_booking(request_for(city, room, query), by_manager=by_manager)
        fresh_locale()
        messages = [v.message for v in plan.violations]
        slot_messages = [v.message for v in plan.violations if v.field not in ("room_id", "attendees")]
        if room.id in results:
            assert plan.ok, (room.name, messages)
            assert sorted(results[room.id].conflicts) == sorted(plan.conflicts), room.name
            assert [s.start for s in results[room.id].slots] == [s.start for s in plan.slots]
        elif room.id in left_out:
            assert slot_messages, room.name
            reasons = left_out[room.id].reasons
            assert reasons == slot_messages[:len(reasons)], (reasons, slot_messages)
        else:  # the room as a whole (not bookable, too small), or taken on every date
            room_level = [v for v in plan.violations if v.field in ("room_id", "attendees")]
            assert not plan.ok, (room.name, messages)
            assert room_level or (not slot_messages and len(plan.conflicts) == len(plan.slots)), (room.name, messages)


@pytest.mark.parametrize("rule", RULES)
def test_every_result_can_be_requested(city, rule):
    """A result never leads to a refused request: each is requested (taken dates skipped) and stored."""
    prepare, fields = RULES[rule]
    prepare(city)
    db.session.commit()
    query = weekly_query(city, **fields)
    outcome = run_search(query, city.member)
    for result in outcome.results:
        booking = services.request_booking(
            request_for(city, result.room, query, skip_conflicts=not result.is_free), city.member)
        assert len(booking.occurrences) == result.free_dates
        db.session.rollback()
        fresh_locale()


def test_a_managers_own_centre_needs_no_notice_as_in_a_request(city):
    _long_notice(city)
    db.session.commit()
    as_member = run_search(weekly_query(city), city.member)
    as_manager = run_search(weekly_query(city), city.manager)
    assert "Großer Saal" in [o.room.name for o in as_member.left_out]
    assert "Großer Saal" in [r.room.name for r in as_manager.results]


def test_a_slot_skipped_by_the_clock_change_is_refused_as_in_a_request(city):
    """02:30 does not exist on the last Sunday of March in Berlin."""
    from booking_support import next_dst_change

    for room in city.rooms():
        room.earliest_time = time(0)
    db.session.commit()
    day = next_dst_change(3)
    query = once_query(city, day, "02:30", "03:30")
    # Outside a request the default language (German) would apply.
    with force_locale("en"):
        outcome = run_search(query)
    with force_locale("en"):
        plan = services.plan_booking(request_for(city, city.hall, query))
    assert not outcome.results
    assert any("clocks change" in reason for o in outcome.left_out for reason in o.reasons)
    assert [v.message for v in plan.violations][:1] == outcome.left_out[0].reasons[:1]


def test_the_rule_answers_are_shared_only_between_rooms_with_the_same_rules(city):
    """Two rooms differing in one rule attribute get their own answers."""
    city.kitchen.latest_time = time(19, 30)
    db.session.commit()
    outcome = run_search(weekly_query(city))
    assert "Küche" in [o.room.name for o in outcome.left_out]
    assert "Großer Saal" in [r.room.name for r in outcome.results]


def test_at_is_the_local_time(city):
    assert at(city.tuesday, "18:00").hour == 18


def test_closures_do_not_stop_rooms_sharing_rule_answers(city, make_room):
    """With a closure among the dates, each room still gets check_slots' answer for each date, and rooms with
    the same rules share the rule answers (one per policy and date, not one per room and date)."""
    from bookings.rules import SlotRules, check_slots, closures_of_centres, closures_of_room
    from centres.policy import RoomPolicy

    _centre_closure(city)
    _room_closure(city)
    extra = [make_room(city.nordstadt, name=f"Raum {i}", capacity=20) for i in range(8)]
    db.session.commit()
    slots = weekly_query(city).slots(city.nordstadt.timezone)
    closures = closures_of_centres({city.nordstadt.id}, city.tuesday, city.until)
    assert closures
    rooms = [city.hall, city.kitchen, *extra]
    rules = SlotRules()
    for room in rooms:
        own = closures_of_room(closures, room)
        answers = rules.check(room, room.centre, slots, closures=own)
        expected = [check_slots(room, room.centre, [s], now=rules.now, closures=own) for s in slots]
        assert [[v.message for v in a] for a in answers] == [[v.message for v in e] for e in expected], room.name
        assert any(answers), room.name  # the closure's dates are refused
    policies = {RoomPolicy.of(room, room.centre) for room in rooms}
    assert len(policies) < len(rooms)
    assert len(rules._answers) == len(policies) * len(slots)
