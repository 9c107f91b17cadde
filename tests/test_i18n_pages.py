"""Every page in every language: status, <html lang dir>, hreflang alternates, no interface text left in another language.

For each configured language the test builds a small scene whose user content
is written in that language only (tests/i18n_support.py), renders every public
page and every signed-in page, and compares the page's text with the English
message ids (those the language translates differently) and, for Arabic and
Farsi, with the German translations. A hit is an interface string that was not
translated: a string outside gettext, a label from a Python constant, a
catalogue entry missing.
"""

from urllib.parse import urlsplit

import pytest
from i18n_support import RTL, leaks, make_scene_fixture, page_text, sign_in  # noqa: F401

from config import DEFAULT_LANGUAGES

LANGUAGES = DEFAULT_LANGUAGES


def alternates(html: str) -> dict[str, str]:
    import re

    return {
        m.group(2): m.group(1) if m.group(1) else m.group(3)
        for m in re.finditer(r'<link rel="alternate" (?:href="([^"]+)" )?hreflang="([^"]+)"(?: href="([^"]+)")?>', html)
    }


def public_pages(scene):
    """(name, path, expected status, has alternates)."""
    lang, centre, event = scene.lang, scene.centre.slug, scene.event.id
    day = scene.day.isoformat()
    starts = scene.event.booking.occurrences[0].starts_at
    return [
        ("home", f"/{lang}/", 200, True),
        ("centres directory", f"/{lang}/centres/", 200, True),
        ("centre page", f"/{lang}/centres/{centre}/", 200, True),
        ("events list", f"/{lang}/events/", 200, True),
        ("month view", f"/{lang}/events/?view=month&month={starts:%Y-%m}", 200, True),
        ("event page", f"/{lang}/events/{event}/", 200, True),
        ("embed", f"/{lang}/embed/events", 200, False),  # noindex, for partners' iframes
        ("room search", f"/{lang}/rooms/search", 200, True),
        ("room search with results",
         f"/{lang}/rooms/search?date={day}&start_time=10:00&end_time=12:00&repeat=once", 200, True),
        ("room search without results",
         f"/{lang}/rooms/search?date={day}&start_time=10:00&end_time=12:00&repeat=once&capacity=5000", 200, True),
        ("register", f"/{lang}/associations/register", 200, True),
        ("login", f"/{lang}/login", 200, True),
        ("poster", f"/{lang}/centres/{centre}/poster", 200, True),
        ("not found", f"/{lang}/no-such-page/", 404, False),
        ("unknown centre", f"/{lang}/centres/no-such-centre/", 404, False),
    ]


def signed_in_pages(scene, role):
    lang, slug = scene.lang, scene.centre.slug
    room, association, event, booking = scene.room.id, scene.association.id, scene.event.id, scene.booking.id
    week = scene.event.booking.occurrences[0].starts_at.date().isoformat()
    pages = {
        "member": [
            ("account", f"/{lang}/account/"),
            ("association page", f"/{lang}/associations/{association}/"),
            ("association edit", f"/{lang}/associations/{association}/edit"),
            ("my bookings", f"/{lang}/bookings/"),
            ("choose a room", f"/{lang}/bookings/new"),
            ("booking request form", f"/{lang}/rooms/{room}/book"),
            ("booking page", f"/{lang}/bookings/{booking}/"),
            ("event edit (member)", f"/{lang}/events/{event}/edit"),
            ("room search signed in",
             f"/{lang}/rooms/search?date={scene.day}&start_time=10:00&end_time=12:00&repeat=once"),
        ],
        "manager": [
            ("manager queue", f"/{lang}/manage/requests/"),
            ("week view", f"/{lang}/manage/rooms/{room}/week?week={week}"),
            ("booking page (manager)", f"/{lang}/bookings/{booking}/"),
            ("manage index", f"/{lang}/manage/"),
            ("manage centre", f"/{lang}/manage/centres/{slug}/"),
            ("room edit", f"/{lang}/manage/centres/{slug}/rooms/{room}/edit"),
            ("new room", f"/{lang}/manage/centres/{slug}/rooms/new"),
            ("closure form", f"/{lang}/manage/centres/{slug}/closures/new"),
            ("event create", f"/{lang}/manage/centres/{slug}/events/new"),
            ("event edit", f"/{lang}/events/{event}/edit"),
            ("event preview of a pending request", f"/{lang}/events/{event}/"),
            ("associations list (manager)", f"/{lang}/manage/associations/"),
        ],
        "admin": [
            ("centre edit", f"/{lang}/manage/centres/{slug}/edit"),
            ("new centre", f"/{lang}/manage/centres/new"),
            ("managers", f"/{lang}/manage/centres/{slug}/managers"),
            ("associations list", f"/{lang}/manage/associations/"),
            ("account (admin)", f"/{lang}/account/"),
        ],
    }
    return pages[role]


def check(response, scene, name, status=200, alternates_expected=False) -> list[str]:
    """What is wrong with one page (empty when it is right)."""
    lang = scene.lang
    where = f"[{lang}] {name} ({response.request.path})"
    problems = []
    if response.status_code != status:
        return [f"{where}: status {response.status_code}, expected {status}"]
    html = response.get_data(as_text=True)
    _, attrs = page_text(html)
    direction = "rtl" if lang in RTL else "ltr"
    if attrs.get("lang") != lang or attrs.get("dir") != direction:
        problems.append(f"{where}: <html lang={attrs.get('lang')!r} dir={attrs.get('dir')!r}>")
    if alternates_expected:
        links = alternates(html)
        if set(links) != set(LANGUAGES):
            problems.append(f"{where}: hreflang alternates {sorted(links)}")
        for code, href in links.items():
            if not urlsplit(href).path.startswith(f"/{code}/"):
                problems.append(f"{where}: hreflang {code} points to {href}")
    problems += [f"{where}: {leak}" for leak in leaks(html, lang, scene.content)]
    return problems


@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_pages_speak_the_language(client, make_scene, lang):
    scene = make_scene(lang)
    problems = []
    for name, path, status, has_alternates in public_pages(scene):
        problems += check(client.get(path), scene, name, status, has_alternates)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ["member", "manager", "admin"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_signed_in_pages_speak_the_language(client, make_scene, lang, role):
    scene = make_scene(lang)
    person = getattr(scene, role)
    landing = sign_in(client, person, lang)
    problems = check(client.get(landing.headers["Location"]), scene, "page after signing in")
    for name, path in signed_in_pages(scene, role):
        problems += check(client.get(path), scene, name, 200, True)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_forms_with_errors_speak_the_language(client, make_scene, lang):
    """Validation messages and flashed messages are interface text too."""
    scene = make_scene(lang)
    problems = []
    # Registration with nothing filled in.
    response = client.post(f"/{lang}/associations/register", data={})
    problems += check(response, scene, "register with errors", response.status_code)
    # Signing in with a wrong password.
    response = client.post(f"/{lang}/login", data={"email": scene.member.email, "password": "wrong password"})
    problems += check(response, scene, "login with errors", response.status_code)
    sign_in(client, scene.member, lang)
    # A request whose end is before its start, and one on a closed day.
    day = scene.day.isoformat()
    response = client.post(f"/{lang}/rooms/{scene.room.id}/book", data={
        "association": str(scene.association.id), "title": "x", "date": day, "start_time": "20:00", "end_time": "18:00", "repeat": "once", "interval": "1"})
    problems += check(response, scene, "request with errors", response.status_code)
    # Values WTForms itself refuses: a time, a number, a date that are not one.
    response = client.post(f"/{lang}/rooms/{scene.room.id}/book", data={
        "title": "x" * 300, "date": "soon", "start_time": "25:99", "end_time": "late", "repeat": "weekly",
        "interval": "x", "attendees": "many"})
    problems += check(response, scene, "request with values WTForms refuses", response.status_code)
    closed = scene.closure.starts_on.isoformat()
    response = client.post(f"/{lang}/rooms/{scene.room.id}/book", data={
        "association": str(scene.association.id), "title": "x", "date": closed, "start_time": "10:00", "end_time": "12:00", "repeat": "once", "interval": "1"})
    problems += check(response, scene, "request on a closed day", response.status_code)
    # Association edit with a bad e-mail address.
    response = client.post(f"/{lang}/associations/{scene.association.id}/edit", data={"name": "", "email": "nope"})
    problems += check(response, scene, "association edit with errors", response.status_code)
    # A successful withdrawal: the flashed message on the next page.
    response = client.post(f"/{lang}/bookings/{scene.booking.id}/withdraw", follow_redirects=True)
    problems += check(response, scene, "after withdrawing a request", response.status_code)
    assert not problems, "\n".join(problems)
