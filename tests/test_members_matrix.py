"""Who may do what with an association's members, its data and the association itself (#14): every role
against every action, with the status each must get (302 to the sign-in page for visitors; 404 where the
association is not theirs to see; 403 where they see it but may not act)."""

import pytest
from booking_support import booking_world_fixture  # noqa: F401

from accounts import members
from accounts.models import Association, User
from extensions import db
from tests.conftest import PASSWORD

ACTORS = ("visitor", "outsider", "member", "association_admin", "other_association", "manager", "admin")

# action: (method, path, data, {actor: status})
ACTIONS = {
    "see members": ("get", "/members", None, dict(
        visitor=302, outsider=404, member=200, association_admin=200, other_association=404, manager=200, admin=200)),
    "invite": ("post", "/members/invite", {"email": "neu@example.net"}, dict(
        visitor=302, outsider=404, member=403, association_admin=302, other_association=404, manager=403, admin=302)),
    "change a role": ("post", "/members/{third}/role", {"m{third}-role": "admin"}, dict(
        visitor=302, outsider=404, member=403, association_admin=302, other_association=404, manager=403, admin=302)),
    "remove a member": ("post", "/members/{third}/delete", {}, dict(
        visitor=302, outsider=404, member=403, association_admin=302, other_association=404, manager=403, admin=302)),
    "export the association": ("get", "/export.zip", None, dict(
        visitor=302, outsider=404, member=403, association_admin=200, other_association=404, manager=403, admin=200)),
    "delete the association": ("post", "/delete", {"reason": "aufgelöst", "confirm": "y"}, dict(
        visitor=302, outsider=404, member=403, association_admin=403, other_association=404, manager=403, admin=302)),
    "export one's account": ("get", "/account/export.zip", None, dict(
        visitor=302, outsider=200, member=200, association_admin=200, other_association=200, manager=200, admin=200)),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", ACTIONS)
def test_role_by_action(app, booking_world, make_user, actor, action):
    world = booking_world
    association = world.association
    members.set_admin(association, world.member, True)
    plain = make_user(email="plain@example.org")
    third = make_user(email="third@example.org")
    members.add(association, plain)
    members.add(association, third)
    db.session.commit()
    who = {"outsider": world.outsider, "member": plain, "association_admin": world.member,
           "other_association": world.other_member, "manager": world.manager, "admin": world.admin}.get(actor)
    method, path, data, expected = ACTIONS[action]
    client = app.test_client()
    if who is not None:
        assert client.post("/en/login", data={"email": who.email, "password": PASSWORD}).status_code == 302
    path = path.format(third=third.id)
    url = f"/en{path}" if path.startswith("/account") else f"/en/associations/{association.id}{path}"
    body = {key.format(third=third.id): value for key, value in (data or {}).items()}
    response = client.get(url) if method == "get" else client.post(url, data=body)
    assert response.status_code == expected[actor], (actor, action, response.status_code)
    if response.status_code in (403, 404) or who is None:
        db.session.commit()  # refused: nothing changed
        assert db.session.get(Association, association.id).deleted_at is None
        assert db.session.get(User, third.id).is_member_of(association)
        assert not members.is_admin_of(db.session.get(User, third.id), association)
