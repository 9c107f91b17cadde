"""The room search's form (a GET form: every search can be bookmarked), and the
request form pre-filled from a search result's link."""

from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectChoice, SelectField, TimeField
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from bookings.forms import WEEKDAY_LABELS
from bookings.recurrence import WEEKDAY_CODES
from bookings.rules import MAX_ATTENDEES
from bookings.search_query import SearchQuery
from centres.vocabulary import EQUIPMENT, WELCOME_FEATURES
from formkit import MultiCheckboxField
from parsing import MAX_YEAR, MIN_YEAR, parse_date


class RoomSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a search changes nothing

    repeat = RadioField(_l("How often?"), default="once",
                        choices=[SelectChoice("once", _l("One date")), SelectChoice("weekly", _l("Every week"))])
    date = DateField(_l("Date"), validators=[DataRequired(message=_l("Please give a date."))],
                     description=_l("Every week: the first date."))
    start_time = TimeField(_l("From"), validators=[DataRequired(message=_l("Please give a time."))])
    end_time = TimeField(_l("Until"), validators=[DataRequired(message=_l("Please give a time."))])
    weekdays = MultiCheckboxField(_l("On these days"), choices=list(WEEKDAY_LABELS.items()),
                                  description=_l("Every week; none chosen: the weekday of the first date."))
    until = DateField(_l("Last date"), validators=[Optional()], description=_l("Every week: up to this date."))
    capacity = IntegerField(
        _l("People"), validators=[Optional(), NumberRange(min=1, max=MAX_ATTENDEES,
                                                          message=_l("Please give a number of people."))],
    )
    equipment = MultiCheckboxField(_l("Equipment"), choices=list(EQUIPMENT.items()))
    barrier_free = BooleanField(_l("Barrier-free room"))
    district = SelectField(_l("District"), default="")
    centre = SelectField(_l("Centre"), default="")
    features = MultiCheckboxField(_l("The centre offers"), choices=list(WELCOME_FEATURES.items()))

    def __init__(self, *args, centres=(), districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.district.choices = [SelectChoice("", _l("All districts"))] + [SelectChoice(d, d) for d in districts]
        self.centre.choices = [SelectChoice("", _l("All centres"))] + [
            SelectChoice(c.slug, c.display_name()) for c in centres]

    @property
    def asked(self) -> bool:
        """Whether a search was asked for (the form has been sent), not just the page opened."""
        return bool(self.date.raw_data)

    def validate_date(self, field):
        if field.data and not MIN_YEAR <= field.data.year <= MAX_YEAR:
            raise ValidationError(_l("Please give a date."))

    def validate_until(self, field):
        if self.repeat.data != "weekly":
            return
        if field.data is None:
            raise ValidationError(_l("Please give the last date of the weekly series."))
        if not MIN_YEAR <= field.data.year <= MAX_YEAR:
            raise ValidationError(_l("Please give a date."))
        if self.date.data and field.data < self.date.data:
            raise ValidationError(_l("The last date must not be before the first date."))

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_l("The end must be after the start."))

    def to_query(self) -> SearchQuery:
        weekly = self.repeat.data == "weekly"
        return SearchQuery(
            start=datetime.combine(self.date.data, self.start_time.data),
            end=datetime.combine(self.date.data, self.end_time.data),
            weekdays=tuple(self.weekdays.data or ()) if weekly else (),
            until=self.until.data if weekly else None,
            capacity=self.capacity.data or None,
            equipment=tuple(self.equipment.data or ()),
            barrier_free=bool(self.barrier_free.data),
            district=self.district.data or "",
            centre=self.centre.data or "",
            features=tuple(self.features.data or ()),
        )


# --- the request form, opened from a search result -----------------------------------------


def _day(value) -> date | None:
    try:
        return parse_date(value)
    except ValueError:
        return None


def _clock(value) -> time | None:
    try:
        return datetime.strptime((value or "").strip(), "%H:%M").time()
    except ValueError:
        return None


def prefill_request(form, args) -> None:
    """Fill the request form (bookings.forms.BookingRequestForm) from the query string.

    The parameters are those of bookings.search.request_args: date, start_time,
    end_time, repeat, weekdays, until, skip_conflicts, attendees. A value that
    does not parse is left out: the form keeps its default.
    """
    if day := _day(args.get("date")):
        form.date.data = day
    for name in ("start_time", "end_time"):
        if value := _clock(args.get(name)):
            form[name].data = value
    if args.get("repeat") in ("once", "weekly"):
        form.repeat.data = args["repeat"]
    weekdays = [code for code in args.getlist("weekdays")[:7] if code in WEEKDAY_CODES]
    if weekdays:
        form.weekdays.data = list(dict.fromkeys(weekdays))
    if until := _day(args.get("until")):
        form.until.data = until
    if args.get("skip_conflicts") in ("y", "1", "true", "on"):
        form.skip_conflicts.data = True
    attendees = args.get("attendees", "").strip()
    if attendees.isdigit() and 1 <= int(attendees) <= MAX_ATTENDEES:
        form.attendees.data = int(attendees)
