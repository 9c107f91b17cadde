"""A small city whose report for March 2027 is counted by hand (tests/test_reports.py).

Centre A (rooms R1 08–22, R2 10–20, closed 24–26 March) and centre B (R3 08–22), in Europe/Berlin.

| booking | who | room | dates (local) | status | event |
| B1 | migrant organisation M | R1 | Sun 14, 21, 28 March (clock change on the 28th) 19–21, Sun 4 April | approved | culture; everyone, families; de, tr; free |
| B2 | club C | R1 | Wed 10 March 18–20, cancelled | cancelled | sport; youth; de; paid |
| B3 | initiative I | R2 | Mon 1, 8, 15, 22 March 10–12; the 15th cancelled | approved | none |
| B4 | school S | R3 | Mon 22 Feb 16–18, Mon 1 March 16–18, Wed 31 March 21:00 – Thu 1 April 01:00 | approved | education; children; ar, de; free |
| B5 | club C | R2 | Wed 17 March 14–16 | rejected | none |
| B6 | centre A itself | R2 | Sat 20 March 10–13 | approved | festival; no audience; de; free |
| B7 | M | R1 | Mon 16 March 2026 19–21 (a year earlier) | approved | culture |

Participants: B1 14 March 20, 21 March 15; B3 1 March 8.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from timeutil import to_utc_naive

BERLIN = ZoneInfo("Europe/Berlin")


def utc(day: date, hhmm: str) -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return to_utc_naive(datetime.combine(day, time(hour, minute), tzinfo=BERLIN))


@dataclass
class ReportWorld:
    a: object
    b: object
    r1: object
    r2: object
    r3: object
    m: object
    c: object
    i: object
    s: object
    manager_a: object
    manager_b: object
    admin: object
    member: object


def _booking(db, centre, room, association, status, dates, event=None, participants=()):
    from bookings.models import Booking, Occurrence
    from events.models import Event

    booking = Booking(centre=centre, room=room, association=association, title="Report test", status=status)
    for n, (start, end, date_status) in enumerate(dates):
        booking.occurrences.append(Occurrence(room_id=room.id, starts_at=start, ends_at=end, status=date_status,
                                              participants=participants[n] if n < len(participants) else None))
    if event:
        booking.event = Event(centre_id=centre.id, room_id=room.id, title={"de": "Termin"}, **event)
    db.session.add(booking)
    return booking


def build_world(db, make_centre, make_room, make_association, make_user) -> ReportWorld:
    from centres.models import Closure
    from events.models import ensure_categories

    ensure_categories()
    a, b = make_centre(slug="zentrum-a"), make_centre(slug="zentrum-b")
    r1 = make_room(a, name="R1")
    r2 = make_room(a, name="R2", earliest_time=time(10, 0), latest_time=time(20, 0))
    r3 = make_room(b, name="R3")
    db.session.add(Closure(centre_id=a.id, starts_on=date(2027, 3, 24), ends_on=date(2027, 3, 26), reason={}))
    m = make_association("Verein M", kind="migrant_organisation")
    c = make_association("Verein C", kind="club")
    i = make_association("Verein I", kind="initiative")
    s = make_association("Schule S", kind="school")
    ok, off = "approved", "cancelled"
    _booking(db, a, r1, m, "approved", [(utc(date(2027, 3, d), "19:00"), utc(date(2027, 3, d), "21:00"), ok)
                                        for d in (14, 21, 28)] + [(utc(date(2027, 4, 4), "19:00"),
                                                                  utc(date(2027, 4, 4), "21:00"), ok)],
             dict(category_key="culture", audiences=["everyone", "families"], languages=["de", "tr"], is_free=True),
             participants=(20, 15))
    _booking(db, a, r1, c, "cancelled", [(utc(date(2027, 3, 10), "18:00"), utc(date(2027, 3, 10), "20:00"), off)],
             dict(category_key="sport", audiences=["youth"], languages=["de"], is_free=False))
    _booking(db, a, r2, i, "approved", [(utc(date(2027, 3, d), "10:00"), utc(date(2027, 3, d), "12:00"),
                                         off if d == 15 else ok) for d in (1, 8, 15, 22)], participants=(8,))
    _booking(db, b, r3, s, "approved", [
        (utc(date(2027, 2, 22), "16:00"), utc(date(2027, 2, 22), "18:00"), ok),
        (utc(date(2027, 3, 1), "16:00"), utc(date(2027, 3, 1), "18:00"), ok),
        (utc(date(2027, 3, 31), "21:00"), utc(date(2027, 4, 1), "01:00"), ok),
    ], dict(category_key="education", audiences=["children"], languages=["ar", "de"], is_free=True))
    _booking(db, a, r2, c, "rejected", [(utc(date(2027, 3, 17), "14:00"), utc(date(2027, 3, 17), "16:00"),
                                         "rejected")])
    _booking(db, a, r2, None, "approved", [(utc(date(2027, 3, 20), "10:00"), utc(date(2027, 3, 20), "13:00"), ok)],
             dict(category_key="festival", audiences=[], languages=["de"], is_free=True))
    _booking(db, a, r1, m, "approved", [(utc(date(2026, 3, 16), "19:00"), utc(date(2026, 3, 16), "21:00"), ok)],
             dict(category_key="culture", audiences=["everyone"], languages=["de"], is_free=True))
    db.session.commit()
    manager_a = make_user("manager", centres=[a])
    manager_b = make_user("manager", centres=[b])
    admin = make_user("admin")
    member = make_user("member", associations=[m])
    return ReportWorld(a, b, r1, r2, r3, m, c, i, s, manager_a, manager_b, admin, member)
