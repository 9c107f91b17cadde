"""The demo city's season: enough varied, valid bookings and events to show every part of the product."""

from collections import Counter

from sqlalchemy import select

from bookings.models import Booking, BookingChange, Occurrence
from events.models import AUDIENCES, DEFAULT_CATEGORIES, Event
from extensions import db
from timeutil import utcnow


def test_demo_season(app):
    from demo import load_demo

    summary = load_demo()
    assert "bookings with" in summary
    bookings = db.session.scalars(select(Booking)).all()
    statuses = Counter(b.status for b in bookings)
    assert statuses["pending"] >= 3 and statuses["rejected"] >= 2 and statuses["approved"] >= 60
    public = db.session.scalars(select(Event).join(Booking).where(Booking.status == "approved")).all()
    assert len(public) >= 60
    assert {e.category_key for e in public} == set(DEFAULT_CATEGORIES)
    assert set().union(*(e.audiences for e in public)) == set(AUDIENCES)
    assert len(set().union(*(e.title.keys() for e in public))) >= 4
    assert any(len(e.title) >= 4 for e in public)
    recurring = [b for b in bookings if b.is_recurring and len(b.occurrences) > 5 and b.status == "approved"]
    assert len(recurring) >= 20
    cancelled = [o for b in bookings if b.status == "approved" for o in b.occurrences if o.status == "cancelled"]
    assert len(cancelled) >= 5 and all(o.cancel_reason for o in cancelled)
    assert db.session.scalar(select(BookingChange).where(BookingChange.action == "competing_rejected")) is not None
    assert any(b.room_id is None for b in bookings if b.status == "approved"), "a centre's event without a room"
    now = utcnow()
    approved = db.session.scalars(select(Occurrence).where(Occurrence.status == "approved")
                                  .order_by(Occurrence.room_id, Occurrence.starts_at)).all()
    assert any(o.starts_at < now for o in approved) and any(o.starts_at > now for o in approved)
    for earlier, later in zip(approved, approved[1:], strict=False):
        if earlier.room_id is not None and earlier.room_id == later.room_id:
            assert earlier.ends_at <= later.starts_at
    # loading again adds nothing
    load_demo()
    assert len(db.session.scalars(select(Booking)).all()) == len(bookings)
