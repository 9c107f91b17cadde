"""Programmes (#19, first part): who may edit a programme, accept and invite partners and mark events; the
public pages, API and feed; the programme's feed and /api/v1/events?programme= agree date for date."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from booking_support import api_body, booking_world_fixture, login, next_weekday, text_of  # noqa: F401
from sqlalchemy import select

from accounts import members
from events.models import Event
from extensions import db
from programmes.models import ACCEPTED, ASKED, INVITED, Programme, ProgrammePartner
from tests.feeds_support import (  # noqa: F401 (empty_feed_cache: autouse fixture)
    empty_feed_cache,
    expand_both,
    local_day,
    make_series,
    next_transitions,
)


@pytest.fixture
def programmes(booking_world, make_user):
    world = booking_world
    alliance = Programme(slug="buendnis", kind="alliance", name={"de": "Bündnis für Integration",
                                                                 "en": "Alliance for integration"},
                         summary={"en": "Associations and centres together."},
                         funding_notice={"en": "Funded by the city."}, hashtag="#Buendnis")
    festival = Programme(slug="kinderfest", kind="festival", name={"de": "Internationales Kinderfest"})
    coordinator = make_user("member", email="coord@example.org", name="Cora Coordinator")
    other_coordinator = make_user("member", email="coord2@example.org")
    alliance.coordinators = [coordinator]
    festival.coordinators = [other_coordinator]
    alliance.centres = [world.centre]
    db.session.add_all([alliance, festival])
    members.set_admin(world.association, world.member, True)
    plain = make_user("member", email="plain@example.org", associations=[world.association])
    db.session.commit()
    return alliance, festival, coordinator, other_coordinator, plain


def link_of(programme, association):
    db.session.commit()
    return db.session.scalar(select(ProgrammePartner).where(ProgrammePartner.programme_id == programme.id,
                                                            ProgrammePartner.association_id == association.id))


def as_user(client, user):
    client.post("/en/logout")
    if user is not None:
        login(client, user)


# --- the role matrix ------------------------------------------------------------------------


def test_who_may_edit_a_programme(client, booking_world, programmes):
    world = booking_world
    alliance, festival, coordinator, other_coordinator, plain = programmes
    expected = [(coordinator, 200), (other_coordinator, 403), (world.member, 403), (plain, 403),
                (world.manager, 403), (world.admin, 200)]
    for user, status in expected:
        as_user(client, user)
        assert client.get("/en/programmes/buendnis/manage").status_code == status, user.email
        answer = client.post("/en/programmes/buendnis/manage", data={
            "name-en": f"Alliance {user.id}", "kind": "alliance", "slug": "buendnis",
            "coordinator_emails": "coord@example.org", "centre_ids": world.centre.id})
        assert answer.status_code == (302 if status == 200 else 403), user.email
    as_user(client, None)
    assert client.get("/en/programmes/buendnis/manage").status_code == 302  # sign in first
    assert client.post("/en/programmes/buendnis/manage", data={"name-en": "X"}).status_code == 302
    db.session.commit()
    assert db.session.get(Programme, alliance.id).name == {"en": f"Alliance {world.admin.id}"}
    # a coordinator cannot change the address or the coordinators; only admins create programmes
    as_user(client, coordinator)
    client.post("/en/programmes/buendnis/manage", data={"name-en": "Renamed", "kind": "alliance", "slug": "gone",
                                                        "coordinator_emails": "coord@example.org, plain@example.org"})
    db.session.commit()
    programme = db.session.get(Programme, alliance.id)
    assert programme.slug == "buendnis" and [u.email for u in programme.coordinators] == ["coord@example.org"]
    assert client.get("/en/manage/programmes/new").status_code == 403
    as_user(client, world.admin)
    answer = client.post("/en/manage/programmes/new", data={"name-de": "Kampagne", "slug": "kampagne",
                                                            "kind": "campaign", "hashtag": "WirSindDa",
                                                            "coordinator_emails": "coord2@example.org"})
    assert answer.status_code == 302
    created = Programme.by_slug("kampagne")
    assert created.hashtag == "#WirSindDa" and [u.email for u in created.coordinators] == ["coord2@example.org"]
    taken = client.post("/en/manage/programmes/new", data={"name-de": "Noch eins", "slug": "kampagne", "kind": "other"})
    assert taken.status_code == 400 and "taken" in text_of(taken)


def test_partners_ask_and_are_invited(client, booking_world, programmes):
    world = booking_world
    alliance, festival, coordinator, other_coordinator, plain = programmes
    # a plain member cannot ask for the association; its admin can
    as_user(client, plain)
    assert client.post("/en/programmes/buendnis/join", data={"association": world.association.id}).status_code == 403
    assert link_of(alliance, world.association) is None
    as_user(client, world.member)
    assert client.post("/en/programmes/buendnis/join", data={"association": world.association.id}).status_code == 302
    link = link_of(alliance, world.association)
    assert link.status == ASKED
    # not public until accepted
    as_user(client, None)
    assert "Sprachbrücke" not in text_of(client.get("/en/programmes/buendnis/"))
    assert client.get("/api/v1/programmes/buendnis").get_json()["partners"] == []
    # who may accept the request: the programme's coordinators and admins only
    for user, status in ((world.member, 403), (plain, 403), (other_coordinator, 403), (world.manager, 403)):
        as_user(client, user)
        assert client.post(f"/en/programmes/buendnis/partners/{link.id}/accept").status_code == status
    as_user(client, None)
    assert client.post(f"/en/programmes/buendnis/partners/{link.id}/accept").status_code == 302
    assert link_of(alliance, world.association).status == ASKED
    as_user(client, coordinator)
    assert client.post(f"/en/programmes/buendnis/partners/{link.id}/accept").status_code == 302
    assert link_of(alliance, world.association).status == ACCEPTED
    body = client.get("/api/v1/programmes/buendnis?lang=en").get_json()
    assert body["partners"] == [{"id": world.association.id, "name": "Sprachbrücke", "role": "partner",
                                  "logo": None}]
    assert body["centres"] == ["nordstadt"] and body["hashtag"] == "#Buendnis" and body["kind"] == "alliance"
    # an invitation: the coordinator invites, the association's admin accepts (not the other coordinator)
    as_user(client, other_coordinator)
    assert client.post("/en/programmes/buendnis/invite", data={"association": world.other_association.id,
                                                              "role": "lead"}).status_code == 403
    as_user(client, coordinator)
    assert client.post("/en/programmes/buendnis/invite", data={"association": world.other_association.id,
                                                              "role": "lead"}).status_code == 302
    invited = link_of(alliance, world.other_association)
    assert (invited.status, invited.role) == (INVITED, "lead")
    assert client.post(f"/en/programmes/buendnis/partners/{invited.id}/accept").status_code == 403
    members.set_admin(world.other_association, world.other_member, True)
    db.session.commit()
    as_user(client, world.other_member)
    assert client.post(f"/en/programmes/buendnis/partners/{invited.id}/accept").status_code == 302
    assert link_of(alliance, world.other_association).status == ACCEPTED
    # the association leaves; a stranger cannot remove it
    as_user(client, world.outsider)
    assert client.post(f"/en/programmes/buendnis/partners/{invited.id}/remove").status_code == 403
    as_user(client, world.other_member)
    assert client.post(f"/en/programmes/buendnis/partners/{invited.id}/remove").status_code == 302
    assert link_of(alliance, world.other_association) is None


# --- events ---------------------------------------------------------------------------------


def test_partners_mark_their_events_and_coordinators_add_or_remove_them(client, booking_world, programmes, token_for):
    world = booking_world
    alliance, festival, coordinator, other_coordinator, plain = programmes
    day = next_weekday(2, 14)
    body = api_body(world, day=day, association_id=world.association.id,
                    event={"title": {"de": "Sprachcafé"}, "programmes": ["buendnis"]})
    refused = client.post("/api/v1/bookings", json=body, headers=token_for(world.member))
    assert refused.status_code == 422 and "event.programmes" in refused.get_json()["error"]["fields"]
    unknown = client.post("/api/v1/bookings", json={**body, "event": {"programmes": ["nope"]}},
                          headers=token_for(world.member))
    assert unknown.status_code == 422 and "event.programmes" in unknown.get_json()["error"]["fields"]
    db.session.add(ProgrammePartner(programme=alliance, association=world.association, status=ACCEPTED))
    db.session.commit()
    answer = client.post("/api/v1/bookings", json=body, headers=token_for(world.member))
    assert answer.status_code == 201, answer.get_json()
    event = db.session.scalars(select(Event)).one()
    assert [p.slug for p in event.programmes] == ["buendnis"]
    # not in a programme it is not a partner of, even together with one it is
    both = client.post("/api/v1/bookings", json={**api_body(world, day=day + timedelta(days=7),
                                                            association_id=world.association.id),
                                                 "event": {"programmes": ["buendnis", "kinderfest"]}},
                       headers=token_for(world.member))
    assert both.status_code == 422
    # coordinators: of this programme only
    as_user(client, other_coordinator)
    assert client.post(f"/en/programmes/buendnis/events/{event.id}/remove").status_code == 403
    assert client.post("/en/programmes/buendnis/events", data={"event_id": event.id}).status_code == 403
    as_user(client, coordinator)
    assert client.post(f"/en/programmes/buendnis/events/{event.id}/remove").status_code == 302
    db.session.commit()
    assert db.session.get(Event, event.id).programmes == []
    assert client.post("/en/programmes/buendnis/events", data={"event_id": event.id}).status_code == 302
    db.session.commit()
    assert [p.slug for p in db.session.get(Event, event.id).programmes] == ["buendnis"]


def test_the_programme_feed_and_the_api_agree_date_for_date(client, booking_world, programmes):
    world = booking_world
    alliance = programmes[0]
    spring, autumn = next_transitions()
    first = local_day(3, 18)
    weeks = (max(spring, autumn).date() - first.date()).days // 7 + 3
    series = make_series(world.centre, world.room, first, count=weeks, statuses={2: "cancelled"},
                         association=world.association)
    single = make_series(world.centre, world.small_room, local_day(10, 10), association=world.association)
    make_series(world.centre, world.other_room, local_day(11, 10))  # not in the programme
    series.programmes = [alliance]
    single.programmes = [alliance]
    db.session.commit()
    feed = client.get("/en/programmes/buendnis/events.ics")
    assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("text/calendar")
    start = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1)
    end = start + timedelta(days=400)
    seen = expand_both(feed.data, start, end)
    from_feed = sorted((s.start, s.status) for s in seen)
    items = client.get(f"/api/v1/events?programme=buendnis&end={(end.date()).isoformat()}&limit=1000").get_json()
    from_api = sorted((datetime.fromisoformat(i["start"]).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "CANCELLED" if i["status"] == "cancelled" else "CONFIRMED") for i in items["items"])
    assert from_feed == from_api
    assert len(from_api) == weeks + 1 and ("CANCELLED" in {s for _, s in from_api})
    assert all(i["programmes"] == ["buendnis"] for i in items["items"])
    assert items["items"][0]["organisers"] == [{"id": world.association.id, "name": "Sprachbrücke"}]
    # the same UIDs as the city-wide feed
    def uids(body):
        return {str(event["UID"]) for event in icalendar.Calendar.from_ical(body).walk("VEVENT")}

    assert uids(feed.data) and uids(feed.data) < uids(client.get("/en/events.ics").data)


def test_public_pages(client, booking_world, programmes):
    world = booking_world
    alliance = programmes[0]
    db.session.add(ProgrammePartner(programme=alliance, association=world.other_association, status=ACCEPTED,
                                    role="lead"))
    db.session.add(ProgrammePartner(programme=alliance, association=world.association, status=INVITED))
    db.session.commit()
    page = text_of(client.get("/en/programmes/"))
    assert "Alliance for integration" in page and "Internationales Kinderfest" in page
    page = text_of(client.get("/en/programmes/buendnis/"))
    assert "Funded by the city." in page and "SV Nordstadt (Lead partner)" in page
    assert "Sprachbrücke" not in page  # invited, not accepted
    assert "/en/programmes/buendnis/events.ics" in client.get("/en/programmes/buendnis/").get_data(as_text=True)
    ar = client.get("/ar/programmes/buendnis/")
    assert ar.status_code == 200 and 'dir="rtl"' in ar.get_data(as_text=True)
    assert client.get("/en/programmes/nope/").status_code == 404
    assert client.get("/api/v1/programmes/nope").status_code == 404
    assert [p["slug"] for p in client.get("/api/v1/programmes").get_json()["items"]] == ["buendnis", "kinderfest"]
    assert client.get("/en/events/?programme=buendnis").status_code == 200
    poster = text_of(client.get("/en/programmes/buendnis/poster"))
    assert "#Buendnis" in poster and "Funded by the city." in poster and "programmes/buendnis/events.ics" in poster
    assert client.get("/en/events/?programme=%3Cx%3E").status_code in (200, 400)


def test_coordinators_export_the_programmes_dates(client, booking_world, programmes):
    import csv
    import io

    from openpyxl import load_workbook

    from programmes.cooperations import Cooperation

    world = booking_world
    alliance, festival, coordinator, other_coordinator, plain = programmes
    event = make_series(world.centre, world.room, local_day(5, 18), count=2, statuses={1: "cancelled"},
                        association=world.association, audiences=["families"], languages=["de", "ar"])
    event.programmes = [alliance]
    event.booking.cooperations.append(Cooperation(association=world.other_association, status="accepted"))
    event.booking.cooperations.append(Cooperation(association=world.unverified, status="declined"))
    event.booking.occurrences[0].participants = 23
    db.session.commit()
    for user, status in ((other_coordinator, 403), (world.member, 403), (world.manager, 403)):
        as_user(client, user)
        assert client.get("/en/programmes/buendnis/events.csv").status_code == status
    as_user(client, coordinator)
    answer = client.get("/en/programmes/buendnis/events.csv")
    assert answer.status_code == 200 and answer.data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert table[0][:3] == ["Organiser", "Co-organisers", "Title"]
    assert [(r[0], r[1], r[2], r[9], r[10], r[11], r[12]) for r in table[1:]] == [
        ("Sprachbrücke", "SV Nordstadt", "German course", "Families", "de, ar", "23", "held or planned"),
        ("Sprachbrücke", "SV Nordstadt", "German course", "Families", "de, ar", "", "cancelled")]
    book = load_workbook(io.BytesIO(client.get("/ar/programmes/buendnis/events.xlsx").data))
    assert book.active.sheet_view.rightToLeft and book.active.max_row == 4 + 2


def test_the_feed_names_its_programmes_and_the_organiser(client, booking_world, programmes):
    world = booking_world
    alliance, festival = programmes[0], programmes[1]
    event = make_series(world.centre, world.room, local_day(3, 18), association=world.association,
                        title={"en": "Their event"})
    own = make_series(world.centre, world.small_room, local_day(4, 10), title={"en": "Own event"})
    event.programmes = [alliance, festival]
    own.programmes = [alliance]
    db.session.commit()

    def vevents(body):
        found = {}
        for item in icalendar.Calendar.from_ical(body).walk("VEVENT"):
            lines = item.get("CATEGORIES")
            lines = lines if isinstance(lines, list) else [lines]
            found[str(item["SUMMARY"])] = (item["ORGANIZER"], [str(c) for line in lines for c in line.cats])
        return found

    feed = client.get("/en/programmes/buendnis/events.ics")
    found = vevents(feed.data)
    organiser, categories = found["Their event"]
    assert organiser.params["CN"] == "Sprachbrücke"
    assert str(organiser).endswith(f"/en/events/?organiser={world.association.id}")
    assert {"Alliance for integration", "Internationales Kinderfest"} <= set(categories)
    organiser, categories = found["Own event"]
    assert organiser.params["CN"] == world.centre.display_name("en")
    assert str(organiser).endswith(f"/en/centres/{world.centre.slug}/")
    assert "Alliance for integration" in categories and "Internationales Kinderfest" not in categories
    # a renamed programme reaches the feeds at once: a new version, not the cached one
    city = client.get("/en/events.ics")
    assert client.get("/en/events.ics", headers={"If-None-Match": city.headers["ETag"]}).status_code == 304
    alliance.name = {"en": "Alliance for everyone"}
    db.session.commit()
    for url, before in (("/en/events.ics", city), ("/en/programmes/buendnis/events.ics", feed)):
        again = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
        assert again.status_code == 200 and b"Alliance for everyone" in again.data.replace(b"\r\n ", b"")


@pytest.fixture
def threshold(app):
    def change(value):
        app.config["FIGURES_MIN_COUNT"] = value
        app.extensions.pop("page_cache", None)  # the pages of the old setting (the setting is not in their key)

    before = app.config["FIGURES_MIN_COUNT"]
    yield change
    app.config["FIGURES_MIN_COUNT"] = before


def test_the_programme_page_shows_its_figures_without_small_cells(client, booking_world, programmes, threshold):
    world = booking_world
    alliance = programmes[0]
    first = local_day(3, 18)
    alliance.starts_on, alliance.ends_on = first.date() - timedelta(days=7), first.date() + timedelta(days=60)
    db.session.add(ProgrammePartner(programme=alliance, association=world.association, status=ACCEPTED))
    series = make_series(world.centre, world.room, first, count=4, statuses={1: "cancelled"},
                         association=world.association, languages=["de", "ar"])
    series.programmes = [alliance]
    series.booking.occurrences[0].participants = 12
    make_series(world.centre, world.other_room, first, association=world.other_association)  # not in it
    db.session.commit()

    def figures():
        page = text_of(client.get("/en/programmes/buendnis/"))
        return page[page.index("The programme in figures"):page.index("The city's open figures")]

    shown = figures()
    assert "Partners 1" in shown and "Centres 1" in shown
    assert "Dates held" not in shown and "at least 3 associations" in shown  # one association: withheld
    threshold(1)
    shown = figures()
    assert "Public events 1" in shown and "Dates held 3" in shown  # the cancelled date is not held
    assert "Languages 2" in shown and "Participants 12" in shown


def test_an_edited_event_joins_and_leaves_programmes(client, booking_world, programmes):
    world = booking_world
    alliance, festival = programmes[0], programmes[1]
    event = make_series(world.centre, world.room, local_day(3, 18), association=world.association,
                        title={"de": "Chor"})
    db.session.commit()
    login(client, world.member)
    url = f"/en/events/{event.id}/edit"
    assert 'name="programme_slugs"' not in client.get(url).get_data(as_text=True)  # a partner of none
    db.session.add(ProgrammePartner(programme=alliance, association=world.association, status=ACCEPTED))
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert 'value="buendnis"' in page and 'value="kinderfest"' not in page
    sequence = event.sequence
    data = {"title-de": "Chor", "is_free": "y", "programme_slugs": "buendnis"}
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    assert [p.slug for p in db.session.get(Event, event.id).programmes] == ["buendnis"]
    assert db.session.get(Event, event.id).sequence > sequence  # subscribed calendars see the new CATEGORIES
    # a programme it is not a partner of (a hand-edited form): refused, nothing changed
    answer = client.post(url, data={**data, "title-de": "Chor 2", "programme_slugs": ["buendnis", "kinderfest"]})
    assert answer.status_code == 400
    db.session.expire_all()
    assert db.session.get(Event, event.id).title == {"de": "Chor"}
    # a coordinator's addition stays choosable; leaving every programme
    event = db.session.get(Event, event.id)
    event.programmes.append(festival)
    db.session.commit()
    assert 'value="kinderfest"' in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"title-de": "Chor", "is_free": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).programmes == []
