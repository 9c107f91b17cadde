"""The page cache (#13): anonymous pages and API answers kept per data version, strong ETags, 304."""

from datetime import timedelta

import pytest
from booking_support import booking_world_fixture, login  # noqa: F401
from test_data_version import in_another_process

from events.models import Event
from extensions import db
from tests.eventdata import QueryCounter
from tests.feeds_support import empty_feed_cache, local_day, make_series  # noqa: F401 (autouse fixture)

PAGES = ["/de/events/", "/ar/events/?view=month", "/de/centres/", "/de/centres/nordstadt/",
         "/en/embed/events", "/api/v1/events", "/api/v1/centres", "/de/"]


@pytest.fixture(autouse=True)
def one_slice(app):
    """A day's slice of time: two requests of a test never fall on both sides of a minute's end."""
    before = app.config["PAGE_CACHE_SECONDS"]
    app.config["PAGE_CACHE_SECONDS"] = 86400
    yield
    app.config["PAGE_CACHE_SECONDS"] = before


@pytest.fixture
def feed(make_centre, make_room):
    centre = make_centre(slug="nordstadt")
    return make_series(centre, make_room(centre), local_day(3, 18), count=4, title={"de": "Nähcafé"})


def statements(client, url, **headers):
    db.session.rollback()  # the test's session (shared with the requests) ends its read
    with QueryCounter(db.engine) as counter:
        response = client.get(url, headers=headers)
    return response, counter.statements


@pytest.mark.parametrize("url", PAGES)
def test_an_anonymous_page_is_rendered_once_per_data_version(client, feed, url):
    first, _ = statements(client, url)
    again, queries = statements(client, url)
    assert first.status_code == again.status_code == 200
    assert again.data == first.data
    assert len(queries) == 1 and "data_version" in queries[0], queries
    assert again.headers["ETag"] == first.headers["ETag"] and not again.headers["ETag"].startswith("W/")
    assert again.headers["Cache-Control"] == "public, no-cache"


@pytest.mark.parametrize("url", PAGES)
def test_the_same_etag_is_answered_304_without_a_body(client, feed, url):
    tag = client.get(url).headers["ETag"]
    response = client.get(url, headers={"If-None-Match": tag})
    assert response.status_code == 304 and response.data == b""
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_change_is_shown_at_the_next_request(client, feed):
    before = client.get("/de/events/")
    event = db.session.get(Event, feed.id)
    event.title = {"de": "Sprachcafé"}
    db.session.commit()
    after = client.get("/de/events/", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "Sprachcafé" in after.text and "Nähcafé" not in after.text
    assert after.headers["ETag"] != before.headers["ETag"]


def test_a_change_made_by_another_process_is_shown_at_the_next_request(client, feed, database_url):
    before = client.get("/de/events/")
    in_another_process(database_url, f"""
        event = db.session.get(Event, {feed.id})
        event.title = {{"de": "Anderswo geändert"}}
        db.session.commit()
    """)
    db.session.rollback()
    after = client.get("/de/events/")
    assert "Anderswo geändert" in after.text and after.headers["ETag"] != before.headers["ETag"]


def test_a_page_is_rendered_again_when_its_time_slice_ends(client, feed, app, clock):
    client.get("/de/events/")
    clock.shift(timedelta(seconds=app.config.get("PAGE_CACHE_SECONDS", 60) + 1))
    _, queries = statements(client, "/de/events/")
    assert len(queries) > 1, "rendered again: what is upcoming moves on with the clock"


def test_switched_off_the_pages_still_get_strong_etags(client, feed, app):
    app.config["PAGE_CACHE_SECONDS"] = 0
    first = client.get("/de/events/")
    _, queries = statements(client, "/de/events/")
    assert len(queries) > 1
    assert client.get("/de/events/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_signed_in_visitors_are_neither_served_nor_stored(client, booking_world, app):
    world = booking_world
    url = f"/de/centres/{world.centre.slug}/"
    anonymous = client.get(url)
    assert "ETag" in anonymous.headers
    login(client, world.manager)
    signed_in = client.get(url)
    assert signed_in.headers.get("Cache-Control") == "no-store" and "ETag" not in signed_in.headers
    assert signed_in.data != anonymous.data  # the manager's links, the account menu
    again = app.test_client().get(url)  # anonymous again
    assert again.data == anonymous.data


def test_an_api_request_with_a_token_passes_by_the_cache(client, feed, make_user, token_for):
    client.get("/api/v1/events")
    headers = token_for(make_user())
    db.session.rollback()
    response, queries = statements(client, "/api/v1/events", **headers)
    assert response.status_code == 200 and "ETag" not in response.headers
    assert len(queries) > 1


def test_an_error_page_is_not_kept(client, feed):
    first, _ = statements(client, "/de/centres/nowhere/")
    again, queries = statements(client, "/de/centres/nowhere/")
    assert first.status_code == again.status_code == 404 and "ETag" not in again.headers
    assert len(queries) > 1


def test_memory_is_bounded(client, make_centre, app):
    from pagecache import PageCache

    app.extensions["page_cache"] = PageCache(max_bytes=64 * 1024)
    for n in range(12):
        make_centre(slug=f"c{n}")
        assert client.get(f"/de/centres/c{n}/").status_code == 200
    cache = app.extensions["page_cache"]
    assert 0 < len(cache) < 12


def test_answers_whose_language_is_not_in_the_address_vary_by_it(client, feed):
    api = client.get("/api/v1/events")
    page = client.get("/de/events/")
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in api.headers["Vary"].split(",")}
    assert "Accept-Language" not in page.headers.get("Vary", "")
    cached = client.get("/api/v1/events")
    assert cached.headers["Vary"] == api.headers["Vary"]
