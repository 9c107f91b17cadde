"""JSON API: GET /api/v1/centres, /api/v1/centres/<slug>, the error shape, and the bearer token on /me."""

import pytest


@pytest.fixture
def centres(make_centre, make_room):
    nord = make_centre(
        "nordstadt",
        district="Nordstadt",
        name={"de": "Nachbarschaftshaus Nordstadt", "tr": "Nordstadt Mahalle Evi"},
        description={"de": "Ein offenes Haus.", "en": "An open house."},
        features=["wifi", "cafe"],
        staff_languages=["de", "tr"],
        contact_email="nord@example.org",
        opening_hours={"0": [["09:00", "18:00"]]},
    )
    linden = make_centre("linden", district="Linden", name={"en": "Linden Community Centre"}, default_language="en",
                         latitude=None, longitude=None)
    hall = make_room(nord, name="Großer Saal", capacity=120, description={"de": "Der große Saal.", "ar": "القاعة"})
    kitchen = make_room(nord, name="Küche", capacity=12, bookable=False, equipment=["kitchen"])
    return {"nord": nord, "linden": linden, "hall": hall, "kitchen": kitchen}


def assert_error(response, status, code):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


# --- the list ---------------------------------------------------------------------------


def test_list_of_centres(client, centres):
    response = client.get("/api/v1/centres")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    items = response.get_json()["items"]
    assert [item["slug"] for item in items] == ["linden", "nordstadt"]
    nord = items[1]
    assert nord["name"] == "Nachbarschaftshaus Nordstadt"  # no lang: German
    assert nord["district"] == "Nordstadt"
    assert nord["features"] == ["wifi", "cafe"]
    assert nord["staff_languages"] == ["de", "tr"]
    assert nord["geo"] == {"lat": 52.37, "lon": 9.73}
    assert nord["opening_hours"] == {"0": [["09:00", "18:00"]]}
    assert nord["contact"]["email"] == "nord@example.org"
    assert nord["timezone"] == "Europe/Berlin"
    assert nord["url"].endswith("/de/centres/nordstadt/")
    assert items[0]["geo"] is None


def test_empty_list(client):
    response = client.get("/api/v1/centres")
    assert response.status_code == 200
    assert response.get_json()["items"] == []


def test_public_reads_allow_other_origins(client, centres):
    assert client.get("/api/v1/centres").headers["Access-Control-Allow-Origin"] == "*"


# --- one centre with its rooms -------------------------------------------------------------


def test_centre_with_rooms_and_their_ids(client, centres):
    response = client.get("/api/v1/centres/nordstadt")
    assert response.status_code == 200
    body = response.get_json()
    assert body["slug"] == "nordstadt"
    rooms = {room["name"]: room for room in body["rooms"]}
    assert set(rooms) == {"Großer Saal", "Küche"}
    assert rooms["Großer Saal"]["id"] == centres["hall"].id
    assert rooms["Küche"]["id"] == centres["kitchen"].id
    assert rooms["Großer Saal"]["capacity"] == 120
    assert rooms["Küche"]["bookable"] is False
    assert rooms["Küche"]["equipment"] == ["kitchen"]
    assert rooms["Großer Saal"]["rules"]["max_days_ahead"] >= 365


def test_room_ids_work_with_the_availability_endpoint(client, centres):
    """The ids the directory gives are the ids the rest of the API takes."""
    room_id = client.get("/api/v1/centres/nordstadt").get_json()["rooms"][0]["id"]
    response = client.get(f"/api/v1/rooms/{room_id}/availability?start=2031-01-01&end=2031-01-08")
    assert response.status_code == 200
    assert client.get("/api/v1/rooms/999999/availability?start=2031-01-01&end=2031-01-08").status_code == 404


def test_list_has_no_rooms_but_the_centre_has(client, centres):
    assert "rooms" not in client.get("/api/v1/centres").get_json()["items"][0]
    assert client.get("/api/v1/centres/linden").get_json()["rooms"] == []


@pytest.mark.parametrize(
    ("lang", "name", "description", "room_description"),
    [
        ("de", "Nachbarschaftshaus Nordstadt", "Ein offenes Haus.", "Der große Saal."),
        ("tr", "Nordstadt Mahalle Evi", "Ein offenes Haus.", "Der große Saal."),  # description falls back to German
        ("en", "Nachbarschaftshaus Nordstadt", "An open house.", "Der große Saal."),
        ("ar", "Nachbarschaftshaus Nordstadt", "Ein offenes Haus.", "القاعة"),
        ("xx", "Nachbarschaftshaus Nordstadt", "Ein offenes Haus.", "Der große Saal."),  # unknown: German
        ("", "Nachbarschaftshaus Nordstadt", "Ein offenes Haus.", "Der große Saal."),
    ],
)
def test_lang_parameter_with_fallback(client, centres, lang, name, description, room_description):
    body = client.get(f"/api/v1/centres/nordstadt?lang={lang}").get_json()
    assert body["name"] == name
    assert body["description"] == description
    hall = next(room for room in body["rooms"] if room["name"] == "Großer Saal")
    assert hall["description"] == room_description
    assert body["names"] == {"de": "Nachbarschaftshaus Nordstadt", "tr": "Nordstadt Mahalle Evi"}


def test_fallback_goes_to_the_centres_default_language(client, centres):
    """Linden is named in English only and its default language is English."""
    for lang in ("de", "tr", "en"):
        assert client.get(f"/api/v1/centres/linden?lang={lang}").get_json()["name"] == "Linden Community Centre"


def test_lang_parameter_on_the_list(client, centres):
    items = client.get("/api/v1/centres?lang=tr").get_json()["items"]
    assert {item["slug"]: item["name"] for item in items} == {
        "linden": "Linden Community Centre",
        "nordstadt": "Nordstadt Mahalle Evi",
    }


def test_centre_url_follows_lang(client, centres):
    assert client.get("/api/v1/centres/nordstadt?lang=ar").get_json()["url"].endswith("/ar/centres/nordstadt/")


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["nowhere", "NORDSTADT", "x" * 500, "nordstadt%2F..%2F"])
def test_unknown_centre_is_a_json_404(client, centres, slug):
    assert_error(client.get(f"/api/v1/centres/{slug}"), 404, "not_found")


def test_nul_in_slug_is_a_json_client_error(client, centres):
    """SQLite finds nothing (404); PostgreSQL refuses the NUL outright (400). Never a 500."""
    response = client.get("/api/v1/centres/nord%00stadt")
    assert_error(response, response.status_code, "not_found" if response.status_code == 404 else "bad_request")
    assert response.status_code in (400, 404)


def test_unknown_api_path_is_a_json_404(client):
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")


def test_wrong_method_is_a_json_405(client, centres):
    assert_error(client.post("/api/v1/centres"), 405, "method_not_allowed")


def test_error_message_is_translated_by_accept_language(client):
    """The message is human text; the code is for programs and never changes."""
    error = assert_error(client.get("/api/v1/centres/nowhere", headers={"Accept-Language": "en"}), 404, "not_found")
    assert error["message"] == "This page does not exist."


# --- the bearer token on /me -----------------------------------------------------------------


def assert_401(response):
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_me_without_token_is_401(client):
    assert_401(client.get("/api/v1/me"))


@pytest.mark.parametrize(
    "header", ["Bearer ws_wrong", "Bearer ", "Basic dXNlcjpwYXNz", "ws_no_scheme", "Bearer " + "y" * 1000]
)
def test_me_with_a_bad_token_is_401(client, make_user, token_for, header):
    token_for(make_user())  # a real token exists, but not this one
    assert_401(client.get("/api/v1/me", headers={"Authorization": header}))


def test_me_with_a_revoked_token_is_401(client, db, make_user, token_for):
    from accounts.models import ApiToken

    user = make_user()
    headers = token_for(user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    for token in db.session.query(ApiToken).filter_by(user_id=user.id):
        token.revoke()
    db.session.commit()
    assert_401(client.get("/api/v1/me", headers=headers))


def test_me_with_the_token_of_a_deactivated_user_is_401(client, db, make_user, token_for):
    user = make_user()
    headers = token_for(user)
    user.active = False
    db.session.commit()
    assert_401(client.get("/api/v1/me", headers=headers))


def test_me_with_a_good_token(client, make_user, make_association, token_for, centres):
    association = make_association(name="Kulturverein Anadolu")
    member = make_user("member", email="ayse@example.org", associations=[association])
    response = client.get("/api/v1/me", headers=token_for(member))
    assert response.status_code == 200
    body = response.get_json()
    assert body["email"] == "ayse@example.org"
    assert body["role"] == "member"
    assert body["associations"] == [{"id": association.id, "name": "Kulturverein Anadolu", "verified": True}]
    assert body["centres"] == []

    manager = make_user("manager", centres=[centres["nord"]])
    body = client.get("/api/v1/me", headers=token_for(manager)).get_json()
    assert body["role"] == "manager" and body["centres"] == ["nordstadt"]


def test_a_token_sees_no_more_than_the_public_on_centres(client, make_user, token_for, centres):
    public = client.get("/api/v1/centres/nordstadt").get_json()
    with_token = client.get("/api/v1/centres/nordstadt", headers=token_for(make_user())).get_json()
    assert with_token == public
