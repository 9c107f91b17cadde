"""The public calendar, event pages, the embed and the sections on other pages, as residents see them."""

import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from eventdata import QueryCounter, at, bulk_events, make_event

from timeutil import to_local, utcnow


def text(response) -> str:
    return response.get_data(as_text=True)


class JsonLd(HTMLParser):
    """Collects <script type="application/ld+json"> blocks."""

    def __init__(self):
        super().__init__()
        self.blocks, self._inside = [], False

    def handle_starttag(self, tag, attrs):
        self._inside = tag == "script" and dict(attrs).get("type") == "application/ld+json"

    def handle_endtag(self, tag):
        self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.blocks.append(json.loads(data))


def json_ld(response):
    parser = JsonLd()
    parser.feed(text(response))
    return parser.blocks


@pytest.fixture
def room(make_room, make_centre):
    centre = make_centre(slug="nordstadt", name={"de": "Zentrum Nord", "en": "North Centre", "ar": "المركز الشمالي"})
    return make_room(centre, name="Großer Saal")


# --- list and month -------------------------------------------------------------


def test_list_groups_dates_by_local_day(client, room):
    make_event(room.centre, room, starts=at(2, hour=22, minute=30), title={"de": "Spätes Treffen"})  # 23:30 local
    make_event(room.centre, room, starts=at(3, hour=8), title={"de": "Frühstück"})
    page = text(client.get("/de/events/"))
    late_day = to_local(at(2, hour=22, minute=30), "Europe/Berlin").date()
    assert f'id="day-{late_day.isoformat()}"' in page
    assert page.index("Spätes Treffen") < page.index("Frühstück")
    assert "Spätes Treffen" in page and "Großer Saal" in page and "Zentrum Nord" in page


def test_times_are_shown_in_the_centres_zone(client, make_centre, make_room):
    istanbul = make_centre(slug="ist", timezone="Europe/Istanbul")
    hall = make_room(istanbul)
    starts = at(2, hour=15)  # 18:00 in Istanbul (UTC+3), whatever the season
    make_event(istanbul, hall, starts=starts, hours=2)
    page = text(client.get("/en/events/"))
    assert "18:00" in page and "20:00" in page
    assert to_local(starts, "Europe/Istanbul").isoformat() in page


def test_month_view_is_a_table_with_the_months_dates(client, room):
    starts = at(1)
    make_event(room.centre, room, starts=starts, title={"de": "Im Monat"})
    month = to_local(starts, "Europe/Berlin").strftime("%Y-%m")
    response = client.get(f"/de/events/?view=month&month={month}")
    page = text(response)
    assert response.status_code == 200
    assert '<table class="month"' in page and page.count('<th scope="col">') == 7
    assert "Im Monat" in page
    assert 'rel="prev"' in page and 'rel="next"' in page
    # the month after has none of it
    following = (to_local(starts, "Europe/Berlin").replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    assert "Im Monat" not in text(client.get(f"/de/events/?view=month&month={following}"))


def test_month_cells_link_to_the_day_when_full(client, room):
    day_start = at(2, hour=8)
    bulk_events(room.centre, room, 7, start=day_start)
    month = to_local(day_start, "Europe/Berlin").strftime("%Y-%m")
    page = text(client.get(f"/en/events/?view=month&month={month}&audience=everyone"))
    assert "3 more" in page
    day = to_local(day_start, "Europe/Berlin").date().isoformat()
    assert f"start={day}&amp;end={day}" in page and "audience=everyone" in page


def test_filters_are_query_parameters_kept_in_links(client, room):
    for i in range(35):
        make_event(room.centre, None, starts=at(1, hour=6) + timedelta(minutes=20 * i), commit=False,
                   title={"de": f"Kurs {i:02d}"}, audiences=["women"], languages=["ar"])
    make_event(room.centre, room, title={"de": "Nicht für Frauen"}, audiences=["youth"])
    page = text(client.get("/de/events/?audience=women&language=ar"))
    assert "Nicht für Frauen" not in page
    assert "Kurs 00" in page and "Kurs 29" in page and "Kurs 30" not in page
    assert re.search(r'href="/de/events/\?[^"]*page=2', page)
    next_link = re.search(r'href="(/de/events/\?[^"]*page=2[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "audience=women" in next_link and "language=ar" in next_link
    page2 = text(client.get(next_link))
    assert "Kurs 30" in page2 and "Kurs 34" in page2 and "Kurs 00" not in page2
    assert '<option value="women" selected>' in page2


@pytest.mark.parametrize(
    "query",
    [
        "?start=yesterday", "?end=2027-02-30", "?free=maybe", "?audience=%3Cscript%3E", "?language=%00",
        "?page=-3", "?page=abc", "?page=99999999999999999999", "?view=month&month=2027-13", "?view=month&month=x",
        "?view=month&month=0000-01", "?view=month&start=2027-03-10", "?centre=%F0%9F%98%80", "?start=9999-12-31",
        "?start=2027-03-01&end=2027-02-01", "?category=" + "x" * 5000, "?start=2027-03-30T18:00%2B99:00",
        "?view=month&month=2200-12", "?view=month&month=1970-01",
    ],
)
def test_bad_query_parameters_never_fail(client, room, query):
    make_event(room.centre, room)
    for lang in ("de", "ar"):
        response = client.get(f"/{lang}/events/{query}")
        assert response.status_code == 200, query
        embed = client.get(f"/{lang}/embed/events{query}")
        assert embed.status_code == 200, query


def test_ignored_filters_are_mentioned(client, room):
    assert "could not be understood" in text(client.get("/en/events/?start=soon"))
    assert "could not be understood" not in text(client.get("/en/events/?start=2027-01-01"))


# --- visibility -----------------------------------------------------------------


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_requests_not_approved_are_never_shown(client, room, status, auth, make_user):
    hidden = make_event(room.centre, room, status=status, title={"de": "Geheimer Antrag"})
    month = to_local(at(1), "Europe/Berlin").strftime("%Y-%m")
    urls = [
        "/de/events/", f"/de/events/?view=month&month={month}", "/de/embed/events", "/de/",
        f"/de/centres/{room.centre.slug}/", f"/de/events/?centre={room.centre.slug}",
    ]
    for url in urls:
        assert "Geheimer Antrag" not in text(client.get(url)), url
    assert client.get(f"/de/events/{hidden.id}/").status_code == 404
    # a member of another association does not see it either
    auth.login(make_user("member"))
    assert client.get(f"/de/events/{hidden.id}/").status_code == 404


def test_managers_see_a_preview_of_events_not_yet_public(client, room, auth, make_user):
    hidden = make_event(room.centre, room, status="pending", title={"de": "Bald"})
    auth.login(make_user("manager", centres=[room.centre]))
    response = client.get(f"/en/events/{hidden.id}/")
    assert response.status_code == 200
    assert "not public yet" in text(response) and json_ld(response) == []


def test_cancelled_dates_show_as_cancelled_with_reason_until_they_pass(client, room, db):
    # An hour from now, two days before and two days after: the middle date is still to come at any hour.
    soon = utcnow().replace(second=0, microsecond=0) + timedelta(hours=1)
    event = make_event(room.centre, room, starts=soon - timedelta(days=2), count=3, every_days=2, title={"de": "Nähcafé"})
    past, coming, later = event.booking.occurrences
    past.set_status("cancelled", "Wasserschaden")
    coming.set_status("cancelled", "Die Leiterin ist krank")
    db.session.commit()
    page = text(client.get("/de/events/"))
    assert "Die Leiterin ist krank" in page and ("Cancelled" in page or "Abgesagt" in page)
    assert page.count("Nähcafé") == 2
    detail = text(client.get(f"/de/events/{event.id}/"))
    assert "Die Leiterin ist krank" in detail
    assert "Wasserschaden" not in detail  # passed: no longer shown
    assert "Wasserschaden" not in text(client.get(f"/de/events/?start={(utcnow() - timedelta(days=5)).date()}"))
    embed = text(client.get("/de/embed/events"))
    assert "Die Leiterin ist krank" in embed


# --- languages ------------------------------------------------------------------


def test_titles_fall_back_and_are_marked_with_their_language(client, make_centre, make_room):
    centre = make_centre(default_language="tr")
    hall = make_room(centre)
    make_event(centre, hall, title={"tr": "Kahvaltı", "de": "Frühstück"})
    make_event(centre, hall, title={"de": "Nur Deutsch"}, starts=at(2))
    make_event(centre, hall, title={"uk": "Лише українською"}, starts=at(3))
    make_event(centre, hall, title={"ar": "قهوة", "en": "Coffee"}, starts=at(4))

    page = text(client.get("/ar/events/"))
    assert '<span dir="auto">قهوة</span>' in page  # the page's own language: no mark
    assert '<span lang="tr" dir="ltr" class="fallback">Kahvaltı</span>' in page  # centre's default first
    assert '<span lang="de" dir="ltr" class="fallback">Nur Deutsch</span>' in page  # then German
    assert '<span lang="uk" dir="ltr" class="fallback">Лише українською</span>' in page  # then any
    page = text(client.get("/en/events/"))
    assert '<span dir="auto">Coffee</span>' in page
    assert '<span lang="tr" dir="ltr" class="fallback">Kahvaltı</span>' in page


def test_arabic_pages_are_right_to_left(client, room):
    event = make_event(room.centre, room)
    for url in ("/ar/events/", f"/ar/events/{event.id}/", "/fa/embed/events", "/ar/events/?view=month"):
        assert re.search(r'<html lang="(ar|fa)" dir="rtl">', text(client.get(url))), url


# --- the event page ---------------------------------------------------------------


def test_event_page_shows_dates_place_organiser(client, room, make_association):
    association = make_association(name="Frauen für Frauen e.V.", email="geheim@example.org")
    event = make_event(
        room.centre, room, count=3, association=association, title={"de": "Frauencafé", "en": "Women's café"},
        languages=["ar", "tr"], audiences=["women"], is_free=False, price="2 €",
        registration_url="https://example.org/anmelden", contact="0511 123456", tags=["#Willkommen"],
    )
    response = client.get(f"/en/events/{event.id}/")
    page = text(response)
    assert response.status_code == 200
    assert "Women&#39;s café" in page or "Women's café" in page
    assert page.count("<time datetime=") >= 3
    assert "Hauptstraße 1" in page and "30159 Hannover" in page
    assert "https://www.openstreetmap.org/?mlat=52.37000&amp;mlon=9.73000" in page
    assert "Frauen für Frauen e.V." in page
    assert "geheim@example.org" not in page  # associations' contact data is not public
    assert "2 €" in page and "https://example.org/anmelden" in page and "#Willkommen" in page
    assert 'lang="ar"' in page and "العربية" in page


def test_event_page_json_ld(client, room, make_association):
    association = make_association(name="Sportverein Linden")
    event = make_event(
        room.centre, room, count=2, association=association,
        title={"de": "Fußball </script><script>alert(1)</script>", "tr": "Futbol"},
        description={"de": "Für Kinder & Jugendliche"}, languages=["de", "tr"],
    )
    event.booking.occurrences[1].set_status("cancelled", "Platz gesperrt")
    from extensions import db

    db.session.commit()
    response = client.get(f"/tr/events/{event.id}/")
    page = text(response)
    assert "</script><script>alert(1)" not in page
    (data,) = json_ld(response)
    assert data["@context"] == "https://schema.org"
    first, second = data["@graph"]
    assert first["@type"] == "Event" and first["name"] == "Futbol"
    assert first["description"] == "Für Kinder & Jugendliche"  # fallback to German
    start = to_local(event.booking.occurrences[0].starts_at, "Europe/Berlin")
    assert first["startDate"] == start.isoformat()
    assert first["eventStatus"] == "https://schema.org/EventScheduled"
    assert second["eventStatus"] == "https://schema.org/EventCancelled"
    assert first["location"]["address"]["streetAddress"] == "Hauptstraße 1"
    assert first["location"]["geo"] == {"@type": "GeoCoordinates", "latitude": 52.37, "longitude": 9.73}
    assert first["organizer"]["name"] == "Sportverein Linden"
    assert first["inLanguage"] == ["de", "tr"]
    assert first["url"].endswith(f"/tr/events/{event.id}/")
    # the German page has the German title, escaped inside the script
    (german,) = json_ld(client.get(f"/de/events/{event.id}/"))
    assert german["@graph"][0]["name"] == "Fußball </script><script>alert(1)</script>"


def test_unknown_event_is_404(client):
    assert client.get("/de/events/123/").status_code == 404
    assert client.get("/de/events/99999999999999/").status_code == 404


# --- home, centre page, embed -------------------------------------------------------


def test_home_shows_this_week_and_centre_page_its_upcoming_events(client, room, make_centre, make_room):
    make_event(room.centre, room, starts=at(2), title={"de": "Diese Woche"})
    make_event(room.centre, room, starts=at(20), title={"de": "Später"})
    other = make_centre(slug="andere")
    make_event(other, make_room(other), starts=at(3), title={"de": "Anderswo"})
    home = text(client.get("/de/"))
    assert "Diese Woche" in home and "Anderswo" in home and "Später" not in home
    centre_page = text(client.get(f"/de/centres/{room.centre.slug}/"))
    assert "Diese Woche" in centre_page and "Später" in centre_page and "Anderswo" not in centre_page


def test_embed_may_be_framed_by_other_sites_and_nothing_else(client, room):
    make_event(room.centre, room, title={"de": "Eingebettet"})
    embed = client.get("/de/embed/events?centre=nordstadt&category=language_course")
    assert embed.status_code == 200 and "Eingebettet" in text(embed)
    assert "X-Frame-Options" not in embed.headers
    csp = embed.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "<script" not in text(embed)
    assert 'target="_blank"' in text(embed)
    for url in ("/de/events/", "/de/", f"/de/events/{room.centre.id}/"):
        response = client.get(url)
        assert response.headers.get("X-Frame-Options") == "SAMEORIGIN", url
        assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"], url
    assert "Eingebettet" not in text(client.get("/de/embed/events?category=sport"))


def test_embed_limit(client, room):
    bulk_events(room.centre, room, 12, start=at(1))
    assert text(client.get("/de/embed/events")).count("Termin ") == 10
    assert text(client.get("/de/embed/events?limit=3")).count("Termin ") == 3
    assert text(client.get("/de/embed/events?limit=500")).count("Termin ") == 12


# --- queries do not grow with the number of events ------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/de/events/",
        "/de/events/?view=month",
        "/de/events/?audience=everyone&language=de&free=1&centre=nordstadt",
        "/de/events/?view=month&category=language_course&barrier_free=0",
        "/de/embed/events",
        "/de/",
        "/de/centres/nordstadt/",
    ],
)
def test_query_count_is_constant(client, room, db, url):
    from centres.models import Room

    start = at(0, hour=utcnow().hour + 1)
    room_id = room.id

    def add(n, first):
        hall = db.session.get(Room, room_id)
        bulk_events(hall.centre, hall, n, start=first)

    def queries_for_page():
        db.session.expunge_all()  # nothing cached from setting up: count what a fresh request needs
        with QueryCounter(db.engine) as counter:
            assert client.get(url).status_code == 200
        return counter.count

    add(3, start)
    few = queries_for_page()
    add(60, start + timedelta(hours=5))
    many = queries_for_page()
    assert many == few, url
    assert few <= 6, url


def test_event_page_says_when_its_texts_are_in_another_language(client, room):
    event = make_event(room.centre, room, title={"de": "Nähcafé", "tr": "Dikiş kafesi"}, description={"de": "Mit Nähmaschinen."})
    page = text(client.get(f"/en/events/{event.id}/"))
    assert "Not yet written in your language" in page and '<span lang="de" dir="ltr">Deutsch</span>' in page
    turkish = "Henüz sizin dilinizde yazılmadı."  # the Turkish catalogue's words for the notice
    page = text(client.get(f"/tr/events/{event.id}/"))
    assert turkish in page  # the description is German
    event.description = {"tr": "Dikiş makineleriyle."}
    from extensions import db

    db.session.commit()
    assert turkish not in text(client.get(f"/tr/events/{event.id}/"))
