"""What a feed holds: the window, the public dates, their texts in the feed's language.

The public dates come from ``events.queries`` — the one selection of what is
public, with the calendar page's filters. A feed covers the past 30 days and
the next 12 months, counted from the start of today (UTC), so its bytes stay
the same all day unless the data change. A cancelled date stays in the feed as
``STATUS:CANCELLED`` with a translated "Cancelled:" prefix for 30 days after it
was cancelled, then drops out (from a series it becomes an EXDATE).

Every text is picked in the feed's language with the pages' fallback chain
(requested → the centre's default → German → any, ``i18n.pick_text``) and
tagged with the LANGUAGE it is really in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, url_for
from flask_babel import get_translations
from flask_babel import gettext as _
from sqlalchemy import func, select

import i18n
from bookings.display import reason_text
from bookings.models import CANCELLED, BookingChange
from database import chunks
from events.models import Category
from extensions import db
from feeds.ics import Text, Vevent
from feeds.series import combine
from programmes.models import Programme
from timeutil import utcnow

PAST = timedelta(days=30)
AHEAD = timedelta(days=366)
KEEP_CANCELLED = timedelta(days=30)
MAX_RANGE = timedelta(days=800)  # a feed's range asked for with start/end is cut to this
DESCRIPTION_LIMIT = 600  # characters of an event's description in a feed; its URL leads to the rest (feeds stay small)


@dataclass(frozen=True)
class Window:
    anchor: datetime  # today 00:00 UTC (naive)
    start: datetime
    end: datetime

    @property
    def cancelled_since(self) -> datetime:
        """Cancellations made before this are no longer shown."""
        return self.anchor - KEEP_CANCELLED


def window(now: datetime | None = None) -> Window:
    now = now or utcnow()
    anchor = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return Window(anchor, anchor - PAST, anchor + AHEAD)


def shown(occurrence, win: Window) -> bool:
    """A cancelled date is shown for 30 days after its cancellation (its last change)."""
    return occurrence.status != CANCELLED or (occurrence.updated_at or win.anchor) >= win.cancelled_since


# --- texts -------------------------------------------------------------------------------


def ui_language(lang: str) -> str:
    """The language interface strings are shown in: ``lang`` when it has a catalogue, else English (the msgids).

    Catalogues are complete (tests/test_translations.py), so a language with
    a catalogue has every string translated.
    """
    if lang == "en":
        return "en"
    translations = get_translations()
    return lang if getattr(translations, "_catalog", None) else "en"


def picked(texts, lang: str, default: str | None) -> Text:
    value, used = i18n.pick_text(texts, lang, default)
    return Text(value, used or (lang if value else None))


def shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(None, 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,.;:–-") + " …"


def location_text(centre, room, lang: str) -> Text:
    name = picked(centre.name, lang, centre.default_language)
    parts = [room.name if room is not None else "", name.value or centre.slug, centre.address]
    return Text(", ".join(p for p in parts if p), name.language)


def geo_of(centre):
    if centre.latitude is None or centre.longitude is None:
        return None
    return (centre.latitude, centre.longitude)


def latest(*values) -> datetime:
    return max(v for v in values if v is not None)


def change_counts(booking_ids) -> dict[int, int]:
    """How many recorded changes (requested, approved, date cancelled, ...) each booking has: part of SEQUENCE."""
    ids = sorted(set(booking_ids))
    counts: dict[int, int] = {}
    for chunk in chunks(ids):
        rows = db.session.execute(
            select(BookingChange.booking_id, func.count()).where(BookingChange.booking_id.in_(chunk))
            .group_by(BookingChange.booking_id)
        )
        counts.update({booking_id: count for booking_id, count in rows})
    return counts


def uid_domain() -> str:
    """The right-hand side of every UID: fixed by configuration, never the host a request came to."""
    configured = current_app.config.get("FEEDS_UID_DOMAIN")
    if configured:
        return configured
    return (current_app.config.get("SERVER_NAME") or "welcome-spaces").split(":")[0]


# --- public events --------------------------------------------------------------------------


def id_url(endpoint: str, name: str, **values):
    """``url_for`` for many ids at once: built once, the id put in by string (5,000 url_for calls cost 0.5 s)."""
    marker = 2147483646
    built = url_for(endpoint, _external=True, **{name: marker}, **values)
    head, _, tail = built.partition(str(marker))
    return lambda value: f"{head}{int(value)}{tail}"


class PublicTexts:
    """The per-event parts of a public VEVENT, worked out once per event (a series has many dates)."""

    def __init__(self, lang: str):
        self.lang = lang
        self.cache: dict[int, dict] = {}
        self.event_url = id_url("events.event", "event_id", lang=lang)
        self.organiser_url = id_url("events.calendar", "organiser", lang=lang)
        self.centre_url = url_for("centres.centre", lang=lang, slug="-", _external=True).removesuffix("-/")
        self.labels = {
            "organiser": _("Organiser"),
            "languages": _("Languages spoken"),
            "price": _("Price"),
            "free": _("free of charge"),
            "registration": _("Registration"),
            "more": _("More information"),
            "reason": _("Reason:"),
        }

    def of(self, event) -> dict:
        parts = self.cache.get(event.id)
        if parts is None:
            parts = self.cache[event.id] = self._work_out(event)
            parts["texts"] = self._texts(parts)
        return parts

    def _work_out(self, event) -> dict:
        lang, centre = self.lang, event.centre
        default = centre.default_language
        title = picked(event.title, lang, default)
        if not title.value:
            title = Text(event.booking.title if event.booking else str(event.id), None)
        description = picked(event.description, lang, default)
        url = self.event_url(event.id)
        facts = []
        organisers = event.booking.organisers() if event.booking is not None else []
        names = ", ".join(o.name for o in organisers) if organisers else centre.display_name(lang)
        facts.append(f"{self.labels['organiser']}: {names}")
        if event.languages:
            names = []
            for code in event.languages:
                try:
                    names.append(i18n.language_info(code).native_name)
                except Exception:  # an unknown or malformed tag: shown as it is
                    names.append(code)
            facts.append(f"{self.labels['languages']}: {', '.join(names)}")
        facts.append(f"{self.labels['price']}: {self.labels['free'] if event.is_free else (event.price or '–')}")
        if event.registration_url:
            facts.append(f"{self.labels['registration']}: {event.registration_url}")
        facts.append(f"{self.labels['more']}: {url}")
        body = shorten(description.value)
        categories = []
        if event.category is not None:
            categories.append(picked(event.category.names, lang, default) if event.category.names
                              else Text(event.category.key, None))
        categories += [picked(p.name, lang, p.default_language) for p in event.programmes]
        return {
            "title": title,
            "description": body,
            "description_language": description.language if body else title.language,
            "facts": "\n".join(facts),
            "location": location_text(centre, event.room, lang),
            "geo": geo_of(centre),
            "categories": [c for c in categories if c.value],
            "organizer": self.organizer(event),
            "url": url,
            "tz": centre.timezone,
            "stamp": latest(event.updated_at, event.booking.updated_at if event.booking else None,
                            centre.updated_at, event.room.updated_at if event.room else None),
        }

    def organizer(self, event) -> tuple[str, str]:
        """The booking association (its events in the public calendar), or the centre for its own events."""
        association = event.booking.association if event.booking is not None else None
        if association is not None:
            return association.name, self.organiser_url(association.id)
        centre = event.centre
        return centre.display_name(self.lang), f"{self.centre_url}{centre.slug}/"

    def _texts(self, parts: dict, occurrence=None) -> tuple[Text, Text]:
        """SUMMARY and DESCRIPTION of a date (None: a date as planned, the same for each of the event's)."""
        title = parts["title"]
        if occurrence is None:
            summary, text = title, parts["description"]
        else:
            summary = Text(_("Cancelled: %(title)s", title=title.value), title.language)
            text = parts["description"]
            if occurrence.cancel_reason:
                reason = f"{self.labels['reason']} {reason_text(occurrence.cancel_reason)}"
                text = f"{reason}\n\n{text}" if text else reason
        description = "\n\n".join(p for p in (text, parts["facts"]) if p)
        return summary, Text(description, parts["description_language"])

    def vevent(self, occurrence, event, sequence: int, domain: str) -> Vevent:
        parts = self.of(event)
        cancelled = occurrence.status == CANCELLED
        summary, description = self._texts(parts, occurrence) if cancelled else parts["texts"]
        return Vevent(
            uid=f"occ-{occurrence.id}@{domain}",
            start=occurrence.starts_at,
            end=occurrence.ends_at,
            tz_name=parts["tz"],
            summary=summary,
            stamp=latest(occurrence.updated_at, parts["stamp"]),
            sequence=sequence,
            status="CANCELLED" if cancelled else "CONFIRMED",
            description=description,
            location=parts["location"],
            geo=parts["geo"],
            categories=parts["categories"],
            url=parts["url"],
            organizer=parts["organizer"],
            klass="PUBLIC",
            transparent=cancelled,
        )


def public_vevents(rows, lang: str, win: Window) -> list[Vevent]:
    """VEVENTs for (Occurrence, Event) rows of events.queries: series combined, old cancellations dropped."""
    return [vevent for vevents in vevents_by_event(rows, lang, win).values() for vevent in vevents]


def vevents_by_event(rows, lang: str, win: Window) -> dict[int, list[Vevent]]:
    """``public_vevents`` per event id (in the order the rows first name them)."""
    rows = [(occurrence, event) for occurrence, event in rows if shown(occurrence, win)]
    counts = change_counts(occurrence.booking_id for occurrence, _ in rows)
    texts = PublicTexts(lang)
    domain = uid_domain()
    by_event: dict[int, list] = {}
    events = {}
    for occurrence, event in rows:
        sequence = (event.sequence or 0) + counts.get(occurrence.booking_id, 0)
        by_event.setdefault(event.id, []).append(texts.vevent(occurrence, event, sequence, domain))
        events[event.id] = event
    result = {}
    for event_id, dates in by_event.items():
        event = events[event_id]
        if event.booking is not None and event.booking.is_recurring:
            result[event_id] = combine(dates, f"event-{event_id}@{domain}")
        else:
            result[event_id] = dates
    return result


def categories_fingerprint() -> tuple:
    """Category names are shown in feeds but carry no change time, programme names carry theirs: both are
    part of the cache version (a renamed programme changes every feed with its events' CATEGORIES)."""
    programmes = (select(func.count(Programme.id)).scalar_subquery(),
                  select(func.max(Programme.updated_at)).scalar_subquery())  # in the same statement
    return tuple(db.session.execute(select(Category.key, Category.names, *programmes).order_by(Category.key)))

