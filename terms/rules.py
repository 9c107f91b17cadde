"""The terms a request must meet and the cancellation terms, for every path (form, API, CLI).

A request by an association accepts the centre's current house rules (when the
centre has any) and, when the centre asks for one, names an adult responsible
person. Cancelling an approved date later than the centre's free period costs
its late-cancellation fee, or is refused online when the centre says so.
"""

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from bookings.errors import Violation, violation
from parsing import is_single_line
from terms.models import HouseRules
from timeutil import to_local

MAX_NAME = 200
MAX_PHONE = 50
PHONE = re.compile(r"^\+?[0-9 ()/.\-]{5,50}$")


@dataclass
class Responsible:
    """The adult named on a request, responsible on the day: seen by the centre's managers only."""

    name: str = ""
    phone: str = ""
    adult: bool = False


def check_terms(centre, association, *, accepted: bool, responsible: Responsible | None) -> list[Violation]:
    """What an association's request must carry under the centre's terms; a centre's own booking needs none."""
    if association is None:
        return []
    problems = []
    if HouseRules.current(centre) is not None and accepted is not True:
        problems.append(violation("accept_terms", _("Please read and accept the house rules of the centre.")))
    if centre.asks_responsible:
        problems.extend(check_responsible(responsible or Responsible()))
    return problems


def check_responsible(person: Responsible) -> list[Violation]:
    problems = []
    name = (person.name or "").strip() if isinstance(person.name, str) else ""
    phone = (person.phone or "").strip() if isinstance(person.phone, str) else ""
    if not name:
        problems.append(violation("responsible.name", _("Please name the person responsible on the day.")))
    elif len(name) > MAX_NAME or not is_single_line(name):
        problems.append(violation("responsible.name", _("Please write the name on one line, in at most %(max)d "
                                                        "characters.", max=MAX_NAME)))
    if not phone:
        problems.append(violation("responsible.phone", _("Please give a phone number for the responsible person.")))
    elif not PHONE.match(phone) or sum(ch.isdigit() for ch in phone) < 5:
        problems.append(violation("responsible.phone", _("Please give a phone number such as +49 30 1234567.")))
    if person.adult is not True:
        problems.append(violation("responsible.adult", _("The responsible person must be of age (18 or older).")))
    return problems


def clean_responsible(person: Responsible | None) -> Responsible:
    person = person or Responsible()
    return Responsible((person.name or "").strip(), (person.phone or "").strip(), person.adult is True)


# --- cancellation terms -----------------------------------------------------------------


def days_before(occurrence, centre, now) -> int:
    """Whole days from today (the centre's local date) to the date's day."""
    tz_name = centre.timezone
    return (to_local(occurrence.starts_at, tz_name).date() - to_local(now, tz_name).date()).days


def is_late(occurrence, centre, now) -> bool:
    """Cancelling this approved date now is late: fewer than the centre's free days before it."""
    free_days = centre.cancel_free_days
    return free_days is not None and occurrence.status == "approved" and days_before(occurrence, centre, now) < free_days


def late_cancellation(occurrences, centre, now) -> tuple[list, list[Violation]]:
    """(the late dates among these, the refusal when the centre takes late cancellations only by phone)."""
    late = [o for o in occurrences if is_late(o, centre, now)]
    if late and not centre.late_cancel_online:
        phone = centre.contact_phone or centre.contact_email
        return late, [violation("occurrence", ngettext(
            "Dates less than %(num)d day ahead can only be cancelled by calling the centre (%(phone)s).",
            "Dates less than %(num)d days ahead can only be cancelled by calling the centre (%(phone)s).",
            centre.cancel_free_days, phone=phone))]
    return late, []

