"""Programmes: the city's alliances, partnerships for democracy, festivals, campaigns and series.

A programme has texts per language (name, summary, description, funding notice), a kind, an optional period
and hashtag, coordinators (users appointed by admins), partner associations (asked by the association and
accepted by a coordinator, or invited by a coordinator and accepted by the association's admins), partner
centres, and the events its partners mark as part of it (an event may be in several programmes, never copied),
an image and its partners' logos (programmes.images). Here too: ``Cooperation``, an association invited to
organise an event with the booking association (its rules in programmes.cooperations).
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, Date, DateTime, ForeignKey, Integer, String, Table, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from i18n import pick_text
from programmes.images import ProgrammeImage
from timeutil import utcnow

KINDS = {
    "alliance": _l("Alliance"),
    "democracy": _l("Partnership for democracy"),
    "festival": _l("Festival"),
    "campaign": _l("Campaign"),
    "series": _l("Series"),
    "other": _l("Other programme"),
}
ROLES = {"lead": _l("Lead partner"), "partner": _l("Cooperation partner"), "funder": _l("Funder")}
ASKED, INVITED, ACCEPTED = "asked", "invited", "accepted"  # a partner's; a cooperation's are ACCEPTED and:
PENDING, DECLINED, WITHDRAWN = "pending", "declined", "withdrawn"
COOPERATION_STATUSES = (PENDING, ACCEPTED, DECLINED, WITHDRAWN)
COOPERATION_LABELS = {PENDING: _l("invited"), ACCEPTED: _l("co-organiser"), DECLINED: _l("declined"),
                      WITHDRAWN: _l("withdrawn")}

programme_coordinator = Table(
    "programme_coordinator", db.metadata,
    Column("programme_id", ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True),
)
programme_centre = Table(
    "programme_centre", db.metadata,
    Column("programme_id", ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True),
    Column("centre_id", ForeignKey("centre.id", ondelete="CASCADE"), primary_key=True, index=True),
)
event_programme = Table(
    "event_programme", db.metadata,
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column("programme_id", ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Programme(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="other")
    name: Mapped[dict] = mapped_column(JSON, default=dict)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    funding_notice: Mapped[dict] = mapped_column(JSON, default=dict)
    default_language: Mapped[str] = mapped_column(String(10), default="de")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    hashtag: Mapped[str] = mapped_column(String(80), default="")
    image_id: Mapped[int | None] = mapped_column(ForeignKey("programme_image.id", ondelete="SET NULL"))
    image_alt: Mapped[dict] = mapped_column(JSON, default=dict)  # per language: what the image shows
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    image: Mapped[ProgrammeImage | None] = relationship(foreign_keys=[image_id])
    coordinators: Mapped[list["User"]] = relationship(secondary=programme_coordinator)  # noqa: F821
    centres: Mapped[list["Centre"]] = relationship(secondary=programme_centre, order_by="Centre.slug")  # noqa: F821
    partners: Mapped[list["ProgrammePartner"]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="ProgrammePartner.id")

    def display_name(self, lang=None) -> str:
        return pick_text(self.name, lang, self.default_language)[0] or self.slug

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))

    def accepted_partners(self) -> list["ProgrammePartner"]:
        return [p for p in self.partners if p.status == ACCEPTED]

    def partner_of(self, association) -> "ProgrammePartner | None":
        return next((p for p in self.partners if p.association_id == association.id), None)

    def is_partner(self, association) -> bool:
        link = self.partner_of(association) if association is not None else None
        return link is not None and link.status == ACCEPTED

    def can_coordinate(self, user) -> bool:
        """Admins and the programme's coordinators."""
        if not (user and getattr(user, "is_authenticated", False)):
            return False
        return user.is_admin or any(c.id == user.id for c in self.coordinators)

    @classmethod
    def by_slug(cls, slug) -> "Programme | None":
        return db.session.scalar(select(cls).where(cls.slug == slug))

    def __repr__(self) -> str:
        return f"<Programme {self.slug}>"


class ProgrammePartner(db.Model):
    """An association in a programme: ``asked`` by it, ``invited`` by a coordinator, ``accepted`` by the other."""

    __tablename__ = "programme_partner"
    __table_args__ = (UniqueConstraint("programme_id", "association_id", name="uq_programme_partner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    association_id: Mapped[int] = mapped_column(ForeignKey("association.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="partner")
    status: Mapped[str] = mapped_column(String(20), default=ASKED)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    position: Mapped[int] = mapped_column(Integer, default=0)
    logo_id: Mapped[int | None] = mapped_column(ForeignKey("programme_image.id", ondelete="SET NULL"))
    logo_alt: Mapped[dict] = mapped_column(JSON, default=dict)  # per language; else the association's name

    programme: Mapped[Programme] = relationship(back_populates="partners")
    association: Mapped["Association"] = relationship()  # noqa: F821
    logo: Mapped[ProgrammeImage | None] = relationship(foreign_keys=[logo_id])

    @property
    def role_label(self) -> str:
        return str(ROLES.get(self.role, self.role))


class Cooperation(db.Model):
    __table_args__ = (UniqueConstraint("booking_id", "association_id", name="uq_cooperation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"), index=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("association.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)

    booking: Mapped["Booking"] = relationship(back_populates="cooperations")  # noqa: F821
    association: Mapped["Association"] = relationship()  # noqa: F821

    @property
    def status_label(self) -> str:
        return str(COOPERATION_LABELS.get(self.status, self.status))

    def can_view(self, user) -> bool:
        """The two associations' members and the centre's managers."""
        if not (user and getattr(user, "is_authenticated", False)):
            return False
        return user.is_member_of(self.association) or self.booking.can_view(user)

    def has_passed(self, now=None) -> bool:
        now = now or utcnow()
        return all(o.ends_at <= now for o in self.booking.occurrences)
