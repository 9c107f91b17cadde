"""Backups that restore (issue #23): ``flask --app app backup`` while bookings are being requested, restored
into a fresh instance — every booking acknowledged before the backup began is there, with its dates, and the
restored instance serves. SQLite: the online backup API; PostgreSQL: pg_dump, restored with pg_restore."""

import subprocess
import threading
import uuid
from datetime import datetime, timedelta

from booking_support import booking_world_fixture  # noqa: F401
from conftest import _pg_url, make_test_app
from sqlalchemy import create_engine, func, select, text

from bookings import services
from bookings.models import Booking, Occurrence
from bookings.requests import BookingRequest
from extensions import db
from timeutil import utcnow


def request_bookings(app, world_ids, acknowledged, stop):
    """Another user of the site: requests a booking, commits, notes it as acknowledged; again."""
    centre_id, room_id, association_id, member_id = world_ids
    with app.app_context():
        from accounts.models import Association, User
        from centres.models import Centre, Room

        centre, room = db.session.get(Centre, centre_id), db.session.get(Room, room_id)
        association, member = db.session.get(Association, association_id), db.session.get(User, member_id)
        day = (utcnow() + timedelta(days=20)).date()
        number = 0
        while not stop.is_set() and number < 400:
            start = datetime.combine(day + timedelta(days=number // 6), datetime.min.time()) + timedelta(
                hours=9 + 2 * (number % 6))
            booking = services.request_booking(BookingRequest(centre=centre, room=room, association=association,
                                                              title=f"Last {number}", start=start,
                                                              end=start + timedelta(hours=1)), member)
            db.session.commit()
            acknowledged.append(booking.id)
            number += 1
        db.session.remove()


def restore(db_kind, database_url, backup, tmp_path):
    if db_kind == "sqlite":
        return f"sqlite:///{backup}", lambda: None
    name = f"restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(_pg_url(database_url, "postgres").replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = _pg_url(database_url, name)
    result = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d",
                             url.replace("postgresql+psycopg://", "postgresql://"), str(backup)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def test_a_backup_under_booking_load_restores_every_acknowledged_booking(app, runner, booking_world, db_kind,
                                                                          database_url, tmp_path):
    world = booking_world
    ids = (world.centre.id, world.room.id, world.association.id, world.member.id)
    db.session.commit()
    acknowledged, stop = [], threading.Event()
    writer = threading.Thread(target=request_bookings, args=(app, ids, acknowledged, stop))
    writer.start()
    try:
        while len(acknowledged) < 20 and writer.is_alive():
            threading.Event().wait(0.02)
        before = list(acknowledged)
        backup = tmp_path / ("welcome.db" if db_kind == "sqlite" else "welcome.dump")
        result = runner.invoke(args=["backup", str(backup)])
        after = len(acknowledged)
        while len(acknowledged) < after + 5 and writer.is_alive():
            threading.Event().wait(0.02)  # the site kept booking through the backup
    finally:
        stop.set()
        writer.join(60)
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output and len(acknowledged) >= after + 5, "bookings went on after the backup"

    url, drop = restore(db_kind, database_url, backup, tmp_path)
    try:
        restored = make_test_app(url)
        with restored.app_context():
            found = set(db.session.scalars(select(Booking.id)))
            assert set(before) <= found, "every booking acknowledged before the backup is in it"
            without_dates = db.session.scalar(select(func.count()).select_from(Booking).where(
                ~Booking.occurrences.any()))
            assert without_dates == 0, "a consistent copy: no booking without its dates"
            assert db.session.scalar(select(func.count()).select_from(Occurrence)) >= len(before)
            client = restored.test_client()
            assert client.get("/de/").status_code == 200
            assert client.get("/readyz").json["checks"]["migrations"] == "ok"
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
