"""Notification e-mails, received by a real SMTP server (aiosmtpd) on a local port.

Each mail is in its recipient's language: Content-Language, the HTML part's
lang and dir, and the dates as Babel writes them in that language and the
centre's time zone. Approved dates come with an .ics; cancelled ones with a
cancelling .ics.
"""

import logging
import time
from datetime import timedelta

import pytest
import recurring_ical_events
from booking_support import approve, booking_world_fixture, day_label, next_weekday, request  # noqa: F401
from icalendar import Calendar
from mail_support import deliver, free_port, inbox_fixture  # noqa: F401

from bookings import services
from bookings.errors import BookingConflict
from extensions import db


def tuesday(weeks=0):
    return next_weekday(1, 14) + timedelta(weeks=weeks)


def body(message, subtype="plain"):
    return message.get_body(preferencelist=(subtype,)).get_content()


def calendars(message):
    return [Calendar.from_ical(part.get_payload(decode=True)) for part in message.iter_attachments()
            if part.get_content_type() == "text/calendar"]


def test_managers_hear_of_a_new_request_in_their_language(inbox, booking_world):
    booking_world.member.name = "Mina"
    request(booking_world, weekly={"count": 2}, attendees=12, note="Bitte mit Beamer")
    [mail] = inbox.wait(1)
    assert mail["To"] == "Murat Manager <manager@example.org>" and mail["From"] == "zentrum@example.org"
    assert mail["Content-Language"] == "tr"
    assert "Deutschkurs" in mail["Subject"] and "Großer Saal" in mail["Subject"]
    text = body(mail)
    assert day_label(tuesday(), "tr") in text and day_label(tuesday(1), "tr") in text
    assert "Sprachbrücke" in text and "Bitte mit Beamer" in text and "12" in text
    assert '<html lang="tr" dir="ltr">' in body(mail, "html")
    assert not calendars(mail)


def test_approval_goes_to_the_association_with_an_ics(inbox, booking_world):
    booking = request(booking_world, weekly={"count": 3})
    inbox.wait(1)
    inbox.messages.clear()
    approve(booking_world, booking, occurrence_ids=[o.id for o in booking.occurrences[:2]])
    inbox.wait(2)
    member = inbox.to("member@example.org")
    contact = inbox.to("kontakt@sprachbruecke.example")
    assert len(member) == 1 and len(contact) == 1 and len(inbox.messages) == 2
    mail = member[0]
    assert mail["Content-Language"] == "de"
    text = body(mail)
    assert day_label(tuesday(), "de") in text and "18:00–20:00 Uhr" in text
    assert day_label(tuesday(2), "de") not in text and "1 gewünschter Termin wurde nicht genehmigt" in text
    [calendar] = calendars(mail)
    assert calendar["METHOD"] == "PUBLISH"
    # The booking as the association's private feed shows it: the two approved dates as one weekly series.
    events = recurring_ical_events.of(calendar).between(tuesday() - timedelta(days=1), tuesday(3))
    assert len(events) == 2 and len({str(e["UID"]) for e in events}) == 1
    first = sorted(events, key=lambda e: e.decoded("DTSTART"))[0]
    assert str(first["SUMMARY"]) == "Deutschkurs" and "Großer Saal" in str(first["LOCATION"])
    start = first.decoded("DTSTART")
    assert (start.date(), start.hour, start.minute) == (tuesday(), 18, 0)
    assert str(start.tzinfo) == "Europe/Berlin" and first["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert first.decoded("DTEND").hour == 20 and str(first["STATUS"]) == "CONFIRMED"
    assert [e.decoded("DTSTART").date() for e in sorted(events, key=lambda e: e.decoded("DTSTART"))] == [
        tuesday(), tuesday(1)]
    assert calendar.walk("VTIMEZONE"), "the time zone travels with the file"


def test_rejection_carries_the_reason(inbox, booking_world):
    booking_world.member.preferred_language = "en"
    db.session.commit()
    booking = request(booking_world)
    inbox.wait(1)
    inbox.messages.clear()
    services.reject(booking, booking_world.manager, reason="Der Saal wird renoviert.")
    db.session.commit()
    [mail] = [m for m in inbox.wait(2) if "member@" in m["To"]]
    assert mail["Content-Language"] == "en"
    assert "Der Saal wird renoviert." in body(mail) and "Deutschkurs" in mail["Subject"]
    assert day_label(tuesday(), "en") in body(mail)
    assert not calendars(mail)


def test_cancellation_by_the_centre_has_reason_and_a_cancelling_ics(inbox, booking_world):
    booking = approve(booking_world, request(booking_world, weekly={"count": 2}))
    inbox.wait(3)
    inbox.messages.clear()
    services.cancel(booking, booking_world.manager, occurrence_id=booking.occurrences[1].id, reason="Betriebsferien")
    db.session.commit()
    [mail] = [m for m in inbox.wait(2) if "member@" in m["To"]]
    text = body(mail)
    assert "Betriebsferien" in text and day_label(tuesday(1), "de") in text and day_label(tuesday(), "de") not in text
    [calendar] = calendars(mail)
    # The first date stays: the file publishes the booking with the second date cancelled.
    assert calendar["METHOD"] == "PUBLISH"
    [event] = [e for e in calendar.walk("VEVENT") if e.decoded("DTSTART").date() == tuesday(1)]
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) >= 2


def test_cancelling_every_date_sends_a_cancelling_ics(inbox, booking_world):
    booking = approve(booking_world, request(booking_world))
    inbox.wait(3)
    inbox.messages.clear()
    services.cancel(booking, booking_world.manager, reason="Betriebsferien")
    db.session.commit()
    [mail] = [m for m in inbox.wait(2) if "member@" in m["To"]]
    [calendar] = calendars(mail)
    assert calendar["METHOD"] == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) >= 2


def feed_records(body: bytes) -> set:
    """(UID, SEQUENCE, RECURRENCE-ID) of every VEVENT, as written."""
    records, current = set(), {}
    for line in body.decode().replace("\r\n ", "").split("\r\n"):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            records.add((current.get("UID"), current.get("SEQUENCE"), current.get("RECURRENCE-ID")))
        else:
            name, _, value = line.partition(":")
            key = name.split(";")[0]
            if key in ("UID", "SEQUENCE", "RECURRENCE-ID"):
                current[key] = f"{name}:{value}"
    return records


@pytest.mark.parametrize("uid_domain", [None, "calendar.city.example"])
@pytest.mark.parametrize("weekly", [None, {"count": 3}])
def test_mail_attachment_and_private_feed_agree_on_uid_and_sequence(inbox, booking_world, app, client, uid_domain,
                                                                    weekly):
    from feeds.models import ASSOCIATION, FeedToken

    app.config["FEEDS_UID_DOMAIN"] = uid_domain
    try:
        token = FeedToken.issue(booking_world.member, ASSOCIATION, association=booking_world.association)
        db.session.commit()
        secret = token.secret
        booking = request(booking_world, weekly=weekly)
        for step in ("approve", "cancel"):
            inbox.messages.clear()
            if step == "approve":
                approve(booking_world, booking)
            else:
                services.cancel(booking, booking_world.manager, occurrence_id=booking.occurrences[-1].id,
                                reason="Ferien")
                db.session.commit()
            [mail] = [m for m in inbox.wait(2) if "member@" in m["To"]]
            [attachment] = [part.get_content() for part in mail.walk() if part.get_content_type() == "text/calendar"]
            attached = feed_records(attachment if isinstance(attachment, bytes) else attachment.encode())
            feed = client.get(f"/feeds/{secret}.ics").data
            assert attached and attached == feed_records(feed), step
            assert all(uid.endswith(f"@{uid_domain or 'welcome-spaces'}") for uid, _, _ in attached)
    finally:
        app.config["FEEDS_UID_DOMAIN"] = None


def test_competing_requests_are_told_why(inbox, booking_world):
    rival = request(booking_world, association=booking_world.other_association, by=booking_world.other_member)
    booking = request(booking_world)
    inbox.wait(2)
    inbox.messages.clear()
    approve(booking_world, booking)
    inbox.wait(4)
    [mail] = inbox.to("other@example.org")
    assert mail["Content-Language"] == "en"
    assert "The room was given to another request for this time." in body(mail)
    db.session.refresh(rival)
    assert rival.status == "rejected"


def test_arabic_recipients_get_right_to_left_mail_with_arabic_dates(inbox, booking_world):
    request(booking_world, association=booking_world.unverified, by=booking_world.unverified_member)
    booking = request(booking_world, association=booking_world.unverified, by=booking_world.unverified_member,
                      start="10:00", end="11:00")
    inbox.wait(2)
    inbox.messages.clear()
    services.reject(booking, booking_world.manager, reason="لا يوجد مكان")
    db.session.commit()
    [mail] = inbox.wait(2) and inbox.to("new@example.org")
    assert mail["Content-Language"] == "ar"
    assert '<html lang="ar" dir="rtl">' in body(mail, "html")
    assert day_label(tuesday(), "ar") in body(mail) and "لا يوجد مكان" in body(mail)


def test_withdrawal_is_told_to_the_managers(inbox, booking_world):
    booking = request(booking_world)
    inbox.wait(1)
    inbox.messages.clear()
    services.withdraw(booking, booking_world.member, reason="Kurs fällt aus")
    db.session.commit()
    [mail] = inbox.wait(1)
    assert "manager@example.org" in mail["To"] and "Kurs fällt aus" in body(mail)


def queued():
    from sqlalchemy import func, select

    from outbox.models import OutboxMail

    return db.session.scalar(select(func.count()).select_from(OutboxMail))


def test_mail_is_queued_with_the_change_and_only_a_committed_change_is_told(inbox, booking_world):
    booking = request(booking_world)
    inbox.wait(1)
    inbox.messages.clear()
    before = queued()
    services.approve(booking, booking_world.manager)
    db.session.flush()
    assert queued() == before + 2, "the approval's mails are rows of the same transaction"
    db.session.rollback()
    assert queued() == before, "a change rolled back queues nothing"
    deliver()
    time.sleep(0.2)
    assert inbox.messages == []
    approve(booking_world, booking)
    assert len(inbox.wait(2)) == 2


def test_no_mail_when_the_approval_fails(inbox, booking_world):
    booking = request(booking_world)
    other = request(booking_world, association=booking_world.other_association, by=booking_world.other_member,
                    start="10:00", end="11:00")
    inbox.wait(2)
    inbox.messages.clear()
    before = queued()
    moved, target = other.occurrences[0], booking.occurrences[0]
    moved.starts_at, moved.ends_at = target.starts_at, target.ends_at
    moved.blocked_start, moved.blocked_end = target.blocked_start, target.blocked_end
    other.occurrences[0].status = other.status = "approved"  # got there by a race, say
    db.session.commit()
    with pytest.raises(BookingConflict):
        services.approve(booking, booking_world.manager)
    db.session.rollback()
    assert queued() == before
    deliver()
    time.sleep(0.2)
    assert inbox.messages == []


def test_without_a_mail_server_the_worker_writes_mail_to_the_log(app, booking_world, caplog):
    assert not app.config["MAIL_SERVER"]
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        request(booking_world)
        assert "no MAIL_SERVER configured" not in caplog.text, "the request itself sends nothing"
        deliver()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "not sent: no MAIL_SERVER configured (1 recipient" in logged and "manager@example.org" not in logged


def test_an_unreachable_mail_server_does_not_undo_the_booking(app, booking_world):
    from outbox.models import OutboxMail

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    try:
        booking = request(booking_world)
        deliver()
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
    assert booking.id and booking.status == "pending"
    [mail] = db.session.query(OutboxMail).all()
    assert mail.status == "queued" and mail.attempts == 1 and "Connection" in mail.last_error


def test_an_address_with_non_ascii_characters_does_not_break_anything(inbox, booking_world, caplog):
    """Internationalised addresses (müller@…) go out with SMTPUTF8; names with commas and umlauts are quoted."""
    booking_world.association.email = "müller@example.org"
    booking_world.member.name = "Anna Müller, Vorstand"
    db.session.commit()
    booking = request(booking_world)
    inbox.wait(1)
    inbox.messages.clear()
    with caplog.at_level(logging.ERROR):
        approve(booking_world, booking)
    inbox.wait(2)
    member, = inbox.to("member@example.org")
    assert member["To"].addresses[0].display_name == "Anna Müller, Vorstand"
    assert inbox.to("müller@example.org")[0].envelope_to == ["müller@example.org"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    db.session.refresh(booking)
    assert booking.status == "approved"
