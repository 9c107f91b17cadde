"""Form fields shared by the blueprints' forms."""

import re
from datetime import time

from babel.support import Translations
from flask import request
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import Field, SelectMultipleField, widgets
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError

import i18n
from parsing import is_single_line


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes; renders as a fieldset in templates/_forms.html."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        values = dict(self.iter_choices_values())
        for value in self.data or []:
            if value not in values:
                raise ValidationError(self.gettext("'%(value)s' is not a valid choice.") % {"value": value})

    def iter_choices_values(self):
        for choice in self.choices or []:
            yield (choice[0], choice[1])


class TranslatedTextField(Field):
    """One text input (or textarea) per interface language; data is {lang: text}.

    Submitted as ``<name>-<lang>``. Only non-empty values are kept.
    """

    def __init__(self, label=None, validators=None, multiline=False, max_length=2000, required_any=False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.multiline = multiline
        self.max_length = max_length
        self.required_any = required_any

    def languages(self):
        return i18n.supported_languages()

    def language_infos(self):
        """Each language's own name and direction, for templates/_forms.html.

        Macros imported from _forms.html do not see the template context
        (``all_languages``, ``lang``), so the field provides them.
        """
        return [i18n.language_info(code) for code in self.languages()]

    def page_language(self):
        return i18n.current_language()

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors = []
        if data is None:
            data = self.object_data if hasattr(self, "object_data") else None
        self.object_data = data
        self.data = dict(data or self.default or {})
        self.raw_data = None
        if formdata is not None:
            submitted = {}
            seen = False
            for code in self.languages():
                key = f"{self.name}-{code}"
                if key in formdata:
                    seen = True
                    submitted[code] = formdata.get(key, "")
            if seen:
                self.raw_data = [submitted]
                self.data = i18n.clean_texts(submitted)

    def pre_validate(self, form):
        if self.required_any and not self.data:
            raise ValidationError(_l("Please fill in at least one language."))
        for text in (self.data or {}).values():
            if len(text) > self.max_length:
                raise ValidationError(
                    _l("Please use at most %(max)d characters.", max=self.max_length)
                )

    def value_for(self, code):
        return (self.data or {}).get(code, "")

    def __call__(self, **kwargs):  # pragma: no cover - rendered by the _forms macro
        return Markup("").join(
            Markup('<input name="{n}-{c}" value="{v}">').format(n=self.name, c=code, v=escape(self.value_for(code)))
            for code in self.languages()
        )


_RANGE = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*[-–—]\s*(\d{1,2})[:.](\d{2})\s*$")


class SingleLine:
    """A WTForms validator: a name or a title on one line (parsing.is_single_line)."""

    def __call__(self, form, field):
        if isinstance(field.data, str) and not is_single_line(field.data):
            raise ValidationError(_l("Please write this on one line, without line breaks or control characters."))


def parse_time_ranges(text: str) -> list[list[str]]:
    """'09:00-12:00, 14:00-18:00' -> [['09:00', '12:00'], ['14:00', '18:00']]; ValueError if bad."""
    ranges = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        match = _RANGE.match(part)
        if not match:
            raise ValueError(part)
        h1, m1, h2, m2 = (int(x) for x in match.groups())
        start, end = time(h1, m1), time(h2, m2) if h2 < 24 else None
        if end is None or start >= end:
            raise ValueError(part)
        ranges.append([start.strftime("%H:%M"), end.strftime("%H:%M")])
    return sorted(ranges)


def format_time_ranges(ranges) -> str:
    return ", ".join(f"{a}–{b}" for a, b in ranges or [])


# --- WTForms' own messages in the page's language -------------------------------------
#
# WTForms translates its messages ("This field is required.") with its own
# catalogues, which lack some of our languages (Croatian). The messages our
# forms can show are listed here so that pybabel extracts them into our
# catalogues; FormTranslations looks a message up there first and in WTForms'
# catalogue second.


def N_(message):  # noqa: N802 - marks a message for extraction (a pybabel default keyword)
    return message


WTFORMS_MESSAGES = (
    N_("This field is required."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Invalid email address."),
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("'%(value)s' is not a valid choice."),
    N_("Not a valid date value."),
    N_("Not a valid time value."),
    N_("Not a valid integer value."),
    N_("Not a valid float value."),
)


def wtforms_plural_messages(ngettext=lambda singular, plural, n: (singular, plural)):
    """The plural messages of WTForms our forms can show (for extraction; pybabel's default keyword ngettext)."""
    return [
        ngettext("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 1),
    ]


class FormTranslations:
    """What Flask-WTF asks to translate WTForms' messages: our catalogue first, then WTForms' own."""

    _wtforms: dict = {}

    def wtforms_catalogue(self):
        code = str(get_locale() or i18n.FALLBACK_LANGUAGE)
        if code not in self._wtforms:
            self._wtforms[code] = Translations.load(messages_path(), [code], domain="wtforms")
        return self._wtforms[code]

    def ugettext(self, string):
        translated = get_translations().ugettext(string)
        return translated if translated != string else self.wtforms_catalogue().ugettext(string)

    def ungettext(self, singular, plural, n):
        translated = get_translations().ungettext(singular, plural, n)
        if translated in (singular, plural):
            return self.wtforms_catalogue().ungettext(singular, plural, n)
        return translated

    gettext, ngettext = ugettext, ungettext


FORM_TRANSLATIONS = FormTranslations()


def use_form_translations():
    """Before each request: Flask-WTF takes the translations of WTForms' messages from here."""
    request.wtforms_translations = FORM_TRANSLATIONS
