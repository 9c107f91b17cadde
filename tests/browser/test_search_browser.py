"""A member searches a weekly slot, picks a result, the request form opens pre-filled,
and the request is sent (issue 7)."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from search_support import WEEKS, city_fixture, hold  # noqa: F401

from tests.browser.conftest import PHONE
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, email):
    page.goto("/en/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed in.")


def search_weekly(page, city, people="40"):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Find a room").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a room")
    form = page.get_by_role("search", name="Find a room")
    form.get_by_label("Every week").check()
    form.get_by_label("Date", exact=True).fill(city.tuesday.isoformat())
    form.get_by_label("From", exact=True).fill("18:00")
    form.get_by_label("Until", exact=True).fill("20:00")
    form.get_by_role("group", name="On these days").get_by_label("Tuesday").check()
    form.get_by_label("Last date").fill(city.until.isoformat())
    form.get_by_label("People").fill(people)
    form.get_by_role("button", name="Find rooms").click()


def test_a_member_finds_a_weekly_room_and_sends_the_request(page, axe, city, db):
    from bookings.models import Booking

    taken = city.tuesday + timedelta(weeks=2)
    hold(city, city.hall, taken)  # one Tuesday of the hall is taken
    hold(city, city.dance, city.tuesday, weekly={"weekdays": ["TU"], "count": WEEKS})  # too small anyway
    sign_in(page, city.member.email)

    search_weekly(page, city)
    expect(page).to_have_url(re.compile(r"/en/rooms/search\?.*repeat=weekly"))
    results = page.get_by_role("region", name="Rooms")
    expect(results.get_by_role("status")).to_contain_text("No room is free on every date.")
    hall = results.get_by_role("article", name=re.compile("^Großer Saal"))
    expect(hall).to_contain_text("Nordstadt Centre")
    expect(hall).to_contain_text("60 people")
    expect(hall).to_contain_text(f"Free on {WEEKS - 1} of {WEEKS} dates")
    expect(hall).not_to_contain_text("Geheimbund")
    hall.get_by_text("1 date is taken").click()  # the details open: the date is named
    expect(hall.get_by_role("listitem")).to_have_text(re.compile(str(taken.day)))
    axe(page)

    hall.get_by_role("link", name=f"Request the {WEEKS - 1} free dates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request Großer Saal")
    form = page.locator("form.booking-form")
    expect(form.get_by_label("Date", exact=True)).to_have_value(city.tuesday.isoformat())
    expect(form.get_by_label("From", exact=True)).to_have_value("18:00")
    expect(form.get_by_label("Until", exact=True)).to_have_value("20:00")
    expect(form.get_by_label("Repeat")).to_have_value("weekly")
    expect(form.get_by_role("group", name="On these days").get_by_label("Tuesday")).to_be_checked()
    expect(form.get_by_role("group", name="On these days").get_by_label("Wednesday")).not_to_be_checked()
    expect(form.get_by_label("Last date")).to_have_value(city.until.isoformat())
    expect(form.get_by_label("People expected")).to_have_value("40")
    expect(form.get_by_label("Leave out the dates when the room is already taken")).to_be_checked()
    axe(page)

    form.get_by_label("What is it?").fill("Deutschkurs für Anfänger")
    form.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("status")).to_contain_text("Your request has been sent to the centre")

    db.session.commit()  # see what the server wrote
    booking = db.session.query(Booking).filter_by(association_id=city.association.id).one()
    assert booking.status == "pending" and booking.room_id == city.hall.id and booking.attendees == 40
    days = [o.starts_at.date() for o in booking.occurrences]
    assert len(days) == WEEKS - 1 and taken not in days


def test_an_anonymous_visitor_looks_then_signs_in_to_request(make_page, axe, city):
    """On a phone: the search works without signing in; the request step asks to sign in, then opens pre-filled."""
    page = make_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/en/")
    nav = page.get_by_role("navigation", name="Main")
    if not nav.get_by_role("link", name="Find a room").is_visible():
        nav.get_by_role("button").first.click()  # a collapsed menu on small screens
    search_weekly(page, city, people="20")
    results = page.get_by_role("region", name="Rooms")
    expect(results.get_by_role("status")).to_contain_text("3 rooms are free on every date.")
    axe(page)
    results.get_by_role("article", name=re.compile("^Tanzraum")).get_by_role("link", name="Sign in to request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("E-mail address").fill(city.member.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request Tanzraum")
    expect(page.locator("form.booking-form").get_by_label("Last date")).to_have_value(city.until.isoformat())
    expect(page.locator("form.booking-form").get_by_label("Leave out the dates when the room is already taken")
           ).not_to_be_checked()
