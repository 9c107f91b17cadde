"""The open figures (#11): public, aggregated, and never a cell from fewer than FIGURES_MIN_COUNT associations."""

import pytest
from report_support import build_world

from reports.open_figures import Cell, suppress
from reports.queries import Figures


@pytest.fixture
def world(db, make_centre, make_room, make_association, make_user):
    return build_world(db, make_centre, make_room, make_association, make_user)


@pytest.fixture
def threshold(app):
    before = app.config["FIGURES_MIN_COUNT"]
    yield lambda value: app.config.update(FIGURES_MIN_COUNT=value)
    app.config["FIGURES_MIN_COUNT"] = before


def cell(key, associations):
    return Cell(key, key, Figures(associations=associations, dates=associations), associations)


def test_one_small_cell_takes_the_next_smallest_with_it():
    cells = suppress([cell("a", 9), cell("b", 2), cell("c", 4), cell("d", 5)], 20, 3)
    assert [c.key for c in cells if c.suppressed] == ["b", "c"]
    cells = suppress([cell("a", 9), cell("b", 2), cell("c", 1)], 12, 3)
    assert [c.key for c in cells if c.suppressed] == ["b", "c"]  # two already: nothing more
    assert all(c.suppressed for c in suppress([cell("a", 1), cell("b", 1)], 2, 3))  # a total of too few
    assert not any(c.suppressed for c in suppress([cell("a", 3), cell("b", 4)], 7, 3))


def test_api_figures_never_show_a_suppressed_cell(client, world, threshold):
    body = client.get("/api/v1/figures?year=2027&lang=en").get_json()
    assert body["min_count"] == 3 and body["period"] == {"start": "2027-01-01", "end": "2027-12-31"}
    # centre A: M and I; centre B: S; each kind one association
    assert all(c["suppressed"] and set(c) == {"key", "label", "suppressed"} for c in body["groups"]["centre"])
    assert all(c["suppressed"] for c in body["groups"]["kind"])
    assert body["totals"]["associations"] == 3 and body["totals"]["dates"] == 11
    for table in body["groups"].values():
        for item in table:
            assert item["suppressed"] or item["associations"] >= 3
    for row in body["weekdays"]:
        assert all(day["suppressed"] for day in row["days"] if day.get("dates"))
    threshold(2)
    centres = {c["key"]: c for c in client.get("/api/v1/figures?year=2027").get_json()["groups"]["centre"]}
    assert centres[world.a.id]["suppressed"] and centres[world.b.id]["suppressed"]  # B small, A secondary
    threshold(1)
    centres = {c["key"]: c for c in client.get("/api/v1/figures?year=2027").get_json()["groups"]["centre"]}
    assert (centres[world.a.id]["dates"], centres[world.b.id]["dates"]) == (8, 3)
    refused = client.get("/api/v1/figures?year=abc&lang=de")
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"]["year"] == ["Die Eingabe ist ungültig."]  # in the asked language


def centre_table(html: str) -> str:
    start = html.index('id="centre-heading"')
    return html[start:html.index("</section>", start)]


def test_figures_page_is_public_and_hides_small_cells(client, world, threshold):
    threshold(2)
    page = client.get("/en/figures/?year=2027")
    assert page.status_code == 200
    text = page.data.decode()
    assert "fewer than 2 associations: not shown" in text and "Centre 1" in text
    assert "<td>8</td>" not in centre_table(text)  # centre A's dates in 2027 (secondary suppression)
    threshold(1)
    assert "<td>8</td>" in centre_table(client.get("/en/figures/?year=2027").data.decode())
    assert client.get("/ar/figures/?year=2027").status_code == 200
    assert client.get("/en/figures/?year=1800").status_code == 404
