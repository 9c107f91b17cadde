"""Forms for events: the public texts and facts, and a centre's own event with its date."""


from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TimeField
from wtforms.validators import DataRequired, Optional, ValidationError

import i18n
from centres.forms import ManageForm, strip
from events.models import AUDIENCES, Category
from events.rules import check_event
from formkit import MultiCheckboxField, TranslatedTextField

# Languages an event may be held in: the interface languages and others often spoken here.
EXTRA_EVENT_LANGUAGES = ("pl", "ro", "bg", "sq", "ku", "es", "fr", "so", "ti", "ps", "vi")


def event_language_choices():
    codes = list(dict.fromkeys([*i18n.supported_languages(), *EXTRA_EVENT_LANGUAGES]))
    choices = []
    for code in codes:
        try:
            name = i18n.language_info(code).native_name
        except Exception:  # a tag Babel does not know: show it as written
            name = code
        choices.append((code, name))
    return choices


class EventForm(ManageForm):
    """What residents see of an event; edited by the centre's managers and the event's association."""

    title = TranslatedTextField(
        _l("Title"), required_any=True, max_length=200, description=_l("In as many languages as you like; at least one.")
    )
    description = TranslatedTextField(_l("Description"), multiline=True, max_length=4000)
    category_key = SelectField(_l("Category"), validators=[Optional()])
    audiences = MultiCheckboxField(_l("For whom"))
    languages = MultiCheckboxField(_l("Languages spoken at the event"))
    barrier_free = BooleanField(_l("Barrier-free access"))
    is_free = BooleanField(_l("Free of charge"), default=True)
    price = StringField(
        _l("Price"),
        filters=[strip],
        description=_l("Only when it is not free, e.g. 3 € / reduced 1 €."),
    )
    registration_url = StringField(
        _l("Registration link"),
        filters=[strip],
        description=_l("A full address such as https://example.org/register."),
    )
    contact = StringField(
        _l("Contact for questions or registration"),
        filters=[strip],
        description=_l("Shown publicly, e.g. a phone number or an e-mail address."),
    )
    tags = StringField(
        _l("Tags"),
        filters=[strip],
        description=_l("Separated by commas, e.g. #WelcomeWeek, summer."),
    )
    programme_slugs = MultiCheckboxField(_l("Part of these programmes"),
                                         description=_l("The programmes your association is a partner of."))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, obj=event, **kwargs)
        self.programme_slugs.choices = []  # set by the view from the programmes the event may be part of
        if event is not None and not self.is_submitted():
            self.tags.data = ", ".join(event.tags or [])
        self.category_key.choices = [("", _l("No category"))] + [
            (c.key, c.display_name()) for c in Category.ordered()
        ]
        self.audiences.choices = [(key, label) for key, label in AUDIENCES.items()]
        self.languages.choices = event_language_choices()

    # Where the rule's messages go (events.rules names its fields as the API does).
    FIELDS = {"category": "category_key", "audience": "audiences"}

    def validate(self, extra_validators=None):
        """The form reads the input; the content rule (events.rules) is the one every path calls."""
        valid = super().validate(extra_validators)
        self.cleaned, problems = check_event(self._raw())
        for problem in problems:
            field = getattr(self, self.FIELDS.get(problem.field, problem.field), None) or self.title
            if not field.errors:  # a field the form could not read already says so
                field.errors = [*field.errors, problem.message]
        return valid and not problems

    def _raw(self) -> dict:
        return {
            "title": dict(self.title.data or {}),
            "description": dict(self.description.data or {}),
            "category_key": self.category_key.data,
            "audiences": list(self.audiences.data or []),
            "languages": list(self.languages.data or []),
            "barrier_free": bool(self.barrier_free.data),
            "is_free": bool(self.is_free.data),
            "price": self.price.data,
            "registration_url": self.registration_url.data,
            "contact": self.contact.data,
            "tags": self.tags.data,
        }

    def event_fields(self) -> dict:
        """The editable fields of Event, as Event.update() takes them (after validate)."""
        return dict(self.cleaned)


class CentreEventForm(EventForm):
    """A centre's own event: its date and room (or none), booked at once."""

    room_id = SelectField(_l("Room"), validators=[Optional()])
    day = DateField(_l("Date"), validators=[DataRequired()])
    start_time = TimeField(_l("Starts at"), validators=[DataRequired()])
    end_time = TimeField(_l("Ends at"), validators=[DataRequired()])
    repeat_until = DateField(
        _l("Repeat every week until"),
        validators=[Optional()],
        description=_l("Leave empty for a single date."),
    )
    submit = SubmitField(_l("Create the event"))

    def __init__(self, *args, centre=None, **kwargs):
        super().__init__(*args, **kwargs)
        rooms = [room for room in (centre.rooms if centre is not None else [])]
        self.room_id.choices = [("", _l("No room (e.g. outdoors)"))] + [(str(r.id), r.name) for r in rooms]

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_l("The end must be after the start."))

    def validate_repeat_until(self, field):
        if field.data and self.day.data and field.data < self.day.data:
            raise ValidationError(_l("This date is before the first date."))

    def room(self, centre):
        if not self.room_id.data:
            return None
        return next((r for r in centre.rooms if str(r.id) == self.room_id.data), None)
