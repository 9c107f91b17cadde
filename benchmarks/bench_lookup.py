"""Benchmark: one lookup of the data-version row, the way every cached page and feed asks it (issue #13).

    .venv/bin/python benchmarks/bench_lookup.py                  # SQLite
    .venv/bin/python benchmarks/bench_lookup.py --postgresql     # PostgreSQL (a server URL may follow)

A fresh database with the schema (``flask --app app init-db``); in one
process, inside an application context, each way is timed over ``--count``
lookups after 500 warm-ups (best of three rounds):

* ours: ``feeds.data_version.current()`` (its own pooled connection, in
  autocommit, the driver's cursor);
* (a) the same SQL through the application's engine (``db.engine.connect()``
  and ``exec_driver_sql``, autocommit on PostgreSQL; its pool pre-pings);
* (b) the same through the ORM session (``db.session.scalar``, then the
  transaction ended, as a request does).

Printed: microseconds per lookup and the ratios ours/(a), ours/(b).
"""

import argparse
import sys
import time

from bench_city import ROOT, databases, flask

sys.path.insert(0, str(ROOT))


def best(function, count: int) -> float:
    for _ in range(500):
        function()
    rounds = []
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(count):
            function()
        rounds.append((time.perf_counter() - started) / count * 1e6)
    return min(rounds)


def measure(url: str, count: int) -> dict:
    from sqlalchemy import text

    from app import create_app
    from extensions import db
    from feeds import data_version

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": False})
    with app.app_context():
        def engine():
            with db.engine.connect() as connection:
                if connection.dialect.name == "postgresql":
                    connection = connection.execution_options(isolation_level="AUTOCOMMIT")
                return connection.exec_driver_sql(data_version.CURRENT).scalar()

        def session():
            value = db.session.scalar(text(data_version.CURRENT))
            db.session.rollback()
            return value

        assert data_version.current() == engine() == session()
        figures = {"ours": best(data_version.current, count), "engine": best(engine, count),
                   "session": best(session, count)}
        db.session.remove()
        db.engine.dispose()
        data_version.dispose()
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgresql", nargs="?", const="postgresql://postgres@127.0.0.1:5432/postgres",
                        default=None, help="a server URL")
    parser.add_argument("--count", type=int, default=5000)
    args = parser.parse_args()
    (url, _), drop = databases(args.postgresql)
    try:
        flask(url, "init-db")
        figures = measure(url, args.count)
    finally:
        drop()
    print(f"{'PostgreSQL' if args.postgresql else 'SQLite'}: the data-version row, µs per lookup "
          f"(best of 3 × {args.count})")
    print(f"  ours: feeds.data_version.current()   {figures['ours']:7.1f}")
    print(f"  (a) the application's engine         {figures['engine']:7.1f}   ours/(a) = "
          f"{figures['ours'] / figures['engine']:.2f}")
    print(f"  (b) the ORM session                  {figures['session']:7.1f}   ours/(b) = "
          f"{figures['ours'] / figures['session']:.2f}")


if __name__ == "__main__":
    main()
