"""/<lang>/figures/: the open figures, public, for a calendar year (``?year=``, default this one)."""

from datetime import date

from flask import abort, render_template, request
from flask_babel import gettext as _

from reports import bp, charts
from reports.choices import today, year_of
from reports.open_figures import collect
from reports.report import GROUPING_LABELS
from reports.views import rtl, weekday_names

YEARS_SHOWN = 5


def year_asked() -> int | None:
    """The year of ``?year=`` (default this one); None when it is not a year we show."""
    raw = request.args.get("year", "")
    this_year = today().year
    if not raw:
        return this_year
    if not raw.isdigit() or not this_year - 20 <= int(raw) <= this_year + 1:
        return None
    return int(raw)


@bp.route("/figures/")
def figures():
    year = year_asked()
    if year is None:
        abort(404)
    data = collect(year_of(date(year, 1, 1)))
    shown = [cell for cell in data.tables["centre"] if not cell.suppressed]
    bars = charts.bars([(c.label, c.figures.utilisation or 0, None, f"{c.figures.utilisation or 0:g} %")
                        for c in shown], rtl())
    return render_template("reports/figures.html", data=data, year=year, bars=bars, groupings=GROUPING_LABELS,
                           years=list(range(today().year, today().year - YEARS_SHOWN, -1)),
                           weekday_labels=weekday_names(), heading=_("Open figures %(year)d", year=year))
