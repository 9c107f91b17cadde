"""``/metrics`` in the Prometheus text format (prometheus_client), for the configured networks or a token.

Counted in each process: requests by endpoint template, method and status with a latency histogram; bookings
requested, approved and refused (counted when their transaction commits); feed builds and feed cache hits; the
database pool. Read at scrape time: the outbox by status and the seconds since a worker was last seen. With
several gunicorn workers set ``PROMETHEUS_MULTIPROC_DIR`` (gunicorn.conf.py does): each process writes its
figures there and any of them answers the scrape with the sum.
"""

import hmac
import ipaddress
import os
import time

from flask import Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from extensions import db, limiter
from operations import bp
from operations.requestlog import endpoint_template
from outbox.models import OutboxMail, WorkerBeat
from timeutil import utcnow

REQUESTS = Histogram("welcome_http_request_duration_seconds", "Requests by endpoint template, method and status",
                     ["endpoint", "method", "status"], buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
BOOKINGS = Counter("welcome_bookings_total", "Bookings by what happened (committed)", ["event"])
FEED_BUILDS = Counter("welcome_feed_builds_total", "Feeds built")
FEED_FRAGMENTS = Counter("welcome_feed_fragments_rendered_total", "Events rendered into feed fragments")
FEED_HITS = Counter("welcome_feed_cache_hits_total", "Feeds answered from the cache", ["store"])
PAGE_CACHE = Counter("welcome_page_cache_total", "Public pages answered from the page cache or rendered into it",
                     ["outcome"])
POOL = Gauge("welcome_db_pool_connections", "Database connections of this process's pool", ["state"],
             multiprocess_mode="livesum")
PENDING = "metrics_pending"


def count_on_commit(name: str, session=None) -> None:
    """Count a booking event when the current transaction commits (a rolled-back one counts nothing)."""
    (session or db.session()).info.setdefault(PENDING, []).append(name)


@event.listens_for(Session, "after_commit")
def _committed(session):
    for name in session.info.pop(PENDING, []):
        BOOKINGS.labels(name).inc()


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session, previous_transaction):
    session.info.pop(PENDING, None)


def observe(response):
    started = g.get("request_started")
    if started is not None and request.url_rule is not None:
        count_request(endpoint_template(request.url_rule.rule), request.method, response.status_code, started)
    return response


def count_request(endpoint: str, method: str, status: int, started: float) -> None:
    """Counted with its latency: also the answers given before the application (feeds.revalidation)."""
    REQUESTS.labels(endpoint, method, str(status)).observe(time.perf_counter() - started)


class DatabaseFigures:
    """Read when scraped: the outbox by status and the seconds since a worker was seen."""

    def collect(self):
        outbox = GaugeMetricFamily("welcome_outbox_mails", "Mails in the outbox by status", labels=["status"])
        silence = GaugeMetricFamily("welcome_worker_seen_seconds_ago", "Seconds since a worker was last seen")
        try:
            for status, count in OutboxMail.counts().items():
                outbox.add_metric([status], count)
            seen = WorkerBeat.last_seen()
            silence.add_metric([], (utcnow() - seen).total_seconds() if seen else float("inf"))
        except SQLAlchemyError:
            db.session.rollback()
            return
        yield outbox
        yield silence


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and given and hmac.compare_digest(given, token):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    networks = current_app.config.get("METRICS_NETWORKS") or ""
    for network in (part.strip() for part in networks.split(",")):
        if network and address in ipaddress.ip_network(network, strict=False):
            return True
    return False


@bp.route("/metrics")
@limiter.exempt
def metrics():
    if not _allowed():
        abort(404)  # not advertised to the public
    pool = db.engine.pool
    for state, value in (("checked_out", getattr(pool, "checkedout", lambda: 0)()),
                         ("idle", getattr(pool, "checkedin", lambda: 0)())):
        POOL.labels(state).set(value)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, BOOKINGS, FEED_BUILDS, FEED_HITS, PAGE_CACHE, POOL):
            registry.register(collector)
    registry.register(DatabaseFigures())
    response = Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app) -> None:
    app.after_request(observe)
