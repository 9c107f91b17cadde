"""GET /api/v1/reports (admins; managers for their centres) and GET /api/v1/figures (public).

Reports: ``start``/``end`` (ISO dates, end included; default this month), ``centre``
(a slug), ``group_by`` (centre, room, category, audience, language, kind, programme, month;
default centre), ``lang`` for the labels. ``Accept: text/csv`` or ``format=csv``
(or the ``/reports.csv`` path) answers the same as CSV.
"""

from datetime import date

from flask import g, jsonify, make_response, request
from flask_babel import force_locale
from flask_babel import gettext as _

from api import bp
from api.auth import token_required
from api.errors import api_error
from api.openapi import STANDARD_ERRORS, describe
from api.views import requested_language
from reports import exports
from reports.choices import ChoiceError, grouping_from, may_report, period_from, scope_for, year_of
from reports.figures_views import year_asked
from reports.open_figures import as_json, collect
from reports.queries import GROUPINGS
from reports.report import build

FIGURE_KEYS = ("bookings", "cancelled", "rejected", "dates", "dates_cancelled", "hours", "capacity_hours",
               "utilisation", "associations", "new_associations", "events", "event_dates", "multilingual",
               "free", "participants", "counted_dates", "cooperations", "cross_community", "first_time")


def figures_json(figures) -> dict | None:
    if figures is None:
        return None
    return {key: exports.value(figures, key) for key in FIGURE_KEYS}


def report_json(report) -> dict:
    return {
        "period": {"start": report.period.start.isoformat(), "end": report.period.end.isoformat()},
        "previous_period": {"start": report.previous_period.start.isoformat(),
                            "end": report.previous_period.end.isoformat()},
        "group_by": report.group_by,
        "groups": [{"key": group.key, "label": group.label, **figures_json(group.figures),
                    "year_earlier": figures_json(group.previous)} for group in report.groups],
        "totals": {**figures_json(report.totals), "year_earlier": figures_json(report.previous_totals)},
    }


def wants_csv() -> bool:
    if request.path.endswith(".csv") or request.args.get("format") == "csv":
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv" and request.accept_mimetypes["text/csv"] > request.accept_mimetypes["application/json"]


@bp.get("/reports")
@bp.get("/reports.csv")
@token_required
def reports():
    user = g.api_user
    if not may_report(user):
        return api_error(403)
    with force_locale(requested_language()):
        try:
            period = period_from(request.args.get("start"), request.args.get("end"))
            group_by = grouping_from(request.args.get("group_by"))
            scope = scope_for(user, request.args.get("centre"))
        except ChoiceError as error:
            status = 403 if error.field == "centre" and not user.is_admin else 422
            return api_error(status, error.message, fields={error.field: [error.message]})
        report = build(period, scope.centre_ids, group_by)
        if wants_csv():
            response = make_response(exports.to_csv(exports.table(report, machine=True)))
            response.headers["Content-Type"] = "text/csv; charset=utf-8"
            response.headers["Content-Disposition"] = (
                f'attachment; filename="report-{period.start:%Y%m%d}-{period.end:%Y%m%d}-{group_by}.csv"')
            return response
        return jsonify(report_json(report))


@bp.get("/figures")
def figures():
    with force_locale(requested_language()):
        year = year_asked()
        if year is None:
            message = _("The input is not valid.")
            return api_error(422, message, fields={"year": [message]})
        return jsonify(as_json(collect(year_of(date(year, 1, 1)))))


FIGURES_SCHEMA = {"type": "object", "properties": {key: {"type": ["number", "null"]} for key in FIGURE_KEYS}}
describe(
    paths={
        "/reports": {"get": {
            "summary": "Figures for the integration office over a period (admins; managers: their centres)",
            "description": "Computed in the database. A date counts when it overlaps the period in its centre's "
                           "local time; hours are clipped to the period. `bookings` counts approved bookings, "
                           "`cancelled`/`rejected` the others; `dates` and `hours` approved dates only; "
                           "`utilisation` is booked ÷ bookable hours in per cent (for groupings other than "
                           "centre, room and month: of all bookable hours). Audience, language and programme "
                           "count an event in each of its values. `cooperations` counts events held by two "
                           "or more organisers (the booking association and accepted co-organisers), "
                           "`cross_community` those of different association kinds, `first_time` those "
                           "where two organisers had never held an event together before. `Accept: text/csv`, `format=csv` or `/reports.csv`: "
                           "the same as CSV (UTF-8 with BOM), each figure followed by `<figure>_year_earlier`.",
            "security": [{"bearer": []}],
            "parameters": [
                {"name": "start", "in": "query", "schema": {"type": "string", "format": "date"},
                 "description": "First day (default: the first of this month)."},
                {"name": "end", "in": "query", "schema": {"type": "string", "format": "date"},
                 "description": "Last day, included (default: the last of this month); at most five years."},
                {"name": "centre", "in": "query", "schema": {"type": "string"}, "description": "A centre's slug."},
                {"name": "group_by", "in": "query", "schema": {"type": "string", "enum": list(GROUPINGS),
                                                                "default": "centre"}},
                {"name": "lang", "in": "query", "schema": {"type": "string"}, "description": "Labels' language."},
            ],
            "responses": {
                "200": {"description": "The report.", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Report"}},
                    "text/csv": {"schema": {"type": "string"}}}},
                "401": STANDARD_ERRORS["401"],
                "403": {"description": "Not an admin or manager, or a centre the manager does not manage.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "422": {"description": "Invalid period or grouping (fields).",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        }},
        "/figures": {"get": {
            "summary": "The open figures of a calendar year (public, no personal data)",
            "description": "Groups by centre, association kind, category, event language and month, and "
                           "utilisation per centre and weekday. A cell from fewer than FIGURES_MIN_COUNT "
                           "associations (default 3) carries only `suppressed: true`; secondary suppression "
                           "keeps a total from revealing it.",
            "parameters": [{"name": "year", "in": "query", "schema": {"type": "integer"}},
                           {"name": "lang", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The figures.", "content": {
                "application/json": {"schema": {"type": "object"}}}}},
        }},
    },
    schemas={"Report": {
        "type": "object", "required": ["period", "group_by", "groups", "totals"],
        "properties": {
            "period": {"type": "object", "properties": {"start": {"type": "string", "format": "date"},
                                                        "end": {"type": "string", "format": "date"}}},
            "previous_period": {"type": "object"},
            "group_by": {"type": "string", "enum": list(GROUPINGS)},
            "groups": {"type": "array", "items": {"allOf": [FIGURES_SCHEMA, {"type": "object", "properties": {
                "key": {"description": "Centre, room or programme id, category/audience/kind key, "
                                       "language code, YYYY-MM; null for dates without one."},
                "label": {"type": "string"}, "year_earlier": {"type": ["object", "null"]}}}]}},
            "totals": FIGURES_SCHEMA,
        },
    }},
)
