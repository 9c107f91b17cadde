"""Reports (#11): every figure against the hand-counted city of tests/report_support.py, on both databases."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import load_workbook
from report_support import build_world

from accounts.forms import KIND_LABELS
from reports import report
from reports.queries import Period

MARCH = Period(date(2027, 3, 1), date(2027, 3, 31))


@pytest.fixture
def world(db, make_centre, make_room, make_association, make_user):
    return build_world(db, make_centre, make_room, make_association, make_user)


def figures(app, group_by="centre", centre_ids=None, period=MARCH):
    with app.test_request_context("/en/"), force_locale("en"):
        return report.build(period, centre_ids, group_by, heat=True)


def by_key(result):
    return {group.key: group for group in result.groups}


def test_totals_are_counted_by_hand(app, world):
    result = figures(app)
    t = result.totals
    assert (t.bookings, t.cancelled, t.rejected) == (4, 1, 1)
    assert (t.dates, t.dates_cancelled) == (9, 2)
    # B1 3 × 2 h (the 28th across the clock change is still 2 h), B3 3 × 2 h, B4 2 h + 3 of its 4 h
    # (the rest falls in April), B6 3 h
    assert t.hours == 20.0
    # R1 14 h and R2 10 h on 28 open days (closed 24–26), R3 14 h on 31 days
    assert t.capacity_hours == 14 * 28 + 10 * 28 + 14 * 31
    assert t.utilisation == round(100 * 20 / 1106, 1) == 1.8
    assert (t.associations, t.new_associations) == (3, 1)  # M, I, S; I is new (M held a date in 2026, S in Feb)
    assert (t.events, t.event_dates, t.multilingual, t.free) == (3, 6, 2, 3)
    assert (t.participants, t.counted_dates) == (43, 3)


def test_a_year_earlier_beside_each_figure(app, world):
    result = figures(app)
    assert result.previous_period == Period(date(2026, 3, 1), date(2026, 3, 31))
    p = result.previous_totals
    assert (p.bookings, p.dates, p.hours, p.associations, p.new_associations, p.events) == (1, 1, 2.0, 1, 1, 1)
    assert p.capacity_hours == 14 * 31 + 10 * 31 + 14 * 31  # no closure in March 2026
    centre_a = by_key(result)[world.a.id]
    assert centre_a.previous.dates == 1 and by_key(result)[world.b.id].previous is None
    later = by_key(figures(app, period=Period(date(2028, 3, 1), date(2028, 3, 31))))  # nothing booked yet
    assert (later[world.a.id].figures.dates, later[world.a.id].previous.dates) == (0, 7)
    assert later[world.a.id].figures.capacity_hours == 14 * 31 + 10 * 31 and later[world.a.id].label == "Centre 1"


def test_by_centre_and_room(app, world):
    centres = by_key(figures(app, "centre"))
    a, b = centres[world.a.id].figures, centres[world.b.id].figures
    assert (a.bookings, a.dates, a.hours, a.capacity_hours, a.associations) == (3, 7, 15.0, 672, 2)
    assert (b.bookings, b.dates, b.hours, b.capacity_hours, b.associations) == (1, 2, 5.0, 434, 1)
    assert a.utilisation == 2.2 and b.utilisation == 1.2
    assert centres[world.a.id].label == "Centre 1"
    rooms = by_key(figures(app, "room"))
    r1, r2, r3 = (rooms[r.id].figures for r in (world.r1, world.r2, world.r3))
    assert (r1.dates, r1.hours, r1.capacity_hours, r1.cancelled, r1.dates_cancelled) == (3, 6.0, 392, 1, 1)
    assert (r2.dates, r2.hours, r2.capacity_hours, r2.rejected, r2.dates_cancelled) == (4, 9.0, 280, 1, 1)
    assert (r3.dates, r3.hours) == (2, 5.0)
    assert r2.utilisation == round(100 * 9 / 280, 1)


def test_by_association_kind(app, world):
    kinds = by_key(figures(app, "kind"))
    assert {k: (g.figures.dates, g.figures.hours) for k, g in kinds.items()} == {
        "migrant_organisation": (3, 6.0), "initiative": (3, 6.0), "school": (2, 5.0), "club": (0, 0.0),
        None: (1, 3.0)}
    assert (kinds["club"].figures.cancelled, kinds["club"].figures.rejected) == (1, 1)
    assert kinds["initiative"].figures.new_associations == 1 and kinds["school"].figures.new_associations == 0
    assert kinds[None].label == "The centre's own" and kinds["migrant_organisation"].label == "Migrant organisation"
    assert kinds["migrant_organisation"].figures.participants == 35


def test_by_category_audience_and_language(app, world):
    categories = by_key(figures(app, "category"))
    assert {k: g.figures.dates for k, g in categories.items()} == {
        "culture": 3, "education": 2, "festival": 1, "sport": 0, None: 3}
    assert categories["sport"].figures.dates_cancelled == 1 and categories["culture"].label == "Culture"
    audiences = by_key(figures(app, "audience"))
    assert {k: g.figures.dates for k, g in audiences.items()} == {
        "everyone": 3, "families": 3, "children": 2, "youth": 0, None: 4}  # B3 has no event, B6 no audience
    languages = by_key(figures(app, "language"))
    assert {k: g.figures.dates for k, g in languages.items()} == {"de": 6, "tr": 3, "ar": 2, None: 3}
    assert languages["tr"].figures.multilingual == 1 and languages["de"].figures.multilingual == 2
    assert languages["ar"].label == "Arabic"


def test_by_month_and_the_edge_of_the_period(app, world):
    months = by_key(figures(app, "month", period=Period(date(2027, 2, 1), date(2027, 4, 30))))
    assert {k: (g.figures.dates, g.figures.hours) for k, g in months.items()} == {
        "2027-02": (1, 2.0), "2027-03": (9, 21.0), "2027-04": (1, 2.0)}  # B4's night counts in March, whole
    assert months["2027-03"].label == "March 2027"
    april = figures(app, period=Period(date(2027, 4, 1), date(2027, 4, 30))).totals
    assert (april.dates, april.hours) == (2, 3.0)  # 4 April, and the last hour of B4's night


def test_manager_scope_and_the_heat_map(app, world):
    result = figures(app, centre_ids=[world.b.id])
    assert (result.totals.dates, result.totals.hours, result.totals.capacity_hours) == (2, 5.0, 434)
    assert set(result.heat) == {world.b.id}
    heat_a = figures(app, centre_ids=[world.a.id]).heat[world.a.id]
    sunday, monday, saturday = heat_a[6], heat_a[0], heat_a[5]
    assert sunday[19] == sunday[20] == 3 and sunday[18] == sunday[21] == 0  # 19:00 local on both sides of the change
    assert monday[10] == monday[11] == 3 and monday[12] == 0  # the cancelled 15 March is not counted
    assert saturday[10:13] == [1, 1, 1]
    heat_b = result.heat[world.b.id]
    assert heat_b[0][16:18] == [1, 1] and heat_b[2][21:24] == [1, 1, 1]


def test_reports_page_exports_and_access(app, client, auth, world):
    query = "start=2027-03-01&end=2027-03-31&group_by=kind"
    assert client.get(f"/en/reports/?{query}").status_code == 302  # sign in first
    auth.login(world.member)
    assert client.get(f"/en/reports/?{query}").status_code == 403
    assert client.get(f"/en/reports/report.csv?{query}").status_code == 403
    auth.logout()
    auth.login(world.manager_b)
    page = client.get(f"/en/reports/?{query}")
    assert page.status_code == 200 and b"Peak load" in page.data and b"<svg" in page.data
    assert client.get(f"/en/reports/?{query}&centre=zentrum-a").status_code == 400
    rows = list(csv.reader(io.StringIO(client.get(f"/en/reports/report.csv?{query}").data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Association kind", "Bookings approved", "Bookings approved, a year earlier"]
    assert [row[0] for row in rows[1:]] == ["School", "Total"]  # only centre B's dates
    auth.logout()
    auth.login(world.admin)
    answer = client.get(f"/ar/reports/report.csv?{query}")
    assert answer.data.startswith(b"\xef\xbb\xbf") and "text/csv" in answer.content_type
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    with force_locale("ar"):
        club, header = str(KIND_LABELS["club"]), _("Dates held")
    assert any("\u0600" <= ch <= "\u06ff" for ch in club) and [row[0] for row in rows].count(club) == 1
    assert len(rows) == 7  # header, four kinds, the centre's own, total
    assert rows[-1][rows[0].index(header)] == "9"
    book = load_workbook(io.BytesIO(client.get(f"/ar/reports/report.xlsx?{query}").data))
    sheet = book.active
    assert sheet.sheet_view.rightToLeft is True
    values = [list(row) for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert values[-1][1] == 4 and values[-1][7] == 9  # approved bookings, dates held
    assert client.get("/en/reports/?start=2027-03-31&end=2027-03-01").status_code == 400
    assert client.get("/en/reports/?group_by=nonsense").status_code == 400
    assert client.get("/en/reports/?start=nonsense").status_code == 400
    edited = client.get("/en/reports/report.xlsx?group_by=nonsense")  # a download link edited by hand
    assert edited.status_code == 400 and b"Please choose one of" in edited.data


def test_api_reports(app, client, world, token_for):
    url = "/api/v1/reports?start=2027-03-01&end=2027-03-31&group_by=centre&lang=en"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=token_for(world.member)).status_code == 403
    answer = client.get(url, headers=token_for(world.admin))
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["period"] == {"start": "2027-03-01", "end": "2027-03-31"} and body["group_by"] == "centre"
    groups = {g["key"]: g for g in body["groups"]}
    a = groups[world.a.id]
    assert (a["label"], a["bookings"], a["dates"], a["hours"], a["utilisation"], a["associations"], a["events"],
            a["participants"]) == ("Centre 1", 3, 7, 15.0, 2.2, 2, 2, 43)
    assert body["totals"]["hours"] == 20.0 and body["totals"]["year_earlier"]["dates"] == 1
    manager = token_for(world.manager_a)
    assert [g["key"] for g in client.get(url, headers=manager).get_json()["groups"]] == [world.a.id]
    assert client.get(url + "&centre=zentrum-b", headers=manager).status_code == 403
    assert client.get(url.replace("centre&", "weather&"), headers=manager).status_code == 422
    as_csv = client.get(url, headers={**manager, "Accept": "text/csv"})
    rows = list(csv.reader(io.StringIO(as_csv.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["key", "label", "bookings", "bookings_year_earlier"] and rows[-1][0] == "total"
    assert client.get(url.replace("/reports?", "/reports.csv?"), headers=manager).data == as_csv.data
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/reports" in spec["paths"] and "/figures" in spec["paths"]


def test_participants_are_recorded_by_the_organiser(app, client, auth, db, world, make_user):
    from bookings.models import Booking, Occurrence

    booking = db.session.query(Booking).filter_by(association_id=world.m.id, status="approved").order_by(
        Booking.id).first()
    first, second = booking.occurrences[0], booking.occurrences[1]
    stranger = make_user("member", associations=[world.c])
    travel = time_machine.travel(datetime(2027, 4, 10, 12, 0, tzinfo=UTC), tick=False)
    travel.start()
    auth.login(stranger)
    assert client.post(f"/en/bookings/{booking.id}/participants", data={}).status_code == 404
    auth.logout()
    auth.login(world.member)
    page = client.get(f"/en/bookings/{booking.id}/")
    assert f'name="participants-{first.id}"'.encode() in page.data
    answer = client.post(f"/en/bookings/{booking.id}/participants",
                         data={f"participants-{first.id}": "-3", f"participants-{second.id}": "9"})
    assert answer.status_code == 303
    db.session.commit()
    assert db.session.get(Occurrence, second.id).participants == 15  # nothing changed
    client.post(f"/en/bookings/{booking.id}/participants",
                data={f"participants-{first.id}": "31", f"participants-{second.id}": ""})
    db.session.commit()
    assert (db.session.get(Occurrence, first.id).participants, db.session.get(Occurrence, second.id).participants) \
        == (31, None)
    travel.stop()


def test_a_centre_moved_to_another_zone_keeps_its_local_times_true(app, db, world):
    from bookings.localtime import relocalise
    from bookings.models import Booking

    booking = db.session.query(Booking).filter_by(centre_id=world.b.id).one()
    night = booking.occurrences[-1]
    assert night.local_start == datetime(2027, 3, 31, 21, 0)
    world.b.timezone = "Europe/Istanbul"  # UTC+3 all year: two hours later than Berlin in winter, one in summer
    assert relocalise(world.b) == 3
    db.session.commit()
    assert db.session.get(type(night), night.id).local_start == datetime(2027, 3, 31, 22, 0)
    assert figures(app, centre_ids=[world.b.id]).totals.hours == 4.0  # 1 March now 18–20, the night 22–02: 2 h in March
