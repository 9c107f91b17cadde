"""Benchmark of the room search.

A weekly pattern (every Tuesday 18:00–20:00 for 6 months) searched across
50 centres × 8 rooms holding 200,000 occurrences, and — as the baseline in the
same run — the same search over the same rooms holding 2,000 occurrences.
Prints the time per search (median and 90th percentile of several runs), the
number of SQL queries per search, and the ratio to the baseline.

    .venv/bin/python benchmarks/bench_search.py                 # SQLite (a temporary file)
    .venv/bin/python benchmarks/bench_search.py --db postgresql # a temporary database on
                                                                # $TEST_DATABASE_URL (default local postgres)

Each run creates its own database with the migrations and drops it at the end.
Target: under 200 ms per search with 200,000 occurrences.
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time as clock
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, insert, text  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
CENTRES, ROOMS_PER_CENTRE = 50, 8
# Two-hour slots of a day (local time): occurrences of one room never overlap.
SLOTS = [(8, 10), (10, 12), (12, 14), (14, 16), (16, 18), (18, 20), (20, 22)]
TUESDAY_EVENING = 5  # SLOTS[5]: 18:00-20:00
DAYS = 366  # occurrences spread from 30 days ago over a year
DISTRICTS = ["Nordstadt", "Linden", "List", "Südstadt", "Vahrenwald", "Ricklingen", "Döhren", "Bothfeld", "Misburg",
             "Herrenhausen"]
EQUIPMENT = ["projector", "screen", "sound_system", "whiteboard", "kitchen", "piano", "stage", "wifi"]
FEATURES = ["barrier_free", "wifi", "child_friendly", "cafe", "counselling"]
CAPACITIES = [8, 12, 20, 25, 30, 40, 60, 120]

# The benchmarks measure the work of a request, not the rate limits (operations.throttle still counts).
UNLIMITED = {"BOOKING_LIMIT": "1000000000 per 3600", "SEARCH_LIMIT": "1000000000 per 60",
             "FEED_BUILD_LIMIT": "1000000000 per 60"}


# --- databases -----------------------------------------------------------------------


@contextmanager
def database(kind, pg_url):
    """A fresh database URL (SQLite file or PostgreSQL database), removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    admin_url = pg_url.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"welcome_bench_{secrets.token_hex(4)}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rpartition("/")[0] + "/" + name
    finally:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        engine.dispose()


def make_app(url):
    from flask_migrate import upgrade

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", **UNLIMITED, "TESTING": True,
                      "RATELIMIT_STORAGE_URI": "memory://", "SERVER_NAME": "bench.local"})
    with app.app_context():
        upgrade()
    return app


# --- data -----------------------------------------------------------------------------


def seed_city(db, rng):
    """50 centres × 8 rooms, a few associations; returns the room ids."""
    from accounts.models import Association
    from centres.models import Centre, Room

    centres = [
        {"id": c + 1, "slug": f"centre-{c + 1}", "name": {"de": f"Zentrum {c + 1}", "en": f"Centre {c + 1}"},
         "description": {}, "district": DISTRICTS[c % len(DISTRICTS)], "timezone": "Europe/Berlin",
         "default_language": "de", "features": rng.sample(FEATURES, rng.randint(1, 4)), "opening_hours": {},
         "staff_languages": ["de"]}
        for c in range(CENTRES)
    ]
    db.session.execute(insert(Centre), centres)
    rooms = []
    for c in range(CENTRES):
        for r in range(ROOMS_PER_CENTRE):
            rooms.append({
                "id": c * ROOMS_PER_CENTRE + r + 1, "centre_id": c + 1, "name": f"Raum {r + 1}", "description": {},
                "capacity": CAPACITIES[r], "equipment": rng.sample(EQUIPMENT, rng.randint(0, 4)),
                "barrier_free": rng.random() < 0.6, "accessibility_notes": {}, "bookable": True,
                "earliest_time": time(8), "latest_time": time(22), "max_duration_minutes": 480,
                "max_days_ahead": 400, "min_notice_hours": 24,
            })
    db.session.execute(insert(Room), rooms)
    db.session.execute(insert(Association), [
        {"id": a + 1, "name": f"Verein {a + 1}", "verified": True, "description": {}, "languages": []}
        for a in range(20)
    ])
    db.session.commit()
    return [room["id"] for room in rooms]


def seed_occurrences(db, rng, room_ids, total, today):
    """``total`` occurrences over the rooms (none overlapping in a room), 25 to a booking; 80 % approved.

    The big hall of each centre (120 people) is taken on every Tuesday of the
    search, 18:00–20:00 (approved), so a search for 120 people finds no room
    free on every date and looks for near misses; the rest is spread at random
    over a year (from 30 days ago), in two-hour slots.
    """
    from bookings.models import Booking, Occurrence
    from timeutil import to_utc_naive, zone

    tz = zone("Europe/Berlin")
    first_day = today - timedelta(days=30)
    first_tuesday = first_weekday(today, 1)
    tuesdays = [(first_tuesday - first_day).days + 7 * week for week in range(27)]
    evenings = [day * len(SLOTS) + TUESDAY_EVENING for day in tuesdays]
    halls = [room_id for room_id in room_ids if room_id % ROOMS_PER_CENTRE == 0]
    spread = total - len(halls) * len(evenings)
    bookings, occurrences = [], []
    booking_id = occurrence_id = 0

    def add(room_id, positions, status=None):
        nonlocal booking_id, occurrence_id
        centre_id = (room_id - 1) // ROOMS_PER_CENTRE + 1
        for index in range(0, len(positions), 25):
            booking_id += 1
            booking_status = status or rng.choices(["approved", "pending", "cancelled"], weights=[80, 15, 5])[0]
            bookings.append({"id": booking_id, "centre_id": centre_id, "room_id": room_id,
                             "association_id": rng.randint(1, 20), "title": "Kurs", "status": booking_status,
                             "recurrence_weekdays": [], "note": "", "rejection_reason": "",
                             "cancellation_reason": ""})
            for position in positions[index:index + 25]:
                occurrence_id += 1
                day = first_day + timedelta(days=position // len(SLOTS))
                start_hour, end_hour = SLOTS[position % len(SLOTS)]
                occurrences.append({
                    "id": occurrence_id, "booking_id": booking_id, "room_id": room_id, "centre_id": centre_id,
                    "starts_at": to_utc_naive(datetime.combine(day, time(start_hour), tzinfo=tz)),
                    "ends_at": to_utc_naive(datetime.combine(day, time(end_hour), tzinfo=tz)),
                    "status": booking_status, "cancel_reason": ""})

    everywhere = range(DAYS * len(SLOTS))
    for n, room_id in enumerate(room_ids):
        count = spread // len(room_ids) + (1 if n < spread % len(room_ids) else 0)
        taken = set()
        if room_id in halls:
            add(room_id, evenings, "approved")
            taken = set(evenings)
        free = [p for p in everywhere if p not in taken] if taken else everywhere
        add(room_id, sorted(rng.sample(free, count)))
    db.session.execute(insert(Booking), bookings)
    for index in range(0, len(occurrences), 20_000):
        db.session.execute(insert(Occurrence), occurrences[index:index + 20_000])
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        for table in ("centre", "room", "association", "booking", "occurrence"):
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"))
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return len(occurrences)


def clear_occurrences(db):
    from bookings.models import Booking, Occurrence

    db.session.execute(Occurrence.__table__.delete())
    db.session.execute(Booking.__table__.delete())
    db.session.commit()


# --- measuring -----------------------------------------------------------------------------


class QueryCounter:
    def __init__(self, engine):
        self.engine = engine
        self.count = 0
        self.statements = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.count += 1
            self.statements.append((statement, parameters))


def explain(db, statement, parameters) -> list[str]:
    """The database's plan for a captured statement (the lines about the occurrence table)."""
    conn = db.session.connection()
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        lines = [row[-1] for row in rows]
    else:
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters).all()
        lines = [row[0] for row in rows]
    return [line.strip() for line in lines if "occurrence" in line or "Execution Time" in line]


def first_weekday(today, weekday, min_days=14):
    day = today + timedelta(days=min_days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def the_query(today, capacity=None):
    """Every Tuesday 18:00–20:00 for 6 months, any room (or rooms for ``capacity`` people)."""
    from bookings.search_query import SearchQuery

    first = first_weekday(today, 1)
    return SearchQuery(start=datetime.combine(first, time(18)), end=datetime.combine(first, time(20)),
                       weekdays=("TU",), until=first + timedelta(days=182), capacity=capacity)


def measure(app, db, query, repeat):
    """Run the search ``repeat`` times (after one warm-up): times in ms, queries per search, the last outcome."""
    from bookings.search import search

    times, counts, outcome, plan = [], [], None, []
    with app.test_request_context("/en/"):
        app.preprocess_request()
        search(query)  # warm-up: caches, prepared statements
        db.session.rollback()
        for _ in range(repeat):
            with QueryCounter(db.engine) as counter:
                started = clock.perf_counter()
                outcome = search(query)
                times.append((clock.perf_counter() - started) * 1000)
            counts.append(counter.count)
            db.session.rollback()
        conflicts = [(st, pa) for st, pa in counter.statements if "search_window" in st]
        if conflicts:
            plan = explain(db, *conflicts[0])
            db.session.rollback()
    return times, counts, outcome, plan


def measure_api(app, query, repeat):
    """The same search through GET /api/v1/rooms/search (parsing, the search, JSON): times in ms, queries."""
    from extensions import db

    params = {"start": query.start.isoformat(), "end": query.end.isoformat(), "until": query.until.isoformat(),
              "weekdays": ",".join(query.weekdays)}
    if query.capacity:
        params["capacity"] = str(query.capacity)
    client = app.test_client()
    assert client.get("/api/v1/rooms/search", query_string=params).status_code == 200
    times, counts = [], []
    for _ in range(repeat):
        with QueryCounter(db.engine) as counter:
            started = clock.perf_counter()
            response = client.get("/api/v1/rooms/search", query_string=params)
            times.append((clock.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        counts.append(counter.count)
    return times, counts


def summary(times):
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.9) - 1)]


def row(app, db, query, repeat, **extra):
    times, counts, outcome, plan = measure(app, db, query, repeat)
    api_times, api_counts = measure_api(app, query, repeat)
    return {
        "search": summary(times), "queries": max(counts), "api": summary(api_times), "api_queries": max(api_counts),
        "results": outcome.total, "free": outcome.free_total, "suggestions": len(outcome.suggestions),
        "dates": len(query.slots("Europe/Berlin")), "plan": plan, **extra,
    }


def run(kind, pg_url, occurrences, baseline, repeat):
    from extensions import db

    today = date.today()
    rows = []
    with database(kind, pg_url) as url:
        app = make_app(url)
        with app.app_context():
            room_ids = seed_city(db, random.Random(2027))
            for total in (baseline, occurrences):
                clear_occurrences(db)
                started = clock.perf_counter()
                stored = seed_occurrences(db, random.Random(total), room_ids, total, today)
                seeded = clock.perf_counter() - started
                rows.append(row(app, db, the_query(today), repeat, occurrences=stored, seeded_s=seeded,
                                label="any room", rooms=len(room_ids)))
                rows.append(row(app, db, the_query(today, capacity=120), repeat, occurrences=stored,
                                seeded_s=seeded, label="120 people", rooms=len(room_ids)))
            db.session.remove()
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("TEST_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--occurrences", type=int, default=200_000)
    parser.add_argument("--baseline", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    import logging

    logging.disable(logging.INFO)  # the migrations' progress
    rows = run(args.db, args.pg_url, args.occurrences, args.baseline, args.repeat)
    base, base_near, big, big_near = rows
    print(f"Room search benchmark on {args.db}: {big['rooms']} rooms in {CENTRES} centres, weekly pattern "
          f"(Tuesdays 18:00–20:00 for 6 months: {big['dates']} dates), {args.repeat} runs each, times in ms")
    print(f"{'occurrences':>11}  {'search':<10} {'median':>7} {'p90':>7} {'queries':>7}   {'API median':>10} "
          f"{'p90':>7} {'queries':>7}   {'results':>7} {'free':>5} {'near misses':>11}")
    for r in rows:
        print(f"{r['occurrences']:>11,}  {r['label']:<10} {r['search'][0]:>7.1f} {r['search'][1]:>7.1f} "
              f"{r['queries']:>7}   {r['api'][0]:>10.1f} {r['api'][1]:>7.1f} {r['api_queries']:>7}   "
              f"{r['results']:>7} {r['free']:>5} {r['suggestions']:>11}")
    for label, small, large in (("any room", base, big), ("120 people", base_near, big_near)):
        print(f"ratio {large['occurrences']:,} / {small['occurrences']:,} occurrences ({label}): "
              f"search ×{large['search'][0] / small['search'][0]:.2f}, API ×{large['api'][0] / small['api'][0]:.2f}")
    print("plan of the conflict query with {:,} occurrences:".format(big["occurrences"]))
    for line in big["plan"]:
        print("   ", line)
    worst = max(big["search"][0], big_near["search"][0])
    verdict = "met" if worst < 200 else "NOT met"
    print(f"target < 200 ms per search with {big['occurrences']:,} occurrences: {verdict} "
          f"({big['search'][0]:.1f} ms with {big['queries']} queries; {big_near['search'][0]:.1f} ms with "
          f"{big_near['queries']} queries when near misses are looked for)")
    return 0 if worst < 200 else 1


if __name__ == "__main__":
    sys.exit(main())
