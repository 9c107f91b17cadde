"""/<lang>/reports/ for admins (every centre) and managers (their centres), with its exports."""

from datetime import date

from flask import abort, make_response, render_template, request
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

import i18n
from reports import bp, charts, demand, exports
from reports.choices import (
    ChoiceError,
    describe_period,
    grouping_from,
    may_report,
    period_from,
    quick_periods,
    scope_for,
)
from reports.report import GROUPING_LABELS, Labels, build


def asked():
    """(period, grouping, scope) from the query string; raises ChoiceError."""
    period = period_from(request.args.get("start"), request.args.get("end"))
    group_by = grouping_from(request.args.get("group_by"))
    return period, group_by, scope_for(current_user, request.args.get("centre"))


def weekday_names() -> list[str]:
    """Abbreviated weekday names in the page's language, Monday first."""
    return [get_locale().days["stand-alone"]["abbreviated"][day] for day in range(7)]


def month_label(key: str) -> str:
    """A month's short name on the time axis ("Mar"; January and the first with the year)."""
    year, month = (int(part) for part in key.split("-"))
    return format_date(date(year, month, 1), "MMM yy" if month == 1 else "MMM")


def rtl() -> bool:
    return i18n.language_info(str(get_locale())).direction == "rtl"


def refused(error: ChoiceError):
    """The report's form with the translated reason a parameter cannot be used (400)."""
    return render_template("reports/index.html", error=error, report=None, args=request.args,
                           quick=quick_periods(), groupings=GROUPING_LABELS,
                           centres=scope_for(current_user, None).centres), 400


def chart_rows(report, key="hours"):
    rows = []
    for group in report.groups:
        value = getattr(group.figures, key)
        previous = getattr(group.previous, key) if group.previous else None
        rows.append((group.label, value, previous, f"{value:g}"))
    return rows


@bp.route("/reports/")
@login_required
def index():
    if not may_report(current_user):
        abort(403)
    try:
        period, group_by, scope = asked()
    except ChoiceError as error:
        return refused(error)
    report = build(period, scope.centre_ids, group_by, heat=True)
    months = report if group_by == "month" else build(period, scope.centre_ids, "month")
    names = weekday_names()
    centre_names = {c.id: c.display_name() for c in scope.centres}
    return render_template(
        "reports/index.html", error=None, report=report, args=request.args, quick=quick_periods(),
        groupings=GROUPING_LABELS, centres=scope.centres, chosen=scope.centre, period_text=describe_period(period),
        previous_text=describe_period(report.previous_period), columns=exports.COLUMNS,
        bars=charts.bars(chart_rows(report), rtl()),
        series=charts.series([(month_label(g.key), g.figures.hours, g.previous.hours if g.previous else None)
                              for g in months.groups if g.key], rtl()),
        month_groups=[g for g in months.groups if g.key],
        heat=[(centre_names.get(cid, str(cid)), grid, charts.heat_map(grid, names, rtl()))
              for cid, grid in sorted(report.heat.items(), key=lambda item: centre_names.get(item[0], ""))],
        weekday_labels=names, hours=list(charts.HOURS),
        demand=demand.table(period, scope.centre_ids, group_by, Labels),
    )


def _export(kind: str):
    if not may_report(current_user):
        abort(403)
    try:
        period, group_by, scope = asked()
    except ChoiceError as error:  # a download link edited by hand: the form, with what is wrong
        return refused(error)
    report = build(period, scope.centre_ids, group_by)
    rows = exports.table(report)
    name = f"report-{period.start:%Y%m%d}-{period.end:%Y%m%d}-{group_by}"
    if kind == "csv":
        response = make_response(exports.to_csv(rows))
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    else:
        title = _("Report: %(grouping)s", grouping=GROUPING_LABELS[group_by]())
        scope_text = scope.centre.display_name() if scope.centre else _("All centres")
        response = make_response(exports.to_xlsx(rows, title, f"{describe_period(period)} · {scope_text}", rtl()))
        response.headers["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@bp.route("/reports/report.csv")
@login_required
def export_csv():
    return _export("csv")


@bp.route("/reports/report.xlsx")
@login_required
def export_xlsx():
    return _export("xlsx")
