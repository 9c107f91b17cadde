"""Locale-aware formats, the language switcher and the per-language fields of the edit forms.

- Dates, times, weekdays, month names and numbers are Babel's, in the page's
  language and the centre's time zone. Babel (2.18) writes Latin digits for
  Arabic and Farsi dates and, by default, numbers (Arabic's CLDR default
  numbering system is Latin; Farsi's is Extended Arabic-Indic, which Babel
  applies to separators only); the pages use exactly Babel's output.
- The month view starts on the first day of the week where the language is
  mostly spoken (CLDR likely subtags): Monday for German, Saturday for Farsi
  and Arabic, Sunday for English.
- The language switcher names each language in its own name and script.
- The edit forms of centres, rooms, closures and events show, without
  JavaScript, one labelled field per language, marked when filled in.
"""

import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton
from babel.numbers import format_decimal
from babel.support import Translations
from i18n_support import CONTENT, TRANSLATIONS, make_scene_fixture, sign_in, translations  # noqa: F401

from config import DEFAULT_LANGUAGES


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def in_days(days: int, hour_utc: int) -> datetime:
    """Naive UTC, ``days`` from today at hour_utc:00 (as the database stores it)."""
    today = datetime.now(ZoneInfo("UTC")).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days, hours=hour_utc)


# --- dates, times and numbers -------------------------------------------------------------


@pytest.mark.parametrize("lang", DEFAULT_LANGUAGES)
def test_event_dates_are_babel_dates_in_the_centres_zone(client, make_scene, db, lang):
    """An event at 15:00 UTC in an Istanbul centre is at 18:00 there, whatever the language."""
    starts = in_days(20, 15)
    scene = make_scene(lang, starts=starts)
    scene.centre.timezone = "Europe/Istanbul"
    db.session.commit()
    html = html_of(client.get(f"/{lang}/events/{scene.event.id}/"))
    zone = ZoneInfo("Europe/Istanbul")
    local_start = starts.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    local_end = local_start + timedelta(hours=2)
    assert local_start.hour == 18
    assert format_date(local_start.date(), "full", locale=lang) in html
    interval = format_interval(local_start, local_end, "Hm", tzinfo=zone, locale=lang)
    assert interval in html and "18" in interval
    month = Locale.parse(lang).months["format"]["wide"][local_start.month]
    assert month in html
    # The zone is named by its city, in the page's language.
    city = {"de": "Istanbul", "en": "Istanbul", "tr": "İstanbul", "ar": "إسطنبول", "uk": "Стамбул",
            "ru": "Стамбул", "it": "Istanbul", "el": "Κωνσταντινούπολη", "hr": "Istanbul", "fa": "استانبول"}[lang]
    assert city in html and "Europe/Istanbul" not in html.split("</head>")[1].split("<script")[0]


@pytest.mark.parametrize("lang, month_name", [("ar", "مارس"), ("fa", "مارس"), ("de", "März"), ("uk", "березня"),
                                              ("el", "Μαρτίου"), ("tr", "Mart")])
def test_month_names_are_the_languages_own(client, make_scene, lang, month_name):
    """A date in March named as the language names it (Farsi uses the Gregorian month's Persian name)."""
    today = date.today()
    year = today.year + 1 if today >= date(today.year, 3, 1) else today.year
    starts = datetime(year, 3, 17, 16, 0)
    scene = make_scene(lang, starts=starts)
    html = html_of(client.get(f"/{lang}/events/{scene.event.id}/"))
    assert month_name in html
    assert format_date(date(year, 3, 17), "full", locale=lang) in html


@pytest.mark.parametrize("lang", ["ar", "fa"])
def test_arabic_and_farsi_digits_are_babels(client, make_scene, lang):
    """Digits as Babel writes them for the language: what format_decimal and format_date give, nothing else."""
    scene = make_scene(lang, starts=in_days(20, 15))
    html = html_of(client.get(f"/{lang}/events/{scene.event.id}/"))
    body = html.split("<body", 1)[1]
    local = in_days(20, 15).replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("Europe/Berlin"))
    babel_date = format_date(local.date(), "full", locale=lang)
    babel_number = format_decimal(local.day, locale=lang)
    assert babel_date in body and babel_number in babel_date
    babel_digits = set(re.findall(r"\d", babel_date + format_decimal(1234567890, locale=lang)))
    page_digits = set(re.findall(r"\d", re.sub(r"<[^>]+>", " ", body)))
    assert page_digits <= babel_digits | set("0123456789")
    if babel_digits <= set("0123456789"):  # Babel 2.18: Latin digits for both; then the page has no others
        assert not re.search(r"[\u0660-\u0669\u06f0-\u06f9]", re.sub(r"<[^>]+>", " ", body))
    # The capacity of the room on the centre page, as Babel writes the number.
    centre = html_of(client.get(f"/{lang}/centres/{scene.centre.slug}/"))
    catalogue = Translations.load(str(TRANSLATIONS), [lang])
    people = catalogue.ungettext("%(num)d person", "%(num)d people", scene.room.capacity) % {"num": scene.room.capacity}
    assert people.replace(str(scene.room.capacity), format_decimal(scene.room.capacity, locale=lang)) in centre


FIRST_WEEKDAY = {"de": 0, "en": 6, "tr": 0, "ar": 5, "uk": 0, "ru": 0, "it": 0, "el": 0, "hr": 0, "fa": 5}


@pytest.mark.parametrize("lang", DEFAULT_LANGUAGES)
def test_month_view_starts_on_the_locales_first_weekday(client, make_scene, lang):
    make_scene(lang)
    html = html_of(client.get(f"/{lang}/events/?view=month&month=2027-03"))
    first = FIRST_WEEKDAY[lang]
    days = Locale.parse(lang).days["stand-alone"]
    titles = re.findall(r'<th scope="col"><abbr title="([^"]+)"><span class="weekday-name">([^<]+)</span>', html)
    letters = re.findall(r'<span class="weekday-letter" aria-hidden="true">([^<]+)</span>', html)
    assert letters == [days["narrow"][(first + i) % 7] for i in range(7)]
    assert [wide for wide, _ in titles] == [days["wide"][(first + i) % 7] for i in range(7)]
    assert titles[0][1] == days["abbreviated"][first]
    first_cell = re.search(r'<tbody>.*?<time datetime="(\d{4}-\d\d-\d\d)"', html, re.S).group(1)
    assert date.fromisoformat(first_cell).weekday() == first
    assert format_skeleton("yMMMM", date(2027, 3, 1), locale=lang) in html  # the month's title
    if lang == "de":
        assert titles[0][1] == "Mo" and date.fromisoformat(first_cell) == date(2027, 3, 1)  # a Monday
    if lang == "fa":
        assert titles[0][0] == "شنبه" and date.fromisoformat(first_cell) == date(2027, 2, 27)


@pytest.mark.parametrize("lang, separator", [("fa", "،\u200f "), ("ar", " و"), ("de", ", "), ("en", ", ")])
def test_lists_use_the_languages_separator(client, make_scene, lang, separator):
    """Audiences on the event page: joined with Farsi's comma, Arabic's 'and', German's comma."""
    scene = make_scene(lang)
    html = html_of(client.get(f"/{lang}/events/{scene.event.id}/"))
    heading = translations(lang)["For whom"][0]
    audiences = re.search(r"<dt>" + re.escape(heading) + r"</dt><dd>([^<]*)</dd>", html).group(1)
    everyone, families = translations(lang)["Everyone"][0], translations(lang)["Families"][0]
    assert audiences == f"{everyone}{separator}{families}"


# --- WTForms' messages in every language ---------------------------------------------------


@pytest.mark.parametrize("lang, required", [
    ("hr", "Ispunite ovo polje."), ("fa", "لطفاً این بخش را پر کنید."), ("ar", "يُرجى ملء هذا الحقل."),
    ("de", "Dieses Feld wird benötigt."), ("en", "This field is required."),
])
def test_wtforms_messages_come_from_our_catalogues(client, make_scene, lang, required):
    """WTForms has no Croatian catalogue: its messages are in ours, for every language."""
    make_scene(lang)
    html = client.post(f"/{lang}/associations/register", data={"email": "x"}).get_data(as_text=True)
    assert required in html
    if lang != "en":
        assert "This field is required." not in html


def test_tags_may_be_separated_by_the_arabic_comma():
    from events.rules import split_tags

    assert split_tags("#أسبوع_الترحيب، صيف") == ["#أسبوع_الترحيب", "صيف"]
    assert split_tags("#WelcomeWeek, summer") == ["#WelcomeWeek", "summer"]


# --- the language switcher ----------------------------------------------------------------

OWN_NAMES = {"de": "Deutsch", "en": "English", "tr": "Türkçe", "ar": "العربية", "uk": "Українська",
             "ru": "Русский", "it": "Italiano", "el": "Ελληνικά", "hr": "Hrvatski", "fa": "فارسی"}


class Switcher(HTMLParser):
    """The links of the language switcher: (href, lang, hreflang, aria-current, dir of the name, name)."""

    def __init__(self):
        super().__init__()
        self.inside, self.link, self.links = False, None, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "details" and "language-switcher" in (a.get("class") or ""):
            self.inside = True
        elif self.inside and tag == "a":
            self.link = {**a, "name": ""}
        elif self.link is not None and tag == "span":
            self.link["dir"] = a.get("dir")

    def handle_endtag(self, tag):
        if tag == "details":
            self.inside = False
        elif tag == "a" and self.link is not None:
            self.links.append(self.link)
            self.link = None

    def handle_data(self, data):
        if self.link is not None:
            self.link["name"] += data.strip()


@pytest.mark.parametrize("lang", DEFAULT_LANGUAGES)
def test_language_switcher_names_each_language_in_its_own_script(client, make_scene, lang):
    scene = make_scene(lang)
    parser = Switcher()
    parser.feed(html_of(client.get(f"/{lang}/centres/{scene.centre.slug}/?district=Amselfeld")))
    links = {link["lang"]: link for link in parser.links}
    assert list(links) == DEFAULT_LANGUAGES
    for code, link in links.items():
        assert link["name"] == OWN_NAMES[code]
        assert link["hreflang"] == code
        assert link["dir"] == ("rtl" if code in ("ar", "fa") else "ltr")
        assert link["href"] == f"/{code}/centres/{scene.centre.slug}/?district=Amselfeld"  # same page, same query
        assert ("aria-current" in link) == (code == lang)


# --- one field per language in the edit forms (no JavaScript) -----------------------------------


class TranslatedFields(HTMLParser):
    """Each <fieldset class="field field-translated">: its legend and, per language, summary, label, input."""

    def __init__(self):
        super().__init__()
        self.fieldsets, self.current, self.text_target, self.translation = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "fieldset" and "field-translated" in classes:
            self.current = {"legend": "", "languages": []}
            self.fieldsets.append(self.current)
        elif self.current is None:
            return
        elif tag == "legend":
            self.text_target = "legend"
        elif tag == "details" and "translation" in classes:
            self.translation = {"open": "open" in a, "filled": False, "summary_lang": None, "label_for": None,
                                "label": "", "control": None}
            self.current["languages"].append(self.translation)
        elif self.translation is not None:
            if tag == "span" and "filled" in classes:
                self.translation["filled"] = True
            elif tag == "span" and a.get("lang") and self.translation["summary_lang"] is None:
                self.translation["summary_lang"] = a["lang"]
            elif tag == "label":
                self.translation["label_for"] = a.get("for")
                self.text_target = "label"
            elif tag in ("input", "textarea"):
                self.translation["control"] = a

    def handle_endtag(self, tag):
        if tag in ("legend", "label"):
            self.text_target = None
        elif tag == "fieldset":
            self.current = None
        elif tag == "details":
            self.translation = None

    def handle_data(self, data):
        if self.text_target == "legend" and self.current is not None:
            self.current["legend"] += data.strip()
        elif self.text_target == "label" and self.translation is not None:
            self.translation["label"] += data


def translated_fields(html):
    parser = TranslatedFields()
    parser.feed(html)
    return {f["legend"]: f["languages"] for f in parser.fieldsets}


def check_tabs(fields, legend, filled, page_lang):
    languages = fields[legend]
    assert [t["summary_lang"] for t in languages] == DEFAULT_LANGUAGES
    for code, tab in zip(DEFAULT_LANGUAGES, languages, strict=True):
        control = tab["control"]
        assert control["lang"] == code and control["dir"] == ("rtl" if code in ("ar", "fa") else "ltr")
        assert control["id"] == tab["label_for"]  # a label for every field
        assert legend in tab["label"] and OWN_NAMES[code] in tab["label"]
        assert tab["filled"] == (code in filled), (legend, code)
        assert tab["open"] == (code in filled or code == page_lang or code == DEFAULT_LANGUAGES[0])


@pytest.mark.parametrize("lang", ["fa", "de", "uk"])
def test_edit_forms_show_one_field_per_language_with_what_is_filled_in(client, make_scene, db, lang):
    scene = make_scene(lang)
    scene.centre.name = {"de": "Amsel", "tr": "Karatavuk", lang: CONTENT[lang]["centre"]}
    scene.room.description = {"ar": "قاعة كبيرة"}
    db.session.commit()
    labels = {
        "fa": ("نام", "توضیحات", "عنوان", "دلیل"),
        "de": ("Name", "Beschreibung", "Titel", "Grund"),
        "uk": ("Назва", "Опис", "Назва", "Причина"),
    }[lang]
    sign_in(client, scene.admin, lang)
    fields = translated_fields(html_of(client.get(f"/{lang}/manage/centres/{scene.centre.slug}/edit")))
    check_tabs(fields, labels[0], {"de", "tr", lang}, lang)
    check_tabs(fields, labels[1], {lang}, lang)
    fields = translated_fields(html_of(
        client.get(f"/{lang}/manage/centres/{scene.centre.slug}/rooms/{scene.room.id}/edit")))
    check_tabs(fields, labels[1], {"ar"}, lang)
    fields = translated_fields(html_of(client.get(f"/{lang}/events/{scene.event.id}/edit")))
    check_tabs(fields, labels[2], {lang}, lang)
    check_tabs(fields, labels[1], {lang}, lang)
    fields = translated_fields(html_of(client.get(f"/{lang}/manage/centres/{scene.centre.slug}/closures/new")))
    check_tabs(fields, labels[3], set(), lang)
