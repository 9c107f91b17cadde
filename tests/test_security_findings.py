"""Findings of the security review (issue #24) that fail on the code before it: a query string made pages answer
500 (every GET page, signed out and in, with url_for's own parameter names and odd values); CR/LF in a title or a
name reached mail headers; a manager demoted on the command line kept a manager's powers; signed-in pages could be
kept by caches."""

import pytest
from booking_support import booking_world_fixture, login  # noqa: F401

from extensions import db
from outbox.worker import beat

ODD = ["_anchor=zz", "_scheme=javascript", "_external=1", "_method=POST", "endpoint=x", "values=1", "lang=xx",
       "page=-1", "page=99999999999999999999", "view=%00", "start=2027-13-45", "q=%ff%fe", "centre=..%2f..",
       "a=%0d%0aSet-Cookie:x=1", "x[]=1&x[]=2"]


def pages(app):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static",) or set(rule.arguments) - {"lang"}:
            continue
        yield rule.rule.replace("<lang:lang>", "de")


@pytest.mark.parametrize("signed_in", [False, True])
def test_odd_query_strings_never_make_a_5xx(app, client, booking_world, signed_in):
    beat("test-worker")  # /readyz is ready: any 503 below is a failure too
    db.session.commit()
    if signed_in:
        login(client, booking_world.manager, lang="de")
    failures = []
    for path in sorted(set(pages(app))):
        for query in ODD:
            response = client.get(f"{path}?{query}")
            if response.status_code >= 500:
                failures.append(f"{path}?{query} -> {response.status_code}")
    assert failures == []


# --- a line break in a title or a name ----------------------------------------------------------------


def test_a_line_break_in_a_booking_title_is_refused_on_every_path(client, booking_world, token_for):
    from booking_support import api_body, form_data, login, next_weekday

    from bookings import services
    from bookings.errors import RuleViolation
    from bookings.requests import BookingRequest

    injected = "Kurs\r\nBcc: victim@evil.example"
    api = client.post("/api/v1/bookings", json=api_body(booking_world, title=injected),
                      headers=token_for(booking_world.member))
    assert api.status_code == 422 and "title" in api.json["error"]["fields"]
    login(client, booking_world.member)
    page = client.post(f"/en/rooms/{booking_world.room.id}/book",
                       data=form_data(next_weekday(1, 14), association=str(booking_world.association.id),
                                      title=injected))
    assert page.status_code == 422 and "on one line" in page.get_data(as_text=True)
    day = next_weekday(2, 14)
    request = BookingRequest(centre=booking_world.centre, room=booking_world.room,
                             association=booking_world.association, title="Kurs\nzwei",
                             start=booking_world_start(day), end=booking_world_start(day, 19))
    with pytest.raises(RuleViolation):
        services.request_booking(request, booking_world.member)


def booking_world_start(day, hour=18):
    from datetime import datetime

    return datetime(day.year, day.month, day.day, hour, 0)


def test_a_line_break_in_an_association_name_is_refused(client):
    response = client.post("/en/associations/register", data={
        "name": "Verein\r\nBcc: x@evil.example", "kind": "club", "contact_person": "Anna", "email": "a@example.org",
        "account_name": "Anna", "password": "a long enough password", "confirm": "a long enough password"})
    assert response.status_code in (200, 400, 422) and "on one line" in response.get_data(as_text=True)


# --- roles that end ------------------------------------------------------------------------------------


def test_a_manager_demoted_on_the_command_line_loses_every_power(client, runner, booking_world, token_for):
    from booking_support import decision_data, request

    from bookings.notifications import manager_recipients

    booking = request(booking_world)
    manager = booking_world.manager
    headers = token_for(manager)
    result = runner.invoke(args=["create-user", manager.email, "--role", "member", "--password", "a new password 1"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert manager.role == "member" and manager.managed_centres == []
    assert not manager.manages(booking_world.centre)
    assert manager.email not in [email for email, *_ in manager_recipients(booking)]
    assert client.get(f"/api/v1/bookings/{booking.id}", headers=headers).status_code in (403, 404)
    assert client.post(f"/api/v1/bookings/{booking.id}/approve", headers=headers).status_code in (403, 404)
    client.post("/en/login", data={"email": manager.email, "password": "a new password 1"})
    dates = [str(o.id) for o in booking.occurrences]
    page = client.post(f"/en/bookings/{booking.id}/approve", data=decision_data("approve", booking, occurrences=dates))
    assert page.status_code in (403, 404)
    assert client.get("/en/manage/requests/").status_code == 403
    db.session.refresh(booking)
    assert booking.status == "pending"


def test_leftover_assignments_give_no_power_without_the_role(client, booking_world, token_for):
    """Data from before the fix: a member still listed as a centre's manager manages nothing."""
    from booking_support import request

    booking = request(booking_world)
    manager = booking_world.manager
    manager.role = "member"  # as the old create-user left it: the role changed, the assignment kept
    db.session.commit()
    headers = token_for(manager)
    assert client.post(f"/api/v1/bookings/{booking.id}/approve", headers=headers).status_code in (403, 404)
    assert client.get("/api/v1/me", headers=headers).json["centres"] == []


def test_signed_in_pages_are_not_stored_by_caches(client, booking_world):
    from booking_support import login

    assert "no-store" not in client.get("/en/").headers.get("Cache-Control", "")
    login(client, booking_world.member)
    for path in ("/en/account/", "/en/bookings/", "/en/"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
