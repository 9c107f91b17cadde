"""SMTP servers for the mail tests: a real one (aiosmtpd) that keeps what it receives, one that accepts
connections and never answers, and the worker run in the test (``deliver``) or as a process of its own."""

import email
import os
import socket
import subprocess
import sys
import threading
import time
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import current_app

from extensions import db
from outbox.delivery import deliver_all
from timeutil import utcnow

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def deliver(now=None) -> int:
    """What a worker does with the outbox: deliver every due mail (the real delivery code), in an app context
    (and so a database session) of its own, as in the worker's process."""
    db.session.commit()  # the test's own transaction ends (a POST by the test client left one open)
    with current_app.app_context():
        return deliver_all("test-worker", now)


class Inbox:
    """aiosmtpd's handler: keeps each message; ``refuse`` maps addresses to the answer to RCPT TO."""

    def __init__(self):
        self.messages = []
        self.refuse = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def to(self, address):
        return [m for m in self.messages if address in m["To"]]

    def wait(self, count, timeout=5.0):
        """Run the worker's delivery, then wait for ``count`` messages."""
        deliver()
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


def start_inbox(port=None):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    return handler, controller


@pytest.fixture(name="inbox")
def inbox_fixture(app):
    handler, controller = start_inbox()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_DEFAULT_SENDER="zentrum@example.org")
    try:
        yield handler
    finally:
        controller.stop()
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)


class HangingServer:
    """Accepts SMTP connections and never says a word (a relay that hangs)."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.connections = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        self.socket.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture(name="hanging_smtp")
def hanging_smtp_fixture(app):
    server = HangingServer()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    try:
        yield server
    finally:
        server.close()
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25, MAIL_TIMEOUT=30)


def start_worker(database_url, name, port, *, once=False, timeout=30):
    """``outbox.worker.Worker`` in a process of its own on the test database, its clock at the test's now."""
    env = dict(os.environ, WS_TEST_DATABASE_URL=database_url, WELCOME_TEST_NOW=utcnow().isoformat() + "+00:00",
               WS_MAIL_PORT=str(port), WS_MAIL_TIMEOUT=str(timeout))
    args = [sys.executable, str(ROOT / "tests" / "worker_test_process.py"), name] + (["--once"] if once else [])
    return subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
