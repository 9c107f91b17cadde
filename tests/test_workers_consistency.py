"""Four workers, no Redis: a change is seen by every worker's next request, and they agree on ETags (#13).

gunicorn -w 4 serves the test database (SQLite or PostgreSQL, as the run's
``--db``). Requests go out in concurrent bursts so that every worker answers
some of them (the access log names the worker of each answer). Before a
change every answer is the same page with the same ETag; right after a change
committed by this process — another process, for the workers — every answer
shows it, all with one new ETag, and that ETag is answered 304 by every worker.
"""

import threading
import urllib.error
import urllib.request
from collections import defaultdict

import pytest
from server_support import gunicorn_server

from events.models import Event
from extensions import db
from tests.feeds_support import local_day, make_series
from timeutil import utcnow

pytestmark = pytest.mark.slow
WORKERS = 4
BURST = 24
URLS = ["/de/events/?centre=vierer", "/de/centres/vierer/events.ics", "/api/v1/events?centre=vierer"]


@pytest.fixture(scope="module")
def server(_app, database_url, tmp_path_factory):
    # A day's slice of time: a burst never straddles the instant the pages are rendered as of (a minute's
    # slice would, now and then, and give the API's "start" two values within one burst).
    settings = {"PAGE_CACHE_SECONDS": "86400"}
    with gunicorn_server(database_url, tmp_path_factory.mktemp("gunicorn-4"), WORKERS, settings) as running:
        yield running


def fetch(url, etag=None):
    request = urllib.request.Request(url, headers={"If-None-Match": etag} if etag else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("ETag"), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("ETag"), error.read().decode()


def burst(url, etag=None):
    """BURST requests at once, each on its own connection."""
    barrier = threading.Barrier(BURST)
    answers = [None] * BURST

    def run(i):
        barrier.wait()
        answers[i] = fetch(url, etag)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return answers


def workers_of(access_log, path):
    """Which worker (pid) answered how many requests for ``path``, from gunicorn's access log."""
    seen = defaultdict(int)
    for line in access_log.read_text().splitlines():
        pid, _, requested = line.split(" ", 2)
        if requested == path.split("?")[0]:
            seen[pid] += 1
    return seen


def test_every_worker_shows_a_change_at_its_next_request_and_they_agree_on_etags(server, make_centre, make_room):
    base, _, access = server
    centre = make_centre(slug="vierer")
    event = make_series(centre, make_room(centre), local_day(3, 18), count=3, title={"de": "Vorher-Titel"})
    for url in URLS:
        burst(base + url)  # every worker renders its own copy

    for url in URLS:
        answers = burst(base + url)
        assert {status for status, _, _ in answers} == {200}, url
        assert all("Vorher-Titel" in body for _, _, body in answers), url
        assert len({etag for _, etag, _ in answers}) == 1, (url, "one ETag from every worker")

    changed = db.session.get(Event, event.id)
    changed.title, changed.updated_at = {"de": "Nachher-Titel"}, utcnow()  # as an edit does
    db.session.commit()

    for url in URLS:
        answers = burst(base + url)
        assert all(status == 200 and "Nachher-Titel" in body for status, _, body in answers), url
        tags = {etag for _, etag, _ in answers}
        assert len(tags) == 1, (url, tags)
        again = burst(base + url, tags.pop())
        assert [status for status, _, _ in again] == [304] * BURST, url
    answered_by = workers_of(access, "/de/events/")
    assert len(answered_by) == WORKERS, ("every worker answered", dict(answered_by))
