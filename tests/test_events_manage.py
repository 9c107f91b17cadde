"""Creating a centre's own event and editing events: who may, what is saved, what residents then see."""

from datetime import time, timedelta

import pytest
from eventdata import make_event
from sqlalchemy import select

from bookings.models import Booking, Occurrence
from events.models import Event
from timeutil import to_local, utcnow


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def setting(make_centre, make_room, make_association, make_user):
    centre = make_centre(slug="nord")
    other_centre = make_centre(slug="sued")
    room = make_room(centre, name="Saal", earliest_time=time(8), latest_time=time(22))
    association = make_association(name="Kulturverein")
    event = make_event(centre, room, association=association, title={"de": "Chor"})
    makers = {
        "anonymous": lambda: None,
        "member": lambda: make_user("member", associations=[association]),
        "other_member": lambda: make_user("member", associations=[make_association()]),
        "manager": lambda: make_user("manager", centres=[centre]),
        "other_manager": lambda: make_user("manager", centres=[other_centre]),
        "admin": lambda: make_user("admin"),
    }
    return {"centre": centre, "room": room, "event": event, "user": lambda who: makers[who]()}


def login(auth, setting, who):
    user = setting["user"](who)  # only the user the test needs: password hashing is slow by design
    if user is not None:
        auth.login(user)


EDIT_FORM = {
    "title-de": "Chor für alle", "title-tr": "Herkes için koro", "description-de": "Wir singen.",
    "category_key": "culture", "audiences": ["everyone", "seniors"], "languages": ["de", "tr"],
    "barrier_free": "y", "is_free": "y", "price": "", "registration_url": "https://example.org/chor",
    "contact": "0511 987654", "tags": "#Chor, Musik",
}


@pytest.mark.parametrize(
    "who, expected",
    [
        ("anonymous", 302), ("member", 200), ("other_member", 403), ("manager", 200), ("other_manager", 403),
        ("admin", 200),
    ],
)
def test_who_may_edit_an_event(client, auth, setting, who, expected):
    login(auth, setting, who)
    event_id = setting["event"].id
    response = client.get(f"/en/events/{event_id}/edit")
    assert response.status_code == expected
    response = client.post(f"/en/events/{event_id}/edit", data=EDIT_FORM)
    assert response.status_code == (302 if expected == 200 else expected)
    if response.status_code == 302 and who == "anonymous":
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "who, expected",
    [
        ("anonymous", 302), ("member", 403), ("other_member", 403), ("manager", 200), ("other_manager", 403),
        ("admin", 200),
    ],
)
def test_who_may_create_a_centre_event(client, auth, setting, who, expected):
    login(auth, setting, who)
    response = client.get("/en/manage/centres/nord/events/new")
    assert response.status_code == expected
    if who == "anonymous":
        assert "/login" in response.headers["Location"]


def test_unknown_event_or_centre_is_404(client, auth, setting):
    login(auth, setting, "admin")
    assert client.get("/en/events/424242/edit").status_code == 404
    assert client.get("/en/manage/centres/nowhere/events/new").status_code == 404


def test_editing_saves_every_field_and_raises_the_sequence(client, auth, setting, db):
    login(auth, setting, "member")
    event = setting["event"]
    sequence = event.sequence
    response = client.post(f"/de/events/{event.id}/edit", data=EDIT_FORM)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/de/events/{event.id}/")
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.title == {"de": "Chor für alle", "tr": "Herkes için koro"}
    assert event.description == {"de": "Wir singen."}
    assert event.category_key == "culture"
    assert event.audiences == ["everyone", "seniors"] and event.languages == ["de", "tr"]
    assert event.barrier_free is True and event.is_free is True and event.price == ""
    assert event.registration_url == "https://example.org/chor" and event.contact == "0511 987654"
    assert event.tags == ["#Chor", "Musik"]
    assert event.sequence == sequence + 1
    page = text(client.get(f"/tr/events/{event.id}/"))
    assert "Herkes için koro" in page and "0511 987654" in page
    # saving the same again changes nothing
    client.post(f"/de/events/{event.id}/edit", data=EDIT_FORM)
    db.session.expire_all()
    assert db.session.get(Event, event.id).sequence == sequence + 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"title-de": "", "title-tr": ""}, "title"),
        ({"title-de": "x" * 201}, "title"),
        ({"registration_url": "javascript:alert(1)"}, "registration_url"),
        ({"registration_url": "example.org"}, "registration_url"),
        ({"is_free": "", "price": ""}, "price"),
        ({"category_key": "nonsense"}, "category_key"),
        ({"audiences": ["aliens"]}, "audiences"),
        ({"languages": ["xx-invalid"]}, "languages"),
        ({"tags": "a, b, c, d, e, f, g, h, i, j, k"}, "tags"),
        ({"tags": "<b>"}, "tags"),
        ({"contact": "Tel.\x00123"}, "contact"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(client, auth, setting, db, change, field):
    login(auth, setting, "manager")
    event = setting["event"]
    before = (dict(event.title), event.registration_url, event.sequence)
    response = client.post(f"/en/events/{event.id}/edit", data={**EDIT_FORM, **change})
    assert response.status_code == 400
    assert "Please correct the marked fields." in text(response)
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.title, event.registration_url, event.sequence) == before


def day_ahead(days=10):
    return (utcnow() + timedelta(days=days)).date()


def create_form(**overrides):
    data = {
        "title-de": "Sommerfest", "title-ar": "مهرجان الصيف", "description-de": "Für die ganze Nachbarschaft.",
        "category_key": "festival", "audiences": ["everyone", "families"], "languages": ["de", "ar"],
        "is_free": "y", "room_id": "", "day": day_ahead().isoformat(), "start_time": "14:00",
        "end_time": "18:00", "repeat_until": "", "tags": "#Sommerfest", "contact": "Zentrum Nord",
    }
    data.update(overrides)
    return data


def test_a_manager_creates_an_event_without_a_room(client, auth, setting, db):
    login(auth, setting, "manager")
    response = client.post("/de/manage/centres/nord/events/new", data=create_form())
    assert response.status_code == 302, text(response)
    event = db.session.scalar(select(Event).where(Event.booking_id.is_not(None)).order_by(Event.id.desc()))
    assert event.title == {"de": "Sommerfest", "ar": "مهرجان الصيف"}
    assert event.room_id is None and event.booking.room_id is None and event.booking.association_id is None
    assert event.booking.status == "approved"
    assert event.tags == ["#Sommerfest"] and event.contact == "Zentrum Nord"
    (occurrence,) = event.booking.occurrences
    assert to_local(occurrence.starts_at, "Europe/Berlin").time() == time(14, 0)
    assert response.headers["Location"].endswith(f"/de/events/{event.id}/")
    auth.logout()
    assert "مهرجان الصيف" in text(client.get("/ar/events/"))


def test_a_manager_creates_a_weekly_event_in_a_room(client, auth, setting, db):
    login(auth, setting, "manager")
    first = day_ahead(3)
    response = client.post(
        "/en/manage/centres/nord/events/new",
        data=create_form(room_id=str(setting["room"].id), day=first.isoformat(), start_time="18:00",
                         end_time="20:00", repeat_until=(first + timedelta(days=21)).isoformat()),
    )
    assert response.status_code == 302, text(response)
    booking = db.session.scalar(select(Booking).where(Booking.room_id == setting["room"].id,
                                                      Booking.association_id.is_(None)))
    assert booking.status == "approved"
    assert [o.status for o in booking.occurrences] == ["approved"] * 4
    assert {to_local(o.starts_at, "Europe/Berlin").time() for o in booking.occurrences} == {time(18, 0)}


def test_creating_an_event_in_a_booked_slot_names_the_conflict(client, auth, setting, db):
    login(auth, setting, "manager")
    room = setting["room"]
    # the existing approved event of the fixture is at tomorrow 16:00 UTC for 2 hours
    occurrence = setting["event"].booking.occurrences[0]
    local = to_local(occurrence.starts_at, "Europe/Berlin")
    count = db.session.query(Occurrence).count()
    response = client.post(
        "/en/manage/centres/nord/events/new",
        data=create_form(room_id=str(room.id), day=local.date().isoformat(), start_time=local.strftime("%H:%M"),
                         end_time=(local + timedelta(hours=1)).strftime("%H:%M")),
    )
    assert response.status_code == 400
    assert "already taken" in text(response)
    assert db.session.query(Occurrence).count() == count


@pytest.mark.parametrize(
    "change",
    [
        {"end_time": "13:00"},
        {"day": "2027-02-30"},
        {"day": ""},
        {"room_id": "999999"},
        {"repeat_until": "2001-01-01"},
        {"title-de": "", "title-ar": ""},
        {"start_time": "25:00"},
    ],
)
def test_bad_new_event_input_changes_nothing(client, auth, setting, db, change):
    login(auth, setting, "manager")
    count = db.session.query(Booking).count()
    response = client.post("/en/manage/centres/nord/events/new", data=create_form(**change))
    assert response.status_code == 400
    assert db.session.query(Booking).count() == count


def test_a_date_outside_the_rooms_hours_is_refused_with_the_rule(client, auth, setting, db):
    login(auth, setting, "manager")
    response = client.post(
        "/en/manage/centres/nord/events/new",
        data=create_form(room_id=str(setting["room"].id), start_time="06:00", end_time="07:00"),
    )
    assert response.status_code == 400
    assert db.session.query(Booking).count() == 1


def test_the_managers_centre_page_links_to_a_new_event(client, auth, setting):
    login(auth, setting, "manager")
    page = text(client.get("/en/manage/centres/nord/"))
    assert 'href="/en/manage/centres/nord/events/new"' in page
