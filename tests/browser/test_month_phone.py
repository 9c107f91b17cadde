"""The calendar on a phone: a compact month grid that marks the days with dates, and the chosen day's dates at
full width beneath it, in every script; by keyboard and without JavaScript."""

import json
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from eventdata import make_event
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, overlapping_links

pytestmark = pytest.mark.browser

BERLIN = ZoneInfo("Europe/Berlin")
TITLES = [  # long compounds, several scripts, titles that fall back to another language
    {"de": "Krabbelgruppe für Familien mit Kleinkindern"},
    {"de": "Alphabetisierungskurs", "uk": "Курс грамотності", "ar": "دورة محو الأمية"},
    {"de": "Handarbeitskreis", "fa": "حلقه کاردستی"},
    {"de": "Sozialberatung", "ar": "استشارة اجتماعية للعائلات القادمة حديثاً", "fa": "مشاوره اجتماعی"},
    {"de": "Українська суботня школа", "uk": "Українська суботня школа"},
    {"de": "Anerkennungsberatung für ausländische Berufsabschlüsse"},
]

def month_days(today: date) -> list[date]:
    """Days of this month for the dates: before and after today, as the month allows."""
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return [day for day in (first, first + timedelta(days=3), today, today + timedelta(days=2), last)
            if first <= day <= last]


@pytest.fixture
def month(make_centre, make_room):
    from extensions import db

    centre = make_centre(slug="nordstadt", name={"de": "Stadtteilzentrum Nordstadt", "ar": "مركز حي نوردشتات"})
    hall = make_room(centre, name="Großer Saal")
    today = datetime.now(BERLIN).date()
    days = sorted(set(month_days(today)))
    for n, day in enumerate(days):
        for k in range(1 + n % 3):  # one to three dates a day
            local = datetime.combine(day, time(9 + 2 * k)).replace(tzinfo=BERLIN)
            make_event(centre, hall, starts=local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None), hours=1,
                       title=TITLES[(n + k) % len(TITLES)], languages=["de", "ar"], commit=False)
    db.session.commit()
    return {"today": today, "days": days}


def api_counts(page, first: date) -> dict[str, int]:
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    body = page.request.get(f"/api/v1/events?start={first}&end={last}&lang=de&limit=500").text()
    counts: dict[str, int] = {}
    for item in json.loads(body)["items"]:
        day = item["start"][:10]  # the centre's local date (the API gives the local offset)
        counts[day] = counts.get(day, 0) + 1
    return counts


@pytest.mark.parametrize("width", [320, 360])
@pytest.mark.parametrize("lang", ["de", "ar", "fa", "uk"])
def test_the_month_reads_on_a_phone(make_page, axe, month, lang, width):
    page = make_page(viewport={"width": width, "height": 800}, is_mobile=True, has_touch=True)
    page.goto(f"/{lang}/events/?view=month")
    expect(page.locator("html")).to_have_attribute("lang", lang)

    # The filters are folded: the first screen shows the month, not form fields.
    expect(page.locator("details.filters-disclosure")).not_to_have_attribute("open", "")
    expect(page.locator("#filter-centre")).to_be_hidden()
    expect(page.locator("table.month")).to_be_in_viewport(ratio=0.1)  # the first screen shows dates

    assert page.evaluate("document.documentElement.scrollWidth") <= width, "no sideways scrolling"
    assert overlapping_links(page) == [], "links drawn over each other"

    # Titles are in the agenda, at full width: none squeezed into a grid cell.
    expect(page.locator(".agenda-day:not([hidden]) .event-title a").first).to_be_visible()
    widths = page.evaluate("""() => [...document.querySelectorAll('a[href*="/events/"]')]
        .filter(a => /\\/events\\/\\d+\\/$/.test(a.getAttribute('href')) && a.checkVisibility())
        .map(a => a.getBoundingClientRect().width)""")
    assert widths and min(widths) >= 150, widths  # every visible event title link: agenda, not cells

    # Every marker counts the day's dates as the API does; the chosen day is today.
    markers = {m.get_attribute("data-day"): int(m.locator(".day-count").inner_text())
               for m in page.locator("table.month .day-marker").all()}
    assert markers == api_counts(page, month["today"].replace(day=1))
    expect(page.locator('table.month .day-marker[aria-current="date"]')).to_have_count(
        1 if month["today"].isoformat() in markers else 0)
    expect(page.locator(f'.agenda-day[data-day="{month["today"].isoformat()}"]')).to_be_visible()

    axe(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"month-{lang}-{width}.png"), full_page=True)


def test_from_the_grid_to_a_day_and_into_an_event_and_back_by_keyboard(make_page, month):
    page = make_page(viewport={"width": 360, "height": 800}, is_mobile=True)
    page.goto("/de/events/?view=month")
    other = next(day for day in month["days"] if day != month["today"]).isoformat()
    for _ in range(200):  # Tab through the page to the other day's marker
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('data-day')") == other:
            break
    else:
        pytest.fail(f"the marker of {other} cannot be reached with Tab")
    page.keyboard.press("Enter")
    agenda = page.locator(f'.agenda-day[data-day="{other}"]')
    expect(agenda).to_be_visible()
    expect(agenda.locator(".day-heading")).to_be_focused()  # announced: the day's name
    expect(page.locator(f'.day-marker[data-day="{other}"]')).to_have_attribute("aria-current", "date")
    assert f"day={other}" in page.url and page.locator(".agenda-day:visible").count() == 1

    page.keyboard.press("Tab")
    first_event = agenda.locator(".event-title a").first
    expect(first_event).to_be_focused()
    title = first_event.inner_text()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/de/events/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    page.go_back()
    expect(page.locator(f'.agenda-day[data-day="{other}"]')).to_be_visible()  # the chosen day again


def test_without_javascript_a_day_is_a_link(make_page, month):
    page = make_page(viewport={"width": 360, "height": 800}, java_script_enabled=False)
    page.goto("/de/events/?view=month")
    other = next(day for day in month["days"] if day != month["today"]).isoformat()
    page.locator(f'.day-marker[data-day="{other}"]').click()
    expect(page).to_have_url(re.compile(rf"day={other}"))
    expect(page.locator(f'.agenda-day[data-day="{other}"]')).to_be_visible()
    assert page.locator(".agenda-day:visible").count() == 1


def test_the_desktop_month_stays_a_grid_with_titles(page, month):
    page.goto("/de/events/?view=month")
    expect(page.locator("#filter-centre")).to_be_visible()  # opened on a wide screen
    expect(page.locator("table.month .month-events a").first).to_be_visible()
    expect(page.locator("table.month .day-marker").first).to_be_hidden()
    expect(page.locator(".month-agenda")).to_be_hidden()
