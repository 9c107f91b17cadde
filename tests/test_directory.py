"""The public directory: /<lang>/centres/ and /<lang>/centres/<slug>/ as a resident sees them."""

import re
from datetime import timedelta

import pytest

from timeutil import utcnow

LANGUAGES = ["de", "en", "tr", "ar", "uk", "ru", "it", "el", "hr", "fa"]
RTL = {"ar", "fa"}


@pytest.fixture
def city(make_centre, make_room):
    """Three centres in two districts with different features and staff languages."""
    nord = make_centre(
        "nordstadt",
        district="Nordstadt",
        name={"de": "Nachbarschaftshaus Nordstadt", "tr": "Nordstadt Mahalle Evi", "ar": "بيت الجيران"},
        features=["wifi", "cafe", "barrier_free"],
        staff_languages=["de", "tr", "ar"],
        contact_email="nord@example.org",
        contact_phone="+49 511 12345",
        website="https://nord.example.org",
        opening_hours={"0": [["09:00", "12:00"], ["14:00", "18:00"]], "2": [["10:00", "20:00"]]},
    )
    linden = make_centre(
        "linden",
        district="Linden",
        name={"de": "Freizeitheim Linden"},
        features=["child_friendly"],
        staff_languages=["de", "uk"],
    )
    sued = make_centre(
        "suedstadt",
        district="Südstadt",
        name={"de": "Treffpunkt Südstadt", "en": "Südstadt Meeting Point"},
        features=["wifi"],
        staff_languages=["de", "en"],
        latitude=None,
        longitude=None,
    )
    make_room(nord, name="Großer Saal", capacity=120, equipment=["projector", "sound_system"], barrier_free=True)
    make_room(nord, name="Küche", capacity=12, equipment=["kitchen"], barrier_free=False, bookable=False)
    make_room(linden, name="Werkstatt", capacity=15)
    return {"nordstadt": nord, "linden": linden, "suedstadt": sued}


def shown_slugs(html):
    return set(re.findall(r'href="/[a-z]{2}/centres/([a-z0-9-]+)/"', html))


# --- the list -------------------------------------------------------------------------


def test_directory_lists_every_centre(client, city):
    response = client.get("/en/centres/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert shown_slugs(html) == {"nordstadt", "linden", "suedstadt"}
    assert "3 centres" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("district=Nordstadt", {"nordstadt"}),
        ("district=S%C3%BCdstadt", {"suedstadt"}),
        ("feature=wifi", {"nordstadt", "suedstadt"}),
        ("feature=child_friendly", {"linden"}),
        ("language=uk", {"linden"}),
        ("language=tr", {"nordstadt"}),
        ("language=de", {"nordstadt", "linden", "suedstadt"}),
        ("feature=wifi&language=en", {"suedstadt"}),
        ("district=Nordstadt&feature=child_friendly", set()),
        ("district=&feature=&language=", {"nordstadt", "linden", "suedstadt"}),
    ],
)
def test_directory_filters(client, city, query, expected):
    response = client.get(f"/en/centres/?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert shown_slugs(html) == expected
    if not expected:
        assert "No centre matches these filters." in html


def test_filter_form_keeps_the_choice(client, city):
    html = client.get("/en/centres/?district=Linden&feature=cafe&language=tr").get_data(as_text=True)
    assert re.search(r'<option value="Linden"\s+selected', html)
    assert re.search(r'<option value="cafe"\s+selected', html)
    assert re.search(r'<option value="tr"[^>]*selected', html)


def test_filter_offers_only_existing_districts(client, city):
    html = client.get("/en/centres/").get_data(as_text=True)
    options = re.findall(r'<option value="([^"]*)"', html.split('name="district"')[1].split("</select>")[0])
    assert options == ["", "Linden", "Nordstadt", "Südstadt"]


@pytest.mark.parametrize(
    "query",
    [
        "feature=spaceport",
        "language=klingon",
        "feature=%00",
        "language=de%00",
        "feature=wifi&feature=cafe",
        "feature[]=wifi",
        "language=" + "x" * 5000,
        "unknown=1",
    ],
)
def test_unknown_filter_values_are_ignored(client, city, query):
    response = client.get(f"/en/centres/?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if "feature=wifi&feature=cafe" not in query:
        assert shown_slugs(html) == {"nordstadt", "linden", "suedstadt"}


@pytest.mark.parametrize("district", ["Atlantis", "%00", "x" * 5000, "%FF%FE", "<script>alert(1)</script>"])
def test_unknown_district_shows_nothing_but_never_fails(client, city, district):
    response = client.get(f"/en/centres/?district={district}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert shown_slugs(html) == set()
    assert "<script>alert(1)</script>" not in html


def test_directory_in_turkish_shows_turkish_names_with_fallback(client, city):
    html = client.get("/tr/centres/").get_data(as_text=True)
    assert "Nordstadt Mahalle Evi" in html
    # Linden has only a German name: shown, marked as German for screen readers.
    assert re.search(r'lang="de"[^>]*>Freizeitheim Linden<', html)


def test_empty_directory(client):
    response = client.get("/en/centres/")
    assert response.status_code == 200
    assert "0 centres" in response.get_data(as_text=True)


# --- one centre -----------------------------------------------------------------------


def test_centre_page_shows_rooms_hours_features_and_contact(client, city):
    response = client.get("/en/centres/nordstadt/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # rooms
    assert "Großer Saal" in html and "Küche" in html
    assert "120 people" in html and "12 people" in html
    assert "Projector" in html and "Sound system" in html
    # hours
    assert "09:00–12:00" in html and "14:00–18:00" in html and "10:00–20:00" in html
    assert re.search(r"Tuesday</th>\s*<td[^>]*>closed</td>", html)
    assert re.search(r"Monday</th>\s*<td[^>]*>.*09:00–12:00.*14:00–18:00.*</td>", html)
    # features and staff languages
    assert "Free Wi-Fi" in html and "Café" in html and "Barrier-free access" in html
    assert "Türkçe" in html and "العربية" in html
    # contact
    assert 'href="mailto:nord@example.org"' in html
    assert 'href="tel:+4951112345"' in html
    assert 'href="https://nord.example.org"' in html
    assert "Hauptstraße 1" in html and "30159" in html


def test_centre_page_links_to_openstreetmap(client, city):
    html = client.get("/en/centres/nordstadt/").get_data(as_text=True)
    assert 'href="https://www.openstreetmap.org/?mlat=52.37000&amp;mlon=9.73000#map=18/52.37000/9.73000"' in html


def test_centre_without_coordinates_has_no_map_link(client, city):
    html = client.get("/en/centres/suedstadt/").get_data(as_text=True)
    assert "openstreetmap.org" not in html


@pytest.mark.parametrize("path", ["/en/centres/", "/en/centres/nordstadt/", "/ar/centres/nordstadt/"])
def test_no_third_party_embeds(client, city, path):
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert "<iframe" not in html
    for attribute in re.findall(r'<(?:script|img|link|source|video|audio|embed|object)\b[^>]*>', html):
        for url in re.findall(r'(?:src|href|data)="([^"]+)"', attribute):
            assert not re.match(r"^(https?:)?//", url), attribute
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'self'" in csp
    assert "tile.openstreetmap" not in csp


def test_room_that_cannot_be_booked_says_so(client, city):
    html = client.get("/en/centres/nordstadt/").get_data(as_text=True)
    kitchen = html.split("Küche")[1].split("</article>")[0]
    assert re.search(r"Can be booked</dt>\s*<dd[^>]*>no</dd>", kitchen)


def test_centre_page_shows_coming_closures_only(client, db, city):
    from centres.models import Closure

    today = utcnow().date()
    centre = city["nordstadt"]
    db.session.add_all(
        [
            Closure(centre=centre, starts_on=today + timedelta(days=10), ends_on=today + timedelta(days=20),
                    reason={"de": "Sommerpause", "en": "Summer break"}),
            Closure(centre=centre, starts_on=today - timedelta(days=30), ends_on=today - timedelta(days=20),
                    reason={"en": "Long gone"}),
        ]
    )
    db.session.commit()
    html = client.get("/en/centres/nordstadt/").get_data(as_text=True)
    assert "Summer break" in html
    assert "Long gone" not in html


def test_centre_without_rooms(client, city):
    html = client.get("/en/centres/suedstadt/").get_data(as_text=True)
    assert "This centre has no rooms listed yet." in html


@pytest.mark.parametrize("path", ["/en/centres/nowhere/", "/de/centres/NORDSTADT/", "/en/centres/" + "x" * 500 + "/"])
def test_unknown_centre_is_404(client, city, path):
    response = client.get(path)
    assert response.status_code == 404
    if path.startswith("/en/"):
        assert "This page does not exist." in response.get_data(as_text=True)


def test_nul_in_slug_is_a_client_error(client, city):
    """SQLite finds nothing (404); PostgreSQL refuses the NUL (400). Never a 500."""
    response = client.get("/ar/centres/nord%00stadt/")
    assert response.status_code in (400, 404)
    assert '<html lang="ar" dir="rtl">' in response.get_data(as_text=True)


def test_unknown_language_is_404(client, city):
    assert client.get("/xx/centres/").status_code == 404
    assert client.get("/xx/centres/nordstadt/").status_code == 404


def test_manage_link_only_for_the_centres_managers(client, auth, city, make_user):
    assert "Manage this centre" not in client.get("/en/centres/nordstadt/").get_data(as_text=True)
    manager = make_user("manager", centres=[city["nordstadt"]])
    auth.login(manager)
    assert "Manage this centre" in client.get("/en/centres/nordstadt/").get_data(as_text=True)
    assert "Manage this centre" not in client.get("/en/centres/linden/").get_data(as_text=True)


# --- every language: lang and dir -----------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", ["", "centres/", "centres/nordstadt/", "centres/nowhere/"])
def test_every_page_has_lang_and_dir(client, city, lang, page):
    response = client.get(f"/{lang}/{page}")
    assert response.status_code == (404 if "nowhere" in page else 200)
    direction = "rtl" if lang in RTL else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in response.get_data(as_text=True)


def test_arabic_centre_page_is_right_to_left_with_arabic_name(client, city):
    html = client.get("/ar/centres/nordstadt/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert "بيت الجيران" in html


def test_language_switcher_keeps_the_page_and_filters(client, city):
    html = client.get("/en/centres/?feature=wifi").get_data(as_text=True)
    assert re.search(r'href="/ar/centres/\?feature=wifi"', html)
    html = client.get("/en/centres/nordstadt/").get_data(as_text=True)
    assert 'href="/tr/centres/nordstadt/"' in html
