"""Scheduled jobs: each runs daily at a local time (the city's zone, or each centre's), once per slot.

A slot is a job, a scope ("city" or "centre:<id>") and the scheduled instant. Running it is one transaction that
inserts its ``job_run`` row (unique per slot) and does the job's work: with two workers the second waits for
the first and finds the slot taken (PostgreSQL: the unique index; SQLite: the write lock); a job that fails
rolls back its row with its work, so the slot is tried again. After downtime the slots missed since the last
run (at most ``CATCH_UP_DAYS``) run at the next tick; a job that never ran starts with its latest slot. Jobs
write to the database and the outbox only. Each job is also ``flask --app app jobs run NAME`` for cron.

Later issues add theirs with ``@job(...)`` (keys not returned, the retention purge), and work to repeat every
few seconds with ``outbox.rounds.every`` (the waiting list's offers).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from accounts.models import ApiToken, UserSession
from centres.models import Centre
from database import write_transaction
from extensions import db
from feeds.models import FeedToken
from operations import throttle
from operations.idempotency import KEEP
from operations.models import IdempotentRequest
from outbox.models import CANCELLED, FAILED, SENT, JobRun, OutboxMail, WorkerBeat
from timeutil import to_local, to_utc_naive, utcnow, zone

CATCH_UP_DAYS = 3
MAIL_KEEP_DAYS = 30
REVOKED_KEEP_DAYS = 90
SESSIONS_KEEP_DAYS = 30
log = logging.getLogger("welcome.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    at: time
    work: Callable  # work(centre or None, slot, now) -> a short summary
    per_centre: bool = False
    description: str = ""


JOBS: dict[str, Job] = {}



def job(name: str, at: time, per_centre: bool = False):
    def register(work):
        JOBS[name] = Job(name, at, work, per_centre, (work.__doc__ or "").strip())
        return work
    return register


# --- when -----------------------------------------------------------------------------------


def scopes(job: Job) -> list[tuple[str, str, Centre | None]]:
    """(scope, time zone, centre) of each run of a slot."""
    if not job.per_centre:
        return [("city", current_app.config.get("BABEL_DEFAULT_TIMEZONE"), None)]
    centres = db.session.scalars(select(Centre).order_by(Centre.id)).all()
    return [(f"centre:{centre.id}", centre.timezone, centre) for centre in centres]


def due_slots(job: Job, tz_name: str | None, last: datetime | None, now: datetime) -> list[datetime]:
    """The slots (naive UTC) whose time has come since ``last``; only the latest when the job never ran."""
    today = to_local(now, tz_name).date()
    slots = []
    for back in range(CATCH_UP_DAYS, -1, -1):
        day = today - timedelta(days=back)
        slot = to_utc_naive(datetime.combine(day, job.at, tzinfo=zone(tz_name)))
        if slot <= now and (last is None or slot > last):
            slots.append(slot)
    return slots if last is not None else slots[-1:]


def last_slot(job: Job, scope: str) -> datetime | None:
    return db.session.scalar(select(func.max(JobRun.slot)).where(JobRun.job == job.name, JobRun.scope == scope))


# --- running --------------------------------------------------------------------------------


def run_slot(job: Job, scope: str, centre, slot: datetime, worker: str, now=None) -> str | None:
    """Run one slot unless it ran; the summary, or None when another run has it (or the job failed)."""
    now = now or utcnow()
    db.session.rollback()  # a transaction of its own (on SQLite: BEGIN IMMEDIATE)
    with write_transaction():
        try:
            taken = db.session.scalar(select(JobRun.id).where(JobRun.job == job.name, JobRun.scope == scope,
                                                               JobRun.slot == slot))
            if taken is not None:
                db.session.rollback()
                return None
            record = JobRun(job=job.name, scope=scope, slot=slot, worker=worker, started_at=now)
            db.session.add(record)
            db.session.flush()
        except IntegrityError:  # another worker inserted the slot first
            db.session.rollback()
            return None
        try:
            summary = str(job.work(centre, slot, now) or "")
        except Exception:
            db.session.rollback()
            log.exception("Job %s (%s, %s) failed; it is tried again", job.name, scope, slot)
            return None
        record.result = summary[:2000]
        db.session.commit()
    log.info("Job %s (%s, slot %s): %s", job.name, scope, slot, summary)
    return summary


def run_due(worker: str, now=None) -> list[tuple[str, str, datetime, str]]:
    """Every job's due slots, oldest first. Returns (job, scope, slot, summary) of the runs this worker made."""
    now = now or utcnow()
    ran = []
    for job_ in JOBS.values():
        for scope, tz_name, centre in scopes(job_):
            for slot in due_slots(job_, tz_name, last_slot(job_, scope), now):
                summary = run_slot(job_, scope, centre, slot, worker, now)
                if summary is not None:
                    ran.append((job_.name, scope, slot, summary))
    return ran


# --- the jobs -------------------------------------------------------------------------------


@job("purge-mail", time(3, 30))
def purge_mail(centre, slot, now):
    """Empty the outbox's messages 30 days after they left (personal data); forget old job runs and workers."""
    before = now - timedelta(days=MAIL_KEEP_DAYS)
    purged = db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.status.in_((SENT, FAILED, CANCELLED)), OutboxMail.message.is_not(None),
               func.coalesce(OutboxMail.sent_at, OutboxMail.created_at) < before)
        .values(message=None, purged_at=now)
    ).rowcount
    db.session.execute(delete(JobRun).where(JobRun.slot < now - timedelta(days=REVOKED_KEEP_DAYS)))
    db.session.execute(delete(WorkerBeat).where(WorkerBeat.seen_at < now - timedelta(days=7)))
    return f"{purged} messages purged"


@job("expired-tokens", time(4, 0))
def expired_tokens(centre, slot, now):
    """Delete API tokens and calendar addresses revoked more than 90 days ago, and idempotency keys after 24 h."""
    before = now - timedelta(days=REVOKED_KEEP_DAYS)
    api = db.session.execute(delete(ApiToken).where(ApiToken.revoked_at < before)).rowcount
    feeds = db.session.execute(delete(FeedToken).where(FeedToken.revoked_at < before)).rowcount
    keys = db.session.execute(delete(IdempotentRequest).where(IdempotentRequest.created_at < now - KEEP)).rowcount
    return f"{api} API tokens, {feeds} calendar addresses and {keys} idempotency keys deleted"


@job("expired-sessions", time(4, 15))
def expired_sessions(centre, slot, now):
    """Forget sign-in sessions ended or expired more than 30 days ago, and rate counters of past windows."""
    before = now - timedelta(days=SESSIONS_KEEP_DAYS)
    gone = db.session.execute(delete(UserSession).where(
        func.coalesce(UserSession.ended_at, UserSession.expires_at) < before)).rowcount
    counters = throttle.purge(now)
    return f"{gone} sessions and {counters} rate counters deleted"
