"""Where people subscribe (issue 5): the subscribe box on the pages that show events, the poster, an event's
"Add to calendar" file, and the private addresses on the account page and the bookings dashboard, with the
role x action matrix for creating and revoking them."""

import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import select

from feeds.models import ASSOCIATION, CENTRES, FeedToken
from tests.feeds_support import (  # noqa: F401 (empty_feed_cache: autouse fixture)
    check_feed,
    empty_feed_cache,
    expand_both,
    local_day,
    make_series,
    tr,
    unfold,
)


@pytest.fixture
def centre(make_centre, make_room):
    centre = make_centre(slug="nordstadt", name={"de": "Zentrum Nordstadt", "uk": "Центр Нордштадт"})
    make_room(centre)
    return centre


def subscribe_links(html: str) -> dict:
    return {
        "webcal": re.findall(r'href="(webcal://[^"]+)"', html),
        "google": re.findall(r'href="(https://calendar\.google\.com/calendar/render\?cid=[^"]+)"', html),
        "outlook": re.findall(r'href="(https://outlook\.live\.com/calendar/0/addfromweb\?[^"]+)"', html),
        "copy": re.findall(r'<input id="feed-url-[^"]+" class="feed-url" type="url" readonly value="([^"]+)"', html),
        "qr": re.findall(r'<svg role="img" aria-label="[^"]+" width="\d+" height="\d+" viewBox', html),
    }


def test_centre_page_offers_its_feed(client, centre):
    html = client.get("/uk/centres/nordstadt/").get_data(as_text=True)
    links = subscribe_links(html)
    assert links["webcal"] == ["webcal://localhost/uk/centres/nordstadt/events.ics"]
    assert links["copy"] == ["http://localhost/uk/centres/nordstadt/events.ics"]
    assert links["google"] == ["https://calendar.google.com/calendar/render?cid=webcal://localhost/uk/centres/"
                               "nordstadt/events.ics"]
    outlook = urlsplit(links["outlook"][0].replace("&amp;", "&"))
    query = parse_qs(outlook.query)
    assert query["url"] == ["http://localhost/uk/centres/nordstadt/events.ics"]
    assert "Центр Нордштадт" in query["name"][0]
    assert len(links["qr"]) == 1
    assert 'href="/uk/centres/nordstadt/poster"' in html
    assert client.get("/uk/centres/nordstadt/events.ics").status_code == 200


def test_calendar_page_feed_keeps_the_filters_but_not_the_dates(client, centre):
    html = client.get("/tr/events/?category=sport&audience=women&start=2027-01-01&bogus=1").get_data(as_text=True)
    links = subscribe_links(html)
    assert len(links["webcal"]) == 1
    url = links["copy"][0].replace("&amp;", "&")
    parts = urlsplit(url)
    assert parts.path == "/tr/events.ics"
    assert parse_qs(parts.query) == {"category": ["sport"], "audience": ["women"]}
    # The Google link carries the whole feed address, its query encoded.
    google = unquote(links["google"][0].split("cid=", 1)[1].replace("&amp;", "&"))
    assert google == "webcal://localhost/tr/events.ics?category=sport&audience=women"


def test_qr_code_holds_the_webcal_address(client, centre):
    import segno

    html = client.get("/de/centres/nordstadt/").get_data(as_text=True)
    expected = segno.make("webcal://localhost/de/centres/nordstadt/events.ics", error="m", micro=False)
    svg = expected.svg_inline(scale=4, omitsize=True, svgclass="qr-code", light="#fff", border=4)
    path = re.search(r'<path[^>]*stroke="#000"[^>]*d="([^"]+)"', svg).group(1)
    assert path in html


def test_poster_page(client, centre):
    response = client.get("/ar/centres/nordstadt/poster")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'dir="rtl"' in html
    assert len(re.findall(r'<svg role="img"', html)) == 2, "the feed's code and the Google Calendar code"
    assert "http://localhost/ar/centres/nordstadt/events.ics" in html
    assert "css/poster.css" in html
    for code in ("de", "en", "tr", "uk"):
        assert f'href="/{code}/centres/nordstadt/poster"' in html
    assert client.get("/de/centres/nowhere/poster").status_code == 404


def test_event_page_offers_its_file(client, centre):
    event = make_series(centre, centre.rooms[0], local_day(3, 18), count=3)
    html = client.get(f"/de/events/{event.id}/").get_data(as_text=True)
    assert f'href="/de/events/{event.id}/event.ics"' in html
    response = client.get(f"/de/events/{event.id}/event.ics")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="event-{event.id}.ics"'
    body = response.data
    check_feed(body)
    from feeds.content import window

    win = window()
    assert len(expand_both(body, win.start, win.end)) == 3
    assert client.get(f"/de/events/{event.id}/event.ics", headers={"If-None-Match": response.headers["ETag"]}) \
        .status_code == 304


def test_event_file_of_a_non_public_event_is_404(client, centre):
    pending = make_series(centre, centre.rooms[0], local_day(3, 18), booking_status="pending")
    assert client.get(f"/de/events/{pending.id}/event.ics").status_code == 404
    assert client.get("/de/events/999999/event.ics").status_code == 404
    assert client.get("/de/events/99999999999/event.ics").status_code == 404


# --- private addresses --------------------------------------------------------------------------------


@pytest.fixture
def people(make_association, make_user, centre):
    club = make_association(name="SV Nordstadt")
    other = make_association(name="Anderer Verein")
    return dict(
        club=club, other=other,
        member=make_user(associations=[club]),
        outsider=make_user(associations=[other]),
        manager=make_user(role="manager", centres=[centre]),
        admin=make_user(role="admin"),
    )


def test_member_creates_an_address_on_the_dashboard_and_revokes_it(client, auth, people, db):
    auth.login(people["member"])
    html = client.get("/de/bookings/").get_data(as_text=True)
    assert 'id="private-feeds"' in html
    assert f'value="association-{people["club"].id}"' in html
    response = client.post("/de/account/feeds", data={
        "feed-feed": f"association-{people['club'].id}", "feed-language": "uk", "feed-name": "Telefon",
        "feed-back": "dashboard"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/de/bookings/#private-feeds")
    token = db.session.scalars(select(FeedToken)).one()
    assert (token.scope, token.association_id, token.language, token.name) == (
        ASSOCIATION, people["club"].id, "uk", "Telefon")
    html = client.get("/de/bookings/").get_data(as_text=True)
    links = subscribe_links(html)
    assert links["webcal"] == [f"webcal://localhost/feeds/{token.secret}.ics"]
    assert len(links["qr"]) == 1
    feed = client.get(f"/feeds/{token.secret}.ics")
    assert feed.status_code == 200
    assert tr("uk", "Bookings of %(association)s", association="SV Nordstadt") in unfold(feed.data)
    response = client.post(f"/de/account/feeds/{token.id}/revoke", data={"back": "dashboard"})
    assert response.status_code == 302
    assert client.get(f"/feeds/{token.secret}.ics").status_code == 404
    assert f"/feeds/{token.secret}.ics" not in client.get("/de/bookings/").get_data(as_text=True)


def test_account_page_lists_the_addresses(client, auth, people, db):
    token = FeedToken.issue(people["manager"], CENTRES, language="de")
    db.session.commit()
    auth.login(people["manager"])
    html = client.get("/en/account/").get_data(as_text=True)
    assert 'id="private-feeds"' in html
    assert f"/feeds/{token.secret}.ics" in html
    assert 'value="centres"' in html


def test_other_peoples_addresses_are_not_shown(client, auth, people, db):
    token = FeedToken.issue(people["member"], ASSOCIATION, association=people["club"], language="de")
    db.session.commit()
    auth.login(people["outsider"])
    for page in ("/de/account/", "/de/bookings/"):
        assert token.secret not in client.get(page).get_data(as_text=True)


ROLES = ["anonymous", "member", "outsider", "manager", "admin"]
ACTIONS = ["create club feed", "create centres feed", "revoke member's address"]
EXPECTED = {
    ("anonymous", "create club feed"): "login", ("anonymous", "create centres feed"): "login",
    ("anonymous", "revoke member's address"): "login",
    ("member", "create club feed"): 302, ("member", "create centres feed"): 403,
    ("member", "revoke member's address"): 302,
    ("outsider", "create club feed"): 403, ("outsider", "create centres feed"): 403,
    ("outsider", "revoke member's address"): 404,
    ("manager", "create club feed"): 403, ("manager", "create centres feed"): 302,
    ("manager", "revoke member's address"): 404,
    ("admin", "create club feed"): 403, ("admin", "create centres feed"): 302,
    ("admin", "revoke member's address"): 404,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_permission_matrix(client, auth, people, db, role, action):
    token = FeedToken.issue(people["member"], ASSOCIATION, association=people["club"], language="de")
    db.session.commit()
    token_id, secret = token.id, token.secret
    if role != "anonymous":
        auth.login(people[role])
    before = db.session.scalar(select(FeedToken.id).order_by(FeedToken.id.desc()))
    if action == "create club feed":
        response = client.post("/en/account/feeds", data={"feed-feed": f"association-{people['club'].id}",
                                                          "feed-language": "de"})
    elif action == "create centres feed":
        response = client.post("/en/account/feeds", data={"feed-feed": "centres", "feed-language": "de"})
    else:
        response = client.post(f"/en/account/feeds/{token_id}/revoke")
    expected = EXPECTED[(role, action)]
    db.session.expire_all()
    latest = db.session.scalar(select(FeedToken.id).order_by(FeedToken.id.desc()))
    if expected == "login":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == expected
    created = latest != before
    assert created == (expected == 302 and action.startswith("create"))
    revoked = client.get(f"/feeds/{secret}.ics").status_code == 404
    assert revoked == (expected == 302 and action.startswith("revoke"))


@pytest.mark.parametrize("value", ["association-999999", "association-99999999999999", "association-x", "", "all",
                                   "centres; drop table"])
def test_bad_choices_never_500(client, auth, people, value):
    auth.login(people["member"])
    response = client.post("/en/account/feeds", data={"feed-feed": value, "feed-language": "de"})
    assert response.status_code in (302, 400, 403, 404)


def test_bad_language_is_refused_with_a_message(client, auth, people, db):
    auth.login(people["member"])
    response = client.post("/en/account/feeds", data={"feed-feed": f"association-{people['club'].id}",
                                                      "feed-language": "xx"}, follow_redirects=True)
    assert response.status_code == 200
    assert db.session.scalars(select(FeedToken)).first() is None
    assert "Not a valid choice" in response.get_data(as_text=True)
