"""The worker's loop: a heartbeat, the due jobs, then the outbox until nothing is due; sleep; again.

SIGTERM and SIGINT end it after the current mail (systemd, Procfile managers, Ctrl-C). A worker killed harder
leaves its claimed mails ``sending``: another worker takes them again once their lease has run out.
"""

import logging
import os
import signal
import socket
import threading
import time

from sqlalchemy import update

from database import write_transaction
from extensions import db
from outbox import delivery, jobs, rounds
from outbox.models import WorkerBeat
from timeutil import utcnow

BEAT_SECONDS = 30
log = logging.getLogger("welcome.worker")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def beat(name: str, now=None) -> None:
    now = now or utcnow()
    db.session.rollback()  # a transaction of its own (on SQLite: BEGIN IMMEDIATE)
    with write_transaction():
        found = db.session.execute(update(WorkerBeat).where(WorkerBeat.name == name).values(seen_at=now)).rowcount
        if not found:
            db.session.add(WorkerBeat(name=name, started_at=now, seen_at=now))
        db.session.commit()


class Worker:
    def __init__(self, name=None, poll=5.0):
        self.name = name or worker_name()
        self.poll = poll
        self.stopping = threading.Event()
        self.last_beat = 0.0
        self.last_jobs = 0.0
        self.last_rounds: dict[str, float] = {}

    def stop(self, *_args):
        self.stopping.set()

    def tick(self) -> int:
        """One round; returns the number of mails claimed."""
        if time.monotonic() - self.last_beat >= BEAT_SECONDS:
            beat(self.name)
            self.last_beat = time.monotonic()
        if time.monotonic() - self.last_jobs >= self.poll:
            try:
                jobs.run_due(self.name)
            except Exception:  # e.g. the database away for a moment: the next round tries again
                db.session.rollback()
                log.exception("Running the scheduled jobs failed")
            self.last_jobs = time.monotonic()
        self.run_rounds()
        total = 0
        while not self.stopping.is_set():
            count = delivery.deliver_due(self.name)
            total += count
            if count < delivery.BATCH:
                break
        return total

    def run_rounds(self) -> None:
        for round_ in rounds.ROUNDS.values():
            if time.monotonic() - self.last_rounds.get(round_.name, -round_.seconds) < round_.seconds:
                continue
            try:
                summary = round_.work(utcnow())
                log.debug("Round %s: %s", round_.name, summary)
            except Exception:
                db.session.rollback()
                log.exception("The round %s failed", round_.name)
            self.last_rounds[round_.name] = time.monotonic()

    def run(self, once=False) -> None:
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self._loop(once)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _loop(self, once) -> None:
        log.info("Worker %s started", self.name)
        while not self.stopping.is_set():
            try:
                self.tick()
            except Exception:
                db.session.rollback()
                log.exception("Worker round failed; trying again in %s s", self.poll)
            finally:
                db.session.remove()
            if once:
                break
            self.stopping.wait(self.poll)
        log.info("Worker %s stopped", self.name)
