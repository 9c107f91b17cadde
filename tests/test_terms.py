"""The centres' terms of use on every path: house rules, the responsible person, fees and tariffs,
buffers, quiet hours, cancellation terms and closures in series (issue #12)."""

from datetime import datetime, time, timedelta

import pytest
from booking_support import (  # noqa: F401
    api_body,
    approve,
    booking_request,
    booking_world_fixture,
    count_bookings,
    next_dst_change,
    next_weekday,
    request,
    text_of,
)
from mail_support import inbox_fixture  # noqa: F401

from bookings import services
from bookings.errors import BookingConflict, RuleViolation
from bookings.models import Booking
from extensions import db
from terms import pricing
from terms.models import HouseRules
from terms.rules import Responsible

ADULT = {"name": "Aylin Demir", "phone": "+49 30 1234567", "adult": True}


def tuesday(weeks=0):
    return next_weekday(1, 14) + timedelta(weeks=weeks)


@pytest.fixture
def member_headers(booking_world, token_for):
    return {**token_for(booking_world.member), "Accept-Language": "en"}


@pytest.fixture
def terms(booking_world):
    """The world's centre with its terms online: house rules, a responsible person, fees, deposit, buffers."""
    centre, room = booking_world.centre, booking_world.room
    centre.asks_responsible = True
    db.session.add(HouseRules(centre_id=centre.id, version=1, text={"de": "Bitte leise sein.", "en": "Please be quiet.",
                                                                     "ar": "يرجى الهدوء."}))
    room.hourly_rate_cents, room.flat_rate_cents, room.deposit_cents = 1000, 500, 10000
    db.session.commit()
    return booking_world


def post(client, headers, body):
    return client.post("/api/v1/bookings", json=body, headers=headers)


# --- house rules and the responsible person ------------------------------------------------


def test_a_request_without_accepting_the_house_rules_is_422_naming_the_field(client, terms, member_headers):
    before = count_bookings()
    response = post(client, member_headers, api_body(terms, responsible=ADULT))
    assert response.status_code == 422
    assert "accept_terms" in response.get_json()["error"]["fields"]
    response = post(client, member_headers, api_body(terms, responsible=ADULT, accept_terms="yes"))
    assert response.status_code == 422 and "accept_terms" in response.get_json()["error"]["fields"]
    assert count_bookings() == before


def test_the_booking_records_the_version_accepted_and_a_new_version_is_asked_next(client, auth, terms, member_headers):
    response = post(client, member_headers, api_body(terms, responsible=ADULT, accept_terms=True))
    assert response.status_code == 201, response.get_json()
    first = response.get_json()
    assert first["house_rules"]["version"] == 1 and first["house_rules"]["accepted_at"]
    db.session.add(HouseRules(centre_id=terms.centre.id, version=2, text={"en": "No open fire."}))
    db.session.commit()
    second = post(client, member_headers, api_body(terms, day=tuesday(1), responsible=ADULT, accept_terms=True))
    assert second.get_json()["house_rules"]["version"] == 2
    assert db.session.get(Booking, first["id"]).house_rules.version == 1
    auth.login(terms.member)
    page = text_of(client.get(f"/en/rooms/{terms.room.id}/book"))
    assert "House rules (version 2)" in page and "No open fire." in page


def test_the_responsible_person_is_required_of_age_and_seen_by_managers_only(client, terms, member_headers,
                                                                              token_for):
    body = api_body(terms, accept_terms=True)
    response = post(client, member_headers, body)
    assert response.status_code == 422
    assert {"responsible.name", "responsible.phone", "responsible.adult"} <= set(response.get_json()["error"]["fields"])
    response = post(client, member_headers, {**body, "responsible": {**ADULT, "adult": False}})
    assert set(response.get_json()["error"]["fields"]) == {"responsible.adult"}
    response = post(client, member_headers, {**body, "responsible": {**ADULT, "phone": "call me"}})
    assert set(response.get_json()["error"]["fields"]) == {"responsible.phone"}
    response = post(client, member_headers, {**body, "responsible": {**ADULT, "name": "Aylin\nDemir"}})
    assert set(response.get_json()["error"]["fields"]) == {"responsible.name"}
    response = post(client, member_headers, {**body, "responsible": ADULT})
    assert response.status_code == 201
    booking_id = response.get_json()["id"]
    assert "responsible" not in response.get_json()  # the member asking does not get it back
    manager = client.get(f"/api/v1/bookings/{booking_id}", headers=token_for(terms.manager)).get_json()
    assert manager["responsible"] == ADULT
    assert "responsible" not in client.get(f"/api/v1/bookings/{booking_id}", headers=member_headers).get_json()


def test_the_responsible_person_is_never_public(client, auth, terms):
    booking = request(terms, accept_terms=True, responsible=Responsible(**ADULT),
                      event={"title": {"de": "Offener Treff"}, "is_free": True})
    approve(terms, booking)
    for url in ("/de/events/", "/de/events.ics", f"/de/centres/{terms.centre.slug}/events.ics",
                f"/api/v1/events?lang=de&start={tuesday()}&end={tuesday(1)}",
                f"/api/v1/rooms/{terms.room.id}/availability?start={tuesday()}&end={tuesday(1)}"):
        body = client.get(url).get_data(as_text=True)
        assert "Aylin" not in body and "1234567" not in body, url
    auth.login(terms.member)
    assert "Aylin" not in client.get(f"/en/bookings/{booking.id}/").get_data(as_text=True)
    auth.logout()
    auth.login(terms.manager)
    page = client.get(f"/en/bookings/{booking.id}/").get_data(as_text=True)
    assert "Aylin Demir" in page and 'href="tel:+49301234567"' in page


def test_the_form_asks_for_the_terms_and_stores_nothing_without_them(client, auth, terms):
    auth.login(terms.member)
    day = tuesday()
    form = {"association": str(terms.association.id), "title": "Deutschkurs", "date": day.isoformat(),
            "start_time": "18:00", "end_time": "20:00", "repeat": "once", "send": "1"}
    before = count_bookings()
    response = client.post(f"/en/rooms/{terms.room.id}/book", data=form)
    assert response.status_code == 422
    text = text_of(response)
    assert "Please read and accept the house rules" in text and "Please name the person responsible" in text
    assert count_bookings() == before
    form.update(accept_terms="y", responsible_name="Aylin Demir", responsible_phone="+49 30 1234567",
                responsible_adult="y")
    response = client.post(f"/en/rooms/{terms.room.id}/book", data=form)
    assert response.status_code == 302
    booking = db.session.scalars(db.select(Booking).order_by(Booking.id.desc())).first()
    assert booking.responsible_name == "Aylin Demir" and booking.house_rules.version == 1
    assert booking.terms_accepted_at is not None


def test_a_centres_own_booking_needs_no_terms(terms):
    booking = request(terms, association=None, by=terms.manager)
    assert booking.status == "approved" and booking.fee_cents == 0 and booking.house_rules_id is None


# --- fees and tariffs ----------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "commercial", "event", "tariff", "cents"), [
    ("club", False, {"title": {"de": "Offener Treff"}, "is_free": True}, "free", 0),
    ("club", False, {"title": {"de": "Kurs"}, "is_free": False, "price": "5 €"}, "reduced", 1250),
    ("club", False, None, "reduced", 1250),
    ("other", False, None, "standard", 2500),
    ("club", True, {"title": {"de": "Verkauf"}, "is_free": True}, "commercial", 3750),
])
def test_the_tariff_follows_the_rule_and_the_fee_its_percentage(terms, kind, commercial, event, tariff, cents):
    terms.association.kind = kind
    db.session.commit()
    # two hours at 10.00 plus 5.00 per date: 25.00 standard, 50 % reduced, 150 % commercial, nothing free
    booking = request(terms, accept_terms=True, responsible=Responsible(**ADULT), commercial=commercial, event=event)
    assert (booking.tariff, booking.fee_cents, booking.deposit_cents) == (tariff, cents, 10000)


def test_the_api_answers_with_the_fee_as_decimal_strings(client, terms, member_headers):
    body = api_body(terms, accept_terms=True, responsible=ADULT,
                    recurrence={"freq": "weekly", "count": 3})
    data = post(client, member_headers, body).get_json()
    assert data["fee"] == {"amount": "37.50", "deposit": "100.00", "currency": "EUR", "tariff": "reduced"}


def test_an_hourly_fee_counts_the_real_hours_across_a_clock_change(terms):
    room = terms.room
    room.earliest_time, room.latest_time, room.min_notice_hours = time(0, 0), time(23, 59), 0
    db.session.commit()
    spring, autumn = next_dst_change(3), next_dst_change(10)
    short = request(terms, day=spring, start="01:00", end="04:00", accept_terms=True,
                    responsible=Responsible(**ADULT), association=terms.association)
    long = request(terms, day=autumn, start="01:00", end="04:00", accept_terms=True,
                   responsible=Responsible(**ADULT))
    # reduced tariff (50 %): (hours x 10.00 + 5.00) / 2 — two real hours in March, four in October
    assert short.fee_cents == (2 * 1000 + 500) // 2
    assert long.fee_cents == (4 * 1000 + 500) // 2


def test_fees_are_rounded_half_up_to_the_cent_per_date():
    class Room:
        hourly_rate_cents, flat_rate_cents = 999, 0

    start = datetime(2027, 5, 4, 16, 0)
    # 25 minutes at 9.99 an hour = 4.1625 -> 4.16 standard; 50 % -> 2.08125 -> 2.08; 150 % -> 6.24375 -> 6.24
    assert pricing.date_fee(Room, start, start + timedelta(minutes=25), 100) == 416
    assert pricing.date_fee(Room, start, start + timedelta(minutes=25), 50) == 208
    assert pricing.date_fee(Room, start, start + timedelta(minutes=30), 100) == 500  # 4.995 -> 5.00


def test_the_form_shows_the_fee_and_deposit_before_sending(client, auth, terms):
    auth.login(terms.member)
    day = tuesday()
    response = client.post(f"/de/rooms/{terms.room.id}/book", data={
        "association": str(terms.association.id), "title": "Deutschkurs", "date": day.isoformat(),
        "start_time": "18:00", "end_time": "20:00", "repeat": "once", "check": "1"})
    text = text_of(response)
    assert "12,50" in text and "100,00" in text  # in the reader's language: 12,50 € and 100,00 €
    assert count_bookings()[0] == 0


def test_the_approval_mail_shows_fee_and_deposit(inbox, terms):
    booking = request(terms, accept_terms=True, responsible=Responsible(**ADULT))
    inbox.wait(1)
    inbox.messages.clear()
    approve(terms, booking)
    [mail] = inbox.wait(1) and inbox.to("member@example.org")
    text = mail.get_body(("plain",)).get_content()
    assert "12,50" in text and "100,00" in text


# --- buffers and quiet hours ---------------------------------------------------------------------


def test_buffers_keep_dates_apart_on_every_path(client, terms, member_headers, token_for):
    terms.room.setup_minutes, terms.room.cleanup_minutes = 30, 30
    db.session.commit()
    first = request(terms, accept_terms=True, responsible=Responsible(**ADULT))
    approve(terms, first)
    assert (first.occurrences[0].blocked_start, first.occurrences[0].blocked_end) == (
        first.occurrences[0].starts_at - timedelta(minutes=30), first.occurrences[0].ends_at + timedelta(minutes=30))
    # 20:30 is free as an event time, but its set-up overlaps the clean-up of 18:00–20:00
    response = post(client, member_headers, api_body(terms, start="20:30", end="21:30", accept_terms=True,
                                                     responsible=ADULT))
    assert response.status_code == 409 and response.get_json()["error"]["conflicts"]
    # from 21:00 the buffered intervals only touch
    response = post(client, member_headers, api_body(terms, start="21:00", end="22:00", accept_terms=True,
                                                     responsible=ADULT))
    assert response.status_code == 201
    # a manager's booking for the centre too
    with pytest.raises(BookingConflict):
        services.request_booking(booking_request(terms, association=None, start="20:15", end="20:45"), terms.manager)
    db.session.rollback()
    # the week view shows the room blocked, the public event times stay as they are
    availability = client.get(f"/api/v1/rooms/{terms.room.id}/availability",
                              query_string={"start": tuesday().isoformat(), "end": tuesday(1).isoformat()}).get_json()
    busy = availability["busy"][0]
    assert busy["start"].endswith("18:00:00+01:00") or busy["start"].endswith("18:00:00+02:00")
    assert busy["blocked"]["start"][11:16] == "17:30" and busy["blocked"]["end"][11:16] == "20:30"


def test_approving_rejects_requests_whose_buffers_overlap(terms):
    terms.room.setup_minutes, terms.room.cleanup_minutes = 0, 60
    db.session.commit()
    early = request(terms, accept_terms=True, responsible=Responsible(**ADULT))
    late = request(terms, start="20:30", end="21:30", accept_terms=True, responsible=Responsible(**ADULT),
                   association=terms.other_association, by=terms.other_member)
    approve(terms, early)
    assert late.status == "rejected" and late.occurrences[0].cancel_reason == "@competing"


def test_approval_checks_the_rooms_buffers_of_now(terms):
    early = request(terms, accept_terms=True, responsible=Responsible(**ADULT))
    late = request(terms, start="20:30", end="21:30", accept_terms=True, responsible=Responsible(**ADULT),
                   association=terms.other_association, by=terms.other_member)
    approve(terms, early)
    assert late.status == "pending"
    terms.room.setup_minutes = 60  # the centre now needs an hour to set the room up
    db.session.commit()
    with pytest.raises(BookingConflict):
        services.approve(late, terms.manager)
    db.session.rollback()
    assert db.session.get(Booking, late.id).status == "pending"


def test_the_search_counts_buffers_as_the_request_does(client, terms):
    first = request(terms, accept_terms=True, responsible=Responsible(**ADULT))
    approve(terms, first)
    args = {"start": f"{tuesday()}T20:30:00", "end": f"{tuesday()}T21:30:00", "centre": terms.centre.slug}
    hall = next(r for r in client.get("/api/v1/rooms/search", query_string=args).get_json()["results"]
                if r["room_id"] == terms.room.id)
    assert hall["conflicts"] == []
    terms.room.setup_minutes = 45  # its set-up now reaches into the approved date: taken on its only date
    db.session.commit()
    results = client.get("/api/v1/rooms/search", query_string=args).get_json()["results"]
    assert terms.room.id not in [r["room_id"] for r in results]


def test_quiet_hours_end_every_date(client, terms, member_headers):
    terms.centre.quiet_from = time(21, 0)
    db.session.commit()
    response = post(client, member_headers, api_body(terms, start="20:00", end="22:00", accept_terms=True,
                                                     responsible=ADULT))
    assert response.status_code == 422
    message = response.get_json()["error"]["message"]
    assert "the room can be booked between" in message and "9:00" in message
    assert post(client, member_headers, api_body(terms, start="19:00", end="21:00", accept_terms=True,
                                                 responsible=ADULT)).status_code == 201


# --- cancellation terms --------------------------------------------------------------------------


def _approved_in(terms, days, **kwargs):
    from timeutil import to_local, utcnow

    day = to_local(utcnow(), "Europe/Berlin").date() + timedelta(days=days)  # days ahead in the centre's calendar
    booking = request(terms, day=day, accept_terms=True, responsible=Responsible(**ADULT), **kwargs)
    return approve(terms, booking)


def test_cancelling_is_free_until_the_deadline_and_costs_the_fee_after(inbox, terms):
    terms.centre.cancel_free_days, terms.centre.late_cancel_fee_cents = 14, 2000
    terms.room.min_notice_hours = 0
    db.session.commit()
    on_time = _approved_in(terms, 14)
    services.cancel(on_time, terms.member)
    db.session.commit()
    assert on_time.cancellation_fee_cents == 0 and on_time.fee_cents == 0
    late = _approved_in(terms, 13, start="10:00", end="12:00")
    inbox.wait(2)
    inbox.messages.clear()
    services.cancel(late, terms.member)
    db.session.commit()
    assert late.cancellation_fee_cents == 2000
    assert [c.action for c in late.changes][-1] == "late_fee"
    inbox.wait(2)
    [mail] = inbox.to("member@example.org")
    assert "20,00" in mail.get_body(("plain",)).get_content()


def test_a_centre_may_refuse_late_cancellations_online(client, terms, member_headers):
    terms.centre.cancel_free_days, terms.centre.late_cancel_online = 14, False
    terms.centre.contact_phone = "030 555 1234"
    terms.room.min_notice_hours = 0
    db.session.commit()
    booking = _approved_in(terms, 3)
    response = client.post(f"/api/v1/bookings/{booking.id}/cancel", json={}, headers=member_headers)
    assert response.status_code == 422 and "030 555 1234" in response.get_json()["error"]["message"]
    db.session.commit()
    assert db.session.get(Booking, booking.id).status == "approved"
    # the centre itself may still cancel, without a fee
    services.cancel(booking, terms.manager, reason="Wasserschaden")
    db.session.commit()
    assert booking.status == "cancelled" and booking.cancellation_fee_cents == 0


# --- closures in a series ------------------------------------------------------------------------


def test_a_series_across_a_closure_leaves_the_closed_dates_out_and_lists_them(client, terms, member_headers):
    from centres.models import Closure

    first = tuesday()
    db.session.add(Closure(centre=terms.centre, starts_on=first + timedelta(weeks=1),
                           ends_on=first + timedelta(weeks=2), reason={"en": "Christmas"}))
    db.session.commit()
    body = api_body(terms, accept_terms=True, responsible=ADULT, recurrence={"freq": "weekly", "count": 5},
                    event={"title": {"de": "Kurs"}, "is_free": True})
    data = post(client, member_headers, body).get_json()
    assert len(data["occurrences"]) == 3 and len(data["closed_dates"]) == 2
    assert data["closed_dates"][0]["start"][:10] == (first + timedelta(weeks=1)).isoformat()
    assert data["fee"]["tariff"] == "free"
    single = post(client, member_headers, api_body(terms, day=first + timedelta(weeks=1), accept_terms=True,
                                                   responsible=ADULT))
    assert single.status_code == 422 and "closed" in single.get_json()["error"]["message"]


def test_every_date_of_a_series_on_a_closure_is_refused(terms):
    from centres.models import Closure

    first = tuesday()
    db.session.add(Closure(centre=terms.centre, starts_on=first, ends_on=first + timedelta(weeks=3)))
    db.session.commit()
    with pytest.raises(RuleViolation):
        services.request_booking(booking_request(terms, weekly={"count": 2}, accept_terms=True,
                                                 responsible=Responsible(**ADULT)), terms.member)
    db.session.rollback()
