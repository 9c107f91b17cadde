"""The month view counts and picks its dates in SQL (events.month): the same days, counts and first dates as
placing every public date of the month on its local days in Python, on both databases."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from eventdata import QueryCounter, make_event
from sqlalchemy import select

from centres.models import Centre
from events.calendar import event_dates
from events.month import month_dates
from events.queries import EventFilters, public_occurrences
from parsing import to_utc

UTC = ZoneInfo("UTC")
FIRST = date(2028, 3, 1)  # Berlin's clocks go forward on 26 March 2028


def utc(day, hour, minute=0, tz="Europe/Berlin"):
    return datetime.combine(day, time(hour, minute)).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC).replace(tzinfo=None)


@pytest.fixture
def world(make_centre, make_room):
    berlin = make_centre(slug="nordstadt")
    hall = make_room(berlin)
    istanbul = make_centre(slug="istanbul", timezone="Europe/Istanbul")
    busy = date(2028, 3, 14)
    for i in range(57):  # the centre's own events (no room): 57 on one day
        make_event(berlin, None, starts=utc(busy, 8) + timedelta(minutes=10 * i), hours=1, commit=False,
                   title={"de": f"Termin {i:02d}"})
    make_event(berlin, hall, starts=utc(date(2028, 3, 20), 22), hours=4, title={"de": "Lange Nacht"}, commit=False)
    make_event(berlin, hall, starts=utc(date(2028, 3, 21), 20), hours=4, title={"de": "Bis Mitternacht"},
               commit=False)
    make_event(berlin, hall, starts=utc(date(2028, 2, 29), 20), hours=28, title={"de": "Über den Monatswechsel"},
               commit=False)
    make_event(berlin, hall, starts=utc(date(2028, 3, 26), 1), hours=3, title={"de": "Zeitumstellung"},
               commit=False)
    make_event(berlin, hall, starts=utc(date(2028, 3, 31), 23), hours=2, title={"de": "In den April"}, commit=False)
    make_event(berlin, hall, starts=utc(date(2028, 3, 2), 18), count=5, title={"de": "Kurs"}, date_status="cancelled",
               status="cancelled", commit=False)
    make_event(berlin, hall, starts=utc(date(2028, 3, 3), 10), status="pending", title={"de": "Noch offen"},
               commit=False)
    # 00:30 on the 10th in Istanbul is 22:30 on the 9th in Berlin: the date is on the 10th, its centre's day
    make_event(istanbul, None, starts=utc(date(2028, 3, 10), 0, 30, tz="Europe/Istanbul"), hours=1,
               title={"de": "Istanbul spät"}, commit=True)
    return {"busy": busy}


def reference(filters, zones):
    """Every public date of the month placed on the local days it overlaps, in Python."""
    start = min(to_utc(FIRST, tz) for tz in zones)
    end = max(to_utc(date(2028, 4, 1), tz) for tz in zones)
    days = {}
    for item in event_dates(public_occurrences(filters, start, end)):
        last = item.end.date() if item.end.time() != time.min else item.end.date() - timedelta(days=1)
        day = item.day
        while day <= max(last, item.day):
            if (day.year, day.month) == (2028, 3):
                days.setdefault(day, []).append(item)
            day += timedelta(days=1)
    return days


@pytest.mark.parametrize("filters", [EventFilters(), EventFilters(centre="nordstadt")])
def test_the_same_days_counts_and_first_dates_as_python(app, world, filters):
    zones = {"Europe/Berlin", "Europe/Istanbul"}
    with app.test_request_context("/de/events/"):
        expected = reference(filters, zones)
        found = month_dates(filters, FIRST, zones, per_day=4, chosen=world["busy"], chosen_limit=50)
        assert found.counts == {day: len(items) for day, items in expected.items()}
        for day, items in expected.items():
            limit = 50 if day == world["busy"] else 4
            assert [i.occurrence.id for i in found.picked[day]] == [i.occurrence.id for i in items[:limit]], day
        assert found.total == len({i.occurrence.id for items in expected.values() for i in items})
    assert found.counts[world["busy"]] == 57 and len(found.picked[world["busy"]]) == 50
    if filters.centre is None:
        assert [i.event.title["de"] for i in found.picked[date(2028, 3, 10)]] == ["Istanbul spät"]
    assert date(2028, 3, 22) not in found.counts  # ended at midnight: not on the next day
    assert found.counts[date(2028, 3, 1)] >= 1  # began in February


def test_the_page_shows_counts_and_links_to_the_whole_day(client, world):
    html = client.get("/de/events/?view=month&month=2028-03&day=2028-03-14").get_data(as_text=True)
    assert "Termin 00" in html and "Termin 49" in html and "Termin 50" not in html
    assert re.search(r'data-day="2028-03-14"[^>]*>.*?<span class="day-count">57</span>', html, re.S)
    assert "53 weitere" in html  # the grid's cell: 4 of 57
    whole_day = "/de/events/?start=2028-03-14&amp;end=2028-03-14"
    assert html.count(whole_day) == 2  # the cell's "more" and the agenda's "all dates"
    other = client.get("/de/events/?view=month&month=2028-03&day=2028-03-20").get_data(as_text=True)
    assert "Termin 04" not in other  # a day not chosen: its first four only
    assert "Lange Nacht" in other


def test_the_number_of_queries_does_not_grow_with_the_month(client, world, db):
    def queries():
        db.session.expunge_all()
        with QueryCounter(db.engine) as counter:
            assert client.get("/de/events/?view=month&month=2028-03&day=2028-03-14").status_code == 200
        return counter.count

    before = queries()
    for i in range(40):
        make_event(db.session.scalar(select(Centre).filter_by(slug="nordstadt")), None, starts=utc(date(2028, 3, 15), 8) + timedelta(minutes=5 * i),
                   commit=False)
    db.session.commit()
    assert queries() == before



def test_the_month_statement_is_compiled_once(client, world, db, app):
    """The month's statement comes from SQLAlchemy's compiled-statement cache at the next request (its table of
    days is bound parameters, not literal rows that keep a statement out of the cache), for another month of
    the same length too."""
    from sqlalchemy import event
    from sqlalchemy.engine.interfaces import CacheStats

    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append((context.cache_hit is CacheStats.CACHE_HIT, statement))

    before = app.config["PAGE_CACHE_SECONDS"]
    app.config["PAGE_CACHE_SECONDS"] = 0
    client.get("/de/events/?view=month&month=2028-03")
    event.listen(db.engine, "after_cursor_execute", note)
    try:
        for month in ("2028-03", "2028-05"):  # 31 days each
            db.session.expunge_all()
            assert client.get(f"/de/events/?view=month&month={month}").status_code == 200
    finally:
        event.remove(db.engine, "after_cursor_execute", note)
        app.config["PAGE_CACHE_SECONDS"] = before
    month = [hit for hit, statement in seen if "month_day" in statement]
    assert len(month) == 2
    assert all(month), [statement for hit, statement in seen if not hit]
