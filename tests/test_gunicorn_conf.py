"""gunicorn.conf.py as operators run it: two workers, the app's own request log (no paths, so no calendar
tokens), the request id returned, and /metrics summing the figures of both workers (prometheus multiprocess)."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from mail_support import free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def metric_sum(body, name, **labels):
    total = 0.0
    for line in body.splitlines():
        if line.startswith(name + "{") and all(f'{key}="{value}"' in line for key, value in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_two_workers_log_each_request_and_sum_their_metrics(_app, database_url, tmp_path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {**os.environ, "WS_TEST_DATABASE_URL": database_url, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    with open(log, "w") as errors:
        process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
                                    "--chdir", str(ROOT / "tests"), "wsgi_test_app:app"],
                                   env=env, cwd=ROOT, stdout=errors, stderr=errors)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while get_or_none(base + "/healthz") != 200:
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        for _ in range(12):
            status, headers, _ = get(base + "/de/", {"X-Request-ID": "lb-42"})
            assert status == 200 and headers["X-Request-ID"] == "lb-42"
        assert get(base + "/feeds/ws_secret-calendar-token.ics")[0] == 404
        sums = {metric_sum(get(base + "/metrics")[2], "welcome_http_request_duration_seconds_count",
                           endpoint="/<lang>/") for _ in range(6)}
        assert sums == {12.0}, "every scrape, whichever worker answers it, sums both workers"
    finally:
        process.terminate()
        process.wait(20)
    text = log.read_text()
    assert text.count("welcome.access [lb-42] request") == 12
    assert "endpoint=/feeds/<token>.ics status=404" in text and "secret-calendar-token" not in text


def get_or_none(url):
    try:
        return get(url)[0]
    except OSError:
        return None
