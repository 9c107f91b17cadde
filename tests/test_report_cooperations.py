"""Reports count cooperations (#19): events held by two or more organisers, cross-community ones (organisers of
different association kinds) and first-time ones (two organisers who never held an event together before);
and group by programme. A hand-counted March 2027, on both databases.

| booking | organisers (accepted co-organisers) | held dates | programmes | counts in March as |
| P0 | club C + club D | 10 Feb | – | (before the period: C and D held an event together) |
| K1 | migrant organisation M + C | 3 March | P1, P2 | cooperation, cross-community, first time |
| K2 | M + C | 10 March | – | cooperation, cross-community |
| K3 | C + D | 12 March | P1 | cooperation |
| K4 | initiative I, M invited (pending) | 15 March | – | – |
| K5 | I, D declined | 16 March | – | – |
| K6 | D + I | 5, 12, 19 March | P2 | cooperation, cross-community, first time (once) |
| K7 | M + C | 24 March, cancelled | – | – (no date held) |
| K8 | C + M + I | 20 March | – | cooperation, cross-community, first time (C and I) |
"""

import csv
import io
from datetime import date

import pytest
from flask_babel import force_locale
from report_support import _booking, utc

from programmes.models import Cooperation, Programme
from reports import report
from reports.queries import Period

MARCH = Period(date(2027, 3, 1), date(2027, 3, 31))


def held(*days, month=3, status="approved", hours=("18:00", "20:00")):
    return [(utc(date(2027, month, d), hours[0]), utc(date(2027, month, d), hours[1]), status) for d in days]


@pytest.fixture
def world(db, make_centre, make_room, make_association, make_user):
    centre = make_centre(slug="zentrum-k")
    room = make_room(centre, name="Saal")
    m = make_association("Verein M", kind="migrant_organisation")
    c = make_association("Verein C", kind="club")
    d = make_association("Verein D", kind="club")
    i = make_association("Initiative I", kind="initiative")
    p1 = Programme(slug="buendnis", kind="alliance", name={"en": "Alliance"})
    p2 = Programme(slug="fest", kind="festival", name={"en": "Festival"})
    db.session.add_all([p1, p2])

    def book(name, association, dates, partners=(), status="approved", programmes=()):
        booking = _booking(db, centre, room, association, status, dates,
                           dict(category_key=None, audiences=[], languages=["de"], is_free=True))
        booking.title = name
        for partner, answer in partners:
            db.session.add(Cooperation(booking=booking, association=partner, status=answer))
        booking.event.programmes = list(programmes)
        return booking

    book("P0", c, held(10, month=2), [(d, "accepted")])
    book("K1", m, held(3), [(c, "accepted")], programmes=[p1, p2])
    book("K2", m, held(10), [(c, "accepted")])
    book("K3", c, held(12), [(d, "accepted")], programmes=[p1])
    book("K4", i, held(15), [(m, "pending")])
    book("K5", i, held(16), [(d, "declined")])
    book("K6", d, held(5, 12, 19, hours=("10:00", "12:00")), [(i, "accepted")], programmes=[p2])
    book("K7", m, held(24, status="cancelled"), [(c, "accepted")], status="cancelled")
    book("K8", c, held(20), [(m, "accepted"), (i, "accepted")])
    db.session.commit()
    return {"admin": make_user("admin"), "manager": make_user("manager", centres=[centre]),
            "p1": p1, "p2": p2, "m": m, "c": c, "d": d, "i": i}


def build(app, group_by, period=MARCH):
    with app.test_request_context("/en/"), force_locale("en"):
        return report.build(period, None, group_by)


def counts(figures):
    return figures.cooperations, figures.cross_community, figures.first_time


def test_cooperations_are_counted_by_hand(app, world):
    result = build(app, "centre")
    assert counts(result.totals) == (5, 4, 3)
    assert result.totals.events == 7  # K1–K6 and K8 held a date; K6 counts once for its three
    assert counts(result.previous_totals) == (0, 0, 0)
    february = build(app, "centre", Period(date(2027, 2, 1), date(2027, 2, 28))).totals
    assert counts(february) == (1, 0, 1)  # P0: two clubs, together for the first time


def test_grouped_by_programme(app, world):
    groups = {group.key: group for group in build(app, "programme").groups}
    p1, p2 = groups[world["p1"].id], groups[world["p2"].id]
    assert (p1.label, p2.label, groups[None].label) == ("Alliance", "Festival", "In no programme")
    assert (p1.figures.events, p1.figures.dates, counts(p1.figures)) == (2, 2, (2, 1, 1))  # K1, K3
    assert (p2.figures.events, p2.figures.dates, counts(p2.figures)) == (2, 4, (2, 2, 2))  # K1, K6
    assert (groups[None].figures.events, counts(groups[None].figures)) == (4, (2, 2, 1))  # K2, K4, K5, K8


def test_grouped_by_kind_and_month(app, world):
    kinds = {group.key: counts(group.figures) for group in build(app, "kind").groups}
    assert kinds == {"migrant_organisation": (2, 2, 1), "club": (3, 2, 2), "initiative": (0, 0, 0)}
    months = {group.key: counts(group.figures)
              for group in build(app, "month", Period(date(2027, 2, 1), date(2027, 3, 31))).groups}
    assert months == {"2027-02": (1, 0, 1), "2027-03": (5, 4, 3)}


def test_the_api_csv_and_page_carry_them(app, client, world, token_for, auth):
    headers = token_for(world["manager"])
    answer = client.get("/api/v1/reports?start=2027-03-01&end=2027-03-31&group_by=programme", headers=headers)
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["totals"]["cooperations"], body["totals"]["cross_community"], body["totals"]["first_time"]) == (5, 4, 3)
    assert {g["key"]: g["cooperations"] for g in body["groups"]} == {world["p1"].id: 2, world["p2"].id: 2, None: 2}
    answer = client.get("/api/v1/reports.csv?start=2027-03-01&end=2027-03-31&group_by=programme", headers=headers)
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[-1]["cooperations"] == "5" and rows[-1]["first_time"] == "3"
    auth.login(world["admin"].email)
    page = client.get("/en/reports/?start=2027-03-01&end=2027-03-31&group_by=programme")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Cross-community cooperations" in text and "Alliance" in text


def test_an_unknown_grouping_is_still_refused(client, world, token_for):
    answer = client.get("/api/v1/reports?group_by=partner", headers=token_for(world["admin"]))
    assert answer.status_code == 422 and "programme" in answer.get_json()["error"]["message"]
