"""A resident finds an event in their language: Turkish, then Arabic (right to left) (issue 4)."""

import json
import re

import pytest
from eventdata import at, make_event
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


@pytest.fixture
def season(make_centre, make_room, make_association):
    centre = make_centre(
        slug="nordstadt",
        name={"de": "Stadtteilzentrum Nordstadt", "tr": "Nordstadt Mahalle Merkezi", "ar": "مركز حي نوردشتات"},
    )
    hall = make_room(centre, name="Großer Saal")
    kitchen = make_room(centre, name="Küche")
    women = make_association(name="Frauen für Frauen e.V.")
    cafe = make_event(
        centre, kitchen, association=women, count=3, starts=at(2, hour=15),
        title={"de": "Frauencafé", "tr": "Kadın kafesi"},
        description={"de": "Austausch bei Tee und Kuchen.", "tr": "Çay ve kek eşliğinde sohbet."},
        category_key="encounter", audiences=["women", "newcomers"], languages=["tr", "ar", "de"],
    )
    cafe.booking.occurrences[1].set_status("cancelled", "Feiertag")
    football = make_event(
        centre, hall, starts=at(3, hour=14), title={"de": "Fußball für Kinder", "tr": "Çocuklar için futbol"},
        category_key="sport", audiences=["children"], languages=["de", "tr"],
    )
    counselling = make_event(
        centre, hall, starts=at(4, hour=9), title={"de": "Sozialberatung", "ar": "استشارة اجتماعية"},
        category_key="counselling", audiences=["refugees", "newcomers"], languages=["ar", "fa"],
    )
    make_event(centre, hall, status="pending", starts=at(5), title={"de": "Noch nicht genehmigt"})
    from extensions import db

    db.session.commit()
    return {"cafe": cafe, "football": football, "counselling": counselling}


def event_titles(page):
    return page.locator(".event-title a")


def test_turkish_resident_filters_and_opens_an_event(page, axe, season):
    page.goto("/tr/events/")
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(event_titles(page)).to_have_count(5)  # 3 café dates (one cancelled), football, counselling
    expect(page.get_by_text("Noch nicht genehmigt")).to_have_count(0)
    axe(page)

    # The filters are a plain GET form: no JavaScript needed, the result can be bookmarked.
    page.locator("#filter-audience").select_option("women")
    page.locator("#filter-language").select_option("tr")
    page.locator(".filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"audience=women"))
    expect(page).to_have_url(re.compile(r"language=tr"))
    expect(event_titles(page)).to_have_count(3)
    expect(event_titles(page).first).to_have_text("Kadın kafesi")
    expect(page.locator(".event-item.is-cancelled")).to_have_count(1)
    expect(page.locator(".event-item.is-cancelled")).to_contain_text("Feiertag")
    axe(page)

    # Bookmarked and opened again later: the same result.
    bookmarked = page.url
    page.goto(bookmarked)
    expect(event_titles(page)).to_have_count(3)

    event_titles(page).first.click()
    expect(page).to_have_url(re.compile(rf"/tr/events/{season['cafe'].id}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kadın kafesi")
    expect(page.get_by_text("Frauen für Frauen e.V.")).to_be_visible()
    expect(page.locator("address")).to_contain_text("Hauptstraße 1")
    expect(page.locator("a[href^='https://www.openstreetmap.org/']")).to_be_visible()
    data = json.loads(page.locator("script[type='application/ld+json']").text_content())
    assert data["@graph"][0]["name"] == "Kadın kafesi"
    axe(page)

    # The month view is a table that works without JavaScript.
    page.goto("/tr/events/?view=month&audience=women")
    expect(page.locator("table.month th[scope=col]")).to_have_count(7)
    axe(page)


def test_arabic_resident_reads_right_to_left(page, axe, season):
    page.goto("/ar/events/")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    axe(page)

    page.locator("#filter-audience").select_option("newcomers")
    page.locator("#filter-language").select_option("ar")
    page.locator(".filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"audience=newcomers.*language=ar|language=ar.*audience=newcomers"))
    expect(event_titles(page)).to_have_count(4)  # the café's 3 dates and the counselling
    # A title without Arabic text is shown in its own language, marked so.
    fallback = page.locator(".event-title .fallback").first
    expect(fallback).to_have_attribute("lang", "de")
    expect(fallback).to_have_text("Frauencafé")
    expect(fallback).to_have_attribute("dir", "ltr")
    axe(page)

    page.get_by_role("link", name="استشارة اجتماعية").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("استشارة اجتماعية")
    heading_box = page.get_by_role("heading", level=1).bounding_box()
    viewport = page.viewport_size
    # right to left: the heading starts at the right-hand side
    assert heading_box["x"] + heading_box["width"] > viewport["width"] / 2
    axe(page)

    page.goto("/ar/events/?view=month")
    expect(page.locator("table.month")).to_be_visible()
    axe(page)


def test_calendar_on_a_phone_and_the_embed(make_page, axe, season):
    phone = make_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto("/tr/events/")
    expect(event_titles(phone).first).to_be_visible()
    # nothing wider than the screen
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    axe(phone)
    phone.goto("/ar/embed/events?category=encounter")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    expect(phone.locator(".event-title a")).to_have_count(3)
    axe(phone)


def test_a_manager_creates_a_centre_event_and_residents_see_it(page, axe, season, make_user):
    from datetime import timedelta

    from centres.models import Centre
    from timeutil import utcnow

    make_user("manager", email="leitung@example.org", centres=[Centre.by_slug("nordstadt")])
    page.goto("/en/login")
    page.fill("#email", "leitung@example.org")
    page.fill("#password", "correct horse battery")
    page.locator("main form [type=submit]").click()
    page.goto("/en/manage/centres/nordstadt/")
    page.locator("a[href='/en/manage/centres/nordstadt/events/new']").click()
    page.wait_for_url("**/en/manage/centres/nordstadt/events/new")  # loaded, not just begun (axe needs <head>)
    axe(page)
    page.fill("#title-en", "Summer festival on the square")
    page.fill("#day", (utcnow() + timedelta(days=9)).date().isoformat())
    page.fill("#start_time", "14:00")
    page.fill("#end_time", "18:00")
    page.locator("#audiences-1").check()  # children
    page.locator("main form [type=submit]").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Summer festival on the square")
    expect(page.locator(".flash-success")).to_be_visible()
    axe(page)
    page.goto("/en/events/?audience=children")
    expect(page.get_by_role("link", name="Summer festival on the square")).to_be_visible()
