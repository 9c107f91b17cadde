"""The waiting list: joining a taken date, the line's order, one offer at a time, expiry at its edge, answers,
the role matrix, offers made once by two processes at the same moment, and the offer mail through SMTP."""

import re
import threading
from datetime import timedelta

import pytest
from booking_support import (  # noqa: F401
    api_body,
    approve,
    booking_world_fixture,
    decision_data,
    form_data,
    fresh_locale,
    login,
    next_weekday,
    request,
    text_of,
)
from mail_support import inbox_fixture  # noqa: F401
from sqlalchemy import func, select

from bookings import services
from bookings.models import APPROVED, PENDING, Booking
from bookings.refusals import RefusedRequest
from extensions import db
from outbox.models import OutboxMail
from terms.services import publish_house_rules
from waitlist import line
from waitlist.models import ACCEPTED, DECLINED, EXPIRED, OFFERED, WAITING, WITHDRAWN, WaitlistEntry


def tuesday(weeks=0):
    return next_weekday(1, 21) + timedelta(weeks=weeks)


@pytest.fixture
def held(booking_world):
    """The world's room held on a Tuesday 18–20 by the world's association (approved)."""
    booking = request(booking_world, day=tuesday())
    approve(booking_world, booking)
    return booking


@pytest.fixture
def third(booking_world, make_association, make_user):
    association = make_association("Kulturverein Anadolu", email="anadolu@example.org", kind="club")
    member = make_user("member", email="anadolu-member@example.org", associations=[association],
                       preferred_language="tr")
    return association, member


def join_api(client, headers, world, **extra):
    return client.post("/api/v1/waitlist", json=api_body(world, day=tuesday(), **extra), headers=headers)


def entries():
    db.session.commit()
    return db.session.scalars(select(WaitlistEntry).order_by(WaitlistEntry.id)).all()


def mails_to(address):
    db.session.commit()
    return db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == address)).all()


# --- joining and the order of the line ------------------------------------------------------


def test_join_the_line_in_order(client, booking_world, held, third, token_for):
    world = booking_world
    association, member = third
    other = token_for(world.other_member)
    answer = join_api(client, other, world, association_id=world.other_association.id)
    assert answer.status_code == 201, answer.get_json()
    first = answer.get_json()
    assert first["status"] == "waiting" and first["position"] == 1 and first["offer_expires"] is None
    second = join_api(client, token_for(member), world, association_id=association.id).get_json()
    assert second["position"] == 2
    # once per association and date
    again = join_api(client, other, world, association_id=world.other_association.id)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "invalid_state"
    # a free date: request it instead (nothing stored)
    free = client.post("/api/v1/waitlist", json=api_body(world, day=tuesday(1), association_id=world.other_association.id),
                       headers=other)
    assert free.status_code == 422
    assert set(free.get_json()["error"]["fields"]) == {"start"}
    # the holder itself cannot queue for its own date
    own = join_api(client, token_for(world.member), world, association_id=world.association.id)
    assert own.status_code == 422
    # a series is not a place in line; a bad body changes nothing
    series = join_api(client, other, world, association_id=world.other_association.id,
                      recurrence={"freq": "weekly", "count": 3})
    assert series.status_code == 422 and "recurrence" in series.get_json()["error"]["fields"]
    assert client.post("/api/v1/waitlist", data="[]", headers=other, content_type="application/json").status_code == 400
    assert [e.status for e in entries()] == [WAITING, WAITING]
    listed = client.get("/api/v1/waitlist", headers=other).get_json()["items"]
    assert [item["id"] for item in listed] == [first["id"]]


def test_join_a_date_a_pending_request_holds(client, booking_world, token_for):
    """Another association's pending request takes the date too: the line waits for the decision."""
    world = booking_world
    request(world, day=tuesday())  # pending
    answer = join_api(client, token_for(world.other_member), world, association_id=world.other_association.id)
    assert answer.status_code == 201


def test_refused_requests_are_counted_once(client, booking_world, held, token_for):
    world = booking_world
    headers = token_for(world.other_member)
    for _ in range(3):  # asked three times: one date refused
        answer = client.post("/api/v1/bookings", json=api_body(world, day=tuesday(),
                                                                association_id=world.other_association.id),
                             headers=headers)
        assert answer.status_code == 409
    # a series leaving the taken date out counts it too (once: the same date)
    answer = client.post("/api/v1/bookings", json=api_body(
        world, day=tuesday(), association_id=world.other_association.id, skip_conflicts=True,
        recurrence={"freq": "weekly", "count": 2}), headers=headers)
    assert answer.status_code == 201
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(RefusedRequest)) == 1


# --- the offer ----------------------------------------------------------------------------


def test_cancel_offers_to_the_first_in_line_only(client, booking_world, held, third, token_for):
    world = booking_world
    association, member = third
    join_api(client, token_for(world.other_member), world, association_id=world.other_association.id)
    join_api(client, token_for(member), world, association_id=association.id)
    fresh_locale()
    services.cancel(held, world.member)
    db.session.commit()
    first, second = entries()
    assert (first.status, second.status) == (OFFERED, WAITING)
    assert first.offer_expires == first.offered_at + timedelta(hours=48)
    assert len(mails_to("other@example.org")) == 1 and mails_to("anadolu-member@example.org") == []
    # the offer standing, the second's place is 2 still
    assert line.position(second) == 2


def test_offer_expires_at_its_edge_and_passes_on(client, booking_world, held, third, token_for):
    world = booking_world
    association, member = third
    join_api(client, token_for(world.other_member), world, association_id=world.other_association.id)
    join_api(client, token_for(member), world, association_id=association.id)
    services.cancel(held, world.member)
    db.session.commit()
    first, second = entries()
    edge = first.offer_expires
    line.sweep(edge - timedelta(seconds=1))
    first, second = entries()
    assert (first.status, second.status) == (OFFERED, WAITING)
    line.sweep(edge)
    first, second = entries()
    assert (first.status, second.status) == (EXPIRED, OFFERED)
    assert second.offered_at == edge
    # an expired offer cannot be taken any more
    answer = client.post(f"/api/v1/waitlist/{first.id}/accept", headers=token_for(world.other_member))
    assert answer.status_code == 409


def test_a_near_date_gets_a_shorter_offer(booking_world, held, token_for, client):
    world = booking_world
    world.centre.waitlist_offer_hours = 24
    db.session.commit()
    join_api(client, token_for(world.other_member), world, association_id=world.other_association.id)
    entry = entries()[0]
    start = entry.starts_at
    services.cancel(held, world.manager, reason="Wasserschaden", now=start - timedelta(hours=10))
    db.session.commit()
    entry = entries()[0]
    assert entry.status == OFFERED
    assert entry.offer_expires == start - timedelta(hours=5)  # half the ten hours left, not 24


def test_decline_and_withdraw_pass_the_offer_on(client, booking_world, held, third, make_association, make_user,
                                                token_for):
    world = booking_world
    association, member = third
    fourth = make_association("Elternnetz", email="eltern@example.org")
    fourth_member = make_user("member", email="eltern-member@example.org", associations=[fourth])
    join_api(client, token_for(world.other_member), world, association_id=world.other_association.id)
    join_api(client, token_for(member), world, association_id=association.id)
    join_api(client, token_for(fourth_member), world, association_id=fourth.id)
    services.cancel(held, world.member)
    db.session.commit()
    first, second, last = entries()
    answer = client.post(f"/api/v1/waitlist/{first.id}/decline", headers=token_for(world.other_member))
    assert answer.status_code == 200 and answer.get_json()["status"] == "declined"
    first, second, last = entries()
    assert (first.status, second.status, last.status) == (DECLINED, OFFERED, WAITING)
    answer = client.post(f"/api/v1/waitlist/{second.id}/withdraw", headers=token_for(member))
    assert answer.status_code == 200
    first, second, last = entries()
    assert (second.status, last.status) == (WITHDRAWN, OFFERED)
    # declining twice: nothing left to answer
    assert client.post(f"/api/v1/waitlist/{first.id}/decline", headers=token_for(world.other_member)).status_code == 409


def test_accept_makes_a_pending_request_under_every_rule(client, booking_world, held, token_for):
    world = booking_world
    world.centre.asks_responsible = True
    db.session.commit()
    headers = token_for(world.other_member)
    body = dict(association_id=world.other_association.id, attendees=12, note="Bitte Stühle",
                responsible={"name": "Olga Other", "phone": "+49 30 1234567", "adult": True})
    assert join_api(client, headers, world, **body).status_code == 201
    # the house rules are published after joining: accepting asks for them
    publish_house_rules(world.centre, world.manager, {"de": "Bitte aufräumen."})
    services.cancel(held, world.member)
    db.session.commit()
    entry = entries()[0]
    refused = client.post(f"/api/v1/waitlist/{entry.id}/accept", headers=headers)
    assert refused.status_code == 422 and "accept_terms" in refused.get_json()["error"]["fields"]
    assert entries()[0].status == OFFERED
    answer = client.post(f"/api/v1/waitlist/{entry.id}/accept", json={"accept_terms": True}, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    booking_json = answer.get_json()["booking"]
    assert booking_json["status"] == "pending" and answer.get_json()["entry"]["status"] == "accepted"
    booking = db.session.get(Booking, booking_json["id"])
    assert booking.association_id == world.other_association.id and booking.attendees == 12
    assert booking.responsible_name == "Olga Other" and booking.house_rules_id is not None
    assert [(o.starts_at, o.status) for o in booking.occurrences] == [(entry.starts_at, PENDING)]
    # the manager approves it as any request
    approve(world, booking)
    assert db.session.get(Booking, booking.id).status == APPROVED
    assert entries()[0].status == ACCEPTED


def test_a_rejected_accepted_request_frees_the_date_for_the_next(client, booking_world, held, third, token_for):
    world = booking_world
    association, member = third
    join_api(client, token_for(world.other_member), world, association_id=world.other_association.id)
    join_api(client, token_for(member), world, association_id=association.id)
    services.cancel(held, world.member)
    db.session.commit()
    first = entries()[0]
    booking = client.post(f"/api/v1/waitlist/{first.id}/accept", headers=token_for(world.other_member)).get_json()
    assert entries()[1].status == WAITING  # the pending request holds the date
    services.reject(db.session.get(Booking, booking["booking"]["id"]), world.manager, reason="Renovierung")
    db.session.commit()
    assert entries()[1].status == OFFERED


def test_past_dates_expire(booking_world, held, token_for, client):
    world = booking_world
    join_api(client, token_for(world.other_member), world, association_id=world.other_association.id)
    entry = entries()[0]
    assert entry.created_by_id == world.other_member.id and entry.request["note"] == ""
    result = line.sweep(entry.starts_at + timedelta(minutes=1))
    assert result["passed"] == 1 and entries()[0].status == EXPIRED
    # its personal data goes with it: who took the place, the note and responsible person asked for
    assert (entries()[0].created_by_id, entries()[0].request) == (None, {})


def test_a_deleted_association_leaves_the_line(booking_world, held, token_for, client):
    from privacy.erase import delete_association

    world = booking_world
    join_api(client, token_for(world.other_member), world, association_id=world.other_association.id,
             note="Bitte Beamer")
    delete_association(world.other_association, world.admin, "Aufgelöst")
    db.session.commit()
    entry = entries()[0]
    assert (entry.status, entry.request, entry.created_by_id) == (WITHDRAWN, {}, None)


# --- who sees what ------------------------------------------------------------------------


def test_role_matrix(client, booking_world, held, third, token_for):
    world = booking_world
    association, member = third
    mine = join_api(client, token_for(world.other_member), world, association_id=world.other_association.id).get_json()
    theirs = join_api(client, token_for(member), world, association_id=association.id).get_json()
    both = {mine["id"], theirs["id"]}

    def listed(user):
        return {item["id"] for item in client.get("/api/v1/waitlist", headers=token_for(user)).get_json()["items"]}

    assert listed(world.other_member) == {mine["id"]}
    assert listed(member) == {theirs["id"]}
    assert listed(world.manager) == both and listed(world.admin) == both
    assert listed(world.other_manager) == set() and listed(world.outsider) == set()
    assert client.get("/api/v1/waitlist").status_code == 401
    for user, status in ((world.other_member, 200), (world.manager, 200), (world.admin, 200), (member, 404),
                         (world.other_manager, 404), (world.outsider, 404)):
        assert client.get(f"/api/v1/waitlist/{mine['id']}", headers=token_for(user)).status_code == status, user
    services.cancel(held, world.member)
    db.session.commit()
    # answering: the waiting association only (a manager who sees it: 403; others: 404)
    for user, status in ((world.manager, 403), (world.outsider, 404), (member, 404), (world.other_manager, 404)):
        for action in ("accept", "decline", "withdraw"):
            answer = client.post(f"/api/v1/waitlist/{mine['id']}/{action}", headers=token_for(user))
            assert answer.status_code == status, (user, action)
    assert entries()[0].status == OFFERED
    # pages: the entry's page for its association and the centre's managers only
    login(client, world.other_manager)
    assert client.get(f"/en/waitlist/{mine['id']}/").status_code == 404
    assert client.post(f"/en/waitlist/{mine['id']}/accept").status_code == 404
    client.post("/en/logout")
    login(client, world.manager)
    assert client.get(f"/en/waitlist/{mine['id']}/").status_code == 200
    assert client.post(f"/en/waitlist/{mine['id']}/decline").status_code == 403
    queue = text_of(client.get("/en/manage/requests/"))
    assert "SV Nordstadt" in queue and "Kulturverein Anadolu" in queue
    week = text_of(client.get(f"/en/manage/rooms/{world.room.id}/week?week={tuesday().isoformat()}"))
    assert "Waiting list" in week and "SV Nordstadt" in week
    assert entries()[0].status == OFFERED


# --- two processes at the same moment -----------------------------------------------------


def test_two_processes_freeing_one_date_make_one_offer(app, booking_world, held, third, token_for, client):
    world = booking_world
    association, member = third
    join_api(client, token_for(world.other_member), world, association_id=world.other_association.id)
    join_api(client, token_for(member), world, association_id=association.id)
    # the date freed behind the hooks' back (as by a lifted closure): both sweeps find it free at once
    db.session.execute(db.update(type(held.occurrences[0])).where(
        type(held.occurrences[0]).booking_id == held.id).values(status="cancelled"))
    db.session.commit()
    barrier, results, errors = threading.Barrier(2), [], []

    def sweep():
        with app.app_context():
            barrier.wait()
            try:
                results.append(line.sweep())
            except Exception as error:  # noqa: BLE001 (reported below)
                errors.append(error)

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sorted(result["offers"] for result in results) == [0, 1]
    assert [e.status for e in entries()] == [OFFERED, WAITING]
    assert len(mails_to("other@example.org")) == 1


# --- pages and mail -----------------------------------------------------------------------


def test_form_offers_the_line_and_the_mail_link_works(client, booking_world, held, inbox):
    world = booking_world
    login(client, world.other_member)
    data = form_data(tuesday(), association=str(world.other_association.id))
    refused = client.post(f"/en/rooms/{world.room.id}/book", data=data)
    assert refused.status_code == 409
    assert "Join the waiting list for the taken dates" in refused.get_data(as_text=True)
    data.pop("send")
    joined = client.post(f"/en/rooms/{world.room.id}/book", data={**data, "waitlist": "Join"})
    assert joined.status_code == 302 and joined.headers["Location"].endswith("/en/waitlist/")
    page = text_of(client.get("/en/waitlist/"))
    assert "place 1 in line" in page
    entry = entries()[0]
    client.post("/en/logout")
    login(client, world.member)  # the holder gives the date back on its booking's page
    cancelled = client.post(f"/en/bookings/{held.id}/cancel", data=decision_data("cancel", held, occurrence="0"))
    assert cancelled.status_code == 302
    client.post("/en/logout")
    login(client, world.other_member)
    messages = [m for m in inbox.wait(1) if "other@example.org" in m["To"]]
    assert len(messages) == 1
    message = messages[0]
    assert message["Subject"] == "A room is free for you: Großer Saal"
    assert message["Content-Language"] == "en"
    body = message.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/en/waitlist/\d+/", body).group(0)
    path = link.split("localhost", 1)[-1]
    assert path == f"/en/waitlist/{entry.id}/"
    page = client.get(path)
    assert page.status_code == 200 and "Accept the offer and send the request" in page.get_data(as_text=True)
    accepted = client.post(f"/en/waitlist/{entry.id}/accept", data={})
    assert accepted.status_code == 302
    assert entries()[0].status == ACCEPTED


def test_a_series_puts_its_taken_dates_on_the_line(client, booking_world, held):
    world = booking_world
    login(client, world.other_member)
    data = form_data(tuesday(-1), association=str(world.other_association.id), repeat="weekly", count="3",
                     skip_conflicts="y", join_waitlist="y")
    answer = client.post(f"/en/rooms/{world.room.id}/book", data=data)
    assert answer.status_code == 302
    waiting = entries()
    assert [(e.status, e.starts_at) for e in waiting] == [(WAITING, held.occurrences[0].starts_at)]
    booking = db.session.scalars(select(Booking).where(Booking.association_id == world.other_association.id)).one()
    assert len(booking.occurrences) == 2


def test_the_offer_mail_speaks_the_members_language(booking_world, held, client, token_for):
    world = booking_world
    join_api(client, token_for(world.unverified_member), world, association_id=world.unverified.id)
    services.cancel(held, world.member)
    db.session.commit()
    mail = mails_to("new@example.org")[0]
    text = mail.message.decode("utf-8", "replace") if isinstance(mail.message, bytes) else str(mail.message)
    assert "Content-Language: ar" in text


def test_the_worker_lets_an_offer_expire(app, booking_world, held, third, token_for, client, time_machine):
    """The worker's round (outbox.rounds, run by every worker) passes an unanswered offer on."""
    from outbox.worker import Worker

    world = booking_world
    association, member = third
    join_api(client, token_for(world.other_member), world, association_id=world.other_association.id)
    join_api(client, token_for(member), world, association_id=association.id)
    services.cancel(held, world.member)
    db.session.commit()
    first = entries()[0]
    time_machine.move_to(first.offer_expires + timedelta(minutes=1), tick=False)
    Worker(name="test-worker").run_rounds()
    assert [e.status for e in entries()] == [EXPIRED, OFFERED]


def test_a_series_through_the_api_queues_its_taken_dates(client, booking_world, held, token_for):
    world = booking_world
    body = api_body(world, day=tuesday(-1), association_id=world.other_association.id, skip_conflicts=True,
                    join_waitlist=True, recurrence={"freq": "weekly", "count": 3})
    answer = client.post("/api/v1/bookings", json=body, headers=token_for(world.other_member))
    assert answer.status_code == 201, answer.get_json()
    places = answer.get_json()["waitlist"]
    assert [(p["status"], p["position"]) for p in places] == [("waiting", 1)]
    assert len(answer.get_json()["occurrences"]) == 2
    bad = client.post("/api/v1/bookings", json={**body, "join_waitlist": "yes"}, headers=token_for(world.other_member))
    assert bad.status_code == 422 and "join_waitlist" in bad.get_json()["error"]["fields"]


def test_the_association_export_holds_its_places(client, booking_world, held, token_for):
    import io
    import json
    import zipfile

    world = booking_world
    join_api(client, token_for(world.other_member), world, association_id=world.other_association.id, note="Beamer")
    from accounts import members

    members.set_admin(world.other_association, world.other_member, True)
    db.session.commit()
    login(client, world.other_member)
    answer = client.get(f"/en/associations/{world.other_association.id}/export.zip")
    assert answer.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(answer.data)).read("association.json"))
    [place] = data["waiting_list"]
    assert place["status"] == "waiting" and place["request"]["note"] == "Beamer"
