"""Benchmark: the public calendar with a month of 2,000 dates, against a baseline of 20.

    .venv/bin/python benchmarks/bench_calendar.py                 # SQLite (temporary files)
    .venv/bin/python benchmarks/bench_calendar.py --postgresql    # PostgreSQL (temporary databases)
    .venv/bin/python benchmarks/bench_calendar.py --dates 5000 --runs 9

Two fresh databases are migrated and filled in the same run: one with the
big month, one with the baseline month. For each page (month view, list view
for the month, the JSON API for the month) it prints the number of SQL
statements of one request and the median response time over ``--runs``
requests (after one warm-up), then the ratio big / baseline.
"""

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
IGNORED = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")

# The benchmarks measure the work of a request, not the rate limits (operations.throttle still counts).
UNLIMITED = {"BOOKING_LIMIT": "1000000000 per 3600", "SEARCH_LIMIT": "1000000000 per 60",
             "FEED_BUILD_LIMIT": "1000000000 per 60"}


def next_month(today: date) -> date:
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


def make_app(url):
    from flask_migrate import upgrade

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", **UNLIMITED, "TESTING": False,
                      "RATELIMIT_ENABLED": False, "MAIL_SERVER": None})
    with app.app_context():
        upgrade()
    return app


def fill(app, dates: int, month: date) -> None:
    """``dates`` approved dates in ``month``: weekly events of 4 dates over several centres and rooms."""
    from bookings.models import Booking, Occurrence
    from centres.models import Centre, Room
    from events.models import AUDIENCES, DEFAULT_CATEGORIES, Event, ensure_categories
    from extensions import db
    from timeutil import to_utc_naive, zone

    audiences, categories = list(AUDIENCES), list(DEFAULT_CATEGORIES)
    languages = ["de", "tr", "ar", "uk", "en", "fa", "ru"]
    with app.app_context():
        ensure_categories()
        centres = []
        for n in range(4):
            centre = Centre(slug=f"centre-{n}", name={"de": f"Zentrum {n}", "tr": f"Merkez {n}"}, district=f"D{n}",
                            street="Hauptstraße 1", postcode="30159", city="Hannover", latitude=52.37,
                            longitude=9.73, timezone="Europe/Berlin", default_language="de")
            db.session.add(centre)
            centres.append(centre)
        rooms = [Room(centre=centres[i % 4], name=f"Raum {i}") for i in range(16)]
        db.session.add_all(rooms)
        db.session.flush()
        tz = zone("Europe/Berlin")
        per_event = 4
        events = (dates + per_event - 1) // per_event
        made = 0
        for i in range(events):
            room = rooms[i % len(rooms)]
            slot = i // len(rooms)  # each room: consecutive 30-minute slots, so nothing overlaps
            day = month + timedelta(days=slot % 7)
            minutes = 8 * 60 + (slot // 7) * 30
            booking = Booking(centre=room.centre, room=room, title=f"B{i}", status="approved",
                              decided_at=datetime(2026, 1, 1), recurrence_freq="weekly")
            for week in range(per_event):
                if made >= dates:
                    break
                local = datetime.combine(day + timedelta(weeks=week), datetime.min.time()) + timedelta(minutes=minutes)
                start = to_utc_naive(local.replace(tzinfo=tz))
                booking.occurrences.append(Occurrence(room_id=room.id, starts_at=start,
                                                      ends_at=start + timedelta(minutes=25), status="approved"))
                made += 1
            event = Event(booking=booking, centre=room.centre, room=room,
                          title={"de": f"Veranstaltung {i}", "tr": f"Etkinlik {i}", "ar": f"فعالية {i}"},
                          description={"de": "Für alle."}, category_key=categories[i % len(categories)],
                          audiences=[audiences[i % len(audiences)]], languages=languages[: 1 + i % 3])
            db.session.add_all([booking, event])
        db.session.commit()
        count = db.session.query(Occurrence).count()
        assert count == dates, (count, dates)


def measure(app, url: str, runs: int) -> tuple[int, float]:
    from sqlalchemy import event

    from extensions import db

    client = app.test_client()
    statements = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(IGNORED):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    response = client.get(url)  # warm-up (templates compiled, connections open)
    assert response.status_code == 200, (url, response.status_code)
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    return len(statements), statistics.median(timings)


def databases(use_pg: bool):
    """Two empty database URLs and a cleanup function."""
    if not use_pg:
        folder = tempfile.mkdtemp(prefix="bench-calendar-")
        return [f"sqlite:///{folder}/big.db", f"sqlite:///{folder}/base.db"], lambda: None
    from sqlalchemy import create_engine, text

    admin = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG).replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    names = [f"bench_calendar_{secrets.token_hex(3)}_{kind}" for kind in ("big", "base")]
    with engine.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))

    def cleanup():
        with engine.connect() as conn:
            for name in names:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n "
                                  "AND pid <> pg_backend_pid()"), {"n": name})
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))

    base = admin.rpartition("/")[0]
    return [f"{base}/{name}" for name in names], cleanup


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dates", type=int, default=2000, help="dates in the big month (default 2000)")
    parser.add_argument("--baseline", type=int, default=20, help="dates in the baseline month (default 20)")
    parser.add_argument("--runs", type=int, default=7, help="timed requests per page (median; default 7)")
    parser.add_argument("--postgresql", action="store_true", help="use PostgreSQL (TEST_DATABASE_URL) instead of SQLite")
    args = parser.parse_args()

    month = next_month(date.today())
    last = (next_month(month) - timedelta(days=1))
    pages = {
        "month view": f"/de/events/?view=month&month={month:%Y-%m}",
        "list view (page 1)": f"/de/events/?start={month}&end={last}",
        "list view, filtered": f"/tr/events/?start={month}&end={last}&audience=women&language=tr",
        "JSON API (whole month)": f"/api/v1/events?start={month}&end={last}&limit=2000&lang=tr",
    }
    urls, cleanup = databases(args.postgresql)
    try:
        apps = {}
        for label, url, dates in (("big", urls[0], args.dates), ("baseline", urls[1], args.baseline)):
            started = time.perf_counter()
            apps[label] = make_app(url)
            fill(apps[label], dates, month)
            print(f"{label}: {dates} dates in {month:%Y-%m} ({time.perf_counter() - started:.1f} s to set up)")
        kind = "PostgreSQL" if args.postgresql else "SQLite"
        print(f"\n{kind}; median of {args.runs} requests after a warm-up; statements per request\n")
        header = f"{'page':<24} {'queries':>13} {'time ' + str(args.dates):>12} {'time ' + str(args.baseline):>10} {'ratio':>7}"
        print(header)
        print("-" * len(header))
        for name, url in pages.items():
            big_q, big_t = measure(apps["big"], url, args.runs)
            base_q, base_t = measure(apps["baseline"], url, args.runs)
            print(f"{name:<24} {big_q:>5} vs {base_q:<5} {big_t * 1000:>9.1f} ms {base_t * 1000:>7.1f} ms "
                  f"{big_t / base_t:>6.1f}x")
    finally:
        cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
