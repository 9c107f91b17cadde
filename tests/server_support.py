"""gunicorn serving the test database, for the tests that need real worker processes."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    """(Not mail_support's: this module is imported by test processes that have not imported the app yet.)"""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn_server(database_url, directory: Path, workers: int, settings: dict | None = None):
    """gunicorn with ``workers`` processes on ``database_url``: yields (base URL, error log, access log).

    ``settings`` are given to the application as environment variables (``config.ENV_SETTINGS``). The access
    log names the worker that answered each request (its pid first, then the status).
    """
    port = free_port()
    log, access = directory / "gunicorn.log", directory / "access.log"
    env = {**os.environ, **(settings or {}), "WS_TEST_DATABASE_URL": database_url}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--chdir", str(ROOT / "tests"), "--timeout", "60", "--graceful-timeout", "5",
         "--error-logfile", str(log), "--access-logfile", str(access), "--access-logformat", "%(p)s %(s)s %(U)s",
         "--capture-output", "wsgi_test_app:app"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/api/v1/centres", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("gunicorn did not start:\n" + (log.read_text() if log.exists() else ""))
        time.sleep(0.2)
    # every worker has imported the app once requests are answered; give the rest a moment
    time.sleep(1.0)
    try:
        yield base, log, access
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
