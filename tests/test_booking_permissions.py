"""Who may do what with a booking: role x action -> allowed / 403 / 404, on the pages and on the API.

A booking is seen by its association's members, the centre's managers and
admins; others get 404. Those who see it but may not act get 403.
"""

import pytest
from booking_support import booking_world_fixture, decision_data, login, next_weekday, request  # noqa: F401

ROLES = ["anonymous", "owner", "other_member", "outsider", "manager", "other_manager", "admin"]
USERS = {"owner": "member", "other_member": "other_member", "outsider": "outsider", "manager": "manager",
         "other_manager": "other_manager", "admin": "admin"}

# "login": sent to the sign-in page; "ok": done (redirect after POST); numbers: the status code.
PAGE_MATRIX = {
    "show":     ["login", 200, 404, 404, 200, 404, 200],
    "approve":  ["login", 403, 404, 404, "ok", 404, "ok"],
    "reject":   ["login", 403, 404, 404, "ok", 404, "ok"],
    "cancel":   ["login", "ok", 404, 404, "ok", 404, "ok"],
    "withdraw": ["login", "ok", 404, 404, "ok", 404, "ok"],
    "request":  ["login", 200, 200, 403, 200, 403, 200],
    "queue":    ["login", 403, 403, 403, 200, 200, 200],
    "week":     ["login", 403, 403, 403, 200, 403, 200],
    "dashboard": ["login", 200, 200, 200, 200, 200, 200],
}

API_MATRIX = {
    "get":     [401, 200, 404, 404, 200, 404, 200],
    "approve": [401, 403, 404, 404, 200, 404, 200],
    "reject":  [401, 403, 404, 404, 200, 404, 200],
    "cancel":  [401, 200, 404, 404, 200, 404, 200],
    "create":  [401, 201, 201, 403, 201, 403, 201],
}


def page_call(client, action, booking, world):
    room = world.room.id
    occurrence = booking.occurrences[0].id
    calls = {
        "show": ("get", f"/en/bookings/{booking.id}/", None),
        "approve": ("post", f"/en/bookings/{booking.id}/approve", decision_data("approve", booking, occurrences=[str(occurrence)])),
        "reject": ("post", f"/en/bookings/{booking.id}/reject", decision_data("reject", booking, reason="Nein")),
        "cancel": ("post", f"/en/bookings/{booking.id}/cancel", decision_data("cancel", booking, occurrence="0", reason="Ferien")),
        "withdraw": ("post", f"/en/bookings/{booking.id}/withdraw", decision_data("withdraw", booking, reason="Doppelt")),
        "request": ("get", f"/en/rooms/{room}/book", None),
        "queue": ("get", "/en/manage/requests/", None),
        "week": ("get", f"/en/manage/rooms/{room}/week", None),
        "dashboard": ("get", "/en/bookings/", None),
    }
    method, url, data = calls[action]
    return getattr(client, method)(url, data=data) if data is not None else getattr(client, method)(url)


@pytest.mark.parametrize("action", PAGE_MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_pages(client, booking_world, role, action):
    from extensions import db

    booking = request(booking_world)
    if role != "anonymous":
        login(client, getattr(booking_world, USERS[role]))
    expected = PAGE_MATRIX[action][ROLES.index(role)]
    response = page_call(client, action, booking, booking_world)
    if expected == "login":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    elif expected == "ok":
        assert response.status_code == 302, response.status_code
        assert f"/bookings/{booking.id}/" in response.headers["Location"]
        db.session.refresh(booking)
        assert booking.status == {"approve": "approved", "reject": "rejected"}.get(action, "cancelled")
    else:
        assert response.status_code == expected
        if action in ("approve", "reject", "cancel", "withdraw"):
            db.session.refresh(booking)
            assert booking.status == "pending"


def api_call(client, action, booking, world, headers):
    if action == "create":
        day = next_weekday(2, 20)
        body = {"room_id": world.room.id, "title": "Neu", "start": f"{day}T10:00", "end": f"{day}T11:00"}
        return client.post("/api/v1/bookings", json=body, headers=headers)
    if action == "get":
        return client.get(f"/api/v1/bookings/{booking.id}", headers=headers)
    body = {"reason": "Nein"} if action in ("reject", "cancel") else {}
    return client.post(f"/api/v1/bookings/{booking.id}/{action}", json=body, headers=headers)


@pytest.mark.parametrize("action", API_MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_api(client, booking_world, token_for, role, action):
    booking = request(booking_world)
    headers = {} if role == "anonymous" else token_for(getattr(booking_world, USERS[role]))
    response = api_call(client, action, booking, booking_world, headers)
    expected = API_MATRIX[action][ROLES.index(role)]
    assert response.status_code == expected, response.get_json()
    body = response.get_json()
    if expected >= 400:
        assert set(body["error"]) >= {"code", "message"}
        if expected == 401:
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    else:
        assert body["id"] and body["status"] in {"pending", "approved", "rejected", "cancelled"}


@pytest.mark.parametrize("role", ["other_member", "outsider", "other_manager"])
def test_what_may_not_be_seen_does_not_leak(client, booking_world, token_for, role):
    """A 404 for a booking one may not see is the same as for a booking that does not exist."""
    booking = request(booking_world, note="Private Notiz")
    headers = token_for(getattr(booking_world, USERS[role]))
    hidden = client.get(f"/api/v1/bookings/{booking.id}", headers=headers)
    missing = client.get("/api/v1/bookings/999999", headers=headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == missing.get_json()
    availability = client.get(f"/api/v1/rooms/{booking_world.room.id}/availability").get_data(as_text=True)
    assert "Private Notiz" not in availability and "Sprachbrücke" not in availability
