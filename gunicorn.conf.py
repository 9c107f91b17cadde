"""gunicorn for production: ``gunicorn -c gunicorn.conf.py app:app`` (the settings below read the environment).

Timeouts: the database answers within DATABASE_STATEMENT_TIMEOUT (15 s) or the request ends as a 503, well
inside ``timeout`` (30 s). Logs: the app writes one line per request itself (``welcome.access``: endpoint
template, status, duration, request id, user id — never a path, which may hold a calendar token), so gunicorn's
own access log is off. Metrics: every worker writes its figures to PROMETHEUS_MULTIPROC_DIR and /metrics sums
them.
"""

import os
import shutil
import tempfile

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30  # SIGTERM: requests in flight finish, for up to 30 s
keepalive = 5
# Renew workers now and then (memory). Not too often: a new worker imports the app (a second or two, the
# slowest answers under load) and starts with an empty page cache.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
accesslog = None
errorlog = "-"
loglevel = "info"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), "welcome-metrics"))
# Only now: prometheus_client picks its multiprocess storage when first imported (the workers inherit it).
from prometheus_client import multiprocess  # noqa: E402


def on_starting(server):
    """A fresh directory for this run's figures (old workers' files would be summed in)."""
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)
