"""Operator commands: flask --app app init-db | seed-demo | seed-city | create-user | create-token | backup."""

import time

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from accounts import members
from accounts.models import ApiToken, Association, User, normalise_email
from accounts.passwords import weakness
from centres.models import Centre
from database import write_transaction
from demo import DEMO_PASSWORD, load_demo
from demo.city import dates_count, grow_city
from extensions import db
from operations.backup import backup


def register_commands(app):
    app.cli.add_command(init_db)
    app.cli.add_command(seed_demo)
    app.cli.add_command(seed_city)
    app.cli.add_command(create_user)
    app.cli.add_command(create_token)
    app.cli.add_command(ensure_demo)
    app.cli.add_command(backup)


@click.command("init-db")
def init_db():
    """Create the schema, or migrate it to the newest version."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    click.echo("The database is at the newest schema version.")


@click.command("seed-demo")
def seed_demo():
    """Load a demo city (centres, rooms, associations, users, events)."""
    summary = load_demo()
    click.echo(summary)


@click.command("seed-city")
@click.option("--centres", default=40, show_default=True, type=click.IntRange(1, 200), help="New centres.")
@click.option("--rooms", default=10, show_default=True, type=click.IntRange(1, 40), help="Rooms per new centre.")
@click.option("--years", default=2, show_default=True, type=click.IntRange(1, 5),
              help="Years of weekly series: the last one ahead, the others past.")
def seed_city(centres, rooms, years):
    """Grow the demo city to a large city's size through the booking services (benchmarks; seeing it at size)."""
    started = time.perf_counter()
    grown = grow_city(centres, rooms, years,
                      progress=lambda items, length: click.progressbar(items, length=length, label="Requests"))
    if grown is None:
        click.echo("The city has grown already (there is a centre city-01).")
        return
    if db.engine.dialect.name == "postgresql":  # the planner learns the new sizes now, not at autovacuum's turn
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    click.echo(f"City grown in {time.perf_counter() - started:.0f} s: {grown.centres} centres, {grown.rooms} rooms, "
               f"{grown.associations} associations, {grown.bookings} bookings ({grown.rejected} rejected; "
               f"{grown.refused} requests refused by a rule), {dates_count():,} dates "
               f"(password for every user: {DEMO_PASSWORD}).")


@click.command("ensure-demo", hidden=True)
def ensure_demo():
    """Load the demo data only when the database holds no centre (make run)."""
    if db.session.scalar(select(Centre.id).limit(1)) is None:
        click.echo(load_demo())
    else:
        click.echo("The database has data; demo data not loaded.")


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "manager", "member"]), required=True)
@click.option("--centre", "centres", multiple=True, metavar="SLUG", help="A centre the manager manages (repeatable).")
@click.option(
    "--association",
    "associations",
    multiple=True,
    metavar="NAME",
    help="An association the user belongs to (repeatable); created, verified, when missing.",
)
@click.option("--password", help="Asked for when not given.")
@click.option("--name", default="", help="The person's name.")
def create_user(email, role, centres, associations, password, name):
    """Create a user (or update the role, password, centres and associations of an existing one)."""
    email = normalise_email(email)
    try:
        validate_email(email, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise click.BadParameter(f"{email!r} is not an e-mail address ({error})", param_hint="EMAIL") from None
    if centres and role != "manager":
        raise click.BadParameter("only managers are given centres (admins manage every centre)", param_hint="--centre")
    found = []
    for slug in centres:
        centre = Centre.by_slug(slug.strip())
        if centre is None:
            raise click.BadParameter(f"there is no centre with the slug {slug!r}", param_hint="--centre")
        found.append(centre)
    names = [n.strip() for n in associations]
    if any(not n or len(n) > 200 for n in names):
        raise click.BadParameter("an association name needs 1 to 200 characters", param_hint="--association")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = weakness(password, email, name)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")

    with write_transaction():
        user = User.by_email(email)
        created = user is None
        if created:
            user = User(email=email)
            db.session.add(user)
        user.change_role(role)
        user.name = name or user.name or ""
        user.set_password(password)
        for centre in found:
            if centre not in user.managed_centres:
                user.managed_centres.append(centre)
        for association_name in names:
            association = db.session.scalar(
                select(Association).where(func.lower(Association.name) == association_name.lower())
            )
            if association is None:
                # Created by an operator on the command line: counts as verified.
                association = Association(name=association_name)
                association.verify(by=None)
                db.session.add(association)
                click.echo(f"Association {association_name!r} created (verified).")
            db.session.add(user)
            db.session.flush()
            members.add(association, user, admin=True)  # one of the association's admins (DESIGN.md)
        db.session.commit()
    click.echo(f"User {email} ({role}) {'created' if created else 'updated'}.")


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="command line", help="What the token is for.")
def create_token(email, name):
    """Create an API token for a user; the token is printed alone on the last line."""
    with write_transaction():
        user = User.by_email(email)
        if user is None:
            raise click.ClickException(f"there is no user with the e-mail address {email}")
        if not user.is_active:
            raise click.ClickException(f"the account {user.email} is deactivated")
        _, secret = ApiToken.issue(user, name[:100])
        db.session.commit()
    click.echo(f"API token for {user.email} (shown once, keep it secret):")
    click.echo(secret)
