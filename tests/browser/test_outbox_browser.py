"""The admins' outbox in a browser (issue #21): a refused mail with the SMTP server's answer, sent again and
cancelled with the keyboard-reachable buttons, in German and in Arabic on a 320 px phone, without serious axe
findings or sideways scrolling."""

import pytest

import mail
from extensions import db
from outbox.models import OutboxMail
from tests.browser.crawl import layout_problems
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, email):
    page.goto("/de/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form [type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_an_admin_sees_a_refused_mail_sends_it_again_and_cancels_it(make_page, make_user, axe):
    make_user("admin", email="admin@example.org")
    row = mail.queue(mail.Draft("verein@example.org", "Genehmigt: Sprachcafé", "Text"), "browser:1")
    db.session.commit()
    row.status, row.attempts, row.last_error = "failed", 1, "550 5.1.1 <verein@example.org>: Recipient unknown"
    db.session.commit()

    page = make_page()
    sign_in(page, "admin@example.org")
    page.goto("/de/manage/")
    assert "Es lief noch kein Worker" in page.inner_text("main")
    page.get_by_role("link", name="Postausgang").first.click()
    page.get_by_role("link", name="Fehlgeschlagen (1)").click()
    table = page.inner_text("main table")
    assert "verein@example.org" in table and "550 5.1.1" in table
    axe(page)
    page.get_by_role("button", name="Erneut senden").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "wieder eingereiht" in page.inner_text(".flashes")
    db.session.commit()  # a fresh snapshot (SQLite keeps one per transaction)
    assert db.session.get(OutboxMail, row.id).status == "queued"

    phone = make_page(viewport={"width": 320, "height": 700}, is_mobile=True)
    sign_in(phone, "admin@example.org")
    phone.goto("/ar/manage/outbox")
    assert phone.locator("html").get_attribute("dir") == "rtl"
    with phone.expect_navigation():
        phone.locator("main table").get_by_role("button", name="إلغاء").click()
    db.session.commit()  # a fresh snapshot (SQLite keeps one per transaction)
    assert db.session.get(OutboxMail, row.id).status == "cancelled", phone.inner_text("main")[:800]
    axe(phone)
    assert layout_problems(phone) == []
    phone.locator("main table").get_by_role("link", name="Genehmigt: Sprachcafé").click()
    assert "Text" in phone.inner_text("pre.mail-text")
    axe(phone)
    assert layout_problems(phone) == []
