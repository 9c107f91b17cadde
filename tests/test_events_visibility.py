"""Visibility through the real booking flow (bookings.services): request, approve, reject, cancel, withdraw."""

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from bookings.recurrence import Recurrence
from bookings.services import BookingRequest, approve, cancel, reject, request_booking, withdraw
from events.models import Event, ensure_categories
from timeutil import utcnow

TITLE = "Gemeinsam kochen"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def people(make_centre, make_room, make_association, make_user, db):
    ensure_categories()
    centre = make_centre(slug="nord")
    room = make_room(centre, name="Küche")
    association = make_association(name="Kochclub")
    member = make_user("member", associations=[association])
    manager = make_user("manager", centres=[centre])
    return {"centre": centre, "room": room, "association": association, "member": member, "manager": manager}


def ask(people, db, *, weeks=3):
    first = (utcnow() + timedelta(days=5)).date()
    request = BookingRequest(
        centre=people["centre"], room=people["room"], association=people["association"], title="Kochen",
        start=datetime.combine(first, time(18)), end=datetime.combine(first, time(20)),
        recurrence=Recurrence(until=first + timedelta(weeks=weeks - 1)) if weeks > 1 else None,
        event={"title": {"de": TITLE, "ar": "نطبخ معاً"}, "category_key": "encounter", "audiences": ["everyone"],
               "languages": ["de", "ar"]},
    )
    booking = request_booking(request, people["member"])
    db.session.commit()
    return booking


def visible_everywhere(client, event_id) -> dict:
    return {
        "calendar": TITLE in text(client.get("/de/events/")),
        "month": TITLE in text(client.get(f"/de/events/?view=month&month={(utcnow() + timedelta(days=5)):%Y-%m}")),
        "embed": TITLE in text(client.get("/de/embed/events")),
        "home": TITLE in text(client.get("/de/")),
        "centre": TITLE in text(client.get("/de/centres/nord/")),
        "api": any(i["title"] == TITLE for i in client.get("/api/v1/events?lang=de").get_json()["items"]),
        "page": client.get(f"/de/events/{event_id}/").status_code == 200,
    }


NOWHERE = dict.fromkeys(("calendar", "month", "embed", "home", "centre", "api", "page"), False)


def test_a_request_is_public_only_once_approved(client, people, db):
    booking = ask(people, db)
    event_id = booking.event.id
    assert booking.status == "pending"
    assert visible_everywhere(client, event_id) == NOWHERE
    approve(booking, people["manager"])
    db.session.commit()
    seen = visible_everywhere(client, event_id)
    assert seen["calendar"] and seen["embed"] and seen["api"] and seen["page"] and seen["centre"]
    assert text(client.get("/de/events/")).count(TITLE) == 3


def test_rejected_and_withdrawn_requests_stay_hidden(client, people, db):
    rejected = ask(people, db)
    reject(rejected, people["manager"], reason="Der Raum wird renoviert.")
    db.session.commit()
    assert visible_everywhere(client, rejected.event.id) == NOWHERE
    withdrawn = ask(people, db, weeks=1)
    withdraw(withdrawn, people["member"], reason="Doch nicht.")
    db.session.commit()
    assert visible_everywhere(client, withdrawn.event.id) == NOWHERE


def test_a_cancelled_date_shows_with_its_reason(client, people, db):
    booking = ask(people, db)
    approve(booking, people["manager"])
    db.session.commit()
    second = booking.occurrences[1]
    cancel(booking, people["manager"], occurrence_id=second.id, reason="Stromausfall im Haus")
    db.session.commit()
    page = text(client.get("/de/events/"))
    assert page.count(TITLE) == 3 and "Stromausfall im Haus" in page
    items = client.get("/api/v1/events").get_json()["items"]
    assert [i["status"] for i in items] == ["scheduled", "cancelled", "scheduled"]
    assert items[1]["cancel_reason"] == "Stromausfall im Haus"
    assert "Stromausfall im Haus" in text(client.get(f"/de/events/{booking.event.id}/"))


def test_a_wholly_cancelled_event_still_says_so(client, people, db):
    booking = ask(people, db, weeks=2)
    approve(booking, people["manager"])
    db.session.commit()
    cancel(booking, people["member"], reason="Der Verein löst sich auf.")
    db.session.commit()
    assert booking.status == "cancelled"
    items = client.get("/api/v1/events").get_json()["items"]
    assert [i["status"] for i in items] == ["cancelled", "cancelled"]
    assert client.get(f"/de/events/{booking.event.id}/").status_code == 200


def test_only_the_approved_dates_of_a_partly_approved_series(client, people, db):
    booking = ask(people, db)
    first, second, third = booking.occurrences
    approve(booking, people["manager"], occurrence_ids=[first.id, third.id], reason="Am zweiten Termin ist Fest.")
    db.session.commit()
    items = client.get("/api/v1/events").get_json()["items"]
    assert [i["id"] for i in items] == [first.id, third.id]
    event = db.session.scalar(select(Event).where(Event.booking_id == booking.id))
    assert "Am zweiten Termin ist Fest." not in text(client.get(f"/de/events/{event.id}/"))
