"""Associations: self-registration, verification, editing, who sees contact data; the role matrix."""

import pytest
from flask_babel import force_locale, gettext
from mail_support import inbox_fixture  # noqa: F401
from sqlalchemy import func, select

from tests.conftest import PASSWORD


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def registration(**changes):
    data = {
        "name": "Kulturverein Brücke",
        "kind": "migrant_organisation",
        "contact_person": "Layla Haddad",
        "email": "kontakt@bruecke.example.org",
        "phone": "+49 511 123456",
        "website": "https://bruecke.example.org",
        "description-de": "Wir machen Musik und Sprachcafés.",
        "description-ar": "نحن نصنع الموسيقى",
        "languages": ["de", "ar"],
        "account_name": "Layla Haddad",
        "account_email": "layla@example.org",
        "password": "a long enough password",
        "confirm": "a long enough password",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def association_form(association, **changes):
    data = {
        "name": association.name,
        "kind": association.kind,
        "contact_person": association.contact_person,
        "email": association.email,
        "phone": association.phone,
        "website": association.website,
    }
    data.update(changes)
    return data


# --- registration -------------------------------------------------------------------


def test_registration_form_is_public(client):
    response = client.get("/en/associations/register")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Register your association" in html
    assert '<label for="account_email">' in html


def confirmation_link(mail) -> str:
    import re

    return re.search(r"https?://\S+/account/confirm/\S+", mail.get_body(("plain",)).get_content()).group(0)


def test_association_registers_itself_unverified_with_a_member_account(client, db, inbox):
    """The account is made unconfirmed; the mail (in the page's language) confirms the address and signs in, once."""
    from accounts.models import Association, User

    response = client.post("/tr/associations/register", data=registration())
    assert response.status_code == 200
    with force_locale("tr"):
        assert gettext("Please check your e-mail") in response.get_data(as_text=True)
        subject = gettext("Please confirm your e-mail address")
    association = db.session.scalars(select(Association)).one()
    user = db.session.scalars(select(User)).one()
    assert association.verified is False and association.verified_at is None
    assert association.name == "Kulturverein Brücke"
    assert association.kind == "migrant_organisation"
    assert association.description == {"de": "Wir machen Musik und Sprachcafés.", "ar": "نحن نصنع الموسيقى"}
    assert association.languages == ["de", "ar"]
    assert (user.email, user.role, user.preferred_language) == ("layla@example.org", "member", "tr")
    assert user.associations == [association] and user.email_confirmed_at is None
    assert user.check_password("a long enough password")
    assert client.get("/en/account/").status_code == 302  # not signed in yet

    [mail] = inbox.wait(1)
    assert mail["Subject"] == subject and "layla@example.org" in mail["To"]
    link = confirmation_link(mail)
    response = client.get(link)
    assert response.status_code == 302 and response.headers["Location"] == f"/tr/associations/{association.id}/"
    db.session.commit()
    assert db.session.get(User, user.id).email_confirmed_at is not None
    page = client.get(f"/en/associations/{association.id}/").get_data(as_text=True)
    assert "waiting for verification" in page
    assert "kontakt@bruecke.example.org" in page
    # The link signs in once: used again (say, by whoever finds the mail later) it only says so.
    client.post("/en/logout")
    again = client.get(link)
    assert again.status_code == 302 and "/login" in again.headers["Location"]
    assert client.get("/en/account/").status_code == 302


def test_a_broken_or_expired_confirmation_link_says_so(client, db, inbox):
    client.post("/en/associations/register", data=registration())
    [mail] = inbox.wait(1)
    link = confirmation_link(mail)
    response = client.get(link[:-6] + "abcdef")
    assert response.status_code == 400 and "The link is not complete or not valid." in response.get_data(as_text=True)
    import time

    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    from accounts.models import User

    class FourDaysAgo(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - 4 * 86400

    user = db.session.scalars(select(User)).one()
    signer = URLSafeTimedSerializer(client.application.config["SECRET_KEY"], salt="confirm-email", signer=FourDaysAgo)
    old = signer.dumps({"u": user.id, "e": user.email})
    response = client.get(f"/en/account/confirm/{old}")
    assert response.status_code == 400 and "The link has expired" in response.get_data(as_text=True)


def test_registration_answers_the_same_for_an_existing_address_and_tells_its_owner(client, db, make_user, inbox):
    """No account enumeration: the same page, whether or not the address has an account; the mail tells the owner."""
    from accounts.models import Association

    make_user(email="layla@example.org", preferred_language="de")
    known = client.post("/en/associations/register", data=registration(account_email="Layla@Example.org"))
    fresh = client.post("/en/associations/register",
                        data=registration(name="Chor Linden", account_email="new@example.org"))
    assert known.status_code == fresh.status_code == 200

    def visible(response, address):
        return response.get_data(as_text=True).replace(address, "ADDRESS")

    assert visible(known, "layla@example.org") == visible(fresh, "new@example.org")
    assert count(db, Association) == 1  # only the new account's
    inbox.wait(2)
    [owner] = inbox.to("layla@example.org")
    assert owner["Subject"] == "Jemand hat sich mit Ihrer E-Mail-Adresse registriert"


def test_signed_in_member_registers_another_association(client, auth, db, make_user, make_association):
    from accounts.models import Association, User

    first = make_association(name="SV Nordstadt")
    user = make_user(associations=[first])
    auth.login(user)
    page = client.get("/en/associations/register").get_data(as_text=True)
    assert "account_email" not in page
    data = registration(name="Schachclub Linden", account_email=None, account_name=None, password=None, confirm=None)
    response = client.post("/en/associations/register", data=data)
    assert response.status_code == 302
    assert count(db, User) == 1
    second = db.session.scalar(select(Association).where(Association.name == "Schachclub Linden"))
    assert second.verified is False
    db.session.refresh(user)
    assert {a.name for a in user.associations} == {"SV Nordstadt", "Schachclub Linden"}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": ""}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"name": "x" * 201}, "Field cannot be longer than 200 characters."),
        ({"kind": "secret_society"}, "Not a valid choice."),
        ({"contact_person": ""}, "This field is required."),
        ({"email": "not an address"}, "Please enter an e-mail address such as name@example.org."),
        ({"website": "bruecke"}, "Please enter a web address such as https://example.org."),
        (
            {"website": "javascript://example.org/%0Aalert(1)"},
            "Please enter a web address such as https://example.org.",
        ),
        ({"languages": ["de", "klingon"]}, "is not a valid choice."),
        ({"description-de": "x" * 4001}, "Please use at most 4000 characters."),
        ({"account_email": ""}, "This field is required."),
        ({"account_email": "layla"}, "Please enter an e-mail address such as name@example.org."),
        ({"account_name": ""}, "This field is required."),
        ({"password": "short", "confirm": "short"}, "Please use at least 12 characters."),
        ({"confirm": "something else entirely"}, "The two passwords differ."),
    ],
)
def test_registration_bad_input_changes_nothing(client, db, changes, message):
    from accounts.models import Association, User

    response = client.post("/en/associations/register", data=registration(**changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert "Please correct the marked fields." in html
    assert count(db, Association) == 0
    assert count(db, User) == 0
    assert client.get("/en/account/").status_code == 302  # not signed in


def test_e_mail_addresses_are_stored_in_ascii(client, db):
    """Notifications are sent to these addresses: an international domain is stored in its IDNA form."""
    from accounts.models import Association, User

    data = registration(email="Info@Müller-Verein.de", account_email="layla@bücherei.example")
    assert client.post("/en/associations/register", data=data).status_code == 200
    assert db.session.scalars(select(Association)).one().email == "info@xn--mller-verein-dlb.de"
    user = db.session.scalars(select(User)).one()
    assert user.email == "layla@xn--bcherei-n2a.example"
    user.email_confirmed_at = user.created_at  # as the link in the mail does (tested above)
    db.session.commit()
    # Signing in works with the address as the person writes it.
    response = client.post("/en/login", data={"email": "Layla@Bücherei.example", "password": "a long enough password"})
    assert response.status_code == 302


@pytest.mark.parametrize("field", ["email", "account_email"])
def test_non_ascii_mailbox_names_are_refused(client, db, field):
    from accounts.models import Association

    response = client.post("/en/associations/register", data=registration(**{field: "müller@example.org"}))
    assert response.status_code == 400
    assert "Please enter an e-mail address such as name@example.org." in response.get_data(as_text=True)
    assert count(db, Association) == 0


def test_registration_refuses_a_taken_name_in_any_case(client, db, make_association):
    from accounts.models import Association, User

    make_association(name="Kulturverein Brücke")
    response = client.post("/en/associations/register", data=registration(name="  KULTURVEREIN BRÜCKE "))
    assert response.status_code == 400
    assert "An association with this name is already registered." in response.get_data(as_text=True)
    assert count(db, Association) == 1
    assert count(db, User) == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "Verein\x00"},
        {"account_email": "layla\x00@example.org"},
        {"description-de": "Musik\x1b[31m"},
        {"password": "a long enough\x00password", "confirm": "a long enough\x00password"},
    ],
)
def test_control_characters_are_refused_with_a_message(client, db, changes):
    from accounts.models import Association, User

    response = client.post("/en/associations/register", data=registration(**changes))
    assert response.status_code == 400
    assert "Please remove the invisible control characters from this text." in response.get_data(as_text=True)
    assert count(db, Association) == 0 and count(db, User) == 0


# --- verification ------------------------------------------------------------------


def test_manager_sees_waiting_associations_and_verifies_one(client, auth, db, make_user, make_association):
    waiting = make_association(name="Initiative Sprachbrücke", verified=False, contact_person="Sara Lehmann")
    make_association(name="SV Nordstadt")
    manager = make_user(role="manager")
    auth.login(manager)

    page = client.get("/en/manage/associations/").get_data(as_text=True)
    assert "Initiative Sprachbrücke" in page and "Sara Lehmann" in page
    assert "SV Nordstadt" not in page
    assert "SV Nordstadt" in client.get("/en/manage/associations/?show=all").get_data(as_text=True)

    response = client.post(f"/en/manage/associations/{waiting.id}/verify")
    assert response.headers["Location"] == "/en/manage/associations/"
    db.session.refresh(waiting)
    assert waiting.verified and waiting.verified_by_id == manager.id and waiting.verified_at is not None
    page = client.get("/en/manage/associations/").get_data(as_text=True)
    assert "Initiative Sprachbrücke is now verified." in page
    assert "No association is waiting." in page


def test_verify_from_the_association_page_returns_there(client, auth, make_user, make_association):
    waiting = make_association(verified=False)
    auth.login(make_user(role="admin"))
    page = client.get(f"/en/associations/{waiting.id}/").get_data(as_text=True)
    assert "Verify this association" in page
    response = client.post(f"/en/manage/associations/{waiting.id}/verify?next=/en/associations/{waiting.id}/")
    assert response.headers["Location"] == f"/en/associations/{waiting.id}/"
    assert "Verify this association" not in client.get(f"/en/associations/{waiting.id}/").get_data(as_text=True)


def test_verifying_twice_keeps_the_first_verification(client, auth, db, make_user, make_association):
    association = make_association(verified=True)
    first_at = association.verified_at
    auth.login(make_user(role="manager"))
    response = client.post(f"/en/manage/associations/{association.id}/verify")
    assert response.status_code == 302
    db.session.refresh(association)
    assert association.verified_at == first_at and association.verified_by_id is None
    assert "was already verified." in client.get("/en/manage/associations/").get_data(as_text=True)


@pytest.mark.parametrize("association_id", ["999", "99999999999999999999"])
def test_verify_unknown_association_is_404(client, auth, make_user, association_id):
    auth.login(make_user(role="manager"))
    assert client.post(f"/en/manage/associations/{association_id}/verify").status_code == 404


# --- editing ---------------------------------------------------------------------------


def test_member_edits_their_association(client, auth, db, make_user, make_association):
    association = make_association(name="SV Nordstadt", verified=False)
    auth.login(make_user(associations=[association]))
    form = client.get(f"/en/associations/{association.id}/edit").get_data(as_text=True)
    assert 'value="SV Nordstadt"' in form
    data = association_form(
        association, phone="+49 511 999", **{"description-en": "Football for all", "languages": ["de", "tr"]}
    )
    response = client.post(f"/en/associations/{association.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(association)
    assert association.phone == "+49 511 999"
    assert association.description == {"en": "Football for all"}
    assert association.languages == ["de", "tr"]
    assert "The association is saved." in client.get(f"/en/associations/{association.id}/").get_data(as_text=True)


def test_renaming_a_verified_association_needs_a_new_verification(client, auth, db, make_user, make_association):
    association = make_association(name="SV Nordstadt", verified=True)
    auth.login(make_user(associations=[association]))
    response = client.post(
        f"/en/associations/{association.id}/edit", data=association_form(association, name="City Office")
    )
    assert response.status_code == 302
    db.session.refresh(association)
    assert association.name == "City Office" and association.verified is False
    page = client.get(f"/en/associations/{association.id}/").get_data(as_text=True)
    assert "Because the name changed, a centre manager will verify the association again." in page


def test_admin_renaming_keeps_the_verification(client, auth, db, make_user, make_association):
    association = make_association(name="SV Nordstadt", verified=True)
    auth.login(make_user(role="admin"))
    client.post(f"/en/associations/{association.id}/edit", data=association_form(association, name="SV Nordstadt 1921"))
    db.session.refresh(association)
    assert association.name == "SV Nordstadt 1921" and association.verified is True


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": ""}, "This field is required."),
        ({"name": "sv linden"}, "An association with this name is already registered."),
        ({"email": "no"}, "Please enter an e-mail address such as name@example.org."),
        ({"contact_person": ""}, "This field is required."),
        ({"website": "ftp://example.org"}, "Please enter a web address such as https://example.org."),
        ({"kind": ""}, "This field is required."),
    ],
)
def test_edit_association_bad_input_changes_nothing(client, auth, db, make_user, make_association, changes, message):
    make_association(name="SV Linden")
    association = make_association(name="SV Nordstadt", email="sv@example.org")
    auth.login(make_user(associations=[association]))
    response = client.post(f"/en/associations/{association.id}/edit", data=association_form(association, **changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.refresh(association)
    assert (association.name, association.email, association.contact_person) == (
        "SV Nordstadt",
        "sv@example.org",
        "Kontakt Person",
    )


# --- contact data -------------------------------------------------------------------------


def test_contact_data_is_hidden_from_anonymous_and_other_associations(app, client, auth, make_user, make_association):
    association = make_association(
        name="SV Nordstadt", email="vorstand@sv.example.org", phone="+49 511 424242", contact_person="Jens Jansen"
    )
    other = make_association(name="Schachclub")
    url = f"/en/associations/{association.id}/"

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/en/login")
    auth.login(make_user(associations=[other]))
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    for secret in ("vorstand@sv.example.org", "+49 511 424242", "Jens Jansen", "SV Nordstadt"):
        assert secret not in html

    member = app.test_client()
    member.post("/en/login", data={"email": make_user(associations=[association]).email, "password": PASSWORD})
    html = member.get(url).get_data(as_text=True)
    for secret in ("vorstand@sv.example.org", "+49 511 424242", "Jens Jansen"):
        assert secret in html


# --- the role matrix ------------------------------------------------------------------------

ROLES = ["admin", "manager", "member", "other_member", "anonymous"]
LOGIN = "login"  # a redirect to the sign-in page

# action -> expected status per role, in the order of ROLES
MATRIX = {
    "view_association": [200, 200, 200, 404, LOGIN],
    "edit_association": [302, 403, 302, 404, LOGIN],
    "verify_association": [302, 302, 403, 403, LOGIN],
    "list_associations": [200, 200, 403, 403, LOGIN],
    "view_account": [200, 200, 200, 200, LOGIN],
    "create_token": [200, 200, 200, 200, LOGIN],
    "revoke_others_token": [404, 404, 404, 404, LOGIN],
}


@pytest.fixture
def world(make_user, make_association, make_centre, db):
    from accounts.models import ApiToken

    association = make_association(name="SV Nordstadt", verified=False, phone="+49 511 1")
    other = make_association(name="Schachclub")
    stranger = make_user(email="stranger@example.org")
    token, _ = ApiToken.issue(stranger, "stranger's token")
    db.session.commit()
    users = {
        "admin": make_user(role="admin"),
        "manager": make_user(role="manager", centres=[make_centre()]),
        "member": make_user(associations=[association]),
        "other_member": make_user(associations=[other]),
        "anonymous": None,
    }
    return {"association": association, "token": token, "users": users}


def do(action, client, world):
    a, token = world["association"], world["token"]
    if action == "view_association":
        return client.get(f"/en/associations/{a.id}/")
    if action == "edit_association":
        return client.post(f"/en/associations/{a.id}/edit", data=association_form(a, phone="+49 511 2"))
    if action == "verify_association":
        return client.post(f"/en/manage/associations/{a.id}/verify")
    if action == "list_associations":
        return client.get("/en/manage/associations/")
    if action == "view_account":
        return client.get("/en/account/")
    if action == "create_token":
        return client.post("/en/account/tokens", data={"name": "matrix", "current_password": PASSWORD})
    if action == "revoke_others_token":
        return client.post(f"/en/account/tokens/{token.id}/revoke")
    raise AssertionError(action)


@pytest.mark.parametrize("action", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, auth, db, world, role, action):
    from accounts.models import ApiToken

    expected = MATRIX[action][ROLES.index(role)]
    user = world["users"][role]
    if user is not None:
        auth.login(user)
    response = do(action, client, world)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/en/login?next=")
    else:
        assert response.status_code == expected

    # What was refused changed nothing.
    association, token = world["association"], world["token"]
    db.session.refresh(association)
    db.session.refresh(token)
    assert association.phone == ("+49 511 2" if action == "edit_association" and expected == 302 else "+49 511 1")
    assert association.verified is (action == "verify_association" and expected == 302)
    assert token.is_active
    created = db.session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.name == "matrix"))
    assert created == (1 if action == "create_token" and expected == 200 else 0)
