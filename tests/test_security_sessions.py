"""Sessions that end (issue #24): sign-out, a new password, a new role and deactivation end every session and
remember-me cookie on the server; idle and absolute lifetimes; the account page's list of devices; passwords
at OWASP's parameters; the "__Host-" cookie; sign-in throttling shared by four gunicorn workers."""

import threading
from datetime import timedelta

import pytest
import time_machine
from booking_support import approve, booking_world_fixture, request  # noqa: F401

from extensions import db
from tests.conftest import PASSWORD
from timeutil import utcnow


@pytest.fixture(name="other_app")
def other_app_fixture(app, database_url):
    """Another app instance (other settings) on the test database."""
    from tests.conftest import make_test_app

    built = []

    def build(**config):
        built.append(make_test_app(database_url, **config))
        return built[-1]

    yield build
    for new in built:
        with new.app_context():
            db.engine.dispose()


def sign_in(client, email, remember=False, **kwargs):
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/en/login", data=data, **kwargs)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def cookies_of(client) -> dict:
    return {cookie.key: cookie.value for cookie in client._cookies.values()}


def replay(app, cookies: dict):
    """A new client (another browser, or an attacker) with copies of these cookies."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def signed_in(client) -> bool:
    return client.get("/en/account/").status_code == 200


def test_a_replayed_session_cookie_is_signed_out_after_sign_out(app, client, make_user):
    user = make_user()
    sign_in(client, user.email)
    stolen = cookies_of(client)
    assert signed_in(replay(app, stolen))
    client.post("/en/logout")
    assert not signed_in(replay(app, stolen))


def test_a_replayed_remember_me_cookie_alone_is_signed_out_after_sign_out(app, client, make_user):
    user = make_user()
    sign_in(client, user.email, remember=True)
    remember = {k: v for k, v in cookies_of(client).items() if k == "remember_token"}
    assert remember and signed_in(replay(app, remember))
    client.post("/en/logout")
    assert not signed_in(replay(app, remember))


def test_a_new_password_signs_out_every_other_device(app, client, make_user):
    user = make_user()
    laptop = app.test_client()
    sign_in(laptop, user.email, remember=True)
    sign_in(client, user.email)
    response = client.post("/en/account/password", data={
        "current_password": PASSWORD, "new_password": "a fresh passphrase here", "confirm": "a fresh passphrase here"})
    assert response.status_code == 302
    assert signed_in(client)
    assert not signed_in(laptop)


def test_a_new_role_signs_out_on_every_path(app, client, runner, booking_world):
    world = booking_world
    booking = request(world)
    sign_in(client, world.manager.email)
    assert client.get(f"/en/bookings/{booking.id}/").status_code == 200
    stolen = cookies_of(client)
    result = runner.invoke(args=["create-user", world.manager.email, "--role", "member", "--password",
                                 "operator chosen password"])
    assert result.exit_code == 0, result.output
    db.session.commit()
    old = replay(app, stolen)
    assert old.get(f"/en/bookings/{booking.id}/").status_code == 302  # signed out, to the sign-in page
    assert not signed_in(old)
    # Signed in again as a member, the old powers are gone.
    fresh = app.test_client()
    fresh.post("/en/login", data={"email": world.manager.email, "password": "operator chosen password"})
    assert fresh.get(f"/en/bookings/{booking.id}/").status_code == 404
    assert fresh.post(f"/en/bookings/{booking.id}/approve").status_code in (403, 404)


def test_removing_a_manager_from_the_centres_page_signs_them_out(app, client, auth, booking_world):
    world = booking_world
    manager = app.test_client()
    sign_in(manager, world.manager.email)
    auth.login(world.admin)
    response = client.post(f"/en/manage/centres/{world.centre.slug}/managers", data={"managers": []})
    assert response.status_code in (200, 302)
    db.session.commit()
    assert not signed_in(manager)


def test_deactivation_signs_out(app, client, make_user):
    user = make_user()
    sign_in(client, user.email, remember=True)
    user.deactivate()
    db.session.commit()
    assert not signed_in(client)


@pytest.mark.parametrize(("role", "idle"), [("manager", 31), ("admin", 31), ("member", 31)])
def test_a_session_ends_after_30_minutes_idle(app, client, make_user, role, idle):
    user = make_user(role)
    sign_in(client, user.email)
    with time_machine.travel(utcnow() + timedelta(minutes=25), tick=False):
        assert signed_in(client)  # used again: the idle limit starts anew
    with time_machine.travel(utcnow() + timedelta(minutes=25 + idle), tick=False):
        assert not signed_in(client)


def test_a_session_ends_after_12_hours_of_use(app, client, make_user):
    user = make_user("manager")
    sign_in(client, user.email)
    start = utcnow()
    for minutes in range(20, 12 * 60, 20):  # used every 20 minutes
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert signed_in(client), minutes
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        assert not signed_in(client)


def test_stay_signed_in_is_a_dated_remember_me_for_members_only(app, client, make_user):
    member, manager = make_user(), make_user("manager")
    sign_in(client, member.email, remember=True)
    assert "remember_token" in cookies_of(client)
    with time_machine.travel(utcnow() + timedelta(days=29), tick=False):
        assert signed_in(client)
    with time_machine.travel(utcnow() + timedelta(days=31), tick=False):
        assert not signed_in(client)
    other = app.test_client()
    sign_in(other, manager.email, remember=True)
    assert "remember_token" not in cookies_of(other)  # managers and admins: 12 hours at most
    with time_machine.travel(utcnow() + timedelta(hours=2), tick=False):
        assert not signed_in(other)


def test_the_account_page_lists_the_devices_and_ends_each(app, client, make_user):
    from accounts.models import UserSession

    user = make_user()
    phone = app.test_client()
    sign_in(phone, user.email, headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) Firefox/130.0"})
    sign_in(client, user.email, headers={"User-Agent": "Mozilla/5.0 (Windows NT 10.0) Chrome/130.0 Safari/537"})
    page = client.get("/en/account/").get_data(as_text=True)
    assert "Firefox · Android" in page and "Chrome · Windows" in page and "this device" in page
    db.session.commit()
    phone_session = db.session.scalars(db.select(UserSession).where(UserSession.user_agent.contains("Android"))).one()
    assert client.post(f"/en/account/sessions/{phone_session.id}/end").status_code == 302
    assert not signed_in(phone) and signed_in(client)
    # Not someone else's session.
    stranger = make_user()
    theirs = app.test_client()
    sign_in(theirs, stranger.email)
    db.session.commit()
    their_session = db.session.scalars(db.select(UserSession).where(UserSession.user_id == stranger.id)).one()
    assert client.post(f"/en/account/sessions/{their_session.id}/end").status_code == 404
    assert signed_in(theirs)
    # Everywhere, this device too.
    sign_in(phone, user.email)
    assert client.post("/en/account/sessions/end-all").status_code == 302
    assert not signed_in(client) and not signed_in(phone)


def test_creating_a_token_needs_the_password_again(client, make_user):
    user = make_user()
    sign_in(client, user.email, remember=True)
    assert client.post("/en/account/tokens", data={"name": "Website"}).status_code == 400
    response = client.post("/en/account/tokens", data={"name": "Website", "current_password": "not it"})
    assert response.status_code == 400 and "This is not your current password." in response.get_data(as_text=True)
    db.session.commit()
    assert not user.tokens
    assert client.post("/en/account/tokens",
                       data={"name": "Website", "current_password": PASSWORD}).status_code == 200


# --- passwords ---------------------------------------------------------------------------------------


def test_production_hashes_with_owasp_scrypt_parameters_and_old_hashes_are_renewed(app, client, make_user):
    from werkzeug.security import generate_password_hash

    from config import Defaults

    assert Defaults.PASSWORD_HASH == "scrypt:131072:8:1"  # N = 2^17, r = 8, p = 1
    user = make_user()
    user.password_hash = generate_password_hash(PASSWORD, method="scrypt:32768:8:1")  # werkzeug's default
    db.session.commit()
    sign_in(client, user.email)
    db.session.commit()
    assert db.session.get(type(user), user.id).password_hash.startswith(app.config["PASSWORD_HASH"] + "$")
    client.post("/en/logout")
    sign_in(client, user.email)  # still the same password


@pytest.mark.parametrize("password", ["aaaaaaaaaaaaaaaa", "password1234", "123456789012", "qwertzuiop123",
                                      "iloveyou1234", "short pass"])
def test_common_or_short_passwords_are_refused(client, make_user, password):
    user = make_user()
    sign_in(client, user.email)
    response = client.post("/en/account/password", data={
        "current_password": PASSWORD, "new_password": password, "confirm": password})
    assert response.status_code == 400
    client.post("/en/logout")
    sign_in(client, user.email)  # unchanged


def test_a_password_made_of_ones_own_address_is_refused(client, make_user):
    user = make_user(email="layla.haddad@example.org")
    sign_in(client, user.email)
    password = "layla.haddad@example.org"
    response = client.post("/en/account/password", data={
        "current_password": PASSWORD, "new_password": password, "confirm": password})
    assert response.status_code == 400


def test_sixty_four_characters_are_fine():
    from accounts.passwords import weakness

    assert weakness("a" * 12 + " unrelated words make a long and good passphrase here xyz"[:52]) is None


# --- cookies -------------------------------------------------------------------------------------------


def test_secure_cookies_use_the_host_prefix(other_app, make_user):
    user = make_user()
    secure = other_app(SECURE_COOKIES=True).test_client()
    response = secure.post("/en/login", data={"email": user.email, "password": PASSWORD, "remember": "y"},
                           base_url="https://localhost")
    headers = response.headers.getlist("Set-Cookie")
    session = next(h for h in headers if h.startswith("__Host-session="))
    assert "Secure" in session and "Path=/" in session and "Domain" not in session
    assert any(h.startswith("__Host-remember=") and "Secure" in h for h in headers)
    assert secure.get("/en/account/", base_url="https://localhost").status_code == 200


# --- throttling across workers -------------------------------------------------------------------------

from test_concurrency import server  # noqa: E402,F401  (gunicorn with four workers on the test database)


def test_sign_in_throttling_holds_across_four_workers(server, make_user):  # noqa: F811
    import urllib.error
    import urllib.parse
    import urllib.request

    base, log = server
    user = make_user(email="target@example.org")
    db.session.commit()
    body = urllib.parse.urlencode({"email": user.email, "password": "wrong guess"}).encode()
    results = []
    barrier = threading.Barrier(24)

    def attempt():
        barrier.wait()
        try:
            with urllib.request.urlopen(urllib.request.Request(f"{base}/en/login", data=body), timeout=60) as r:
                results.append(r.status)
        except urllib.error.HTTPError as error:
            results.append(error.code)

    threads = [threading.Thread(target=attempt) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(set(results)) == [400, 429], results
    assert results.count(400) == 10, results  # exactly the limit, whichever worker answered
    right = urllib.parse.urlencode({"email": user.email, "password": PASSWORD}).encode()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(f"{base}/en/login", data=right), timeout=60)
    assert refused.value.code == 429


# --- limits on what costs the centres' time or the server's -----------------------------------------


def test_booking_requests_are_limited_per_user_and_refusals_do_not_count(other_app, booking_world):
    from booking_support import api_body, next_weekday

    from accounts.models import ApiToken

    strict = other_app(BOOKING_LIMIT="2 per 3600").test_client()
    _, secret = ApiToken.issue(booking_world.member, "test")
    _, other_secret = ApiToken.issue(booking_world.other_member, "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    day = next_weekday(1, 14)
    taken = strict.post("/api/v1/bookings", json=api_body(booking_world, day=day, start="25:00"), headers=headers)
    assert taken.status_code == 422  # refused: no mail went out, nothing counted
    codes = [strict.post("/api/v1/bookings", json=api_body(booking_world, day=day + timedelta(weeks=n)),
                         headers=headers).status_code for n in range(3)]
    assert codes == [201, 201, 429]
    other = strict.post("/api/v1/bookings", json=api_body(booking_world, day=day + timedelta(weeks=5)),
                        headers={"Authorization": f"Bearer {other_secret}"})
    assert other.status_code == 201  # another user has a limit of their own


def test_room_searches_and_feed_builds_are_limited(other_app, booking_world):
    strict = other_app(SEARCH_LIMIT="2 per 60", FEED_BUILD_LIMIT="1 per 60").test_client()
    args = {"start": "2030-01-08T18:00", "end": "2030-01-08T20:00"}
    codes = [strict.get("/api/v1/rooms/search", query_string=args).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = strict.get("/api/v1/rooms/search", query_string=args)
    assert int(refused.headers["Retry-After"]) > 0 and refused.get_json()["error"]["code"] == "rate_limited"
    assert strict.get("/en/events.ics").status_code == 200
    assert strict.get("/en/events.ics").status_code == 200  # the same feed again: from the cache, not built
    assert strict.get("/de/events.ics").status_code == 429  # another feed to build: past the limit
