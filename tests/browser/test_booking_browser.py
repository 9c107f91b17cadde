"""A member requests a weekly booking, a manager approves it from the queue, the member sees it approved (issue 3).

Everything goes through the pages as a person would use them, with CSRF on: the sign-in form, the request
form (checked first: the room's week with its busy times and the list of dates, one of them taken), the
manager's queue, the member's dashboard. axe checks the request form, the queue and the dashboard.
"""

import re
from datetime import timedelta

import pytest
from booking_support import approve, booking_world_fixture, day_label, next_weekday, request  # noqa: F401
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

WEEKS = 4


def sign_in(page, email):
    page.goto("/en/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed in.")


def sign_out(page):
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")).to_be_visible()


def test_member_requests_weekly_manager_approves_from_queue_member_sees_it(page, axe, booking_world, db):
    from bookings.models import Booking

    world = booking_world
    first = next_weekday(1, 14)  # a Tuesday two weeks or more ahead
    # Another association already holds the hall on the first Tuesday, 18:30–19:30.
    held = request(world, association=world.other_association, by=world.other_member, day=first,
                   start="18:30", end="19:30", title="Fußballtraining")
    approve(world, held)

    # --- the member asks for the hall every Tuesday, four weeks --------------------------------
    sign_in(page, world.member.email)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="My bookings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My bookings")
    page.get_by_role("link", name="Request a room").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request a room")
    page.get_by_role("link", name="Großer Saal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request Großer Saal")

    form = page.locator("form.booking-form")
    expect(form.get_by_label("Booking for")).to_have_value(str(world.association.id))
    form.get_by_label("What is it?").fill("Deutschkurs A2")
    form.get_by_label("People expected").fill("20")
    form.get_by_label("Date", exact=True).fill(first.isoformat())
    form.get_by_label("From", exact=True).fill("18:00")
    form.get_by_label("Until", exact=True).fill("20:00")
    form.get_by_label("Repeat").select_option("weekly")
    form.get_by_role("group", name="On these days").get_by_label("Tuesday").check()
    form.get_by_label("Or: number of dates").fill(str(WEEKS))
    axe(page)  # the empty request form, filled in
    form.get_by_role("button", name="Check the dates").click()

    # Before sending: the dates, the one that is taken, and the room's week with the busy time.
    plan = page.get_by_role("region", name=f"{WEEKS} dates")
    expect(plan.get_by_role("status")).to_contain_text("1 date is already taken.")
    dates = plan.get_by_role("listitem")
    expect(dates).to_have_count(WEEKS)
    expect(dates.nth(0)).to_contain_text(day_label(first))
    expect(dates.nth(0)).to_contain_text("taken")
    for n in range(1, WEEKS):
        expect(dates.nth(n)).to_contain_text(day_label(first + timedelta(weeks=n)))
        expect(dates.nth(n)).to_contain_text("free")
    week = page.get_by_role("region", name="The room's week").get_by_role("table")
    expect(week).to_be_visible()
    tuesday_cell = week.locator("tbody td").nth(1)  # weeks start on Monday
    expect(tuesday_cell).to_contain_text(re.compile(r"18:30\s*[–-]\s*19:30"))
    expect(tuesday_cell).to_contain_text("taken")
    expect(week).not_to_contain_text("Fußballtraining")  # members see busy times, not who booked
    expect(week).not_to_contain_text("SV Nordstadt")
    axe(page)  # the request form with the plan and the week

    # Sending with a taken date is refused until the member leaves it out.
    form.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("alert")).to_contain_text("The request was not sent")
    expect(page.get_by_role("alert")).to_contain_text(day_label(first))
    form.get_by_label("Leave out the dates when the room is already taken").check()
    form.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("status").first).to_contain_text("Your request has been sent to the centre")
    db.session.commit()  # see what the server wrote
    booking = db.session.scalar(db.select(Booking).where(Booking.title == "Deutschkurs A2"))
    assert booking.status == "pending" and booking.association_id == world.association.id
    assert [o.starts_at.date() for o in booking.occurrences] == [first + timedelta(weeks=n) for n in range(1, WEEKS)]
    sign_out(page)

    # --- the manager approves it from the queue ------------------------------------------------
    sign_in(page, world.manager.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Requests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests")
    item = page.get_by_role("article", name="Deutschkurs A2")
    expect(item).to_contain_text("Sprachbrücke")
    dates = item.get_by_role("group", name="Dates to approve").get_by_role("checkbox")
    expect(dates).to_have_count(WEEKS - 1)
    for n in range(WEEKS - 1):
        expect(dates.nth(n)).to_be_checked()
    axe(page)  # the queue
    item.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status").first).to_contain_text("The request is approved.")
    expect(page).to_have_url(re.compile(r"/en/manage/requests/$"))
    expect(page.get_by_role("article", name="Deutschkurs A2")).to_have_count(0)
    sign_out(page)

    # --- the member sees it approved -----------------------------------------------------------
    sign_in(page, world.member.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My bookings").click()
    coming_up = page.get_by_role("region", name="Coming up")
    entries = coming_up.get_by_role("listitem").filter(has_text="Deutschkurs A2")
    expect(entries).to_have_count(WEEKS - 1)
    expect(entries.first).to_contain_text(day_label(first + timedelta(weeks=1)))
    expect(page.get_by_role("region", name="Waiting for a decision")).to_contain_text("No request is waiting.")
    axe(page)  # the dashboard
    entries.first.get_by_role("link", name="Deutschkurs A2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Deutschkurs A2")
    expect(page.get_by_role("main")).to_contain_text("Approved")
