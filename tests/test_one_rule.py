"""One rule, one answer: the web page, the JSON API and the command line refuse or allow the same actions
with the same status and the same translated message (bookings.errors.refusal words them all).

Every path is used in German (the pages under /de/, the API without ``lang``, the CLI in the default
language), so the messages can be compared word for word.
"""

import re
from datetime import date, timedelta

import pytest
from booking_support import (  # noqa: F401
    api_body,
    approve,
    at,
    booking_world_fixture,
    decision_data,
    form_data,
    login,
    request,
    text_of,
)
from flask_babel import force_locale
from flask_babel import gettext as _

from bookings.models import Booking
from bookings.wording import clock, describe_length, describe_slot
from extensions import db
from timeutil import to_utc_naive, zone

MESSAGES = {
    "reason": "Please give a reason.",
    "forbidden": "You are not allowed to do this.",
    "decided": "This request has already been decided: it is %(status)s.",
}


def german(message, **values):
    with force_locale("de"):
        return _(message, **values)


def by_web(client, world, user, action, booking, fields, headers):
    login(client, user, lang="de")
    data = decision_data(action, booking, **fields)
    if action == "cancel":
        data.setdefault(f"cancel-{booking.id}-occurrence", "0")
    response = client.post(f"/de/bookings/{booking.id}/{action}", data=data)
    return ("ok" if response.status_code == 302 else response.status_code), text_of(response)


def by_api(client, world, user, action, booking, fields, headers):
    response = client.post(f"/api/v1/bookings/{booking.id}/{action}", json=fields, headers=headers(user))
    body = response.get_json()
    if response.status_code == 200:
        return "ok", ""
    return response.status_code, body["error"]["message"] + " " + " ".join(
        m for messages in body["error"].get("fields", {}).values() for m in messages)


def by_cli(client, world, user, action, booking, fields, headers):
    from flask import current_app

    args = ["bookings", action, str(booking.id), "--email", user.email]
    if "reason" in fields:
        args += ["--reason", fields["reason"]]
    result = current_app.test_cli_runner().invoke(args=args)
    # The CLI answers with the rule's message; its exit code says refused (1) but not which status.
    return ("ok" if result.exit_code == 0 else "refused"), result.output


PATHS = {"web": by_web, "api": by_api, "cli": by_cli}


def approved_booking(world):
    return approve(world, request(world))


# (name, who acts, action, fields, the booking it acts on, expected status, expected message)
CASES = [
    ("manager cancels without a reason", "manager", "cancel", {"reason": ""}, approved_booking, 422,
     lambda b: german(MESSAGES["reason"])),
    ("manager cancels with a reason", "manager", "cancel", {"reason": "Wasserschaden"}, approved_booking, "ok", None),
    ("member cancels own booking without a reason", "member", "cancel", {}, approved_booking, "ok", None),
    ("manager rejects without a reason", "manager", "reject", {"reason": " "}, request, 422,
     lambda b: german(MESSAGES["reason"])),
    ("manager rejects with a reason", "manager", "reject", {"reason": "Renovierung"}, request, "ok", None),
    ("member approves own request", "member", "approve", {}, request, 403, lambda b: german(MESSAGES["forbidden"])),
    ("manager approves twice", "manager", "approve", {}, approved_booking, 409,
     lambda b: german(MESSAGES["decided"], status=german("approved"))),
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("name", "who", "action", "fields", "make", "status", "message"), CASES,
                         ids=[case[0] for case in CASES])
def test_every_path_gives_the_same_answer(client, booking_world, token_for, path, name, who, action, fields, make,
                                          status, message):
    booking = make(booking_world)
    before = [(o.id, o.status) for o in booking.occurrences]
    user = getattr(booking_world, who)
    outcome, output = PATHS[path](client, booking_world, user, action, booking, fields, token_for)
    db.session.expire_all()
    after = [(o.id, o.status) for o in db.session.get(Booking, booking.id).occurrences]
    if status == "ok":
        assert outcome == "ok", output
        assert after != before or action == "approve"
        return
    assert outcome == (status if path != "cli" else "refused"), output
    assert message(booking) in re.sub(r"\s+", " ", output), (path, output)
    assert after == before, "a refused action changes nothing"


# --- asking for a room: the request form, the API and `flask bookings request` ----------------------------------


def request_by_web(client, world, day, start, end):
    login(client, world.member, lang="de")
    response = client.post(f"/de/rooms/{world.room.id}/book",
                           data=form_data(day, start, end, association=str(world.association.id)))
    return ("ok" if response.status_code == 302 else response.status_code), text_of(response)


def request_by_api(client, world, day, start, end, headers):
    response = client.post("/api/v1/bookings", json=api_body(world, day=day, start=start, end=end),
                           headers=headers(world.member))
    if response.status_code == 201:
        return "ok", ""
    error = response.get_json()["error"]
    return response.status_code, " ".join([error["message"], *(m for ms in error.get("fields", {}).values() for m in ms)])


def request_by_cli(client, world, day, start, end):
    from flask import current_app

    result = current_app.test_cli_runner().invoke(args=[
        "bookings", "request", "--email", world.member.email, "--room", str(world.room.id),
        "--association", world.association.name, "--title", "Deutschkurs",
        "--start", f"{day}T{start}", "--end", f"{day}T{end}"])
    return ("ok" if result.exit_code == 0 else "refused"), result.output


REQUEST_CASES = {
    "a date in the past": (-3, "18:00", "20:00", "%(date)s: this date is in the past."),
    "longer than the room allows": (14, "08:00", "21:00", "%(date)s: a booking may last at most %(length)s."),
    "outside the bookable hours": (14, "06:00", "07:00", "%(date)s: the room can be booked between %(earliest)s "
                                                         "and %(latest)s."),
    "a good date": (14, "18:00", "20:00", None),
}


@pytest.mark.parametrize("path", ["web", "api", "cli"])
@pytest.mark.parametrize("case", REQUEST_CASES)
def test_every_path_refuses_a_request_alike(client, booking_world, token_for, path, case):
    offset, start, end, message = REQUEST_CASES[case]
    day = date.today() + timedelta(days=offset)
    calls = {"web": lambda: request_by_web(client, booking_world, day, start, end),
             "api": lambda: request_by_api(client, booking_world, day, start, end, token_for),
             "cli": lambda: request_by_cli(client, booking_world, day, start, end)}
    outcome, output = calls[path]()
    stored = db.session.query(Booking).count()
    if message is None:
        assert outcome == "ok" and stored == 1, output
        return
    assert outcome == ({"web": 422, "api": 422}.get(path, "refused")) and stored == 0, output
    room, tz = booking_world.room, booking_world.centre.timezone
    first, last = (to_utc_naive(at(day, t).replace(tzinfo=zone(tz))) for t in (start, end))
    with force_locale("de"):
        expected = _(message, date=describe_slot(first, last, tz), length=describe_length(room.max_duration_minutes),
                     earliest=clock(room.earliest_time), latest=clock(room.latest_time))
    assert expected in re.sub(r"\s+", " ", output), (path, output)
