"""The offer's answer: the house rules accepted again when they changed, the responsible person when asked for."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import Length, Optional


class AnswerForm(FlaskForm):
    """CSRF: the app-wide CSRFProtect checks the page's plain ``csrf_token``; each form has a prefix of its own,
    so the page's three forms have distinct ids."""

    class Meta:
        csrf = False


class AcceptOfferForm(AnswerForm):
    responsible_name = StringField(_l("Responsible person"), validators=[Optional(), Length(max=200)],
                                   description=_l("An adult present on the day. Only the centre's managers see it."))
    responsible_phone = StringField(_l("Their phone number"), validators=[Optional(), Length(max=50)])
    responsible_adult = BooleanField(_l("This person is of age (18 or older)"))
    accept_terms = BooleanField(_l("I have read the house rules and accept them"))
    submit = SubmitField(_l("Accept the offer and send the request"))


class DeclineOfferForm(AnswerForm):
    submit = SubmitField(_l("Decline the offer"))


class LeaveLineForm(AnswerForm):
    submit = SubmitField(_l("Leave the waiting list"))
