"""Forms of the booking pages: the request, and the managers' and associations' decisions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields import URLField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

import i18n
from bookings.recurrence import MAX_INTERVAL, MAX_OCCURRENCES, WEEKDAY_CODES
from bookings.rules import MAX_ATTENDEES, MAX_REASON, MAX_TITLE
from events.models import AUDIENCES
from formkit import MultiCheckboxField, TranslatedTextField

WEEKDAY_LABELS = dict(zip(WEEKDAY_CODES, (
    _l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"), _l("Sunday"),
), strict=True))
CENTRE = "centre"


class BookingRequestForm(FlaskForm):
    association = SelectField(_l("Booking for"), validators=[DataRequired()])
    title = StringField(
        _l("What is it?"), validators=[DataRequired(), Length(max=MAX_TITLE)],
        description=_l("For example: German course for beginners. The centre sees this title."),
    )
    date = DateField(_l("Date"), validators=[DataRequired(message=_l("Please give a date."))],
                     description=_l("For a series: the first date."))
    start_time = TimeField(_l("From"), validators=[DataRequired(message=_l("Please give a time."))])
    end_time = TimeField(_l("Until"), validators=[DataRequired(message=_l("Please give a time."))])
    repeat = SelectField(_l("Repeat"), choices=[("once", _l("Only once")), ("weekly", _l("Weekly"))], default="once")
    interval = IntegerField(
        _l("Every how many weeks?"), default=1,
        validators=[Optional(), NumberRange(min=1, max=MAX_INTERVAL, message=_l("Please choose between 1 and %(max)d weeks.", max=MAX_INTERVAL))],
    )
    weekdays = MultiCheckboxField(_l("On these days"), choices=list(WEEKDAY_LABELS.items()),
                                  description=_l("None chosen: the weekday of the first date."))
    until = DateField(_l("Last date"), validators=[Optional()])
    count = IntegerField(
        _l("Or: number of dates"),
        validators=[Optional(), NumberRange(min=1, max=MAX_OCCURRENCES, message=_l("Please choose between 1 and %(max)d dates.", max=MAX_OCCURRENCES))],
    )
    attendees = IntegerField(
        _l("People expected"),
        validators=[Optional(), NumberRange(min=1, max=MAX_ATTENDEES, message=_l("Please give a number of people."))],
    )
    note = TextAreaField(_l("Note for the centre"), validators=[Optional(), Length(max=2000)])
    skip_conflicts = BooleanField(_l("Leave out the dates when the room is already taken"))
    join_waitlist = BooleanField(_l("Put the dates left out on the waiting list"),
                                 description=_l("When one of them frees, it is offered to you in turn."))
    publish = BooleanField(_l("Show it in the public calendar once it is approved"))
    event_title = TranslatedTextField(_l("Public title"), max_length=MAX_TITLE,
                                      description=_l("In as many languages as you like."))
    event_description = TranslatedTextField(_l("Description"), multiline=True, max_length=4000)
    category = SelectField(_l("Category"), validators=[Optional()])
    audiences = MultiCheckboxField(_l("For whom?"))
    languages = MultiCheckboxField(_l("Languages spoken at the event"))
    is_free = BooleanField(_l("Free of charge"), default=True)
    price = StringField(_l("Price"), description=_l("Only when it is not free, e.g. 3 € / reduced 1 €."))
    # Checked with the event's other content by events.rules, on every path.
    programmes = MultiCheckboxField(_l("Part of these programmes"),
                                    description=_l("The programmes your association is a partner of."))
    co_organisers = MultiCheckboxField(_l("Co-organisers"), coerce=int,
                                       description=_l("Associations holding the event together with yours. Each is "
                                                      "asked by e-mail and shown once it has accepted."))
    registration_url = URLField(_l("Registration link"),
                                description=_l("A full address such as https://example.org/register."))
    # The centre's terms (terms.rules checks them, on every path).
    responsible_name = StringField(_l("Responsible person"), validators=[Optional(), Length(max=200)],
                                   description=_l("An adult present on the day. Only the centre's managers see it."))
    responsible_phone = StringField(_l("Their phone number"), validators=[Optional(), Length(max=50)])
    responsible_adult = BooleanField(_l("This person is of age (18 or older)"))
    commercial = BooleanField(_l("Commercial use"),
                              description=_l("For example: a course or sale run for profit. The commercial tariff applies."))
    accept_terms = BooleanField(_l("I have read the house rules and accept them"))
    check = SubmitField(_l("Check the dates"))
    send = SubmitField(_l("Send the request"))
    waitlist = SubmitField(_l("Join the waiting list for the taken dates"))

    def __init__(self, *args, associations=(), centre_option=None, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(a.id), a.name) for a in associations]
        if centre_option:
            choices.append((CENTRE, centre_option))
        self.association.choices = choices
        self.category.choices = [("", _l("– none –"))] + [(c.key, c.display_name()) for c in categories]
        self.audiences.choices = list(AUDIENCES.items())
        self.languages.choices = [(lang.code, lang.native_name) for lang in i18n.languages()]

    def validate_title(self, field):
        field.data = (field.data or "").strip()
        if not field.data:
            raise ValidationError(_l("Please give a title."))

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_l("The end must be after the start."))

    def validate_until(self, field):
        if self.repeat.data != "weekly":
            return
        if field.data is None and self.count.data is None:
            raise ValidationError(_l("Please give a last date or a number of dates."))
        if field.data is not None and self.count.data is not None:
            raise ValidationError(_l("Please give either a last date or a number of dates, not both."))
        if field.data is not None and self.date.data and field.data < self.date.data:
            raise ValidationError(_l("The last date must not be before the first date."))

    @property
    def wants_event(self) -> bool:
        return bool(self.publish.data)


class DecisionForm(FlaskForm):
    """A form about one booking. Its fields carry the prefix ``<action>-<booking id>`` (``for_booking``) so that
    several bookings' forms on one page (the queue) have distinct ids. CSRF: the app-wide CSRFProtect checks
    the page's plain ``csrf_token`` field, so the form keeps no (prefixed) token of its own."""

    class Meta:
        csrf = False

    action = ""

    @classmethod
    def for_booking(cls, booking, **kwargs):
        return cls(prefix=f"{cls.action}-{booking.id}", **kwargs)


class ApproveForm(DecisionForm):
    action = "approve"
    occurrences = MultiCheckboxField(_l("Dates to approve"), coerce=int)
    reason = TextAreaField(
        _l("Reason for the dates not approved"), validators=[Optional(), Length(max=MAX_REASON)],
        description=_l("Only needed when you leave dates out."),
    )
    next = HiddenField()
    submit = SubmitField(_l("Approve"))


class RejectForm(DecisionForm):
    action = "reject"
    # Required, by the rule (bookings.decisions.reject) as on every path.
    reason = TextAreaField(
        _l("Reason"), validators=[Optional(), Length(max=MAX_REASON)],
        description=_l("The association receives it by e-mail."),
    )
    next = HiddenField()
    submit = SubmitField(_l("Reject"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.flags.required = True  # marked as required; the rule checks it


class CancelForm(DecisionForm):
    action = "cancel"
    occurrence = SelectField(_l("Date"), coerce=int, default=0)
    following = BooleanField(_l("Also cancel all later dates"))
    # Whether a reason is needed is the rule's (bookings.decisions.cancel), on every path.
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=MAX_REASON)],
                           description=_l("For example: holiday closure. The association receives it by e-mail."))
    next = HiddenField()
    submit = SubmitField(_l("Cancel"))


class WithdrawForm(DecisionForm):
    action = "withdraw"
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=MAX_REASON)])
    next = HiddenField()
    submit = SubmitField(_l("Withdraw the request"))
