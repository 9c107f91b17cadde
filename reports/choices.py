"""What a report is asked for: the period, the centres the asker may see, the grouping.

The page's filter form and the API read the same parameters (``start``, ``end``,
``centre``, ``group_by``) and ask here, so both answer the same.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from centres.models import Centre
from extensions import db
from parsing import parse_date
from reports.queries import GROUPINGS, Period
from timeutil import DEFAULT_TIMEZONE, local_wall_time, utcnow

LONGEST_PERIOD_DAYS = 5 * 366 + 1


class ChoiceError(ValueError):
    """A parameter that cannot be used: ``field`` and a translated message."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def today() -> date:
    return local_wall_time(utcnow(), DEFAULT_TIMEZONE).date()


def month_of(day: date) -> Period:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return Period(day.replace(day=1), following - timedelta(days=1))


def quarter_of(day: date) -> Period:
    first = day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    return Period(first, month_of(first.replace(month=first.month + 2)).end)


def year_of(day: date) -> Period:
    return Period(date(day.year, 1, 1), date(day.year, 12, 31))


def quick_periods(day: date | None = None) -> list[tuple[str, Period]]:
    """The periods offered as links above the form: this and last month, quarter and year."""
    day = day or today()
    month, quarter, year = month_of(day), quarter_of(day), year_of(day)
    return [
        (_("This month"), month), (_("Last month"), month_of(month.start - timedelta(days=1))),
        (_("This quarter"), quarter), (_("Last quarter"), quarter_of(quarter.start - timedelta(days=1))),
        (_("This year"), year), (_("Last year"), year_of(year.start - timedelta(days=1))),
    ]


def _date_or_none(value) -> date | None:
    try:
        return parse_date(value or "")
    except (TypeError, ValueError):
        return None


def period_from(start: str | None, end: str | None) -> Period:
    """``start``/``end`` as ISO dates (end included); missing: this month. Raises ChoiceError."""
    if not start and not end:
        return month_of(today())
    first, last = _date_or_none(start), _date_or_none(end)
    if first is None:
        raise ChoiceError("start", _("Please give the first day as a date (YYYY-MM-DD)."))
    if last is None:
        raise ChoiceError("end", _("Please give the last day as a date (YYYY-MM-DD)."))
    if last < first:
        raise ChoiceError("end", _("The last day must not be before the first."))
    if (last - first).days >= LONGEST_PERIOD_DAYS:
        raise ChoiceError("end", _("A report covers at most five years."))
    return Period(first, last)


def grouping_from(value: str | None) -> str:
    if not value:
        return "centre"
    if value not in GROUPINGS:
        raise ChoiceError("group_by", _("Please choose one of: %(choices)s.", choices=", ".join(GROUPINGS)))
    return value


@dataclass(frozen=True)
class Scope:
    centres: list  # the centres the asker may report on, by name
    centre_ids: list[int] | None  # None: every centre (admins, no filter)
    centre: Centre | None  # the one chosen, if any


def visible_centres(user) -> list:
    if user.is_admin:
        return list(db.session.scalars(select(Centre).order_by(Centre.slug)))
    return sorted(user.managed_centres, key=lambda c: c.slug)


def may_report(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_admin or user.is_manager))


def scope_for(user, slug: str | None) -> Scope:
    """The centres a report covers. Raises ChoiceError for a centre the asker may not see (or none)."""
    centres = visible_centres(user)
    if slug:
        chosen = next((c for c in centres if c.slug == slug), None)
        if chosen is None and user.is_admin:
            raise ChoiceError("centre", _("There is no such centre."))
        if chosen is None:
            raise ChoiceError("centre", _("You can report only on the centres you manage."))
        return Scope(centres, [chosen.id], chosen)
    return Scope(centres, None if user.is_admin else [c.id for c in centres], None)


def describe_period(period: Period) -> str:
    return _("%(start)s to %(end)s", start=format_date(period.start, "medium"), end=format_date(period.end, "medium"))
