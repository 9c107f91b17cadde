"""Waiting-list entries and refused requests (the unmet demand).

An entry is one association waiting for one room and one date (naive UTC, and the centre's wall time for the
reports). Its line: the active entries of the room whose dates overlap it, oldest first. ``request`` keeps what
the association asked for (title, attendees, note, event, responsible person, commercial purpose), so accepting an
offer makes the same request. Refused requests are
``bookings.refusals``.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from timeutil import utcnow

WAITING, OFFERED, ACCEPTED, DECLINED, EXPIRED, WITHDRAWN = (
    "waiting", "offered", "accepted", "declined", "expired", "withdrawn")
STATUSES = (WAITING, OFFERED, ACCEPTED, DECLINED, EXPIRED, WITHDRAWN)
IN_LINE = (WAITING, OFFERED)

STATUS_LABELS = {
    WAITING: _l("waiting"),
    OFFERED: _l("offered to you"),
    ACCEPTED: _l("accepted"),
    DECLINED: _l("declined"),
    EXPIRED: _l("expired"),
    WITHDRAWN: _l("withdrawn"),
}
IN_LINE_SQL = text("status IN ('waiting', 'offered')")


class WaitlistEntry(db.Model):
    __tablename__ = "waitlist_entry"
    __table_args__ = (
        Index("ix_waitlist_room_start", "room_id", "starts_at"),  # a room's lines
        Index("ix_waitlist_status_expires", "status", "offer_expires"),  # the sweep
        Index("ix_waitlist_local_start", "local_start"),  # the reports
        # one place in line per association and date
        Index("uq_waitlist_in_line", "association_id", "room_id", "starts_at", "ends_at", unique=True,
              sqlite_where=IN_LINE_SQL, postgresql_where=IN_LINE_SQL),
        # one offer per room and start at a time (the room's lock orders the offers; this is the last word)
        Index("uq_waitlist_one_offer", "room_id", "starts_at", unique=True,
              sqlite_where=text("status = 'offered'"), postgresql_where=text("status = 'offered'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"))
    association_id: Mapped[int] = mapped_column(ForeignKey("association.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    local_start: Mapped[datetime] = mapped_column(DateTime)
    minutes: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    request: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=WAITING)
    offered_at: Mapped[datetime | None] = mapped_column(DateTime)
    offer_expires: Mapped[datetime | None] = mapped_column(DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    centre: Mapped["Centre"] = relationship()  # noqa: F821
    room: Mapped["Room"] = relationship()  # noqa: F821
    association: Mapped["Association"] = relationship()  # noqa: F821
    created_by: Mapped["User | None"] = relationship()  # noqa: F821
    booking: Mapped["Booking | None"] = relationship()  # noqa: F821

    @property
    def in_line(self) -> bool:
        return self.status in IN_LINE

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    def is_member(self, user) -> bool:
        """A member of the waiting association (or an admin)."""
        return bool(user and getattr(user, "is_authenticated", False)) and user.is_member_of(self.association)

    def can_view(self, user) -> bool:
        if not (user and getattr(user, "is_authenticated", False)):
            return False
        return self.is_member(user) or user.manages(self.centre)

    def overlaps(self, other) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at

    def __repr__(self) -> str:
        return f"<WaitlistEntry {self.id} {self.status} room {self.room_id} {self.starts_at:%Y-%m-%d %H:%M}>"

