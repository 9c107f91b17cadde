import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import URL, DataRequired, Email, EqualTo, Length, Optional, ValidationError

import i18n
from accounts.models import ASSOCIATION_KINDS, Association
from accounts.passwords import MIN_PASSWORD, StrongPassword
from extensions import db
from formkit import MultiCheckboxField, SingleLine, TranslatedTextField

KIND_LABELS = {
    "migrant_organisation": _l("Migrant organisation"),
    "club": _l("Club"),
    "initiative": _l("Initiative"),
    "school": _l("School"),
    "religious_community": _l("Religious community"),
    "welfare_organisation": _l("Welfare organisation"),
    "public_body": _l("Public body"),
    "other": _l("Other"),
}
assert set(KIND_LABELS) == set(ASSOCIATION_KINDS)

# Mail headers need an ASCII mailbox name (before the @); the domain may be international (stored as IDNA).
ASCII_EMAIL = _l("Please enter an e-mail address such as name@example.org.")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Form(FlaskForm):
    """Base form: refuses control characters, which PostgreSQL will not store (NUL) and nobody means to type."""

    def validate(self, extra_validators=None):
        dirty = [field for field in self if has_control_characters(field.data)]
        if dirty:
            # Report only these: the other validators may look the text up in the database.
            for field in dirty:
                field.errors = [_l("Please remove the invisible control characters from this text.")]
            return False
        return super().validate(extra_validators)


def has_control_characters(data) -> bool:
    values = data.values() if isinstance(data, dict) else data if isinstance(data, list) else [data]
    return any(isinstance(v, str) and CONTROL_CHARACTERS.search(v) for v in values)


def language_choices():
    return [(lang.code, lang.native_name) for lang in i18n.languages()]


class LoginForm(Form):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Stay signed in on this device"))
    submit = SubmitField(_l("Sign in"))


class PasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), StrongPassword()],
        description=_l("At least %(count)d characters.", count=MIN_PASSWORD),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


class PreferencesForm(Form):
    name = StringField(_l("Your name"), validators=[Optional(), Length(max=200), SingleLine()])
    preferred_language = SelectField(_l("Preferred language"), validators=[DataRequired()])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preferred_language.choices = language_choices()


class TokenForm(Form):
    name = StringField(
        _l("What is the token for?"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("For example: the website of our association."),
    )
    # A token acts for the user without a session: whoever creates one confirms the password again.
    current_password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Create token"))


class AssociationForm(Form):
    name = StringField(_l("Name of the association"), validators=[DataRequired(), Length(max=200), SingleLine()])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k, label) for k, label in KIND_LABELS.items()], validators=[DataRequired()]
    )
    contact_person = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=200), SingleLine()])
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Email(allow_smtputf8=False, message=ASCII_EMAIL), Length(max=254)],
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])
    website = StringField(
        _l("Website"),
        validators=[
            Optional(),
            URL(message=_l("Please enter a web address such as https://example.org.")),
            Length(max=300),
        ],
    )
    description = TranslatedTextField(_l("What does the association do?"), multiline=True, max_length=4000)
    languages = MultiCheckboxField(_l("Languages you work in"))

    def __init__(self, *args, association=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._association = association
        self.languages.choices = language_choices()

    def validate_website(self, field):
        if field.data and not field.data.strip().lower().startswith(("https://", "http://")):
            raise ValidationError(_l("Please enter a web address such as https://example.org."))

    def validate_name(self, field):
        field.data = field.data.strip()
        query = select(Association).where(func.lower(Association.name) == field.data.lower())
        if self._association is not None:
            query = query.where(Association.id != self._association.id)
        if db.session.scalar(query) is not None:
            raise ValidationError(_l("An association with this name is already registered."))


class RegisterAssociationForm(AssociationForm):
    account_email = EmailField(
        _l("Your e-mail address (for signing in)"),
        validators=[DataRequired(), Email(allow_smtputf8=False, message=ASCII_EMAIL), Length(max=254)],
    )
    account_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200), SingleLine()])
    password = PasswordField(
        _l("Choose a password"),
        validators=[DataRequired(), StrongPassword("account_email", "account_name")],
        description=_l("At least %(count)d characters.", count=MIN_PASSWORD),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Register"))


class NewAssociationForm(AssociationForm):
    """Registration by someone already signed in: they become the first member."""

    submit = SubmitField(_l("Register"))


class EditAssociationForm(AssociationForm):
    submit = SubmitField(_l("Save"))


class ConfirmForm(Form):
    """An empty form: a button protected by CSRF."""

    submit = SubmitField(_l("Confirm"))


# --- members, password reset, address change, deletion (accounts.members, accounts.reset, accounts.personal) --


class InviteForm(Form):
    email = EmailField(_l("E-mail address of the person to invite"),
                       validators=[DataRequired(), Email(allow_smtputf8=False, message=ASCII_EMAIL),
                                   Length(max=254)])
    submit = SubmitField(_l("Send invitation"))


MEMBER_ROLES = (("member", _l("Member")), ("admin", _l("Admin of the association")))


class MemberRoleForm(Form):
    role = SelectField(_l("Role"), choices=MEMBER_ROLES, validators=[DataRequired()])
    submit = SubmitField(_l("Change role"))


class LeaveForm(Form):
    confirm = BooleanField(_l("Yes, I want to leave this association"),
                           validators=[DataRequired(_l("Please tick the box to confirm."))])
    submit = SubmitField(_l("Leave the association"))


# made before the password fields, so that it comes first in JoinForm (WTForms orders fields as they were made)
YOUR_NAME = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200), SingleLine()])


class NewPasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[DataRequired(), StrongPassword("name")],
                             description=_l("At least %(count)d characters.", count=MIN_PASSWORD))
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])
    submit = SubmitField(_l("Set the new password"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._user = user  # the password must not be made of the user's address (StrongPassword)


class JoinForm(NewPasswordForm):
    """A new account for an invited address: the invitation's link confirmed the address."""

    name = YOUR_NAME
    submit = SubmitField(_l("Create my account and join"))


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class EmailChangeForm(Form):
    new_email = EmailField(_l("New e-mail address"),
                           validators=[DataRequired(), Email(allow_smtputf8=False, message=ASCII_EMAIL),
                                       Length(max=254)])
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Change e-mail address"))


class DeleteAccountForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    confirm = BooleanField(_l("Yes, delete my account and my personal data"),
                           validators=[DataRequired(_l("Please tick the box to confirm."))])
    submit = SubmitField(_l("Delete my account"))


class DeleteAssociationForm(Form):
    reason = StringField(_l("Reason (the association's contact is told when dates are cancelled)"),
                         validators=[DataRequired(), Length(max=500), SingleLine()])
    confirm = BooleanField(_l("Yes, delete this association"),
                           validators=[DataRequired(_l("Please tick the box to confirm."))])
    submit = SubmitField(_l("Delete the association"))
