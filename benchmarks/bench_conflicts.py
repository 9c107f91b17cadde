"""Conflict check + approval for a room with 100 and a room with 100,000 existing occurrences.

    .venv/bin/python benchmarks/bench_conflicts.py [--db sqlite|postgresql] [--repeat 200]

Builds a scratch database (a temporary SQLite file, or a temporary database
on the PostgreSQL server of TEST_DATABASE_URL), migrates it, fills two rooms
with approved dates (eight one-hour dates a day, half in the past, half to
come), then times, for each room alternately, the approval of a one-date
request (rules, conflict check, competing requests, history, e-mail, commit)
and the bare conflict query. Prints the medians, the 95th percentiles and the
ratio large/small; the target is a ratio under 2 (an index range scan).
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
SIZES = {"small": 100, "large": 100_000}
BATCH = 5_000

# The benchmarks measure the work of a request, not the rate limits (operations.throttle still counts).
UNLIMITED = {"BOOKING_LIMIT": "1000000000 per 3600", "SEARCH_LIMIT": "1000000000 per 60",
             "FEED_BUILD_LIMIT": "1000000000 per 60"}


def scratch_database(kind):
    """(url, cleanup) of an empty database."""
    from sqlalchemy import create_engine, text

    if kind == "sqlite":
        directory = tempfile.mkdtemp(prefix="bench-")
        path = Path(directory) / "bench.db"

        def cleanup():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            os.rmdir(directory)

        return f"sqlite:///{path}", cleanup
    admin = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG).replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"bench_{secrets.token_hex(4)}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def cleanup():
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        engine.dispose()

    return admin.rpartition("/")[0] + "/" + name, cleanup


def fill(room, booking, count, today):
    """count approved one-hour dates, eight a day (07:00-15:00 UTC), centred on today."""
    from sqlalchemy import insert

    from bookings.models import Occurrence
    from extensions import db

    days = -(-count // 8)
    first = datetime.combine(today, datetime.min.time()) - timedelta(days=days // 2)
    rows = []
    for n in range(count):
        start = first + timedelta(days=n // 8, hours=7 + n % 8)
        rows.append({"booking_id": booking.id, "room_id": room.id, "centre_id": room.centre_id, "starts_at": start, "ends_at": start + timedelta(hours=1),
                     "status": "approved", "cancel_reason": "", "updated_at": start})
        if len(rows) == BATCH:
            db.session.execute(insert(Occurrence), rows)
            rows = []
    if rows:
        db.session.execute(insert(Occurrence), rows)
    db.session.commit()


def setup(app):
    from flask_migrate import upgrade

    from accounts.models import Association, User
    from bookings.models import Booking
    from centres.models import Centre, Room
    from extensions import db
    from timeutil import utcnow

    upgrade()
    centre = Centre(slug="bench", name={"de": "Benchmark"}, timezone="Europe/Berlin")
    rooms = {size: Room(centre=centre, name=f"Raum {size}", capacity=50) for size in SIZES}
    association = Association(name="Benchmark e. V.", email="bench@example.org")
    association.verify(by=None)
    manager = User(email="manager@bench.example", role="manager", password_hash="-", managed_centres=[centre])
    member = User(email="member@bench.example", role="member", password_hash="-", associations=[association])
    db.session.add_all([centre, association, manager, member, *rooms.values()])
    db.session.flush()
    today = utcnow().date()
    for size, room in rooms.items():
        holder = Booking(centre=centre, room=room, title=f"Bestand {size}", status="approved")
        db.session.add(holder)
        db.session.flush()
        started = time.perf_counter()
        fill(room, holder, SIZES[size], today)
        print(f"  filled {room.name}: {SIZES[size]:>7,} approved dates in {time.perf_counter() - started:.1f} s")
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    return centre, rooms, association, manager.id, member.id


def run(kind, repeat, explain):
    from app import create_app

    url, cleanup = scratch_database(kind)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "MAIL_SERVER": None, "SECRET_KEY": "bench", **UNLIMITED})
    try:
        with app.app_context():
            return measure(app, repeat, explain)
    finally:
        from extensions import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        cleanup()


def measure(app, repeat, explain):
    from accounts.models import User
    from bookings import services
    from bookings.rules import find_conflicts
    from database import write_transaction
    from extensions import db
    from timeutil import to_local, utcnow

    print(f"database: {db.engine.dialect.name}")
    centre, rooms, association, manager_id, member_id = setup(app)
    today = to_local(utcnow(), "Europe/Berlin").date()
    timings = {size: {"approve": [], "check": []} for size in SIZES}
    for i in range(repeat):
        day = today + timedelta(days=3 + i)
        for size, room in (rooms.items() if i % 2 == 0 else reversed(list(rooms.items()))):
            with write_transaction():
                member = db.session.get(User, member_id)
                request = services.BookingRequest(
                    centre=centre, room=room, association=association, title="Messung",
                    start=datetime.combine(day, datetime.min.time()) + timedelta(hours=17),
                    end=datetime.combine(day, datetime.min.time()) + timedelta(hours=18))
                booking = services.request_booking(request, member)
                db.session.commit()
            interval = (booking.occurrences[0].starts_at, booking.occurrences[0].ends_at)
            with write_transaction():
                started = time.perf_counter()
                find_conflicts(room.id, [interval], exclude_booking_id=booking.id)
                timings[size]["check"].append(time.perf_counter() - started)
                db.session.commit()
            with write_transaction():
                manager = db.session.get(User, manager_id)
                started = time.perf_counter()
                services.approve(booking, manager)
                db.session.commit()
                timings[size]["approve"].append(time.perf_counter() - started)
            assert booking.status == "approved"
    if explain:
        from sqlalchemy import select

        from bookings.models import Occurrence
        from bookings.rules import overlap_clause

        start, end = interval
        query = select(Occurrence.id).where(Occurrence.room_id == rooms["large"].id, Occurrence.status == "approved",
                                            overlap_clause(start, end))
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
        print("plan of the conflict query:")
        for row in db.session.execute(db.text(prefix + str(compiled))):
            print("   ", " ".join(str(c) for c in row))
    return timings


def report(timings):
    def ms(values, q=None):
        if q is None:
            return statistics.median(values) * 1000
        return statistics.quantiles(values, n=100)[q - 1] * 1000

    print()
    print(f"{'':24}{'100 dates':>14}{'100,000 dates':>16}{'ratio':>9}")
    for key, label in (("check", "conflict query"), ("approve", "approval (with check)")):
        small, large = timings["small"][key], timings["large"][key]
        print(f"{label + ', median':24}{ms(small):>11.2f} ms{ms(large):>13.2f} ms{ms(large) / ms(small):>9.2f}")
        print(f"{label + ', p95':24}{ms(small, 95):>11.2f} ms{ms(large, 95):>13.2f} ms{ms(large, 95) / ms(small, 95):>9.2f}")
    ratio = ms(timings["large"]["approve"]) / ms(timings["small"]["approve"])
    verdict = "under 2: index-backed" if ratio < 2 else "NOT under 2"
    print(f"\nratio of the median approvals (100,000 / 100): {ratio:.2f} ({verdict})")
    return ratio


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=200, help="approvals per room (default 200)")
    parser.add_argument("--explain", action="store_true", help="print the plan of the conflict query")
    args = parser.parse_args(argv)
    ratio = report(run(args.db, args.repeat, args.explain))
    return 0 if ratio < 2 else 1


if __name__ == "__main__":
    sys.exit(main())
