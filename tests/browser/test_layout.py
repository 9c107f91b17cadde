"""The design on a phone: every page fits the screen, in a left-to-right and a right-to-left language."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import overlapping_links
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(make_centre, make_room, make_user, make_association, token_for):
    centre = make_centre(
        slug="nordstadt",
        name={"de": "Stadtteilzentrum Nordstadt", "ar": "مركز حي نوردشتات"},
        features=["barrier_free", "wifi", "cafe", "counselling", "child_friendly", "accessible_toilet"],
        contact_phone="+49 511 000000",
        contact_email="nordstadt@example.org",
        website="https://example.org/a-rather-long-address/for-the-nordstadt-centre",
    )
    make_room(centre, name="Großer Saal mit Bühne und Küche", equipment=["projector", "screen", "stage", "kitchen"])
    association = make_association(name="Türkisch-Deutscher Elternverein Nordstadt e. V.")
    member = make_user(email="member@example.org", associations=[association])
    token_for(member)
    return centre


def assert_fits(page):
    width = page.evaluate("document.documentElement.clientWidth")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => { const r = el.getBoundingClientRect();
                            return r.width > 0 && (r.right > innerWidth + 1 || r.left < -1)
                                   && !el.closest('.data-table, .table-wrap'); })
            .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))"""
    )
    assert scroll_width <= width and not wide, f"{page.url} is wider than the phone ({scroll_width}px): {wide}"
    overlaps = overlapping_links(page)
    assert not overlaps, f"links drawn over each other on {page.url}: {overlaps}"


def assert_touch_targets(page):
    """Buttons, form controls and the header's links are at least 44 px high."""
    small = page.evaluate(
        """() => [...document.querySelectorAll(
                '.button, button, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), '
                + '.main-nav a, .language-switcher summary, .brand')]
            .filter(el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height < 43.5; })
            .map(el => el.outerHTML.slice(0, 80))"""
    )
    assert not small, f"touch targets under 44px on {page.url}: {small}"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_pages_fit_a_phone(make_page, axe, site, lang):
    page = make_page(viewport=PHONE, is_mobile=True, has_touch=True)
    for path in ["/", "/centres/", "/centres/nordstadt/", "/login", "/associations/register", "/centres/nope/",
                 "/events/", "/events/?view=month"]:
        page.goto(f"/{lang}{path}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
        assert_fits(page)
        assert_touch_targets(page)
        axe(page)

    page.goto(f"/{lang}/login")
    page.locator("#email").fill("member@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("main form [type=submit]").click()
    page.goto(f"/{lang}/account")
    expect(page.locator("main table").first).to_be_visible()  # the token table
    assert_fits(page)
    assert_touch_targets(page)
    axe(page)


def test_base_font_and_focus_styles(page, site):
    page.goto("/en/centres/")
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    line = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight)")
    assert size >= 16 and line / size >= 1.5
    select = page.get_by_label("District", exact=True)
    select.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")  # focus by keyboard: :focus-visible applies
    outline = select.evaluate("el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth")
    assert outline.startswith("solid") and float(outline.split()[1].rstrip("px")) >= 2, outline


def test_print_hides_navigation_and_forms(page, site):
    page.goto("/en/centres/nordstadt/")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.locator("details.language-switcher")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Großer Saal mit Bühne und Küche")).to_be_visible()
