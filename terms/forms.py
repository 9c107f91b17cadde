"""Forms of the terms: a centre's terms of use, and the managers' actions on a booking (tariff, keys, deposit)."""

from babel.numbers import get_currency_name
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from bookings.forms import DecisionForm
from bookings.rules import MAX_REASON
from centres.forms import ManageForm, MoneyField, WholeNumberField
from formkit import TranslatedTextField
from terms.pricing import TARIFF_LABELS
from terms.services import MAX_HOLDER

MAX_RULES = 20000


class TermsForm(ManageForm):
    house_rules = TranslatedTextField(
        _l("House rules"), multiline=True, max_length=MAX_RULES,
        description=_l("Each request must accept them. A change is a new version, shown to the next request."),
    )
    asks_responsible = BooleanField(_l("Each request names an adult responsible person with a phone number"))
    currency = StringField(_l("Currency"), default="EUR", validators=[InputRequired(), Length(min=3, max=3)],
                           description=_l("The ISO code, such as EUR."))
    reduced_percent = WholeNumberField(
        _l("Reduced tariff (percent of the standard fee)"), default=50,
        validators=[InputRequired(), NumberRange(min=0, max=100, message=_l("Please choose between 0 and 100."))],
        description=_l("For non-profit associations whose offer is not open to all or not free of charge."),
    )
    commercial_percent = WholeNumberField(
        _l("Commercial tariff (percent of the standard fee)"), default=150,
        validators=[InputRequired(), NumberRange(min=100, max=1000, message=_l("Please choose between 100 and 1000."))],
    )
    cancel_free_days = WholeNumberField(
        _l("Free cancellation until (days before a date)"),
        validators=[Optional(), NumberRange(min=0, max=365, message=_l("Please choose between 0 and 365 days."))],
        description=_l("Empty: cancelling is always free."),
    )
    late_cancel_fee = MoneyField(_l("Fee for a later cancellation (per date)"))
    late_cancel_online = BooleanField(_l("Later cancellations are possible online (with the fee)"), default=True,
                                      description=_l("Untick to take later cancellations only by phone."))
    waitlist_offer_hours = WholeNumberField(
        _l("Waiting list: hours to answer an offer"), default=48,
        validators=[Optional(), NumberRange(min=1, max=336, message=_l("Please choose between 1 and 336 hours."))],
        description=_l("A freed date is offered to the first in line for this long, and at most half the time left "
                       "until the date."),
    )
    quiet_from = TimeField(_l("Quiet hours from"), validators=[Optional()],
                           description=_l("No date in the centre ends later. Empty: the rooms' own times."),
                           invalid_value_message=_l("Please enter a time such as 22:00."))
    submit = SubmitField(_l("Save the terms"))

    def __init__(self, *args, centre=None, house_rules=None, **kwargs):
        super().__init__(*args, obj=centre, **kwargs)
        if centre is not None and not self.is_submitted():
            self.house_rules.data = dict(house_rules.text) if house_rules is not None else {}
            self.late_cancel_fee.data = (centre.late_cancel_fee_cents or 0) / 100

    def validate_currency(self, field):
        field.data = (field.data or "").strip().upper()
        try:
            get_currency_name(field.data, locale="en")
        except Exception:  # babel: unknown codes raise various errors
            raise ValidationError(_l("Please give a currency code such as EUR.")) from None
        if not field.data.isalpha():
            raise ValidationError(_l("Please give a currency code such as EUR."))


class TariffForm(DecisionForm):
    action = "tariff"
    tariff = SelectField(_l("Tariff"), choices=list(TARIFF_LABELS.items()))
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=MAX_REASON)],
                           description=_l("The association sees it on the booking."))
    next = HiddenField()
    submit = SubmitField(_l("Change the tariff"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.flags.required = True


class KeyForm(DecisionForm):
    action = "key"
    holder = StringField(_l("Key handed to"), validators=[Optional(), Length(max=MAX_HOLDER)])
    occurrence = SelectField(_l("For"), coerce=int, default=0)
    next = HiddenField()
    submit = SubmitField(_l("Record the key handed out"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.holder.flags.required = True


class DepositForm(DecisionForm):
    action = "deposit"
    step = HiddenField()
    next = HiddenField()
    submit = SubmitField(_l("Record"))


class ClosureDatesForm(ManageForm):
    reason = TextAreaField(_l("Reason for the associations"), validators=[Optional(), Length(max=MAX_REASON)],
                           description=_l("Each association receives it by e-mail, with its dates."))
    submit = SubmitField(_l("Cancel these dates"))
