"""Forms for managing a centre's rooms (with their booking policy and fees) and closures."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from centres.forms import ManageForm, MoneyField, WholeNumberField, cents, strip
from centres.policy import RoomPolicy
from centres.vocabulary import EQUIPMENT
from formkit import MultiCheckboxField, TranslatedTextField

# --- rooms -------------------------------------------------------------------


POLICY = RoomPolicy.ROOM_FIELDS


def policy_range(name) -> NumberRange:
    return NumberRange(min=POLICY[name].minimum, max=POLICY[name].maximum)


class RoomForm(ManageForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    description = TranslatedTextField(_l("Description"), multiline=True, max_length=4000)
    capacity = WholeNumberField(
        _l("Capacity (people)"), default=10, validators=[InputRequired(), NumberRange(min=1, max=10000)]
    )
    area_sqm = WholeNumberField(_l("Area (square metres)"), validators=[Optional(), NumberRange(min=1, max=100000)])
    equipment = MultiCheckboxField(_l("Equipment"))
    barrier_free = BooleanField(_l("Barrier-free"))
    accessibility_notes = TranslatedTextField(
        _l("Notes on accessibility"),
        multiline=True,
        max_length=2000,
        description=_l("For example: entrance at the back, lift, hearing loop."),
    )
    # The room's booking policy (centres.policy): defaults and ranges from there.
    bookable = BooleanField(_l("Can be booked"), default=POLICY["bookable"].default)
    earliest_time = TimeField(
        _l("Bookable from"),
        default=POLICY["earliest_time"].default,
        validators=[InputRequired()],
        invalid_value_message=_l("Please enter a time such as 08:00."),
    )
    latest_time = TimeField(
        _l("Bookable until"),
        default=POLICY["latest_time"].default,
        validators=[InputRequired()],
        invalid_value_message=_l("Please enter a time such as 22:00."),
    )
    max_duration_minutes = WholeNumberField(
        _l("Longest booking (minutes)"), default=POLICY["max_duration_minutes"].default,
        validators=[InputRequired(), policy_range("max_duration_minutes")],
    )
    max_days_ahead = WholeNumberField(
        _l("Can be booked up to (days ahead)"),
        default=POLICY["max_days_ahead"].default,
        validators=[InputRequired(), policy_range("max_days_ahead")],
        description=_l("Associations plan their year: at least 365 days is recommended."),
    )
    min_notice_hours = WholeNumberField(
        _l("Minimum notice (hours)"), default=POLICY["min_notice_hours"].default,
        validators=[Optional(), policy_range("min_notice_hours")],
    )
    setup_minutes = WholeNumberField(
        _l("Set-up time before each date (minutes)"), default=POLICY["setup_minutes"].default,
        validators=[Optional(), policy_range("setup_minutes")],
        description=_l("The room is kept free this long before a booking. Not shown as event time."),
    )
    cleanup_minutes = WholeNumberField(
        _l("Clean-up time after each date (minutes)"), default=POLICY["cleanup_minutes"].default,
        validators=[Optional(), policy_range("cleanup_minutes")],
    )
    # Fees (terms.pricing), in the centre's currency.
    hourly_rate = MoneyField(_l("Fee per hour"), description=_l("Standard tariff; 0 for none."))
    flat_rate = MoneyField(_l("Flat fee per date"), description=_l("Standard tariff, for example for cleaning."))
    deposit = MoneyField(_l("Deposit"), description=_l("Once per booking, for example against the key."))
    submit = SubmitField(_l("Save room"))

    MONEY = {"hourly_rate": "hourly_rate_cents", "flat_rate": "flat_rate_cents", "deposit": "deposit_cents"}

    def __init__(self, *args, room=None, **kwargs):
        super().__init__(*args, obj=room, **kwargs)
        self.equipment.choices = [(key, label) for key, label in EQUIPMENT.items()]
        if room is not None and not self.is_submitted():
            for name, column in self.MONEY.items():
                self[name].data = Decimal(getattr(room, column) or 0) / 100

    def validate_latest_time(self, field):
        if self.earliest_time.data and field.data and self.earliest_time.data >= field.data:
            raise ValidationError(_l("The latest time must be after the earliest time."))

    def fill(self, room) -> None:
        room.name = self.name.data
        room.description = self.description.data
        room.capacity = self.capacity.data
        room.area_sqm = self.area_sqm.data
        room.equipment = [key for key in EQUIPMENT if key in (self.equipment.data or [])]
        room.barrier_free = bool(self.barrier_free.data)
        room.accessibility_notes = self.accessibility_notes.data
        RoomPolicy(
            timezone=room.centre.timezone if room.centre else "",
            bookable=bool(self.bookable.data),
            earliest_time=self.earliest_time.data,
            latest_time=self.latest_time.data,
            max_duration_minutes=self.max_duration_minutes.data,
            max_days_ahead=self.max_days_ahead.data,
            min_notice_hours=self.min_notice_hours.data or 0,
            setup_minutes=self.setup_minutes.data or 0,
            cleanup_minutes=self.cleanup_minutes.data or 0,
        ).apply_to(room)
        for name, column in self.MONEY.items():
            setattr(room, column, cents(self[name].data))


# --- closures ----------------------------------------------------------------


class ClosureForm(ManageForm):
    room = SelectField(_l("Closed"), validators=[Optional()], default="")
    starts_on = DateField(_l("From"), validators=[InputRequired()])
    ends_on = DateField(_l("Until (inclusive)"), validators=[InputRequired()])
    reason = TranslatedTextField(_l("Reason"), max_length=300, description=_l("For example: summer holidays."))
    submit = SubmitField(_l("Add closure"))

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.rooms = {str(room.id): room for room in centre.rooms}
        self.room.choices = [("", _l("The whole centre"))] + [
            (room_id, _l("Only the room %(name)s", name=room.name)) for room_id, room in self.rooms.items()
        ]

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date must not be before the start date."))

    def chosen_room(self):
        return self.rooms.get(self.room.data or "")
