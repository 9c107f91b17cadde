"""Unmet demand (#20) against a hand-counted world: dates refused (409, or left out of a series), places on the
waiting list, and those the line served later; in the reports, on the report page, and in the open figures with
small-cell suppression.

The world (booking_support's, plus a migrant organisation "Anadolu"), dates on a Tuesday T ≥ 3 weeks ahead:
- the world's association (kind club) holds the Großer Saal on T 18:00–20:00 (approved);
- SV Nordstadt (club) asks for it three times → 409 each time: ONE date refused;
- Anadolu (migrant organisation) asks for it → 409: one date refused;
- SV Nordstadt asks for Linden's Tanzraum on T 10:00–12:00, which the world's association holds:
  one date refused, in the other centre;
- SV Nordstadt and then Anadolu join the line for the Saal on T: two places;
- the holder cancels; SV Nordstadt accepts the offer and the manager approves: ONE served.

By centre: Nordstadt refused 2, waiting 2, served 1, associations 2; Linden refused 1, waiting 0, served 0,
associations 1. Totals: refused 3, waiting 2, served 1, associations 2. By kind: club refused 2, waiting 1,
served 1; migrant organisation refused 1, waiting 1, served 0. By weekday and hour: Tuesday 18h 4, Tuesday 10h 1.
"""

from datetime import timedelta

import pytest
from booking_support import api_body, approve, booking_world_fixture, login, next_weekday, request, text_of  # noqa: F401

from bookings import services
from bookings.models import Booking
from extensions import db
from reports import demand
from reports.queries import Period


@pytest.fixture
def counted(client, booking_world, make_association, make_user, token_for):
    world = booking_world
    day = next_weekday(1, 21)
    held = request(world, day=day)
    approve(world, held)
    linden = request(world, room=world.other_room, day=day, start="10:00", end="12:00")
    services.approve(linden, world.other_manager)
    db.session.commit()
    anadolu = make_association("Anadolu", email="anadolu@example.org", kind="migrant_organisation")
    anadolu_member = make_user("member", email="anadolu-member@example.org", associations=[anadolu])
    sv, ana = token_for(world.other_member), token_for(anadolu_member)
    saal = api_body(world, day=day)
    for _ in range(3):
        assert client.post("/api/v1/bookings", json={**saal, "association_id": world.other_association.id},
                           headers=sv).status_code == 409
    assert client.post("/api/v1/bookings", json={**saal, "association_id": anadolu.id}, headers=ana).status_code == 409
    tanz = api_body(world, day=day, start="10:00", end="12:00", room_id=world.other_room.id,
                    association_id=world.other_association.id)
    assert client.post("/api/v1/bookings", json=tanz, headers=sv).status_code == 409
    first = client.post("/api/v1/waitlist", json={**saal, "association_id": world.other_association.id}, headers=sv)
    assert client.post("/api/v1/waitlist", json={**saal, "association_id": anadolu.id}, headers=ana).status_code == 201
    services.cancel(held, world.member)
    db.session.commit()
    accepted = client.post(f"/api/v1/waitlist/{first.get_json()['id']}/accept", headers=sv).get_json()
    approve(world, db.session.get(Booking, accepted["booking"]["id"]))
    return world, day


def test_unmet_demand_by_centre_kind_and_hour(counted):
    world, day = counted
    period = Period(day - timedelta(days=1), day + timedelta(days=2))
    groups, totals = demand.demand(period, None, "centre")
    figures = {key: (d.refused, d.waiting, d.served, d.associations) for key, d in groups.items()}
    assert figures == {world.centre.id: (2, 2, 1, 2), world.other_centre.id: (1, 0, 0, 1)}
    assert (totals.refused, totals.waiting, totals.served, totals.associations) == (3, 2, 1, 2)
    groups, _ = demand.demand(period, None, "kind")
    assert {key: (d.refused, d.waiting, d.served) for key, d in groups.items()} == {
        "club": (2, 1, 1), "migrant_organisation": (1, 1, 0)}
    groups, _ = demand.demand(period, None, "room")
    assert {key: d.refused for key, d in groups.items()} == {world.room.id: 2, world.other_room.id: 1}
    assert demand.heat(period, None) == {(1, 18): 4, (1, 10): 1}
    # a manager's scope: their centre only
    _, mine = demand.demand(period, [world.centre.id], "centre")
    assert (mine.refused, mine.waiting, mine.served) == (2, 2, 1)
    # a year earlier: nothing
    _, before = demand.demand(period.year_earlier(), None, "centre")
    assert (before.refused, before.waiting, before.served) == (0, 0, 0)


def test_unmet_demand_on_the_report_page_and_in_the_open_figures(client, counted, app):
    world, day = counted
    login(client, world.admin)
    page = text_of(client.get(f"/en/reports/?start={day - timedelta(days=1)}&end={day + timedelta(days=2)}"
                              "&group_by=centre"))
    assert "Unmet demand by Centre" in page
    assert "Total 3 2 1 2" in page
    before = app.config["FIGURES_MIN_COUNT"]
    try:
        body = client.get(f"/api/v1/figures?year={day.year}").get_json()["unmet_demand"]
        assert body["totals"] == {"suppressed": True}  # two associations behind it: fewer than 3
        assert all(cell["suppressed"] for table in body["groups"].values() for cell in table)
        app.config["FIGURES_MIN_COUNT"] = 1
        body = client.get(f"/api/v1/figures?year={day.year}").get_json()["unmet_demand"]
        assert body["totals"] == {"refused": 3, "waiting": 2, "served": 1}
        centres = {cell["key"]: cell for cell in body["groups"]["centre"]}
        assert (centres[world.centre.id]["refused"], centres[world.centre.id]["served"]) == (2, 1)
        app.config["FIGURES_MIN_COUNT"] = 2  # Linden from one association: hidden, and Nordstadt with it
        body = client.get(f"/api/v1/figures?year={day.year}").get_json()["unmet_demand"]
        assert all(cell["suppressed"] for cell in body["groups"]["centre"])
        assert body["totals"]["refused"] == 3
    finally:
        app.config["FIGURES_MIN_COUNT"] = before
