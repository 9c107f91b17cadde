"""Public pages: the calendar (list and month), one event, the embeddable calendar.

Every page selects its dates through ``events.queries`` in one query, plus one
each for the filter choices (centres, categories): the number of queries does
not grow with the number of events.
"""

from datetime import date, datetime, timedelta

from flask import abort, get_template_attribute, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

import i18n
from accounts.models import Association
from centres.models import Centre
from events import bp
from events.calendar import (
    add_months,
    by_day,
    clock,
    dates_of,
    day_number,
    event_dates,
    json_ld,
    long_date,
    month_abbr,
    month_label,
    month_weeks,
    parse_month,
    this_month,
    weekday_names,
)
from events.models import AUDIENCES, Category, Event
from events.month import month_dates
from events.queries import EventFilters, default_timezone, public_dates, public_event, public_occurrences
from events.visibility import PREVIEW_DATE_STATUSES
from extensions import db
from pagecache import public_page
from parsing import ID, parse_date
from programmes.models import Programme
from timeutil import utcnow, zone
from web import localized, text_of

PAGE_SIZE = 30
MAX_PAGE = 1000
MONTH_CELL_LIMIT = 4
AGENDA_LIMIT = 50  # the chosen day's dates in the month view's agenda; the list has the rest
DATE_TEMPLATE = "events/_date.html"
EMBED_DEFAULT, EMBED_MAX = 10, 50

# Only this page may be framed by other sites (partners embed it); the rest of the
# CSP stays as strict as everywhere else.
EMBED_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors *"
)


def positive_int(value, default: int, maximum: int) -> int:
    """A page number or a count from the query string; bad values give the default."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(number, 1), maximum)


def filter_choices():
    """Centres and categories for the filter form (two queries)."""
    centres = db.session.scalars(select(Centre).order_by(Centre.district, Centre.slug)).all()
    return centres, Category.ordered()


def active_filters(filters: EventFilters, centre, categories) -> list[str]:
    """The filters that are set, as the folded filter form's summary names them (``centre``: the filtered one)."""
    labels = []
    if centre is not None:
        labels.append(text_of(centre.name, centre.default_language))
    category = next((c for c in categories if c.key == filters.category), None)
    if category is not None:
        labels.append(category.display_name())
    if filters.programme:
        programme = Programme.by_slug(filters.programme)
        labels.append(programme.display_name() if programme else filters.programme)
    if filters.organiser:
        association = db.session.get(Association, filters.organiser)
        labels.append(association.name if association else str(filters.organiser))
    if filters.audience:
        labels.append(str(AUDIENCES[filters.audience]))
    if filters.language:
        labels.append(event_language(filters.language).native_name)
    if filters.free:
        labels.append(_("free of charge"))
    if filters.barrier_free:
        labels.append(_("barrier-free"))
    return labels


def chosen_day(value) -> date | None:
    try:
        return parse_date(value)
    except ValueError:
        return None


def month_context(filters: EventFilters, tz_name: str, zones: set[str]) -> dict:
    """The month grid, and the agenda of the chosen day (``?day=``, else today, else the month's first date).

    The grid shows each day's number of dates and its first few; the agenda every day's first few and the
    chosen day's first ``AGENDA_LIMIT``, each with a link to the whole day in the list when there are more.
    """
    day = chosen_day(request.args.get("day"))
    first = parse_month(request.args.get("month"))
    if first is None and day is not None:
        first = day.replace(day=1)
    if first is None and filters.start is not None:
        first = date(filters.start.year, filters.start.month, 1)
    if first is None:
        first = this_month(tz_name)
    today = datetime.now(zone(tz_name)).date()
    if day is None or (day.year, day.month) != (first.year, first.month):
        day = today if (today.year, today.month) == (first.year, first.month) else None
    found = month_dates(filters, first, zones or {tz_name}, per_day=MONTH_CELL_LIMIT, chosen=day,
                        chosen_limit=AGENDA_LIMIT)
    in_month = sorted(found.counts)
    if day is None:  # the month's first day with dates (month_dates picked its first AGENDA_LIMIT)
        day = (in_month or [first])[0]
    month_filters = filters.to_args(start=None, end=None)
    month_key = first.strftime("%Y-%m")
    return dict(
        month=first,
        month_label=month_label(first),
        weeks=month_weeks(first),
        weekdays=weekday_names(),
        days=found.picked,
        day_counts=found.counts,
        agenda_days=sorted(set(in_month) | {day}),
        selected_day=day,
        day_url=lambda d: url_for("events.calendar", view="month", month=month_key, day=d.isoformat(),
                                  **month_filters) + "#agenda",
        whole_day_url=lambda d: url_for("events.calendar", start=d.isoformat(), end=d.isoformat(), **month_filters),
        cell_limit=MONTH_CELL_LIMIT,
        month_filters=month_filters,
        previous_url=url_for("events.calendar", view="month", month=add_months(first, -1).strftime("%Y-%m"),
                             **month_filters),
        next_url=url_for("events.calendar", view="month", month=add_months(first, 1).strftime("%Y-%m"),
                         **month_filters),
        today=today,
        count=found.total,
    )


@bp.route("/<lang:lang>/events/")
@public_page
def calendar():
    filters = EventFilters.from_args(request.args)
    view = "month" if request.args.get("view") == "month" else "list"
    centres, categories = filter_choices()
    selected_centre = next((c for c in centres if c.slug == filters.centre), None)
    tz_name = selected_centre.timezone if selected_centre is not None else default_timezone()
    context = dict(
        filters=filters,
        view=view,
        centres=centres,
        categories=categories,
        audiences=AUDIENCES,
        selected_centre=selected_centre,
        ignored=sorted(filters.errors),
        active_filters=active_filters(filters, selected_centre, categories),
    )
    if view == "month":
        context.update(month_context(filters, tz_name, {centre.timezone for centre in centres}))
    else:
        page = positive_int(request.args.get("page"), 1, MAX_PAGE)
        start, end = filters.utc_range(tz_name)
        rows = public_occurrences(filters, start, end, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
        has_next = len(rows) > PAGE_SIZE
        args = filters.to_args()
        context.update(
            groups=by_day(event_dates(rows[:PAGE_SIZE])),
            page=page,
            previous_url=url_for("events.calendar", page=page - 1, **args) if page > 1 else None,
            next_url=url_for("events.calendar", page=page + 1, **args) if has_next else None,
        )
    context["list_url"] = url_for("events.calendar", **filters.to_args())
    context["month_url"] = url_for("events.calendar", view="month", **filters.to_args())
    return render_template("events/calendar.html", **context)


@bp.route(f"/<lang:lang>/events/<{ID}:event_id>/")
@public_page
def event(event_id):
    event = public_event(event_id)
    preview = False
    if event is None:
        # Not public (yet): only those who may edit it see a preview; for everyone else it does not exist.
        event = db.session.scalar(
            select(Event).where(Event.id == event_id).options(joinedload(Event.centre), joinedload(Event.booking))
        )
        if event is None or not event.can_edit(current_user):
            abort(404)
        preview = True
    now = utcnow()
    if preview:
        occurrences = [o for o in event.occurrences(statuses=PREVIEW_DATE_STATUSES) if o.ends_at > now]
    else:
        occurrences = public_dates(event)
    dates = dates_of(event, occurrences)
    upcoming = [d for d in dates if not d.has_passed]
    past = [d for d in dates if d.has_passed and not d.is_cancelled]
    lang = i18n.current_language()
    shown_in = {
        i18n.pick_text(texts, lang, event.centre.default_language)[1] for texts in (event.title, event.description)
    }
    return render_template(
        "events/event.html",
        fallback_languages=[event_language(code) for code in sorted(c for c in shown_in if c and c != lang)],
        event=event,
        centre=event.centre,
        upcoming=upcoming,
        past=list(reversed(past))[:20],
        past_count=len(past),
        preview=preview,
        structured_data=None if preview else json_ld(event, upcoming or past[-1:], lang),
        organisers=event.booking.organisers() if event.booking else [],
        can_edit=event.can_edit(current_user),
        audiences=AUDIENCES,
        calendar_url=url_for("events.calendar", centre=event.centre.slug),
    )


@bp.route("/<lang:lang>/embed/events")
@public_page
def embed():
    """A compact list for partners' websites: the only page that other sites may frame."""
    filters = EventFilters.from_args(request.args)
    limit = positive_int(request.args.get("limit"), EMBED_DEFAULT, EMBED_MAX)
    now = utcnow()
    start, end = filters.utc_range(None, now)
    rows = public_occurrences(filters, start, end, limit=limit)
    args = filters.to_args()
    response = render_template(
        "events/embed.html",
        groups=by_day(event_dates(rows)),
        filters=filters,
        calendar_url=url_for("events.calendar", _external=True, **args),
    )
    return response, 200, {"Content-Security-Policy": EMBED_CSP}


@bp.after_app_request
def allow_framing_of_embed(response):
    """X-Frame-Options cannot allow other sites; the embed relies on its CSP frame-ancestors alone.

    Registered on the app before web.security_headers (blueprints are registered
    first), so it runs after it: after_request functions run in reverse order.
    """
    if request.endpoint == "events.embed":
        response.headers.pop("X-Frame-Options", None)
    return response


# --- for other pages (home, centre) -------------------------------------------------


@bp.app_template_global()
def upcoming_events(centre=None, days=7, limit=8):
    """Public dates from now: the next ``days`` days (None: a year), at most ``limit``; one query."""
    now = utcnow()
    filters = EventFilters(centre=centre.slug if centre is not None else None)
    end = now + timedelta(days=days or 365)
    return event_dates(public_occurrences(filters, now, end, limit=limit))


@bp.app_template_global()
def event_language(code):
    """Name and direction of a language spoken at an event (any BCP 47 tag Babel knows)."""
    try:
        return i18n.language_info(code)
    except Exception:  # babel.UnknownLocaleError and malformed tags
        return i18n.Language(code, code, "ltr")


def once_per_request(kind: str, key, make):
    """``make()``, computed once per request for ``kind`` and ``key`` (kept in the request's WSGI environ, so never
    seen by another request): what a page shows of an event the same way wherever the event appears."""
    kept = request.environ.setdefault(f"welcome.{kind}", {})
    if key not in kept:
        kept[key] = make()
    return kept[key]


@bp.app_template_global()
def event_card(event, heading: str, link_target: str | None = None) -> tuple[str, str]:
    """A date's title and its place and tags (templates/events/_date.html), rendered once per request and event."""
    return once_per_request("event_cards", (event.id, heading, link_target), lambda: (
        get_template_attribute(DATE_TEMPLATE, "event_title")(event, heading, link_target),
        get_template_attribute(DATE_TEMPLATE, "event_details")(event)))


@bp.app_template_global()
def event_link(event) -> tuple[str, str]:
    """An event's address and its title in the page's language, once per request and event."""
    return once_per_request("event_links", event.id, lambda: (
        url_for("events.event", event_id=event.id), localized(event.title, event.centre.default_language)))


@bp.app_template_global()
def audience_label(key):
    return AUDIENCES.get(key, key)


# Dates in templates only through Babel (events.calendar), in the page's locale.
for helper in (long_date, day_number, month_abbr, clock):
    bp.add_app_template_global(helper)
