"""The invitation to organise an event together: to the invited association's admins, each in their language."""

from flask_babel import force_locale
from flask_babel import gettext as _

from accounts import members
from bookings.notifications import direction_for, greeting_for, language_for, link_for, send_notice
from bookings.wording import describe_slot
from mail import Notice


def recipients(cooperation) -> list[tuple[str, str, str]]:
    centre = cooperation.booking.centre
    found = [(user.email, user.name, language_for(user.preferred_language, centre))
             for user, admin in members.roster(cooperation.association) if admin and user.active]
    if not found and cooperation.association.email:
        found.append((cooperation.association.email, cooperation.association.contact_person,
                      language_for(None, centre)))
    return found


def invited(cooperation) -> None:
    booking = cooperation.booking
    inviting = booking.association.name
    first = booking.occurrences[0] if booking.occurrences else None
    for email, name, lang in recipients(cooperation):
        with force_locale(lang):
            notice = Notice(lang, direction_for(lang), _("%(association)s invites you to organise an event together",
                                                         association=inviting), greeting_for(name))
            notice.paragraphs.append(_("%(inviting)s would like to name %(invited)s as co-organiser of the event "
                                       "below. Once you accept, both associations are shown with the event in the "
                                       "calendar and its feeds; %(inviting)s stays responsible for the booking.",
                                       inviting=inviting, invited=cooperation.association.name))
            notice.facts = [(_("Title"), booking.title)]
            if first is not None:
                notice.facts.append((_("Date"), describe_slot(first.starts_at, first.ends_at, booking.centre.timezone)))
            notice.link = link_for("cooperations.show", lang=lang, cooperation_id=cooperation.id)
            notice.link_label = _("Accept or decline")
            send_notice(email, name, notice, f"cooperation:{cooperation.id}")
