"""Event content has one rule (events.rules) for every path: the request form, the JSON API, a centre's own
event and the edit form refuse the same content with the same translated message, and store nothing."""

import pytest
from booking_support import api_body, booking_world_fixture, form_data, login, next_weekday, text_of  # noqa: F401
from eventdata import make_event
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from events.models import Event
from extensions import db

PRICE = "Please give the price, or mark the event as free of charge."
ADDRESS = "Please enter a web address such as https://example.org."

# content -> the message every path gives (None: accepted)
CASES = {
    "not free without a price": ({"is_free": False, "price": ""}, PRICE),
    "not free with a price": ({"is_free": False, "price": "3 €"}, None),
    "an ftp address": ({"registration_url": "ftp://example.org/x"}, ADDRESS),
    "an address with a space": ({"registration_url": "https://exa mple.org"}, ADDRESS),
    "an address without a host": ({"registration_url": "https://"}, ADDRESS),
    "a real address": ({"registration_url": "https://example.org/anmelden"}, None),
}


def german(message):
    with force_locale("de"):
        return _(message)


def form_fields(content) -> dict:
    fields = {}
    if content.get("is_free", True):
        fields["is_free"] = "y"
    for key in ("price", "registration_url"):
        if key in content:
            fields[key] = content[key]
    return fields


def by_request_form(client, world, content, token_for):
    login(client, world.member, lang="de")
    data = form_data(next_weekday(1, 14), association=str(world.association.id), publish="y",
                     **{"event_title-de": "Offener Treff"}, **form_fields(content))
    response = client.post(f"/de/rooms/{world.room.id}/book", data=data)
    return response.status_code in (302, 303), text_of(response)


def by_api(client, world, content, token_for):
    event = {"title": {"de": "Offener Treff"}, **content}
    response = client.post("/api/v1/bookings", json=api_body(world, event=event), headers=token_for(world.member))
    body = response.get_json()
    if response.status_code == 201:
        return True, ""
    return False, " ".join(m for messages in body["error"].get("fields", {}).values() for m in messages)


def by_centre_event(client, world, content, token_for):
    login(client, world.manager, lang="de")
    data = {"title-de": "Offener Treff", "room_id": str(world.room.id), "day": next_weekday(2, 14).isoformat(),
            "start_time": "10:00", "end_time": "12:00", **form_fields(content)}
    response = client.post(f"/de/manage/centres/{world.centre.slug}/events/new", data=data)
    return response.status_code in (302, 303), text_of(response)


def by_edit_form(client, world, content, token_for):
    event = make_event(world.centre, world.room, association=world.association, title={"de": "Chor"})
    login(client, world.manager, lang="de")
    data = {"title-de": "Offener Treff", **form_fields(content)}
    response = client.post(f"/de/events/{event.id}/edit", data=data)
    db.session.expire_all()
    saved = db.session.get(Event, event.id).title == {"de": "Offener Treff"}
    assert saved == (response.status_code in (302, 303)), "refused means nothing saved"
    return saved, text_of(response)


PATHS = {"request form": by_request_form, "api": by_api, "centre's event": by_centre_event, "edit": by_edit_form}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", CASES)
def test_every_path_checks_event_content_alike(client, booking_world, token_for, path, case):
    content, message = CASES[case]
    events_before = db.session.scalar(select(func.count(Event.id)))
    accepted, output = PATHS[path](client, booking_world, content, token_for)
    if message is None:
        assert accepted, output
        return
    assert not accepted
    assert german(message) in output, output
    created = db.session.scalar(select(func.count(Event.id))) - events_before
    assert created == (1 if path == "edit" else 0), "a refused event is not stored"
