"""Welcome Spaces: the application factory and the app it makes."""

import os

from flask import Flask

import database  # noqa: F401  (engine event listeners: SQLite pragmas and write locks)
import i18n
import web
from accessibility import bp as accessibility_bp
from accounts import bp as accounts_bp
from accounts import sessions
from api import bp as api_bp
from bookings import bp as bookings_bp
from centres import bp as centres_bp
from cli import register_commands
from config import (
    Defaults,
    cookie_settings,
    engine_options,
    from_environment,
    instance_secret_key,
    normalise_database_url,
)
from errors import bp as errors_bp
from events import bp as events_bp
from extensions import babel, csrf, db, limiter, login_manager, migrate
from feeds import bp as feeds_bp
from feeds import revalidation
from operations import bp as operations_bp
from operations import idempotency, metrics, requestlog
from outbox import bp as outbox_bp
from outbox.cli import register_commands as register_worker_commands
from privacy import bp as privacy_bp
from privacy.retention import register_commands as register_privacy_commands
from programmes.cooperation_views import bp as cooperations_bp
from programmes.image_views import bp as programme_images_bp
from programmes.views import bp as programmes_bp
from reports import bp as reports_bp
from statements import bp as statements_bp
from terms.views import bp as terms_bp
from waitlist import bp as waitlist_bp


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)

    # Configuration: defaults -> environment -> instance/config.py -> test dict.
    app.config.from_object(Defaults)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "welcome.db")
    app.config.update(from_environment())
    app.config.from_pyfile("config.py", silent=True)
    if test_config:
        app.config.update(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    app.config.update(cookie_settings(app.config))
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)

    # Extensions.
    i18n.install_converter(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.locale_selector, timezone_selector=lambda: None)
    csrf.init_app(app)
    limiter.init_app(app)
    sessions.init_app(app)

    # Blueprints.
    app.register_blueprint(errors_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(centres_bp)
    app.register_blueprint(bookings_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(accessibility_bp)
    app.register_blueprint(outbox_bp)
    app.register_blueprint(operations_bp)
    app.register_blueprint(terms_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(statements_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(waitlist_bp)
    app.register_blueprint(programmes_bp)
    app.register_blueprint(cooperations_bp)
    app.register_blueprint(programme_images_bp)
    csrf.exempt(api_bp)

    # Requests: language prefix, security headers, template helpers; a request id and a log line each.
    revalidation.install(app)  # a feed's unchanged 304 before the application; inside the proxy fix
    web.init_app(app)
    requestlog.init_app(app)
    idempotency.init_app(app)
    metrics.init_app(app)

    # CLI commands.
    register_commands(app)
    register_privacy_commands(app)
    register_worker_commands(app)
    return app


app = create_app()
