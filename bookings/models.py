"""Bookings: one request for one room, its dates (occurrences) and its history.

One row per date (``Occurrence``) under its booking, as the best booking
systems do: single dates can be cancelled, and the conflict check is an
indexed range query on (room_id, starts_at, ends_at). Instants are naive UTC.

State changes live in ``bookings.services``; the methods here answer questions
(who may do what, what the booking's status follows from its dates).
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from timeutil import DEFAULT_TIMEZONE, local_wall_time, utcnow

PENDING, APPROVED, REJECTED, CANCELLED = "pending", "approved", "rejected", "cancelled"
STATUSES = (PENDING, APPROVED, REJECTED, CANCELLED)
ACTIVE = (PENDING, APPROVED)

STATUS_LABELS = {
    PENDING: _l("pending"),
    APPROVED: _l("approved"),
    REJECTED: _l("rejected"),
    CANCELLED: _l("cancelled"),
}

ACTION_LABELS = {
    "requested": _l("Requested"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "date_rejected": _l("Date not approved"),
    "competing_rejected": _l("Rejected: the room was given to another request"),
    "withdrawn": _l("Withdrawn"),
    "cancelled": _l("Cancelled"),
    "date_cancelled": _l("Date cancelled"),
    "late_fee": _l("Cancelled late: the late-cancellation fee applies"),
    "tariff_changed": _l("Tariff changed"),
    "key_out": _l("Key handed out"),
    "key_back": _l("Key returned"),
    "deposit_received": _l("Deposit received"),
    "deposit_returned": _l("Deposit returned"),
}


class Booking(db.Model):
    __table_args__ = (Index("ix_booking_centre_status", "centre_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    # Null only for a centre's own event without a room.
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    # Null for a manager's own booking (the centre's activity).
    association_id: Mapped[int | None] = mapped_column(ForeignKey("association.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    # The recurrence as asked for; the dates themselves are the occurrences.
    recurrence_freq: Mapped[str | None] = mapped_column(String(10))
    recurrence_interval: Mapped[int] = mapped_column(Integer, default=1)
    recurrence_weekdays: Mapped[list] = mapped_column(JSON, default=list)
    recurrence_until: Mapped[date | None] = mapped_column(Date)
    recurrence_count: Mapped[int | None] = mapped_column(Integer)
    attendees: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    cancellation_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The centre's terms as accepted with the request, and what they cost (terms/).
    house_rules_id: Mapped[int | None] = mapped_column(ForeignKey("house_rules.id", ondelete="SET NULL"))
    terms_accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    responsible_name: Mapped[str] = mapped_column(String(200), default="")
    responsible_phone: Mapped[str] = mapped_column(String(50), default="")
    responsible_adult: Mapped[bool] = mapped_column(Boolean, default=False)
    commercial: Mapped[bool] = mapped_column(Boolean, default=False)
    tariff: Mapped[str] = mapped_column(String(20), default="free")
    tariff_reason: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    deposit_cents: Mapped[int] = mapped_column(Integer, default=0)
    cancellation_fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    deposit_received_at: Mapped[datetime | None] = mapped_column(DateTime)
    deposit_returned_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Dates of the series left out because they fall on a closure: [[start, end], ...] naive-UTC ISO.
    closed_dates: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    centre: Mapped["Centre"] = relationship()  # noqa: F821
    room: Mapped["Room | None"] = relationship()  # noqa: F821
    association: Mapped["Association | None"] = relationship()  # noqa: F821
    created_by: Mapped["User | None"] = relationship(foreign_keys=[created_by_id])  # noqa: F821
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821
    occurrences: Mapped[list["Occurrence"]] = relationship(
        back_populates="booking", cascade="all, delete-orphan", order_by="Occurrence.starts_at"
    )
    changes: Mapped[list["BookingChange"]] = relationship(
        back_populates="booking", cascade="all, delete-orphan", order_by="BookingChange.id"
    )
    event: Mapped["Event | None"] = relationship(  # noqa: F821
        back_populates="booking", cascade="all, delete-orphan", uselist=False
    )
    house_rules: Mapped["HouseRules | None"] = relationship()  # noqa: F821
    keys: Mapped[list["KeyHandover"]] = relationship(  # noqa: F821
        back_populates="booking", cascade="all, delete-orphan", order_by="KeyHandover.id"
    )
    # programmes.cooperations: the associations invited to organise the event together
    cooperations: Mapped[list["Cooperation"]] = relationship(  # noqa: F821
        back_populates="booking", cascade="all, delete-orphan", order_by="Cooperation.id"
    )

    # --- questions -------------------------------------------------------

    @property
    def is_pending(self) -> bool:
        return self.status == PENDING

    @property
    def is_recurring(self) -> bool:
        return bool(self.recurrence_freq)

    @property
    def timezone(self) -> str:
        return self.centre.timezone

    @property
    def is_centre_booking(self) -> bool:
        """A manager's own booking for the centre's activity."""
        return self.association_id is None

    def occurrences_with(self, *statuses) -> list["Occurrence"]:
        return [o for o in self.occurrences if o.status in statuses]

    def future_occurrences(self, now=None, statuses=ACTIVE) -> list["Occurrence"]:
        now = now or utcnow()
        return [o for o in self.occurrences if o.status in statuses and o.starts_at > now]

    def closed_intervals(self) -> list[tuple[datetime, datetime]]:
        """The dates of the series left out because of closures."""
        return [(datetime.fromisoformat(start), datetime.fromisoformat(end)) for start, end in self.closed_dates or []]

    def status_from_dates(self) -> str:
        """pending while any date waits; approved while any is approved; else cancelled or rejected."""
        statuses = {o.status for o in self.occurrences}
        if PENDING in statuses:
            return PENDING
        if APPROVED in statuses:
            return APPROVED
        if CANCELLED in statuses:
            return CANCELLED
        return REJECTED

    # --- permissions (role only; the state is checked by the services) -----

    def _signed_in(self, user) -> bool:
        return bool(user and getattr(user, "is_authenticated", False))

    def is_manager(self, user) -> bool:
        return self._signed_in(user) and user.manages(self.centre)

    def is_owner(self, user) -> bool:
        """A member of the booking's association (or, for a centre's booking, its author)."""
        if not self._signed_in(user):
            return False
        if self.association is not None:
            return user.is_member_of(self.association)
        return self.created_by_id == user.id

    def can_view(self, user) -> bool:
        return self.is_manager(user) or self.is_owner(user) or self.is_co_organiser(user)

    def is_co_organiser(self, user) -> bool:
        """A member of an association that accepted to organise the event together (it sees, never changes)."""
        return self._signed_in(user) and any(
            c.status == "accepted" and user.is_member_of(c.association) for c in self.cooperations)

    def organisers(self) -> list:
        """The booking association, then the accepted co-organisers (none for a centre's own booking)."""
        if self.association is None:
            return []
        return [self.association] + [c.association for c in self.cooperations if c.status == "accepted"]

    def can_decide(self, user) -> bool:
        """Approve or reject: the centre's managers and admins."""
        return self.is_manager(user)

    def can_cancel(self, user) -> bool:
        """Cancel dates or withdraw: the booking's association, the centre's managers, admins."""
        return self.is_manager(user) or self.is_owner(user)

    # role and state, for showing buttons
    def cancel_needs_reason(self, user) -> bool:
        """A centre cancelling an association's dates tells the association why (on every path)."""
        return self.is_manager(user) and not self.is_owner(user) and not self.is_centre_booking

    def can_approve(self, user) -> bool:
        return self.is_pending and self.can_decide(user)

    def can_withdraw(self, user) -> bool:
        return self.is_pending and self.can_cancel(user)

    def can_cancel_dates(self, user, now=None) -> bool:
        return self.status == APPROVED and self.can_cancel(user) and bool(self.future_occurrences(now, (APPROVED,)))

    def participant_dates(self, user, now=None) -> list:
        """The dates whose participants this user may record (reports): approved dates that have ended."""
        if not self.can_cancel(user):
            return []
        now = now or utcnow()
        return [o for o in self.occurrences if o.status == APPROVED and o.ends_at <= now]

    def __repr__(self) -> str:
        return f"<Booking {self.id} {self.status}>"


def _blocked(column):
    """By default a date blocks the room for its own time; requests widen it by the room's buffers."""
    return lambda context: context.get_current_parameters()[column]


def _local(column):
    """By default a date's wall time in the city's zone; requests set the centre's (bookings.requests)."""
    return lambda context: local_wall_time(context.get_current_parameters()[column], DEFAULT_TIMEZONE)


def _booking_centre(context):
    """By default the centre of the date's booking (one lookup: inserts that do not say it)."""
    booking_id = context.get_current_parameters()["booking_id"]
    return context.connection.execute(select(Booking.centre_id).where(Booking.id == booking_id)).scalar_one()


def _minutes(context):
    values = context.get_current_parameters()
    return round((values["ends_at"] - values["starts_at"]).total_seconds() / 60)


class Occurrence(db.Model):
    """One date of a booking. room_id is copied from the booking for the indexed conflict check.

    ``blocked_start``/``blocked_end``: the date widened by the room's set-up and
    clean-up buffers. Conflicts are between blocked intervals (bookings.rules);
    on PostgreSQL the exclusion constraint of migration 0008 holds them apart.
    """

    __table_args__ = (
        Index("ix_occurrence_room_time", "room_id", "starts_at", "ends_at"),  # a room's dates in a range
        Index("ix_occurrence_room_blocked", "room_id", "blocked_start", "blocked_end"),  # the conflict check
        Index("ix_occurrence_starts_at", "starts_at"),  # time ranges across rooms: calendar, API, feeds
        Index("ix_occurrence_centre_time", "centre_id", "starts_at"),  # a centre's dates: its page, list, feed
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("blocked_start <= starts_at AND blocked_end >= ends_at", name="blocked_covers_date"),
        CheckConstraint("participants >= 0", name="participants_not_negative"),
        # reports: a period in local time, read from the index alone; an association's earlier dates
        Index("ix_occurrence_report", "local_start", "local_end", "booking_id", "status", "minutes", "participants"),
        Index("ix_occurrence_booking_start", "booking_id", "local_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"))  # ix_occurrence_booking_start
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"))
    # the booking's centre, copied (bookings.requests sets it) so a centre's dates are one index range
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), default=_booking_centre)
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    blocked_start: Mapped[datetime] = mapped_column(DateTime, default=_blocked("starts_at"))
    blocked_end: Mapped[datetime] = mapped_column(DateTime, default=_blocked("ends_at"))
    # The date in its centre's wall time (set by bookings.requests): reports group by local weekday,
    # hour and month on every database, across clock changes.
    local_start: Mapped[datetime] = mapped_column(DateTime, default=_local("starts_at"))
    local_end: Mapped[datetime] = mapped_column(DateTime, default=_local("ends_at"))
    minutes: Mapped[int] = mapped_column(Integer, default=_minutes)  # its length, across a clock change too
    participants: Mapped[int | None] = mapped_column(Integer)  # recorded by the organiser after the date
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="occurrences")

    def block(self, before, after) -> None:
        """Block the room for the date widened by these buffers (timedelta)."""
        self.blocked_start, self.blocked_end = self.starts_at - before, self.ends_at + after

    def has_started(self, now=None) -> bool:
        return self.starts_at <= (now or utcnow())

    def set_status(self, status: str, reason: str = "") -> None:
        self.status = status
        self.cancel_reason = reason or ""
        self.updated_at = utcnow()

    def __repr__(self) -> str:
        return f"<Occurrence {self.id} {self.starts_at:%Y-%m-%d %H:%M} {self.status}>"


class BookingChange(db.Model):
    """The audit trail: who changed what, when and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int | None] = mapped_column(ForeignKey("occurrence.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text, default="")
    # The dates concerned, as naive-UTC ISO strings (a change may touch many dates).
    dates: Mapped[list] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="changes")
    occurrence: Mapped[Occurrence | None] = relationship()
    user: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def label(self):
        return ACTION_LABELS.get(self.action, self.action)

    def date_values(self) -> list[datetime]:
        return [datetime.fromisoformat(value) for value in self.dates or []]


def pending_bookings(centre_ids):
    """The queue: pending bookings of the given centres, oldest first."""
    return (
        select(Booking)
        .where(Booking.centre_id.in_(list(centre_ids)), Booking.status == PENDING)
        .order_by(Booking.created_at, Booking.id)
    )
