"""The search page /<lang>/rooms/search and the request form it opens (issue 7)."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from booking_support import login, text_of
from search_support import WEEKS, city_fixture, hold, search_args  # noqa: F401

from bookings.models import Booking
from extensions import db


def result_links(response) -> dict[str, str]:
    """Room name -> the href of its request button."""
    html = response.get_data(as_text=True)
    links = {}
    for article in re.findall(r"<article class=\"card room-card search-result\".*?</article>", html, re.S):
        name = re.search(r"<h3[^>]*><bdi>(.*?)</bdi>", article).group(1)
        href = re.search(r"<a class=\"button[^\"]*\" href=\"([^\"]+)\"", article)
        links[unescape(name)] = unescape(href.group(1)) if href else None
    return links


def input_value(html, name):
    match = re.search(r"<input[^>]*\bname=\"" + re.escape(name) + r"\"[^>]*>", html)
    assert match, name
    value = re.search(r"value=\"([^\"]*)\"", match.group(0))
    return unescape(value.group(1)) if value else None


def checked(html, name, value):
    for tag in re.findall(r"<input[^>]*\bname=\"" + re.escape(name) + r"\"[^>]*>", html):
        if f'value="{value}"' in tag:
            return "checked" in tag
    raise AssertionError((name, value))



def test_the_page_opens_for_everyone_without_results(client, city):
    response = client.get("/en/rooms/search")
    assert response.status_code == 200
    text = text_of(response)
    assert "Find a room" in text and "People" in text and "Barrier-free room" in text
    assert "Linden Culture House" in text  # the centres to choose from
    assert 'id="results-heading"' not in response.get_data(as_text=True)


def test_anonymous_visitors_see_results_and_are_asked_to_sign_in_to_request(client, city):
    response = client.get("/en/rooms/search", query_string=search_args(city, capacity="20"))
    assert response.status_code == 200
    text = text_of(response)
    assert "3 rooms are free on every date." in text
    assert f"Free on all {WEEKS} dates" in text
    assert "Sign in to request" in text
    assert "Nordstadt Centre" in text and "Linden Culture House" in text
    links = result_links(response)
    assert list(links) == ["Seminarraum", "Tanzraum", "Großer Saal"]  # the closest fit first
    answer = client.get(links["Tanzraum"])
    assert answer.status_code == 302 and "/en/login" in answer.headers["Location"]


def test_a_member_opens_the_request_form_pre_filled(client, city):
    hold(city, city.dance, city.tuesday + timedelta(weeks=2))
    login(client, city.member)
    response = client.get("/en/rooms/search", query_string=search_args(city, capacity="20"))
    text = text_of(response)
    assert "Request this room" in text
    assert "Request the 5 free dates" in text
    link = result_links(response)["Tanzraum"]
    parts = urlsplit(link)
    assert parts.path == f"/en/rooms/{city.dance.id}/book"
    assert parse_qs(parts.query) == {
        "date": [city.tuesday.isoformat()], "start_time": ["18:00"], "end_time": ["20:00"], "repeat": ["weekly"],
        "weekdays": ["TU"], "until": [city.until.isoformat()], "skip_conflicts": ["y"], "attendees": ["20"],
        "week": [city.tuesday.isoformat() if city.tuesday.weekday() == 0
                 else (city.tuesday - timedelta(days=city.tuesday.weekday())).isoformat()],
    }
    form = client.get(link)
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert input_value(html, "date") == city.tuesday.isoformat()
    assert input_value(html, "start_time") == "18:00" and input_value(html, "end_time") == "20:00"
    assert input_value(html, "until") == city.until.isoformat()
    assert input_value(html, "attendees") == "20"
    assert checked(html, "weekdays", "TU") and not checked(html, "weekdays", "WE")
    assert 'value="weekly" selected' in html or 'selected value="weekly"' in html
    assert "checked" in re.search(r"<input[^>]*name=\"skip_conflicts\"[^>]*>", html).group(0)


def test_the_free_room_is_not_preset_to_skip_conflicts(client, city):
    login(client, city.member)
    link = result_links(client.get("/en/rooms/search", query_string=search_args(city)))["Werkstatt"]
    assert "skip_conflicts" not in link
    html = client.get(link).get_data(as_text=True)
    assert "checked" not in re.search(r"<input[^>]*name=\"skip_conflicts\"[^>]*>", html).group(0)


def test_the_pre_filled_request_is_sent_with_the_free_dates(client, city):
    """A result never leads to a refused request: the taken date is skipped, the others requested."""
    taken = city.tuesday + timedelta(weeks=3)
    hold(city, city.hall, taken)
    login(client, city.member)
    link = result_links(client.get("/en/rooms/search", query_string=search_args(city)))["Großer Saal"]
    html = client.get(link).get_data(as_text=True)
    data = {name: input_value(html, name) for name in ("date", "start_time", "end_time", "until", "interval")}
    data.update(association=str(city.association.id), title="Deutschkurs", repeat="weekly", weekdays=["TU"],
                skip_conflicts="y", send="Send")
    response = client.post(urlsplit(link).path, data=data)
    assert response.status_code == 302, text_of(response)[:2000]
    booking = db.session.query(Booking).filter_by(association_id=city.association.id).one()
    assert booking.status == "pending" and booking.room_id == city.hall.id
    days = [o.starts_at.date() for o in booking.occurrences]
    assert len(days) == WEEKS - 1 and taken not in days


def test_rubbish_in_the_request_form_link_is_ignored(client, city):
    login(client, city.member)
    response = client.get(f"/en/rooms/{city.hall.id}/book", query_string={
        "date": "2027-02-30", "start_time": "25:00", "end_time": "x", "repeat": "daily", "weekdays": ["XX", "TU"],
        "until": "nope", "attendees": "-3", "skip_conflicts": "maybe"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert input_value(html, "date") in (None, "")
    assert checked(html, "weekdays", "TU")


def test_taken_dates_are_listed_without_who_holds_them(client, city):
    taken = city.tuesday + timedelta(weeks=1)
    hold(city, city.hall, taken)
    hold(city, city.hall, city.tuesday + timedelta(weeks=2), approve=False)  # pending: not shown, no conflict
    for user in (None, city.member):
        if user:
            login(client, user)
        text = text_of(client.get("/en/rooms/search", query_string=search_args(city)))
        assert f"Free on {WEEKS - 1} of {WEEKS} dates" in text
        assert "1 date is taken" in text
        from babel.dates import format_skeleton

        assert format_skeleton("yMMMEd", taken, locale="en") in text
        assert "Geheimbund" not in text and "Geheime Probe" not in text and "holder@example.org" not in text


def test_rooms_whose_rules_refuse_a_date_are_left_out_with_the_reason(client, city):
    from centres.models import Closure

    db.session.add(Closure(centre=city.linden, starts_on=city.tuesday, ends_on=city.tuesday,
                           reason={"en": "Floor polishing"}))
    db.session.commit()
    text = text_of(client.get("/en/rooms/search", query_string=search_args(city, weekly=False)))
    assert "2 more rooms match, but their rules do not allow these dates" in text
    assert "the centre is closed" in text and "Floor polishing" in text


def test_a_weekly_search_leaves_closed_dates_out_as_a_request_does(client, city):
    from centres.models import Closure

    db.session.add(Closure(centre=city.linden, starts_on=city.tuesday + timedelta(weeks=2),
                           ends_on=city.tuesday + timedelta(weeks=2), reason={"en": "Floor polishing"}))
    db.session.commit()
    text = text_of(client.get("/en/rooms/search", query_string=search_args(city)))
    assert "their rules do not allow these dates" not in text
    assert "1 date falls on a closure and is left out." in text
    assert f"Free on all {WEEKS - 1} dates" in text


def test_suggestions_when_nothing_fits(client, city):
    hold(city, city.hall, city.tuesday, "19:00", "21:00", weekly={"weekdays": ["TU"], "count": WEEKS})
    login(client, city.member)
    response = client.get("/en/rooms/search", query_string=search_args(city, capacity="40"))
    text = text_of(response)
    assert "No room is free on every date." in text
    assert "Close alternatives" in text
    section = text[text.index("Close alternatives"):]
    assert re.search(r"An hour earlier: Großer Saal · Nordstadt Centre Weekly on Tuesday, 17:00\W+19:00", section)
    assert re.search(r"A shorter time: Großer Saal · Nordstadt Centre Weekly on Tuesday, 18:00\W+19:00", section)
    assert re.search(r"On another weekday: Großer Saal · Nordstadt Centre Weekly on Wednesday, 18:00\W+20:00", section)
    assert "An hour later" not in section  # 19:00-21:00 is taken
    # Each opens the request form with its own slot.
    html = response.get_data(as_text=True)
    links = [unescape(h) for h in re.findall(r'<a class="button button-secondary" href="([^"]+)"', html)]
    assert any("start_time=17:00" in link and "end_time=19:00" in link for link in links), links


def test_nothing_fits_and_nothing_is_near(client, city):
    text = text_of(client.get("/en/rooms/search", query_string=search_args(city, capacity="500")))
    assert "No room fits, and no close alternative is free either." in text


def test_a_member_without_association_is_told_how_to_request(client, city, make_user):
    login(client, make_user("member", email="single@example.org"))
    text = text_of(client.get("/en/rooms/search", query_string=search_args(city)))
    assert "Rooms are requested by associations." in text
    assert "Request this room" not in text


def test_a_manager_may_request_rooms_of_the_centre(client, city):
    login(client, city.manager)
    links = result_links(client.get("/en/rooms/search", query_string=search_args(city)))
    assert links["Großer Saal"] is not None  # the manager's centre
    assert links["Tanzraum"] is None  # another centre; the manager has no association


# --- bad input: a clear message, 400, never a 500 -----------------------------------------------

BAD = {
    "no date": ({"date": ""}, "Please give a date."),
    "not a date": ({"date": "2027-13-45"}, "Please give a date."),
    "no time": ({"start_time": ""}, "Please give a time."),
    "end before start": ({"start_time": "20:00", "end_time": "18:00"}, "The end must be after the start."),
    "in the past": ({"date": "2020-01-07"}, "Please choose a date from today on."),
    "weekly without last date": ({"until": ""}, "Please give the last date of the weekly series."),
    "last date before first": ({"until": "2020-01-01"}, "The last date must not be before the first date."),
    "too many dates": ({"weekdays": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"], "until": "+400"},
                       "A series may have at most 200 dates."),
    "no such weekday": ({"weekdays": "XX"}, "is not a valid choice"),
    "capacity": ({"capacity": "many"}, "Not a valid integer value."),
    "capacity zero": ({"capacity": "0"}, "Please give a number of people."),
    "equipment": ({"equipment": "helicopter"}, "is not a valid choice"),
    "feature": ({"features": "pool"}, "is not a valid choice"),
    "district": ({"district": "Atlantis"}, "Not a valid choice."),
    "centre": ({"centre": "nowhere"}, "Not a valid choice."),
    "how often": ({"repeat": "daily"}, "Not a valid choice."),
    "year 9999": ({"date": "9999-01-05", "repeat": "once"}, "Please give a date."),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_parameters_get_a_clear_message(client, city, case):
    change, message = BAD[case]
    args = search_args(city)
    change = dict(change)
    if change.get("until") == "+400":
        change["until"] = (city.tuesday + timedelta(days=400)).isoformat()
    args.update(change)
    response = client.get("/en/rooms/search", query_string=args)
    assert response.status_code == 400, case
    text = text_of(response)
    assert "Please correct the marked fields." in text
    assert message in text, text[:1500]


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_bad_parameters_in_other_languages(client, city, lang):
    response = client.get(f"/{lang}/rooms/search", query_string={**search_args(city), "end_time": "17:00"})
    assert response.status_code == 400
    assert f'lang="{lang}"' in response.get_data(as_text=True)


@pytest.mark.parametrize("query", [
    "date=%00&start_time=18:00&end_time=19:00",
    "date=2027-03-02&start_time=18:00&end_time=19:00&capacity=99999999999999999999",
    "date=2027-03-02&start_time=18:00&end_time=18:00",
    "date=2027-03-02&start_time=23:59&end_time=23:59",
    "date=0001-01-01&start_time=00:00&end_time=00:01",
    "date=2027-03-02&start_time=18:00&end_time=19:00&repeat=weekly&until=0001-01-01",
    "date=2027-03-02&start_time=18:00&end_time=19:00&repeat=weekly&until=9999-12-31",
    "date=2027-03-02&start_time=18:00&end_time=19:00&district=" + "x" * 5000,
    "date[]=1&start_time[]=2",
    "date=2027-03-02&start_time=18%3A00%00&end_time=19:00",
])
def test_no_input_makes_the_page_fail(client, city, query):
    response = client.get("/en/rooms/search?" + query)
    assert response.status_code in (200, 400), response.status_code


@pytest.mark.parametrize("who", ["anonymous", "member", "manager"])
def test_the_page_asks_the_database_the_same_number_of_times_whatever_the_data(client, city, make_room, who):
    """Also no query per room for texts left unloaded (bookings.search.ROOM_COLUMNS)."""
    from search_support import count_queries

    if who != "anonymous":
        login(client, getattr(city, who))
    counts = []
    for extra in (0, 12):
        for n in range(extra):
            room = make_room(city.linden, name=f"Raum {n}", capacity=30)
            hold(city, room, city.tuesday + timedelta(weeks=n % WEEKS))
        db.session.expire_all()  # the test's session is the app's: start each request from the database
        with count_queries() as statements:
            response = client.get("/en/rooms/search", query_string=search_args(city))
        assert response.status_code == 200
        counts.append([st[:70] for st in statements])
    assert len(counts[0]) == len(counts[1]), counts
    assert len(counts[1]) <= 8, counts


def test_the_navigation_links_the_search(client, city):
    html = client.get("/en/").get_data(as_text=True)
    nav = re.search(r"<nav class=\"main-nav\".*?</nav>", html, re.S).group(0)
    assert 'href="/en/rooms/search"' in nav and "Find a room" in nav
    page = client.get("/en/rooms/search").get_data(as_text=True)
    assert re.search(r"<a href=\"/en/rooms/search\"\s+aria-current=\"page\"", page)
