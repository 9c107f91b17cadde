"""Requests the rooms could not take: each date asked for while the room was taken, counted as unmet demand.

A request answered 409 is rolled back, so ``record`` writes its dates in a transaction of its own afterwards;
the dates a series leaves out because they are taken are ``add``-ed in the request's own transaction. One row per
association, room and date, however often it is asked for (the reports count demand, not clicks).
"""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from database import write_transaction
from extensions import db
from timeutil import local_wall_time, utcnow


class RefusedRequest(db.Model):
    """A date asked for while the room was taken (answered 409, or left out of a series)."""

    __tablename__ = "refused_request"
    __table_args__ = (
        Index("uq_refused_request", "association_id", "room_id", "starts_at", unique=True),
        Index("ix_refused_request_local_start", "local_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"))
    association_id: Mapped[int] = mapped_column(ForeignKey("association.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    local_start: Mapped[datetime] = mapped_column(DateTime)
    minutes: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


def add(request, dates) -> int:
    """Add the refused ``dates`` [(start, end) naive UTC] of an association's request to the session."""
    if request.association is None or request.room is None or not dates:
        return 0
    known = set(db.session.scalars(select(RefusedRequest.starts_at).where(
        RefusedRequest.association_id == request.association.id, RefusedRequest.room_id == request.room.id,
        RefusedRequest.starts_at.in_([start for start, _end in dates]))))
    added = 0
    for start, end in sorted(set(dates)):
        if start in known:
            continue
        db.session.add(RefusedRequest(
            centre_id=request.centre.id, room_id=request.room.id, association_id=request.association.id,
            starts_at=start, local_start=local_wall_time(start, request.centre.timezone),
            minutes=round((end - start).total_seconds() / 60)))
        added += 1
    return added


def record(request, dates) -> None:
    """After a 409 (its transaction rolled back): the dates refused, in a transaction of their own."""
    if request.association is None or request.room is None or not dates:
        return
    db.session.rollback()
    try:
        with write_transaction():
            add(request, dates)
            db.session.commit()
    except IntegrityError:  # the same date refused at the same moment in another request: counted there
        db.session.rollback()
