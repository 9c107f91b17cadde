"""GET /api/v1/rooms/search (issue 7): the shape of DESIGN.md, the same search as the page."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from booking_support import fresh_locale, local_iso, utc_iso
from search_support import WEEKS, city_fixture, count_queries, hold  # noqa: F401

from extensions import db

URL = "/api/v1/rooms/search"


def params(city, start="18:00", end="20:00", weekly=True, **extra):
    day = city.tuesday.isoformat()
    values = {"start": f"{day}T{start}", "end": f"{day}T{end}"}
    if weekly:
        values["until"] = city.until.isoformat()
    values.update(extra)
    return values


def get(client, city, headers=None, **kwargs):
    response = client.get(URL, query_string=params(city, **kwargs), headers=headers or {})
    fresh_locale()
    return response


def test_the_shape_of_the_design(client, city):
    hold(city, city.hall, city.tuesday + timedelta(weeks=1))
    response = get(client, city)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    assert set(body) >= {"results", "suggestions"}
    assert body["suggestions"] == []
    first = body["results"][0]
    assert set(first) >= {"room_id", "centre", "name", "capacity", "conflicts"}
    # free first; then by the centre's name (here in German, the centres' language) and the room's
    assert [r["name"] for r in body["results"]] == ["Seminarraum", "Tanzraum", "Küche", "Werkstatt", "Großer Saal"]
    assert [r["free"] for r in body["results"]] == [True] * 4 + [False]
    hall = body["results"][-1]
    assert hall == {
        "room_id": city.hall.id, "centre": "nordstadt", "centre_name": "Stadtteilzentrum Nordstadt",
        "district": "Nordstadt", "name": "Großer Saal", "capacity": 60, "equipment": ["projector", "sound_system"],
        "barrier_free": True, "free": False, "dates": WEEKS,
        "conflicts": [{"start": hall["conflicts"][0]["start"], "end": hall["conflicts"][0]["end"]}],
        "closed": [],
        "request_url": hall["request_url"],
    }
    day = city.tuesday + timedelta(weeks=1)
    assert hall["conflicts"][0]["start"] == local_iso(day, "18:00")  # the local offset of that day
    assert hall["conflicts"][0]["end"] == local_iso(day, "20:00")
    url = urlsplit(hall["request_url"])
    assert url.path == f"/de/rooms/{city.hall.id}/book"
    query = parse_qs(url.query)
    assert query["skip_conflicts"] == ["y"] and query["weekdays"] == ["TU"] and query["until"] == [city.until.isoformat()]
    assert body["total"] == 5 and body["free_total"] == 4 and body["left_out"] == []
    limited = get(client, city, limit="2").get_json()
    assert len(limited["results"]) == 2 and limited["total"] == 5 and limited["free_total"] == 4


def test_conflicts_carry_the_summer_offset_after_the_change(client, city):
    from booking_support import next_dst_change

    spring = next_dst_change(3)
    first = spring - timedelta(days=5)  # a Tuesday before the change
    hold(city, city.hall, first + timedelta(weeks=1))
    response = client.get(URL, query_string={"start": f"{first}T18:00", "end": f"{first}T20:00",
                                             "until": str(first + timedelta(weeks=2)), "centre": "nordstadt",
                                             "capacity": "50"})
    (hall,) = response.get_json()["results"]
    assert hall["conflicts"] == [{"start": f"{first + timedelta(weeks=1)}T18:00:00+02:00",
                                  "end": f"{first + timedelta(weeks=1)}T20:00:00+02:00"}]


def test_filters(client, city):
    def rooms(**extra):
        response = get(client, city, **extra)
        assert response.status_code == 200, response.get_json()
        return sorted(r["name"] for r in response.get_json()["results"])

    assert rooms(capacity="26") == ["Großer Saal", "Tanzraum"]
    assert rooms(equipment="projector,sound_system") == ["Großer Saal"]
    assert rooms(equipment=["projector", "whiteboard"]) == ["Seminarraum"]
    assert rooms(barrier_free="true") == ["Großer Saal", "Seminarraum", "Tanzraum"]
    assert rooms(barrier_free="0") == ["Großer Saal", "Küche", "Seminarraum", "Tanzraum", "Werkstatt"]
    assert rooms(district="Linden") == ["Seminarraum", "Tanzraum"]
    assert rooms(centre="list") == ["Werkstatt"]
    assert rooms(features="wifi,cafe") == ["Großer Saal", "Küche"]
    assert rooms(weekly=False, capacity="13") == ["Großer Saal", "Seminarraum", "Tanzraum", "Werkstatt"]


def test_weekdays_and_an_offset(client, city):
    hold(city, city.hall, city.tuesday + timedelta(days=2))
    response = client.get(URL, query_string={
        "start": utc_iso(city.tuesday, "18:00"), "end": utc_iso(city.tuesday, "20:00"), "until": str(city.until),
        "weekdays": "tu,th", "centre": "nordstadt", "capacity": "50"})
    (hall,) = response.get_json()["results"]
    assert hall["dates"] == 2 * WEEKS - 1
    assert hall["conflicts"] == [{"start": local_iso(city.tuesday + timedelta(days=2), "18:00"),
                                  "end": local_iso(city.tuesday + timedelta(days=2), "20:00")}]


def test_suggestions(client, city):
    hold(city, city.hall, city.tuesday, "19:00", "21:00", weekly={"weekdays": ["TU"], "count": WEEKS})
    body = get(client, city, capacity="40", lang="en").get_json()
    assert body["results"] == []
    kinds = [(s["kind"], s["start"][11:16], s["end"][11:16], s["weekdays"]) for s in body["suggestions"]]
    assert kinds == [("earlier", "17:00", "19:00", ["TU"]), ("shorter", "18:00", "19:00", ["TU"]),
                     ("weekday", "18:00", "20:00", ["WE"])]
    first = body["suggestions"][0]
    assert set(first) >= {"room_id", "centre", "name", "capacity", "kind", "start", "end", "until", "dates"}
    assert first["centre_name"] == "Nordstadt Centre" and first["dates"] == WEEKS
    assert "/en/rooms/" in first["request_url"] and "start_time=17:00" in first["request_url"]


def test_rooms_left_out_by_their_rules(client, city):
    city.hall.max_duration_minutes = 60
    db.session.commit()
    body = get(client, city, capacity="40", headers={"Accept-Language": "en"}).get_json()
    assert body["results"] == []
    (left,) = body["left_out"]
    assert left["name"] == "Großer Saal" and "may last at most 1 hour" in left["reasons"][0]


def test_no_association_and_no_pending_request_is_shown(client, city, token_for):
    hold(city, city.hall, city.tuesday)
    hold(city, city.dance, city.tuesday, approve=False)
    for headers in ({}, token_for(city.member)):
        response = get(client, city, headers=headers)
        text = response.get_data(as_text=True)
        assert "Geheimbund" not in text and "Geheime Probe" not in text and "holder@example.org" not in text
        results = {r["name"]: r for r in response.get_json()["results"]}
        assert len(results["Großer Saal"]["conflicts"]) == 1
        assert results["Tanzraum"]["conflicts"] == []  # pending: not a conflict, not shown


def test_a_manager_token_applies_the_managers_rules(client, city, token_for):
    city.hall.min_notice_hours = 24 * 30
    db.session.commit()
    anonymous = [r["name"] for r in get(client, city).get_json()["results"]]
    manager = [r["name"] for r in get(client, city, headers=token_for(city.manager)).get_json()["results"]]
    assert "Großer Saal" not in anonymous and "Großer Saal" in manager


def test_a_bad_token_is_refused(client, city):
    response = get(client, city, headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_one_query_per_search_through_the_api(client, city, make_room):
    counts = []
    for extra in (0, 8):
        for n in range(extra):
            room = make_room(city.linden, name=f"Raum {n}", capacity=30)
            hold(city, room, city.tuesday, weekly={"weekdays": ["TU"], "count": 3})
        with count_queries() as statements:
            assert get(client, city).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] == 3, counts


# --- bad parameters: 422 with the field named, never a 500 ----------------------------------------

BAD = {
    "start missing": ({"start": None}, "start"),
    "end missing": ({"end": None}, "end"),
    "start a date only": ({"start": "2027-03-02"}, "start"),
    "start rubbish": ({"start": "next tuesday"}, "start"),
    "end before start": ({"end": "@17:00"}, "end"),
    "offset on one only": ({"end": "@20:00+01:00"}, "end"),
    "in the past": ({"start": "2020-01-07T18:00", "end": "2020-01-07T20:00"}, "start"),
    "until rubbish": ({"until": "soon"}, "until"),
    "until before start": ({"until": "2020-01-01"}, "until"),
    "too many dates": ({"weekdays": "MO,TU,WE,TH,FR,SA,SU", "until": "+400"}, "until"),
    "weekdays without until": ({"until": None, "weekdays": "TU"}, "until"),
    "weekday unknown": ({"weekdays": "XX"}, "weekdays"),
    "capacity rubbish": ({"capacity": "many"}, "capacity"),
    "capacity zero": ({"capacity": "0"}, "capacity"),
    "capacity huge": ({"capacity": "99999999999999999999"}, "capacity"),
    "equipment unknown": ({"equipment": "helicopter"}, "equipment"),
    "feature unknown": ({"features": "pool"}, "features"),
    "barrier_free rubbish": ({"barrier_free": "perhaps"}, "barrier_free"),
    "centre unknown": ({"centre": "atlantis"}, "centre"),
    "centre too long": ({"centre": "x" * 500}, "centre"),
    "district too long": ({"district": "x" * 500}, "district"),
    "limit": ({"limit": "0"}, "limit"),
    "year 9999": ({"start": "9999-01-05T18:00", "end": "9999-01-05T20:00"}, "start"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_parameters(client, city, case):
    change, field = BAD[case]
    values = params(city)
    for key, value in change.items():
        if value is None:
            values.pop(key, None)
        elif value.startswith("@"):
            values[key] = f"{city.tuesday}T{value[1:]}"
        elif value == "+400":
            values[key] = str(city.tuesday + timedelta(days=400))
        else:
            values[key] = value
    response = client.get(URL, query_string=values, headers={"Accept-Language": "en"})
    assert response.status_code == 422, (case, response.get_json())
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and error["message"] == "The input is not valid."
    assert field in error["fields"] and error["fields"][field][0], error


@pytest.mark.parametrize("lang", ["de", "tr", "ar"])
def test_messages_follow_the_language_asked_for(app, client, city, lang):
    """The messages are gettext's in the language of Accept-Language (as the catalogues say)."""
    from flask_babel import force_locale, gettext

    response = client.get(URL, query_string={**params(city), "capacity": "x"}, headers={"Accept-Language": lang})
    assert response.status_code == 422
    error = response.get_json()["error"]
    with app.test_request_context(), force_locale(lang):
        assert error["message"] == gettext("The input is not valid.")
        assert error["fields"]["capacity"] == [gettext("Please give a number of people.")]


@pytest.mark.parametrize("query", [
    "start=%00&end=%00",
    "start=2027-03-02T18:00&end=2027-03-02T20:00&until=2027-02-30",
    "start=2027-03-02T25:00&end=2027-03-02T26:00",
    "start=2027-03-02T18:00:00.123456789&end=2027-03-02T20:00",
    "start=2027-03-02T18:00%2B99:00&end=2027-03-02T20:00%2B99:00",
    "start=" + "9" * 5000 + "&end=1",
    "start=2027-03-02T18:00&end=2027-03-02T20:00&limit=-1",
    "start=2027-03-02T18:00&end=2027-03-02T20:00&equipment=" + ",".join(["projector"] * 500),
    "start=2027-03-02T23:30&end=2027-03-03T01:30",
    "start[]=x",
])
def test_no_input_makes_it_fail(client, city, query):
    response = client.get(URL + "?" + query)
    assert response.status_code in (200, 422), (response.status_code, response.get_data(as_text=True)[:300])


def test_the_openapi_document_describes_the_search(client):
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    operation = document["paths"]["/rooms/search"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"start", "end", "until", "capacity", "equipment", "barrier_free", "district", "centre"} <= names
    schema = document["components"]["schemas"]["RoomSearchResult"]
    assert {"room_id", "centre", "name", "capacity", "conflicts"} <= set(schema["required"])
    assert "422" in operation["responses"]
