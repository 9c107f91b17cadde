"""Forms for private feed addresses: create one, revoke one."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

import i18n
from accounts.forms import Form, language_choices
from feeds.models import ASSOCIATION, CENTRES, can_create_association_feed, can_create_centres_feed


class FeedTokenForm(Form):
    feed = SelectField(_l("Calendar of"), validators=[DataRequired()])
    language = SelectField(_l("Language of the calendar"), validators=[DataRequired()])
    name = StringField(_l("Name (so you recognise it, e.g. \u201cphone\u201d)"), validators=[Optional(), Length(max=100)])
    back = HiddenField()
    submit = SubmitField(_l("Create a calendar address"))

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("prefix", "feed")  # the account page has other forms with a "name" field
        super().__init__(*args, **kwargs)
        self.user = user
        choices = []
        if user is not None and user.is_authenticated:
            for association in user.associations:
                if can_create_association_feed(user, association):
                    choices.append((f"{ASSOCIATION}-{association.id}", association.name))
            if can_create_centres_feed(user):
                choices.append((CENTRES, str(_l("Bookings in my centres"))))
        self.feed.choices = choices
        self.language.choices = language_choices()
        if not self.language.data:
            self.language.data = i18n.current_language()


class RevokeFeedForm(FlaskForm):
    """A button: the CSRF token only."""
