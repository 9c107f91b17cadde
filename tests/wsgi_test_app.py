"""The application for gunicorn in tests/test_concurrency.py: the test configuration on WS_TEST_DATABASE_URL.

    WS_TEST_DATABASE_URL=sqlite:////tmp/x.db gunicorn --chdir tests wsgi_test_app:app
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), HERE]

from conftest import make_test_app  # noqa: E402

app = make_test_app(os.environ["WS_TEST_DATABASE_URL"])
