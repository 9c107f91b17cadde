"""Benchmark: mail never slows a request; how fast the worker empties the outbox.

    .venv/bin/python benchmarks/bench_mail.py                  # SQLite (a temporary file)
    .venv/bin/python benchmarks/bench_mail.py --postgresql     # PostgreSQL (a temporary database)
    .venv/bin/python benchmarks/bench_mail.py --approvals 150 --mails 1000

In one run, on one database:

* approvals per second (a manager's POST /en/bookings/<id>/approve through the app, each queueing the
  association's mails), with the SMTP server up (aiosmtpd) and with one that accepts connections and never
  answers; the ratio hanging/up should be ~1.0: no request waits on SMTP;
* the worker's mails per second (``outbox.delivery``: claim, send, record) to the local aiosmtpd, against a
  baseline of the same messages sent by bare smtplib over one connection without any database.
"""

import argparse
import os
import secrets
import smtplib
import socket
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench password 1"

# The benchmarks measure the work of a request, not the rate limits (operations.throttle still counts).
UNLIMITED = {"BOOKING_LIMIT": "1000000000 per 3600", "SEARCH_LIMIT": "1000000000 per 60",
             "FEED_BUILD_LIMIT": "1000000000 per 60"}


class Count:
    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.received += 1
        return "250 OK"


def database(use_pg: bool):
    if not use_pg:
        return f"sqlite:///{tempfile.mkdtemp(prefix='bench-mail-')}/bench.db", lambda: None
    from sqlalchemy import create_engine, text

    admin = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG).replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    name = f"bench_mail_{secrets.token_hex(3)}"
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def cleanup():
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n "
                              "AND pid <> pg_backend_pid()"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))

    return f"{admin.rpartition('/')[0]}/{name}", cleanup


def make_app(url):
    from flask_migrate import upgrade

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", **UNLIMITED, "TESTING": False,
                      "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False, "MAIL_SERVER": None,
                      "MAIL_DEFAULT_SENDER": "zentrum@example.org", "MEDIA_FOLDER": tempfile.mkdtemp()})
    with app.app_context():
        upgrade()
    return app


def world(app, count: int):
    """A centre, a room, an association with two members, a manager, and ``count`` pending requests."""
    from accounts.models import Association, User
    from bookings import services
    from centres.models import Centre, Room
    from extensions import db

    with app.app_context(), app.test_request_context():
        centre = Centre(slug="nord", name={"de": "Nordstadt"}, district="Nord", timezone="Europe/Berlin")
        room = Room(centre=centre, name="Saal", capacity=80)
        association = Association(name="Verein", email="verein@example.org", contact_person="K", verified=True)
        manager = User(email="manager@example.org", role="manager", name="M")
        manager.set_password(PASSWORD)
        manager.managed_centres.append(centre)
        members = [User(email=f"m{n}@example.org", role="member", name=f"M{n}") for n in range(2)]
        for member in members:
            member.set_password(PASSWORD)
            association.members.append(member)
        db.session.add_all([centre, room, association, manager, *members])
        db.session.commit()
        start = date.today() + timedelta(days=14)
        ids = []
        for n in range(count):
            day, hour = start + timedelta(days=n // 5), 9 + 2 * (n % 5)
            request = services.BookingRequest(centre=centre, room=room, association=association, title=f"Kurs {n}",
                                              start=_at(day, hour), end=_at(day, hour + 1))
            ids.append(services.request_booking(request, members[0]).id)
            db.session.commit()
        return ids


def _at(day, hour):
    from datetime import datetime

    return datetime(day.year, day.month, day.day, hour, 0)


def approvals_per_second(app, ids) -> float:
    client = app.test_client()
    client.post("/en/login", data={"email": "manager@example.org", "password": PASSWORD})
    started = time.perf_counter()
    for booking_id in ids:
        with app.app_context():
            from bookings.models import Booking
            from extensions import db

            dates = [str(o.id) for o in db.session.get(Booking, booking_id).occurrences]
        response = client.post(f"/en/bookings/{booking_id}/approve",
                               data={f"approve-{booking_id}-occurrences": dates})
        if response.status_code != 302:
            raise SystemExit(f"approval answered {response.status_code}")
    return len(ids) / (time.perf_counter() - started)


def hanging_server():
    listener = socket.create_server(("127.0.0.1", 0))
    return listener, listener.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--approvals", type=int, default=120, help="approvals per condition (default 120)")
    parser.add_argument("--mails", type=int, default=1000, help="mails the worker delivers (default 1000)")
    parser.add_argument("--postgresql", action="store_true", help="PostgreSQL (TEST_DATABASE_URL) instead of SQLite")
    args = parser.parse_args()
    url, cleanup = database(args.postgresql)
    counter = Count()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    smtp = Controller(counter, hostname="127.0.0.1", port=free)
    smtp.start()
    listener, hanging_port = hanging_server()
    try:
        app = make_app(url)
        ids = world(app, 2 * args.approvals)
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
        up = approvals_per_second(app, ids[: args.approvals])
        app.config.update(MAIL_PORT=hanging_port)
        hanging = approvals_per_second(app, ids[args.approvals:])
        print(f"database: {'PostgreSQL' if args.postgresql else 'SQLite'}")
        print(f"approvals/s, SMTP server up:      {up:8.1f}")
        print(f"approvals/s, SMTP server hanging: {hanging:8.1f}   ratio hanging/up {hanging / up:.2f} (target ~1.0)")
        worker_rate, baseline_rate = delivery_rates(app, smtp.port, counter, args.mails)
        print(f"worker mails/s to aiosmtpd:       {worker_rate:8.1f}")
        print(f"bare smtplib mails/s (baseline):  {baseline_rate:8.1f}   ratio worker/bare {worker_rate / baseline_rate:.2f}")
    finally:
        smtp.stop()
        listener.close()
        cleanup()
    return 0


def delivery_rates(app, port, counter, count) -> tuple[float, float]:
    import mail
    from extensions import db
    from outbox.delivery import deliver_all
    from outbox.models import OutboxMail

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.app_context():
        db.session.query(OutboxMail).delete()  # the approvals' mails (some never delivered: the hanging server)
        for n in range(count):
            mail.queue(mail.Draft(f"person{n}@example.org", f"Nachricht {n}", "Guten Tag,\n" * 20, lang="de"), f"b:{n}")
        db.session.commit()
        messages = [(m.sender, m.recipient, m.message) for m in db.session.query(OutboxMail)]
        before = counter.received
        started = time.perf_counter()
        deliver_all("bench")
        worker = count / (time.perf_counter() - started)
        assert counter.received - before == count, (counter.received - before, count)
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as bare:
        for sender, recipient, message in messages:
            bare.sendmail(sender, [recipient], message)
    return worker, count / (time.perf_counter() - started)


if __name__ == "__main__":
    sys.exit(main())
