"""The outbox (one row per mail and recipient), the workers' heartbeats and the job slots that ran."""

from datetime import datetime, timedelta

from sqlalchemy import DateTime, Integer, LargeBinary, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from timeutil import utcnow

QUEUED, SENDING, SENT, FAILED, CANCELLED = "queued", "sending", "sent", "failed", "cancelled"
STATUSES = (QUEUED, SENDING, SENT, FAILED, CANCELLED)
WORKER_SILENCE_SECONDS = 5 * 60
GIVE_UP_AFTER = timedelta(days=3)
RETRYABLE, CANCELLABLE = (FAILED, CANCELLED), (QUEUED, FAILED)  # what an admin may send again / cancel


class OutboxMail(db.Model):
    """A finished message (RFC 5322 bytes with a fixed Message-ID) waiting for, or past, delivery.

    ``notice_key`` names what happened and to whom: the same notice is never queued twice. ``message`` is emptied
    (``purged_at``) 30 days after the mail left: the addresses and texts are personal data.
    """

    __tablename__ = "outbox_mail"
    __table_args__ = (db.Index("ix_outbox_mail_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_key: Mapped[str] = mapped_column(String(200), unique=True)
    sender: Mapped[str] = mapped_column(String(320))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300), default="")
    lang: Mapped[str | None] = mapped_column(String(10))
    message_id: Mapped[str] = mapped_column(String(250))
    message: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    give_up_at: Mapped[datetime | None] = mapped_column(DateTime)  # failing still then: failed
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    purged_at: Mapped[datetime | None] = mapped_column(DateTime)
    request_id: Mapped[str | None] = mapped_column(String(100))  # the web request that queued it (logs)

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} {self.status} to {self.recipient}>"

    @property
    def can_retry(self) -> bool:
        return self.status in RETRYABLE and self.message is not None

    @property
    def can_cancel(self) -> bool:
        return self.status in CANCELLABLE

    @staticmethod
    def requeued_values(now=None) -> dict:
        """An admin's retry: due at once, with three more days of trying."""
        now = now or utcnow()
        return {"status": QUEUED, "next_attempt_at": now, "give_up_at": now + GIVE_UP_AFTER, "claimed_by": None,
                "claimed_until": None}

    @classmethod
    def counts(cls) -> dict[str, int]:
        rows = db.session.execute(select(cls.status, func.count()).group_by(cls.status))
        counts = dict.fromkeys(STATUSES, 0)
        counts.update({status: count for status, count in rows})
        return counts


class WorkerBeat(db.Model):
    """A worker's last sign of life (one row per worker process)."""

    __tablename__ = "worker_beat"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @classmethod
    def last_seen(cls) -> datetime | None:
        return db.session.scalar(select(func.max(cls.seen_at)))

    @classmethod
    def silent(cls, seen=None, now=None) -> bool:
        """True when no worker has been seen for five minutes (``seen``: a ``last_seen()`` already read)."""
        seen = seen or cls.last_seen()
        return seen is None or ((now or utcnow()) - seen).total_seconds() > WORKER_SILENCE_SECONDS


class JobRun(db.Model):
    """A job's slot that ran: the unique (job, scope, slot) makes it run once with any number of workers."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "scope", "slot", name="uq_job_run_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    scope: Mapped[str] = mapped_column(String(80))  # "city" or "centre:<id>"
    slot: Mapped[datetime] = mapped_column(DateTime)  # the scheduled instant, naive UTC
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    worker: Mapped[str] = mapped_column(String(120), default="")
    result: Mapped[str] = mapped_column(Text, default="")
