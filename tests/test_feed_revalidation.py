"""A subscriber's "has it changed?" for an unchanged public feed, answered before the application (#13).

``feeds.revalidation`` keeps, per address, the headers of the application's last answer for a public feed;
a conditional request naming that feed's ETag is answered 304 from them while the feed cache vouches for the
feed (the data-version row unmoved, the same day). Whether the application answered is seen through Flask's
``request_started`` signal, sent for every request that reaches it.
"""

import logging
from datetime import timedelta

import pytest
from flask import request, request_started
from prometheus_client import REGISTRY

from events.models import Event
from extensions import db
from tests.feeds_support import empty_feed_cache, local_day, make_series  # noqa: F401

URL = "/de/centres/nordstadt/events.ics"
PER_REQUEST = {"X-Request-ID", "Date"}


@pytest.fixture
def feed(make_centre, make_room):
    centre = make_centre(slug="nordstadt")
    return make_series(centre, make_room(centre), local_day(3, 18), count=4)


@pytest.fixture
def reached(app):
    """The paths of the requests the application itself answered."""
    paths = []

    def started(sender, **extra):
        paths.append(request.path)

    request_started.connect(started, app)
    yield paths
    request_started.disconnect(started, app)


def kept_headers(response) -> dict:
    return {name: value for name, value in response.headers.items() if name not in PER_REQUEST}


def test_an_unchanged_feed_asked_again_is_answered_304_before_the_application_with_the_same_headers(
        app, client, feed, reached):
    tag = client.get(URL).headers["ETag"]
    app.wsgi_app.clear()  # nothing kept: the application answers the first conditional request itself
    own = client.get(URL, headers={"If-None-Match": tag})
    assert own.status_code == 304 and reached == [URL, URL]
    early = client.get(URL, headers={"If-None-Match": tag})
    assert early.status_code == 304 and early.data == b"" and reached == [URL, URL], "the application was not asked"
    assert kept_headers(early) == kept_headers(own) and early.headers["ETag"] == tag
    assert early.headers["X-Request-ID"] != own.headers["X-Request-ID"], "each answer has its own request id"
    assert "Set-Cookie" not in early.headers and "public" in early.headers["Cache-Control"]
    given = client.get(URL, headers={"If-None-Match": f'"other", {tag}', "X-Request-ID": "proxy-77"})
    assert given.status_code == 304 and given.headers["X-Request-ID"] == "proxy-77"
    assert client.head(URL, headers={"If-None-Match": tag}).status_code == 304
    assert reached == [URL, URL], "a tag among others and HEAD are answered early too"


def test_a_change_is_answered_by_the_application_at_the_next_request(app, client, feed, reached):
    tag = client.get(URL).headers["ETag"]
    assert client.get(URL, headers={"If-None-Match": tag}).status_code == 304 and len(reached) == 1
    assert db.session.get(Event, feed.id).update(title={"de": "Nähcafé am Abend"})
    db.session.commit()
    changed = client.get(URL, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert "Nähcafé am Abend" in changed.get_data(as_text=True) and len(reached) == 2
    again = client.get(URL, headers={"If-None-Match": changed.headers["ETag"]})
    assert again.status_code == 304 and len(reached) == 2, "the new feed's tag is answered early from now on"
    assert client.get(URL, headers={"If-None-Match": tag}).status_code == 200, "the old tag no longer matches"


def test_a_write_that_changes_no_feed_is_checked_by_the_application_once(app, client, feed, reached, make_centre):
    tag = client.get(URL).headers["ETag"]
    make_centre(slug="suedstadt")  # the data-version row moves; this feed's data does not
    assert client.get(URL, headers={"If-None-Match": tag}).status_code == 304 and len(reached) == 2
    assert client.get(URL, headers={"If-None-Match": tag}).status_code == 304 and len(reached) == 2


def test_the_next_day_is_answered_by_the_application(app, client, feed, reached, clock):
    tag = client.get(URL).headers["ETag"]
    clock.shift(timedelta(days=1))
    client.get(URL, headers={"If-None-Match": tag})
    assert len(reached) == 2, "the feed's window moved with the day: the application decides"


def test_each_address_and_coding_keeps_its_own_answer(app, client, feed, reached):
    plain = client.get(URL)
    tag = plain.headers["ETag"]
    zipped = client.get(URL, headers={"If-None-Match": tag, "Accept-Encoding": "gzip"})
    assert zipped.status_code == 304 and zipped.headers["ETag"] == tag[:-1] + '-gz"' and len(reached) == 2
    again = client.get(URL, headers={"If-None-Match": tag, "Accept-Encoding": "gzip"})
    assert again.status_code == 304 and again.headers["ETag"] == zipped.headers["ETag"] and len(reached) == 2
    other = client.get(URL + "?unknown=x", headers={"If-None-Match": tag})
    assert other.status_code == 304 and len(reached) == 3, "another address: the application answers (the same feed)"
    assert client.get(URL, headers={"If-None-Match": '"not-this-one"'}).status_code == 200 and len(reached) == 4
    assert client.get(URL, headers={"If-None-Match": tag}, base_url="http://calendar.example.org").status_code == 200
    assert len(reached) == 5, "another host's feed has other links: the application answers"


def test_a_page_is_never_answered_early(app, client, feed, reached):
    tag = client.get("/de/centres/nordstadt/").headers["ETag"]
    assert client.get("/de/centres/nordstadt/", headers={"If-None-Match": tag}).status_code == 304
    assert len(reached) == 2, "only public feeds are kept"


def test_the_early_answer_is_logged_and_counted(app, client, feed, caplog):
    tag = client.get(URL).headers["ETag"]
    labels = {"endpoint": "/<lang>/centres/<slug>/events.ics", "method": "GET", "status": "304"}
    before = REGISTRY.get_sample_value("welcome_http_request_duration_seconds_count", labels) or 0
    with caplog.at_level(logging.INFO, logger="welcome.access"):
        answer = client.get(URL, headers={"If-None-Match": tag, "X-Request-ID": "early-1"})
    [line] = [r for r in caplog.records if r.name == "welcome.access" and r.fields["request_id"] == "early-1"]
    assert line.fields["status"] == 304 and line.fields["endpoint"] == labels["endpoint"]
    assert line.fields["user_id"] is None and line.request_id == "early-1" and answer.status_code == 304
    assert REGISTRY.get_sample_value("welcome_http_request_duration_seconds_count", labels) == before + 1
