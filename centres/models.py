"""Centres (welcome spaces), their rooms and closures."""

from datetime import date, datetime, time

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Time, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import centre_managers
from extensions import db
from i18n import pick_text
from timeutil import DEFAULT_TIMEZONE, utcnow


class Centre(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[dict] = mapped_column(JSON, default=dict)
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    district: Mapped[str] = mapped_column(String(100), default="", index=True)
    street: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # {"0": [["09:00", "18:00"]], ...}: weekday (Monday = 0) -> open intervals
    opening_hours: Mapped[dict] = mapped_column(JSON, default=dict)
    features: Mapped[list] = mapped_column(JSON, default=list)
    staff_languages: Mapped[list] = mapped_column(JSON, default=list)
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(50), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    default_language: Mapped[str] = mapped_column(String(10), default="de")
    # Terms of use (terms/): the rest of a centre's paper form, online.
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    reduced_percent: Mapped[int] = mapped_column(Integer, default=50)  # the reduced tariff, of the standard fee
    commercial_percent: Mapped[int] = mapped_column(Integer, default=150)  # the commercial surcharge
    cancel_free_days: Mapped[int | None] = mapped_column(Integer)  # free until this many days before; None: always
    late_cancel_fee_cents: Mapped[int] = mapped_column(Integer, default=0)  # per date cancelled later
    late_cancel_online: Mapped[bool] = mapped_column(Boolean, default=True)  # False: later only by phone
    quiet_from: Mapped[time | None] = mapped_column(Time)  # the latest end of any date in the centre
    asks_responsible: Mapped[bool] = mapped_column(Boolean, default=False)  # a responsible person on each request
    waitlist_offer_hours: Mapped[int] = mapped_column(Integer, default=48)  # how long a waiting-list offer stands
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    rooms: Mapped[list["Room"]] = relationship(
        back_populates="centre", cascade="all, delete-orphan", order_by="Room.name"
    )
    closures: Mapped[list["Closure"]] = relationship(
        back_populates="centre", cascade="all, delete-orphan", order_by="Closure.starts_on"
    )
    managers: Mapped[list["User"]] = relationship(  # noqa: F821
        secondary=centre_managers, back_populates="managed_centres", order_by="User.email"
    )

    def display_name(self, lang=None) -> str:
        return pick_text(self.name, lang, self.default_language)[0] or self.slug

    @property
    def address(self) -> str:
        parts = [self.street, " ".join(p for p in (self.postcode, self.city) if p)]
        return ", ".join(p for p in parts if p)

    @property
    def osm_url(self) -> str | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (
            f"https://www.openstreetmap.org/?mlat={self.latitude:.5f}&mlon={self.longitude:.5f}"
            f"#map=18/{self.latitude:.5f}/{self.longitude:.5f}"
        )

    def hours_on(self, weekday: int) -> list[list[str]]:
        return (self.opening_hours or {}).get(str(weekday), [])

    def can_edit(self, user) -> bool:
        return bool(user and user.is_authenticated and user.is_admin)

    def can_manage(self, user) -> bool:
        return bool(user and user.is_authenticated and user.manages(self))

    @classmethod
    def by_slug(cls, slug: str):
        return db.session.scalar(select(cls).where(cls.slug == slug))

    def __repr__(self) -> str:
        return f"<Centre {self.slug}>"


class Room(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    capacity: Mapped[int] = mapped_column(Integer, default=10)
    area_sqm: Mapped[int | None] = mapped_column(Integer)
    equipment: Mapped[list] = mapped_column(JSON, default=list)
    barrier_free: Mapped[bool] = mapped_column(Boolean, default=False)
    accessibility_notes: Mapped[dict] = mapped_column(JSON, default=dict)
    bookable: Mapped[bool] = mapped_column(Boolean, default=True)
    earliest_time: Mapped[time] = mapped_column(Time, default=time(8, 0))
    latest_time: Mapped[time] = mapped_column(Time, default=time(22, 0))
    max_duration_minutes: Mapped[int] = mapped_column(Integer, default=480)
    max_days_ahead: Mapped[int] = mapped_column(Integer, default=400)
    min_notice_hours: Mapped[int] = mapped_column(Integer, default=24)
    setup_minutes: Mapped[int] = mapped_column(Integer, default=0)
    cleanup_minutes: Mapped[int] = mapped_column(Integer, default=0)
    # Fees (terms.pricing), in the centre's currency's minor unit.
    hourly_rate_cents: Mapped[int] = mapped_column(Integer, default=0)
    flat_rate_cents: Mapped[int] = mapped_column(Integer, default=0)  # per date
    deposit_cents: Mapped[int] = mapped_column(Integer, default=0)  # per booking
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    centre: Mapped[Centre] = relationship(back_populates="rooms")
    closures: Mapped[list["Closure"]] = relationship(
        back_populates="room", cascade="all, delete-orphan", order_by="Closure.starts_on"
    )

    def can_edit(self, user) -> bool:
        return self.centre.can_manage(user)

    def __repr__(self) -> str:
        return f"<Room {self.id} {self.name}>"


class Closure(db.Model):
    """Whole days (inclusive) when a centre, or one of its rooms, cannot be booked."""

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    centre: Mapped[Centre] = relationship(back_populates="closures")
    room: Mapped[Room | None] = relationship(back_populates="closures")

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def can_edit(self, user) -> bool:
        return self.centre.can_manage(user)
