"""Benchmark: a public feed of 5,000 dates, against bare icalendar and against a static file.

    .venv/bin/python benchmarks/bench_feeds.py                  # SQLite (a temporary file)
    .venv/bin/python benchmarks/bench_feeds.py --postgresql     # PostgreSQL (a temporary database)
    .venv/bin/python benchmarks/bench_feeds.py --dates 5000 --runs 9

Two data sets of ``--dates`` approved dates over four centres and twenty rooms,
each in a fresh database: "series" (weekly series of 40 dates, a fifth of
the dates one-off events) and "singles" (every date an event of its own, the
worst case for the feed's size). For each, in the same run:

* ours, cold: GET /de/events.ics with the feed cache emptied (the manifest
  query, the per-event texts from the process's fragments, writing, gzip);
* ours, after a restart: the feed cache and the process's fragments emptied
  (a new worker: the texts come from the fragments kept in the database);
* ours, from nothing: the database's fragments deleted too (the first feed
  of a new day's window, or of a language nobody asked for yet: every event
  rendered);
* (a) the same VEVENTs (the records our feed writes: series with RRULE,
  EXDATE and overrides) built with bare icalendar and ``to_ical()`` — without
  the database query, which only ours pays (both with the garbage collector
  paused, as ours builds);
* ours, warm: the same GET with the feed in the cache (one aggregate query
  for the data's version, then the stored bytes);
* ours, 304: the same GET with If-None-Match;
* (b) the same bytes served as a static file by the same app
  (``send_from_directory``, as Flask's static route), GET and 304.

It prints the median times and the ratios cold/(a) and restart/(a) (target
<= 1.5, issue #13: "the first request after a restart"), from nothing/(a)
(shown, not a target here: see bench_city.py and #22), and warm/(b), 304/(b)
(target <= 2).
"""

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
URL = "/de/events.ics"

# The benchmarks measure the work of a request, not the rate limits (operations.throttle still counts).
UNLIMITED = {"BOOKING_LIMIT": "1000000000 per 3600", "SEARCH_LIMIT": "1000000000 per 60",
             "FEED_BUILD_LIMIT": "1000000000 per 60"}


def make_app(url):
    from flask_migrate import upgrade

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", **UNLIMITED, "TESTING": False,
                      "RATELIMIT_ENABLED": False, "MAIL_SERVER": None})
    with app.app_context():
        upgrade()
    return app


def fill(app, dates: int, kind: str) -> None:
    from bookings.models import Booking, Occurrence
    from bookings.recurrence import Recurrence, expand
    from centres.models import Centre, Room
    from events.models import DEFAULT_CATEGORIES, Event, ensure_categories
    from extensions import db

    categories = list(DEFAULT_CATEGORIES)
    text = ("Ein offenes Angebot für alle Menschen im Stadtteil, ob neu zugezogen oder schon lange hier. "
            "Bitte bringen Sie gute Laune mit.")
    with app.app_context():
        ensure_categories()
        centres = [Centre(slug=f"centre-{n}", name={"de": f"Stadtteilzentrum {n}", "tr": f"Semt merkezi {n}"},
                          district=f"D{n}", street=f"Hauptstraße {n}", postcode="30159", city="Hannover",
                          latitude=52.37, longitude=9.73, timezone="Europe/Berlin", default_language="de")
                   for n in range(4)]
        rooms = [Room(centre=centres[i % 4], name=f"Raum {i}") for i in range(20)]
        db.session.add_all(centres + rooms)
        db.session.flush()
        today = datetime.now().date()
        made = 0
        series_dates = dates * 4 // 5 if kind == "series" else 0
        i = 0
        while made < series_dates:  # weekly series, 40 dates, 18:00 local, one weekday per room and series
            room = rooms[i % 20]
            count = min(40, series_dates - made)
            first = datetime.combine(today + timedelta(days=1 + (i // 20) % 7), datetime.min.time()).replace(
                hour=18 + (i // 140) % 3)
            slots = expand(first, first + timedelta(minutes=90), "Europe/Berlin", Recurrence(count=count))
            add(db, Booking, Occurrence, Event, room, slots, i, categories, text, recurring=True)
            made += count
            i += 1
        j = 0
        while made < dates:  # one-off events, 08:00 local, a day apart per room
            room = rooms[j % 20]
            first = datetime.combine(today + timedelta(days=1 + j // 20), datetime.min.time()).replace(
                hour=8 + (j // (20 * 380)))
            slots = expand(first, first + timedelta(minutes=60), "Europe/Berlin", None)
            add(db, Booking, Occurrence, Event, room, slots, 10_000 + j, categories, text, recurring=False)
            made += 1
            j += 1
        db.session.commit()
        assert db.session.query(Occurrence).count() == dates


def add(db, Booking, Occurrence, Event, room, slots, n, categories, text, *, recurring):
    booking = Booking(centre=room.centre, room=room, title=f"B{n}", status="approved",
                      decided_at=datetime(2026, 1, 1), recurrence_freq="weekly" if recurring else None)
    for slot in slots:
        booking.occurrences.append(Occurrence(room_id=room.id, starts_at=slot.start, ends_at=slot.end,
                                              status="approved"))
    event = Event(booking=booking, centre=room.centre, room=room,
                  title={"de": f"Veranstaltung {n}", "tr": f"Etkinlik {n}"}, description={"de": text},
                  category_key=categories[n % len(categories)], audiences=["everyone"], languages=["de", "tr"])
    db.session.add_all([booking, event])


def vevents_of(app):
    """The records our feed writes (from the same query), to build them again with bare icalendar."""
    from events.queries import EventFilters, public_occurrences
    from feeds.content import public_vevents, window

    with app.test_request_context(URL):
        win = window()
        rows = public_occurrences(EventFilters(), win.start, win.end, include_cancelled=True,
                                  cancelled_since=win.start)
        return public_vevents(rows, "de", win)


def build_with_icalendar(records) -> bytes:
    """(a) The same VEVENTs with icalendar's own components and serialiser."""
    from datetime import UTC

    import icalendar

    from feeds.vtimezone import vtimezone
    from timeutil import zone

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//bench//icalendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Welcome Spaces")
    for tz in icalendar.Calendar.from_ical("BEGIN:VCALENDAR\r\n" + vtimezone("Europe/Berlin") + "END:VCALENDAR\r\n") \
            .walk("VTIMEZONE"):
        calendar.add_component(tz)
    tz = zone("Europe/Berlin")

    def local(value):
        return value.replace(tzinfo=UTC).astimezone(tz)

    for record in records:
        event = icalendar.Event()
        event.add("uid", record.uid)
        event.add("dtstamp", record.stamp.replace(tzinfo=UTC))
        event.add("last-modified", record.stamp.replace(tzinfo=UTC))
        event.add("sequence", record.sequence)
        if record.recurrence_id is not None:
            event.add("recurrence-id", local(record.recurrence_id))
        event.add("dtstart", local(record.start))
        event.add("dtend", local(record.end))
        if record.rrule:
            event.add("rrule", icalendar.vRecur.from_ical(record.rrule))
        for exdate in record.exdates:
            event.add("exdate", local(exdate))
        event.add("summary", record.summary.value, parameters={"LANGUAGE": record.summary.language})
        if record.description:
            event.add("description", record.description.value, parameters={"LANGUAGE": record.description.language})
        event.add("location", record.location.value, parameters={"LANGUAGE": record.location.language})
        if record.geo:
            event.add("geo", record.geo)
        for category in record.categories:
            event.add("categories", [category.value], parameters={"LANGUAGE": category.language})
        event.add("url", record.url)
        event.add("status", record.status)
        event.add("class", record.klass)
        event.add("transp", "TRANSPARENT" if record.transparent else "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()


def median_time(action, runs: int) -> float:
    action()  # warm-up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def run(app, runs: int) -> dict:
    from flask import send_from_directory
    from sqlalchemy import delete

    from extensions import db
    from feeds.build import collector_paused
    from feeds.cache import feed_cache
    from feeds.fragments import fragment_store
    from feeds.models import FeedFragment

    client = app.test_client()
    folder = tempfile.mkdtemp(prefix="bench-feeds-static-")

    def static_file(name):
        return send_from_directory(folder, name, mimetype="text/calendar")

    app.add_url_rule("/bench-static/<path:name>", "bench_static", static_file)

    first = client.get(URL)
    assert first.status_code == 200
    body = first.data
    Path(folder, "events.ics").write_bytes(body)
    etag = first.headers["ETag"]

    def cold():
        with app.app_context():
            feed_cache().clear()
        response = client.get(URL)
        assert response.status_code == 200 and response.data == body

    def restart():
        with app.app_context():
            feed_cache().clear()
            fragment_store().clear()
        response = client.get(URL)
        assert response.status_code == 200 and response.data == body

    def from_nothing():
        with app.app_context():
            feed_cache().clear()
            fragment_store().clear()
            db.session.execute(delete(FeedFragment))
            db.session.commit()
        response = client.get(URL)
        assert response.status_code == 200 and response.data == body

    def warm():
        response = client.get(URL)
        assert response.status_code == 200 and len(response.data) == len(body)

    def not_modified():
        assert client.get(URL, headers={"If-None-Match": etag}).status_code == 304

    def static():
        response = client.get("/bench-static/events.ics")
        assert response.status_code == 200 and response.data == body

    static_etag = client.get("/bench-static/events.ics").headers["ETag"]

    def static_304():
        assert client.get("/bench-static/events.ics", headers={"If-None-Match": static_etag}).status_code == 304

    records = vevents_of(app)

    def bare_icalendar():
        with collector_paused():  # as ours builds
            build_with_icalendar(records)

    results = {
        "cold": median_time(cold, runs),
        "restart": median_time(restart, runs),
        "nothing": median_time(from_nothing, runs),
        "icalendar": median_time(bare_icalendar, max(3, runs // 2)),
        "warm": median_time(warm, runs * 5),
        "304": median_time(not_modified, runs * 5),
        "static": median_time(static, runs * 5),
        "static 304": median_time(static_304, runs * 5),
    }
    results["size"] = len(body)
    results["vevents"] = body.count(b"BEGIN:VEVENT")
    results["gzip"] = len(client.get(URL, headers={"Accept-Encoding": "gzip"}).data)
    return results


def databases(use_pg: bool, names):
    if not use_pg:
        folder = tempfile.mkdtemp(prefix="bench-feeds-")
        return [f"sqlite:///{folder}/{name}.db" for name in names], lambda: None
    from sqlalchemy import create_engine, text

    admin = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG).replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    made = [f"bench_feeds_{secrets.token_hex(3)}_{name}" for name in names]
    with engine.connect() as conn:
        for name in made:
            conn.execute(text(f'CREATE DATABASE "{name}"'))

    def cleanup():
        with engine.connect() as conn:
            for name in made:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n "
                                  "AND pid <> pg_backend_pid()"), {"n": name})
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))

    base = admin.rpartition("/")[0]
    return [f"{base}/{name}" for name in made], cleanup


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dates", type=int, default=5000, help="dates in the feed (default 5000)")
    parser.add_argument("--runs", type=int, default=7, help="timed requests (median; default 7, more for fast ones)")
    parser.add_argument("--postgresql", action="store_true", help="PostgreSQL (TEST_DATABASE_URL) instead of SQLite")
    args = parser.parse_args()
    kinds = ("series", "singles")
    urls, cleanup = databases(args.postgresql, kinds)
    try:
        print(f"{'PostgreSQL' if args.postgresql else 'SQLite'}; GET {URL}; median times\n")
        failed = False
        for kind, url in zip(kinds, urls, strict=True):
            started = time.perf_counter()
            app = make_app(url)
            fill(app, args.dates, kind)
            r = run(app, args.runs)
            print(f"{kind}: {args.dates} dates -> {r['vevents']} VEVENTs, {r['size']:,} bytes "
                  f"({r['gzip']:,} gzip); set up and measured in {time.perf_counter() - started:.0f} s")
            ms = {k: r[k] * 1000 for k in ("cold", "restart", "nothing", "icalendar", "warm", "304", "static",
                                           "static 304")}
            print(f"  ours cold            {ms['cold']:9.2f} ms")
            print(f"  ours after a restart {ms['restart']:9.2f} ms   (fragments from the database)")
            print(f"  ours from nothing    {ms['nothing']:9.2f} ms   (every event rendered)")
            print(f"  (a) bare icalendar   {ms['icalendar']:9.2f} ms   (same VEVENTs, no database)")
            print(f"  ours warm (cached)   {ms['warm']:9.2f} ms")
            print(f"  ours 304             {ms['304']:9.2f} ms")
            print(f"  (b) static file      {ms['static']:9.2f} ms   (304: {ms['static 304']:.2f} ms)")
            cold_a = r["cold"] / r["icalendar"]
            restart_a = r["restart"] / r["icalendar"]
            warm_b = r["warm"] / r["static"]
            nm_b = r["304"] / r["static"]
            nm_b304 = r["304"] / r["static 304"]
            print(f"  cold / (a)  = {cold_a:5.2f}   (target <= 1.5)")
            print(f"  restart / (a) = {restart_a:5.2f} (target <= 1.5)")
            print(f"  from nothing / (a) = {r['nothing'] / r['icalendar']:5.2f}")
            print(f"  warm / (b)  = {warm_b:5.2f}   (target <= 2)")
            print(f"  304  / (b)  = {nm_b:5.2f}   (target <= 2; against the static file's own 304: {nm_b304:.2f})\n")
            failed |= cold_a > 1.5 or restart_a > 1.5 or warm_b > 2 or nm_b > 2
    finally:
        cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
