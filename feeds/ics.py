"""Writing iCalendar (RFC 5545, RFC 7986) documents.

The feed is a list of ``Vevent`` records written by a small, strict writer:
TEXT values escaped (backslash, semicolon, comma, line breaks) and stripped of
control characters, lines folded at 75 octets without splitting a UTF-8
character, CRLF line ends. Every date-time is written in its centre's zone
with a TZID (never floating) and that zone's VTIMEZONE is written once
(``feeds.vtimezone``); DTSTAMP and LAST-MODIFIED come from the data, so the
same data always gives the same bytes. The output is parsed back in the tests
by icalendar, recurring-ical-events and ical.js.

Why not icalendar's own serialiser: it builds the same bytes about thirty
times slower (benchmarks/bench_feeds.py), and writes REFRESH-INTERVAL without
``VALUE=DURATION`` and X-PUBLISHED-TTL as ``1:00:00`` unless told otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from feeds.vtimezone import vtimezone
from timeutil import zone

PRODID = "-//Welcome Spaces//Feeds 1.0//EN"
CRLF = "\r\n"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_UNSAFE_PARAM = re.compile(r'[";:,\x00-\x1f\x7f]')


# --- values ------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """A TEXT value: \\ ; , escaped, line breaks as \\n, control characters dropped."""
    value = str(value).replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value.replace("\t", " "))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def param_value(value: str) -> str:
    """A parameter value, quoted when it holds characters that need it (quotes themselves are dropped)."""
    value = _CONTROL.sub("", str(value)).replace('"', "")
    return f'"{value}"' if _UNSAFE_PARAM.search(value) else value


def utc_text(value: datetime) -> str:
    """A naive-UTC (or aware) instant as 20270330T160000Z."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return f"{value:%Y%m%dT%H%M%S}Z"


def local_text(value: datetime, tz: ZoneInfo) -> str | None:
    """A naive-UTC instant as local wall-clock text in tz, or None when that text would be ambiguous.

    A wall-clock time repeated by the autumn change names its first instant
    (RFC 5545, 3.3.5); the second one can only be written in UTC.
    """
    local = value.replace(tzinfo=UTC).astimezone(tz)
    if local.fold:
        return None
    return f"{local:%Y%m%dT%H%M%S}"


def duration_text(value: timedelta) -> str:
    """A positive DURATION: P1D, PT1H, PT30M (RFC 5545, 3.3.6)."""
    seconds = int(value.total_seconds())
    if seconds <= 0:
        raise ValueError("durations here are positive")
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    if days and not (hours or minutes or seconds):
        return f"P{days}D" if days % 7 else f"P{days // 7}W"
    text = f"P{days}D" if days else "P"
    text += "T"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if seconds:
        text += f"{seconds}S"
    return text


def fold(line: str) -> str:
    """Fold a content line at 75 octets; continuation lines start with a space."""
    if len(line) <= 75 and (len(line) <= 18 or line.isascii()):
        return line
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    pieces, limit = [], 75
    while len(data) > limit:
        cut = limit
        while data[cut] & 0xC0 == 0x80:  # not inside a UTF-8 sequence
            cut -= 1
        pieces.append(data[:cut].decode("utf-8"))
        data = data[cut:]
        limit = 74
    pieces.append(data.decode("utf-8"))
    return (CRLF + " ").join(pieces)


def content_line(name: str, value: str, params: dict | None = None) -> str:
    if params:
        name += "".join(f";{key}={param_value(val)}" for key, val in params.items() if val)
    return fold(f"{name}:{value}")


# --- records ----------------------------------------------------------------------------


@dataclass
class Text:
    """A text in a language (None: no LANGUAGE parameter)."""

    value: str
    language: str | None = None


@dataclass
class Vevent:
    uid: str
    start: datetime  # naive UTC
    end: datetime  # naive UTC
    tz_name: str
    summary: Text
    stamp: datetime  # naive UTC: the data's last change (DTSTAMP and LAST-MODIFIED)
    sequence: int = 0
    status: str = "CONFIRMED"  # CONFIRMED, TENTATIVE, CANCELLED
    description: Text | None = None
    location: Text | None = None
    geo: tuple[float, float] | None = None
    categories: list[Text] = field(default_factory=list)
    url: str | None = None
    organizer: tuple[str, str] | None = None  # (name, URI): who holds the event, with a public page of theirs
    created: datetime | None = None
    rrule: str | None = None
    exdates: list[datetime] = field(default_factory=list)  # naive UTC instances removed from the rule
    recurrence_id: datetime | None = None  # naive UTC: the instance this record overrides
    transparent: bool = False
    klass: str | None = None  # PUBLIC, PRIVATE

    def sort_key(self):
        return (self.start, self.uid, self.recurrence_id or datetime.min)


@dataclass
class CalendarInfo:
    uid: str
    name: Text
    description: Text | None
    tz_name: str  # X-WR-TIMEZONE: the zone most of the feed is in
    refresh: timedelta = timedelta(hours=1)
    url: str | None = None  # where the feed itself lives (RFC 7986 SOURCE)
    stamp: datetime | None = None  # naive UTC: LAST-MODIFIED of the whole calendar
    color: str | None = None
    method: str | None = None  # iTIP METHOD of a file sent by mail (PUBLISH, CANCEL); a feed has none


# --- writing ---------------------------------------------------------------------------------


class Zones:
    """The zones used, with a fast path for the feed's own zone."""

    def __init__(self):
        self.used: dict[str, ZoneInfo] = {}

    def get(self, name: str) -> tuple[str, ZoneInfo]:
        tz = self.used.get(name)
        if tz is None:
            tz = zone(name)
            self.used[tz.key] = tz
            self.used.setdefault(name, tz)
        return tz.key, tz


def _when(lines: list, name: str, value: datetime, tzid: str, tz: ZoneInfo) -> None:
    text = local_text(value, tz)
    if text is None:
        lines.append(f"{name}:{utc_text(value)}")
    else:
        lines.append(fold(f"{name};TZID={param_value(tzid)}:{text}"))


def _text(lines: list, name: str, text: Text | None) -> None:
    if text is None or not text.value:
        return
    params = f";LANGUAGE={param_value(text.language)}" if text.language else ""
    lines.append(fold(f"{name}{params}:{escape_text(text.value)}"))


def write_event(lines: list, event: Vevent, zones: Zones) -> None:
    tzid, tz = zones.get(event.tz_name)
    lines.append("BEGIN:VEVENT")
    lines.append(fold(f"UID:{escape_text(event.uid)}"))
    stamp = utc_text(event.stamp)
    lines.append(f"DTSTAMP:{stamp}")
    if event.created is not None:
        lines.append(f"CREATED:{utc_text(event.created)}")
    lines.append(f"LAST-MODIFIED:{stamp}")
    lines.append(f"SEQUENCE:{int(event.sequence)}")
    if event.recurrence_id is not None:
        _when(lines, "RECURRENCE-ID", event.recurrence_id, tzid, tz)
    _when(lines, "DTSTART", event.start, tzid, tz)
    _when(lines, "DTEND", event.end, tzid, tz)
    if event.rrule:
        lines.append(fold(f"RRULE:{event.rrule}"))
    for exdate in event.exdates:
        _when(lines, "EXDATE", exdate, tzid, tz)
    _text(lines, "SUMMARY", event.summary)
    _text(lines, "DESCRIPTION", event.description)
    _text(lines, "LOCATION", event.location)
    if event.geo is not None:
        lines.append(f"GEO:{event.geo[0]:.6f};{event.geo[1]:.6f}")
    for category in event.categories:
        _text(lines, "CATEGORIES", category)
    if event.organizer is not None:
        name, uri = event.organizer
        lines.append(fold(f"ORGANIZER;CN={param_value(name)}:{uri}"))
    if event.url:
        lines.append(fold(f"URL:{event.url}"))
    lines.append(f"STATUS:{event.status}")
    if event.klass:
        lines.append(f"CLASS:{event.klass}")
    lines.append("TRANSP:TRANSPARENT" if event.transparent else "TRANSP:OPAQUE")
    lines.append("END:VEVENT")


def render(info: CalendarInfo, events: list[Vevent]) -> bytes:
    """The whole VCALENDAR as UTF-8 bytes (METHOD only for a file sent by mail: a feed is not an invitation)."""
    zones = Zones()
    return assemble(info, [events_text(events, zones)], zones)


def events_text(events: list[Vevent], zones: Zones) -> str:
    """The VEVENTs, in order, as lines joined by CRLF (no final line break); ``zones`` records the zones used."""
    body: list[str] = []
    for event in sorted(events, key=Vevent.sort_key):
        write_event(body, event, zones)
    return CRLF.join(body)


def assemble(info: CalendarInfo, parts: list[str], zones: Zones) -> bytes:
    """The VCALENDAR around ``parts`` (texts of ``events_text``), with a VTIMEZONE for every zone in ``zones``."""
    calendar_tzid, _ = zones.get(info.tz_name)

    head = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if info.method:
        head.append(f"METHOD:{info.method}")
    head.append(fold(f"UID:{escape_text(info.uid)}"))
    _text(head, "NAME", info.name)
    _text(head, "X-WR-CALNAME", info.name)
    _text(head, "DESCRIPTION", info.description)
    _text(head, "X-WR-CALDESC", info.description)
    head.append(fold(f"X-WR-TIMEZONE:{calendar_tzid}"))
    if info.stamp is not None:
        head.append(f"LAST-MODIFIED:{utc_text(info.stamp)}")
    if info.url:
        head.append(fold(f"SOURCE;VALUE=URI:{info.url}"))
    if info.color:
        head.append(f"COLOR:{info.color}")
    refresh = duration_text(info.refresh)
    head.append(f"REFRESH-INTERVAL;VALUE=DURATION:{refresh}")
    head.append(f"X-PUBLISHED-TTL:{refresh}")
    for key in sorted({tz.key for tz in zones.used.values()}):
        head.append(vtimezone(key).rstrip(CRLF))
    return (CRLF.join(head + [part for part in parts if part] + ["END:VCALENDAR"]) + CRLF).encode("utf-8")
