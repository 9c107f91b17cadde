"""Accounts and personal data (#14): password reset, a new address, invitations and members, export, deletion,
retention, and the authority's statements — each flow through the pages, its mails read from a real SMTP
server (aiosmtpd), on SQLite and PostgreSQL."""

import csv
import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
import time_machine
from booking_support import booking_world_fixture, request  # noqa: F401
from mail_support import inbox_fixture  # noqa: F401
from sqlalchemy import select, text
from test_security_sessions import other_app_fixture  # noqa: F401

from accounts import members
from accounts.models import Invitation, User
from bookings.models import Booking
from extensions import db
from outbox.models import OutboxMail
from tests.conftest import PASSWORD
from timeutil import to_local, utcnow

NEW_PASSWORD = "Lindenblüte am Küchenfenster 42"


def link_in(message, path):
    body = message.get_body(("plain",)).get_content()
    return re.search(rf"https?://[^/\s]+(/\S*{path}\S+)", body).group(1)


def in_english(link):
    """The same link on the English page (the assertions below read English messages)."""
    return re.sub(r"^/[a-z]{2}/", "/en/", link)


def sign_in(client, email, password=PASSWORD):
    return client.post("/en/login", data={"email": email, "password": password})


def signed_in(client) -> bool:
    return client.get("/en/account/").status_code == 200


# --- password reset ---------------------------------------------------------------------------------------


def test_a_forgotten_password_is_reset_by_a_link_that_works_once(app, booking_world, inbox):
    member = booking_world.member  # preferred language: German
    elsewhere = app.test_client()
    assert sign_in(elsewhere, member.email).status_code == 302
    client = app.test_client()
    assert 'href="/en/password/forgot"' in client.get("/en/login").get_data(as_text=True)
    known = client.post("/en/password/forgot", data={"email": member.email})
    unknown = client.post("/en/password/forgot", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200  # no hint whether the address has an account
    assert known.get_data(as_text=True).replace(member.email, "X") == \
        unknown.get_data(as_text=True).replace("nobody@example.org", "X")
    [mail] = inbox.wait(1)
    assert member.email in mail["To"] and mail["Content-Language"] == "de"
    assert "Neues Passwort" in mail["Subject"]
    link = link_in(mail, "/password/reset/")
    token = link.rsplit("/", 1)[1]
    assert db.session.execute(text("SELECT count(*) FROM password_reset WHERE token_hash = :t"),
                              {"t": token}).scalar() == 0  # only the hash is stored
    weak = client.post(link, data={"password": "password", "confirm": "password"})
    assert weak.status_code == 400
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and signed_in(client)
    assert not signed_in(elsewhere), "the other device is signed out"
    again = app.test_client().get(in_english(link))
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    assert sign_in(app.test_client(), member.email, NEW_PASSWORD).status_code == 302


def test_a_reset_link_expires_after_an_hour_and_a_broken_one_says_so(app, booking_world, inbox):
    client = app.test_client()
    client.post("/en/password/forgot", data={"email": booking_world.member.email})
    first = link_in(inbox.wait(1)[0], "/password/reset/")
    client.post("/en/password/forgot", data={"email": booking_world.member.email})
    link = link_in(inbox.wait(2)[1], "/password/reset/")
    assert client.get(first).status_code == 410  # asking again ends the older link
    with time_machine.travel(utcnow() + timedelta(minutes=61), tick=False):
        expired = client.get(in_english(link))
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    broken = client.get(in_english(link)[:-5] + "xxxxx")
    assert broken.status_code == 404 and "not complete" in broken.get_data(as_text=True)
    assert client.get("/ar/password/reset/nothing").status_code == 404


def test_reset_mails_are_rate_limited(app, other_app, booking_world, inbox):
    strict = other_app(RESET_LIMIT="2 per 3600", MAIL_SERVER="127.0.0.1", MAIL_PORT=app.config["MAIL_PORT"])
    client = strict.test_client()
    codes = [client.post("/en/password/forgot", data={"email": booking_world.member.email}).status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]


# --- a new e-mail address ---------------------------------------------------------------------------------


def test_a_new_address_takes_effect_when_its_link_is_opened(app, booking_world, inbox):
    client = app.test_client()
    sign_in(client, booking_world.outsider.email)
    wrong = client.post("/en/account/email", data={"new_email": "neu@example.net", "current_password": "nope"})
    assert wrong.status_code == 400
    asked = client.post("/en/account/email", data={"new_email": "Neu@Example.net", "current_password": PASSWORD})
    assert asked.status_code == 302
    [mail] = inbox.wait(1)
    assert "neu@example.net" in mail["To"]
    db.session.commit()
    assert db.session.get(User, booking_world.outsider.id).email == "outsider@example.org"  # not yet
    link = link_in(mail, "/account/email/confirm/")
    assert client.get(link).status_code == 302
    db.session.commit()
    assert db.session.get(User, booking_world.outsider.id).email == "neu@example.net"
    assert client.get(link).status_code == 410  # it has done its work


# --- members and invitations ------------------------------------------------------------------------------


def make_admin(world):
    members.set_admin(world.association, world.member, True)
    db.session.commit()


def test_an_invitation_is_accepted_with_a_new_account_then_the_member_leaves(app, booking_world, inbox):
    make_admin(booking_world)
    client = app.test_client()
    sign_in(client, booking_world.member.email)
    bad = client.post(f"/de/associations/{booking_world.association.id}/members/invite", data={"email": "kein"})
    assert bad.status_code == 400
    sent = client.post(f"/de/associations/{booking_world.association.id}/members/invite",
                       data={"email": "kassenwart@example.net"})
    assert sent.status_code == 302
    [mail] = inbox.wait(1)
    assert mail["Content-Language"] == "de" and "Sprachbrücke" in mail["Subject"]
    link = link_in(mail, "/invitations/")
    newcomer = app.test_client()
    page = newcomer.get(link)
    assert page.status_code == 200 and "kassenwart@example.net" in page.get_data(as_text=True)
    joined = newcomer.post(link, data={"name": "Kim Kasse", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert joined.status_code == 302
    db.session.commit()
    kim = User.by_email("kassenwart@example.net")
    assert kim.is_member_of(booking_world.association) and kim.email_confirmed
    assert not members.is_admin_of(kim, booking_world.association)
    assert db.session.scalar(select(Invitation.email).where(Invitation.accepted_by_id == kim.id)) == ""
    assert app.test_client().get(link).status_code == 410
    roster = client.get(f"/de/associations/{booking_world.association.id}/members").get_data(as_text=True)
    assert "Kim Kasse" in roster
    unconfirmed = newcomer.post(f"/de/associations/{booking_world.association.id}/leave", data={})
    assert unconfirmed.status_code == 400
    left = newcomer.post(f"/de/associations/{booking_world.association.id}/leave", data={"confirm": "y"})
    assert left.status_code == 302
    db.session.commit()
    assert not db.session.get(User, kim.id).is_member_of(booking_world.association)


def test_a_signed_in_user_accepts_in_one_click(app, booking_world, inbox):
    make_admin(booking_world)
    invitation_link = _invite(app, booking_world, booking_world.outsider.email, inbox)
    with time_machine.travel(utcnow() + timedelta(days=15), tick=False):
        late = app.test_client().get(in_english(invitation_link))
    assert late.status_code == 410 and "expired" in late.get_data(as_text=True)
    client = app.test_client()
    page = client.get(invitation_link)
    assert "Sign in to accept" in page.get_data(as_text=True)  # the address has an account
    sign_in(client, booking_world.outsider.email)
    assert client.post(invitation_link, data={}).status_code == 302
    db.session.commit()
    assert db.session.get(User, booking_world.outsider.id).is_member_of(booking_world.association)


def _invite(app, world, email, inbox):
    client = app.test_client()
    sign_in(client, world.member.email)
    assert client.post(f"/en/associations/{world.association.id}/members/invite", data={"email": email}).status_code == 302
    return link_in(inbox.wait(len(inbox.messages) + 1)[-1], "/invitations/")


def test_an_association_always_keeps_an_admin(app, booking_world):
    make_admin(booking_world)
    association, member, other = booking_world.association, booking_world.member, booking_world.outsider
    members.add(association, other)
    db.session.commit()
    client = app.test_client()
    sign_in(client, member.email)
    base = f"/en/associations/{association.id}"
    assert client.post(f"{base}/members/{member.id}/role", data={f"m{member.id}-role": "member"}).status_code == 409
    assert client.post(f"{base}/leave", data={"confirm": "y"}).status_code == 409
    assert client.post(f"{base}/members/{other.id}/role", data={f"m{other.id}-role": "admin"}).status_code == 302
    assert client.post(f"{base}/members/{member.id}/role", data={f"m{member.id}-role": "member"}).status_code == 302
    db.session.commit()
    assert members.admin_count(association) == 1 and members.is_admin_of(other, association)
    assert client.post(f"{base}/members/{other.id}/delete").status_code == 403  # no longer an admin


# --- export -----------------------------------------------------------------------------------------------


def read_zip(response):
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_the_exports_read_back_as_the_database_holds_them(app, booking_world):
    make_admin(booking_world)
    booking = request(booking_world, title="Elterncafé", weekly={"count": 3})
    booking.responsible_name, booking.responsible_phone = "Rana Verantwortlich", "0511 1234"
    db.session.commit()
    client = app.test_client()
    sign_in(client, booking_world.member.email)
    mine = read_zip(client.get("/en/account/export.zip"))
    data = json.loads(mine.read("account.json"))
    assert data["account"]["email"] == booking_world.member.email and data["account"]["name"] == "Mina Member"
    assert data["associations"] == [{"id": booking_world.association.id, "name": "Sprachbrücke", "admin": True}]
    [requested] = data["bookings_requested"]
    assert requested["id"] == booking.id and requested["responsible"]["name"] == "Rana Verantwortlich"
    assert [d["starts_at"] for d in requested["dates"]] == \
        [to_local(o.starts_at, "Europe/Berlin").isoformat() for o in booking.occurrences]
    rows = list(csv.DictReader(io.StringIO(mine.read("bookings.csv").decode())))
    assert len(rows) == 3 and {r["title"] for r in rows} == {"Elterncafé"}
    page = client.get(f"/en/associations/{booking_world.association.id}/").get_data(as_text=True)
    assert f'href="/en/associations/{booking_world.association.id}/export.zip"' in page
    theirs = read_zip(client.get(f"/en/associations/{booking_world.association.id}/export.zip"))
    association = json.loads(theirs.read("association.json"))
    assert association["association"]["email"] == "kontakt@sprachbruecke.example"
    assert {m["email"] for m in association["members"]} == {booking_world.member.email}
    assert [b["id"] for b in association["bookings"]] == [booking.id]
    assert len(association["bookings"][0]["dates"]) == 3
    assert "fee_cents" in association["bookings"][0]["fee"]
    assert set(theirs.namelist()) == {"association.json", "members.csv", "bookings.csv", "events.csv"}


# --- deletion ---------------------------------------------------------------------------------------------


def every_value():
    """Every value of every column of every table, as text."""
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()):
            for column, value in zip(table.columns, row, strict=True):
                if value is None:
                    continue
                if isinstance(value, bytes):
                    value = value.decode("utf-8", "replace")
                yield f"{table.name}.{column.name}", str(value) if not isinstance(value, (dict, list)) \
                    else json.dumps(value, ensure_ascii=False)


def test_after_deletion_no_personal_field_of_the_user_is_left(app, booking_world, inbox):
    member = booking_world.member
    members.add(booking_world.association, booking_world.outsider, admin=True)  # another admin stays
    booking = request(booking_world, title="Nähcafé")
    booking.responsible_name, booking.responsible_phone = "Mina Member", "0176 555"
    db.session.commit()
    client = app.test_client()
    client.post("/en/accessibility", data={"message": "Die Karte ist ohne Maus nicht bedienbar.",
                                           "name": "Mina Member", "email": member.email})
    inbox.wait(2)  # the new-request mail, and the feedback mail to the admin that names the member
    sign_in(app.test_client(), member.email, "wrong password")  # a rate counter keyed by the address
    sign_in(client, member.email)
    client.post("/en/account/tokens", data={"name": "Website", "current_password": PASSWORD})
    assert client.get("/en/account/delete").status_code == 200
    refused = client.post("/en/account/delete", data={"current_password": "nope", "confirm": "y"})
    assert refused.status_code == 400
    gone = client.post("/en/account/delete", data={"current_password": PASSWORD, "confirm": "y"})
    assert gone.status_code == 302 and not signed_in(client)
    db.session.commit()
    found = [(where, value) for where, value in every_value()
             if "member@example.org" in value.lower() or "mina member" in value.lower() or "0176 555" in value]
    assert found == []
    feedback = db.session.scalar(select(OutboxMail).where(OutboxMail.recipient.contains("admin@example.org")))
    assert feedback.status == "sent" and feedback.message is None  # a mail to someone else that named them
    kept = db.session.get(Booking, booking.id)
    assert kept is not None and kept.created_by_id == member.id and kept.title == "Nähcafé"
    manager = app.test_client()
    sign_in(manager, booking_world.manager.email)
    assert "deleted member" in manager.get(f"/en/bookings/{booking.id}/").get_data(as_text=True)
    assert sign_in(app.test_client(), "member@example.org").status_code == 400


def test_the_last_admin_of_an_association_with_members_cannot_delete_the_account(app, booking_world):
    make_admin(booking_world)
    members.add(booking_world.association, booking_world.outsider)
    db.session.commit()
    client = app.test_client()
    sign_in(client, booking_world.member.email)
    page = client.post("/en/account/delete", data={"current_password": PASSWORD, "confirm": "y"})
    assert page.status_code == 409 and "only admin" in page.get_data(as_text=True)
    db.session.commit()
    assert db.session.get(User, booking_world.member.id).deleted_at is None


def test_an_admin_deletes_an_association_and_its_future_dates_are_cancelled(app, booking_world, inbox):
    booking = request(booking_world, title="Chorprobe")
    client = app.test_client()
    sign_in(client, booking_world.admin.email)
    base = f"/en/associations/{booking_world.association.id}"
    assert f'action="{base}/delete"' in client.get(f"{base}/").get_data(as_text=True)
    assert client.post(f"{base}/delete", data={"reason": "Verein aufgelöst"}).status_code == 302  # no tick: kept
    db.session.commit()
    assert db.session.get(Booking, booking.id).status == "pending"
    assert client.post(f"{base}/delete", data={"reason": "Verein aufgelöst", "confirm": "y"}).status_code == 302
    db.session.commit()
    kept = db.session.get(Booking, booking.id)
    assert kept.status == "cancelled" and kept.association.deleted_at is not None
    assert kept.association.email == "" and kept.association.members == []


def test_purge_removes_personal_data_of_bookings_past_the_retention_period(app, booking_world, runner):
    booking = request(booking_world, title="Sommerfest")
    booking.responsible_name, booking.note = "Rana Verantwortlich", "Ruft an unter 0511 99"
    db.session.commit()
    assert runner.invoke(args=["purge", "--older-than", "3x"]).exit_code == 2
    assert "0 " in runner.invoke(args=["purge", "--older-than", "3y"]).output
    db.session.commit()
    assert db.session.get(Booking, booking.id).responsible_name == "Rana Verantwortlich"
    with time_machine.travel(utcnow() + timedelta(days=3 * 366 + 30), tick=False):
        result = runner.invoke(args=["purge", "--older-than", "3y"])
    assert result.exit_code == 0 and result.output.startswith("1 ")
    db.session.commit()
    purged = db.session.get(Booking, booking.id)
    assert (purged.responsible_name, purged.note, purged.created_by_id) == ("", "", None)
    assert purged.title == "Sommerfest" and len(purged.occurrences) == 1


# --- statements -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["de", "en", "tr", "ar", "uk", "ru", "it", "el", "hr", "fa"])
def test_the_statements_exist_in_every_language_and_every_footer_links_them(client, lang):
    home = client.get(f"/{lang}/").get_data(as_text=True)
    for page in ("privacy", "imprint", "accessibility"):
        assert f'href="/{lang}/{page}"' in home
        response = client.get(f"/{lang}/{page}")
        assert response.status_code == 200 and f'lang="{lang}"' in response.get_data(as_text=True)


def test_admins_edit_a_statement_per_language_with_the_fallback(app, booking_world):
    client = app.test_client()
    sign_in(client, booking_world.admin.email)
    body = {"text-de": "Anbieter\nStadt Musterstadt, Rathausplatz 1", "text-tr": "Sağlayıcı\nMusterstadt Belediyesi"}
    assert client.post("/en/manage/statements/imprint", data=body).status_code == 302
    assert "Musterstadt Belediyesi" in app.test_client().get("/tr/imprint").get_data(as_text=True)
    german = app.test_client().get("/ar/imprint").get_data(as_text=True)
    assert "Rathausplatz 1" in german and 'lang="de"' in german  # no Arabic text: the German one, marked
    member = app.test_client()
    sign_in(member, booking_world.member.email)
    assert member.post("/en/manage/statements/imprint", data=body).status_code == 403


def test_accessibility_feedback_reaches_the_admins_in_their_language(app, booking_world, inbox):
    client = app.test_client()
    empty = client.post("/ar/accessibility", data={"message": ""})
    assert empty.status_code == 400
    sent = client.post("/ar/accessibility", data={"message": "Der Kalender ist mit dem Screenreader schwer zu "
                                                             "bedienen.", "email": "leser@example.net"})
    assert sent.status_code == 302
    mails = inbox.wait(1)
    [mail] = [m for m in mails if booking_world.admin.email in m["To"]]
    assert mail["Content-Language"] == "en" and "Screenreader" in mail.get_body(("plain",)).get_content()
    assert "leser@example.net" in mail.get_body(("plain",)).get_content()
