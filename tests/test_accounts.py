"""Sign in and out, the account page, password, preferences and API tokens."""

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def session_data(app, client):
    """The decoded content of the client's signed session cookie."""
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    if cookie is None:
        return {}
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


# --- sign in and sign out -----------------------------------------------------


def test_login_page_has_labelled_fields(client):
    response = client.get("/en/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<label for="email">E-mail address</label>' in html
    assert '<label for="password">Password</label>' in html


def test_sign_in_and_sign_out(client, auth, make_user):
    user = make_user(email="ayse@example.org")
    response = auth.login(user)
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/account/"
    page = client.get("/en/account/").get_data(as_text=True)
    assert "ayse@example.org" in page
    assert "You are signed in." in page

    response = client.post("/en/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/"
    assert "You are signed out." in client.get("/en/").get_data(as_text=True)
    response = client.get("/en/account/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/en/login?next=")


def test_sign_out_is_not_a_get(client, auth, make_user):
    auth.login(make_user())
    response = client.get("/en/logout")
    assert response.status_code == 405
    assert "This method is not allowed here." in response.get_data(as_text=True)
    assert client.get("/en/account/").status_code == 200


def test_email_is_matched_without_case_or_spaces(client, make_user):
    make_user(email="olena@example.org")
    response = client.post("/en/login", data={"email": "  Olena@Example.ORG ", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "email, password",
    [
        ("nobody@example.org", PASSWORD),  # unknown address
        ("known@example.org", "wrong password"),  # wrong password
        ("KNOWN@example.org", PASSWORD.upper()),  # passwords are case-sensitive
    ],
)
def test_failed_sign_in_says_the_same_for_every_reason(client, make_user, email, password):
    make_user(email="known@example.org")
    response = client.post("/en/login", data={"email": email, "password": password})
    assert response.status_code == 400
    assert "The e-mail address or the password is not right." in response.get_data(as_text=True)
    assert client.get("/en/account/").status_code == 302


def test_deactivated_account_cannot_sign_in(client, make_user):
    make_user(email="gone@example.org", active=False)
    response = client.post("/en/login", data={"email": "gone@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "The e-mail address or the password is not right." in response.get_data(as_text=True)


def test_deactivating_an_account_ends_its_sessions(client, auth, db, make_user):
    user = make_user()
    auth.login(user)
    user.active = False
    db.session.commit()
    assert client.get("/en/account/").status_code == 302


@pytest.mark.parametrize("data", [{}, {"email": "", "password": ""}, {"email": "a@example.org"}, {"password": "x"}])
def test_sign_in_form_with_missing_fields(client, data):
    response = client.post("/en/login", data=data)
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)


def test_unknown_email_still_spends_a_password_hash_check(client, make_user, monkeypatch):
    """No user enumeration by timing: an unknown address costs one hash check like a known one."""
    import accounts.models

    calls = []
    real_check = accounts.models.check_password_hash

    def counting_check(pwhash, password):
        calls.append(pwhash.split("$", 1)[0])
        return real_check(pwhash, password)

    monkeypatch.setattr(accounts.models, "check_password_hash", counting_check)
    make_user(email="known@example.org")

    method = client.application.config["PASSWORD_HASH"]
    client.post("/en/login", data={"email": "unknown@example.org", "password": "whatever"})
    assert calls == [method]
    calls.clear()
    client.post("/en/login", data={"email": "known@example.org", "password": "whatever"})
    assert calls == [method]


def test_login_form_redirects_back_to_the_page_asked_for(client, make_user):
    make_user(email="m@example.org")
    response = client.get("/de/associations/register?x=1")
    assert response.status_code == 200
    response = client.get("/de/account/")
    login_url = response.headers["Location"]
    assert login_url == "/de/login?next=%2Fde%2Faccount%2F"
    response = client.post(login_url, data={"email": "m@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/de/account/"


@pytest.mark.parametrize("target", ["/en/centres/?district=Nordstadt", "/de/account/"])
def test_next_is_followed_for_same_site_paths(client, make_user, target):
    make_user(email="m@example.org")
    response = client.post(
        "/en/login", query_string={"next": target}, data={"email": "m@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "http:/evil.example",
    ],
)
def test_next_is_ignored_for_other_sites(client, make_user, target):
    make_user(email="m@example.org")
    response = client.post(
        "/en/login", query_string={"next": target}, data={"email": "m@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/account/"


@pytest.mark.parametrize("target", ["/en/account/tokens", "/en/logout", "/en/no-such-page"])
def test_next_must_be_a_page_that_can_be_shown(client, make_user, target):
    """After a session ran out while a form was sent, signing in does not lead to a 405 or 404."""
    make_user(email="m@example.org")
    response = client.post(
        "/en/login", query_string={"next": target}, data={"email": "m@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/en/account/"


def test_signed_in_visitor_of_login_page_goes_to_account(client, auth, make_user):
    auth.login(make_user())
    response = client.get("/en/login")
    assert response.headers["Location"] == "/en/account/"


# --- password -----------------------------------------------------------------


def change_password(client, current, new, confirm=None):
    return client.post(
        "/en/account/password",
        data={"current_password": current, "new_password": new, "confirm": new if confirm is None else confirm},
    )


def test_change_password(app, client, auth, make_user):
    user = make_user(email="p@example.org")
    auth.login(user)
    response = change_password(client, PASSWORD, "a new long password")
    assert response.status_code == 302
    assert "Your password is changed." in client.get("/en/account/").get_data(as_text=True)

    client.post("/en/logout")
    assert auth.login("p@example.org", PASSWORD).status_code == 400
    assert auth.login("p@example.org", "a new long password").status_code == 302


def test_changing_the_password_signs_out_other_devices(app, auth, make_user):
    user = make_user(email="p@example.org")
    laptop, phone = app.test_client(), app.test_client()
    laptop.post("/en/login", data={"email": user.email, "password": PASSWORD})
    phone.post("/en/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    assert phone.get("/en/account/").status_code == 200

    assert change_password(laptop, PASSWORD, "a new long password").status_code == 302
    assert laptop.get("/en/account/").status_code == 200  # this device stays signed in
    assert phone.get("/en/account/").status_code == 302  # the session elsewhere ends
    phone.delete_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert phone.get("/en/account/").status_code == 302  # so does its "stay signed in" cookie


@pytest.mark.parametrize(
    "current, new, confirm, message",
    [
        ("wrong password", "a new long password", None, "This is not your current password."),
        ("", "a new long password", None, "This field is required."),
        (PASSWORD, "short", None, "Please use at least 12 characters."),
        (PASSWORD, "password1234", None, "This password is too common or too easy to guess."),
        (PASSWORD, "aaaaaaaaaaaaaaaa", None, "This password is too common or too easy to guess."),
        (PASSWORD, "a new long password", "another password", "The two passwords differ."),
        (PASSWORD, "", "", "This field is required."),
        (PASSWORD, "x" * 201, None, "Please use at most 200 characters."),
    ],
)
def test_change_password_bad_input(client, auth, db, make_user, current, new, confirm, message):
    user = make_user()
    auth.login(user)
    before = user.password_hash
    response = change_password(client, current, new, confirm)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == before


# --- preferences ----------------------------------------------------------------


def test_preferred_language(client, auth, db, make_user):
    user = make_user()
    auth.login(user)
    response = client.post("/en/account/preferences", data={"name": "Ayşe Yılmaz", "preferred_language": "tr"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/tr/account/"
    db.session.refresh(user)
    assert (user.name, user.preferred_language) == ("Ayşe Yılmaz", "tr")
    # The next visit to / goes to the preferred language.
    fresh = client.application.test_client()
    fresh.post("/en/login", data={"email": user.email, "password": PASSWORD})
    fresh.delete_cookie("lang")
    assert fresh.get("/").headers["Location"].endswith("/tr/")


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "X", "preferred_language": "xx"}, "Not a valid choice."),
        ({"name": "X" * 201, "preferred_language": "de"}, "Field cannot be longer than 200 characters."),
    ],
)
def test_preferences_bad_input(client, auth, db, make_user, data, message):
    user = make_user(name="Before", preferred_language="de")
    auth.login(user)
    response = client.post("/en/account/preferences", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.refresh(user)
    assert (user.name, user.preferred_language) == ("Before", "de")


# --- API tokens -------------------------------------------------------------------

TOKEN_RE = re.compile(r'id="new-token"[^>]*value="(ws_[A-Za-z0-9_-]+)"')


def create_token(client, name="Our website"):
    response = client.post("/en/account/tokens", data={"name": name, "current_password": PASSWORD})
    match = TOKEN_RE.search(response.get_data(as_text=True))
    return response, match.group(1) if match else None


def test_create_token_shows_it_once_and_stores_only_its_hash(app, client, auth, db, make_user):
    from accounts.models import ApiToken, hash_token

    user = make_user()
    auth.login(user)
    response, secret = create_token(client)
    assert response.status_code == 200
    assert secret is not None
    assert response.headers["Cache-Control"] == "no-store"
    assert "Copy it now: it is shown only once." in response.get_data(as_text=True)

    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.token_hash == hash_token(secret) != secret
    assert stored.hint == secret[:9]
    assert stored.name == "Our website"
    assert secret not in str(session_data(app, client))
    for header in response.headers.getlist("Set-Cookie"):
        assert secret not in header

    page = client.get("/en/account/").get_data(as_text=True)
    assert secret not in page
    assert "Our website" in page
    assert f"{secret[:9]}…" in page


def test_tokens_are_listed_and_revoked(client, auth, db, make_user):
    from accounts.models import ApiToken

    user = make_user()
    auth.login(user)
    _, first = create_token(client, "Website")
    _, second = create_token(client, "Calendar sync")
    page = client.get("/en/account/").get_data(as_text=True)
    assert "Website" in page and "Calendar sync" in page

    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "Website"))
    response = client.post(f"/en/account/tokens/{token.id}/revoke")
    assert response.status_code == 302
    page = client.get("/en/account/").get_data(as_text=True)
    assert "The token is revoked. It no longer works." in page
    assert "Website" not in page and "Calendar sync" in page
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 101, "Field cannot be longer than 100 characters."),
    ],
)
def test_create_token_bad_input(client, auth, db, make_user, name, message):
    from accounts.models import ApiToken

    auth.login(make_user())
    response, secret = create_token(client, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert secret is None
    assert count(db, ApiToken) == 0


@pytest.mark.parametrize("token_id", ["999", "99999999999999999999"])
def test_revoke_unknown_token_is_404(client, auth, make_user, token_id):
    auth.login(make_user())
    assert client.post(f"/en/account/tokens/{token_id}/revoke").status_code == 404


def test_account_page_lists_associations_and_centres(client, auth, make_user, make_association, make_centre):
    association = make_association(name="Elternverein Nord", verified=False)
    centre = make_centre(slug="nordstadt")
    user = make_user(role="manager", associations=[association], centres=[centre])
    auth.login(user)
    page = client.get("/en/account/").get_data(as_text=True)
    assert "Elternverein Nord" in page
    assert "waiting for verification" in page
    assert "Zentrum" in page or "Centre" in page
