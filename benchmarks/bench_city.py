"""Benchmark: the demo city against a large city, each served by gunicorn with two workers (issue #22).

    .venv/bin/python benchmarks/bench_city.py                    # SQLite, a smaller city (10 x 10 x 1)
    .venv/bin/python benchmarks/bench_city.py --postgresql       # PostgreSQL, the issue's city (40 x 10 x 2)
    .venv/bin/python benchmarks/bench_city.py --postgresql --centres 20 --rooms 10 --years 1 --runs 9

Two fresh databases (temporary SQLite files, or PostgreSQL databases created
and dropped by the run): the demo (``flask --app app seed-demo``) and the city
(``flask --app app seed-city``, which grows the demo through the booking
services). Each is served in turn by ``gunicorn -c gunicorn.conf.py app:app``
with two workers, and every request below is timed over HTTP: the median of
``--runs`` requests after two warm-ups. Then the ratio city / demo. The issue's
bar: every request ≤ 1.5× its demo time and ≤ 100 ms (the room search
≤ 150 ms), cold: the page cache of #13 switched off
(``PAGE_CACHE_SECONDS=0``), and feeds are timed as built from
nothing (each request in a language no worker has built yet: no cached feed
and no fragment answers) and as checked for freshness
(``FEEDS_RECHECK_SECONDS=0``: the data-version row on every request).

Then, after one event of Nordstadt changes (an edit through the application,
in this process), the next city feed: its time against the full build (the bar:
≤ 0.1×), the events rendered for it and how often another centre's feed was
built meanwhile (both counted from ``/metrics``; the bar: 0). Also printed:
each worker's resident memory (VmRSS) after serving the city feed (the bar:
under 300 MB), the ``icalendar`` library serialising the feed's VEVENTs (parsed
from it; the bar: the feed built from nothing ≤ 1.5× that), and the city's size.
"""

import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
WARMUPS = 2
# A feed built from nothing: each timed request asks for a language neither worker has built yet (fragments
# are per language), so at most len(LANGUAGES) - WARMUPS runs.
LANGUAGES = ("de", "en", "tr", "ar", "uk", "ru", "it", "el", "hr", "fa")
BUILT = "/<lang>/events.ics built from nothing (new language)"


def flask(url: str, *args: str) -> str:
    env = dict(os.environ, DATABASE_URL=url)
    done = subprocess.run([str(VENV_BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn -w 2 on the database, answering on a free local port."""

    def __init__(self, url: str, page_cache: bool = False):
        self.port = free_port()
        env = dict(os.environ, DATABASE_URL=url, BIND=f"127.0.0.1:{self.port}", WEB_CONCURRENCY="2",
                   SECRET_KEY=secrets.token_hex(16), FEEDS_RECHECK_SECONDS="0", FEED_BUILD_LIMIT="100000 per 60",
                   SEARCH_LIMIT="100000 per 60", LOG_FORMAT="text", PAGE_CACHE_SECONDS="60" if page_cache else "0")
        env.pop("REDIS_URL", None)
        self.process = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "app:app"],
                                        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.get("/healthz")
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start")

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=120) as response:
            return response.read()

    def worker_rss_mb(self) -> list[float]:
        children = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        sizes = []
        for pid in children.split():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


def timed(server: Server, paths, runs: int) -> float:
    """The median of ``runs`` requests (ms); ``paths`` is one path or a function of the run's number."""
    def path(n):
        return paths(n) if callable(paths) else paths

    for n in range(WARMUPS):
        server.get(path(-1 - n))
    times = []
    for n in range(runs):
        started = time.perf_counter()
        server.get(path(n))
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def requests(today: date) -> list[tuple[str, object]]:
    """(label, path or path of the run's number): the issue's table."""
    month = today.replace(day=1)
    february = (month + timedelta(days=62)).replace(day=1)
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 + 14)
    until = tuesday + timedelta(weeks=26)
    search = (f"/api/v1/rooms/search?start={tuesday}T18:00&end={tuesday}T20:00&weekdays=TU&until={until}"
              f"&capacity=10")
    return [
        ("month view, this month", f"/de/events/?view=month&month={month:%Y-%m}"),
        ("month view, in two months", f"/de/events/?view=month&month={february:%Y-%m}"),
        (BUILT, lambda n: f"/{LANGUAGES[n % len(LANGUAGES)]}/events.ics"),
        ("/de/events.ics, the freshness check", "/de/events.ics"),
        ("/api/v1/events (30 days)", f"/api/v1/events?start={today}&end={today + timedelta(days=30)}"),
        ("/api/v1/rooms/search, 2 h weekly for 6 months", search),
        ("/de/centres/", "/de/centres/"),
        ("/de/events/", "/de/events/"),
        ("a centre page", "/de/centres/nordstadt/"),
    ]


def bare_icalendar(body: bytes, runs: int) -> float:
    """The yardstick of the issue: the ``icalendar`` library serialising the same VEVENTs (the feed, parsed;
    the parsing is not timed), median ms."""
    import icalendar

    calendar = icalendar.Calendar.from_ical(body)
    times = []
    for _ in range(max(3, runs // 2)):
        started = time.perf_counter()
        calendar.to_ical()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def metric(server: Server, name: str) -> float:
    """A counter summed over the workers, from /metrics."""
    total = 0.0
    for line in server.get("/metrics").decode().splitlines():
        if line.startswith(name) and not line.startswith("#"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def change_one_event(url: str) -> None:
    """What an organiser's edit does to one public event of Nordstadt (its texts, SEQUENCE and change time)."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select

    from app import create_app
    from centres.models import Centre
    from events.models import Event
    from extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        event = db.session.scalars(select(Event).join(Centre).where(Centre.slug == "nordstadt")
                                   .order_by(Event.id)).first()
        event.title = {**event.title, "de": f"{event.title.get('de', '')} (geändert)"}
        event.touch()
        db.session.commit()
        db.engine.dispose()


def after_a_change(server: Server, url: str, runs: int) -> dict:
    """The city feed and another centre's feed after one event changed: time, fragments rendered, feeds built."""
    city, other = "/de/events.ics", "/de/centres/suedstadt/events.ics"
    for path in (city, other):  # both workers hold both feeds: two requests at once, one for each worker
        for _ in range(3):
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(server.get, (path, path)))
    times, fragments, builds_other = [], 0.0, 0.0
    for _ in range(runs):
        change_one_event(url)
        before = metric(server, "welcome_feed_fragments_rendered_total")
        started = time.perf_counter()
        server.get(city)
        times.append((time.perf_counter() - started) * 1000)
        fragments += metric(server, "welcome_feed_fragments_rendered_total") - before
        before = metric(server, "welcome_feed_builds_total")
        server.get(other)
        builds_other += metric(server, "welcome_feed_builds_total") - before
    return {"after_change": statistics.median(times), "fragments": fragments / runs, "builds_other": builds_other}


def measure(url: str, runs: int, today: date) -> dict:
    server = Server(url)
    try:
        figures = {}
        for label, path in requests(today):
            try:
                figures[label] = timed(server, path, runs)
            except OSError as error:  # urllib's HTTPError too: say which request failed
                raise RuntimeError(f"{label}: {error}") from error
        figures.update(after_a_change(server, url, runs))
        server.get("/de/events.ics")
        figures["rss"] = max(server.worker_rss_mb() or [0.0])
        body = server.get("/de/events.ics")
        figures["feed_bytes"] = len(body)
        figures["icalendar"] = bare_icalendar(body, runs)
    finally:
        server.stop()
    return figures


def databases(postgresql: str | None):
    """Two empty databases' URLs and a function dropping them."""
    if postgresql is None:
        folder = tempfile.mkdtemp(prefix="bench-city-")
        return [f"sqlite:///{folder}/demo.db", f"sqlite:///{folder}/city.db"], lambda: None
    import psycopg

    names = [f"bench_city_{kind}_{secrets.token_hex(4)}" for kind in ("demo", "city")]
    with psycopg.connect(postgresql, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    base = postgresql.rsplit("/", 1)[0]

    def drop():
        with psycopg.connect(postgresql, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return [f"{base}/{name}" for name in names], drop


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgresql", nargs="?", const=DEFAULT_PG, default=None, help="a server URL")
    parser.add_argument("--centres", type=int)
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--years", type=int)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if args.runs > len(LANGUAGES) - WARMUPS:
        parser.error(f"--runs: at most {len(LANGUAGES) - WARMUPS} (a feed built from nothing per language)")
    centres = args.centres or (40 if args.postgresql else 10)
    years = args.years or (2 if args.postgresql else 1)
    (demo_url, city_url), drop = databases(args.postgresql)
    try:
        started = time.perf_counter()
        for url in (demo_url, city_url):
            flask(url, "init-db")
        flask(demo_url, "seed-demo")
        grown = flask(city_url, "seed-city", "--centres", str(centres), "--rooms", str(args.rooms),
                      "--years", str(years))
        print(f"{'PostgreSQL' if args.postgresql else 'SQLite'}; seeded in {time.perf_counter() - started:.0f} s")
        print(f"city: {grown}")
        today = date.today()
        demo = measure(demo_url, args.runs, today)
        city = measure(city_url, args.runs, today)
    finally:
        drop()
    print(f"\nmedian of {args.runs} after {WARMUPS} warm-ups, gunicorn -w 2, ms")
    print(f"{'request':50} {'demo':>8} {'city':>8} {'ratio':>6}")
    for label, _path in requests(today):
        print(f"{label:50} {demo[label]:8.1f} {city[label]:8.1f} {city[label] / demo[label]:6.2f}")
    built = BUILT
    print(f"{'/de/events.ics after one event changed':50} {demo['after_change']:8.1f} {city['after_change']:8.1f} "
          f"{city['after_change'] / demo['after_change']:6.2f}")
    print(f"{'  ... against the full build (bar: <= 0.1)':50} {demo['after_change'] / demo[built]:8.2f} "
          f"{city['after_change'] / city[built]:8.2f}")
    print(f"{'  ... events rendered for it (median run)':50} {demo['fragments']:8.1f} {city['fragments']:8.1f}")
    print(f"{'  ... builds of another centre feed meanwhile':50} {demo['builds_other']:8.0f} {city['builds_other']:8.0f}")
    print(f"{'bare icalendar serialising the same VEVENTs':50} {demo['icalendar']:8.1f} {city['icalendar']:8.1f}")
    print(f"{'  ... the feed from nothing against it (bar: <= 1.5)':50} {demo[built] / demo['icalendar']:8.2f} "
          f"{city[built] / city['icalendar']:8.2f}")
    print(f"{'feed size (KB)':50} {demo['feed_bytes'] / 1024:8.0f} {city['feed_bytes'] / 1024:8.0f}")
    print(f"{'largest worker RSS after the feed (MB)':50} {demo['rss']:8.0f} {city['rss']:8.0f}")


if __name__ == "__main__":
    main()
