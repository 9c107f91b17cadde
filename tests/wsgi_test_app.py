"""The application for gunicorn in tests/test_concurrency.py: the test configuration on WS_TEST_DATABASE_URL.

    WS_TEST_DATABASE_URL=sqlite:////tmp/x.db gunicorn --chdir tests wsgi_test_app:app
"""

import os
import sys
from datetime import datetime

import time_machine

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), HERE]

from conftest import make_test_app  # noqa: E402

if os.environ.get("WELCOME_TEST_NOW"):  # the instant the tests started at (conftest --now); the clock runs on
    time_machine.travel(datetime.fromisoformat(os.environ["WELCOME_TEST_NOW"]), tick=True).start()

app = make_test_app(os.environ["WS_TEST_DATABASE_URL"])
