"""The open figures: the public, aggregated part of the reports, for the council and the public.

No personal data, and no small cells: a row (a centre, a kind of association,
a category, a language, a month, a centre's weekday) whose dates come from
fewer than ``FIGURES_MIN_COUNT`` associations (default 3) shows no figure but
"suppressed". When a table has exactly one suppressed row, the next smallest
is suppressed too (secondary suppression), so the total minus the shown rows
cannot give a suppressed row back; a total from too few associations is
suppressed as well, and with it every row.
"""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from bookings.models import APPROVED, Booking, Occurrence
from extensions import db
from reports import capacity, demand
from reports.queries import Figures, Period, date_filter
from reports.report import Labels, build
from reports.sql import weekday_of

PUBLISHED = ("associations", "dates", "hours", "utilisation", "events", "multilingual", "free", "participants")
TABLES = ("centre", "kind", "category", "language", "month")
DEMAND_TABLES = ("centre", "kind", "month")
DEMAND_PUBLISHED = ("refused", "waiting", "served")


@dataclass
class Cell:
    key: object
    label: str
    figures: Figures | None  # None: suppressed
    associations: int = 0

    @property
    def suppressed(self) -> bool:
        return self.figures is None


def min_count() -> int:
    return int(current_app.config.get("FIGURES_MIN_COUNT", 3))


def suppress(cells: list[Cell], total_associations: int, threshold: int) -> list[Cell]:
    """Primary and secondary suppression of one table (see the module's docstring)."""
    if total_associations < threshold:
        for cell in cells:
            cell.figures = None
        return cells
    for cell in cells:
        if cell.associations < threshold:
            cell.figures = None
    hidden = [cell for cell in cells if cell.suppressed]
    if len(hidden) == 1:
        shown = sorted((cell for cell in cells if not cell.suppressed), key=lambda c: (c.associations, c.label))
        if shown:
            shown[0].figures = None
    return cells


def table(period: Period, group_by: str, threshold: int) -> tuple[list[Cell], Figures | None]:
    report = build(period, None, group_by, compare=False)
    cells = [Cell(g.key, g.label, g.figures, g.figures.associations) for g in report.groups if g.figures.dates]
    cells = suppress(cells, report.totals.associations, threshold)
    totals = report.totals if report.totals.associations >= threshold else None
    return cells, totals


def weekdays(period: Period, threshold: int, centre_associations: dict) -> list:
    """[(centre name, [Cell per weekday, Monday first])]: utilisation per centre and weekday.

    ``centre_associations``: {centre id: distinct associations} from the centres' table; each
    centre's row of weekdays is suppressed on its own (primary and secondary).
    """
    o = Occurrence
    inner = (select(o.booking_id, weekday_of(o.local_start).label("weekday"), func.count().label("dates"),
                    func.sum(o.minutes).label("minutes"))
             .where(date_filter(period, None), o.status == APPROVED)
             .group_by(o.booking_id, weekday_of(o.local_start)).subquery())
    query = (select(Booking.centre_id, inner.c.weekday, func.count(func.distinct(Booking.association_id)),
                    func.sum(inner.c.dates), func.sum(inner.c.minutes))
             .select_from(inner).join(Booking, Booking.id == inner.c.booking_id)
             .group_by(Booking.centre_id, inner.c.weekday))
    found = {}
    for centre_id, sunday_first, associations, dates, minutes in db.session.execute(query):
        found[(centre_id, (int(sunday_first) - 1) % 7)] = (associations, dates, float(minutes or 0) / 60.0)
    by_day = capacity.weekday_hours(period)
    names = Labels("centre")
    rows = []
    for centre_id in {key[0] for key in found}:
        cells = []
        for day in range(7):
            associations, dates, hours = found.get((centre_id, day), (0, 0, 0.0))
            cells.append(Cell(day, "", Figures(dates=dates, hours=round(hours, 2), associations=associations,
                                               capacity_hours=by_day.get((centre_id, day), 0.0)), associations))
        suppress([cell for cell in cells if cell.figures.dates], centre_associations.get(centre_id, 0), threshold)
        rows.append((names(centre_id), cells))
    return sorted(rows, key=lambda row: row[0].casefold())


def demand_tables(period: Period, threshold: int) -> tuple[dict, demand.Demand | None]:
    """Unmet demand by centre, kind and month, suppressed as every other table (reports.demand)."""
    tables, totals = {}, None
    for group_by in DEMAND_TABLES:
        groups, table_totals = demand.demand(period, None, group_by)
        names = Labels(group_by)
        cells = [Cell(key, names(key), figures, figures.associations) for key, figures in groups.items()]
        cells.sort(key=lambda cell: str(cell.key) if group_by == "month" else cell.label.casefold())
        tables[group_by] = suppress(cells, table_totals.associations, threshold)
        totals = table_totals if table_totals.associations >= threshold else None
    return tables, totals


def published(figures: Figures | None) -> dict | None:
    if figures is None:
        return None
    return {key: getattr(figures, key) for key in PUBLISHED}


@dataclass
class OpenFigures:
    period: Period
    threshold: int
    tables: dict  # {grouping: [Cell]}
    totals: Figures | None
    weekdays: list  # [(centre name, [Cell × 7])]
    demand: dict  # {grouping: [Cell of reports.demand.Demand]}
    demand_totals: object  # reports.demand.Demand, None when suppressed


def collect(period: Period) -> OpenFigures:
    threshold = min_count()
    tables, totals = {}, None
    for group_by in TABLES:
        tables[group_by], table_totals = table(period, group_by, threshold)
        totals = totals or table_totals
    centre_associations = {cell.key: cell.associations for cell in tables["centre"]}
    unmet, unmet_totals = demand_tables(period, threshold)
    return OpenFigures(period, threshold, tables, totals, weekdays(period, threshold, centre_associations), unmet,
                       unmet_totals)


def as_json(figures: OpenFigures) -> dict:
    def cells(items):
        return [{"key": cell.key, "label": cell.label, "suppressed": cell.suppressed, **(published(cell.figures) or {})}
                for cell in items]

    return {
        "period": {"start": figures.period.start.isoformat(), "end": figures.period.end.isoformat()},
        "min_count": figures.threshold,
        "totals": published(figures.totals) if figures.totals else {"suppressed": True},
        "groups": {name: cells(items) for name, items in figures.tables.items()},
        "unmet_demand": {
            "totals": ({key: getattr(figures.demand_totals, key) for key in DEMAND_PUBLISHED}
                       if figures.demand_totals else {"suppressed": True}),
            "groups": {name: [{"key": cell.key, "label": cell.label, "suppressed": cell.suppressed,
                               **({} if cell.suppressed else {key: getattr(cell.figures, key) for key in DEMAND_PUBLISHED})}
                              for cell in items] for name, items in figures.demand.items()},
        },
        "weekdays": [{"centre": name, "days": [
            {"weekday": cell.key, "suppressed": cell.suppressed,
             **({} if cell.suppressed else {"dates": cell.figures.dates, "hours": cell.figures.hours,
                                             "utilisation": cell.figures.utilisation})} for cell in days]}
            for name, days in figures.weekdays],
    }
