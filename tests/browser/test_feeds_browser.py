"""A resident subscribes to a centre's events in Ukrainian (issue 5): the subscribe links and the QR code are on
the centre page, and the https address answers with a Ukrainian feed."""

import re

import icalendar
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.feeds_support import empty_feed_cache, local_day, make_series, tr  # noqa: F401 (autouse fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def centre(make_centre, make_room):
    centre = make_centre(slug="nordstadt", name={"de": "Stadtteilzentrum Nordstadt", "uk": "Районний центр Нордштадт"})
    room = make_room(centre, name="Великий зал")
    make_series(centre, room, local_day(3, 18), count=6,
                title={"de": "Deutschkurs", "uk": "Курс німецької мови"},
                description={"de": "Für alle.", "uk": "Для всіх, хто хоче вивчати німецьку."})
    return centre


def test_resident_subscribes_to_a_centre_in_ukrainian(page, axe, centre, live_server):
    page.goto("/uk/centres/nordstadt/")
    box = page.locator("section.subscribe")
    expect(box).to_have_count(1)
    expect(box.get_by_role("heading", level=2)).to_be_visible()

    feed_url = f"{live_server}/uk/centres/nordstadt/events.ics"
    webcal = box.get_by_role("link", name=tr("uk", "Subscribe"), exact=True)
    expect(webcal).to_have_attribute("href", feed_url.replace("http://", "webcal://"))
    expect(box.get_by_role("link", name=tr("uk", "Add to Google Calendar"))).to_have_attribute(
        "href", "https://calendar.google.com/calendar/render?cid=" + feed_url.replace("http://", "webcal://"))
    outlook = box.get_by_role("link", name=tr("uk", "Add to Outlook"))
    expect(outlook).to_have_attribute("href", re.compile(r"^https://outlook\.live\.com/calendar/0/addfromweb\?url="))
    address = box.get_by_label(tr("uk", "Calendar address to copy"))
    expect(address).to_have_value(feed_url)
    qr = box.get_by_role("img", name=tr("uk", "QR code of the calendar address"))
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 100
    box.get_by_text(tr("uk", "How to subscribe")).click()
    expect(box.get_by_text(tr("uk", "iPhone, iPad, Mac"))).to_be_visible()
    axe(page)

    # The address in the box answers with the feed, in Ukrainian (no Accept header needed).
    response = page.request.get(address.input_value(), headers={"Accept": ""})
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.body())
    events = calendar.walk("VEVENT")
    assert events and all(str(e["SUMMARY"]) == "Курс німецької мови" for e in events)
    assert all(e["SUMMARY"].params["LANGUAGE"] == "uk" for e in events)
    assert str(events[0]["DESCRIPTION"]).startswith("Для всіх")
    assert "Районний центр Нордштадт" in str(calendar["X-WR-CALNAME"])
    assert "Районний центр Нордштадт" in str(events[0]["LOCATION"])

    # The poster to print in the centre.
    page.get_by_role("link", name=tr("uk", "Poster with this code to print")).click()
    expect(page).to_have_url(re.compile(r"/uk/centres/nordstadt/poster$"))
    expect(page.get_by_role("img", name=tr("uk", "QR code of the calendar address"))).to_be_visible()
    expect(page.get_by_text(feed_url)).to_be_visible()
    axe(page)


def test_subscribe_box_on_a_phone_in_arabic(make_page, axe, centre):
    page = make_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/ar/events/")
    box = page.locator("section.subscribe")
    expect(box.get_by_role("img", name=tr("ar", "QR code of the calendar address"))).to_be_visible()
    expect(box.get_by_label(tr("ar", "Calendar address to copy"))).to_have_attribute("dir", "ltr")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "no sideways scrolling"
    axe(page)
