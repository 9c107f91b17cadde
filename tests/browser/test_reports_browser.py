"""Reports and open figures (#11) as their readers see them: a centre's manager and the city's
integration office in German and Arabic, charts drawn on the server, axe on every page, the CSV
downloaded through the browser, the open figures on a 320 px phone without sideways scrolling."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect
from report_support import build_world

from tests.browser.test_booking_browser import sign_in

pytestmark = pytest.mark.browser
MARCH = "start=2027-03-01&end=2027-03-31"


@pytest.fixture
def world(db, make_centre, make_room, make_association, make_user):
    return build_world(db, make_centre, make_room, make_association, make_user)


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_reports_in_german_and_arabic(page, axe, world, lang):
    sign_in(page, world.admin.email)
    page.goto(f"/{lang}/reports/?{MARCH}&group_by=kind")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    expect(page.locator("svg.chart-bars")).to_have_count(1)
    expect(page.locator("svg.chart-heat")).to_have_count(2)  # one per centre with dates
    expect(page.locator("svg.chart-bars title")).not_to_be_empty()
    totals = page.locator("table.report-totals")
    expect(totals.locator("tbody tr").nth(3).locator("td").first).to_have_text("9")  # dates held
    axe(page)
    page.get_by_label("Gruppieren nach" if lang == "de" else "التجميع حسب").select_option("month")
    page.locator("form.report-filter [type=submit]").click()
    expect(page.locator("table.report-table tbody tr")).to_have_count(1)
    axe(page)
    with page.expect_download() as download:
        page.locator("a[href*='report.csv']").click()
    data = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[-1][7] == "9" and len(rows) == 3  # header, March, total


def test_manager_sees_only_the_own_centre(page, axe, world):
    sign_in(page, world.manager_b.email)
    page.goto(f"/de/reports/?{MARCH}")
    rows = page.locator("table.report-table tbody tr")
    expect(rows).to_have_count(1)
    expect(page.locator("#centre option")).to_have_count(2)  # all my centres, centre B
    axe(page)


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_open_figures_on_a_phone(make_page, axe, world, app, lang):
    app.config["FIGURES_MIN_COUNT"] = 1
    try:
        page = make_page(viewport={"width": 320, "height": 700})
        page.goto(f"/{lang}/figures/?year=2027")
        expect(page.locator("h1")).to_contain_text("2027")
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        expect(page.locator("svg.chart-bars")).to_have_count(1)
        axe(page)
    finally:
        app.config["FIGURES_MIN_COUNT"] = 3


def test_the_report_prints_on_one_page(page, world):
    sign_in(page, world.admin.email)
    page.goto(f"/de/reports/?{MARCH}&group_by=kind")
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    expect(page.locator("#heat-heading")).to_be_hidden()  # the heat maps stay on the screen
