"""A report: the figures of a period grouped one way, with their totals and the same period a year
earlier beside them, labelled in the page's language. Pages, exports and the API all build it here."""

from dataclasses import dataclass, field
from datetime import date

from babel import Locale
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from accounts.forms import KIND_LABELS
from centres.models import Centre, Room
from events.models import AUDIENCES, Category
from extensions import db
from programmes.models import Programme
from reports import capacity, queries
from reports.queries import GROUPINGS, Figures, Period

GROUPING_LABELS = {
    "centre": lambda: _("Centre"), "room": lambda: _("Room"), "category": lambda: _("Category"),
    "audience": lambda: _("Audience"), "language": lambda: _("Event language"),
    "kind": lambda: _("Association kind"), "programme": lambda: _("Programmes"), "month": lambda: _("Month"),
}
assert set(GROUPING_LABELS) == set(GROUPINGS)


@dataclass
class Group:
    key: object
    label: str
    figures: Figures
    previous: Figures | None = None


@dataclass
class Report:
    period: Period
    group_by: str
    centre_ids: list[int] | None
    groups: list[Group]
    totals: Figures
    previous_period: Period | None = None
    previous_totals: Figures | None = None
    heat: dict = field(default_factory=dict)  # {centre id: 7 × 24}, for pages only


def _figures_of(period: Period, centre_ids, group_by: str):
    """({key: Figures}, totals, the bookable hours of a key) for the period."""
    groups, totals = queries.figures(period, centre_ids, group_by)
    by, total_capacity = capacity.bookable_hours(period, centre_ids)

    def capacity_of(key) -> float:
        return by[group_by].get(key, 0.0) if group_by in by else total_capacity

    for key, figures in groups.items():
        figures.capacity_hours = capacity_of(key)
    totals.capacity_hours = total_capacity
    return groups, totals, capacity_of


def build(period: Period, centre_ids, group_by: str, *, compare: bool = True, heat: bool = False) -> Report:
    """``centre_ids`` None: every centre (admins); else only these (a manager's)."""
    groups, totals, capacity_of = _figures_of(period, centre_ids, group_by)
    report = Report(period, group_by, centre_ids, [], totals)
    previous = {}
    if compare:
        report.previous_period = period.year_earlier()
        previous, report.previous_totals, _ = _figures_of(report.previous_period, centre_ids, group_by)
        if group_by == "month":  # beside each month: the same month a year earlier
            previous = {_year_later(key): value for key, value in previous.items()}
    labels = Labels(group_by)
    for key in set(groups) | set(previous):
        # a group with dates a year earlier and none now: zero, with its bookable hours
        current = groups.get(key) or Figures(capacity_hours=capacity_of(key))
        report.groups.append(Group(key, labels(key), current, previous.get(key)))
    report.groups.sort(key=lambda g: (g.key is None, g.key if group_by == "month" else g.label.casefold()))
    if heat:
        report.heat = queries.heat_map(period, centre_ids)
    return report


def _year_later(month):
    if month is None:
        return None
    year, number = month.split("-")
    return f"{int(year) + 1:04d}-{number}"


class Labels:
    """The label of a group's key in the page's language."""

    def __init__(self, group_by: str):
        self.group_by = group_by
        self.lang = str(get_locale() or "en")
        if group_by == "centre":
            self.names = {c.id: c.display_name(self.lang) for c in db.session.scalars(select(Centre))}
        elif group_by == "room":
            self.names = {r.id: f"{r.name} ({r.centre.display_name(self.lang)})"
                          for r in db.session.scalars(select(Room).options(joinedload(Room.centre)))}
        elif group_by == "category":
            self.names = {c.key: c.display_name(self.lang) for c in Category.ordered()}
        elif group_by == "programme":
            self.names = {p.id: p.display_name(self.lang) for p in db.session.scalars(select(Programme))}
        else:
            self.names = {}

    def __call__(self, key) -> str:
        if key is None:
            return self.missing()
        if self.group_by == "audience":
            return str(AUDIENCES.get(key, key))
        if self.group_by == "kind":
            return str(KIND_LABELS.get(key, key))
        if self.group_by == "language":
            return language_name(key, self.lang)
        if self.group_by == "month":
            year, month = (int(part) for part in key.split("-"))
            return format_date(date(year, month, 1), "LLLL yyyy")
        return self.names.get(key, str(key))

    def missing(self) -> str:
        if self.group_by == "kind":
            return _("The centre's own")
        if self.group_by == "room":
            return _("No room")
        if self.group_by == "category":
            return _("No public event")
        if self.group_by == "programme":
            return _("In no programme")
        return _("None given")


def language_name(code: str, lang: str) -> str:
    try:
        return Locale.parse(code).get_display_name(lang) or code
    except (ValueError, TypeError, LookupError):
        return code
