"""Near misses (issue 7): when no room is free on every date, the same room an hour
earlier or later, shorter, or on another weekday — and only what is really free.

Every suggestion is checked the way a request is checked (services.plan_booking):
no rule broken, no date taken.
"""

import random
from datetime import time, timedelta

import pytest
from booking_support import fresh_locale
from search_support import WEEKS, city_fixture, hold, once_query, run_search, weekly_query  # noqa: F401

from bookings import services
from bookings.recurrence import Recurrence
from bookings.services import BookingRequest
from centres.models import Closure
from extensions import db


def assert_really_free(city, suggestion):
    """The suggestion, requested as such, passes every rule and has no date taken."""
    query = suggestion.query
    plan = services.plan_booking(BookingRequest(
        centre=suggestion.centre, room=suggestion.room, association=city.association, title="Kurs",
        start=query.start, end=query.end,
        recurrence=Recurrence(weekdays=list(query.weekdays), until=query.until) if query.weekly else None,
        attendees=query.capacity,
    ))
    fresh_locale()
    assert plan.ok and not plan.conflicts and not plan.violations, (suggestion, plan.violations, plan.conflicts)
    assert [s.start for s in plan.slots] == [s.start for s in suggestion.slots]


def kinds(outcome):
    return [(s.room.name, s.kind, s.query.start.strftime("%a %H:%M"), s.query.end.strftime("%H:%M"))
            for s in outcome.suggestions]


def block_hall(city, start, end):
    hold(city, city.hall, city.tuesday, start, end, weekly={"weekdays": ["TU"], "count": WEEKS})


def test_no_suggestions_while_some_room_is_free_on_every_date(city):
    block_hall(city, "18:00", "20:00")
    outcome = run_search(weekly_query(city))
    assert outcome.free_results and outcome.suggestions == []


def test_taken_later_an_hour_earlier_and_shorter(city):
    block_hall(city, "19:00", "21:00")
    outcome = run_search(weekly_query(city, capacity=40))
    assert not outcome.results
    assert kinds(outcome) == [
        ("Großer Saal", "earlier", "Tue 17:00", "19:00"),
        ("Großer Saal", "shorter", "Tue 18:00", "19:00"),
        ("Großer Saal", "weekday", "Wed 18:00", "20:00"),
    ]
    for suggestion in outcome.suggestions:
        assert_really_free(city, suggestion)
        assert len(suggestion.slots) == WEEKS  # the same number of weeks
    assert outcome.suggestions[-1].query.weekdays == ("WE",)


def test_taken_earlier_an_hour_later_and_shorter(city):
    block_hall(city, "17:00", "19:00")
    outcome = run_search(weekly_query(city, capacity=40))
    assert kinds(outcome)[:2] == [
        ("Großer Saal", "later", "Tue 19:00", "21:00"),
        ("Großer Saal", "shorter", "Tue 19:00", "20:00"),
    ]
    for suggestion in outcome.suggestions:
        assert_really_free(city, suggestion)


def test_taken_all_evening_another_weekday(city):
    block_hall(city, "16:00", "22:00")
    outcome = run_search(weekly_query(city, capacity=40))
    assert [k[1] for k in kinds(outcome)] == ["weekday"]
    assert_really_free(city, outcome.suggestions[0])


def test_a_closure_is_respected_by_the_suggestions(city):
    block_hall(city, "18:00", "22:00")
    wednesday = city.tuesday + timedelta(weeks=2, days=1)
    db.session.add(Closure(centre=city.nordstadt, room=city.hall, starts_on=wednesday, ends_on=wednesday))
    db.session.commit()
    outcome = run_search(weekly_query(city, capacity=40))
    weekdays = [s.query.weekdays for s in outcome.suggestions]
    assert ("WE",) not in weekdays and weekdays == [("MO",)]
    assert_really_free(city, outcome.suggestions[0])


def test_a_rule_near_miss_an_hour_earlier(city):
    """21:00-23:00 leaves the bookable hours (until 22:00) of every room: 20:00-22:00 fits."""
    outcome = run_search(weekly_query(city, "21:00", "23:00", capacity=40))
    assert not outcome.results and [o.room.name for o in outcome.left_out] == ["Großer Saal"]
    assert kinds(outcome)[0] == ("Großer Saal", "earlier", "Tue 20:00", "22:00")
    for suggestion in outcome.suggestions:
        assert_really_free(city, suggestion)


def test_one_date_other_days_of_the_week(city):
    hold(city, city.hall, city.tuesday, "17:00", "21:00")
    outcome = run_search(once_query(city, capacity=40))
    assert [(k[1], k[2]) for k in kinds(outcome)] == [("weekday", "Wed 18:00")]
    assert not outcome.suggestions[0].query.weekly
    assert_really_free(city, outcome.suggestions[0])


def test_several_rooms_at_most_six_suggestions(city):
    for room in (city.hall, city.dance, city.seminar, city.workshop, city.kitchen):
        hold(city, room, city.tuesday, "19:00", "21:00", weekly={"weekdays": ["TU"], "count": WEEKS})
    outcome = run_search(weekly_query(city))
    assert not outcome.free_results
    assert len(outcome.suggestions) == 6
    per_room = {}
    for suggestion in outcome.suggestions:
        per_room.setdefault(suggestion.room.name, []).append(suggestion.kind)
        assert_really_free(city, suggestion)
    assert all(len(found) == len(set(found)) <= 3 for found in per_room.values())


@pytest.mark.parametrize("seed", range(6))
def test_random_bookings_suggestions_are_always_free(city, seed):
    """Whatever holds the rooms: every suggestion passes a request's checks."""
    rng = random.Random(seed)
    rooms = [city.hall, city.dance, city.seminar]
    for room in rooms:
        for week in range(WEEKS):
            for day in rng.sample(range(7), 4):
                start = rng.choice([8, 10, 12, 14, 16, 17, 18, 19, 20])
                length = rng.choice([1, 2])
                if start + length > 22:
                    continue
                try:
                    hold(city, room, city.tuesday + timedelta(weeks=week, days=day - 1),
                         f"{start:02d}:00", f"{start + length:02d}:00")
                except Exception:  # overlapping another hold: skip it
                    db.session.rollback()
                    fresh_locale()
    outcome = run_search(weekly_query(city, capacity=25))
    for suggestion in outcome.suggestions:
        assert_really_free(city, suggestion)


def test_suggestions_keep_the_rooms_rules_per_room(city):
    """The hall closes at 19:00 after this: the later slot is not suggested even when free."""
    block_hall(city, "17:00", "19:00")
    city.hall.latest_time = time(20)
    db.session.commit()
    outcome = run_search(weekly_query(city, capacity=40))
    assert ("Großer Saal", "later", "Tue 19:00", "21:00") not in kinds(outcome)
    for suggestion in outcome.suggestions:
        assert_really_free(city, suggestion)
