"""VTIMEZONE components from a zone's current yearly rules (RRULE-based, never RDATE lists).

Outlook mis-reads the VTIMEZONE that generators build from a list of past
transitions (RDATEs) and shifts events by an hour; every client understands
the classic form: one STANDARD and one DAYLIGHT part, each with a yearly
RRULE (``FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU``). We build exactly that from the
rule the zone follows today: the POSIX TZ string at the end of its TZif file
(``CET-1CEST,M3.5.0,M10.5.0/3`` for Europe/Berlin), read from the same place
``zoneinfo`` reads the zone from.

``Mm.w.d/time`` means "weekday d (0 = Sunday) of week w (5 = last) of month m,
at time"; a time outside 0–24 h (Israel, Greenland, Chile, Egypt) moves the day,
which becomes ``BYDAY`` plus the ``BYMONTHDAY`` values it can fall on. Every
rule is checked against the zone itself (the instants of the next years'
transitions); should a rule ever not reproduce them, the zone gets the rule of
its current offset only and a warning is logged — never a wrong rule.

Europe/Berlin, the city's zone, is also kept as a fixed text (``FIXED``); a
test checks that the builder gives the same bytes.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo

from dateutil.rrule import FR, MO, SA, SU, TH, TU, WE, YEARLY, rrule

log = logging.getLogger(__name__)

CRLF = "\r\n"
ICAL_DAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")  # POSIX numbering: 0 = Sunday
_DATEUTIL_DAYS = (SU, MO, TU, WE, TH, FR, SA)
SHORTEST_MONTH = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}
EPOCH_YEAR = 1970  # DTSTART of each part: the rule's first instance in 1970, as tzurl.org and Outlook write it

FIXED = {
    "Europe/Berlin": CRLF.join([
        "BEGIN:VTIMEZONE",
        "TZID:Europe/Berlin",
        "X-LIC-LOCATION:Europe/Berlin",
        "BEGIN:DAYLIGHT",
        "TZNAME:CEST",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "DTSTART:19700329T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZNAME:CET",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "DTSTART:19701025T030000",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]) + CRLF,
}


# --- the POSIX TZ string ------------------------------------------------------------


def tzif_footer(key: str) -> str | None:
    """The POSIX TZ string of a zone's TZif file (version 2 or later), from where zoneinfo finds it."""
    if not key or ".." in key or key.startswith("/"):
        return None
    data = None
    for base in TZPATH:
        path = Path(base, key)
        if path.is_file():
            data = path.read_bytes()
            break
    if data is None:
        try:
            package, _, name = ("tzdata.zoneinfo/" + key).rpartition("/")
            data = resources.files(package.replace("/", ".")).joinpath(name).read_bytes()
        except (ModuleNotFoundError, FileNotFoundError, OSError, ValueError):
            return None
    if not data.startswith(b"TZif") or data[4:5] < b"2":
        return None
    footer = data.rstrip(b"\n").rsplit(b"\n", 1)[-1]
    return footer.decode("ascii", "replace")


_NAME = r"(<[^>]+>|[A-Za-z]{3,})"
_OFFSET = r"([+-]?\d{1,2}(?::\d{2}){0,2})"
_RULE = r"M(\d{1,2})\.(\d)\.(\d)(?:/([+-]?\d{1,3}(?::\d{2}){0,2}))?"
_POSIX = re.compile(rf"^{_NAME}{_OFFSET}(?:{_NAME}{_OFFSET}?,{_RULE},{_RULE})?$")


def _seconds(value: str) -> int:
    sign = -1 if value.startswith("-") else 1
    parts = [int(p) for p in value.lstrip("+-").split(":")]
    parts += [0] * (3 - len(parts))
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


@dataclass(frozen=True)
class Transition:
    """A yearly change: in ``month``, weekday ``weekday`` (0 = Sunday) of week ``week`` (5 = last), at ``at`` seconds."""

    month: int
    week: int
    weekday: int
    at: int  # seconds after midnight of that day, local time before the change (may be < 0 or >= 24 h)


@dataclass(frozen=True)
class PosixRule:
    std_name: str
    std_offset: int  # seconds east of UTC
    dst_name: str | None = None
    dst_offset: int | None = None
    dst_start: Transition | None = None
    dst_end: Transition | None = None


def parse_posix(value: str) -> PosixRule | None:
    match = _POSIX.match(value or "")
    if not match:
        return None
    g = match.groups()
    std_name, std_offset = g[0].strip("<>"), -_seconds(g[1])  # POSIX offsets count west of UTC
    if g[2] is None:
        return PosixRule(std_name, std_offset)
    dst_offset = -_seconds(g[3]) if g[3] else std_offset + 3600

    def transition(month, week, weekday, at):
        return Transition(int(month), int(week), int(weekday), _seconds(at) if at else 7200)

    return PosixRule(std_name, std_offset, g[2].strip("<>"), dst_offset,
                     transition(*g[4:8]), transition(*g[8:12]))


# --- from a rule to RRULE text -------------------------------------------------------


def _days_of(t: Transition, year: int) -> date:
    """The day (local) on which the transition happens in ``year`` (the time may move it)."""
    first = date(year, t.month, 1)
    offset = (t.weekday - (first.isoweekday() % 7)) % 7
    day = first + timedelta(days=offset + 7 * (t.week - 1))
    if t.week == 5:
        while day.month != t.month:
            day -= timedelta(days=7)
    return day + timedelta(days=t.at // 86400)


def _rrules_of(t: Transition) -> list[str]:
    """RRULE texts giving the transition's day each year (two when a moved day may fall into the next month)."""
    shift = t.at // 86400
    weekday = ICAL_DAYS[(t.weekday + shift) % 7]
    if shift == 0:
        ordinal = -1 if t.week == 5 else t.week
        return [f"FREQ=YEARLY;BYMONTH={t.month};BYDAY={ordinal}{weekday}"]
    before, after = (t.month - 2) % 12 + 1, t.month % 12 + 1
    if t.week == 5:
        days = range(-7 + shift, shift)  # the last weekday falls on month day -7..-1; moved by the shift
        parts = {t.month: [d for d in days if d < 0], after: [d + 1 for d in days if d >= 0]}
        if days[0] < -28:
            raise ValueError("the moved day may fall into the month before")
    else:
        days = range(7 * (t.week - 1) + 1 + shift, 7 * t.week + 1 + shift)
        length = SHORTEST_MONTH[t.month]
        if days[-1] > length and t.month == 2:
            raise ValueError("the moved day depends on leap years")
        parts = {before: [d - 1 for d in days if d < 1], t.month: [d for d in days if 1 <= d <= length],
                 after: [d - length for d in days if d > length]}
    rules = []
    for month in (before, t.month, after):
        monthdays = parts.get(month)
        if monthdays:
            listed = ",".join(str(d) for d in monthdays)
            rules.append(f"FREQ=YEARLY;BYMONTH={month};BYDAY={weekday};BYMONTHDAY={listed}")
    return rules


def _offset_text(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _first_instance(rule_text: str, at: int, year: int) -> datetime:
    """The rule's first local date-time in ``year``: the part's DTSTART."""
    parts = dict(item.split("=") for item in rule_text.split(";"))
    kwargs = {"bymonth": int(parts["BYMONTH"])}
    byday = parts["BYDAY"]
    match = re.fullmatch(r"(-?\d)?([A-Z]{2})", byday)
    weekday = _DATEUTIL_DAYS[ICAL_DAYS.index(match.group(2))]
    kwargs["byweekday"] = weekday(int(match.group(1))) if match.group(1) else weekday
    if "BYMONTHDAY" in parts:
        kwargs["bymonthday"] = [int(d) for d in parts["BYMONTHDAY"].split(",")]
    first = rrule(YEARLY, dtstart=datetime(year, 1, 1), count=1, **kwargs)[0]  # the first year it happens
    return first + timedelta(seconds=at % 86400)


def _part(kind: str, name: str, offset_from: int, offset_to: int, start: datetime, rule_text: str | None) -> list[str]:
    lines = [f"BEGIN:{kind}", f"TZNAME:{name}", f"TZOFFSETFROM:{_offset_text(offset_from)}",
             f"TZOFFSETTO:{_offset_text(offset_to)}", f"DTSTART:{start:%Y%m%dT%H%M%S}"]
    if rule_text:
        lines.append(f"RRULE:{rule_text}")
    lines.append(f"END:{kind}")
    return lines


def _tzid_text(key: str) -> str:
    return key.replace("\\", "").replace(";", "").replace(",", "").replace(":", "").replace('"', "")


def _build(key: str, rule: PosixRule) -> str:
    tzid = _tzid_text(key)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tzid}", f"X-LIC-LOCATION:{tzid}"]
    if rule.dst_start is None:
        lines += _part("STANDARD", rule.std_name, rule.std_offset, rule.std_offset,
                       datetime(EPOCH_YEAR, 1, 1), None)
    else:
        for text in _rrules_of(rule.dst_start):
            start = _first_instance(text, rule.dst_start.at, EPOCH_YEAR)
            lines += _part("DAYLIGHT", rule.dst_name, rule.std_offset, rule.dst_offset, start, text)
        for text in _rrules_of(rule.dst_end):
            start = _first_instance(text, rule.dst_end.at, EPOCH_YEAR)
            lines += _part("STANDARD", rule.std_name, rule.dst_offset, rule.std_offset, start, text)
    lines.append("END:VTIMEZONE")
    return CRLF.join(lines) + CRLF


def _reproduces(key: str, rule: PosixRule, years: range) -> bool:
    """The rule gives the zone's real offsets around each transition of these years."""
    tz = ZoneInfo(key)
    if rule.dst_start is None:
        return all(datetime(y, m, 15, 12, tzinfo=UTC).astimezone(tz).utcoffset().total_seconds() == rule.std_offset
                   for y in years for m in (1, 7))
    for year in years:
        for t, before, after in ((rule.dst_start, rule.std_offset, rule.dst_offset),
                                 (rule.dst_end, rule.dst_offset, rule.std_offset)):
            day = _days_of(t, year)
            local = datetime(day.year, day.month, day.day) + timedelta(seconds=t.at % 86400)
            instant = (local - timedelta(seconds=before)).replace(tzinfo=UTC)
            just_before = (instant - timedelta(seconds=1)).astimezone(tz).utcoffset().total_seconds()
            just_after = instant.astimezone(tz).utcoffset().total_seconds()
            if (just_before, just_after) != (before, after):
                return False
    return True


@lru_cache(maxsize=64)
def vtimezone(key: str) -> str:
    """The VTIMEZONE text (CRLF lines) for a zone key such as ``Europe/Berlin``."""
    if key in FIXED:
        return FIXED[key]
    return build_vtimezone(key)


def build_vtimezone(key: str) -> str:
    rule = parse_posix(tzif_footer(key) or "")
    this_year = datetime.now(UTC).year
    years = range(this_year, this_year + 3)
    if rule is not None:
        try:
            if _reproduces(key, rule, years):
                return _build(key, rule)
        except ValueError:
            pass
    # No yearly rule we can write: the zone's offset of today, which is right until its next change.
    log.warning("No yearly VTIMEZONE rule for %s; using its current offset only", key)
    now = datetime.now(UTC).astimezone(ZoneInfo(key))
    offset = int(now.utcoffset().total_seconds())
    return _build(key, PosixRule(now.tzname() or "LMT", offset))
