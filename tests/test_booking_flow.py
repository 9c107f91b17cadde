"""The booking workflow as its users see it: request, check, approve, reject, cancel, withdraw."""

import re
from datetime import timedelta

import pytest
from booking_support import (  # noqa: F401
    api_body,
    approve,
    booking_world_fixture,
    count_bookings,
    day_label,
    decision_data,
    form_data,
    fresh_locale,
    login,
    logout,
    next_weekday,
    request,
    text_of,
)

from bookings import services
from bookings.errors import BookingConflict, InvalidState, RuleViolation
from bookings.models import Booking
from events.queries import public_dates
from extensions import db


def tuesday(weeks=0):
    return next_weekday(1, 14) + timedelta(weeks=weeks)


def hold(world, day, start, end):
    """An approved date that got into the room behind the services' back (a race, an import): set up directly."""
    from booking_support import at

    from bookings.models import Occurrence
    from timeutil import to_utc_naive, zone

    tz = zone(world.centre.timezone)
    booking = Booking(centre=world.centre, room=world.room, title="Altbestand", status="approved")
    booking.occurrences.append(Occurrence(room_id=world.room.id, status="approved",
                                          starts_at=to_utc_naive(at(day, start).replace(tzinfo=tz)),
                                          ends_at=to_utc_naive(at(day, end).replace(tzinfo=tz))))
    db.session.add(booking)
    db.session.commit()
    return booking


def statuses(booking):
    db.session.refresh(booking)
    return [o.status for o in booking.occurrences]


# --- conflicts and "skip conflicts" -----------------------------------------------


@pytest.fixture
def taken(booking_world):
    """An approved booking holds the room on the second Tuesday, 18:30–19:30."""
    other = request(booking_world, association=booking_world.other_association, by=booking_world.other_member,
                    day=tuesday(1), start="18:30", end="19:30", title="Fußballtraining")
    return approve(booking_world, other)


def test_form_check_lists_conflicting_dates_and_the_busy_week(client, booking_world, taken):
    login(client, booking_world.member)
    data = form_data(tuesday(), association=str(booking_world.association.id), repeat="weekly", count="3", check="Check")
    data.pop("send")
    response = client.post(f"/en/rooms/{booking_world.room.id}/book", data=data)
    assert response.status_code == 200
    text = text_of(response)
    assert "1 date is already taken" in text
    assert re.search(re.escape(day_label(tuesday(1))) + r", 18:00\W+20:00 taken", text), text
    assert count_bookings()[0] == 1  # checking stores nothing
    # the room's week of the first date shows no busy time; the next week shows the approved booking (no names)
    week = client.get(f"/en/rooms/{booking_world.room.id}/book?week={tuesday(1).isoformat()}")
    # the week's section (the form above lists verified associations as possible co-organisers)
    week_text = re.sub(r"<[^>]+>", " ", week.get_data(as_text=True).split('class="room-week"', 1)[1])
    assert "taken" in week_text and "Fußballtraining" not in week_text and booking_world.other_association.name not in week_text


def test_form_send_with_conflicts_is_refused_then_skips_them(client, booking_world, taken):
    login(client, booking_world.member)
    data = form_data(tuesday(), association=str(booking_world.association.id), repeat="weekly", count="3")
    response = client.post(f"/en/rooms/{booking_world.room.id}/book", data=data)
    assert response.status_code == 409
    assert "The room is already taken at these times" in text_of(response)
    assert count_bookings()[0] == 1
    response = client.post(f"/en/rooms/{booking_world.room.id}/book", data={**data, "skip_conflicts": "y"})
    assert response.status_code == 302
    booking = db.session.scalar(db.select(Booking).where(Booking.title == "Deutschkurs"))
    assert [o.starts_at.date() for o in booking.occurrences] == [tuesday(), tuesday(2)]


def test_api_conflict_then_skip_conflicts(client, booking_world, taken, token_for):
    headers = token_for(booking_world.member)
    body = api_body(booking_world, day=tuesday(), recurrence={"freq": "weekly", "count": 3})
    response = client.post("/api/v1/bookings", json=body, headers=headers)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "conflict"
    assert [c["start"][:16] for c in error["conflicts"]] == [f"{tuesday(1).isoformat()}T18:00"]
    response = client.post("/api/v1/bookings", json={**body, "skip_conflicts": True}, headers=headers)
    assert response.status_code == 201
    assert len(response.get_json()["occurrences"]) == 2


def test_every_date_taken_is_a_conflict_even_when_skipping(booking_world, taken):
    with pytest.raises(BookingConflict):
        services.request_booking(__import__("booking_support").booking_request(
            booking_world, day=tuesday(1), skip_conflicts=True), booking_world.member)
    db.session.rollback()


def test_touching_bookings_do_not_conflict(booking_world, taken):
    booking = request(booking_world, day=tuesday(1), start="19:30", end="21:00")
    approve(booking_world, booking)
    assert booking.status == "approved"


# --- approval ------------------------------------------------------------------------------


def test_approving_rejects_the_competing_pending_dates(client, booking_world):
    series = request(booking_world, weekly={"count": 3})
    rival = request(booking_world, association=booking_world.other_association, by=booking_world.other_member,
                    day=tuesday(1), start="19:00", end="21:00", weekly={"count": 2, "interval": 5}, title="Chor")
    untouched = request(booking_world, association=booking_world.other_association, by=booking_world.other_member,
                        day=tuesday(1), start="20:00", end="21:00", title="Später")
    approve(booking_world, series)
    assert statuses(rival) == ["rejected", "pending"]
    assert rival.status == "pending"
    assert rival.occurrences[0].cancel_reason == "@competing"
    assert [c.action for c in rival.changes] == ["requested", "competing_rejected"]
    assert rival.changes[-1].user_id == booking_world.manager.id
    assert statuses(untouched) == ["pending"]
    login(client, booking_world.other_member)
    text = text_of(client.get(f"/en/bookings/{rival.id}/"))
    assert "The room was given to another request for this time." in text
    assert "Rejected: the room was given to another request" in text


def test_a_request_whose_every_date_was_taken_becomes_rejected(booking_world):
    first = request(booking_world)
    second = request(booking_world, association=booking_world.other_association, by=booking_world.other_member)
    approve(booking_world, first)
    db.session.refresh(second)
    assert second.status == "rejected" and second.rejection_reason == "@competing"
    with pytest.raises(InvalidState):
        services.approve(second, booking_world.manager)
    db.session.rollback()


def test_approve_selected_dates_rejects_the_others_with_the_reason(client, booking_world):
    booking = request(booking_world, weekly={"count": 3})
    login(client, booking_world.manager)
    ids = [str(o.id) for o in booking.occurrences[:2]]
    response = client.post(f"/en/bookings/{booking.id}/approve", data=decision_data("approve", booking, occurrences=ids, reason="Saal belegt"))
    assert response.status_code == 302
    assert statuses(booking) == ["approved", "approved", "rejected"]
    assert booking.status == "approved" and booking.decided_by_id == booking_world.manager.id
    assert booking.occurrences[2].cancel_reason == "Saal belegt"
    text = text_of(client.get(f"/en/bookings/{booking.id}/"))
    assert "Date not approved" in text and "Saal belegt" in text


def test_approving_nothing_is_refused(client, booking_world):
    booking = request(booking_world)
    login(client, booking_world.manager)
    response = client.post(f"/en/bookings/{booking.id}/approve", data=decision_data("approve", booking))
    assert response.status_code == 422
    assert "Please choose at least one date" in text_of(response)
    assert statuses(booking) == ["pending"]


def test_conflicting_approval_names_the_dates(client, booking_world, token_for):
    booking = request(booking_world, weekly={"count": 2})
    hold(booking_world, tuesday(1), "17:00", "18:30")
    login(client, booking_world.manager)
    response = client.post(f"/en/bookings/{booking.id}/approve", data=decision_data("approve", booking, occurrences=[str(o.id) for o in booking.occurrences]))
    assert response.status_code == 409
    assert day_label(tuesday(1)) in text_of(response)
    response = client.post(f"/api/v1/bookings/{booking.id}/approve", headers=token_for(booking_world.manager))
    assert response.status_code == 409
    assert [c["start"][:10] for c in response.get_json()["error"]["conflicts"]] == [tuesday(1).isoformat()]
    assert statuses(booking) == ["pending", "pending"]


def test_unverified_association_can_ask_but_is_not_approved_until_verified(client, booking_world):
    booking = request(booking_world, association=booking_world.unverified, by=booking_world.unverified_member)
    login(client, booking_world.manager)
    assert "not verified yet" in text_of(client.get("/en/manage/requests/"))
    response = client.post(f"/en/bookings/{booking.id}/approve", data=decision_data("approve", booking, occurrences=[str(booking.occurrences[0].id)]))
    assert response.status_code == 422 and "is not verified yet" in text_of(response)
    booking_world.unverified.verify(by=booking_world.manager)
    db.session.commit()
    assert client.post(f"/en/bookings/{booking.id}/approve", data=decision_data("approve", booking, occurrences=[str(booking.occurrences[0].id)])).status_code == 302
    assert statuses(booking) == ["approved"]


def test_reject_needs_a_reason(client, booking_world):
    booking = request(booking_world)
    login(client, booking_world.manager)
    response = client.post(f"/en/bookings/{booking.id}/reject", data=decision_data("reject", booking, reason="  "))
    assert response.status_code == 422 and "Please give a reason." in text_of(response)  # the rule's answer
    assert statuses(booking) == ["pending"]
    assert client.post(f"/en/bookings/{booking.id}/reject", data=decision_data("reject", booking, reason="Wir renovieren.")).status_code == 302
    db.session.refresh(booking)
    assert booking.status == "rejected" and booking.rejection_reason == "Wir renovieren."
    logout(client)
    login(client, booking_world.member)
    text = text_of(client.get("/en/bookings/"))
    assert "Wir renovieren." in text and "rejected" in text


def test_deciding_twice_is_a_conflict(client, booking_world, token_for):
    booking = request(booking_world)
    approve(booking_world, booking)
    response = client.post(f"/api/v1/bookings/{booking.id}/reject", json={"reason": "x"}, headers=token_for(booking_world.manager))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "invalid_state"


# --- cancel and withdraw ------------------------------------------------------------------


def test_manager_cancels_one_date_with_a_reason(client, booking_world):
    booking = approve(booking_world, request(booking_world, weekly={"count": 3}))
    login(client, booking_world.manager)
    second = booking.occurrences[1]
    response = client.post(f"/en/bookings/{booking.id}/cancel", data=decision_data("cancel", booking, occurrence=str(second.id), reason=""))
    assert response.status_code == 422 and "Please give a reason." in text_of(response)
    response = client.post(f"/en/bookings/{booking.id}/cancel", data=decision_data("cancel", booking, occurrence=str(second.id), reason="Ferien"))
    assert response.status_code == 302
    assert statuses(booking) == ["approved", "cancelled", "approved"]
    assert booking.status == "approved"
    text = text_of(client.get(f"/en/bookings/{booking.id}/"))
    assert "Date cancelled" in text and "Ferien" in text and "Murat Manager" in text


def test_cancel_the_rest_of_a_series(client, booking_world, token_for):
    booking = approve(booking_world, request(booking_world, weekly={"count": 4}))
    response = client.post(f"/api/v1/bookings/{booking.id}/cancel", headers=token_for(booking_world.manager),
                           json={"occurrence": tuesday(2).isoformat(), "following": True, "reason": "Umbau"})
    assert response.status_code == 200, response.get_json()
    assert [o["status"] for o in response.get_json()["occurrences"]] == ["approved", "approved", "cancelled", "cancelled"]


def test_association_cancels_its_approved_dates_but_not_begun_ones(client, booking_world):
    booking = approve(booking_world, request(booking_world, weekly={"count": 2}))
    with pytest.raises(RuleViolation):
        services.cancel(booking, booking_world.member, occurrence_id=booking.occurrences[0].id,
                        now=booking.occurrences[0].starts_at + timedelta(minutes=5))
    db.session.rollback()
    fresh_locale()
    login(client, booking_world.member)
    page = text_of(client.get(f"/en/bookings/{booking.id}/"))
    assert "Cancel dates" in page and "Decide" not in page
    assert client.post(f"/en/bookings/{booking.id}/cancel", data=decision_data("cancel", booking, occurrence="0")).status_code == 302
    assert statuses(booking) == ["cancelled", "cancelled"]
    assert booking.status == "cancelled" and booking.changes[-1].action == "cancelled"


def test_association_withdraws_a_pending_request(client, booking_world):
    booking = request(booking_world, weekly={"count": 2})
    login(client, booking_world.member)
    assert "Withdraw the request" in text_of(client.get(f"/en/bookings/{booking.id}/"))
    assert client.post(f"/en/bookings/{booking.id}/withdraw", data=decision_data("withdraw", booking, reason="Kurs fällt aus")).status_code == 302
    db.session.refresh(booking)
    assert booking.status == "cancelled" and statuses(booking) == ["cancelled", "cancelled"]
    assert booking.changes[-1].action == "withdrawn" and booking.decided_at is None
    response = client.post(f"/en/bookings/{booking.id}/withdraw", data=decision_data("withdraw", booking))
    assert response.status_code == 409


def test_nothing_left_to_cancel(booking_world):
    booking = approve(booking_world, request(booking_world))
    services.cancel(booking, booking_world.member)
    db.session.commit()
    with pytest.raises(InvalidState):
        services.cancel(booking, booking_world.member)
    db.session.rollback()


# --- the centre's own bookings, events -----------------------------------------------------------


def test_managers_booking_for_the_centre_is_approved_at_once_and_conflicts(client, booking_world, token_for):
    headers = token_for(booking_world.manager)
    body = api_body(booking_world, title="Stadtteilfrühstück")
    first = client.post("/api/v1/bookings", json=body, headers=headers)
    assert first.status_code == 201 and first.get_json()["status"] == "approved"
    assert first.get_json()["association"] is None
    second = client.post("/api/v1/bookings", json=body, headers=headers)
    assert second.status_code == 409


def test_centre_event_without_room(booking_world):
    from bookings.services import BookingRequest

    day = tuesday()
    booking = services.request_booking(BookingRequest(
        centre=booking_world.centre, room=None, association=None, title="Straßenfest",
        start=__import__("booking_support").at(day, "14:00"), end=__import__("booking_support").at(day, "20:00"),
        event={"title": {"de": "Straßenfest", "tr": "Sokak şenliği"}, "category_key": "festival"}), booking_world.manager)
    db.session.commit()
    assert booking.status == "approved" and booking.room_id is None and booking.decided_at is not None
    assert [o.room_id for o in booking.occurrences] == [None]
    assert public_dates(booking.event) == booking.occurrences


def test_event_is_public_only_for_approved_dates_and_its_sequence_rises(booking_world):
    event_data = {"title": {"de": "Sprachcafé", "ar": "مقهى اللغة"}, "description": {"de": "Alle willkommen"},
                  "category_key": "language_course", "audiences": ["newcomers", "everyone"], "languages": ["de", "ar"]}
    booking = request(booking_world, weekly={"count": 3}, event=event_data)
    event = booking.event
    assert event.title == event_data["title"] and event.category_key == "language_course"
    assert not event.is_public and public_dates(event) == []
    assert event.barrier_free is False and event.is_free is True
    approve(booking_world, booking, occurrence_ids=[o.id for o in booking.occurrences[:2]])
    assert event.is_public and len(public_dates(event)) == 2 and event.sequence == 1
    services.cancel(booking, booking_world.manager, occurrence_id=booking.occurrences[0].id, reason="Krank")
    db.session.commit()
    assert len(public_dates(event, include_cancelled=False)) == 1 and event.sequence == 2
    assert [o.status for o in public_dates(event)] == ["cancelled", "approved"]  # shown as cancelled until it passes
    assert event.update(title=event_data["title"]) is False and event.sequence == 2
    assert event.update(title={"de": "Sprachcafé!"}) is True and event.sequence == 3


def test_event_data_is_checked(booking_world):
    with pytest.raises(RuleViolation) as caught:
        services.request_booking(__import__("booking_support").booking_request(booking_world, event={
            "title": {"de": "Kurs"}, "category_key": "nonsense", "audiences": ["aliens"], "languages": ["<script>"],
            "registration_url": "javascript:alert(1)"}), booking_world.member)
    db.session.rollback()
    assert set(caught.value.fields()) == {"event.category", "event.audience", "event.languages", "event.registration_url"}


def test_request_form_takes_the_public_event(client, booking_world):
    login(client, booking_world.member)
    data = form_data(tuesday(), association=str(booking_world.association.id), publish="y",
                     **{"event_title-de": "Elterncafé", "event_title-tr": "Veli kafesi", "category": "children_family",
                        "audiences": ["families", "women"], "languages": ["de", "tr"], "is_free": "y"})
    assert client.post(f"/en/rooms/{booking_world.room.id}/book", data=data).status_code == 302
    event = db.session.scalar(db.select(Booking)).event
    assert event.title == {"de": "Elterncafé", "tr": "Veli kafesi"}
    assert event.audiences == ["families", "women"] and event.languages == ["de", "tr"]
    assert event.category_key == "children_family" and event.room_id == booking_world.room.id


# --- pages -----------------------------------------------------------------------------------


def test_queue_is_oldest_first_and_groups_competing_requests(client, booking_world):
    first = request(booking_world, day=tuesday(), title="Erste Anfrage")
    request(booking_world, day=tuesday(3), title="Zweite Anfrage")
    request(booking_world, association=booking_world.other_association, by=booking_world.other_member,
            day=tuesday(), start="19:00", end="21:30", title="Dritte Anfrage")
    clash = request(booking_world, day=tuesday(1), start="18:00", end="19:00", title="Vierte Anfrage")
    hold(booking_world, tuesday(1), "18:30", "19:30")
    login(client, booking_world.manager)
    html = client.get("/en/manage/requests/").get_data(as_text=True)
    order = [html.index(t) for t in ("Erste Anfrage", "Dritte Anfrage", "Zweite Anfrage", "Vierte Anfrage")]
    assert order == sorted(order), "competing requests are grouped with the oldest"
    assert html.count("competing-group") == 1
    assert "1 date collides with an approved booking" in text_of(client.get("/en/manage/requests/"))
    checked = {int(v) for v in re.findall(r'<input checked[^>]*type="checkbox" value="(\d+)"', html)}
    offered = {int(v) for v in re.findall(r'<input[^>]*type="checkbox" value="(\d+)"', html)}
    assert first.occurrences[0].id in checked
    assert clash.occurrences[0].id in offered and clash.occurrences[0].id not in checked  # the room is taken then


def test_queue_for_one_centre_and_access(client, booking_world):
    request(booking_world, title="Nordstadt-Anfrage")
    login(client, booking_world.other_manager)
    assert client.get("/en/manage/requests/?centre=nordstadt").status_code == 403
    assert "Nordstadt-Anfrage" not in text_of(client.get("/en/manage/requests/"))
    assert client.get("/en/manage/requests/?centre=nowhere").status_code == 404


def test_dashboard_shows_upcoming_pending_and_past(client, booking_world):
    approve(booking_world, request(booking_world, title="Genehmigt", weekly={"count": 2}))
    request(booking_world, title="Wartet", start="10:00", end="11:00")
    rejected = request(booking_world, title="Abgelehnt", start="12:00", end="13:00")
    services.reject(rejected, booking_world.manager, reason="Keine Kapazität")
    db.session.commit()
    fresh_locale()
    login(client, booking_world.member)
    text = text_of(client.get("/en/bookings/"))
    upcoming, pending, past = (text.index(h) for h in ("Coming up", "Waiting for a decision", "Past, rejected and cancelled"))
    assert upcoming < text.index("Genehmigt") < pending < text.index("Wartet") < past < text.index("Abgelehnt")
    assert "Keine Kapazität" in text
    assert "My bookings" in text  # the navigation link


def test_week_view_for_managers_is_printable(client, booking_world):
    approve(booking_world, request(booking_world, title="Deutschkurs A1"))
    request(booking_world, title="Noch offen", start="10:00", end="12:00")
    login(client, booking_world.manager)
    response = client.get(f"/en/manage/rooms/{booking_world.room.id}/week?week={tuesday().isoformat()}")
    html = response.get_data(as_text=True)
    text = text_of(response)
    assert "Deutschkurs A1" in text and "Sprachbrücke" in text and "Noch offen" in text and "pending" in text
    assert 'href="/static/css/print.css" media="print"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and 'style="' not in html  # CSP: nothing inline
    nxt = client.get(f"/en/manage/rooms/{booking_world.room.id}/week?week={tuesday(1).isoformat()}")
    assert "Deutschkurs A1" not in text_of(nxt)
    assert client.get(f"/en/manage/rooms/{booking_world.room.id}/week?week=garbage").status_code == 200
    logout(client)
    login(client, booking_world.other_manager)
    assert client.get(f"/en/manage/rooms/{booking_world.room.id}/week").status_code == 403


def test_booking_page_in_arabic_is_right_to_left_with_arabic_dates(client, booking_world):
    booking = request(booking_world)
    login(client, booking_world.member, lang="ar")
    html = client.get(f"/ar/bookings/{booking.id}/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert day_label(tuesday(), "ar") in html


# --- command line --------------------------------------------------------------------------


def test_command_line_request_approve_cancel(runner, booking_world):
    day = tuesday()
    result = runner.invoke(args=["bookings", "request", "--email", booking_world.member.email, "--room",
                                 str(booking_world.room.id), "--association", booking_world.association.name,
                                 "--title", "Kurs", "--start", f"{day}T18:00", "--end", f"{day}T20:00",
                                 "--weekly", "--count", "3"])
    assert result.exit_code == 0, result.output
    booking_id = int(result.output.split()[1].rstrip(":"))
    result = runner.invoke(args=["bookings", "approve", str(booking_id), "--email", booking_world.member.email])
    assert result.exit_code != 0 and "Das dürfen Sie nicht." in result.output  # the pages' 403 message, in German
    result = runner.invoke(args=["bookings", "approve", str(booking_id), "--email", booking_world.manager.email])
    assert result.exit_code == 0 and "approved" in result.output
    result = runner.invoke(args=["bookings", "cancel", str(booking_id), "--email", booking_world.manager.email,
                                 "--date", tuesday(1).isoformat(), "--reason", "Ferien"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["bookings", "list", "--centre", "nordstadt"])
    assert "approved" in result.output and "Kurs" in result.output
    booking = db.session.get(Booking, booking_id)
    db.session.refresh(booking)
    assert statuses(booking) == ["approved", "cancelled", "approved"]
    result = runner.invoke(args=["bookings", "request", "--email", booking_world.member.email, "--room",
                                 str(booking_world.room.id), "--association", booking_world.association.name,
                                 "--title", "Kurs", "--start", f"{day}T18:00", "--end", f"{day}T20:00"])
    assert result.exit_code != 0 and "Der Raum ist zu diesen Zeiten schon belegt" in result.output


# --- the whole way, as a browser without JavaScript goes it (with CSRF on) ---------------------------


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_request_approve_from_the_queue_and_see_it_approved(client, booking_world, csrf_on):
    from booking_support import submit

    # the member asks for a weekly booking through the form as rendered
    login_page = client.get("/en/login").get_data(as_text=True)
    assert submit(client, login_page, "", page_url="/en/login", changes={"email": booking_world.member.email, "password": "correct horse battery"}).status_code == 302
    page = client.get(f"/en/rooms/{booking_world.room.id}/book").get_data(as_text=True)
    fields = {"association": str(booking_world.association.id), "title": "Deutschkurs A2", "date": tuesday().isoformat(),
              "start_time": "18:00", "end_time": "20:00", "repeat": "weekly", "weekdays": ["TU"], "count": "4"}
    checked = submit(client, page, "/book", fields, button="check")
    assert checked.status_code == 200 and "All dates are free" in text_of(checked)
    sent = submit(client, checked.get_data(as_text=True), "/book", {}, button="send")
    assert sent.status_code == 302, text_of(sent)[:500]
    booking = db.session.scalar(db.select(Booking).where(Booking.title == "Deutschkurs A2"))
    assert booking.status == "pending" and len(booking.occurrences) == 4
    client.post("/en/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)})
    # the manager approves it from the queue
    login_page = client.get("/en/login").get_data(as_text=True)
    submit(client, login_page, "", page_url="/en/login", changes={"email": booking_world.manager.email, "password": "correct horse battery"})
    queue = client.get("/en/manage/requests/").get_data(as_text=True)
    assert "Deutschkurs A2" in queue
    approved = submit(client, queue, f"/bookings/{booking.id}/approve")
    assert approved.status_code == 302 and approved.headers["Location"].endswith("/en/manage/requests/")
    after = client.get(approved.headers["Location"])
    assert "The request is approved" in text_of(after) and "Deutschkurs A2" not in text_of(after).split("Requests", 2)[-1]
    db.session.refresh(booking)
    assert booking.status == "approved" and statuses(booking) == ["approved"] * 4
    # the member sees it approved
    logout_page = client.get("/en/manage/requests/").get_data(as_text=True)
    client.post("/en/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', logout_page).group(1)})
    login_page = client.get("/en/login").get_data(as_text=True)
    submit(client, login_page, "", page_url="/en/login", changes={"email": booking_world.member.email, "password": "correct horse battery"})
    dashboard = text_of(client.get("/en/bookings/"))
    assert dashboard.index("Coming up") < dashboard.index("Deutschkurs A2") < dashboard.index("Waiting for a decision")
    assert "approved" in text_of(client.get(f"/en/bookings/{booking.id}/"))


def test_queue_reject_and_booking_page_forms_work_with_csrf(client, booking_world, csrf_on):
    from booking_support import submit

    booking = request(booking_world, weekly={"count": 2})
    login_page = client.get("/en/login").get_data(as_text=True)
    submit(client, login_page, "", page_url="/en/login", changes={"email": booking_world.manager.email, "password": "correct horse battery"})
    queue = client.get("/en/manage/requests/").get_data(as_text=True)
    ids = re.findall(r'id="([^"]+)"', queue)
    assert len(ids) == len(set(ids)), "element ids are unique on the page"
    refused = submit(client, queue, f"/bookings/{booking.id}/reject")
    assert refused.status_code == 422 and "Please give a reason." in text_of(refused)
    done = submit(client, queue, f"/bookings/{booking.id}/reject", {f"reject-{booking.id}-reason": "Kein Platz"})
    assert done.status_code == 302
    db.session.refresh(booking)
    assert booking.status == "rejected"
    page = client.get(f"/en/bookings/{booking.id}/").get_data(as_text=True)
    ids = re.findall(r'id="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    forged = client.post(f"/en/bookings/{booking.id}/cancel", data=decision_data("cancel", booking, occurrence="0"))
    assert forged.status_code == 400  # no CSRF token: refused by the app-wide protection


def test_cancel_after_reading_public_dates_in_the_same_session(booking_world):
    """Reading the public calendar eagerly joins bookings; locking one afterwards must still work.

    PostgreSQL refuses FOR UPDATE on the nullable side of an outer join, which a
    refresh() of the eagerly loaded booking would repeat (a 500 before the fix).
    """
    from bookings import services
    from bookings.models import CANCELLED
    from events.queries import public_occurrences
    from extensions import db

    booking = request(booking_world, event={"title": {"de": "Sprachcafé"}, "category_key": "encounter"})
    approve(booking_world, booking)
    booking_id = booking.id
    db.session.expunge(booking)  # with its dates and event: the next read loads them afresh
    rows = public_occurrences(None, None, None)  # loads Event.booking with joined eager loads
    assert rows, "the approved event should be public"
    booking = db.session.get(type(booking), booking_id)  # the instance loaded just above
    services.cancel(booking, booking_world.manager, reason="Heizung kaputt")
    db.session.commit()
    assert {o.status for o in booking.occurrences} == {CANCELLED}
