"""The bookings API as the contract in DESIGN.md gives it, and what it does with bad input."""

from datetime import timedelta

import pytest
from booking_support import (  # noqa: F401
    api_body,
    approve,
    booking_world_fixture,
    count_bookings,
    local_iso,
    next_weekday,
    request,
    utc_iso,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extensions import db


def tuesday(weeks=0):
    return next_weekday(1, 14) + timedelta(weeks=weeks)


@pytest.fixture
def member_headers(booking_world, token_for):
    return {**token_for(booking_world.member), "Accept-Language": "en"}


def test_create_answers_201_with_the_booking(client, booking_world, member_headers):
    body = api_body(booking_world, recurrence={"freq": "weekly", "interval": 1, "byweekday": ["TU", "TH"], "count": 4},
                    attendees=12, event={"title": {"de": "Deutschkurs", "tr": "Almanca kursu"},
                                         "description": {"de": "Für Anfänger"}, "category": "language_course",
                                         "audience": ["newcomers"], "languages": ["de", "tr"]})
    response = client.post("/api/v1/bookings", json=body, headers=member_headers)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["status"] == "pending" and data["room_id"] == booking_world.room.id
    assert data["association"] == {"id": booking_world.association.id, "name": "Sprachbrücke"}
    assert len(data["occurrences"]) == 4
    assert set(data["occurrences"][0]) >= {"start", "end", "status"}
    assert data["occurrences"][0]["start"] == local_iso(tuesday(), "18:00")
    assert data["recurrence"] == {"freq": "weekly", "interval": 1, "byweekday": ["TU", "TH"], "count": 4}
    assert data["event"]["title"] == {"de": "Deutschkurs", "tr": "Almanca kursu"}
    assert data["event"]["audience"] == ["newcomers"] and data["event"]["category"] == "language_course"
    assert [c["action"] for c in data["changes"]] == ["requested"]
    again = client.get(f"/api/v1/bookings/{data['id']}", headers=member_headers)
    assert again.status_code == 200 and again.get_json()["occurrences"] == data["occurrences"]


def test_times_with_an_offset_are_converted_to_the_centre(client, booking_world, member_headers):
    day = tuesday()
    body = api_body(booking_world, start="x", end="x")
    body.update(start=utc_iso(day, "18:00"), end=utc_iso(day, "20:00").replace("Z", "+00:00"))
    response = client.post("/api/v1/bookings", json=body, headers=member_headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["occurrences"][0]["start"] == local_iso(day, "18:00")


def test_approve_reject_cancel_answer_with_the_booking(client, booking_world, token_for):
    manager = token_for(booking_world.manager)
    one, two = request(booking_world), request(booking_world, start="10:00", end="11:00")
    approved = client.post(f"/api/v1/bookings/{one.id}/approve", headers=manager)
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    rejected = client.post(f"/api/v1/bookings/{two.id}/reject", json={"reason": "Schon vergeben"}, headers=manager)
    assert rejected.status_code == 200
    assert rejected.get_json()["status"] == "rejected" and rejected.get_json()["rejection_reason"] == "Schon vergeben"
    cancelled = client.post(f"/api/v1/bookings/{one.id}/cancel", json={"occurrence": tuesday().isoformat(), "reason": "Ferien"}, headers=manager)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"


def test_approve_chosen_occurrences(client, booking_world, token_for):
    booking = request(booking_world, weekly={"count": 3})
    ids = [o.id for o in booking.occurrences]
    response = client.post(f"/api/v1/bookings/{booking.id}/approve", json={"occurrences": ids[:1], "reason": "Nur einmal"},
                           headers=token_for(booking_world.manager))
    assert [o["status"] for o in response.get_json()["occurrences"]] == ["approved", "rejected", "rejected"]
    assert response.get_json()["occurrences"][1]["reason"] == "Nur einmal"


def test_reject_without_reason_is_422(client, booking_world, token_for):
    booking = request(booking_world)
    for body in (None, {}, {"reason": ""}, {"reason": 5}):
        response = client.post(f"/api/v1/bookings/{booking.id}/reject", json=body, headers=token_for(booking_world.manager))
        assert response.status_code == 422 and "reason" in response.get_json()["error"]["fields"]
    db.session.refresh(booking)
    assert booking.status == "pending"


def test_cancel_an_unknown_date_is_422(client, booking_world, member_headers):
    booking = approve(booking_world, request(booking_world))
    for value in ("2031-01-01", "not a date", 17):
        response = client.post(f"/api/v1/bookings/{booking.id}/cancel", json={"occurrence": value}, headers=member_headers)
        assert response.status_code == 422 and "occurrence" in response.get_json()["error"]["fields"]


def test_several_associations_must_say_which_one(client, booking_world, token_for):
    booking_world.member.associations.append(booking_world.other_association)
    db.session.commit()
    headers = token_for(booking_world.member)
    response = client.post("/api/v1/bookings", json=api_body(booking_world), headers=headers)
    assert response.status_code == 422 and "association_id" in response.get_json()["error"]["fields"]
    response = client.post("/api/v1/bookings", json=api_body(booking_world, association_id=booking_world.other_association.id),
                           headers=headers)
    assert response.status_code == 201 and response.get_json()["association"]["name"] == "SV Nordstadt"
    response = client.post("/api/v1/bookings", json=api_body(booking_world, association_id=booking_world.unverified.id,
                                                             start="10:00", end="11:00"), headers=headers)
    assert response.status_code == 422


# --- availability ------------------------------------------------------------------


def test_availability_shows_busy_times_only(client, booking_world):
    approve(booking_world, request(booking_world, weekly={"count": 2}, note="Geheim"))
    request(booking_world, start="10:00", end="11:00", title="Wartend")
    response = client.get(f"/api/v1/rooms/{booking_world.room.id}/availability?start={tuesday()}&end={tuesday(1)}")
    assert response.status_code == 200
    data = response.get_json()
    assert data["busy"] == [
        {"start": local_iso(day, "18:00"), "end": local_iso(day, "20:00"),
         "blocked": {"start": local_iso(day, "18:00"), "end": local_iso(day, "20:00")}}  # no buffers in this room
        for day in (tuesday(), tuesday(1))
    ]
    assert data["timezone"] == "Europe/Berlin" and data["centre"] == "nordstadt"
    text = response.get_data(as_text=True)
    assert "Geheim" not in text and "Deutschkurs" not in text and "Sprachbr" not in text and "Wartend" not in text
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    narrow = client.get(f"/api/v1/rooms/{booking_world.room.id}/availability?start={tuesday()}T19:30&end={tuesday()}T21:00")
    assert len(narrow.get_json()["busy"]) == 1
    assert client.get(f"/api/v1/rooms/{booking_world.room.id}/availability").status_code == 200


@pytest.mark.parametrize("query", ["start=yesterday", "end=2027-13-01", "start=2027-03-01&end=2027-02-01",
                                   "start=2027-01-01&end=2029-01-01", "start=" + "9" * 100, "start=0001-01-01",
                                   "start=2027-01-01T25:00", "end=%00"])
def test_availability_bad_ranges_are_422(client, booking_world, query):
    response = client.get(f"/api/v1/rooms/{booking_world.room.id}/availability?{query}")
    assert response.status_code == 422 and response.get_json()["error"]["fields"]


def test_availability_of_an_unknown_room_is_404(client, booking_world):
    assert client.get("/api/v1/rooms/999999/availability").status_code == 404
    assert client.get("/api/v1/rooms/99999999999999999999/availability").status_code == 404


# --- bad input -----------------------------------------------------------------------------

BAD_BODIES = {
    "room as text": {"room_id": "1"},
    "room as bool": {"room_id": True},
    "unknown room": {"room_id": 999999},
    "huge room id": {"room_id": 10**30},
    "negative room id": {"room_id": -1},
    "end before start": {"end": "SAME_DAYT17:00:00"},
    "date without time": {"start": "SAME_DAY"},
    "start as number": {"start": 1700000000},
    "nonsense time": {"start": "next tuesday"},
    "year 0001": {"start": "0001-01-01T18:00:00"},
    "year 9999": {"start": "9999-12-31T18:00:00", "end": "9999-12-31T20:00:00"},
    "huge title": {"title": "x" * 100_000},
    "empty title": {"title": "   "},
    "title as list": {"title": ["a"]},
    "injection title": {"title": "'; DROP TABLE booking; --", "room_id": "1 OR 1=1"},
    "huge series": {"recurrence": {"freq": "weekly", "count": 100_000}},
    "series by days": {"recurrence": {"freq": "weekly", "byweekday": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
                                      "until": "2030-01-01"}},
    "daily series": {"recurrence": {"freq": "daily", "count": 3}},
    "series without end": {"recurrence": {"freq": "weekly"}},
    "series with both ends": {"recurrence": {"freq": "weekly", "count": 2, "until": "2030-01-01"}},
    "bad weekday": {"recurrence": {"freq": "weekly", "count": 2, "byweekday": ["XX"]}},
    "weekday as number": {"recurrence": {"freq": "weekly", "count": 2, "byweekday": [1]}},
    "interval zero": {"recurrence": {"freq": "weekly", "count": 2, "interval": 0}},
    "recurrence as text": {"recurrence": "FREQ=WEEKLY"},
    "attendees as text": {"attendees": "12"},
    "attendees too many": {"attendees": 31},
    "attendees negative": {"attendees": -5},
    "attendees huge": {"attendees": 10**20},
    "skip as text": {"skip_conflicts": "yes"},
    "event as list": {"event": ["x"]},
    "event title as text": {"event": {"title": "Kurs"}},
    "event in unknown language": {"event": {"title": {"xx": "Kurs"}}},
    "event huge description": {"event": {"description": {"de": "x" * 10_000}}},
    "event category unknown": {"event": {"category": "<script>alert(1)</script>"}},
    "event audience unknown": {"event": {"audience": ["martians"]}},
    "event languages nonsense": {"event": {"languages": ["de'; --"]}},
    "event link javascript": {"event": {"registration_url": "javascript:alert(1)"}},
    "nul character": {"title": "Kurs\u0000"},
    "association of others": {"association_id": 2},
}


@pytest.mark.parametrize("case", BAD_BODIES)
def test_bad_input_is_a_clear_4xx_and_stores_nothing(client, booking_world, member_headers, case):
    day = tuesday()
    body = api_body(booking_world, day=day)
    for key, value in BAD_BODIES[case].items():
        body[key] = value.replace("SAME_DAY", day.isoformat()) if isinstance(value, str) else value
    before = count_bookings()
    response = client.post("/api/v1/bookings", json=body, headers=member_headers)
    assert 400 <= response.status_code < 500, (case, response.status_code, response.get_data(as_text=True)[:300])
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    assert count_bookings() == before


@pytest.mark.parametrize("raw, content_type", [
    (b"{not json", "application/json"),
    (b"", "application/json"),
    (b"[1, 2, 3]", "application/json"),
    (b"null", "application/json"),
    (b'"text"', "application/json"),
    (b"room_id=1&title=x", "application/x-www-form-urlencoded"),
    ("{\"title\": \"\udcff\"}".encode("utf-8", "surrogatepass"), "application/json"),
    (b"\xff\xfe\x00", "application/json"),
    (("[" * 50_000 + "]" * 50_000).encode(), "application/json"),
])
def test_malformed_bodies_are_400(client, booking_world, member_headers, raw, content_type):
    response = client.post("/api/v1/bookings", data=raw, headers={**member_headers, "Content-Type": content_type})
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:200]
    assert response.get_json()["error"]["code"]
    assert count_bookings() == (0, 0)


def test_malformed_action_bodies_are_400(client, booking_world, token_for):
    booking = request(booking_world)
    headers = {**token_for(booking_world.manager), "Content-Type": "application/json"}
    for action in ("approve", "reject", "cancel"):
        response = client.post(f"/api/v1/bookings/{booking.id}/{action}", data=b"{oops", headers=headers)
        assert response.status_code == 400
    response = client.post(f"/api/v1/bookings/{booking.id}/approve", json={"occurrences": "all"}, headers=headers)
    assert response.status_code == 422
    db.session.refresh(booking)
    assert booking.status == "pending"


def test_unknown_and_huge_ids_are_404(client, booking_world, member_headers):
    for url in ("/api/v1/bookings/0", "/api/v1/bookings/99999999999999999999", "/api/v1/bookings/abc"):
        assert client.get(url, headers=member_headers).status_code == 404
        assert client.post(url + "/approve", headers=member_headers).status_code in (404, 405)


def test_wrong_methods_are_405(client, booking_world, member_headers):
    assert client.get("/api/v1/bookings", headers=member_headers).status_code == 405
    assert client.delete("/api/v1/bookings/1", headers=member_headers).status_code == 405


def test_bad_tokens_are_401(client, booking_world):
    for header in ("Bearer", "Bearer nope", "Basic abc", "Bearer " + "x" * 5000, "Bearer ws_\u00e9"):
        response = client.post("/api/v1/bookings", json=api_body(booking_world), headers={"Authorization": header})
        assert response.status_code == 401


# --- property-based: any shape of body gives a 2xx/4xx, never a 500, and 4xx stores nothing -------------

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                         st.floats(allow_nan=True), st.text(max_size=50))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=10), inner, max_size=4), max_leaves=12)


def iso_times():
    day = st.dates(min_value=next_weekday(0, -400), max_value=next_weekday(0, 500))
    clock = st.times()
    return st.builds(lambda d, t, tz: f"{d.isoformat()}T{t.isoformat()}{tz}", day, clock,
                     st.sampled_from(["", "Z", "+02:00", "-05:30", "+14:00"]))


def booking_bodies(room_ids):
    recurrence = st.fixed_dictionaries({}, optional={
        "freq": st.sampled_from(["weekly", "daily", "WEEKLY", ""]) | json_values,
        "interval": st.integers(-3, 60) | json_values,
        "byweekday": st.lists(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU", "XX"]), max_size=8) | json_values,
        "until": st.dates().map(str) | json_values,
        "count": st.integers(-5, 5000) | json_values,
    })
    event = st.fixed_dictionaries({}, optional={
        "title": st.dictionaries(st.sampled_from(["de", "en", "tr", "ar", "zz"]), st.text(max_size=300), max_size=3) | json_values,
        "description": json_values,
        "category": st.sampled_from(["education", "festival", "nope"]) | json_values,
        "audience": st.lists(st.sampled_from(["youth", "women", "everyone", "x"]), max_size=3) | json_values,
        "languages": st.lists(st.text(max_size=6), max_size=3) | json_values,
    })
    return st.fixed_dictionaries({}, optional={
        "room_id": st.sampled_from(room_ids + [0, -1, 2**40]) | json_values,
        "title": st.text(max_size=250) | json_values,
        "start": iso_times() | json_values,
        "end": iso_times() | json_values,
        "recurrence": recurrence | json_values,
        "skip_conflicts": st.booleans() | json_values,
        "attendees": st.integers(-2, 200) | json_values,
        "event": event | json_values,
        "association_id": json_values,
    })


def test_any_booking_body_is_answered_without_a_server_error(app, client, booking_world, member_headers):
    room_ids = [booking_world.room.id, booking_world.small_room.id, booking_world.other_room.id]

    @settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(body=booking_bodies(room_ids))
    def check(body):
        before = count_bookings()
        response = client.post("/api/v1/bookings", json=body, headers=member_headers)
        assert response.status_code in (201, 400, 403, 409, 422), (body, response.get_data(as_text=True)[:300])
        data = response.get_json()
        if response.status_code == 201:
            assert data["status"] == "pending" and 1 <= len(data["occurrences"]) <= 200
            assert all(o["start"] < o["end"] for o in data["occurrences"])
        else:
            assert data["error"]["message"] and count_bookings() == before

    check()


# --- the OpenAPI document -------------------------------------------------------------------------


@pytest.fixture
def openapi(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_openapi_document_is_valid_3_1(openapi):
    from openapi_spec_validator import validate

    assert openapi["openapi"].startswith("3.1")
    validate(openapi)


def test_openapi_describes_the_contract(openapi, app):
    paths = openapi["paths"]
    expected = {
        "/centres": {"get"}, "/centres/{slug}": {"get"}, "/me": {"get"},
        "/bookings": {"post"}, "/bookings/{booking_id}": {"get"}, "/bookings/{booking_id}/approve": {"post"},
        "/bookings/{booking_id}/reject": {"post"}, "/bookings/{booking_id}/cancel": {"post"},
        "/rooms/{room_id}/availability": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    assert set(paths["/bookings"]["post"]["responses"]) >= {"201", "401", "403", "409", "422"}
    # every documented path is served, with the documented methods
    import re

    rules = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule[len("/api/v1"):])
            rules.setdefault(path, set()).update(m.lower() for m in rule.methods)
    for path, item in paths.items():
        assert path in rules, f"documented but not served: {path}"
        assert set(item) - {"parameters"} <= rules[path], path


def schema_validator(openapi, name):
    from openapi_schema_validator import OAS31Validator

    return OAS31Validator({"$ref": f"#/components/schemas/{name}", "components": openapi["components"]})


def test_responses_match_the_documented_schemas(client, booking_world, token_for, openapi):
    headers = token_for(booking_world.member)
    created = client.post("/api/v1/bookings", headers=headers, json=api_body(
        booking_world, recurrence={"freq": "weekly", "count": 2}, event={"title": {"de": "Kurs"}, "audience": ["youth"]}))
    schema_validator(openapi, "Booking").validate(created.get_json())
    conflict = client.post(f"/api/v1/bookings/{created.get_json()['id']}/approve", headers=headers)
    schema_validator(openapi, "Error").validate(conflict.get_json())
    invalid = client.post("/api/v1/bookings", headers=headers, json={"room_id": "x"})
    schema_validator(openapi, "Error").validate(invalid.get_json())
    availability = client.get(f"/api/v1/rooms/{booking_world.room.id}/availability")
    schema_validator(openapi, "Availability").validate(availability.get_json())
    centre = client.get("/api/v1/centres/nordstadt")
    schema_validator(openapi, "CentreWithRooms").validate(centre.get_json())
    me = client.get("/api/v1/me", headers=headers)
    schema_validator(openapi, "Me").validate(me.get_json())


def test_openapi_server_url_follows_the_request(client):
    document = client.get("/api/v1/openapi.json", base_url="https://example.org").get_json()
    assert document["servers"] == [{"url": "https://example.org/api/v1"}]
