"""The room search (issue 7): filters, ordering, conflicts, visibility, query count.

The rules applied to results (the same as a request's) are in
test_search_rules.py, the near misses in test_search_suggestions.py, the page
in test_search_page.py, the API in test_api_search.py.
"""

from datetime import timedelta

import pytest
from booking_support import next_weekday
from search_support import (  # noqa: F401
    WEEKS,
    city_fixture,
    count_queries,
    hold,
    names,
    once_query,
    run_search,
    weekly_query,
)

BOOKABLE = ["Großer Saal", "Küche", "Seminarraum", "Tanzraum", "Werkstatt"]


# --- filters ----------------------------------------------------------------------------

FILTERS = {
    "none": ({}, BOOKABLE),
    "capacity": ({"capacity": 26}, ["Großer Saal", "Tanzraum"]),
    "capacity exact": ({"capacity": 25}, ["Großer Saal", "Seminarraum", "Tanzraum"]),
    "equipment": ({"equipment": ("projector",)}, ["Großer Saal", "Seminarraum"]),
    "equipment, all of them": ({"equipment": ("projector", "sound_system")}, ["Großer Saal"]),
    "barrier-free": ({"barrier_free": True}, ["Großer Saal", "Seminarraum", "Tanzraum"]),
    "district": ({"district": "Linden"}, ["Seminarraum", "Tanzraum"]),
    "centre": ({"centre": "list"}, ["Werkstatt"]),
    "unknown centre": ({"centre": "nowhere"}, []),
    "welcome feature": ({"features": ("child_friendly",)}, ["Seminarraum", "Tanzraum"]),
    "welcome features, all of them": ({"features": ("wifi", "cafe")}, ["Großer Saal", "Küche"]),
    "combined": ({"capacity": 20, "equipment": ("sound_system",), "district": "Linden"}, ["Tanzraum"]),
    "nothing matches": ({"capacity": 61}, []),
}


@pytest.mark.parametrize("weekly", [False, True], ids=["one date", "weekly"])
@pytest.mark.parametrize("case", FILTERS)
def test_each_filter(city, case, weekly):
    filters, expected = FILTERS[case]
    query = (weekly_query if weekly else once_query)(city, **filters)
    outcome = run_search(query)
    assert sorted(names(outcome.results)) == sorted(expected)
    assert all(r.is_free and r.dates == (WEEKS if weekly else 1) for r in outcome.results)


def test_the_room_not_bookable_is_never_a_result(city):
    assert "Lager" not in names(run_search(weekly_query(city, equipment=("projector",))).results)


def test_the_limit_cuts_the_list_not_the_counts(city):
    from bookings.search import search

    outcome = search(weekly_query(city), limit=2)
    assert len(outcome.results) == 2 and outcome.total == 5 and outcome.free_total == 5
    refused = search(weekly_query(city, "21:00", "23:00"), limit=2)  # after every room's hours
    assert len(refused.left_out) == 2 and refused.left_out_total == 5


def test_capacity_orders_the_closest_fit_first(city):
    outcome = run_search(weekly_query(city, capacity=20))
    assert names(outcome.results) == ["Seminarraum", "Tanzraum", "Großer Saal"]


# --- ordering and conflicts ---------------------------------------------------------------


def test_rooms_free_on_every_date_come_first_then_by_dates_taken(city):
    tuesday = city.tuesday
    hold(city, city.hall, tuesday + timedelta(weeks=1))  # hall: 1 of 6 taken
    hold(city, city.dance, tuesday, weekly={"weekdays": ["TU"], "count": 3})  # dance: 3 of 6 taken
    hold(city, city.seminar, tuesday, weekly={"weekdays": ["TU"], "count": WEEKS})  # seminar: all taken
    outcome = run_search(weekly_query(city))
    assert names(outcome.results) == ["Küche", "Werkstatt", "Großer Saal", "Tanzraum"]
    assert [len(r.conflicts) for r in outcome.results] == [0, 0, 1, 3]
    assert [r.free_dates for r in outcome.results] == [6, 6, 5, 3]
    assert [r.is_free for r in outcome.results] == [True, True, False, False]
    assert outcome.total == 4
    # A room taken on every date is no result: nothing of it could be requested.
    assert "Seminarraum" not in names(outcome.results)


def test_conflicts_name_the_dates_taken(city):
    tuesday = city.tuesday
    hold(city, city.hall, tuesday + timedelta(weeks=1), "19:00", "21:00")  # overlaps the end
    hold(city, city.hall, tuesday + timedelta(weeks=4), "17:00", "18:30")  # overlaps the start
    hold(city, city.hall, tuesday + timedelta(weeks=2), "20:00", "22:00")  # touches: no conflict
    hold(city, city.hall, tuesday + timedelta(weeks=3, days=1), "18:00", "20:00")  # Wednesday: no conflict
    result = next(r for r in run_search(weekly_query(city)).results if r.room == city.hall)
    assert [s.day for s in result.conflict_slots] == [tuesday + timedelta(weeks=1), tuesday + timedelta(weeks=4)]
    assert sorted(result.conflicts) == [1, 4]


def test_pending_requests_of_others_are_no_conflicts(city):
    """They do not block a request either; and they must not be seen."""
    hold(city, city.hall, city.tuesday, weekly={"weekdays": ["TU"], "count": WEEKS}, approve=False)
    result = next(r for r in run_search(weekly_query(city)).results if r.room == city.hall)
    assert result.is_free


def test_cancelled_and_rejected_dates_are_no_conflicts(city):
    from bookings import services
    from extensions import db

    cancelled = hold(city, city.hall, city.tuesday)
    services.cancel(cancelled, city.admin, reason="Ferien")
    rejected = hold(city, city.dance, city.tuesday, approve=False)
    services.reject(rejected, city.admin, reason="Nein")
    db.session.commit()
    outcome = run_search(once_query(city))
    assert all(r.is_free for r in outcome.results)
    assert {"Großer Saal", "Tanzraum"} <= set(names(outcome.results))


def test_several_weekdays(city):
    from bookings.search_query import SearchQuery

    hold(city, city.hall, city.tuesday + timedelta(days=2))  # a Thursday
    query = SearchQuery(start=once_query(city).start, end=once_query(city).end, weekdays=("TU", "TH"),
                        until=city.until)
    result = next(r for r in run_search(query).results if r.room == city.hall)
    assert result.dates == 2 * WEEKS - 1  # the last Thursday is after the last Tuesday
    assert [s.day for s in result.conflict_slots] == [city.tuesday + timedelta(days=2)]
    assert {s.local_start.strftime("%a %H:%M") for s in result.slots} == {"Tue 18:00", "Thu 18:00"}


def test_a_weekly_slot_keeps_its_local_time_across_the_clock_change(city):
    """18:00 stays 18:00 in Berlin when summer time ends; a booking at 18:00 after the change is found."""
    from booking_support import next_dst_change

    from bookings.search_query import SearchQuery

    change = next_dst_change(10)  # last Sunday of October
    first = change - timedelta(days=12)  # the Tuesday two weeks before
    last = change + timedelta(days=16)
    hold(city, city.hall, change + timedelta(days=9))  # the Tuesday after the change, 18:00-20:00 local
    query = SearchQuery(start=once_query(city, first).start, end=once_query(city, first).end, weekdays=("TU",),
                        until=last)
    result = next(r for r in run_search(query).results if r.room == city.hall)
    assert {s.local_start.strftime("%H:%M") for s in result.slots} == {"18:00"}
    assert {s.start.hour for s in result.slots} == {16, 17}  # UTC: summer, then winter
    assert [s.day for s in result.conflict_slots] == [change + timedelta(days=9)]


# --- visibility -------------------------------------------------------------------------------


def test_results_hold_busy_times_only(city):
    """No booking, no association, no title: only the dates asked for that are taken."""
    hold(city, city.hall, city.tuesday)
    result = next(r for r in run_search(weekly_query(city)).results if r.room == city.hall)
    taken = result.conflicts[0]
    assert all(isinstance(pair, tuple) and len(pair) == 2 for pair in taken)


# --- one query per search, whatever the number of rooms and bookings -------------------------------


def _grow(city, make_room, rooms, bookings_per_room):
    extra = [make_room(city.linden, name=f"Raum {n}", capacity=20 + n) for n in range(rooms)]
    for n, room in enumerate(extra):
        for week in range(bookings_per_room):
            hold(city, room, city.tuesday + timedelta(weeks=week), f"{8 + (n % 6) * 2:02d}:00",
                 f"{9 + (n % 6) * 2:02d}:00", weekly={"weekdays": ["TU", "WE"], "count": 2})
    return extra


@pytest.mark.parametrize("as_user", ["anonymous", "member", "manager"])
def test_the_number_of_queries_does_not_grow_with_rooms_and_bookings(city, make_room, as_user):
    user = {"anonymous": None, "member": city.member, "manager": city.manager}[as_user]
    counts = []
    for rooms, per_room in ((0, 0), (12, 4)):
        _grow(city, make_room, rooms, per_room)
        from extensions import db

        db.session.expire_all()
        if user is not None:
            user.role  # noqa: B018  (loaded, as Flask-Login loads it for each request)
        with count_queries() as statements:
            outcome = run_search(weekly_query(city), user)
        counts.append(len(statements))
        assert outcome.free_results
    assert counts[0] == counts[1], (counts, statements)
    # rooms with centres, closures, approved dates; a user's centres once (for the managers' rules)
    assert counts[1] <= (3 if user is None else 4), [s[:60] for s in statements]


def test_near_misses_cost_one_query_more(city, make_room):
    """Nothing fits: one more query for every suggestion together, whatever the number of rooms."""
    from extensions import db

    counts = []
    for extra in (0, 10):
        for n in range(extra):
            room = make_room(city.list_centre, name=f"Kammer {n}", capacity=99)
            hold(city, room, city.tuesday, weekly={"weekdays": ["TU"], "count": WEEKS})
        hold(city, city.hall, city.tuesday, weekly={"weekdays": ["TU"], "count": WEEKS}) if extra == 0 else None
        db.session.expire_all()
        with count_queries() as statements:
            outcome = run_search(weekly_query(city, capacity=50))
        assert not outcome.free_results and outcome.suggestions
        counts.append(len(statements))
    assert counts == [4, 4], counts


def test_a_search_for_today_or_later_only(city):
    from bookings.search_query import InvalidSearch

    with pytest.raises(InvalidSearch) as caught:
        run_search(once_query(city, next_weekday(1, 0) - timedelta(days=7)))
    assert "start" in caught.value.fields
