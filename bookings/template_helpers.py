"""Template filters and globals of the booking pages (registered app-wide by the blueprint)."""

from babel.dates import format_interval, format_skeleton
from flask_babel import get_locale

from bookings import bp
from bookings.display import local_iso, reason_text, status_label
from bookings.models import ACTION_LABELS
from bookings.wording import describe_length, describe_moment, describe_slot
from terms import pricing


@bp.app_template_filter("booking_reason")
def booking_reason(value):
    return reason_text(value)


@bp.app_template_filter("booking_status")
def booking_status(value):
    return status_label(value)


@bp.app_template_global("booking_slot")
def booking_slot(start, end, tz_name):
    """A stored date (naive UTC) as the centre's local day and times, in the page's language."""
    return describe_slot(start, end, tz_name)


@bp.app_template_global("booking_iso")
def booking_iso(value, tz_name):
    return local_iso(value, tz_name)


@bp.app_template_filter("booking_action")
def booking_action(value):
    return str(ACTION_LABELS.get(value, value))


@bp.app_template_global("booking_day")
def booking_day(value, skeleton="MMMEd"):
    """A day (or local date-time) as 'Tue, Mar 30' in the page's language."""
    return format_skeleton(skeleton, value, locale=get_locale() or "de")


@bp.app_template_global("booking_times")
def booking_times(start, end):
    """Local start and end as '18:00–20:00' in the page's language."""
    return format_interval(start.time(), end.time(), skeleton="Hm", locale=get_locale() or "de")


@bp.app_template_global("money")
def money(cents, currency):
    """An amount in cents as the page's language writes it: '45,00 €'."""
    return pricing.money(cents or 0, currency or "EUR")


@bp.app_template_global("tariff_label")
def tariff_label(tariff):
    return pricing.TARIFF_LABELS.get(tariff, tariff)


@bp.app_template_global("booking_moment")
def booking_moment(value, tz_name):
    """A stored instant (naive UTC) as the centre's local date and time, in the page's language."""
    return describe_moment(value, tz_name)


@bp.app_template_global("booking_length")
def booking_length(minutes):
    """'2 hours' or '90 minutes', in the page's language."""
    return describe_length(int(minutes))
