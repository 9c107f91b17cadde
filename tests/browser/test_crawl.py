"""Every page, on a phone, in German and Arabic, as a visitor and as each role: a crawl of the demo city.

It follows the links the pages show (tests/browser/crawl.py), one page of each kind and each form sent empty,
and checks what WCAG 2.1 AA asks of each: no serious or critical axe finding, no sideways scrolling at 320 CSS
px, no text clipped by its box, none of that with the text-spacing overrides either, no links drawn over each
other. A failure names the page and the element.
"""

import re

import pytest

from tests.browser.conftest import overlapping_links, run_axe
from tests.browser.crawl import Crawl, layout_problems

pytestmark = pytest.mark.browser

SMALLEST_PHONE = {"width": 320, "height": 640}
PASSWORD = "welcome-demo"
ROLES = {
    "visitor": None,
    "member": "member@example.org",
    "manager": "manager.nord@example.org",
    "admin": "admin@example.org",
}


@pytest.fixture
def demo_city(app):
    from demo import load_demo
    from extensions import db

    load_demo()
    db.session.commit()


@pytest.mark.parametrize("lang", ["de", "ar"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_meets_wcag_on_the_smallest_phone(make_page, demo_city, role, lang):
    page = make_page(viewport=SMALLEST_PHONE, is_mobile=True, has_touch=True)
    if ROLES[role]:
        page.goto(f"/{lang}/login")
        page.locator("#email").fill(ROLES[role])
        page.locator("#password").fill(PASSWORD)
        page.locator("main form [type=submit]").first.click()
        page.wait_for_url(lambda url: "/login" not in url)
    problems = {}

    def check(page, what):
        found = layout_problems(page)
        found += [f"links drawn over each other: {pair}" for pair in overlapping_links(page)]
        shown = page.url.split("/", 4)[3]  # a form may change the language (the account's preference)
        if page.locator("html").get_attribute("lang") != shown:
            found.append(f"the page is not in the language of its address ({shown})")
        violations = run_axe(page, fail_on=())
        found += [f"axe {v['impact']}: {v['id']} ({len(v['nodes'])}×)" for v in violations
                  if v["impact"] in ("serious", "critical")]
        if found:
            problems[what] = found

    crawl = Crawl(page, check, limit=70)
    crawl.run(f"/{lang}/", lang)
    assert len(crawl.visited) >= {"visitor": 8, "member": 15, "manager": 20, "admin": 25}[role], crawl.visited
    assert not problems, "\n".join(f"{url}: {'; '.join(found)}" for url, found in problems.items())


@pytest.mark.parametrize("poster", ["centres/nordstadt", "programmes/demokratie-leben"])  # the longest texts
@pytest.mark.parametrize("lang", ["de", "ar"])
def test_the_poster_reflows_on_a_phone_and_prints_on_one_a4_page(make_page, demo_city, lang, poster):
    phone = make_page(viewport=SMALLEST_PHONE, is_mobile=True)
    phone.goto(f"/{lang}/{poster}/poster")
    assert layout_problems(phone) == []
    printed = make_page()
    printed.goto(f"/{lang}/{poster}/poster")
    pdf = printed.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"the poster prints on {pages} pages"
