"""Managing centres, rooms, closures and managers: who may do what, and bad input.

The permission matrix runs every action as every role. Forbidden attempts must
change nothing; bad input gets a message, status 400 and changes nothing.
"""

import functools
from datetime import date, time

import pytest
from sqlalchemy import select

# --- fixtures ----------------------------------------------------------------


@functools.cache
def password_hash():
    """One real scrypt hash of the test password, computed once: hashing is the slow part of each test's setup."""
    from conftest import PASSWORD
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD, method="scrypt")


@pytest.fixture
def make_user(db):
    """Like conftest's make_user, with the password hash computed once per run."""
    from accounts.models import User

    counter = iter(range(1, 10_000))

    def make(role="member", email=None, centres=(), name=None, **fields):
        n = next(counter)
        user = User(email=email or f"{role}{n}@example.org", role=role, name=name or f"{role} {n}", **fields)
        user.password_hash = password_hash()
        user.managed_centres = list(centres)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def world(make_centre, make_room, make_user, db):
    """Two centres with a room and a closure each, and one user per role."""
    from centres.models import Closure

    centre = make_centre("nordstadt", district="Nordstadt")
    other = make_centre("suedstadt", district="Südstadt")
    room = make_room(centre, name="Großer Saal")
    other_room = make_room(other, name="Küche")
    closure = Closure(centre=centre, starts_on=date(2031, 7, 1), ends_on=date(2031, 7, 31), reason={"de": "Sommerferien"})
    other_closure = Closure(centre=other, starts_on=date(2031, 8, 1), ends_on=date(2031, 8, 2), reason={})
    db.session.add_all([closure, other_closure])
    db.session.commit()
    users = {
        "admin": make_user("admin"),
        "manager": make_user("manager", centres=[centre]),
        "other_manager": make_user("manager", centres=[other]),
        "member": make_user("member"),
        "anonymous": None,
    }
    candidate = make_user("member", email="neu@example.org", name="Neue Managerin")
    return {
        "centre": centre,
        "other": other,
        "room": room,
        "other_room": other_room,
        "closure": closure,
        "other_closure": other_closure,
        "users": users,
        "candidate": candidate,
    }


def snapshot(db):
    """Everything the manage pages can change, as plain data."""
    from accounts.models import User
    from centres.models import Centre, Closure, Room

    db.session.expire_all()
    centres = {
        c.slug: (c.name, c.description, c.district, c.street, c.latitude, c.longitude, c.opening_hours, c.features,
                 c.staff_languages, c.contact_email, c.website, c.timezone, c.default_language,
                 sorted(u.email for u in c.managers))
        for c in db.session.scalars(select(Centre))
    }
    rooms = {
        r.id: (r.centre_id, r.name, r.description, r.capacity, r.area_sqm, r.equipment, r.barrier_free,
               r.accessibility_notes, r.bookable, r.earliest_time, r.latest_time, r.max_duration_minutes,
               r.max_days_ahead, r.min_notice_hours)
        for r in db.session.scalars(select(Room))
    }
    closures = {
        c.id: (c.centre_id, c.room_id, c.starts_on, c.ends_on, c.reason) for c in db.session.scalars(select(Closure))
    }
    roles = {u.email: u.role for u in db.session.scalars(select(User))}
    return centres, rooms, closures, roles


def centre_data(**overrides):
    data = {
        "name-de": "Stadtteilzentrum Linden",
        "name-tr": "Linden Mahalle Merkezi",
        "slug": "linden",
        "description-de": "Ein Haus für alle.",
        "district": "Linden",
        "street": "Limmerstraße 5",
        "postcode": "30451",
        "city": "Hannover",
        "latitude": "52,3745",
        "longitude": "9.7195",
        "hours_0": "09:00-12:00, 14:00-18:00",
        "hours_1": "9:00-18:00",
        "hours_2": "",
        "hours_3": "",
        "hours_4": "10.00-16.00",
        "hours_5": "",
        "hours_6": "",
        "features": ["wifi", "cafe"],
        "staff_languages": ["de", "tr", "ar"],
        "contact_email": "Linden@Example.org",
        "contact_phone": "+49 511 123 45-6",
        "website": "https://linden.example.org",
        "timezone": "Europe/Berlin",
        "default_language": "de",
    }
    data.update(overrides)
    return data


def room_data(**overrides):
    data = {
        "name": "Seminarraum 2",
        "description-de": "Hell, mit Blick auf den Park.",
        "description-en": "Bright, with a view of the park.",
        "capacity": "24",
        "area_sqm": "48",
        "equipment": ["projector", "whiteboard"],
        "barrier_free": "y",
        "accessibility_notes-de": "Aufzug vorhanden.",
        "bookable": "y",
        "earliest_time": "07:30",
        "latest_time": "21:30",
        "max_duration_minutes": "240",
        "max_days_ahead": "400",
        "min_notice_hours": "48",
    }
    data.update(overrides)
    return data


def closure_data(**overrides):
    data = {"room": "", "starts_on": "2031-12-23", "ends_on": "2032-01-02", "reason-de": "Weihnachtspause"}
    data.update(overrides)
    return data


def log_in(auth, user, lang="en"):
    if user is not None:
        response = auth.login(user, lang=lang)
        assert response.status_code == 302, "sign-in failed"


def is_login_redirect(response):
    return response.status_code == 302 and "/login" in response.headers["Location"]


# --- the permission matrix -----------------------------------------------------

ROLES = ["admin", "manager", "other_manager", "member", "anonymous"]


def action_request(name, world):
    """(method, url, data) for one action on the first centre."""
    centre, room, closure = world["centre"], world["room"], world["closure"]
    base = f"/en/manage/centres/{centre.slug}"
    return {
        "view index": ("get", "/en/manage/", None),
        "view centre": ("get", f"{base}/", None),
        "new centre form": ("get", "/en/manage/centres/new", None),
        "create centre": ("post", "/en/manage/centres/new", centre_data()),
        "edit centre form": ("get", f"{base}/edit", None),
        "edit centre": ("post", f"{base}/edit", centre_data(slug=centre.slug, district="Neustadt")),
        "managers form": ("get", f"{base}/managers", None),
        "assign managers": ("post", f"{base}/managers", {"add_email": "neu@example.org"}),
        "new room form": ("get", f"{base}/rooms/new", None),
        "create room": ("post", f"{base}/rooms/new", room_data()),
        "edit room form": ("get", f"{base}/rooms/{room.id}/edit", None),
        "edit room": ("post", f"{base}/rooms/{room.id}/edit", room_data(name="Großer Saal (neu)")),
        "closure form": ("get", f"{base}/closures/new", None),
        "add closure": ("post", f"{base}/closures/new", closure_data()),
        "delete closure": ("post", f"{base}/closures/{closure.id}/delete", {}),
    }[name]


# What each role gets: "ok" (200 for a page, 302 after a change), 403, or "login".
ADMIN_ONLY = {"admin": "ok", "manager": 403, "other_manager": 403, "member": 403, "anonymous": "login"}
CENTRE_MANAGERS = {"admin": "ok", "manager": "ok", "other_manager": 403, "member": 403, "anonymous": "login"}
ANY_MANAGER = {"admin": "ok", "manager": "ok", "other_manager": "ok", "member": 403, "anonymous": "login"}

MATRIX = {
    "view index": ANY_MANAGER,
    "view centre": CENTRE_MANAGERS,
    "new centre form": ADMIN_ONLY,
    "create centre": ADMIN_ONLY,
    "edit centre form": ADMIN_ONLY,
    "edit centre": ADMIN_ONLY,
    "managers form": ADMIN_ONLY,
    "assign managers": ADMIN_ONLY,
    "new room form": CENTRE_MANAGERS,
    "create room": CENTRE_MANAGERS,
    "edit room form": CENTRE_MANAGERS,
    "edit room": CENTRE_MANAGERS,
    "closure form": CENTRE_MANAGERS,
    "add closure": CENTRE_MANAGERS,
    "delete closure": CENTRE_MANAGERS,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MATRIX))
def test_permission_matrix(client, auth, db, world, action, role):
    log_in(auth, world["users"][role])
    method, url, data = action_request(action, world)
    before = snapshot(db)
    response = getattr(client, method)(url, data=data)
    expected = MATRIX[action][role]
    if expected == "login":
        assert is_login_redirect(response)
    elif expected == 403:
        assert response.status_code == 403
    elif method == "get":
        assert response.status_code == 200
    else:
        assert response.status_code == 302, response.get_data(as_text=True)
        assert "/login" not in response.headers["Location"]
    if method == "get" or expected != "ok":
        assert snapshot(db) == before, "nothing may change"
    else:
        assert snapshot(db) != before, "the change must be saved"


def missing_request(name, world):
    """(method, url, data) aimed at something that does not exist (or not in this centre)."""
    slug = world["centre"].slug
    base = f"/en/manage/centres/{slug}"
    other_room, other_closure = world["other_room"], world["other_closure"]
    return {
        "view centre": ("get", "/en/manage/centres/nowhere/", None),
        "edit centre": ("post", "/en/manage/centres/nowhere/edit", centre_data(slug="nowhere")),
        "assign managers": ("post", "/en/manage/centres/nowhere/managers", {"add_email": "neu@example.org"}),
        "create room": ("post", "/en/manage/centres/nowhere/rooms/new", room_data()),
        "edit missing room": ("post", f"{base}/rooms/999999/edit", room_data()),
        "edit room of another centre": ("post", f"{base}/rooms/{other_room.id}/edit", room_data()),
        "add closure": ("post", "/en/manage/centres/nowhere/closures/new", closure_data()),
        "delete missing closure": ("post", f"{base}/closures/999999/delete", {}),
        "delete closure of another centre": ("post", f"{base}/closures/{other_closure.id}/delete", {}),
    }[name]


MISSING = [
    "view centre",
    "edit centre",
    "assign managers",
    "create room",
    "edit missing room",
    "edit room of another centre",
    "add closure",
    "delete missing closure",
    "delete closure of another centre",
]


@pytest.mark.parametrize("role", ["admin", "manager"])
@pytest.mark.parametrize("action", MISSING)
def test_what_does_not_exist_is_404(client, auth, db, world, action, role):
    log_in(auth, world["users"][role])
    method, url, data = missing_request(action, world)
    before = snapshot(db)
    response = getattr(client, method)(url, data=data)
    assert response.status_code == 404
    assert snapshot(db) == before


@pytest.mark.parametrize("role", ["member", "anonymous"])
def test_members_and_visitors_learn_nothing_about_missing_centres(client, auth, world, role):
    log_in(auth, world["users"][role])
    response = client.get("/en/manage/centres/nowhere/")
    assert is_login_redirect(response) if role == "anonymous" else response.status_code == 403


def test_manager_of_another_centre_cannot_touch_a_room_through_their_own_centre(client, auth, db, world):
    """The room id belongs to the first centre; the URL names the other manager's own centre."""
    log_in(auth, world["users"]["other_manager"])
    before = snapshot(db)
    response = client.post(
        f"/en/manage/centres/{world['other'].slug}/rooms/{world['room'].id}/edit", data=room_data(capacity="1")
    )
    assert response.status_code == 404
    response = client.post(f"/en/manage/centres/{world['other'].slug}/closures/{world['closure'].id}/delete")
    assert response.status_code == 404
    assert snapshot(db) == before


def test_delete_closure_needs_post(client, auth, world):
    log_in(auth, world["users"]["admin"])
    response = client.get(f"/en/manage/centres/nordstadt/closures/{world['closure'].id}/delete")
    assert response.status_code == 405


# --- what the pages show ---------------------------------------------------------


def test_manage_index_lists_own_centres_for_a_manager(client, auth, world):
    log_in(auth, world["users"]["manager"])
    html = client.get("/en/manage/").get_data(as_text=True)
    assert "/en/manage/centres/nordstadt/" in html
    assert "/en/manage/centres/suedstadt/" not in html
    assert "New centre" not in html
    assert "/en/manage/centres/nordstadt/edit" not in html


def test_manage_index_lists_all_centres_for_an_admin(client, auth, world):
    log_in(auth, world["users"]["admin"])
    html = client.get("/en/manage/").get_data(as_text=True)
    for slug in ("nordstadt", "suedstadt"):
        assert f"/en/manage/centres/{slug}/" in html
        assert f"/en/manage/centres/{slug}/edit" in html
        assert f"/en/manage/centres/{slug}/managers" in html
    assert "New centre" in html
    assert 'href="/en/manage/centres/new"' in html


def test_manager_with_no_centre_sees_a_hint(client, auth, make_user):
    log_in(auth, make_user("manager"))
    response = client.get("/en/manage/")
    assert response.status_code == 200
    assert "You do not manage any centre yet." in response.get_data(as_text=True)


def test_manage_centre_page_shows_rooms_closures_and_links(client, auth, world):
    log_in(auth, world["users"]["manager"])
    html = client.get("/en/manage/centres/nordstadt/").get_data(as_text=True)
    assert "Großer Saal" in html
    assert f"/en/manage/centres/nordstadt/rooms/{world['room'].id}/edit" in html
    assert "/en/manage/centres/nordstadt/rooms/new" in html
    assert "Sommerferien" in html
    assert f"/en/manage/centres/nordstadt/closures/{world['closure'].id}/delete" in html
    assert 'action="/en/manage/centres/nordstadt/closures/new"' in html
    assert "Edit centre" not in html  # a manager edits rooms, not the centre
    assert "Küche" not in html


def test_admin_sees_edit_links_on_centre_page(client, auth, world):
    log_in(auth, world["users"]["admin"])
    html = client.get("/en/manage/centres/nordstadt/").get_data(as_text=True)
    assert "/en/manage/centres/nordstadt/edit" in html
    assert "/en/manage/centres/nordstadt/managers" in html


def test_every_form_field_has_a_label(client, auth, world):
    import re

    log_in(auth, world["users"]["admin"])
    pages = [
        "/en/manage/centres/new",
        "/en/manage/centres/nordstadt/edit",
        "/en/manage/centres/nordstadt/managers",
        "/en/manage/centres/nordstadt/rooms/new",
        f"/en/manage/centres/nordstadt/rooms/{world['room'].id}/edit",
        "/en/manage/centres/nordstadt/closures/new",
    ]
    for page in pages:
        html = client.get(page).get_data(as_text=True)
        ids = re.findall(r'<(?:input|select|textarea)\b(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', html)
        assert ids, page
        for field_id in ids:
            assert f'for="{field_id}"' in html, f"{page}: no label for {field_id}"


# --- creating and editing centres (admins) ------------------------------------------


def test_admin_creates_a_centre(client, auth, db, world):
    from centres.models import Centre

    log_in(auth, world["users"]["admin"])
    response = client.post("/en/manage/centres/new", data=centre_data())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/en/manage/centres/linden/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The centre Stadtteilzentrum Linden is created." in page

    centre = Centre.by_slug("linden")
    assert centre.name == {"de": "Stadtteilzentrum Linden", "tr": "Linden Mahalle Merkezi"}
    assert centre.latitude == pytest.approx(52.3745)
    assert centre.longitude == pytest.approx(9.7195)
    assert centre.opening_hours == {
        "0": [["09:00", "12:00"], ["14:00", "18:00"]],
        "1": [["09:00", "18:00"]],
        "4": [["10:00", "16:00"]],
    }
    assert centre.features == ["wifi", "cafe"]
    assert centre.staff_languages == ["de", "tr", "ar"]
    assert centre.contact_email == "linden@example.org"
    assert centre.timezone == "Europe/Berlin"

    public = client.get("/tr/centres/linden/").get_data(as_text=True)
    assert "Linden Mahalle Merkezi" in public
    assert "openstreetmap.org/?mlat=52.37450&amp;mlon=9.71950" in public


def test_new_centre_form_has_sensible_defaults(client, auth, world):
    log_in(auth, world["users"]["admin"])
    html = client.get("/en/manage/centres/new").get_data(as_text=True)
    assert 'value="Europe/Berlin"' in html
    assert "Centres cannot be deleted here" in html


def test_edit_form_shows_current_values(client, auth, world):
    log_in(auth, world["users"]["admin"])
    html = client.get("/en/manage/centres/nordstadt/edit").get_data(as_text=True)
    assert 'value="nordstadt"' in html
    assert 'value="Zentrum 1"' in html
    assert 'value="09:00-18:00"' in html  # Monday's opening hours as text
    assert 'value="wifi" checked' in html or 'checked id="features-' in html or "checked" in html


def test_admin_edits_a_centre_and_may_clear_hours_and_coordinates(client, auth, db, world):
    from centres.models import Centre

    log_in(auth, world["users"]["admin"])
    data = centre_data(slug="nordstadt", latitude="", longitude="", features=[], staff_languages=[])
    data.update({f"hours_{d}": "" for d in range(7)})
    data["hours_6"] = "14:00-17:00"
    response = client.post("/en/manage/centres/nordstadt/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    centre = Centre.by_slug("nordstadt")
    assert centre.latitude is None and centre.longitude is None
    assert centre.opening_hours == {"6": [["14:00", "17:00"]]}
    assert centre.features == [] and centre.staff_languages == []
    assert centre.osm_url is None


def test_admin_may_change_the_slug(client, auth, db, world):
    from centres.models import Centre

    log_in(auth, world["users"]["admin"])
    response = client.post("/en/manage/centres/nordstadt/edit", data=centre_data(slug="  Nordstadt-Mitte "))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/en/manage/centres/nordstadt-mitte/")
    assert Centre.by_slug("nordstadt") is None
    assert Centre.by_slug("nordstadt-mitte").id == world["centre"].id


BAD_CENTRE_INPUT = [
    ({"name-de": "", "name-tr": ""}, "Please fill in at least one language."),
    ({"name-de": "x" * 201}, "Please use at most 200 characters."),
    ({"slug": ""}, "This field is required."),
    ({"slug": "Nord Stadt!"}, "Please use only lower-case letters a-z, digits and single hyphens"),
    ({"slug": "nord--stadt"}, "Please use only lower-case letters a-z, digits and single hyphens"),
    ({"slug": "-nord"}, "Please use only lower-case letters a-z, digits and single hyphens"),
    ({"slug": "süd"}, "Please use only lower-case letters a-z, digits and single hyphens"),
    ({"slug": "suedstadt"}, "Another centre already uses this short name."),
    ({"slug": "a" * 81}, "Field cannot be longer than 80 characters."),
    ({"district": ""}, "This field is required."),
    ({"district": "x" * 101}, "Field cannot be longer than 100 characters."),
    ({"latitude": "95"}, "The latitude must be between -90 and 90."),
    ({"latitude": "-90.5"}, "The latitude must be between -90 and 90."),
    ({"latitude": "nan"}, "The latitude must be between -90 and 90."),
    ({"longitude": "inf"}, "The longitude must be between -180 and 180."),
    ({"longitude": "181"}, "The longitude must be between -180 and 180."),
    ({"longitude": "neun"}, "Not a valid float value."),
    ({"longitude": ""}, "Please give both latitude and longitude, or neither."),
    ({"hours_0": "9-12"}, "Please write the opening hours like this: 09:00-12:00, 14:00-18:00."),
    ({"hours_2": "18:00-09:00"}, "Please write the opening hours like this"),
    ({"hours_3": "09:00-25:00"}, "Please write the opening hours like this"),
    ({"hours_3": "09:60-12:00"}, "Please write the opening hours like this"),
    ({"hours_5": "09:00-13:00, 12:00-18:00"}, "These times overlap."),
    ({"features": ["wifi", "spaceport"]}, "is not a valid choice"),
    ({"staff_languages": ["de", "xx"]}, "is not a valid choice"),
    ({"contact_email": "not-an-address"}, "Invalid email address."),
    ({"contact_phone": "call me maybe"}, "Please use only digits, spaces and + ( ) / - . in the phone number."),
    ({"website": "javascript:alert(1)"}, "Please enter a web address such as https://example.org."),
    ({"website": "javascript://example.org/%0aalert(1)"}, "Please enter a web address such as https://example.org."),
    ({"website": "ftp://example.org"}, "Please enter a web address such as https://example.org."),
    ({"website": "https://"}, "Please enter a web address such as https://example.org."),
    ({"timezone": "Mars/Olympus_Mons"}, "Unknown time zone."),
    ({"timezone": "Europe"}, "Unknown time zone."),
    ({"timezone": "../../etc/passwd"}, "Unknown time zone."),
    ({"timezone": "A" * 64}, "Unknown time zone."),
    ({"timezone": ""}, "This field is required."),
    ({"default_language": "xx"}, "Not a valid choice."),
    ({"district": "Nord\x00stadt"}, "Please remove the invisible control characters"),
    ({"name-de": "Zentrum\x00"}, "Please remove the invisible control characters"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_CENTRE_INPUT, ids=[repr(o)[:40] for o, _ in BAD_CENTRE_INPUT])
def test_create_centre_bad_input(client, auth, db, world, overrides, message):
    log_in(auth, world["users"]["admin"])
    before = snapshot(db)
    response = client.post("/en/manage/centres/new", data=centre_data(**overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="form-errors"' in html
    assert message in html.replace("&#39;", "'").replace("&#34;", '"')
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "suedstadt"}, "Another centre already uses this short name."),
        ({"name-de": "", "name-tr": "", "name-en": ""}, "Please fill in at least one language."),
        ({"latitude": "100"}, "The latitude must be between -90 and 90."),
        ({"hours_1": "morgens"}, "Please write the opening hours like this"),
        ({"timezone": "Berlin"}, "Unknown time zone."),
    ],
)
def test_edit_centre_bad_input(client, auth, db, world, overrides, message):
    log_in(auth, world["users"]["admin"])
    before = snapshot(db)
    response = client.post("/en/manage/centres/nordstadt/edit", data=centre_data(**{"slug": "nordstadt", **overrides}))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert snapshot(db) == before


def test_edit_centre_bad_input_keeps_what_was_typed(client, auth, world):
    log_in(auth, world["users"]["admin"])
    response = client.post(
        "/en/manage/centres/nordstadt/edit", data=centre_data(slug="nordstadt", district="Typed District", latitude="99")
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="Typed District"' in html
    assert 'aria-invalid="true"' in html


def test_centre_form_errors_in_german(client, auth, db, world):
    """WTForms' own messages are translated already; ours go through gettext (catalogues come later)."""
    log_in(auth, world["users"]["admin"], lang="de")
    before = snapshot(db)
    response = client.post("/de/manage/centres/new", data=centre_data(district="", slug="Nord Stadt"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<html lang="de"' in html
    assert "Dieses Feld wird benötigt." in html  # WTForms' German catalogue
    assert 'class="form-errors"' in html and 'class="field-errors"' in html
    assert snapshot(db) == before


# --- managers --------------------------------------------------------------------------


def test_assigning_a_member_makes_them_manager(client, auth, db, world):
    from accounts.models import User

    log_in(auth, world["users"]["admin"])
    manager = world["users"]["manager"]
    response = client.post(
        "/en/manage/centres/nordstadt/managers", data={"managers": [str(manager.id)], "add_email": " NEU@example.org "}
    )
    assert response.status_code == 302
    db.session.expire_all()
    candidate = User.by_email("neu@example.org")
    assert candidate.role == "manager"
    assert [c.slug for c in candidate.managed_centres] == ["nordstadt"]
    assert sorted(u.email for u in world["centre"].managers) == sorted([manager.email, "neu@example.org"])

    # The new manager can now manage this centre's rooms, and nothing else.
    auth.logout()
    log_in(auth, candidate)
    assert client.get("/en/manage/centres/nordstadt/rooms/new").status_code == 200
    assert client.get("/en/manage/centres/suedstadt/rooms/new").status_code == 403


def test_removing_the_last_centre_makes_a_manager_a_member_again(client, auth, db, world):
    from accounts.models import User

    log_in(auth, world["users"]["admin"])
    manager = world["users"]["manager"]
    response = client.post("/en/manage/centres/nordstadt/managers", data={})
    assert response.status_code == 302
    db.session.expire_all()
    assert world["centre"].managers == []
    assert User.by_email(manager.email).role == "member"

    auth.logout()
    log_in(auth, manager)
    assert client.get("/en/manage/centres/nordstadt/").status_code == 403


def test_removing_one_of_several_centres_keeps_the_manager_role(client, auth, db, world, make_user):
    from accounts.models import User

    both = make_user("manager", centres=[world["centre"], world["other"]])
    log_in(auth, world["users"]["admin"])
    client.post("/en/manage/centres/nordstadt/managers", data={"managers": []})
    db.session.expire_all()
    user = User.by_email(both.email)
    assert user.role == "manager"
    assert [c.slug for c in user.managed_centres] == ["suedstadt"]


def test_assigning_an_admin_keeps_the_admin_role(client, auth, db, world, make_user):
    from accounts.models import User

    other_admin = make_user("admin", email="chefin@example.org")
    log_in(auth, world["users"]["admin"])
    client.post("/en/manage/centres/nordstadt/managers", data={"add_email": "chefin@example.org"})
    db.session.expire_all()
    assert User.by_email(other_admin.email).role == "admin"


def test_managers_form_lists_managers_not_members(client, auth, world):
    log_in(auth, world["users"]["admin"])
    html = client.get("/en/manage/centres/nordstadt/managers").get_data(as_text=True)
    assert world["users"]["manager"].email in html
    assert world["users"]["other_manager"].email in html
    assert world["users"]["member"].email not in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"add_email": "nobody@example.org"}, "There is no active account with this e-mail address."),
        ({"add_email": "not an address"}, "Invalid email address."),
        ({"managers": ["999999"]}, "is not a valid choice"),
        ({"managers": ["abc"]}, "is not a valid choice"),
    ],
)
def test_managers_bad_input(client, auth, db, world, data, message):
    log_in(auth, world["users"]["admin"])
    before = snapshot(db)
    response = client.post("/en/manage/centres/nordstadt/managers", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert snapshot(db) == before


def test_managers_bad_input_in_german(client, auth, db, world):
    log_in(auth, world["users"]["admin"], lang="de")
    before = snapshot(db)
    response = client.post("/de/manage/centres/nordstadt/managers", data={"add_email": "kaputt"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Ungültige E-Mail-Adresse." in html
    assert 'class="form-errors"' in html
    assert snapshot(db) == before


def test_inactive_account_cannot_be_made_manager(client, auth, db, world, make_user):
    make_user("member", email="weg@example.org", active=False)
    log_in(auth, world["users"]["admin"])
    response = client.post("/en/manage/centres/nordstadt/managers", data={"add_email": "weg@example.org"})
    assert response.status_code == 400


# --- rooms -------------------------------------------------------------------------------


def test_manager_creates_a_room(client, auth, db, world):
    from centres.models import Room

    log_in(auth, world["users"]["manager"])
    response = client.post("/en/manage/centres/nordstadt/rooms/new", data=room_data())
    assert response.status_code == 302
    assert "The room Seminarraum 2 is added." in client.get(response.headers["Location"]).get_data(as_text=True)
    room = db.session.scalar(select(Room).where(Room.name == "Seminarraum 2"))
    assert room.centre_id == world["centre"].id
    assert room.capacity == 24 and room.area_sqm == 48
    assert room.equipment == ["projector", "whiteboard"]
    assert room.barrier_free is True and room.bookable is True
    assert room.description == {"de": "Hell, mit Blick auf den Park.", "en": "Bright, with a view of the park."}
    assert room.accessibility_notes == {"de": "Aufzug vorhanden."}
    assert (room.earliest_time, room.latest_time) == (time(7, 30), time(21, 30))
    assert (room.max_duration_minutes, room.max_days_ahead, room.min_notice_hours) == (240, 400, 48)

    public = client.get("/en/centres/nordstadt/").get_data(as_text=True)
    assert "Seminarraum 2" in public


def test_new_room_form_defaults_allow_booking_a_year_ahead(client, auth, world):
    log_in(auth, world["users"]["manager"])
    html = client.get("/en/manage/centres/nordstadt/rooms/new").get_data(as_text=True)
    assert 'name="max_days_ahead"' in html and 'value="400"' in html
    assert 'value="08:00"' in html and 'value="22:00"' in html
    assert "Rooms cannot be deleted here" in html


def test_manager_edits_a_room_and_unticks_everything(client, auth, db, world):
    log_in(auth, world["users"]["manager"])
    data = room_data(name="Saal", equipment=[])
    del data["barrier_free"], data["bookable"]
    data["description-de"] = ""
    data["description-en"] = ""
    response = client.post(f"/en/manage/centres/nordstadt/rooms/{world['room'].id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    room = world["room"]
    assert room.name == "Saal"
    assert room.equipment == [] and room.barrier_free is False and room.bookable is False
    assert room.description == {}


def test_room_edit_form_shows_current_values(client, auth, world):
    log_in(auth, world["users"]["manager"])
    html = client.get(f"/en/manage/centres/nordstadt/rooms/{world['room'].id}/edit").get_data(as_text=True)
    assert 'value="Großer Saal"' in html
    assert 'value="30"' in html


BAD_ROOM_INPUT = [
    ({"name": ""}, "This field is required."),
    ({"name": "x" * 121}, "Field cannot be longer than 120 characters."),
    ({"capacity": "0"}, "Number must be between 1 and 10000."),
    ({"capacity": "-5"}, "Number must be between 1 and 10000."),
    ({"capacity": "zwanzig"}, "Not a valid integer value."),
    ({"capacity": "99999999999999999999999"}, "This number is too large."),
    ({"area_sqm": "-1"}, "Number must be between 1 and 100000."),
    ({"equipment": ["projector", "jacuzzi"]}, "is not a valid choice"),
    ({"earliest_time": "25:00"}, "Please enter a time such as 08:00."),
    ({"latest_time": "late"}, "Please enter a time such as 22:00."),
    ({"earliest_time": "20:00", "latest_time": "18:00"}, "The latest time must be after the earliest time."),
    ({"earliest_time": "18:00", "latest_time": "18:00"}, "The latest time must be after the earliest time."),
    ({"max_duration_minutes": "0"}, "Number must be between 15 and 1440."),
    ({"max_days_ahead": "0"}, "Number must be between 1 and 1500."),
    ({"max_days_ahead": ""}, "This field is required."),
    ({"min_notice_hours": "-1"}, "Number must be between 0 and 8760."),
    ({"description-de": "x" * 4001}, "Please use at most 4000 characters."),
    ({"name": "Saal\x00"}, "Please remove the invisible control characters"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_ROOM_INPUT, ids=[repr(o)[:40] for o, _ in BAD_ROOM_INPUT])
@pytest.mark.parametrize("target", ["new", "edit"])
def test_room_bad_input(client, auth, db, world, overrides, message, target):
    log_in(auth, world["users"]["manager"])
    url = (
        "/en/manage/centres/nordstadt/rooms/new"
        if target == "new"
        else f"/en/manage/centres/nordstadt/rooms/{world['room'].id}/edit"
    )
    before = snapshot(db)
    response = client.post(url, data=room_data(**overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert message in html
    assert 'class="form-errors"' in html
    assert snapshot(db) == before


def test_room_form_errors_in_german(client, auth, db, world):
    log_in(auth, world["users"]["manager"], lang="de")
    before = snapshot(db)
    response = client.post("/de/manage/centres/nordstadt/rooms/new", data=room_data(capacity="0", name=""))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Zahl muss zwischen 1 und 10000 liegen." in html
    assert "Dieses Feld wird benötigt." in html
    assert snapshot(db) == before


# --- closures -------------------------------------------------------------------------------


def test_manager_adds_a_closure_for_the_centre_and_for_a_room(client, auth, db, world):
    from centres.models import Closure

    log_in(auth, world["users"]["manager"])
    response = client.post("/en/manage/centres/nordstadt/closures/new", data=closure_data())
    assert response.status_code == 302
    # First to the booked dates on the closure; with none there, back to the centre's closures.
    assert "/en/manage/centres/nordstadt/closures/" in response.headers["Location"]
    response = client.get(response.headers["Location"])
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/en/manage/centres/nordstadt/#closures")
    response = client.post(
        "/en/manage/centres/nordstadt/closures/new",
        data=closure_data(room=str(world["room"].id), starts_on="2031-05-04", ends_on="2031-05-04", **{"reason-de": ""}),
    )
    assert response.status_code == 302
    closures = db.session.scalars(
        select(Closure).where(Closure.centre_id == world["centre"].id).order_by(Closure.starts_on)
    ).all()
    assert [(c.starts_on, c.ends_on, c.room_id, c.reason) for c in closures] == [
        (date(2031, 5, 4), date(2031, 5, 4), world["room"].id, {}),
        (date(2031, 7, 1), date(2031, 7, 31), None, {"de": "Sommerferien"}),
        (date(2031, 12, 23), date(2032, 1, 2), None, {"de": "Weihnachtspause"}),
    ]


def test_manager_deletes_a_closure(client, auth, db, world):
    from centres.models import Closure

    log_in(auth, world["users"]["manager"])
    closure_id = world["closure"].id
    response = client.post(f"/en/manage/centres/nordstadt/closures/{closure_id}/delete")
    assert response.status_code == 302
    assert "The closure is removed." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.get(Closure, closure_id) is None
    assert db.session.get(Closure, world["other_closure"].id) is not None


BAD_CLOSURE_INPUT = [
    ({"starts_on": ""}, "This field is required."),
    ({"ends_on": "31.12.2031"}, "Not a valid date value."),
    ({"starts_on": "2031-02-30"}, "Not a valid date value."),
    ({"starts_on": "2032-01-03", "ends_on": "2032-01-02"}, "The end date must not be before the start date."),
    ({"room": "999999"}, "Not a valid choice."),
    ({"room": "abc"}, "Not a valid choice."),
    ({"reason-de": "x" * 301}, "Please use at most 300 characters."),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_CLOSURE_INPUT, ids=[repr(o)[:40] for o, _ in BAD_CLOSURE_INPUT])
def test_closure_bad_input(client, auth, db, world, overrides, message):
    log_in(auth, world["users"]["manager"])
    before = snapshot(db)
    response = client.post("/en/manage/centres/nordstadt/closures/new", data=closure_data(**overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert 'class="form-errors"' in html
    assert snapshot(db) == before


def test_closure_cannot_name_a_room_of_another_centre(client, auth, db, world):
    log_in(auth, world["users"]["admin"])
    before = snapshot(db)
    response = client.post(
        "/en/manage/centres/nordstadt/closures/new", data=closure_data(room=str(world["other_room"].id))
    )
    assert response.status_code == 400
    assert "Not a valid choice." in response.get_data(as_text=True)
    assert snapshot(db) == before


def test_closure_form_errors_in_german(client, auth, db, world):
    log_in(auth, world["users"]["manager"], lang="de")
    before = snapshot(db)
    response = client.post(
        "/de/manage/centres/nordstadt/closures/new", data=closure_data(starts_on="2032-01-03", ends_on="nie")
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Kein gültiges Datum." in html
    assert 'class="form-errors"' in html
    assert snapshot(db) == before


# --- CSRF -----------------------------------------------------------------------------------


@pytest.fixture
def admin_with_csrf(app, auth, world):
    """Signed in as an admin (sign-in posted without CSRF), then CSRF protection switched on."""
    log_in(auth, world["users"]["admin"])
    app.config["WTF_CSRF_ENABLED"] = True
    yield world["users"]["admin"]
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize(
    "action", ["create centre", "edit centre", "assign managers", "create room", "edit room", "add closure",
               "delete closure"]
)
def test_every_change_needs_the_csrf_token(client, db, world, admin_with_csrf, action):
    method, url, data = action_request(action, world)
    before = snapshot(db)
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)
    assert snapshot(db) == before


def test_forms_carry_a_csrf_token(client, world, admin_with_csrf):
    for url in ("/en/manage/centres/new", "/en/manage/centres/nordstadt/", "/en/manage/centres/nordstadt/rooms/new",
                "/en/manage/centres/nordstadt/managers", "/en/manage/centres/nordstadt/closures/new"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'name="csrf_token"' in response.get_data(as_text=True), url


# --- never a 500 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/en/manage/centres/new",
        "/en/manage/centres/nordstadt/edit",
        "/en/manage/centres/nordstadt/managers",
        "/en/manage/centres/nordstadt/rooms/new",
        "ROOM",
        "/en/manage/centres/nordstadt/closures/new",
    ],
)
def test_garbage_never_makes_a_500(client, auth, db, world, url):
    log_in(auth, world["users"]["admin"])
    if url == "ROOM":
        url = f"/en/manage/centres/nordstadt/rooms/{world['room'].id}/edit"
    garbage = [
        {},
        {"name-de": ["a", "b"], "slug": ["X Y", "y"], "capacity": ["1", "2"], "managers": ["1", "1"]},
        dict.fromkeys(list(centre_data()) + list(room_data()) + list(closure_data()) + ["managers", "add_email"],
                      "\x00\ud7ff" + "ä" * 3),
        dict.fromkeys(list(centre_data()) + list(room_data()) + list(closure_data()), "9" * 400),
        dict.fromkeys(list(centre_data()) + list(room_data()) + list(closure_data()), "-1e309"),
    ]
    before = snapshot(db)
    for data in garbage:
        response = client.post(url, data=data)
        assert response.status_code in (302, 400), (data, response.status_code)
        if response.status_code == 400:
            assert snapshot(db) == before
        else:
            before = snapshot(db)


# --- translations: our own messages go through gettext ------------------------------------------
# The catalogues are produced later by the lead; until then /de/ shows our messages in English.
# These tests check the wiring: the message is extractable (marked with _/_l), and a /de/ page
# renders the error block for it. Once catalogues exist, the German text appears there.

OWN_MESSAGES = [
    "Please fill in at least one language.",
    "Please use only lower-case letters a-z, digits and single hyphens (e.g. nordstadt-mitte).",
    "Another centre already uses this short name.",
    "The latitude must be between -90 and 90.",
    "The longitude must be between -180 and 180.",
    "Please give both latitude and longitude, or neither.",
    "Please write the opening hours like this: 09:00-12:00, 14:00-18:00.",
    "These times overlap. Please join them into one.",
    "Please use only digits, spaces and + ( ) / - . in the phone number.",
    "Please enter a web address such as https://example.org.",
    "Unknown time zone. Please use a name such as Europe/Berlin.",
    "There is no active account with this e-mail address.",
    "This number is too large.",
    "Please enter a time such as 08:00.",
    "The latest time must be after the earliest time.",
    "The end date must not be before the start date.",
    "Please remove the invisible control characters from this text.",
    "The centre %(name)s is created. Now add its rooms.",
    "The centre is saved.",
    "The managers of this centre are saved.",
    "The room %(name)s is added.",
    "The room %(name)s is saved.",
    "The closure is added. Nobody can book these days any more.",
    "The closure is removed.",
]


def test_own_messages_are_marked_for_translation():
    """pybabel (babel.cfg, keywords _ and _l) finds every message these forms and views show."""
    from pathlib import Path

    from babel.messages.extract import extract_from_file

    root = Path(__file__).resolve().parent.parent
    found = set()
    for name in ("centres/forms.py", "centres/room_forms.py", "centres/manage_views.py", "formkit.py"):
        for _lineno, message, _comments, _context in extract_from_file(
            "python", root / name, keywords={"_": None, "_l": None, "gettext": None, "lazy_gettext": None}
        ):
            found.add(message if isinstance(message, str) else message[0])
    assert [m for m in OWN_MESSAGES if m not in found] == []


@pytest.mark.parametrize(
    ("url", "data", "field_id"),
    [
        ("/de/manage/centres/new", centre_data(slug="Nord Stadt"), "slug"),
        ("/de/manage/centres/nordstadt/edit", centre_data(slug="nordstadt", hours_0="morgens"), "hours_0"),
        ("/de/manage/centres/nordstadt/managers", {"add_email": "niemand@example.org"}, "add_email"),
        ("/de/manage/centres/nordstadt/rooms/new", room_data(earliest_time="20:00", latest_time="18:00"), "latest_time"),
        ("/de/manage/centres/nordstadt/closures/new", closure_data(starts_on="2032-02-02", ends_on="2032-02-01"),
         "ends_on"),
    ],
    ids=["centre-new", "centre-edit", "managers", "room", "closure"],
)
def test_own_messages_go_through_gettext_on_german_pages(client, auth, db, world, url, data, field_id):
    log_in(auth, world["users"]["admin"], lang="de")
    before = snapshot(db)
    response = client.post(url, data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<html lang="de"' in html
    assert 'class="form-errors"' in html
    assert f'id="{field_id}-errors"' in html
    assert snapshot(db) == before
