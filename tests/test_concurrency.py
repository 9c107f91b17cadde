"""No double booking under concurrency: real worker processes, real database, simultaneous requests.

A gunicorn with 4 workers serves the test database. Several managers approve
overlapping requests for the same room at the same moment: exactly one wins,
the others get 409, nobody gets a 500, and the database holds no two
overlapping approved dates. On PostgreSQL the exclusion constraint is also
tried directly by concurrent processes that bypass the application.
"""

import json
import multiprocessing
import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from booking_support import booking_world_fixture, next_weekday, request  # noqa: F401
from server_support import gunicorn_server

from extensions import db

pytestmark = pytest.mark.slow
WORKERS = 4
CONTENDERS = 8


@pytest.fixture(scope="module")
def server(_app, database_url, tmp_path_factory):
    """gunicorn, 4 worker processes, on the session's test database."""
    with gunicorn_server(database_url, tmp_path_factory.mktemp("gunicorn"), WORKERS) as (base, log, _):
        yield base, log


def post(url, headers, body=None):
    data = json.dumps(body or {}).encode()
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={**headers, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, {"raw": raw[:300].decode(errors="replace")}


def fire(calls):
    """Run the calls in threads released at the same instant; returns [(status, body)] in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def managers(world, make_user, token_for, count):
    """Tokens of several managers of the world's centre (and the admin)."""
    headers = [token_for(world.manager), token_for(world.admin)]
    for i in range(count - len(headers)):
        headers.append(token_for(make_user("manager", email=f"m{i}@example.org", centres=[world.centre])))
    return headers


def assert_no_overlap(room_id):
    from bookings.models import Occurrence

    db.session.commit()  # a fresh snapshot: see what the workers wrote
    approved = db.session.scalars(
        db.select(Occurrence).where(Occurrence.room_id == room_id, Occurrence.status == "approved")
        .order_by(Occurrence.starts_at)
    ).all()
    for earlier, later in zip(approved, approved[1:], strict=False):
        assert earlier.ends_at <= later.starts_at, f"double booking: {earlier} and {later}"
    return approved


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_approvals_of_overlapping_requests(server, booking_world, make_user, token_for, round_):
    base, log = server
    day = next_weekday(1, 14) + timedelta(weeks=round_)
    # every pair overlaps (all hold 19:00), so exactly one request can get the room
    times = [("18:00", "20:00"), ("17:30", "19:30"), ("18:30", "20:30"), ("18:45", "21:00"),
             ("17:00", "19:15"), ("18:50", "21:30"), ("18:15", "19:05"), ("16:00", "22:00")]
    bookings = [request(booking_world, day=day, start=s, end=e, title=f"Anfrage {i}")
                for i, (s, e) in enumerate(times[:CONTENDERS])]
    tokens = managers(booking_world, make_user, token_for, CONTENDERS)
    ids = [b.id for b in bookings]
    db.session.commit()
    results = fire([lambda b=b, h=h: post(f"{base}/api/v1/bookings/{b}/approve", h) for b, h in zip(ids, tokens, strict=True)])
    codes = [status for status, _ in results]
    assert 500 not in codes, (codes, log.read_text()[-3000:])
    assert codes.count(200) == 1, (codes, results)
    assert codes.count(409) == CONTENDERS - 1, (codes, results)
    for status, body in results:
        if status == 409:
            assert body["error"]["code"] in ("conflict", "invalid_state")
    approved = assert_no_overlap(booking_world.room.id)
    assert len(approved) == 1
    winner = ids[codes.index(200)]
    assert approved[0].booking_id == winner


def test_concurrent_centre_bookings_for_the_same_slot(server, booking_world, make_user, token_for):
    """Managers booking for the centre are approved at once: only one may get the slot."""
    base, log = server
    day = next_weekday(3, 20)
    tokens = managers(booking_world, make_user, token_for, CONTENDERS)
    db.session.commit()
    body = {"room_id": booking_world.room.id, "title": "Zentrumsveranstaltung",
            "start": f"{day}T10:00:00", "end": f"{day}T12:00:00"}
    results = fire([lambda h=h: post(f"{base}/api/v1/bookings", h, body) for h in tokens])
    codes = [status for status, _ in results]
    assert 500 not in codes, (codes, log.read_text()[-3000:])
    assert codes.count(201) == 1 and codes.count(409) == CONTENDERS - 1, codes
    assert all(b["error"]["code"] == "conflict" and b["error"]["conflicts"] for s, b in results if s == 409)
    assert len(assert_no_overlap(booking_world.room.id)) == 1


def test_concurrent_series_approvals_never_overlap(server, booking_world, make_user, token_for):
    """Weekly series that collide on some weeks only: one wins, the losers keep nothing that overlaps."""
    base, log = server
    first = next_weekday(1, 14)
    bookings = [request(booking_world, day=first + timedelta(weeks=i % 3), start=f"{17 + i % 3}:00",
                        end=f"{19 + i % 3}:00", weekly={"count": 6}, title=f"Reihe {i}") for i in range(6)]
    tokens = managers(booking_world, make_user, token_for, 6)
    ids = [b.id for b in bookings]
    db.session.commit()
    results = fire([lambda b=b, h=h: post(f"{base}/api/v1/bookings/{b}/approve", h) for b, h in zip(ids, tokens, strict=True)])
    codes = [status for status, _ in results]
    assert 500 not in codes and set(codes) <= {200, 409}, (codes, log.read_text()[-3000:])
    assert codes.count(200) >= 1
    assert_no_overlap(booking_world.room.id)


@pytest.mark.parametrize("round_", range(2))
def test_concurrent_approvals_keep_the_buffers_apart(server, booking_world, make_user, token_for, round_):
    """Event times that do not overlap, buffered intervals that do: one approval wins, on either database."""
    base, log = server
    booking_world.room.setup_minutes, booking_world.room.cleanup_minutes = 30, 30
    db.session.commit()
    day = next_weekday(3, 14) + timedelta(weeks=round_)
    times = [("18:00", "19:00"), ("19:15", "20:15"), ("16:50", "17:45"), ("19:30", "20:00")]
    bookings = [request(booking_world, day=day, start=s, end=e, title=f"Puffer {i}") for i, (s, e) in enumerate(times)]
    tokens = managers(booking_world, make_user, token_for, len(times))
    ids = [b.id for b in bookings]
    db.session.commit()
    results = fire([lambda b=b, h=h: post(f"{base}/api/v1/bookings/{b}/approve", h) for b, h in zip(ids, tokens, strict=True)])
    codes = [status for status, _ in results]
    assert 500 not in codes and set(codes) <= {200, 409}, (codes, log.read_text()[-3000:])
    assert codes.count(200) >= 1
    from bookings.models import Occurrence

    db.session.commit()
    approved = db.session.scalars(
        db.select(Occurrence).where(Occurrence.room_id == booking_world.room.id, Occurrence.status == "approved")
        .order_by(Occurrence.blocked_start)).all()
    for earlier, later in zip(approved, approved[1:], strict=False):
        assert earlier.blocked_end <= later.blocked_start, f"buffers overlap: {earlier} and {later}"
    # 18:00 and 19:15 (15 minutes apart) can never both hold the room with 30 minutes on each side
    assert not {ids[0], ids[1]} <= {o.booking_id for o in approved}


# --- PostgreSQL: the constraint itself, raced by processes that bypass the application ----------------


def _insert_approved(url, booking_id, room_id, start, end, barrier, results, index):
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=False) as conn:
        barrier.wait()
        try:
            conn.execute(
                "INSERT INTO occurrence (booking_id, centre_id, room_id, starts_at, ends_at, blocked_start, blocked_end, status, "
                "cancel_reason, updated_at, local_start, local_end, minutes) "
                "VALUES (%s, (SELECT centre_id FROM booking WHERE id = %s), %s, %s, %s, %s, %s, 'approved', '', now(), %s, %s, 0)",
                (booking_id, booking_id, room_id, start, end, start, end, start, end))
            conn.commit()
            results[index] = "ok"
        except psycopg.errors.ExclusionViolation:
            results[index] = "23P01"
        except psycopg.errors.DeadlockDetected:
            # Writers that bypass the room lock can wait on each other while PostgreSQL checks
            # the exclusion constraint; it then aborts one of them: refused, like 23P01.
            results[index] = "40P01"
        except Exception as error:  # noqa: BLE001 - reported by the test
            results[index] = repr(error)


def test_postgresql_exclusion_constraint_under_concurrent_writers(db_kind, database_url, booking_world):
    if db_kind != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL; SQLite is serialised by BEGIN IMMEDIATE")
    booking = request(booking_world)
    start = booking.occurrences[0].starts_at + timedelta(days=7)
    db.session.commit()
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier, results = manager.Barrier(CONTENDERS), manager.list([None] * CONTENDERS)
        processes = [
            context.Process(target=_insert_approved, args=(
                database_url, booking.id, booking_world.room.id, start + timedelta(minutes=10 * i),
                start + timedelta(hours=2, minutes=10 * i), barrier, results, i))
            for i in range(CONTENDERS)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join(60)
        outcome = list(results)
    assert outcome.count("ok") == 1 and outcome.count("23P01") + outcome.count("40P01") == CONTENDERS - 1, outcome
    assert_no_overlap(booking_world.room.id)


def test_postgresql_constraint_holds_the_buffered_intervals_apart(db_kind, database_url, booking_world):
    """Two approved dates whose times do not overlap but whose blocked intervals do: the second is refused."""
    if db_kind != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL; SQLite is serialised by BEGIN IMMEDIATE")
    booking = request(booking_world)
    start = booking.occurrences[0].starts_at + timedelta(days=14)
    context = multiprocessing.get_context("spawn")
    manager = context.Manager()
    results = manager.list(["?", "?"])
    url = database_url
    rows = [(start, start + timedelta(hours=1), start - timedelta(minutes=30), start + timedelta(minutes=90)),
            (start + timedelta(minutes=75), start + timedelta(minutes=135), start + timedelta(minutes=45),
             start + timedelta(minutes=165))]
    for index, (s, e, bs, be) in enumerate(rows):
        process = context.Process(target=_insert_blocked, args=(url, booking.id, booking_world.room.id, s, e, bs, be,
                                                                results, index))
        process.start()
        process.join(60)
    assert list(results) == ["ok", "23P01"], list(results)


def _insert_blocked(url, booking_id, room_id, start, end, blocked_start, blocked_end, results, index):
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=False) as conn:
        try:
            conn.execute(
                "INSERT INTO occurrence (booking_id, centre_id, room_id, starts_at, ends_at, blocked_start, blocked_end, status, "
                "cancel_reason, updated_at, local_start, local_end, minutes) "
                "VALUES (%s, (SELECT centre_id FROM booking WHERE id = %s), %s, %s, %s, %s, %s, 'approved', '', now(), %s, %s, 0)",
                (booking_id, booking_id, room_id, start, end, blocked_start, blocked_end, start, end))
            conn.commit()
            results[index] = "ok"
        except psycopg.errors.ExclusionViolation:
            results[index] = "23P01"
        except Exception as error:  # noqa: BLE001 - reported by the test
            results[index] = repr(error)


def test_postgresql_constraint_violation_becomes_a_conflict_naming_the_dates(db_kind, database_url, booking_world):
    """Another connection slips an approved date in after the check: the flush fails with 23P01 -> BookingConflict."""
    if db_kind != "postgresql":
        pytest.skip("PostgreSQL only")
    import psycopg
    from sqlalchemy import event

    from bookings import services
    from bookings.errors import BookingConflict

    booking = request(booking_world)
    other = request(booking_world, association=booking_world.other_association, by=booking_world.other_member,
                    start="10:00", end="11:00")
    occurrence = booking.occurrences[0]
    slot = (occurrence.starts_at, occurrence.ends_at)
    db.session.commit()

    def sneak_in(session, flush_context, instances):
        with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
            conn.execute("INSERT INTO occurrence (booking_id, centre_id, room_id, starts_at, ends_at, blocked_start, blocked_end, "
                         "status, cancel_reason, updated_at, local_start, local_end, minutes) "
                         "VALUES (%s, %s, %s, %s, %s, %s, %s, 'approved', '', now(), %s, %s, 0)",
                         (other.id, booking_world.centre.id, booking_world.room.id, *slot, *slot, *slot))

    # The room lock (FOR NO KEY UPDATE) serialises deciders, not plain inserts: this one lands between the
    # service's conflict check and its flush, and only the exclusion constraint stops the double booking.
    event.listen(db.session, "before_flush", sneak_in, once=True)
    with pytest.raises(BookingConflict) as caught:
        services.approve(booking, booking_world.manager)
    db.session.rollback()
    assert caught.value.dates == [slot]
    assert len(assert_no_overlap(booking_world.room.id)) == 1
