"""Shared pieces of the language tests: a small scene written in one language, and the page-text check.

``scene(lang)`` (fixture ``make_scene``) builds a centre with a room, a closure, an
association with a member, a manager and an admin, a public event and a pending
request, all user content written in the page's language only, so that what the
page shows in another language is interface text.

``leaks(html, lang)`` lists the interface strings of another language found in a
page: English message ids that the language translates differently, and, for
the right-to-left languages, German translations. Parts of the page marked
with a ``lang`` other than the page's (fallback content, language names) and
form values are left out: they are content, not interface.
"""

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from config import DEFAULT_LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
PASSWORD = "correct horse battery"
RTL = {"ar", "fa"}
MIN_LENGTH = 4  # message ids of up to 3 letters ("OK", "to") are too short to tell
SECOND_LANGUAGE_CHECKED = {"ar": "de", "fa": "de"}  # page language -> another interface language not to be seen

# User content of the scene, one set per language (a name, a room, an event, a closure's reason ...).
CONTENT = {
    "de": dict(centre="Nachbarschaftshaus Amsel", room="Amselsaal", event="Nähcafé am Abend",
               description="Wir nähen zusammen.", reason="Sommerpause", request="Nähtreff"),
    "en": dict(centre="Blackbird Neighbourhood House", room="Blackbird Hall", event="Evening sewing café",
               description="We sew together.", reason="Summer break", request="Sewing circle"),
    "tr": dict(centre="Karatavuk Mahalle Evi", room="Karatavuk Salonu", event="Akşam dikiş kahvesi",
               description="Birlikte dikiş dikiyoruz.", reason="Yaz arası", request="Dikiş buluşması"),
    "ar": dict(centre="بيت الحي الشحرور", room="قاعة الشحرور", event="مقهى الخياطة المسائي",
               description="نخيط معًا.", reason="عطلة الصيف", request="لقاء الخياطة"),
    "uk": dict(centre="Сусідський дім «Дрізд»", room="Зала «Дрізд»", event="Вечірнє кафе шиття",
               description="Ми шиємо разом.", reason="Літня перерва", request="Гурток шиття"),
    "ru": dict(centre="Соседский дом «Дрозд»", room="Зал «Дрозд»", event="Вечернее швейное кафе",
               description="Мы шьём вместе.", reason="Летний перерыв", request="Кружок шитья"),
    "it": dict(centre="Casa di quartiere Merlo", room="Sala Merlo", event="Caffè del cucito serale",
               description="Cuciamo insieme.", reason="Pausa estiva", request="Cerchio di cucito"),
    "el": dict(centre="Σπίτι της γειτονιάς Κότσυφας", room="Αίθουσα Κότσυφας", event="Βραδινό καφέ ραπτικής",
               description="Ράβουμε μαζί.", reason="Καλοκαιρινό διάλειμμα", request="Κύκλος ραπτικής"),
    "hr": dict(centre="Kvartovska kuća Kos", room="Dvorana Kos", event="Večernji kafić šivanja",
               description="Šivamo zajedno.", reason="Ljetna stanka", request="Krug šivanja"),
    "fa": dict(centre="خانه محله توکا", room="سالن توکا", event="کافه خیاطی شبانه",
               description="با هم خیاطی می‌کنیم.", reason="تعطیلات تابستان", request="حلقه خیاطی"),
}
assert set(CONTENT) == set(DEFAULT_LANGUAGES)


# --- the catalogues ------------------------------------------------------------------


def read_catalogue(path):
    with open(path, "rb") as handle:
        return read_po(handle)


@functools.cache
def translations(lang: str) -> dict[str, tuple[str, ...]]:
    """message id (singular and plural) -> its translations in ``lang``."""
    table = {}
    for message in read_catalogue(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = tuple(message.string) if isinstance(message.string, tuple | list) else (message.string,)
        for msgid in ids:
            table[msgid] = strings
    return table


@functools.cache
def source_ids() -> list[str]:
    ids = []
    for message in read_catalogue(TRANSLATIONS / "messages.pot"):
        if message.id:
            ids += list(message.id) if isinstance(message.id, tuple | list) else [message.id]
    return ids


PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%")
NUMBER = r"[0-9\u0660-\u0669\u06f0-\u06f9][0-9\u0660-\u0669\u06f0-\u06f9.,\u066b\u066c\u00a0\u202f ]*"


def pattern_for(message: str):
    """A regular expression finding the message in page text (%(x)d matches a number, %(x)s anything short)."""
    parts = PLACEHOLDER.split(message)
    literal = max((p.strip() for p in parts), key=len)
    if len(re.sub(r"\W", "", literal)) < MIN_LENGTH:
        return None
    body = ""
    for index, placeholder in enumerate(PLACEHOLDER.findall(message) + [None]):
        body += "".join(r"\s+" if chunk.isspace() else re.escape(chunk) for chunk in re.split(r"(\s+)", parts[index]) if chunk)
        if placeholder == "%%":
            body += "%"
        elif placeholder is not None:
            body += NUMBER if placeholder.endswith("d") else ".{1,80}?"
    start = r"(?<!\w)" if re.match(r"\w", message) else ""
    end = r"(?!\w)" if re.search(r"\w$", message) else ""
    return re.compile(start + body + end)


@functools.cache
def foreign_strings(lang: str) -> list[tuple[str, str, object]]:
    """(which, string, pattern): interface strings of other languages that must not show in ``lang``'s pages."""
    found = []
    own = translations(lang)
    if lang != "en":
        for msgid in source_ids():
            if msgid in own[msgid]:
                continue  # the same word in this language ("Sport", "OK", "Wi-Fi")
            pattern = pattern_for(msgid)
            if pattern is not None:
                found.append(("English", msgid, pattern))
    other = SECOND_LANGUAGE_CHECKED.get(lang)
    if other:
        own_strings = {s for strings in own.values() for s in strings}
        for msgid, strings in translations(other).items():
            for string in strings:
                if string and string not in own_strings and string not in own[msgid] and string != msgid:
                    pattern = pattern_for(string)
                    if pattern is not None:
                        found.append((other, string, pattern))
    return found


# --- page text ------------------------------------------------------------------------

VISIBLE_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "aria-description")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class PageText(HTMLParser):
    """The text a reader meets in the page's language: text, titles, labels, button captions.

    Left out: scripts and styles, form values typed by people (text inputs, text
    areas), and every element whose ``lang`` differs from the page's.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page_lang = None
        self.stack = []  # (tag, skipped)
        self.chunks = []
        self.html_attrs = {}

    @property
    def skipping(self):
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_attrs = a
            self.page_lang = a.get("lang")
        skipped = self.skipping or tag in ("script", "style", "textarea") or (
            a.get("lang") not in (None, "", self.page_lang)
        )
        if not skipped:
            for name in VISIBLE_ATTRIBUTES:
                if a.get(name):
                    self.chunks.append(a[name])
            if tag == "input" and a.get("type") in ("submit", "button", "reset") and a.get("value"):
                self.chunks.append(a["value"])
            if tag == "meta" and a.get("name") == "description":
                self.chunks.append(a.get("content", ""))
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self.skipping:
            self.chunks.append(data)

    def text(self) -> str:
        return re.sub(r"\s+", " ", " | ".join(self.chunks)).strip()


def page_text(html: str) -> tuple[str, dict]:
    parser = PageText()
    parser.feed(html)
    parser.close()
    return parser.text(), parser.html_attrs


@functools.cache
def own_fragments(lang: str, string: str) -> tuple[str, ...]:
    """The literal parts of ``lang``'s own translations that contain ``string`` (a quoted menu name, a brand)."""
    fragments = set()
    for strings in translations(lang).values():
        for translated in strings:
            for part in PLACEHOLDER.split(translated or ""):
                if string in part and part.strip() != string:
                    fragments.add(part.strip())
    return tuple(fragments)


URL = re.compile(r"\b(?:https?|webcal)://\S+|\S+@\S+\.\w+")


def leaks(html: str, lang: str, content=()) -> list[str]:
    """Interface strings of another language in the page (user content the test wrote removed first).

    A string inside one of the page language's own translations (Farsi quoting
    Outlook's English menu "Subscribe from web") is that language's interface.
    """
    text, _ = page_text(html)
    text = URL.sub(" ¶ ", text)
    for item in sorted(content, key=len, reverse=True):
        text = text.replace(item, " ¶ ")
    found = []
    for which, string, pattern in foreign_strings(lang):
        for match in pattern.finditer(text):
            covered = any(
                start <= match.start() and match.end() <= start + len(fragment)
                for fragment in own_fragments(lang, match.group(0))
                for start in _positions(text, fragment)
            )
            if not covered:
                start = max(match.start() - 40, 0)
                found.append(f"{which} {string!r} in …{text[start:match.end() + 40]}…")
                break
    return found


def _positions(text: str, fragment: str):
    start = text.find(fragment)
    while start != -1:
        yield start
        start = text.find(fragment, start + 1)


# --- the scene ------------------------------------------------------------------------


@dataclass
class Scene:
    lang: str
    centre: object
    room: object
    closure: object
    association: object
    member: object
    manager: object
    admin: object
    event: object
    booking: object
    day: date  # the pending request's date (a Tuesday two weeks ahead)

    @property
    def content(self) -> list[str]:
        """Every piece of text the scene wrote (to be removed from a page before checking it)."""
        return [*CONTENT[self.lang].values(), self.association.name, self.association.contact_person,
                self.member.name, self.manager.name, self.admin.name, self.centre.district, self.centre.street,
                self.centre.city]


def next_tuesday(min_days=14) -> date:
    day = date.today() + timedelta(days=min_days)
    return day + timedelta(days=(1 - day.weekday()) % 7)


_HASH = {}


def user(db, role, email, name, centres=(), associations=(), lang="de"):
    from accounts.models import User

    if "hash" not in _HASH:
        probe = User()
        probe.set_password(PASSWORD)
        _HASH["hash"] = probe.password_hash
    person = User(email=email, role=role, name=name, password_hash=_HASH["hash"], preferred_language=lang)
    person.managed_centres = list(centres)
    person.associations = list(associations)
    db.session.add(person)
    db.session.commit()
    return person


def build_scene(db, make_centre, make_room, make_association, lang: str, *, starts: datetime | None = None) -> Scene:
    """A centre and its people, all content in ``lang``; the event's first date ``starts`` (naive UTC)."""
    from booking_support import fresh_locale
    from eventdata import at, make_event

    from bookings import services
    from bookings.services import BookingRequest
    from centres.models import Closure
    from centres.vocabulary import WELCOME_FEATURES
    from events.models import ensure_categories

    words = CONTENT[lang]
    ensure_categories()
    db.session.commit()
    centre = make_centre(
        slug="amsel", name={lang: words["centre"]}, description={lang: words["description"]},
        district="Amselfeld", street="Amselweg 7", city="Hannover", features=list(WELCOME_FEATURES),
        staff_languages=["de", "ar", "fa", "tr"], default_language=lang,
        opening_hours={str(d): [["09:00", "21:00"]] for d in range(6)},
    )
    room = make_room(centre, name=words["room"], capacity=120, equipment=["projector", "kitchen", "wifi"],
                     earliest_time=time(8), latest_time=time(22))
    closure = Closure(centre=centre, starts_on=date.today() + timedelta(days=200),
                      ends_on=date.today() + timedelta(days=214), reason={lang: words["reason"]})
    db.session.add(closure)
    db.session.commit()
    association = make_association("Lerche 21", contact_person="Ada Lerche", email="lerche@example.org",
                                   phone="+49 511 123456", website="https://lerche.example.org",
                                   description={lang: words["description"]}, languages=["de", "ar"])
    member = user(db, "member", "mina@example.org", "Mina Lerche", associations=[association], lang=lang)
    manager = user(db, "manager", "murat@example.org", "Murat Amsel", centres=[centre], lang=lang)
    admin = user(db, "admin", "ada@example.org", "Ada Kos", lang=lang)
    event = make_event(centre, room, association=association, starts=starts or at(1),
                       title={lang: words["event"]}, description={lang: words["description"]},
                       audiences=["everyone", "families"], languages=["de", "ar", "fa"], is_free=False,
                       price="3 €", registration_url="https://lerche.example.org/anmeldung", count=3)
    # the request's Tuesday comes after the event's last date (two weeks from a Monday is the event's third date)
    last = max(o.ends_at for o in event.booking.occurrences).date()
    day = next_tuesday(min_days=max(14, (last - date.today()).days + 1))
    booking = services.request_booking(BookingRequest(
        centre=centre, room=room, association=association, title=words["request"],
        start=datetime.combine(day, time(18)), end=datetime.combine(day, time(20)),
    ), member)
    db.session.commit()
    fresh_locale()
    return Scene(lang, centre, room, closure, association, member, manager, admin, event, booking, day)


@pytest.fixture(name="make_scene")
def make_scene_fixture(db, make_centre, make_room, make_association):
    def make(lang, **options):
        return build_scene(db, make_centre, make_room, make_association, lang, **options)

    return make


def sign_in(client, person, lang):
    response = client.post(f"/{lang}/login", data={"email": person.email, "password": PASSWORD})
    assert response.status_code in (302, 303), (lang, response.status_code)
    return response


__all__ = ["CONTENT", "RTL", "Scene", "build_scene", "foreign_strings", "leaks", "make_scene_fixture",
           "next_tuesday", "page_text", "sign_in", "translations"]
