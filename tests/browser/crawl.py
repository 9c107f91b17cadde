"""A crawl of the site as people use it: follow the links the pages show, one page of each kind, and each form's
error state, checking reflow at 320 CSS px (WCAG 1.4.10), text clipped by its box, the text-spacing overrides
(WCAG 1.4.12) and overlapping links. Needs no list of pages: a page is covered the day it is linked."""

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

# Pages not to open: leaving the session, files rather than pages, the API, forms that change data by GET.
SKIP = re.compile(r"/logout|\.ics$|\.zip$|\.csv$|\.xlsx$|\.svg$|\.png$|/static/|/api/|/feeds/|^/__|/embed/|/print$")
NUMBER = re.compile(r"/\d+(?=/|$)")
WCAG_SPACING = """
  * { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
  p { margin-block-end: 2em !important; }
"""

LAYOUT = """(spacing) => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  if (document.documentElement.scrollWidth > width + 1)
    problems.push('scrolls sideways: ' + document.documentElement.scrollWidth + 'px');
  for (const el of document.querySelectorAll('body *')) {
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    if (el.closest('.table-wrap, .data-table, .visually-hidden, svg')) continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > width + 1 || r.left < -1)) {
      problems.push('wider than the screen: ' + name(el) + ' (' + Math.round(r.left) + '..' + Math.round(r.right) + 'px)');
      continue;
    }
    const style = getComputedStyle(el);
    const hides = ['hidden', 'clip'].includes(style.overflowX) || ['hidden', 'clip'].includes(style.overflowY);
    if (hides && el.textContent.trim() && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
        && el.clientWidth > 2 && style.textOverflow !== 'ellipsis')
      problems.push('text clipped: ' + name(el) + ' "' + el.textContent.trim().slice(0, 30) + '"');
  }
  return [...new Set(problems)].slice(0, 8);
}"""


def kind_of(url: str) -> str:
    """/de/events/12/?view=month -> /de/events/#/?view: one page of each kind is enough."""
    parts = urlsplit(url)
    path = NUMBER.sub("/#", parts.path)
    path = re.sub(r"/(centres|rooms|associations|programmes)/[a-z0-9-]+(?=/|$)", r"/\1/*", path)
    params = sorted({key for key, _ in parse_qsl(parts.query) if key in ("view",)})
    return path + ("?" + "&".join(params) if params else "")


def layout_problems(page) -> list[str]:
    """Reflow and clipping as the page is, then again with the WCAG 1.4.12 text spacing."""
    found = page.evaluate(LAYOUT, False)
    # A constructed style sheet, as a reader's bookmarklet or extension adds it (the page's CSP allows no inline style).
    page.evaluate("""css => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);
                              document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]; }""", WCAG_SPACING)
    found += [f"with text spacing: {p}" for p in page.evaluate(LAYOUT, True)]
    page.evaluate("() => { document.adoptedStyleSheets = document.adoptedStyleSheets.slice(0, -1); }")
    return found


def links(page, lang: str) -> list[str]:
    hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith(f"/{lang}/"):
            continue
        if SKIP.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


@dataclass
class Crawl:
    """Visits one page of each kind reachable from ``start``; ``check(page, what)`` is called on each."""

    page: object
    check: object
    limit: int = 80
    seen: set = field(default_factory=set)
    visited: list = field(default_factory=list)

    def run(self, start: str, lang: str) -> None:
        queue = [start]
        while queue and len(self.visited) < self.limit:
            url = queue.pop(0)
            kind = kind_of(url)
            if kind in self.seen:
                continue
            self.seen.add(kind)
            response = self.page.goto(url)
            if response is None or response.status >= 500:
                raise AssertionError(f"{url} answered {response.status if response else 'nothing'}")
            self.visited.append(url)
            self.check(self.page, url)
            queue.extend(link for link in links(self.page, lang) if kind_of(link) not in self.seen)
            self.forms(url)

    def forms(self, url: str) -> None:
        """Each form of the page sent empty and sent with bad values: its error states are pages of their own."""
        count = self.page.locator("main form[method=post]").count()
        for index in range(count):
            for mode in ("empty", "bad values"):
                self.send(url, index, mode)

    def send(self, url: str, index: int, mode: str) -> None:
        self.page.goto(url)
        forms = self.page.locator("main form[method=post]")
        if forms.count() <= index:
            return
        form = forms.nth(index)
        action = form.get_attribute("action") or url
        key = f"form:{kind_of(action if action.startswith('/') else url)}#{index}:{mode}"
        if key in self.seen or re.search(r"logout|delete|revoke|withdraw|cancel|approve|reject|token|sessions", action):
            return
        submit = form.locator("[type=submit]").first
        if not submit.count():
            return
        self.seen.add(key)
        form.evaluate(FILL, mode)
        with self.page.expect_navigation():
            submit.click()
        what = f"{url} (form {index} sent with {mode})"
        self.visited.append(what)
        self.check(self.page, what)


# Empty: every field cleared. Bad values: what people mistype and what breaks layouts (a long word, a
# right-to-left override, markup), in every text field; a number out of range; a date that is no date.
FILL = """(f, mode) => {
  const long = 'Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherung'.repeat(3);
  for (const el of f.elements) {
    if (el.type === 'hidden' || el.type === 'submit' || el.type === 'file') continue;
    el.removeAttribute('required');
    if (el.type === 'checkbox' || el.type === 'radio') { el.checked = false; continue; }
    if (el.tagName === 'SELECT') continue;
    if (mode === 'empty') { el.value = ''; continue; }
    if (el.type === 'number') el.value = '-999999';
    else if (el.type === 'date' || el.type === 'time') el.value = '';
    else if (el.type === 'email') el.value = 'not an address';
    else el.value = long + ' \u202e<b>x</b> ' + long;
  }
  f.noValidate = true;
}"""
