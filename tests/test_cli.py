"""The operator commands of the contract: init-db, seed-demo, create-user, create-token."""

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD

NEW_PASSWORD = "operator chosen password"


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_init_db_brings_the_schema_to_head(runner, db):
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from flask import current_app

    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "newest schema version" in result.output
    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    with db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == tuple(script.get_heads())


def test_seed_demo_loads_a_demo_city_once(runner, db):
    from accounts.models import Association, User
    from centres.models import Centre, Room

    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Demo data loaded" in result.output
    numbers = [count(db, model) for model in (Centre, Room, Association, User)]
    centres, rooms, associations, users = numbers
    assert centres >= 6 and rooms >= 18 and associations >= 8
    assert {u.role for u in db.session.scalars(select(User))} == {"admin", "manager", "member"}
    # Running it again adds nothing twice.
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert [count(db, model) for model in (Centre, Room, Association, User)] == numbers


# --- create-user ----------------------------------------------------------------------------


def test_create_admin_who_can_sign_in(runner, client, db):
    from accounts.models import User

    result = runner.invoke(args=["create-user", "Admin@Example.org", "--role", "admin", "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    assert "User admin@example.org (admin) created." in result.output
    user = User.by_email("admin@example.org")
    assert user.role == "admin" and user.check_password(NEW_PASSWORD)
    assert NEW_PASSWORD not in user.password_hash
    response = client.post("/en/login", data={"email": "admin@example.org", "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_create_manager_of_centres(runner, db, make_centre):
    from accounts.models import User

    make_centre(slug="linden")
    make_centre(slug="nordstadt")
    result = runner.invoke(
        args=["create-user", "m@example.org", "--role", "manager", "--centre", "linden", "--centre", "nordstadt",
              "--password", NEW_PASSWORD, "--name", "Luca Linden"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = User.by_email("m@example.org")
    assert [c.slug for c in user.managed_centres] == ["linden", "nordstadt"]
    assert user.name == "Luca Linden"


def test_create_member_with_a_new_association_counts_as_verified(runner, db, make_association):
    from accounts.models import Association, User

    make_association(name="SV Nordstadt", verified=False)
    result = runner.invoke(
        args=["create-user", "mem@example.org", "--role", "member", "--association", "Neuer Verein",
              "--association", "sv nordstadt", "--password", NEW_PASSWORD]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Association 'Neuer Verein' created (verified)." in result.output
    user = User.by_email("mem@example.org")
    assert {a.name for a in user.associations} == {"Neuer Verein", "SV Nordstadt"}
    new = db.session.scalar(select(Association).where(Association.name == "Neuer Verein"))
    assert new.verified and new.verified_at is not None
    # An existing association (found whatever the case) is joined, not created, and not verified by this.
    existing = db.session.scalar(select(Association).where(Association.name == "SV Nordstadt"))
    assert existing.verified is False
    assert count(db, Association) == 2


def test_password_is_asked_for_when_not_given(runner, db):
    from accounts.models import User

    result = runner.invoke(
        args=["create-user", "p@example.org", "--role", "member"], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output and "Repeat for confirmation:" in result.output
    assert NEW_PASSWORD not in result.output  # hidden input
    assert User.by_email("p@example.org").check_password(NEW_PASSWORD)


def test_existing_user_is_updated(runner, db, make_user, make_centre):
    make_centre(slug="linden")
    user = make_user(email="u@example.org", role="member")
    result = runner.invoke(
        args=["create-user", "u@example.org", "--role", "manager", "--centre", "linden", "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "User u@example.org (manager) updated." in result.output
    db.session.refresh(user)
    assert user.role == "manager" and [c.slug for c in user.managed_centres] == ["linden"]
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    "args, input_, message",
    [
        (
            ["x@example.org", "--role", "manager", "--centre", "atlantis"],
            None,
            "there is no centre with the slug 'atlantis'",
        ),
        (["x@example.org", "--role", "member", "--centre", "linden"], None, "only managers are given centres"),
        (["not-an-address", "--role", "member"], None, "is not an e-mail address"),
        (["müller@example.org", "--role", "member"], None, "is not an e-mail address"),
        (["x@example.org", "--role", "king"], None, "'king' is not one of 'admin', 'manager', 'member'"),
        (["x@example.org"], None, "Missing option '--role'"),
        (["x@example.org", "--role", "member", "--password", "short"], None, "Bitte verwenden Sie mindestens 12 Zeichen."),  # the command line speaks the default language
        (["x@example.org", "--role", "member", "--association", "  "], None, "an association name needs 1 to 200"),
        (["x@example.org", "--role", "member"], "one password\nanother one\n", "The two entered values do not match"),
    ],
)
def test_create_user_bad_input_creates_nothing(runner, db, make_centre, args, input_, message):
    from accounts.models import Association, User

    make_centre(slug="linden")
    if "--password" not in args and input_ is None:
        args = [*args, "--password", NEW_PASSWORD]
    result = runner.invoke(args=["create-user", *args], input=input_)
    assert result.exit_code != 0
    assert message in result.output
    assert count(db, User) == 0
    assert count(db, Association) == 0


# --- create-token ------------------------------------------------------------------------------


def test_create_token_prints_a_working_token_on_its_last_line(runner, client, db, make_user):
    from accounts.models import ApiToken

    make_user(email="integrator@example.org")
    result = runner.invoke(args=["create-token", "Integrator@example.org"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("ws_") and " " not in token
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["email"] == "integrator@example.org"
    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.name == "command line" and stored.token_hash != token


def test_create_token_with_a_name(runner, db, make_user):
    from accounts.models import ApiToken

    make_user(email="i@example.org")
    assert runner.invoke(args=["create-token", "i@example.org", "--name", "Website"]).exit_code == 0
    assert db.session.scalars(select(ApiToken)).one().name == "Website"


def test_create_token_for_an_unknown_user_fails(runner, db):
    from accounts.models import ApiToken

    result = runner.invoke(args=["create-token", "nobody@example.org"])
    assert result.exit_code == 1
    assert "there is no user with the e-mail address nobody@example.org" in result.output
    assert count(db, ApiToken) == 0


def test_create_token_for_a_deactivated_user_fails(runner, db, make_user):
    from accounts.models import ApiToken

    make_user(email="gone@example.org", active=False)
    result = runner.invoke(args=["create-token", "gone@example.org"])
    assert result.exit_code == 1
    assert "deactivated" in result.output
    assert count(db, ApiToken) == 0


def test_created_user_and_token_together(runner, client):
    """The operator's path from nothing to a working API call."""
    assert (
        runner.invoke(args=["create-user", "ops@example.org", "--role", "admin", "--password", PASSWORD]).exit_code == 0
    )
    token = runner.invoke(args=["create-token", "ops@example.org"]).output.strip().splitlines()[-1]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()["role"] == "admin"
