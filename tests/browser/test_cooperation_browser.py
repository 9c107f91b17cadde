"""Organising an event together (#19), in German and Arabic: an association requests a room for a public event
in a programme and names a co-organiser; the centre approves; the co-organiser's admin receives the invitation
through a real SMTP server in their language and accepts from the mail's link; the programme's page shows the
event, and the event's page both organisers. axe checks the pages; they fit a 320 px phone."""

import re

import pytest
from booking_support import approve, booking_world_fixture, next_weekday  # noqa: F401
from mail_support import inbox_fixture  # noqa: F401
from playwright.sync_api import expect

from tests.browser.test_booking_browser import sign_in
from tests.browser.test_waitlist_browser import no_sideways_scroll, sign_out

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_invite_a_co_organiser_who_accepts_from_the_mail(page, axe, booking_world, db, inbox, lang):
    from accounts import members
    from bookings.models import Booking
    from programmes.models import ACCEPTED, Programme, ProgrammePartner

    world = booking_world
    festival = Programme(slug="kinderfest", kind="festival", name={"de": "Internationales Kinderfest",
                                                                   "ar": "مهرجان الأطفال الدولي"})
    festival.partners.append(ProgrammePartner(association=world.association, status=ACCEPTED))
    db.session.add(festival)
    members.set_admin(world.other_association, world.other_member, True)
    world.other_member.preferred_language = lang
    db.session.commit()
    day = next_weekday(5, 14)

    # --- the association asks for the hall, names the programme and the co-organiser -------------
    sign_in(page, world.member.email)
    page.goto(f"/{lang}/rooms/{world.room.id}/book")
    form = page.locator("form.booking-form")
    form.locator("#title").fill("Kinderfest-Nachmittag")
    form.locator("#date").fill(day.isoformat())
    form.locator("#start_time").fill("14:00")
    form.locator("#end_time").fill("18:00")
    form.locator("#publish").check()
    form.locator("input[name=programmes][value=kinderfest]").check()
    form.locator("details.co-organisers summary").click()
    form.locator(f"input[name=co_organisers][value='{world.other_association.id}']").check()
    axe(page)
    form.locator("#send").click()
    expect(page.get_by_role("status").first).to_be_visible()
    db.session.commit()
    booking = db.session.scalars(db.select(Booking)).one()
    assert [p.slug for p in booking.event.programmes] == ["kinderfest"]
    approve(world, booking)
    sign_out(page)

    # --- the invitation, in the co-organiser's language, accepted from its link -------------------
    [mail] = [m for m in inbox.wait(2) if world.other_member.email in m["To"]]
    assert mail["Content-Language"] == lang
    link = re.search(r"https?://[^/\s]+(/\S*/cooperations/\d+/)", mail.get_body(("plain",)).get_content()).group(1)
    sign_in(page, world.other_member.email)
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    axe(page)
    page.locator("#accept-cooperation").click()
    expect(page.get_by_role("status").first).to_be_visible()
    sign_out(page)

    # --- residents see the event in the programme, with both organisers ---------------------------
    page.goto(f"/{lang}/programmes/kinderfest/")
    expect(page.locator("main")).to_contain_text("Kinderfest-Nachmittag")
    axe(page)
    page.set_viewport_size({"width": 320, "height": 800})
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/{lang}/events/{booking.event.id}/")
    expect(page.locator("main")).to_contain_text("Sprachbrücke")
    expect(page.locator("main")).to_contain_text("SV Nordstadt")
    axe(page)
