"""A programme's events for its coordinators (what a funded programme reports): one row per date, with the
organiser and confirmed co-organisers, title, date and time, centre and room, category, audiences, languages,
participants and status. CSV (UTF-8 with BOM) and XLSX through reports.exports."""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import i18n
from bookings.models import APPROVED, CANCELLED, Booking, Occurrence
from events.models import AUDIENCES, Event
from extensions import db
from programmes.models import event_programme
from timeutil import to_local


def header() -> list[str]:
    return [_("Organiser"), _("Co-organisers"), _("Title"), _("Date"), _("From"), _("Until"), _("Centre"),
            _("Room"), _("Category"), _("For whom"), _("Languages spoken"), _("Participants"), _("Status")]


def rows(programme, lang) -> list[list]:
    events = db.session.scalars(
        select(Event).join(event_programme, event_programme.c.event_id == Event.id)
        .where(event_programme.c.programme_id == programme.id)
        .options(selectinload(Event.booking).selectinload(Booking.occurrences),
                 selectinload(Event.booking).selectinload(Booking.cooperations), selectinload(Event.centre),
                 selectinload(Event.room), selectinload(Event.category))).all()
    table = [header()]
    lines = []
    for event in events:
        booking = event.booking
        if booking is None:
            continue
        organisers = booking.organisers()
        title = i18n.pick_text(event.title, lang, event.centre.default_language)[0] or booking.title
        shared = [organisers[0].name if organisers else event.centre.display_name(lang),
                  ", ".join(o.name for o in organisers[1:]), title]
        after = [event.centre.display_name(lang), event.room.name if event.room else "",
                 event.category.display_name(lang) if event.category else "",
                 ", ".join(str(AUDIENCES.get(a, a)) for a in event.audiences or []),
                 ", ".join(event.languages or [])]
        for occurrence in booking.occurrences:
            if occurrence.status not in (APPROVED, CANCELLED):
                continue
            start, end = (to_local(t, event.centre.timezone) for t in (occurrence.starts_at, occurrence.ends_at))
            lines.append(shared + [start.date().isoformat(), start.strftime("%H:%M"), end.strftime("%H:%M")]
                         + after + [occurrence.participants, _status(occurrence)])
    lines.sort(key=lambda line: (line[3], line[4], line[2]))
    return table + lines


def _status(occurrence: Occurrence) -> str:
    return _("cancelled") if occurrence.status == CANCELLED else _("held or planned")
