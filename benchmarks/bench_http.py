"""Benchmark: public pages, API and feed under load, against a static file, on gunicorn -w 2 (issue #13).

    .venv/bin/python benchmarks/bench_http.py                  # SQLite
    .venv/bin/python benchmarks/bench_http.py --postgresql     # PostgreSQL (a server URL may follow)
    .venv/bin/python benchmarks/bench_http.py --seconds 5 --connections 16

Needs ``wrk`` (Debian: ``apt-get install wrk``). Two fresh databases: the
demo city (``flask --app app seed-demo``) and the demo city with about 2,000
extra approved dates (``flask --app app seed-city --centres 1 --rooms 8
--years 1``). Each is served in turn by ``gunicorn -c gunicorn.conf.py
app:app`` with two workers and the page cache on (its default); every URL is
driven by ``wrk -t2 -c<connections> -d<seconds>s --latency`` after a warm-up
request, as is, in the same server, a static file of the feed's size (the
baseline). Printed: requests/s, p50 and p99 latency (ms) at full load, the
ratio to the static file, and at scale the ratio to the demo.

The issue's bars: each page and the API ≥ 500 req/s, p99 < 100 ms at half
that rate (the p99 printed here is at full load, which is stricter); the feed
≥ 0.8× and its 304 ≥ 1.0× the static file; at scale ≤ 1.5× slower.
wrk runs on the same two cores as the workers, as a phone's hundred visitors
would not: absolute figures are lower than on a separate load machine, the
ratios hold.
"""

import argparse
import re
import shutil
import subprocess
import sys
import urllib.request
from datetime import date, timedelta

from bench_city import ROOT, Server, databases, flask

STATIC = ROOT / "static" / "_bench"
PAGES = ["/de/events/", "/ar/events/?view=month", "/de/centres/", "/de/centres/nordstadt/"]


def targets(today: date) -> list[tuple[str, str, dict]]:
    """(label, path, headers) of the pages and the API (the static file and the feed come first, in measure)."""
    month = f"/api/v1/events?start={today}&end={today + timedelta(days=30)}"
    return [(path, path, {}) for path in PAGES] + [("/api/v1/events (a month)", month, {})]


def wrk(port: int, path: str, headers: dict, seconds: int, connections: int) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                            check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rate": rate, "p50": _latency(output, "50%"), "p99": _latency(output, "99%"),
            "errors": int(errors.group(1)) if errors else 0}


def _latency(output: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", output).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def etag_of(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=120) as response:
        return response.headers["ETag"]


def measure(url: str, today: date, seconds: int, connections: int) -> dict:
    server = Server(url, page_cache=True)
    try:
        feed = server.get("/de/events.ics")
        STATIC.mkdir(exist_ok=True)
        (STATIC / "baseline.ics").write_bytes(feed)  # served by the same gunicorn, same size
        feed_tag = etag_of(server.port, "/de/events.ics")
        runs = [("static file, the feed's size", "/static/_bench/baseline.ics", {}),
                ("/de/events.ics", "/de/events.ics", {}),
                ("/de/events.ics, 304", "/de/events.ics", {"If-None-Match": feed_tag})]
        runs += targets(today)
        results = {"feed_bytes": len(feed)}
        for label, path, headers in runs:
            server.get(path)  # warm: the first answer is built, the rest is the load
            results[label] = wrk(server.port, path, headers, seconds, connections)
        return results
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgresql", nargs="?", const="postgresql://postgres@127.0.0.1:5432/postgres",
                        default=None, help="a server URL")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    (demo_url, scale_url), drop = databases(args.postgresql)
    try:
        for url in (demo_url, scale_url):
            flask(url, "init-db")
            flask(url, "seed-demo")
        grown = flask(scale_url, "seed-city", "--centres", "1", "--rooms", "8", "--years", "1")
        print(f"{'PostgreSQL' if args.postgresql else 'SQLite'}; at scale: {grown}")
        today = date.today()
        demo = measure(demo_url, today, args.seconds, args.connections)
        scale = measure(scale_url, today, args.seconds, args.connections)
    finally:
        drop()
        shutil.rmtree(STATIC, ignore_errors=True)
    static = "static file, the feed's size"
    print(f"\nwrk -t2 -c{args.connections} -d{args.seconds}s against gunicorn -w 2; feed "
          f"{demo['feed_bytes'] / 1024:.0f} KB (demo), {scale['feed_bytes'] / 1024:.0f} KB (at scale)")
    print(f"{'':34} {'demo':>30}   {'+2,000 dates':>30}")
    print(f"{'request':34} {'req/s':>8} {'p50':>6} {'p99':>6} {'× static':>8}   "
          f"{'req/s':>8} {'p50':>6} {'p99':>6} {'× static':>8} {'slower':>7}")
    for label in [key for key in demo if key != "feed_bytes"]:
        d, s = demo[label], scale[label]
        flag = " (non-2xx/3xx!)" if d["errors"] or s["errors"] else ""
        print(f"{label:34} {d['rate']:8.0f} {d['p50']:6.1f} {d['p99']:6.1f} {d['rate'] / demo[static]['rate']:8.2f}"
              f"   {s['rate']:8.0f} {s['p50']:6.1f} {s['p99']:6.1f} {s['rate'] / scale[static]['rate']:8.2f}"
              f" {d['rate'] / s['rate']:7.2f}{flag}")
    print("× static: req/s against the static file's in the same server; slower: the demo's req/s / at scale's")


if __name__ == "__main__":
    main()
