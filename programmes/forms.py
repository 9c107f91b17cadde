"""The programme's form (admins create; coordinators edit), partners and events."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from centres.forms import ManageForm, strip, strip_lower
from formkit import MultiCheckboxField, TranslatedTextField
from programmes.models import KINDS, ROLES

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HASHTAG = re.compile(r"^#?[\w-]{1,60}$")

class ProgrammeForm(ManageForm):
    name = TranslatedTextField(_l("Name"), required_any=True, max_length=200,
                               description=_l("In as many languages as you like; at least one."))
    slug = StringField(_l("Short name for the web address"), validators=[DataRequired(), Length(max=80)],
                       filters=[strip_lower], render_kw={"dir": "ltr", "autocapitalize": "none", "spellcheck": "false"},
                       description=_l("Lower-case letters, digits and hyphens, e.g. kinderfest. Changing it later "
                                      "breaks links and calendar subscriptions."))
    kind = SelectField(_l("Kind"), choices=list(KINDS.items()))
    summary = TranslatedTextField(_l("Short description"), max_length=300)
    description = TranslatedTextField(_l("Description"), multiline=True, max_length=4000)
    funding_notice = TranslatedTextField(
        _l("Funding notice"), multiline=True, max_length=1000,
        description=_l("Shown on every page about the programme, e.g. “Funded by the Federal Ministry … within the "
                       "federal programme Demokratie leben!”."))
    starts_on = DateField(_l("From"), validators=[Optional()])
    ends_on = DateField(_l("Until"), validators=[Optional()])
    hashtag = StringField(_l("Hashtag"), validators=[Optional(), Length(max=80)], filters=[strip],
                          render_kw={"dir": "ltr"})
    centre_ids = MultiCheckboxField(_l("Partner centres"), coerce=int)
    coordinator_emails = StringField(_l("Coordinators (e-mail addresses of accounts, separated by commas)"),
                               validators=[Optional(), Length(max=2000)], render_kw={"dir": "ltr"})
    submit = SubmitField(_l("Save the programme"))

    def validate_slug(self, field):
        if not SLUG.match(field.data or ""):
            raise ValidationError(_l("Please use lower-case letters, digits and hyphens only."))

    def validate_hashtag(self, field):
        if field.data and not HASHTAG.match(field.data):
            raise ValidationError(_l("A hashtag is one word such as #Kinderfest2027."))
        if field.data and not field.data.startswith("#"):
            field.data = "#" + field.data

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end must be after the start."))

class InvitePartnerForm(ManageForm):
    association = SelectField(_l("Association"), coerce=int)
    role = SelectField(_l("Role"), choices=list(ROLES.items()), default="partner")
    submit = SubmitField(_l("Invite as partner"))

class JoinForm(ManageForm):
    association = SelectField(_l("Association"), coerce=int)
    submit = SubmitField(_l("Ask to join as partner"))

class EventForm(ManageForm):
    event_id = IntegerField(_l("Event number"), validators=[DataRequired(message=_l("Please give a number."))],
                            description=_l("The number in the event's web address, e.g. 42 in /events/42/."))
    submit = SubmitField(_l("Add the event"))

class ImageForm(ManageForm):
    image = FileField(_l("Image"), render_kw={"accept": "image/png,image/jpeg,image/webp,image/gif"},
                      description=_l("PNG, JPEG, WebP or GIF, at most 1.5 MB; shown on the programme's page."))
    alt = TranslatedTextField(_l("What the image shows"), max_length=300,
                              description=_l("Read out to people who cannot see it; in as many languages as you "
                                             "like, at least one."))
    remove = BooleanField(_l("Remove the image"))
    submit = SubmitField(_l("Save the image"))

class LogoForm(ManageForm):
    logo = FileField(_l("Logo"), render_kw={"accept": "image/png,image/jpeg,image/webp,image/gif"},
                     description=_l("PNG, JPEG, WebP or GIF, at most 1.5 MB."))
    alt = TranslatedTextField(_l("Text for the logo"), max_length=300,
                              description=_l("Read out to people who cannot see it; without one, the association's "
                                             "name."))
    remove = BooleanField(_l("Remove the logo"))
    submit = SubmitField(_l("Save the logo"))

def emails_of(text: str) -> list[str]:
    return [part.strip().lower() for part in re.split(r"[,;\s]+", text or "") if part.strip()]
