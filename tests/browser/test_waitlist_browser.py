"""The waiting list as its users meet it (#20), in German and Arabic: a club asks for a hall another association
holds; the request form's conflict offers the waiting list; the holder cancels on its booking's page; the offer
reaches the club through a real SMTP server in its member's language; the club accepts from the mail's link;
the manager approves from the queue, where the line is shown too. axe checks every page on the way; the pages
fit a 320 px phone."""

import re

import pytest
from booking_support import approve, booking_world_fixture, next_weekday, request  # noqa: F401
from mail_support import inbox_fixture  # noqa: F401
from playwright.sync_api import expect

from tests.browser.test_booking_browser import sign_in
from tests.browser.test_booking_browser import sign_out as sign_out_en

pytestmark = pytest.mark.browser


def sign_out(page):
    page.goto("/en/")
    sign_out_en(page)


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_wait_get_offered_accept_approve(page, axe, booking_world, db, inbox, lang):
    from bookings.models import Booking
    from waitlist.models import WaitlistEntry

    world = booking_world
    world.other_member.preferred_language = lang
    db.session.commit()
    day = next_weekday(1, 21)
    held = request(world, day=day, title="Deutschkurs")
    approve(world, held)

    # --- the club asks for the taken hall: the form offers the waiting list ---------------------
    sign_in(page, world.other_member.email)
    page.goto(f"/{lang}/rooms/{world.room.id}/book")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    form = page.locator("form.booking-form")
    form.locator("#title").fill("Vereinsversammlung")
    form.locator("#date").fill(day.isoformat())
    form.locator("#start_time").fill("18:00")
    form.locator("#end_time").fill("20:00")
    form.locator("#send").click()
    waitlist_button = page.locator("form.booking-form #waitlist")
    expect(waitlist_button).to_be_visible()
    expect(page.locator("[role=alert]").first).to_be_visible()  # the conflict, in words
    axe(page)
    waitlist_button.click()
    expect(page.get_by_role("status").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("Vereinsversammlung")
    axe(page)
    page.set_viewport_size({"width": 320, "height": 800})
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_out(page)

    # --- the holder gives the date back on its booking's page ----------------------------------
    sign_in(page, world.member.email)
    page.goto(f"/en/bookings/{held.id}/")
    page.locator(f"#cancel-{held.id}-submit").click()
    expect(page.get_by_role("status").first).to_contain_text("cancelled")
    sign_out(page)

    # --- the offer mail, in the club member's language, with a link that works ------------------
    messages = [m for m in inbox.wait(2) if world.other_member.email in m["To"]]
    assert len(messages) == 1, [m["Subject"] for m in inbox.messages]
    mail = messages[0]
    assert mail["Content-Language"] == lang
    link = re.search(r"https?://[^/\s]+(/\S*/waitlist/\d+/)", mail.get_body(("plain",)).get_content()).group(1)
    sign_in(page, world.other_member.email)
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    axe(page)
    page.set_viewport_size({"width": 320, "height": 800})
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#accept-submit").click()
    expect(page.get_by_role("status").first).to_be_visible()
    db.session.commit()
    entry = db.session.scalars(db.select(WaitlistEntry)).one()
    assert entry.status == "accepted" and entry.booking_id is not None
    sign_out(page)

    # --- the manager approves the request from the queue ---------------------------------------
    sign_in(page, world.manager.email)
    page.goto(f"/{lang}/manage/requests/")
    axe(page)
    page.locator(f"#approve-{entry.booking_id}-submit").click()
    expect(page.get_by_role("status").first).to_be_visible()
    db.session.commit()
    assert db.session.get(Booking, entry.booking_id).status == "approved"
