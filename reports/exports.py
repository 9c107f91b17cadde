"""A report as rows: the columns every export shares, as CSV (UTF-8 with a byte order mark, so Excel
and LibreOffice read umlauts and Arabic right) and as XLSX (openpyxl)."""

import csv
import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from reports.report import GROUPING_LABELS, Report

COLUMNS = {  # the figure's key (as in the API) → its column header
    "bookings": lambda: _("Bookings approved"),
    "cancelled": lambda: _("Bookings cancelled"),
    "rejected": lambda: _("Bookings rejected"),
    "dates": lambda: _("Dates held"),
    "dates_cancelled": lambda: _("Dates cancelled"),
    "hours": lambda: _("Booked hours"),
    "capacity_hours": lambda: _("Bookable hours"),
    "utilisation": lambda: _("Utilisation") + " (%)",
    "associations": lambda: _("Associations"),
    "new_associations": lambda: _("New associations"),
    "events": lambda: _("Public events"),
    "event_dates": lambda: _("Event dates"),
    "multilingual": lambda: _("Multilingual offers"),
    "free": lambda: _("Free offers"),
    "participants": lambda: _("Participants"),
    "counted_dates": lambda: _("Dates with a participant count"),
    "cooperations": lambda: _("Cooperations"),
    "cross_community": lambda: _("Cross-community cooperations"),
    "first_time": lambda: _("First-time cooperations"),
}


def value(figures, key):
    if figures is None:
        return None
    result = getattr(figures, key)
    return round(result, 2) if isinstance(result, float) else result


def table(report: Report, machine: bool = False) -> list[list]:
    """Header and rows: a row per group, then the totals; each figure followed by its value a year earlier.

    ``machine``: the API's keys as headers (``hours``, ``hours_year_earlier``), else translated ones.
    """
    group = "key" if machine else GROUPING_LABELS[report.group_by]()
    header = [group] if not machine else ["key", "label"]
    for key, label in COLUMNS.items():
        header += [key, f"{key}_year_earlier"] if machine else [label(), _("%(figure)s, a year earlier",
                                                                          figure=label())]
    rows = [header]
    for item in report.groups:
        head = [item.key, item.label] if machine else [item.label]
        rows.append(head + _figures_row(item.figures, item.previous))
    total = ["total", _("Total")] if machine else [_("Total")]
    rows.append(total + _figures_row(report.totals, report.previous_totals))
    return rows


def _figures_row(figures, previous) -> list:
    row = []
    for key in COLUMNS:
        row += [value(figures, key), value(previous, key)]
    return row


def to_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(rows, title: str, subtitle: str, rtl: bool) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Report")[:31]
    sheet.sheet_view.rightToLeft = rtl
    sheet.append([title])
    sheet.append([subtitle])
    sheet.append([])
    for row in rows:
        sheet.append(row)
    sheet["A1"].font = Font(bold=True, size=14)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B5"
    sheet.column_dimensions["A"].width = 34
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
