"""The retention period: ``flask --app app purge --older-than 3y`` and the daily job ``retention`` (config
``RETENTION``, default three years: the limitation period for the centres' claims)."""

import re
from datetime import datetime, time

import click
from dateutil.relativedelta import relativedelta
from flask import current_app
from flask.cli import with_appcontext

from database import write_transaction
from extensions import db
from outbox.jobs import job
from privacy.erase import purge_older_than
from timeutil import utcnow

PERIOD = re.compile(r"^\s*(\d{1,3})\s*([ymd])\s*$")
UNITS = {"y": "years", "m": "months", "d": "days"}


def parse_period(text: str) -> relativedelta:
    """"3y", "18m", "90d" → a calendar period; ValueError otherwise."""
    match = PERIOD.match(text or "")
    if not match or int(match[1]) == 0:
        raise ValueError(text)
    amount, unit = int(match[1]), match[2]
    return relativedelta(**{UNITS[unit]: amount})


def cutoff(period: str, now: datetime) -> datetime:
    return now - parse_period(period)


@click.command("purge")
@click.option("--older-than", "older_than", default="3y", show_default=True,
              help="Retention period: a number and y (years), m (months) or d (days).")
@with_appcontext
def purge_command(older_than):
    """Remove the personal data of bookings whose last date ended longer ago than the retention period."""
    try:
        before = cutoff(older_than, utcnow())
    except ValueError:
        raise click.BadParameter("3y, 18m or 90d", param_hint="--older-than") from None
    with write_transaction():
        count = purge_older_than(before)
        db.session.commit()
    click.echo(f"{count} bookings before {before:%Y-%m-%d}: personal data removed")


@job("retention", time(3, 45))
def retention(centre, slot, now):
    """Remove the personal data of bookings older than the retention period (config RETENTION, e.g. 3y)."""
    before = cutoff(current_app.config.get("RETENTION", "3y"), now)
    return f"{purge_older_than(before)} bookings before {before:%Y-%m-%d} purged"


def register_commands(app):
    app.cli.add_command(purge_command)
