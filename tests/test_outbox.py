"""Nothing told is lost (issue #21): the outbox, the worker and the scheduled jobs, against real SMTP servers
(aiosmtpd; one that accepts and never answers; a port nobody listens on) on both databases.

The web requests below never open an SMTP connection; the worker delivers, in this process (``deliver``: the
real delivery code) or as processes of their own (``start_worker``), killed with SIGKILL or two at once.
"""

import os
import signal
import threading
import time
from datetime import datetime, timedelta

from booking_support import booking_world_fixture, decision_data, login, request  # noqa: F401
from mail_support import (  # noqa: F401
    HangingServer,
    deliver,
    free_port,
    hanging_smtp_fixture,
    inbox_fixture,
    start_inbox,
    start_worker,
)
from sqlalchemy import func, select

import mail
from extensions import db
from outbox import jobs
from outbox.delivery import backoff
from outbox.models import JobRun, OutboxMail, WorkerBeat
from outbox.worker import beat
from timeutil import utcnow


def mails(**where):
    db.session.commit()  # a fresh snapshot (SQLite keeps one per transaction)
    query = select(OutboxMail).order_by(OutboxMail.id)
    for name, value in where.items():
        query = query.where(getattr(OutboxMail, name) == value)
    return db.session.scalars(query).all()


def approve_over_http(client, world, booking):
    login(client, world.manager)
    started = time.monotonic()
    dates = [str(o.id) for o in booking.occurrences]
    response = client.post(f"/en/bookings/{booking.id}/approve", data=decision_data("approve", booking, occurrences=dates))
    return response, time.monotonic() - started


def queue_many(count, prefix="bulk"):
    for number in range(count):
        mail.queue(mail.Draft(f"person{number}@example.org", f"Nachricht {number}", f"Text {number}",
                              lang="de"), f"{prefix}:{number}")
    db.session.commit()


# --- the web request and the SMTP server are apart ------------------------------------------------


def test_smtp_down_for_the_approval_then_delivered_once_it_is_up(app, client, booking_world):
    port = free_port()  # nobody listens: the relay is down
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        booking = request(booking_world)
        response, _ = approve_over_http(client, booking_world, booking)
        assert response.status_code == 302
        assert {m.status for m in mails()} == {"queued"} and len(mails()) == 3  # the request, two approvals
        now = utcnow()
        deliver(now)  # the connection fails on the first mail; the rest go back untried
        first, *rest = mails()
        assert first.status == "queued" and first.attempts == 1 and "Connection" in first.last_error
        assert first.next_attempt_at == now + backoff(1) and all(m.next_attempt_at >= now + backoff(1) for m in rest)
        assert all(m.attempts == 0 for m in rest)
        assert deliver(now + timedelta(seconds=30)) == 0, "nothing is tried again before the back-off"

        inbox, controller = start_inbox(port)  # the relay is back
        try:
            assert deliver(now + backoff(1)) == 3
            inbox.wait(3)
        finally:
            controller.stop()
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
    assert sorted(m["To"].addresses[0].addr_spec for m in inbox.messages) == [
        "contact@verein.example", "manager@example.org", "member@example.org"] or len(inbox.messages) == 3
    assert {m.status for m in mails()} == {"sent"}
    assert len({m["Message-ID"] for m in inbox.messages}) == 3
    assert {m["Message-ID"] for m in inbox.messages} == {m.message_id for m in mails()}, "a fixed Message-ID"


def test_a_hanging_smtp_server_holds_no_request(app, client, booking_world, hanging_smtp):
    booking = request(booking_world)
    response, took = approve_over_http(client, booking_world, booking)
    assert response.status_code == 302 and took < 2
    assert client.get("/de/").status_code == 200
    assert hanging_smtp.connections == [], "no web request opened an SMTP connection"
    app.config["MAIL_TIMEOUT"] = 0.5
    started = time.monotonic()
    deliver()
    assert time.monotonic() - started < 3, "the worker waits MAIL_TIMEOUT, once for the batch"
    assert len(hanging_smtp.connections) == 1
    assert {m.status for m in mails()} == {"queued"} and "timed out" in mails()[0].last_error


def test_a_rolled_back_change_queues_nothing(app, booking_world):
    from bookings import services

    booking = request(booking_world)
    before = len(mails())
    services.approve(booking, booking_world.manager)
    db.session.flush()
    db.session.rollback()
    assert len(mails()) == before


def test_the_same_notice_is_queued_once(app):
    draft = mail.Draft("someone@example.org", "Betreff", "Text")
    assert mail.queue(draft, "notice:1:someone@example.org") is not None
    assert mail.queue(draft, "notice:1:someone@example.org") is None
    db.session.commit()
    assert mail.queue(draft, "notice:1:someone@example.org") is None
    db.session.commit()
    assert len(mails()) == 1


# --- failures -------------------------------------------------------------------------------------


def test_a_permanent_refusal_fails_at_once_and_admins_see_it(app, client, inbox, booking_world):
    inbox.refuse["gone@example.org"] = "550 5.1.1 No such user here"
    mail.queue(mail.Draft("gone@example.org", "Abgelehnt", "Text"), "refused:1")
    mail.queue(mail.Draft("here@example.org", "Angenommen", "Text"), "accepted:1")
    db.session.commit()
    inbox.wait(1)
    refused, accepted = mails()
    assert refused.status == "failed" and refused.last_error.startswith("550") and refused.attempts == 1
    assert accepted.status == "sent"
    assert [m["To"] for m in inbox.messages] == ["here@example.org"]

    login(client, booking_world.admin)
    page = client.get("/en/manage/outbox?status=failed").get_data(as_text=True)
    assert "gone@example.org" in page and "550 5.1.1 No such user here" in page and "here@example.org" not in page
    assert client.post(f"/en/manage/outbox/{refused.id}/retry").status_code == 302
    assert mails(id=refused.id)[0].status == "queued"
    assert client.post(f"/en/manage/outbox/{refused.id}/cancel").status_code == 302
    assert mails(id=refused.id)[0].status == "cancelled"
    deliver()
    assert mails(id=refused.id)[0].status == "cancelled", "a cancelled mail is not sent"
    assert client.post(f"/en/manage/outbox/{accepted.id}/cancel").status_code == 302
    assert mails(id=accepted.id)[0].status == "sent", "a sent mail cannot be cancelled"


def test_admins_read_a_mail_as_it_was_sent(app, client, booking_world):
    from booking_support import approve, request

    approve(booking_world, request(booking_world))
    [approval] = [m for m in mails() if m.recipient == "member@example.org"]
    login(client, booking_world.admin)
    page = client.get(f"/en/manage/outbox/{approval.id}").get_data(as_text=True)
    assert approval.subject in page and "member@example.org" in page and ".ics" in page
    assert page.count("Deutschkurs") >= 3, "subject, breadcrumb and the text of the mail"
    approval.message, approval.purged_at = None, utcnow()
    db.session.commit()
    assert "Message deleted" in client.get(f"/en/manage/outbox/{approval.id}").get_data(as_text=True)
    client.post("/en/logout")
    login(client, booking_world.manager)
    assert client.get(f"/en/manage/outbox/{approval.id}").status_code == 403


def test_only_admins_see_the_outbox(app, client, booking_world):
    assert client.get("/en/manage/outbox").status_code == 302  # to sign in
    login(client, booking_world.manager)
    assert client.get("/en/manage/outbox").status_code == 403
    assert client.post("/en/manage/outbox/1/retry").status_code == 403


def test_a_mail_failing_for_three_days_ends_failed(app):
    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        queue_many(1)
        now, tries = utcnow(), 0
        while mails()[0].status == "queued" and tries < 40:
            now = mails()[0].next_attempt_at
            deliver(now)
            tries += 1
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
    [row] = mails()
    assert row.status == "failed" and now >= row.created_at + timedelta(days=3)
    assert 10 <= row.attempts <= 25, "from a minute up to six hours between tries"


# --- workers as processes of their own ------------------------------------------------------------


def wait_for(check, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def output_of(worker) -> str:
    worker.kill()
    return worker.stderr.read().decode()[-3000:]


def test_a_worker_killed_after_claiming_loses_nothing(app, database_url):
    queue_many(3)
    hanging = HangingServer()
    worker = start_worker(database_url, "doomed", hanging.port, timeout=60)
    try:
        assert wait_for(lambda: {m.status for m in mails()} == {"sending"}), output_of(worker)
        assert wait_for(lambda: len(hanging.connections) == 1)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        worker.kill()
        hanging.close()
    claimed = mails()
    assert {m.claimed_by for m in claimed} == {"doomed"}
    inbox, controller = start_inbox()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    try:
        lease_end = claimed[0].claimed_until
        assert deliver(lease_end - timedelta(seconds=1)) == 0, "the lease holds while the worker might live"
        assert deliver(lease_end + timedelta(seconds=1)) == 3
        inbox.wait(3)
    finally:
        controller.stop()
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
    assert len(inbox.messages) == 3 and {m.status for m in mails()} == {"sent"}


def test_two_workers_deliver_each_mail_exactly_once(app, database_url):
    count = 300
    queue_many(count)
    inbox, controller = start_inbox()
    workers = [start_worker(database_url, name, controller.port, once=True) for name in ("one", "two")]
    try:
        for worker in workers:
            assert worker.wait(120) == 0, output_of(worker)
        assert wait_for(lambda: len(inbox.messages) >= count, 10)
        time.sleep(0.3)
    finally:
        for worker in workers:
            worker.kill()
        controller.stop()
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(ids) == count and len(set(ids)) == count, "every mail once, none twice"
    assert {m.status for m in mails()} == {"sent"}
    assert {m.attempts for m in mails()} == {1}


def test_the_worker_command_delivers_and_signs_of_life(app, runner, inbox):
    queue_many(2)
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert len(inbox.messages) == 2
    assert db.session.scalar(select(func.count()).select_from(WorkerBeat)) == 1


# --- the admins hear of a silent worker -----------------------------------------------------------


def test_admins_are_warned_when_no_worker_was_seen_for_five_minutes(app, client, make_user, clock):
    login(client, make_user("admin", email="admin@example.org"))
    warning = "No worker has run yet"
    assert warning in client.get("/en/manage/").get_data(as_text=True)
    beat("web-test")
    db.session.commit()
    assert "No worker" not in client.get("/en/manage/").get_data(as_text=True)
    clock.shift(timedelta(minutes=6))
    page = client.get("/en/manage/").get_data(as_text=True)
    assert "No worker has been seen since" in page and "/en/manage/outbox" in page


# --- scheduled jobs -------------------------------------------------------------------------------


def local_instant(day, hhmm, tz="Europe/Berlin"):
    from timeutil import to_utc_naive, zone

    return to_utc_naive(datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time(), tzinfo=zone(tz)))


def test_a_job_runs_once_per_slot_with_two_workers(app, make_centre):
    make_centre(slug="nordstadt")  # the jobs per centre (the key reminders) run once for it
    day = utcnow().date()
    now = local_instant(day, "12:00")
    results, barrier = {}, threading.Barrier(2)

    def work(name):
        with app.app_context():
            barrier.wait()
            results[name] = jobs.run_due(name, now)

    threads = [threading.Thread(target=work, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    ran = [run for runs in results.values() for run in runs]
    assert sorted(name for name, *_ in ran) == sorted(jobs.JOBS), "each job once (per scope), by one of the two"
    slot = local_instant(day, "03:30")
    assert [r.slot for r in db.session.scalars(select(JobRun).where(JobRun.job == "purge-mail"))] == [slot]
    assert jobs.run_due("three", now) == []


def test_a_job_catches_up_after_the_worker_was_down(app):
    day = utcnow().date()
    jobs.run_due("w", local_instant(day, "12:00"))
    later = day + timedelta(days=2)
    ran = [(name, slot) for name, _, slot, _ in jobs.run_due("w", local_instant(later, "09:00"))]
    assert ("purge-mail", local_instant(day + timedelta(days=1), "03:30")) in ran
    assert ("purge-mail", local_instant(later, "03:30")) in ran
    assert len([name for name, _ in ran if name == "purge-mail"]) == 2
    assert jobs.run_due("w", local_instant(later, "09:05")) == []


def test_job_slots_keep_the_local_time_across_the_clock_change():
    job = jobs.Job("test", datetime.strptime("03:30", "%H:%M").time(), lambda *a: "")
    before = local_instant(datetime(2027, 10, 30).date(), "12:00")
    after = local_instant(datetime(2027, 11, 1).date(), "12:00")
    slots = jobs.due_slots(job, "Europe/Berlin", before, after)
    assert [s.strftime("%H:%M") for s in slots] == ["02:30", "02:30"]  # 03:30 CEST is 01:30 UTC, CET 02:30 UTC
    assert jobs.due_slots(job, "Europe/Berlin", before, after)[0].date() == datetime(2027, 10, 31).date()
    assert [s.hour for s in jobs.due_slots(job, "America/New_York", None, after)] == [7]  # EDT until 7 November


def test_the_purge_empties_messages_older_than_30_days(app, inbox):
    queue_many(2)
    inbox.wait(2)
    old, recent = mails()
    old.sent_at = utcnow() - timedelta(days=31)
    db.session.commit()
    job = jobs.JOBS["purge-mail"]
    assert jobs.run_slot(job, "city", None, utcnow(), "w") == "1 messages purged"
    old, recent = mails()
    assert old.message is None and old.purged_at is not None and recent.message is not None
    assert not old.can_retry


def test_each_job_is_a_command(app, runner):
    listed = runner.invoke(args=["jobs", "list"])
    assert "purge-mail" in listed.output and "expired-tokens" in listed.output
    first = runner.invoke(args=["jobs", "run", "expired-tokens"])
    assert first.exit_code == 0 and "deleted" in first.output
    again = runner.invoke(args=["jobs", "run", "expired-tokens"])
    assert "ran before" in again.output
    assert os.environ.get("WS_NOT_SET") is None
