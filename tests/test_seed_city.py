"""seed-city (#22): the demo grown to a large city's shape through the booking services — here a small one."""

from itertools import pairwise

from sqlalchemy import func, select

from bookings.models import APPROVED, Booking, Occurrence
from centres.models import Centre
from events.models import Event
from extensions import db
from timeutil import utcnow


def test_the_city_grows_through_the_services(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-city", "--centres", "2", "--rooms", "1", "--years", "2"])
    assert result.exit_code == 0, result.output
    assert "2 centres, 2 rooms, 300 associations, 20 bookings" in result.output
    city = (select(Occurrence).join(Booking, Booking.id == Occurrence.booking_id)
            .join(Centre, Centre.id == Booking.centre_id).where(Centre.slug.like("city-%")))
    dates = db.session.scalars(city).all()
    assert len(dates) == 2 * 1 * 5 * 2 * 52  # centres × rooms × series × years × weeks
    now = utcnow()
    past = [d for d in dates if d.starts_at < now]
    assert len(dates) * 0.45 <= len(past) < len(dates) // 2  # a year back (to two weeks ahead), a year ahead
    assert all(d.status == APPROVED for d in dates)
    assert sum(d.participants is not None for d in past) > len(past) // 2
    assert not any(d.participants is not None for d in dates if d.starts_at >= now)
    by_room = {}
    for d in dates:
        by_room.setdefault(d.room_id, []).append(d)
    for room_dates in by_room.values():  # what the no-overlap rule guarantees, seen from here
        ordered = sorted(room_dates, key=lambda d: d.starts_at)
        assert all(a.ends_at <= b.starts_at for a, b in pairwise(ordered))
    events = db.session.scalar(select(func.count(Event.id)).join(Centre, Centre.id == Event.centre_id)
                               .where(Centre.slug.like("city-%")))
    assert events == 18  # all but one in ten series
    client = app.test_client()
    feed = client.get("/en/centres/city-01/events.ics")
    assert feed.status_code == 200 and feed.data.count(b"BEGIN:VEVENT") >= 9
    again = runner.invoke(args=["seed-city", "--centres", "2", "--rooms", "1"])
    assert "grown already" in again.output
