from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from accounts.forms import ASCII_EMAIL, Form
from formkit import SingleLine, TranslatedTextField


class FeedbackForm(Form):
    message = TextAreaField(_l("What did you notice?"), validators=[DataRequired(), Length(min=10, max=5000)],
                            description=_l("Which page, what did not work, and what would have helped you."))
    name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=200), SingleLine()])
    email = EmailField(_l("Your e-mail address (optional, for our answer)"),
                       validators=[Optional(), Email(allow_smtputf8=False, message=ASCII_EMAIL), Length(max=254)])
    submit = SubmitField(_l("Send"))


class StatementForm(Form):
    text = TranslatedTextField(
        _l("Text"), multiline=True, required_any=True, max_length=30_000,
        description=_l("Sections separated by an empty line: the first line is the heading, then one paragraph a "
                       "line. A language left empty shows the English text, then the German one."))
    submit = SubmitField(_l("Save"))
