"""Bearer tokens for /api/v1: 401 with the JSON error shape unless the token is valid."""

import pytest
from sqlalchemy import select


def assert_401(response):
    assert response.status_code == 401
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body == {"error": {"code": "unauthorized", "message": "Please authenticate."}}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_valid_token_identifies_its_user(client, make_user, make_association, make_centre, token_for):
    association = make_association(name="SV Nordstadt")
    user = make_user(
        email="m@example.org", role="manager", associations=[association], centres=[make_centre(slug="linden")]
    )
    response = client.get("/api/v1/me", headers=token_for(user))
    assert response.status_code == 200
    assert response.get_json() == {
        "email": "m@example.org",
        "name": user.name,
        "role": "manager",
        "associations": [{"id": association.id, "name": "SV Nordstadt", "verified": True}],
        "centres": ["linden"],
    }


def test_scheme_is_case_insensitive(client, make_user, token_for):
    secret = token_for(make_user())["Authorization"].split(" ", 1)[1]
    assert client.get("/api/v1/me", headers={"Authorization": f"bearer {secret}"}).status_code == 200


def test_no_token(client):
    assert_401(client.get("/api/v1/me", headers={"Accept-Language": "en"}))


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer    ",
        "Basic dXNlcjpwYXNz",
        "Token ws_abc",
        "Bearer ws_not-a-real-token",
        "Bearer " + "x" * 5000,
        "Bearer ws_\x00abc",
    ],
)
def test_invalid_token(client, make_user, token_for, header):
    token_for(make_user())  # a real token exists, but not this one
    assert_401(client.get("/api/v1/me", headers={"Authorization": header, "Accept-Language": "en"}))


def test_revoked_token_dies_at_once(client, auth, db, make_user, token_for):
    from accounts.models import ApiToken

    user = make_user()
    headers = token_for(user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    auth.login(user)
    token = db.session.scalars(select(ApiToken)).one()
    client.post(f"/en/account/tokens/{token.id}/revoke")
    assert_401(client.get("/api/v1/me", headers={**headers, "Accept-Language": "en"}))


def test_token_of_a_deactivated_user_is_refused(client, db, make_user, token_for):
    user = make_user()
    headers = token_for(user)
    user.active = False
    db.session.commit()
    assert_401(client.get("/api/v1/me", headers={**headers, "Accept-Language": "en"}))


def test_a_session_cookie_is_not_an_api_credential(client, auth, make_user):
    auth.login(make_user())
    assert client.get("/en/account/").status_code == 200
    assert_401(client.get("/api/v1/me", headers={"Accept-Language": "en"}))


def test_use_is_recorded(client, db, make_user, token_for):
    from accounts.models import ApiToken

    headers = token_for(make_user())
    token = db.session.scalars(select(ApiToken)).one()
    assert token.last_used_at is None
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    db.session.refresh(token)
    first_use = token.last_used_at
    assert first_use is not None
    # Within a few minutes the time is not written again (no write per request).
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    db.session.refresh(token)
    assert token.last_used_at == first_use


def test_token_is_stored_only_as_a_hash(db, make_user, token_for):
    from accounts.models import ApiToken

    secret = token_for(make_user())["Authorization"].split(" ", 1)[1]
    token = db.session.scalars(select(ApiToken)).one()
    assert secret.startswith("ws_") and len(secret) > 40
    assert secret not in (token.token_hash, token.hint, token.name)
    assert len(token.token_hash) == 64


def test_unauthorized_message_follows_the_language(client):
    """The message goes through gettext: the Accept-Language picks the catalogue."""
    body = client.get("/api/v1/me", headers={"Accept-Language": "de"}).get_json()
    assert body["error"]["code"] == "unauthorized"
    assert body["error"]["message"]
