"""Bugs found by clicking through the demo city as its users would, and by feeding it bad input.

Each test names what a user did and what they got before the fix (a 500 or worse).
"""

from datetime import date

import pytest
from booking_support import booking_world_fixture, count_bookings, form_data, login, text_of  # noqa: F401

HUGE = ["2147483648", "9223372036854775808", "99999999999999999999999"]


# --- ids beyond the database's integer range in page addresses ------------------------------------
# SQLite raised OverflowError ("Python int too large to convert to SQLite INTEGER"), PostgreSQL
# "integer out of range": a 500 instead of a 404.


@pytest.mark.parametrize("huge", HUGE)
@pytest.mark.parametrize("method, path", [
    ("GET", "/en/bookings/{id}/"),
    ("POST", "/en/bookings/{id}/approve"),
    ("POST", "/en/bookings/{id}/reject"),
    ("POST", "/en/bookings/{id}/cancel"),
    ("POST", "/en/bookings/{id}/withdraw"),
    ("GET", "/en/rooms/{id}/book"),
    ("POST", "/en/rooms/{id}/book"),
    ("GET", "/en/manage/rooms/{id}/week"),
    ("GET", "/en/manage/centres/nordstadt/rooms/{id}/edit"),
    ("POST", "/en/manage/centres/nordstadt/closures/{id}/delete"),
])
def test_an_id_too_large_for_the_database_is_not_found(client, booking_world, method, path, huge):
    login(client, booking_world.admin)
    response = client.open(path.format(id=huge), method=method)
    assert response.status_code == 404


# --- the request form with a year the calendar cannot hold ---------------------------------------
# "Check the dates" (or "Send") with the first date 0001-01-01 showed the room's week of that date;
# its start in UTC lies before year 1: OverflowError, a 500.


@pytest.mark.parametrize("button", ["check", "send"])
@pytest.mark.parametrize("extra", [
    {"date": "0001-01-01"},
    {"date": "0001-01-01", "repeat": "weekly", "count": "3"},
    {"date": "9999-12-31"},
    {"date": "9999-12-20", "repeat": "weekly", "until": "9999-12-31"},
])
def test_request_form_with_a_far_year_answers_with_a_message(client, booking_world, button, extra):
    login(client, booking_world.member)
    data = form_data(date(2030, 1, 1), association=str(booking_world.association.id), **extra)
    data.pop("send")
    data[button] = "x"
    before = count_bookings()
    response = client.post(f"/en/rooms/{booking_world.room.id}/book", data=data)
    assert response.status_code < 500
    assert count_bookings() == before
    if button == "send":
        assert response.status_code == 422
        assert "The request was not sent" in text_of(response)


# --- the language switcher on a page shown by a form's POST-only address ----------------------------
# A manager who forgot the reason for a rejection saw the booking page again at /en/bookings/7/reject;
# switching to Turkish there opened /tr/bookings/7/reject with GET: 405 Method Not Allowed. The same on
# the account page after creating an API token (/en/account/tokens) or mistyping the password.


def language_links(response) -> dict:
    import html
    import re

    body = response.get_data(as_text=True)
    switcher = body[body.index('class="language-switcher"'):]
    return {lang: html.unescape(href) for href, lang in re.findall(r'<a href="([^"]+)" lang="([a-z]+)"', switcher)}


def test_language_switch_after_a_refused_decision_opens_the_booking_page(client, booking_world):
    from booking_support import request

    booking = request(booking_world)
    login(client, booking_world.manager)
    refused = client.post(f"/en/bookings/{booking.id}/reject", data={f"reject-{booking.id}-reason": ""})
    assert refused.status_code == 422
    links = language_links(refused)
    assert links["tr"] == f"/tr/bookings/{booking.id}/"
    page = client.get(links["tr"])
    assert page.status_code == 200 and '<html lang="tr"' in page.get_data(as_text=True)


@pytest.mark.parametrize("path, data", [
    ("/en/account/tokens", {"name": "Telefon"}),
    ("/en/account/password", {"current_password": "wrong", "new_password": "a-new-password", "confirm": "x"}),
])
def test_language_switch_on_the_account_page_shown_by_a_form(client, booking_world, path, data):
    login(client, booking_world.member)
    response = client.post(path, data=data)
    links = language_links(response)
    assert links["uk"] == "/uk/account/"
    assert client.get(links["uk"]).status_code == 200


def test_language_switch_on_ordinary_pages_keeps_page_and_query(client, booking_world):
    response = client.get("/en/events/?audience=women&language=tr")
    assert language_links(response)["ar"] == "/ar/events/?audience=women&language=tr"


# --- mail without a mail server --------------------------------------------------------------------
# README: "no server: mails are written to the log". They were logged at INFO, below what `flask run`
# and gunicorn show (the app logger inherits WARNING): after approving and rejecting requests in the
# demo, neither server's log had a single mail, and nobody could tell that mail was not going out.
# Since issue #23 the line names the mail and its subject, never the address or the body (personal data).


def test_without_a_mail_server_mail_shows_in_a_default_log(app, booking_world, caplog):
    import logging

    from booking_support import request

    assert not app.config["MAIL_SERVER"]
    assert app.logger.level == logging.NOTSET  # as under flask run / gunicorn: the root's level applies
    from mail_support import deliver

    with caplog.at_level(logging.WARNING):  # the root logger's default level
        request(booking_world)
        deliver()  # the worker (make run starts one) writes a line per mail to its log
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == app.logger.name)
    assert "not sent: no MAIL_SERVER configured" in logged and "Deutschkurs" in logged
    assert "manager@example.org" not in logged and "Hello" not in logged


# --- an event's category sent as a blank ---------------------------------------------------------
# The edit form's category is optional, and WTForms' Optional() passes a whitespace-only value without
# the choice check: " " was stored as the category key, which no category has (FOREIGN KEY failed: 500).


@pytest.mark.parametrize("blank", [" ", "\t", "  \n"])
def test_event_edit_with_a_blank_category_means_no_category(client, booking_world, blank):
    from booking_support import approve, request, submit

    from events.models import Event
    from extensions import db

    booking = approve(booking_world, request(booking_world, event={"title": {"de": "Sprachcafé"}, "category_key": "encounter"}))
    event = booking.event
    login(client, booking_world.member)
    page = client.get(f"/en/events/{event.id}/edit")
    assert page.status_code == 200

    url = f"/en/events/{event.id}/edit"
    response = submit(client, page.get_data(as_text=True), "", {"category_key": blank}, page_url=url)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).category_key is None
