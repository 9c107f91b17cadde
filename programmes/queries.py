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
