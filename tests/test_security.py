"""Safe by default: headers, cookies, CSRF, error pages and shapes, rate-limited sign-in."""

import re
import secrets

import pytest
from flask import abort, request
from sqlalchemy import func, select

from tests.conftest import PASSWORD, make_test_app


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def cookie_header(response, name):
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return header
    raise AssertionError(f"no {name} cookie set: {response.headers.getlist('Set-Cookie')}")


def attributes(header):
    return {part.strip().split("=", 1)[0].lower(): part.strip() for part in header.split(";")[1:]}


@pytest.fixture
def other_app(app, database_url):
    """Build a separate app instance (test-only routes, other settings) on the same database."""
    from extensions import db

    built = []

    def build(**config):
        new = make_test_app(database_url, **config)
        built.append(new)
        return new

    yield build
    # Building an app re-binds the shared rate limiter; give it a fresh in-memory store again.
    built.append(make_test_app(database_url))
    for new in built:
        with new.app_context():
            db.engine.dispose()


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


# --- headers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, status",
    [
        ("/", 302),
        ("/en/", 200),
        ("/en/login", 200),
        ("/en/no-such-page", 404),
        ("/en/account/", 302),
        ("/api/v1/centres", 200),
        ("/api/v1/me", 401),
        ("/api/v1/no-such-thing", 404),
        ("/static/css/app.css", 200),
    ],
)
def test_security_headers_on_every_response(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    csp = response.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "Strict-Transport-Security" not in response.headers  # plain http


def test_hsts_only_over_https(client):
    response = client.get("/en/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"\sstyle\s*=", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_pages_have_no_inline_script_or_style(client, auth, make_user, make_association):
    association = make_association(verified=False)
    auth.login(make_user(role="admin"))
    for path in [
        "/en/",
        "/ar/login",
        "/en/associations/register",
        "/en/account/",
        f"/en/associations/{association.id}/",
        f"/en/associations/{association.id}/edit",
        "/en/manage/associations/",
        "/en/no-such-page",
    ]:
        html = client.get(path).get_data(as_text=True)
        assert not INLINE_SCRIPT.search(html), path
        assert not INLINE_STYLE.search(html), path
        assert not INLINE_HANDLER.search(html), path


# --- cookies ---------------------------------------------------------------------------


def login(client, email, remember=False, **kwargs):
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    return client.post("/en/login", data=data, **kwargs)


def test_session_cookie_over_http_is_httponly_and_lax(client, make_user):
    response = login(client, make_user().email, remember=True)
    for name in ("session", "remember_token"):
        flags = attributes(cookie_header(response, name))
        assert "httponly" in flags
        assert flags["samesite"].lower() == "samesite=lax"
        assert "secure" not in flags


def test_cookies_over_https_are_secure(client, make_user):
    response = login(client, make_user().email, remember=True, base_url="https://localhost")
    assert response.status_code == 302
    for name in ("session", "remember_token", "lang"):
        flags = attributes(cookie_header(response, name))
        assert "secure" in flags, name
        assert "httponly" in flags, name
        assert flags["samesite"].lower() == "samesite=lax", name
    # The secure cookies keep the visitor signed in over https.
    assert client.get("/en/account/", base_url="https://localhost").status_code == 200


def test_stay_signed_in_cookie_signs_in_again(app, client, make_user):
    login(client, make_user().email, remember=True)
    client.delete_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert client.get("/en/account/").status_code == 200


def test_behind_a_trusted_proxy_https_is_taken_from_x_forwarded_proto(client, other_app, make_user):
    user = make_user()
    proxied = other_app(TRUST_PROXY=1).test_client()
    response = login(proxied, user.email, headers={"X-Forwarded-Proto": "https"})
    assert "secure" in attributes(cookie_header(response, "session"))
    assert response.headers["Strict-Transport-Security"]

    # Without TRUST_PROXY the header is not believed.
    response = login(client, user.email, headers={"X-Forwarded-Proto": "https"})
    assert "secure" not in attributes(cookie_header(response, "session"))


# --- CSRF ------------------------------------------------------------------------------


def assert_csrf_refused(response):
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)


def test_csrf_login(client, csrf_on, make_user):
    user = make_user()
    assert_csrf_refused(login(client, user.email))
    assert client.get("/en/account/").status_code == 302
    # With the token from the form, the same sign-in works.
    html = client.get("/en/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/en/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/en/account/").status_code == 200


def test_csrf_registration(client, db, csrf_on):
    from accounts.models import Association, User

    response = client.post(
        "/en/associations/register",
        data={
            "name": "Verein",
            "kind": "club",
            "contact_person": "A",
            "email": "a@example.org",
            "account_name": "A",
            "account_email": "a@example.org",
            "password": "a long password",
            "confirm": "a long password",
        },
    )
    assert_csrf_refused(response)
    assert count(db, Association) == 0 and count(db, User) == 0


@pytest.fixture
def signed_in(app, client, auth, db, make_user, make_association, token_for):
    """A member signed in (before CSRF is switched on), with a token and an association."""
    from accounts.models import ApiToken

    association = make_association(name="SV Nordstadt", verified=False)
    user = make_user(associations=[association], name="Before")
    token_for(user)
    auth.login(user)
    manager = make_user(role="manager")
    return {
        "user": user,
        "association": association,
        "token": db.session.scalars(select(ApiToken)).one(),
        "manager": manager,
    }


def test_csrf_token_creation(client, db, signed_in, csrf_on):
    from accounts.models import ApiToken

    assert_csrf_refused(client.post("/en/account/tokens", data={"name": "website"}))
    assert count(db, ApiToken) == 1


def test_csrf_revoke(client, db, signed_in, csrf_on):
    token = signed_in["token"]
    assert_csrf_refused(client.post(f"/en/account/tokens/{token.id}/revoke"))
    db.session.refresh(token)
    assert token.is_active


def test_csrf_logout(client, signed_in, csrf_on):
    assert_csrf_refused(client.post("/en/logout"))
    assert client.get("/en/account/").status_code == 200


def test_csrf_password_preferences_and_association(client, db, signed_in, csrf_on):
    user, association = signed_in["user"], signed_in["association"]
    before = user.password_hash
    assert_csrf_refused(
        client.post(
            "/en/account/password",
            data={"current_password": PASSWORD, "new_password": "another password", "confirm": "another password"},
        )
    )
    assert_csrf_refused(client.post("/en/account/preferences", data={"name": "After", "preferred_language": "tr"}))
    assert_csrf_refused(
        client.post(
            f"/en/associations/{association.id}/edit",
            data={"name": "Renamed", "kind": "club", "contact_person": "A", "email": "a@example.org"},
        )
    )
    db.session.refresh(user)
    db.session.refresh(association)
    assert (user.password_hash, user.name, user.preferred_language) == (before, "Before", None)
    assert association.name == "SV Nordstadt"


def test_csrf_verify(app, db, signed_in, csrf_on):
    manager_client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    login(manager_client, signed_in["manager"].email)
    app.config["WTF_CSRF_ENABLED"] = True
    association = signed_in["association"]
    assert_csrf_refused(manager_client.post(f"/en/manage/associations/{association.id}/verify"))
    db.session.refresh(association)
    assert association.verified is False


# --- error pages -------------------------------------------------------------------------


def test_error_pages_are_pages_in_the_visitors_language(app, client, auth, make_user):
    cases = []
    auth.login(make_user())
    cases.append((client.get("/en/manage/associations/"), 403, "You are not allowed to do this."))
    cases.append((client.get("/en/no-such-page"), 404, "This page does not exist."))
    cases.append((client.get("/en/logout"), 405, "This method is not allowed here."))
    cases.append(
        (client.post("/en/account/tokens", data={"name": "x" * (3 * 1024 * 1024)}), 413, "The request is too large.")
    )
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        cases.append((client.post("/en/login", data={}), 400, "The form has expired"))
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    for response, status, message in cases:
        html = response.get_data(as_text=True)
        assert response.status_code == status
        assert response.mimetype == "text/html"
        assert '<html lang="en" dir="ltr">' in html
        assert message in html
        assert "Go to the start page" in html
    assert "POST" in cases[2][0].headers["Allow"]


def test_a_page_that_does_not_exist_answers_in_the_language_of_its_url(other_app):
    # A separate app instance: every request gets its own app context (and g), as in production.
    client = other_app().test_client()
    for path, lang, direction in [
        ("/ar/no-such-page", "ar", "rtl"),
        ("/uk/x/y/z", "uk", "ltr"),
        ("/de/nope", "de", "ltr"),
    ]:
        client.get("/en/")  # a remembered language does not win over the URL
        response = client.get(path)
        assert response.status_code == 404
        assert f'<html lang="{lang}" dir="{direction}">' in response.get_data(as_text=True)
    english = client.get("/en/no-such-page", headers={"Accept-Language": "de"})
    assert "This page does not exist." in english.get_data(as_text=True)


def test_unexpected_error_is_a_500_page_and_rolls_back(other_app, db, caplog):
    from accounts.models import User
    from extensions import db as database

    broken = other_app()

    @broken.post("/de/test-only/crash")
    def crash():
        user = User(email="half-done@example.org", password_hash="x")
        database.session.add(user)
        database.session.flush()
        raise RuntimeError("a bug")

    response = broken.test_client().post("/de/test-only/crash")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert '<html lang="de" dir="ltr">' in html
    assert "a bug" not in html
    assert response.headers["Content-Security-Policy"]
    assert count(db, User) == 0
    assert "Unhandled error on POST /de/test-only/crash" in caplog.text


def test_huge_ids_and_nul_characters_are_not_server_errors(client, auth, make_user):
    auth.login(make_user(role="admin"))
    assert client.get("/en/associations/99999999999999999999999/").status_code == 404
    assert client.get("/en/associations/2147483648/").status_code == 404
    assert client.post("/en/manage/associations/2147483648/verify").status_code == 404
    client.post("/en/logout")
    response = client.post("/en/login", data={"email": "a\x00@example.org", "password": "x\x00"})
    assert response.status_code == 400
    assert "Please remove the invisible control characters from this text." in response.get_data(as_text=True)


# --- JSON errors under /api/ ---------------------------------------------------------------


def test_json_error_shape_under_api(other_app):
    api = other_app()

    @api.post("/api/v1/test-only/echo")
    def echo():
        return {"got": request.get_json()}

    @api.get("/api/v1/test-only/forbidden")
    def forbidden():
        abort(403)

    @api.get("/api/v1/test-only/crash")
    def crash():
        raise RuntimeError("a bug")

    client = api.test_client()
    english = {"Accept-Language": "en"}
    cases = [
        (
            client.post(
                "/api/v1/test-only/echo", data="{not json", headers={**english, "Content-Type": "application/json"}
            ),
            400,
            "bad_request",
        ),
        (client.get("/api/v1/me", headers=english), 401, "unauthorized"),
        (client.get("/api/v1/test-only/forbidden", headers=english), 403, "forbidden"),
        (client.get("/api/v1/centres/no-such-centre", headers=english), 404, "not_found"),
        (client.get("/api/v1/no-such-endpoint", headers=english), 404, "not_found"),
        (client.delete("/api/v1/centres", headers=english), 405, "method_not_allowed"),
        (client.get("/api/v1/test-only/crash", headers=english), 500, "server_error"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, (code, response.get_data(as_text=True))
        assert response.mimetype == "application/json"
        body = response.get_json()
        assert set(body) == {"error"}
        assert body["error"]["code"] == code
        assert isinstance(body["error"]["message"], str) and body["error"]["message"]
        assert "a bug" not in body["error"]["message"]


# --- rate-limited sign-in -------------------------------------------------------------------


def wrong_login(client, email="someone@example.org", **kwargs):
    return client.post("/en/login", data={"email": email, "password": "guess"}, **kwargs)


def test_the_eleventh_failed_sign_in_of_an_account_waits_from_any_address(client, make_user):
    """Counted per account across addresses and workers (operations.throttle): a delay, then it works again."""
    user = make_user()
    for n in range(10):
        assert wrong_login(client, user.email, environ_base={"REMOTE_ADDR": f"192.0.2.{n + 1}"}).status_code == 400
    response = login(client, user.email)  # even the right password, from yet another address
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert '<html lang="en" dir="ltr">' in html
    assert "Too many failed attempts. Please wait 15 minutes, then try again." in html
    assert int(response.headers["Retry-After"]) > 0
    assert client.get("/en/account/").status_code == 302
    other = client.application.test_client()
    assert login(other, user.email, environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 429
    # Showing the form is not limited; another account is not affected.
    assert client.get("/en/login").status_code == 200
    assert login(other, make_user().email).status_code == 302


def test_the_limit_ends_with_its_window(client, make_user):
    from datetime import timedelta

    from operations import throttle
    from timeutil import utcnow

    user = make_user()
    for _ in range(10):
        wrong_login(client, user.email)
    key = f"login:{user.email}"
    assert throttle.exceeded(key, "LOGIN_ACCOUNT_LIMIT")
    assert not throttle.exceeded(key, "LOGIN_ACCOUNT_LIMIT", now=utcnow() + timedelta(minutes=16))


def test_password_change_and_registration_are_limited_too(client, auth, make_user):
    """Both check a password or create one: guessing and flooding are limited the same way."""
    for _ in range(10):
        assert client.post("/en/associations/register", data={"name": ""}).status_code == 400
    assert client.post("/en/associations/register", data={"name": ""}).status_code == 429

    other = client.application.test_client()
    other.post(
        "/en/login", data={"email": make_user().email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": "192.0.2.8"}
    )
    wrong = {"current_password": "guess", "new_password": "a new password", "confirm": "a new password"}
    for _ in range(10):
        assert (
            other.post("/en/account/password", data=wrong, environ_base={"REMOTE_ADDR": "192.0.2.8"}).status_code == 400
        )
    assert other.post("/en/account/password", data=wrong, environ_base={"REMOTE_ADDR": "192.0.2.8"}).status_code == 429


def test_login_limits_are_configurable(other_app):
    strict = other_app(LOGIN_ACCOUNT_LIMIT="2 per 60").test_client()
    assert [wrong_login(strict).status_code for _ in range(3)] == [400, 400, 429]


def test_behind_a_trusted_proxy_the_address_limit_is_per_client(other_app):
    proxied = other_app(TRUST_PROXY=1, LOGIN_ADDRESS_LIMIT="3 per 60").test_client()
    first = {"X-Forwarded-For": "203.0.113.5"}
    for n in range(3):  # three accounts tried from one address
        assert wrong_login(proxied, f"a{n}@example.org", headers=first).status_code == 400
    assert wrong_login(proxied, "a9@example.org", headers=first).status_code == 429
    assert wrong_login(proxied, "a9@example.org", headers={"X-Forwarded-For": "203.0.113.6"}).status_code == 400


REDIS_DB = 13  # not 0; only keys with this test's prefix are created and deleted


def test_rate_limit_in_redis(other_app):
    import redis

    url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    store = redis.Redis.from_url(url)
    try:
        store.ping()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis must run at 127.0.0.1:6379 for this test (.ci/run starts it)")
    prefix = f"welcome-test-{secrets.token_hex(6)}"
    try:
        limited = other_app(RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix).test_client()
        for _ in range(10):
            assert wrong_login(limited).status_code == 400
        assert wrong_login(limited).status_code == 429
        keys = list(store.scan_iter(match=f"{prefix}*"))
        assert keys, "the counters live in Redis"
        # A second application process sharing the store sees the same count.
        second = other_app(RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix).test_client()
        assert wrong_login(second).status_code == 429
    finally:
        for key in store.scan_iter(match=f"{prefix}*"):
            store.delete(key)
        store.close()


# --- configuration ---------------------------------------------------------------------------


def test_configuration_from_the_environment():
    from config import from_environment

    assert from_environment({}) == {}
    assert from_environment({"REDIS_URL": "redis://cache:6379/2"}) == {"RATELIMIT_STORAGE_URI": "redis://cache:6379/2"}
    both = {"REDIS_URL": "redis://cache:6379/2", "RATELIMIT_STORAGE_URI": "memory://"}
    assert from_environment(both)["RATELIMIT_STORAGE_URI"] == "memory://"
    assert from_environment({"LOGIN_ACCOUNT_LIMIT": "5 per 900"}) == {"LOGIN_ACCOUNT_LIMIT": "5 per 900"}
    assert from_environment({"SESSION_IDLE_MINUTES": "15", "SECURE_COOKIES": "yes"}) == {
        "SESSION_IDLE_MINUTES": 15, "SECURE_COOKIES": True}
    assert from_environment({"TRUST_PROXY": "1"}) == {"TRUST_PROXY": 1}
    assert from_environment({"TRUST_PROXY": "true"}) == {"TRUST_PROXY": 1}
    assert from_environment({"TRUST_PROXY": "2"}) == {"TRUST_PROXY": 2}


def test_defaults_are_safe(app):
    from config import Defaults

    assert Defaults.SESSION_COOKIE_HTTPONLY and Defaults.SESSION_COOKIE_SAMESITE == "Lax"
    assert Defaults.REMEMBER_COOKIE_HTTPONLY and Defaults.REMEMBER_COOKIE_SAMESITE == "Lax"
    assert Defaults.RATELIMIT_STORAGE_URI == "memory://"
    assert Defaults.LOGIN_ACCOUNT_LIMIT == "10 per 900" and Defaults.LOGIN_ADDRESS_LIMIT == "50 per 900"
    assert (Defaults.SESSION_MAX_HOURS, Defaults.SESSION_IDLE_MINUTES) == (12, 30)  # ASVS 3.3.2, level 2
    assert Defaults.TRUST_PROXY == 0
