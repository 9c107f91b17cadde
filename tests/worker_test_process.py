"""The worker as a process of its own for tests/test_outbox.py: the test configuration on WS_TEST_DATABASE_URL,
SMTP on 127.0.0.1:WS_MAIL_PORT, the clock running on from WELCOME_TEST_NOW.

    python tests/worker_test_process.py NAME [--once]
"""

import logging
import os
import sys
from datetime import datetime

import time_machine

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), HERE]

from conftest import make_test_app  # noqa: E402

from outbox.worker import Worker  # noqa: E402

logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")

if os.environ.get("WELCOME_TEST_NOW"):
    time_machine.travel(datetime.fromisoformat(os.environ["WELCOME_TEST_NOW"]), tick=True).start()

app = make_test_app(os.environ["WS_TEST_DATABASE_URL"], MAIL_SERVER="127.0.0.1",
                    MAIL_PORT=int(os.environ["WS_MAIL_PORT"]), MAIL_TIMEOUT=float(os.environ["WS_MAIL_TIMEOUT"]),
                    MAIL_DEFAULT_SENDER="zentrum@example.org")
with app.app_context():
    Worker(name=sys.argv[1], poll=0.1).run(once="--once" in sys.argv)
