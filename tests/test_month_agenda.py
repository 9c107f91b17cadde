"""The month view's agenda (shown on a phone below the grid): the chosen day by ?day=, today by default."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from eventdata import make_event

from events.models import Event
from events.views import event_card
from extensions import db
from tests.feeds_support import make_series

BERLIN = ZoneInfo("Europe/Berlin")


def at_local(day, hour):
    return datetime.combine(day, time(hour)).replace(tzinfo=BERLIN).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


@pytest.fixture
def month(make_centre, make_room):
    centre = make_centre(slug="nordstadt")
    hall = make_room(centre)
    today = datetime.now(BERLIN).date()
    other = today + timedelta(days=1) if (today + timedelta(days=1)).month == today.month else today - timedelta(days=1)
    make_event(centre, hall, starts=at_local(other, 10), title={"de": "Nähcafé"})
    make_event(centre, hall, starts=at_local(other, 14), title={"de": "Sprachcafé"})
    make_event(centre, hall, starts=at_local(today, 16), title={"de": "Kinderturnen"})
    return {"today": today, "other": other}


def shown_days(html):
    """The agenda's days that are not hidden."""
    return re.findall(r'<div class="agenda-day" id="agenda-([0-9-]+)" data-day="[0-9-]+">', html)


def test_today_is_chosen_by_default(client, month):
    html = client.get("/de/events/?view=month").get_data(as_text=True)
    assert shown_days(html) == [month["today"].isoformat()]
    assert f'data-day="{month["today"].isoformat()}" aria-current="date"' in html


def test_a_day_chosen_by_link(client, month):
    other = month["other"].isoformat()
    html = client.get(f"/de/events/?view=month&day={other}").get_data(as_text=True)
    assert shown_days(html) == [other]
    agenda = html[html.index('id="agenda"'):]
    assert "Nähcafé" in agenda and "Sprachcafé" in agenda
    marker = re.search(rf'<a class="day-marker" href="([^"]+)" data-day="{other}" aria-current="date">', html)
    assert marker and f"day={other}" in marker.group(1).replace("&amp;", "&")
    assert re.search(rf'data-day="{other}"[^>]*>.*?<span class="day-count">2</span>', html, re.S)


def test_a_day_of_another_month_opens_that_month(client, month):
    later = (month["today"].replace(day=1) + timedelta(days=40)).replace(day=3)
    html = client.get(f"/de/events/?view=month&day={later.isoformat()}").get_data(as_text=True)
    assert shown_days(html) == [later.isoformat()]
    assert "An diesem Tag gibt es keine Veranstaltungen." in html


@pytest.mark.parametrize("day", ["garbage", "2027-02-30", "1900-01-01", ""])
def test_a_bad_day_is_today(client, month, day):
    response = client.get(f"/de/events/?view=month&day={day}")
    assert response.status_code == 200
    assert shown_days(response.get_data(as_text=True)) == [month["today"].isoformat()]


def test_the_filters_summary_names_the_active_filters(client, month):
    html = client.get("/de/events/?view=month&centre=nordstadt&free=1").get_data(as_text=True)
    disclosure = html[html.index('class="filters-disclosure"'):]
    summary = disclosure[:disclosure.index("</summary>")]
    assert "2 Filter" in summary and "Zentrum 1" in summary and "kostenlos" in summary


def test_a_weekly_event_is_rendered_once_per_page_and_afresh_for_the_next_page(app, client, make_centre, make_room):
    centre = make_centre(slug="nordstadt")
    later = (datetime.now(BERLIN).date().replace(day=1) + timedelta(days=40)).replace(day=1)
    event = make_series(centre, make_room(centre), datetime.combine(later, time(18)), count=4,
                        title={"de": "Nähcafé"})
    url = f"/de/events/?view=month&month={later:%Y-%m}"
    assert client.get(url).get_data(as_text=True).count(">Nähcafé</span></a></h4>") == 4
    with app.test_request_context(url):
        card = event_card(event, "h4")
        assert event_card(event, "h4") is card, "rendered once for the page"
        assert event_card(event, "h3") is not card and "Nähcafé" in card[0] and "map-pin" in card[1]
    assert db.session.get(Event, event.id).update(title={"de": "Sprachcafé"})
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert html.count(">Sprachcafé</span></a></h4>") == 4 and "Nähcafé" not in html, "the next page renders anew"
