"""E-mails about bookings, each in its recipient's language, with the dates in the centre's zone.

Managers hear of new requests (and of dates an association gives back); the
association hears of approval and of cancellation (with the reason), each with
an .ics of the booking as its private feed shows it, and of rejection.
Messages go to the outbox with ``mail.queue`` in the transaction of the change, each under a notice key (what
happened to which dates of which booking, and to whom): the worker delivers them once the change is committed.
"""

import hashlib

from flask import current_app, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from werkzeug.routing import BuildError

import mail
from bookings.display import occurrence_label, reason_text
from bookings.wording import describe_slot
from feeds.private import booking_file
from i18n import language_info, pick_text
from mail import Notice
from terms import pricing

MAX_LISTED = 30


# --- recipients ---------------------------------------------------------------


def language_for(preferred, centre) -> str:
    supported = current_app.config["LANGUAGES"]
    for candidate in (preferred, centre.default_language, current_app.config.get("BABEL_DEFAULT_LOCALE")):
        if candidate in supported:
            return candidate
    return supported[0]


def association_recipients(booking) -> list[tuple[str, str, str]]:
    """(email, name, language) of the association's members, and its contact address."""
    centre = booking.centre
    recipients, seen = [], set()
    creator = booking.created_by
    for user in booking.association.members if booking.association else []:
        if user.active and user.email not in seen:
            seen.add(user.email)
            recipients.append((user.email, user.name, language_for(user.preferred_language, centre)))
    contact = (booking.association.email if booking.association else "") or ""
    if contact and contact.lower() not in seen:
        preferred = creator.preferred_language if creator else None
        recipients.append((contact, booking.association.contact_person, language_for(preferred, centre)))
    if not recipients and creator is not None and creator.active:
        recipients.append((creator.email, creator.name, language_for(creator.preferred_language, centre)))
    return recipients


def manager_recipients(booking) -> list[tuple[str, str, str]]:
    centre = booking.centre
    recipients = [
        (user.email, user.name, language_for(user.preferred_language, centre)) for user in centre.managers
        if user.active and user.manages(centre)
    ]
    if not recipients and centre.contact_email:
        recipients.append((centre.contact_email, "", language_for(centre.default_language, centre)))
    return recipients


# --- rendering ----------------------------------------------------------------------


def link_for(endpoint, **values):
    try:
        return url_for(endpoint, _external=True, **values)
    except (RuntimeError, BuildError):
        return None


def direction_for(lang) -> str:
    return language_info(lang).direction


def _date_lines(notice, occurrences, tz_name, with_reasons=False):
    lines = []
    for occurrence in occurrences[:MAX_LISTED]:
        line = occurrence_label(occurrence, tz_name)
        if with_reasons and occurrence.cancel_reason:
            line = _("%(date)s: %(reason)s", date=line, reason=reason_text(occurrence.cancel_reason))
        lines.append(line)
    notice.dates = lines
    if len(occurrences) > MAX_LISTED:
        notice.more = _("… and %(count)d more dates.", count=len(occurrences) - MAX_LISTED)


def _fee_facts(booking, *, for_managers=False) -> list[tuple[str, str]]:
    """The fee, deposit and tariff (the association and managers); the responsible person (managers only)."""
    if booking.is_centre_booking:
        return []
    facts = [(_("Fee"), pricing.money(booking.fee_cents or 0, booking.currency)),
             (_("Tariff"), str(pricing.TARIFF_LABELS.get(booking.tariff, booking.tariff)))]
    if booking.deposit_cents:
        facts.append((_("Deposit"), pricing.money(booking.deposit_cents, booking.currency)))
    if booking.cancellation_fee_cents:
        facts.append((_("Late-cancellation fees"), pricing.money(booking.cancellation_fee_cents, booking.currency)))
    if for_managers and booking.responsible_name:
        facts.append((_("Responsible person"), f"{booking.responsible_name}, {booking.responsible_phone}"))
    return facts


def _facts(booking) -> list[tuple[str, str]]:
    centre = booking.centre
    facts = [(_("Title"), booking.title)]
    centre_name = pick_text(centre.name, None, centre.default_language)[0] or centre.slug
    facts.append((_("Centre"), centre_name))
    if booking.room is not None:
        facts.append((_("Room"), booking.room.name))
    if booking.association is not None:
        facts.append((_("Association"), booking.association.name))
    if booking.attendees:
        facts.append((_("People expected"), str(booking.attendees)))
    return facts


def notice_key(kind, booking, dates) -> str:
    """What happened: the kind of notice, the booking and the dates it concerns (ids, digested)."""
    ids = ",".join(str(o.id) for o in sorted(dates, key=lambda o: o.id or 0))
    return f"{kind}:{booking.id}:{hashlib.sha256(ids.encode()).hexdigest()[:24]}"


def send_notice(to, name, notice, key, attachments=()):
    mail.queue_notice(to, name, notice, f"{key}:{to.lower()}", attachments)


def greeting_for(name) -> str:
    return _("Hello %(name)s,", name=name) if name else _("Hello,")


# --- calendar attachments ------------------------------------------------------------------


def calendar_attachments(booking):
    """``attachment(lang)``: the booking as the association's private feed shows it (feeds.private: one iCalendar
    writer, so the same UID and SEQUENCE for each date in the mail and in the feed), built once per language."""
    built = {}

    def attachment(lang):
        if lang not in built:
            filename, body, method = booking_file(booking, lang)
            built[lang] = (filename, body, "text/calendar", {"method": method, "charset": "utf-8"})
        return built[lang]

    return attachment


# --- the notices -----------------------------------------------------------------------


def new_request(booking) -> None:
    """To the centre's managers: a request waits in the queue."""
    tz_name = booking.centre.timezone
    key = notice_key("request", booking, booking.occurrences)
    for email, name, lang in manager_recipients(booking):
        with force_locale(lang):
            who = booking.association.name if booking.association else ""
            notice = Notice(lang, direction_for(lang), _("New request for %(room)s: %(title)s",
                            room=booking.room.name if booking.room else "", title=booking.title), greeting_for(name))
            notice.paragraphs.append(_("%(association)s asks for a room. The request waits for your decision.",
                                       association=who))
            if booking.association is not None and not booking.association.verified:
                notice.paragraphs.append(_("The association is not verified yet."))
            notice.facts = _facts(booking) + _fee_facts(booking, for_managers=True)
            if booking.note:
                notice.facts.append((_("Note"), booking.note))
            notice.dates_heading = _("Dates asked for")
            _date_lines(notice, booking.occurrences, tz_name)
            notice.link = link_for("bookings.show", lang=lang, booking_id=booking.id)
            notice.link_label = _("Open the request")
            send_notice(email, name, notice, key)


def approved(booking, approved_dates, not_approved) -> None:
    tz_name = booking.centre.timezone
    key = notice_key("approved", booking, approved_dates)
    attachment = calendar_attachments(booking)
    for email, name, lang in association_recipients(booking):
        with force_locale(lang):
            notice = Notice(lang, direction_for(lang), _("Approved: %(title)s", title=booking.title), greeting_for(name))
            notice.paragraphs.append(_("Your request is approved: the room is yours on the dates listed below."))
            notice.facts = _facts(booking) + _fee_facts(booking)
            terms = cancellation_terms(booking.centre)
            if terms:
                notice.paragraphs.append(terms)
            notice.dates_heading = _("Approved dates")
            _date_lines(notice, approved_dates, tz_name)
            if not_approved:
                notice.paragraphs.append(ngettext(
                    "%(num)d date you asked for was not approved; the booking page gives the reason.",
                    "%(num)d dates you asked for were not approved; the booking page gives the reason.",
                    len(not_approved)))
            notice.paragraphs.append(_("The attached calendar file adds the dates to your calendar."))
            notice.link = link_for("bookings.show", lang=lang, booking_id=booking.id)
            notice.link_label = _("Open the booking")
            send_notice(email, name, notice, key, [attachment(lang)])


def rejected(booking, dates, reason) -> None:
    tz_name = booking.centre.timezone
    key = notice_key("rejected", booking, dates)
    for email, name, lang in association_recipients(booking):
        with force_locale(lang):
            notice = Notice(lang, direction_for(lang), _("Not approved: %(title)s", title=booking.title), greeting_for(name))
            notice.paragraphs.append(_("We are sorry: your request could not be approved."))
            notice.facts = _facts(booking)
            notice.reason_heading = _("Reason")
            notice.reason = reason_text(reason)
            notice.dates_heading = _("Dates asked for")
            _date_lines(notice, dates, tz_name)
            notice.link = link_for("bookings.show", lang=lang, booking_id=booking.id)
            notice.link_label = _("Open the request")
            send_notice(email, name, notice, key)


def competing_rejected(booking, dates) -> None:
    tz_name = booking.centre.timezone
    key = notice_key("competing", booking, dates)
    for email, name, lang in association_recipients(booking):
        with force_locale(lang):
            notice = Notice(lang, direction_for(lang), _("Not approved: %(title)s", title=booking.title), greeting_for(name))
            notice.paragraphs.append(_("Some dates of your request could not be approved: the room was given to "
                                       "another request for the same time."))
            notice.facts = _facts(booking)
            notice.reason_heading = _("Reason")
            notice.reason = reason_text("@competing")
            notice.dates_heading = _("Dates not approved")
            _date_lines(notice, dates, tz_name)
            if booking.status == "pending":
                notice.paragraphs.append(_("Your other dates still wait for a decision."))
            notice.link = link_for("bookings.show", lang=lang, booking_id=booking.id)
            notice.link_label = _("Open the request")
            send_notice(email, name, notice, key)


def cancelled(booking, dates, reason, had_approved) -> None:
    """To the association: the centre cancelled dates."""
    tz_name = booking.centre.timezone
    key = notice_key("cancelled", booking, dates)
    attachment = calendar_attachments(booking)
    for email, name, lang in association_recipients(booking):
        with force_locale(lang):
            notice = Notice(lang, direction_for(lang), _("Cancelled: %(title)s", title=booking.title), greeting_for(name))
            notice.paragraphs.append(ngettext_dates(len(dates)))
            notice.facts = _facts(booking)
            notice.reason_heading = _("Reason")
            notice.reason = reason or _("No reason was given.")
            notice.dates_heading = _("Cancelled dates")
            _date_lines(notice, dates, tz_name)
            notice.link = link_for("bookings.show", lang=lang, booking_id=booking.id)
            notice.link_label = _("Open the booking")
            send_notice(email, name, notice, key, [attachment(lang)] if had_approved else [])


def ngettext_dates(count) -> str:
    return ngettext("The centre has cancelled %(num)d date of your booking.",
                    "The centre has cancelled %(num)d dates of your booking.", count)


def cancellation_terms(centre) -> str:
    """The centre's cancellation terms in a sentence (empty when cancelling is always free)."""
    days = centre.cancel_free_days
    if days is None:
        return ""
    if not centre.late_cancel_online:
        return ngettext("Dates can be cancelled online free of charge until %(num)d day before; later only by "
                        "calling the centre.", "Dates can be cancelled online free of charge until %(num)d days "
                        "before; later only by calling the centre.", days)
    if centre.late_cancel_fee_cents:
        return ngettext("Dates can be cancelled free of charge until %(num)d day before; later cancellations cost "
                        "%(fee)s per date.", "Dates can be cancelled free of charge until %(num)d days before; "
                        "later cancellations cost %(fee)s per date.", days,
                        fee=pricing.money(centre.late_cancel_fee_cents, centre.currency))
    return ""


def given_back(booking, dates, reason, withdrawn, late_fee=0) -> None:
    """To the managers: the association withdrew its request or cancelled dates (the room is free again)."""
    tz_name = booking.centre.timezone
    key = notice_key("withdrawn" if withdrawn else "given_back", booking, dates)
    who = booking.association.name if booking.association else ""
    for email, name, lang in manager_recipients(booking):
        with force_locale(lang):
            if withdrawn:
                subject = _("Request withdrawn: %(title)s", title=booking.title)
                text = _("%(association)s has withdrawn its request.", association=who)
            else:
                subject = _("Dates cancelled by %(association)s: %(title)s", association=who, title=booking.title)
                text = _("%(association)s has cancelled dates; the room is free again at these times.", association=who)
            notice = Notice(lang, direction_for(lang), subject, greeting_for(name), paragraphs=[text])
            if late_fee:
                notice.paragraphs.append(_late_fee_text(booking, late_fee))
            notice.facts = _facts(booking)
            if reason:
                notice.reason_heading = _("Reason")
                notice.reason = reason
            notice.dates_heading = _("Dates")
            _date_lines(notice, dates, tz_name)
            notice.link = link_for("bookings.show", lang=lang, booking_id=booking.id)
            notice.link_label = _("Open the booking")
            send_notice(email, name, notice, key)
    if late_fee:
        late_fee_charged(booking, dates, late_fee)


def _late_fee_text(booking, late_fee) -> str:
    return _("The cancellation came later than the centre's terms allow free of charge: a fee of %(fee)s applies.",
             fee=pricing.money(late_fee, booking.currency))


def late_fee_charged(booking, dates, late_fee) -> None:
    """To the association: its cancellation came late, and what it costs."""
    tz_name = booking.centre.timezone
    key = notice_key("late_fee", booking, dates)
    for email, name, lang in association_recipients(booking):
        with force_locale(lang):
            notice = Notice(lang, direction_for(lang), _("Cancelled: %(title)s", title=booking.title), greeting_for(name))
            notice.paragraphs.append(_("You have cancelled the dates listed below."))
            notice.paragraphs.append(_late_fee_text(booking, late_fee))
            notice.facts = _facts(booking) + _fee_facts(booking)
            notice.dates_heading = _("Cancelled dates")
            _date_lines(notice, dates, tz_name)
            notice.link = link_for("bookings.show", lang=lang, booking_id=booking.id)
            notice.link_label = _("Open the booking")
            send_notice(email, name, notice, key)


def key_not_returned(handover) -> None:
    """To the association: a key handed out for its booking is not back (terms.keys, the morning after)."""
    booking = handover.booking
    tz_name = booking.centre.timezone
    for email, name, lang in association_recipients(booking):
        with force_locale(lang):
            notice = Notice(lang, direction_for(lang), _("Please return the key: %(title)s", title=booking.title),
                            greeting_for(name))
            notice.paragraphs.append(_("The key handed to %(holder)s for your booking is not back yet. Please "
                                       "return it to the centre as soon as possible.", holder=handover.holder))
            notice.facts = _facts(booking)
            if handover.occurrence is not None:
                notice.facts.append((_("Date"), describe_slot(handover.occurrence.starts_at,
                                                              handover.occurrence.ends_at, tz_name)))
            if booking.centre.contact_phone:
                notice.facts.append((_("Phone of the centre"), booking.centre.contact_phone))
            notice.link = link_for("bookings.show", lang=lang, booking_id=booking.id)
            notice.link_label = _("Open the booking")
            send_notice(email, name, notice, f"key:{handover.id}")
