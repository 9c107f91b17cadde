"""What a password must be (OWASP ASVS 2.1, level 2): at least 12 characters, up to 200, and not common.

"Common" is zxcvbn's judgement (its frequency lists of leaked passwords, words
and names, shipped with the package; no outside request): a password it
guesses in fewer than 10^8 tries (score below 3) is refused, and so is one
built from the user's own e-mail address or name.
"""

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError
from zxcvbn import zxcvbn

MIN_PASSWORD = 12
MAX_PASSWORD = 200
MIN_SCORE = 3
CHECKED = 100  # zxcvbn's time grows with the length; beyond this a password is long enough anyway


def weakness(password: str, *personal) -> str | None:
    """Why the password is refused (translated), or None."""
    if len(password or "") < MIN_PASSWORD:
        return str(_l("Please use at least %(count)d characters.", count=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        return str(_l("Please use at most %(count)d characters.", count=MAX_PASSWORD))
    plain = _letters(password)
    for value in personal:
        own = _letters(value or "")
        if own and (plain in own or (own in plain and len(own) * 2 >= len(plain))):
            return str(_l("Please do not build the password from your e-mail address or name."))
    inputs = [part for value in personal if value for part in str(value).replace("@", " ").replace(".", " ").split()]
    if zxcvbn(password[:CHECKED], user_inputs=inputs[:20])["score"] < MIN_SCORE:
        return str(_l("This password is too common or too easy to guess. Several unrelated words make a good one."))
    return None


def _letters(text) -> str:
    return "".join(ch for ch in str(text).casefold() if ch.isalnum())


class StrongPassword:
    """The WTForms validator; ``personal``: names of the form's fields whose values must not make the password."""

    def __init__(self, *personal):
        self.personal = personal

    def __call__(self, form, field):
        values = [getattr(form, name).data for name in self.personal if hasattr(form, name)]
        values.append(getattr(getattr(form, "_user", None), "email", None))
        problem = weakness(field.data or "", *values)
        if problem:
            raise ValidationError(problem)
