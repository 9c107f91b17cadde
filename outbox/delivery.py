"""Delivering the outbox: claim the due mails, send them over one SMTP connection, record each answer.

Claiming is one short transaction: the due mails (queued and due, or ``sending`` whose lease ran out because
their worker died) are selected ``FOR UPDATE SKIP LOCKED`` — on PostgreSQL two workers never claim the same
mail; on SQLite ``BEGIN IMMEDIATE`` serialises the claims — and marked ``sending`` with a lease. SMTP runs
outside any transaction. Each answer is committed on its own: ``sent``; a temporary failure (refused or lost
connection, timeout, 4xx) back to ``queued`` with back-off, from a minute doubling up to six hours; a permanent
refusal (5xx), or still failing when the mail's ``give_up_at`` (three days) has come, ``failed``. When the
connection itself fails, the rest of the batch goes back to the queue untried (the server is down for all).
Without MAIL_SERVER one line per mail is logged (its id and subject, never its body) and it counts as sent; the
outbox page shows it to admins.
"""

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from database import write_transaction
from extensions import db
from outbox.models import FAILED, QUEUED, SENDING, SENT, OutboxMail
from timeutil import utcnow

BACKOFF_FIRST = 60
BACKOFF_MAX = 6 * 3600
BATCH = 50
log = logging.getLogger("welcome.outbox")


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 1, 2, 4 … minutes, at most six hours."""
    return timedelta(seconds=min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX))


@dataclass
class Claimed:
    id: int
    sender: str
    recipient: str
    message: bytes
    subject: str
    request_id: str | None
    attempts: int
    give_up_at: object


class Temporary(Exception):
    """Try again later; ``connection``: the server as a whole is unreachable."""

    def __init__(self, text, connection=False):
        super().__init__(text)
        self.connection = connection


class Permanent(Exception):
    """The server refused this mail for good (5xx) or it cannot be sent as it is."""


def _due(now):
    return or_(and_(OutboxMail.status == QUEUED, OutboxMail.next_attempt_at <= now),
               and_(OutboxMail.status == SENDING, OutboxMail.claimed_until < now))


def claim(worker: str, now=None, limit: int = BATCH) -> list[Claimed]:
    """Mark up to ``limit`` due mails as this worker's for the lease; return what is needed to send them."""
    now = now or utcnow()
    lease = timedelta(seconds=current_app.config.get("MAIL_LEASE_SECONDS", 600))
    db.session.rollback()  # a transaction of its own (on SQLite: BEGIN IMMEDIATE)
    with write_transaction():
        rows = db.session.execute(
            select(OutboxMail.id, OutboxMail.sender, OutboxMail.recipient, OutboxMail.message, OutboxMail.subject,
                   OutboxMail.request_id, OutboxMail.attempts, OutboxMail.give_up_at)
            .where(_due(now), OutboxMail.message.is_not(None))
            .order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if rows:
            db.session.execute(
                update(OutboxMail).where(OutboxMail.id.in_([row.id for row in rows]))
                .values(status=SENDING, claimed_by=worker, claimed_until=now + lease, attempts=OutboxMail.attempts + 1)
            )
        db.session.commit()
    return [Claimed(row.id, row.sender, row.recipient, row.message, row.subject, row.request_id, row.attempts + 1,
                    row.give_up_at) for row in rows]


def _record(mail_id: int, worker: str, **values) -> None:
    """Write an answer, unless another worker took the mail over (our lease ran out meanwhile)."""
    with write_transaction():
        db.session.execute(update(OutboxMail).where(OutboxMail.id == mail_id, OutboxMail.claimed_by == worker,
                                                    OutboxMail.status == SENDING)
                           .values(claimed_until=None, **values))
        db.session.commit()


class Transport:
    """One SMTP connection for a batch, opened on the first mail; the log when no MAIL_SERVER is configured."""

    def __init__(self, config):
        self.config = config
        self.smtp = None

    def _connect(self):
        config = self.config
        server, port = config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25)
        timeout = float(config.get("MAIL_TIMEOUT") or 30)
        if config.get("MAIL_USE_SSL"):
            smtp = smtplib.SMTP_SSL(server, port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(server, port, timeout=timeout)
        try:
            if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, mail: Claimed) -> None:
        if not self.config.get("MAIL_SERVER"):
            # One line, never the body or the address (personal data); a warning, so that default logging shows it.
            current_app.logger.warning("E-mail %s not sent: no MAIL_SERVER configured (1 recipient, subject %r)",
                                       mail.id, mail.subject)
            return
        try:
            if self.smtp is None:
                self.smtp = self._connect()
            options = ["SMTPUTF8"] if not (mail.sender + mail.recipient).isascii() else []
            self.smtp.sendmail(mail.sender, [mail.recipient], mail.message, mail_options=options)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()), (450, b""))
            raise (Permanent if code >= 500 else Temporary)(f"{code} {_text(text)}") from error
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            raise (Permanent if error.smtp_code >= 500 else Temporary)(
                f"{error.smtp_code} {_text(error.smtp_error)}") from error
        except smtplib.SMTPNotSupportedError as error:
            raise Permanent(str(error)) from error
        except (smtplib.SMTPException, OSError) as error:  # refused, timed out, disconnected, TLS, login
            self.close()
            raise Temporary(f"{type(error).__name__}: {error}", connection=True) from error
        except (UnicodeError, ValueError) as error:
            raise Permanent(f"{type(error).__name__}: {error}") from error

    def close(self):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def deliver_due(worker: str, now=None, limit: int = BATCH) -> int:
    """One pass: claim up to ``limit`` due mails and try each once. Returns the number claimed."""
    now = now or utcnow()
    batch = claim(worker, now, limit)
    transport = Transport(current_app.config)
    try:
        for position, mail in enumerate(batch):
            try:
                transport.send(mail)
            except Temporary as error:
                _failed_for_now(mail, worker, str(error), now)
                if error.connection:
                    _release(batch[position + 1:], worker, now + backoff(mail.attempts))
                    break
            except Permanent as error:
                log.warning("Mail %s refused for good: %s", mail.id, error, extra={"request_id": mail.request_id or "-"})
                _record(mail.id, worker, status=FAILED, last_error=str(error)[:2000])
            else:
                _record(mail.id, worker, status=SENT, sent_at=utcnow(), last_error="")
                log.info("Mail %s sent (try %d)", mail.id, mail.attempts, extra={"request_id": mail.request_id or "-"})
    finally:
        transport.close()
    return len(batch)


def _failed_for_now(mail: Claimed, worker: str, error: str, now) -> None:
    if mail.give_up_at is not None and now >= mail.give_up_at:
        log.warning("Mail %s given up after %d tries: %s", mail.id, mail.attempts, error)
        _record(mail.id, worker, status=FAILED, last_error=error[:2000])
    else:
        _record(mail.id, worker, status=QUEUED, next_attempt_at=now + backoff(mail.attempts), last_error=error[:2000])


def _release(mails: list[Claimed], worker: str, when) -> None:
    """Back to the queue untried (the attempt that claim counted is taken back)."""
    if not mails:
        return
    with write_transaction():
        db.session.execute(update(OutboxMail).where(OutboxMail.id.in_([m.id for m in mails]),
                                                    OutboxMail.claimed_by == worker, OutboxMail.status == SENDING)
                           .values(status=QUEUED, claimed_until=None, next_attempt_at=when,
                                   attempts=OutboxMail.attempts - 1))
        db.session.commit()


def deliver_all(worker: str, now=None) -> int:
    """Deliver until nothing is due (tests, ``flask worker --once``)."""
    total = 0
    while (count := deliver_due(worker, now)) > 0:
        total += count
        if count < BATCH:
            break
    return total
