"""A year of history before the demo's season, so the reports have something to show.

The season's weekly series (demo.season.SPECS) ran a year before too, requested
and approved through the booking services with "now" set back a year; a few
single dates of associations of the kinds the season lacks are added; and the
organisers recorded how many people came to most past dates (the reports' reach).
"""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from accounts.models import Association, User
from bookings import services
from bookings.errors import BookingConflict, RuleViolation
from bookings.models import APPROVED, Booking, Occurrence
from bookings.recurrence import WEEKDAY_CODES, Recurrence, week_start
from centres.models import Centre
from demo.season import SEASON_DAYS_BACK, SPECS, Spec, quiet_commit
from extensions import db
from terms.rules import Responsible
from timeutil import utcnow

HISTORY_DAYS = 365
EXTRA = [  # the kinds of association the season has no series of
    Spec("suedstadt", "Familienraum", "Caritas Migrationsberatung", "counselling", ["newcomers", "families"],
         ["de", "ar", "fa"], {"de": "Migrationsberatung", "ar": "استشارة الهجرة", "fa": "مشاوره مهاجرت"},
         1, "09:00", "12:00", 20, interval=2),
    Spec("nordstadt", "Seminarraum 1", "Jobcenter Region Hannover", "education", ["newcomers"], ["de", "uk", "ar"],
         {"de": "Sprechstunde Arbeit und Ausbildung", "uk": "Консультації щодо роботи та навчання"},
         3, "10:00", "12:00", 12, interval=4),
    Spec("linden", "Bühnensaal", "Nachbarschaftschor Linden", "culture", ["everyone"], ["de", "tr", "it"],
         {"de": "Offene Chorprobe", "tr": "Açık koro provası", "it": "Prova aperta del coro"},
         2, "19:00", "21:00", 24),
    Spec("vahrenheide", "Treffpunkt", "Alevitische Gemeinde Hannover", "culture", ["everyone", "families"], ["tr", "de"],
         {"de": "Saz-Kurs", "tr": "Bağlama kursu"}, 5, "15:00", "17:00", 20),
]


def _request(spec: Spec, first: date, count: int, now: datetime):
    centre = Centre.by_slug(spec.centre)
    room = next((r for r in centre.rooms if r.name == spec.room), None) if centre and spec.room else None
    association = db.session.scalar(select(Association).where(Association.name == spec.association))
    if centre is None or room is None or association is None:
        return None
    admin = db.session.scalar(select(User).where(User.role == "admin").order_by(User.id))
    manager = next((m for m in centre.managers if m.active), None) or admin
    by = next((u for u in association.members if u.active), None) or admin
    day = first + timedelta(days=spec.weekday)
    hour, minute = (int(x) for x in spec.start.split(":"))
    end_hour, end_minute = (int(x) for x in spec.end.split(":"))
    request = services.BookingRequest(
        centre=centre, room=room, association=association, title=next(iter(spec.title.values())),
        start=datetime.combine(day, time(hour, minute)), end=datetime.combine(day, time(end_hour, end_minute)),
        recurrence=Recurrence(interval=spec.interval, weekdays=[WEEKDAY_CODES[spec.weekday]], count=count),
        skip_conflicts=True, accept_terms=True,
        responsible=Responsible(by.name or "Demo Kontakt", "+49 511 222222", True),
        event={"title": spec.title, "description": spec.description, "category_key": spec.category,
               "audiences": spec.audiences, "languages": spec.languages, "is_free": spec.free,
               "price": spec.price, "registration_url": spec.registration, "barrier_free": room.barrier_free},
    )
    try:
        booking = services.request_booking(request, by, now=now)
        services.approve(booking, manager, now=now)
        quiet_commit()
    except (RuleViolation, BookingConflict):
        db.session.rollback()
        return None
    return booking


def load_history() -> int:
    """Add the year of history (call after the season); returns the number of bookings added."""
    today = utcnow().date()
    now = utcnow() - timedelta(days=HISTORY_DAYS + 7)
    first = week_start(today - timedelta(days=HISTORY_DAYS))
    weeks = (HISTORY_DAYS - SEASON_DAYS_BACK) // 7
    added = 0
    for spec in [s for s in SPECS if s.association and s.count > 1 and s.outcome == "approved"] + EXTRA:
        if _request(spec, first, max(weeks // spec.interval, 1), now) is not None:
            added += 1
    record_participants(today)
    return added


def record_participants(today: date) -> None:
    """Most past dates got a count: between a quarter and nine tenths of the room's capacity."""
    rows = db.session.execute(
        select(Occurrence, Booking.attendees).join(Booking, Booking.id == Occurrence.booking_id)
        .where(Occurrence.status == APPROVED, Occurrence.ends_at < datetime.combine(today, time())))
    for occurrence, attendees in rows:
        if occurrence.id % 7 == 0:  # not every organiser counts
            continue
        room = occurrence.booking.room
        capacity = (attendees or (room.capacity if room else 30)) or 30
        occurrence.participants = max(1, capacity * (25 + (occurrence.id * 37) % 65) // 100)
    quiet_commit()
