"""Co-organised events (#19): named on the request, confirmed by the invited association's admins; only
confirmed co-organisers are public (page, feed, API); the co-organiser sees the booking and never changes it;
answers freeze once the event has passed."""

from datetime import timedelta

import pytest
from booking_support import api_body, approve, booking_world_fixture, login, next_weekday, text_of  # noqa: F401
from sqlalchemy import select

from accounts import members
from bookings.models import Booking
from extensions import db
from outbox.models import OutboxMail
from programmes.cooperations import Cooperation
from tests.feeds_support import empty_feed_cache  # noqa: F401 (autouse fixture)


@pytest.fixture
def invited(client, booking_world, token_for):
    """The world's association asks for the hall with a public event co-organised by SV Nordstadt; approved."""
    world = booking_world
    members.set_admin(world.other_association, world.other_member, True)
    db.session.commit()
    body = api_body(world, day=next_weekday(3, 14), association_id=world.association.id,
                    event={"title": {"de": "Nachbarschaftsfest", "en": "Neighbourhood party"},
                           "co_organisers": [world.other_association.id]})
    answer = client.post("/api/v1/bookings", json=body, headers=token_for(world.member))
    assert answer.status_code == 201, answer.get_json()
    booking = db.session.get(Booking, answer.get_json()["id"])
    approve(world, booking)
    cooperation = db.session.scalars(select(Cooperation)).one()
    return booking, cooperation


def public_names(client, booking):
    """The organisers as the API, the event page and the feed show them."""
    event_id = booking.event.id
    items = client.get("/api/v1/events?lang=en").get_json()["items"]
    api = [o["name"] for o in next(i for i in items if i["event_id"] == event_id)["organisers"]]
    page = text_of(client.get(f"/en/events/{event_id}/"))
    feed = client.get("/en/events.ics").get_data(as_text=True).replace("\r\n ", "")
    return api, "SV Nordstadt" in page, "SV Nordstadt" in feed


def test_only_a_confirmed_co_organiser_is_public(client, booking_world, invited, token_for):
    world = booking_world
    booking, cooperation = invited
    assert cooperation.status == "pending"
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == "other@example.org")).all()
    assert any(b"cooperations" in m.message for m in mail)  # the invitation, with its link
    assert public_names(client, booking) == (["Sprachbrücke"], False, False)  # pending
    headers = token_for(world.other_member)
    listed = client.get("/api/v1/cooperations?status=pending", headers=headers).get_json()["items"]
    assert listed == [{"id": cooperation.id, "booking_id": booking.id, "title": "Deutschkurs",
                       "event_id": booking.event.id, "inviting": {"id": world.association.id, "name": "Sprachbrücke"},
                       "invited": {"id": world.other_association.id, "name": "SV Nordstadt"}, "status": "pending"}]
    answer = client.post(f"/api/v1/cooperations/{cooperation.id}/accept", headers=headers)
    assert answer.status_code == 200 and answer.get_json()["status"] == "accepted"
    assert public_names(client, booking) == (["Sprachbrücke", "SV Nordstadt"], True, True)
    # the co-organiser's events: the calendar filter and the association's page
    organised = client.get(f"/api/v1/events?organiser={world.other_association.id}").get_json()["items"]
    assert {item["event_id"] for item in organised} == {booking.event.id}
    login(client, world.other_member)
    assert "Neighbourhood party" in text_of(client.get(f"/en/associations/{world.other_association.id}/"))
    client.post("/en/logout")
    answer = client.post(f"/api/v1/cooperations/{cooperation.id}/withdraw", headers=headers)
    assert answer.status_code == 200
    assert public_names(client, booking) == (["Sprachbrücke"], False, False)  # withdrawn
    assert client.get(f"/api/v1/events?organiser={world.other_association.id}").get_json()["items"] == []


def test_a_declined_co_organiser_stays_private(client, booking_world, invited, token_for):
    world = booking_world
    booking, cooperation = invited
    answer = client.post(f"/api/v1/cooperations/{cooperation.id}/decline", headers=token_for(world.other_member))
    assert answer.status_code == 200 and answer.get_json()["status"] == "declined"
    assert public_names(client, booking) == (["Sprachbrücke"], False, False)
    # declined is final
    assert client.post(f"/api/v1/cooperations/{cooperation.id}/accept",
                       headers=token_for(world.other_member)).status_code == 409


def test_who_answers_and_what_a_co_organiser_may_do(client, booking_world, invited, token_for, make_user):
    world = booking_world
    booking, cooperation = invited
    plain = make_user("member", email="sv-plain@example.org", associations=[world.other_association])
    for user, status in ((plain, 403), (world.member, 403), (world.manager, 403), (world.outsider, 404),
                         (world.other_manager, 404)):
        for action in ("accept", "decline", "withdraw"):
            answer = client.post(f"/api/v1/cooperations/{cooperation.id}/{action}", headers=token_for(user))
            assert answer.status_code == status, (user.email, action)
    assert client.get("/api/v1/cooperations").status_code == 401
    assert client.post(f"/api/v1/cooperations/{cooperation.id}/accept",
                       headers=token_for(world.other_member)).status_code == 200
    # the co-organiser sees the booking, read only
    headers = token_for(world.other_member)
    assert client.get(f"/api/v1/bookings/{booking.id}", headers=headers).status_code == 200
    assert client.post(f"/api/v1/bookings/{booking.id}/cancel", headers=headers).status_code == 403
    login(client, world.other_member)
    page = client.get(f"/en/bookings/{booking.id}/")
    assert page.status_code == 200 and f"cancel-{booking.id}-submit" not in page.get_data(as_text=True)
    assert client.post(f"/en/bookings/{booking.id}/cancel", data={}).status_code == 403
    assert "Deutschkurs" in text_of(client.get("/en/bookings/"))  # in its own list
    # and in its association's private feed
    from feeds.models import ASSOCIATION, FeedToken

    token = FeedToken.issue(world.other_member, ASSOCIATION, association=world.other_association, language="en")
    db.session.commit()
    feed = client.get(f"/feeds/{token.secret}.ics")
    assert feed.status_code == 200 and "Deutschkurs" in feed.get_data(as_text=True)
    db.session.commit()
    assert db.session.get(Booking, booking.id).status == "approved"


def test_answers_freeze_once_the_event_has_passed(client, booking_world, invited, token_for, time_machine):
    world = booking_world
    booking, cooperation = invited
    time_machine.move_to(booking.occurrences[-1].ends_at.replace(tzinfo=None) + timedelta(hours=1), tick=False)
    answer = client.post(f"/api/v1/cooperations/{cooperation.id}/accept", headers=token_for(world.other_member))
    assert answer.status_code == 409


def test_who_can_be_named(client, booking_world, token_for):
    world = booking_world
    headers = token_for(world.member)
    for wrong in ([world.unverified.id], [world.association.id], [999999], ["x"]):
        body = api_body(world, day=next_weekday(3, 14), association_id=world.association.id,
                        event={"title": {"de": "Fest"}, "co_organisers": wrong})
        answer = client.post("/api/v1/bookings", json=body, headers=headers)
        assert answer.status_code == 422 and "event.co_organisers" in answer.get_json()["error"]["fields"], wrong
    assert db.session.scalar(select(Cooperation.id)) is None


def test_a_deleted_association_is_no_co_organiser_or_partner_any_more(client, booking_world, invited, token_for):
    from privacy.erase import delete_association
    from programmes.images import ProgrammeImage
    from programmes.models import Programme, ProgrammePartner

    world = booking_world
    booking, cooperation = invited
    assert client.post(f"/api/v1/cooperations/{cooperation.id}/accept",
                       headers=token_for(world.other_member)).status_code == 200
    programme = Programme(slug="buendnis", kind="alliance", name={"de": "Bündnis"})
    logo = ProgrammeImage(data=b"x", extension="png", width=1, height=1, digest="0" * 16)
    programme.partners.append(ProgrammePartner(association=world.other_association, status="accepted", logo=logo))
    db.session.add(programme)
    db.session.commit()
    assert public_names(client, booking)[0] == ["Sprachbrücke", "SV Nordstadt"]
    delete_association(world.other_association, world.admin, "Aufgelöst")
    db.session.commit()
    assert public_names(client, booking) == (["Sprachbrücke"], False, False)
    assert db.session.get(Cooperation, cooperation.id).status == "withdrawn"
    assert db.session.scalars(select(ProgrammePartner)).all() == []
    assert db.session.scalars(select(ProgrammeImage)).all() == []
    assert client.get("/api/v1/programmes/buendnis").get_json()["partners"] == []
