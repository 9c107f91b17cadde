"""Nothing told is lost: every mail is a row of the outbox, written in the transaction of the change that causes
it, and delivered by the worker (``flask --app app worker``), which also runs the scheduled jobs.

* ``outbox.models`` — the outbox, the workers' heartbeats and the record of job slots;
* ``outbox.delivery`` — claiming due mails (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the write lock on SQLite),
  SMTP with back-off, a lease for mails claimed by a worker that died;
* ``outbox.jobs`` — jobs at a local time, once per slot with any number of workers, catching up after downtime;
* ``outbox.worker`` and ``outbox.cli`` — the loop and its commands; ``outbox.views`` — the admins' outbox page.
"""

from flask import Blueprint

bp = Blueprint("outbox", __name__)

from outbox import views  # noqa: E402,F401
