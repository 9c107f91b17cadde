"""The online request replaces the paper form (issue #12): a member requests a weekly course across the
Christmas closure, sees the closed dates left out and the fee (free: a non-profit offer open to all), accepts
the house rules and names the responsible person; the manager approves it, hands out the key and records its
return. axe checks the request form, the booking page with the managers' terms and the list of keys."""

import re
from datetime import timedelta

import pytest
from booking_support import booking_world_fixture, day_label, next_weekday  # noqa: F401
from playwright.sync_api import expect

from tests.browser.test_booking_browser import sign_in, sign_out

pytestmark = pytest.mark.browser

WEEKS = 5


def test_member_requests_across_christmas_manager_hands_out_the_key(page, axe, booking_world, db):
    from bookings.models import Booking
    from centres.models import Closure
    from terms.models import HouseRules

    world = booking_world
    first = next_weekday(1, 14)
    world.association.kind = "migrant_organisation"
    world.centre.asks_responsible = True
    world.room.hourly_rate_cents, world.room.deposit_cents = 1500, 10000
    world.room.setup_minutes = world.room.cleanup_minutes = 15
    db.session.add(Closure(centre=world.centre, starts_on=first + timedelta(weeks=1), ends_on=first + timedelta(weeks=2),
                           reason={"en": "Christmas break", "de": "Weihnachtspause"}))
    db.session.add(HouseRules(centre_id=world.centre.id, version=1,
                              text={"en": "Quiet from 10 pm.\nLeave the room tidy.", "de": "Ruhe ab 22 Uhr."}))
    db.session.commit()

    # --- the member asks for the hall every Tuesday, five weeks, as a public free course -------------
    sign_in(page, world.member.email)
    page.goto(f"/en/rooms/{world.room.id}/book")
    form = page.locator("form.booking-form")
    form.get_by_label("What is it?").fill("Deutschkurs A1")
    form.get_by_label("Date", exact=True).fill(first.isoformat())
    form.get_by_label("From", exact=True).fill("18:00")
    form.get_by_label("Until", exact=True).fill("20:00")
    form.get_by_label("Repeat").select_option("weekly")
    form.get_by_label("Or: number of dates").fill(str(WEEKS))
    form.get_by_label("Show it in the public calendar once it is approved").check()
    terms = page.get_by_role("group", name="Terms of use")
    expect(terms).to_contain_text("€15.00 per hour")
    expect(terms).to_contain_text("Quiet from 10 pm.")
    expect(terms.get_by_text("House rules (version 1)")).to_be_visible()
    axe(page)
    form.get_by_role("button", name="Check the dates").click()

    plan = page.get_by_role("region", name=f"{WEEKS - 2} dates")
    expect(plan).to_contain_text("2 dates fall on a closure and are not requested:")
    expect(plan).to_contain_text(day_label(first + timedelta(weeks=1)))
    expect(plan).to_contain_text("€0.00")  # free: a non-profit offer, open to all, free of charge
    expect(plan).to_contain_text("free (non-profit, open to all, free of charge)")
    expect(plan).to_contain_text("€100.00")  # the deposit

    # Sending without the terms is refused and names what is missing.
    form.get_by_role("button", name="Send the request").click()
    alert = page.get_by_role("alert").first
    expect(alert).to_contain_text("Please read and accept the house rules of the centre.")
    expect(alert).to_contain_text("Please name the person responsible on the day.")
    terms = page.get_by_role("group", name="Terms of use")
    terms.get_by_label("Responsible person").fill("Aylin Demir")
    terms.get_by_label("Their phone number").fill("+49 30 1234567")
    terms.get_by_label("This person is of age (18 or older)").check()
    terms.get_by_label("I have read the house rules and accept them").check()
    form.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("status").first).to_contain_text("Your request has been sent to the centre")
    db.session.commit()
    booking = db.session.scalar(db.select(Booking).where(Booking.title == "Deutschkurs A1"))
    assert len(booking.occurrences) == WEEKS - 2 and len(booking.closed_dates) == 2
    assert (booking.tariff, booking.fee_cents, booking.deposit_cents) == ("free", 0, 10000)
    assert booking.responsible_name == "Aylin Demir" and booking.house_rules.version == 1
    expect(page.get_by_role("region", name="Fee and terms")).not_to_contain_text("Aylin")  # managers only
    sign_out(page)

    # --- the manager approves, hands out the key and records its return --------------------------------
    sign_in(page, world.manager.email)
    page.goto(f"/en/bookings/{booking.id}/")
    terms = page.get_by_role("region", name="Fee and terms")
    expect(terms).to_contain_text("Aylin Demir")
    page.get_by_role("region", name="Decide").get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status").first).to_contain_text("The request is approved.")
    page.goto(f"/en/bookings/{booking.id}/")
    terms = page.get_by_role("region", name="Fee and terms")
    terms.get_by_label("Key handed to").fill("Aylin Demir")
    terms.get_by_label("For").select_option(index=1)  # the first date
    axe(page)
    terms.get_by_role("button", name="Record the key handed out").click()
    expect(page.get_by_role("status").first).to_contain_text("The key is recorded as handed out.")
    page.get_by_role("region", name="Fee and terms").get_by_role("button", name="Deposit received").click()
    expect(page.get_by_role("status").first).to_contain_text("The deposit is recorded.")

    page.goto("/en/manage/keys")
    row = page.get_by_role("row").filter(has_text="Deutschkurs A1")
    expect(row).to_contain_text("Aylin Demir")
    axe(page)
    row.get_by_role("button", name=re.compile("Key returned")).click()
    expect(page.get_by_role("status").first).to_contain_text("The key is recorded as returned.")
    expect(page.get_by_role("region", name="Fee and terms")).to_contain_text("returned on")
    page.goto("/en/manage/keys")
    expect(page.get_by_text("All keys are back.")).to_be_visible()
    db.session.commit()
    booking = db.session.get(Booking, booking.id)
    assert booking.status == "approved" and booking.deposit_received_at is not None
    assert [k.returned_at is not None for k in booking.keys] == [True]
