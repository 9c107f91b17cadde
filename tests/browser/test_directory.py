"""A resident browses the directory, switches to Arabic; a manager edits a room (issue 2, part 9)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def city(make_centre, make_room):
    nordstadt = make_centre(
        slug="nordstadt",
        name={"de": "Stadtteilzentrum Nordstadt", "en": "Nordstadt Community Centre", "ar": "مركز حي نوردشتات"},
        description={"de": "Offenes Haus mit Café.", "en": "An open house with a café."},
        district="Nordstadt",
        features=["barrier_free", "wifi", "cafe"],
        staff_languages=["de", "ar", "tr"],
        contact_phone="+49 511 000000",
        contact_email="nordstadt@example.org",
    )
    suedstadt = make_centre(
        slug="suedstadt",
        name={"de": "Begegnungshaus Südstadt", "en": "Südstadt Meeting House"},
        district="Südstadt",
        features=["child_friendly"],
    )
    hall = make_room(nordstadt, name="Großer Saal", capacity=120, equipment=["projector", "stage"])
    make_room(nordstadt, name="Seminarraum 1", capacity=25)
    make_room(suedstadt, name="Gartenzimmer", capacity=15)
    return {"nordstadt": nordstadt, "suedstadt": suedstadt, "hall": hall}


def nav_link(page, name):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


def test_browse_home_directory_and_centre(page, axe, city):
    page.goto("/en/")
    expect(page).to_have_title(re.compile("Welcome Spaces"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome spaces for everyone")
    expect(page.get_by_role("link", name="Nordstadt Community Centre")).to_be_visible()
    axe(page)

    nav_link(page, "Centres").click()
    expect(page).to_have_url(re.compile(r"/en/centres/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("District centres")
    expect(nav_link(page, "Centres")).to_have_attribute("aria-current", "page")
    expect(page.locator(".centre-card")).to_have_count(2)
    axe(page)

    # The filters work without JavaScript: a plain GET form.
    page.get_by_label("District", exact=True).select_option("Südstadt")
    page.get_by_role("button", name="Show centres").click()
    expect(page).to_have_url(re.compile(r"district=S%C3%BCdstadt"))
    expect(page.locator(".centre-card")).to_have_count(1)
    expect(page.get_by_role("link", name="Südstadt Meeting House")).to_be_visible()
    page.get_by_label("District", exact=True).select_option("")
    page.get_by_label("Welcome feature", exact=True).select_option("cafe")
    page.get_by_role("button", name="Show centres").click()
    expect(page.locator(".centre-card")).to_have_count(1)

    # The whole card is a target; the heading link leads to the centre.
    page.get_by_role("link", name="Nordstadt Community Centre").click()
    expect(page).to_have_url(re.compile(r"/en/centres/nordstadt/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nordstadt Community Centre")
    rooms = page.get_by_role("region", name="Rooms")
    expect(rooms.get_by_role("heading", name="Großer Saal")).to_be_visible()
    expect(rooms.get_by_text("120 people")).to_be_visible()
    expect(page.get_by_role("link", name="+49 511 000000")).to_have_attribute("href", "tel:+49511000000")
    expect(page.get_by_role("link", name="Show on OpenStreetMap")).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/")
    )
    axe(page)


def box(locator):
    locator.scroll_into_view_if_needed()
    found = locator.bounding_box()
    assert found, f"{locator} is not visible"
    return found


def assert_navigation_starts_on(page, side):
    """The brand and the first navigation link sit on the reading start side."""
    width = page.viewport_size["width"]
    links = page.locator("nav.main-nav").get_by_role("link")
    first, second = box(links.nth(0)), box(links.nth(1))
    brand = box(page.locator(".brand"))
    switcher = box(page.locator(".language-switcher summary"))
    if side == "left":
        assert first["x"] < width / 4, first
        assert first["x"] < second["x"]
        assert brand["x"] < switcher["x"]
    else:
        assert first["x"] + first["width"] > width * 3 / 4, first
        assert first["x"] > second["x"]
        assert brand["x"] > switcher["x"]


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_switch_to_arabic_turns_the_page_right_to_left(make_page, axe, city, viewport):
    page = make_page(viewport=viewport)
    page.goto("/en/centres/nordstadt/")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "ltr")
    assert_navigation_starts_on(page, "left")

    switcher = page.locator("details.language-switcher")
    summary = switcher.locator("summary")
    expect(summary).to_have_accessible_name(re.compile("Language.*English"))
    expect(switcher.get_by_role("link", name="العربية")).to_be_hidden()
    summary.click()
    arabic = switcher.get_by_role("link", name="العربية")
    expect(arabic).to_be_visible()
    expect(arabic).to_have_attribute("lang", "ar")
    expect(switcher.get_by_role("link", name="English")).to_have_attribute("aria-current", "true")
    axe(page)  # with the menu open
    arabic.click()

    # Same page, in Arabic, right to left.
    expect(page).to_have_url(re.compile(r"/ar/centres/nordstadt/$"))
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text("مركز حي نوردشتات")
    assert_navigation_starts_on(page, "right")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    axe(page)

    # The choice is remembered: the site root now opens in Arabic.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/ar/$"))
    expect(html).to_have_attribute("dir", "rtl")


def test_language_switcher_works_with_the_keyboard(page, city):
    page.goto("/en/")
    summary = page.locator("details.language-switcher summary")
    for _ in range(10):
        page.keyboard.press("Tab")
        if summary.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the language switcher cannot be reached with Tab")
    # The skip link and the brand come first, then the switcher: a newcomer finds their language early.
    page.keyboard.press("Enter")
    menu = page.locator("details.language-switcher")
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    assert summary.evaluate("element => element === document.activeElement")

    page.keyboard.press("Enter")
    turkish = menu.get_by_role("link", name="Türkçe")
    for _ in range(12):
        page.keyboard.press("Tab")
        if turkish.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the languages in the switcher cannot be reached with Tab")
    outline = turkish.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none", "the focused language has no visible focus outline"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/tr/$"))
    expect(page.locator("html")).to_have_attribute("lang", "tr")


def test_skip_link_moves_to_the_content(page, city):
    page.goto("/en/centres/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
