"""JSON shapes of the public API."""

from flask import url_for

import i18n
from bookings.display import local_iso
from centres.policy import RoomPolicy
from waitlist.line import position


def texts(mapping, lang, default_language):
    return i18n.pick_text(mapping, lang, default_language)[0]


def room_json(room, lang):
    return {
        "id": room.id,
        "name": room.name,
        "description": texts(room.description, lang, room.centre.default_language),
        "capacity": room.capacity,
        "equipment": list(room.equipment or []),
        "barrier_free": room.barrier_free,
        "bookable": room.bookable,
        "rules": RoomPolicy.of(room).as_json(),
    }


def centre_json(centre, lang, with_rooms=False):
    data = {
        "slug": centre.slug,
        "name": centre.display_name(lang),
        "names": dict(centre.name or {}),
        "description": texts(centre.description, lang, centre.default_language),
        "district": centre.district,
        "address": {"street": centre.street, "postcode": centre.postcode, "city": centre.city},
        "geo": (
            {"lat": centre.latitude, "lon": centre.longitude}
            if centre.latitude is not None and centre.longitude is not None
            else None
        ),
        "opening_hours": {str(k): v for k, v in sorted((centre.opening_hours or {}).items())},
        "features": list(centre.features or []),
        "staff_languages": list(centre.staff_languages or []),
        "contact": {"email": centre.contact_email, "phone": centre.contact_phone, "website": centre.website},
        "timezone": centre.timezone,
        "default_language": centre.default_language,
        "url": url_for("centres.centre", lang=lang, slug=centre.slug, _external=True),
    }
    if with_rooms:
        data["rooms"] = [room_json(room, lang) for room in centre.rooms]
    return data


def waitlist_entry_json(entry) -> dict:
    """A place on the waiting list, as its association and the centre's managers see it."""
    tz_name = entry.centre.timezone
    return {
        "id": entry.id,
        "status": entry.status,
        "position": position(entry),
        "room_id": entry.room_id,
        "centre": entry.centre.slug,
        "association": {"id": entry.association.id, "name": entry.association.name},
        "title": entry.title,
        "start": local_iso(entry.starts_at, tz_name),
        "end": local_iso(entry.ends_at, tz_name),
        "offer_expires": local_iso(entry.offer_expires, tz_name) if entry.offer_expires else None,
        "booking_id": entry.booking_id,
        "created_at": local_iso(entry.created_at, tz_name),
    }
