"""Run by a city's IT (issue #23): health and readiness, and honest 503s with Retry-After when the database
cannot answer — unreachable, or locked by someone else — in the JSON shape on the API and as a translated page
elsewhere, never a 500."""

import os
import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
from booking_support import api_body, booking_world_fixture  # noqa: F401
from conftest import make_test_app
from sqlalchemy import create_engine, text

from extensions import db
from outbox.worker import beat


@pytest.fixture
def other_app(app, database_url):
    """A separate app instance (other settings, other engine) on the same database, or on another."""
    built = []

    def build(url=None, **config):
        new = make_test_app(url or database_url, **config)
        built.append(new)
        return new

    yield build
    built.append(make_test_app(database_url))  # the shared rate limiter bound to a fresh in-memory store again
    for new in built:
        with new.app_context():
            db.engine.dispose()


def test_healthz_answers_without_the_database_or_a_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert "Set-Cookie" not in response.headers and response.headers["Cache-Control"] == "no-store"


def test_readyz_needs_the_database_the_migrations_and_a_worker(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "ok", "migrations": "ok", "worker": "silent"}
    beat("test-worker")
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json["status"] == "ready"
    assert "Set-Cookie" not in response.headers


def unreachable_url(db_kind, tmp_path):
    if db_kind == "postgresql":
        return "postgresql://postgres@127.0.0.1:9/welcome"  # nothing listens on port 9
    return f"sqlite:///{tmp_path}/no-such-folder/welcome.db"


def test_an_unreachable_database_is_a_503_with_retry_after(other_app, db_kind, tmp_path):
    away = other_app(unreachable_url(db_kind, tmp_path), DATABASE_CONNECT_TIMEOUT=1, SUPPORT_PHONE="0511 168-0")
    client = away.test_client()
    page = client.get("/de/events/")
    assert page.status_code == 503 and page.headers["Retry-After"] == "10"
    html = page.get_data(as_text=True)
    assert 'lang="de"' in html and "0511 168-0" in html and "Traceback" not in html
    api = client.get("/api/v1/centres")
    assert api.status_code == 503 and api.json["error"]["code"] == "unavailable" and api.headers["Retry-After"]
    assert client.get("/healthz").status_code == 200, "the process itself is alive"
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json["checks"]["database"] == "unreachable"


def hold_write_lock(db_kind, database_url, held: threading.Event, release: threading.Event):
    """Another process's long write: SQLite's write lock, or PostgreSQL's lock on the booking tables."""
    if db_kind == "sqlite":
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
    else:
        engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
        connection = engine.connect()
        connection.execute(text("LOCK TABLE booking, occurrence IN ACCESS EXCLUSIVE MODE"))
    held.set()
    release.wait(30)
    connection.rollback() if db_kind == "postgresql" else connection.execute("ROLLBACK")
    connection.close()


def test_a_write_lock_held_elsewhere_is_a_503_not_a_hang(other_app, booking_world, token_for, db_kind, database_url):
    locked = other_app(DATABASE_BUSY_TIMEOUT=1, DATABASE_LOCK_TIMEOUT=1)
    headers = token_for(booking_world.member)
    db.session.commit()
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(db_kind, database_url, held, release))
    holder.start()
    try:
        assert held.wait(10)
        response = locked.test_client().post("/api/v1/bookings", json=api_body(booking_world), headers=headers)
    finally:
        release.set()
        holder.join(30)
    assert response.status_code == 503 and response.headers["Retry-After"] == "10"
    assert response.json["error"]["code"] == "unavailable"
    again = locked.test_client().post("/api/v1/bookings", json=api_body(booking_world), headers=headers)
    assert again.status_code == 201, "the lock is gone: the retry goes through"


# --- safe retries ---------------------------------------------------------------------------------


def count_bookings():
    from sqlalchemy import func, select

    from bookings.models import Booking

    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Booking))


def test_the_same_idempotency_key_and_body_books_once(client, booking_world, token_for):
    headers = {**token_for(booking_world.member), "Idempotency-Key": "booking-2027-0001"}
    first = client.post("/api/v1/bookings", json=api_body(booking_world), headers=headers)
    assert first.status_code == 201
    again = client.post("/api/v1/bookings", json=api_body(booking_world), headers=headers)
    assert again.status_code == 201 and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count_bookings() == 1
    other = client.post("/api/v1/bookings", json=api_body(booking_world, title="Anders"), headers=headers)
    assert other.status_code == 422 and other.json["error"]["code"] == "idempotency_key_reused"
    assert count_bookings() == 1
    fresh = client.post("/api/v1/bookings", json=api_body(booking_world, start="08:00", end="09:00"),
                        headers={**headers, "Idempotency-Key": "booking-2027-0002"})
    assert fresh.status_code == 201 and count_bookings() == 2


def test_a_key_is_per_user_and_must_be_sane(client, booking_world, token_for):
    member = {**token_for(booking_world.member), "Idempotency-Key": "k1"}
    other = {**token_for(booking_world.other_member), "Idempotency-Key": "k1"}
    body = api_body(booking_world)
    mine = client.post("/api/v1/bookings", json=body, headers=member)
    theirs = client.post("/api/v1/bookings", json=body, headers=other)
    assert mine.status_code == theirs.status_code == 201 and mine.json["id"] != theirs.json["id"]
    assert count_bookings() == 2
    bad = client.post("/api/v1/bookings", json=body, headers={**member, "Idempotency-Key": "ä" * 3})
    assert bad.status_code == 422


def test_a_retry_after_a_503_acts_once(other_app, booking_world, token_for, db_kind, database_url):
    """The first try meets a locked database (503, nothing done); the retry with the same key books."""
    locked = other_app(DATABASE_BUSY_TIMEOUT=1, DATABASE_LOCK_TIMEOUT=1)
    headers = {**token_for(booking_world.member), "Idempotency-Key": "retry-me"}
    db.session.commit()
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(db_kind, database_url, held, release))
    holder.start()
    try:
        assert held.wait(10)
        first = locked.test_client().post("/api/v1/bookings", json=api_body(booking_world), headers=headers)
    finally:
        release.set()
        holder.join(30)
    assert first.status_code == 503
    client = locked.test_client()
    answers = [client.post("/api/v1/bookings", json=api_body(booking_world), headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.json["id"] for a in answers}) == 1 and count_bookings() == 1


def test_a_double_submitted_request_form_books_once(client, booking_world):
    from booking_support import form_data, login, next_weekday

    login(client, booking_world.member)
    page = client.get(f"/en/rooms/{booking_world.room.id}/book").get_data(as_text=True)
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    data = form_data(next_weekday(1, 14), association=str(booking_world.association.id), idempotency_key=key)
    first = client.post(f"/en/rooms/{booking_world.room.id}/book", data=data)
    second = client.post(f"/en/rooms/{booking_world.room.id}/book", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count_bookings() == 1


# --- logs -----------------------------------------------------------------------------------------


def test_one_log_line_per_request_with_its_id_and_no_personal_data(client, booking_world, token_for, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="welcome.access"):
        response = client.get(f"/api/v1/bookings/{999}", headers={**token_for(booking_world.member),
                                                                   "X-Request-ID": "proxy-abc-123"})
        generated = client.get("/de/")
    assert response.headers["X-Request-ID"] == "proxy-abc-123"
    assert len(generated.headers["X-Request-ID"]) == 32
    [line] = [r for r in caplog.records if r.name == "welcome.access" and r.fields["request_id"] == "proxy-abc-123"]
    assert line.fields["endpoint"] == "/api/v1/bookings/<booking_id>" and line.fields["status"] == 404
    assert line.fields["user_id"] == booking_world.member.id
    assert "member@" not in str(line.fields) and "ws_" not in str(line.fields)
    assert client.get("/de/", headers={"X-Request-ID": "bad id with spaces"}).headers["X-Request-ID"] != "bad id with spaces"


# --- metrics --------------------------------------------------------------------------------------


def metric(text_body, name, **labels):
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    for line in text_body.splitlines():
        if line.startswith(f"{name}{{{wanted}}} ") or (not labels and line.startswith(f"{name} ")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_bookings_and_the_outbox(app, client, booking_world, token_for):
    before = client.get("/metrics").get_data(as_text=True)
    headers = token_for(booking_world.member)
    assert client.post("/api/v1/bookings", json=api_body(booking_world), headers=headers).status_code == 201
    assert client.post("/api/v1/bookings", json={"room_id": 999999}, headers=headers).status_code in (404, 422)
    client.get("/de/events.ics")
    client.get("/de/events.ics")
    after = client.get("/metrics")
    assert after.status_code == 200 and after.content_type.startswith("text/plain")
    body = after.get_data(as_text=True)
    assert metric(body, "welcome_bookings_total", event="requested") == metric(before, "welcome_bookings_total",
                                                                                event="requested") + 1
    assert metric(body, "welcome_http_request_duration_seconds_count", endpoint="/api/v1/bookings", method="POST",
                  status="201") >= 1
    assert metric(body, "welcome_outbox_mails", status="queued") >= 1
    assert metric(body, "welcome_feed_builds_total") >= 1
    assert "member@example.org" not in body


def test_metrics_only_for_configured_networks_or_the_token(app, client):
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=outside).status_code == 404
    app.config["METRICS_TOKEN"] = "s3cret-scrape"
    try:
        assert client.get("/metrics", environ_base=outside,
                          headers={"Authorization": "Bearer s3cret-scrape"}).status_code == 200
        assert client.get("/metrics", environ_base=outside,
                          headers={"Authorization": "Bearer wrong"}).status_code == 404
    finally:
        app.config["METRICS_TOKEN"] = ""


# --- the database goes away and comes back (PostgreSQL) --------------------------------------------


def set_connections(database_url, allowed: bool):
    """The database refuses new connections (and drops the open ones), or takes them again."""
    name = database_url.rpartition("/")[2]
    admin = create_engine(database_url.rpartition("/")[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {"true" if allowed else "false"}'))
        if not allowed:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
    admin.dispose()


def test_while_the_database_is_away_feeds_stay_and_pages_say_503(app, client, booking_world, db_kind, database_url):
    if db_kind != "postgresql":
        pytest.skip("PostgreSQL: SQLite has no server to go away (its locks are tested above)")
    from booking_support import approve, request

    approve(booking_world, request(booking_world, event={"title": {"de": "Sprachcafé"}, "public": True}))
    app.config["FEEDS_RECHECK_SECONDS"] = 0  # every feed request asks the database whether it changed
    beat("test-worker")
    db.session.commit()
    feed = client.get("/de/events.ics")
    assert feed.status_code == 200 and client.get("/readyz").status_code == 200
    set_connections(database_url, False)
    try:
        stale = client.get("/de/events.ics")
        assert stale.status_code == 200 and stale.data == feed.data and "Stale" in stale.headers["Warning"]
        asked = client.get("/de/events.ics", headers={"If-None-Match": feed.headers["ETag"]})
        assert asked.status_code == 304 and "Stale" in asked.headers["Warning"], "not the early 304: the app's"
        page = client.get("/de/events/")
        assert page.status_code == 503 and page.headers["Retry-After"] and 'lang="de"' in page.get_data(as_text=True)
        api = client.get("/api/v1/centres")
        assert api.status_code == 503 and api.json["error"]["code"] == "unavailable"
        assert client.get("/readyz").json["checks"]["database"] == "unreachable"
    finally:
        set_connections(database_url, True)
        app.config.pop("FEEDS_RECHECK_SECONDS", None)
    assert client.get("/de/events/").status_code == 200, "the first request after the database is back succeeds"
    assert client.get("/readyz").status_code == 200


# --- SQLite: the database file cannot be written ------------------------------------------------------


def freeze(paths, frozen: bool):
    """Make the files unwritable even for root (chattr +i), or with permissions for another user."""
    for path in paths:
        if not path.exists():
            continue
        if os.geteuid() == 0 and shutil.which("chattr"):
            subprocess.run(["chattr", "+i" if frozen else "-i", str(path)], check=True)
        else:
            path.chmod(0o444 if frozen else 0o644)


def test_an_unwritable_sqlite_file_is_a_503_and_the_retry_books_once(other_app, booking_world, token_for, db_kind,
                                                                       database_url):
    if db_kind != "sqlite":
        pytest.skip("SQLite's file (PostgreSQL's faults: the cluster test)")
    headers = {**token_for(booking_world.member), "Idempotency-Key": "frozen-1"}
    body = api_body(booking_world)
    db.session.commit()
    db.session.remove()
    path = Path(database_url.removeprefix("sqlite:///"))
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    freeze(files, True)
    try:
        frozen = other_app(DATABASE_BUSY_TIMEOUT=1)  # its connections open after the freeze
        answer = frozen.test_client().post("/api/v1/bookings", json=body, headers=headers)
        page = frozen.test_client().get("/de/events/")
    finally:
        freeze(files, False)
    assert answer.status_code == 503 and answer.headers["Retry-After"] and answer.json["error"]["code"] == "unavailable"
    assert page.status_code in (200, 503)
    thawed = other_app()
    again = thawed.test_client().post("/api/v1/bookings", json=body, headers=headers)
    assert again.status_code == 201 and count_bookings() == 1


def test_idempotency_keys_are_forgotten_after_24_hours(client, booking_world, token_for):
    from datetime import timedelta

    from operations.models import IdempotentRequest
    from outbox import jobs
    from timeutil import utcnow

    headers = {**token_for(booking_world.member), "Idempotency-Key": "old-key"}
    assert client.post("/api/v1/bookings", json=api_body(booking_world), headers=headers).status_code == 201
    job = jobs.JOBS["expired-tokens"]
    assert "0 idempotency keys" in jobs.run_slot(job, "city", None, utcnow(), "w")
    later = utcnow() + timedelta(hours=25)
    assert "1 idempotency keys" in jobs.run_slot(job, "city", None, later, "w", now=later)
    db.session.commit()
    assert db.session.query(IdempotentRequest).count() == 0
