"""The feed cache (issue 5): process memory, and Redis shared by several application processes."""

import secrets

import pytest

from feeds.cache import FeedCache, feed_cache, redis_names
from tests.eventdata import QueryCounter
from tests.feeds_support import empty_feed_cache, local_day, make_series  # noqa: F401 (autouse fixture)

URL = "/de/centres/nordstadt/events.ics"
REDIS_DB = 12  # only the feed tests use it; their keys are deleted afterwards
PREFIX = f"welcome-test-{secrets.token_hex(6)}:"  # this run's names


@pytest.fixture
def feed(make_centre, make_room):
    centre = make_centre(slug="nordstadt")
    return make_series(centre, make_room(centre), local_day(3, 18), count=4)


@pytest.fixture
def redis_cache(app):
    import redis

    url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    store = redis.Redis.from_url(url)
    try:
        store.ping()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis must run at 127.0.0.1:6379 for this test (.ci/run starts it)")
    app.config["FEEDS_REDIS_URL"] = url
    app.config["FEEDS_REDIS_PREFIX"] = PREFIX  # test runs side by side (make test) share the Redis
    yield store
    app.config.pop("FEEDS_REDIS_URL")
    app.config.pop("FEEDS_REDIS_PREFIX")
    app.extensions["feeds_cache"] = FeedCache()
    for key in store.scan_iter(match=f"{PREFIX}*"):
        store.delete(key)
    store.close()


def test_second_process_takes_the_feed_from_redis_without_building_it(client, feed, db, redis_cache, app):
    first = client.get(URL)
    assert list(redis_cache.scan_iter(match=f"{redis_names().feed}*")), "the built feed is in Redis"
    app.extensions["feeds_cache"] = FeedCache()  # another process: nothing in its memory
    with QueryCounter(db.engine) as counter:
        second = client.get(URL)
    assert second.data == first.data and second.headers["ETag"] == first.headers["ETag"]
    assert second.headers.get("Last-Modified") == first.headers.get("Last-Modified")
    # The centre, the data's version and the category names; not the dates and their events.
    assert counter.count == 3, counter.statements


def test_a_commit_in_another_process_is_seen_through_redis(client, feed, db, redis_cache, app):
    app.config["FEEDS_RECHECK_SECONDS"] = 10  # without Redis, served unasked for ten seconds
    try:
        client.get(URL)
        with QueryCounter(db.engine) as counter:
            client.get(URL)
        assert counter.count == 0, ("fresh: no query", counter.statements)
        redis_cache.incr(redis_names().generation)  # what another process's commit does
        with QueryCounter(db.engine) as counter:
            assert client.get(URL).status_code == 200
        assert counter.count >= 1, "checked against the database again"
    finally:
        app.config.pop("FEEDS_RECHECK_SECONDS")


def test_redis_out_of_reach_is_no_error(client, feed, app):
    app.config["FEEDS_REDIS_URL"] = "redis://127.0.0.1:9/0"
    try:
        app.extensions["feeds_cache"] = FeedCache()
        assert client.get(URL).status_code == 200
        assert client.get(URL).status_code == 200
    finally:
        app.config.pop("FEEDS_REDIS_URL")
        app.extensions["feeds_cache"] = FeedCache()


def test_memory_is_bounded(client, make_centre, make_room, app):
    app.extensions["feeds_cache"] = FeedCache(max_entries=3)
    for n in range(5):
        centre = make_centre(slug=f"c{n}")
        make_series(centre, make_room(centre), local_day(3, 18))
        assert client.get(f"/de/centres/c{n}/events.ics").status_code == 200
    assert len(feed_cache()._entries) == 3
