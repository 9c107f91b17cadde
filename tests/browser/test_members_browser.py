"""An association's treasurer joins by invitation and leaves again (#14), in German and in Arabic: the
association's admin invites by e-mail (a real SMTP server receives it), the invited person opens the link,
creates an account and is a member; later they leave. axe checks every page on the way."""

import re

import pytest
from booking_support import booking_world_fixture  # noqa: F401
from mail_support import inbox_fixture  # noqa: F401
from playwright.sync_api import expect

from tests.browser.test_booking_browser import sign_in

pytestmark = pytest.mark.browser

PASSWORD_OF_KIM = "Lindenblüte am Küchenfenster 42"


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_invitation_join_and_leave(page, axe, booking_world, db, inbox, lang):
    from accounts import members
    from accounts.models import User

    world = booking_world
    members.set_admin(world.association, world.member, True)
    db.session.commit()
    sign_in(page, world.member.email)
    page.goto(f"/{lang}/associations/{world.association.id}/members")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    axe(page)
    invite = page.locator("form", has=page.locator("input[type=email]"))
    invite.locator("input[type=email]").fill("kassenwart@example.net")
    invite.locator("[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.locator("main")).to_contain_text("kassenwart@example.net")  # the open invitation
    [mail] = inbox.wait(1)
    assert mail["Content-Language"] == lang
    link = re.search(r"https?://[^/\s]+(/\S*/invitations/\S+)", mail.get_body(("plain",)).get_content()).group(1)
    page.context.clear_cookies()

    page.goto(link)
    expect(page.locator("main")).to_contain_text("kassenwart@example.net")
    axe(page)
    page.locator("#name").fill("Kim Kasse")
    page.locator("#password").fill(PASSWORD_OF_KIM)
    page.locator("#confirm").fill(PASSWORD_OF_KIM)
    page.locator("main form [type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sprachbrücke")
    expect(page.get_by_role("status")).to_contain_text("Sprachbrücke")
    axe(page)
    db.session.commit()
    kim = User.by_email("kassenwart@example.net")
    assert kim.is_member_of(world.association)

    page.goto(f"/{lang}/associations/{world.association.id}/members")
    axe(page)
    leave = page.locator("form", has=page.locator("input[type=checkbox]"))
    leave.locator("[type=submit]").click()  # not ticked: nothing happens but an explanation
    expect(page.locator("[data-error-summary]")).to_be_visible()
    axe(page)
    page.locator("form", has=page.locator("input[type=checkbox]")).locator("input[type=checkbox]").check()
    page.locator("form", has=page.locator("input[type=checkbox]")).locator("[type=submit]").click()
    expect(page.get_by_role("status")).to_contain_text("Sprachbrücke")
    axe(page)
    db.session.commit()
    assert not db.session.get(User, kim.id).is_member_of(world.association)
