"""GET /api/v1/events: the contract of DESIGN.md, and the OpenAPI document that describes it."""

from datetime import datetime, timedelta

import pytest
from eventdata import QueryCounter, at, bulk_events, make_event
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from timeutil import to_local, utcnow


@pytest.fixture
def room(make_centre, make_room):
    centre = make_centre(slug="nord", name={"de": "Zentrum Nord", "tr": "Kuzey Merkezi"}, default_language="de")
    return make_room(centre, name="Saal")


def items(client, query=""):
    response = client.get(f"/api/v1/events{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["items"]


def test_one_item_per_date_with_local_offsets(client, room):
    event = make_event(room.centre, room, count=3, title={"de": "Deutschkurs", "tr": "Almanca kursu"})
    data = items(client, "?lang=tr")
    assert [item["event_id"] for item in data] == [event.id] * 3
    first = data[0]
    occurrence = event.booking.occurrences[0]
    assert first["id"] == occurrence.id
    assert first["start"] == to_local(occurrence.starts_at, "Europe/Berlin").isoformat(timespec="seconds")
    assert datetime.fromisoformat(first["start"]).utcoffset() in (timedelta(hours=1), timedelta(hours=2))
    assert first["title"] == "Almanca kursu" and first["lang"] == "tr"
    assert first["centre"] == {"slug": "nord", "name": "Kuzey Merkezi"}
    assert first["room"] == {"id": room.id, "name": "Saal"}
    assert first["status"] == "scheduled" and first["cancel_reason"] is None
    assert first["url"].endswith(f"/tr/events/{event.id}/")
    assert first["organiser"] == "Kuzey Merkezi"


def test_texts_fall_back(client, make_centre, make_room):
    centre = make_centre(slug="ar-centre", default_language="ar")
    hall = make_room(centre)
    make_event(centre, hall, title={"ar": "قهوة", "de": "Kaffee"}, description={"de": "Nur Deutsch"})
    make_event(centre, hall, title={"uk": "Кава"}, description={}, starts=at(2))
    first, second = items(client, "?lang=en")
    assert (first["title"], first["lang"]) == ("قهوة", "ar")  # the centre's language before German
    assert (first["description"], first["description_lang"]) == ("Nur Deutsch", "de")
    assert (second["title"], second["lang"]) == ("Кава", "uk")  # any language at last
    assert second["description"] == "" and second["description_lang"] is None
    german = items(client, "?lang=xx")[0]  # unknown lang: German
    assert german["title"] == "Kaffee" and german["lang"] == "de"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", {"Fußball", "Frauencafé", "Beratung"}),
        ("?centre=nord", {"Fußball", "Frauencafé"}),
        ("?category=sport", {"Fußball"}),
        ("?audience=women", {"Frauencafé"}),
        ("?language=ar", {"Frauencafé", "Beratung"}),
        ("?free=0", {"Frauencafé"}),
        ("?barrier_free=true", {"Fußball", "Beratung"}),
        ("?centre=sued&language=uk", {"Beratung"}),
    ],
)
def test_filters(client, room, make_centre, make_room, query, expected):
    south = make_centre(slug="sued")
    make_event(room.centre, room, title={"de": "Fußball"}, category_key="sport", audiences=["children"],
               languages=["de"], barrier_free=True)
    make_event(room.centre, None, title={"de": "Frauencafé"}, category_key="encounter", audiences=["women"],
               languages=["ar"], is_free=False, price="1 €")
    make_event(south, make_room(south), title={"de": "Beratung"}, category_key="counselling",
               audiences=["refugees"], languages=["ar", "uk"], barrier_free=True)
    assert {item["title"] for item in items(client, query)} == expected


def test_range_takes_dates_and_date_times(client, room):
    make_event(room.centre, room, starts=at(2, hour=10), title={"de": "Früh"})
    make_event(room.centre, room, starts=at(5, hour=10), title={"de": "Spät"})
    day2 = to_local(at(2, hour=10), "Europe/Berlin").date()
    assert [i["title"] for i in items(client, f"?start={day2}&end={day2}")] == ["Früh"]
    after = (at(3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [i["title"] for i in items(client, f"?start={after}")] == ["Spät"]
    data = client.get(f"/api/v1/events?start={day2}&end={day2}&centre=nord").get_json()
    assert data["start"] == f"{day2}T00:00:00{data['start'][-6:]}"


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_requests_not_approved_are_never_listed(client, room, status, token_for, make_user):
    make_event(room.centre, room, status=status, title={"de": "Antrag"})
    assert items(client) == []
    admin = token_for(make_user("admin"))
    assert client.get("/api/v1/events", headers=admin).get_json()["items"] == []


def test_cancelled_dates_are_listed_as_cancelled_until_they_pass(client, room, db):
    event = make_event(room.centre, room, starts=at(-2), count=3, every_days=2)
    event.booking.occurrences[0].set_status("cancelled", "vorbei")
    event.booking.occurrences[2].set_status("cancelled", "Krankheit")
    db.session.commit()
    earlier = (utcnow() - timedelta(days=5)).date()
    data = items(client, f"?start={earlier}")
    assert [(i["status"], i["cancel_reason"]) for i in data] == [("scheduled", None), ("cancelled", "Krankheit")]


def test_paging(client, room):
    bulk_events(room.centre, room, 5, start=at(1))
    first = client.get("/api/v1/events?limit=2").get_json()
    assert [i["title"] for i in first["items"]] == ["Termin 0", "Termin 1"]
    assert first["next"] and "offset=2" in first["next"] and "limit=2" in first["next"]
    last = client.get("/api/v1/events?limit=2&offset=4").get_json()
    assert [i["title"] for i in last["items"]] == ["Termin 4"] and last["next"] is None


@pytest.mark.parametrize(
    "query, field",
    [
        ("?start=tomorrow", "start"),
        ("?end=2027-13-01", "end"),
        ("?start=2027-03-10&end=2027-03-01", "end"),
        ("?audience=aliens", "audience"),
        ("?free=perhaps", "free"),
        ("?barrier_free=2", "barrier_free"),
        ("?language=%3Cx%3E", "language"),
        ("?centre=a%20b", "centre"),
        ("?limit=0", "limit"),
        ("?limit=100000", "limit"),
        ("?limit=-1", "limit"),
        ("?offset=x", "offset"),
        ("?offset=99999999999999999999", "offset"),
        ("?start=99999-01-01", "start"),
        ("?start=%00", "start"),
    ],
)
def test_bad_parameters_are_a_clear_400(client, room, query, field):
    response = client.get(f"/api/v1/events{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and error["message"]
    assert field in error["fields"]


def test_open_to_cross_origin_reads(client, room):
    response = client.get("/api/v1/events", headers={"Origin": "https://partner.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.status_code == 200


def test_query_count_does_not_grow(client, room, db):
    from centres.models import Room

    room_id = room.id

    def count():
        db.session.expunge_all()
        with QueryCounter(db.engine) as counter:
            assert client.get("/api/v1/events?lang=tr").status_code == 200
        return counter.count

    hall = db.session.get(Room, room_id)
    bulk_events(hall.centre, hall, 2, start=at(1))
    few = count()
    hall = db.session.get(Room, room_id)
    bulk_events(hall.centre, hall, 80, start=at(3))
    assert count() == few == 3  # the data-version row (pagecache), the dates, their events


# --- the OpenAPI document --------------------------------------------------------------


def test_openapi_document_is_valid_and_describes_events(client, room):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)  # raises on an invalid OpenAPI 3.1 document
    operation = document["paths"]["/events"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"start", "end", "centre", "category", "audience", "language", "lang"} <= names


def test_responses_match_the_documented_schema(client, room, make_association):
    make_event(room.centre, room, count=2, association=make_association(), languages=["tr"],
               registration_url="https://example.org", tags=["#x"])
    make_event(room.centre, None, starts=at(3), status="cancelled", date_status="cancelled", is_free=False,
               price="3 €")
    document = client.get("/api/v1/openapi.json").get_json()
    schema = {"$ref": "#/components/schemas/EventList", "components": document["components"]}
    body = client.get("/api/v1/events?limit=2").get_json()
    assert len(body["items"]) == 2 and body["next"]
    OAS31Validator(schema).validate(body)
    OAS31Validator(schema).validate(client.get("/api/v1/events?offset=2").get_json())
    error_schema = {"$ref": "#/components/schemas/Error", "components": document["components"]}
    OAS31Validator(error_schema).validate(client.get("/api/v1/events?start=x").get_json())
