"""Browser tests: Playwright driving Debian's chromium against the live test server.

- ``browser`` (session): /usr/bin/chromium, never a downloaded browser. When it is
  missing the tests FAIL with a clear message; they are never skipped.
- ``page``: a fresh browser context per test, its base URL the ``live_server``
  (tests/conftest.py). Requests to any other host fail (the browser resolves
  no other name) and fail the test (the app must make no third-party requests), as do Content-Security-
  Policy violations and JavaScript errors. A failing test leaves a full-page
  screenshot and the page's HTML in test-artifacts/.
- ``axe``: ``axe(page)`` runs axe-core (node_modules/axe-core) on the page and
  fails on any violation of impact "serious" or "critical", listing rule ids
  and targets; it returns all violations for further checks.

Seed data with the factories of tests/conftest.py (make_centre, make_room,
make_user ...) in the test body: the ``app`` fixture's context is active and
the live server reads the same database.
"""

import functools
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Every other host is unknown to the browser: a page's request to one fails at once and is reported.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium fonts-noto-core, "
            "or `make browser-deps`). They never download a browser and never skip.",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Browser tests need the python package playwright (requirements-dev.txt).", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageWatch:
    """What went wrong in the page besides the test's own assertions."""

    def __init__(self, base_url):
        self.origin = urlsplit(base_url).netloc
        self.external_requests = []
        self.csp_violations = []
        self.script_errors = []

    def request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.origin:
            self.external_requests.append(request.url)

    def console(self, message):
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def problems(self):
        found = []
        if self.external_requests:
            found.append("requests to other hosts: " + ", ".join(self.external_requests))
        if self.csp_violations:
            found.append("Content-Security-Policy violations: " + " | ".join(self.csp_violations))
        if self.script_errors:
            found.append("JavaScript errors: " + " | ".join(self.script_errors))
        return found


SCRIPTLESS_PAGES = set()  # id() of pages opened with java_script_enabled=False: axe cannot run there


def new_page(browser, live_server, viewport=DESKTOP, **options):
    context = browser.new_context(base_url=live_server, viewport=viewport, **options)
    context.set_default_timeout(10_000)
    watch = PageWatch(live_server)
    context.on("request", watch.request)  # watched, not routed: routing would switch the browser's cache off
    page = context.new_page()
    page.on("console", watch.console)
    page.on("pageerror", lambda error: watch.script_errors.append(str(error)))
    if options.get("java_script_enabled") is False:
        SCRIPTLESS_PAGES.add(id(page))
    return page, watch


def save_artifacts(page, nodeid):
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)[-150:]
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
    except Exception as error:  # the page may be gone; the test's own failure matters more
        (ARTIFACTS / f"{name}.txt").write_text(f"no screenshot: {error}", encoding="utf-8")


@pytest.fixture
def make_page(request, browser, live_server, app, browser_csrf):
    """Open more pages (other viewports, a second user): ``make_page(viewport=PHONE)``."""
    pages = []

    def make(viewport=DESKTOP, **options):
        page, watch = new_page(browser, live_server, viewport=viewport, **options)
        pages.append((page, watch))
        return page

    yield make

    report = getattr(request.node, "report_call", None)
    failed = report is None or report.failed
    problems = []
    for index, (page, watch) in enumerate(pages):
        if failed:
            save_artifacts(page, request.node.nodeid + (f"-{index}" if index else ""))
        problems += watch.problems()
        SCRIPTLESS_PAGES.discard(id(page))
        page.context.close()
    if problems and not failed:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def page(make_page):
    """A desktop-sized page (1280×900) on the live server; ``page.goto("/de/")``."""
    return make_page()


@pytest.fixture
def phone_page(make_page):
    """A phone-sized page (390×844)."""
    return make_page(viewport=PHONE, is_mobile=True, has_touch=True)


def format_violations(violations, url):
    lines = [f"axe found serious or critical accessibility problems on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"][:8]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


@functools.cache
def axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def run_axe(page, fail_on=("serious", "critical"), disable=()):
    """Run axe-core on the page; fail on violations of the given impacts; return all violations."""
    if id(page) in SCRIPTLESS_PAGES:
        pytest.fail("axe needs JavaScript: this page was opened with java_script_enabled=False.", pytrace=False)
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `npm ci` (or `make browser-deps`).", pytrace=False)
    page.wait_for_load_state()  # a page still loading has no <head> to add the script to
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())  # evaluated by the browser's debugger protocol: the page's CSP stays on
    options = {"resultTypes": ["violations"]}
    if disable:
        options["rules"] = {rule: {"enabled": False} for rule in disable}
    result = page.evaluate("options => window.axe.run(document, options)", options)
    violations = result["violations"]
    bad = [v for v in violations if v.get("impact") in fail_on]
    if bad:
        pytest.fail(format_violations(bad, page.url), pytrace=False)
    return violations


@pytest.fixture
def axe():
    """``axe(page)``: no serious or critical violation on the page as it is now."""
    return run_axe


@pytest.fixture
def browser_csrf(app):
    """Forms in the browser carry real CSRF tokens, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


# Overlapping links: any two visible links whose boxes share more than a pixel in both directions.
OVERLAPS = """() => {
  // Each link's boxes, line by line (a link wrapped over two lines is two boxes, not the rectangle around both).
  const links = [...document.querySelectorAll('a')]
    .filter(a => a.checkVisibility({visibilityProperty: true}))
    .map(a => [a, [...a.getClientRects()].filter(r => r.width > 1 && r.height > 1)])
    .filter(([a, rects]) => rects.length);
  const hit = (r, s) => Math.min(r.right, s.right) - Math.max(r.left, s.left) > 1
                        && Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top) > 1;
  const found = [];
  for (let i = 0; i < links.length; i++) for (let j = i + 1; j < links.length; j++) {
    const [a, ra] = links[i], [b, rb] = links[j];
    if (a.contains(b) || b.contains(a)) continue;
    if (ra.some(r => rb.some(s => hit(r, s))))
      found.push(a.textContent.trim().slice(0, 30) + ' × ' + b.textContent.trim().slice(0, 30));
  }
  return found.slice(0, 5);
}"""


def overlapping_links(page) -> list[str]:
    """Pairs of visible links drawn over each other (WCAG 1.4.10: content must reflow, not overlap)."""
    return page.evaluate(OVERLAPS)
