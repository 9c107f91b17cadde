"""The writer and the time zones (issue 5): escaping and folding, VTIMEZONEs built from the zones' yearly rules
(RRULE, never RDATE lists), read back by icalendar and, in feeds of centres in other zones, by ical.js."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from feeds.ics import duration_text, escape_text, fold, param_value
from feeds.vtimezone import FIXED, build_vtimezone, parse_posix, tzif_footer, vtimezone
from tests.feeds_support import (  # noqa: F401 (empty_feed_cache: autouse fixture)
    check_feed,
    empty_feed_cache,
    expand_both,
    local_day,
    make_series,
    utc_iso,
)

ZONES = ["Europe/Berlin", "Europe/London", "Europe/Istanbul", "Europe/Kyiv", "America/New_York",
         "America/Santiago", "America/Nuuk", "Asia/Jerusalem", "Asia/Gaza", "Africa/Cairo", "Asia/Tehran",
         "Asia/Kolkata", "Australia/Sydney", "Australia/Lord_Howe", "Pacific/Chatham", "UTC"]


def test_text_escaping():
    assert escape_text("a,b;c\\d\ne\r\nf\rg") == "a\\,b\\;c\\\\d\\ne\\nf\\ng"
    assert escape_text("tab\there\x00\x07bell") == "tab herebell"


def test_parameter_values_are_quoted_when_needed():
    assert param_value("de") == "de"
    assert param_value("Europe/Berlin") == "Europe/Berlin"
    assert param_value("a:b") == '"a:b"'
    assert param_value('x"y;z') == '"xy;z"'


@pytest.mark.parametrize("text", ["a" * 200, "ä" * 100, "日本語" * 40, "🙂" * 50, "x" + "ü" * 80, "ab" * 37 + "€"])
def test_folding_keeps_utf8_characters_whole(text):
    folded = fold("SUMMARY:" + text)
    lines = folded.split("\r\n")
    for line in lines:
        assert len(line.encode()) <= 75
        line.encode().decode("utf-8")  # no character cut in two
    assert "".join(line[1:] if i else line for i, line in enumerate(lines)) == "SUMMARY:" + text


@pytest.mark.parametrize("delta, text", [(timedelta(hours=1), "PT1H"), (timedelta(minutes=90), "PT1H30M"),
                                         (timedelta(days=1), "P1D"), (timedelta(days=14), "P2W"),
                                         (timedelta(days=1, hours=2), "P1DT2H"), (timedelta(seconds=30), "PT30S")])
def test_durations(delta, text):
    assert duration_text(delta) == text
    assert icalendar.vDuration.from_ical(text) == delta


def test_berlin_is_the_fixed_text_and_the_builder_gives_the_same():
    assert vtimezone("Europe/Berlin") == FIXED["Europe/Berlin"]
    assert build_vtimezone("Europe/Berlin") == FIXED["Europe/Berlin"]
    assert "RDATE" not in FIXED["Europe/Berlin"]
    assert parse_posix(tzif_footer("Europe/Berlin")).dst_name == "CEST"


@pytest.mark.parametrize("key", ZONES)
def test_vtimezone_gives_the_zones_offsets_for_the_next_years(key):
    text = build_vtimezone(key)
    assert "RDATE" not in text
    calendar = icalendar.Calendar.from_ical("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + text + "END:VCALENDAR\r\n")
    component = calendar.walk("VTIMEZONE")[0]
    assert not component.errors
    tz, real = component.to_tz(), ZoneInfo(key)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    t, end = now, now + timedelta(days=3 * 366)
    while t < end:
        assert t.astimezone(tz).utcoffset() == t.astimezone(real).utcoffset(), (key, t)
        t += timedelta(hours=1)


@pytest.mark.parametrize("key", ["America/New_York", "Asia/Jerusalem", "Australia/Sydney", "Europe/London"])
def test_feeds_of_centres_in_other_zones_read_the_same_in_both_parsers(client, make_centre, make_room, key):
    centre = make_centre(slug="somewhere", timezone=key)
    room = make_room(centre)
    event = make_series(centre, room, local_day(2, 19, tz_name=key), count=52)
    body = client.get("/en/centres/somewhere/events.ics").data
    calendar = check_feed(body)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [key]
    from feeds.content import window

    win = window()
    seen = expand_both(body, win.start, win.end + timedelta(days=400))
    in_window = [o for o in event.occurrences() if o.starts_at < win.end]
    assert [s.start for s in seen] == [utc_iso(o.starts_at) for o in in_window]
    assert {s.local_start[11:] for s in seen} == {"19:00:00"}
    assert {s.tzid for s in seen} == {key}


@pytest.mark.parametrize("seed", range(40))
def test_a_series_rule_is_counted_out_as_dateutil_expands_it(seed):
    """feeds.series counts a weekly rule's dates out itself (faster than dateutil); they must be rrule's."""
    import random

    from dateutil.rrule import MO, WEEKLY, rrule, weekday

    from feeds.series import _weekly

    pick = random.Random(seed)
    first = datetime(2026, 1, 1, 18, 30) + timedelta(days=pick.randrange(0, 400), hours=pick.randrange(-5, 5))
    weekdays = sorted(pick.sample(range(7), pick.randint(1, 3)) + [first.weekday()])
    weekdays = sorted(set(weekdays))
    interval = pick.choice([1, 1, 2, 3])
    last = first + timedelta(days=pick.randrange(0, 500))
    expected = list(rrule(WEEKLY, dtstart=first, interval=interval, byweekday=[weekday(d) for d in weekdays],
                          until=last, wkst=MO, cache=False))
    assert _weekly(first, last, interval, weekdays) == expected
