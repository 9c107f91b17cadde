"""Command-line paths to the same rules: flask --app app bookings request|approve|reject|cancel|list.

Each command runs in ``database.write_transaction()`` so that on SQLite the
check-and-write is serialised like a web request (BEGIN IMMEDIATE).
"""


import click
from sqlalchemy import select

from accounts.models import Association, User
from bookings import bp, services
from bookings.errors import BookingError, refusal
from bookings.models import STATUSES, Booking
from bookings.recurrence import WEEKDAY_CODES, Recurrence
from bookings.wording import describe_slot
from centres.models import Centre, Room
from database import write_transaction
from extensions import db
from parsing import parse_local
from terms import pricing
from terms.rules import Responsible

bp.cli.short_help = "Request, approve, reject, cancel and list bookings."


def _user(email):
    user = User.by_email(email)
    if user is None or not user.is_active:
        raise click.ClickException(f"no active user with the e-mail address {email}")
    return user


def _booking(booking_id, user):
    booking = db.session.get(Booking, booking_id)
    if booking is None or not booking.can_view(user):
        raise click.ClickException(f"no booking {booking_id} that {user.email} may see")
    return booking


def _run(action):
    """Run a service call and commit; domain errors become the same message as on the pages, and change nothing."""
    try:
        result = action()
        db.session.commit()
        return result
    except BookingError as error:
        db.session.rollback()
        raise click.ClickException("\n".join(refusal(error).messages)) from None


def _local(value, name, tz_name):
    """An ISO 8601 date-time as the centre's wall-clock time (an offset is converted)."""
    try:
        return parse_local(value, tz_name)
    except ValueError:
        raise click.BadParameter("use ISO 8601, e.g. 2027-03-30T18:00", param_hint=name) from None


@bp.cli.command("request")
@click.option("--email", required=True, help="Who asks (a member, or a manager for the centre).")
@click.option("--room", "room_id", type=int, help="Room id (see GET /api/v1/centres/<slug>).")
@click.option("--centre", "centre_slug", help="Centre slug, for a centre's own event without a room.")
@click.option("--association", "association_name", help="Book for this association (default: for the centre).")
@click.option("--title", required=True)
@click.option("--start", required=True, help="Local start of the first date, e.g. 2027-03-30T18:00.")
@click.option("--end", required=True, help="Local end of the first date.")
@click.option("--weekly", is_flag=True, help="Repeat weekly.")
@click.option("--interval", type=click.IntRange(1, 12), default=1)
@click.option("--weekdays", default="", help="e.g. TU,TH")
@click.option("--until", "until_", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--count", type=click.IntRange(1, 10_000))
@click.option("--attendees", type=int)
@click.option("--skip-conflicts", is_flag=True)
@click.option("--accept-terms", is_flag=True, help="The centre's current house rules are accepted.")
@click.option("--responsible", "responsible_", nargs=2, metavar="NAME PHONE",
              help="The adult responsible on the day (with --adult).")
@click.option("--adult", is_flag=True, help="The responsible person is of age.")
@click.option("--commercial", is_flag=True, help="A commercial purpose (commercial tariff).")
def request_command(email, room_id, centre_slug, association_name, title, start, end, weekly, interval, weekdays,
                    until_, count, attendees, skip_conflicts, accept_terms, responsible_, adult, commercial):
    """Request a room (rules, terms and conflicts checked as on the website)."""
    with write_transaction():
        user = _user(email)
        room = db.session.get(Room, room_id) if room_id else None
        if room_id and room is None:
            raise click.BadParameter(f"no room {room_id}", param_hint="--room")
        centre = room.centre if room else Centre.by_slug(centre_slug or "")
        if centre is None:
            raise click.BadParameter("give --room, or --centre for an event without a room", param_hint="--centre")
        association = None
        if association_name:
            association = db.session.scalar(select(Association).where(Association.name == association_name))
            if association is None:
                raise click.BadParameter(f"no association {association_name!r}", param_hint="--association")
        codes = [c.strip().upper() for c in weekdays.split(",") if c.strip()]
        if any(c not in WEEKDAY_CODES for c in codes):
            raise click.BadParameter("use MO,TU,WE,TH,FR,SA,SU", param_hint="--weekdays")
        recurrence = None
        if weekly:
            if (until_ is None) == (count is None):
                raise click.UsageError("a weekly booking needs --until or --count (one of them)")
            recurrence = Recurrence(interval=interval, weekdays=codes, until=until_.date() if until_ else None, count=count)
        first_start, first_end = _local(start, "--start", centre.timezone), _local(end, "--end", centre.timezone)
        booking_request = services.BookingRequest(
            centre=centre, room=room, association=association, title=title, start=first_start, end=first_end,
            recurrence=recurrence, attendees=attendees, skip_conflicts=skip_conflicts, accept_terms=accept_terms,
            responsible=Responsible(*(responsible_ or ("", "")), adult), commercial=commercial,
        )
        booking = _run(lambda: services.request_booking(booking_request, user))
        click.echo(f"Booking {booking.id}: {booking.status}, {len(booking.occurrences)} date(s).")
        if booking.closed_dates:
            click.echo(f"{len(booking.closed_dates)} date(s) fall on a closure and are not requested.")
        if booking.association is not None:
            click.echo(f"Fee {pricing.as_decimal(booking.fee_cents)} {booking.currency} ({booking.tariff}), "
                       f"deposit {pricing.as_decimal(booking.deposit_cents)} {booking.currency}.")


@bp.cli.command("approve")
@click.argument("booking_id", type=int)
@click.option("--email", required=True)
def approve_command(booking_id, email):
    """Approve a pending request (all its dates)."""
    with write_transaction():
        user = _user(email)
        booking = _run(lambda: services.approve(_booking(booking_id, user), user))
        click.echo(f"Booking {booking.id}: {booking.status}.")


@bp.cli.command("reject")
@click.argument("booking_id", type=int)
@click.option("--email", required=True)
@click.option("--reason", required=True)
def reject_command(booking_id, email, reason):
    """Reject a pending request, with a reason."""
    with write_transaction():
        user = _user(email)
        booking = _run(lambda: services.reject(_booking(booking_id, user), user, reason=reason))
        click.echo(f"Booking {booking.id}: {booking.status}.")


@bp.cli.command("cancel")
@click.argument("booking_id", type=int)
@click.option("--email", required=True)
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="Only this (local) date.")
@click.option("--following", is_flag=True, help="With --date: that date and all later ones.")
@click.option("--reason", default="")
def cancel_command(booking_id, email, day, following, reason):
    """Cancel dates that have not begun (all of them, or one with --date)."""
    with write_transaction():
        user = _user(email)
        booking = _booking(booking_id, user)
        occurrence_id = None
        if day is not None:
            occurrence = services.occurrence_on(booking, day.date())
            if occurrence is None:
                raise click.BadParameter("the booking has no (single) date on that day", param_hint="--date")
            occurrence_id = occurrence.id
        booking = _run(lambda: services.cancel(booking, user, occurrence_id=occurrence_id, following=following, reason=reason))
        click.echo(f"Booking {booking.id}: {booking.status}.")


@bp.cli.command("list")
@click.option("--centre", "centre_slug", help="Only this centre.")
@click.option("--status", type=click.Choice(STATUSES))
def list_command(centre_slug, status):
    """List bookings (id, status, room, title, first date)."""
    query = select(Booking).order_by(Booking.created_at)
    if centre_slug:
        centre = Centre.by_slug(centre_slug)
        if centre is None:
            raise click.BadParameter(f"no centre {centre_slug!r}", param_hint="--centre")
        query = query.where(Booking.centre_id == centre.id)
    if status:
        query = query.where(Booking.status == status)
    for booking in db.session.scalars(query):
        first = booking.occurrences[0] if booking.occurrences else None
        when = describe_slot(first.starts_at, first.ends_at, booking.centre.timezone) if first else "-"
        room = booking.room.name if booking.room else "-"
        click.echo(f"{booking.id}\t{booking.status}\t{room}\t{booking.title}\t{when} ({len(booking.occurrences)})")


