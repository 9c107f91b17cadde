"""Faults under load (issue #23): a PostgreSQL cluster of the test's own, restarted and stopped while four
clients request bookings through gunicorn. Every failure a client sees is a 503 with Retry-After in the API's
JSON shape (never a 500); the first request after the database is back succeeds; each client retries with its
Idempotency-Key until it gets its 201, and every acknowledged booking is in the database exactly once.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from datetime import date, timedelta
from datetime import time as clock_time
from pathlib import Path

import pytest
from conftest import make_test_app
from mail_support import free_port
from sqlalchemy import func, select, text

from extensions import db

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def as_postgres(args, **kwargs):
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


@pytest.fixture
def cluster(db_kind):
    if db_kind != "postgresql":
        pytest.skip("a PostgreSQL cluster of its own (SQLite's faults: tests/test_operations.py)")
    if not (PG_BIN / "pg_ctl").exists():
        pytest.fail(f"PostgreSQL's server programs are needed in {PG_BIN}")
    folder = Path(tempfile.mkdtemp(prefix="welcome-cluster-"))  # pytest's folders are closed to other users
    data = folder / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(data, "postgres")
    port = free_port()
    as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"])
    control = Cluster(data, port)
    control.run("start")
    try:
        yield control
    finally:
        try:
            control.run("stop", "-m", "immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(folder, ignore_errors=True)


class Cluster:
    def __init__(self, data, port):
        self.data, self.port = data, port
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def run(self, action, *extra):
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.data / "log"),
                     "-w", *extra, action])


def make_world(url):
    from accounts.models import ApiToken, Association, User
    from centres.models import Centre, Room

    app = make_test_app(url)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        centre = Centre(slug="nord", name={"de": "Nordstadt"}, district="Nord", timezone="Europe/Berlin",
                        default_language="de")
        room = Room(centre=centre, name="Saal", capacity=50, bookable=True, earliest_time=clock_time(8, 0),
                    latest_time=clock_time(22, 0), max_duration_minutes=480, max_days_ahead=400, min_notice_hours=24)
        association = Association(name="Verein", contact_person="K", email="verein@example.org")
        association.verify(by=None)
        member = User(email="member@example.org", role="member", name="M")
        member.set_password("correct horse battery")
        association.members.append(member)
        db.session.add_all([centre, room, association, member])
        db.session.commit()
        _, secret = ApiToken.issue(member, "load")
        db.session.commit()
        room_id = room.id
        db.session.remove()
        db.engine.dispose()
    return app, room_id, secret


def start_gunicorn(url, port, log):
    env = {**os.environ, "WS_TEST_DATABASE_URL": url, "DATABASE_CONNECT_TIMEOUT": "2",
           "DATABASE_STATEMENT_TIMEOUT": "5", "DATABASE_LOCK_TIMEOUT": "2", "RETRY_AFTER": "1"}
    return subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--bind",
                             f"127.0.0.1:{port}", "--chdir", str(ROOT / "tests"), "--timeout", "30",
                             "--error-logfile", str(log), "--capture-output", "wsgi_test_app:app"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def call(url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = raw.decode(errors="replace")[:300]
        return error.code, dict(error.headers), payload


class Client(threading.Thread):
    """Requests bookings one after another; retries each with its key until the 201."""

    def __init__(self, number, base, room_id, secret, stop):
        super().__init__(daemon=True)
        self.number, self.base, self.room_id, self.secret, self.stop = number, base, room_id, secret, stop
        self.acknowledged, self.statuses, self.bad = {}, Counter(), []

    def run(self):
        made = 0
        while not self.stop.is_set():
            day = date.today() + timedelta(days=3 + made // 6)
            hour = 9 + 2 * (made % 6)
            title = f"Client {self.number} booking {made}"
            body = {"room_id": self.room_id, "title": title, "start": f"{day}T{hour:02d}:00:00",
                    "end": f"{day}T{hour:02d}:30:00"}
            key = uuid.uuid4().hex
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                status, headers, payload = call(self.base + "/api/v1/bookings", body,
                                                {"Authorization": f"Bearer {self.secret}", "Idempotency-Key": key})
                self.statuses[status] += 1
                if status == 201:
                    self.acknowledged[title] = payload["id"]
                    break
                code = payload.get("error", {}).get("code") if isinstance(payload, dict) else None
                if status in (503, 409) and headers.get("Retry-After") and code in ("unavailable", "in_progress"):
                    time.sleep(float(headers["Retry-After"]) / 4)
                    continue
                self.bad.append((status, payload))
                break
            made += 1


def test_restart_and_stop_under_booking_load(cluster):
    url = cluster.url.rsplit("/", 1)[0] + "/welcome"
    admin = subprocess.run(["psql", cluster.url, "-c", "CREATE DATABASE welcome"], capture_output=True, text=True)
    assert admin.returncode == 0, admin.stderr
    app, room_id, secret = make_world(url)
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="welcome-gunicorn-")) / "gunicorn.log"
    server = start_gunicorn(url, port, log)
    base = f"http://127.0.0.1:{port}"
    stop = threading.Event()
    clients = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if call(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, log.read_text() if log.exists() else ""
            time.sleep(0.2)
        clients = [Client(n, base, room_id, secret, stop) for n in range(4)]
        for client in clients:
            client.start()
        time.sleep(3)
        cluster.run("restart", "-m", "fast")
        first_after_restart = call(base + "/api/v1/centres")[0]
        time.sleep(2)
        cluster.run("stop", "-m", "immediate")
        time.sleep(4)
        away = call(base + "/api/v1/centres")
        cluster.run("start")
        first_after_start = call(base + "/api/v1/centres")[0]
        time.sleep(3)
    finally:
        stop.set()
        for client in clients:
            client.join(90)
        server.terminate()
        server.wait(30)

    assert first_after_restart == 200 and first_after_start == 200, "a restart costs no request"
    assert away[0] == 503 and away[1].get("Retry-After") and away[2]["error"]["code"] == "unavailable"
    statuses = sum((client.statuses for client in clients), Counter())
    assert [bad for client in clients for bad in client.bad] == [], statuses
    assert set(statuses) <= {201, 503, 409}, statuses
    assert statuses[503] > 0, "the clients met the stopped database"
    acknowledged = {title: booking for client in clients for title, booking in client.acknowledged.items()}
    print(f"answers: {dict(statuses)}; acknowledged bookings: {len(acknowledged)}")
    assert len(acknowledged) > 20
    with app.app_context():
        from bookings.models import Booking

        rows = db.session.execute(select(Booking.title, func.count()).group_by(Booking.title)).all()
        counts = dict(rows)
        assert {title: counts.get(title, 0) for title in acknowledged} == dict.fromkeys(acknowledged, 1), \
            "every acknowledged booking once"
        assert sum(counts.values()) - len(acknowledged) <= len(clients), "at most the last try of each client unanswered"
        db.session.execute(text("SELECT 1"))
        db.session.remove()
        db.engine.dispose()
    assert "Traceback" not in log.read_text()
