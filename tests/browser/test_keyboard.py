"""By keyboard alone: after a form error focus goes to an error summary whose entries lead to the fields; a
member requests a room, a manager approves it, and a resident gets a feed's address, without a mouse."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def tab_to(page, selector, limit=150):
    """Press Tab until the element matching ``selector`` has focus (fails when it never gets it)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} cannot be reached with Tab on {page.url}")


def type_into(page, selector, text):
    tab_to(page, selector)
    page.keyboard.type(text)


def sign_in(page, email, lang="en"):
    page.goto(f"/{lang}/login")
    type_into(page, "#email", email)
    type_into(page, "#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_after_an_error_focus_goes_to_the_summary_and_its_links_to_the_fields(page, lang):
    page.goto(f"/{lang}/associations/register")
    tab_to(page, "main form [type=submit]")
    page.keyboard.press("Enter")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    first = summary.locator("a").first
    target = first.get_attribute("href")[1:]
    page.keyboard.press("Tab")
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#{target}")).to_be_focused()
    # the focused field is on the screen, not under a sticky part
    box = page.locator(f"#{target}").bounding_box()
    assert box and 0 <= box["y"] < page.viewport_size["height"]


def test_a_room_is_requested_approved_and_subscribed_by_keyboard(make_page, make_centre, make_room,
                                                                 make_association, make_user):
    centre = make_centre(slug="nordstadt")
    room = make_room(centre, name="Saal")
    club = make_association(name="Chor Nordstadt")
    make_user(email="member@example.org", associations=[club])
    make_user("manager", email="manager@example.org", centres=[centre])
    day = date.today() + timedelta(days=14)

    member = make_page()
    sign_in(member, "member@example.org")
    member.goto(f"/en/rooms/{room.id}/book")
    type_into(member, "#title", "Chorprobe")
    type_into(member, "#date", day.strftime("%m%d%Y"))  # a date input takes its digits in the locale's order
    type_into(member, "#start_time", "0600PM")
    type_into(member, "#end_time", "0800PM")
    tab_to(member, "#send")
    member.keyboard.press("Enter")
    expect(member.locator(".flash-success")).to_be_visible()
    expect(member.locator(".flashes")).to_have_attribute("role", "status")
    booking_url = member.url

    manager = make_page()
    sign_in(manager, "manager@example.org")
    manager.goto(booking_url)
    tab_to(manager, "form[action$='/approve'] [type=submit]")
    manager.keyboard.press("Enter")
    expect(manager.locator(".flash-success")).to_contain_text("approved")

    resident = make_page()
    resident.goto("/en/centres/nordstadt/")
    tab_to(resident, "a[href^='webcal://']")
    address = resident.evaluate("document.activeElement.getAttribute('href')")
    assert address.startswith("webcal://") and address.endswith("/en/centres/nordstadt/events.ics")
