"""A large city grown from the demo (``flask --app app seed-city``): for benchmarks and for seeing the product at
size. Never for production.

New centres of ``rooms`` rooms each and 300 associations of every kind (each with one member, its admin); every
room gets ``SERIES_PER_ROOM`` weekly series, requested by an association and decided by the centre's manager
through the booking services — the same rules as a real request (hours, buffers, limits, terms, the no-overlap
guarantee) — one year at a time: the past years with "now" set back to just before them, the coming year from
next week. Most series have a public event in several languages; one in twenty-five is rejected, one in
forty loses a date to a cancellation; the organisers counted the people at most past dates.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update

from accounts import members
from accounts.models import ASSOCIATION_KINDS, Association, User
from bookings import services
from bookings.errors import BookingError
from bookings.models import APPROVED, Booking, Occurrence
from bookings.recurrence import WEEKDAY_CODES, Recurrence, week_start
from centres.models import Centre, Room
from demo import DEMO_PASSWORD, HOURS_WEEK, HOUSE_RULES, apply_terms, load_demo, room_terms
from demo.season import quiet_commit
from events.models import AUDIENCES, DEFAULT_CATEGORIES, ensure_categories
from extensions import db
from terms.models import HouseRules
from terms.rules import Responsible
from timeutil import utcnow

SERIES_PER_ROOM = 5  # 5 weekly series × 52 weeks × 400 rooms × 2 years ≈ 200,000 dates
ASSOCIATIONS = 300
SLOTS = [(9, 11), (12, 14), (15, 17), (18, 20)]  # a room's buffers (15–30 minutes) fit between them
DISTRICTS = ["Ahlem", "Badenstedt", "Bemerode", "Bothfeld", "Buchholz", "Döhren", "Groß-Buchholz", "Hainholz",
             "Kirchrode", "Kleefeld", "Limmer", "List", "Misburg", "Oberricklingen", "Ricklingen", "Stöcken",
             "Vinnhorst", "Wettbergen", "Wülfel", "Zoo"]
KIND_NAMES = {"migrant_organisation": "Kulturverein", "club": "Sportverein", "initiative": "Nachbarschaftsinitiative",
              "school": "Schule", "religious_community": "Gemeinde", "public_body": "Beratungsstelle",
              "other": "Freundeskreis"}
TITLES = [
    {"de": "Deutsch im Alltag", "en": "German for everyday life", "ar": "الألمانية في الحياة اليومية",
     "uk": "Німецька для щоденного життя", "tr": "Günlük hayatta Almanca"},
    {"de": "Offenes Elterncafé", "en": "Open parents' café", "tr": "Açık veli kafesi", "ar": "مقهى الأهالي المفتوح"},
    {"de": "Hausaufgabenhilfe", "en": "Homework help", "ar": "مساعدة في الواجبات المدرسية", "fa": "کمک به تکالیف"},
    {"de": "Frauensport", "en": "Sport for women", "tr": "Kadınlar için spor", "ar": "رياضة للنساء"},
    {"de": "Nähwerkstatt", "en": "Sewing workshop", "uk": "Швейна майстерня", "ru": "Швейная мастерская"},
    {"de": "Chor der Kulturen", "en": "Choir of cultures", "it": "Coro delle culture", "el": "Χορωδία των πολιτισμών"},
    {"de": "Beratung zu Arbeit und Ausbildung", "en": "Advice on work and training", "hr": "Savjetovanje o poslu",
     "ar": "استشارات حول العمل والتدريب"},
    {"de": "Spielgruppe", "en": "Playgroup", "tr": "Oyun grubu", "uk": "Ігрова група"},
]


@dataclass
class Grown:
    centres: int = 0
    rooms: int = 0
    associations: int = 0
    bookings: int = 0
    rejected: int = 0
    refused: int = 0  # requests a rule refused (reported, not hidden)


def _associations(count: int) -> list[tuple[Association, User]]:
    """Verified associations of every kind, each with a member (its admin; all share the demo password)."""
    password_hash = None
    made = []
    for n in range(count):
        kind = ASSOCIATION_KINDS[n % len(ASSOCIATION_KINDS)]
        association = Association(name=f"{KIND_NAMES.get(kind, 'Verein')} {DISTRICTS[n % len(DISTRICTS)]} {n + 1}",
                                  kind=kind, languages=["de", ["tr", "ar", "uk", "fa", "ru"][n % 5]],
                                  contact_person="Demo Kontakt", email=f"city-association-{n + 1}@example.org")
        association.verify(by=None)
        user = User(email=f"city-member-{n + 1}@example.org", role="member", name=f"Mitglied {n + 1}",
                    preferred_language="de")
        if password_hash is None:
            user.set_password(DEMO_PASSWORD)  # hashed once: hashing is slow by design
            password_hash = user.password_hash
        user.password_hash = password_hash
        db.session.add_all([association, user])
        db.session.flush()
        members.add(association, user, admin=True)
        made.append((association, user))
    return made


def _centres(count: int, rooms: int, manager_hash: str) -> list[tuple[Centre, User]]:
    made = []
    for n in range(count):
        district = DISTRICTS[n % len(DISTRICTS)]
        slug = f"city-{n + 1:02d}"
        centre = Centre(slug=slug, name={"de": f"Stadtteilzentrum {district} {n + 1}",
                                         "en": f"{district} District Centre {n + 1}"},
                        description={"de": "Ein Haus für alle im Stadtteil."}, district=district,
                        street=f"Hauptstraße {n + 1}", postcode=f"30{n % 100:03d}", city="Hannover",
                        opening_hours=HOURS_WEEK, features=["wifi"], staff_languages=["de", "en"],
                        contact_email=f"{slug}@example.org", timezone="Europe/Berlin", default_language="de")
        apply_terms(centre)
        for r in range(rooms):
            capacity = (12, 20, 30, 60)[r % 4]
            centre.rooms.append(Room(name=f"Raum {r + 1}", capacity=capacity, equipment=["wifi"], bookable=True,
                                     barrier_free=r % 2 == 0, earliest_time=time(8, 0), latest_time=time(22, 0),
                                     max_duration_minutes=600, max_days_ahead=400, min_notice_hours=24,
                                     **room_terms(capacity, ["wifi"])))
        manager = User(email=f"city-manager-{n + 1}@example.org", role="manager", name=f"Leitung {n + 1}",
                       preferred_language="de", password_hash=manager_hash)
        manager.managed_centres = [centre]
        db.session.add_all([centre, manager])
        db.session.flush()
        db.session.add(HouseRules(centre_id=centre.id, version=1, text=HOUSE_RULES))
        made.append((centre, manager))
    quiet_commit()
    return made


def _plan(centres, associations, years: int) -> list[tuple]:
    """(centre, manager, room, association, member, slot number, first Monday, now) for every request to make."""
    today = utcnow().date()
    coming = week_start(today) + timedelta(weeks=2)  # beyond every room's notice
    starts = [coming - timedelta(weeks=52 * back) for back in range(years - 1, -1, -1)] if years > 1 else [coming]
    plan, n = [], 0
    for first in starts:
        now = datetime.combine(first - timedelta(days=2), time(9, 0))
        for centre, manager in centres:
            for room in centre.rooms:
                for s in range(SERIES_PER_ROOM):
                    association, member = associations[n % len(associations)]
                    plan.append((centre, manager, room, association, member, s, first, min(now, utcnow()), n))
                    n += 1
    return plan


def _request(centre, manager, room, association, member, s, first: date, now: datetime, n: int, grown: Grown):
    weekday, (start_hour, end_hour) = s % 6, SLOTS[(s // 6 + n) % len(SLOTS)]
    day = first + timedelta(days=weekday)
    title = TITLES[n % len(TITLES)]
    categories = list(DEFAULT_CATEGORIES)
    audiences = list(AUDIENCES)
    event = None if n % 10 == 9 else {
        "title": title, "category_key": categories[n % len(categories)],
        "audiences": [audiences[n % len(audiences)]], "languages": sorted({"de", *title}),
        "is_free": n % 4 != 0, "price": "" if n % 4 else "3 €", "barrier_free": room.barrier_free}
    request = services.BookingRequest(
        centre=centre, room=room, association=association, title=title["de"],
        start=datetime.combine(day, time(start_hour)), end=datetime.combine(day, time(end_hour)),
        recurrence=Recurrence(weekdays=[WEEKDAY_CODES[weekday]], count=52), skip_conflicts=True,
        accept_terms=True, responsible=Responsible(member.name, "+49 511 222222", True), event=event)
    try:
        booking = services.request_booking(request, member, now=now)
        if n % 25 == 24:
            services.reject(booking, manager, reason="Der Raum wird renoviert. – The room is being renovated.",
                            now=now)
            grown.rejected += 1
        else:
            services.approve(booking, manager, now=now)
            if n % 40 == 39:
                later = booking.occurrences[len(booking.occurrences) // 2]
                services.cancel(booking, member, occurrence_id=later.id, reason="Krankheit", now=now)
        quiet_commit()
        grown.bookings += 1
    except BookingError:
        db.session.rollback()
        grown.refused += 1


def _count_people(today: date) -> None:
    """Most past dates got a count (every seventh organiser did not count)."""
    db.session.execute(update(Occurrence).where(
        Occurrence.status == APPROVED, Occurrence.ends_at < datetime.combine(today, time()),
        Occurrence.participants.is_(None), Occurrence.id % 7 != 0,
    ).values(participants=5 + Occurrence.id % 40))
    quiet_commit()


def grow_city(centres: int = 40, rooms: int = 10, years: int = 2, progress=None) -> Grown | None:
    """Grow the city (the demo first, if the database is empty); None when it has grown already.

    ``progress(iterable, length)`` wraps the requests (a progress bar on the command line)."""
    if db.session.scalar(select(Centre.id).where(Centre.slug == "city-01")) is not None:
        return None
    if db.session.scalar(select(Centre.id).limit(1)) is None:
        load_demo()
    ensure_categories()
    grown = Grown()
    associations = _associations(ASSOCIATIONS)
    grown.associations = len(associations)
    centres_made = _centres(centres, rooms, associations[0][1].password_hash)
    grown.centres, grown.rooms = len(centres_made), len(centres_made) * rooms
    plan = _plan(centres_made, associations, years)
    steps = progress(plan, len(plan)) if progress else _plain(plan)
    with steps as items:
        for item in items:
            _request(*item, grown=grown)
    _count_people(utcnow().date())
    return grown


class _plain:
    """No progress bar: the plan as it is."""

    def __init__(self, plan):
        self.plan = plan

    def __enter__(self):
        return self.plan

    def __exit__(self, *exc):
        return False


def dates_count() -> int:
    return db.session.scalar(select(func.count(Occurrence.id)).join(Booking, Booking.id == Occurrence.booking_id)
                             .join(Centre, Centre.id == Booking.centre_id).where(Centre.slug.like("city-%")))
