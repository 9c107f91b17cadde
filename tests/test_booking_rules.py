"""Each rule on each path: service, request form, API and command line, and again when a manager approves.

Every violation is refused with a message that names the date and the rule,
and nothing is stored.
"""

from datetime import date, timedelta

import pytest
from booking_support import (  # noqa: F401
    api_body,
    booking_request,
    booking_world_fixture,
    count_bookings,
    day_label,
    decision_data,
    form_data,
    fresh_locale,
    login,
    next_weekday,
    request,
)
from flask_babel import force_locale

from bookings import services
from bookings.errors import RuleViolation
from centres.models import Closure
from extensions import db


def tuesday():
    return next_weekday(1, 14)


# rule name -> (prepare(world, day), request fields, phrase in the message, names the date?)
def _not_bookable(w, day):
    w.room.bookable = False


def _centre_closure(w, day):
    db.session.add(Closure(centre=w.centre, starts_on=day - timedelta(days=1), ends_on=day + timedelta(days=1),
                           reason={"en": "Holidays", "de": "Ferien"}))


def _room_closure(w, day):
    db.session.add(Closure(centre=w.centre, room=w.room, starts_on=day, ends_on=day, reason={"de": "Renovierung"}))


def _short_rooms(w, day):
    w.room.max_duration_minutes = 120


def _near_only(w, day):
    w.room.max_days_ahead = 7


def _long_notice(w, day):
    w.room.min_notice_hours = 24 * 30


def _nothing(w, day):
    pass


RULES = {
    "bookable": (_not_bookable, {}, "cannot be booked", False),
    "too early": (_nothing, {"start": "06:30", "end": "09:00"}, "the room can be booked between", True),
    "too late": (_nothing, {"start": "21:00", "end": "23:00"}, "the room can be booked between", True),
    "centre closure": (_centre_closure, {}, "the centre is closed", True),
    "room closure": (_room_closure, {}, "the room is closed", True),
    "maximum length": (_short_rooms, {"start": "09:00", "end": "12:00"}, "may last at most 2 hours", True),
    "how far ahead": (_near_only, {}, "at most 7 days ahead", True),
    "minimum notice": (_long_notice, {}, "at least 720 hours ahead", True),
    "end before start": (_nothing, {"start": "20:00", "end": "18:00"}, "end must be after the start", False),
    "in the past": (_nothing, {"day": "past"}, "in the past", True),
    "capacity": (_nothing, {"attendees": 31}, "do not fit", False),
}


def prepared(world, rule):
    prepare, fields, phrase, names_date = RULES[rule]
    fields = dict(fields)
    day = tuesday() if fields.pop("day", None) != "past" else date.today() - timedelta(days=3)
    prepare(world, day)
    db.session.commit()
    fresh_locale()
    return day, fields, phrase, names_date


def attempt_service(client, world, day, fields, token_for, runner):
    # Outside a request the default language (German) applies; the phrases below are English.
    try:
        with force_locale("en"):
            services.request_booking(booking_request(world, day=day, **fields), world.member)
    except RuleViolation as error:
        db.session.rollback()
        return 422, " ".join(error.messages)
    db.session.rollback()
    return 201, ""


def attempt_form(client, world, day, fields, token_for, runner):
    login(client, world.member)
    data = form_data(day, association=str(world.association.id))
    if "start" in fields:
        data["start_time"], data["end_time"] = fields["start"], fields["end"]
    if "attendees" in fields:
        data["attendees"] = str(fields["attendees"])
    response = client.post(f"/en/rooms/{world.room.id}/book", data=data)
    from booking_support import text_of

    return response.status_code, text_of(response)


def attempt_api(client, world, day, fields, token_for, runner):
    body = api_body(world, day=day, **fields)
    headers = {**token_for(world.member), "Accept-Language": "en"}
    response = client.post("/api/v1/bookings", json=body, headers=headers)
    error = response.get_json()["error"] if response.status_code >= 400 else {}
    return response.status_code, error.get("message", "") + " " + str(error.get("fields", ""))


def attempt_cli(client, world, day, fields, token_for, runner):
    start, end = fields.get("start", "18:00"), fields.get("end", "20:00")
    args = ["bookings", "request", "--email", world.member.email, "--room", str(world.room.id),
            "--association", world.association.name, "--title", "Deutschkurs",
            "--start", f"{day}T{start}", "--end", f"{day}T{end}"]
    if "attendees" in fields:
        args += ["--attendees", str(fields["attendees"])]
    with force_locale("en"):
        result = runner.invoke(args=args)
    return (201 if result.exit_code == 0 else 422), result.output


PATHS = {"service": attempt_service, "form": attempt_form, "api": attempt_api, "cli": attempt_cli}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("rule", RULES)
def test_each_rule_on_each_request_path(client, runner, booking_world, token_for, rule, path):
    day, fields, phrase, names_date = prepared(booking_world, rule)
    before = count_bookings()
    status, message = PATHS[path](client, booking_world, day, fields, token_for, runner)
    assert status in (400, 422), (status, message)
    assert phrase in message, message
    if names_date:
        assert day_label(day, "en") in message, message
    assert count_bookings() == before


def test_a_valid_request_passes_every_path(client, runner, booking_world, token_for):
    """The control: the same request without a broken rule is stored on each path."""
    day = tuesday()
    for n, path in enumerate(("form", "api", "cli")):
        fields = {"start": f"{9 + 2 * n:02d}:00", "end": f"{10 + 2 * n:02d}:00"}
        status, message = PATHS[path](client, booking_world, day, fields, token_for, runner)
        assert status in (201, 302), (path, status, message)
    assert count_bookings()[0] == 3


# --- the manager's action: rules checked again when approving ---------------------------

APPROVAL_RULES = {
    "bookable": (_not_bookable, "cannot be booked"),
    "hours": (lambda w, d: setattr(w.room, "latest_time", __import__("datetime").time(19, 0)), "can be booked between"),
    "centre closure": (_centre_closure, "the centre is closed"),
    "room closure": (_room_closure, "the room is closed"),
    "maximum length": (lambda w, d: setattr(w.room, "max_duration_minutes", 60), "may last at most 1 hour"),
}


@pytest.mark.parametrize("path", ["service", "form", "api"])
@pytest.mark.parametrize("rule", APPROVAL_RULES)
def test_rules_are_checked_again_when_approving(client, booking_world, token_for, rule, path):
    day = tuesday()
    booking = request(booking_world, day=day)
    prepare, phrase = APPROVAL_RULES[rule]
    prepare(booking_world, day)
    db.session.commit()
    fresh_locale()
    if path == "service":
        with pytest.raises(RuleViolation) as caught, force_locale("en"):
            services.approve(booking, booking_world.manager)
        db.session.rollback()
        message = " ".join(caught.value.messages)
        label = day_label(day, "en")
    elif path == "form":
        login(client, booking_world.manager)
        response = client.post(f"/en/bookings/{booking.id}/approve", data=decision_data("approve", booking, occurrences=[str(booking.occurrences[0].id)]))
        assert response.status_code == 422
        from booking_support import text_of

        message, label = text_of(response), day_label(day)
    else:
        headers = {**token_for(booking_world.manager), "Accept-Language": "en"}
        response = client.post(f"/api/v1/bookings/{booking.id}/approve", headers=headers)
        assert response.status_code == 422
        message, label = response.get_json()["error"]["message"], day_label(day)
    assert phrase in message, message
    if rule != "bookable":  # the room as a whole; every other rule names the date
        assert label in message, message
    db.session.commit()
    db.session.refresh(booking)
    assert booking.status == "pending" and {o.status for o in booking.occurrences} == {"pending"}


def test_dates_that_have_begun_are_not_approved(booking_world):
    from datetime import datetime

    booking = request(booking_world, weekly={"count": 3})
    later = booking.occurrences[0].starts_at + timedelta(minutes=1)
    services.approve(booking, booking_world.manager, now=later)
    db.session.commit()
    assert [o.status for o in booking.occurrences] == ["rejected", "approved", "approved"]
    assert booking.occurrences[0].cancel_reason == "@passed"
    with pytest.raises(RuleViolation):
        fresh = request(booking_world, start="10:00", end="11:00")
        services.approve(fresh, booking_world.manager, now=datetime(2200, 1, 1))
    db.session.rollback()


def test_managers_booking_for_the_centre_skips_the_minimum_notice(booking_world):
    booking_world.room.min_notice_hours = 24 * 30
    db.session.commit()
    booking = request(booking_world, by=booking_world.manager, association=None)
    assert booking.status == "approved"
    with pytest.raises(RuleViolation):
        request(booking_world, start="09:00", end="10:00")
    db.session.rollback()


def test_several_violations_are_all_reported(booking_world):
    booking_world.room.max_duration_minutes = 60
    db.session.commit()
    with pytest.raises(RuleViolation) as caught:
        services.request_booking(booking_request(booking_world, start="06:00", end="09:00", attendees=99),
                                 booking_world.member)
    db.session.rollback()
    fields = caught.value.fields()
    assert set(fields) >= {"start", "end", "attendees"}


def test_series_longer_than_the_cap_is_refused_with_a_message(booking_world):
    with pytest.raises(RuleViolation) as caught, force_locale("en"):
        services.request_booking(booking_request(booking_world, weekly={"weekdays": ["MO", "TU", "WE", "TH", "FR"],
                                                                         "count": 500}), booking_world.member)
    db.session.rollback()
    assert "at most 200 dates" in " ".join(caught.value.messages)
    assert count_bookings() == (0, 0)
