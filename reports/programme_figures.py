"""A programme's open figures, on its public page: partners, events, dates, languages, centres, participants.

Over the programme's period (its first and last day; without them the current calendar year from or up to
the one given), counting dates held (approved) of the events marked as part of it. Three indexed queries
restricted to the programme's events, whatever the size of the city. The same small-cell rule as the open
figures: what the programme's events show is withheld while they come from fewer than
``FIGURES_MIN_COUNT`` associations (organisers and co-organisers); its partners and centres are public anyway.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, distinct, func, select, union

from bookings.models import APPROVED, Booking, Occurrence
from events.models import Event
from extensions import db
from programmes.models import ACCEPTED, Cooperation, event_programme
from reports.choices import LONGEST_PERIOD_DAYS, today
from reports.open_figures import min_count
from reports.queries import Period, date_filter, dialect
from reports.sql import json_values


@dataclass
class ProgrammeFigures:
    period: Period
    partners: int
    centres: int
    shown: bool  # False: the events' figures are withheld (too few associations)
    events: int = 0
    dates: int = 0
    languages: int = 0
    participants: int = 0


def period_of(programme) -> Period:
    """The programme's period; a missing end the end of the current year (or of the start's), a missing start
    the current year's first day (or the end's); at most five years back from its end."""
    this_year = today().year
    end = programme.ends_on or date(max(this_year, programme.starts_on.year if programme.starts_on else 0), 12, 31)
    start = programme.starts_on or date(min(this_year, end.year), 1, 1)
    if (end - start).days >= LONGEST_PERIOD_DAYS:
        start = date(end.year - 4, 1, 1)
    return Period(min(start, end), end)


def _held(programme, period: Period):
    """The held dates of the programme's events in the period, with their booking and event."""
    return (select(Occurrence.id).select_from(Occurrence)
            .join(Booking, Booking.id == Occurrence.booking_id)
            .join(Event, Event.booking_id == Booking.id)
            .join(event_programme, and_(event_programme.c.event_id == Event.id,
                                        event_programme.c.programme_id == programme.id))
            .where(date_filter(period, None), Occurrence.status == APPROVED))


def figures_of(programme) -> ProgrammeFigures:
    period = period_of(programme)
    held = _held(programme, period)
    row = db.session.execute(held.with_only_columns(
        func.count(distinct(Event.id)), func.count(Occurrence.id), func.count(distinct(Booking.centre_id)),
        func.coalesce(func.sum(Occurrence.participants), 0), maintain_column_froms=False)).one()
    bookings = held.with_only_columns(Booking.id, maintain_column_froms=False).distinct().subquery()
    organisers = union(
        select(Booking.association_id.label("association_id")).where(
            Booking.id.in_(select(bookings.c.id)), Booking.association_id.is_not(None)),
        select(Cooperation.association_id).where(Cooperation.booking_id.in_(select(bookings.c.id)),
                                                 Cooperation.status == ACCEPTED),
    ).subquery()
    associations = db.session.scalar(select(func.count()).select_from(organisers))
    result = ProgrammeFigures(period, partners=len(programme.accepted_partners()), centres=int(row[2]),
                              shown=associations >= min_count())
    if result.shown:
        result.events, result.dates, result.participants = int(row[0]), int(row[1]), int(row[3])
        result.languages = _languages(held)
    return result


def _languages(held) -> int:
    events = held.with_only_columns(Event.id, maintain_column_froms=False).distinct().subquery()
    values = json_values(Event.languages, dialect())
    query = (select(func.count(distinct(values.c.value))).select_from(Event).join(values, values.c.value.is_not(None))
             .where(Event.id.in_(select(events.c.id))))
    return int(db.session.scalar(query) or 0)
