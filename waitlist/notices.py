"""The offer mail: to the waiting association's members (and its contact address), each in their language."""

from flask_babel import force_locale
from flask_babel import gettext as _

from bookings.notifications import direction_for, greeting_for, language_for, link_for, send_notice
from bookings.wording import describe_moment, describe_slot
from i18n import pick_text
from mail import Notice


def recipients(entry) -> list[tuple[str, str, str]]:
    centre, association = entry.centre, entry.association
    found, seen = [], set()
    for user in association.members:
        if user.active and user.email.lower() not in seen:
            seen.add(user.email.lower())
            found.append((user.email, user.name, language_for(user.preferred_language, centre)))
    contact = association.email or ""
    if contact and contact.lower() not in seen:
        creator = entry.created_by
        found.append((contact, association.contact_person,
                      language_for(creator.preferred_language if creator else None, centre)))
    return found


def offered(entry) -> None:
    """The date is free: the first in line may have it until the offer expires."""
    centre = entry.centre
    tz_name = centre.timezone
    slot = describe_slot(entry.starts_at, entry.ends_at, tz_name)
    for email, name, lang in recipients(entry):
        with force_locale(lang):
            notice = Notice(lang, direction_for(lang), _("A room is free for you: %(room)s", room=entry.room.name),
                            greeting_for(name))
            notice.paragraphs.append(_("You are first on the waiting list, and the room is free now on the date "
                                       "below. It is offered to %(association)s alone until the time given; then "
                                       "it goes to the next in line.", association=entry.association.name))
            notice.paragraphs.append(_("Accepting sends your request to the centre, which decides on it as on any "
                                       "request."))
            notice.facts = [
                (_("Title"), entry.title),
                (_("Centre"), pick_text(centre.name, None, centre.default_language)[0] or centre.slug),
                (_("Room"), entry.room.name),
                (_("Answer by"), describe_moment(entry.offer_expires, tz_name)),
            ]
            notice.dates_heading = _("Date")
            notice.dates = [slot]
            notice.link = link_for("waitlist.show", lang=lang, entry_id=entry.id)
            notice.link_label = _("Accept or decline the offer")
            send_notice(email, name, notice, f"waitlist-offer:{entry.id}")
