"""Fixtures: the app on a real database (SQLite or PostgreSQL), clients, factories.

Run with ``--db=sqlite`` (default) or ``--db=postgresql``. PostgreSQL is taken
from TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres);
the suite creates its own database there and drops it at the end. When
PostgreSQL was asked for and cannot be reached the run fails: it never skips.
"""

import os
import secrets
import tempfile
import threading
from datetime import UTC, datetime, time

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

import app as application  # noqa: F401 (its modules, loaded in its order before any test module's imports)

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
# The instant every test starts at, as ISO 8601 with an offset; passed on to servers the tests start.
NOW_VARIABLE = "WELCOME_TEST_NOW"


def pytest_addoption(parser):
    parser.addoption("--db", choices=["sqlite", "postgresql"], default="sqlite", help="database to test on")
    parser.addoption(
        "--now",
        default=os.environ.get(NOW_VARIABLE),
        help="the instant every test starts at (ISO 8601 with offset, e.g. 2027-03-27T23:40+01:00); "
        "default: the real time when the run starts",
    )


def pytest_configure(config):
    config.pinned_now = pinned_now(config.getoption("--now"))
    # Servers started by the tests (gunicorn in test_concurrency) start their clock at the same instant.
    os.environ[NOW_VARIABLE] = config.pinned_now.isoformat()


def pinned_now(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC).replace(microsecond=0)
    instant = datetime.fromisoformat(value)
    if instant.tzinfo is None:
        raise pytest.UsageError(f"--now needs an offset, e.g. {value}+00:00")
    return instant.astimezone(UTC)


def pytest_report_header(config):
    db = config.getoption("--db")
    where = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG) if db == "postgresql" else "a temporary file"
    return [f"database: {db} ({where})", f"every test starts at {config.pinned_now.isoformat()} (--now)"]


@pytest.fixture(autouse=True)
def clock(request):
    """Every test starts at the same pinned instant and the clock runs on from there.

    Tests build their dates relative to this instant (``utcnow()``, ``date.today()``),
    so the suite gives the same answers at any hour of any day; ``--now`` picks
    the hard ones (the night of a clock change, the year's end).
    """
    with time_machine.travel(request.config.pinned_now, tick=True) as traveller:
        yield traveller


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    terminalreporter.write_line(f"database used for this run: {config.getoption('--db')}")


def _pg_url(url: str, database: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{database}"


@pytest.fixture(scope="session")
def db_kind(request):
    return request.config.getoption("--db")


@pytest.fixture(scope="session")
def database_url(db_kind, tmp_path_factory):
    """A fresh, empty database for this test session."""
    if db_kind == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.db"
        yield f"sqlite:///{path}"
        return
    admin_url = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG).replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"welcome_test_{secrets.token_hex(4)}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # a clear failure, never a skip
        pytest.exit(f"PostgreSQL at {admin_url} is required for --db=postgresql: {error}", returncode=3)
    yield _pg_url(admin_url, name)
    from feeds import data_version

    data_version.dispose()  # its pooled connections to the database about to go
    with engine.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"),
            {"n": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    engine.dispose()


def make_test_app(database_url, **extra):
    from app import create_app

    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Cheaper hashes for the test accounts (~6 ms, not ~100); test_security_sessions checks production's.
        "PASSWORD_HASH": "scrypt:1024:8:1",
        # Tests make many bookings and searches in a row; the limits themselves are tested with their defaults.
        "BOOKING_LIMIT": "100000 per 3600",
        "SEARCH_LIMIT": "100000 per 60",
        "FEED_BUILD_LIMIT": "100000 per 60",
        "SERVER_NAME": None,
        "MAIL_SERVER": None,
        "MEDIA_FOLDER": tempfile.mkdtemp(prefix="welcome-test-media-"),  # uploads never land in instance/
    }
    config.update(extra)
    return create_app(config)


@pytest.fixture(scope="session")
def _app(database_url):
    """The application, its schema created by the migrations (as in production)."""
    from flask_migrate import upgrade

    app = make_test_app(database_url)
    with app.app_context():
        upgrade()
    return app


# Sequences start again at 1 after a wipe, as a new database's do.
RESTART_SEQUENCES = (
    "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
)


def _wipe(app):
    """Empties every table after a test: DELETE, the referring tables first.

    Not TRUNCATE on PostgreSQL: it gives each of the ~40 tables new files, 0.2–0.4 s per test whether or not
    the test wrote to them; DELETE of a test's few rows takes milliseconds."""
    from extensions import db

    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            for table in tables:
                conn.exec_driver_sql(f'DELETE FROM "{table}"')
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(RESTART_SEQUENCES)
        db.session.remove()
    app.extensions.pop("feeds_fragments", None)  # an emptied database reuses ids: its fragments go with it
    app.extensions.pop("page_cache", None)  # and restarts the data-version row: pages of its versions go too


@pytest.fixture
def app(_app):
    from extensions import limiter

    _app.config["WTF_CSRF_ENABLED"] = False
    ctx = _app.app_context()
    ctx.push()
    try:
        limiter.reset()
    except Exception:  # storage without reset support
        pass
    yield _app
    ctx.pop()
    _wipe(_app)


class CleanClient(FlaskClient):
    """A test client whose requests start (and leave) without what another request cached on ``g``.

    The ``app`` fixture keeps one app context pushed for the whole test, and Flask
    reuses it for every request, so Flask-Babel's locale, the URL language and
    Flask-Login's user would otherwise leak from one request into the next. In
    production each request has an app context of its own.
    """

    CACHED = ("_flask_babel", "lang", "_login_user")

    def _forget(self):
        from flask import g

        if g:
            for key in self.CACHED:
                g.pop(key, None)

    def open(self, *args, **kwargs):
        self._forget()
        try:
            return super().open(*args, **kwargs)
        finally:
            self._forget()


@pytest.fixture
def client(app):
    app.test_client_class = CleanClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    from extensions import db

    return db


# --- factories -------------------------------------------------------------

PASSWORD = "correct horse battery"


@pytest.fixture
def make_centre(db):
    from centres.models import Centre

    counter = iter(range(1, 10_000))

    def make(slug=None, **fields):
        n = next(counter)
        values = dict(
            slug=slug or f"centre-{n}",
            name={"de": f"Zentrum {n}", "en": f"Centre {n}"},
            description={"de": "Ein offenes Haus."},
            district=fields.pop("district", "Nordstadt"),
            street="Hauptstraße 1",
            postcode="30159",
            city="Hannover",
            latitude=52.37,
            longitude=9.73,
            opening_hours={str(d): [["09:00", "18:00"]] for d in range(5)},
            features=["wifi"],
            staff_languages=["de", "en"],
            timezone="Europe/Berlin",
            default_language="de",
        )
        values.update(fields)
        centre = Centre(**values)
        db.session.add(centre)
        db.session.commit()
        return centre

    return make


@pytest.fixture
def make_room(db, make_centre):
    from centres.models import Room

    def make(centre=None, **fields):
        centre = centre or make_centre()
        values = dict(
            name=fields.pop("name", "Saal"),
            capacity=30,
            equipment=["projector"],
            barrier_free=True,
            bookable=True,
            earliest_time=time(8, 0),
            latest_time=time(22, 0),
            max_duration_minutes=480,
            max_days_ahead=400,
            min_notice_hours=24,
        )
        values.update(fields)
        room = Room(centre=centre, **values)
        db.session.add(room)
        db.session.commit()
        return room

    return make


@pytest.fixture
def make_association(db):
    from accounts.models import Association

    counter = iter(range(1, 10_000))

    def make(name=None, verified=True, **fields):
        n = next(counter)
        association = Association(
            name=name or f"Verein {n}",
            kind=fields.pop("kind", "club"),
            contact_person=fields.pop("contact_person", "Kontakt Person"),
            email=fields.pop("email", f"verein{n}@example.org"),
            **fields,
        )
        if verified:
            association.verify(by=None)
        db.session.add(association)
        db.session.commit()
        return association

    return make


@pytest.fixture
def make_user(db):
    from accounts.models import User

    counter = iter(range(1, 10_000))

    def make(role="member", email=None, centres=(), associations=(), password=PASSWORD, **fields):
        n = next(counter)
        user = User(email=email or f"{role}{n}@example.org", role=role, name=fields.pop("name", f"{role} {n}"), **fields)
        user.set_password(password)
        user.managed_centres = list(centres)
        user.associations = list(associations)
        db.session.add(user)
        db.session.commit()
        return user

    return make


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password=PASSWORD, lang="en"):
        email = getattr(user_or_email, "email", user_or_email)
        return self.client.post(f"/{lang}/login", data={"email": email, "password": password})

    def logout(self, lang="en"):
        return self.client.post(f"/{lang}/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def token_for(db):
    from accounts.models import ApiToken

    def make(user):
        _, secret = ApiToken.issue(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


# --- a live server for browser tests -----------------------------------------


@pytest.fixture(scope="session")
def live_server(_app):
    server = make_server("127.0.0.1", 0, _app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
