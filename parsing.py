"""Reading what people and programs type: ISO 8601 dates and times, ids and language tags.

One reader for the JSON API, the pages' query strings and the command line.
Every function raises ValueError for anything it does not accept, whatever
the input (None, numbers, overlong text, year 0 or 9999): callers turn that
into their own translated message.
"""

import re
from datetime import date, datetime, time, timedelta

from timeutil import to_utc_naive, zone

# Dates far outside any calendar are refused; this also keeps timedelta arithmetic safe.
MIN_YEAR, MAX_YEAR = 1970, 2200
MAX_ISO = 40  # the longest date-time text read
MAX_ID = 2**31 - 1  # ids are the databases' 32-bit integers
# The URL converter for ids: larger numbers are a 404, never an overflow in the database.
ID = f"int(max={MAX_ID})"

LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
TRUE, FALSE = frozenset({"1", "true", "yes", "on"}), frozenset({"0", "false", "no", "off"})


LINE_BREAKS = "\r\n\x85\u2028\u2029"


def is_single_line(text: str) -> bool:
    """No line break and no other control character: what a title, a name or a mail subject may hold (a CR/LF
    in a title would become a header of every mail about it)."""
    return not any(ord(ch) < 32 or ord(ch) == 127 or ch in LINE_BREAKS for ch in text)


def _text(value) -> str:
    if not isinstance(value, str):
        raise ValueError(value)
    text = value.strip()
    if not text or len(text) > MAX_ISO:
        raise ValueError(value)
    return text


def _in_range(parsed):
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ValueError(parsed)
    return parsed


def parse_date(value) -> date:
    """``2027-03-30``."""
    text = _text(value)
    if len(text) != 10:
        raise ValueError(value)
    return _in_range(date.fromisoformat(text))


def parse_datetime(value) -> datetime:
    """``2027-03-30T18:00``, with an optional offset (``Z`` too); a date alone is not a date-time."""
    text = _text(value)
    if len(text) <= 10:
        raise ValueError(value)
    parsed = datetime.fromisoformat(text.replace(" ", "T", 1).replace("z", "Z").replace("Z", "+00:00"))
    return _in_range(parsed).replace(microsecond=0)


def parse_when(value) -> date | datetime:
    """A date or a date-time."""
    text = _text(value)
    return parse_date(text) if len(text) == 10 else parse_datetime(text)


def parse_day(value) -> date:
    """A date, or the day of a date-time (``until`` of a series: ``2027-06-30`` or ``2027-06-30T00:00``)."""
    parsed = parse_when(value)
    return parsed.date() if isinstance(parsed, datetime) else parsed


def parse_local(value, tz_name) -> datetime:
    """A date-time as the naive wall-clock time in ``tz_name`` (an offset is converted)."""
    parsed = parse_datetime(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(zone(tz_name)).replace(tzinfo=None)
    return parsed


def to_utc(value: date | datetime, tz_name, *, end: bool = False) -> datetime:
    """A range bound as naive UTC: dates and naive date-times are local to ``tz_name``;
    an end given as a date means the end of that day."""
    if not isinstance(value, datetime):
        value = datetime.combine(value + timedelta(days=1) if end else value, time.min)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(tz_name))
    return to_utc_naive(value)


def parse_bound(value, tz_name, *, end: bool = False) -> datetime:
    """A range parameter (``start``/``end``: a date or a date-time) as naive UTC."""
    return to_utc(parse_when(value), tz_name, end=end)


def is_int(value) -> bool:
    """A JSON integer (true and false are not numbers here)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_id(value) -> bool:
    """A JSON value that can be a row's id."""
    return is_int(value) and 0 < value <= MAX_ID


def parse_id(value) -> int:
    """An id given as a number or as text (a form field, a query parameter)."""
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 10:
        value = int(value.strip())
    if not is_id(value):
        raise ValueError(value)
    return value


def parse_language(value) -> str:
    """A BCP 47 language tag as written in events and feeds (``de``, ``tr``, ``sr-Latn``)."""
    if not isinstance(value, str) or len(value) > 35 or not LANGUAGE_TAG.match(value):
        raise ValueError(value)
    return value


def parse_flag(value) -> bool:
    """``1``/``true``/``yes``/``on`` or ``0``/``false``/``no``/``off``."""
    text = (value or "").strip().lower() if isinstance(value, str) else None
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(value)
