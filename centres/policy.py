"""A room's booking policy: everything the booking rules read of a room and its centre.

``RoomPolicy.of(room)`` is the one value that ``bookings.rules.check_slots``
judges dates by, that the room search groups rooms by (equal policies give
equal answers), that the room form fills, that the JSON API serialises and
that the OpenAPI document describes. A new kind of rule (fees, set-up and
clean-up buffers, terms of use) becomes a field here and so reaches all of them.
"""

from dataclasses import dataclass, fields
from datetime import time, timedelta

# No date may be longer than this, whatever a room allows: it bounds the conflict
# query from below (starts_at > start - MAX_LENGTH), so it stays an index range scan.
MAX_LENGTH = timedelta(hours=24)
# Nor any set-up or clean-up buffer longer than this (the blocked interval is at most MAX_LENGTH + 2 * MAX_BUFFER).
MAX_BUFFER = timedelta(minutes=240)


@dataclass(frozen=True)
class Limit:
    """How a policy field is stored on the room, its default and the range a manager may set."""

    default: object
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class RoomPolicy:
    """What may be booked in a room; frozen and hashable, so equal policies can share answers."""

    timezone: str
    bookable: bool = True
    earliest_time: time = time(8, 0)
    latest_time: time = time(22, 0)
    max_duration_minutes: int = 480
    max_days_ahead: int = 400
    min_notice_hours: int = 24
    setup_minutes: int = 0
    cleanup_minutes: int = 0
    quiet_from: time | None = None  # the centre's quiet hours: no date ends later

    # The fields stored on Room (the rest comes from the centre), with their ranges for the room form.
    ROOM_FIELDS = {
        "bookable": Limit(True),
        "earliest_time": Limit(time(8, 0)),
        "latest_time": Limit(time(22, 0)),
        "max_duration_minutes": Limit(480, 15, 1440),
        "max_days_ahead": Limit(400, 1, 1500),
        "min_notice_hours": Limit(24, 0, 8760),
        "setup_minutes": Limit(0, 0, 240),
        "cleanup_minutes": Limit(0, 0, 240),
    }

    @classmethod
    def of(cls, room, centre=None) -> "RoomPolicy":
        centre = centre or room.centre
        return cls(timezone=centre.timezone, quiet_from=centre.quiet_from,
                   **{name: getattr(room, name) for name in cls.ROOM_FIELDS})

    @property
    def max_length(self) -> timedelta:
        return min(timedelta(minutes=self.max_duration_minutes), MAX_LENGTH)

    @property
    def latest_end(self) -> time:
        """The latest a date may end: the room's latest time, or the centre's quiet hours when earlier."""
        if self.quiet_from is not None and self.quiet_from < self.latest_time:
            return self.quiet_from
        return self.latest_time

    def apply_to(self, room) -> None:
        """Store the policy's room fields on a room (the room form)."""
        for name in self.ROOM_FIELDS:
            setattr(room, name, getattr(self, name))

    def as_json(self) -> dict:
        """The ``rules`` of a room in the JSON API."""
        return {
            name: getattr(self, name).strftime("%H:%M") if isinstance(getattr(self, name), time) else getattr(self, name)
            for name in self.ROOM_FIELDS if name != "bookable"
        }

    @classmethod
    def json_schema(cls) -> dict:
        """The OpenAPI schema of ``as_json``."""
        properties = {}
        for name in cls.ROOM_FIELDS:
            if name == "bookable":
                continue
            default = cls.ROOM_FIELDS[name].default
            if isinstance(default, time):
                properties[name] = {"type": "string", "examples": [default.strftime("%H:%M")]}
            else:
                properties[name] = {"type": "integer"}
        return {"type": "object", "properties": properties}


assert set(RoomPolicy.ROOM_FIELDS) == {f.name for f in fields(RoomPolicy)} - {"timezone", "quiet_from"}
