"""Benchmark: a year's report by every grouping, 200,000 dates over 400 rooms, against 2,000 dates.

    .venv/bin/python benchmarks/bench_reports.py                 # SQLite (temporary files)
    .venv/bin/python benchmarks/bench_reports.py --postgresql    # PostgreSQL (temporary databases)
    .venv/bin/python benchmarks/bench_reports.py --runs 9

Two fresh databases are migrated and filled in the same run. The big one: 40
centres of 10 rooms, each room with 10 weekly series of 50 dates in 2027 (two
hours each; every 20th date cancelled, every 3rd with participants), 300
associations of every kind, a public event for four bookings in five. The
baseline: 4 centres, one series a room (2,000 dates). Each event is in one of ten
programmes; every tenth association's booking has an accepted co-organiser of
another kind (the cooperation counts). Rows are written with bulk
inserts (the report reads them; how they got there does not matter here).

For each grouping it times ``GET /api/v1/reports?start=2027-01-01&end=2027-12-31
&group_by=…`` as an admin (the figures, the totals, new associations, bookable
hours and the same for 2026): the median of ``--runs`` requests after one
warm-up, then the ratio big / baseline. The issue's bar: ≤ 300 ms and ≤ 3×.
Both databases are analysed after the load (PostgreSQL: VACUUM ANALYZE, as
autovacuum does after a bulk load).
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
GROUPINGS = ("centre", "room", "category", "audience", "language", "kind", "programme", "month")
PROGRAMMES = 10  # every event in one of them; every tenth association's booking co-organised by another
FIRST_MONDAY = date(2027, 1, 4)
SERIES_PER_ROOM, DATES_PER_SERIES, ROOMS_PER_CENTRE = 10, 50, 10


def make_app(url):
    from flask_migrate import upgrade

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": False,
                      "RATELIMIT_ENABLED": False, "MAIL_SERVER": None})
    with app.app_context():
        upgrade()
    return app


def _centres_and_associations(db, centres: int):
    from accounts.models import ASSOCIATION_KINDS, Association
    from centres.models import Centre, Room
    from events.models import ensure_categories

    ensure_categories()
    rooms = []
    for n in range(centres):
        centre = Centre(slug=f"centre-{n}", name={"de": f"Zentrum {n}"}, district=f"D{n % 12}",
                        timezone="Europe/Berlin", default_language="de")
        db.session.add(centre)
        rooms += [Room(centre=centre, name=f"Raum {n}-{i}") for i in range(ROOMS_PER_CENTRE)]
    associations = [Association(name=f"Verein {n}", kind=ASSOCIATION_KINDS[n % len(ASSOCIATION_KINDS)],
                                verified=True) for n in range(300)]
    db.session.add_all(rooms + associations)
    db.session.flush()
    return rooms, associations


def fill(app, centres: int, series_per_room: int) -> int:
    """The city; returns the number of dates."""
    from sqlalchemy import func, insert, select

    from bookings.models import Booking, Occurrence
    from events.models import AUDIENCES, DEFAULT_CATEGORIES, Event
    from extensions import db
    from timeutil import local_wall_time, to_utc_naive, zone

    tz, audiences, categories = zone("Europe/Berlin"), list(AUDIENCES), list(DEFAULT_CATEGORIES)
    languages = ["de", "tr", "ar", "uk", "en", "fa", "ru"]
    with app.app_context():
        rooms, associations = _centres_and_associations(db, centres)
        bookings, events, plans = [], [], []
        for r, room in enumerate(rooms):
            for s in range(series_per_room):
                n = r * series_per_room + s
                association = None if n % 10 == 9 else associations[n % len(associations)]
                bookings.append({"centre_id": room.centre_id, "room_id": room.id, "title": f"B{n}",
                                 "association_id": association.id if association else None, "status": "approved",
                                 "recurrence_freq": "weekly", "decided_at": datetime(2026, 12, 1)})
                plans.append((room.id, s))
        db.session.execute(insert(Booking), bookings)
        ids = list(db.session.scalars(select(Booking.id).order_by(Booking.id)))
        dates = []
        centre_of_room = {room.id: room.centre_id for room in rooms}
        for booking_id, (room_id, s) in zip(ids, plans, strict=True):
            weekday, hour = s % 7, 10 + 3 * (s // 7)
            for week in range(DATES_PER_SERIES):
                local = datetime.combine(FIRST_MONDAY + timedelta(weeks=week, days=weekday), datetime.min.time())
                start = to_utc_naive((local + timedelta(hours=hour)).replace(tzinfo=tz))
                end = start + timedelta(hours=2)
                dates.append({"booking_id": booking_id, "room_id": room_id, "centre_id": centre_of_room[room_id],
                              "starts_at": start, "ends_at": end,
                              "blocked_start": start, "blocked_end": end,
                              "local_start": local_wall_time(start, "Europe/Berlin"),
                              "local_end": local_wall_time(end, "Europe/Berlin"),
                              "status": "cancelled" if week % 20 == 19 else "approved",
                              "participants": 5 + (booking_id + week) % 40 if week % 3 == 0 else None})
            if booking_id % 5:
                n = booking_id
                events.append({"booking_id": booking_id, "room_id": room_id, "title": {"de": f"Veranstaltung {n}"},
                               "description": {}, "category_key": categories[n % len(categories)],
                               "audiences": [audiences[n % len(audiences)], audiences[(n + 3) % len(audiences)]],
                               "languages": languages[n % 4: n % 4 + 1 + n % 3], "is_free": n % 4 != 0,
                               "tags": []})
        centre_of = {b_id: b["centre_id"] for b_id, b in zip(ids, bookings, strict=True)}
        for event in events:
            event["centre_id"] = centre_of[event["booking_id"]]
        for start in range(0, len(dates), 20_000):
            db.session.execute(insert(Occurrence), dates[start:start + 20_000])
        db.session.execute(insert(Event), events)
        _programmes_and_cooperations(db, bookings, ids, associations)
        db.session.commit()
        analyse(db)
        return db.session.scalar(select(func.count()).select_from(Occurrence))


def _programmes_and_cooperations(db, bookings, ids, associations) -> None:
    from sqlalchemy import insert, select

    from events.models import Event
    from programmes.models import ACCEPTED, Cooperation, Programme, event_programme

    programmes = [Programme(slug=f"programme-{n}", kind="alliance", name={"de": f"Programm {n}"})
                  for n in range(PROGRAMMES)]
    db.session.add_all(programmes)
    db.session.flush()
    rows = [{"event_id": event_id, "programme_id": programmes[event_id % PROGRAMMES].id}
            for event_id in db.session.scalars(select(Event.id))]
    db.session.execute(insert(event_programme), rows)
    partners = [{"booking_id": booking_id, "association_id": associations[(b["association_id"] + 7) % len(associations)].id,
                 "status": ACCEPTED}
                for booking_id, b in zip(ids, bookings, strict=True) if b["association_id"] and booking_id % 10 == 0]
    if partners:  # an empty list would be one row of defaults
        db.session.execute(insert(Cooperation), partners)


def analyse(db) -> None:
    """Statistics, as PostgreSQL's autovacuum gathers them after a bulk load (and the visibility map that
    lets a scan read the index alone); SQLite's ANALYZE, which its planner does not need here, for symmetry."""
    from sqlalchemy import text

    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"))


def token(app) -> dict:
    from accounts.models import ApiToken, User
    from extensions import db

    with app.app_context():
        admin = User(email=f"admin-{secrets.token_hex(3)}@example.org", role="admin", name="Admin")
        admin.set_password(secrets.token_urlsafe(16))
        db.session.add(admin)
        db.session.flush()
        _, secret = ApiToken.issue(admin, "bench")
        db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def measure(app, headers, url: str, runs: int) -> float:
    client = app.test_client()
    response = client.get(url, headers=headers)  # warm-up
    assert response.status_code == 200, (url, response.status_code, response.data[:300])
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    return statistics.median(timings)


def databases(use_pg: bool):
    """Two empty database URLs and a cleanup function."""
    if not use_pg:
        folder = tempfile.mkdtemp(prefix="bench-reports-")
        return [f"sqlite:///{folder}/big.db", f"sqlite:///{folder}/base.db"], lambda: None
    from sqlalchemy import create_engine, text

    admin = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG).replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    names = [f"bench_reports_{secrets.token_hex(3)}_{kind}" for kind in ("big", "base")]
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
    parser.add_argument("--runs", type=int, default=7, help="timed requests per grouping (median; default 7)")
    parser.add_argument("--postgresql", action="store_true", help="use PostgreSQL (TEST_DATABASE_URL) instead of SQLite")
    args = parser.parse_args()
    urls, cleanup = databases(args.postgresql)
    try:
        apps, headers, counts = {}, {}, {}
        for label, url, centres, series in (("big", urls[0], 40, SERIES_PER_ROOM), ("baseline", urls[1], 4, 1)):
            started = time.perf_counter()
            apps[label] = make_app(url)
            counts[label] = fill(apps[label], centres, series)
            headers[label] = token(apps[label])
            print(f"{label}: {counts[label]:,} dates, {centres * ROOMS_PER_CENTRE} rooms "
                  f"({time.perf_counter() - started:.1f} s to set up)")
        kind = "PostgreSQL" if args.postgresql else "SQLite"
        print(f"\n{kind}; GET /api/v1/reports for 2027 (with 2026 beside it); median of {args.runs} after a warm-up\n")
        header = f"{'group_by':<10} {counts['big']:>10,} dates {counts['baseline']:>8,} dates {'ratio':>7}"
        print(header)
        print("-" * len(header))
        worst = 0.0
        for group_by in GROUPINGS:
            url = f"/api/v1/reports?start=2027-01-01&end=2027-12-31&group_by={group_by}"
            big = measure(apps["big"], headers["big"], url, args.runs)
            base = measure(apps["baseline"], headers["baseline"], url, args.runs)
            worst = max(worst, big)
            print(f"{group_by:<10} {big * 1000:>13.1f} ms {base * 1000:>11.1f} ms {big / base:>6.1f}x")
        print(f"\nslowest grouping at {counts['big']:,} dates: {worst * 1000:.0f} ms (bar: 300 ms)")
    finally:
        cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
