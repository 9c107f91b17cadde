"""House rules (per centre and language, versioned) and the keys handed out for bookings."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from timeutil import utcnow


class HouseRules(db.Model):
    """One version of a centre's house rules. A request accepts the latest; a new version is a new row."""

    __table_args__ = (UniqueConstraint("centre_id", "version", name="uq_house_rules_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[dict] = mapped_column(JSON, default=dict)  # {lang: text}
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    centre: Mapped["Centre"] = relationship()  # noqa: F821

    @classmethod
    def current(cls, centre) -> "HouseRules | None":
        if centre is None or centre.id is None:
            return None
        return db.session.scalar(
            select(cls).where(cls.centre_id == centre.id).order_by(cls.version.desc()).limit(1)
        )


class KeyHandover(db.Model):
    """A key handed out for a booking (for one date, or for the booking), and its return."""

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int | None] = mapped_column(ForeignKey("occurrence.id", ondelete="SET NULL"))
    holder: Mapped[str] = mapped_column(String(200), default="")
    handed_out_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    handed_out_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # When it should be back: the end of its date (or of the booking's last date); reminders start the morning after.
    due_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)

    booking: Mapped["Booking"] = relationship(back_populates="keys")  # noqa: F821
    occurrence: Mapped["Occurrence | None"] = relationship()  # noqa: F821
    handed_out_by: Mapped["User | None"] = relationship(foreign_keys=[handed_out_by_id])  # noqa: F821
    returned_by: Mapped["User | None"] = relationship(foreign_keys=[returned_by_id])  # noqa: F821

    @property
    def is_out(self) -> bool:
        return self.returned_at is None
