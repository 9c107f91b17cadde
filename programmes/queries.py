"""Which programmes an association or a centre takes part in."""

from sqlalchemy import select

from extensions import db
from programmes.models import ACCEPTED, Programme, ProgrammePartner, programme_centre


def partnered(association) -> list[Programme]:
    return list(db.session.scalars(select(Programme).join(ProgrammePartner).where(
        ProgrammePartner.association_id == association.id, ProgrammePartner.status == ACCEPTED)
        .order_by(Programme.slug)))


def centre_programmes(centre) -> list[Programme]:
    return list(db.session.scalars(select(Programme).join(programme_centre).where(
        programme_centre.c.centre_id == centre.id).order_by(Programme.slug)))


def open_to(event) -> list[Programme]:
    """The programmes an event may be marked as part of when edited: its association's (the centre's, for its
    own event), and those it is already in."""
    association = event.booking.association if event.booking is not None else None
    found = partnered(association) if association is not None else centre_programmes(event.centre)
    chosen = {p.id: p for p in [*event.programmes, *found]}
    return sorted(chosen.values(), key=lambda p: p.display_name().casefold())
