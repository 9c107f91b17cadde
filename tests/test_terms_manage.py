"""Managers and the terms: editing them, the tariff of a booking, keys and deposit, the reminder for keys not
back, a closure over booked dates, and the command line (issue #12)."""

from datetime import date, datetime, timedelta

import pytest
from booking_support import (  # noqa: F401
    approve,
    booking_world_fixture,
    next_weekday,
    request,
    text_of,
)
from mail_support import inbox_fixture  # noqa: F401

from bookings.models import Booking
from centres.models import Closure
from extensions import db
from outbox import jobs
from terms import services as terms
from terms.models import HouseRules, KeyHandover
from terms.rules import Responsible
from timeutil import to_utc_naive, zone

ADULT = Responsible("Aylin Demir", "+49 30 1234567", True)


def tuesday(weeks=0):
    return next_weekday(1, 14) + timedelta(weeks=weeks)


@pytest.fixture
def priced(booking_world):
    booking_world.room.hourly_rate_cents, booking_world.room.deposit_cents = 1000, 5000
    db.session.commit()
    return booking_world


def terms_form(**values):
    data = {"currency": "EUR", "reduced_percent": "50", "commercial_percent": "150", "cancel_free_days": "14",
            "late_cancel_fee": "20,00", "late_cancel_online": "y", "quiet_from": "22:00",
            "house_rules-de": "Bitte räumen Sie auf.", "house_rules-ar": "يرجى الترتيب بعد الاستخدام.",
            "asks_responsible": "y"}
    data.update(values)
    return data


# --- a centre's terms ----------------------------------------------------------------------------


def test_a_manager_edits_the_terms_and_each_change_of_the_rules_is_a_new_version(client, auth, booking_world):
    auth.login(booking_world.manager)
    url = f"/ar/manage/centres/{booking_world.centre.slug}/terms"
    page = client.get(url)
    assert page.status_code == 200 and 'dir="rtl"' in page.get_data(as_text=True)
    assert client.post(url, data=terms_form()).status_code == 302
    centre = booking_world.centre
    db.session.refresh(centre)
    assert (centre.cancel_free_days, centre.late_cancel_fee_cents, centre.asks_responsible) == (14, 2000, True)
    assert HouseRules.current(centre).version == 1
    assert HouseRules.current(centre).text["ar"] == "يرجى الترتيب بعد الاستخدام."
    client.post(url, data=terms_form())  # the same text: no new version
    assert HouseRules.current(centre).version == 1
    client.post(url, data=terms_form(**{"house_rules-de": "Bitte räumen Sie auf. Kein Alkohol."}))
    assert HouseRules.current(centre).version == 2


def test_bad_terms_change_nothing(client, auth, booking_world):
    auth.login(booking_world.manager)
    url = f"/en/manage/centres/{booking_world.centre.slug}/terms"
    for bad in ({"currency": "EURO"}, {"currency": "ZZ1"}, {"reduced_percent": "300"}, {"late_cancel_fee": "1e9"},
                {"late_cancel_fee": "12.345"}, {"quiet_from": "25:00"}, {"cancel_free_days": "-1"}):
        response = client.post(url, data=terms_form(**bad))
        assert response.status_code == 400, bad
    db.session.commit()
    assert HouseRules.current(booking_world.centre) is None
    assert booking_world.centre.cancel_free_days is None


def test_only_the_centres_managers_edit_its_terms(client, auth, booking_world):
    url = f"/en/manage/centres/{booking_world.centre.slug}/terms"
    for user in (booking_world.member, booking_world.other_manager):
        auth.login(user)
        assert client.post(url, data=terms_form()).status_code == 403
        auth.logout()
    assert HouseRules.current(booking_world.centre) is None


def test_a_room_has_fees_and_buffers_in_its_form(client, auth, booking_world):
    auth.login(booking_world.manager)
    room = booking_world.room
    url = f"/en/manage/centres/{booking_world.centre.slug}/rooms/{room.id}/edit"
    data = {"name": room.name, "capacity": "30", "earliest_time": "08:00", "latest_time": "22:00",
            "max_duration_minutes": "480", "max_days_ahead": "400", "min_notice_hours": "24", "bookable": "y",
            "setup_minutes": "30", "cleanup_minutes": "15", "hourly_rate": "12,50", "flat_rate": "5",
            "deposit": "100.00"}
    assert client.post(url, data=data).status_code == 302
    db.session.refresh(room)
    assert (room.setup_minutes, room.cleanup_minutes, room.hourly_rate_cents, room.flat_rate_cents,
            room.deposit_cents) == (30, 15, 1250, 500, 10000)
    assert client.post(url, data={**data, "setup_minutes": "500"}).status_code == 400
    assert client.post(url, data={**data, "deposit": "-5"}).status_code == 400
    db.session.refresh(room)
    assert room.setup_minutes == 30 and room.deposit_cents == 10000


# --- the tariff, keys and deposit of a booking -----------------------------------------------------


def test_a_manager_changes_the_tariff_with_a_reason(client, auth, priced):
    booking = request(priced)
    assert (booking.tariff, booking.fee_cents) == ("reduced", 1000)
    auth.login(priced.member)
    url = f"/en/bookings/{booking.id}/tariff"
    assert client.post(url, data={f"tariff-{booking.id}-tariff": "free", f"tariff-{booking.id}-reason": "x"}
                       ).status_code == 403
    auth.logout()
    auth.login(priced.manager)
    response = client.post(url, data={f"tariff-{booking.id}-tariff": "free"})
    assert response.status_code == 422 and "Please give a reason." in text_of(response)
    response = client.post(url, data={f"tariff-{booking.id}-tariff": "free",
                                      f"tariff-{booking.id}-reason": "Offenes Angebot für alle"})
    assert response.status_code == 302
    db.session.commit()
    booking = db.session.get(Booking, booking.id)
    assert (booking.tariff, booking.fee_cents, booking.tariff_reason) == ("free", 0, "Offenes Angebot für alle")
    assert booking.changes[-1].action == "tariff_changed"


def test_keys_and_deposit_are_recorded_and_listed_until_back(client, auth, priced):
    booking = approve(priced, request(priced, weekly={"count": 2}))
    auth.login(priced.manager)
    first = booking.occurrences[0]
    response = client.post(f"/en/bookings/{booking.id}/keys", data={
        f"key-{booking.id}-holder": "Aylin Demir", f"key-{booking.id}-occurrence": str(first.id)})
    assert response.status_code == 302
    db.session.commit()
    [key] = db.session.get(Booking, booking.id).keys
    assert key.holder == "Aylin Demir" and key.due_at == first.ends_at and key.is_out
    listing = text_of(client.get("/en/manage/keys"))
    assert "Aylin Demir" in listing and "Deutschkurs" in listing
    assert client.post(f"/en/bookings/{booking.id}/keys", data={f"key-{booking.id}-holder": ""}).status_code == 422
    for step in ("received", "returned"):
        assert client.post(f"/en/bookings/{booking.id}/deposit",
                           data={f"deposit-{booking.id}-step": step}).status_code == 302
    assert client.post(f"/en/bookings/{booking.id}/deposit",
                       data={f"deposit-{booking.id}-step": "returned"}).status_code == 409
    assert client.post(f"/en/bookings/{booking.id}/keys/{key.id}/return").status_code == 302
    db.session.commit()
    booking = db.session.get(Booking, booking.id)
    assert booking.deposit_received_at and booking.deposit_returned_at and not booking.keys[0].is_out
    assert "All keys are back." in text_of(client.get("/en/manage/keys"))
    assert [c.action for c in booking.changes][-4:] == ["key_out", "deposit_received", "deposit_returned", "key_back"]


def test_keys_are_for_the_centres_managers_only(client, auth, priced):
    booking = approve(priced, request(priced))
    for user in (priced.member, priced.other_manager):
        auth.login(user)
        assert client.post(f"/en/bookings/{booking.id}/keys",
                           data={f"key-{booking.id}-holder": "X"}).status_code in (403, 404)
        assert "Deutschkurs" not in text_of(client.get("/en/manage/keys"))
        auth.logout()
    assert db.session.scalar(db.select(db.func.count(KeyHandover.id))) == 0


def test_a_key_not_back_is_reminded_the_morning_after_once(inbox, priced):
    priced.room.min_notice_hours = 0
    db.session.commit()
    day = date.today() + timedelta(days=2)
    booking = approve(priced, request(priced, day=day))
    terms.hand_out_key(booking, priced.manager, "Aylin Demir")
    db.session.commit()
    inbox.wait(2)
    inbox.messages.clear()

    def morning(of):
        return to_utc_naive(datetime.combine(of, datetime.min.time(), tzinfo=zone("Europe/Berlin"))) + timedelta(
            hours=9, minutes=5)

    scope = f"centre:{priced.centre.id}"
    [ran] = [r for r in jobs.run_due("w1", morning(day)) if r[:2] == ("key-reminders", scope)]
    assert ran[3] == "0 key reminders"  # the date is tonight: not yet
    [ran] = [r for r in jobs.run_due("w1", morning(day + timedelta(days=1))) if r[:2] == ("key-reminders", scope)]
    assert ran[3] == "1 key reminders"
    inbox.wait(2)
    [mail] = inbox.to("member@example.org")
    assert "Aylin Demir" in mail.get_body(("plain",)).get_content()
    assert mail["Subject"].startswith("Bitte")  # the member reads German
    assert [r for r in jobs.run_due("w2", morning(day + timedelta(days=2))) if "1 key" in r[3]] == []


# --- a closure over booked dates -----------------------------------------------------------------


def test_a_closure_over_approved_dates_lists_them_and_cancels_them_in_one_step(client, auth, inbox, booking_world):
    series = approve(booking_world, request(booking_world, weekly={"count": 4}))
    other = approve(booking_world, request(booking_world, start="10:00", end="11:00", day=tuesday(1),
                                           association=booking_world.other_association, by=booking_world.other_member))
    inbox.wait(4)
    inbox.messages.clear()
    auth.login(booking_world.manager)
    response = client.post(f"/en/manage/centres/{booking_world.centre.slug}/closures/new", data={
        "starts_on": tuesday(1).isoformat(), "ends_on": tuesday(2).isoformat(), "reason-de": "Weihnachten"})
    dates_url = response.headers["Location"]
    assert "/dates?added=1" in dates_url
    page = text_of(client.get(dates_url))
    assert "3 dates booked before the closure fall on it" in page
    response = client.post(dates_url, data={"reason": ""})
    assert response.status_code == 422
    db.session.commit()
    assert db.session.get(Booking, other.id).status == "approved"
    response = client.post(dates_url, data={"reason": "Weihnachtsschließung"})
    assert response.status_code == 302
    db.session.commit()
    series, other = db.session.get(Booking, series.id), db.session.get(Booking, other.id)
    assert [o.status for o in series.occurrences] == ["approved", "cancelled", "cancelled", "approved"]
    assert other.status == "cancelled"
    inbox.wait(4)
    member = inbox.to("member@example.org")
    assert len(member) == 1 and "Weihnachtsschließung" in member[0].get_body(("plain",)).get_content()
    assert len(inbox.to("other@example.org")) == 1  # one notice per booking, in its association's language


def test_only_the_centres_managers_cancel_for_a_closure(client, auth, booking_world):
    approve(booking_world, request(booking_world))
    closure = Closure(centre=booking_world.centre, starts_on=tuesday(), ends_on=tuesday())
    db.session.add(closure)
    db.session.commit()
    auth.login(booking_world.other_manager)
    url = f"/en/manage/centres/{booking_world.centre.slug}/closures/{closure.id}/dates"
    assert client.post(url, data={"reason": "x"}).status_code == 403
    db.session.commit()
    assert db.session.scalars(db.select(Booking)).one().status == "approved"


# --- the command line ----------------------------------------------------------------------------


def test_the_command_line_asks_for_the_same_terms(runner, priced):
    db.session.add(HouseRules(centre_id=priced.centre.id, version=1, text={"de": "Hausordnung"}))
    priced.centre.asks_responsible = True
    db.session.commit()
    day = tuesday()
    args = ["bookings", "request", "--email", priced.member.email, "--room", str(priced.room.id),
            "--association", priced.association.name, "--title", "Kurs",
            "--start", f"{day}T18:00", "--end", f"{day}T20:00"]
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "Hausordnung" in result.output  # the CLI speaks the default language
    result = runner.invoke(args=[*args, "--accept-terms", "--responsible", "Aylin Demir", "+49 30 1234567"])
    assert result.exit_code != 0 and "volljährig" in result.output
    result = runner.invoke(args=[*args, "--accept-terms", "--responsible", "Aylin Demir", "+49 30 1234567", "--adult"])
    assert result.exit_code == 0, result.output
    assert "Fee 10.00 EUR (reduced), deposit 50.00 EUR." in result.output
    db.session.commit()
    assert db.session.scalars(db.select(Booking)).one().responsible_name == "Aylin Demir"
