"""Forms for managing centres and their managers (rooms and closures: centres.room_forms)."""

import math
import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    DecimalField,
    EmailField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

import i18n
from accounts.models import User
from centres.models import Centre
from centres.vocabulary import WEEKDAYS, WELCOME_FEATURES
from extensions import db
from formkit import MultiCheckboxField, TranslatedTextField, parse_time_ranges
from timeutil import DEFAULT_TIMEZONE, is_valid_zone
from urlsafety import is_web_address

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PHONE_PATTERN = re.compile(r"^[0-9+()/. \-]+$")
ZONE_PATTERN = re.compile(r"^[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*$")


def language_choices():
    return [(language.code, language.native_name) for language in i18n.languages()]


def strip(value):
    return value.strip() if isinstance(value, str) else value


def strip_lower(value):
    return value.strip().lower() if isinstance(value, str) else value


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ManageForm(FlaskForm):
    """Base form: refuses control characters, which PostgreSQL will not store (NUL) and nobody means to type."""

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for field in self:
            values = field.data.values() if isinstance(field.data, dict) else [field.data]
            if any(isinstance(v, str) and CONTROL_CHARACTERS.search(v) for v in values):
                field.errors = [*field.errors, _l("Please remove the invisible control characters from this text.")]
                valid = False
        return valid


# --- fields ------------------------------------------------------------------

LTR_NUMBER = {"dir": "ltr", "inputmode": "decimal", "autocomplete": "off"}


class CoordinateField(FloatField):
    """A decimal degree; accepts a decimal comma ("52,37") as people write it here."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [str(valuelist[0]).strip().replace(",", ".")]
        super().process_formdata(valuelist)


class OpeningHoursField(StringField):
    """One weekday's opening hours as text: '09:00-12:00, 14:00-18:00'; empty means closed."""

    def __init__(self, label=None, **kwargs):
        kwargs.setdefault("validators", [Optional(), Length(max=200)])
        kwargs.setdefault("filters", [strip])
        kwargs.setdefault("render_kw", {"dir": "ltr", "autocomplete": "off"})
        super().__init__(label, **kwargs)
        self.ranges = []

    def post_validate(self, form, validation_stopped):
        self.ranges = []
        if self.errors or not self.data:
            return
        try:
            ranges = parse_time_ranges(self.data)
        except ValueError:
            self.errors.append(_l("Please write the opening hours like this: 09:00-12:00, 14:00-18:00."))
            return
        for (_, end), (start, _) in zip(ranges, ranges[1:], strict=False):
            if start < end:
                self.errors.append(_l("These times overlap. Please join them into one."))
                return
        self.ranges = ranges


MAX_AMOUNT = Decimal("100000")


class MoneyField(DecimalField):
    """An amount of money (in the centre's currency) with at most two decimals, 0 to 100,000; a comma works too."""

    def __init__(self, label=None, validators=None, **kwargs):
        validators = validators or [Optional(), NumberRange(min=0, max=MAX_AMOUNT,
                                                            message=_l("Please give an amount between 0 and 100,000."))]
        super().__init__(label, validators, places=2, default=Decimal(0), **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].strip().replace(",", ".")[:20]]
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Please give an amount such as 12.50.")) from None
        if self.data is not None and (not self.data.is_finite() or self.data.as_tuple().exponent < -2):
            self.data = None
            raise ValueError(_l("Please give an amount such as 12.50."))


def cents(amount) -> int:
    """An amount (Decimal) as integer cents; none is 0."""
    return int((amount or Decimal(0)) * 100)


class WholeNumberField(IntegerField):
    """An integer field that refuses absurdly large numbers before validators see them.

    (WTForms' NumberRange converts to float, which overflows on 400 digits.)
    """

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and abs(self.data) > 10**9:
            self.data = None
            raise ValueError(_l("This number is too large."))


def hours_text(ranges) -> str:
    """Stored ranges as the text the opening-hours field takes."""
    return ", ".join(f"{start}-{end}" for start, end in ranges or [])


# --- centre ------------------------------------------------------------------


class CentreForm(ManageForm):
    name = TranslatedTextField(
        _l("Name"),
        required_any=True,
        max_length=200,
        description=_l("In as many languages as you like; at least one."),
    )
    slug = StringField(
        _l("Short name for the web address"),
        validators=[DataRequired(), Length(max=80)],
        filters=[strip_lower],
        render_kw={"dir": "ltr", "autocapitalize": "none", "spellcheck": "false"},
        description=_l(
            "Lower-case letters, digits and hyphens, e.g. nordstadt. Changing it later breaks links and "
            "calendar subscriptions."
        ),
    )
    description = TranslatedTextField(_l("Description"), multiline=True, max_length=4000)
    district = StringField(_l("District"), validators=[DataRequired(), Length(max=100)], filters=[strip])
    street = StringField(_l("Street and number"), validators=[Optional(), Length(max=200)], filters=[strip])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=20)], filters=[strip])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)], filters=[strip])
    latitude = CoordinateField(
        _l("Latitude"),
        validators=[Optional()],
        render_kw=LTR_NUMBER,
        description=_l("Decimal degrees, e.g. 52.3745. Used for the link to OpenStreetMap."),
    )
    longitude = CoordinateField(
        _l("Longitude"), validators=[Optional()], render_kw=LTR_NUMBER, description=_l("Decimal degrees, e.g. 9.7386.")
    )
    hours_0 = OpeningHoursField(WEEKDAYS[0])
    hours_1 = OpeningHoursField(WEEKDAYS[1])
    hours_2 = OpeningHoursField(WEEKDAYS[2])
    hours_3 = OpeningHoursField(WEEKDAYS[3])
    hours_4 = OpeningHoursField(WEEKDAYS[4])
    hours_5 = OpeningHoursField(WEEKDAYS[5])
    hours_6 = OpeningHoursField(WEEKDAYS[6])
    features = MultiCheckboxField(_l("Welcome features"))
    staff_languages = MultiCheckboxField(_l("Languages spoken by the staff"))
    contact_email = EmailField(
        _l("E-mail address"),
        validators=[Optional(), Email(), Length(max=254)],
        filters=[strip_lower],
        render_kw={"dir": "ltr", "autocomplete": "off"},
    )
    contact_phone = StringField(
        _l("Phone"),
        validators=[Optional(), Length(max=50)],
        filters=[strip],
        render_kw={"dir": "ltr", "inputmode": "tel", "autocomplete": "off"},
    )
    website = StringField(
        _l("Website"),
        validators=[Optional(), Length(max=300)],
        filters=[strip],
        render_kw={"dir": "ltr", "inputmode": "url", "autocomplete": "off"},
        description=_l("A full address such as https://example.org."),
    )
    timezone = StringField(
        _l("Time zone"),
        default=DEFAULT_TIMEZONE,
        validators=[DataRequired(), Length(max=64)],
        filters=[strip],
        render_kw={"dir": "ltr", "autocomplete": "off", "spellcheck": "false"},
        description=_l("For example Europe/Berlin. Booked times are kept in this zone's local time."),
    )
    default_language = SelectField(
        _l("Default language"),
        validators=[DataRequired()],
        description=_l("Shown when a text is missing in the visitor's language."),
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, centre=None, **kwargs):
        if centre is not None:
            for day in WEEKDAYS:
                kwargs.setdefault(f"hours_{day}", hours_text(centre.hours_on(day)))
        super().__init__(*args, obj=centre, **kwargs)
        self._centre = centre
        self.features.choices = [(key, label) for key, label in WELCOME_FEATURES.items()]
        self.staff_languages.choices = language_choices()
        self.default_language.choices = language_choices()

    def hours_fields(self):
        return [(day, self[f"hours_{day}"]) for day in WEEKDAYS]

    def opening_hours(self) -> dict:
        return {str(day): self[f"hours_{day}"].ranges for day in WEEKDAYS if self[f"hours_{day}"].ranges}

    def validate_slug(self, field):
        if not SLUG_PATTERN.match(field.data or ""):
            raise ValidationError(
                _l("Please use only lower-case letters a-z, digits and single hyphens (e.g. nordstadt-mitte).")
            )
        query = select(Centre.id).where(Centre.slug == field.data)
        if self._centre is not None:
            query = query.where(Centre.id != self._centre.id)
        if db.session.scalar(query) is not None:
            raise ValidationError(_l("Another centre already uses this short name."))

    def validate_latitude(self, field):
        if field.data is not None and not (math.isfinite(field.data) and -90 <= field.data <= 90):
            raise ValidationError(_l("The latitude must be between -90 and 90."))

    def validate_longitude(self, field):
        if field.data is not None and not (math.isfinite(field.data) and -180 <= field.data <= 180):
            raise ValidationError(_l("The longitude must be between -180 and 180."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        lat, lon = self.latitude, self.longitude
        if not lat.errors and not lon.errors and (lat.data is None) != (lon.data is None):
            missing = lon if lon.data is None else lat
            missing.errors = [*missing.errors, _l("Please give both latitude and longitude, or neither.")]
            valid = False
        return valid

    def validate_contact_phone(self, field):
        if field.data and not PHONE_PATTERN.match(field.data):
            raise ValidationError(_l("Please use only digits, spaces and + ( ) / - . in the phone number."))

    def validate_website(self, field):
        if field.data and not is_web_address(field.data):
            raise ValidationError(_l("Please enter a web address such as https://example.org."))

    def validate_timezone(self, field):
        if not (ZONE_PATTERN.match(field.data or "") and is_valid_zone(field.data)):
            raise ValidationError(_l("Unknown time zone. Please use a name such as Europe/Berlin."))

    def fill(self, centre: Centre) -> None:
        """Copy the validated input onto the centre."""
        centre.name = self.name.data
        centre.description = self.description.data
        centre.slug = self.slug.data
        centre.district = self.district.data
        centre.street = self.street.data or ""
        centre.postcode = self.postcode.data or ""
        centre.city = self.city.data or ""
        centre.latitude = self.latitude.data
        centre.longitude = self.longitude.data
        centre.opening_hours = self.opening_hours()
        centre.features = [key for key in WELCOME_FEATURES if key in (self.features.data or [])]
        centre.staff_languages = [code for code, _ in language_choices() if code in (self.staff_languages.data or [])]
        centre.contact_email = self.contact_email.data or ""
        centre.contact_phone = self.contact_phone.data or ""
        centre.website = self.website.data or ""
        centre.timezone = self.timezone.data
        centre.default_language = self.default_language.data


# --- managers ----------------------------------------------------------------


class ManagersForm(ManageForm):
    managers = MultiCheckboxField(
        _l("Managers of this centre"),
        description=_l("Untick a person to remove them. Admins can manage every centre anyway."),
    )
    add_email = EmailField(
        _l("Add a person by e-mail address"),
        validators=[Optional(), Email(), Length(max=254)],
        filters=[strip_lower],
        render_kw={"dir": "ltr", "autocomplete": "off"},
        description=_l("They need an account. A member becomes a manager."),
    )
    submit = SubmitField(_l("Save managers"))

    def __init__(self, *args, centre, **kwargs):
        current = list(centre.managers)
        kwargs.setdefault("managers", [str(user.id) for user in current])
        super().__init__(*args, **kwargs)
        candidates = {user.id: user for user in current}
        for user in db.session.scalars(select(User).where(User.role == "manager", User.active.is_(True))):
            candidates.setdefault(user.id, user)
        self.candidates = sorted(candidates.values(), key=lambda user: user.email)
        self.managers.choices = [(str(user.id), manager_label(user)) for user in self.candidates]
        self.added_user = None

    def validate_add_email(self, field):
        if not field.data:
            return
        user = User.by_email(field.data)
        if user is None or not user.is_active:
            raise ValidationError(_l("There is no active account with this e-mail address."))
        self.added_user = user

    def chosen_users(self) -> list:
        wanted = set(self.managers.data or [])
        users = [user for user in self.candidates if str(user.id) in wanted]
        if self.added_user is not None and self.added_user not in users:
            users.append(self.added_user)
        return users


def manager_label(user) -> str:
    return f"{user.name} <{user.email}>" if user.name else user.email
