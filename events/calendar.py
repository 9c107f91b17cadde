"""Presentation of public dates: local times, days, month grids, schema.org data.

Pure functions over the rows of ``events.queries`` (no queries here). Every
date and time is shown in the event's centre's time zone and formatted by
Babel in the page's locale.
"""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel import Locale
from babel.core import get_global
from babel.dates import format_date, format_interval, format_skeleton, format_time
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _

import i18n
from bookings.display import reason_text
from bookings.models import CANCELLED
from timeutil import to_local, utcnow, zone

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass
class EventDate:
    """One public date of an event, with its local start and end."""

    occurrence: object
    event: object
    start: datetime  # aware, in the centre's zone
    end: datetime

    @property
    def is_cancelled(self) -> bool:
        return self.occurrence.status == CANCELLED

    @property
    def reason(self) -> str:
        """Why the date is cancelled: as written, or the system's own reason translated."""
        return reason_text(self.occurrence.cancel_reason)

    @property
    def day(self) -> date:
        return self.start.date()

    @property
    def has_passed(self) -> bool:
        return self.occurrence.ends_at <= utcnow()

    @property
    def tz_name(self) -> str:
        return self.event.centre.timezone

    def time_range(self) -> str:
        return time_range(self.start, self.end)

    def when(self) -> str:
        return when(self.start, self.end)


def event_dates(rows) -> list[EventDate]:
    """(Occurrence, Event) rows as EventDates in each centre's zone."""
    return [
        EventDate(occurrence, event, to_local(occurrence.starts_at, event.centre.timezone),
                  to_local(occurrence.ends_at, event.centre.timezone))
        for occurrence, event in rows
    ]


def dates_of(event, occurrences) -> list[EventDate]:
    return event_dates((occurrence, event) for occurrence in occurrences)


def by_day(dates: list[EventDate]) -> list[tuple[date, list[EventDate]]]:
    """Consecutive dates grouped by their local day, in order."""
    groups: list[tuple[date, list[EventDate]]] = []
    for item in dates:
        if groups and groups[-1][0] == item.day:
            groups[-1][1].append(item)
        else:
            groups.append((item.day, [item]))
    return groups


# --- formatting (Babel, page locale) -------------------------------------------


def locale():
    return get_locale() or i18n.FALLBACK_LANGUAGE


def time_range(start: datetime, end: datetime) -> str:
    """'18:00–20:00' for a date within one day, else both dates with times."""
    if start.date() == end.date() or (end - start <= timedelta(hours=24) and end.time() == datetime.min.time()):
        # Isolated in the page's direction (RLI/LRI ... PDI): in a right-to-left page the start time stands on
        # the right, where reading begins, as on the booking pages and in Persian's "18:00 تا 20:00".
        loc = Locale.parse(locale())
        isolate = "\u2067" if loc.character_order == "right-to-left" else "\u2066"
        return isolate + format_interval(start, end, "Hm", tzinfo=start.tzinfo, locale=loc) + "\u2069"
    return _("%(start)s – %(end)s", start=date_and_time(start), end=date_and_time(end))


def date_and_time(value: datetime) -> str:
    """'30.03.2027, 18:00': the medium date and the short time, joined as the locale joins them."""
    loc = locale()
    day = format_date(value.date(), "medium", locale=loc)
    clock_time = format_time(value, "short", tzinfo=value.tzinfo, locale=loc)
    return str(loc.datetime_formats["medium"]).replace("{1}", day).replace("{0}", clock_time)


def when(start: datetime, end: datetime) -> str:
    """The full date and the times: 'Tuesday, 30 March 2027, 18:00–20:00'."""
    if start.date() == end.date():
        return _("%(date)s, %(times)s", date=long_date(start.date()), times=time_range(start, end))
    return time_range(start, end)


def long_date(day: date) -> str:
    return format_date(day, "full", locale=locale())


def short_date(day: date) -> str:
    return format_date(day, "medium", locale=locale())


def day_number(day: date) -> str:
    return format_skeleton("d", day, locale=locale())


def month_abbr(day: date) -> str:
    return format_skeleton("MMM", day, locale=locale())


def month_label(first: date) -> str:
    return format_skeleton("yMMMM", first, locale=locale())


def clock(value: datetime) -> str:
    return format_time(value, "short", tzinfo=value.tzinfo, locale=locale())


# --- month grid ----------------------------------------------------------------


def parse_month(value: str | None) -> date | None:
    """'2027-03' -> date(2027, 3, 1); None when missing or invalid."""
    match = _MONTH.match((value or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1970 <= year <= 2200 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def this_month(tz_name: str) -> date:
    today = datetime.now(zone(tz_name)).date()
    return today.replace(day=1)


def first_weekday() -> int:
    """Monday = 0; the first day of the week in the page's locale.

    A bare language has no region, and CLDR's world default is Monday; the
    region where the language is mostly spoken (CLDR likely subtags) decides:
    Saturday for Farsi (Iran) and Arabic (Egypt), Sunday for English (US),
    Monday for German, Turkish, Ukrainian and the others.
    """
    loc = locale()
    if loc.territory is None:
        likely = get_global("likely_subtags").get(loc.language)
        if likely:
            loc = Locale.parse(likely)
    return loc.first_week_day


def weekday_names() -> list[tuple[str, str, str]]:
    """(abbreviated, wide, narrow) names of the weekdays in grid order.

    Arabic and Farsi abbreviate no weekday ("الثلاثاء"); on a phone their grid shows the narrow letter ("ث").
    """
    loc = locale()
    start = first_weekday()
    order = [(start + i) % 7 for i in range(7)]
    days = loc.days["stand-alone"]
    return [(days["abbreviated"][d], days["wide"][d], days["narrow"][d]) for d in order]


def month_weeks(first: date) -> list[list[date]]:
    """The weeks (lists of 7 dates) covering the month, starting on the locale's first weekday."""
    cal = _calendar.Calendar(firstweekday=first_weekday())
    return [list(week) for week in cal.monthdatescalendar(first.year, first.month)]


# --- schema.org ------------------------------------------------------------------

STATUS_URL = {"cancelled": "https://schema.org/EventCancelled", "scheduled": "https://schema.org/EventScheduled"}


def json_ld(event, dates: list[EventDate], lang: str) -> dict:
    """schema.org Event data for an event page: one Event per shown date (at most 50)."""
    centre = event.centre
    default = centre.default_language
    name = i18n.pick_text(event.title, lang, default)[0]
    description = i18n.pick_text(event.description, lang, default)[0]
    url = url_for("events.event", lang=lang, event_id=event.id, _external=True)
    place = {
        "@type": "Place",
        "name": " – ".join(p for p in (centre.display_name(lang), event.room.name if event.room else "") if p),
        "address": {
            "@type": "PostalAddress",
            "streetAddress": centre.street,
            "postalCode": centre.postcode,
            "addressLocality": centre.city,
            "addressCountry": "DE",
        },
    }
    if centre.latitude is not None and centre.longitude is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": centre.latitude, "longitude": centre.longitude}
    organiser_name = event.booking.association.name if event.booking and event.booking.association else (
        centre.display_name(lang)
    )
    base = {
        "@type": "Event",
        "name": name,
        "url": url,
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": place,
        "organizer": {"@type": "Organization", "name": organiser_name},
        "isAccessibleForFree": bool(event.is_free),
    }
    if description:
        base["description"] = description
    if event.languages:
        base["inLanguage"] = list(event.languages)
    if event.category is not None:
        base["keywords"] = ", ".join([event.category.display_name(lang), *(event.tags or [])])
    elif event.tags:
        base["keywords"] = ", ".join(event.tags)
    if not event.is_free and event.price:
        base["offers"] = {"@type": "Offer", "description": event.price, "url": event.registration_url or url}
    elif event.registration_url:
        base["offers"] = {"@type": "Offer", "price": 0, "priceCurrency": "EUR", "url": event.registration_url}
    items = []
    for item in dates[:50]:
        data = dict(base)
        data["startDate"] = item.start.isoformat(timespec="seconds")
        data["endDate"] = item.end.isoformat(timespec="seconds")
        data["eventStatus"] = STATUS_URL["cancelled" if item.is_cancelled else "scheduled"]
        items.append(data)
    if not items:
        return {}
    if len(items) == 1:
        return {"@context": "https://schema.org", **items[0]}
    return {"@context": "https://schema.org", "@graph": items}
