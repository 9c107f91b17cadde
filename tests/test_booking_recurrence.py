"""Series are computed in the centre's local time: 18:00 stays 18:00 across the clock changes."""

from datetime import date, datetime, time, timedelta

import pytest
from booking_support import (  # noqa: F401
    api_body,
    at,
    booking_world_fixture,
    last_sunday,
    next_dst_change,
    next_weekday,
    request,
)

from bookings.recurrence import MAX_OCCURRENCES, Recurrence, SeriesTooLong, expand


def local_hours(slots, tz="Europe/Berlin"):
    return {(s.local_start.hour, s.local_start.minute, s.local_end.hour) for s in slots}


def test_single_date_is_one_slot():
    slots = expand(datetime(2027, 3, 30, 18), datetime(2027, 3, 30, 20), "Europe/Berlin")
    assert len(slots) == 1
    assert slots[0].start == datetime(2027, 3, 30, 16)  # CEST: UTC+2
    assert slots[0].end == datetime(2027, 3, 30, 18)


@pytest.mark.parametrize("month, before_utc, after_utc", [(3, 17, 16), (10, 16, 17)])
def test_weekly_18_00_stays_18_00_across_the_clock_change(month, before_utc, after_utc):
    change = last_sunday(2027, month)  # 28 March / 31 October 2027
    first = change - timedelta(days=5)  # the Tuesday before
    slots = expand(at_(first, 18), at_(first, 20), "Europe/Berlin", Recurrence(weekdays=["TU"], count=4))
    assert [s.local_start.date() for s in slots] == [first + timedelta(weeks=i) for i in range(4)]
    assert local_hours(slots) == {(18, 0, 20)}
    assert slots[0].start.hour == before_utc and slots[1].start.hour == after_utc
    assert all(s.end - s.start == timedelta(hours=2) for s in slots)


def at_(day, hour):
    return datetime.combine(day, time(hour))


def test_sunday_series_on_the_day_of_the_change_keeps_local_time():
    change = last_sunday(2027, 3)
    slots = expand(at_(change - timedelta(days=7), 10), at_(change - timedelta(days=7), 12), "Europe/Berlin",
                   Recurrence(weekdays=["SU"], count=3))
    assert [s.start.hour for s in slots] == [9, 8, 8]
    assert local_hours(slots) == {(10, 0, 12)}


def test_a_time_skipped_by_the_spring_change_does_not_exist():
    change = last_sunday(2027, 3)
    [slot] = expand(datetime.combine(change, time(2, 30)), datetime.combine(change, time(3, 30)), "Europe/Berlin")
    assert slot.exists is False


def test_the_repeated_autumn_hour_is_the_first_one():
    change = last_sunday(2027, 10)
    [slot] = expand(datetime.combine(change, time(2, 30)), datetime.combine(change, time(3, 0)), "Europe/Berlin")
    assert slot.exists and slot.start == datetime.combine(change, time(0, 30))  # 02:30 CEST


def test_every_second_week_on_two_days_until_a_date():
    first = date(2027, 5, 4)  # a Tuesday
    slots = expand(at_(first, 18), at_(first, 20), "Europe/Berlin",
                   Recurrence(interval=2, weekdays=["TU", "TH"], until=date(2027, 6, 3)))
    assert [s.day for s in slots] == [date(2027, 5, 4), date(2027, 5, 6), date(2027, 5, 18), date(2027, 5, 20),
                                      date(2027, 6, 1), date(2027, 6, 3)]


def test_weekday_defaults_to_the_first_dates_weekday():
    first = date(2027, 5, 5)  # Wednesday
    slots = expand(at_(first, 9), at_(first, 10), "Europe/Berlin", Recurrence(count=3))
    assert [s.day.weekday() for s in slots] == [2, 2, 2]


def test_other_time_zones_keep_their_local_time():
    first = date(2027, 3, 9)  # US clocks change on 14 March 2027
    slots = expand(at_(first, 18), at_(first, 19), "America/New_York", Recurrence(count=2))
    assert [s.start.hour for s in slots] == [23, 22]


def test_series_are_capped():
    first = date(2027, 1, 4)
    with pytest.raises(SeriesTooLong):
        expand(at_(first, 9), at_(first, 10), "Europe/Berlin", Recurrence(weekdays=["MO", "TU", "WE", "TH", "FR"],
                                                                          until=date(2030, 1, 1)))
    assert len(expand(at_(first, 9), at_(first, 10), "Europe/Berlin",
                      Recurrence(count=MAX_OCCURRENCES))) == MAX_OCCURRENCES


@pytest.mark.parametrize("month", [3, 10])
def test_stored_dates_keep_local_time_across_the_change(app, db, booking_world, month):
    """Through the service: the rows are UTC and differ by an hour, the local times do not."""
    from timeutil import to_local

    change = next_dst_change(month)
    booking = request(booking_world, day=change - timedelta(days=5), weekly={"weekdays": ["TU"], "count": 3})
    starts = [o.starts_at for o in booking.occurrences]
    assert len({s.hour for s in starts}) == 2
    assert {to_local(s, "Europe/Berlin").strftime("%H:%M") for s in starts} == {"18:00"}


@pytest.mark.parametrize("month, offsets", [(3, ["+01:00", "+02:00", "+02:00"]), (10, ["+02:00", "+01:00", "+01:00"])])
def test_api_gives_local_times_with_the_offset_of_each_date(client, booking_world, token_for, month, offsets):
    change = next_dst_change(month)
    body = api_body(booking_world, day=change - timedelta(days=5), recurrence={"freq": "weekly", "count": 3})
    response = client.post("/api/v1/bookings", json=body, headers=token_for(booking_world.member))
    assert response.status_code == 201, response.get_json()
    occurrences = response.get_json()["occurrences"]
    assert [o["start"][11:] for o in occurrences] == [f"18:00:00{o}" for o in offsets]
    assert [o["end"][11:16] for o in occurrences] == ["20:00"] * 3
