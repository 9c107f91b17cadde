"""Dates, times and lengths as the booking messages name them: in the page's language, in the centre's zone."""

from datetime import date, datetime, timedelta

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton, format_time
from flask_babel import get_locale, ngettext

from timeutil import to_local


def _locale():
    return get_locale() or "de"


def describe_slot(start: datetime, end: datetime, tz_name: str) -> str:
    """'Tue, Mar 30, 2027, 18:00 – 20:00' in the current language and the centre's zone (start/end naive UTC)."""
    locale = Locale.parse(_locale())
    local_start, local_end = to_local(start, tz_name), to_local(end, tz_name)
    day = format_skeleton("yMMMEd", local_start, locale=locale)
    if local_end.date() == local_start.date() or (local_end - local_start) <= timedelta(0):
        times = format_interval(local_start.time(), local_end.time(), skeleton="Hm", locale=locale)
    else:
        end_day = format_skeleton("yMMMEd", local_end, locale=locale)
        times = "{} – {} {}".format(
            format_skeleton("Hm", local_start, locale=locale), end_day, format_skeleton("Hm", local_end, locale=locale)
        )
    pattern = str(locale.datetime_formats.get("medium") or "{1} {0}")
    return pattern.replace("{1}", day).replace("{0}", times)


def describe_moment(value: datetime, tz_name: str) -> str:
    """A stored instant (naive UTC) as the centre's local date and time: 'Tue, Mar 30, 2027, 18:00'."""
    locale = Locale.parse(_locale())
    local = to_local(value, tz_name)
    pattern = str(locale.datetime_formats.get("medium") or "{1} {0}")
    day = format_skeleton("yMMMEd", local, locale=locale)
    return pattern.replace("{1}", day).replace("{0}", format_skeleton("Hm", local, locale=locale))


def describe_day(day: date) -> str:
    return format_date(day, "full", locale=_locale())


def describe_length(minutes: int) -> str:
    if minutes % 60 == 0:
        return ngettext("%(num)d hour", "%(num)d hours", minutes // 60)
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


def clock(value) -> str:
    return format_time(value, "short", locale=_locale())
